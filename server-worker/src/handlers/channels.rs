//! Channels (protocol §4.16, §8): append to and read a process's message streams.
//!
//! A channel exists while its process is not finished and the process's `spec.channels` names
//! it; its row is created by the first append (Go creates it at submit, then lazily on other
//! replicas; clients cannot tell the difference). Limits: 10 MiB per message, 10,000 entries
//! per channel, 100 appends/s with bursts of 500 per process, shared by every replica.

use super::{Cx, bad_request, not_found};
use crate::{
    db::{DbConn, Statements},
    error::Error,
    host::Host,
    store::{
        self,
        channels::{Appended, NewEntry},
    },
};
use colonies_core::{
    message::{ChannelAppendMsg, ChannelReadMsg, Empty, Message, Role},
    model::MsgEntry,
    rules::AuthError,
};
use tokio_postgres::Client;

/// The largest payload one entry may carry (Go's `CHANNEL_MAX_MESSAGE_SIZE`).
pub const MAX_PAYLOAD: usize = 10 * 1024 * 1024;

/// The longest entry type a sender may give. Go takes any string (`""` and `"data"` are data,
/// `"end"` ends the stream, `"error"` carries an error; clients also send others, such as the
/// `colonyos` crate's `"text"`), stored and returned as given.
pub const MAX_ENTRY_TYPE: usize = 256;

/// Checks an append's own fields, before anything is read.
fn check_append(m: &ChannelAppendMsg) -> Result<(), Error> {
    if m.processid.is_empty() || m.name.is_empty() {
        return Err(bad_request("channel append needs processid and name"));
    }
    if m.payload.len() > MAX_PAYLOAD {
        return Err(bad_request(format!(
            "channel message of {} bytes exceeds the limit of {MAX_PAYLOAD} bytes",
            m.payload.len()
        )));
    }
    if m.payloadtype.len() > MAX_ENTRY_TYPE {
        return Err(bad_request(format!(
            "channel payloadtype of {} bytes exceeds the limit of {MAX_ENTRY_TYPE} bytes",
            m.payloadtype.len()
        )));
    }
    Ok(())
}

/// Finds the process and the caller's rows in its colony (one round trip), checks the caller
/// may use the process's channels (else 403 `denied`, Go's words) and that channel `name` is
/// live; returns the colony.
/// Leftovers of a finished or removed process are deleted on the way: a close that raced with
/// an append may have left some.
async fn open_channel(
    client: &Client,
    statements: &impl Statements,
    role: Role,
    caller: &str,
    process_id: &str,
    name: &str,
    denied: &str,
) -> Result<String, Error> {
    let Some(facts) = store::processes::with_facts(client, statements, caller, process_id).await?
    else {
        store::channels::remove_for_process(client, process_id).await?;
        return Err(not_found("Process not found"));
    };
    facts.rows.check(role, caller, Some(&facts.process), None).map_err(|e| match e {
        AuthError::NotParticipant => Error::new(e.status(), denied),
        e => facts.rows.refusal(e).into(),
    })?;
    if facts.process.state.is_terminal() {
        store::channels::remove_for_process(client, process_id).await?;
        return Err(not_found("Channel not found: the process has finished"));
    }
    if !facts.process.spec.channels.iter().any(|c| c == name) {
        return Err(not_found(format!("Channel not found: the process has no channel {name}")));
    }
    Ok(facts.colony)
}

/// `channelappendmsg`: the initiator or the assigned executor appends one entry.
pub async fn append<H: Host>(cx: Cx<'_, H>, m: ChannelAppendMsg) -> Result<Empty, Error> {
    check_append(&m)?;
    let mut conn = cx.db().await?;
    let (client, statements) = conn.parts();
    let (process, denied) = (&m.processid, "Not authorized to write to channel");
    let colony = open_channel(
        client,
        &statements,
        ChannelAppendMsg::ROLE,
        cx.caller,
        process,
        &m.name,
        denied,
    )
    .await?;
    // An error entry's text travels as its payload; it is also given as `error` for readers
    // that look there.
    let error = if m.payloadtype == "error" {
        String::from_utf8_lossy(&m.payload).into_owned()
    } else {
        String::new()
    };
    let entry = NewEntry {
        process_id: &m.processid,
        name: &m.name,
        colony: &colony,
        sender_id: cx.caller,
        sequence: m.sequence,
        in_reply_to: m.inreplyto,
        entry_type: &m.payloadtype,
        error: &error,
        payload: &m.payload,
    };
    match store::channels::append(client, &statements, &entry).await? {
        Appended::Yes => Ok(Empty {}),
        Appended::RateLimited => Err(Error::new(
            429,
            "channel rate limit exceeded: at most 100 messages/s (bursts of 500) per process",
        )),
        Appended::Full => Err(bad_request(format!(
            "channel {} is full ({} entries)",
            m.name,
            store::channels::MAX_ENTRIES
        ))),
    }
}

/// `channelreadmsg`: entries after position `afterseq`, at most `limit` (0: all).
pub async fn read<H: Host>(cx: Cx<'_, H>, m: ChannelReadMsg) -> Result<Vec<MsgEntry>, Error> {
    if m.processid.is_empty() || m.name.is_empty() {
        return Err(bad_request("channel read needs processid and name"));
    }
    let mut conn = cx.db().await?;
    let (client, statements) = conn.parts();
    let (process, denied) = (&m.processid, "Not authorized to read from channel");
    open_channel(client, &statements, ChannelReadMsg::ROLE, cx.caller, process, &m.name, denied)
        .await?;
    let limit = (m.limit > 0).then_some(m.limit);
    store::channels::read(&*client, &m.processid, &m.name, m.afterseq.max(0), limit)
        .await
        .map_err(Error::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn append(payload: usize, payloadtype: &str) -> ChannelAppendMsg {
        ChannelAppendMsg {
            processid: "p".into(),
            name: "c".into(),
            payload: vec![0; payload],
            payloadtype: payloadtype.into(),
            ..ChannelAppendMsg::default()
        }
    }

    #[test]
    fn payload_size_and_type_are_checked() {
        assert!(check_append(&append(MAX_PAYLOAD, "")).is_ok());
        assert_eq!(check_append(&append(MAX_PAYLOAD + 1, "")).map_err(|f| f.status()), Err(400));
        for ok in ["", "data", "end", "error", "text", "eof"] {
            assert!(check_append(&append(1, ok)).is_ok(), "{ok}");
        }
        let long = "t".repeat(MAX_ENTRY_TYPE + 1);
        assert_eq!(check_append(&append(1, &long)).map_err(|f| f.status()), Err(400));
        let mut nameless = append(1, "");
        nameless.name.clear();
        assert_eq!(check_append(&nameless).map_err(|f| f.status()), Err(400));
    }
}

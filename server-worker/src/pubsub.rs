//! `GET /pubsub` subscriptions (protocol §7): what every host shares.
//!
//! A client opens a WebSocket and sends one signed envelope. This module reads it into a
//! [`Subscription`], authorises the caller (with the v1.8.19 checks Go 1.9 dropped: the
//! caller must be an approved member of the colony, and a single process must belong to the
//! colony named), reads the rows a subscription starts from, and builds every frame. Events
//! come from Postgres (the triggers of migration 0003, NOTIFY on [`PROCESS_EVENTS`] and
//! [`CHANNEL_EVENTS`]) as [`ProcessEvent`] and [`ChannelEvent`]; a host routes them to the
//! subscriptions they concern by [`Topic`]. Socket I/O and timers belong to the host.
//!
//! Deliberate differences from Go, same frames:
//! - `subscribeprocessmsg` ends after its one frame (Go keeps the socket until the timeout;
//!   pycolonies and the Go client read one frame only).
//! - `subscribeprocessesmsg` delivers processes of the named colony only (Go delivers every
//!   colony's processes of that executor type).
//! - `timeout <= 0` means [`DEFAULT_TIMEOUT`] (Go's channel default; Go closes a process
//!   subscription at once), and no subscription outlives [`MAX_TIMEOUT`].
//! - A process frame carries the process as it is when the event is delivered: it has been in
//!   the subscribed state, but may already have moved on (Go sends the in-memory copy).

use crate::{
    db::DbConn,
    error::Error,
    handlers::{bad_request, connect, not_found},
    host::Host,
    store,
};
use colonies_core::{
    RpcMsg, RpcReplyMsg,
    message::{
        Message, MessageKind, SubscribeChannelMsg, SubscribeProcessMsg, SubscribeProcessesMsg,
    },
    model::{MsgEntry, Process, ProcessState},
};
use core::time::Duration;
use serde::Deserialize;

/// The NOTIFY channel of process state changes (migration 0003).
pub const PROCESS_EVENTS: &str = "colonies_process_state";
/// The NOTIFY channel of channel appends and removals (migration 0003).
pub const CHANNEL_EVENTS: &str = "colonies_channel";

/// How long a subscription lasts when the client asks for `timeout <= 0`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest a subscription lasts, whatever the client asks: a forgotten socket is closed
/// within the hour, and a client that wants more subscribes again.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(3600);

/// Most channel entries one frame carries; a longer backlog goes out in several frames, so
/// no single frame (up to 10 MiB per entry) grows without bound.
pub const CHANNEL_BATCH: i64 = 64;

/// The duration of a subscription that asked for `timeout` seconds.
pub fn timeout(requested: i64) -> Duration {
    match u64::try_from(requested) {
        Ok(0) | Err(_) => DEFAULT_TIMEOUT,
        Ok(seconds) => Duration::from_secs(seconds).min(MAX_TIMEOUT),
    }
}

/// What the first frame of a `/pubsub` socket asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subscription {
    /// `subscribeprocessesmsg`: every process of a colony and executor type entering a state.
    Processes(SubscribeProcessesMsg),
    /// `subscribeprocessmsg`: one frame once a process is in a state.
    Process(SubscribeProcessMsg),
    /// `subscribechannelmsg`: a channel's entries after an index, then each new batch.
    Channel(SubscribeChannelMsg),
}

impl Subscription {
    /// Reads the subscription of a (signature-checked) envelope. Anything that is not one of
    /// the three WebSocket messages is refused with 403, as Go refuses unknown payloadtypes;
    /// a payload that does not parse, or whose msgtype differs, is 400.
    pub fn parse(msg: &RpcMsg) -> Result<Self, Error> {
        let open = |e: colonies_core::EnvelopeError| e.to_failure();
        match MessageKind::from_payload_type(&msg.payloadtype) {
            Some(MessageKind::SubscribeProcesses) => Ok(Self::Processes(msg.open().map_err(open)?)),
            Some(MessageKind::SubscribeProcess) => Ok(Self::Process(msg.open().map_err(open)?)),
            Some(MessageKind::SubscribeChannel) => Ok(Self::Channel(msg.open().map_err(open)?)),
            _ => Err(Error::new(
                403,
                format!(
                    "invalid rpcMsg.PayloadType on /pubsub: {:?}; expected subscribeprocessesmsg, \
                     subscribeprocessmsg or subscribechannelmsg",
                    msg.payloadtype
                ),
            )),
        }
    }

    /// How long the subscription lasts (see [`timeout`]).
    pub fn duration(&self) -> Duration {
        timeout(match self {
            Self::Processes(m) => m.timeout,
            Self::Process(m) => m.timeout,
            Self::Channel(m) => m.timeout,
        })
    }
}

/// Reads the first frame of a socket: the envelope (400 if it is not one), the caller's
/// identity (403 if the signature recovers none), its replay binding (403 if refused, see
/// [`crate::dispatch::check_replay`]) and the subscription.
pub async fn parse_request<H: Host>(
    host: &H,
    frame: &[u8],
) -> Result<(String, Subscription), Error> {
    let msg = RpcMsg::parse(frame)?;
    let caller = msg.recover_caller()?;
    let subscription = Subscription::parse(&msg)?;
    crate::dispatch::check_replay(host, &caller, &msg, false).await?;
    Ok((caller.to_hex(), subscription))
}

/// A process state change, as the trigger announces it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ProcessEvent {
    /// The process.
    pub processid: String,
    /// Its colony (absent when the names were too long for a notification).
    #[serde(default)]
    pub colonyname: Option<String>,
    /// Its executor type (absent likewise).
    #[serde(default)]
    pub executortype: Option<String>,
    /// The state it is in now (the stored code).
    pub state: i64,
}

impl ProcessEvent {
    /// Reads a notification payload; `None` if it is not one of ours.
    pub fn parse(payload: &str) -> Option<Self> {
        serde_json::from_str(payload).ok()
    }

    /// The topics this event concerns: its process, its colony and type, and the end of its
    /// channels when the state is final.
    pub fn topics(&self) -> impl Iterator<Item = Topic> + '_ {
        let process = Topic::Process { processid: self.processid.clone(), state: self.state };
        let colony = match (&self.colonyname, &self.executortype) {
            (Some(colonyname), Some(executortype)) => Some(Topic::Processes {
                colonyname: colonyname.clone(),
                executortype: executortype.clone(),
                state: self.state,
            }),
            _ => None,
        };
        let finished = ProcessState::from_code(self.state)
            .is_some_and(ProcessState::is_terminal)
            .then(|| Topic::Finished { processid: self.processid.clone() });
        core::iter::once(process).chain(colony).chain(finished)
    }
}

/// A channel append or removal, as the trigger announces it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ChannelEvent {
    /// The process.
    pub processid: String,
    /// The channel (absent when it was too long for a notification: every channel of the
    /// process is concerned).
    #[serde(default)]
    pub name: Option<String>,
}

impl ChannelEvent {
    /// Reads a notification payload; `None` if it is not one of ours.
    pub fn parse(payload: &str) -> Option<Self> {
        serde_json::from_str(payload).ok()
    }

    /// Whether a subscription to `topic` is concerned.
    pub fn concerns(&self, topic: &Topic) -> bool {
        match topic {
            Topic::Channel { processid, name } => {
                *processid == self.processid && self.name.as_ref().is_none_or(|n| n == name)
            }
            _ => false,
        }
    }
}

/// What a subscription listens to; hosts keep subscriptions keyed by it, so an event reaches
/// only the subscriptions it concerns, without scanning the others.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Topic {
    /// One process reaching a state (`subscribeprocessmsg`).
    Process {
        /// The process.
        processid: String,
        /// The state code.
        state: i64,
    },
    /// Any process of a colony and executor type reaching a state (`subscribeprocessesmsg`).
    Processes {
        /// The colony.
        colonyname: String,
        /// The executor type.
        executortype: String,
        /// The state code.
        state: i64,
    },
    /// New entries of one channel (`subscribechannelmsg`).
    Channel {
        /// The process.
        processid: String,
        /// The channel.
        name: String,
    },
    /// A process reaching a final state, which ends its channels' streams (Go deletes the
    /// channels then; here the rows may outlive the close until a sweep).
    Finished {
        /// The process.
        processid: String,
    },
}

impl Subscription {
    /// The topics the subscription listens to.
    pub fn topics(&self) -> Vec<Topic> {
        match self {
            Self::Processes(m) => vec![Topic::Processes {
                colonyname: m.colonyname.clone(),
                executortype: m.executortype.clone(),
                state: m.state.code(),
            }],
            Self::Process(m) => {
                vec![Topic::Process { processid: m.processid.clone(), state: m.state.code() }]
            }
            Self::Channel(m) => vec![
                Topic::Channel { processid: m.processid.clone(), name: m.name.clone() },
                Topic::Finished { processid: m.processid.clone() },
            ],
        }
    }
}

/// The frame carrying a process (also for `subscribeprocessesmsg`: Go labels both
/// `subscribeprocessmsg`).
pub fn process_frame(process: &Process) -> String {
    let json = serde_json::to_string(process).unwrap_or_default();
    RpcReplyMsg::success(SubscribeProcessesMsg::REPLY_PAYLOAD_TYPE, &json).to_json()
}

/// The frame carrying channel entries; `[]` is the end of the stream.
pub fn channel_frame(entries: &[MsgEntry]) -> String {
    let json = serde_json::to_string(entries).unwrap_or_default();
    RpcReplyMsg::success(SubscribeChannelMsg::REPLY_PAYLOAD_TYPE, &json).to_json()
}

/// The error frame (the `POST /api` error envelope).
pub fn error_frame(error: impl Into<Error>) -> String {
    let failure = &error.into().into_failure();
    RpcReplyMsg::failure(failure).to_json()
}

/// Authorises `subscribeprocessesmsg`: the caller must be an approved member of the colony.
pub async fn open_processes<H: Host>(
    host: &H,
    caller: &str,
    m: &SubscribeProcessesMsg,
) -> Result<(), Error> {
    let mut conn = connect(host).await?;
    crate::handlers::authorize(&mut conn, SubscribeProcessesMsg::ROLE, caller, &m.colonyname)
        .await?;
    Ok(())
}

/// Authorises `subscribeprocessmsg` and returns the process as it is now: the caller must be
/// an approved member of `colonyname`, and the process must belong to that colony (403
/// otherwise, so a subscriber learns nothing about other colonies' processes); 404 if there
/// is no such process.
pub async fn open_process<H: Host>(
    host: &H,
    caller: &str,
    m: &SubscribeProcessMsg,
) -> Result<Process, Error> {
    let mut conn = connect(host).await?;
    crate::handlers::authorize(&mut conn, SubscribeProcessMsg::ROLE, caller, &m.colonyname).await?;
    let (client, statements) = conn.parts();
    // Applies a deadline that has passed, so the state compared is the current one.
    let facts =
        crate::handlers::read_process(host, client, &statements, caller, &m.processid).await?;
    if facts.colony != m.colonyname {
        return Err(Error::new(
            403,
            format!("Access denied, process {} is not in colony {}", m.processid, m.colonyname),
        ));
    }
    Ok(facts.process)
}

/// The process as it is now (`None`: removed), for a frame after an event.
pub async fn current_process<H: Host>(
    host: &H,
    process_id: &str,
) -> Result<Option<Process>, Error> {
    let mut conn = connect(host).await?;
    let (client, statements) = conn.parts();
    // No caller: the subscription was authorised when it started.
    let facts = store::processes::with_facts(client, &statements, "", process_id).await?;
    Ok(facts.map(|f| f.process))
}

/// Authorises `subscribechannelmsg`: an approved member that initiated the process or is
/// assigned to it, on a channel the process's spec names (as `channelreadmsg`).
pub async fn open_channel<H: Host>(
    host: &H,
    caller: &str,
    m: &SubscribeChannelMsg,
) -> Result<(), Error> {
    if m.processid.is_empty() || m.name.is_empty() {
        return Err(bad_request("channel subscription needs processid and name"));
    }
    let mut conn = connect(host).await?;
    let (client, statements) = conn.parts();
    let facts = store::processes::with_facts(client, &statements, caller, &m.processid)
        .await?
        .ok_or_else(|| not_found("Process not found"))?;
    facts.rows.require(SubscribeChannelMsg::ROLE, caller, Some(&facts.process), None)?;
    if facts.process.state.is_terminal() {
        return Err(not_found("Channel not found: the process has finished"));
    }
    if !facts.process.spec.channels.contains(&m.name) {
        return Err(not_found(format!("Channel not found: the process has no channel {}", m.name)));
    }
    Ok(())
}

/// What reading a subscribed channel found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChannelRead {
    /// Entries after the position read from (possibly none yet).
    Entries(Vec<MsgEntry>),
    /// The process finished or was removed, and its channels with it: the stream is over.
    Closed,
}

/// Up to [`CHANNEL_BATCH`] entries of a channel after position `after`; [`ChannelRead::Closed`]
/// when there are none and never will be.
pub async fn read_channel<H: Host>(
    host: &H,
    process_id: &str,
    name: &str,
    after: i64,
) -> Result<ChannelRead, Error> {
    let mut conn = connect(host).await?;
    let (client, statements) = conn.parts();
    let entries =
        store::channels::read(&*client, process_id, name, after, Some(CHANNEL_BATCH)).await?;
    if !entries.is_empty() {
        return Ok(ChannelRead::Entries(entries));
    }
    let facts = store::processes::with_facts(client, &statements, "", process_id).await?;
    Ok(match facts {
        Some(f) if !f.process.state.is_terminal() => ChannelRead::Entries(entries),
        _ => ChannelRead::Closed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use colonies_core::{PrivateKey, message::to_payload_json};

    fn key() -> PrivateKey {
        PrivateKey::generate().expect("a key")
    }

    #[test]
    fn timeouts_default_and_are_capped() {
        assert_eq!(timeout(0), DEFAULT_TIMEOUT);
        assert_eq!(timeout(-1), DEFAULT_TIMEOUT);
        assert_eq!(timeout(10), Duration::from_secs(10));
        assert_eq!(timeout(i64::MAX), MAX_TIMEOUT);
    }

    #[test]
    fn only_the_three_websocket_messages_subscribe() {
        let m = SubscribeProcessMsg {
            colonyname: "c".into(),
            processid: "p".into(),
            state: ProcessState::Success,
            timeout: 5,
            ..SubscribeProcessMsg::default()
        };
        let msg = RpcMsg::sign("subscribeprocessmsg", &to_payload_json(&m), &key());
        let sub = Subscription::parse(&msg).map_err(|f| f.status());
        assert_eq!(sub, Ok(Subscription::Process(m)));
        assert_eq!(
            sub.map(|s| s.topics()),
            Ok(vec![Topic::Process { processid: "p".into(), state: 2 }])
        );

        let other = RpcMsg::sign("getprocessmsg", r#"{"msgtype":"getprocessmsg"}"#, &key());
        assert_eq!(Subscription::parse(&other).map_err(|f| f.status()), Err(403));
        let relabelled =
            RpcMsg::sign("subscribechannelmsg", r#"{"msgtype":"subscribeprocessmsg"}"#, &key());
        assert_eq!(Subscription::parse(&relabelled).map_err(|f| f.status()), Err(400));
    }

    #[test]
    fn events_name_their_topics() {
        let event = ProcessEvent::parse(
            r#"{"processid":"p","colonyname":"c","executortype":"t","state":1}"#,
        );
        let topics: Vec<Topic> = event.iter().flat_map(ProcessEvent::topics).collect();
        assert_eq!(
            topics,
            [
                Topic::Process { processid: "p".into(), state: 1 },
                Topic::Processes { colonyname: "c".into(), executortype: "t".into(), state: 1 },
            ]
        );
        let short = ProcessEvent::parse(r#"{"processid":"p","state":1}"#);
        assert_eq!(short.iter().flat_map(ProcessEvent::topics).count(), 1);
        let closed = ProcessEvent::parse(r#"{"processid":"p","state":3}"#);
        let topics: Vec<Topic> = closed.iter().flat_map(ProcessEvent::topics).collect();
        assert_eq!(topics[1], Topic::Finished { processid: "p".into() });
        assert_eq!(ProcessEvent::parse("garbage"), None);

        let chat = Topic::Channel { processid: "p".into(), name: "chat".into() };
        let appended = ChannelEvent::parse(r#"{"processid":"p","name":"chat"}"#);
        assert!(appended.as_ref().is_some_and(|e| e.concerns(&chat)));
        let other = ChannelEvent::parse(r#"{"processid":"p","name":"log"}"#);
        assert!(other.as_ref().is_some_and(|e| !e.concerns(&chat)));
        let unnamed = ChannelEvent::parse(r#"{"processid":"p"}"#);
        assert!(unnamed.as_ref().is_some_and(|e| e.concerns(&chat)));
    }

    #[test]
    fn frames_are_reply_envelopes() {
        let frame = process_frame(&Process { processid: "p".into(), ..Process::default() });
        let reply = RpcReplyMsg::parse(frame.as_bytes()).map_err(|_| ());
        assert_eq!(reply.as_ref().map(|r| r.payloadtype.as_str()), Ok("subscribeprocessmsg"));
        assert_eq!(reply.as_ref().map(|r| r.error), Ok(false));

        let end = RpcReplyMsg::parse(channel_frame(&[]).as_bytes()).map_err(|_| ());
        assert_eq!(end.as_ref().map(|r| r.payload.as_str()), Ok("W10="));
        assert_eq!(end.map(|r| r.payloadtype), Ok("subscribechannelmsg".into()));

        let error = error_frame(Error::new(403, "no"));
        let error = RpcReplyMsg::parse(error.as_bytes()).map_err(|_| ());
        assert_eq!(error.as_ref().map(|r| (r.payloadtype.as_str(), r.error)), Ok(("error", true)));
    }
}

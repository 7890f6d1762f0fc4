//! The wrapped keys of end-to-end encrypted colonies (protocol §16.4): our extension
//! payloadtypes, answered for the colony owner and its members. The server stores wrapped
//! keys and the public keys it recovered from members' signatures; it never sees a data key.

use super::{Cx, Outcome, Reply, authorize, bad_request};
use crate::{error::Error, host::Host, store};
use colonies_core::{
    RpcMsg,
    e2e::{
        messages::{
            ADD_COLONY_KEYS, AddColonyKeys, AddedColonyKeys, ColonyKeys, ColonyKeysRequest,
            ColonyMemberKeys, GET_COLONY_KEYS, GET_COLONY_MEMBER_KEYS,
        },
        wrapped_version,
    },
    message::Role,
};
use serde::{Serialize, de::DeserializeOwned};

/// The most wrapped keys one `addcolonykeysmsg` may carry.
pub const MAX_KEYS_PER_REQUEST: usize = 1000;

/// The longest wrapped key accepted, in bytes (a `cw1` key is under 200).
const MAX_WRAPPED_LEN: usize = 1024;

/// Whether `payloadtype` is one of this module's.
pub fn serves(payloadtype: &str) -> bool {
    [GET_COLONY_KEYS, GET_COLONY_MEMBER_KEYS, ADD_COLONY_KEYS].contains(&payloadtype)
}

fn open<T: DeserializeOwned>(msg: &RpcMsg) -> Result<T, Error> {
    let json = msg.payload_json()?;
    serde_json::from_slice(&json)
        .map_err(|e| bad_request(format!("{}: the payload does not read: {e}", msg.payloadtype)))
}

fn reply<T: Serialize>(msg: &RpcMsg, value: &T) -> Outcome {
    Ok(Reply {
        payloadtype: msg.payloadtype.clone(),
        json: serde_json::to_string(value).unwrap_or_default(),
    })
}

/// Answers one of the three payloadtypes ([`serves`]).
pub async fn serve<H: Host>(cx: Cx<'_, H>, msg: &RpcMsg) -> Outcome {
    match msg.payloadtype.as_str() {
        GET_COLONY_KEYS => get_keys(cx, msg).await,
        GET_COLONY_MEMBER_KEYS => get_member_keys(cx, msg).await,
        ADD_COLONY_KEYS => add_keys(cx, msg).await,
        other => Err(Error::new(403, format!("invalid rpcMsg.PayloadType: {other}"))),
    }
}

/// `getcolonykeysmsg`: the caller's wrapped keys; records the caller's public key.
async fn get_keys<H: Host>(cx: Cx<'_, H>, msg: &RpcMsg) -> Outcome {
    let m: ColonyKeysRequest = open(msg)?;
    let public_key = msg.recover_public_key()?.to_hex();
    let mut conn = cx.db().await?;
    authorize(&mut conn, Role::ApprovedMemberOrOwner, cx.caller, &m.colonyname).await?;
    let client = crate::db::DbConn::parts(&mut conn).0;
    store::e2e::record_public_key(&*client, &m.colonyname, cx.caller, &public_key).await?;
    let (current, keys) = store::e2e::keys_of(&*client, &m.colonyname, cx.caller).await?;
    let answer = ColonyKeys {
        colonyname: m.colonyname,
        encrypted: current > 0,
        currentversion: current,
        keys,
    };
    reply(msg, &answer)
}

/// `getcolonymemberkeysmsg`: every member, its public key and versions (the owner only).
async fn get_member_keys<H: Host>(cx: Cx<'_, H>, msg: &RpcMsg) -> Outcome {
    let m: ColonyKeysRequest = open(msg)?;
    let mut conn = cx.db().await?;
    authorize(&mut conn, Role::ColonyOwner, cx.caller, &m.colonyname).await?;
    let client = crate::db::DbConn::parts(&mut conn).0;
    // The owner's own key, so that the owner's client can wrap for itself.
    let public_key = msg.recover_public_key()?.to_hex();
    store::e2e::record_public_key(&*client, &m.colonyname, cx.caller, &public_key).await?;
    let (current, members) = store::e2e::members(&*client, &m.colonyname).await?;
    reply(msg, &ColonyMemberKeys { colonyname: m.colonyname, currentversion: current, members })
}

/// `addcolonykeysmsg`: wrapped keys of the current or the next version (the owner only).
async fn add_keys<H: Host>(cx: Cx<'_, H>, msg: &RpcMsg) -> Outcome {
    let m: AddColonyKeys = open(msg)?;
    if m.keys.is_empty() || m.keys.len() > MAX_KEYS_PER_REQUEST {
        return Err(bad_request(format!(
            "addcolonykeysmsg: give 1 to {MAX_KEYS_PER_REQUEST} wrapped keys, not {}",
            m.keys.len()
        )));
    }
    for key in &m.keys {
        if key.wrapped.len() > MAX_WRAPPED_LEN || wrapped_version(&key.wrapped) != Some(m.version) {
            return Err(bad_request(format!(
                "addcolonykeysmsg: the key for {} is not a cw1 key of version {}",
                key.memberid, m.version
            )));
        }
    }
    let mut conn = cx.db().await?;
    authorize(&mut conn, Role::ColonyOwner, cx.caller, &m.colonyname).await?;
    let client = crate::db::DbConn::parts(&mut conn).0;
    let keys: Vec<(String, String)> =
        m.keys.iter().map(|k| (k.memberid.clone(), k.wrapped.clone())).collect();
    match store::e2e::add(client, &m.colonyname, m.version, &keys).await? {
        Ok(current) => {
            let added = u32::try_from(keys.len()).unwrap_or(u32::MAX);
            reply(
                msg,
                &AddedColonyKeys { colonyname: m.colonyname, currentversion: current, added },
            )
        }
        Err(store::e2e::AddRefusal::Version { current }) => Err(Error::new(
            409,
            format!(
                "addcolonykeysmsg: version {} is neither the current version ({current}) nor the next",
                m.version
            ),
        )),
        Err(store::e2e::AddRefusal::NotMember(id)) => Err(bad_request(format!(
            "addcolonykeysmsg: {id} is not the owner, a user or an approved executor of colony {}",
            m.colonyname
        ))),
    }
}

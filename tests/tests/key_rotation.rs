//! Key rotation (protocol §4.14): the §12 ChangeUserID / ChangeExecutorID / ChangeColonyID /
//! ChangeServerID security lists and §13 cases 57 and 58.

mod support;

use colonies_blackbox::{Answer, key, server};
use colonies_core::PrivateKey;
use serde_json::{Value, json};
use support::{Env, spec, user};
use tokio::sync::RwLock;

/// The server-ID test takes this for writing: while it runs the suite's owner key is not the
/// server owner, so the other tests of this binary (which create colonies with that key)
/// hold it for reading.
static SERVER_OWNER: RwLock<()> = RwLock::const_new(());

/// A 64-hex ID nobody holds a key for... except the key returned with it.
fn new_id() -> (PrivateKey, String) {
    let k = key();
    let id = k.id().to_hex();
    (k, id)
}

/// Asserts a success that echoes `payload` with `"msgtype": payloadtype`.
fn assert_echo(answer: &Answer, payloadtype: &str, payload: &Value) {
    let reply = answer.reply.as_ref().unwrap_or_else(|| panic!("not an envelope: {}", answer.body));
    assert_eq!(reply.payloadtype, payloadtype);
    let mut expected = payload.clone();
    expected["msgtype"] = payloadtype.into();
    assert_eq!(answer.ok_json(), expected);
}

#[tokio::test]
async fn change_user_id_follows_the_security_list() {
    let _owner = SERVER_OWNER.read().await;
    let env = Env::new().await;
    let (u1, _) = user(&env.client, &env.c1, &env.colony1).await;
    let (u2, _) = user(&env.client, &env.c2, &env.colony2).await;
    let (k1, k1_id) = new_id();
    let change = json!({ "colonyname": env.colony1, "userid": k1_id });

    // Executors, colony owners and a user of another colony are refused.
    for denied in [&env.e1, &env.e2, &env.c1, &env.c2, &u2] {
        env.call(denied, "changeuseridmsg", change.clone()).await.assert_error(403);
    }
    // The new ID must be a key ID, and must not be another member's.
    let short = json!({ "colonyname": env.colony1, "userid": &k1_id[1..] });
    env.call(&u1, "changeuseridmsg", short).await.assert_error(400);
    let taken = json!({ "colonyname": env.colony1, "userid": env.e1.id().to_hex() });
    env.call(&u1, "changeuseridmsg", taken).await.assert_error(400);

    assert_echo(
        &env.call(&u1, "changeuseridmsg", change.clone()).await,
        "changeuseridmsg",
        &change,
    );
    // The old key is no longer a user; the new one is.
    let (_, k2_id) = new_id();
    let again = json!({ "colonyname": env.colony1, "userid": k2_id });
    env.call(&u1, "changeuseridmsg", again).await.assert_error(403);
    let users = json!({ "colonyname": env.colony1 });
    env.call(&u1, "getusersmsg", users.clone()).await.assert_error(403);
    env.call(&k1, "getusersmsg", users).await.ok_json();

    // The user of colony 2 rotates too.
    let (_, k3_id) = new_id();
    let change2 = json!({ "colonyname": env.colony2, "userid": k3_id });
    env.call(&u2, "changeuseridmsg", change2).await.ok_json();
}

#[tokio::test]
async fn change_executor_id_follows_the_security_list() {
    let _owner = SERVER_OWNER.read().await;
    let env = Env::new().await;
    let (u1, _) = user(&env.client, &env.c1, &env.colony1).await;
    let running = env.running().await;
    let (k1, k1_id) = new_id();
    let change = json!({ "colonyname": env.colony1, "executorid": k1_id });

    // Users, colony owners and an executor of another colony are refused.
    for denied in [&u1, &env.c1, &env.c2, &env.e2] {
        env.call(denied, "changeexecutoridmsg", change.clone()).await.assert_error(403);
    }
    let short = json!({ "colonyname": env.colony1, "executorid": "ab" });
    env.call(&env.e1, "changeexecutoridmsg", short).await.assert_error(400);
    let taken = json!({ "colonyname": env.colony1, "executorid": u1.id().to_hex() });
    env.call(&env.e1, "changeexecutoridmsg", taken).await.assert_error(400);

    let answer = env.call(&env.e1, "changeexecutoridmsg", change.clone()).await;
    assert_echo(&answer, "changeexecutoridmsg", &change);
    env.call(&env.e1, "changeexecutoridmsg", change).await.assert_error(403);

    // The executor, and the process it was running, moved to the new key.
    env.get(&env.e1, &running).await.assert_error(403);
    let got = env.get(&k1, &running).await.ok_json();
    assert_eq!(got["assignedexecutorid"], k1_id.as_str());
    let close = json!({ "processid": running, "out": ["r"] });
    env.call(&env.e1, "closesuccessfulmsg", close.clone()).await.assert_error(403);
    env.call(&k1, "closesuccessfulmsg", close).await.ok_json();
    assert_eq!(env.get(&k1, &running).await.ok_json()["state"], 2);
}

#[tokio::test]
async fn an_unapproved_executor_may_rotate_its_key() {
    let _owner = SERVER_OWNER.read().await;
    let env = Env::new().await;
    let (pending, name) =
        colonies_blackbox::new_executor(&env.client, &env.c1, &env.colony1, false).await;
    let (k, k_id) = new_id();
    let change = json!({ "colonyname": env.colony1, "executorid": k_id });
    env.call(&pending, "changeexecutoridmsg", change).await.ok_json();
    let approve = json!({ "colonyname": env.colony1, "executorname": name });
    env.call(&env.c1, "approveexecutormsg", approve).await.ok_json();
    env.submit(&k, spec(&env.colony1)).await;
}

/// §13 case 58 and the ChangeColonyID list.
#[tokio::test]
async fn change_colony_id_moves_ownership() {
    let _owner = SERVER_OWNER.read().await;
    let env = Env::new().await;
    let (u1, _) = user(&env.client, &env.c1, &env.colony1).await;
    let (k, k_id) = new_id();
    let change = json!({ "colonyname": env.colony1, "colonyid": k_id });

    // Users, executors, a random key and the owner of another colony are refused.
    for denied in [&u1, &env.e1, &env.e2, &key(), &env.c2] {
        env.call(denied, "changecolonyidmsg", change.clone()).await.assert_error(403);
    }
    let short = json!({ "colonyname": env.colony1, "colonyid": &k_id[..63] });
    env.call(&env.c1, "changecolonyidmsg", short).await.assert_error(400);

    let answer = env.call(&env.c1, "changecolonyidmsg", change.clone()).await;
    assert_echo(&answer, "changecolonyidmsg", &change);
    env.call(&env.c1, "changecolonyidmsg", change).await.assert_error(403);
    let (_, c2_new) = new_id();
    let change2 = json!({ "colonyname": env.colony2, "colonyid": c2_new });
    env.call(&env.c2, "changecolonyidmsg", change2.clone()).await.ok_json();
    env.call(&env.c2, "changecolonyidmsg", change2).await.assert_error(403);

    // K now approves executors of colony 1; C1 cannot.
    let (_, name) = colonies_blackbox::new_executor(&env.client, &k, &env.colony1, false).await;
    let approve = json!({ "colonyname": env.colony1, "executorname": name });
    env.call(&env.c1, "approveexecutormsg", approve.clone()).await.assert_error(403);
    env.call(&k, "approveexecutormsg", approve).await.ok_json();
}

/// §13 case 57 and the ChangeServerID list. The owner key is handed back before anything is
/// asserted, so a failure here cannot lock the rest of the suite out.
#[tokio::test]
async fn change_server_id_moves_ownership() {
    let env = {
        let _owner = SERVER_OWNER.read().await;
        Env::new().await
    };
    let (u1, _) = user(&env.client, &env.c1, &env.colony1).await;
    let s = &server().owner;
    let (k, k_id) = new_id();
    let change = json!({ "serverid": k_id });
    let back = json!({ "serverid": s.id().to_hex() });

    let _exclusive = SERVER_OWNER.write().await;
    let mut denied = Vec::new();
    for caller in [&env.e1, &u1, &env.c1] {
        denied.push(env.call(caller, "changeserveridmsg", change.clone()).await);
    }
    let short = env.call(s, "changeserveridmsg", json!({ "serverid": "abc" })).await;
    let changed = env.call(s, "changeserveridmsg", change.clone()).await;
    let again = env.call(s, "changeserveridmsg", change.clone()).await;
    let old_lists = env.call(s, "getcoloniesmsg", json!({})).await;
    let new_lists = env.call(&k, "getcoloniesmsg", json!({})).await;
    let restored = env.call(&k, "changeserveridmsg", back).await;
    let after = env.call(s, "getcoloniesmsg", json!({})).await;

    assert_eq!(restored.status, 200, "the owner key must come back: {}", restored.body);
    for answer in &denied {
        answer.assert_error(403);
    }
    short.assert_error(400);
    assert_echo(&changed, "changeserveridmsg", &change);
    again.assert_error(403);
    old_lists.assert_error(403);
    let colonies = new_lists.ok_json();
    assert!(
        colonies.as_array().is_some_and(|all| all.iter().any(|c| c["name"] == env.colony1)),
        "{colonies}"
    );
    after.ok_json();
}

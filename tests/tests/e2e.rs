//! End-to-end encrypted payloads (protocol §16) from the outside: the key messages with their
//! rules, a removed member reading nothing sealed after its removal, and a full run of an
//! encrypted colony that leaves none of its plaintext in the database (`pg_dump`), next to a
//! plain colony's run that does (so the check can fail).
//!
//! The test is the client here: it seals and opens with colonies-core, as the Rust client,
//! the CLI and the npm package do.

use base64::{Engine, engine::general_purpose::STANDARD};
use colonies_blackbox::{Client, key, new_colony, new_executor, server, unique};
use colonies_core::{
    PrivateKey,
    e2e::{
        DataKey, E2eError, Keyring, NONCE_LEN,
        fields::{Opener, Sealer},
        messages::{ColonyKeys, ColonyMemberKeys},
        unwrap, wrap,
    },
    model::FunctionSpec,
};
use serde_json::{Value, json};

/// A random nonce (the first bytes of a fresh random key).
fn random_nonce() -> [u8; NONCE_LEN] {
    let bytes = key().to_bytes();
    let mut nonce = [0u8; NONCE_LEN];
    nonce.copy_from_slice(&bytes[..NONCE_LEN]);
    nonce
}

fn nonces() -> impl FnMut() -> [u8; NONCE_LEN] {
    random_nonce
}

async fn add_user(client: &Client, owner: &PrivateKey, colony: &str, user: &PrivateKey) -> String {
    let name = unique("user");
    let payload = json!({ "user": { "colonyname": colony, "userid": user.id().to_hex(),
                                     "name": name, "email": "", "phone": "" } });
    client.call(owner, "addusermsg", payload).await.ok_json();
    name
}

async fn keys_of(client: &Client, member: &PrivateKey, colony: &str) -> ColonyKeys {
    let reply = client.call(member, "getcolonykeysmsg", json!({ "colonyname": colony })).await;
    serde_json::from_value(reply.ok_json()).expect("a ColonyKeys reply")
}

async fn members(client: &Client, owner: &PrivateKey, colony: &str) -> ColonyMemberKeys {
    let reply = client.call(owner, "getcolonymemberkeysmsg", json!({ "colonyname": colony })).await;
    serde_json::from_value(reply.ok_json()).expect("a ColonyMemberKeys reply")
}

/// Wraps `data` for every member whose public key the server knows, and stores them.
async fn distribute(client: &Client, owner: &PrivateKey, colony: &str, data: &DataKey) -> Value {
    let known = members(client, owner, colony).await;
    let mut keys = Vec::new();
    for member in known.members.iter().filter(|m| !m.publickey.is_empty()) {
        let public = member.publickey.parse().expect("a public key");
        let wrapped = wrap(data, &public, &key(), random_nonce()).expect("wrapped");
        keys.push(json!({ "memberid": member.memberid, "wrapped": wrapped }));
    }
    let payload = json!({ "colonyname": colony, "version": data.version(), "keys": keys });
    client.call(owner, "addcolonykeysmsg", payload).await.ok_json()
}

/// The member's keyring, from its wrapped keys.
async fn keyring(client: &Client, member: &PrivateKey, colony: &str) -> Keyring {
    let mut ring = Keyring::new();
    for wrapped in keys_of(client, member, colony).await.keys {
        ring.insert(unwrap(&wrapped.wrapped, member).expect("unwraps with the member's key"));
    }
    ring
}

#[tokio::test]
async fn keys_are_wrapped_per_member_and_only_the_owner_distributes_them() {
    let client = Client::new();
    let (owner, colony) = new_colony(&client).await;
    let alice = key();
    add_user(&client, &owner, &colony, &alice).await;
    let (executor, _) = new_executor(&client, &owner, &colony, true).await;
    // Not encrypted yet; asking records Alice's public key (recovered from her signature).
    let none = keys_of(&client, &alice, &colony).await;
    assert_eq!((none.encrypted, none.currentversion, none.keys.len()), (false, 0, 0));
    let listed = members(&client, &owner, &colony).await;
    let of = |id: &str| listed.members.iter().find(|m| m.memberid == id).cloned();
    assert_eq!(of(&alice.id().to_hex()).map(|m| m.publickey), Some(alice.public_key().to_hex()));
    assert_eq!(of(&owner.id().to_hex()).map(|m| m.kind), Some("owner".into()));
    assert_eq!(
        of(&executor.id().to_hex()).map(|m| m.publickey),
        Some(String::new()),
        "not asked yet"
    );

    let v1 = DataKey::generate(1).expect("a key");
    let added = distribute(&client, &owner, &colony, &v1).await;
    assert_eq!((added["currentversion"].as_u64(), added["added"].as_u64()), (Some(1), Some(2)));
    let mine = keys_of(&client, &alice, &colony).await;
    assert!(mine.encrypted && mine.currentversion == 1, "{mine:?}");
    assert_eq!(keyring(&client, &alice, &colony).await.current(), Some(&v1));

    // Who may not: a stranger reads no keys, a member distributes none, versions are in order,
    // keys go to members only and are cw1 keys of the version named.
    let stranger = key();
    client
        .call(&stranger, "getcolonykeysmsg", json!({ "colonyname": colony }))
        .await
        .assert_error(403);
    client
        .call(&alice, "getcolonymemberkeysmsg", json!({ "colonyname": colony }))
        .await
        .assert_error(403);
    let wrapped = wrap(&v1, &alice.public_key(), &key(), [1; NONCE_LEN]).expect("wrapped");
    let add = |version: u32, member: &PrivateKey, wrapped: &str| {
        json!({ "colonyname": colony, "version": version,
                "keys": [{ "memberid": member.id().to_hex(), "wrapped": wrapped }] })
    };
    client.call(&alice, "addcolonykeysmsg", add(1, &alice, &wrapped)).await.assert_error(403);
    client.call(&owner, "addcolonykeysmsg", add(3, &alice, &wrapped)).await.assert_error(400);
    let v3 = DataKey::from_bytes(3, [3; 32]);
    let wrapped3 = wrap(&v3, &alice.public_key(), &key(), [2; NONCE_LEN]).expect("wrapped");
    client.call(&owner, "addcolonykeysmsg", add(3, &alice, &wrapped3)).await.assert_error(409);
    client.call(&owner, "addcolonykeysmsg", add(1, &stranger, &wrapped)).await.assert_error(400);
    let empty = json!({ "colonyname": colony, "version": 1, "keys": [] });
    client.call(&owner, "addcolonykeysmsg", empty).await.assert_error(400);
    assert_eq!(keys_of(&client, &alice, &colony).await.currentversion, 1, "nothing was added");
}

#[tokio::test]
async fn a_removed_member_reads_nothing_sealed_after_its_removal_and_a_new_member_reads_the_current_version()
 {
    let client = Client::new();
    let (owner, colony) = new_colony(&client).await;
    let (alice, bob) = (key(), key());
    let alice_name = add_user(&client, &owner, &colony, &alice).await;
    keys_of(&client, &alice, &colony).await;
    keys_of(&client, &owner, &colony).await;
    let v1 = DataKey::generate(1).expect("a key");
    distribute(&client, &owner, &colony, &v1).await;
    let alice_ring = keyring(&client, &alice, &colony).await;
    let mut nonce = nonces();
    let before = Sealer::new(&v1, &colony, &mut nonce).text("sealed before the removal");

    // Alice is removed; the owner's client rotates: version 2 for those who remain.
    let remove = json!({ "colonyname": colony, "name": alice_name });
    client.call(&owner, "removeusermsg", remove).await.ok_json();
    let v2 = DataKey::generate(2).expect("a key");
    distribute(&client, &owner, &colony, &v2).await;
    client
        .call(&alice, "getcolonykeysmsg", json!({ "colonyname": colony }))
        .await
        .assert_error(403);
    let after = Sealer::new(&v2, &colony, &mut nonce).text("sealed after the removal");
    let alice_opens = Opener::new(&alice_ring, &colony);
    assert_eq!(alice_opens.text(&before).as_deref(), Ok("sealed before the removal"));
    assert_eq!(alice_opens.text(&after), Err(E2eError::NoKey { version: 2 }));

    // Bob joins later, asks once (his public key is recorded), and the owner's client wraps the
    // current version for him: he reads what it protects.
    add_user(&client, &owner, &colony, &bob).await;
    assert!(keys_of(&client, &bob, &colony).await.keys.is_empty());
    let added = distribute(&client, &owner, &colony, &v2).await;
    assert_eq!(added["currentversion"], 2);
    let bob_ring = keyring(&client, &bob, &colony).await;
    assert_eq!(
        Opener::new(&bob_ring, &colony).text(&after).as_deref(),
        Ok("sealed after the removal")
    );
    assert_eq!(bob_ring.versions().collect::<Vec<_>>(), [2], "no older version for Bob");
}

/// The last close of a run, left for after a first dump: a process's channel entries go
/// away when it ends, so the dump that looks for them is taken before.
struct LastClose {
    executor: PrivateKey,
    close: Value,
}

impl LastClose {
    async fn send(self, client: &Client) {
        client.call(&self.executor, "closesuccessfulmsg", self.close).await.ok_json();
    }
}

/// One colony's full run: a workflow of three processes with args, kwargs and env, then each
/// process assigned, given a log, an attribute and a channel message, and closed with output
/// (the last close is returned, to be sent later). With `sealing` every payload is sealed by
/// the client first.
async fn run(client: &Client, marker: &str, sealing: bool) -> LastClose {
    let (owner, colony) = new_colony(client).await;
    let (executor, _) = new_executor(client, &owner, &colony, true).await;
    let mut ring = Keyring::new();
    if sealing {
        keys_of(client, &executor, &colony).await;
        distribute(client, &owner, &colony, &DataKey::generate(1).expect("a key")).await;
        ring = keyring(client, &executor, &colony).await;
    }
    let mut nonce = nonces();
    let seal_spec = |spec: &mut FunctionSpec, nonce: &mut dyn FnMut() -> [u8; NONCE_LEN]| {
        if let Some(key) = ring.current() {
            Sealer::new(key, &colony, nonce).spec(spec);
        }
    };
    let mut specs = Vec::new();
    for (name, deps) in [("a", vec![]), ("b", vec!["a"]), ("c", vec!["b"])] {
        let mut spec: FunctionSpec = serde_json::from_value(json!({
            "nodename": name, "funcname": "work", "maxwaittime": -1, "maxexectime": -1,
            "conditions": { "colonyname": colony, "executortype": "test_executor_type",
                            "dependencies": deps },
            "args": [format!("{marker}-arg-{name}")],
            "kwargs": { "k": format!("{marker}-kwarg-{name}") },
            "env": { "E": format!("{marker}-env-{name}") },
            "channels": ["ch"],
        }))
        .expect("a spec");
        seal_spec(&mut spec, &mut nonce);
        specs.push(spec);
    }
    let workflow = json!({ "colonyname": colony, "functionspecs": specs });
    client.call(&executor, "submitworkflowspecmsg", json!({ "spec": workflow })).await.ok_json();
    let opener = Opener::new(&ring, &colony);
    for name in ["a", "b", "c"] {
        let assign = json!({ "colonyname": colony, "timeout": 5 });
        let mut process: colonies_core::model::Process = serde_json::from_value(
            client.call(&executor, "assignprocessmsg", assign).await.ok_json(),
        )
        .expect("a process");
        let pid = process.processid.clone();
        // The executor reads its plaintext back.
        opener.process(&mut process).expect("opens");
        assert_eq!(process.spec.args, [json!(format!("{marker}-arg-{name}"))]);
        assert_eq!(process.spec.env["E"], format!("{marker}-env-{name}"));
        let key = ring.current();
        let mut sealer = key.map(|key| Sealer::new(key, &colony, &mut nonce));
        let mut text = |plain: String| match &mut sealer {
            Some(sealer) => sealer.text(&plain),
            None => plain,
        };
        let log = text(format!("{marker}-log-{name}"));
        let value = text(format!("{marker}-attribute-{name}"));
        let payload = text(format!("{marker}-channel-{name}"));
        let out_item = json!(format!("{marker}-out-{name}"));
        client
            .call(&executor, "addlogmsg", json!({ "processid": pid, "message": log }))
            .await
            .ok_json();
        let attribute = json!({ "attribute": { "targetid": pid, "key": "result",
                                               "value": value, "attributetype": 1 } });
        client.call(&executor, "addattributemsg", attribute).await.ok_json();
        let append = json!({ "processid": pid, "name": "ch", "sequence": 1,
                             "payload": STANDARD.encode(payload.as_bytes()), "payloadtype": "" });
        client.call(&executor, "channelappendmsg", append).await.ok_json();
        let out = match key {
            Some(key) => Sealer::new(key, &colony, &mut nonce).list(&[out_item]),
            None => vec![out_item],
        };
        let close = json!({ "processid": pid, "out": out });
        if name == "c" {
            return LastClose { executor, close };
        }
        client.call(&executor, "closesuccessfulmsg", close).await.ok_json();
    }
    unreachable!("the loop returns at its last process")
}

/// The database as `pg_dump --data-only` writes it.
fn dump(database_url: &str) -> String {
    let bin = colonies_worker::native::embedded_pg::find_bin_dir(None, None)
        .expect("PostgreSQL binaries");
    let output = std::process::Command::new(bin.join("pg_dump"))
        .args(["--data-only", "--no-owner", "--dbname", database_url])
        .output()
        .expect("pg_dump runs");
    assert!(output.status.success(), "pg_dump: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test]
async fn an_encrypted_colonys_run_leaves_no_plaintext_in_the_database() {
    let Some(database_url) = server().database_url.clone() else {
        eprintln!("skipped: needs the suite's own database (pg_dump)");
        return;
    };
    let client = Client::new();
    let (sealed, plain) = (unique("sealedmarker"), unique("plainmarker"));
    let last_sealed = run(&client, &sealed, true).await;
    let last_plain = run(&client, &plain, false).await;
    // Before the last closes, the last processes' channel entries are in the database.
    let before = dump(&database_url);
    last_sealed.send(&client).await;
    last_plain.send(&client).await;
    let after = dump(&database_url);
    // A marker is in a dump as text, or as bytea (hex) or base64 bytes.
    let found = |dumped: &str, marker: &str| {
        let hex: String = marker.bytes().map(|b| format!("{b:02x}")).collect();
        dumped.contains(marker)
            || dumped.contains(&hex)
            || dumped.contains(&STANDARD.encode(marker))
    };
    let mut checks = vec![(&before, "channel", "c")];
    for kind in ["arg", "kwarg", "env", "log", "attribute", "out"] {
        for name in ["a", "b", "c"] {
            checks.push((&after, kind, name));
        }
    }
    for (dumped, kind, name) in checks {
        let (secret, clear) = (format!("{sealed}-{kind}-{name}"), format!("{plain}-{kind}-{name}"));
        assert!(!found(dumped, &secret), "{secret} is in the database");
        // The plain colony's run shows the check would see a leak.
        assert!(found(dumped, &clear), "{clear} is not in the dump: the check cannot see a leak");
    }
    for dumped in [&before, &after] {
        assert!(!found(dumped, &sealed), "no trace of the sealed run's marker at all");
    }
}

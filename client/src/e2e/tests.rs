//! Transparent sealing and key management against a fake server that stores what it is
//! sent (and so shows what a real server would see) and keeps wrapped keys as the server's
//! extension does.

use super::*;
use crate::{Executor, ExecutorOptions};
use colonies_core::{
    Failure, RpcMsg, RpcReplyMsg, Signature,
    model::{Conditions, FunctionSpec, Log, Process},
};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Mutex as StdMutex;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const COLONY: &str = "dev";
const SECRETS: [&str; 6] =
    ["secret-arg", "secret-kwarg", "secret-env", "TOKEN", "mode", "secret-out"];

struct Member {
    id: String,
    kind: &'static str,
    name: &'static str,
    public: Option<PublicKey>,
}

/// What the fake server holds.
struct World {
    /// false: a server without the extension (a Go server).
    knows_keys: bool,
    owner: String,
    members: Vec<Member>,
    current: u32,
    wrapped: BTreeMap<(String, u32), String>,
    processes: Vec<Process>,
    logs: Vec<Log>,
    /// Every request: its payloadtype and payload text as sent.
    requests: Vec<(String, String)>,
    next_id: u32,
}

impl World {
    fn new(owner: &PrivateKey) -> Self {
        let owner_id = owner.id().to_hex();
        Self {
            knows_keys: true,
            owner: owner_id.clone(),
            members: vec![Member { id: owner_id, kind: "owner", name: "", public: None }],
            current: 0,
            wrapped: BTreeMap::new(),
            processes: Vec::new(),
            logs: Vec::new(),
            requests: Vec::new(),
            next_id: 0,
        }
    }

    fn add(&mut self, key: &PrivateKey, kind: &'static str, name: &'static str) {
        self.members.push(Member { id: key.id().to_hex(), kind, name, public: None });
    }

    fn serve(
        &mut self,
        payloadtype: &str,
        payload: &Value,
        caller: &PublicKey,
    ) -> Result<String, Failure> {
        let caller_id = caller.id().to_hex();
        let is_owner = caller_id == self.owner;
        let member = self.members.iter().position(|m| m.id == caller_id);
        let forbidden = || Failure::new(403, "access denied");
        match payloadtype {
            GET_COLONY_KEYS | GET_COLONY_MEMBER_KEYS | ADD_COLONY_KEYS if !self.knows_keys => {
                Err(Failure::new(400, format!("invalid rpcMsg.PayloadType: {payloadtype}")))
            }
            GET_COLONY_KEYS => {
                let member = member.ok_or_else(forbidden)?;
                self.members[member].public = Some(*caller);
                let keys: Vec<Value> = self
                    .wrapped
                    .iter()
                    .filter(|((id, _), _)| *id == caller_id)
                    .map(
                        |((_, version), wrapped)| json!({ "version": version, "wrapped": wrapped }),
                    )
                    .collect();
                Ok(json!({ "colonyname": COLONY, "encrypted": self.current > 0,
                    "currentversion": self.current, "keys": keys })
                .to_string())
            }
            GET_COLONY_MEMBER_KEYS => {
                if !is_owner {
                    return Err(forbidden());
                }
                let members: Vec<Value> = self
                    .members
                    .iter()
                    .map(|m| {
                        let versions: Vec<u32> = self
                            .wrapped
                            .keys()
                            .filter(|(id, _)| *id == m.id)
                            .map(|(_, v)| *v)
                            .collect();
                        json!({ "memberid": m.id, "kind": m.kind, "name": m.name,
                            "publickey": m.public.as_ref().map(PublicKey::to_hex).unwrap_or_default(),
                            "versions": versions })
                    })
                    .collect();
                Ok(json!({ "colonyname": COLONY, "currentversion": self.current, "members": members })
                    .to_string())
            }
            ADD_COLONY_KEYS => {
                if !is_owner {
                    return Err(forbidden());
                }
                let version = payload["version"].as_u64().unwrap_or(0) as u32;
                if version != self.current && version != self.current + 1 {
                    return Err(Failure::new(400, "version must be current or current+1"));
                }
                let keys = payload["keys"].as_array().cloned().unwrap_or_default();
                for key in &keys {
                    let id = key["memberid"].as_str().unwrap_or_default().to_owned();
                    if !self.members.iter().any(|m| m.id == id) {
                        return Err(Failure::new(400, "not a member"));
                    }
                    self.wrapped
                        .insert((id, version), key["wrapped"].as_str().unwrap_or_default().into());
                }
                self.current = version;
                Ok(json!({ "colonyname": COLONY, "currentversion": version, "added": keys.len() })
                    .to_string())
            }
            _ if member.is_none() => Err(forbidden()),
            "submitfuncspecmsg" => {
                let spec: FunctionSpec = serde_json::from_value(payload["spec"].clone()).unwrap();
                self.next_id += 1;
                let process = Process {
                    processid: format!("{:064x}", self.next_id),
                    spec,
                    ..Process::default()
                };
                self.processes.push(process.clone());
                Ok(serde_json::to_string(&process).unwrap())
            }
            "assignprocessmsg" => {
                let process = self.processes.iter().find(|p| p.assignedexecutorid.is_empty());
                let mut process =
                    process.cloned().ok_or_else(|| Failure::new(404, "nothing to do"))?;
                process.assignedexecutorid = caller_id;
                self.set(process.clone());
                Ok(serde_json::to_string(&process).unwrap())
            }
            "getprocessmsg" => self
                .find(payload["processid"].as_str().unwrap_or_default())
                .map(|p| serde_json::to_string(&p).unwrap()),
            "closesuccessfulmsg" => {
                let mut process = self.find(payload["processid"].as_str().unwrap_or_default())?;
                process.output = serde_json::from_value(payload["out"].clone()).unwrap_or_default();
                self.set(process);
                Ok("null".into())
            }
            "closefailedmsg" => {
                let mut process = self.find(payload["processid"].as_str().unwrap_or_default())?;
                process.errors =
                    serde_json::from_value(payload["errors"].clone()).unwrap_or_default();
                self.set(process);
                Ok("null".into())
            }
            "addlogmsg" => {
                let process = self.find(payload["processid"].as_str().unwrap_or_default())?;
                self.logs.push(Log {
                    processid: process.processid,
                    colonyname: COLONY.into(),
                    message: payload["message"].as_str().unwrap_or_default().into(),
                    ..Log::default()
                });
                Ok("null".into())
            }
            "getlogsmsg" => Ok(serde_json::to_string(&self.logs).unwrap()),
            other => Err(Failure::new(400, format!("the fake does not serve {other}"))),
        }
    }

    fn find(&self, processid: &str) -> Result<Process, Failure> {
        self.processes
            .iter()
            .find(|p| p.processid == processid)
            .cloned()
            .ok_or_else(|| Failure::new(404, "no such process"))
    }

    fn set(&mut self, process: Process) {
        if let Some(slot) = self.processes.iter_mut().find(|p| p.processid == process.processid) {
            *slot = process;
        }
    }

    fn sent(&self, payloadtype: &str) -> Vec<String> {
        self.requests.iter().filter(|(t, _)| t == payloadtype).map(|(_, p)| p.clone()).collect()
    }
}

/// Starts the fake on a local port; `getserverinfomsg` tells no server ID (requests go
/// unbound, as to a Go server).
async fn start(world: Arc<StdMutex<World>>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else { return };
            let mut buf = Vec::new();
            let body = loop {
                let mut chunk = [0u8; 4096];
                let n = socket.read(&mut chunk).await.unwrap_or(0);
                if n == 0 {
                    break None;
                }
                buf.extend_from_slice(&chunk[..n]);
                let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else { continue };
                let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                let length: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                if buf.len() >= end + 4 + length {
                    break Some(buf[end + 4..end + 4 + length].to_vec());
                }
            };
            let Some(body) = body else { continue };
            let msg = RpcMsg::parse(&body).unwrap();
            let text = String::from_utf8(msg.payload_json().unwrap()).unwrap();
            let result = if msg.payloadtype == "getserverinfomsg" {
                Ok(json!({ "serverid": "", "backends": [] }).to_string())
            } else {
                let signature: Signature = msg.signature.parse().unwrap();
                let caller = signature.recover_public_key(msg.payload.as_bytes()).unwrap();
                let payload: Value = serde_json::from_str(&text).unwrap();
                let mut world = world.lock().unwrap();
                world.requests.push((msg.payloadtype.clone(), text));
                world.serve(&msg.payloadtype, &payload, &caller)
            };
            let (status, reply) = match result {
                Ok(json) => (200, RpcReplyMsg::success(&msg.payloadtype, &json)),
                Err(failure) => (failure.status, RpcReplyMsg::failure(&failure)),
            };
            let reply = reply.to_json();
            let answer = format!(
                "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{reply}",
                reply.len()
            );
            let _ = socket.write_all(answer.as_bytes()).await;
            let _ = socket.shutdown().await;
        }
    });
    url
}

fn key() -> PrivateKey {
    PrivateKey::generate().unwrap()
}

fn secret_spec() -> FunctionSpec {
    let mut spec = FunctionSpec {
        funcname: "echo".into(),
        args: vec![json!("secret-arg"), json!(42)],
        kwargs: json!({ "mode": "secret-kwarg" }).as_object().cloned().unwrap(),
        conditions: Conditions {
            colonyname: COLONY.into(),
            executortype: "cli".into(),
            ..Conditions::default()
        },
        ..FunctionSpec::default()
    };
    spec.env.insert("TOKEN".into(), "secret-env".into());
    spec
}

fn assert_no_secret(text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{secret} sent in plaintext: {text}");
    }
}

/// A colony with an owner, a user and an executor that each asked their keys once, made
/// encrypted by the owner.
async fn encrypted_colony() -> (Arc<StdMutex<World>>, String, PrivateKey, PrivateKey, PrivateKey) {
    let (owner, user, executor) = (key(), key(), key());
    let world = Arc::new(StdMutex::new(World::new(&owner)));
    world.lock().unwrap().add(&user, "user", "alice");
    world.lock().unwrap().add(&executor, "executor", "worker");
    let url = start(world.clone()).await;
    for member in [&user, &executor] {
        let keys = Client::new(&url, member.clone()).unwrap().colony_keys(COLONY).await.unwrap();
        assert!(!keys.encrypted, "not yet");
    }
    let change =
        Client::new(&url, owner.clone()).unwrap().create_colony_keys(COLONY).await.unwrap();
    assert_eq!(change.version, 1);
    assert_eq!(change.wrapped_for, ["owner", "user:alice", "executor:worker"]);
    assert!(change.waiting.is_empty());
    (world, url, owner, user, executor)
}

#[tokio::test]
async fn a_submit_sends_no_plaintext_and_the_executor_loop_sees_it_and_seals_its_output() {
    let (world, url, _owner, user, executor) = encrypted_colony().await;
    let submitter = Client::new(&url, user.clone()).unwrap();
    let process = submitter.submit_function_spec(secret_spec()).await.unwrap();
    // The reply opens for the submitter; the request carried none of the secrets.
    assert_eq!(process.spec.args, secret_spec().args);
    assert_eq!(process.spec.env, secret_spec().env);
    let sent = world.lock().unwrap().sent("submitfuncspecmsg");
    assert_eq!(sent.len(), 1);
    assert_no_secret(&sent[0]);
    assert!(sent[0].contains("\"ce1:1:"), "{}", sent[0]);
    let stored = world.lock().unwrap().processes[0].clone();
    assert_eq!(stored.spec.args.len(), 1, "one sealed element: {:?}", stored.spec.args);
    assert_eq!(stored.spec.kwargs.keys().collect::<Vec<_>>(), ["ce1"]);

    // The executor loop: its handler sees plaintext, its output and log are sealed.
    let seen = Arc::new(StdMutex::new(None::<Process>));
    let seen2 = seen.clone();
    let cancel = tokio_util::sync::CancellationToken::new();
    let options = ExecutorOptions::new(COLONY, "worker", "cli");
    let worker = Executor::new(Client::new(&url, executor.clone()).unwrap(), options).register(
        "echo",
        move |job: crate::Job| {
            let seen = seen2.clone();
            async move {
                job.log("secret-arg was read").await.map_err(|e| e.to_string())?;
                *seen.lock().unwrap() = Some(job.process.clone());
                Ok(vec![json!("secret-out")])
            }
        },
    );
    let stop = cancel.clone();
    let run = tokio::spawn(async move { worker.run(stop).await });
    for _ in 0..200 {
        if !world.lock().unwrap().sent("closesuccessfulmsg").is_empty() {
            break;
        }
        tokio::time::sleep(core::time::Duration::from_millis(20)).await;
    }
    cancel.cancel();
    run.await.unwrap();
    let assigned = seen.lock().unwrap().clone().expect("the handler ran");
    assert_eq!(assigned.spec.args, secret_spec().args);
    assert_eq!(assigned.spec.kwargs, secret_spec().kwargs);
    assert_eq!(assigned.spec.env, secret_spec().env);
    let closes = world.lock().unwrap().sent("closesuccessfulmsg");
    assert_eq!(closes.len(), 1);
    assert_no_secret(&closes[0]);
    assert_no_secret(&world.lock().unwrap().sent("addlogmsg")[0]);

    // The submitter reads the output and the log in plaintext (a fresh client: the process
    // and its colony are learned from the reply).
    let reader = Client::new(&url, user.clone()).unwrap();
    let done = reader.get_process(process.processid.clone()).await.unwrap();
    assert_eq!(done.output, [json!("secret-out")]);
    let logs = reader.get_logs(COLONY, process.processid.clone(), "", 10, 0).await.unwrap();
    assert_eq!(logs[0].message, "secret-arg was read");
    assert!(reader.take_e2e_warnings().is_empty());

    // With sealing off, the same read shows what the server holds.
    let raw = Client::new(&url, user).unwrap().with_e2e(false);
    let held = raw.get_process(process.processid).await.unwrap();
    assert!(e2e::is_sealed(held.output[0].as_str().unwrap()), "{:?}", held.output);
}

#[tokio::test]
async fn rotate_wraps_the_new_version_for_the_remaining_members_only() {
    let (world, url, owner, user, executor) = encrypted_colony().await;
    // The executor is removed; the owner rotates.
    let executor_id = executor.id().to_hex();
    world.lock().unwrap().members.retain(|m| m.id != executor_id);
    let owner_client = Client::new(&url, owner.clone()).unwrap();
    let change = owner_client.rotate_colony_keys(COLONY).await.unwrap();
    assert_eq!(change.version, 2);
    assert_eq!(change.wrapped_for, ["owner", "user:alice"]);
    let holders: Vec<String> = world
        .lock()
        .unwrap()
        .wrapped
        .keys()
        .filter(|(_, v)| *v == 2)
        .map(|(id, _)| id.clone())
        .collect();
    assert_eq!(holders.len(), 2);
    assert!(!holders.contains(&executor_id), "v2 is not wrapped for the removed executor");
    let owner_keys = owner_client.colony_keys(COLONY).await.unwrap();
    assert_eq!(owner_keys.keyring().versions().collect::<Vec<_>>(), [1, 2]);

    // The remaining user seals with v2 and opens it; the removed executor's v1 does not open it.
    let alice = Client::new(&url, user).unwrap();
    let process = alice.submit_function_spec(secret_spec()).await.unwrap();
    assert_eq!(process.spec.args, secret_spec().args);
    let sent = world.lock().unwrap().sent("submitfuncspecmsg");
    assert!(sent[0].contains("\"ce1:2:"), "{}", sent[0]);
    let v1 = world.lock().unwrap().wrapped[&(executor_id, 1)].clone();
    let mut old_ring = Keyring::new();
    old_ring.insert(e2e::unwrap(&v1, &executor).unwrap());
    let stored = world.lock().unwrap().processes[0].clone();
    let opened = Opener::new(&old_ring, COLONY).list(&stored.spec.args);
    assert_eq!(opened, Err(E2eError::NoKey { version: 2 }));

    // A sync after the rotation has nothing to do.
    let again = owner_client.sync_colony_keys(COLONY).await.unwrap();
    assert!(again.wrapped_for.is_empty() && again.waiting.is_empty(), "{again:?}");
    assert!(owner_client.create_colony_keys(COLONY).await.is_err(), "encrypted already");
}

#[tokio::test]
async fn a_member_without_its_key_is_refused_until_sync_and_reads_stay_sealed_with_a_warning() {
    let (world, url, owner, _user, _executor) = encrypted_colony().await;
    let newcomer = key();
    world.lock().unwrap().add(&newcomer, "user", "bob");
    let bob = Client::new(&url, newcomer.clone()).unwrap();
    let error = bob.submit_function_spec(secret_spec()).await.unwrap_err();
    assert!(matches!(error, ClientError::Encryption(_)), "{error}");
    assert!(error.to_string().contains("colony keys sync"), "{error}");
    assert!(world.lock().unwrap().sent("submitfuncspecmsg").is_empty(), "nothing sent");

    // Something sealed by another member stays sealed for bob, with a warning.
    let owner_client = Client::new(&url, owner).unwrap();
    let process = owner_client.submit_function_spec(secret_spec()).await.unwrap();
    let read = bob.get_process(process.processid.clone()).await.unwrap();
    assert!(e2e::is_sealed(read.spec.args[0].as_str().unwrap()));
    let warnings = bob.take_e2e_warnings();
    assert!(
        warnings
            .iter()
            .any(|w| w.field == "spec.args" && w.error == E2eError::NoKey { version: 1 }),
        "{warnings:?}"
    );

    // The owner syncs; bob's next calls ask his keys again and work.
    let change = owner_client.sync_colony_keys(COLONY).await.unwrap();
    assert_eq!(change.wrapped_for, ["user:bob"]);
    assert!(bob.submit_function_spec(secret_spec()).await.is_ok());
    let read = bob.get_process(process.processid).await.unwrap();
    assert_eq!(read.spec.args, secret_spec().args);
}

#[tokio::test]
async fn plain_colonies_and_servers_without_keys_cost_one_cached_ask_and_send_plaintext() {
    for knows_keys in [true, false] {
        let (owner, user) = (key(), key());
        let world = Arc::new(StdMutex::new(World::new(&owner)));
        world.lock().unwrap().knows_keys = knows_keys;
        world.lock().unwrap().add(&user, "user", "alice");
        let url = start(world.clone()).await;
        let client = Client::new(&url, user).unwrap();
        let first = client.submit_function_spec(secret_spec()).await.unwrap();
        client.submit_function_spec(secret_spec()).await.unwrap();
        client.get_process(first.processid).await.unwrap();
        let world = world.lock().unwrap();
        assert_eq!(world.sent(GET_COLONY_KEYS).len(), 1, "asked once (knows keys: {knows_keys})");
        let sent = world.sent("submitfuncspecmsg");
        assert!(sent.iter().all(|s| s.contains("secret-arg")), "plain as before");
        assert_eq!(world.requests.len(), 4, "no other request: {:?}", world.requests);
    }
}

#[tokio::test]
async fn an_executor_without_the_key_fails_the_process_instead_of_running_it_on_ciphertext() {
    let (world, url, _owner, user, _executor) = encrypted_colony().await;
    let late = key();
    world.lock().unwrap().add(&late, "executor", "late");
    let submitter = Client::new(&url, user).unwrap();
    let process = submitter.submit_function_spec(secret_spec()).await.unwrap();

    let ran = Arc::new(StdMutex::new(false));
    let ran2 = ran.clone();
    let cancel = tokio_util::sync::CancellationToken::new();
    let worker = Executor::new(
        Client::new(&url, late).unwrap(),
        ExecutorOptions::new(COLONY, "late", "cli"),
    )
    .register("echo", move |_job: crate::Job| {
        let ran = ran2.clone();
        async move {
            *ran.lock().unwrap() = true;
            Ok(vec![])
        }
    });
    let stop = cancel.clone();
    let run = tokio::spawn(async move { worker.run(stop).await });
    for _ in 0..200 {
        if !world.lock().unwrap().sent("closefailedmsg").is_empty() {
            break;
        }
        tokio::time::sleep(core::time::Duration::from_millis(20)).await;
    }
    cancel.cancel();
    run.await.unwrap();
    assert!(!*ran.lock().unwrap(), "the handler never sees ciphertext");
    let failed = world.lock().unwrap().find(&process.processid).unwrap();
    assert_eq!(failed.errors.len(), 1, "{:?}", failed.errors);
    assert!(
        failed.errors[0].contains("holds no key that opens spec.args, spec.kwargs, spec.env"),
        "{:?}",
        failed.errors
    );
}

#[tokio::test]
async fn every_request_kind_seals_its_fields_and_every_reply_kind_opens_them() {
    use colonies_core::message::*;
    use colonies_core::model::{Attribute, MsgEntry, WorkflowSpec};
    let (_world, url, _owner, user, _executor) = encrypted_colony().await;
    let client = Client::new(&url, user).unwrap();
    // The process the id-only messages name, seen in a reply.
    let process = client.submit_function_spec(secret_spec()).await.unwrap();
    let pid = process.processid.clone();
    let attribute = Attribute {
        targetid: pid.clone(),
        targetcolonyname: COLONY.into(),
        key: "k".into(),
        value: "secret-attribute".into(),
        ..Attribute::default()
    };
    let requests: Vec<(MessageKind, String, &str)> = vec![
        (
            MessageKind::SubmitWorkflowSpec,
            message::to_payload_json(&SubmitWorkflowSpecMsg {
                spec: WorkflowSpec {
                    colonyname: COLONY.into(),
                    functionspecs: vec![secret_spec(), secret_spec()],
                },
            }),
            "secret-arg",
        ),
        (
            MessageKind::AddChild,
            message::to_payload_json(&AddChildMsg {
                parentprocessid: pid.clone(),
                spec: FunctionSpec { conditions: Conditions::default(), ..secret_spec() },
                ..AddChildMsg::default()
            }),
            "secret-kwarg",
        ),
        (
            MessageKind::SetOutput,
            message::to_payload_json(&SetOutputMsg {
                processid: pid.clone(),
                output: vec![json!("secret-out")],
            }),
            "secret-out",
        ),
        (
            MessageKind::CloseFailed,
            message::to_payload_json(&CloseFailedMsg {
                processid: pid.clone(),
                errors: vec!["secret-error".into()],
            }),
            "secret-error",
        ),
        (
            MessageKind::AddAttribute,
            message::to_payload_json(&AddAttributeMsg { attribute: attribute.clone() }),
            "secret-attribute",
        ),
        (
            MessageKind::AddExecutorLog,
            message::to_payload_json(&AddExecutorLogMsg {
                colonyname: COLONY.into(),
                executorname: "w".into(),
                message: "secret-log".into(),
            }),
            "secret-log",
        ),
        (
            MessageKind::ChannelAppend,
            message::to_payload_json(&ChannelAppendMsg {
                processid: pid.clone(),
                name: "c".into(),
                sequence: 1,
                payload: b"secret-bytes".to_vec(),
                ..ChannelAppendMsg::default()
            }),
            "c2VjcmV0LWJ5dGVz", // base64 of the plaintext bytes
        ),
        (
            MessageKind::AddCron,
            message::to_payload_json(&AddCronMsg {
                cron: colonies_core::model::Cron {
                    colonyname: COLONY.into(),
                    workflowspec: serde_json::to_string(&WorkflowSpec {
                        colonyname: COLONY.into(),
                        functionspecs: vec![secret_spec()],
                    })
                    .unwrap(),
                    ..colonies_core::model::Cron::default()
                },
            }),
            "secret-env",
        ),
    ];
    for (kind, json, marker) in &requests {
        assert!(json.contains(marker), "{kind:?}: the marker is in the plain payload");
        let sealed = client
            .seal_request(*kind, json)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("{kind:?} was not sealed"));
        assert!(!sealed.contains(marker), "{kind:?}: {sealed}");
        assert!(
            sealed.contains("ce1:") || *kind == MessageKind::ChannelAppend,
            "{kind:?}: {sealed}"
        );
    }

    // Replies: an attribute, logs and channel entries sealed by a member open for another.
    let keys = client.colony_keys(COLONY).await.unwrap();
    let key = keys.keyring().get(1).unwrap();
    let sealed_attribute = Attribute {
        value: sealed(key, COLONY, |s| s.text("secret-attribute")).unwrap(),
        ..attribute
    };
    let reply = serde_json::to_vec(&sealed_attribute).unwrap();
    let opened: Attribute =
        serde_json::from_slice(&client.open_reply(MessageKind::GetAttribute, "", reply).await)
            .unwrap();
    assert_eq!(opened.value, "secret-attribute");
    let entry = MsgEntry {
        sequence: 1,
        payload: sealed(key, COLONY, |s| s.bytes(b"secret-bytes")).unwrap(),
        ..MsgEntry::default()
    };
    let request = message::to_payload_json(&ChannelReadMsg {
        processid: pid,
        name: "c".into(),
        ..ChannelReadMsg::default()
    });
    let reply = serde_json::to_vec(&vec![entry]).unwrap();
    let opened: Vec<MsgEntry> =
        serde_json::from_slice(&client.open_reply(MessageKind::ChannelRead, &request, reply).await)
            .unwrap();
    assert_eq!(opened[0].payload, b"secret-bytes");
    assert!(client.take_e2e_warnings().is_empty());
    // A value sealed with a version nobody holds stays as it was, with a warning.
    let unknown = DataKey::from_bytes(9, [1; 32]);
    let log = Log {
        colonyname: COLONY.into(),
        message: sealed(&unknown, COLONY, |s| s.text("x")).unwrap(),
        ..Log::default()
    };
    let reply = serde_json::to_vec(&vec![log.clone()]).unwrap();
    let kept: Vec<Log> =
        serde_json::from_slice(&client.open_reply(MessageKind::GetLogs, "", reply).await).unwrap();
    assert_eq!(kept[0].message, log.message);
    let warnings = client.take_e2e_warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0].error, E2eError::NoKey { version: 9 });
    assert!(warnings[0].to_string().contains("message left encrypted"), "{}", warnings[0]);
}

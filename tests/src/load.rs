//! A swarm of executors against one or more servers: the "every process assigned exactly
//! once" check and the load generator (`src/bin/loadgen.rs`) share it.
//!
//! One colony, `executors` approved executors spread round-robin over the server URLs, and a
//! submitting executor of another type. [`Swarm::throughput`] runs submit → assign → close for
//! a number of processes; [`Swarm::wakeup_latency`] measures how long a long-polling executor
//! takes to receive a process after it is submitted. With [`Swarm::bind_to`] every submit,
//! assign and close of a run is bound against replay (a fresh nonce each, a re-sent long poll
//! too); otherwise they are signed as Colonies clients sign them. With [`Swarm::seal`] the
//! colony is end-to-end encrypted (protocol §16): the submitters seal args, the executors open
//! them and seal their output, as an encrypting client does.

use crate::{Answer, Client, key, unique};
use colonies_core::{
    PrivateKey,
    e2e::{
        DataKey, Keyring, NONCE_LEN,
        fields::{Opener, Sealer},
        random_nonce, wrap_random,
    },
};
use core::time::Duration;
use serde_json::{Value, json};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Instant,
};

/// The executor type the swarm's processes need.
pub const TYPE: &str = "swarm";

/// The swarm's colony and keys.
pub struct Swarm {
    /// The servers (base URLs); executor `i` talks to `urls[i % len]`.
    pub urls: Vec<String>,
    /// The colony.
    pub colony: String,
    /// The colony owner.
    pub owner: PrivateKey,
    /// Submits the processes (an approved executor of another type, so it never takes one).
    pub submitter: PrivateKey,
    /// The executors.
    pub executors: Vec<PrivateKey>,
    /// The server ID the runs' requests are bound to (`None`: unbound, the default).
    pub audience: Option<String>,
    /// The colony's data key once [`Swarm::seal`] made one, and whether runs seal with it.
    pub sealing: Option<(Arc<Keyring>, bool)>,
}

/// What [`Swarm::throughput`] saw.
#[derive(Debug)]
pub struct Throughput {
    /// IDs of the submitted processes.
    pub submitted: Vec<String>,
    /// IDs of the processes the executors received (and closed), in no particular order.
    pub assigned: Vec<String>,
    /// From the first submit to the last close.
    pub elapsed: Duration,
    /// Error replies other than "nothing to assign", with their status.
    pub errors: Vec<(u16, String)>,
}

impl Throughput {
    /// Closed processes per second.
    pub fn per_second(&self) -> f64 {
        self.assigned.len() as f64 / self.elapsed.as_secs_f64()
    }
}

fn spec(colony: &str) -> Value {
    json!({
        "funcname": "work",
        "args": ["x"],
        "maxwaittime": -1,
        "maxexectime": -1,
        "maxretries": 0,
        "conditions": { "colonyname": colony, "executortype": TYPE },
    })
}

async fn approved_executor(
    client: &Client,
    owner: &PrivateKey,
    colony: &str,
    executor_type: &str,
) -> PrivateKey {
    let (k, name) = (key(), unique("swarm-executor"));
    let add = json!({ "executor": {
        "executorid": k.id().to_hex(), "executortype": executor_type,
        "executorname": name, "colonyname": colony,
    } });
    client.call(owner, "addexecutormsg", add).await.ok_json();
    let approve = json!({ "colonyname": colony, "executorname": name });
    client.call(owner, "approveexecutormsg", approve).await.ok_json();
    k
}

impl Swarm {
    /// Creates the colony (signed by the server owner `server_owner`) and the executors.
    pub async fn new(urls: Vec<String>, server_owner: &PrivateKey, executors: usize) -> Self {
        let client = Client::to(&urls[0]);
        let (owner, colony) = (key(), unique("swarm"));
        let add = json!({ "colony": { "colonyid": owner.id().to_hex(), "name": colony } });
        client.call(server_owner, "addcolonymsg", add).await.ok_json();
        let submitter = approved_executor(&client, &owner, &colony, "swarm-submitter").await;
        let mut keys = Vec::with_capacity(executors);
        for _ in 0..executors {
            keys.push(approved_executor(&client, &owner, &colony, TYPE).await);
        }
        Self { urls, colony, owner, submitter, executors: keys, audience: None, sealing: None }
    }

    /// Makes the colony end-to-end encrypted the first time (a data key wrapped for the
    /// submitter and every executor, through the server's key messages) and has later runs
    /// seal (`on`) or not.
    pub async fn seal(&mut self, on: bool) {
        if let Some((_, sealing)) = &mut self.sealing {
            *sealing = on;
            return;
        }
        let client = self.client(0);
        let request = json!({ "colonyname": self.colony });
        for member in core::iter::once(&self.submitter).chain(&self.executors) {
            client.call(member, "getcolonykeysmsg", request.clone()).await.ok_json();
        }
        let data = DataKey::generate(1).expect("a data key");
        let listed = client.call(&self.owner, "getcolonymemberkeysmsg", request.clone()).await;
        let mut keys = Vec::new();
        for member in listed.ok_json()["members"].as_array().into_iter().flatten() {
            let Some(public) = member["publickey"].as_str().and_then(|p| p.parse().ok()) else {
                continue;
            };
            let wrapped = wrap_random(&data, &public).expect("wrapped");
            keys.push(json!({ "memberid": member["memberid"], "wrapped": wrapped }));
        }
        for chunk in keys.chunks(1000) {
            let add = json!({ "colonyname": self.colony, "version": 1, "keys": chunk });
            client.call(&self.owner, "addcolonykeysmsg", add).await.ok_json();
        }
        // Each member would unwrap its own; one unwrap shows the keys work.
        let mine = client.call(&self.submitter, "getcolonykeysmsg", request).await.ok_json();
        let wrapped = mine["keys"][0]["wrapped"].as_str().unwrap_or_default();
        let unwrapped = colonies_core::e2e::unwrap(wrapped, &self.submitter).expect("unwraps");
        let mut ring = Keyring::new();
        ring.insert(unwrapped);
        self.sealing = Some((Arc::new(ring), on));
    }

    /// The keyring runs seal with, when they do.
    fn keyring(&self) -> Option<Arc<Keyring>> {
        self.sealing.as_ref().filter(|(_, on)| *on).map(|(ring, _)| ring.clone())
    }

    /// Binds the requests of later runs to `audience` (the servers' ID, which replicas on
    /// one database share), or sends them unbound (`None`).
    pub fn bind_to(&mut self, audience: Option<String>) {
        self.audience = audience;
    }

    fn client(&self, i: usize) -> Client {
        Client::to(&self.urls[i % self.urls.len()])
    }

    /// Submits `processes` processes from `submitters` concurrent submitters while every
    /// executor loops assign (long poll) → close, until all are closed.
    pub async fn throughput(&self, processes: usize, submitters: usize) -> Throughput {
        let done = Arc::new(core::sync::atomic::AtomicUsize::new(0));
        let errors = Arc::new(Mutex::new(Vec::new()));
        let last_close = Arc::new(Mutex::new(Instant::now()));
        let started = Instant::now();
        let mut workers = Vec::new();
        for (i, executor) in self.executors.iter().enumerate() {
            let (client, executor, colony) =
                (self.client(i), executor.clone(), self.colony.clone());
            let (done, errors, last_close) = (done.clone(), errors.clone(), last_close.clone());
            let audience = self.audience.clone();
            let ring = self.keyring();
            workers.push(tokio::spawn(async move {
                let audience = audience.as_deref();
                let mut mine = Vec::new();
                let assign = json!({ "colonyname": colony, "timeout": 1 });
                let mut nonce = || random_nonce().unwrap_or([0; NONCE_LEN]);
                while done.load(core::sync::atomic::Ordering::SeqCst) < processes {
                    let answer = client
                        .call_as(&executor, "assignprocessmsg", assign.clone(), audience)
                        .await;
                    let Some(id) = process_id(&answer, &errors) else { continue };
                    let mut out = vec![json!("done")];
                    if let Some(ring) = &ring {
                        // What an encrypting executor does: open the args, seal the output.
                        let process: Value = answer
                            .reply
                            .clone()
                            .and_then(|r| r.into_result().ok())
                            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
                            .unwrap_or_default();
                        let args: Vec<Value> =
                            serde_json::from_value(process["spec"]["args"].clone())
                                .unwrap_or_default();
                        let opened = Opener::new(ring, &colony).list(&args);
                        if opened.as_deref() != Ok(&[json!("x")][..]) {
                            lock(&errors).push((0, format!("args did not open: {opened:?}")));
                        }
                        if let Some(key) = ring.current() {
                            out = Sealer::new(key, &colony, &mut nonce).list(&out);
                        }
                    }
                    let close = json!({ "processid": id, "out": out });
                    let closed =
                        client.call_as(&executor, "closesuccessfulmsg", close, audience).await;
                    if closed.reply.as_ref().is_some_and(|r| !r.error) {
                        *lock(&last_close) = Instant::now();
                    } else {
                        lock(&errors).push((closed.status, closed.body.clone()));
                    }
                    mine.push(id);
                    done.fetch_add(1, core::sync::atomic::Ordering::SeqCst);
                }
                mine
            }));
        }
        let per = processes.div_ceil(submitters.max(1));
        let mut submitting = Vec::new();
        for s in 0..submitters.max(1) {
            let count = per.min(processes.saturating_sub(s * per));
            let (client, submitter, colony) =
                (self.client(s), self.submitter.clone(), self.colony.clone());
            let (errors, audience) = (errors.clone(), self.audience.clone());
            let ring = self.keyring();
            submitting.push(tokio::spawn(async move {
                let mut ids = Vec::with_capacity(count);
                let plain = json!({ "spec": spec(&colony) });
                let mut nonce = || random_nonce().unwrap_or([0; NONCE_LEN]);
                while ids.len() < count {
                    // An encrypting client seals every submit's args afresh.
                    let mut payload = plain.clone();
                    if let Some(key) = ring.as_ref().and_then(|ring| ring.current()) {
                        payload["spec"]["args"] =
                            Value::Array(Sealer::new(key, &colony, &mut nonce).list(&[json!("x")]));
                    }
                    let answer = client
                        .call_as(&submitter, "submitfuncspecmsg", payload, audience.as_deref())
                        .await;
                    match process_id(&answer, &errors) {
                        Some(id) => ids.push(id),
                        None => tokio::time::sleep(Duration::from_millis(10)).await,
                    }
                }
                ids
            }));
        }
        let mut submitted = Vec::new();
        for task in submitting {
            submitted.extend(task.await.expect("a submitter"));
        }
        let mut assigned = Vec::new();
        for task in workers {
            assigned.extend(task.await.expect("an executor"));
        }
        let elapsed = lock(&last_close).duration_since(started);
        let errors = core::mem::take(&mut *lock(&errors));
        Throughput { submitted, assigned, elapsed, errors }
    }

    /// With every executor long-polling, submits `samples` processes one at a time and
    /// measures, for each, the time from sending the submit to an executor receiving the
    /// process (the submit's own work included).
    pub async fn wakeup_latency(&self, samples: usize) -> Vec<Duration> {
        let received: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
        let notify = Arc::new(tokio::sync::Notify::new());
        let stop = Arc::new(core::sync::atomic::AtomicBool::new(false));
        let errors = Arc::new(Mutex::new(Vec::new()));
        let mut workers = Vec::new();
        for (i, executor) in self.executors.iter().enumerate() {
            let (client, executor, colony) =
                (self.client(i), executor.clone(), self.colony.clone());
            let (received, notify, stop, errors) =
                (received.clone(), notify.clone(), stop.clone(), errors.clone());
            let audience = self.audience.clone();
            workers.push(tokio::spawn(async move {
                let audience = audience.as_deref();
                let assign = json!({ "colonyname": colony, "timeout": 2 });
                while !stop.load(core::sync::atomic::Ordering::SeqCst) {
                    let answer = client
                        .call_as(&executor, "assignprocessmsg", assign.clone(), audience)
                        .await;
                    let at = Instant::now();
                    if let Some(id) = process_id(&answer, &errors) {
                        lock(&received).insert(id.clone(), at);
                        notify.notify_one();
                        let close = json!({ "processid": id });
                        client.call_as(&executor, "closesuccessfulmsg", close, audience).await;
                    }
                }
            }));
        }
        // Let every executor reach its long poll.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let client = self.client(0);
        let payload = json!({ "spec": spec(&self.colony) });
        let mut latencies = Vec::with_capacity(samples);
        for _ in 0..samples {
            let sent = Instant::now();
            let answer = client
                .call_as(
                    &self.submitter,
                    "submitfuncspecmsg",
                    payload.clone(),
                    self.audience.as_deref(),
                )
                .await;
            let Some(id) = process_id(&answer, &errors) else { continue };
            let at = loop {
                let waiting = notify.notified();
                if let Some(at) = lock(&received).get(&id) {
                    break *at;
                }
                if tokio::time::timeout(Duration::from_secs(5), waiting).await.is_err() {
                    panic!("process {id} was not received within 5 s");
                }
            };
            latencies.push(at.duration_since(sent));
            // Let the executor close it and poll again, so each sample starts from idle.
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        stop.store(true, core::sync::atomic::Ordering::SeqCst);
        for worker in workers {
            let _ = worker.await;
        }
        latencies
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The process ID of a process reply; a 404 ("nothing to assign") is not an error.
fn process_id(answer: &Answer, errors: &Mutex<Vec<(u16, String)>>) -> Option<String> {
    match &answer.reply {
        Some(reply) if !reply.error => {
            let json: Value = serde_json::from_slice(&reply.clone().into_result().ok()?).ok()?;
            json["processid"].as_str().map(str::to_owned)
        }
        _ if answer.status == 404 => None,
        _ => {
            lock(errors).push((answer.status, answer.body.clone()));
            None
        }
    }
}

/// The `q`-quantile (0..=1) of `samples` (sorted here).
pub fn quantile(samples: &mut [Duration], q: f64) -> Duration {
    if samples.is_empty() {
        return Duration::ZERO;
    }
    samples.sort();
    let i = ((samples.len() - 1) as f64 * q).round() as usize;
    samples[i.min(samples.len() - 1)]
}

/// Starts another server on the database at `database_url` (a replica: its own pool, its own
/// wakeups joined to the others' through LISTEN/NOTIFY). Its owner is the stored one.
pub async fn start_replica(
    database_url: &str,
    pool_size: usize,
) -> colonies_worker::native::RunningServer {
    start_replica_with(database_url, pool_size, colonies_worker::native::HttpTimeouts::default())
        .await
}

/// [`start_replica`] with the given slow-client timeouts.
pub async fn start_replica_with(
    database_url: &str,
    pool_size: usize,
    timeouts: colonies_worker::native::HttpTimeouts,
) -> colonies_worker::native::RunningServer {
    start_replica_configured(database_url, pool_size, Default::default(), timeouts).await
}

/// [`start_replica`] with the given server settings (replay protection, …) and timeouts.
pub async fn start_replica_configured(
    database_url: &str,
    pool_size: usize,
    server: colonies_worker::ServerConfig,
    timeouts: colonies_worker::native::HttpTimeouts,
) -> colonies_worker::native::RunningServer {
    use colonies_worker::native::{self, Database, NativeConfig};
    let pg: tokio_postgres::Config = database_url.parse().expect("a database URL");
    let data_dir = tempfile::Builder::new()
        .prefix("colonies-replica-")
        .tempdir()
        .expect("a temporary directory")
        .keep();
    let config = NativeConfig {
        server,
        listen: "127.0.0.1:0".parse().expect("an address"),
        database: Database::External(Box::new(pg)),
        data_dir,
        server_id: None,
        body_limit: crate::LOCAL_BODY_LIMIT,
        dashboard_dir: None,
        pool_size,
        timeouts,
    };
    native::start(config).await.expect("the replica starts")
}

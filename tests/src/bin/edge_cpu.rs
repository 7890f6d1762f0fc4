//! CPU time per request of a server process, measured from outside: the on-CPU nanoseconds
//! of all its threads (`/proc/<pid>/task/*/schedstat`) before and after N sequential requests
//! of one kind. Pointed at the `workerd` process of `wrangler dev` it gives the CPU a signed
//! request costs inside workerd: the Worker's JS and wasm, plus workerd's own HTTP, socket
//! and garbage-collection work and wrangler's local proxy worker (an upper bound of what
//! Cloudflare bills). `GET /health` is measured too, as the fixed cost of any request.
//!
//! ```text
//! cargo run --release -p colonies-blackbox --bin edge_cpu -- --url http://127.0.0.1:8787 \
//!     --owner-key <server owner key> --pid <workerd pid> [--requests 300] [--warmup 300]
//! ```

use colonies_blackbox::{Client, key, new_executor, unique};
use colonies_core::PrivateKey;
use serde_json::{Value, json};
use std::{process::ExitCode, time::Instant};

/// On-CPU time of every thread of `pid`, in nanoseconds.
fn cpu_ns(pid: u32) -> Result<u64, String> {
    let dir = format!("/proc/{pid}/task");
    let mut total = 0;
    for task in std::fs::read_dir(&dir).map_err(|e| format!("{dir}: {e}"))? {
        let path = task.map_err(|e| e.to_string())?.path().join("schedstat");
        // A thread may end between listing and reading; it then adds nothing.
        if let Ok(text) = std::fs::read_to_string(&path) {
            total +=
                text.split_whitespace().next().and_then(|n| n.parse::<u64>().ok()).unwrap_or(0);
        }
    }
    Ok(total)
}

struct Options {
    url: String,
    owner: PrivateKey,
    pids: Vec<u32>,
    requests: usize,
    warmup: usize,
}

fn options() -> Result<Options, String> {
    let (mut url, mut owner, mut pids) =
        (None, std::env::var("COLONIES_SERVER_PRVKEY").ok(), vec![]);
    let (mut requests, mut warmup) = (300, 300);
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        let number = |v: String| v.parse::<usize>().map_err(|e| format!("{flag}: {e}"));
        match flag.as_str() {
            "--url" => url = Some(value()?.trim_end_matches('/').to_owned()),
            "--owner-key" => owner = Some(value()?),
            "--pid" => pids.push(value()?.parse().map_err(|e| format!("--pid: {e}"))?),
            "--requests" => requests = number(value()?)?.max(1),
            "--warmup" => warmup = number(value()?)?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let owner = owner.ok_or("--owner-key (or COLONIES_SERVER_PRVKEY) is required")?;
    Ok(Options {
        url: url.ok_or("--url is required")?,
        owner: owner.trim().parse().map_err(|e| format!("--owner-key: {e}"))?,
        pids: if pids.is_empty() { return Err("--pid is required".into()) } else { pids },
        requests,
        warmup,
    })
}

fn spec(colony: &str) -> Value {
    json!({ "spec": {
        "funcname": "measure", "args": ["x"], "maxwaittime": -1, "maxexectime": -1,
        "maxretries": 0, "conditions": { "colonyname": colony, "executortype": "test_executor_type" },
    } })
}

fn id(v: &Value) -> String {
    v["processid"].as_str().unwrap_or_default().to_owned()
}

/// One measured kind of request: CPU (per process) and wall time per request.
struct Measured {
    name: &'static str,
    cpu_ms: Vec<f64>,
    wall_ms: f64,
}

/// The CPU time of each of `pids`.
fn cpu_each(pids: &[u32]) -> Result<Vec<u64>, String> {
    pids.iter().map(|&p| cpu_ns(p)).collect()
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("edge_cpu: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let o = options()?;
    let client = Client::to(&o.url);
    let (colony_owner, colony) = (key(), unique("cpu"));
    let add = json!({ "colony": { "colonyid": colony_owner.id().to_hex(), "name": colony } });
    client.call(&o.owner, "addcolonymsg", add).await.ok_json();
    let (executor, _) = new_executor(&client, &colony_owner, &colony, true).await;
    let assign = json!({ "colonyname": colony, "timeout": -1 });

    // Warm-up: V8 tiers the wasm up in the background; measure only after it settled.
    for _ in 0..o.warmup {
        client.call(&executor, "submitfuncspecmsg", spec(&colony)).await.ok_json();
        let p = client.call(&executor, "assignprocessmsg", assign.clone()).await.ok_json();
        let close = json!({ "processid": id(&p) });
        client.call(&executor, "closesuccessfulmsg", close).await.ok_json();
    }

    let n = o.requests;
    let mut results = Vec::new();
    let pids = o.pids.clone();
    let mut measure = |name, before: Vec<u64>, wall: core::time::Duration| -> Result<(), String> {
        let after = cpu_each(&pids)?;
        let cpu_ms = after.iter().zip(&before).map(|(a, b)| (a - b) as f64 / 1e6 / n as f64);
        results.push(Measured {
            name,
            cpu_ms: cpu_ms.collect(),
            wall_ms: wall.as_secs_f64() * 1e3 / n as f64,
        });
        Ok(())
    };

    let (c0, t0) = (cpu_each(&o.pids)?, Instant::now());
    for _ in 0..n {
        let (status, _) = client.get("/health").await;
        if status != 200 {
            return Err(format!("GET /health answered {status}"));
        }
    }
    measure("GET /health", c0, t0.elapsed())?;

    // A request through the whole Worker (envelope, dispatch, reply) that needs no database.
    let version =
        serde_json::json!({ "signature": "", "payloadtype": "versionmsg", "payload": "" });
    let (c0, t0) = (cpu_each(&o.pids)?, Instant::now());
    for _ in 0..n {
        let answer = client.post_raw(version.to_string().into_bytes()).await;
        if answer.status != 200 {
            return Err(format!("versionmsg answered {}: {}", answer.status, answer.body));
        }
    }
    measure("versionmsg", c0, t0.elapsed())?;

    // A signed request with one query (the caller's rows).
    let get_colony = json!({ "colonyname": colony });
    let (c0, t0) = (cpu_each(&o.pids)?, Instant::now());
    for _ in 0..n {
        client.call(&executor, "getcolonymsg", get_colony.clone()).await.ok_json();
    }
    measure("getcolonymsg", c0, t0.elapsed())?;

    let mut ids = Vec::with_capacity(n);
    let (c0, t0) = (cpu_each(&o.pids)?, Instant::now());
    for _ in 0..n {
        ids.push(id(&client.call(&executor, "submitfuncspecmsg", spec(&colony)).await.ok_json()));
    }
    measure("submitfuncspecmsg", c0, t0.elapsed())?;

    let (c0, t0) = (cpu_each(&o.pids)?, Instant::now());
    for _ in 0..n {
        client.call(&executor, "assignprocessmsg", assign.clone()).await.ok_json();
    }
    measure("assignprocessmsg", c0, t0.elapsed())?;

    let (c0, t0) = (cpu_each(&o.pids)?, Instant::now());
    for p in &ids {
        let close = json!({ "processid": p, "out": ["done"] });
        client.call(&executor, "closesuccessfulmsg", close).await.ok_json();
    }
    measure("closesuccessfulmsg", c0, t0.elapsed())?;

    let (c0, t0) = (cpu_each(&o.pids)?, Instant::now());
    for p in &ids {
        client.call(&executor, "getprocessmsg", json!({ "processid": p })).await.ok_json();
    }
    measure("getprocessmsg", c0, t0.elapsed())?;

    println!(
        "{n} sequential requests each, after {} warm-up rounds; CPU ms per request of each process:",
        o.warmup
    );
    for pid in &o.pids {
        let cmd = std::fs::read_to_string(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        let cmd: String = cmd.replace('\0', " ").chars().take(90).collect();
        println!("  pid {pid}: {cmd}");
    }
    let header: String = o.pids.iter().map(|p| format!("{:>14}", format!("pid {p}"))).collect();
    println!("{:<20}{header}{:>12}{:>16}{:>10}", "request", "total", "total-/health", "wall ms");
    let base: f64 = results.first().map_or(0.0, |m| m.cpu_ms.iter().sum());
    for m in &results {
        let each: String = m.cpu_ms.iter().map(|c| format!("{c:>14.3}")).collect();
        let total: f64 = m.cpu_ms.iter().sum();
        println!("{:<20}{each}{total:>12.3}{:>16.3}{:>10.2}", m.name, total - base, m.wall_ms);
    }
    Ok(())
}

//! Load generator: processes/s of submit → assign → close with N executors, and the p50/p99
//! latency of a long-poll wake-up (submit sent → waiting executor has the process).
//!
//! ```text
//! cargo run --release -p colonies-blackbox --bin loadgen -- \
//!     [--processes 10000] [--executors 32] [--submitters 8] [--servers 1] [--samples 300] [--async-commit]
//!     [--replay-binding on|off|both] [--replay-protection off|compat|strict]
//!     [--encryption off|on|both]
//!     [--url http://host:port --owner-key <server owner private key>]
//! ```
//! Without `--url` it starts `--servers` native servers in this process on one private
//! PostgreSQL cluster (the embedded default, as `colonies-edge serve` would), or on the
//! database at `--database-url`.
//!
//! Requests are bound against replay (nonce, signedat, audience) by default, the audience
//! asked once at the start; `--replay-binding off` sends them unbound, `both` (or `on,off`,
//! `off,on`) runs the measurements once per setting on the same servers and colony, so the
//! cost of the binding shows in one run; `--replay-protection off` on the started servers
//! leaves only the client's share of it. Every run checks that each process was assigned
//! exactly once.

use colonies_blackbox::{
    Client,
    load::{Swarm, quantile, start_replica_configured},
};
use colonies_core::PrivateKey;
use colonies_core::rules::replay::Mode;
use colonies_worker::{
    ServerConfig,
    native::{self, Database, NativeConfig, RunningServer},
};
use core::time::Duration;
use std::collections::HashSet;

const USAGE: &str = "\
Load generator: processes/s of submit → assign → close, and long-poll wake-up latency.

usage: loadgen [options]
  --processes N      processes to run through (default 10000)
  --executors N      long-polling executors (default 32)
  --submitters N     concurrent submitters (default 8)
  --samples N        wake-up latency samples after the run (default 300; 0 skips them)
  --servers N        servers started in this process on one database (default 1)
  --pool N           database connections per started server (default 32)
  --database-url URL use this PostgreSQL instead of a private embedded cluster
  --async-commit     synchronous_commit = off on the started cluster (shows the disk's share)
  --replay-binding M on (default): bind every request against replay (nonce, signedat,
                     audience); off: unbound, as Colonies clients sign; both (= on,off) or
                     off,on: measure each in turn in the same run
  --replay-protection M  of the started servers: off, compat (default) or strict (off: the
                     fields are sent but not checked, which leaves the client's share of the cost)
  --encryption M     off (default): plain payloads; on: the colony is end-to-end encrypted
                     (submitters seal args, executors open them and seal output); both
                     (= off,on) or on,off: measure each in turn in the same run
  --url URL          load a running server instead (with --owner-key, or COLONIES_SERVER_PRVKEY)
  --owner-key KEY    the server owner's private key of --url's server";

struct Options {
    processes: usize,
    executors: usize,
    submitters: usize,
    servers: usize,
    samples: usize,
    pool: usize,
    url: Option<String>,
    owner_key: Option<String>,
    async_commit: bool,
    database_url: Option<String>,
    /// Runs in order: `true` bound, `false` unbound.
    binding: Vec<bool>,
    encryption: Vec<bool>,
    /// Replay protection of the started servers.
    replay_mode: Mode,
}

fn binding_modes(flag: &str, text: &str) -> Result<Vec<bool>, String> {
    let text = if text == "both" { "on,off" } else { text };
    text.split(',')
        .map(|mode| match mode.trim() {
            "on" => Ok(true),
            "off" => Ok(false),
            other => Err(format!("{flag} is on, off, both, on,off or off,on, not {other:?}")),
        })
        .collect()
}

fn options() -> Result<Options, String> {
    let mut o = Options {
        processes: 10_000,
        executors: 32,
        submitters: 8,
        servers: 1,
        samples: 300,
        pool: 32,
        url: None,
        owner_key: std::env::var("COLONIES_SERVER_PRVKEY").ok(),
        async_commit: false,
        database_url: None,
        binding: vec![true],
        encryption: vec![false],
        replay_mode: Mode::Compat,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        let number = |v: String| v.parse::<usize>().map_err(|e| format!("{flag}: {e}"));
        match flag.as_str() {
            "--processes" => o.processes = number(value()?)?,
            "--executors" => o.executors = number(value()?)?,
            "--submitters" => o.submitters = number(value()?)?,
            "--servers" => o.servers = number(value()?)?.max(1),
            "--samples" => o.samples = number(value()?)?,
            "--pool" => o.pool = number(value()?)?,
            "--url" => o.url = Some(value()?),
            "--database-url" => o.database_url = Some(value()?),
            "--owner-key" => o.owner_key = Some(value()?),
            "--replay-binding" => o.binding = binding_modes(&flag, &value()?)?,
            "--encryption" => o.encryption = binding_modes(&flag, &value()?)?,
            "--replay-protection" => o.replay_mode = value()?.parse()?,
            // Trades the last few hundred milliseconds of commits on a crash for fewer WAL
            // flushes: shows how much of the cost is the disk's.
            "--async-commit" => o.async_commit = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    if o.replay_mode == Mode::Strict && o.binding.contains(&false) {
        return Err("--replay-protection strict refuses every unbound request".into());
    }
    Ok(o)
}

async fn embedded(o: &Options, owner: &PrivateKey) -> Result<Vec<RunningServer>, String> {
    let data_dir = tempfile::Builder::new()
        .prefix("colonies-loadgen-")
        .tempdir()
        .map_err(|e| e.to_string())?
        .keep();
    let server = ServerConfig { replay_mode: o.replay_mode, ..ServerConfig::default() };
    let first = native::start(NativeConfig {
        server: server.clone(),
        listen: "127.0.0.1:0".parse().map_err(|e| format!("{e}"))?,
        database: match &o.database_url {
            Some(url) => Database::External(Box::new(url.parse().map_err(|e| format!("{e}"))?)),
            None => Database::Embedded { pg_bin: None, ephemeral: true },
        },
        data_dir,
        server_id: Some(owner.id().to_hex()),
        body_limit: native::DEFAULT_BODY_LIMIT,
        dashboard_dir: None,
        pool_size: o.pool,
        timeouts: native::HttpTimeouts::default(),
    })
    .await
    .map_err(|e| e.to_string())?;
    let url = o.database_url.clone().unwrap_or_else(|| first.database_url().to_owned());
    if o.async_commit {
        let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .map_err(|e| e.to_string())?;
        tokio::spawn(connection);
        // Separate statements: ALTER SYSTEM refuses to run inside a batch's transaction.
        for sql in ["ALTER SYSTEM SET synchronous_commit = off", "SELECT pg_reload_conf()"] {
            client.batch_execute(sql).await.map_err(|e| format!("{sql}: {e}"))?;
        }
    }
    let mut servers = vec![first];
    for _ in 1..o.servers {
        let timeouts = native::HttpTimeouts::default();
        servers.push(start_replica_configured(&url, o.pool, server.clone(), timeouts).await);
    }
    Ok(servers)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("loadgen: {e}");
            std::process::ExitCode::from(2)
        }
    }
}

async fn run() -> Result<(), String> {
    let o = options()?;
    let (urls, owner, servers) = match &o.url {
        Some(url) => {
            let key = o.owner_key.as_deref().ok_or("--url needs --owner-key")?;
            let owner: PrivateKey = key.parse().map_err(|e| format!("--owner-key: {e}"))?;
            (vec![url.trim_end_matches('/').to_owned()], owner, Vec::new())
        }
        None => {
            let owner = PrivateKey::generate().map_err(|e| e.to_string())?;
            let servers = embedded(&o, &owner).await?;
            let urls = servers.iter().map(|s| format!("http://{}", s.addr())).collect();
            (urls, owner, servers)
        }
    };
    println!(
        "servers: {} ({}), executors: {}, submitters: {}, processes: {}",
        urls.len(),
        if o.url.is_some() {
            "given".to_owned()
        } else {
            format!("embedded PostgreSQL, replay protection {}", o.replay_mode)
        },
        o.executors,
        o.submitters,
        o.processes
    );
    let mut swarm = Swarm::new(urls, &owner, o.executors).await;
    // The audience, asked once: every replica on one database has the same ID.
    let audience = Client::to(&swarm.urls[0]).audience().await;
    if audience.is_none() && o.binding.contains(&true) {
        println!("the server tells no serverid (a Go server?): requests go unbound");
    }
    let mut violations = Vec::new();
    let modes = o.encryption.iter().flat_map(|&e| o.binding.iter().map(move |&b| (e, b)));
    for (sealed, bound) in modes.collect::<Vec<_>>() {
        let binding = if bound && audience.is_some() { "binding on" } else { "binding off" };
        let label = format!("{binding}, encryption {}", if sealed { "on" } else { "off" });
        swarm.bind_to(if bound { audience.clone() } else { None });
        if sealed || swarm.sealing.is_some() {
            swarm.seal(sealed).await;
        }
        let run = swarm.throughput(o.processes, o.submitters).await;
        let submitted: HashSet<&String> = run.submitted.iter().collect();
        let unique: HashSet<&String> = run.assigned.iter().collect();
        let duplicates = run.assigned.len() - unique.len();
        let lost = submitted.difference(&unique).count();
        let unknown = unique.difference(&submitted).count();
        println!(
            "[{label}] submit→assign→close: {} processes in {:.2} s = {:.0} processes/s \
             (assigned {}, distinct {}, duplicates {duplicates}, lost {lost}, unknown {unknown}, \
             errors {})",
            run.submitted.len(),
            run.elapsed.as_secs_f64(),
            run.per_second(),
            run.assigned.len(),
            unique.len(),
            run.errors.len()
        );
        if let Some((status, body)) = run.errors.first() {
            println!("[{label}] first error: {status} {body}");
        }
        if duplicates > 0 || lost > 0 || unknown > 0 {
            violations.push(format!(
                "{label}: not every process was assigned exactly once (duplicates {duplicates}, \
                 lost {lost}, unknown {unknown})"
            ));
        }

        if o.samples > 0 {
            let mut latencies = swarm.wakeup_latency(o.samples).await;
            println!(
                "[{label}] long-poll wake-up (submit sent → executor has it), {} samples: \
                 p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
                latencies.len(),
                ms(quantile(&mut latencies, 0.5)),
                ms(quantile(&mut latencies, 0.99)),
                ms(quantile(&mut latencies, 1.0)),
            );
        }
    }
    for server in servers {
        server.shutdown().await;
    }
    if violations.is_empty() { Ok(()) } else { Err(violations.join("; ")) }
}

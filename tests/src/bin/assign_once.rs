//! Several servers on one database, concurrent executors: every process is assigned exactly
//! once and none is lost. Used with two Workers under `wrangler dev` (scripts/worker-test.sh);
//! works against any servers sharing a database.
//!
//! ```text
//! cargo run --release -p colonies-blackbox --bin assign_once -- \
//!     --url http://127.0.0.1:8787 --url http://127.0.0.1:8788 --owner-key <server owner key> \
//!     [--executors 16] [--processes 1000] [--submitters 4]
//! ```
//! Exits 1 (and says why) on a duplicate, a lost process or an error reply.

use colonies_blackbox::load::Swarm;
use colonies_core::PrivateKey;
use std::{collections::HashSet, process::ExitCode};

struct Options {
    urls: Vec<String>,
    owner: PrivateKey,
    executors: usize,
    processes: usize,
    submitters: usize,
}

fn options() -> Result<Options, String> {
    let (mut urls, mut owner) = (Vec::new(), std::env::var("COLONIES_SERVER_PRVKEY").ok());
    let (mut executors, mut processes, mut submitters) = (16, 1000, 4);
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        let number = |v: String| v.parse::<usize>().map_err(|e| format!("{flag}: {e}"));
        match flag.as_str() {
            "--url" => urls.push(value()?.trim_end_matches('/').to_owned()),
            "--owner-key" => owner = Some(value()?),
            "--executors" => executors = number(value()?)?.max(1),
            "--processes" => processes = number(value()?)?,
            "--submitters" => submitters = number(value()?)?.max(1),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if urls.is_empty() {
        return Err("give the servers with --url (once per server)".into());
    }
    let owner = owner.ok_or("--owner-key (or COLONIES_SERVER_PRVKEY) is required")?;
    let owner = owner.trim().parse().map_err(|e| format!("--owner-key: {e}"))?;
    Ok(Options { urls, owner, executors, processes, submitters })
}

#[tokio::main]
async fn main() -> ExitCode {
    let o = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("assign_once: {e}");
            return ExitCode::from(2);
        }
    };
    let servers = o.urls.len();
    let swarm = Swarm::new(o.urls, &o.owner, o.executors).await;
    let run = swarm.throughput(o.processes, o.submitters).await;
    let submitted: HashSet<&String> = run.submitted.iter().collect();
    let assigned: HashSet<&String> = run.assigned.iter().collect();
    let duplicates = run.assigned.len() - assigned.len();
    let lost = submitted.difference(&assigned).count();
    let unknown = assigned.difference(&submitted).count();
    println!(
        "{servers} servers, {} executors: {} submitted, {} assigned ({} distinct) in {:.1} s \
         ({:.0}/s); duplicates {duplicates}, lost {lost}, unknown {unknown}, errors {}",
        o.executors,
        run.submitted.len(),
        run.assigned.len(),
        assigned.len(),
        run.elapsed.as_secs_f64(),
        run.per_second(),
        run.errors.len()
    );
    if let Some((status, body)) = run.errors.first() {
        println!("first error: {status} {body}");
    }
    if duplicates == 0 && lost == 0 && unknown == 0 && run.errors.is_empty() {
        println!("every process was assigned exactly once");
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

//! Human output (tables) and `--json` output.

use colonies_client::core::{
    model::{
        Colony, Cron, Executor, ExecutorState, Function, Generator, Log, Process, ProcessGraph,
        ProcessState, Statistics, User,
    },
    time::Timestamp,
};
use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use serde_json::Value;

/// Prints `value` as pretty JSON on standard output.
pub fn json<T: Serialize>(value: &T) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => println!("{text}"),
        // Models have string keys only; this cannot happen, but must not go unnoticed.
        Err(e) => eprintln!("colonies-edge: cannot write JSON: {e}"),
    }
}

/// A table with our style and the given header.
pub fn table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.to_vec());
    table
}

/// A spinner on standard error (hidden when it is not a terminal), for waits.
pub fn spinner(message: impl Into<String>) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
        bar.set_style(style);
    }
    bar.set_message(message.into());
    bar.enable_steady_tick(core::time::Duration::from_millis(100));
    bar
}

/// `2026-01-02 03:04:05` (UTC), or `-` when unset.
pub fn time(t: &Timestamp) -> String {
    if t.is_unset() {
        return "-".into();
    }
    let text = t.to_string();
    text.get(..19).map_or(text.clone(), |s| s.replace('T', " "))
}

/// The word for a process state, as the Colonies tools print it.
pub fn state(state: ProcessState) -> &'static str {
    match state {
        ProcessState::Waiting => "waiting",
        ProcessState::Running => "running",
        ProcessState::Success => "successful",
        ProcessState::Failed => "failed",
        ProcessState::Cancelled => "cancelled",
    }
}

/// The word for an executor state.
pub fn executor_state(state: ExecutorState) -> &'static str {
    match state {
        ExecutorState::Pending => "pending",
        ExecutorState::Approved => "approved",
        ExecutorState::Rejected => "rejected",
        ExecutorState::Unregistered => "unregistered",
    }
}

/// A JSON list as short text: strings bare, others as JSON.
pub fn values(values: &[Value]) -> String {
    values
        .iter()
        .map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Colonies as a table.
pub fn colonies(colonies: &[Colony]) {
    let mut t = table(&["NAME", "COLONY ID"]);
    for c in colonies {
        t.add_row(vec![c.name.clone(), c.colonyid.clone()]);
    }
    println!("{t}");
}

/// Executors as a table.
pub fn executors(executors: &[Executor]) {
    let mut t = table(&["NAME", "TYPE", "STATE", "LOCATION", "LAST HEARD", "EXECUTOR ID"]);
    for e in executors {
        t.add_row(vec![
            e.executorname.clone(),
            e.executortype.clone(),
            executor_state(e.state).into(),
            e.locationname.clone(),
            time(&e.lastheardfromtime),
            e.executorid.clone(),
        ]);
    }
    println!("{t}");
}

/// Processes as a table.
pub fn processes(processes: &[Process]) {
    let mut t =
        table(&["PROCESS ID", "FUNCTION", "ARGS", "STATE", "EXECUTOR TYPE", "SUBMITTED", "ENDED"]);
    for p in processes {
        t.add_row(vec![
            p.processid.clone(),
            p.spec.funcname.clone(),
            values(&p.spec.args),
            state(p.state).into(),
            p.spec.conditions.executortype.clone(),
            time(&p.submissiontime),
            time(&p.endtime),
        ]);
    }
    println!("{t}");
}

/// One process, field by field.
pub fn process(p: &Process) {
    let mut t = table(&["FIELD", "VALUE"]);
    let rows: Vec<(&str, String)> = vec![
        ("process id", p.processid.clone()),
        ("function", p.spec.funcname.clone()),
        ("args", values(&p.spec.args)),
        ("state", state(p.state).into()),
        ("colony", p.spec.conditions.colonyname.clone()),
        ("executor type", p.spec.conditions.executortype.clone()),
        ("initiator", format!("{} ({})", p.initiatorname, p.initiatorid)),
        ("assigned executor", p.assignedexecutorid.clone()),
        ("priority", p.spec.priority.to_string()),
        ("submitted", time(&p.submissiontime)),
        ("started", time(&p.starttime)),
        ("ended", time(&p.endtime)),
        ("retries", format!("{} of {}", p.retries, p.spec.maxretries)),
        ("workflow", p.processgraphid.clone()),
        ("input", values(&p.input)),
        ("output", values(&p.output)),
        ("errors", p.errors.join("; ")),
    ];
    for (field, value) in rows {
        t.add_row(vec![field.to_owned(), value]);
    }
    for a in &p.attributes {
        t.add_row(vec![format!("attribute {}", a.key), a.value.clone()]);
    }
    println!("{t}");
}

/// Process graphs as a table.
pub fn graphs(graphs: &[ProcessGraph]) {
    let mut t = table(&["WORKFLOW ID", "STATE", "PROCESSES", "INITIATOR", "SUBMITTED", "ENDED"]);
    for g in graphs {
        t.add_row(vec![
            g.processgraphid.clone(),
            state(g.state).into(),
            g.processids.len().to_string(),
            g.initiatorname.clone(),
            time(&g.submissiontime),
            time(&g.endtime),
        ]);
    }
    println!("{t}");
}

/// Functions as a table.
pub fn functions(functions: &[Function]) {
    let mut t = table(&["FUNCTION", "EXECUTOR", "TYPE", "CALLS", "AVG WAIT S", "AVG EXEC S"]);
    for f in functions {
        t.add_row(vec![
            f.funcname.clone(),
            f.executorname.clone(),
            f.executortype.clone(),
            f.counter.to_string(),
            format!("{:.3}", f.avgwaittime),
            format!("{:.3}", f.avgexectime),
        ]);
    }
    println!("{t}");
}

/// Log lines, one per line: time, executor, message.
pub fn logs(logs: &[Log]) {
    for l in logs {
        let at = time(&Timestamp::from_unix_nanos(l.timestamp));
        println!("{at}  {}  {}", l.executorname, l.message);
    }
}

/// Crons as a table.
pub fn crons(crons: &[Cron]) {
    let mut t = table(&["CRON ID", "NAME", "SCHEDULE", "NEXT RUN", "LAST RUN"]);
    for c in crons {
        let schedule = if c.interval > 0 {
            format!("every {} s", c.interval)
        } else {
            c.cronexpression.clone()
        };
        t.add_row(vec![
            c.cronid.clone(),
            c.name.clone(),
            schedule,
            time(&c.nextrun),
            time(&c.lastrun),
        ]);
    }
    println!("{t}");
}

/// Generators as a table.
pub fn generators(generators: &[Generator]) {
    let mut t = table(&["GENERATOR ID", "NAME", "TRIGGER", "TIMEOUT S", "QUEUED", "LAST RUN"]);
    for g in generators {
        t.add_row(vec![
            g.generatorid.clone(),
            g.name.clone(),
            g.trigger.to_string(),
            g.timeout.to_string(),
            g.queuesize.to_string(),
            time(&g.lastrun),
        ]);
    }
    println!("{t}");
}

/// Users as a table.
pub fn users(users: &[User]) {
    let mut t = table(&["NAME", "EMAIL", "PHONE", "USER ID"]);
    for u in users {
        t.add_row(vec![u.name.clone(), u.email.clone(), u.phone.clone(), u.userid.clone()]);
    }
    println!("{t}");
}

/// Statistics as a table.
pub fn statistics(s: &Statistics) {
    let mut t = table(&["", "WAITING", "RUNNING", "SUCCESSFUL", "FAILED", "CANCELLED"]);
    t.add_row(vec![
        "processes".to_owned(),
        s.waitingprocesses.to_string(),
        s.runningprocesses.to_string(),
        s.successfulprocesses.to_string(),
        s.failedprocesses.to_string(),
        s.cancelledprocesses.to_string(),
    ]);
    t.add_row(vec![
        "workflows".to_owned(),
        s.waitingworkflows.to_string(),
        s.runningworkflows.to_string(),
        s.successfulworkflows.to_string(),
        s.failedworkflows.to_string(),
        s.cancelledworkflows.to_string(),
    ]);
    println!("{t}");
    println!(
        "executors: {} ({} active, {} unregistered)",
        s.executors, s.activeexecutors, s.unregisteredexecutors
    );
}

/// The members of an encrypted colony and the key versions wrapped for each.
pub fn member_keys(keys: &colonies_client::ColonyMemberKeys) {
    println!("colony {}: current key version {}", keys.colonyname, keys.currentversion);
    let mut t = table(&["Kind", "Name", "ID", "Public key", "Versions"]);
    for member in &keys.members {
        let has_current = member.versions.contains(&keys.currentversion);
        let versions = member.versions.iter().map(u32::to_string).collect::<Vec<_>>().join(", ");
        t.add_row(vec![
            member.kind.clone(),
            member.name.clone(),
            member.memberid.clone(),
            if member.publickey.is_empty() { "not known yet".into() } else { "known".into() },
            if has_current || keys.currentversion == 0 {
                versions
            } else {
                format!("{versions} (lacks {}: sync)", keys.currentversion)
            },
        ]);
    }
    println!("{t}");
}

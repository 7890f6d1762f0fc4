//! The write side of submits and successful closes, with what each settles once written: a
//! process handed to the executor waiting for it, claims released, executors woken.
//!
//! Every host writes submits and closes through here: Workers one per request, the native
//! host for all that arrived while its previous statements ran (one statement for all).

use super::{
    graphs,
    processes::{self, Closed, Submission, SuccessfulClose},
    replay,
};
use crate::{
    db::Statements,
    error::Error,
    wakeups::{Ready, Wakeups},
};
use alloc::{vec, vec::Vec};
use colonies_core::{
    graph,
    model::{Process, ProcessState},
};
use tokio_postgres::{Client, GenericClient};

const NANOS_PER_SECOND: i64 = 1_000_000_000;

/// A checked submit on its way to the database: the process to reply (stamped once it is
/// written), its row, what wakes an executor for it, and the claim on the parked executor
/// the row offers it to.
pub struct Submit<C> {
    /// The process as built by the handler.
    pub process: Process,
    /// Its row.
    pub row: Submission,
    /// What an executor must match to run it.
    pub ready: Ready,
    /// The claimed waiter of `row.offer`.
    pub claim: Option<C>,
}

/// Writes `items` in one statement, or, when that fails and there are several, each in its
/// own (so that one item's error is its own and the others are still written); one outcome
/// per item, in order.
async fn write_each<'a, T, R, F, Fut>(items: &'a [T], write: F) -> Vec<Result<R, Error>>
where
    F: Fn(&'a [T]) -> Fut,
    Fut: core::future::Future<Output = Result<Vec<R>, tokio_postgres::Error>>,
{
    match write(items).await {
        Ok(outcomes) if outcomes.len() == items.len() => outcomes.into_iter().map(Ok).collect(),
        Ok(_) => items
            .iter()
            .map(|_| Err(Error::new(500, "the statement answered for other items")))
            .collect(),
        Err(e) if items.len() == 1 => vec![Err(Error::from(e))],
        Err(_) => {
            let mut outcomes = Vec::with_capacity(items.len());
            for item in items {
                let one = write(core::slice::from_ref(item)).await;
                outcomes.push(one.map_err(Error::from).and_then(|mut one| {
                    one.pop().ok_or_else(|| Error::new(500, "the statement answered nothing"))
                }));
            }
            outcomes
        }
    }
}

/// Writes submits ([`processes::insert`]: all in one statement) and settles each as
/// its request would: a process the insert assigned to the executor it was offered to is
/// handed to that executor's waiting assign (and put back in the line if that request has
/// ended meanwhile), a claim the insert did not use is released, and a process left waiting
/// is announced. Per submit, in order: the process as submitted, restamped with the
/// database's times, or `None` when the caller is no member of the colony (nothing written).
///
/// Every host writes submits through here: Workers one per request, the native host for all
/// the submits that arrived while its previous statements ran.
pub async fn write_submits<W: Wakeups>(
    wakeups: &W,
    client: &Client,
    statements: &impl Statements,
    submits: Vec<Submit<W::Claim>>,
) -> Vec<Result<Option<Process>, Error>> {
    let (rows, rest): (Vec<Submission>, Vec<_>) =
        submits.into_iter().map(|s| (s.row, (s.process, s.ready, s.claim))).unzip();
    let inserted = write_each(&rows, |rows| processes::insert(client, statements, rows)).await;
    let checks = rows
        .iter()
        .zip(&inserted)
        .filter_map(|(row, i)| i.as_ref().ok().map(|i| (row.nonce.as_ref(), &i.nonce)));
    // A failure here only delays the restart to the next refused request.
    let _ = replay::after_folded(client, checks).await;
    let mut outcomes = Vec::with_capacity(rows.len());
    for ((row, (mut process, ready, claim)), inserted) in rows.iter().zip(rest).zip(inserted) {
        let inserted = inserted.and_then(|i| {
            replay::folded_verdict(row.nonce.as_ref(), &i.nonce)?;
            Ok(i.submitted)
        });
        let submitted = match inserted {
            Ok(Some(submitted)) => submitted,
            refused => {
                if let Some(claim) = claim {
                    wakeups.release(claim);
                }
                outcomes.push(refused.map(|_| None));
                continue;
            }
        };
        process.initiatorname = submitted.initiator_name;
        graph::stamp(&mut process, submitted.now_ns);
        let mut waiting = Ok(true);
        match (claim, row.offer.as_deref()) {
            (Some(claim), Some(executor)) if submitted.handed => {
                let running = handed_process(&process, executor, submitted.now_ns);
                if wakeups.hand(claim, running).is_ok() {
                    waiting = Ok(false);
                } else {
                    // The executor left in the meantime: back in the line, for anyone.
                    waiting = processes::unhand(client, statements, &process.processid, executor)
                        .await
                        .map_err(Error::from);
                }
            }
            (Some(claim), _) => wakeups.release(claim),
            (None, _) => {}
        }
        if !matches!(waiting, Ok(false)) {
            wakeups.publish(ready);
        }
        outcomes.push(waiting.map(|_| Some(process)));
    }
    outcomes
}

/// Writes successful closes ([`processes::close_successful`]: all in one statement)
/// and wakes executors for the workflow children they made assignable. Per close, in order:
/// what was closed, or `None` where the caller may not close it now (nothing written).
pub async fn write_closes<W: Wakeups>(
    wakeups: &W,
    client: &Client,
    statements: &impl Statements,
    closes: &[SuccessfulClose],
) -> Vec<Result<Option<Closed>, Error>> {
    let written =
        write_each(closes, |closes| processes::close_successful(client, statements, closes)).await;
    let checks = closes
        .iter()
        .zip(&written)
        .filter_map(|(close, w)| w.as_ref().ok().map(|w| (close.nonce.as_ref(), &w.nonce)));
    // A failure here only delays the restart to the next refused request.
    let _ = replay::after_folded(client, checks).await;
    let mut outcomes = Vec::with_capacity(closes.len());
    for (close, written) in closes.iter().zip(written) {
        let outcome = written.and_then(|w| {
            replay::folded_verdict(close.nonce.as_ref(), &w.nonce)?;
            Ok(w.closed)
        });
        if let Ok(Some(closed)) = &outcome {
            after_close(wakeups, client, &close.process_id, closed).await;
        }
        outcomes.push(outcome);
    }
    outcomes
}

/// `process` as its executor's assign reads it once the insert assigned it at `now_ns`:
/// RUNNING, assigned to `executor`, started at the submission time, with an execution
/// deadline when it has a maxexectime, and its attributes as they are read back.
fn handed_process(process: &Process, executor: &str, now_ns: i64) -> Process {
    let mut running = process.clone();
    running.state = ProcessState::Running;
    running.isassigned = true;
    running.assignedexecutorid = executor.into();
    running.starttime = colonies_core::time::Timestamp::from_unix_nanos(now_ns);
    running.execdeadline = if running.spec.maxexectime > 0 {
        colonies_core::time::Timestamp::from_unix_nanos(
            now_ns.saturating_add(running.spec.maxexectime.saturating_mul(NANOS_PER_SECOND)),
        )
    } else {
        colonies_core::time::Timestamp::UNSET
    };
    for attribute in &mut running.attributes {
        attribute.state = ProcessState::Running;
    }
    running
        .attributes
        .sort_by(|a, b| (a.attributetype.code(), &a.key).cmp(&(b.attributetype.code(), &b.key)));
    running
}

/// Wakes executors for the workflow children a successful close of `process_id` made
/// assignable.
pub async fn after_close<W: Wakeups>(
    wakeups: &W,
    client: &impl GenericClient,
    process_id: &str,
    closed: &Closed,
) {
    if closed.processgraph_id.is_empty() || !closed.has_children {
        return;
    }
    if let Ok(ready) = graphs::ready_children(client, process_id).await {
        for r in ready {
            wakeups.publish(r);
        }
    }
}

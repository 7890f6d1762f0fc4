//! What the Worker does besides answering RPCs: the schema, the server owner, deadlines.
//!
//! * Migrations run at the first request an isolate serves (and at each Cron Trigger), in
//!   one transaction under a transaction-scoped advisory lock ([`store::migrate`]), so any
//!   number of isolates starting at once apply each migration exactly once, and Hyperdrive's
//!   transaction pooling allows it. `COLONIES_AUTO_MIGRATE=false` leaves the schema to an
//!   explicit step (see docs/deploy-workers.md).
//! * Deadlines, crons and generators are applied by the store's sweeps
//!   ([`store::deadlines::sweep_deadlines`], `sweep_crons`, `sweep_generators`), the same
//!   passes the native host runs every second: from the Cron Trigger (every minute, so an idle
//!   deployment still expires processes and starts crons), and after a request at most every
//!   `COLONIES_DEADLINE_SWEEP_MS` per isolate (so a busy one does so within about a second).
//!   Their try-locks make concurrent sweeps of several isolates cost one pass and fire each
//!   cron once. Handlers also apply a passed deadline to any process they read, so no answer
//!   depends on when a sweep last ran.

use super::{host::WorkersHost, settings::Settings};
use crate::{
    db::DbConn,
    host::Host,
    store::{self, deadlines::Sweep},
};
use colonies_core::Failure;
use core::{cell::Cell, time::Duration};

std::thread_local! {
    // Per isolate (wasm32 has one thread): whether this isolate has checked the schema.
    static READY: Cell<bool> = const { Cell::new(false) };
    // Per isolate: when a request last started a deadline sweep (ms since the epoch).
    static LAST_SWEEP_MS: Cell<u64> = const { Cell::new(0) };
}

fn unavailable(what: &str, e: impl core::fmt::Display) -> Failure {
    Failure::new(503, format!("{what}: {e}"))
}

/// Brings the schema up to date and stores the configured server owner, once per isolate.
pub async fn prepare_database(host: &WorkersHost, settings: &Settings) -> Result<(), Failure> {
    if READY.get() {
        return Ok(());
    }
    let mut conn = host.db().await.map_err(|e| Failure::new(503, e.0))?;
    let (client, _) = conn.parts();
    if settings.auto_migrate {
        let applied = store::migrate::migrate(client)
            .await
            .map_err(|e| unavailable("the database schema could not be migrated", e))?;
        if !applied.is_empty() {
            worker::console_log!("colonies: schema migrations applied: {applied:?}");
        }
    }
    if let Some(id) = &settings.server_id {
        // Only on an empty server table: a later changeserveridmsg must not be undone by the
        // next isolate that starts.
        store::server::init_server_id(client, id)
            .await
            .map_err(|e| unavailable("the server owner could not be stored", e))?;
    }
    READY.set(true);
    Ok(())
}

/// Whether a request ending now should sweep (and if so, notes that it does).
pub fn sweep_due(settings: &Settings) -> bool {
    let Some(every) = settings.sweep_every else { return false };
    let now = worker::Date::now().as_millis();
    let every = u64::try_from(every.as_millis()).unwrap_or(u64::MAX);
    if now.saturating_sub(LAST_SWEEP_MS.get()) < every {
        return false;
    }
    LAST_SWEEP_MS.set(now);
    true
}

/// One pass of the periodic work over the whole database, each part skipped if another
/// isolate or server holds its lock: deadlines, then due crons, then due generators, then the
/// nonces of bound requests past their use (the same
/// store passes the native host runs every second). Processes they make assignable wake
/// nobody here: waiting executors poll.
pub async fn sweep(host: &WorkersHost, stale_after: Duration) -> Result<Sweep, Failure> {
    let mut conn = host.db().await.map_err(|e| Failure::new(503, e.0))?;
    let (client, _) = conn.parts();
    let sweep = store::deadlines::sweep_deadlines(client, stale_after)
        .await
        .map_err(|e| unavailable("deadline sweep", e))?;
    let started =
        store::crons::sweep_crons(client).await.map_err(|e| unavailable("cron sweep", e))?.len()
            + store::generators::sweep_generators(client)
                .await
                .map_err(|e| unavailable("generator sweep", e))?
                .len();
    if started > 0 {
        worker::console_log!("colonies: crons and generators made {started} processes runnable");
    }
    let window_ms = i64::try_from(host.config().replay_window.as_millis()).unwrap_or(i64::MAX);
    store::replay::sweep(&*client, window_ms).await.map_err(|e| unavailable("nonce sweep", e))?;
    Ok(sweep)
}

/// Logs a sweep that did something.
pub fn log_sweep(sweep: &Sweep, trigger: &str) {
    if sweep.failed > 0 || !sweep.requeued.is_empty() || sweep.stale_executors > 0 {
        worker::console_log!(
            "colonies: deadlines ({trigger}): {} failed, {} requeued, {} stale executors removed",
            sweep.failed,
            sweep.requeued.len(),
            sweep.stale_executors
        );
    }
}

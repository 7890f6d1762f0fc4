//! The deadline sweep of the native host: every [`PERIOD`], one pass of
//! [`store::deadlines::sweep_deadlines`] over a pooled connection. Every replica runs it; the
//! advisory lock inside lets one of them do each pass.

use super::wakeups::NativeWakeups;
use crate::{store, wakeups::Wakeups};
use core::time::Duration;
use deadpool_postgres::Pool;
use tokio::sync::watch;
use tokio_postgres::Client;

/// How often deadlines are looked at (Go's `RELEASE_PERIOD`). Handlers also apply a passed
/// deadline when they read the process, so this only bounds how late the lists show it.
pub const PERIOD: Duration = Duration::from_secs(1);

/// How many passes apart the nonces of bound requests are swept ([`store::replay::sweep`]).
const NONCE_SWEEP_EVERY: u32 = 10;

/// Sweeps until `stop` turns true; errors are logged and the next pass tries again.
pub async fn run(
    pool: Pool,
    wakeups: NativeWakeups,
    stale_after: Duration,
    replay_window: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let window_ms = i64::try_from(replay_window.as_millis()).unwrap_or(i64::MAX);
    let mut passes = 0u32;
    let mut tick = tokio::time::interval(PERIOD);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.wait_for(|stopped| *stopped) => return,
        }
        let mut conn = match pool.get().await {
            Ok(conn) => conn,
            Err(e) => {
                tracing::warn!(error = %e, "deadline sweep: no database connection");
                continue;
            }
        };
        let client: &mut Client = &mut conn;
        match store::deadlines::sweep_deadlines(client, stale_after).await {
            Ok(sweep) => {
                if sweep.failed > 0 || !sweep.requeued.is_empty() || sweep.stale_executors > 0 {
                    tracing::info!(
                        failed = sweep.failed,
                        requeued = sweep.requeued.len(),
                        stale_executors = sweep.stale_executors,
                        "deadlines applied"
                    );
                }
                for ready in sweep.requeued {
                    wakeups.publish(ready);
                }
            }
            Err(e) => tracing::warn!(error = %e, "deadline sweep failed"),
        }
        if let Err(e) = crate::handlers::crons::sweep(client, &wakeups).await {
            tracing::warn!(error = %e, "cron/generator sweep failed");
        }
        passes = passes.wrapping_add(1);
        if passes.is_multiple_of(NONCE_SWEEP_EVERY)
            && let Err(e) = store::replay::sweep(&*client, window_ms).await
        {
            tracing::warn!(error = %e, "nonce sweep failed");
        }
    }
}

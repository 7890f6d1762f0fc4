//! Announcements of the servers that have `/pubsub` subscribers (migration 0007): the
//! process and channel triggers NOTIFY only while one is current.
//!
//! [`announce`] takes the advisory lock [`EVENTS_LOCK`] exclusively, which waits for every
//! write whose trigger already decided not to notify; so once it returns, a subscription that
//! reads its starting state sees those writes, and every later write notifies.

use tokio_postgres::{Client, Error};

/// The advisory lock key of the event gate ("col_evts" in ASCII, as an i64); the triggers
/// of migration 0007 take it shared.
pub const EVENTS_LOCK: i64 = 0x636f_6c5f_6576_7473;

/// Announces (or renews) that `server_id` has subscribers, for `ttl_secs` seconds.
pub async fn announce(client: &Client, server_id: &str, ttl_secs: f64) -> Result<(), Error> {
    client
        .execute(
            "WITH gate AS (SELECT pg_advisory_xact_lock($3))
             INSERT INTO event_listeners (server_id, until)
             SELECT $1, now() + $2::float8 * INTERVAL '1 second' FROM gate
             ON CONFLICT (server_id) DO UPDATE SET until = EXCLUDED.until",
            &[&server_id, &ttl_secs, &EVENTS_LOCK],
        )
        .await
        .map(drop)
}

/// Withdraws the announcement of `server_id` (its last subscriber left), and any other
/// announcement that has lapsed.
pub async fn withdraw(client: &Client, server_id: &str) -> Result<(), Error> {
    client
        .execute("DELETE FROM event_listeners WHERE server_id = $1 OR until < now()", &[&server_id])
        .await
        .map(drop)
}

#[cfg(test)]
mod tests {
    use super::EVENTS_LOCK;

    #[test]
    fn the_lock_key_is_the_one_the_triggers_take() {
        let sql = include_str!("../../migrations/0007_event_listeners.sql");
        assert_eq!(EVENTS_LOCK.to_be_bytes(), *b"col_evts");
        assert!(sql.contains(&format!("pg_advisory_xact_lock_shared({EVENTS_LOCK})")));
    }
}

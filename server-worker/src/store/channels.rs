//! Channels (protocol §4.16, §8): process-scoped message logs, in Postgres so that every
//! replica serves the same log.
//!
//! The log's order is Go's: a sender's entries are ordered by the sender's own sequence numbers,
//! and senders interleave in arrival order. Concretely, the positions a sender's entries
//! occupy in arrival order are filled with that sender's entries sorted by sequence, so an
//! entry that arrives early (sequence 3 before 2) is read back after its predecessor.
//! Reads address the log by position (`afterseq` is an index, not a sequence number).

use colonies_core::{
    model::{MsgEntry, ProcessState},
    time::Timestamp,
};
use tokio_postgres::{Error, GenericClient};

/// Most entries one channel holds.
pub const MAX_ENTRIES: i32 = 10_000;
/// Appends per second a process may make on all its channels, sustained.
pub const RATE_PER_SECOND: f64 = 100.0;
/// Appends a process may make at once before the rate applies.
pub const RATE_BURST: f64 = 500.0;

/// What channel handlers need of a process: who may use its channels, and which exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelProcess {
    /// The process's colony.
    pub colony: String,
    /// Its state.
    pub state: ProcessState,
    /// Whether an executor holds it.
    pub is_assigned: bool,
    /// The executor holding it ("" if none).
    pub assigned_executor_id: String,
    /// Who submitted it.
    pub initiator_id: String,
    /// Whether its spec names the channel asked about.
    pub has_channel: bool,
}

/// The process `process_id` as seen by its channel `name`, if the process exists.
///
/// Reads the processes table without locking the row: a lock held here would make a
/// concurrent assign (FOR UPDATE SKIP LOCKED) pass the process over and leave its waiter
/// without a wakeup.
pub async fn process(
    client: &impl GenericClient,
    process_id: &str,
    name: &str,
) -> Result<Option<ChannelProcess>, Error> {
    let row = client
        .query_opt(
            "SELECT colony_name, state, is_assigned, assigned_executor_id, initiator_id,
                    COALESCE(jsonb_typeof(spec->'channels') = 'array'
                             AND spec->'channels' ? $2::text, FALSE)
             FROM processes WHERE process_id = $1",
            &[&process_id, &name],
        )
        .await?;
    Ok(row.map(|r| ChannelProcess {
        colony: r.get(0),
        // The column's CHECK keeps it in 0..=4.
        state: ProcessState::from_code(i64::from(r.get::<_, i16>(1))).unwrap_or_default(),
        is_assigned: r.get(2),
        assigned_executor_id: r.get(3),
        initiator_id: r.get(4),
        has_channel: r.get(5),
    }))
}

/// Takes one token from the process's bucket; false when it is empty (rate exceeded).
///
/// The bucket row is updated under its lock, so replicas share one limit per process.
pub async fn take_token(
    client: &impl GenericClient,
    process_id: &str,
    colony: &str,
) -> Result<bool, Error> {
    let row = client
        .query_opt(
            "INSERT INTO channel_rates AS r (process_id, colony_name, tokens, refilled_at)
             VALUES ($1, $2, $3 - 1, clock_timestamp())
             ON CONFLICT (process_id) DO UPDATE
             SET tokens = LEAST($3, r.tokens + $4
                     * EXTRACT(EPOCH FROM clock_timestamp() - r.refilled_at)::float8) - 1,
                 refilled_at = clock_timestamp()
             WHERE LEAST($3, r.tokens + $4
                     * EXTRACT(EPOCH FROM clock_timestamp() - r.refilled_at)::float8) >= 1
             RETURNING tokens",
            &[&process_id, &colony, &RATE_BURST, &RATE_PER_SECOND],
        )
        .await?;
    Ok(row.is_some())
}

/// One entry to append.
#[derive(Debug, Clone, Copy)]
pub struct NewEntry<'a> {
    /// The process.
    pub process_id: &'a str,
    /// The channel.
    pub name: &'a str,
    /// The process's colony.
    pub colony: &'a str,
    /// The sender's key ID.
    pub sender_id: &'a str,
    /// The sender's sequence number.
    pub sequence: i64,
    /// The sequence number answered (0: none).
    pub in_reply_to: i64,
    /// `""`, `data`, `end` or `error`.
    pub entry_type: &'a str,
    /// The error text of an `error` entry.
    pub error: &'a str,
    /// The content.
    pub payload: &'a [u8],
}

/// Appends an entry, creating the channel on first use; false when the channel is full.
pub async fn append(client: &impl GenericClient, entry: &NewEntry<'_>) -> Result<bool, Error> {
    // Counting on the channel row both enforces the limit and serialises appends to the
    // channel, so two replicas cannot both take the last slot.
    let counted = client
        .query_opt(
            "INSERT INTO channels AS c (process_id, name, colony_name, entries)
             VALUES ($1, $2, $3, 1)
             ON CONFLICT (process_id, name) DO UPDATE SET entries = c.entries + 1
             WHERE c.entries < $4
             RETURNING entries",
            &[&entry.process_id, &entry.name, &entry.colony, &MAX_ENTRIES],
        )
        .await?;
    if counted.is_none() {
        return Ok(false);
    }
    client
        .execute(
            "INSERT INTO channel_entries (process_id, name, sender_id, sequence, in_reply_to,
                 entry_type, error, payload)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                &entry.process_id,
                &entry.name,
                &entry.sender_id,
                &entry.sequence,
                &entry.in_reply_to,
                &entry.entry_type,
                &entry.error,
                &entry.payload,
            ],
        )
        .await?;
    Ok(true)
}

/// The entries of a channel at positions after `after` (0: from the start), at most `limit`
/// of them (`None`: all), in log order (see the module docs).
pub async fn read(
    client: &impl GenericClient,
    process_id: &str,
    name: &str,
    after: i64,
    limit: Option<i64>,
) -> Result<Vec<MsgEntry>, Error> {
    let rows = client
        .query(
            "WITH e AS (
                 SELECT entry_id, sender_id, sequence, in_reply_to, entry_type, error, payload,
                        (EXTRACT(EPOCH FROM added) * 1000000000)::bigint AS added_ns,
                        row_number() OVER (PARTITION BY sender_id ORDER BY entry_id) AS arrival,
                        row_number() OVER (PARTITION BY sender_id ORDER BY sequence, entry_id)
                            AS by_sequence
                 FROM channel_entries WHERE process_id = $1 AND name = $2)
             SELECT x.sequence, x.in_reply_to, x.added_ns, x.sender_id, x.payload,
                    x.entry_type, x.error
             FROM e AS x JOIN e AS slot
               ON slot.sender_id = x.sender_id AND slot.arrival = x.by_sequence
             ORDER BY slot.entry_id
             OFFSET $3 LIMIT $4",
            &[&process_id, &name, &after, &limit],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| MsgEntry {
            sequence: r.get(0),
            inreplyto: r.get(1),
            timestamp: Timestamp::from_unix_nanos(r.get(2)),
            senderid: r.get(3),
            payload: r.get(4),
            entry_type: r.get(5),
            error: r.get(6),
        })
        .collect())
}

/// Deletes every channel of a process and its rate bucket. Call it in the transaction that
/// closes, cancels or removes the process; channel handlers also call it when they find a
/// finished process with channels left over.
pub async fn remove_for_process(
    client: &impl GenericClient,
    process_id: &str,
) -> Result<(), Error> {
    client.execute("DELETE FROM channels WHERE process_id = $1", &[&process_id]).await?;
    client.execute("DELETE FROM channel_rates WHERE process_id = $1", &[&process_id]).await?;
    Ok(())
}

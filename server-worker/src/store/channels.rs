//! Channels (protocol §4.16, §8): process-scoped message logs, in Postgres so that every
//! replica serves the same log.
//!
//! The log's order is Go's: a sender's entries are ordered by the sender's own sequence numbers,
//! and senders interleave in arrival order. Concretely, the positions a sender's entries
//! occupy in arrival order are filled with that sender's entries sorted by sequence, so an
//! entry that arrives early (sequence 3 before 2) is read back after its predecessor.
//! Reads address the log by position (`afterseq` is an index, not a sequence number).

use crate::db::Statements;
use colonies_core::{model::MsgEntry, time::Timestamp};
use tokio_postgres::{Client, Error, GenericClient};

/// Most entries one channel holds.
pub const MAX_ENTRIES: i32 = 10_000;
/// Appends per second a process may make on all its channels, sustained.
pub const RATE_PER_SECOND: f64 = 100.0;
/// Appends a process may make at once before the rate applies.
pub const RATE_BURST: f64 = 500.0;

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
    /// As the sender gave it: `""` or `data`, `end`, `error`, or any other string.
    pub entry_type: &'a str,
    /// The error text of an `error` entry.
    pub error: &'a str,
    /// The content.
    pub payload: &'a [u8],
}

/// What became of an append.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Appended {
    /// The entry is in the log.
    Yes,
    /// The process's token bucket is empty: more than the rate allows.
    RateLimited,
    /// The channel holds [`MAX_ENTRIES`] already (the attempt still used a token).
    Full,
}

/// Takes a token from the process's bucket, counts the entry on its channel (creating the
/// channel row on first use) and inserts it: one statement, so the row locks that serialise
/// appends of a process across replicas are held for one round trip only.
const APPEND: &str = "WITH token AS (
        INSERT INTO channel_rates AS r (process_id, colony_name, tokens, refilled_at)
        VALUES ($1, $3, $10::float8 - 1, clock_timestamp())
        ON CONFLICT (process_id) DO UPDATE
        SET tokens = LEAST($10::float8, r.tokens + $11::float8
                * EXTRACT(EPOCH FROM clock_timestamp() - r.refilled_at)::float8) - 1,
            refilled_at = clock_timestamp()
        WHERE LEAST($10::float8, r.tokens + $11::float8
                * EXTRACT(EPOCH FROM clock_timestamp() - r.refilled_at)::float8) >= 1
        RETURNING 1),
    counted AS (
        INSERT INTO channels AS c (process_id, name, colony_name, entries)
        SELECT $1, $2, $3, 1 FROM token
        ON CONFLICT (process_id, name) DO UPDATE SET entries = c.entries + 1
        WHERE c.entries < $12
        RETURNING 1),
    entry AS (
        INSERT INTO channel_entries (process_id, name, sender_id, sequence, in_reply_to,
            entry_type, error, payload)
        SELECT $1, $2, $4, $5, $6, $7, $8, $9 FROM counted
        RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM token), EXISTS (SELECT 1 FROM entry)";

/// Appends an entry within the process's rate and the channel's size.
pub async fn append(
    client: &Client,
    statements: &impl Statements,
    entry: &NewEntry<'_>,
) -> Result<Appended, Error> {
    let statement = statements.prepare(client, APPEND).await?;
    let row = client
        .query_one(
            &statement,
            &[
                &entry.process_id,
                &entry.name,
                &entry.colony,
                &entry.sender_id,
                &entry.sequence,
                &entry.in_reply_to,
                &entry.entry_type,
                &entry.error,
                &entry.payload,
                &RATE_BURST,
                &RATE_PER_SECOND,
                &MAX_ENTRIES,
            ],
        )
        .await?;
    Ok(match (row.get::<_, bool>(0), row.get::<_, bool>(1)) {
        (false, _) => Appended::RateLimited,
        (true, false) => Appended::Full,
        (true, true) => Appended::Yes,
    })
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

/// [`remove_for_process`] for many processes at once (`removeallprocessesmsg`, deadline
/// sweeps that fail processes).
pub async fn remove_for_processes(
    client: &impl GenericClient,
    process_ids: &[String],
) -> Result<(), Error> {
    client.execute("DELETE FROM channels WHERE process_id = ANY($1)", &[&process_ids]).await?;
    client.execute("DELETE FROM channel_rates WHERE process_id = ANY($1)", &[&process_ids]).await?;
    Ok(())
}

/// Deletes the channels and rate buckets of processes that finished or no longer exist, for
/// whatever path forgot to (a periodic loop may call it); returns the channels removed.
pub async fn sweep(client: &impl GenericClient) -> Result<u64, Error> {
    let removed = client
        .execute(
            "DELETE FROM channels c WHERE NOT EXISTS (
                 SELECT 1 FROM processes p WHERE p.process_id = c.process_id AND p.state < 2)",
            &[],
        )
        .await?;
    client
        .execute(
            "DELETE FROM channel_rates r WHERE NOT EXISTS (
                 SELECT 1 FROM processes p WHERE p.process_id = r.process_id AND p.state < 2)",
            &[],
        )
        .await?;
    Ok(removed)
}

//! The nonces of bound requests (migration 0009, [`colonies_core::rules::replay`]).

use crate::db::Statements;
use alloc::{string::String, vec::Vec};
use colonies_core::rules::replay::{Binding, NonceCheck};
use tokio_postgres::{Client, Error, GenericClient, types::Type};

/// One bound request whose nonce is to be recorded.
#[derive(Debug, Clone)]
pub struct NonceItem {
    /// The caller's ID (hex).
    pub caller: String,
    /// The request's binding.
    pub binding: Binding,
}

/// The statement of [`record`]: every item in one round trip (and one commit), on the
/// database's clock, answering one row per item in order.
const RECORD: &str = "WITH clock AS (SELECT (extract(epoch FROM now()) * 1000)::bigint AS now_ms),
      memory AS (SELECT since_ms FROM nonce_memory),
      srv AS (SELECT server_id FROM server),
      items AS (
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int8[])
          WITH ORDINALITY AS t(caller, nonce, audience, signedat, ord)),
      ins AS (
        INSERT INTO request_nonces (nonce, caller, seen_ms)
        SELECT i.nonce::uuid, i.caller, clock.now_ms FROM items i, clock, memory, srv
        WHERE srv.server_id = i.audience
          AND abs(clock.now_ms - i.signedat) <= $5
          AND i.signedat >= memory.since_ms
        ON CONFLICT DO NOTHING
        RETURNING nonce, caller)
 SELECT (SELECT server_id FROM srv), (SELECT now_ms FROM clock), (SELECT since_ms FROM memory),
        EXISTS (SELECT 1 FROM ins WHERE ins.nonce = i.nonce::uuid AND ins.caller = i.caller)
 FROM items i ORDER BY i.ord";

/// Records each item's `(caller, nonce)` when its binding is acceptable (audience, window,
/// memory: the rule of [`colonies_core::rules::replay::acceptable`], on the database's clock),
/// and says what it saw, one [`NonceCheck`] per item in order, in one statement. The same pair
/// twice in `items` is recorded once (the later one is refused as replayed). A lost nonce
/// memory (crash recovery empties the unlogged tables) is started again at the database's
/// clock.
pub async fn record(
    client: &Client,
    statements: &impl Statements,
    items: &[NonceItem],
    window_ms: i64,
) -> Result<Vec<NonceCheck>, Error> {
    let callers: Vec<&str> = items.iter().map(|i| i.caller.as_str()).collect();
    let nonces: Vec<&str> = items.iter().map(|i| i.binding.nonce.as_str()).collect();
    let audiences: Vec<&str> = items.iter().map(|i| i.binding.audience.as_str()).collect();
    let signed: Vec<i64> = items.iter().map(|i| i.binding.signedat).collect();
    let rows = super::query_typed(
        client,
        statements,
        RECORD,
        &[
            (&callers, Type::TEXT_ARRAY),
            (&nonces, Type::TEXT_ARRAY),
            (&audiences, Type::TEXT_ARRAY),
            (&signed, Type::INT8_ARRAY),
            (&window_ms, Type::INT8),
        ],
    )
    .await?;
    let checks: Vec<NonceCheck> = rows
        .iter()
        .map(|row| NonceCheck {
            server_id: row.get(0),
            now_ms: row.get(1),
            memory_since_ms: row.get(2),
            recorded: row.get(3),
        })
        .collect();
    if checks.iter().any(|c| c.memory_since_ms.is_none()) {
        client
            .execute(
                "INSERT INTO nonce_memory (singleton, since_ms)
                 VALUES (TRUE, (extract(epoch FROM now()) * 1000)::bigint)
                 ON CONFLICT DO NOTHING",
                &[],
            )
            .await?;
    }
    Ok(checks)
}

/// Deletes the nonces recorded more than twice `window_ms` ago, which no request can reuse any
/// more: a request may be signed up to one window ahead of the clock, and is stale one window
/// after it was signed. Returns how many.
pub async fn sweep(client: &impl GenericClient, window_ms: i64) -> Result<u64, Error> {
    client
        .execute(
            "DELETE FROM request_nonces
             WHERE seen_ms < (extract(epoch FROM now()) * 1000)::bigint - 2 * $1::bigint",
            &[&window_ms],
        )
        .await
}

//! The nonces of bound requests (migration 0009, [`colonies_core::rules::replay`]).

use crate::host::Statements;
use colonies_core::rules::replay::{Binding, NonceCheck};
use tokio_postgres::{Client, Error, GenericClient, types::Type};

/// The statement of [`record`]: one round trip, a generic plan where statements are kept.
const RECORD: &str = "WITH clock AS (SELECT (extract(epoch FROM now()) * 1000)::bigint AS now_ms),
      memory AS (SELECT since_ms FROM nonce_memory),
      srv AS (SELECT server_id FROM server),
      ins AS (
        INSERT INTO request_nonces (caller, nonce, seen_ms)
        SELECT $1, $2, clock.now_ms FROM clock, memory, srv
        WHERE srv.server_id = $3
          AND abs(clock.now_ms - $4) <= $5
          AND $4 >= memory.since_ms
        ON CONFLICT DO NOTHING
        RETURNING 1)
 SELECT (SELECT server_id FROM srv), (SELECT now_ms FROM clock),
        (SELECT since_ms FROM memory), EXISTS (SELECT 1 FROM ins)";

/// Records `(caller, nonce)` when the binding is acceptable (audience, window, memory: the
/// rule of [`colonies_core::rules::replay::acceptable`], on the database's clock), and says
/// what it saw, in one statement. A lost nonce memory (crash recovery empties the unlogged
/// tables) is started again at the database's clock.
pub async fn record(
    client: &Client,
    statements: &impl Statements,
    caller: &str,
    binding: &Binding,
    window_ms: i64,
) -> Result<NonceCheck, Error> {
    let row = super::query_opt_typed(
        client,
        statements,
        RECORD,
        &[
            (&caller, Type::TEXT),
            (&binding.nonce, Type::TEXT),
            (&binding.audience, Type::TEXT),
            (&binding.signedat, Type::INT8),
            (&window_ms, Type::INT8),
        ],
    )
    .await?;
    // The statement always answers one row; without one, nothing was recorded (refused).
    let Some(row) = row else {
        return Ok(NonceCheck {
            server_id: None,
            now_ms: 0,
            memory_since_ms: None,
            recorded: false,
        });
    };
    let check = NonceCheck {
        server_id: row.get(0),
        now_ms: row.get(1),
        memory_since_ms: row.get(2),
        recorded: row.get(3),
    };
    if check.memory_since_ms.is_none() {
        client
            .execute(
                "INSERT INTO nonce_memory (singleton, since_ms)
                 VALUES (TRUE, (extract(epoch FROM now()) * 1000)::bigint)
                 ON CONFLICT DO NOTHING",
                &[],
            )
            .await?;
    }
    Ok(check)
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

//! The nonces of bound requests (migration 0009, [`colonies_core::rules::replay`]).

use crate::db::Statements;
use alloc::{string::String, vec::Vec};
use colonies_core::rules::replay::{Binding, NonceCheck};
use tokio_postgres::{Client, Error, GenericClient, types::Type};

/// One bound request whose nonce is to be recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NonceItem {
    /// The caller's ID (hex).
    pub caller: String,
    /// The request's binding.
    pub binding: Binding,
    /// The server's replay window, in milliseconds.
    pub window_ms: i64,
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
        restart_memory(client).await?;
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

/// The nonces of a statement's own items, for the statements that write on the hot path
/// (submit, successful close, assign): a bound item's nonce is recorded by the statement that
/// makes its write, and the write happens only where it was, so a bound request costs no
/// statement of its own. [`folded_ctes`] defines the CTEs; the statement joins `nonce_ok` on
/// its items' ordinality and selects [`FOLDED_COLUMNS`], read back by [`folded_check`].
#[derive(Debug, Default)]
pub struct Folded<'a> {
    callers: Vec<&'a str>,
    nonces: Vec<Option<&'a str>>,
    audiences: Vec<&'a str>,
    signed: Vec<i64>,
    windows: Vec<i64>,
}

impl<'a> Folded<'a> {
    /// Whether any item is bound (the statement then records nonces; see [`folded_ctes`]).
    pub fn bound(&self) -> bool {
        self.nonces.iter().any(Option::is_some)
    }

    /// The parameters for `items`, one per statement item in order (`None`: an unbound one).
    pub fn of(items: impl IntoIterator<Item = Option<&'a NonceItem>>) -> Self {
        let mut folded = Self::default();
        for item in items {
            folded.callers.push(item.map_or("", |i| i.caller.as_str()));
            folded.nonces.push(item.map(|i| i.binding.nonce.as_str()));
            folded.audiences.push(item.map_or("", |i| i.binding.audience.as_str()));
            folded.signed.push(item.map_or(0, |i| i.binding.signedat));
            folded.windows.push(item.map_or(0, |i| i.window_ms));
        }
        folded
    }

    /// The five parameters, in the order [`folded_ctes`] numbers them.
    pub fn params(&self) -> [super::Typed<'_>; 5] {
        [
            (&self.callers, Type::TEXT_ARRAY),
            (&self.nonces, Type::TEXT_ARRAY),
            (&self.audiences, Type::TEXT_ARRAY),
            (&self.signed, Type::INT8_ARRAY),
            (&self.windows, Type::INT8_ARRAY),
        ]
    }
}

/// The CTEs of a folded nonce check, its parameters numbered from `$first`: `nonce_ok(ord,
/// ok)` says per item whether it may write (unbound, or its nonce was recorded now by the
/// first item that carries it: two copies in one statement write once). The rules are
/// [`record`]'s. When no item is `bound`, the CTEs only say so (every item may write) and
/// touch no table, so an unbound batch costs what it cost before replay protection.
pub fn folded_ctes(first: usize, bound: bool) -> alloc::string::String {
    let [a, b, c, d, e] = [first, first + 1, first + 2, first + 3, first + 4];
    let items = alloc::format!(
        "nonce_items AS (
        SELECT * FROM unnest(${a}::text[], ${b}::text[], ${c}::text[], ${d}::int8[], ${e}::int8[])
          WITH ORDINALITY AS t(caller, nonce, audience, signedat, window_ms, ord))"
    );
    if !bound {
        return alloc::format!(
            "nonce_clock AS (SELECT NULL::bigint AS now_ms),
      nonce_mem AS (SELECT NULL::bigint AS since_ms),
      nonce_srv AS (SELECT NULL::text AS server_id),
      {items},
      nonce_ok AS (SELECT i.ord, TRUE AS ok FROM nonce_items i)"
        );
    }
    alloc::format!(
        "nonce_clock AS (SELECT (extract(epoch FROM now()) * 1000)::bigint AS now_ms),
      nonce_mem AS (SELECT since_ms FROM nonce_memory),
      nonce_srv AS (SELECT server_id FROM server),
      {items},
      nonce_ins AS (
        INSERT INTO request_nonces (nonce, caller, seen_ms)
        SELECT i.nonce::uuid, i.caller, nonce_clock.now_ms
        FROM nonce_items i, nonce_clock, nonce_mem, nonce_srv
        WHERE i.nonce IS NOT NULL AND nonce_srv.server_id = i.audience
          AND abs(nonce_clock.now_ms - i.signedat) <= i.window_ms
          AND i.signedat >= nonce_mem.since_ms
        ON CONFLICT DO NOTHING
        RETURNING nonce, caller),
      nonce_ok AS (
        SELECT i.ord, i.nonce IS NULL
               OR (EXISTS (SELECT 1 FROM nonce_ins n
                           WHERE n.nonce = i.nonce::uuid AND n.caller = i.caller)
                   AND i.ord = (SELECT min(j.ord) FROM nonce_items j
                                WHERE j.nonce = i.nonce AND j.caller = i.caller)) AS ok
        FROM nonce_items i)"
    )
}

/// What a folded statement's reply carries per item, with `nonce_ok` joined as `nk`: the
/// server's ID, its clock (ms), since when it remembers nonces, and whether the item may
/// write. Four columns, read by [`folded_check`].
pub const FOLDED_COLUMNS: &str = "(SELECT server_id FROM nonce_srv), \
     (SELECT now_ms FROM nonce_clock), (SELECT since_ms FROM nonce_mem), nk.ok";

/// The [`NonceCheck`] of one item from the four [`FOLDED_COLUMNS`] at `at`.
pub fn folded_check(row: &tokio_postgres::Row, at: usize) -> NonceCheck {
    NonceCheck {
        server_id: row.get(at),
        // NULL where the statement recorded nothing (no item bound).
        now_ms: row.get::<_, Option<i64>>(at + 1).unwrap_or_default(),
        memory_since_ms: row.get(at + 2),
        recorded: row.get::<_, Option<bool>>(at + 3).unwrap_or(false),
    }
}

/// Starts the nonce memory again at the database's clock when it was lost (crash recovery
/// empties the unlogged tables); a request refused meanwhile is refused as stale.
pub async fn restart_memory(client: &impl GenericClient) -> Result<(), Error> {
    client
        .execute(
            "INSERT INTO nonce_memory (singleton, since_ms)
             VALUES (TRUE, (extract(epoch FROM now()) * 1000)::bigint)
             ON CONFLICT DO NOTHING",
            &[],
        )
        .await?;
    Ok(())
}

/// Whether a folded item may write: `Ok` when it is unbound or its nonce was recorded, the
/// replay refusal (403) otherwise ([`colonies_core::rules::replay::verdict`]).
pub fn folded_verdict(
    item: Option<&NonceItem>,
    seen: &NonceCheck,
) -> Result<(), crate::error::Error> {
    let Some(item) = item else { return Ok(()) };
    colonies_core::rules::replay::verdict(&item.binding, seen, item.window_ms)
        .map_err(|refusal| refusal.to_failure().into())
}

/// After a folded statement: starts the nonce memory again if it was lost (see
/// [`restart_memory`]) and one of `items` was refused for it.
pub async fn after_folded<'a>(
    client: &impl GenericClient,
    items: impl IntoIterator<Item = (Option<&'a NonceItem>, &'a NonceCheck)>,
) -> Result<(), Error> {
    if items.into_iter().any(|(item, seen)| item.is_some() && seen.memory_since_ms.is_none()) {
        restart_memory(client).await?;
    }
    Ok(())
}

-- 0009 replay protection: the nonces of bound requests (see colonies_core::rules::replay).
--
-- A bound request carries a nonce, the time it was signed and the server it is meant for.
-- The server records (caller, nonce) in one statement that also checks the audience and the
-- window, so every replica and host on this database refuses the second use of a nonce.
--
-- UNLOGGED: a nonce is written for every bound request, reads included, and must not cost a
-- WAL flush of its own (a transaction that wrote only to unlogged tables commits without
-- waiting for the disk). An unlogged table is emptied by crash recovery, and is not copied to
-- standbys, so nonce_memory (unlogged too) says since when the nonces are known: it is emptied
-- with them, and a request signed before the server wrote it again is refused as stale. A
-- clean restart keeps both.

-- The nonce (128 bits, 32 hex characters) is kept as a uuid: the key compares 16 bytes, and
-- almost always decides on them before it reaches the caller. No index on seen_ms: the sweeper
-- reads the table whole every ten seconds (two windows of nonces) rather than every insert
-- paying for a second index.
CREATE UNLOGGED TABLE request_nonces (
    nonce    UUID   NOT NULL,
    caller   TEXT   NOT NULL,
    -- The database's clock when the nonce was recorded, Unix milliseconds.
    seen_ms  BIGINT NOT NULL,
    PRIMARY KEY (nonce, caller)
);

CREATE UNLOGGED TABLE nonce_memory (
    singleton BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
    since_ms  BIGINT  NOT NULL
);

INSERT INTO nonce_memory (singleton, since_ms)
VALUES (TRUE, (extract(epoch FROM now()) * 1000)::bigint);

-- 0002 files, snapshots, blueprints and channels (protocol §4.12, §4.13, §4.16, §4.17).
--
-- Same conventions as 0001. Everything here belongs to a colony and is written far less often
-- than processes, so the per-colony tables carry a foreign key to the colony: removing a colony
-- removes its files, snapshots, definitions, blueprints, history and channels with it.

-- Revision numbers of files (the wire's `sequencenr`), increasing across the whole server as
-- in Go, where they come from one sequence too.
CREATE SEQUENCE file_seq;

CREATE TABLE files (
    file_id      TEXT PRIMARY KEY,
    colony_name  TEXT NOT NULL REFERENCES colonies (name) ON DELETE CASCADE,
    label        TEXT NOT NULL,
    name         TEXT NOT NULL,
    size         BIGINT NOT NULL DEFAULT 0,
    seqnr        BIGINT NOT NULL DEFAULT nextval('file_seq'),
    checksum     TEXT NOT NULL DEFAULT '',
    checksum_alg TEXT NOT NULL DEFAULT '',
    -- The `ref` object (protocol, S3 object and its credentials), echoed back as sent.
    reference    JSONB NOT NULL,
    added        TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- getfilemsg by label + name (newest first), getfilesmsg and labels by label, snapshots.
CREATE INDEX files_by_name ON files (colony_name, label, name, seqnr DESC);
-- Retention.
CREATE INDEX files_by_added ON files (added);

CREATE TABLE snapshots (
    snapshot_id TEXT PRIMARY KEY,
    colony_name TEXT NOT NULL REFERENCES colonies (name) ON DELETE CASCADE,
    label       TEXT NOT NULL,
    name        TEXT NOT NULL,
    file_ids    TEXT[] NOT NULL DEFAULT '{}',
    added       TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (colony_name, name)
);

CREATE TABLE blueprint_definitions (
    definition_id TEXT PRIMARY KEY,
    colony_name   TEXT NOT NULL REFERENCES colonies (name) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    -- spec.names.kind: blueprints name their definition by it, so it must be unambiguous.
    kind          TEXT NOT NULL,
    -- The definition as accepted (ID and colony filled in); replies are built from it.
    definition    JSONB NOT NULL,
    UNIQUE (colony_name, name),
    UNIQUE (colony_name, kind)
);

CREATE TABLE blueprints (
    blueprint_id  TEXT PRIMARY KEY,
    colony_name   TEXT NOT NULL REFERENCES colonies (name) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    location_name TEXT NOT NULL DEFAULT '',
    -- The blueprint as stored (metadata, spec, status); replies are built from it.
    blueprint     JSONB NOT NULL,
    UNIQUE (colony_name, name)
);
-- getblueprintsmsg by kind (and location); removing a definition checks for users of its kind.
CREATE INDEX blueprints_by_kind ON blueprints (colony_name, kind, location_name);

-- An audit trail: rows outlive their blueprint (a removal is itself recorded), so there is no
-- foreign key to blueprints, only to the colony.
CREATE TABLE blueprint_history (
    -- Insertion order, which "newest first" follows even within one clock tick.
    history_seq  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    history_id   TEXT NOT NULL UNIQUE,
    blueprint_id TEXT NOT NULL,
    colony_name  TEXT NOT NULL REFERENCES colonies (name) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    name         TEXT NOT NULL,
    generation   BIGINT NOT NULL,
    spec         JSONB NOT NULL,
    status       JSONB NOT NULL DEFAULT '{}',
    changed_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    changed_by   TEXT NOT NULL,
    -- create, update or delete.
    change_type  TEXT NOT NULL
);
CREATE INDEX blueprint_history_by_blueprint ON blueprint_history (blueprint_id, history_seq DESC);

-- Channels: process-scoped logs (Go keeps them in memory per server; here every replica sees
-- them). A channel row exists once the process's spec.channels names it and someone used it.
CREATE TABLE channels (
    process_id  TEXT NOT NULL,
    name        TEXT NOT NULL,
    colony_name TEXT NOT NULL REFERENCES colonies (name) ON DELETE CASCADE,
    -- Entries so far. Appends update it, which also serialises appends to one channel across
    -- replicas; the CHECK is the 10,000-entry limit.
    entries     INTEGER NOT NULL DEFAULT 0 CHECK (entries BETWEEN 0 AND 10000),
    PRIMARY KEY (process_id, name)
);

CREATE TABLE channel_entries (
    -- Arrival order, which the log's order follows between senders.
    entry_id    BIGINT GENERATED ALWAYS AS IDENTITY,
    process_id  TEXT NOT NULL,
    name        TEXT NOT NULL,
    sender_id   TEXT NOT NULL,
    -- The sender's own sequence number; a sender's entries are read back ordered by it.
    sequence    BIGINT NOT NULL,
    in_reply_to BIGINT NOT NULL DEFAULT 0,
    entry_type  TEXT NOT NULL DEFAULT '',
    error       TEXT NOT NULL DEFAULT '',
    payload     BYTEA NOT NULL,
    added       TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (process_id, name, entry_id),
    FOREIGN KEY (process_id, name) REFERENCES channels (process_id, name) ON DELETE CASCADE
);

-- The append rate limit of a process (100 messages/s, bursts of 500), as a token bucket that
-- every replica updates under the row's lock, so the limit holds for the process as a whole.
CREATE TABLE channel_rates (
    process_id  TEXT PRIMARY KEY,
    colony_name TEXT NOT NULL REFERENCES colonies (name) ON DELETE CASCADE,
    tokens      DOUBLE PRECISION NOT NULL,
    refilled_at TIMESTAMPTZ NOT NULL
);

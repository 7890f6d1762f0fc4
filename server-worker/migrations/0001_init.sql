-- 0001 init: server, colonies, executors, users, locations, functions, processes,
-- attributes and logs: everything the first server issue serves.
--
-- Conventions
-- * Per-colony names are keyed by (colony_name, name), never by a "colony:name" string, so a
--   name may not break a key (names with ':' are still refused by the handlers, as in Go).
-- * Unset times are NULL; the wire's "zero time" (year 0001) is made at the edge.
-- * Strings the wire treats as "" when absent are NOT NULL DEFAULT '' so queries never need
--   COALESCE and indexes never hold NULLs.
-- * JSON the server never filters on (specs, capabilities, in/out) is JSONB.
-- * Foreign keys only on small tables written rarely. Processes, attributes and logs carry
--   none: an FK check takes a KEY SHARE lock on the colony row for every insert, which turns
--   into multixact churn at thousands of submits per second; their removal is explicit.

CREATE TABLE server (
    -- At most one row.
    singleton BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
    server_id TEXT NOT NULL
);

CREATE TABLE colonies (
    name               TEXT PRIMARY KEY,
    colony_id          TEXT NOT NULL,
    -- pauseassignmentsmsg / resumeassignmentsmsg; here rather than in memory so every
    -- replica sees it.
    assignments_paused BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX colonies_by_owner ON colonies (colony_id);

CREATE TABLE executors (
    colony_name      TEXT NOT NULL REFERENCES colonies (name) ON DELETE CASCADE,
    name             TEXT NOT NULL,
    executor_id      TEXT NOT NULL,
    executor_type    TEXT NOT NULL,
    -- PENDING 0, APPROVED 1, REJECTED 2, UNREGISTERED 3 (soft-deleted rows stay).
    state            SMALLINT NOT NULL DEFAULT 0 CHECK (state BETWEEN 0 AND 3),
    require_func_reg BOOLEAN NOT NULL DEFAULT FALSE,
    commission_time  TIMESTAMPTZ,
    last_heard_from  TIMESTAMPTZ,
    location_name    TEXT NOT NULL DEFAULT '',
    capabilities     JSONB NOT NULL DEFAULT '{}',
    allocations      JSONB NOT NULL DEFAULT '{}',
    blueprint_id     TEXT NOT NULL DEFAULT '',
    blueprint_gen    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (colony_name, name)
);
-- Membership checks and key rotation look executors up by the signer's ID.
CREATE INDEX executors_by_id ON executors (executor_id, colony_name);
-- Stale-executor cleanup.
CREATE INDEX executors_heard ON executors (last_heard_from) WHERE state <> 3;

CREATE TABLE users (
    colony_name TEXT NOT NULL REFERENCES colonies (name) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    email       TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (colony_name, name)
);
CREATE INDEX users_by_id ON users (user_id, colony_name);

CREATE TABLE locations (
    colony_name TEXT NOT NULL REFERENCES colonies (name) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    location_id TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    long        DOUBLE PRECISION NOT NULL DEFAULT 0,
    lat         DOUBLE PRECISION NOT NULL DEFAULT 0,
    PRIMARY KEY (colony_name, name)
);

CREATE TABLE functions (
    function_id   TEXT PRIMARY KEY,
    colony_name   TEXT NOT NULL,
    executor_name TEXT NOT NULL,
    executor_type TEXT NOT NULL,
    funcname      TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    args          JSONB NOT NULL DEFAULT '[]',
    location_name TEXT NOT NULL DEFAULT '',
    counter       BIGINT NOT NULL DEFAULT 0,
    min_wait_time DOUBLE PRECISION NOT NULL DEFAULT 0,
    max_wait_time DOUBLE PRECISION NOT NULL DEFAULT 0,
    min_exec_time DOUBLE PRECISION NOT NULL DEFAULT 0,
    max_exec_time DOUBLE PRECISION NOT NULL DEFAULT 0,
    avg_wait_time DOUBLE PRECISION NOT NULL DEFAULT 0,
    avg_exec_time DOUBLE PRECISION NOT NULL DEFAULT 0,
    FOREIGN KEY (colony_name, executor_name) REFERENCES executors (colony_name, name) ON DELETE CASCADE
);
-- getfunctionsmsg by colony or executor; stats update on close by (executor, funcname).
CREATE INDEX functions_by_executor ON functions (colony_name, executor_name, funcname);

CREATE TABLE processes (
    process_id            TEXT PRIMARY KEY,
    colony_name           TEXT NOT NULL,
    executor_type         TEXT NOT NULL,
    -- conditions.executornames; '{}' (or '{*}') means any executor of the type.
    target_executor_names TEXT[] NOT NULL DEFAULT '{}',
    -- conditions.locationname; '' means any location. Compared case-insensitively.
    location_name         TEXT NOT NULL DEFAULT '',
    -- WAITING 0, RUNNING 1, SUCCESS 2, FAILED 3, CANCELLED 4.
    state                 SMALLINT NOT NULL DEFAULT 0 CHECK (state BETWEEN 0 AND 4),
    is_assigned           BOOLEAN NOT NULL DEFAULT FALSE,
    assigned_executor_id  TEXT NOT NULL DEFAULT '',
    wait_for_parents      BOOLEAN NOT NULL DEFAULT FALSE,
    initiator_id          TEXT NOT NULL,
    initiator_name        TEXT NOT NULL,
    priority              INTEGER NOT NULL DEFAULT 0,
    -- submission ns − priority × 1 day in ns; lowest is assigned first (protocol §6.2).
    prioritytime          BIGINT NOT NULL,
    submission_time       TIMESTAMPTZ NOT NULL DEFAULT now(),
    start_time            TIMESTAMPTZ,
    end_time              TIMESTAMPTZ,
    wait_deadline         TIMESTAMPTZ,
    exec_deadline         TIMESTAMPTZ,
    max_wait_time         INTEGER NOT NULL DEFAULT -1,
    max_exec_time         INTEGER NOT NULL DEFAULT -1,
    retries               INTEGER NOT NULL DEFAULT 0,
    max_retries           INTEGER NOT NULL DEFAULT 0,
    -- conditions.cpu in millicores and conditions.mem / storage in bytes, compared with
    -- what the assigning executor has available.
    cpu                   BIGINT NOT NULL DEFAULT 0,
    memory                BIGINT NOT NULL DEFAULT 0,
    storage               BIGINT NOT NULL DEFAULT 0,
    funcname              TEXT NOT NULL DEFAULT '',
    label                 TEXT NOT NULL DEFAULT '',
    processgraph_id       TEXT NOT NULL DEFAULT '',
    parents               TEXT[] NOT NULL DEFAULT '{}',
    children              TEXT[] NOT NULL DEFAULT '{}',
    -- The FunctionSpec as accepted (normalised), args and kwargs included: replies are
    -- built from it; the columns above are the parts queries filter or sort on.
    spec                  JSONB NOT NULL,
    input                 JSONB NOT NULL DEFAULT '[]',
    output                JSONB NOT NULL DEFAULT '[]',
    errors                TEXT[] NOT NULL DEFAULT '{}'
);
-- The assign query: WHERE colony, type, waiting, free, no parents pending ORDER BY
-- prioritytime LIMIT 1 FOR UPDATE SKIP LOCKED. Partial, so it holds only assignable rows and
-- stays small however many finished processes the table keeps.
CREATE INDEX processes_assignable ON processes (colony_name, executor_type, prioritytime)
    WHERE state = 0 AND NOT is_assigned AND NOT wait_for_parents;
-- getprocessesmsg: WAITING by prioritytime, RUNNING by start_time, finished by end_time desc;
-- also the per-state counts of the statistics.
CREATE INDEX processes_by_priority ON processes (colony_name, state, prioritytime);
CREATE INDEX processes_by_start ON processes (colony_name, state, start_time);
CREATE INDEX processes_by_end ON processes (colony_name, state, end_time DESC);
-- getprocessesmsg with its exclusive filters (executortype > initiator > label).
CREATE INDEX processes_by_type ON processes (colony_name, executor_type, state);
CREATE INDEX processes_by_initiator ON processes (colony_name, initiator_name, state);
CREATE INDEX processes_by_label ON processes (colony_name, label, state);
-- getprocesshistmsg, retention.
CREATE INDEX processes_by_submission ON processes (colony_name, submission_time);
-- Removing an executor (or finding it stale) puts its running processes back.
CREATE INDEX processes_running_on ON processes (assigned_executor_id) WHERE state = 1;
-- The deadline loop: both partial, so they hold only the rows that can expire.
CREATE INDEX processes_exec_deadline ON processes (exec_deadline)
    WHERE state = 1 AND exec_deadline IS NOT NULL;
CREATE INDEX processes_wait_deadline ON processes (wait_deadline)
    WHERE state = 0 AND wait_deadline IS NOT NULL;
-- Workflow resolution walks one graph's processes.
CREATE INDEX processes_by_graph ON processes (processgraph_id) WHERE processgraph_id <> '';

CREATE TABLE attributes (
    -- SHA3-256(targetid + key + type): deterministic, so a duplicate key/type is refused.
    attribute_id    TEXT PRIMARY KEY,
    target_id       TEXT NOT NULL,
    colony_name     TEXT NOT NULL,
    processgraph_id TEXT NOT NULL DEFAULT '',
    -- IN 0, OUT 1, ERR 2, ENV 3.
    attribute_type  SMALLINT NOT NULL,
    key             TEXT NOT NULL,
    value           TEXT NOT NULL,
    state           SMALLINT NOT NULL DEFAULT 0,
    added           TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX attributes_by_target ON attributes (target_id, attribute_type);

CREATE TABLE logs (
    -- Insertion order, which "oldest first" and "latest" follow even when two logs share a
    -- nanosecond timestamp.
    log_id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    process_id    TEXT NOT NULL DEFAULT '',
    colony_name   TEXT NOT NULL,
    executor_name TEXT NOT NULL,
    -- Unix nanoseconds, the wire's "timestamp" and the `since` filter.
    ts            BIGINT NOT NULL,
    message       TEXT NOT NULL,
    added         TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX logs_by_process ON logs (process_id, log_id);
CREATE INDEX logs_by_executor ON logs (colony_name, executor_name, log_id);
-- searchlogsmsg (within the last `days`), retention.
CREATE INDEX logs_by_added ON logs (colony_name, added);

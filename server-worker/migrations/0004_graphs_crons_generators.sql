-- 0004 process graphs (workflows), crons and generators (protocol §4.6, §4.10, §4.11, §6.5, §6.6).
--
-- A graph is resolved by Postgres itself: a trigger on the state of workflow processes keeps
-- the graph's state and times, unblocks children whose parents all succeeded (setting their
-- `input` to the parents' outputs in parent order) and fails the waiting rest of a graph when
-- one of its processes fails. So every path that closes or fails a process (close, fail, the
-- deadline sweep, on any replica) resolves the graph in the same transaction, and the work per
-- close is O(children), not O(graph): each process counts the parents it still waits for and
-- each graph counts its successful processes.

CREATE TABLE processgraphs (
    processgraph_id  TEXT PRIMARY KEY,
    colony_name      TEXT NOT NULL,
    initiator_id     TEXT NOT NULL,
    initiator_name   TEXT NOT NULL,
    root_process_ids TEXT[] NOT NULL DEFAULT '{}',
    -- Every process of the graph, in submission order (addchildmsg appends).
    process_ids      TEXT[] NOT NULL DEFAULT '{}',
    -- WAITING 0, RUNNING 1, SUCCESS 2, FAILED 3, CANCELLED 4.
    state            SMALLINT NOT NULL DEFAULT 0 CHECK (state BETWEEN 0 AND 4),
    submission_time  TIMESTAMPTZ NOT NULL DEFAULT now(),
    start_time       TIMESTAMPTZ,
    end_time         TIMESTAMPTZ,
    -- How many processes the graph has, and how many of them succeeded.
    total            INTEGER NOT NULL DEFAULT 0,
    succeeded        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX processgraphs_by_colony ON processgraphs (colony_name, state, submission_time DESC);

-- How many parents a workflow process still waits for (0 for roots and standalone processes).
ALTER TABLE processes ADD COLUMN parents_left INTEGER NOT NULL DEFAULT 0;

CREATE FUNCTION colonies_resolve_graph() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Processes this function itself changes (a failure cascade) resolve nothing more.
    IF pg_trigger_depth() > 1 THEN
        RETURN NULL;
    END IF;
    IF NEW.state = 1 THEN
        UPDATE processgraphs SET state = 1, start_time = COALESCE(start_time, now())
        WHERE processgraph_id = NEW.processgraph_id AND state = 0;
        RETURN NULL;
    END IF;
    IF NEW.state NOT IN (2, 3) THEN
        RETURN NULL;
    END IF;
    -- Closes of one graph take turns here. Every statement below runs with a fresh snapshot,
    -- so it sees the outputs of parents closed by transactions that went before.
    PERFORM 1 FROM processgraphs WHERE processgraph_id = NEW.processgraph_id FOR UPDATE;
    IF NEW.state = 2 THEN
        UPDATE processes c
        SET parents_left = c.parents_left - 1,
            wait_for_parents = c.parents_left > 1,
            input = CASE WHEN c.parents_left > 1 THEN c.input ELSE COALESCE((
                SELECT jsonb_agg(x.e ORDER BY par.ord, x.n)
                FROM unnest(c.parents) WITH ORDINALITY AS par(id, ord)
                JOIN processes pp ON pp.process_id = par.id
                CROSS JOIN LATERAL jsonb_array_elements(pp.output) WITH ORDINALITY AS x(e, n)),
                '[]'::jsonb) END
        WHERE c.process_id = ANY(NEW.children) AND c.state = 0 AND c.parents_left > 0;
        UPDATE processgraphs
        SET succeeded = succeeded + 1,
            state = CASE WHEN state IN (3, 4) THEN state
                         WHEN succeeded + 1 >= total THEN 2 ELSE 1 END,
            start_time = COALESCE(start_time, now()),
            end_time = CASE WHEN state NOT IN (3, 4) AND succeeded + 1 >= total
                            THEN now() ELSE end_time END
        WHERE processgraph_id = NEW.processgraph_id;
    ELSE
        -- A failed process fails its graph, and nothing still waiting in it can run (Go sets
        -- the state only; running processes finish and are closed by their executors).
        UPDATE processgraphs SET state = 3, end_time = COALESCE(end_time, now())
        WHERE processgraph_id = NEW.processgraph_id AND state <> 3;
        UPDATE processes SET state = 3
        WHERE processgraph_id = NEW.processgraph_id AND state = 0;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER processes_resolve_graph
    AFTER UPDATE OF state ON processes
    FOR EACH ROW
    WHEN (NEW.processgraph_id <> '' AND OLD.state IS DISTINCT FROM NEW.state)
    EXECUTE FUNCTION colonies_resolve_graph();

CREATE TABLE crons (
    cron_id              TEXT PRIMARY KEY,
    colony_name          TEXT NOT NULL,
    name                 TEXT NOT NULL,
    initiator_id         TEXT NOT NULL,
    initiator_name       TEXT NOT NULL,
    cron_expression      TEXT NOT NULL DEFAULT '',
    -- Seconds between runs; -1: follow the cron expression.
    interval_seconds     BIGINT NOT NULL,
    random               BOOLEAN NOT NULL DEFAULT FALSE,
    -- NULL until the first sweep computes it.
    next_run             TIMESTAMPTZ,
    last_run             TIMESTAMPTZ,
    workflow_spec        TEXT NOT NULL,
    prev_processgraph_id TEXT NOT NULL DEFAULT '',
    wait_for_prev        BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (colony_name, name)
);
CREATE INDEX crons_due ON crons (next_run);

CREATE TABLE generators (
    generator_id   TEXT PRIMARY KEY,
    colony_name    TEXT NOT NULL,
    name           TEXT NOT NULL,
    initiator_id   TEXT NOT NULL,
    initiator_name TEXT NOT NULL,
    workflow_spec  TEXT NOT NULL,
    trigger        BIGINT NOT NULL,
    timeout        BIGINT NOT NULL,
    first_pack     TIMESTAMPTZ,
    last_run       TIMESTAMPTZ,
    UNIQUE (colony_name, name)
);

CREATE TABLE generator_args (
    seq          BIGSERIAL PRIMARY KEY,
    generator_id TEXT NOT NULL,
    colony_name  TEXT NOT NULL,
    arg          TEXT NOT NULL,
    added        TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX generator_args_by_generator ON generator_args (generator_id, seq);

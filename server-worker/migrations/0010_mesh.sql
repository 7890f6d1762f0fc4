-- 0010 the service mesh (CryptoMesh's catalog, /api/v1): its records, and the link that makes
-- a function's state and results follow the process an invoke submitted.
--
-- One table for the nine kinds: every record is the JSON of its colonies_core::mesh type
-- (fields the API never answers with, like a function's endpoint_id, included), keyed by its
-- colony, its kind (the collection's path segment) and its id. Relations between records are
-- ids inside the JSON, unchecked, as CryptoMesh keeps them. seq keeps the order records were
-- created in, which lists follow.
CREATE TABLE mesh_records (
    colony_name TEXT   NOT NULL REFERENCES colonies (name) ON DELETE CASCADE,
    kind        TEXT   NOT NULL,
    id          TEXT   NOT NULL,
    record      JSONB  NOT NULL,
    seq         BIGINT GENERATED ALWAYS AS IDENTITY,
    PRIMARY KEY (colony_name, kind, id)
);
CREATE INDEX mesh_records_order ON mesh_records (colony_name, kind, seq);

-- The function state an invoke created for this process ('' for every other process). Adding a
-- column with a constant default rewrites nothing.
ALTER TABLE processes ADD COLUMN mesh_state_id TEXT NOT NULL DEFAULT '';

-- RFC 3339 in UTC with microseconds: how mesh timestamps are written.
CREATE FUNCTION mesh_now() RETURNS TEXT LANGUAGE sql STABLE AS $$
    SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;

-- An invoked process changed state: its function state says so (pending, running, completed,
-- failed, cancelled), and once it has ended its function result holds its output or errors
-- (result_id = the process ID). Runs only for processes an invoke linked (the WHEN clause
-- reads the row alone, so other processes pay nothing but that test), and when the link is
-- made, so a process that moved on before it was linked is caught up.
CREATE FUNCTION mesh_follow_process() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    label TEXT := CASE NEW.state WHEN 0 THEN 'pending' WHEN 1 THEN 'running'
                  WHEN 2 THEN 'completed' WHEN 3 THEN 'failed' ELSE 'cancelled' END;
    function_id TEXT;
BEGIN
    UPDATE mesh_records
       SET record = record || jsonb_build_object('state', label, 'timestamp', mesh_now())
     WHERE colony_name = NEW.colony_name AND kind = 'function-states' AND id = NEW.mesh_state_id
    RETURNING record ->> 'function_id' INTO function_id;
    IF function_id IS NOT NULL AND NEW.state >= 2 THEN
        INSERT INTO mesh_records (colony_name, kind, id, record)
        VALUES (NEW.colony_name, 'function-results', NEW.process_id, jsonb_build_object(
            'result_id', NEW.process_id,
            'function_id', function_id,
            'metadata', jsonb_build_object(
                'process_id', NEW.process_id,
                'state', label,
                'output', NEW.output::text,
                'errors', to_jsonb(NEW.errors)::text),
            'timestamp', mesh_now()))
        ON CONFLICT (colony_name, kind, id) DO UPDATE SET record = EXCLUDED.record;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER mesh_follow_process AFTER UPDATE OF state, mesh_state_id ON processes
    FOR EACH ROW
    WHEN (NEW.mesh_state_id <> '' AND (NEW.state IS DISTINCT FROM OLD.state
                                       OR NEW.mesh_state_id IS DISTINCT FROM OLD.mesh_state_id))
    EXECUTE FUNCTION mesh_follow_process();

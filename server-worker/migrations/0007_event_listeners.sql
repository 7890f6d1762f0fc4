-- 0007 events only while someone listens.
--
-- A transaction that NOTIFYs takes one database-wide lock at commit and keeps it through its
-- WAL flush, so every writer that notifies commits one after the other: with the triggers
-- of 0003 on every submit, assign and close, that lock was where a busy server spent its
-- time (pg_stat_activity: most backends waiting on "Lock: object"). Most of the time nobody
-- subscribes at all, so the triggers now notify only while some server has /pubsub
-- subscribers, which it announces here (and keeps announcing while they last).
--
-- No event may be lost to the gate. A writer's trigger takes the shared advisory lock
-- "col_evts" and then looks for announcements with a fresh snapshot (a VOLATILE function
-- runs each statement with a new one); a server announces under the same lock taken
-- exclusively, and its subscriptions read the state they start from only after that. So
-- a write either committed before the announcement (the subscriber's first read sees it) or
-- its trigger saw the announcement (it notifies).

CREATE TABLE event_listeners (
    server_id TEXT PRIMARY KEY,
    -- The announcement lapses unless renewed: a server that died stops costing NOTIFYs.
    until     TIMESTAMPTZ NOT NULL
);

CREATE FUNCTION colonies_events_wanted() RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(7165064689149703283); -- "col_evts" in ASCII
    RETURN EXISTS (SELECT 1 FROM event_listeners WHERE until > now());
END
$$;

-- A process submitted while an executor of the server waits for it is inserted RUNNING,
-- already assigned: it is announced as WAITING first, so WAITING subscribers see every
-- submitted process as before.
CREATE OR REPLACE FUNCTION colonies_notify_process_state() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    payload TEXT;
    state SMALLINT;
BEGIN
    IF NOT colonies_events_wanted() THEN
        RETURN NULL;
    END IF;
    FOREACH state IN ARRAY CASE WHEN TG_OP = 'INSERT' AND NEW.state = 1
                                THEN ARRAY[0, 1]::SMALLINT[]
                                ELSE ARRAY[NEW.state]::SMALLINT[] END LOOP
        payload := json_build_object(
            'processid', NEW.process_id,
            'colonyname', NEW.colony_name,
            'executortype', NEW.executor_type,
            'state', state)::text;
        IF octet_length(payload) > 7900 THEN
            payload := json_build_object('processid', NEW.process_id, 'state', state)::text;
        END IF;
        PERFORM pg_notify('colonies_process_state', payload);
    END LOOP;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION colonies_notify_channel() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    process TEXT;
    channel TEXT;
    payload TEXT;
BEGIN
    IF NOT colonies_events_wanted() THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN
        process := OLD.process_id;
        channel := OLD.name;
    ELSE
        process := NEW.process_id;
        channel := NEW.name;
    END IF;
    payload := json_build_object('processid', process, 'name', channel)::text;
    IF octet_length(payload) > 7900 THEN
        payload := json_build_object('processid', process)::text;
    END IF;
    PERFORM pg_notify('colonies_channel', payload);
    RETURN NULL;
END
$$;

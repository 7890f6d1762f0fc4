-- 0003 process and channel events for the /pubsub WebSocket (protocol §7).
--
-- Subscribers learn about changes from Postgres itself, not from the code paths that write:
-- a trigger NOTIFYs on every process state change and on every channel append, whoever made
-- it (submit, assign, close, cancel, the deadline sweep, workflows) and on whichever replica.
-- NOTIFY is transactional: the event is delivered when the write commits, never for a write
-- that rolled back. Each server LISTENs on one connection and fans events out to its sockets.
--
-- Payloads are small JSON objects; subscribers read the row itself when they need it.
-- Postgres refuses payloads of 8000 bytes or more, and a refused NOTIFY would fail the write,
-- so a payload that would be that long (absurdly long colony or type names) drops the names:
-- subscribers of that one process are still told, subscribers of colony + type are not.

CREATE FUNCTION colonies_notify_process_state() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    payload TEXT := json_build_object(
        'processid', NEW.process_id,
        'colonyname', NEW.colony_name,
        'executortype', NEW.executor_type,
        'state', NEW.state)::text;
BEGIN
    IF octet_length(payload) > 7900 THEN
        payload := json_build_object('processid', NEW.process_id, 'state', NEW.state)::text;
    END IF;
    PERFORM pg_notify('colonies_process_state', payload);
    RETURN NULL;
END
$$;

-- A process enters its first state on insert, unless it is a workflow child still waiting
-- for its parents: like Go, that one is announced when the parents are done.
CREATE TRIGGER processes_inserted_event
    AFTER INSERT ON processes
    FOR EACH ROW
    WHEN (NOT NEW.wait_for_parents)
    EXECUTE FUNCTION colonies_notify_process_state();

-- State changes (assign, close, cancel, unassign, deadline failures), an assignment, and a
-- workflow child whose parents finished (it becomes runnable while staying WAITING). Updates
-- that rewrite a column with its old value announce nothing.
CREATE TRIGGER processes_state_event
    AFTER UPDATE OF state, is_assigned, wait_for_parents ON processes
    FOR EACH ROW
    WHEN (OLD.state IS DISTINCT FROM NEW.state
          OR (NOT OLD.is_assigned AND NEW.is_assigned)
          OR (OLD.wait_for_parents AND NOT NEW.wait_for_parents))
    EXECUTE FUNCTION colonies_notify_process_state();

CREATE FUNCTION colonies_notify_channel() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    process TEXT;
    channel TEXT;
    payload TEXT;
BEGIN
    IF TG_OP = 'DELETE' THEN
        process := OLD.process_id;
        channel := OLD.name;
    ELSE
        process := NEW.process_id;
        channel := NEW.name;
    END IF;
    payload := json_build_object('processid', process, 'name', channel)::text;
    IF octet_length(payload) > 7900 THEN
        -- Every subscriber of the process re-reads its own channel instead.
        payload := json_build_object('processid', process)::text;
    END IF;
    PERFORM pg_notify('colonies_channel', payload);
    RETURN NULL;
END
$$;

-- Every append, in the append's own transaction.
CREATE TRIGGER channel_entries_appended_event
    AFTER INSERT ON channel_entries
    FOR EACH ROW
    EXECUTE FUNCTION colonies_notify_channel();

-- A channel removed with its finished process: subscribers end their stream.
CREATE TRIGGER channels_removed_event
    AFTER DELETE ON channels
    FOR EACH ROW
    EXECUTE FUNCTION colonies_notify_channel();

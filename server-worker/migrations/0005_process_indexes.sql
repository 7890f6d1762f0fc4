-- 0005 process indexes, as the queries use them.
--
-- Every state change of a process rewrites its row in a new place (the state is indexed, so
-- no HOT update), and the new version gets an entry in every index whose predicate it meets.
-- The per-state orderings of getprocessesmsg therefore become partial indexes: a process has
-- an entry in the one of its current state only, instead of one in each of three on every
-- change. The list queries name the state as a literal so the planner can match them.
-- (EXPLAIN on 1M processes: docs in the process store, server-worker/src/store/processes.rs.)

DROP INDEX processes_by_priority;
DROP INDEX processes_by_start;
DROP INDEX processes_by_end;

-- WAITING, by prioritytime.
CREATE INDEX processes_waiting ON processes (colony_name, prioritytime) WHERE state = 0;
-- RUNNING, by start time.
CREATE INDEX processes_running ON processes (colony_name, start_time) WHERE state = 1;
-- SUCCESS, FAILED, CANCELLED, newest end first.
CREATE INDEX processes_finished ON processes (colony_name, state, end_time DESC) WHERE state >= 2;

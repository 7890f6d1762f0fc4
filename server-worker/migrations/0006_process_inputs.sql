-- 0006 a child's input gathered as its parents close, not when the last one does.
--
-- Before, the close of a child's last parent built the child's `input` from all its parents'
-- outputs: O(parents) under the graph's lock, 5 ms of that close for a 998-parent sink. Now
-- every successful parent leaves its output for each waiting child as one row here (its
-- position in the child's `parents` orders it), so every close is O(children) and the last one
-- only lets the child go. Reads assemble `in` from these rows (COLUMNS in the process store);
-- a process without rows (roots, crons' roots, children resolved before this migration)
-- keeps the `input` column.

CREATE TABLE process_inputs (
    child_id  TEXT NOT NULL REFERENCES processes (process_id) ON DELETE CASCADE,
    -- The parent's 1-based position in the child's `parents`.
    ord       INTEGER NOT NULL,
    output    JSONB NOT NULL,
    PRIMARY KEY (child_id, ord)
);

-- Children waiting now: the outputs of their parents that already succeeded.
INSERT INTO process_inputs (child_id, ord, output)
SELECT c.process_id, par.ord, pp.output
FROM processes c
CROSS JOIN LATERAL unnest(c.parents) WITH ORDINALITY AS par(id, ord)
JOIN processes pp ON pp.process_id = par.id
WHERE c.state = 0 AND c.wait_for_parents AND pp.state = 2;

CREATE OR REPLACE FUNCTION colonies_resolve_graph() RETURNS trigger
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
    -- Closes of one graph take turns here.
    PERFORM 1 FROM processgraphs WHERE processgraph_id = NEW.processgraph_id FOR UPDATE;
    IF NEW.state = 2 THEN
        INSERT INTO process_inputs (child_id, ord, output)
        SELECT c.process_id, array_position(c.parents, NEW.process_id), NEW.output
        FROM processes c
        WHERE c.process_id = ANY(NEW.children) AND c.state = 0 AND c.parents_left > 0
        ON CONFLICT (child_id, ord) DO NOTHING;
        UPDATE processes c
        SET parents_left = c.parents_left - 1,
            wait_for_parents = c.parents_left > 1
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

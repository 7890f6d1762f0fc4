//! Process graphs (protocol §4.6, §6.6): inserting a whole workflow in one statement per
//! table, reading graphs and their nodes, cancel, removal and `addchildmsg`.
//!
//! Resolution (unblocking children, failure cascade, graph state and times) is not here: the
//! `processes_resolve_graph` trigger of migration 0004 does it inside whichever statement
//! closes or fails a workflow process. [`ready_children`] tells the close handler whom to wake.

use super::processes::{COLUMNS, from_row, process_state, time};
use crate::wakeups::Ready;
use colonies_core::graph::{self, Initiator, NewNode, NodeRow};
use colonies_core::{
    Failure,
    model::{Process, ProcessGraph, WorkflowSpec},
};
use serde_json::{Value, json};
use tokio_postgres::{Error, GenericClient, Row};

/// The database clock, Unix nanoseconds.
pub async fn now_ns(client: &impl GenericClient) -> Result<i64, Error> {
    let row =
        client.query_one("SELECT (EXTRACT(EPOCH FROM now()) * 1000000000)::bigint", &[]).await?;
    Ok(row.get(0))
}

fn node_row(n: &NewNode) -> Value {
    let p = &n.process;
    let c = &p.spec.conditions;
    let int = |v: i64| i32::try_from(v).unwrap_or(if v < 0 { i32::MIN } else { i32::MAX });
    json!({
        "process_id": p.processid,
        "colony_name": c.colonyname,
        "executor_type": c.executortype,
        "target_executor_names": c.executornames,
        "location_name": c.locationname,
        "initiator_id": p.initiatorid,
        "initiator_name": p.initiatorname,
        "priority": int(p.spec.priority),
        "prioritytime": p.prioritytime,
        "submission_ns": p.submissiontime.unix_nanos().unwrap_or_default(),
        "wait_deadline_ns": p.waitdeadline.unix_nanos(),
        "max_wait_time": int(p.spec.maxwaittime),
        "max_exec_time": int(p.spec.maxexectime),
        "max_retries": int(p.spec.maxretries),
        "cpu": n.cpu,
        "memory": n.memory,
        "storage": n.storage,
        "funcname": p.spec.funcname,
        "label": p.spec.label,
        "wait_for_parents": p.waitforparents,
        "parents_left": i32::try_from(p.parents.len()).unwrap_or(i32::MAX),
        "spec": p.spec,
        "processgraph_id": p.processgraphid,
        "parents": p.parents,
        "children": p.children,
        "input": p.input,
    })
}

/// Builds `spec` into a graph ([`graph::build`]) and inserts it with its processes on
/// `client` (call it inside a transaction). The outer error is the database's; the inner one
/// says the workflow is invalid. Returns the graph and its nodes.
pub async fn create(
    client: &impl GenericClient,
    spec: WorkflowSpec,
    initiator: &Initiator,
    root_input: &[Value],
) -> Result<Result<(ProcessGraph, Vec<NewNode>), Failure>, Error> {
    let now = now_ns(client).await?;
    let (graph, nodes) =
        match graph::build(spec, initiator, now, root_input, &mut crate::ids::new_id) {
            Ok(built) => built,
            Err(e) => return Ok(Err(e)),
        };
    insert_graph(client, &graph).await?;
    insert_nodes(client, &nodes).await?;
    Ok(Ok((graph, nodes)))
}

/// The wakeups of a new graph's roots.
pub fn root_wakeups(nodes: &[NewNode]) -> Vec<Ready> {
    nodes
        .iter()
        .filter(|n| n.process.parents.is_empty())
        .map(|n| {
            let c = &n.process.spec.conditions;
            Ready {
                colony: c.colonyname.clone(),
                executor_type: c.executortype.clone(),
                executor_names: c.executornames.clone(),
                location: c.locationname.clone(),
            }
        })
        .collect()
}

/// Inserts processes (and their ENV attributes) in one statement each, from JSON rows.
pub async fn insert_nodes(client: &impl GenericClient, nodes: &[NewNode]) -> Result<(), Error> {
    let rows = Value::Array(nodes.iter().map(node_row).collect()).to_string();
    client
        .execute(
            "INSERT INTO processes (process_id, colony_name, executor_type, target_executor_names,
                location_name, state, initiator_id, initiator_name, priority, prioritytime,
                submission_time, wait_deadline, max_wait_time, max_exec_time, max_retries,
                cpu, memory, storage, funcname, label, wait_for_parents, parents_left, spec,
                processgraph_id, parents, children, input)
             SELECT r.process_id, r.colony_name, r.executor_type, r.target_executor_names,
                r.location_name, 0, r.initiator_id, r.initiator_name, r.priority, r.prioritytime,
                TIMESTAMPTZ 'epoch' + (r.submission_ns / 1000) * INTERVAL '1 microsecond',
                TIMESTAMPTZ 'epoch' + (r.wait_deadline_ns / 1000) * INTERVAL '1 microsecond',
                r.max_wait_time, r.max_exec_time, r.max_retries, r.cpu, r.memory, r.storage,
                r.funcname, r.label, r.wait_for_parents, r.parents_left, r.spec,
                r.processgraph_id, r.parents, r.children, r.input
             FROM jsonb_to_recordset($1::text::jsonb) AS r(process_id text, colony_name text,
                executor_type text, target_executor_names text[], location_name text,
                initiator_id text, initiator_name text, priority int, prioritytime bigint,
                submission_ns bigint, wait_deadline_ns bigint, max_wait_time int,
                max_exec_time int, max_retries int, cpu bigint, memory bigint, storage bigint,
                funcname text, label text, wait_for_parents boolean, parents_left int,
                spec jsonb, processgraph_id text, parents text[], children text[], input jsonb)",
            &[&rows],
        )
        .await?;
    let attributes: Vec<Value> = nodes
        .iter()
        .flat_map(|n| n.process.attributes.iter())
        .map(|a| {
            json!({ "id": a.attributeid, "target": a.targetid, "colony": a.targetcolonyname,
                    "graph": a.targetprocessgraphid, "key": a.key, "value": a.value })
        })
        .collect();
    if !attributes.is_empty() {
        client
            .execute(
                "INSERT INTO attributes (attribute_id, target_id, colony_name, processgraph_id,
                    attribute_type, key, value)
                 SELECT a.id, a.target, a.colony, a.graph, 3, a.key, a.value
                 FROM jsonb_to_recordset($1::text::jsonb)
                   AS a(id text, target text, colony text, graph text, key text, value text)",
                &[&Value::Array(attributes).to_string()],
            )
            .await?;
    }
    Ok(())
}

/// Inserts a graph row (its processes go in with [`insert_nodes`]).
pub async fn insert_graph(client: &impl GenericClient, g: &ProcessGraph) -> Result<(), Error> {
    let total = i32::try_from(g.processids.len()).unwrap_or(i32::MAX);
    let submitted = g.submissiontime.unix_nanos().unwrap_or_default();
    client
        .execute(
            "INSERT INTO processgraphs (processgraph_id, colony_name, initiator_id,
                initiator_name, root_process_ids, process_ids, state, submission_time, total)
             VALUES ($1, $2, $3, $4, $5, $6, 0,
                TIMESTAMPTZ 'epoch' + ($7::bigint / 1000) * INTERVAL '1 microsecond', $8)",
            &[
                &g.processgraphid,
                &g.colonyname,
                &g.initiatorid,
                &g.initiatorname,
                &g.rootprocessids,
                &g.processids,
                &submitted,
                &total,
            ],
        )
        .await
        .map(drop)
}

const GRAPH_COLUMNS: &str = "g.processgraph_id, g.initiator_id, g.initiator_name, g.colony_name,
    g.root_process_ids, g.state,
    (EXTRACT(EPOCH FROM g.submission_time) * 1000000000)::bigint,
    (EXTRACT(EPOCH FROM g.start_time) * 1000000000)::bigint,
    (EXTRACT(EPOCH FROM g.end_time) * 1000000000)::bigint,
    g.process_ids";

fn graph_from_row(row: &Row) -> ProcessGraph {
    ProcessGraph {
        processgraphid: row.get(0),
        initiatorid: row.get(1),
        initiatorname: row.get(2),
        colonyname: row.get(3),
        rootprocessids: row.get(4),
        state: process_state(row.get(5)),
        submissiontime: time(row.get(6)),
        starttime: time(row.get(7)),
        endtime: time(row.get(8)),
        processids: row.get(9),
        nodes: Vec::new(),
        edges: Vec::new(),
    }
}

/// One graph (without drawn nodes and edges); `None` if there is none.
pub async fn get(client: &impl GenericClient, id: &str) -> Result<Option<ProcessGraph>, Error> {
    let sql = format!("SELECT {GRAPH_COLUMNS} FROM processgraphs g WHERE g.processgraph_id = $1");
    Ok(client.query_opt(&sql, &[&id]).await?.as_ref().map(graph_from_row))
}

/// The drawing facts of every process of a graph.
pub async fn node_rows(client: &impl GenericClient, id: &str) -> Result<Vec<NodeRow>, Error> {
    let rows = client
        .query(
            "SELECT process_id, COALESCE(spec->>'nodename', ''), state, children
             FROM processes WHERE processgraph_id = $1",
            &[&id],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| NodeRow {
            id: r.get(0),
            nodename: r.get(1),
            state: process_state(r.get(2)),
            children: r.get(3),
        })
        .collect())
}

/// Up to `count` graphs of the colony in `state`, newest submission first.
pub async fn list(
    client: &impl GenericClient,
    colony: &str,
    state: i16,
    count: i64,
) -> Result<Vec<ProcessGraph>, Error> {
    let sql = format!(
        "SELECT {GRAPH_COLUMNS} FROM processgraphs g
         WHERE g.colony_name = $1 AND g.state = $2
         ORDER BY g.submission_time DESC LIMIT $3"
    );
    let rows = client.query(&sql, &[&colony, &state, &count]).await?;
    Ok(rows.iter().map(graph_from_row).collect())
}

/// How many graphs of `colony` are in each state: waiting, running, successful, failed,
/// cancelled (`getcolonystatsmsg`). One pass over the colony's entries of
/// `processgraphs_by_colony`, whose keys hold the state.
pub async fn colony_counts(client: &impl GenericClient, colony: &str) -> Result<[i64; 5], Error> {
    let row = client
        .query_one(
            "SELECT count(*) FILTER (WHERE state = 0),
                    count(*) FILTER (WHERE state = 1),
                    count(*) FILTER (WHERE state = 2),
                    count(*) FILTER (WHERE state = 3),
                    count(*) FILTER (WHERE state = 4)
             FROM processgraphs WHERE colony_name = $1",
            &[&colony],
        )
        .await?;
    Ok([row.get(0), row.get(1), row.get(2), row.get(3), row.get(4)])
}

/// Deletes a graph that is not running with its processes and their attributes; false if
/// there is no such graph or it is running.
pub async fn remove(client: &impl GenericClient, id: &str) -> Result<bool, Error> {
    let row = client
        .query_one(
            "WITH g AS (DELETE FROM processgraphs WHERE processgraph_id = $1 AND state <> 1
                        RETURNING processgraph_id),
                  p AS (DELETE FROM processes USING g
                        WHERE processes.processgraph_id = g.processgraph_id
                        RETURNING processes.process_id),
                  a AS (DELETE FROM attributes USING p WHERE attributes.target_id = p.process_id)
             SELECT count(*) FROM g",
            &[&id],
        )
        .await?;
    Ok(row.get::<_, i64>(0) == 1)
}

/// Deletes the colony's graphs in `state` (`None`: all) with their processes; how many.
pub async fn remove_all(
    client: &impl GenericClient,
    colony: &str,
    state: Option<i16>,
) -> Result<i64, Error> {
    let row = client
        .query_one(
            "WITH g AS (DELETE FROM processgraphs
                        WHERE colony_name = $1 AND ($2::smallint IS NULL OR state = $2)
                        RETURNING processgraph_id),
                  p AS (DELETE FROM processes USING g
                        WHERE processes.processgraph_id = g.processgraph_id
                        RETURNING processes.process_id),
                  a AS (DELETE FROM attributes USING p WHERE attributes.target_id = p.process_id)
             SELECT count(*) FROM g",
            &[&colony, &state],
        )
        .await?;
    Ok(row.get(0))
}

/// Cancels a graph: its WAITING and RUNNING processes and the graph become CANCELLED (a
/// graph already finished stays as it is). False if there is no such graph.
pub async fn cancel(client: &impl GenericClient, id: &str) -> Result<bool, Error> {
    let row = client
        .query_opt("SELECT 1 FROM processgraphs WHERE processgraph_id = $1 FOR UPDATE", &[&id])
        .await?;
    if row.is_none() {
        return Ok(false);
    }
    client
        .execute(
            "UPDATE processes SET state = 4, end_time = now(), exec_deadline = NULL
             WHERE processgraph_id = $1 AND state IN (0, 1)",
            &[&id],
        )
        .await?;
    client
        .execute(
            "UPDATE processgraphs SET state = 4, end_time = now()
             WHERE processgraph_id = $1 AND state IN (0, 1)",
            &[&id],
        )
        .await?;
    Ok(true)
}

/// The children of `process_id` that are assignable now (parents all succeeded), as wakeups.
pub async fn ready_children(
    client: &impl GenericClient,
    process_id: &str,
) -> Result<Vec<Ready>, Error> {
    let rows = client
        .query(
            "SELECT c.colony_name, c.executor_type, c.target_executor_names, c.location_name
             FROM processes p JOIN processes c ON c.process_id = ANY(p.children)
             WHERE p.process_id = $1 AND c.state = 0 AND NOT c.wait_for_parents
               AND NOT c.is_assigned",
            &[&process_id],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| Ready {
            colony: r.get(0),
            executor_type: r.get(1),
            executor_names: r.get(2),
            location: r.get(3),
        })
        .collect())
}

/// The outputs of a graph's leaves (processes without children), concatenated in the
/// graph's process order; `None` when the graph does not exist (any more).
pub async fn leaf_outputs(
    client: &impl GenericClient,
    graph_id: &str,
) -> Result<Option<Vec<Value>>, Error> {
    let row = client
        .query_opt(
            "SELECT (SELECT COALESCE(jsonb_agg(x.e ORDER BY ids.ord, x.n), '[]'::jsonb)::text
                     FROM unnest(g.process_ids) WITH ORDINALITY AS ids(id, ord)
                     JOIN processes p ON p.process_id = ids.id AND cardinality(p.children) = 0
                     CROSS JOIN LATERAL jsonb_array_elements(p.output) WITH ORDINALITY AS x(e, n))
             FROM processgraphs g WHERE g.processgraph_id = $1",
            &[&graph_id],
        )
        .await?;
    Ok(row.map(|r| {
        r.get::<_, Option<&str>>(0).and_then(|t| serde_json::from_str(t).ok()).unwrap_or_default()
    }))
}

/// The state of a graph; `None` if there is none.
pub async fn state(client: &impl GenericClient, graph_id: &str) -> Result<Option<i16>, Error> {
    let row = client
        .query_opt("SELECT state FROM processgraphs WHERE processgraph_id = $1", &[&graph_id])
        .await?;
    Ok(row.map(|r| r.get(0)))
}

/// Locks a running process for `addchildmsg` and reads it; `None` if it does not exist.
pub async fn lock_process(
    client: &impl GenericClient,
    process_id: &str,
) -> Result<Option<Process>, Error> {
    let sql = format!("SELECT {COLUMNS} FROM processes p WHERE p.process_id = $1 FOR UPDATE");
    Ok(client.query_opt(&sql, &[&process_id]).await?.map(|r| from_row(&r, 0)))
}

/// Wires a new child (already inserted with [`insert_nodes`], parent = `parent`) into the
/// graph. `insert`: it takes over the parent's children; else it is one more child of the
/// parent and, when `child` is not empty, a parent of `child` too. Call with the parent
/// locked by [`lock_process`].
pub async fn wire_child(
    client: &impl GenericClient,
    graph_id: &str,
    parent: &str,
    new_id: &str,
    child: &str,
    insert: bool,
) -> Result<(), Error> {
    if insert {
        client
            .execute(
                "UPDATE processes c SET parents = array_replace(c.parents, $1, $2)
                 FROM processes p WHERE p.process_id = $1 AND c.process_id = ANY(p.children)",
                &[&parent, &new_id],
            )
            .await?;
        client
            .execute(
                "UPDATE processes n SET children = p.children
                 FROM processes p WHERE p.process_id = $1 AND n.process_id = $2",
                &[&parent, &new_id],
            )
            .await?;
        client
            .execute(
                "UPDATE processes SET children = ARRAY[$2] WHERE process_id = $1",
                &[&parent, &new_id],
            )
            .await?;
    } else {
        client
            .execute(
                "UPDATE processes SET children = array_append(children, $2) WHERE process_id = $1",
                &[&parent, &new_id],
            )
            .await?;
        if !child.is_empty() {
            client
                .execute(
                    "UPDATE processes SET children = array_append(children, $2)
                     WHERE process_id = $1",
                    &[&new_id, &child],
                )
                .await?;
            client
                .execute(
                    "UPDATE processes SET parents = array_append(parents, $1),
                        parents_left = parents_left + 1, wait_for_parents = TRUE
                     WHERE process_id = $2 AND state = 0",
                    &[&new_id, &child],
                )
                .await?;
        }
    }
    client
        .execute(
            "UPDATE processgraphs SET process_ids = array_append(process_ids, $2),
                total = total + 1,
                state = CASE WHEN state = 2 THEN 1 ELSE state END,
                end_time = CASE WHEN state = 2 THEN NULL ELSE end_time END
             WHERE processgraph_id = $1",
            &[&graph_id, &new_id],
        )
        .await
        .map(drop)
}

/// Whether `child` is a process of `graph_id` (addchildmsg's `childprocessid`).
pub async fn in_graph(
    client: &impl GenericClient,
    graph_id: &str,
    process_id: &str,
) -> Result<bool, Error> {
    let row = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM processes WHERE process_id = $1 AND processgraph_id = $2)",
            &[&process_id, &graph_id],
        )
        .await?;
    Ok(row.get(0))
}

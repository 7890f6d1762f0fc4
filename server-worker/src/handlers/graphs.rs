//! Process graphs (protocol §4.6, §6.6): submit a workflow, get and list graphs, cancel and
//! remove them, and grow a running graph with `addchildmsg`.
//!
//! Resolution happens in Postgres (migration 0004's trigger) in the statement that closes a
//! process; [`after_close`] only wakes executors for the children that became assignable.
//!
//! Differences from Go, on purpose: an unknown graph is 404 (Go: 500); an invalid workflow is
//! 400 (Go: 500); a workflow with a dependency cycle is refused instead of never finishing.

use super::{Cx, authorize, bad_request, not_found};
use crate::{
    db::DbConn,
    error::Error,
    host::Host,
    ids::new_id,
    store,
    wakeups::{Ready, Wakeups},
};
use colonies_core::graph::{self, Initiator, NodeRow};
use colonies_core::{
    message::{
        AddChildMsg, CancelProcessGraphMsg, Empty, GetProcessGraphMsg, GetProcessGraphsMsg,
        Message, RemoveAllProcessGraphsMsg, RemoveProcessGraphMsg, SubmitWorkflowSpecMsg,
    },
    model::{ExecutorState, Process, ProcessGraph, ProcessState, StateFilter, WorkflowSpec},
    rules::{
        AuthError,
        lifecycle::{self, TransitionError},
    },
};
use serde_json::Value;
use tokio_postgres::Client;

/// Most graphs one `getprocessgraphsmsg` returns.
pub const MAX_COUNT: i64 = 100;

/// An unknown graph, led by `go`: the words of Go's handler.
fn unknown_graph(go: &str, id: &str) -> Error {
    not_found(format!("{go}: process graph with ID {id} does not exist"))
}

/// Builds `spec` into a graph and inserts it with all its processes in one transaction on
/// `client`; returns the graph (with nodes and edges drawn) and the wakeups of its roots,
/// to publish after the commit. Shared by submit, crons and generators.
pub async fn create(
    client: &mut Client,
    spec: WorkflowSpec,
    initiator: &Initiator,
    root_input: &[Value],
) -> Result<(ProcessGraph, Vec<Ready>), Error> {
    let tx = client.transaction().await?;
    let (graph, nodes) = store::graphs::create(&tx, spec, initiator, root_input).await??;
    tx.commit().await?;
    let wake = store::graphs::root_wakeups(&nodes);
    let rows: Vec<NodeRow> = nodes
        .iter()
        .map(|n| NodeRow {
            id: n.process.processid.clone(),
            nodename: n.process.spec.nodename.clone(),
            state: n.process.state,
            children: n.process.children.clone(),
        })
        .collect();
    let mut graph = graph;
    graph::draw(&mut graph, &rows);
    Ok((graph, wake))
}

/// `submitworkflowspecmsg`: an approved member of `spec.colonyname` submits a workflow; the
/// reply is the WAITING graph. Only its roots are assignable, and they are announced.
pub async fn submit<H: Host>(
    cx: Cx<'_, H>,
    m: SubmitWorkflowSpecMsg,
) -> Result<ProcessGraph, Error> {
    let mut conn = cx.db().await?;
    let (client, statements) = conn.parts();
    let facts =
        store::processes::member_facts(client, &statements, cx.caller, &m.spec.colonyname).await?;
    facts.rows.require(SubmitWorkflowSpecMsg::ROLE, cx.caller, None, None)?;
    let name = facts
        .rows
        .executors
        .iter()
        .find(|e| e.state == ExecutorState::Approved)
        .map(|e| e.executorname.clone())
        .or_else(|| facts.rows.users.first().map(|u| u.name.clone()))
        .ok_or_else(|| bad_request("Could not derive InitiatorName"))?;
    let initiator = Initiator { id: cx.caller.into(), name };
    let (graph, wake) = create(client, m.spec, &initiator, &[]).await?;
    drop(conn);
    for ready in wake {
        cx.host.wakeups().publish(ready);
    }
    Ok(graph)
}

/// Reads a graph and checks the caller against its colony; 404 when unknown.
async fn read_authorized<C: DbConn>(
    conn: &mut C,
    role: colonies_core::message::Role,
    caller: &str,
    id: &str,
    go: &str,
) -> Result<ProcessGraph, Error> {
    let graph = {
        let (client, _) = conn.parts();
        store::graphs::get(&*client, id).await?.ok_or_else(|| unknown_graph(go, id))?
    };
    authorize(conn, role, caller, &graph.colonyname).await?;
    Ok(graph)
}

/// `getprocessgraphmsg`: one graph with its nodes and edges; 404 when unknown (Go: 500).
pub async fn get<H: Host>(cx: Cx<'_, H>, m: GetProcessGraphMsg) -> Result<ProcessGraph, Error> {
    let mut conn = cx.db().await?;
    let go = "Failed to get processgraph, graph is nil";
    let mut graph =
        read_authorized(&mut conn, GetProcessGraphMsg::ROLE, cx.caller, &m.processgraphid, go)
            .await?;
    let (client, _) = conn.parts();
    let rows = store::graphs::node_rows(&*client, &m.processgraphid).await?;
    graph::draw(&mut graph, &rows);
    Ok(graph)
}

/// `getprocessgraphsmsg`: up to `count` (≤ 100) graphs of the colony in `state`, newest first.
pub async fn list<H: Host>(
    cx: Cx<'_, H>,
    m: GetProcessGraphsMsg,
) -> Result<Vec<ProcessGraph>, Error> {
    let mut conn = cx.db().await?;
    authorize(&mut conn, GetProcessGraphsMsg::ROLE, cx.caller, &m.colonyname).await?;
    if !(0..=MAX_COUNT).contains(&m.count) {
        return Err(bad_request(if m.count > MAX_COUNT {
            format!("Count is larger than MaxCount limit <{MAX_COUNT}>")
        } else {
            format!("count must be between 0 and {MAX_COUNT}")
        }));
    }
    let (client, _) = conn.parts();
    let state = store::processes::state_code(m.state);
    Ok(store::graphs::list(&*client, &m.colonyname, state, m.count).await?)
}

/// `removeprocessgraphmsg`: any approved member deletes a graph that is not running, with
/// its processes (400 when running).
pub async fn remove<H: Host>(cx: Cx<'_, H>, m: RemoveProcessGraphMsg) -> Result<Empty, Error> {
    let mut conn = cx.db().await?;
    let go = "Failed to remove processgraph, graph is nil";
    let graph =
        read_authorized(&mut conn, RemoveProcessGraphMsg::ROLE, cx.caller, &m.processgraphid, go)
            .await?;
    lifecycle::check_graph_removable(graph.state).map_err(|e| {
        Error::new(
            e.status(),
            "Failed to remove processgraph, cannot remove a running processgraph",
        )
    })?;
    let (client, _) = conn.parts();
    if store::graphs::remove(&*client, &m.processgraphid).await? {
        Ok(Empty {})
    } else {
        Err(bad_request("the process graph is running or was removed meanwhile"))
    }
}

/// `removeallprocessgraphsmsg`: the colony owner deletes the colony's graphs in a state
/// (`-1`: all; running is refused).
pub async fn remove_all<H: Host>(
    cx: Cx<'_, H>,
    m: RemoveAllProcessGraphsMsg,
) -> Result<Empty, Error> {
    let mut conn = cx.db().await?;
    authorize(&mut conn, RemoveAllProcessGraphsMsg::ROLE, cx.caller, &m.colonyname).await?;
    lifecycle::check_remove_all(m.state)
        .map_err(|e| Error::new(e.status(), "not possible to remove running processgraphs"))?;
    let state = match m.state {
        StateFilter::All => None,
        StateFilter::Only(state) => Some(store::processes::state_code(state)),
    };
    let (client, _) = conn.parts();
    store::graphs::remove_all(&*client, &m.colonyname, state).await?;
    Ok(Empty {})
}

/// `cancelprocessgraphmsg`: any approved member cancels a graph: its WAITING and RUNNING
/// processes and the graph itself become CANCELLED.
pub async fn cancel<H: Host>(cx: Cx<'_, H>, m: CancelProcessGraphMsg) -> Result<Empty, Error> {
    let mut conn = cx.db().await?;
    let go = "Failed to cancel processgraph, graph is nil";
    read_authorized(&mut conn, CancelProcessGraphMsg::ROLE, cx.caller, &m.processgraphid, go)
        .await?;
    let (client, _) = conn.parts();
    let tx = client.transaction().await?;
    if !store::graphs::cancel(&tx, &m.processgraphid).await? {
        return Err(not_found(format!("ProcessGraph with Id <{}> not found", m.processgraphid)));
    }
    tx.commit().await?;
    Ok(Empty {})
}

/// `addchildmsg`: the executor running a process of the graph adds a child to it. `insert`:
/// the child takes over the parent's children; else it is another child of the parent and,
/// with `childprocessid`, a new parent of that process. The reply is the new WAITING child.
pub async fn add_child<H: Host>(cx: Cx<'_, H>, m: AddChildMsg) -> Result<Process, Error> {
    let mut conn = cx.db().await?;
    let (client, statements) = conn.parts();
    let facts =
        super::read_process(cx.host, client, &statements, cx.caller, &m.parentprocessid).await?;
    // Go's controller looks at the state, then the executor, then the graph.
    let parent_id = &m.parentprocessid;
    let not_running = |e: TransitionError| {
        Error::new(e.status(), format!("Process with Id {parent_id} is not running"))
    };
    facts.rows.check(AddChildMsg::ROLE, cx.caller, Some(&facts.process), None).map_err(
        |e| match e {
            AuthError::NotAssigned if facts.process.state != ProcessState::Running => {
                not_running(TransitionError::NotRunning)
            }
            AuthError::NotAssigned => Error::new(
                e.status(),
                format!(
                    "Process with Id {parent_id} is not assigned to executor with Id {}",
                    cx.caller
                ),
            ),
            e => facts.rows.refusal(e).into(),
        },
    )?;
    lifecycle::require_running(facts.process.state).map_err(not_running)?;
    if m.processgraphid.is_empty() || facts.process.processgraphid != m.processgraphid {
        return Err(bad_request(format!(
            "Process with Id {} does not belong to a processgraph: not to process graph {}",
            m.parentprocessid, m.processgraphid
        )));
    }
    let name = facts
        .rows
        .executors
        .iter()
        .find(|e| e.state == ExecutorState::Approved)
        .map_or_else(String::new, |e| e.executorname.clone());
    let initiator = Initiator { id: cx.caller.into(), name };
    let tx = client.transaction().await?;
    let parent = store::graphs::lock_process(&tx, &m.parentprocessid).await?.ok_or_else(|| {
        not_found(format!("Process with ID {} does not exist", m.parentprocessid))
    })?;
    if parent.state != colonies_core::model::ProcessState::Running
        || parent.assignedexecutorid != cx.caller
    {
        return Err(Error::new(403, "the parent process is no longer running on the caller"));
    }
    if !m.childprocessid.is_empty()
        && !store::graphs::in_graph(&tx, &m.processgraphid, &m.childprocessid).await?
    {
        return Err(bad_request(format!(
            "process {} is not part of process graph {}",
            m.childprocessid, m.processgraphid
        )));
    }
    let now = store::graphs::now_ns(&tx).await?;
    let mut node =
        graph::new_node(m.spec, &facts.colony, &m.processgraphid, &initiator, now, &mut new_id)?;
    if node.process.spec.maxexectime == 0 {
        node.process.spec.maxexectime = -1;
    }
    let p = &mut node.process;
    p.parents = vec![parent.processid.clone()];
    p.waitforparents = true;
    p.children = if m.insert {
        parent.children.clone()
    } else if m.childprocessid.is_empty() {
        Vec::new()
    } else {
        vec![m.childprocessid.clone()]
    };
    // The children are wired below; insert the node without them first so wiring is one path.
    let children = core::mem::take(&mut p.children);
    store::graphs::insert_nodes(&tx, core::slice::from_ref(&node)).await?;
    store::graphs::wire_child(
        &tx,
        &m.processgraphid,
        &parent.processid,
        &node.process.processid,
        &m.childprocessid,
        m.insert,
    )
    .await?;
    tx.commit().await?;
    node.process.children = children;
    Ok(node.process)
}

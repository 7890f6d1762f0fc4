//! Turning a [`WorkflowSpec`] into a [`ProcessGraph`] and its processes (protocol §6.6), and
//! drawing a graph's nodes and edges for replies. Pure: no clock, no randomness, no I/O (the
//! caller gives the time and the source of process IDs), so the server's submit handler, its
//! cron and generator sweeps, the CLI and a browser build and check a graph the same way.

use crate::{
    Failure, Id,
    model::{
        Attribute, AttributeType, FunctionSpec, GraphEdge, GraphNode, NodeData, NodePosition,
        NodeStyle, Process, ProcessGraph, ProcessState, WorkflowSpec,
    },
    rules::{
        lifecycle,
        priority::{check_priority, priority_time},
        ranges::check_function_spec,
        resources::{format_cpu, format_memory, parse_cpu, parse_memory},
    },
    time::Timestamp,
};
use alloc::{
    collections::{BTreeMap, BTreeSet, VecDeque},
    format,
    string::{String, ToString},
    vec,
    vec::Vec,
};
use serde_json::Value;

const NANOS_PER_SECOND: i64 = 1_000_000_000;

/// A new process of a graph (or a standalone submit), checked and normalised, with its
/// resource requests in the units the assign query compares.
#[derive(Debug, Clone, PartialEq)]
pub struct NewNode {
    /// The process as it will be replied.
    pub process: Process,
    /// `conditions.cpu` in millicores.
    pub cpu: i64,
    /// `conditions.mem` in bytes.
    pub memory: i64,
    /// `conditions.storage` in bytes.
    pub storage: i64,
}

/// What drawing a node needs of its process: ID, nodename, state and children.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeRow {
    /// The process ID.
    pub id: String,
    /// Its `spec.nodename`.
    pub nodename: String,
    /// Its state.
    pub state: ProcessState,
    /// Its children's IDs.
    pub children: Vec<String>,
}

/// The deterministic ID of an attribute: SHA3-256 of process ID, key and type number.
pub fn attribute_id(process_id: &str, key: &str, kind: AttributeType) -> String {
    Id::hash_of(&format!("{process_id}{key}{}", kind.code())).to_hex()
}

/// Where process and graph IDs come from (the server: 64 hex characters, random).
pub trait IdSource {
    /// A fresh ID.
    fn new_id(&mut self) -> Result<String, Failure>;
}

impl<F: FnMut() -> Result<String, Failure>> IdSource for F {
    fn new_id(&mut self) -> Result<String, Failure> {
        self()
    }
}

/// Who submits a graph: a key ID and the executor or user name behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Initiator {
    /// The key ID.
    pub id: String,
    /// The executor or user name.
    pub name: String,
}

fn bad(message: impl Into<String>) -> Failure {
    Failure::new(400, message)
}

/// Checks and normalises one function spec as single submits do (priority, number ranges,
/// resources, `["*"]` executor names); returns (cpu millicores, memory bytes, storage bytes).
pub fn normalise(spec: &mut FunctionSpec) -> Result<(i64, i64, i64), Failure> {
    check_priority(spec.priority).map_err(|e| Failure::new(e.status(), e.to_string()))?;
    check_function_spec(spec).map_err(|e| Failure::new(e.status(), e.to_string()))?;
    let c = &mut spec.conditions;
    let resource = |field: &str, e: crate::rules::ResourceError| {
        Failure::new(e.status(), format!("conditions.{field}: {e}"))
    };
    let cpu = parse_cpu(&c.cpu).map_err(|e| resource("cpu", e))?;
    let memory = parse_memory(&c.mem).map_err(|e| resource("mem", e))?;
    let storage = parse_memory(&c.storage).map_err(|e| resource("storage", e))?;
    let gpu_memory = parse_memory(&c.gpu.mem).map_err(|e| resource("gpu.mem", e))?;
    c.cpu = format_cpu(cpu);
    c.mem = format_memory(memory);
    c.storage = format_memory(storage);
    if !c.gpu.mem.is_empty() {
        c.gpu.mem = format_memory(gpu_memory);
    }
    if c.executornames.iter().all(|n| n == "*") {
        c.executornames.clear();
    }
    Ok((cpu, memory, storage))
}

/// A new WAITING process of `graph` ("" for a standalone submit), its spec checked and
/// normalised; a workflow's is not yet wired (no parents or children).
pub fn new_node(
    mut spec: FunctionSpec,
    colony: &str,
    graph: &str,
    initiator: &Initiator,
    now: i64,
    ids: &mut impl IdSource,
) -> Result<NewNode, Failure> {
    spec.conditions.colonyname = colony.into();
    let (cpu, memory, storage) = normalise(&mut spec)?;
    let id = ids.new_id()?;
    let attributes = spec
        .env
        .iter()
        .map(|(key, value)| Attribute {
            attributeid: attribute_id(&id, key, AttributeType::Env),
            targetid: id.clone(),
            targetcolonyname: colony.into(),
            targetprocessgraphid: graph.into(),
            state: ProcessState::Waiting,
            attributetype: AttributeType::Env,
            key: key.clone(),
            value: value.clone(),
        })
        .collect();
    let mut process = Process {
        processid: id,
        initiatorid: initiator.id.clone(),
        initiatorname: initiator.name.clone(),
        state: ProcessState::Waiting,
        attributes,
        processgraphid: graph.into(),
        spec,
        ..Process::default()
    };
    stamp(&mut process, now);
    Ok(NewNode { process, cpu, memory, storage })
}

/// Sets the times a process gets when it is submitted at `now` (Unix nanoseconds):
/// submission time, priority time and, when `maxwaittime` asks for one, the wait deadline.
pub fn stamp(process: &mut Process, now: i64) {
    let spec = &process.spec;
    process.waitdeadline = match wait_deadline_after(spec.maxwaittime) {
        Some(after) => Timestamp::from_unix_nanos(now.saturating_add(after)),
        None => Timestamp::UNSET,
    };
    process.prioritytime = priority_time(now, spec.priority);
    process.submissiontime = Timestamp::from_unix_nanos(now);
}

/// How long after its submission a process with `maxwaittime` fails waiting, in
/// nanoseconds; `None` when it waits for ever.
pub fn wait_deadline_after(maxwaittime: i64) -> Option<i64> {
    lifecycle::has_wait_deadline(maxwaittime).then(|| maxwaittime.saturating_mul(NANOS_PER_SECOND))
}

/// Builds a graph from `spec`: every function spec needs a unique `nodename`, dependencies
/// must name nodes of the workflow and form no cycle; `conditions.colonyname` becomes the
/// workflow's and `maxexectime` 0 becomes -1 (as Go does for workflows). Roots get
/// `root_input` as `in`. Errors are 400 (Go answers 500).
pub fn build(
    spec: WorkflowSpec,
    initiator: &Initiator,
    now: i64,
    root_input: &[Value],
    ids: &mut impl IdSource,
) -> Result<(ProcessGraph, Vec<NewNode>), Failure> {
    let colony = spec.colonyname;
    if spec.functionspecs.is_empty() {
        return Err(bad("a workflow needs at least one function spec"));
    }
    let graph_id = ids.new_id()?;
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for (i, f) in spec.functionspecs.iter().enumerate() {
        if f.nodename.is_empty() {
            return Err(bad("Nodename is missing, check function spec for errors"));
        }
        if index.insert(f.nodename.clone(), i).is_some() {
            return Err(bad(format!("Duplicate nodename: {}", f.nodename)));
        }
    }
    let mut parents_of: Vec<Vec<usize>> = Vec::with_capacity(index.len());
    for f in &spec.functionspecs {
        let mut parents = Vec::new();
        for dep in &f.conditions.dependencies {
            let p = *index.get(dep).ok_or_else(|| {
                bad(format!(
                    "Failed to submit workflow, invalid dependencies, are you depending on a \
                     nodename that does not exits?: node {} depends on {dep}",
                    f.nodename
                ))
            })?;
            if !parents.contains(&p) {
                parents.push(p);
            }
        }
        parents_of.push(parents);
    }
    let mut children_of: Vec<Vec<usize>> = vec![Vec::new(); parents_of.len()];
    for (child, parents) in parents_of.iter().enumerate() {
        for &p in parents {
            children_of[p].push(child);
        }
    }
    // Kahn's algorithm: every node must be reachable in topological order.
    let mut left: Vec<usize> = parents_of.iter().map(Vec::len).collect();
    let mut queue: VecDeque<usize> = (0..left.len()).filter(|&i| left[i] == 0).collect();
    let mut seen = 0;
    while let Some(n) = queue.pop_front() {
        seen += 1;
        for &c in &children_of[n] {
            left[c] -= 1;
            if left[c] == 0 {
                queue.push_back(c);
            }
        }
    }
    if seen != left.len() {
        return Err(bad("the workflow's dependencies form a cycle"));
    }
    let mut nodes = Vec::with_capacity(parents_of.len());
    for mut f in spec.functionspecs {
        if f.maxexectime == 0 {
            f.maxexectime = -1;
        }
        nodes.push(new_node(f, &colony, &graph_id, initiator, now, ids)?);
    }
    let ids: Vec<String> = nodes.iter().map(|n| n.process.processid.clone()).collect();
    let mut roots = Vec::new();
    for (i, node) in nodes.iter_mut().enumerate() {
        let p = &mut node.process;
        p.parents = parents_of[i].iter().map(|&j| ids[j].clone()).collect();
        p.children = children_of[i].iter().map(|&j| ids[j].clone()).collect();
        p.waitforparents = !p.parents.is_empty();
        if p.parents.is_empty() {
            p.input = root_input.to_vec();
            roots.push(p.processid.clone());
        }
    }
    let graph = ProcessGraph {
        processgraphid: graph_id,
        initiatorid: initiator.id.clone(),
        initiatorname: initiator.name.clone(),
        colonyname: colony,
        rootprocessids: roots,
        state: ProcessState::Waiting,
        submissiontime: Timestamp::from_unix_nanos(now),
        starttime: Timestamp::UNSET,
        endtime: Timestamp::UNSET,
        processids: ids,
        nodes: Vec::new(),
        edges: Vec::new(),
    };
    Ok((graph, nodes))
}

/// Checks a workflow as [`build`] would, without IDs or a clock: what a client can ask
/// before it submits one (or stores it in a cron or generator).
pub fn check(spec: WorkflowSpec) -> Result<(), Failure> {
    let mut n = 0u64;
    let mut placeholder = || {
        n += 1;
        Ok(format!("{n:064x}"))
    };
    let nobody = Initiator { id: String::new(), name: String::new() };
    build(spec, &nobody, 0, &[], &mut placeholder).map(drop)
}

/// Fills `graph.nodes` and `graph.edges` for drawing (as Go's `ToJSON` does for single-graph
/// replies): one node per process laid out by depth, one edge per dependency.
pub fn draw(graph: &mut ProcessGraph, rows: &[NodeRow]) {
    let by_id: BTreeMap<&str, &NodeRow> = rows.iter().map(|r| (r.id.as_str(), r)).collect();
    let mut depth: BTreeMap<&str, i64> = BTreeMap::new();
    let mut queue: VecDeque<(&str, i64)> =
        graph.rootprocessids.iter().map(|r| (r.as_str(), 0)).collect();
    let mut visited: BTreeSet<&str> = BTreeSet::new();
    while let Some((id, d)) = queue.pop_front() {
        let entry = depth.entry(id).or_insert(d);
        *entry = (*entry).max(d);
        if !visited.insert(id) {
            continue;
        }
        if let Some(row) = by_id.get(id) {
            for c in &row.children {
                queue.push_back((c.as_str(), d + 1));
            }
        }
    }
    let mut per_level: BTreeMap<i64, i64> = BTreeMap::new();
    let order = graph.processids.clone();
    for id in &order {
        let Some(row) = by_id.get(id.as_str()) else { continue };
        let level = depth.get(id.as_str()).copied().unwrap_or_default();
        let slot = per_level.entry(level).or_default();
        let (color, background) = match row.state {
            ProcessState::Waiting => ("#000000", "#f0f0f0"),
            ProcessState::Running => ("#000000", "#fff3b0"),
            ProcessState::Success => ("#000000", "#b7e4c7"),
            ProcessState::Failed => ("#ffffff", "#d62828"),
            ProcessState::Cancelled => ("#000000", "#adb5bd"),
        };
        let node_type = if graph.rootprocessids.contains(id) {
            "input"
        } else if row.children.is_empty() {
            "output"
        } else {
            "default"
        };
        graph.nodes.push(GraphNode {
            id: id.clone(),
            data: NodeData { label: row.nodename.clone() },
            position: NodePosition { x: *slot * 200, y: level * 100 },
            node_type: node_type.into(),
            style: NodeStyle { color: color.into(), background: background.into() },
        });
        *slot += 1;
        for c in &row.children {
            graph.edges.push(GraphEdge {
                id: format!("{id}-{c}"),
                source: id.clone(),
                target: c.clone(),
                animated: row.state == ProcessState::Running,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Conditions;

    fn node(name: &str, deps: &[&str]) -> FunctionSpec {
        FunctionSpec {
            nodename: name.into(),
            conditions: Conditions {
                executortype: "t".into(),
                dependencies: deps.iter().map(|d| (*d).into()).collect(),
                ..Conditions::default()
            },
            ..FunctionSpec::default()
        }
    }

    /// IDs "0", "1", … for tests.
    fn counter() -> impl FnMut() -> Result<String, Failure> {
        let mut n = 0u32;
        move || {
            n += 1;
            Ok(n.to_string())
        }
    }

    fn who() -> Initiator {
        Initiator { id: "i".into(), name: "n".into() }
    }

    #[test]
    fn a_diamond_is_wired_by_nodename() -> Result<(), Failure> {
        let spec = WorkflowSpec {
            colonyname: "c".into(),
            functionspecs: vec![
                node("a", &[]),
                node("b", &["a"]),
                node("c", &["a"]),
                node("d", &["b", "c"]),
            ],
        };
        let (g, n) = build(spec, &who(), 1, &[Value::from("x")], &mut counter())?;
        assert_eq!(g.rootprocessids, vec![n[0].process.processid.clone()]);
        assert_eq!(n[3].process.parents.len(), 2);
        assert_eq!(n[0].process.children.len(), 2);
        assert!(!n[0].process.waitforparents && n[3].process.waitforparents);
        assert_eq!(n[0].process.input, vec![Value::from("x")]);
        assert!(n[1].process.input.is_empty());
        assert_eq!(n[2].process.spec.maxexectime, -1);
        assert_eq!(n[2].process.spec.conditions.colonyname, "c");
        Ok(())
    }

    #[test]
    fn bad_workflows_are_refused() {
        let mk = |f: Vec<FunctionSpec>| WorkflowSpec { colonyname: "c".into(), functionspecs: f };
        assert!(build(mk(vec![]), &who(), 1, &[], &mut counter()).is_err());
        assert!(
            build(mk(vec![node("a", &[]), node("a", &[])]), &who(), 1, &[], &mut counter())
                .is_err()
        );
        assert!(build(mk(vec![node("a", &["zz"])]), &who(), 1, &[], &mut counter()).is_err());
        assert!(build(mk(vec![node("", &[])]), &who(), 1, &[], &mut counter()).is_err());
        let cycle = vec![node("r", &[]), node("a", &["b"]), node("b", &["a"])];
        assert!(build(mk(cycle.clone()), &who(), 1, &[], &mut counter()).is_err());
        assert!(check(mk(cycle)).is_err());
        assert!(check(mk(vec![node("a", &[]), node("b", &["a"])])).is_ok());
    }
}

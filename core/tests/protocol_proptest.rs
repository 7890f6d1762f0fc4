//! Property tests: writing then reading any model gives it back, and no input — bytes, JSON of
//! any shape, timestamp text — makes reading panic.
#![cfg(not(target_arch = "wasm32"))]
// A failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

extern crate alloc;

use alloc::collections::BTreeMap;
use colonies_core::{
    message::{KindVisitor, Message, MessageKind, parse_payload, parse_reply, to_payload_json},
    model::*,
    time::Timestamp,
};
use core::fmt::Debug;
use proptest::{collection::btree_map, collection::vec, option, prelude::*};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;

fn text() -> impl Strategy<Value = String> {
    prop_oneof![3 => "[a-z0-9_./-]{0,12}", 1 => "\\PC{0,8}"]
}

fn names() -> impl Strategy<Value = Vec<String>> {
    vec(text(), 0..3)
}

fn timestamp() -> impl Strategy<Value = Timestamp> {
    prop_oneof![1 => Just(Timestamp::UNSET), 4 => any::<i64>().prop_map(Timestamp::from_unix_nanos)]
}

/// Floats that survive decimal text exactly (serde_json parses floats to within one ulp).
fn float() -> impl Strategy<Value = f64> {
    (-1_000_000i32..1_000_000).prop_map(|n| f64::from(n) / 8.0)
}

/// Any JSON value, as clients put in `args`, `kwargs`, `out` and blueprint documents.
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        float().prop_map(Value::from),
        text().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Value::from),
            btree_map(text(), inner, 0..4).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn json_object() -> impl Strategy<Value = JsonObject> {
    btree_map(text(), json(), 0..4).prop_map(|m| m.into_iter().collect())
}

fn string_map() -> impl Strategy<Value = BTreeMap<String, String>> {
    btree_map(text(), text(), 0..3)
}

fn process_state() -> impl Strategy<Value = ProcessState> {
    proptest::sample::select(ProcessState::ALL)
}

fn gpu() -> impl Strategy<Value = Gpu> {
    (text(), text(), any::<i64>(), any::<i64>()).prop_map(|(name, mem, count, nodecount)| Gpu {
        name,
        mem,
        count,
        nodecount,
    })
}

fn conditions() -> impl Strategy<Value = Conditions> {
    (
        (text(), names(), text(), text(), names()),
        (any::<i64>(), text(), any::<i64>(), any::<i64>(), text(), text(), gpu(), any::<i64>()),
    )
        .prop_map(
            |(
                (colonyname, executornames, executortype, locationname, dependencies),
                (nodes, cpu, processes, processespernode, mem, storage, gpu, walltime),
            )| Conditions {
                colonyname,
                executornames,
                executortype,
                locationname,
                dependencies,
                nodes,
                cpu,
                processes,
                processespernode,
                mem,
                storage,
                gpu,
                walltime,
            },
        )
}

fn filesystem() -> impl Strategy<Value = Filesystem> {
    let snapshot = (text(), text(), text(), any::<bool>(), any::<bool>()).prop_map(
        |(snapshotid, label, dir, keepfiles, keepsnapshot)| SnapshotMount {
            snapshotid,
            label,
            dir,
            keepfiles,
            keepsnapshot,
        },
    );
    let dir = (text(), text(), any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
        |(label, dir, keepfiles, start, close)| SyncDir {
            label,
            dir,
            keepfiles,
            onconflicts: ConflictResolution {
                onstart: OnStart { keeplocal: start },
                onclose: OnClose { keeplocal: close },
            },
        },
    );
    (text(), vec(snapshot, 0..2), vec(dir, 0..2)).prop_map(|(mount, snapshots, dirs)| Filesystem {
        mount,
        snapshots,
        dirs,
    })
}

fn function_spec() -> impl Strategy<Value = FunctionSpec> {
    (
        (text(), text(), vec(json(), 0..4), json_object(), any::<i64>()),
        (any::<i64>(), any::<i64>(), any::<i64>(), conditions(), text()),
        (filesystem(), string_map(), names(), option::of(json_object())),
    )
        .prop_map(
            |(
                (nodename, funcname, args, kwargs, priority),
                (maxwaittime, maxexectime, maxretries, conditions, label),
                (fs, env, channels, reconciliation),
            )| FunctionSpec {
                nodename,
                funcname,
                args,
                kwargs,
                priority,
                maxwaittime,
                maxexectime,
                maxretries,
                conditions,
                label,
                fs,
                env,
                channels,
                reconciliation: reconciliation.map(Value::Object),
            },
        )
}

fn attribute() -> impl Strategy<Value = Attribute> {
    (
        (text(), text(), text(), text()),
        (process_state(), proptest::sample::select(AttributeType::ALL), text(), text()),
    )
        .prop_map(
            |(
                (attributeid, targetid, targetcolonyname, targetprocessgraphid),
                (state, attributetype, key, value),
            )| Attribute {
                attributeid,
                targetid,
                targetcolonyname,
                targetprocessgraphid,
                state,
                attributetype,
                key,
                value,
            },
        )
}

fn process() -> impl Strategy<Value = Process> {
    (
        (text(), text(), text(), text(), any::<bool>(), process_state(), any::<i64>()),
        (timestamp(), timestamp(), timestamp(), timestamp(), timestamp(), any::<i64>()),
        (vec(attribute(), 0..2), function_spec(), any::<bool>(), names(), names(), text()),
        (vec(json(), 0..3), vec(json(), 0..3), names()),
    )
        .prop_map(
            |(
                (
                    processid,
                    initiatorid,
                    initiatorname,
                    assignedexecutorid,
                    isassigned,
                    state,
                    prioritytime,
                ),
                (submissiontime, starttime, endtime, waitdeadline, execdeadline, retries),
                (attributes, spec, waitforparents, parents, children, processgraphid),
                (input, output, errors),
            )| Process {
                processid,
                initiatorid,
                initiatorname,
                assignedexecutorid,
                isassigned,
                state,
                prioritytime,
                submissiontime,
                starttime,
                endtime,
                waitdeadline,
                execdeadline,
                retries,
                attributes,
                spec,
                waitforparents,
                parents,
                children,
                processgraphid,
                input,
                output,
                errors,
            },
        )
}

fn executor() -> impl Strategy<Value = Executor> {
    let hardware = (
        (text(), any::<i64>(), text(), any::<i64>(), text()),
        (text(), gpu(), text(), text(), names()),
    )
        .prop_map(
            |((model, nodes, cpu, cores, mem), (storage, gpu, platform, architecture, network))| {
                Hardware {
                    model,
                    nodes,
                    cpu,
                    cores,
                    mem,
                    storage,
                    gpu,
                    platform,
                    architecture,
                    network,
                }
            },
        );
    let software = (text(), text(), text()).prop_map(|(name, software_type, version)| Software {
        name,
        software_type,
        version,
    });
    let project = any::<[i64; 6]>().prop_map(|p| Project {
        allocatedcpu: p[0],
        usedcpu: p[1],
        allocatedgpu: p[2],
        usedgpu: p[3],
        allocatedstorage: p[4],
        usedstorage: p[5],
    });
    (
        (
            text(),
            text(),
            text(),
            text(),
            proptest::sample::select(ExecutorState::ALL),
            any::<bool>(),
        ),
        (timestamp(), timestamp(), text(), vec(hardware, 0..2), vec(software, 0..2)),
        (proptest::option::of(btree_map(text(), project, 0..2)), text(), any::<i64>()),
    )
        .prop_map(
            |(
                (executorid, executortype, executorname, colonyname, state, requirefuncreg),
                (commissiontime, lastheardfromtime, locationname, hardware, software),
                (projects, blueprintid, blueprintgen),
            )| Executor {
                executorid,
                executortype,
                executorname,
                colonyname,
                state,
                requirefuncreg,
                commissiontime,
                lastheardfromtime,
                locationname,
                capabilities: Capabilities { hardware, software },
                allocations: Allocations { projects },
                blueprintid,
                blueprintgen,
            },
        )
}

fn colony() -> impl Strategy<Value = Colony> {
    (text(), text()).prop_map(|(colonyid, name)| Colony { colonyid, name })
}

fn user() -> impl Strategy<Value = User> {
    (text(), text(), text(), text(), text()).prop_map(|(colonyname, userid, name, email, phone)| {
        User { colonyname, userid, name, email, phone }
    })
}

fn log() -> impl Strategy<Value = Log> {
    (text(), text(), text(), text(), any::<i64>()).prop_map(
        |(processid, colonyname, executorname, message, timestamp)| Log {
            processid,
            colonyname,
            executorname,
            message,
            timestamp,
        },
    )
}

fn cron() -> impl Strategy<Value = Cron> {
    (
        (text(), text(), text(), text(), text(), text(), any::<i64>()),
        (any::<bool>(), timestamp(), timestamp(), text(), text(), any::<bool>(), any::<i64>()),
    )
        .prop_map(
            |(
                (cronid, initiatorid, initiatorname, colonyname, name, cronexpression, interval),
                (
                    random,
                    nextrun,
                    lastrun,
                    workflowspec,
                    prevprocessgraphid,
                    waitforprevprocessgraph,
                    checkerperiod,
                ),
            )| Cron {
                cronid,
                initiatorid,
                initiatorname,
                colonyname,
                name,
                cronexpression,
                interval,
                random,
                nextrun,
                lastrun,
                workflowspec,
                prevprocessgraphid,
                waitforprevprocessgraph,
                checkerperiod,
            },
        )
}

fn generator() -> impl Strategy<Value = Generator> {
    (
        (text(), text(), text(), text(), text(), text()),
        (any::<i64>(), any::<i64>(), timestamp(), timestamp(), any::<i64>(), any::<i64>()),
    )
        .prop_map(
            |(
                (generatorid, initiatorid, initiatorname, colonyname, name, workflowspec),
                (trigger, timeout, firstpack, lastrun, queuesize, checkerperiod),
            )| Generator {
                generatorid,
                initiatorid,
                initiatorname,
                colonyname,
                name,
                workflowspec,
                trigger,
                timeout,
                firstpack,
                lastrun,
                queuesize,
                checkerperiod,
            },
        )
}

fn process_graph() -> impl Strategy<Value = ProcessGraph> {
    let node = (text(), text(), any::<i64>(), any::<i64>(), text(), text(), text()).prop_map(
        |(id, label, x, y, node_type, color, background)| GraphNode {
            id,
            data: NodeData { label },
            position: NodePosition { x, y },
            node_type,
            style: NodeStyle { color, background },
        },
    );
    let edge = (text(), text(), text(), any::<bool>())
        .prop_map(|(id, source, target, animated)| GraphEdge { id, source, target, animated });
    (
        (text(), text(), text(), text(), names(), process_state()),
        (timestamp(), timestamp(), timestamp(), names(), vec(node, 0..2), vec(edge, 0..2)),
    )
        .prop_map(
            |(
                (processgraphid, initiatorid, initiatorname, colonyname, rootprocessids, state),
                (submissiontime, starttime, endtime, processids, nodes, edges),
            )| ProcessGraph {
                processgraphid,
                initiatorid,
                initiatorname,
                colonyname,
                rootprocessids,
                state,
                submissiontime,
                starttime,
                endtime,
                processids,
                nodes,
                edges,
            },
        )
}

fn function() -> impl Strategy<Value = Function> {
    let arg = (text(), text(), text(), any::<bool>(), names()).prop_map(
        |(name, arg_type, description, required, allowed)| FunctionArg {
            name,
            arg_type,
            description,
            required,
            allowed,
        },
    );
    (
        (text(), text(), text(), text(), text(), text(), vec(arg, 0..2)),
        (any::<i64>(), [float(), float(), float(), float(), float(), float()], text()),
    )
        .prop_map(
            |(
                (functionid, executorname, executortype, colonyname, funcname, description, args),
                (counter, t, locationname),
            )| {
                Function {
                    functionid,
                    executorname,
                    executortype,
                    colonyname,
                    funcname,
                    description,
                    args,
                    counter,
                    minwaittime: t[0],
                    maxwaittime: t[1],
                    minexectime: t[2],
                    maxexectime: t[3],
                    avgwaittime: t[4],
                    avgexectime: t[5],
                    locationname,
                }
            },
        )
}

fn msg_entry() -> impl Strategy<Value = MsgEntry> {
    (any::<i64>(), any::<i64>(), timestamp(), text(), vec(any::<u8>(), 0..16), text(), text())
        .prop_map(|(sequence, inreplyto, timestamp, senderid, payload, entry_type, error)| {
            MsgEntry { sequence, inreplyto, timestamp, senderid, payload, entry_type, error }
        })
}

fn blueprint() -> impl Strategy<Value = Blueprint> {
    let metadata = (
        (text(), text(), text(), string_map(), string_map()),
        (any::<i64>(), timestamp(), timestamp(), text(), timestamp()),
    )
        .prop_map(
            |(
                (name, colonyname, locationname, labels, annotations),
                (
                    generation,
                    created_at,
                    updated_at,
                    last_reconciliation_process,
                    last_reconciliation_time,
                ),
            )| BlueprintMetadata {
                name,
                colonyname,
                locationname,
                labels,
                annotations,
                generation,
                created_at,
                updated_at,
                last_reconciliation_process,
                last_reconciliation_time,
            },
        );
    (text(), text(), metadata, json_object(), json_object()).prop_map(
        |(blueprintid, kind, metadata, spec, status)| Blueprint {
            blueprintid,
            kind,
            metadata,
            spec,
            status,
        },
    )
}

fn location() -> impl Strategy<Value = Location> {
    (text(), text(), text(), text(), float(), float()).prop_map(
        |(locationid, name, colonyname, description, long, lat)| Location {
            locationid,
            name,
            colonyname,
            description,
            long,
            lat,
        },
    )
}

fn statistics() -> impl Strategy<Value = Statistics> {
    any::<[i64; 14]>().prop_map(|n| Statistics {
        colonies: n[0],
        executors: n[1],
        activeexecutors: n[2],
        unregisteredexecutors: n[3],
        waitingprocesses: n[4],
        runningprocesses: n[5],
        successfulprocesses: n[6],
        failedprocesses: n[7],
        cancelledprocesses: n[8],
        waitingworkflows: n[9],
        runningworkflows: n[10],
        successfulworkflows: n[11],
        failedworkflows: n[12],
        cancelledworkflows: n[13],
    })
}

fn file() -> impl Strategy<Value = File> {
    let s3 = (
        (text(), any::<i64>(), any::<bool>(), text(), text()),
        (text(), text(), text(), text(), text()),
    )
        .prop_map(
            |(
                (server, port, tls, accesskey, secretkey),
                (region, encryptionkey, encryptionalg, object, bucket),
            )| {
                S3Object {
                    server,
                    port,
                    tls,
                    accesskey,
                    secretkey,
                    region,
                    encryptionkey,
                    encryptionalg,
                    object,
                    bucket,
                }
            },
        );
    (
        (text(), text(), text(), text(), any::<i64>(), any::<i64>()),
        (text(), text(), text(), s3, timestamp()),
    )
        .prop_map(
            |(
                (fileid, colonyname, label, name, size, sequencenr),
                (checksum, checksumalg, protocol, s3object, added),
            )| {
                File {
                    fileid,
                    colonyname,
                    label,
                    name,
                    size,
                    sequencenr,
                    checksum,
                    checksumalg,
                    reference: Reference { protocol, s3object },
                    added,
                }
            },
        )
}

/// Writing then reading gives the value back, and writing again gives the same text.
fn assert_round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(value: &T) {
    let json = serde_json::to_string(value).unwrap();
    let back: T = serde_json::from_str(&json).unwrap();
    assert_eq!(&back, value, "{json}");
    assert_eq!(serde_json::to_string(&back).unwrap(), json);
}

proptest! {
    #[test]
    fn timestamps_round_trip(nanos in any::<i64>()) {
        let t = Timestamp::from_unix_nanos(nanos);
        let text = t.to_rfc3339();
        prop_assert_eq!(Timestamp::parse(&text).unwrap().unix_nanos(), Some(nanos));
        prop_assert!(text.ends_with('Z'));
        prop_assert!(!text.contains(".") || !text.trim_end_matches('Z').ends_with('0'));
    }

    #[test]
    fn timestamps_with_any_offset(
        local in -4_000_000_000_000_000_000i64..4_000_000_000_000_000_000,
        offset in -86_399i32..86_400,
        digits in 0u32..10,
    ) {
        // Write the wall-clock time `local` with `offset` and `digits` fraction digits, read it.
        let wall = Timestamp::from_unix_nanos(local).to_rfc3339();
        let wall = wall.trim_end_matches('Z');
        let (seconds, fraction) = wall.split_once('.').unwrap_or((wall, ""));
        let fraction = format!("{fraction:0<9}");
        let sign = if offset < 0 { '-' } else { '+' };
        let abs = offset.unsigned_abs();
        let zone = format!("{sign}{:02}:{:02}:{:02}", abs / 3600, abs / 60 % 60, abs % 60);
        let text = match digits {
            0 => format!("{seconds}{zone}"),
            d => format!("{seconds}.{}{zone}", &fraction[..d as usize]),
        };
        let parsed = Timestamp::parse(&text).unwrap();
        prop_assert_eq!(parsed.offset_seconds(), offset);
        let dropped = local.rem_euclid(1_000_000_000) % 10i64.pow(9 - digits);
        let expected = local - dropped - i64::from(offset) * 1_000_000_000;
        prop_assert_eq!(parsed.unix_nanos(), Some(expected), "{}", text);
    }

    #[test]
    fn timestamp_parsing_never_panics(text in "\\PC{0,40}") {
        let _ = Timestamp::parse(&text);
    }

    #[test]
    fn timestamp_like_text_never_panics(text in "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,12})?(Z|[+-][0-9]{2}:[0-9]{2}(:[0-9]{2})?)?") {
        if let Ok(t) = Timestamp::parse(&text) {
            prop_assert_eq!(Timestamp::parse(&t.to_rfc3339()).unwrap(), t);
        }
    }

    #[test]
    fn processes_round_trip(p in process()) { assert_round_trip(&p); }

    #[test]
    fn function_specs_round_trip(s in function_spec()) { assert_round_trip(&s); }

    #[test]
    fn workflow_specs_round_trip(colonyname in text(), functionspecs in vec(function_spec(), 0..3)) {
        assert_round_trip(&WorkflowSpec { colonyname, functionspecs });
    }

    #[test]
    fn executors_round_trip(e in executor()) { assert_round_trip(&e); }

    #[test]
    fn small_models_round_trip(
        c in colony(), u in user(), a in attribute(), l in log(), s in statistics(), loc in location(),
    ) {
        assert_round_trip(&c);
        assert_round_trip(&u);
        assert_round_trip(&a);
        assert_round_trip(&l);
        assert_round_trip(&s);
        assert_round_trip(&loc);
    }

    #[test]
    fn schedules_round_trip(c in cron(), g in generator()) {
        assert_round_trip(&c);
        assert_round_trip(&g);
    }

    #[test]
    fn graphs_functions_files_round_trip(g in process_graph(), f in function(), file in file(), m in msg_entry()) {
        assert_round_trip(&g);
        assert_round_trip(&f);
        assert_round_trip(&file);
        assert_round_trip(&m);
    }

    #[test]
    fn blueprints_round_trip(b in blueprint()) { assert_round_trip(&b); }
}

/// Feeds the same input to a message type and its reply type; only errors may come out.
struct NoPanic<'a>(&'a [u8]);

impl KindVisitor for NoPanic<'_> {
    type Output = ();

    fn visit<M: Message>(self) {
        if let Ok(message) = parse_payload::<M>(self.0) {
            let again: M = parse_payload(to_payload_json(&message).as_bytes()).unwrap();
            assert_eq!(again, message);
        }
        let _ = parse_reply::<M>(self.0);
    }
}

/// Reads the input as every model; only errors may come out.
fn parse_every_model(input: &[u8]) {
    fn try_parse<T: DeserializeOwned>(input: &[u8]) {
        let _ = serde_json::from_slice::<T>(input);
        let _ = serde_json::from_slice::<Vec<T>>(input);
    }
    try_parse::<Colony>(input);
    try_parse::<User>(input);
    try_parse::<Executor>(input);
    try_parse::<FunctionSpec>(input);
    try_parse::<Process>(input);
    try_parse::<WorkflowSpec>(input);
    try_parse::<ProcessGraph>(input);
    try_parse::<Attribute>(input);
    try_parse::<Function>(input);
    try_parse::<Log>(input);
    try_parse::<Cron>(input);
    try_parse::<Generator>(input);
    try_parse::<File>(input);
    try_parse::<FileData>(input);
    try_parse::<Label>(input);
    try_parse::<Snapshot>(input);
    try_parse::<Location>(input);
    try_parse::<Statistics>(input);
    try_parse::<ServerInfo>(input);
    try_parse::<ClusterConfig>(input);
    try_parse::<PauseStatus>(input);
    try_parse::<MsgEntry>(input);
    try_parse::<Blueprint>(input);
    try_parse::<BlueprintDefinition>(input);
    try_parse::<BlueprintHistory>(input);
    try_parse::<StateFilter>(input);
    try_parse::<Timestamp>(input);
}

/// JSON objects that use the protocol's field names, so parsing gets past the first key.
fn protocol_shaped_json() -> impl Strategy<Value = Vec<u8>> {
    let keys = proptest::sample::select(vec![
        "state",
        "spec",
        "conditions",
        "args",
        "kwargs",
        "in",
        "out",
        "errors",
        "parents",
        "fs",
        "snapshots",
        "dirs",
        "env",
        "submissiontime",
        "starttime",
        "payload",
        "colony",
        "executor",
        "capabilities",
        "allocations",
        "projects",
        "attributes",
        "attributetype",
        "metadata",
        "status",
        "timeout",
        "count",
        "functionspecs",
        "nodes",
        "edges",
        "ref",
        "fun",
        "out",
    ]);
    btree_map(keys, json(), 0..6).prop_map(|m| serde_json::to_vec(&m).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in vec(any::<u8>(), 0..64)) {
        parse_every_model(&bytes);
        for kind in MessageKind::ALL {
            kind.visit(NoPanic(&bytes));
        }
    }

    #[test]
    fn arbitrary_json_never_panics(bytes in prop_oneof![json().prop_map(|v| serde_json::to_vec(&v).unwrap()), protocol_shaped_json()]) {
        parse_every_model(&bytes);
        for kind in MessageKind::ALL {
            kind.visit(NoPanic(&bytes));
        }
    }
}

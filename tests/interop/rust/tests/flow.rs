//! The colonyos crate (crates.io) against colonies-edge: the flow of an SDK user. The crate
//! keeps its server URL in a global, so the flow is one test, step by step.

use colonies_interop_rust::{COLONYOS_VERSION, start};
use colonyos::core::{self, Attribute, Colony, Executor, FunctionSpec, Log};

fn spec(colony: &str, args: &[&str]) -> FunctionSpec {
    let mut spec = FunctionSpec::new("echo", "rsinterop", colony);
    spec.args = args.iter().map(|a| (*a).to_owned()).collect();
    spec.maxexectime = 60;
    spec
}

#[tokio::test(flavor = "multi_thread")]
async fn colonyos_flow() {
    let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock"))
        .unwrap_or_default();
    let pinned = format!("name = \"colonyos\"\nversion = \"{COLONYOS_VERSION}\"");
    assert!(lock.is_empty() || lock.contains(&pinned), "Cargo.lock resolves another colonyos");
    println!("colonyos {COLONYOS_VERSION}");

    let server = start();
    colonyos::set_server_url(&format!("{}/api", server.url));
    let sk = server.owner_prvkey.as_str();
    let colony_prvkey = colonyos::crypto::gen_prvkey();
    let executor_prvkey = colonyos::crypto::gen_prvkey();
    let ek = executor_prvkey.as_str();
    let colonyname = format!("rs-{}", std::process::id());

    // Colony and executor.
    let colony = Colony::new(&colonyos::crypto::gen_id(&colony_prvkey), &colonyname);
    let added = colonyos::add_colony(&colony, sk).await.expect("add_colony");
    assert_eq!(added.name, colonyname);
    let colonies = colonyos::get_colonies(sk).await.expect("get_colonies");
    assert!(colonies.iter().any(|c| c.name == colonyname));
    let executor =
        Executor::new("rs-executor", &colonyos::crypto::gen_id(ek), "rsinterop", &colonyname);
    let added = colonyos::add_executor(&executor, &colony_prvkey).await.expect("add_executor");
    assert_eq!(added.state, core::PENDING);
    colonyos::approve_executor(&colonyname, "rs-executor", &colony_prvkey)
        .await
        .expect("approve_executor");
    let got = colonyos::get_executor(&colonyname, "rs-executor", ek).await.expect("get_executor");
    assert_eq!(got.state, core::APPROVED);
    assert_eq!(colonyos::get_executors(&colonyname, ek).await.expect("get_executors").len(), 1);
    assert_eq!(colonyos::get_colony(&colonyname, ek).await.expect("get_colony").name, colonyname);

    // Submit, assign, attribute, log, output, close.
    let submitted = colonyos::submit(&spec(&colonyname, &["hello"]), ek).await.expect("submit");
    assert_eq!(submitted.state, core::WAITING);
    let assigned = colonyos::assign(&colonyname, 5, ek).await.expect("assign");
    assert_eq!(assigned.processid, submitted.processid);
    assert_eq!(assigned.state, core::RUNNING);
    let attribute = Attribute::new(&colonyname, &assigned.processid, "progress", "50%");
    let added = colonyos::add_attr(&attribute, ek).await.expect("add_attr");
    assert_eq!(added.key, "progress");
    let log = Log {
        processid: assigned.processid.clone(),
        colonyname: colonyname.clone(),
        executorname: "rs-executor".into(),
        message: "working".into(),
        timestamp: 0,
    };
    colonyos::add_log(&log, ek).await.expect("add_log");
    let logs = colonyos::get_logs(&colonyname, &assigned.processid, "", 100, 0, ek)
        .await
        .expect("get_logs");
    assert_eq!(logs.iter().map(|l| l.message.as_str()).collect::<Vec<_>>(), ["working"]);
    colonyos::set_output(&assigned.processid, vec!["result".into()], ek).await.expect("set_output");
    colonyos::close(&assigned.processid, ek).await.expect("close");
    let closed = colonyos::get_process(&assigned.processid, ek).await.expect("get_process");
    assert_eq!(closed.state, core::SUCCESS);
    assert_eq!(closed.output, ["result"]);
    assert!(closed.attributes.iter().any(|a| a.key == "progress"));

    // Fail.
    let submitted = colonyos::submit(&spec(&colonyname, &["boom"]), ek).await.expect("submit");
    let assigned = colonyos::assign(&colonyname, 5, ek).await.expect("assign");
    assert_eq!(assigned.processid, submitted.processid);
    colonyos::fail(&assigned.processid, ek).await.expect("fail");
    let failed = colonyos::get_process(&assigned.processid, ek).await.expect("get_process");
    assert_eq!(failed.state, core::FAILED);

    // Nothing left: assign fails after its timeout.
    assert!(colonyos::assign(&colonyname, 1, ek).await.is_err());

    // Lists and statistics.
    let successful =
        colonyos::get_processes(&colonyname, 100, core::SUCCESS, ek).await.expect("get_processes");
    assert_eq!(successful.len(), 1);
    let stats = colonyos::get_statistics(&colonyname, ek).await.expect("get_statistics");
    println!("statistics: {stats:?}");

    // /pubsub: wait for a process closed by another task.
    let waiting = colonyos::submit(&spec(&colonyname, &["later"]), ek).await.expect("submit");
    let executor_key = executor_prvkey.clone();
    let colony_for_executor = colonyname.clone();
    let closer = tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let p = colonyos::assign(&colony_for_executor, 5, &executor_key).await.expect("assign");
        colonyos::close(&p.processid, &executor_key).await.expect("close");
    });
    let subscribed = tokio::time::timeout(
        std::time::Duration::from_secs(15),
        colonyos::subscribe_process(&waiting, core::SUCCESS, 10, ek),
    )
    .await;
    closer.await.expect("the closing task");
    subscribed.expect("subscribe_process returned within 15 s").expect("subscribe_process");
    let done = colonyos::get_process(&waiting.processid, ek).await.expect("get_process");
    assert_eq!(done.state, core::SUCCESS);

    // Workflows.
    let mut first = spec(&colonyname, &["a"]);
    first.nodename = "first".into();
    let mut second = spec(&colonyname, &["b"]);
    second.nodename = "second".into();
    second.conditions.dependencies = vec!["first".into()];
    let workflow =
        core::WorkflowSpec { colonyname: colonyname.clone(), functionspecs: vec![first, second] };
    let graph = colonyos::submit_workflow(&workflow, ek).await.expect("submit_workflow");
    assert_eq!(graph.processids.len(), 2);
    let got = colonyos::get_processgraph(&graph.processgraphid, ek).await.expect("get_processgraph");
    assert_eq!(got.processgraphid, graph.processgraphid);
    colonyos::remove_processgraph(&graph.processgraphid, ek).await.expect("remove_processgraph");

    // Clean up.
    colonyos::remove_process(&failed.processid, ek).await.expect("remove_process");
    assert!(colonyos::get_process(&failed.processid, ek).await.is_err());
    colonyos::remove_executor(&colonyname, "rs-executor", &colony_prvkey)
        .await
        .expect("remove_executor");
    colonyos::remove_colony(&colonyname, sk).await.expect("remove_colony");
}

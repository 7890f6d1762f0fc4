//! The `colonies-edge` command against our server: the interop flow through the binary,
//! with `--json` output and the documented exit codes.

mod support;

use serde_json::Value;
use support::setup;

fn s(value: &Value, key: &str) -> String {
    value[key].as_str().unwrap_or_else(|| panic!("no {key} in {value}")).to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn cli_flow() {
    let setup = setup("cli-flow").await;
    let run = |args: &[&str]| setup.json(args);

    let colonies = run(&["colony", "ls"]);
    assert!(
        colonies.as_array().expect("a list").iter().any(|c| c["name"] == setup.colony.as_str())
    );
    let executors = run(&["executor", "ls"]);
    assert_eq!(executors[0]["state"], 1);

    let process = run(&["function", "submit", "--func", "echo", "--arg", "hello", "--arg", "42"]);
    assert_eq!(process["state"], 0);
    assert_eq!(process["spec"]["args"], serde_json::json!(["hello", 42]));
    let id = s(&process, "processid");

    let listed = run(&["process", "ps", "--state", "waiting"]);
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    let assigned = run(&["process", "assign", "--wait", "5"]);
    assert_eq!(s(&assigned, "processid"), id);
    run(&["process", "close", &id, "--out", "done"]);
    let got = run(&["process", "get", &id]);
    assert_eq!((got["state"].clone(), got["out"].clone()), (2.into(), serde_json::json!(["done"])));
    // --wait on a finished process returns at once with exit code 0.
    let waited = run(&["process", "get", &id, "--wait", "--wait-timeout", "5"]);
    assert_eq!(waited["state"], 2);

    // A spec file in the Colonies JSON format; it fails, and --wait reports that with exit 6.
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("spec.json");
    let spec = serde_json::json!({
        "funcname": "fails", "args": [], "conditions": {"executortype": setup.executortype}
    });
    std::fs::write(&path, spec.to_string()).expect("write the spec");
    let submitted = run(&["function", "submit", "--spec", path.to_str().expect("a UTF-8 path")]);
    assert_eq!(submitted["spec"]["maxexectime"], -1, "an absent maxexectime means unlimited");
    let failing = s(&submitted, "processid");
    run(&["process", "assign", "--wait", "5"]);
    run(&["process", "fail", &failing, "--error", "it broke"]);
    let waited = setup.run(&["process", "get", &failing, "--wait", "--wait-timeout", "5"]);
    assert_eq!(waited.status.code(), Some(6));

    let stats = run(&["colony", "stats"]);
    assert_eq!(
        (stats["successfulprocesses"].clone(), stats["failedprocesses"].clone()),
        (1.into(), 1.into())
    );
    run(&["process", "rm", &failing]);

    // Exit codes: 1 the server said no, 2 usage, 3 unreachable.
    let missing = setup.run(&["process", "get", "0000"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("404"));
    assert_eq!(setup.run(&["process", "ps", "--state", "bogus"]).status.code(), Some(2));
    let no_key = setup
        .command()
        .env_remove("COLONIES_PRVKEY")
        .args(["process", "ps"])
        .output()
        .expect("runs");
    assert_eq!(no_key.status.code(), Some(2));
    let unreachable = setup.run(&["colony", "ls", "--server-url", "http://127.0.0.1:1"]);
    assert_eq!(unreachable.status.code(), Some(3));

    // Human output: a table with the process.
    let table = setup.run(&["process", "ps", "--state", "successful"]);
    assert!(String::from_utf8_lossy(&table.stdout).contains(&id));

    run(&["executor", "rm", &setup.executorname]);
    run(&["colony", "rm", &setup.colony]);
}

#[test]
fn key_and_completions_work_offline() {
    let bin = env!("CARGO_BIN_EXE_colonies-edge");
    let generated =
        std::process::Command::new(bin).args(["key", "generate", "--json"]).output().expect("runs");
    let keys: Value = serde_json::from_slice(&generated.stdout).expect("JSON");
    let id = std::process::Command::new(bin)
        .args(["key", "id", &s(&keys, "prvkey")])
        .output()
        .expect("runs");
    assert_eq!(String::from_utf8_lossy(&id.stdout).trim(), s(&keys, "id"));
    let completions =
        std::process::Command::new(bin).args(["completions", "bash"]).output().expect("runs");
    assert!(String::from_utf8_lossy(&completions.stdout).contains("colonies-edge"));
}

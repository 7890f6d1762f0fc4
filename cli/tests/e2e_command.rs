//! `colonies-edge` in an end-to-end encrypted colony against our server: `colony add
//! --encrypted`, members asking their keys, `colony keys sync`, a submit and an assign that
//! show plaintext to members while the server holds ciphertext, and `executor rm` rotating
//! the key for the remaining members.

mod support;

use colonies_client::{
    Client, PrivateKey,
    core::{
        e2e::is_sealed,
        model::{
            Conditions, Cron, Executor, FunctionSpec, ProcessState, StateFilter, User, WorkflowSpec,
        },
    },
};
use serde_json::Value;
use std::process::Output;
use support::setup;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn ok(output: &Output, what: &str) -> String {
    assert_eq!(output.status.code(), Some(0), "{what}: {}", text(&output.stderr));
    text(&output.stdout)
}

fn json(output: &Output, what: &str) -> Value {
    let stdout = ok(output, what);
    serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{what} printed no JSON ({e}): {stdout}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn an_encrypted_colony_from_the_command_line() {
    let setup = setup("e2e-cli").await;
    let colony = format!("{}-sealed", setup.colony);
    let (owner_key, executor_key, user_key) = (
        PrivateKey::generate().unwrap(),
        PrivateKey::generate().unwrap(),
        PrivateKey::generate().unwrap(),
    );
    let executortype = "e2e-cli-type";
    // `colonies-edge ARGS` in the new colony, acting with `key` (COLONIES_PRVKEY).
    let run = |key: &PrivateKey, args: &[&str]| {
        setup
            .command()
            .env("COLONIES_COLONY_NAME", &colony)
            .env("COLONIES_COLONY_PRVKEY", owner_key.to_hex())
            .env("COLONIES_PRVKEY", key.to_hex())
            .args(args)
            .output()
            .expect("colonies-edge runs")
    };

    let added = run(&owner_key, &["colony", "add", "--name", &colony, "--encrypted", "--json"]);
    let added_json = json(&added, "colony add --encrypted");
    assert_eq!(added_json["name"], colony.as_str(), "the colony as without --encrypted");
    let said = text(&added.stderr);
    assert!(said.contains("created key version 1, wrapped for owner"), "{said}");

    // An executor and a user join and ask their keys: encrypted, none held yet.
    let owner = Client::new(&setup.url, owner_key.clone()).unwrap();
    owner
        .add_executor(Executor {
            executorid: executor_key.id().to_hex(),
            executortype: executortype.into(),
            executorname: "sealer".into(),
            colonyname: colony.clone(),
            ..Executor::default()
        })
        .await
        .unwrap();
    owner.approve_executor(colony.clone(), "sealer").await.unwrap();
    owner
        .add_user(User {
            userid: user_key.id().to_hex(),
            name: "alice".into(),
            colonyname: colony.clone(),
            ..User::default()
        })
        .await
        .unwrap();
    for member in [&executor_key, &user_key] {
        let shown = json(&run(member, &["colony", "keys", "show", "--json"]), "keys show");
        assert_eq!(shown["encrypted"], true, "{shown}");
        assert_eq!(shown["held"], serde_json::json!([]), "{shown}");
    }
    let refused = run(
        &user_key,
        &["function", "submit", "--func", "echo", "--arg", "x", "--executor-type", executortype],
    );
    assert_ne!(refused.status.code(), Some(0), "no key yet: nothing may be sent");
    assert!(text(&refused.stderr).contains("colony keys sync"), "{}", text(&refused.stderr));

    let synced = json(&run(&owner_key, &["colony", "keys", "sync", "--json"]), "keys sync");
    let mut wrapped_for: Vec<&str> =
        synced["wrapped_for"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    wrapped_for.sort_unstable();
    assert_eq!(wrapped_for, ["executor:sealer", "user:alice"], "{synced}");

    // The user submits; members read plaintext, the server holds ciphertext.
    let submitted = json(
        &run(
            &user_key,
            &[
                "function",
                "submit",
                "--func",
                "echo",
                "--arg",
                "secret-arg",
                "--kwarg",
                "mode=secret-kwarg",
                "--executor-type",
                executortype,
                "--json",
            ],
        ),
        "function submit",
    );
    assert_eq!(submitted["spec"]["args"], serde_json::json!(["secret-arg"]), "{submitted}");
    let processid = submitted["processid"].as_str().unwrap().to_owned();
    let raw = Client::new(&setup.url, user_key.clone()).unwrap().with_e2e(false);
    let held = raw.get_process(processid.clone()).await.unwrap();
    let held_text = serde_json::to_string(&held).unwrap();
    assert!(
        !held_text.contains("secret-arg") && !held_text.contains("secret-kwarg"),
        "{held_text}"
    );
    assert!(held.spec.args[0].as_str().is_some_and(|a| a.starts_with("ce1:1:")), "{held_text}");

    let assigned =
        json(&run(&executor_key, &["process", "assign", "--wait", "5", "--json"]), "assign");
    assert_eq!(assigned["processid"], processid.as_str());
    assert_eq!(assigned["spec"]["args"], serde_json::json!(["secret-arg"]), "{assigned}");
    assert_eq!(assigned["spec"]["kwargs"]["mode"], "secret-kwarg", "{assigned}");
    ok(&run(&executor_key, &["process", "close", &processid, "--out", "secret-out"]), "close");
    let read = json(&run(&user_key, &["process", "get", &processid, "--json"]), "process get");
    assert_eq!(read["out"], serde_json::json!(["secret-out"]), "{read}");
    let held = raw.get_process(processid.clone()).await.unwrap();
    assert!(
        held.output.len() == 1 && is_sealed(held.output[0].as_str().unwrap()),
        "{:?}",
        held.output
    );

    // Removing the executor rotates: version 2, for the owner and the user only.
    let removed = ok(&run(&owner_key, &["executor", "rm", "sealer"]), "executor rm");
    assert!(removed.contains("removed executor sealer"), "{removed}");
    assert!(
        removed.contains("rotated to key version 2, wrapped for owner, user:alice"),
        "{removed}"
    );
    let members = json(
        &run(&owner_key, &["colony", "keys", "show", "--members", "--json"]),
        "show --members",
    );
    assert_eq!(members["currentversion"], 2, "{members}");
    let listed: Vec<&str> = members["members"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["versions"].as_array().unwrap().contains(&Value::from(2)))
        .filter_map(|m| m["kind"].as_str())
        .collect();
    assert_eq!(listed.len(), 2, "{members}");
    assert!(!listed.contains(&"executor"), "{members}");
    let again = json(
        &run(
            &user_key,
            &[
                "function",
                "submit",
                "--func",
                "echo",
                "--arg",
                "secret-arg",
                "--executor-type",
                executortype,
                "--json",
            ],
        ),
        "submit after the rotation",
    );
    let id = again["processid"].as_str().unwrap().to_owned();
    let held = raw.get_process(id).await.unwrap();
    assert!(
        held.spec.args[0].as_str().is_some_and(|a| a.starts_with("ce1:2:")),
        "{:?}",
        held.spec.args
    );

    // A cron's workflow is sealed inside its JSON string; the processes it starts open.
    let user = Client::new(&setup.url, user_key.clone()).unwrap();
    let workflow = WorkflowSpec {
        colonyname: colony.clone(),
        functionspecs: vec![FunctionSpec {
            funcname: "cron-echo".into(),
            nodename: "cron-echo".into(),
            args: vec![Value::from("secret-cron-arg")],
            conditions: Conditions { executortype: executortype.into(), ..Conditions::default() },
            ..FunctionSpec::default()
        }],
    };
    let cron = user
        .add_cron(Cron {
            colonyname: colony.clone(),
            name: "sealed-cron".into(),
            interval: 3600,
            workflowspec: serde_json::to_string(&workflow).unwrap(),
            ..Cron::default()
        })
        .await
        .unwrap();
    assert!(!cron.workflowspec.contains("secret-cron-arg"), "{}", cron.workflowspec);
    user.run_cron(cron.cronid).await.unwrap();
    let mut started = None;
    for _ in 0..50 {
        let waiting = user
            .get_processes(colony.clone(), 100, StateFilter::Only(ProcessState::Waiting))
            .await
            .unwrap();
        started = waiting.into_iter().find(|p| p.spec.funcname == "cron-echo");
        if started.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let started = started.expect("the cron started its workflow");
    assert_eq!(started.spec.args, [Value::from("secret-cron-arg")]);
    let held = raw.get_process(started.processid).await.unwrap();
    assert!(
        held.spec.args[0].as_str().is_some_and(|a| a.starts_with("ce1:2:")),
        "{:?}",
        held.spec.args
    );
}

//! `colonies-edge mesh` and `colonies-edge token` against our server: a policy file applied
//! twice (created, then unchanged: nothing written), exported and applied again, a function
//! invoked, and a bearer token used with plain HTTP.

mod support;

use colonies_blackbox::http;
use colonies_client::core::mesh::auth::TokenClaim;
use serde_json::Value;
use support::setup;

/// The fixture: an endpoint (the colony's executor, by name), a service, a microservice and a
/// function, guarded by a policy naming the role `analyst`.
fn policy_file(endpoint: &str) -> String {
    format!(
        "\
# A small mesh: one of each kind.
endpoints:
  {endpoint}:
    name: Endpoint A
    image: axo:endpoint
    resources: {{cpu: 2, ram: 2GB}}
    security_policy: {{sp_id: sp1, roles: [analyst], requires_authentication: true}}
    policy_id: policy1
services:
  s_data:
    security_policy: {{sp_id: sp1, roles: [analyst], requires_authentication: true}}
    microservices: [ms_loader]
    resources: {{cpu: 2, ram: 2GB}}
    policy_id: policy1
microservices:
  ms_loader:
    service_id: s_data
    resources: {{cpu: 1, ram: 1GB}}
    functions: [load_data]
    policy_id: policy1
functions:
  load_data:
    microservice_id: ms_loader
    image: rory:load
    resources: {{cpu: 1, ram: 512MB}}
    storage: {{capacity: 1GB, storage_id: stor1, source_path: /input, sink_path: /output}}
    endpoint_id: {endpoint}
    deployment_status: deployed
    policy_id: policy1
"
    )
}

fn outcomes(applied: &Value) -> Vec<(String, String)> {
    let entries = applied["entries"].as_array().expect("entries");
    entries
        .iter()
        .map(|e| {
            (e["id"].as_str().unwrap_or("").into(), e["outcome"].as_str().unwrap_or("").into())
        })
        .collect()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn mesh_apply_export_invoke_and_tokens() {
    let setup = setup("mesh-cli").await;
    let owner = |args: &[&str]| {
        let mut all = args.to_vec();
        all.push("--colony-owner");
        setup.json(&all)
    };
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("mesh.yml");
    std::fs::write(&file, policy_file(&setup.executorname)).expect("write the policy file");
    let file = file.to_str().expect("a UTF-8 path");

    // The executor (COLONIES_PRVKEY) holds the role the policy names.
    let executor_id = setup.executor.id().expect("a key").to_hex();
    let role = format!(
        r#"{{"name": "analyst", "description": "reads and runs",
            "permissions": ["catalog:read", "function:invoke"], "members": ["{executor_id}"]}}"#
    );
    assert_eq!(owner(&["mesh", "create", "roles", &role])["name"], "analyst");

    // Applied twice: created, then unchanged.
    let first = owner(&["mesh", "apply", file]);
    let endpoint = setup.executorname.clone();
    let created = |id: &str| (id.to_owned(), "created".to_owned());
    assert_eq!(
        outcomes(&first),
        [created(&endpoint), created("load_data"), created("ms_loader"), created("s_data")]
    );
    let second = setup.command().args(["mesh", "apply", file, "--colony-owner"]).output().unwrap();
    assert_eq!(second.status.code(), Some(0), "{}", text(&second.stderr));
    let lines = text(&second.stdout);
    assert!(lines.contains("unchanged          service s_data"), "{lines}");
    assert!(lines.contains("4 of 4 entries: 0 created, 0 replaced, 4 unchanged"), "{lines}");

    // A change is a replace; a dry run writes nothing.
    let changed = policy_file(&endpoint)
        .replace("resources: {cpu: 1, ram: 1GB}", "resources: {cpu: 3, ram: 1GB}");
    let changed_file = dir.path().join("changed.yml");
    std::fs::write(&changed_file, changed).unwrap();
    let changed_file = changed_file.to_str().unwrap();
    let dry = owner(&["mesh", "apply", changed_file, "--dry-run"]);
    assert!(outcomes(&dry).contains(&("ms_loader".into(), "replaced".into())));
    let stored = owner(&["mesh", "get", "microservices", "ms_loader"]);
    assert_eq!(stored["resources"]["cpu"], 1, "the dry run wrote nothing");
    let applied = owner(&["mesh", "apply", changed_file]);
    assert_eq!(outcomes(&applied)[2], ("ms_loader".into(), "replaced".into()));
    assert_eq!(owner(&["mesh", "get", "microservices", "ms_loader"])["resources"]["cpu"], 3);

    // Exported as stored (endpoint_id and policy_id included), and the export applies as
    // unchanged.
    let exported = dir.path().join("exported.yml");
    let exported = exported.to_str().unwrap();
    let export = setup.run(&["mesh", "export", "--colony-owner", "-o", exported]);
    assert_eq!(export.status.code(), Some(0), "{}", text(&export.stderr));
    assert!(!text(&export.stderr).contains("endpoint_id of"), "{}", text(&export.stderr));
    let yaml = std::fs::read_to_string(exported).unwrap();
    assert!(yaml.contains(&format!("endpoint_id: {endpoint}")), "{yaml}");
    assert!(yaml.starts_with("# CryptoMesh policy file: colony "), "{yaml}");
    assert!(yaml.contains("ms_loader") && yaml.contains("sp1"), "{yaml}");
    let again = owner(&["mesh", "apply", exported]);
    assert!(outcomes(&again).iter().all(|(_, o)| o == "unchanged"), "{again}");

    // The executor reads what its role lets it, and invokes the function on itself.
    let listed = setup.json(&["mesh", "list", "functions"]);
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    let invoked = setup.json(&[
        "mesh",
        "invoke",
        "load_data",
        "--args",
        r#"["in.csv"]"#,
        "--kwargs",
        r#"{"rows": 10}"#,
    ]);
    assert_eq!(invoked["function_id"], "load_data");
    assert_eq!(invoked["executorname"], endpoint.as_str());
    let process_id = invoked["process_id"].as_str().expect("a process id").to_owned();
    let process = setup.json(&["process", "get", &process_id]);
    assert_eq!(process["spec"]["args"], serde_json::json!(["in.csv"]));

    // Errors carry the server's status and message, and exit 1.
    let missing = setup.run(&["mesh", "get", "services", "nope", "--colony-owner"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(text(&missing.stderr).contains("404"), "{}", text(&missing.stderr));

    // A token: alone on stdout, for this server, usable with plain HTTP.
    let made = setup.run(&["token", "create", "--ttl", "15m"]);
    assert_eq!(made.status.code(), Some(0), "{}", text(&made.stderr));
    let token = text(&made.stdout);
    assert_eq!(token.lines().count(), 1, "{token}");
    let token = token.trim();
    let (claim, id) = TokenClaim::peek(token).expect("a token");
    assert_eq!((claim.colonyname.as_str(), id.to_hex()), (setup.colony.as_str(), executor_id));
    assert_eq!(claim.expiresat - claim.issuedat, 15 * 60 * 1000);
    assert!(text(&made.stderr).contains(&format!("token for colony {}", setup.colony)));
    let response = http()
        .get(format!("{}/api/v1/functions/", setup.url))
        .bearer_auth(token)
        .send()
        .await
        .expect("the server answers");
    assert_eq!(response.status().as_u16(), 200);
    let functions: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert_eq!(functions[0]["function_id"], "load_data");
    let too_long = setup.run(&["token", "create", "--ttl", "25h"]);
    assert_eq!(too_long.status.code(), Some(2));
    assert!(text(&too_long.stderr).contains("at most 24h"), "{}", text(&too_long.stderr));
}

/// CryptoMesh's example policy as it is (endpoint `ep1`): its four kinds of records are
/// created, and applying it again writes nothing.
#[tokio::test(flavor = "multi_thread")]
async fn the_example_policy_creates_its_four_kinds_once() {
    let setup = setup("mesh-example").await;
    let owner = |args: &[&str]| {
        let mut all = args.to_vec();
        all.push("--colony-owner");
        setup.json(&all)
    };
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("example.yml");
    std::fs::write(&file, policy_file("ep1")).expect("write the policy file");
    let file = file.to_str().expect("a UTF-8 path");
    let created = |id: &str| (id.to_owned(), "created".to_owned());
    assert_eq!(
        outcomes(&owner(&["mesh", "apply", file])),
        [created("ep1"), created("load_data"), created("ms_loader"), created("s_data")]
    );
    for (kind, id) in [
        ("endpoints", "ep1"),
        ("functions", "load_data"),
        ("microservices", "ms_loader"),
        ("services", "s_data"),
    ] {
        let listed = owner(&["mesh", "list", kind]);
        let ids: Vec<&str> = listed
            .as_array()
            .map(|records| {
                records
                    .iter()
                    .filter_map(|r| r[format!("{}_id", &kind[..kind.len() - 1])].as_str())
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(ids, [id], "{kind}: {listed}");
    }
    let again = owner(&["mesh", "apply", file]);
    assert!(outcomes(&again).iter().all(|(_, o)| o == "unchanged"), "{again}");
    assert_eq!(again["entries"].as_array().map(Vec::len), Some(4));
}

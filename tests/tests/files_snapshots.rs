//! Files and snapshots (protocol §4.12, §4.13): revisions, labels, snapshots of a label and its
//! sub-labels, bad input, the §12 security list and isolation between colonies.

use colonies_blackbox::{Client, key, new_colony, new_executor, unique};
use colonies_core::PrivateKey;
use serde_json::{Value, json};

/// Colony 1 with approved executor E1, an unapproved executor E3 and a user U1; colony 2 with
/// approved executor E2 (the §12 fixture, plus the members that test approval).
struct Env {
    client: Client,
    c1: PrivateKey,
    colony1: String,
    c2: PrivateKey,
    colony2: String,
    e1: PrivateKey,
    e2: PrivateKey,
    e3: PrivateKey,
    u1: PrivateKey,
}

async fn env() -> Env {
    let client = Client::new();
    let (c1, colony1) = new_colony(&client).await;
    let (c2, colony2) = new_colony(&client).await;
    let (e1, _) = new_executor(&client, &c1, &colony1, true).await;
    let (e2, _) = new_executor(&client, &c2, &colony2, true).await;
    let (e3, _) = new_executor(&client, &c1, &colony1, false).await;
    let u1 = key();
    let user = json!({ "user": { "colonyname": colony1, "userid": u1.id().to_hex(),
                                  "name": unique("user"), "email": "", "phone": "" } });
    client.call(&c1, "addusermsg", user).await.ok_json();
    Env { client, c1, colony1, c2, colony2, e1, e2, e3, u1 }
}

fn file(colony: &str, label: &str, name: &str, checksum: &str) -> Value {
    json!({ "file": {
        "colonyname": colony, "label": label, "name": name, "size": 42,
        "checksum": checksum, "checksumalg": "SHA256",
        "ref": { "protocol": "s3", "s3object": {
            "server": "s3.example", "port": 9000, "tls": true, "accesskey": "ak",
            "secretkey": "sk", "region": "eu", "encryptionkey": "", "encryptionalg": "",
            "object": format!("obj-{checksum}"), "bucket": "b" } }
    } })
}

fn is_id(value: &Value) -> bool {
    value.as_str().is_some_and(|s| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A list reply as a vector (`null` is Go's empty list).
fn list(value: Value) -> Vec<Value> {
    match value {
        Value::Null => Vec::new(),
        Value::Array(items) => items,
        other => panic!("not a list: {other}"),
    }
}

#[tokio::test]
async fn file_revisions_are_added_and_read_back_by_id_and_name() {
    let Env { client, colony1, e1, u1, .. } = env().await;
    let first = client.call(&e1, "addfilemsg", file(&colony1, "/data", "a.txt", "c1")).await;
    let first = first.ok_json();
    assert!(is_id(&first["fileid"]), "{first}");
    assert_eq!(first["colonyname"], colony1.as_str());
    assert_eq!(first["ref"]["s3object"]["secretkey"], "sk");
    assert_eq!(first["ref"]["s3object"]["port"], 9000);
    assert!(!first["added"].as_str().unwrap_or("0001").starts_with("0001"), "{first}");
    // A user of the colony may add files too.
    let second = client.call(&u1, "addfilemsg", file(&colony1, "/data", "a.txt", "c2")).await;
    let second = second.ok_json();
    assert_ne!(first["fileid"], second["fileid"]);
    assert!(second["sequencenr"].as_i64() > first["sequencenr"].as_i64());

    let by_id = json!({ "colonyname": colony1, "fileid": first["fileid"] });
    let got = client.call(&e1, "getfilemsg", by_id).await.ok_json();
    assert_eq!(got, json!([first]));

    let by_name = json!({ "colonyname": colony1, "label": "/data", "name": "a.txt" });
    let all = list(client.call(&e1, "getfilemsg", by_name.clone()).await.ok_json());
    assert_eq!(all, vec![second.clone(), first.clone()], "newest revision first");
    let mut latest = by_name;
    latest["latest"] = json!(true);
    assert_eq!(client.call(&e1, "getfilemsg", latest).await.ok_json(), json!([second]));
}

#[tokio::test]
async fn files_and_labels_are_listed() {
    let Env { client, colony1, e1, .. } = env().await;
    for (label, name, checksum) in [
        ("/data", "a.txt", "a1"),
        ("/data", "a.txt", "a2"),
        ("/data", "b.txt", "b1"),
        ("/data/sub", "c.txt", "c1"),
        ("/datax", "d.txt", "d1"),
    ] {
        client.call(&e1, "addfilemsg", file(&colony1, label, name, checksum)).await.ok_json();
    }
    let files = client.call(&e1, "getfilesmsg", json!({ "colonyname": colony1, "label": "/data" }));
    let mut files = list(files.await.ok_json());
    files.sort_by_key(|f| f["name"].as_str().map(str::to_owned));
    assert_eq!(
        files,
        vec![
            json!({ "name": "a.txt", "checksum": "a2", "size": 42, "s3filename": "obj-a2" }),
            json!({ "name": "b.txt", "checksum": "b1", "size": 42, "s3filename": "obj-b1" }),
        ]
    );
    let labels = |name: &str, exact: bool| {
        let payload = json!({ "colonyname": colony1, "name": name, "exact": exact });
        let client = &client;
        let e1 = &e1;
        async move { list(client.call(e1, "getfilelabelsmsg", payload).await.ok_json()) }
    };
    let all = json!([
        { "name": "/data", "files": 3 },
        { "name": "/data/sub", "files": 1 },
        { "name": "/datax", "files": 1 }
    ]);
    assert_eq!(Value::Array(labels("", false).await), all);
    assert_eq!(Value::Array(labels("/data", false).await), all, "a prefix, as Go's LIKE");
    assert_eq!(
        Value::Array(labels("/data", true).await),
        json!([{ "name": "/data", "files": 3 }, { "name": "/data/sub", "files": 1 }])
    );
    assert!(labels("/nothing", true).await.is_empty());
    assert!(labels("/data/s", true).await.is_empty(), "exact needs the label itself");
}

#[tokio::test]
async fn files_are_removed_by_id_or_by_name() {
    let Env { client, colony1, e1, .. } = env().await;
    let a1 = client.call(&e1, "addfilemsg", file(&colony1, "/rm", "a", "1")).await.ok_json();
    let a2 = client.call(&e1, "addfilemsg", file(&colony1, "/rm", "a", "2")).await.ok_json();
    client.call(&e1, "addfilemsg", file(&colony1, "/rm", "b", "3")).await.ok_json();
    let remove = json!({ "colonyname": colony1, "fileid": a2["fileid"] });
    assert_eq!(client.call(&e1, "removefilemsg", remove).await.ok_json(), json!({}));
    let by_name = json!({ "colonyname": colony1, "label": "/rm", "name": "a" });
    assert_eq!(client.call(&e1, "getfilemsg", by_name.clone()).await.ok_json(), json!([a1]));
    let remove = json!({ "colonyname": colony1, "label": "/rm", "name": "b" });
    client.call(&e1, "removefilemsg", remove).await.ok_json();
    let by_b = json!({ "colonyname": colony1, "label": "/rm", "name": "b" });
    client.call(&e1, "getfilemsg", by_b).await.assert_error(404);
    // Neither an ID nor label + name.
    let neither = json!({ "colonyname": colony1, "label": "/rm" });
    client.call(&e1, "removefilemsg", neither).await.assert_error(400);
    client.call(&e1, "getfilemsg", by_name).await.ok_json();
}

#[tokio::test]
async fn bad_file_requests_are_refused_and_nothing_is_written() {
    let Env { client, colony1, e1, .. } = env().await;
    let label = unique("/bad");
    for bad in [
        file(&colony1, &label, "", "x"),
        file(&colony1, "", "a", "x"),
        file(&colony1, &label, "a\nb", "x"),
        json!({ "file": null }),
    ] {
        let answer = client.call(&e1, "addfilemsg", bad).await;
        // A null file names no colony, so it fails authorisation first.
        assert!(answer.failure().status == 400 || answer.failure().status == 403, "{answer:?}");
    }
    let mut negative = file(&colony1, &label, "a", "x");
    negative["file"]["size"] = json!(-1);
    client.call(&e1, "addfilemsg", negative).await.assert_error(400);
    let files = client.call(&e1, "getfilesmsg", json!({ "colonyname": colony1, "label": label }));
    assert!(list(files.await.ok_json()).is_empty());

    let unknown = json!({ "colonyname": colony1, "fileid": key().id().to_hex() });
    client.call(&e1, "getfilemsg", unknown).await.assert_error(400);
    let missing = json!({ "colonyname": colony1, "label": label, "name": "nope" });
    client.call(&e1, "getfilemsg", missing).await.assert_error(404);
    client.call(&e1, "getfilemsg", json!({ "colonyname": colony1 })).await.assert_error(400);
}

#[tokio::test]
async fn files_follow_the_security_list() {
    let Env { client, c1, colony1, c2, colony2, e1, e2, e3, .. } = env().await;
    let added = client.call(&e1, "addfilemsg", file(&colony1, "/sec", "f", "1")).await.ok_json();
    let by_id = json!({ "colonyname": colony1, "fileid": added["fileid"] });
    let by_name = json!({ "colonyname": colony1, "label": "/sec", "name": "f" });
    let files = json!({ "colonyname": colony1, "label": "/sec" });
    let labels = json!({ "colonyname": colony1, "name": "" });
    let outsider = key();
    for denied in [&e2, &c1, &c2, &e3, &outsider] {
        let add = client.call(denied, "addfilemsg", file(&colony1, "/sec", "g", "2")).await;
        add.assert_error(403);
        client.call(denied, "getfilemsg", by_id.clone()).await.assert_error(403);
        client.call(denied, "getfilemsg", by_name.clone()).await.assert_error(403);
        client.call(denied, "getfilesmsg", files.clone()).await.assert_error(403);
        client.call(denied, "getfilelabelsmsg", labels.clone()).await.assert_error(403);
        client.call(denied, "removefilemsg", by_id.clone()).await.assert_error(403);
        client.call(denied, "removefilemsg", by_name.clone()).await.assert_error(403);
    }
    // E1 naming colony 2 is not a member there.
    let mut wrong = by_id.clone();
    wrong["colonyname"] = json!(colony2);
    client.call(&e1, "getfilemsg", wrong.clone()).await.assert_error(403);
    client.call(&e1, "removefilemsg", wrong).await.assert_error(403);
    client.call(&e1, "addfilemsg", file(&colony2, "/sec", "g", "2")).await.assert_error(403);
    // Nothing above removed the file.
    assert_eq!(client.call(&e1, "getfilemsg", by_id.clone()).await.ok_json(), json!([added]));

    // Colony 2's member cannot reach colony 1's file through its own colony either.
    let mut through_own = by_id.clone();
    through_own["colonyname"] = json!(colony2);
    client.call(&e2, "getfilemsg", through_own.clone()).await.assert_error(400);
    client.call(&e2, "removefilemsg", through_own).await.ok_json();
    assert_eq!(client.call(&e1, "getfilemsg", by_id.clone()).await.ok_json(), json!([added]));
    let own_labels = json!({ "colonyname": colony2, "name": "" });
    assert!(list(client.call(&e2, "getfilelabelsmsg", own_labels).await.ok_json()).is_empty());

    client.call(&e1, "removefilemsg", by_id.clone()).await.ok_json();
    client.call(&e1, "getfilemsg", by_id).await.assert_error(400);
}

#[tokio::test]
async fn a_snapshot_freezes_the_newest_files_of_a_label_and_its_sub_labels() {
    let Env { client, colony1, e1, u1, .. } = env().await;
    let add = |label: &'static str, name: &'static str, sum: &'static str| {
        let payload = file(&colony1, label, name, sum);
        let (client, e1) = (&client, &e1);
        async move { client.call(e1, "addfilemsg", payload).await.ok_json() }
    };
    add("/snap", "a", "1").await;
    let a2 = add("/snap", "a", "2").await;
    let b = add("/snap/sub", "b", "3").await;
    add("/snapx", "c", "4").await;
    let name = unique("snapshot");
    let create = json!({ "colonyname": colony1, "label": "/snap", "name": name });
    let snapshot = client.call(&e1, "createsnapshotmsg", create.clone()).await.ok_json();
    assert!(is_id(&snapshot["snapshotid"]), "{snapshot}");
    assert_eq!(snapshot["name"], name.as_str());
    assert_eq!(snapshot["label"], "/snap");
    assert_eq!(snapshot["fileids"], json!([a2["fileid"], b["fileid"]]));
    // Later revisions do not change it.
    add("/snap", "a", "5").await;

    let by_id = json!({ "colonyname": colony1, "snapshotid": snapshot["snapshotid"] });
    let by_name = json!({ "colonyname": colony1, "name": name });
    assert_eq!(client.call(&u1, "getsnapshotmsg", by_id.clone()).await.ok_json(), snapshot);
    assert_eq!(client.call(&e1, "getsnapshotmsg", by_name.clone()).await.ok_json(), snapshot);
    let all = client.call(&e1, "getsnapshotsmsg", json!({ "colonyname": colony1 })).await;
    assert_eq!(list(all.ok_json()), vec![snapshot.clone()]);

    // The name is unique in the colony; ':' would break Go's composite key.
    client.call(&e1, "createsnapshotmsg", create).await.assert_error(400);
    let colon = json!({ "colonyname": colony1, "label": "/snap", "name": "a:b" });
    client.call(&e1, "createsnapshotmsg", colon).await.assert_error(400);
    let nameless = json!({ "colonyname": colony1, "label": "/snap", "name": "" });
    client.call(&e1, "createsnapshotmsg", nameless).await.assert_error(400);
    client.call(&e1, "getsnapshotmsg", json!({ "colonyname": colony1 })).await.assert_error(400);
    let unknown = json!({ "colonyname": colony1, "name": "nope" });
    client.call(&e1, "getsnapshotmsg", unknown.clone()).await.assert_error(404);
    client.call(&e1, "removesnapshotmsg", unknown).await.assert_error(404);

    assert_eq!(client.call(&e1, "removesnapshotmsg", by_name).await.ok_json(), json!({}));
    client.call(&e1, "getsnapshotmsg", by_id).await.assert_error(404);
    for _ in 0..2 {
        let create = json!({ "colonyname": colony1, "label": "/snap", "name": unique("s") });
        client.call(&e1, "createsnapshotmsg", create).await.ok_json();
    }
    let colony = json!({ "colonyname": colony1 });
    assert_eq!(list(client.call(&e1, "getsnapshotsmsg", colony.clone()).await.ok_json()).len(), 2);
    client.call(&e1, "removeallsnapshotmsg", colony.clone()).await.ok_json();
    assert!(list(client.call(&e1, "getsnapshotsmsg", colony).await.ok_json()).is_empty());
}

#[tokio::test]
async fn snapshots_follow_the_security_list() {
    let Env { client, c1, colony1, c2, colony2, e1, e2, e3, .. } = env().await;
    client.call(&e1, "addfilemsg", file(&colony1, "/s", "f", "1")).await.ok_json();
    let name = unique("snapshot");
    let create = json!({ "colonyname": colony1, "label": "/s", "name": name });
    let by_id = |id: &Value| json!({ "colonyname": colony1, "snapshotid": id });
    let by_name = json!({ "colonyname": colony1, "name": name });
    let colony = json!({ "colonyname": colony1 });
    let outsider = key();
    for denied in [&e2, &c1, &c2, &e3, &outsider] {
        client.call(denied, "createsnapshotmsg", create.clone()).await.assert_error(403);
    }
    let snapshot = client.call(&e1, "createsnapshotmsg", create).await.ok_json();
    for denied in [&e2, &c1, &c2, &e3, &outsider] {
        let get = client.call(denied, "getsnapshotmsg", by_id(&snapshot["snapshotid"])).await;
        get.assert_error(403);
        client.call(denied, "getsnapshotmsg", by_name.clone()).await.assert_error(403);
        client.call(denied, "getsnapshotsmsg", colony.clone()).await.assert_error(403);
        client.call(denied, "removesnapshotmsg", by_name.clone()).await.assert_error(403);
        client.call(denied, "removeallsnapshotmsg", colony.clone()).await.assert_error(403);
    }
    // E1 with colony 2's name, and E2 through its own colony, see nothing of colony 1.
    let wrong = json!({ "colonyname": colony2, "name": name });
    client.call(&e1, "getsnapshotmsg", wrong.clone()).await.assert_error(403);
    client.call(&e2, "getsnapshotmsg", wrong.clone()).await.assert_error(404);
    let wrong_id = json!({ "colonyname": colony2, "snapshotid": snapshot["snapshotid"] });
    client.call(&e2, "getsnapshotmsg", wrong_id).await.assert_error(404);
    client.call(&e2, "removeallsnapshotmsg", json!({ "colonyname": colony2 })).await.ok_json();
    assert_eq!(client.call(&e1, "getsnapshotmsg", by_name).await.ok_json(), snapshot);
    // The same snapshot name is free in another colony.
    client.call(&e2, "addfilemsg", file(&colony2, "/s", "f", "1")).await.ok_json();
    let create2 = json!({ "colonyname": colony2, "label": "/s", "name": name });
    client.call(&e2, "createsnapshotmsg", create2).await.ok_json();
}

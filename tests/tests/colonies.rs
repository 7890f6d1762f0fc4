//! Colonies: protocol §13 cases 9–12 and 17 (owner side), the §12 colony security list.

use colonies_blackbox::{Client, key, server, unique};
use serde_json::json;

fn colony(id: &str, name: &str) -> serde_json::Value {
    json!({ "colony": { "colonyid": id, "name": name } })
}

// 9, 10
#[tokio::test]
async fn the_server_owner_adds_a_colony_once() {
    let client = Client::new();
    let (c1, name) = (key(), unique("c"));
    let id = c1.id().to_hex();
    let reply = client.call(&server().owner, "addcolonymsg", colony(&id, &name)).await.ok_json();
    assert_eq!(reply, json!({ "colonyid": id, "name": name }));
    client.call(&server().owner, "addcolonymsg", colony(&id, &name)).await.assert_error(400);
    let all = client.call(&server().owner, "getcoloniesmsg", json!({})).await.ok_json();
    assert!(all.as_array().is_some_and(|a| a.iter().any(|c| c["name"] == name)), "{all}");
}

// 11, and names that would break composite keys
#[tokio::test]
async fn a_bad_colony_id_or_name_is_400_and_nothing_is_written() {
    let client = Client::new();
    let owner = &server().owner;
    let id = key().id().to_hex();
    let name = unique("c");
    client.call(owner, "addcolonymsg", colony(&id[..63], &name)).await.assert_error(400);
    client.call(owner, "addcolonymsg", colony(&id, &format!("{name}:x"))).await.assert_error(400);
    client.call(owner, "addcolonymsg", colony(&id, "")).await.assert_error(400);
    client.call(owner, "addcolonymsg", json!({ "colony": null })).await.assert_error(400);
    let all = client.call(owner, "getcoloniesmsg", json!({})).await.ok_json();
    assert!(!all.to_string().contains(&name), "{all}");
}

// 12
#[tokio::test]
async fn server_owner_messages_refuse_everyone_else() {
    let client = Client::new();
    let c1 = key();
    let name = unique("c");
    client.call(&server().owner, "addcolonymsg", colony(&c1.id().to_hex(), &name)).await.ok_json();
    for signer in [&c1, &key()] {
        let other = unique("c");
        client
            .call(signer, "addcolonymsg", colony(&signer.id().to_hex(), &other))
            .await
            .assert_error(403);
        client.call(signer, "getcoloniesmsg", json!({})).await.assert_error(403);
        client.call(signer, "getstatisticsmsg", json!({})).await.assert_error(403);
        client.call(signer, "getclustermsg", json!({})).await.assert_error(403);
        client
            .call(signer, "removecolonymsg", json!({ "colonyname": name }))
            .await
            .assert_error(403);
    }
    let cluster = client.call(&server().owner, "getclustermsg", json!({})).await.ok_json();
    assert_eq!(cluster["nodes"][0], cluster["leader"], "{cluster}");
}

// 17 (the owner side; members come with executors)
#[tokio::test]
async fn the_colony_owner_is_not_a_member() {
    let client = Client::new();
    let c1 = key();
    let name = unique("c");
    client.call(&server().owner, "addcolonymsg", colony(&c1.id().to_hex(), &name)).await.ok_json();
    client.call(&c1, "getcolonymsg", json!({ "colonyname": name })).await.assert_error(403);
    client.call(&key(), "getcolonymsg", json!({ "colonyname": name })).await.assert_error(403);
    client
        .call(&server().owner, "getcolonymsg", json!({ "colonyname": name }))
        .await
        .assert_error(403);
}

#[tokio::test]
async fn the_server_owner_removes_a_colony() {
    let client = Client::new();
    let owner = &server().owner;
    let name = unique("c");
    client.call(owner, "addcolonymsg", colony(&key().id().to_hex(), &name)).await.ok_json();
    let empty =
        client.call(owner, "removecolonymsg", json!({ "colonyname": name })).await.ok_json();
    assert_eq!(empty, json!({}));
    client.call(owner, "removecolonymsg", json!({ "colonyname": name })).await.assert_error(400);
    let all = client.call(owner, "getcoloniesmsg", json!({})).await.ok_json();
    assert!(!all.to_string().contains(&name), "{all}");
}

//! Users and locations: the §12 user security list, §4.15 locations.

use colonies_blackbox::{Client, key, new_colony, new_executor, unique};
use colonies_core::PrivateKey;
use serde_json::json;

fn user(key: &PrivateKey, colony: &str, name: &str) -> serde_json::Value {
    json!({ "user": { "colonyname": colony, "userid": key.id().to_hex(), "name": name,
                      "email": "a@b.c", "phone": "1" } })
}

#[tokio::test]
async fn users_follow_the_security_list() {
    let client = Client::new();
    let (c1, colony1) = new_colony(&client).await;
    let (c2, colony2) = new_colony(&client).await;
    let (e1, _) = new_executor(&client, &c1, &colony1, true).await;
    let (e2, _) = new_executor(&client, &c2, &colony2, true).await;
    let (u1, u2) = (key(), key());
    let name = unique("user");
    for denied in [&e1, &e2, &c2] {
        client.call(denied, "addusermsg", user(&u1, &colony1, &name)).await.assert_error(403);
    }
    let added = client.call(&c1, "addusermsg", user(&u1, &colony1, &name)).await.ok_json();
    assert_eq!(added["name"], name.as_str());
    // The name, and the key, are taken once per colony.
    client.call(&c1, "addusermsg", user(&key(), &colony1, &name)).await.assert_error(400);
    client.call(&c1, "addusermsg", user(&u1, &colony1, &unique("user"))).await.assert_error(400);
    client.call(&c2, "addusermsg", user(&u2, &colony2, &unique("user"))).await.ok_json();

    let get = json!({ "colonyname": colony1, "name": name });
    let by_id = json!({ "colonyname": colony1, "userid": u1.id().to_hex() });
    let list = json!({ "colonyname": colony1 });
    for denied in [&e2, &u2, &c1, &c2] {
        client.call(denied, "getusersmsg", list.clone()).await.assert_error(403);
        client.call(denied, "getusermsg", get.clone()).await.assert_error(403);
        client.call(denied, "getuserbyidmsg", by_id.clone()).await.assert_error(403);
    }
    for allowed in [&e1, &u1] {
        assert_eq!(
            client.call(allowed, "getusersmsg", list.clone()).await.ok_json()[0]["name"],
            name.as_str()
        );
        assert_eq!(
            client.call(allowed, "getusermsg", get.clone()).await.ok_json()["email"],
            "a@b.c"
        );
        assert_eq!(
            client.call(allowed, "getuserbyidmsg", by_id.clone()).await.ok_json()["name"],
            name.as_str()
        );
    }
    let missing = json!({ "colonyname": colony1, "name": "nobody" });
    client.call(&e1, "getusermsg", missing).await.assert_error(404);

    for denied in [&e1, &u1, &c2] {
        client.call(denied, "removeusermsg", get.clone()).await.assert_error(403);
    }
    client.call(&c1, "removeusermsg", get.clone()).await.ok_json();
    client.call(&u1, "getusersmsg", list).await.assert_error(403);
    client.call(&c1, "removeusermsg", get).await.assert_error(404);
}

#[tokio::test]
async fn locations_are_added_by_the_owner_and_read_by_members() {
    let client = Client::new();
    let (c1, colony) = new_colony(&client).await;
    let (e1, _) = new_executor(&client, &c1, &colony, false).await;
    let name = unique("loc");
    let add = json!({ "location": { "name": name, "colonyname": colony, "description": "d",
                                    "long": 18.07, "lat": 59.33 } });
    client.call(&e1, "addlocationmsg", add.clone()).await.assert_error(403);
    let added = client.call(&c1, "addlocationmsg", add.clone()).await.ok_json();
    assert_eq!(added["locationid"].as_str().map(str::len), Some(64), "{added}");
    client.call(&c1, "addlocationmsg", add).await.assert_error(400);
    let get = json!({ "colonyname": colony, "name": name });
    let got = client.call(&e1, "getlocationmsg", get.clone()).await.ok_json();
    assert_eq!((got["long"].as_f64(), got["lat"].as_f64()), (Some(18.07), Some(59.33)));
    let all = client.call(&e1, "getlocationsmsg", json!({ "colonyname": colony })).await.ok_json();
    assert_eq!(all.as_array().map(Vec::len), Some(1));
    client.call(&c1, "getlocationsmsg", json!({ "colonyname": colony })).await.assert_error(403);
    client.call(&e1, "removelocationmsg", get.clone()).await.assert_error(403);
    client.call(&c1, "removelocationmsg", get.clone()).await.ok_json();
    client.call(&e1, "getlocationmsg", get).await.assert_error(404);
}

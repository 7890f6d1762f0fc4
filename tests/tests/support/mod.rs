//! Fixtures shared by the process, assign, deadline and attribute/log/function suites:
//! protocol §12's `SetupTestEnv1` (two colonies with one approved executor each), function
//! specs, and executors of a chosen type, name and location; and ([`mesh`]) a client of the
//! mesh's REST API for the mesh suites.

// Each test binary uses a different part of this module.
#![allow(dead_code)]

pub mod mesh;

use colonies_blackbox::{Answer, Client, key, new_colony, unique};
use colonies_core::PrivateKey;
use serde_json::{Value, json};

/// The executor type of [`spec`] and of [`Env::new`]'s executors.
pub const TYPE: &str = "test_executor_type";

/// Two colonies, each with an approved executor (protocol §12 `SetupTestEnv1`).
pub struct Env {
    /// The client.
    pub client: Client,
    /// Owner of colony 1.
    pub c1: PrivateKey,
    /// Colony 1.
    pub colony1: String,
    /// Approved executor of colony 1.
    pub e1: PrivateKey,
    /// Its name.
    pub e1_name: String,
    /// Owner of colony 2.
    pub c2: PrivateKey,
    /// Colony 2.
    pub colony2: String,
    /// Approved executor of colony 2.
    pub e2: PrivateKey,
    /// Its name.
    pub e2_name: String,
}

impl Env {
    /// A fresh environment.
    pub async fn new() -> Self {
        let client = Client::new();
        let (c1, colony1) = new_colony(&client).await;
        let (c2, colony2) = new_colony(&client).await;
        let (e1, e1_name) = executor(&client, &c1, &colony1, TYPE, "").await;
        let (e2, e2_name) = executor(&client, &c2, &colony2, TYPE, "").await;
        Self { client, c1, colony1, e1, e1_name, c2, colony2, e2, e2_name }
    }

    /// Another approved executor of colony 1, of the test type.
    pub async fn executor3(&self) -> (PrivateKey, String) {
        executor(&self.client, &self.c1, &self.colony1, TYPE, "").await
    }

    /// Sends `payloadtype` signed by `key`.
    pub async fn call(&self, key: &PrivateKey, payloadtype: &str, payload: Value) -> Answer {
        self.client.call(key, payloadtype, payload).await
    }

    /// Submits `spec` as `key`; the process JSON.
    pub async fn submit(&self, key: &PrivateKey, spec: Value) -> Value {
        self.call(key, "submitfuncspecmsg", json!({ "spec": spec })).await.ok_json()
    }

    /// Assigns without waiting in colony 1 as `key`.
    pub async fn assign(&self, key: &PrivateKey, colony: &str) -> Answer {
        self.call(key, "assignprocessmsg", json!({ "colonyname": colony, "timeout": -1 })).await
    }

    /// Submits a test spec to colony 1 as E1 and has E1 assign it: the running process's ID.
    pub async fn running(&self) -> String {
        let submitted = self.submit(&self.e1, spec(&self.colony1)).await;
        let assigned = self.assign(&self.e1, &self.colony1).await.ok_json();
        assert_eq!(assigned["processid"], submitted["processid"]);
        id(&assigned)
    }

    /// A process as `key` sees it.
    pub async fn get(&self, key: &PrivateKey, process_id: &str) -> Answer {
        self.call(key, "getprocessmsg", json!({ "processid": process_id })).await
    }
}

/// The `processid` of a process JSON.
pub fn id(process: &Value) -> String {
    process["processid"].as_str().expect("a processid").to_owned()
}

/// `CreateTestFunctionSpec(colony)` of protocol §12.
pub fn spec(colony: &str) -> Value {
    json!({
        "nodename": "test_name",
        "funcname": "test_func",
        "args": ["test_arg"],
        "kwargs": { "name": "test_arg" },
        "priority": 1,
        "maxwaittime": 1000,
        "maxexectime": 100,
        "maxretries": 1,
        "conditions": { "colonyname": colony, "executortype": TYPE },
        "label": "test_label",
    })
}

/// A new approved executor of `colony` with this type and location: (key, name).
pub async fn executor(
    client: &Client,
    owner: &PrivateKey,
    colony: &str,
    executor_type: &str,
    location: &str,
) -> (PrivateKey, String) {
    let name = unique("executor");
    let k = named_executor(client, owner, colony, &name, executor_type, location).await;
    (k, name)
}

/// A new approved executor of `colony` with this name, type and location.
pub async fn named_executor(
    client: &Client,
    owner: &PrivateKey,
    colony: &str,
    name: &str,
    executor_type: &str,
    location: &str,
) -> PrivateKey {
    let k = key();
    let payload = json!({ "executor": {
        "executorid": k.id().to_hex(),
        "executortype": executor_type,
        "executorname": name,
        "colonyname": colony,
        "locationname": location,
    } });
    client.call(owner, "addexecutormsg", payload).await.ok_json();
    let approve = json!({ "colonyname": colony, "executorname": name });
    client.call(owner, "approveexecutormsg", approve).await.ok_json();
    k
}

/// A new user of `colony`: (key, name).
pub async fn user(client: &Client, owner: &PrivateKey, colony: &str) -> (PrivateKey, String) {
    let (k, name) = (key(), unique("user"));
    let payload = json!({ "user": {
        "colonyname": colony, "userid": k.id().to_hex(), "name": name,
        "email": "u@example.com", "phone": "1",
    } });
    client.call(owner, "addusermsg", payload).await.ok_json();
    (k, name)
}

/// A direct connection to the suite's database, when this suite started the server (tests
/// that reach under the API skip themselves against a remote server).
pub async fn database() -> Option<tokio_postgres::Client> {
    let url = colonies_blackbox::server().database_url.as_deref()?;
    let (client, connection) =
        tokio_postgres::connect(url, tokio_postgres::NoTls).await.expect("the suite's database");
    tokio::spawn(connection);
    Some(client)
}

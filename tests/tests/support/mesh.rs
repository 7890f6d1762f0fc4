//! A small client of the mesh's REST API (`/api/v1`): one base (the server, or the server and
//! `/colonies/<colonyname>`), one `Authorization` header, and answers that are never redirects.

use colonies_blackbox::{Client, new_colony, now_ms, server};
use colonies_core::{
    PrivateKey,
    mesh::auth::{RequestParts, mint_token, sign_request},
    rules::replay::Binding,
};
use serde_json::{Value, json};

/// An hour: how long the suite's tokens live.
pub const HOUR_MS: i64 = 60 * 60 * 1000;

/// The nine collections, in the order of `mesh::Kind::ALL`.
pub const RESOURCES: [&str; 9] = colonies_core::mesh::Kind::PATHS;

/// An answer of the mesh API: its status and body (JSON when it is, `Null` otherwise).
#[derive(Debug)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The body as JSON, or `Null`.
    pub json: Value,
    /// The raw body.
    pub text: String,
}

impl Reply {
    /// The body, after asserting the status.
    #[track_caller]
    pub fn expect(&self, status: u16) -> Value {
        assert_eq!(self.status, status, "status; body {}", self.text);
        self.json.clone()
    }

    /// Asserts a refusal: the status and the `{"detail":{"message","code"}}` body naming it.
    #[track_caller]
    pub fn refused(&self, status: u16) -> String {
        assert_eq!(self.status, status, "status; body {}", self.text);
        let detail = &self.json["detail"];
        assert_eq!(detail["code"], status, "the code in the error body: {}", self.text);
        let message = detail["message"].as_str().unwrap_or_default();
        assert!(!message.is_empty(), "an error body says why: {}", self.text);
        message.to_owned()
    }

    /// Asserts a 422 and returns its problems' locations, each joined with dots
    /// (`body.resources.cpu`), with their pydantic types.
    #[track_caller]
    pub fn invalid(&self) -> Vec<(String, String)> {
        assert_eq!(self.status, 422, "status; body {}", self.text);
        let problems = self.json["detail"].as_array().unwrap_or_else(|| {
            panic!("a 422 body is {{\"detail\":[{{loc,msg,type}}]}}: {}", self.text)
        });
        assert!(!problems.is_empty(), "a 422 names its problems: {}", self.text);
        problems
            .iter()
            .map(|problem| {
                let loc = problem["loc"].as_array().unwrap_or_else(|| panic!("loc: {problem}"));
                let loc: Vec<String> = loc
                    .iter()
                    .map(|step| match step {
                        Value::String(key) => key.clone(),
                        other => other.to_string(),
                    })
                    .collect();
                assert!(problem["msg"].as_str().is_some_and(|m| !m.is_empty()), "msg: {problem}");
                let kind = problem["type"].as_str().unwrap_or_else(|| panic!("type: {problem}"));
                (loc.join("."), kind.to_owned())
            })
            .collect()
    }

    /// The body as an array, after asserting a 200.
    #[track_caller]
    pub fn list(&self) -> Vec<Value> {
        match self.expect(200) {
            Value::Array(items) => items,
            other => panic!("a list is a JSON array: {other}"),
        }
    }
}

/// A client of the mesh API at one base with one credential.
pub struct MeshApi {
    http: reqwest::Client,
    url: String,
    prefix: String,
    authorization: Option<String>,
}

impl MeshApi {
    /// The API at `/api/v1` (`colony: None`) or `/colonies/<colony>/api/v1`, sending
    /// `authorization` as is (`None`: anonymous).
    pub fn new(colony: Option<&str>, authorization: Option<String>) -> Self {
        // Installs the suite's TLS provider before a client is built.
        drop(colonies_blackbox::http());
        // Redirects are answers too: a route must not bounce between its slash forms.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client");
        let prefix = colony.map(|name| format!("/colonies/{name}")).unwrap_or_default();
        Self { http, url: server().url.clone(), prefix, authorization }
    }

    /// The API with a bearer token.
    pub fn bearer(colony: Option<&str>, token: &str) -> Self {
        Self::new(colony, Some(format!("Bearer {token}")))
    }

    /// The same base with another credential.
    pub fn with_authorization(&self, authorization: Option<String>) -> Self {
        Self {
            http: self.http.clone(),
            url: self.url.clone(),
            prefix: self.prefix.clone(),
            authorization,
        }
    }

    /// The request target of `path` (`services/`, `roles/<id>`…): what a signature covers.
    pub fn target(&self, path: &str) -> String {
        format!("{}/api/v1/{path}", self.prefix)
    }

    /// Sends `method` to `path` with `body` (bytes as given) and `authorization` instead of
    /// this client's; asserts the answer is no redirect.
    pub async fn send_as(
        &self,
        method: &str,
        path: &str,
        body: Option<Vec<u8>>,
        authorization: Option<&str>,
    ) -> Reply {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a method");
        let url = format!("{}{}", self.url, self.target(path));
        let mut request = self.http.request(method.clone(), &url);
        if let Some(authorization) = authorization {
            request = request.header("Authorization", authorization);
        }
        if let Some(body) = body {
            request = request.header("Content-Type", "application/json").body(body);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let location = response.headers().get("location").cloned();
        let text = response.text().await.expect("a body");
        assert!(
            !(300..400).contains(&status),
            "{method} {url} answered {status} (location {location:?}) instead of serving the route"
        );
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply { status, json, text }
    }

    /// Sends `method` to `path` with a JSON body, if any.
    pub async fn send(&self, method: &str, path: &str, body: Option<&Value>) -> Reply {
        let bytes = body.map(|body| body.to_string().into_bytes());
        self.send_as(method, path, bytes, self.authorization.as_deref()).await
    }

    /// Sends `method` to `path` with `body` as bytes (JSON or not), as this client.
    pub async fn send_raw(&self, method: &str, path: &str, body: Vec<u8>) -> Reply {
        self.send_as(method, path, Some(body), self.authorization.as_deref()).await
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> Reply {
        self.send("GET", path, None).await
    }

    /// `POST path` with `body`.
    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.send("POST", path, Some(body)).await
    }

    /// `PUT path` with `body`.
    pub async fn put(&self, path: &str, body: &Value) -> Reply {
        self.send("PUT", path, Some(body)).await
    }

    /// `DELETE path`.
    pub async fn delete(&self, path: &str) -> Reply {
        self.send("DELETE", path, None).await
    }

    /// `POST <resource>/` expecting 201: the record.
    pub async fn create(&self, resource: &str, body: &Value) -> Value {
        let reply = self.post(&format!("{resource}/"), body).await;
        assert_eq!(reply.status, 201, "POST {resource}/; body {}", reply.text);
        reply.json
    }

    /// `GET <resource>/` expecting 200: the records.
    pub async fn list(&self, resource: &str) -> Vec<Value> {
        self.get(&format!("{resource}/")).await.list()
    }
}

/// A colony of its own with its owner's bearer token, and the server's ID.
pub struct Mesh {
    /// The RPC client.
    pub client: Client,
    /// The colony's owner.
    pub owner: PrivateKey,
    /// The colony.
    pub colony: String,
    /// The server's ID: the audience of tokens and signed requests.
    pub audience: String,
    /// The API at `/api/v1` with the owner's token.
    pub api: MeshApi,
}

impl Mesh {
    /// A new colony and its owner's API.
    pub async fn new() -> Self {
        let client = Client::new();
        let audience = audience(&client).await;
        let (owner, colony) = new_colony(&client).await;
        let api = MeshApi::bearer(None, &token(&owner, &colony, &audience));
        Self { client, owner, colony, audience, api }
    }

    /// The API at `/api/v1` as `key`, with a fresh token for this colony.
    pub fn api_as(&self, key: &PrivateKey) -> MeshApi {
        MeshApi::bearer(None, &token(key, &self.colony, &self.audience))
    }

    /// The API at `/colonies/<colony>/api/v1` with the owner's token.
    pub fn colony_api(&self) -> MeshApi {
        MeshApi::bearer(Some(&self.colony), &token(&self.owner, &self.colony, &self.audience))
    }

    /// The `Authorization` header of one signed request by `key` in this colony: `method` to
    /// `target` (as [`MeshApi::target`] gives it) with `body`, bound now with a fresh nonce.
    pub fn sign(&self, key: &PrivateKey, method: &str, target: &str, body: &[u8]) -> String {
        let binding = Binding::new(now_ms(), &self.audience).expect("a nonce");
        let request = RequestParts { method, path: target, body };
        sign_request(key, &self.colony, request, &binding)
    }
}

/// The server's ID, as `getserverinfomsg` tells it.
pub async fn audience(client: &Client) -> String {
    let id = client.audience().await.expect("the server tells its ID");
    assert_eq!(id.len(), 64, "a server ID is 64 hex digits: {id}");
    id
}

/// A bearer token of `key` for `colony` on the server `audience`, valid for an hour from now
/// (what `colonies-edge token create` makes).
pub fn token(key: &PrivateKey, colony: &str, audience: &str) -> String {
    mint_token(key, colony, audience, now_ms(), HOUR_MS).expect("a token")
}

/// Whether `text` is a UUID in its canonical form (8-4-4-4-12 hex digits).
pub fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.iter().map(|group| group.len()).eq([8, 4, 4, 4, 12])
        && groups.iter().all(|group| group.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The ids of `records` in their `id_field`.
pub fn ids(records: &[Value], id_field: &str) -> Vec<String> {
    records.iter().filter_map(|record| record[id_field].as_str()).map(str::to_owned).collect()
}

/// A create body of each resource that passes validation.
pub fn valid(resource: &str) -> Value {
    let resources = json!({"cpu": 1, "ram": "1GB"});
    let policy = json!({"roles": ["r"], "requires_authentication": true});
    let storage = json!({"capacity": "1GB", "source_path": "/in", "sink_path": "/out"});
    match resource {
        "services" => json!({"security_policy": policy, "resources": resources}),
        "microservices" => json!({"service_id": "s", "resources": resources}),
        "functions" => json!({"microservice_id": "m", "image": "i", "resources": resources,
                              "storage": storage, "endpoint_id": "e"}),
        "endpoints" => json!({"name": "n", "image": "i", "resources": resources,
                              "security_policy": policy}),
        "security-policies" => policy,
        "roles" => json!({"name": "n", "description": "d", "permissions": ["catalog:read"]}),
        "endpoint-states" => json!({"endpoint_id": "e", "state": "warm"}),
        "function-states" => json!({"function_id": "f", "state": "running"}),
        "function-results" => json!({"function_id": "f"}),
        other => panic!("no resource {other}"),
    }
}

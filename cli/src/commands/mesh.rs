//! `mesh apply|export|invoke|list|get|create|update|delete`: the service mesh API (`/api/v1`, CryptoMesh's
//! routes) with signed requests, and CryptoMesh policy files in YAML.

use super::{CommandResult, Failure, Global, Outcome, read_input};
use crate::output;
use clap::{Args, Subcommand};
use colonies_client::{
    Client, PrivateKey,
    core::mesh::{Kind, PolicyFile},
    mesh::{ApplyOptions, MeshClient, Outcome as Applied},
};
use core::time::Duration;
use serde_json::{Map, Value};

/// `mesh` and its subcommands.
#[derive(Debug, Args)]
pub struct MeshArgs {
    #[command(subcommand)]
    command: MeshCommand,
    /// Sign with the colony owner's key (COLONIES_COLONY_PRVKEY) instead of COLONIES_PRVKEY.
    #[arg(long, global = true)]
    colony_owner: bool,
    #[command(flatten)]
    global: Global,
}

/// The help of `--kind`-like arguments: the collections under /api/v1.
const KINDS: [&str; 9] = Kind::PATHS;

fn kind(text: &str) -> Result<Kind, String> {
    Kind::from_path(text.trim().trim_matches('/'))
        .ok_or_else(|| format!("{text:?} is not a mesh collection; one of: {}", KINDS.join(", ")))
}

#[derive(Debug, Subcommand)]
enum MeshCommand {
    /// Apply a CryptoMesh policy file (YAML or JSON; `-` for standard input)
    ///
    /// The file has four maps keyed by id: endpoints, functions, microservices and services,
    /// each entry the body that creates one (see `mesh export` for one). Each entry is
    /// created with its id, or replaces the record with that id; an entry the server already
    /// shows as the file says is left alone, so applying a file twice writes nothing the
    /// second time. One line per entry, then a summary.
    ///
    /// Entries are compared with the records as stored (`?full=true`: policy_id and a
    /// function's microservice_id and endpoint_id included); --force writes every entry.
    ///
    /// Example file:
    ///   endpoints:
    ///     ep1:
    ///       name: Endpoint A
    ///       image: axo:endpoint
    ///       resources: {cpu: 2, ram: 2GB}
    ///       security_policy: {sp_id: sp1, roles: [analyst], requires_authentication: true}
    ///   services:
    ///     s_data:
    ///       security_policy: {sp_id: sp1, roles: [analyst], requires_authentication: true}
    ///       microservices: [ms_loader]
    ///       resources: {cpu: 2, ram: 2GB}
    ///
    /// Examples:
    ///   colonies-edge mesh apply mesh.yml
    ///   colonies-edge mesh apply mesh.yml --dry-run
    ///   colonies-edge mesh apply mesh.yml --colony-owner   # signed by the colony owner
    ///   cat mesh.yml | colonies-edge mesh apply -
    #[command(verbatim_doc_comment)]
    Apply {
        /// The policy file (`-`: standard input).
        file: String,
        /// Only compare with the server: print what would be done, write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Write every entry, even those the server already shows as the file says.
        #[arg(long, conflicts_with = "dry_run")]
        force: bool,
    },
    /// Write the colony's endpoints, functions, microservices and services as a policy file
    ///
    /// Records are read as stored (`?full=true`), so the file applies as unchanged to the same
    /// colony and recreates the catalog in another. A function whose endpoint_id is unknown
    /// (a server older than this command) is named on standard error.
    ///
    /// Examples:
    ///   colonies-edge mesh export -o mesh.yml
    ///   colonies-edge mesh export --json
    #[command(verbatim_doc_comment)]
    Export {
        /// Write to this file instead of standard output.
        #[arg(short, long)]
        output: Option<String>,
    },
    /// Run a function of the mesh as a Colonies process; prints the process
    ///
    /// Examples:
    ///   colonies-edge mesh invoke load_data
    ///   colonies-edge mesh invoke load_data --args '["s3://bucket/in.csv"]' --kwargs '{"rows": 100}'
    #[command(verbatim_doc_comment)]
    Invoke {
        /// The function's id.
        function_id: String,
        /// Positional arguments: a JSON array.
        #[arg(long, value_parser = json_array)]
        args: Option<Value>,
        /// Keyword arguments: a JSON object.
        #[arg(long, value_parser = json_object)]
        kwargs: Option<Map<String, Value>>,
    },
    /// List the records of one collection, as JSON.
    ///
    /// Example: colonies-edge mesh list services
    #[command(visible_alias = "ls")]
    List {
        /// services, microservices, functions, endpoints, security-policies, roles,
        /// endpoint-states, function-states or function-results.
        #[arg(value_parser = kind)]
        collection: Kind,
    },
    /// Print one record, as JSON.
    ///
    /// Example: colonies-edge mesh get functions load_data
    Get {
        /// The collection (see `mesh list --help`).
        #[arg(value_parser = kind)]
        collection: Kind,
        /// The record's id.
        id: String,
    },
    /// Create a record from a create body; prints it, as JSON
    ///
    /// The server chooses its id (a security policy may name its sp_id).
    ///
    /// Examples:
    ///   colonies-edge mesh create roles '{"name": "analyst", "description": "reads and runs",
    ///     "permissions": ["catalog:read", "function:invoke"], "members": ["<Colonies ID>"]}'
    ///   colonies-edge mesh create services @service.json
    #[command(verbatim_doc_comment)]
    Create {
        /// The collection (see `mesh list --help`).
        #[arg(value_parser = kind)]
        collection: Kind,
        /// The body: JSON, or @FILE to read it from a file (@- for standard input).
        body: String,
    },
    /// Change a record (the fields the body gives are merged into it); prints it, as JSON
    ///
    /// Example: colonies-edge mesh update functions load_data '{"resources": {"cpu": 2}}'
    Update {
        /// The collection (see `mesh list --help`).
        #[arg(value_parser = kind)]
        collection: Kind,
        /// The record's id.
        id: String,
        /// The body: JSON, or @FILE to read it from a file (@- for standard input).
        body: String,
    },
    /// Delete one record.
    ///
    /// Example: colonies-edge mesh delete functions load_data
    #[command(visible_alias = "rm")]
    Delete {
        /// The collection (see `mesh list --help`).
        #[arg(value_parser = kind)]
        collection: Kind,
        /// The record's id.
        id: String,
    },
}

/// A JSON array, kept as a `Value` (clap would read `Vec` as repeated values).
fn json_array(text: &str) -> Result<Value, String> {
    match serde_json::from_str(text) {
        Ok(array @ Value::Array(_)) => Ok(array),
        Ok(_) => Err("--args is a JSON array, like '[\"a\", 1]'".into()),
        Err(e) => Err(format!("--args is not JSON: {e}")),
    }
}

fn json_object(text: &str) -> Result<Map<String, Value>, String> {
    match serde_json::from_str(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err("--kwargs is a JSON object, like '{\"n\": 1}'".into()),
        Err(e) => Err(format!("--kwargs is not JSON: {e}")),
    }
}

/// The values of a JSON array (none for anything else).
fn array(value: Option<Value>) -> Vec<Value> {
    match value {
        Some(Value::Array(values)) => values,
        _ => Vec::new(),
    }
}

/// A request body: JSON text, or `@FILE` (`@-`: standard input).
fn body(text: &str) -> Result<Value, Failure> {
    let (from, json) = match text.strip_prefix('@') {
        Some(path) => (path, read_input(path)?),
        None => ("the body", text.to_owned()),
    };
    serde_json::from_str(&json).map_err(|e| Failure::Usage(format!("{from} is not JSON: {e}")))
}

/// The key a mesh request or token is signed with, and which variable it came from.
pub struct Signer {
    /// The key.
    pub key: PrivateKey,
    /// Where it came from, for messages.
    pub what: &'static str,
}

impl Signer {
    /// COLONIES_PRVKEY, or COLONIES_COLONY_PRVKEY when `colony_owner` or when COLONIES_PRVKEY
    /// is not set.
    pub fn choose(g: &Global, colony_owner: bool) -> Result<Self, Failure> {
        let (hex, what) = match (&g.prvkey, colony_owner) {
            (Some(hex), false) => (Some(hex), "COLONIES_PRVKEY"),
            _ => (g.colony_prvkey.as_ref(), "COLONIES_COLONY_PRVKEY"),
        };
        let hex = hex.ok_or_else(|| {
            Failure::Usage(if colony_owner {
                "--colony-prvkey or COLONIES_COLONY_PRVKEY is needed with --colony-owner".into()
            } else {
                "a key is needed: --prvkey or COLONIES_PRVKEY (a member), or --colony-prvkey or \
                 COLONIES_COLONY_PRVKEY (the colony owner)"
                    .into()
            })
        })?;
        let key = hex
            .trim()
            .parse()
            .map_err(|e| Failure::Usage(format!("{what} is not a private key: {e}")))?;
        Ok(Self { key, what })
    }

    /// A client of the server signing with this key.
    pub fn client(&self, g: &Global) -> Result<Client, Failure> {
        Ok(Client::new(&g.url(), self.key.clone())?.with_timeout(Duration::from_secs(g.timeout)))
    }
}

/// Reads a policy file: YAML (JSON is YAML too), validated with locations.
pub fn read_policy(path: &str, text: &str) -> Result<PolicyFile, Failure> {
    let document: Value = serde_norway::from_str(text)
        .map_err(|e| Failure::Usage(format!("{path} is not YAML: {e}")))?;
    if document.is_null() {
        return Err(Failure::Usage(format!("{path} is empty")));
    }
    PolicyFile::from_json(&document)
        .map_err(|e| Failure::Usage(format!("{path} is not a valid policy file: {e}")))
}

/// Writes a policy file as YAML, with a comment saying where it came from.
pub fn write_policy(file: &PolicyFile, source: &str) -> Result<String, Failure> {
    let yaml = serde_norway::to_string(file)
        .map_err(|e| Failure::Usage(format!("cannot write the policy file as YAML: {e}")))?;
    Ok(format!("# CryptoMesh policy file: {source}\n{yaml}"))
}

/// `service s_data` and the like.
fn entry(kind: Kind, id: &str) -> String {
    format!("{} {id}", kind.noun())
}

/// Runs a mesh command.
pub async fn run(args: MeshArgs) -> CommandResult {
    let g = &args.global;
    let signer = Signer::choose(g, args.colony_owner)?;
    let mesh = MeshClient::new(&signer.client(g)?, &g.colony()?);
    match args.command {
        MeshCommand::Apply { file, dry_run, force } => {
            let policy = read_policy(&file, &read_input(&file)?)?;
            if policy.is_empty() {
                return Err(Failure::Usage(format!(
                    "{file} has no entries under endpoints, functions, microservices or services"
                )));
            }
            let options = ApplyOptions { dry_run, force };
            let mut applied = Vec::new();
            let json = g.json;
            let result = mesh
                .apply_each(&policy, options, |done| {
                    if !json {
                        let what = if dry_run && done.outcome != Applied::Unchanged {
                            format!("would be {}", done.outcome)
                        } else {
                            done.outcome.to_string()
                        };
                        println!("{:<18} {}", what, entry(done.kind, &done.id));
                    }
                    applied.push(done.clone());
                })
                .await;
            let count = |o: Applied| applied.iter().filter(|a| a.outcome == o).count();
            let (created, replaced, unchanged) =
                (count(Applied::Created), count(Applied::Replaced), count(Applied::Unchanged));
            if json {
                let entries: Vec<Value> = applied
                    .iter()
                    .map(|a| {
                        serde_json::json!({"kind": a.kind.path(), "id": a.id,
                                           "outcome": a.outcome.as_str()})
                    })
                    .collect();
                output::json(&serde_json::json!({ "dry_run": dry_run, "entries": entries }));
            } else {
                let verb = if dry_run { "would be " } else { "" };
                println!(
                    "{} of {} entries: {verb}{created} created, {verb}{replaced} replaced, \
                     {unchanged} unchanged",
                    applied.len(),
                    policy.len()
                );
            }
            result?;
            Ok(Outcome::Done)
        }
        MeshCommand::Export { output: path } => {
            let policy = mesh.export().await?;
            let incomplete = policy.incomplete_functions();
            if !incomplete.is_empty() {
                eprintln!(
                    "colonies-edge: the server did not tell the endpoint_id of {} (it does not \
                     serve ?full=true): fill it in before applying this file to another colony",
                    incomplete.join(", ")
                );
            }
            let text = if g.json {
                serde_json::to_string_pretty(&policy)
                    .map_err(|e| Failure::Usage(format!("cannot write JSON: {e}")))?
                    + "\n"
            } else {
                let source = format!("colony {} on {}", mesh.colony(), mesh.base_url());
                write_policy(&policy, &source)?
            };
            match path {
                Some(path) if path != "-" => {
                    std::fs::write(&path, text)
                        .map_err(|e| Failure::Usage(format!("cannot write {path}: {e}")))?;
                    eprintln!("wrote {} entries to {path}", policy.len());
                }
                _ => print!("{text}"),
            }
            Ok(Outcome::Done)
        }
        MeshCommand::Invoke { function_id, args, kwargs } => {
            let invoked =
                mesh.invoke(&function_id, array(args), kwargs.unwrap_or_default()).await?;
            g.print(&invoked, |i| {
                let field = |name: &str| i[name].as_str().unwrap_or("-").to_owned();
                println!(
                    "function {} runs as process {} (state {}) on executor {}",
                    field("function_id"),
                    field("process_id"),
                    field("state_id"),
                    field("executorname")
                );
            })
        }
        MeshCommand::List { collection } => {
            output::json(&mesh.list(collection).await?);
            Ok(Outcome::Done)
        }
        MeshCommand::Get { collection, id } => {
            output::json(&mesh.get(collection, &id).await?);
            Ok(Outcome::Done)
        }
        MeshCommand::Create { collection, body: text } => {
            output::json(&mesh.create(collection, &body(&text)?).await?);
            Ok(Outcome::Done)
        }
        MeshCommand::Update { collection, id, body: text } => {
            output::json(&mesh.update(collection, &id, &body(&text)?).await?);
            Ok(Outcome::Done)
        }
        MeshCommand::Delete { collection, id } => {
            mesh.delete(collection, &id).await?;
            g.done(&format!("deleted {}", entry(collection, &id)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "\
endpoints:
  ep1:
    name: Endpoint A
    image: axo:endpoint
    resources: {cpu: 2, ram: 2GB}
    security_policy: {sp_id: sp1, roles: [analyst], requires_authentication: true}
    policy_id: policy1
functions:
  load_data:
    microservice_id: ms_loader
    image: rory:load
    resources: {cpu: 1, ram: 512MB}
    storage: {capacity: 1GB, storage_id: stor1, source_path: /input, sink_path: /output}
    endpoint_id: ep1
    deployment_status: deployed
    policy_id: policy1
microservices:
  ms_loader:
    service_id: s_data
    resources: {cpu: 1, ram: 1GB}
    functions: [load_data]
    policy_id: policy1
services:
  s_data:
    security_policy: {sp_id: sp1, roles: [analyst], requires_authentication: true}
    microservices: [ms_loader]
    resources: {cpu: 2, ram: 2GB}
    policy_id: policy1
";

    #[test]
    fn a_yaml_policy_file_reads_and_writes_back_the_same() {
        let policy = read_policy("mesh.yml", FILE).unwrap();
        assert_eq!(policy.len(), 4);
        assert_eq!(policy.functions["load_data"].storage.capacity, "1GB");
        assert_eq!(policy.endpoints["ep1"].resources.cpu, 2);
        let written = write_policy(&policy, "test").unwrap();
        assert!(written.starts_with("# CryptoMesh policy file: test\n"), "{written}");
        assert_eq!(read_policy("again.yml", &written).unwrap(), policy);
    }

    #[test]
    fn bad_files_say_where() {
        let error =
            read_policy("mesh.yml", &FILE.replace("cpu: 1, ram: 512MB", "cpu: 0, ram: 512MB"))
                .unwrap_err()
                .to_string();
        assert!(error.contains("mesh.yml is not a valid policy file"), "{error}");
        assert!(error.contains("functions.load_data.resources.cpu"), "{error}");
        let error = read_policy("x.yml", "endpoints: [").unwrap_err().to_string();
        assert!(error.starts_with("x.yml is not YAML"), "{error}");
        assert!(read_policy("e.yml", "").unwrap_err().to_string().contains("empty"));
    }

    #[test]
    fn collections_and_json_arguments() {
        assert_eq!(kind("security-policies"), Ok(Kind::SecurityPolicy));
        assert_eq!(kind("/services/"), Ok(Kind::Service));
        assert!(kind("service").unwrap_err().contains("one of: services"));
        assert_eq!(KINDS.map(|k| kind(k).map(Kind::path)), KINDS.map(Ok));
        assert_eq!(array(Some(json_array("[1, \"a\"]").unwrap())).len(), 2);
        assert!(json_array("{}").unwrap_err().contains("JSON array"));
        assert!(json_object("[1]").unwrap_err().contains("JSON object"));
        assert!(json_object("{").unwrap_err().contains("not JSON"));
        assert_eq!(body("{\"a\": 1}").unwrap()["a"], 1);
        assert!(body("{").unwrap_err().to_string().starts_with("the body is not JSON"));
        assert!(body("@/nonexistent/x.json").unwrap_err().to_string().contains("cannot read"));
    }
}

//! `POST /functions/<id>/invoke`: a function runs as a Colonies process on its endpoint's
//! executor, and its function state and results follow that process.
//!
//! The process is submitted by the caller, as `submitfunctionspecmsg` would be (so the caller
//! must be a member of the colony, as every submitter is), with:
//! `funcname` = the function's id; `args` and `kwargs` from the body; `conditions` =
//! the colony, the endpoint's executor by name and type, and the function's resources
//! (`cpu` in millicores, `mem` in MiB); `env` = the image and storage paths.
//! A function state (`pending`) is created and linked to the process; from then on the
//! database moves it (migration 0010's trigger): `running`, `completed` or `failed`, and an
//! ended process leaves a function result whose id is the process's.

use super::{MeshReply, MeshResult, Scope, server_error};
use crate::{
    db::DbConn,
    handlers::{Cx, processes},
    host::Host,
    ids::new_uuid,
    store,
};
use colonies_core::{
    mesh::{
        ApiError, Function, FunctionState, Invalid, Kind, MeshError, Metadata, Permission, Problem,
        Resource, parse_json, size_bytes,
    },
    message::SubmitFunctionSpecMsg,
    model::{Conditions, FunctionSpec},
};
use serde_json::{Map, Value, json};

/// The body of an invoke: both optional.
struct Call {
    args: Vec<Value>,
    kwargs: Map<String, Value>,
}

fn problem(field: &str, msg: &str, kind: &str) -> Invalid {
    Invalid {
        detail: vec![Problem {
            loc: vec!["body".into(), field.into()],
            msg: msg.into(),
            kind: kind.into(),
        }],
    }
}

fn read_call(body: &[u8]) -> Result<Call, MeshError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Call { args: Vec::new(), kwargs: Map::new() });
    }
    let value = parse_json(body)?;
    let Value::Object(mut object) = value else {
        return Err(problem("body", "Input should be a valid dictionary", "dict_type").into());
    };
    let args = match object.remove("args") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(args)) => args,
        Some(_) => return Err(problem("args", "Input should be a valid list", "list_type").into()),
    };
    let kwargs = match object.remove("kwargs") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(kwargs)) => kwargs,
        Some(_) => {
            return Err(problem("kwargs", "Input should be a valid dictionary", "dict_type").into());
        }
    };
    Ok(Call { args, kwargs })
}

/// Runs function `id` of `colony` for `caller`.
pub(super) async fn invoke<H: Host>(
    host: &H,
    mut scope: Scope<'_, H::Conn>,
    id: &str,
    body: &[u8],
) -> MeshResult {
    let call = read_call(body)?;
    let colony = scope.colony;
    let Some(stored) = scope.context.target.take() else {
        return Err(super::crud::missing(&scope, Kind::Function, id));
    };
    let function: Function = serde_json::from_value(stored.clone())
        .map_err(|e| server_error(crate::error::Error::new(500, e.to_string())))?;
    let guard = scope.context.guards.as_ref().and_then(|g| g.of(Kind::Function, &stored));
    scope.check(Permission::FunctionInvoke, guard.as_ref())?;
    let Some(caller) = scope.caller.clone() else {
        return Err(ApiError::unauthorized("invoking a function needs a caller").into());
    };
    if function.endpoint_id.is_empty() {
        return Err(ApiError::bad_request(format!(
            "function '{id}' has no endpoint_id: set the endpoint it runs on first"
        ))
        .into());
    }
    let warm_for = host.config().endpoint_warm_for.as_secs_f64();
    let executor = store::mesh::endpoint_executors(
        scope.client(),
        colony,
        Some(&function.endpoint_id),
        warm_for,
    )
    .await
    .map_err(server_error)?
    .pop();
    let executor_type = match executor {
        Some(store::mesh::EndpointExecutor { executor_type: Some(t), .. }) => t,
        Some(_) => {
            return Err(ApiError::bad_request(format!(
                "endpoint '{}' has no executor: register an executor named '{}' in colony '{colony}'",
                function.endpoint_id, function.endpoint_id
            ))
            .into());
        }
        None => {
            return Err(ApiError::bad_request(format!(
                "function '{id}' runs on endpoint '{}', which does not exist",
                function.endpoint_id
            ))
            .into());
        }
    };
    if !scope.context.member {
        return Err(ApiError::forbidden(format!(
            "invoking submits a Colonies process, which only a member of colony '{colony}' may \
             do: add this identity as a user of the colony (addusermsg)"
        ))
        .into());
    }
    let spec = spec(&function, colony, &executor_type, call);
    let now = super::crud::now(&scope)?;
    // The connection goes back before the submit, which takes its own.
    drop(scope);
    let cx = Cx { host, caller: &caller, nonce: None };
    let process =
        processes::submit(cx, SubmitFunctionSpecMsg { spec }).await.map_err(server_error)?;
    let state_id = new_uuid().map_err(server_error)?;
    let mut metadata = Metadata::new();
    metadata.insert("process_id".into(), process.processid.clone());
    metadata.insert("endpoint_id".into(), function.endpoint_id.clone());
    let state = FunctionState {
        state_id: state_id.clone(),
        function_id: function.function_id.clone(),
        state: "pending".into(),
        metadata,
        timestamp: now,
    };
    let mut conn = host.db().await.map_err(server_error)?;
    let client = conn.parts().0;
    store::mesh::insert(client, colony, Kind::FunctionState, &state_id, &state.to_stored())
        .await
        .map_err(server_error)?;
    store::mesh::link_invocation(client, &process.processid, &state_id)
        .await
        .map_err(server_error)?;
    Ok(MeshReply {
        status: 201,
        body: Some(json!({
            "function_id": function.function_id,
            "process_id": process.processid,
            "state_id": state_id,
            "executorname": function.endpoint_id,
        })),
    })
}

fn spec(function: &Function, colony: &str, executor_type: &str, call: Call) -> FunctionSpec {
    let mut spec = FunctionSpec {
        funcname: function.function_id.clone(),
        args: call.args,
        kwargs: call.kwargs,
        maxwaittime: -1,
        maxexectime: -1,
        label: "mesh".into(),
        ..FunctionSpec::default()
    };
    spec.conditions = Conditions {
        colonyname: colony.into(),
        executortype: executor_type.into(),
        executornames: vec![function.endpoint_id.clone()],
        cpu: if function.resources.cpu > 0 {
            format!("{}m", function.resources.cpu.saturating_mul(1000))
        } else {
            String::new()
        },
        mem: size_bytes(&function.resources.ram)
            .map(|bytes| format!("{}Mi", bytes.div_ceil(1 << 20)))
            .unwrap_or_default(),
        ..Conditions::default()
    };
    spec.env.insert("CRYPTOMESH_IMAGE".into(), function.image.clone());
    spec.env.insert("CRYPTOMESH_SOURCE_PATH".into(), function.storage.source_path.clone());
    spec.env.insert("CRYPTOMESH_SINK_PATH".into(), function.storage.sink_path.clone());
    spec
}

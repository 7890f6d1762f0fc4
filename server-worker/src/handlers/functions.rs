//! Functions (protocol §4.8): executors register what they run; statistics of successful
//! runs are kept by `closesuccessfulmsg`.

use super::{Cx, bad_request, not_found};
use crate::{
    db::DbConn,
    error::Error,
    host::Host,
    ids::new_id,
    store::{self, auth::caller_rows},
};
use colonies_core::{
    message::{AddFunctionMsg, Empty, GetFunctionsMsg, Message, RemoveFunctionMsg},
    model::Function,
    rules::{AuthError, names::check_name},
};

/// `addfunctionmsg`: an approved executor registers a function of its own (403 for any other
/// executor's name). The ID is generated when none is given; the location is the executor's.
pub async fn add<H: Host>(cx: Cx<'_, H>, m: AddFunctionMsg) -> Result<Function, Error> {
    let mut function = m.function;
    let mut conn = cx.db().await?;
    let (client, _) = conn.parts();
    let rows = caller_rows(&*client, cx.caller, &function.colonyname).await?;
    if let Err(e) = rows.check(AddFunctionMsg::ROLE, cx.caller, None, Some(&function.executorname))
    {
        if e != AuthError::NotSelf {
            return Err(rows.refusal(e).into());
        }
        let (colony, name) = (&function.colonyname, &function.executorname);
        let known = store::executors::by_name(&*client, colony, name).await?;
        return Err(match known {
            Some(_) => Error::new(403, "Not allowed to add a function to another executor"),
            None => bad_request(format!(
                "Failed to add function, Executor with name <{name}> does not exist"
            )),
        });
    }
    check_name("function", &function.funcname).map_err(|e| bad_request(e.to_string()))?;
    if function.functionid.is_empty() {
        function.functionid = new_id()?;
    }
    store::functions::add(&*client, &function).await?.ok_or_else(|| {
        bad_request(format!(
            "Function {} of executor {} already exists",
            function.funcname, function.executorname
        ))
    })
}

fn unknown(id: &str) -> Error {
    not_found(format!("Failed to remove function, function does not exist: function with ID {id}"))
}

/// `getfunctionsmsg`: the functions of the colony, or of one executor.
pub async fn list<H: Host>(cx: Cx<'_, H>, m: GetFunctionsMsg) -> Result<Vec<Function>, Error> {
    let mut db = cx.authorized::<GetFunctionsMsg>(&m.colonyname).await?;
    let client = db.client();
    Ok(store::functions::list(&*client, &m.colonyname, &m.executorname).await?)
}

/// `removefunctionmsg`: the executor that registered a function removes it.
pub async fn remove<H: Host>(cx: Cx<'_, H>, m: RemoveFunctionMsg) -> Result<Empty, Error> {
    if m.functionid.is_empty() {
        return Err(bad_request("Failed to remove function, msg.FunctionID is empty"));
    }
    let mut conn = cx.db().await?;
    let (client, _) = conn.parts();
    let function = store::functions::get(&*client, &m.functionid)
        .await?
        .ok_or_else(|| unknown(&m.functionid))?;
    let rows = caller_rows(&*client, cx.caller, &function.colonyname).await?;
    rows.check(RemoveFunctionMsg::ROLE, cx.caller, None, Some(&function.executorname)).map_err(
        |e| match e {
            AuthError::NotSelf => {
                Error::new(403, "Not allowed to remove a function from another executor")
            }
            e => rows.refusal(e).into(),
        },
    )?;
    if !store::functions::remove(&*client, &m.functionid).await? {
        return Err(unknown(&m.functionid));
    }
    Ok(Empty {})
}

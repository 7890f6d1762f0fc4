//! Generators (protocol §4.11): add, get, resolve by name, list, pack an arg, remove. The
//! sweep that submits their workflows is [`crate::store::generators::sweep_generators`].
//!
//! Differences from Go, on purpose: an unknown generator is 404; packed args are taken oldest
//! first (Go's query has no ORDER BY); `trigger` must be 1 to 2³¹ − 1 and `timeout` at most
//! 2³¹ − 1 seconds (Go stores `INTEGER`s; a timeout of 0 or less is none: Go's SDK sends -1).

use super::Cx;
use super::{
    authorize, bad_request,
    crons::{caller_name, check_workflow},
    not_found,
};
use crate::{db::DbConn, error::Error, host::Host, ids::new_id, store};
use colonies_core::{
    message::{
        AddGeneratorMsg, Empty, GetGeneratorMsg, GetGeneratorsMsg, Message, PackGeneratorMsg,
        RemoveGeneratorMsg, ResolveGeneratorMsg,
    },
    model::Generator,
    rules::ranges::check_generator,
};

/// An unknown generator, led by `go`: the words of Go's handler.
fn unknown(go: &str, what: &str) -> Error {
    not_found(format!("{go}: generator {what} does not exist"))
}

/// `addgeneratormsg`: an approved member adds a generator.
pub async fn add<H: Host>(cx: Cx<'_, H>, m: AddGeneratorMsg) -> Result<Generator, Error> {
    let mut g = m.generator;
    let mut conn = cx.db().await?;
    let rows = authorize(&mut conn, AddGeneratorMsg::ROLE, cx.caller, &g.colonyname).await?;
    if g.name.is_empty() {
        return Err(bad_request("a generator needs a name"));
    }
    check_generator(g.trigger, g.timeout).map_err(|e| Error::new(e.status(), e.to_string()))?;
    check_workflow(&g.workflowspec, &g.colonyname)?;
    g.generatorid = new_id()?;
    g.initiatorid = cx.caller.into();
    g.initiatorname = caller_name(&rows);
    let (client, _) = conn.parts();
    store::generators::insert(&*client, &g).await.map_err(|e| {
        if e.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION) {
            bad_request(format!(
                "Generator with name <{}> in Colony <{}> already exists",
                g.name, g.colonyname
            ))
        } else {
            Error::from(e)
        }
    })?;
    store::generators::get(&*client, &g.generatorid)
        .await?
        .ok_or_else(|| unknown("Failed to add generator, addedGenerator is nil", &g.generatorid))
}

async fn read<C: DbConn>(
    conn: &mut C,
    role: colonies_core::message::Role,
    caller: &str,
    id: &str,
    go: &str,
) -> Result<Generator, Error> {
    let g = {
        let (client, _) = conn.parts();
        store::generators::get(&*client, id).await?.ok_or_else(|| unknown(go, id))?
    };
    authorize(conn, role, caller, &g.colonyname).await?;
    Ok(g)
}

/// `getgeneratormsg`: one generator with `queuesize` (packed args) and `checkerperiod`.
pub async fn get<H: Host>(cx: Cx<'_, H>, m: GetGeneratorMsg) -> Result<Generator, Error> {
    let mut conn = cx.db().await?;
    let go = "Failed to get generator, generator is nil";
    read(&mut conn, GetGeneratorMsg::ROLE, cx.caller, &m.generatorid, go).await
}

/// `resolvegeneratormsg`: a generator by colony and name.
pub async fn resolve<H: Host>(cx: Cx<'_, H>, m: ResolveGeneratorMsg) -> Result<Generator, Error> {
    let mut db = cx.authorized::<ResolveGeneratorMsg>(&m.colonyname).await?;
    let client = db.client();
    store::generators::resolve(&*client, &m.colonyname, &m.generatorname)
        .await?
        .ok_or_else(|| unknown("Failed to resolve generator, generator is nil", &m.generatorname))
}

/// `getgeneratorsmsg`: up to `count` generators of the colony.
pub async fn list<H: Host>(cx: Cx<'_, H>, m: GetGeneratorsMsg) -> Result<Vec<Generator>, Error> {
    let mut conn = cx.db().await?;
    authorize(&mut conn, GetGeneratorsMsg::ROLE, cx.caller, &m.colonyname).await?;
    if m.count < 0 {
        return Err(bad_request("count must not be negative"));
    }
    let (client, _) = conn.parts();
    Ok(store::generators::list(&*client, &m.colonyname, m.count).await?)
}

/// `packgeneratormsg`: a member packs one arg (sets `firstpack` on the first).
pub async fn pack<H: Host>(cx: Cx<'_, H>, m: PackGeneratorMsg) -> Result<Empty, Error> {
    let mut conn = cx.db().await?;
    let go = "Failed to increment generator, generator is nil";
    read(&mut conn, PackGeneratorMsg::ROLE, cx.caller, &m.generatorid, go).await?;
    let (client, _) = conn.parts();
    if store::generators::pack(&*client, &m.generatorid, &m.arg).await? {
        Ok(Empty {})
    } else {
        Err(unknown(go, &m.generatorid))
    }
}

/// `removegeneratormsg`: a member removes a generator and its packed args.
pub async fn remove<H: Host>(cx: Cx<'_, H>, m: RemoveGeneratorMsg) -> Result<Empty, Error> {
    let mut conn = cx.db().await?;
    let go = "Failed to remove generator, generator is nil";
    read(&mut conn, RemoveGeneratorMsg::ROLE, cx.caller, &m.generatorid, go).await?;
    let (client, _) = conn.parts();
    store::generators::remove(&*client, &m.generatorid).await?;
    Ok(Empty {})
}

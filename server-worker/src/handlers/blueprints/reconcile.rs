//! `reconcileblueprintmsg`: a member asks for a blueprint to be reconciled now; the reply is
//! the process submitted to its kind's handler.

use super::*;

/// `reconcileblueprintmsg`: submits a reconcile process for one blueprint to its kind's handler
/// (function `handler.functionName` on `handler.executorType`, at the blueprint's location;
/// 400 when either is missing) and replies with it. With `force` the blueprint's generation is
/// raised, so the reconciler redoes work it considers done; the process also gets
/// `force: true` in its kwargs.
pub async fn reconcile<H: Host>(cx: Cx<'_, H>, m: ReconcileBlueprintMsg) -> Result<Process, Error> {
    let mut db = cx.authorized::<ReconcileBlueprintMsg>(&m.namespace).await?;
    let client = db.client();
    let blueprint = store::blueprints::by_name(&*client, &m.namespace, &m.name, false)
        .await?
        .ok_or_else(|| not_found("Blueprint not found"))?;
    let definition =
        store::blueprints::definition_of_kind_locked(&*client, &m.namespace, &blueprint.kind)
            .await?;
    let handler = definition
        .map(|d| d.spec.handler)
        .filter(|h| !h.executor_type.is_empty())
        .ok_or_else(|| bad_request("Blueprint has no handler with executor type defined"))?;
    if handler.function_name.is_empty() {
        return Err(bad_request("Blueprint has no handler with function name defined"));
    }
    drop(db);

    let mut spec = reconcile_spec(&blueprint, &handler);
    if m.force {
        spec.kwargs.insert("force".into(), Value::Bool(true));
    }
    // The submit handler checks the caller again (same role) and wakes waiting reconcilers.
    let process = crate::handlers::processes::submit(cx, SubmitFunctionSpecMsg { spec }).await?;

    // Recorded after the submit: the process is what the caller asked for; bookkeeping that
    // fails to be written (the blueprint was removed meanwhile) does not undo it.
    let mut conn = cx.db().await?;
    let (client, _) = conn.parts();
    let tx = client.transaction().await?;
    if let Some(mut current) = store::blueprints::by_name(&tx, &m.namespace, &m.name, true).await? {
        let meta = &mut current.metadata;
        meta.generation += i64::from(m.force);
        meta.last_reconciliation_process = process.processid.clone();
        meta.last_reconciliation_time = process.submissiontime;
        store::blueprints::update(&tx, &current).await?;
    }
    tx.commit().await?;
    Ok(process)
}

//! Blueprint definitions: the kinds of blueprint a colony accepts (their schema and the
//! executor type and function that reconcile them), kept by the colony owner.

use super::*;

/// `addblueprintdefinitionmsg`: the colony owner defines a kind.
pub async fn add_definition<H: Host>(
    cx: Cx<'_, H>,
    m: AddBlueprintDefinitionMsg,
) -> Result<BlueprintDefinition, Error> {
    let mut definition = m.blueprintdefinition;
    let mut conn = cx.db().await?;
    authorize(
        &mut conn,
        AddBlueprintDefinitionMsg::ROLE,
        cx.caller,
        &definition.metadata.colonyname,
    )
    .await?;
    check_name("blueprint definition", &definition.metadata.name).map_err(invalid)?;
    check_name("blueprint kind", &definition.spec.names.kind).map_err(invalid)?;
    if let Some(schema) = &definition.spec.schema {
        schema::check_schema(schema).map_err(|e| bad_request(format!("invalid schema: {e}")))?;
    }
    definition.blueprintdefinitionid =
        id_or_random("blueprint definition", &definition.blueprintdefinitionid)?;
    if definition.kind.is_empty() {
        definition.kind = "BlueprintDefinition".into();
    }
    let (client, _) = conn.parts();
    match store::blueprints::insert_definition(&*client, &definition).await? {
        Conflict::None => Ok(definition),
        Conflict::Taken => Err(conflict(format!(
            "a blueprint definition named {} or of kind {} already exists in colony {}",
            definition.metadata.name, definition.spec.names.kind, definition.metadata.colonyname
        ))),
    }
}

/// `getblueprintdefinitionmsg`: one definition by name.
pub async fn get_definition<H: Host>(
    cx: Cx<'_, H>,
    m: GetBlueprintDefinitionMsg,
) -> Result<BlueprintDefinition, Error> {
    let mut db = cx.authorized::<GetBlueprintDefinitionMsg>(&m.colonyname).await?;
    let client = db.client();
    store::blueprints::definition(&*client, &m.colonyname, &m.name)
        .await?
        .ok_or_else(|| not_found("Blueprint definition not found"))
}

/// `getblueprintdefinitionsmsg`: every definition of the colony.
pub async fn list_definitions<H: Host>(
    cx: Cx<'_, H>,
    m: GetBlueprintDefinitionsMsg,
) -> Result<Vec<BlueprintDefinition>, Error> {
    let mut db = cx.authorized::<GetBlueprintDefinitionsMsg>(&m.colonyname).await?;
    let client = db.client();
    Ok(store::blueprints::definitions(&*client, &m.colonyname).await?)
}

/// `removeblueprintdefinitionmsg`: the owner removes a kind no blueprint uses (else 409).
pub async fn remove_definition<H: Host>(
    cx: Cx<'_, H>,
    m: RemoveBlueprintDefinitionMsg,
) -> Result<Empty, Error> {
    let mut db = cx.authorized::<RemoveBlueprintDefinitionMsg>(&m.namespace).await?;
    let client = db.client();
    let tx = client.transaction().await?;
    match store::blueprints::remove_definition(&tx, &m.namespace, &m.name).await? {
        DefinitionRemoval::Removed => {}
        DefinitionRemoval::NotFound => {
            return Err(not_found(format!(
                "BlueprintDefinition '{}' not found in namespace '{}'",
                m.name, m.namespace
            )));
        }
        DefinitionRemoval::InUse(n) => {
            let kind = store::blueprints::definition(&tx, &m.namespace, &m.name)
                .await?
                .map(|d| d.spec.names.kind)
                .unwrap_or_default();
            return Err(conflict(format!(
                "cannot remove BlueprintDefinition '{}': {n} blueprint(s) of kind '{kind}' still \
                 exist",
                m.name
            )));
        }
    }
    tx.commit().await?;
    Ok(Empty {})
}

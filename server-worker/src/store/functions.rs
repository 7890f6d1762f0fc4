//! Functions (protocol §4.8): what executors offer, with the statistics of successful runs
//! (updated by [`super::processes::close_successful`]).

use colonies_core::model::Function;
use tokio_postgres::{Error, GenericClient, Row};

const COLUMNS: &str = "function_id, executor_name, executor_type, colony_name, funcname,
    description, args::text, counter, min_wait_time, max_wait_time, min_exec_time,
    max_exec_time, avg_wait_time, avg_exec_time, location_name";

fn from_row(row: &Row) -> Function {
    Function {
        functionid: row.get(0),
        executorname: row.get(1),
        executortype: row.get(2),
        colonyname: row.get(3),
        funcname: row.get(4),
        description: row.get(5),
        // Written by this module from the same type, so it reads back.
        args: serde_json::from_str(row.get(6)).unwrap_or_default(),
        counter: row.get(7),
        minwaittime: row.get(8),
        maxwaittime: row.get(9),
        minexectime: row.get(10),
        maxexectime: row.get(11),
        avgwaittime: row.get(12),
        avgexectime: row.get(13),
        locationname: row.get(14),
    }
}

/// Registers `function` for its executor, taking the executor's location (and its type when
/// the function names none). `None` when the executor already offers a function of that name.
pub async fn add(
    client: &impl GenericClient,
    function: &Function,
) -> Result<Option<Function>, Error> {
    let args = serde_json::to_string(&function.args).unwrap_or_default();
    let sql = format!(
        "INSERT INTO functions (function_id, colony_name, executor_name, executor_type, funcname,
                                description, args, location_name)
         SELECT $1, e.colony_name, e.name, COALESCE(NULLIF($4, ''), e.executor_type), $5, $6,
                $7::text::jsonb, e.location_name
         FROM executors e
         WHERE e.colony_name = $2 AND e.name = $3
           AND NOT EXISTS (SELECT 1 FROM functions f
                           WHERE f.colony_name = $2 AND f.executor_name = $3 AND f.funcname = $5)
         RETURNING {COLUMNS}"
    );
    let row = client
        .query_opt(
            &sql,
            &[
                &function.functionid,
                &function.colonyname,
                &function.executorname,
                &function.executortype,
                &function.funcname,
                &function.description,
                &args,
            ],
        )
        .await?;
    Ok(row.as_ref().map(from_row))
}

/// The functions of a colony, or of one executor when `executor` is not empty.
pub async fn list(
    client: &impl GenericClient,
    colony: &str,
    executor: &str,
) -> Result<Vec<Function>, Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM functions
         WHERE colony_name = $1 AND ($2 = '' OR executor_name = $2)
         ORDER BY executor_name, funcname"
    );
    Ok(client.query(&sql, &[&colony, &executor]).await?.iter().map(from_row).collect())
}

/// One function (`None`: no such function).
pub async fn get(client: &impl GenericClient, id: &str) -> Result<Option<Function>, Error> {
    let sql = format!("SELECT {COLUMNS} FROM functions WHERE function_id = $1");
    Ok(client.query_opt(&sql, &[&id]).await?.as_ref().map(from_row))
}

/// Deletes a function; false if there is none.
pub async fn remove(client: &impl GenericClient, id: &str) -> Result<bool, Error> {
    Ok(client.execute("DELETE FROM functions WHERE function_id = $1", &[&id]).await? == 1)
}

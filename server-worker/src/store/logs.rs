//! Logs (protocol §4.9): lines of a process or of an executor, in insertion order.

use colonies_core::model::Log;
use tokio_postgres::{Error, GenericClient, Row, types::ToSql};

const COLUMNS: &str = "process_id, colony_name, executor_name, ts, message";

fn from_row(row: &Row) -> Log {
    Log {
        processid: row.get(0),
        colonyname: row.get(1),
        executorname: row.get(2),
        message: row.get(4),
        timestamp: row.get(3),
    }
}

/// The database clock in Unix nanoseconds, at the time of the statement (not of the
/// transaction), so lines of one transaction still get increasing stamps.
const NOW_NS: &str = "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000000)::bigint";

/// Logs a line for a process running on `executor_id`, as its executor `executor_name`;
/// false if the process is not running on it (any more).
pub async fn add_for_process(
    client: &impl GenericClient,
    process_id: &str,
    executor_id: &str,
    executor_name: &str,
    message: &str,
) -> Result<bool, Error> {
    let sql = format!(
        "INSERT INTO logs (process_id, colony_name, executor_name, ts, message)
         SELECT process_id, colony_name, $3, {NOW_NS}, $4 FROM processes
         WHERE process_id = $1 AND state = 1 AND is_assigned AND assigned_executor_id = $2"
    );
    let n = client.execute(&sql, &[&process_id, &executor_id, &executor_name, &message]).await?;
    Ok(n == 1)
}

/// Logs a line of an executor's own (no process).
pub async fn add_for_executor(
    client: &impl GenericClient,
    colony: &str,
    executor_name: &str,
    message: &str,
) -> Result<(), Error> {
    let sql = format!(
        "INSERT INTO logs (process_id, colony_name, executor_name, ts, message)
         VALUES ('', $1, $2, {NOW_NS}, $3)"
    );
    client.execute(&sql, &[&colony, &executor_name, &message]).await.map(drop)
}

/// Whose lines `getlogsmsg` reads.
#[derive(Debug, Clone, Copy)]
pub enum LogSource<'a> {
    /// One process's.
    Process(&'a str),
    /// One executor's in one colony (Go ignores the colony here, mixing executors of the
    /// same name from different colonies: protocol §11 item 20).
    Executor {
        /// The colony.
        colony: &'a str,
        /// The executor name.
        name: &'a str,
    },
}

/// `getlogsmsg`: the newest `count` lines newest first (`latest`), else the lines after
/// `since` (Unix ns, when > 0) or from the first, oldest first.
pub async fn get(
    client: &impl GenericClient,
    source: LogSource<'_>,
    count: i64,
    since: i64,
    latest: bool,
) -> Result<Vec<Log>, Error> {
    let mut params: Vec<&(dyn ToSql + Sync)> = vec![&count];
    let condition = match &source {
        LogSource::Process(id) => {
            params.push(id);
            "process_id = $2"
        }
        LogSource::Executor { colony, name } => {
            params.push(colony);
            params.push(name);
            "colony_name = $2 AND executor_name = $3"
        }
    };
    let order = if latest { "log_id DESC" } else { "log_id" };
    let since_condition = if !latest && since > 0 {
        params.push(&since);
        format!("AND ts > ${}", params.len())
    } else {
        String::new()
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM logs WHERE {condition} {since_condition} ORDER BY {order} LIMIT $1"
    );
    let rows = client.query(&sql, &params).await?;
    Ok(rows.iter().map(from_row).collect())
}

/// `searchlogsmsg`: up to `count` lines of the colony from the last `days` days that contain
/// `text` (literally: `%` and `_` are not wildcards), oldest first.
pub async fn search(
    client: &impl GenericClient,
    colony: &str,
    text: &str,
    days: i64,
    count: i64,
) -> Result<Vec<Log>, Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM logs
         WHERE colony_name = $1 AND added > now() - $2::bigint * INTERVAL '1 day'
           AND strpos(message, $3) > 0
         ORDER BY log_id LIMIT $4"
    );
    let rows = client.query(&sql, &[&colony, &days, &text, &count]).await?;
    Ok(rows.iter().map(from_row).collect())
}

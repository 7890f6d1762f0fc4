//! Counts for `getstatisticsmsg` (whole server) and, later, `getcolonystatsmsg`.

use tokio_postgres::{Error, GenericClient};

/// Server-wide counts: colonies, executors, and processes per state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ServerCounts {
    /// Colonies.
    pub colonies: i64,
    /// Executor rows of every state.
    pub executors: i64,
    /// Processes per state: waiting, running, successful, failed, cancelled.
    pub processes: [i64; 5],
}

/// Counts for the whole server, in one round trip.
pub async fn server_counts(client: &impl GenericClient) -> Result<ServerCounts, Error> {
    let row = client
        .query_one(
            "SELECT (SELECT count(*) FROM colonies),
                    (SELECT count(*) FROM executors),
                    count(*) FILTER (WHERE state = 0),
                    count(*) FILTER (WHERE state = 1),
                    count(*) FILTER (WHERE state = 2),
                    count(*) FILTER (WHERE state = 3),
                    count(*) FILTER (WHERE state = 4)
             FROM processes",
            &[],
        )
        .await?;
    Ok(ServerCounts {
        colonies: row.get(0),
        executors: row.get(1),
        processes: [row.get(2), row.get(3), row.get(4), row.get(5), row.get(6)],
    })
}

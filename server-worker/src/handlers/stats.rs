//! Colony statistics (`getcolonystatsmsg`, protocol §4.2).

use super::{Cx, authorize, bad_request};
use crate::{db::DbConn, error::Error, host::Host, store};
use colonies_core::{
    message::{GetColonyStatisticsMsg, Message},
    model::Statistics,
};
use futures_util::future::try_join;

/// `getcolonystatsmsg`: counts of one colony, for its approved members: executors, and
/// processes and workflows (process graphs) per state. Unlike Go, a refused caller gets a 403
/// reply, not an empty body.
pub async fn colony<H: Host>(
    cx: Cx<'_, H>,
    m: GetColonyStatisticsMsg,
) -> Result<Statistics, Error> {
    let mut conn = cx.db().await?;
    // Go looks the colony up before the caller.
    authorize(&mut conn, GetColonyStatisticsMsg::ROLE, cx.caller, &m.colonyname).await.map_err(
        |e| match e {
            Error::Refused(f) if f.message == store::auth::colony_missing(&m.colonyname) => {
                bad_request(format!("Colony with name <{}> not found", m.colonyname))
            }
            e => e,
        },
    )?;
    let (client, _) = conn.parts();
    // Both queries are in flight together: one round trip on the same connection.
    let (
        ([executors, active, unregistered], [waiting, running, success, failed, cancelled]),
        [waiting_graphs, running_graphs, success_graphs, failed_graphs, cancelled_graphs],
    ) = try_join(
        store::processes::colony_counts(&*client, &m.colonyname),
        store::graphs::colony_counts(&*client, &m.colonyname),
    )
    .await?;
    Ok(Statistics {
        colonies: 1,
        executors,
        activeexecutors: active,
        unregisteredexecutors: unregistered,
        waitingprocesses: waiting,
        runningprocesses: running,
        successfulprocesses: success,
        failedprocesses: failed,
        cancelledprocesses: cancelled,
        waitingworkflows: waiting_graphs,
        runningworkflows: running_graphs,
        successfulworkflows: success_graphs,
        failedworkflows: failed_graphs,
        cancelledworkflows: cancelled_graphs,
    })
}

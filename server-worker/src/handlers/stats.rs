//! Colony statistics (`getcolonystatsmsg`, protocol §4.2).

use super::{authorize, connect, db};
use crate::{
    host::{DbConn, Host},
    store,
};
use colonies_core::{
    Failure,
    message::{GetColonyStatisticsMsg, Message},
    model::Statistics,
};

/// `getcolonystatsmsg`: counts of one colony, for its approved members. Unlike Go, a refused
/// caller gets a 403 reply, not an empty body. Workflow counts are 0 until workflows exist.
pub async fn colony<H: Host>(
    host: &H,
    caller: &str,
    m: GetColonyStatisticsMsg,
) -> Result<Statistics, Failure> {
    let mut conn = connect(host).await?;
    authorize(&mut conn, GetColonyStatisticsMsg::ROLE, caller, &m.colonyname).await?;
    let (client, _) = conn.parts();
    let ([executors, active, unregistered], [waiting, running, success, failed, cancelled]) =
        store::processes::colony_counts(&*client, &m.colonyname).await.map_err(db)?;
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
        ..Statistics::default()
    })
}

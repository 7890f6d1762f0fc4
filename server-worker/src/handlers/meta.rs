//! Server-level messages: version, server info, statistics, cluster (protocol §4.1).

use super::{Cx, Outcome, Reply, authorize, connect};
use crate::{config::ServerConfig, db::DbConn, error::Error, host::Host, store};
use colonies_core::{
    message::{GetClusterMsg, GetStatisticsMsg, Message, VersionMsg, reply_to_json},
    model::{Backend, ClusterConfig, ClusterNode, ServerInfo, Statistics},
};

/// `versionmsg`, unsigned: the build the server runs.
pub fn version(config: &ServerConfig) -> Reply {
    let reply = VersionMsg {
        buildversion: config.build_version.clone(),
        buildtime: config.build_time.clone(),
    };
    Reply {
        payloadtype: VersionMsg::PAYLOAD_TYPE.into(),
        json: reply_to_json::<VersionMsg>(&reply),
    }
}

/// `getserverinfomsg`, unsigned and without reading the payload: how to reach the server,
/// and its ID (`serverid`, the `audience` of bound requests; Go servers do not send it).
pub async fn server_info<H: Host>(host: &H) -> Outcome {
    let config = host.config();
    let mut conn = connect(host).await?;
    let (client, _) = conn.parts();
    let serverid = store::server::server_id(&*client).await?.unwrap_or_default();
    let info = ServerInfo {
        buildversion: config.build_version.clone(),
        buildtime: config.build_time.clone(),
        serverid,
        backends: vec![Backend {
            backend_type: "http".into(),
            port: config.port.into(),
            host: config.host.clone(),
            tls: config.tls,
            insecure: false,
        }],
    };
    Ok(Reply {
        payloadtype: "getserverinfomsg".into(),
        json: serde_json::to_string(&info).unwrap_or_default(),
    })
}

/// `getstatisticsmsg`: server-wide counts, for the server owner only.
pub async fn get_statistics<H: Host>(
    cx: Cx<'_, H>,
    _: GetStatisticsMsg,
) -> Result<Statistics, Error> {
    let mut db = cx.authorized::<GetStatisticsMsg>("").await?;
    let client = db.client();
    let counts = store::stats::server_counts(&*client).await?;
    let [waiting, running, successful, failed, cancelled] = counts.processes;
    Ok(Statistics {
        colonies: counts.colonies,
        executors: counts.executors,
        waitingprocesses: waiting,
        runningprocesses: running,
        successfulprocesses: successful,
        failedprocesses: failed,
        cancelledprocesses: cancelled,
        ..Statistics::default()
    })
}

/// `getclustermsg`: there is no cluster membership to report (replicas share only the
/// database), so the answer is this server as a cluster of one, its own leader.
pub async fn get_cluster<H: Host>(cx: Cx<'_, H>, _: GetClusterMsg) -> Result<ClusterConfig, Error> {
    let mut conn = cx.db().await?;
    authorize(&mut conn, GetClusterMsg::ROLE, cx.caller, "").await?;
    let config = cx.host.config();
    let node = ClusterNode {
        name: "colonies-edge".into(),
        host: config.host.clone(),
        apiport: config.port.into(),
        ..ClusterNode::default()
    };
    Ok(ClusterConfig { nodes: vec![node.clone()], leader: node })
}

//! Process subscriptions over the `/pubsub` WebSocket (protocol §7).
//!
//! The client sends one text frame, the signed request envelope; the server answers with one
//! reply envelope per process that reaches the state, or one error envelope, and closes the
//! socket when the subscription's `timeout` has passed. The frame is bound against replay
//! like every signed request of the client ([`Client::envelope`]).

use super::{Client, ClientError};
use colonies_core::{
    RpcReplyMsg,
    message::{Message, SubscribeProcessMsg, SubscribeProcessesMsg},
    model::{Process, ProcessState},
};
use core::{
    pin::Pin,
    task::{Context, Poll},
};
use futures_util::{SinkExt, Stream, StreamExt, stream::BoxStream};
use tokio_tungstenite::tungstenite::Message as Frame;

/// Processes as they reach the subscribed state. Ends when the server closes the socket
/// (its timeout) and after an error item; dropping it closes the socket.
pub struct ProcessStream {
    inner: BoxStream<'static, Result<Process, ClientError>>,
}

impl core::fmt::Debug for ProcessStream {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ProcessStream").finish_non_exhaustive()
    }
}

impl Stream for ProcessStream {
    type Item = Result<Process, ClientError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

/// The process of one frame, or the failure it reports; `None` for frames without data.
fn decode(frame: Frame) -> Option<Result<Process, ClientError>> {
    let text = match frame {
        Frame::Text(text) => text.as_str().to_owned(),
        Frame::Binary(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        _ => return None,
    };
    let reply = match RpcReplyMsg::parse(text.as_bytes()) {
        Ok(reply) => reply,
        Err(_) => return Some(Err(ClientError::Protocol(format!("/pubsub frame {text:?}")))),
    };
    Some(reply.into_result().map_err(ClientError::Server).and_then(|json| {
        serde_json::from_slice::<Process>(&json)
            .map_err(|e| ClientError::Protocol(format!("/pubsub process does not parse: {e}")))
    }))
}

impl Client {
    /// Subscribes with any WebSocket message whose frames carry processes.
    pub async fn subscribe<M: Message<Reply = Process>>(
        &self,
        message: &M,
    ) -> Result<ProcessStream, ClientError> {
        // Bound like every request (the server does not check subscription frames yet).
        let envelope = self.envelope(message).await?.to_json();
        let url = self.pubsub_url();
        let (mut socket, _) =
            tokio::time::timeout(self.timeout, tokio_tungstenite::connect_async(&url))
                .await
                .map_err(|_| ClientError::Timeout(self.timeout))?
                .map_err(|e| ClientError::Connection(format!("{url}: {e}")))?;
        socket
            .send(Frame::text(envelope))
            .await
            .map_err(|e| ClientError::Connection(format!("{url}: {e}")))?;
        // After an error frame the stream ends, as the server closes after one.
        let inner = futures_util::stream::unfold(Some(socket), |socket| async move {
            let mut socket = socket?;
            loop {
                match socket.next().await {
                    None | Some(Ok(Frame::Close(_))) => return None,
                    Some(Err(e)) => {
                        return Some((Err(ClientError::Connection(e.to_string())), None));
                    }
                    Some(Ok(frame)) => match decode(frame) {
                        None => continue,
                        Some(Ok(process)) => return Some((Ok(process), Some(socket))),
                        Some(Err(e)) => return Some((Err(e), None)),
                    },
                }
            }
        });
        if !self.e2e {
            return Ok(ProcessStream { inner: inner.boxed() });
        }
        // Processes of encrypted colonies open as the typed calls' replies do.
        let client = self.clone();
        let opened = inner.then(move |item| {
            let client = client.clone();
            async move {
                match item {
                    Ok(process) => Ok(client.open_process(process).await),
                    Err(e) => Err(e),
                }
            }
        });
        Ok(ProcessStream { inner: opened.boxed() })
    }

    /// `subscribeprocessmsg`: one item when the process reaches `state` (at once if it has
    /// already), within `timeout` seconds. `executortype` may be empty.
    pub async fn subscribe_process(
        &self,
        colonyname: impl Into<String>,
        processid: impl Into<String>,
        executortype: impl Into<String>,
        state: ProcessState,
        timeout: i64,
    ) -> Result<ProcessStream, ClientError> {
        self.subscribe(&SubscribeProcessMsg {
            colonyname: colonyname.into(),
            processid: processid.into(),
            executortype: executortype.into(),
            state,
            timeout,
        })
        .await
    }

    /// `subscribeprocessesmsg`: every process of `executortype` entering `state`, for
    /// `timeout` seconds.
    pub async fn subscribe_processes(
        &self,
        colonyname: impl Into<String>,
        executortype: impl Into<String>,
        state: ProcessState,
        timeout: i64,
    ) -> Result<ProcessStream, ClientError> {
        self.subscribe(&SubscribeProcessesMsg {
            colonyname: colonyname.into(),
            executortype: executortype.into(),
            state,
            timeout,
        })
        .await
    }

    /// Waits (over `/pubsub`) until `process` reaches `state`, then returns it as the server
    /// has it now. A timeout without a frame is [`ClientError::Timeout`].
    pub async fn wait(
        &self,
        process: &Process,
        state: ProcessState,
        timeout: i64,
    ) -> Result<Process, ClientError> {
        let mut stream = self
            .subscribe_process(
                process.spec.conditions.colonyname.clone(),
                process.processid.clone(),
                process.spec.conditions.executortype.clone(),
                state,
                timeout,
            )
            .await?;
        match stream.next().await {
            Some(Ok(_)) => self.get_process(process.processid.clone()).await,
            Some(Err(e)) => Err(e),
            None => Err(ClientError::Timeout(core::time::Duration::from_secs(
                u64::try_from(timeout).unwrap_or(0),
            ))),
        }
    }
}

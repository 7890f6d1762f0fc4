//! An executor loop: assign (long poll) → run the handler registered for the process's
//! `funcname` → close successful with its output, or failed with its error; back off on
//! errors; stop when a cancellation token fires. Every assign and close is signed anew by
//! the [`Client`], so each (a re-sent long poll too) carries a fresh replay binding.

use super::{Client, ClientError};
use alloc::{collections::BTreeMap, sync::Arc};
use colonies_core::model::{Function, Process};
use core::{future::Future, time::Duration};
use futures_util::future::BoxFuture;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

/// One assigned process, handed to a handler.
#[derive(Debug, Clone)]
pub struct Job {
    /// The process (state running, assigned to this executor).
    pub process: Process,
    /// The executor's client: for logs, attributes, output while the job runs.
    pub client: Client,
    /// Fires when the executor is stopping; a long handler should return early.
    pub cancel: CancellationToken,
}

impl Job {
    /// Adds a log line to the process (`addlogmsg`).
    pub async fn log(&self, message: impl Into<String>) -> Result<(), ClientError> {
        self.client.add_log(self.process.processid.clone(), message).await.map(drop)
    }
}

/// What a handler returns: the output (`out`) of a success, or the error of a failure.
pub type HandlerResult = Result<Vec<Value>, String>;

/// A function run for each assigned process of one `funcname`.
pub type Handler = Arc<dyn Fn(Job) -> BoxFuture<'static, HandlerResult> + Send + Sync>;

/// What the loop is doing, for logging and progress displays.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ExecutorEvent {
    /// Waiting in a long-poll assign.
    Waiting,
    /// A process was assigned and its handler started.
    Assigned(Box<Process>),
    /// A process was closed: successful, or failed with these errors.
    Closed {
        /// The process.
        processid: String,
        /// Errors if it was closed as failed (empty: success).
        errors: Vec<String>,
    },
    /// A call failed; the loop retries after `retry_in`.
    Error {
        /// What failed.
        error: ClientError,
        /// The back-off before the next try.
        retry_in: Duration,
    },
    /// The loop has stopped.
    Stopped,
}

/// Settings of an [`Executor`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutorOptions {
    /// The colony to take processes from.
    pub colonyname: String,
    /// The executor's name (for `addfunctionmsg`).
    pub executorname: String,
    /// The executor's type (for `addfunctionmsg`).
    pub executortype: String,
    /// Seconds each assign waits for work (long poll).
    pub assign_timeout: i64,
    /// CPU offered to assign, e.g. `"4000m"` (empty: unlimited).
    pub availablecpu: String,
    /// Memory offered to assign, e.g. `"16Gi"` (empty: unlimited).
    pub availablemem: String,
    /// First back-off after an error; doubles per consecutive error.
    pub backoff_initial: Duration,
    /// Longest back-off.
    pub backoff_max: Duration,
    /// How often a failing close is tried before the process is left to the server's timeout.
    pub close_attempts: u32,
}

impl ExecutorOptions {
    /// Options with the defaults: 10 s long polls, back-off from 0.5 s to 30 s, 5 close tries.
    pub fn new(
        colonyname: impl Into<String>,
        executorname: impl Into<String>,
        executortype: impl Into<String>,
    ) -> Self {
        Self {
            colonyname: colonyname.into(),
            executorname: executorname.into(),
            executortype: executortype.into(),
            assign_timeout: 10,
            availablecpu: String::new(),
            availablemem: String::new(),
            backoff_initial: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
            close_attempts: 5,
        }
    }
}

type Listener = Arc<dyn Fn(&ExecutorEvent) + Send + Sync>;

/// An executor loop over a [`Client`] that signs with the executor's own (registered and
/// approved) key.
#[derive(Clone)]
pub struct Executor {
    client: Client,
    options: ExecutorOptions,
    handlers: BTreeMap<String, Handler>,
    listener: Option<Listener>,
}

impl core::fmt::Debug for Executor {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Executor")
            .field("options", &self.options)
            .field("functions", &self.handlers.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl Executor {
    /// An executor with no handlers yet.
    pub fn new(client: Client, options: ExecutorOptions) -> Self {
        Self { client, options, handlers: BTreeMap::new(), listener: None }
    }

    /// Runs `handler` for processes whose `spec.funcname` is `funcname`.
    pub fn register<F, Fut>(mut self, funcname: impl Into<String>, handler: F) -> Self
    where
        F: Fn(Job) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = HandlerResult> + Send + 'static,
    {
        let handler: Handler = Arc::new(move |job| Box::pin(handler(job)));
        self.handlers.insert(funcname.into(), handler);
        self
    }

    /// Calls `listener` on every [`ExecutorEvent`].
    pub fn on_event(mut self, listener: impl Fn(&ExecutorEvent) + Send + Sync + 'static) -> Self {
        self.listener = Some(Arc::new(listener));
        self
    }

    /// The function names with a handler.
    pub fn functions(&self) -> impl Iterator<Item = &str> {
        self.handlers.keys().map(String::as_str)
    }

    /// Announces every registered function to the colony (`addfunctionmsg`), so that
    /// `getfunctionsmsg` lists them. The executor must be approved first.
    pub async fn register_functions(&self) -> Result<Vec<Function>, ClientError> {
        let mut added = Vec::new();
        for funcname in self.handlers.keys() {
            let function = Function {
                executorname: self.options.executorname.clone(),
                executortype: self.options.executortype.clone(),
                colonyname: self.options.colonyname.clone(),
                funcname: funcname.clone(),
                ..Function::default()
            };
            added.push(self.client.add_function(function).await?);
        }
        Ok(added)
    }

    fn emit(&self, event: ExecutorEvent) {
        if let Some(listener) = &self.listener {
            listener(&event);
        }
    }

    /// The back-off after `failures` consecutive errors, with jitter so that executors that
    /// failed together do not retry in lockstep.
    fn backoff(&self, failures: u32) -> Duration {
        let base = self.options.backoff_initial.saturating_mul(1 << failures.min(16));
        let full = base.min(self.options.backoff_max);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        full / 2 + (full / 2).mul_f64(f64::from(nanos % 1000) / 1000.0)
    }

    /// Runs until `cancel` fires. A handler that is running then is awaited (its
    /// [`Job::cancel`] has fired) and its process closed.
    pub async fn run(&self, cancel: CancellationToken) {
        let options = &self.options;
        let mut failures = 0u32;
        while !cancel.is_cancelled() {
            self.emit(ExecutorEvent::Waiting);
            let assigned = tokio::select! {
                () = cancel.cancelled() => break,
                result = self.client.assign(
                    options.colonyname.clone(),
                    options.assign_timeout,
                    options.availablecpu.clone(),
                    options.availablemem.clone(),
                ) => result,
            };
            match assigned {
                Ok(process) => {
                    failures = 0;
                    self.execute(process, &cancel).await;
                }
                // Nothing to do within the long poll: ask again at once.
                Err(e) if e.is_not_found() => {}
                Err(error) => {
                    // Not approved yet, paused, unreachable: report, wait, try again.
                    let retry_in = self.backoff(failures);
                    failures = failures.saturating_add(1);
                    self.emit(ExecutorEvent::Error { error, retry_in });
                    tokio::select! {
                        () = cancel.cancelled() => break,
                        () = tokio::time::sleep(retry_in) => {}
                    }
                }
            }
        }
        self.emit(ExecutorEvent::Stopped);
    }

    async fn execute(&self, process: Process, cancel: &CancellationToken) {
        let processid = process.processid.clone();
        let handler = self.handlers.get(&process.spec.funcname).cloned();
        self.emit(ExecutorEvent::Assigned(Box::new(process.clone())));
        let unopened = self.client.unopened_fields(&process);
        let result = match handler {
            // Running a function on ciphertext would be wrong: fail it, saying why.
            _ if !unopened.is_empty() => Err(format!(
                "end-to-end encryption: this executor holds no key that opens {} of the \
                 process (the colony owner must wrap the current key version for it: \
                 `colonies-edge colony keys sync`)",
                unopened.join(", ")
            )),
            None => Err(format!("this executor has no function {:?}", process.spec.funcname)),
            Some(handler) => {
                let job =
                    Job { process, client: self.client.clone(), cancel: cancel.child_token() };
                // A task of its own, so that a panicking handler fails its process instead
                // of the executor.
                match tokio::spawn(handler(job)).await {
                    Ok(result) => result,
                    Err(e) => Err(format!("the handler panicked: {e}")),
                }
            }
        };
        let errors = match &result {
            Ok(_) => Vec::new(),
            Err(error) => vec![error.clone()],
        };
        // A process that did not open is failed with this executor's own words, which hold
        // nothing of the process and cannot be sealed without the key it lacks.
        let closer = if unopened.is_empty() {
            self.client.clone()
        } else {
            self.client.clone().with_e2e(false)
        };
        for attempt in 0..self.options.close_attempts.max(1) {
            let closed = match &result {
                Ok(output) => closer.close_successful(processid.clone(), output.clone()).await,
                Err(error) => closer.close_failed(processid.clone(), vec![error.clone()]).await,
            };
            match closed {
                Ok(_) => {
                    self.emit(ExecutorEvent::Closed { processid, errors });
                    return;
                }
                // A close refused for its replay binding changed nothing; the next try is
                // signed anew.
                Err(error) if error.is_retryable() || error.is_replay_refusal() => {
                    let retry_in = self.backoff(attempt);
                    self.emit(ExecutorEvent::Error { error, retry_in });
                    tokio::time::sleep(retry_in).await;
                }
                Err(error) => {
                    // Refused (e.g. the process timed out and went to someone else): the
                    // server's state wins; nothing to retry.
                    self.emit(ExecutorEvent::Error { error, retry_in: Duration::ZERO });
                    return;
                }
            }
        }
    }
}

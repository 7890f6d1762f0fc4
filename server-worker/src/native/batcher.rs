//! Shared statements for the hot writes: the submits (and successful closes) that arrive
//! while earlier ones are being written go to the database together, as one statement.
//!
//! Each statement is a transaction of its own, so its commit (and the WAL flush behind it),
//! the executor start-up over the indexes of `processes`, the plan-cache check and the round
//! trip are paid once per batch instead of once per request; under load that is most of
//! what PostgreSQL spends on a submit or a close (BENCHMARKS.md). Nothing waits on purpose:
//! a request that finds no batch of its kind running is written at once, alone, so an idle
//! server answers as fast as before; only while [`IN_FLIGHT`] batches of its kind are running
//! do requests queue, and the next batch takes all of them (up to [`LARGEST`]).
//!
//! A batch is written by a task of its own, not by the requests in it: a client that goes
//! away while its submit is queued or being written does not cut short the hand-off of the
//! process to an executor that others' requests depend on. What a request gets back is what
//! it would have got alone: one statement failing (say, an item the database refuses) is
//! retried item by item, so an error is only ever its own item's.

use super::{pooled::CachedStatements, wakeups::NativeWakeups};
use crate::{
    error::Error,
    store::submits::{Submit, write_closes, write_submits},
    store::{
        processes::{Closed, SuccessfulClose},
        replay::NonceItem,
    },
};
use alloc::{collections::VecDeque, sync::Arc};
use colonies_core::{Failure, model::Process, rules::replay::NonceCheck};
use core::future::Future;
use deadpool_postgres::{Hook, HookError, Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio::sync::{Semaphore, mpsc, oneshot};
use tokio_postgres::Client;

/// How many batches of one kind are written at the same time. One (with submits and closes
/// apart, two statements at a time) made the largest batches and the most processes per
/// second on two cores: `loadgen --processes 20000` gave 1,797–1,896/s against 1,424–1,463/s
/// with two (BENCHMARKS.md).
pub const IN_FLIGHT: usize = 1;

/// The most items one statement carries.
pub const LARGEST: usize = 64;

/// The connections the batchers write on: one per batch in flight of each kind (submits,
/// closes, nonces).
///
/// Their sessions pin the plans of the batch statements, which look every row up by key:
/// - `plan_cache_mode = force_generic_plan`: the planner, which sees how many items a batch
///   has, would otherwise find each custom plan a little cheaper than the generic one and
///   plan every batch afresh, which under load costs more than the statement itself;
/// - `enable_seqscan = off`: a generic plan made while a table is still small (a fresh
///   database under load at once) would scan it whole, and keep doing so as it grows until
///   the next ANALYZE; with sequential scans priced out, every lookup is an index probe;
/// - `jit = off`: the price put on a sequential scan that has no alternative (a trigger's
///   look at a small table without an index) would otherwise make the plan look expensive
///   enough to be compiled, tens of milliseconds for a statement of microseconds.
///
/// A database without these settings just plans as it likes.
pub fn pool(config: &tokio_postgres::Config) -> Result<Pool, super::ServeError> {
    let manager = Manager::from_config(
        config.clone(),
        tokio_postgres::NoTls,
        ManagerConfig { recycling_method: RecyclingMethod::Fast },
    );
    Pool::builder(manager)
        .max_size(3 * IN_FLIGHT)
        .post_create(Hook::async_fn(|client, _| {
            Box::pin(async move {
                let settings = "SET plan_cache_mode = force_generic_plan; SET enable_seqscan = off; SET jit = off";
                if let Err(e) = client.batch_execute(settings).await {
                    tracing::debug!(error = %e, "the batch connection plans as the database likes");
                }
                Ok::<(), HookError>(())
            })
        }))
        .build()
        .map_err(|e| super::ServeError::Database(e.to_string()))
}

/// A kind of write that can be batched.
pub trait Batched: Send + Sync + 'static {
    /// One request's write.
    type Item: Send + 'static;
    /// Its outcome.
    type Out: Send + 'static;
    /// Items with the same key never share a statement (they go in the next one).
    fn key(item: &Self::Item) -> &str;
    /// Writes `items`, one outcome per item, in order.
    fn write<'a>(
        &'a self,
        client: &'a Client,
        statements: &'a CachedStatements,
        items: Vec<Self::Item>,
    ) -> impl Future<Output = Vec<Result<Self::Out, Error>>> + Send + 'a;
}

type Job<B> = (<B as Batched>::Item, oneshot::Sender<Result<<B as Batched>::Out, Error>>);

/// Gathers the writes of one kind into batches and writes them.
pub struct Batcher<B: Batched> {
    queue: mpsc::UnboundedSender<Job<B>>,
}

impl<B: Batched> Batcher<B> {
    /// Starts the task that gathers and writes `batched`'s items on connections of `pool`;
    /// it ends when the batcher is dropped, after writing what was queued.
    pub fn start(batched: B, pool: Pool) -> Self {
        let (queue, items) = mpsc::unbounded_channel();
        tokio::spawn(gather(Arc::new(batched), pool, items));
        Self { queue }
    }

    /// Writes `item` with whatever else is queued, and returns its outcome.
    pub async fn write(&self, item: B::Item) -> Result<B::Out, Error> {
        let (reply, outcome) = oneshot::channel();
        self.queue
            .send((item, reply))
            .map_err(|_| Error::new(503, "the server is shutting down"))?;
        outcome.await.unwrap_or_else(|_| Err(Error::new(500, "the write was abandoned")))
    }
}

async fn gather<B: Batched>(
    batched: Arc<B>,
    pool: Pool,
    mut queue: mpsc::UnboundedReceiver<Job<B>>,
) {
    let slots = Arc::new(Semaphore::new(IN_FLIGHT));
    // Items put off because an item with their key was already in the batch, oldest first.
    let mut held: VecDeque<Job<B>> = VecDeque::new();
    loop {
        let Ok(slot) = slots.clone().acquire_owned().await else { return };
        let first = match held.pop_front() {
            Some(job) => job,
            None => match queue.recv().await {
                Some(job) => job,
                None => return,
            },
        };
        let mut jobs = vec![first];
        let mut later = Vec::new();
        while jobs.len() < LARGEST {
            let Some(job) = held.pop_front().or_else(|| queue.try_recv().ok()) else { break };
            if jobs.iter().any(|(item, _)| B::key(item) == B::key(&job.0)) {
                later.push(job);
            } else {
                jobs.push(job);
            }
        }
        for job in later.into_iter().rev() {
            held.push_front(job);
        }
        let (batched, pool) = (batched.clone(), pool.clone());
        tokio::spawn(async move {
            write(&*batched, &pool, jobs).await;
            drop(slot);
        });
    }
}

async fn write<B: Batched>(batched: &B, pool: &Pool, jobs: Vec<Job<B>>) {
    let (items, replies): (Vec<_>, Vec<_>) = jobs.into_iter().unzip();
    let outcomes = match pool.get().await {
        Ok(conn) => {
            let statements = CachedStatements::of(&conn);
            batched.write(&conn, &statements, items).await
        }
        Err(e) => {
            let failure = Failure::new(503, format!("no database connection: {e}"));
            items.iter().map(|_| Err(Error::Refused(failure.clone()))).collect()
        }
    };
    for (reply, outcome) in replies.into_iter().zip(outcomes) {
        // A request that went away does not need its answer; its write stands.
        let _ = reply.send(outcome);
    }
}

/// `submitfuncspecmsg`'s insert and hand-off ([`write_submits`]).
pub struct Submits(pub NativeWakeups);

impl Batched for Submits {
    type Item = Submit<super::wakeups::NativeClaim>;
    type Out = Option<Process>;

    fn key(item: &Self::Item) -> &str {
        &item.row.process_id
    }

    fn write<'a>(
        &'a self,
        client: &'a Client,
        statements: &'a CachedStatements,
        items: Vec<Self::Item>,
    ) -> impl Future<Output = Vec<Result<Self::Out, Error>>> + Send + 'a {
        write_submits(&self.0, client, statements, items)
    }
}

/// `closesuccessfulmsg`'s close ([`write_closes`]). The same process twice in one statement
/// would be closed once and reported closed twice, so a repeated close waits for the next.
pub struct Closes(pub NativeWakeups);

impl Batched for Closes {
    type Item = SuccessfulClose;
    type Out = Option<Closed>;

    fn key(item: &Self::Item) -> &str {
        &item.process_id
    }

    async fn write(
        &self,
        client: &Client,
        statements: &CachedStatements,
        items: Vec<Self::Item>,
    ) -> Vec<Result<Self::Out, Error>> {
        write_closes(&self.0, client, statements, &items).await
    }
}

/// The nonces of bound requests ([`crate::store::replay::record`]): the one extra statement a
/// bound request costs is shared by the requests that arrive together. The same caller and
/// nonce twice never share a statement: the second is answered as a replay by the next.
pub struct Nonces {
    /// The replay window, in milliseconds.
    pub window_ms: i64,
}

impl Batched for Nonces {
    type Item = NonceItem;
    type Out = NonceCheck;

    fn key(item: &Self::Item) -> &str {
        &item.binding.nonce
    }

    async fn write(
        &self,
        client: &Client,
        statements: &CachedStatements,
        items: Vec<Self::Item>,
    ) -> Vec<Result<Self::Out, Error>> {
        match crate::store::replay::record(client, statements, &items, self.window_ms).await {
            Ok(checks) if checks.len() == items.len() => checks.into_iter().map(Ok).collect(),
            Ok(_) => items.iter().map(|_| Err(Error::new(500, "nonces not recorded"))).collect(),
            Err(e) => {
                let failure = Error::from(e).into_failure();
                items.iter().map(|_| Err(Error::Refused(failure.clone()))).collect()
            }
        }
    }
}

//! The Workers [`Host`]: one Postgres connection per request, opened over a Workers socket.
//!
//! Hyperdrive pools in transaction mode, so nothing here relies on session state: no
//! statement cache (each prepared statement is closed when the query that prepared it is
//! done), no LISTEN, no session advisory locks (the migration and deadline locks are
//! transaction-scoped). One connection per request is also what the Workers limit of six
//! open sockets per invocation allows comfortably.

use super::{database::Database, settings::Settings, wakeups::PollingWakeups};
use crate::{
    config::ServerConfig,
    db::{DbConn, DbUnavailable, Statements},
    host::Host,
};
use alloc::rc::Rc;
use core::{cell::RefCell, future::Future, pin::pin, time::Duration};
use futures_channel::oneshot;
use futures_util::future::{Either, select};
use tokio_postgres::{Client, Error, Statement};

/// The host of one request.
pub struct WorkersHost {
    config: ServerConfig,
    database: Database,
    wakeups: PollingWakeups,
    /// The request's connection while no handler holds it. A long poll drops its
    /// connection between attempts; keeping it here saves a new connection per attempt.
    idle: Rc<RefCell<Option<Client>>>,
    /// One signal per connection opened, fired when it has ended.
    ended: RefCell<Vec<oneshot::Receiver<()>>>,
}

/// How long [`WorkersHost::close`] waits for a connection to end.
const CLOSE_WAIT: Duration = Duration::from_secs(2);

impl WorkersHost {
    /// A host for one request.
    pub fn new(settings: &Settings, database: Database) -> Self {
        let idle: Rc<RefCell<Option<Client>>> = Rc::default();
        Self {
            config: settings.server.clone(),
            database,
            wakeups: PollingWakeups::for_request(None, idle.clone()),
            idle,
            ended: RefCell::default(),
        }
    }

    /// Ends long polls when the request's client disconnects (`signal`: the request's).
    #[must_use]
    pub fn with_client(mut self, signal: web_sys::AbortSignal) -> Self {
        self.wakeups = PollingWakeups::for_request(Some(signal), self.idle.clone());
        self
    }

    /// Ends the request's connections cleanly: Terminate, then the socket closed from this
    /// side, waiting (bounded) until that is done. Without it the runtime aborts the open
    /// socket when the request ends, which the database (or the proxy in front of it) sees
    /// as a connection reset. Call it last, from `wait_until` so the reply is not delayed.
    pub async fn close(self) {
        drop(self.idle.borrow_mut().take());
        let ended = self.ended.take();
        for on_end in ended {
            let timeout = pin!(worker::Delay::from(CLOSE_WAIT));
            if let Either::Right(_) = select(on_end, timeout).await {
                worker::console_warn!("colonies: a database connection did not close in time");
            }
        }
    }
}

/// Statements prepared for one use: the [`Statement`] closes itself on the server when the
/// query that asked for it drops it, inside the same request, so nothing outlives it.
#[derive(Debug, Clone, Copy, Default)]
pub struct OneShotStatements;

impl Statements for OneShotStatements {
    fn prepare(
        &self,
        client: &Client,
        sql: &str,
    ) -> impl Future<Output = Result<Statement, Error>> {
        client.prepare(sql)
    }

    fn cached(&self) -> bool {
        false
    }
}

/// The request's connection, lent to a handler; dropping it puts it back for the next
/// handler step (unless it broke).
pub struct WorkersConn {
    client: Option<Client>,
    idle: Rc<RefCell<Option<Client>>>,
}

impl DbConn for WorkersConn {
    type Statements = OneShotStatements;

    fn parts(&mut self) -> (&mut Client, OneShotStatements) {
        // Only `drop` takes the client out.
        let client = self.client.as_mut().expect("a lent connection holds its client");
        (client, OneShotStatements)
    }
}

impl Drop for WorkersConn {
    fn drop(&mut self) {
        if let Some(client) = self.client.take().filter(|c| !c.is_closed()) {
            // A second connection of the same request (rare) is simply closed.
            let mut idle = self.idle.borrow_mut();
            if idle.is_none() {
                *idle = Some(client);
            }
        }
    }
}

impl Host for WorkersHost {
    type Conn = WorkersConn;
    type Wakeups = PollingWakeups;

    fn config(&self) -> &ServerConfig {
        &self.config
    }

    async fn db(&self) -> Result<WorkersConn, DbUnavailable> {
        let kept = self.idle.borrow_mut().take().filter(|c| !c.is_closed());
        let client = match kept {
            Some(client) => client,
            None => {
                let (client, on_end) = self.database.connect().await?;
                self.ended.borrow_mut().push(on_end);
                client
            }
        };
        Ok(WorkersConn { client: Some(client), idle: self.idle.clone() })
    }

    fn wakeups(&self) -> &PollingWakeups {
        &self.wakeups
    }
}

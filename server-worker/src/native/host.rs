//! The native [`Host`]: a deadpool connection pool, [`NativeWakeups`], and the batchers that
//! write concurrent submits and closes together.

use super::{
    batcher::{Batcher, Closes, Nonces, Submits},
    pooled::PooledConn,
    wakeups::{NativeClaim, NativeWakeups},
};
use crate::{
    config::ServerConfig,
    db::DbUnavailable,
    error::Error,
    host::Host,
    store::submits::Submit,
    store::{
        processes::{Closed, SuccessfulClose},
        replay::NonceItem,
    },
};
use alloc::sync::Arc;
use colonies_core::{model::Process, rules::replay::NonceCheck};
use core::future::Future;
use deadpool_postgres::Pool;

/// Everything a request handler needs natively; cheap to clone.
#[derive(Clone)]
pub struct NativeHost {
    pool: Pool,
    wakeups: NativeWakeups,
    config: Arc<ServerConfig>,
    submits: Arc<Batcher<Submits>>,
    closes: Arc<Batcher<Closes>>,
    nonces: Arc<Batcher<Nonces>>,
}

impl NativeHost {
    /// A host over `pool`, whose batchers write on `batch_pool` (see [`super::batcher::pool`]);
    /// it starts their tasks, so it must be made inside the runtime.
    pub fn new(pool: Pool, batch_pool: Pool, wakeups: NativeWakeups, config: ServerConfig) -> Self {
        let submits = Arc::new(Batcher::start(Submits(wakeups.clone()), batch_pool.clone()));
        let closes = Arc::new(Batcher::start(Closes(wakeups.clone()), batch_pool.clone()));
        let window_ms = crate::host::window_ms(&config);
        let nonces = Arc::new(Batcher::start(Nonces { window_ms }, batch_pool));
        Self { pool, wakeups, config: Arc::new(config), submits, closes, nonces }
    }

    /// The connection pool.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }
}

impl Host for NativeHost {
    type Conn = PooledConn;
    type Wakeups = NativeWakeups;

    fn config(&self) -> &ServerConfig {
        &self.config
    }

    fn db(&self) -> impl Future<Output = Result<PooledConn, DbUnavailable>> + Send {
        let pool = self.pool.clone();
        async move {
            pool.get()
                .await
                .map(PooledConn)
                .map_err(|e| DbUnavailable(format!("no database connection: {e}")))
        }
    }

    fn wakeups(&self) -> &NativeWakeups {
        &self.wakeups
    }

    fn write_submit(
        &self,
        submit: Submit<NativeClaim>,
    ) -> impl Future<Output = Result<Option<Process>, Error>> + Send {
        self.submits.write(submit)
    }

    fn write_close(
        &self,
        close: SuccessfulClose,
    ) -> impl Future<Output = Result<Option<Closed>, Error>> + Send {
        self.closes.write(close)
    }

    fn record_nonce(
        &self,
        item: NonceItem,
    ) -> impl Future<Output = Result<NonceCheck, Error>> + Send {
        self.nonces.write(item)
    }
}

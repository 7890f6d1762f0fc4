//! The seam between the handlers and a host: what a host lends a request (a database
//! connection, wakeups, configuration) and how it writes the writes it may share between
//! requests. Defined below the handlers and knowing nothing of them; the native and Workers
//! hosts implement it.

use crate::{
    config::ServerConfig,
    db::{DbConn, DbUnavailable, MaybeSend, MaybeSync},
    error::Error,
    store::{
        processes::{Closed, SuccessfulClose},
        replay::NonceItem,
        submits::{Submit, write_closes, write_submits},
    },
    wakeups::Wakeups,
};
use alloc::vec;
use colonies_core::{model::Process, rules::replay::NonceCheck};

/// The replay window of `config` in milliseconds.
pub fn window_ms(config: &ServerConfig) -> i64 {
    i64::try_from(config.replay_window.as_millis()).unwrap_or(i64::MAX)
}
use core::future::Future;

/// What a host gives the handlers.
pub trait Host: MaybeSync {
    /// A lent connection.
    type Conn: DbConn;
    /// The long-poll wakeups of this host.
    type Wakeups: Wakeups;
    /// The server's settings.
    fn config(&self) -> &ServerConfig;
    /// A connection for one request.
    fn db(&self) -> impl Future<Output = Result<Self::Conn, DbUnavailable>> + MaybeSend;
    /// The wakeups used by long-poll assign and by every write that makes work assignable.
    fn wakeups(&self) -> &Self::Wakeups;

    /// Writes a checked submit and settles it (see [`write_submits`]). Natively the submits
    /// that arrive while earlier ones are being written share one statement; the default
    /// writes each on its own connection.
    fn write_submit(
        &self,
        submit: Submit<<Self::Wakeups as Wakeups>::Claim>,
    ) -> impl Future<Output = Result<Option<Process>, Error>> + MaybeSend {
        async move {
            let mut conn = self.db().await?;
            let (client, statements) = conn.parts();
            let mut outcomes =
                write_submits(self.wakeups(), client, &statements, vec![submit]).await;
            outcomes.pop().unwrap_or_else(|| Err(Error::new(500, "the submit was not written")))
        }
    }
    /// Records the nonce of a bound request and says what the database saw (see
    /// [`crate::store::replay::record`]). Natively the nonces of concurrent requests share one
    /// statement, as submits do; the default records each on its own connection.
    fn record_nonce(
        &self,
        item: NonceItem,
    ) -> impl Future<Output = Result<NonceCheck, Error>> + MaybeSend {
        async move {
            let window_ms = window_ms(self.config());
            let mut conn = self.db().await?;
            let (client, statements) = conn.parts();
            let mut checks =
                crate::store::replay::record(client, &statements, &[item], window_ms).await?;
            checks.pop().ok_or_else(|| Error::new(500, "the nonce was not recorded"))
        }
    }
    /// Writes a successful close (see [`write_closes`]), shared with concurrent ones as
    /// [`Host::write_submit`] is.
    fn write_close(
        &self,
        close: SuccessfulClose,
    ) -> impl Future<Output = Result<Option<Closed>, Error>> + MaybeSend {
        async move {
            let mut conn = self.db().await?;
            let (client, statements) = conn.parts();
            let mut outcomes =
                write_closes(self.wakeups(), client, &statements, core::slice::from_ref(&close))
                    .await;
            outcomes.pop().unwrap_or_else(|| Err(Error::new(500, "the close was not written")))
        }
    }
}

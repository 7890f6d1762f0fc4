//! The Colonies server: one handler layer over Postgres, two hosts.
//!
//! `dispatch::handle_api` turns a `POST /api` body into a status and a reply envelope. It
//! reaches the platform only through the [`host::Host`] trait (a Postgres connection, the
//! long-poll wakeups, the configuration), so the same code runs in the native host
//! (`native`, behind the `native` feature, never on wasm32) and in the Workers host.
//! Everything outside `native` builds for `wasm32-unknown-unknown`.
//!
//! No unsafe code, with one audited exception: `native::memory` calls glibc's `malloc_trim`,
//! which takes no pointers (the only place with `allow(unsafe_code)`).
#![deny(unsafe_code)]

extern crate alloc;

pub mod config;
pub mod db;
pub mod dispatch;
pub mod error;
pub mod handlers;
pub mod host;
pub mod ids;
pub mod longpoll;
pub mod pubsub;
pub mod rest;
pub mod store;
pub mod wakeups;

#[cfg(all(feature = "native", not(target_arch = "wasm32")))]
pub mod native;

#[cfg(all(feature = "worker", target_arch = "wasm32"))]
pub mod workers;

pub use config::ServerConfig;
pub use db::{DbConn, Statements};
pub use dispatch::handle_api;
pub use host::Host;
pub use wakeups::{Interest, Ready, Wakeups, Woken};

#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
//! Crate map: [`keys`] (identity), [`mesh`] (credentials of the mesh API), [`client`] (one promise per RPC over `fetch`),
//! [`subscription`] (`/pubsub` as async iterators), [`error`] (`ColoniesError`),
//! [`typescript`] (the declarations the generated `.d.ts` refers to). The executor loop is
//! plain JavaScript on top of the client (`js/executor.js`).

extern crate alloc;

pub mod client;
pub mod error;
mod fetch;
pub mod keys;
pub mod mesh;
mod methods;
pub mod subscription;
pub mod typescript;

pub use client::Client;
pub use error::Error;
pub use keys::PrivateKey;
pub use subscription::ProcessSubscription;

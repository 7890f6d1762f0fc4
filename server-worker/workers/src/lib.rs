//! The Colonies server as a Cloudflare Worker.
//!
//! Everything lives in [`colonies_worker::workers`] (the fetch and scheduled handlers, the
//! Workers host); this cdylib only links it, so worker-build finds its exports here.
#![forbid(unsafe_code)]

#[cfg(target_arch = "wasm32")]
pub use colonies_worker::workers;

//! Fresh IDs for processes, graphs, functions, files and snapshots.

use alloc::{format, string::String};
use colonies_core::{Failure, Id, PrivateKey};
use core::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// A fresh random 64-hex ID (processes, functions): SHA3-256 of a random seed drawn once per
/// server process and a counter, so it costs one hash instead of a draw from the OS.
pub fn new_id() -> Result<String, Failure> {
    static SEED: OnceLock<String> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let seed = match SEED.get() {
        Some(seed) => seed,
        None => {
            let key = PrivateKey::generate()
                .map_err(|e| Failure::new(500, format!("no randomness for IDs: {e}")))?;
            SEED.get_or_init(|| key.to_hex())
        }
    };
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    Ok(Id::hash_of(&format!("{seed}:{n}")).to_hex())
}

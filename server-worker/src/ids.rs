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

/// A fresh random UUID (version 4, lower-case, hyphenated): the ids of mesh records, as
/// CryptoMesh makes them.
pub fn new_uuid() -> Result<String, Failure> {
    let hex = new_id()?;
    let b = hex.as_bytes();
    let text = |range: core::ops::Range<usize>| String::from_utf8_lossy(&b[range]).into_owned();
    // The version nibble is 4; the variant's two high bits are 10.
    let variant = match b[16] {
        b'0' | b'4' | b'8' | b'c' => '8',
        b'1' | b'5' | b'9' | b'd' => '9',
        b'2' | b'6' | b'a' | b'e' => 'a',
        _ => 'b',
    };
    Ok(format!(
        "{}-{}-4{}-{variant}{}-{}",
        text(0..8),
        text(8..12),
        text(13..16),
        text(17..20),
        text(20..32)
    ))
}

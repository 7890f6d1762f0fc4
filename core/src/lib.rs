#![no_std]
#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod crypto;
pub mod envelope;
pub mod hex;

pub use crypto::{CryptoError, Id, PrivateKey, PublicKey, RecoveryId, Signature};
pub use envelope::{EnvelopeError, Failure, RpcMsg, RpcReplyMsg};

//! The protocol's pure rules: everything a server decides without a database.
//!
//! A server reads rows, asks these functions, and writes. Each error type carries the HTTP
//! status Colonies answers with (`status()`), so a handler can turn it into a
//! [`Failure`](crate::Failure) in one step.

pub mod authorization;
pub mod lifecycle;
pub mod names;
pub mod priority;
pub mod ranges;
pub mod replay;
pub mod resources;

pub use authorization::{AuthError, Facts, authorize};
pub use lifecycle::{Transition, TransitionError};
pub use names::NameError;
pub use priority::PriorityError;
pub use ranges::RangeError;
pub use resources::ResourceError;

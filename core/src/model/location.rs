//! Locations executors run at (protocol §5.14).

use alloc::string::String;
use serde::{Deserialize, Serialize};

/// A named place executors run at; specs may require one.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct Location {
    /// The location ID.
    pub locationid: String,
    /// Its name, unique in the colony.
    pub name: String,
    /// The colony.
    pub colonyname: String,
    /// Free text.
    pub description: String,
    /// Longitude.
    pub long: f64,
    /// Latitude.
    pub lat: f64,
}

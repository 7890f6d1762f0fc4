//! ColonyFS file metadata; the bytes live in S3 (protocol §5.12).

use crate::time::Timestamp;
use alloc::string::String;
use serde::{Deserialize, Serialize};

use super::wire::nullable;

/// One revision of a file under a label.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct File {
    /// The file ID.
    pub fileid: String,
    /// The colony.
    pub colonyname: String,
    /// The label (a path-like folder), e.g. `/data`.
    pub label: String,
    /// The file name.
    pub name: String,
    /// Size in bytes.
    pub size: i64,
    /// Revision number, increasing.
    pub sequencenr: i64,
    /// Checksum of the content.
    pub checksum: String,
    /// Checksum algorithm, e.g. `SHA256`.
    pub checksumalg: String,
    /// Where the content is stored.
    #[serde(rename = "ref", deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub reference: Reference,
    /// When it was added.
    pub added: Timestamp,
}

/// Where a file's content is stored.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct Reference {
    /// The storage protocol, `s3`.
    pub protocol: String,
    /// The S3 object.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub s3object: S3Object,
}

/// An object in an S3-compatible store (credentials included, as Colonies stores them).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct S3Object {
    /// Server host.
    pub server: String,
    /// Server port.
    pub port: i64,
    /// Whether to use TLS.
    pub tls: bool,
    /// Access key.
    pub accesskey: String,
    /// Secret key.
    pub secretkey: String,
    /// Region.
    pub region: String,
    /// Encryption key.
    pub encryptionkey: String,
    /// Encryption algorithm.
    pub encryptionalg: String,
    /// Object name.
    pub object: String,
    /// Bucket.
    pub bucket: String,
}

/// A file as listed under a label.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct FileData {
    /// The file name.
    pub name: String,
    /// Checksum of the latest revision.
    pub checksum: String,
    /// Size in bytes.
    pub size: i64,
    /// The S3 object name.
    pub s3filename: String,
}

/// A label and how many files it holds.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct Label {
    /// The label.
    pub name: String,
    /// Number of files.
    pub files: i64,
}

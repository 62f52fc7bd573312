//! One request of a workload, as every layer sees it.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// `next_access` value meaning "this object is never requested again".
pub const NEVER: u64 = u64::MAX;

/// What a request does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    /// Read through the cache; a miss fetches from the origin and fills the cache.
    Get,
    /// Write a fresh value (the origin changed): the cache is updated.
    Set,
}

/// One request of a workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request {
    /// Object id.
    pub key: u64,
    /// Value size in bytes (stable per key).
    pub size: u32,
    /// Read or write.
    pub op: Op,
    /// Time to live given to the value when stored.
    pub ttl: Option<Duration>,
    /// Index of the next request for the same key, or [`crate::model::NEVER`] (filled by a pre-pass only
    /// when a policy needs it, or read from an oracleGeneral trace).
    pub next_access: u64,
}

//! What a strategy is, as the runner records it beside its measurements (schema 3), so
//! reports never guess from kind names or the echoed scenario.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Which backend holds a row's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// No cache: every read goes to the origin (kind `none`, or a server driven with
    /// `--target`).
    None,
    /// moka, in process.
    Moka,
    /// An eviction policy over an in-process map (`lru`, `belady`, ...).
    Policy,
    /// A Redis server (started for the run, at a url, or a cluster).
    Redis,
    /// One file per entry in a directory.
    File,
    /// An in-memory tier in front of Redis, memcached or files.
    Tiered,
    /// An HTTP cache cachelab does not own (nginx, Varnish, an app), reached by URL.
    Http,
    /// A memcached server (started for the run, or at a url).
    Memcached,
}

/// What a built strategy says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrategyFacts {
    /// Its kind as scenarios write it (`moka`, `lru`, `redis`, `tiered`, ...).
    pub kind: String,
    /// Its backend.
    pub backend: Backend,
    /// Whether its cached data outlives the service: files on disk, a Redis server the run
    /// did not start, a tiered strategy whose second tier does.
    pub survives_restart: bool,
    /// Whether it is an offline bound (Belady, which knows the future) rather than a cache
    /// one could deploy.
    pub bound: bool,
    /// The prefix of every key it writes on a server it shares with others (Redis), so that
    /// what a killed run left can be found and removed (`cachelab cleanup`).
    pub key_prefix: Option<String>,
    /// Where its data lives, for the line a run prints when the strategy starts
    /// (`keys under cachelab:<run-id>:`, `files under /abs/dir`); None when in memory.
    pub location: Option<String>,
}

impl StrategyFacts {
    /// A strategy of `kind` on `backend` that keeps nothing across a restart and is no bound.
    pub fn new(kind: impl Into<String>, backend: Backend) -> StrategyFacts {
        StrategyFacts {
            kind: kind.into(),
            backend,
            survives_restart: false,
            bound: false,
            key_prefix: None,
            location: None,
        }
    }
}

//! The `[http]` section of a scenario: how the caching server of HTTP mode (`mode = "http"`)
//! and of `cachelab serve` behaves.

use serde::{Deserialize, Serialize};

/// `[http]`: caching-server settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpSpec {
    /// Request coalescing (single flight): concurrent misses for one URL share one origin
    /// fetch (default true).
    #[serde(default = "yes")]
    pub coalesce: bool,
}

fn yes() -> bool {
    true
}

impl Default for HttpSpec {
    fn default() -> Self {
        HttpSpec { coalesce: true }
    }
}

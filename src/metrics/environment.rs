//! Where a run happened: recorded in every result so numbers can be compared honestly.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The machine and build a run happened on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Environment {
    /// cachelab's version.
    pub cachelab_version: String,
    /// CPU model name (from /proc/cpuinfo), or "unknown".
    pub cpu_model: String,
    /// Logical cores available to the process.
    pub cores: usize,
    /// Operating system and architecture, e.g. "linux x86_64", with the kernel release when known.
    pub os: String,
    /// Redis server version, when a Redis strategy ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redis_version: Option<String>,
}

impl Environment {
    /// Reads the current machine's environment.
    pub fn detect() -> Self {
        let cpu_model = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split_once(':'))
                    .map(|(_, v)| v.trim().to_string())
            })
            .unwrap_or_else(|| "unknown".into());
        let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .map(|s| format!(" {}", s.trim()))
            .unwrap_or_default();
        Environment {
            cachelab_version: env!("CARGO_PKG_VERSION").into(),
            cpu_model,
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            os: format!("{} {}{kernel}", std::env::consts::OS, std::env::consts::ARCH),
            redis_version: None,
        }
    }
}

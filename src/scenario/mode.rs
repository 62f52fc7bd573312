//! The top-level `mode` of a scenario: how its strategies are run.

use serde::{Deserialize, Serialize};

/// How a scenario runs (`mode = "..."`). Unwritten: `load` if the scenario has a `[load]`
/// section, else `simulation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunMode {
    /// Exact replay in logical time (no `[load]` section allowed).
    Simulation,
    /// Wall clock, requests call each strategy in process (`[load]` settings, defaults if
    /// absent).
    Load,
    /// Wall clock end to end: each strategy in turn behind the caching HTTP server, driven
    /// by the HTTP load client over loopback sockets (`[load]` and `[http]` settings).
    Http,
}

impl RunMode {
    /// The name written in scenarios and in results' `mode` (`simulation`, `load`, `http`).
    pub fn name(self) -> &'static str {
        match self {
            RunMode::Simulation => "simulation",
            RunMode::Load => "load",
            RunMode::Http => "http",
        }
    }
}

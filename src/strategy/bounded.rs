//! One cache operation under a time limit, as the load runner and the HTTP cache both run
//! them: a backend that errors and one that is too slow are told apart, because the report
//! counts them separately.

use std::future::Future;
use std::time::Duration;

use super::StrategyError;

/// How a cache operation ended.
pub enum Ended<T> {
    /// It finished with this value.
    Done(T),
    /// The backend failed.
    Failed,
    /// It did not finish within the limit (or the backend reported its own timeout).
    TimedOut,
}

/// Runs `op`, giving up after `limit`.
pub async fn within<T>(limit: Duration, op: impl Future<Output = Result<T, StrategyError>>) -> Ended<T> {
    match tokio::time::timeout(limit, op).await {
        Ok(Ok(v)) => Ended::Done(v),
        Ok(Err(StrategyError::Timeout(_))) | Err(_) => Ended::TimedOut,
        Ok(Err(StrategyError::Backend(_))) => Ended::Failed,
    }
}

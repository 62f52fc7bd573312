//! An HTTP target as a strategy: a cache cachelab does not own (nginx, Varnish, an app),
//! reached by URL. cachelab cannot look into it, so it has no in-process operations: HTTP mode
//! drives it over the network with the HTTP load client and counts its hits at the origin.
//! This value only carries what the results record about it.

use async_trait::async_trait;
use bytes::Bytes;

use super::{CacheStrategy, Hint, Lookup, StrategyError, Usage};
use crate::metrics::{Backend, StrategyFacts};

/// A cache behind a URL, for the results; its operations are refused.
pub struct HttpTarget {
    name: String,
    url: String,
}

impl HttpTarget {
    /// The target called `name` at the URL template `url`.
    pub fn new(name: impl Into<String>, url: impl Into<String>) -> Self {
        HttpTarget { name: name.into(), url: url.into() }
    }

    fn refused(&self) -> StrategyError {
        StrategyError::Backend(format!(
            "strategy `{}` is an HTTP target ({}): only HTTP mode drives it, over the network",
            self.name, self.url
        ))
    }
}

#[async_trait]
impl CacheStrategy for HttpTarget {
    fn name(&self) -> &str {
        &self.name
    }

    fn facts(&self) -> StrategyFacts {
        StrategyFacts {
            location: Some(format!("HTTP target {}; hits counted at the origin", self.url)),
            ..StrategyFacts::new("http", Backend::Http)
        }
    }

    async fn get(&self, _key: u64, _hint: Hint) -> Result<Lookup, StrategyError> {
        Err(self.refused())
    }

    async fn put(&self, _key: u64, _value: Bytes, _hint: Hint) -> Result<(), StrategyError> {
        Err(self.refused())
    }

    async fn usage(&self) -> Result<Usage, StrategyError> {
        // What it holds is its own business: nothing cachelab can count.
        Ok(Usage::default())
    }
}

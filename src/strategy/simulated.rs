//! `Simulated<P>`: an in-memory cache made of an eviction [`Policy`] plus a value map.

use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use rustc_hash::FxHashMap;

use super::{CacheStrategy, Hint, Lookup, StrategyError, Usage};
use crate::metrics::{Backend, StrategyFacts};
use crate::policy::{Access, Policy, PolicyKind};

struct Entry {
    value: Bytes,
    /// The object's size (the body may be empty: a simulation in logical time stores none).
    size: u32,
    expires: Option<Duration>,
}

struct State<P> {
    policy: P,
    values: FxHashMap<u64, Entry>,
    evicted: Vec<u64>,
    evictions: u64,
    tick: u64,
}

/// An in-memory cache whose admission and eviction are decided exactly by policy `P`.
pub struct Simulated<P> {
    name: String,
    state: Mutex<State<P>>,
}

impl<P: Policy> Simulated<P> {
    /// Wraps `policy` as a cache strategy called `name`.
    pub fn new(name: impl Into<String>, policy: P) -> Self {
        Simulated {
            name: name.into(),
            state: Mutex::new(State {
                policy,
                values: FxHashMap::default(),
                evicted: Vec::new(),
                evictions: 0,
                tick: 0,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State<P>> {
        // A panic while holding the lock cannot leave the maps inconsistent in a way that
        // matters for counting, so recover the guard instead of propagating the poison.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl<P: Policy> State<P> {
    fn access(&mut self, key: u64, hint: Hint) -> bool {
        let access = Access { key, size: hint.size, tick: self.tick, next_access: hint.next_access };
        self.tick += 1;
        self.evicted.clear();
        let hit = self.policy.access(&access, &mut self.evicted);
        for k in self.evicted.drain(..) {
            self.values.remove(&k);
            self.evictions += 1;
        }
        hit
    }
}

#[async_trait]
impl<P: Policy + 'static> CacheStrategy for Simulated<P> {
    fn name(&self) -> &str {
        &self.name
    }

    fn facts(&self) -> StrategyFacts {
        let kind = self.lock().policy.name().to_string();
        let bound = PolicyKind::parse(&kind).is_some_and(PolicyKind::needs_future);
        StrategyFacts { bound, ..StrategyFacts::new(kind, Backend::Policy) }
    }

    async fn get(&self, key: u64, hint: Hint) -> Result<Lookup, StrategyError> {
        let mut st = self.lock();
        let Some(entry) = st.values.get(&key) else {
            return Ok(Lookup::Miss);
        };
        if entry.expires.is_some_and(|t| t <= hint.now) {
            st.values.remove(&key);
            st.policy.remove(key);
            return Ok(Lookup::Miss);
        }
        let value = entry.value.clone();
        st.access(key, hint);
        Ok(Lookup::Hit { value, tier: 0 })
    }

    async fn put(&self, key: u64, value: Bytes, hint: Hint) -> Result<(), StrategyError> {
        let mut st = self.lock();
        st.access(key, hint);
        if st.policy.contains(key) {
            let expires = hint.ttl.map(|t| hint.now + t);
            st.values.insert(key, Entry { value, size: hint.size, expires });
        } else {
            st.values.remove(&key);
        }
        Ok(())
    }

    async fn usage(&self) -> Result<Usage, StrategyError> {
        let st = self.lock();
        Ok(Usage {
            entries: st.values.len() as u64,
            bytes: Some(st.values.values().map(|e| u64::from(e.size)).sum()),
            evictions: Some(st.evictions),
            corrupt_entries: 0,
        })
    }
}

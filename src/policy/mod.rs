//! Eviction policies: which object to evict, decided in logical time.
//!
//! A [`Policy`] is synchronous, infallible and holds no values, no clock and no I/O, so its
//! results are exact and reproducible. It is driven directly by the fast simulation path
//! (`cachelab simulate`) and wrapped by [`crate::strategy::Simulated`] to become a cache.

mod admission;
mod arc;
mod belady;
mod clock;
mod clockpro;
mod fifo;
mod gdsf;
mod hill_climber;
mod index;
mod lfu;
mod lfuda;
mod lirs;
pub mod list;
mod lru;
mod memcached;
mod mq;
mod queue;
mod redis_model;
mod registry;
mod resident;
mod s3fifo;
mod sieve;
mod slru;
mod twoq;
mod wtinylfu;

use crate::model::{Capacity, CapacityUnit};
pub use admission::{
    AdaptSize, Admission, AdmissionSpec, Admitted, Probabilistic, SecondMiss, SizeThreshold, with_admission,
};
pub use arc::ArcPolicy;
pub use belady::Belady;
pub use clock::{Clock, DEFAULT_CLOCK_BITS, MAX_CLOCK_BITS};
pub use clockpro::{ClockPro, DEFAULT_COLD_RATIO};
pub use fifo::Fifo;
pub use gdsf::Gdsf;
pub use lfu::Lfu;
pub use lfuda::Lfuda;
pub use lirs::{DEFAULT_HIR_RATIO, Lirs, ResidentHirHit};
pub use lru::Lru;
pub use memcached::{Memcached, MemcachedSettings};
pub use mq::{DEFAULT_LIFETIME, DEFAULT_QOUT_RATIO, DEFAULT_QUEUES, MAX_QOUT_RATIO, MAX_QUEUES, Mq};
pub use redis_model::{RedisMode, RedisModel, RedisSettings};
pub use registry::{PolicyKind, PolicyParams, build_policy, policy_names};
pub use resident::{Entry, Eviction, Nodes, Resident};
pub use s3fifo::{
    DEFAULT_GHOST_RATIO, DEFAULT_MOVE_THRESHOLD, DEFAULT_SMALL_RATIO, DEFAULT_WARMUP_TO_MAIN, S3Fifo,
};
pub use sieve::Sieve;
pub use slru::{DEFAULT_SEGMENTS, MAX_SEGMENTS, Slru};
pub use twoq::{DEFAULT_A1IN_RATIO, DEFAULT_A1OUT_RATIO, TwoQ};
pub use wtinylfu::{DEFAULT_PROTECTED_RATIO, DEFAULT_WINDOW_RATIO, WTinyLfu};

/// How many objects a policy should reserve room for up front: the capacity in object mode
/// (bounded, so a huge capacity does not allocate eagerly), nothing in byte mode.
fn expected_objects(capacity: Capacity) -> usize {
    match capacity.unit {
        CapacityUnit::Objects => capacity.value.min(1 << 22) as usize,
        CapacityUnit::Bytes => 0,
    }
}

/// One request as a policy sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Access {
    /// Object id.
    pub key: u64,
    /// Object size in bytes (charged against a byte capacity; ignored in object mode).
    pub size: u32,
    /// Logical time: index of this request in the stream (0-based).
    pub tick: u64,
    /// Logical time of the next request for the same key, or [`NEVER`]. Only Belady reads it;
    /// other policies ignore it, so streams without future knowledge pass [`NEVER`].
    pub next_access: u64,
}

/// What to evict. Every eviction policy implements this; it is object safe so policies can be
/// chosen by name at run time (`Box<dyn Policy>`).
pub trait Policy: Send {
    /// Short stable name, e.g. `"lru"`.
    fn name(&self) -> &str;

    /// One access (libCacheSim's get = find-or-insert): returns true on a hit. On a miss the
    /// object is admitted (or rejected, e.g. when larger than the cache) and victims are pushed
    /// to `evicted` (which the caller clears; ghost entries are not reported).
    fn access(&mut self, access: &Access, evicted: &mut Vec<u64>) -> bool;

    /// Whether `key` is resident (no state change).
    fn contains(&self, key: u64) -> bool;

    /// Drops `key` if resident (an invalidation or TTL expiry); returns whether it was.
    fn remove(&mut self, key: u64) -> bool;

    /// Number of resident objects.
    fn len(&self) -> usize;

    /// True when nothing is resident.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Capacity in use, in the capacity's unit (objects, or bytes).
    fn used(&self) -> u64;

    /// The capacity this policy was built with.
    fn capacity(&self) -> Capacity;
}

/// A boxed policy is a policy, so policies chosen by name at run time can be wrapped by
/// [`crate::strategy::Simulated`].
impl Policy for Box<dyn Policy> {
    fn name(&self) -> &str {
        (**self).name()
    }
    fn access(&mut self, access: &Access, evicted: &mut Vec<u64>) -> bool {
        (**self).access(access, evicted)
    }
    fn contains(&self, key: u64) -> bool {
        (**self).contains(key)
    }
    fn remove(&mut self, key: u64) -> bool {
        (**self).remove(key)
    }
    fn len(&self) -> usize {
        (**self).len()
    }
    fn used(&self) -> u64 {
        (**self).used()
    }
    fn capacity(&self) -> Capacity {
        (**self).capacity()
    }
}

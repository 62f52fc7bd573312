//! `redis-lru` and `redis-lfu`: models of Redis's own eviction (`maxmemory-policy`
//! `allkeys-lru` and `allkeys-lfu`, Redis 7), so that a simulation predicts what a Redis
//! server at the same object count keeps. The rules, as Redis's `evict.c` and `object.c`
//! describe and implement them (read, not copied):
//!
//! - **Sampling.** Redis keeps no eviction order. To evict, it samples `maxmemory-samples`
//!   keys (default 5) at random and offers each to a 16-entry *eviction pool* kept sorted by
//!   score, ascending (the score is the idle time for LRU, 255 minus the frequency counter for
//!   LFU). A sampled key goes where its score sorts, before entries of equal score; when the
//!   pool is full it is dropped if it scores below every entry, else the lowest entry is
//!   pushed out. The key at the high end of the pool is evicted; an entry whose key is gone
//!   (evicted or deleted since) is discarded and the next one tried; an empty pool is
//!   refilled by sampling again. Scores in the pool are those computed when the key was
//!   sampled, and a key may be in the pool twice. Redis samples a run of consecutive hash
//!   buckets from a random start (`dictGetSomeKeys`); the model samples resident keys
//!   uniformly (with a random hash the same in distribution), from a seeded generator.
//! - **LRU clock.** Each object stores the LRU clock of its last access, in seconds (Redis's
//!   `LRU_CLOCK_RESOLUTION` is 1000 ms), so objects touched in the same second have the same
//!   idle time and Redis cannot tell them apart. The model has no wall clock: it takes
//!   `requests_per_second` (default [`DEFAULT_REQUESTS_PER_SECOND`]), the rate the server is
//!   expected to serve, and request `t` happens in second `t / requests_per_second`.
//! - **LFU counter** (`allkeys-lfu`). Each object has an 8-bit logarithmic counter, starting
//!   at 5 (`LFU_INIT_VAL`, so new keys are not evicted at once), and the minute of its last
//!   decrement. On each access the counter first decays by one per `lfu-decay-time` minutes
//!   elapsed (default 1; 0 disables decay), then grows by one with probability
//!   1 / ((counter − 5) · `lfu-log-factor` + 1) (factor default 10; counters below 5 grow
//!   surely), saturating at 255, and the minute is set to now. The eviction score is 255 minus
//!   the decayed counter, decay computed at sampling time.
//! - **Order of work.** Redis evicts before it runs a write, until memory is under
//!   `maxmemory`, then stores the key, so for one command it may hold one object more than fits;
//!   the model evicts until the new object fits, as every policy here does.

use super::index::CompactIndex;
use super::list::NodeId;
use super::resident::{Eviction, NodesOf};
use super::{Access, Capacity, Resident};
use crate::model::hash::SplitMix64;

/// Redis's default `maxmemory-samples`.
pub const DEFAULT_SAMPLES: u8 = 5;
/// Redis's default `lfu-log-factor`.
pub const DEFAULT_LFU_LOG_FACTOR: u32 = 10;
/// Redis's default `lfu-decay-time`, in minutes.
pub const DEFAULT_LFU_DECAY_TIME: u32 = 1;
/// The request rate the models assume unless told: a busy but ordinary Redis.
pub const DEFAULT_REQUESTS_PER_SECOND: u64 = 10_000;
/// The default seed of the sampling and the LFU counter's coin.
pub const DEFAULT_SEED: u64 = 42;

/// Entries in Redis's eviction pool (`EVPOOL_SIZE`).
const POOL_SIZE: usize = 16;
/// A new key's LFU counter (`LFU_INIT_VAL`).
const LFU_INIT_VAL: u8 = 5;

/// Which of Redis's two approximated policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedisMode {
    /// `allkeys-lru`.
    Lru,
    /// `allkeys-lfu`.
    Lfu,
}

/// The settings of a model (Redis's configuration names in the doc of each field).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RedisSettings {
    /// LRU or LFU.
    pub mode: RedisMode,
    /// `maxmemory-samples`: keys sampled per pool refill (at least 1).
    pub samples: u8,
    /// `lfu-log-factor`.
    pub lfu_log_factor: u32,
    /// `lfu-decay-time`, minutes (0: no decay).
    pub lfu_decay_time: u32,
    /// Requests per second of wall clock the modelled server serves (at least 1).
    pub requests_per_second: u64,
    /// Seed of the sampling and of the LFU counter's coin.
    pub seed: u64,
}

impl RedisSettings {
    /// Redis's defaults for `mode`.
    pub fn defaults(mode: RedisMode) -> Self {
        RedisSettings {
            mode,
            samples: DEFAULT_SAMPLES,
            lfu_log_factor: DEFAULT_LFU_LOG_FACTOR,
            lfu_decay_time: DEFAULT_LFU_DECAY_TIME,
            requests_per_second: DEFAULT_REQUESTS_PER_SECOND,
            seed: DEFAULT_SEED,
        }
    }
}

/// A Redis eviction model.
pub type RedisModel = Resident<RedisOrder>;

/// Per object: where it sits in the array sampled from, and its LRU stamp (seconds) or, in
/// LFU mode, its counter and the minute of its last decrement.
#[derive(Debug, Clone, Copy, Default)]
pub struct RedisMeta {
    slot: u32,
    clock: u32,
    counter: u8,
}

/// Redis's sampling eviction: the resident objects in an array (for uniform sampling), the
/// eviction pool and the clock.
#[derive(Debug)]
pub struct RedisOrder {
    settings: RedisSettings,
    members: Vec<NodeId>,
    /// (score, key), ascending by score; at most [`POOL_SIZE`].
    pool: Vec<(u64, u64)>,
    rng: SplitMix64,
    /// The current request's second.
    now_s: u64,
}

impl RedisModel {
    /// An empty model of `capacity` with `settings`.
    pub fn new(capacity: Capacity, settings: RedisSettings) -> Self {
        let order = RedisOrder {
            settings,
            members: Vec::with_capacity(super::expected_objects(capacity)),
            pool: Vec::with_capacity(POOL_SIZE),
            rng: SplitMix64::new(settings.seed),
            now_s: 0,
        };
        Resident::with_eviction(capacity, order, super::expected_objects(capacity))
    }
}

impl RedisOrder {
    /// The current minute (LFU's clock).
    fn now_min(&self) -> u32 {
        (self.now_s / 60) as u32
    }

    /// The counter of `meta` after the decay due by now (`LFUDecrAndReturn`).
    fn decayed(&self, meta: &RedisMeta) -> u8 {
        let periods = match self.settings.lfu_decay_time {
            0 => 0,
            t => self.now_min().saturating_sub(meta.clock) / t,
        };
        meta.counter.saturating_sub(periods.min(255) as u8)
    }

    /// The eviction score of `meta`: higher goes first.
    fn score(&self, meta: &RedisMeta) -> u64 {
        match self.settings.mode {
            RedisMode::Lru => self.now_s.saturating_sub(u64::from(meta.clock)),
            RedisMode::Lfu => 255 - u64::from(self.decayed(meta)),
        }
    }

    /// Stamps an access on `meta`: the LRU clock, or the LFU decay, coin and minute.
    fn touch(&mut self, meta: &mut RedisMeta) {
        match self.settings.mode {
            RedisMode::Lru => meta.clock = self.now_s as u32,
            RedisMode::Lfu => {
                let mut counter = self.decayed(meta);
                if counter < 255 {
                    let base = f64::from(counter.saturating_sub(LFU_INIT_VAL));
                    let p = 1.0 / (base * f64::from(self.settings.lfu_log_factor) + 1.0);
                    if self.rng.next_f64() < p {
                        counter += 1;
                    }
                }
                meta.counter = counter;
                meta.clock = self.now_min();
            }
        }
    }

    /// Offers one sampled key to the pool (`evictionPoolPopulate`'s insertion rule).
    fn offer(&mut self, score: u64, key: u64) {
        let k = self.pool.partition_point(|&(s, _)| s < score);
        if self.pool.len() < POOL_SIZE {
            self.pool.insert(k, (score, key));
        } else if k > 0 {
            self.pool.remove(0);
            self.pool.insert(k - 1, (score, key));
        }
    }

    /// Samples `maxmemory-samples` resident objects into the pool.
    fn populate(&mut self, nodes: &NodesOf<Self>) {
        for _ in 0..self.settings.samples {
            let at = (self.rng.next_u64() % self.members.len() as u64) as usize;
            let entry = nodes.slab.get(self.members[at]);
            let score = self.score(&entry.meta);
            self.offer(score, entry.key);
        }
    }

    /// Takes `id` out of the sampled array.
    fn leave(&mut self, nodes: &mut NodesOf<Self>, id: NodeId) {
        let slot = nodes.slab.get(id).meta.slot as usize;
        self.members.swap_remove(slot);
        if let Some(&moved) = self.members.get(slot) {
            nodes.slab.get_mut(moved).meta.slot = slot as u32;
        }
    }
}

impl Eviction for RedisOrder {
    type Meta = RedisMeta;
    type Index = CompactIndex;

    fn name(&self) -> &'static str {
        match self.settings.mode {
            RedisMode::Lru => "redis-lru",
            RedisMode::Lfu => "redis-lfu",
        }
    }

    #[inline]
    fn on_access(&mut self, access: &Access) {
        self.now_s = access.tick / self.settings.requests_per_second;
    }

    fn on_hit(&mut self, nodes: &mut NodesOf<Self>, id: NodeId, _: &Access) {
        let mut meta = nodes.slab.get(id).meta;
        self.touch(&mut meta);
        nodes.slab.get_mut(id).meta = meta;
    }

    /// A new key: LRU stamps the clock; LFU starts the counter at 5 this minute (no coin).
    fn on_insert(&mut self, nodes: &mut NodesOf<Self>, id: NodeId, _: &Access) {
        let meta = RedisMeta {
            slot: self.members.len() as u32,
            clock: match self.settings.mode {
                RedisMode::Lru => self.now_s as u32,
                RedisMode::Lfu => self.now_min(),
            },
            counter: LFU_INIT_VAL,
        };
        nodes.slab.get_mut(id).meta = meta;
        self.members.push(id);
    }

    fn victim(&mut self, nodes: &mut NodesOf<Self>) -> Option<NodeId> {
        if self.members.is_empty() {
            return None;
        }
        loop {
            self.populate(nodes);
            while let Some((_, key)) = self.pool.pop() {
                // The key must still be sampled from: not evicted or removed since, and not
                // the object being inserted (indexed before the evictions, not yet a member).
                let Some(id) = nodes.find(key) else { continue };
                if self.members.get(nodes.slab.get(id).meta.slot as usize) == Some(&id) {
                    self.leave(nodes, id);
                    return Some(id);
                }
            }
        }
    }

    fn on_remove(&mut self, nodes: &mut NodesOf<Self>, id: NodeId) {
        self.leave(nodes, id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NEVER;
    use crate::policy::{Lru, Policy};

    fn run(p: &mut dyn Policy, keys: impl Iterator<Item = u64>) -> u64 {
        let mut ev = Vec::new();
        let mut hits = 0;
        for (tick, key) in keys.enumerate() {
            ev.clear();
            hits +=
                u64::from(p.access(&Access { key, size: 1, tick: tick as u64, next_access: NEVER }, &mut ev));
        }
        hits
    }

    #[test]
    fn the_pool_keeps_the_highest_scores_and_drops_the_lowest() {
        let settings = RedisSettings::defaults(RedisMode::Lru);
        let mut o =
            RedisOrder { settings, members: Vec::new(), pool: Vec::new(), rng: SplitMix64::new(1), now_s: 0 };
        for (score, key) in (0..20u64).map(|i| ((i * 7) % 20, i)) {
            o.offer(score, key);
        }
        assert_eq!(o.pool.len(), POOL_SIZE);
        let scores: Vec<u64> = o.pool.iter().map(|e| e.0).collect();
        assert_eq!(scores, (4..20).collect::<Vec<_>>());
        // A lower score than all is dropped; an equal score goes before its equals.
        o.offer(1, 100);
        assert_eq!(o.pool[0].0, 4);
        o.offer(19, 101);
        assert_eq!(&o.pool[14..], &[(19, 101), (19, o.pool[15].1)]);
    }

    #[test]
    fn with_a_fine_clock_redis_lru_comes_close_to_lru_and_is_seeded() {
        // Zipf-like skew over 2,000 keys, 500 cached, every request its own second.
        let keys = || {
            let mut rng = SplitMix64::new(9);
            (0..100_000).map(move |_| ((rng.next_f64().powi(3)) * 2_000.0) as u64)
        };
        let fine = RedisSettings { requests_per_second: 1, ..RedisSettings::defaults(RedisMode::Lru) };
        let redis = run(&mut RedisModel::new(Capacity::objects(500), fine), keys());
        let lru = run(&mut Lru::new(Capacity::objects(500)), keys());
        let gap = (redis as f64 - lru as f64).abs() / 100_000.0;
        assert!(gap < 0.01, "redis-lru {redis} vs lru {lru}");
        assert_eq!(redis, run(&mut RedisModel::new(Capacity::objects(500), fine), keys()));
        // One clock second for the whole run: idle times all tie and eviction is random.
        let coarse = RedisSettings { requests_per_second: 1_000_000, ..fine };
        let random = run(&mut RedisModel::new(Capacity::objects(500), coarse), keys());
        assert!(random < redis, "a coarse clock loses recency: {random} vs {redis}");
    }

    #[test]
    fn lfu_keeps_frequent_keys_and_its_counter_decays() {
        let settings = RedisSettings { requests_per_second: 1, ..RedisSettings::defaults(RedisMode::Lfu) };
        let mut m = RedisModel::new(Capacity::objects(10), settings);
        // Key 0 is hot; keys 1.. are one-offs: the hot key survives.
        let keys = (0..2_000u64).map(|i| if i % 2 == 0 { 0 } else { i });
        let hits = run(&mut m, keys);
        assert!(m.contains(0) && hits >= 990, "{hits}");
        // The counter: after 60 seconds (one minute, one decay period) it drops by one.
        let o = m.eviction();
        let meta = RedisMeta { slot: 0, clock: o.now_min(), counter: 20 };
        assert_eq!(o.decayed(&meta), 20);
        assert_eq!(o.decayed(&RedisMeta { clock: o.now_min() - 3, ..meta }), 17);
        assert_eq!(o.decayed(&RedisMeta { clock: 0, counter: 2, ..meta }), 0);
    }
}

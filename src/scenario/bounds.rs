//! Upper bounds a scenario must respect so that a run fits in memory whatever it says: no
//! setting may make cachelab allocate without limit. Each bound is checked when the scenario
//! is read (exit 2, naming file, line, column and key) and documented in
//! `scenarios/reference.toml`.

use crate::model::Invalid;
use crate::model::units::CapacitySpec;
use crate::strategy::{BackendSpec, StrategySpec};
use crate::workload::{GeneratorKind, WorkloadSpec};

use super::Scenario;

/// Most requests of a generated workload replayed with a policy that needs future knowledge
/// (Belady): they are held in memory with each one's next access (about 48 bytes each). A
/// longer run can be written as a trace first (`cachelab trace gen`), which is annotated on
/// disk instead.
pub const MAX_REQUESTS_WITH_FUTURE: u64 = 50_000_000;

/// Most memory the values of a run may take at once: what in-memory caches hold at their
/// capacity (moka at any time, eviction policies under load, where they keep the bodies they
/// serve) plus the bodies of the requests in flight.
pub const MEMORY_BUDGET: u64 = 16 << 30;

/// Whether strategy `s` keeps value bodies in this process's memory in a run of `mode`.
fn keeps_values_in_memory(s: &StrategySpec, under_load: bool) -> bool {
    match &s.backend {
        BackendSpec::Moka { .. } => true,
        // In simulation a policy keeps no bodies: it only orders keys.
        BackendSpec::Policy { .. } => under_load,
        BackendSpec::Tiered(t) => keeps_values_in_memory(&t.l1, under_load),
        BackendSpec::None
        | BackendSpec::Redis(_)
        | BackendSpec::Memcached(_)
        | BackendSpec::File(_)
        | BackendSpec::Http(_) => false,
    }
}

/// The largest value the workload generates (None for a trace, whose sizes are its own).
fn largest_value(workload: &WorkloadSpec) -> Option<u64> {
    if workload.kind == GeneratorKind::Trace {
        return None;
    }
    Some(u64::from(workload.value_size.max_size()))
}

/// Bytes of values a cache at `capacity` may hold, with `keys` keys of at most `value` bytes.
fn worst_case_bytes(capacity: CapacitySpec, keys: u64, value: u64) -> u64 {
    let objects = match capacity {
        CapacitySpec::Bytes(b) => return b.min(keys.saturating_mul(value)),
        CapacitySpec::Objects(n) => n.min(keys),
        CapacitySpec::Share(s) => ((keys as f64 * s).ceil() as u64).min(keys),
    };
    objects.saturating_mul(value)
}

/// The safety TTL of the keys `s` (or its back tier) writes on a server it shares.
fn safety_ttl_of(s: &StrategySpec) -> Option<std::time::Duration> {
    match &s.backend {
        BackendSpec::Redis(r) => r.effective_safety_ttl(),
        BackendSpec::Memcached(m) => m.effective_safety_ttl(),
        BackendSpec::Tiered(t) => safety_ttl_of(&t.l2),
        _ => None,
    }
}

/// The memcached spec of `s` or of its back tier, with the key path of its table.
fn memcached_of(s: &StrategySpec) -> Option<(&crate::strategy::MemcachedSpec, &'static str)> {
    match &s.backend {
        BackendSpec::Memcached(m) => Some((m, "")),
        BackendSpec::Tiered(t) => memcached_of(&t.l2).map(|(m, _)| (m, "l2.")),
        _ => None,
    }
}

/// A size for messages.
fn gib(bytes: u64) -> String {
    format!("{:.1} GiB", bytes as f64 / f64::from(1 << 30))
}

impl Scenario {
    /// A timed run must not outlast the safety TTL of the Redis or memcached keys it writes:
    /// entries would expire mid-run and count as misses.
    fn check_safety_ttls(&self) -> Result<(), Invalid> {
        let Some(duration) = self.load.as_ref().and_then(|l| l.duration) else {
            return Ok(());
        };
        for s in &self.strategies {
            if let Some(ttl) = safety_ttl_of(s)
                && ttl <= duration.0
            {
                // Point at the duration: the safety TTL is often left at its default.
                return Err(Invalid::new(
                    "load.duration",
                    format!(
                        "strategy `{}`: its keys expire after safety_ttl ({ttl:?}), within the run's duration ({:?}), so entries would vanish mid-run; set safety_ttl longer than the run",
                        s.name, duration.0
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Every value of the workload (at most `value` bytes) must fit in one item of a spawned
    /// memcached, or every write of a larger one would fail.
    fn check_item_sizes(&self, value: u64) -> Result<(), Invalid> {
        for (i, s) in self.strategies.iter().enumerate() {
            if let Some((m, at)) = memcached_of(s)
                && let Some(fits) = m.largest_value()
                && value > fits
            {
                return Err(Invalid::new(
                    format!("strategy.{i}.{at}item_size"),
                    format!(
                        "strategy `{}`: the workload's values go up to {value} bytes, and a memcached item \
                         (its -I, key and header included) holds values up to {fits} bytes: set item_size \
                         (e.g. \"{}MiB\", at most half the capacity) or lower the workload's value_size max",
                        s.name,
                        (value + crate::strategy::spec::ITEM_OVERHEAD).div_ceil(1 << 20).next_power_of_two()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Checks the bounds of this module; the error names the key at fault.
    pub(super) fn check_bounds(&self) -> Result<(), Invalid> {
        self.check_safety_ttls()?;
        let workload = &self.workload;
        if workload.kind != GeneratorKind::Trace
            && workload.requests.get() > MAX_REQUESTS_WITH_FUTURE
            && let Some(s) = self.strategies.iter().find(|s| s.needs_future())
        {
            return Err(Invalid::new(
                "workload.requests",
                format!(
                    "strategy `{}` needs every request's next access, which a generated workload holds in memory: at most {MAX_REQUESTS_WITH_FUTURE} requests, got {} (write the workload as a trace with `cachelab trace gen`: traces are annotated on disk)",
                    s.name, workload.requests
                ),
            ));
        }
        let Some(value) = largest_value(workload) else {
            return Ok(());
        };
        self.check_item_sizes(value)?;
        let load = self.load.as_ref();
        let concurrency = load.and_then(|l| l.concurrency).map_or(1, |c| c.get());
        let in_flight = concurrency.saturating_mul(value);
        if in_flight > MEMORY_BUDGET {
            return Err(Invalid::new(
                "load.concurrency",
                format!(
                    "{} requests in flight with values up to {value} bytes may hold {} of bodies at once, over the {} budget: lower concurrency or the value size",
                    concurrency,
                    gib(in_flight),
                    gib(MEMORY_BUDGET)
                ),
            ));
        }
        let keys = workload.footprint_objects();
        for (i, s) in self.strategies.iter().enumerate() {
            if !keeps_values_in_memory(s, load.is_some()) {
                continue;
            }
            let held = match &s.backend {
                BackendSpec::Tiered(t) => t.l1.capacities(),
                _ => s.capacities(),
            };
            for capacity in held.into_iter().flatten() {
                let bytes = worst_case_bytes(capacity, keys, value).saturating_add(in_flight);
                if bytes > MEMORY_BUDGET {
                    return Err(Invalid::new(
                        format!("strategy.{i}.capacity"),
                        format!(
                            "strategy `{}` keeps values in memory: at this capacity, with values up to {value} bytes, it may hold {}, over the {} budget; give it a byte capacity or use smaller values",
                            s.name,
                            gib(bytes),
                            gib(MEMORY_BUDGET)
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}

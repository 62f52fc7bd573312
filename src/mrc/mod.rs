//! Miss-ratio curves in one pass of a trace (`cachelab mrc`): [`exact`] LRU curves from
//! reuse distances, [`shards`] sampled LRU curves, [`minisim`] sampled curves of any policy,
//! all fed from one reader ([`crate::workload::chunks::read_once`]).

pub mod exact;
mod fenwick;
mod hist;
pub mod minisim;
pub mod sample;
pub mod shards;
mod stack;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::model::error::InputError;
use crate::model::{Capacity, CapacityUnit};
use crate::policy::PolicyKind;
use crate::workload::chunks::read_once;
use crate::workload::trace::{TraceRecord, TraceSource, for_each_key};
use exact::{ByteHits, ObjectDistances};
use minisim::MiniSim;
use sample::key_hash;
pub use shards::Sampling;
use shards::{Shards, expected_error};

/// Disjoint sub-samples behind a sampled curve's expected error.
const SPREAD_PARTS: u64 = 4;

/// Default number of cache sizes of a curve.
pub const DEFAULT_POINTS: usize = 100;

/// Default sampling rate of `shards` and `minisim`.
pub const DEFAULT_RATE: f64 = 0.01;

/// Sampled objects a cache must hold at least for a sampled curve to resolve its size: below
/// `RESOLUTION / rate` objects one sampled key stands for too large a share of the cache.
pub const RESOLUTION: f64 = 10.0;

/// How a curve is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Every request's LRU reuse distance (LRU only; exact).
    Exact,
    /// SHARDS: reuse distances of spatially sampled keys (LRU only; estimated).
    Shards,
    /// Miniature simulations over spatially sampled keys (any policy; estimated).
    MiniSim,
}

impl Method {
    /// Every method name.
    pub const NAMES: &'static [&'static str] = &["exact", "shards", "minisim"];

    /// The name on the command line and in output.
    pub fn name(self) -> &'static str {
        match self {
            Method::Exact => "exact",
            Method::Shards => "shards",
            Method::MiniSim => "minisim",
        }
    }

    /// Whether `policy` can be drawn by this method.
    pub fn supports(self, policy: PolicyKind) -> bool {
        self == Method::MiniSim || policy == PolicyKind::Lru
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Method {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "exact" => Ok(Method::Exact),
            "shards" => Ok(Method::Shards),
            "minisim" => Ok(Method::MiniSim),
            _ => Err(format!("unknown method `{s}`; known methods: {}", Method::NAMES.join(", "))),
        }
    }
}

/// Which sizes a curve is drawn at.
#[derive(Debug, Clone, PartialEq)]
pub enum Sizes {
    /// This many sizes spread geometrically across the footprint ([`log_sizes`]), chosen once
    /// the footprint is known.
    Points(usize),
    /// These sizes (objects, or bytes).
    Given(Vec<u64>),
}

/// What to draw.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Each policy with the method that draws it.
    pub curves: Vec<(PolicyKind, Method)>,
    /// How much `shards` and `minisim` sample (`minisim` takes a rate only).
    pub sampling: Sampling,
    /// Sizes in bytes (each object weighs its size) instead of objects.
    pub bytes: bool,
    /// The sizes.
    pub sizes: Sizes,
    /// Only these (policy, size) cells, when the sweep is split across processes (sizes must
    /// then be given); `None`: every cell.
    pub cells: Option<Vec<(PolicyKind, u64)>>,
}

impl Plan {
    /// Whether the sizes must be known before the pass (byte-mode exact and minisim caches
    /// are built for given sizes), so `Sizes::Points` needs the footprint first.
    pub fn sizes_up_front(&self) -> bool {
        self.curves.iter().any(|&(_, m)| m == Method::MiniSim || (m == Method::Exact && self.bytes))
    }
}

/// One point of a curve: exactly the fields of `cachelab mrc --json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// Policy name.
    pub policy: String,
    /// How it was computed.
    pub method: Method,
    /// Cache size, in objects or bytes.
    pub cache_size: u64,
    /// Misses over requests (estimated for sampled methods).
    pub miss_ratio: f64,
    /// Share of the keys sampled (sampled methods only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample_rate: Option<f64>,
    /// Misses, exactly (exact method only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub misses: Option<u64>,
}

/// What one method measured besides its points.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MethodNote {
    /// The method.
    pub method: Method,
    /// Final sampling rate (sampled methods).
    pub sample_rate: Option<f64>,
    /// Requests that were in the sample.
    pub sampled_requests: Option<u64>,
    /// Expected mean absolute miss-ratio error of the sampled curves (see
    /// [`shards::expected_error`]).
    pub expected_error: Option<f64>,
}

/// Every curve of a plan.
#[derive(Debug, Clone)]
pub struct Curves {
    /// The points, curve by curve in plan order, sizes ascending.
    pub points: Vec<Point>,
    /// Requests in the trace.
    pub requests: u64,
    /// Footprint (objects or bytes; exact when the exact method ran, else estimated).
    pub footprint: u64,
    /// One note per method that ran.
    pub notes: Vec<MethodNote>,
    /// The unit of the sizes.
    pub unit: CapacityUnit,
    /// Requests that changed their object's size (counted by exact byte curves only; then
    /// those curves are close to, not identical with, separate simulations).
    pub resized: u64,
}

/// `n` cache sizes spread geometrically from 0.1% of `footprint` to all of it (a miss-ratio
/// curve is read on a log axis). Duplicates are dropped, so a small footprint gives fewer.
pub fn log_sizes(footprint: u64, n: usize) -> Vec<u64> {
    let top = footprint.max(1) as f64;
    let bottom = (top / 1000.0).max(1.0);
    let n = n.max(1);
    let mut sizes: Vec<u64> = (0..n)
        .map(|i| {
            let f = if n == 1 { 1.0 } else { i as f64 / (n - 1) as f64 };
            (bottom * (top / bottom).powf(f)).round().max(1.0) as u64
        })
        .collect();
    sizes.dedup();
    sizes
}

/// The profilers of one pass.
struct Pass {
    objects: Option<ObjectDistances>,
    bytes: Option<ByteHits>,
    shards: Option<(Shards, Vec<Shards>)>,
    minisim: Option<(MiniSim, Vec<Shards>)>,
}

impl Pass {
    fn feed(&mut self, chunk: &[TraceRecord], first: u64) {
        let Pass { objects, bytes, shards, minisim } = self;
        rayon::join(
            || {
                if let Some(o) = objects {
                    chunk.iter().for_each(|r| o.record(r.key));
                }
                if let Some(b) = bytes {
                    chunk.iter().for_each(|r| b.record(r.key, r.size));
                }
            },
            || {
                if let Some((s, parts)) = shards {
                    s.count(chunk.len() as u64);
                    for r in chunk {
                        let hash = key_hash(r.key);
                        if s.observe(r.key, hash, r.size) {
                            parts.iter_mut().for_each(|p| _ = p.observe(r.key, hash, r.size));
                        }
                    }
                    parts.iter_mut().for_each(|p| p.count(chunk.len() as u64));
                }
                if let Some((m, parts)) = minisim {
                    m.feed(chunk, first);
                    for r in chunk {
                        let hash = key_hash(r.key);
                        parts.iter_mut().for_each(|p| _ = p.observe(r.key, hash, r.size));
                    }
                    parts.iter_mut().for_each(|p| p.count(chunk.len() as u64));
                }
            },
        );
    }
}

/// The pass of a plan that has SHARDS curves only: keys and sizes straight from the file
/// ([`for_each_key`]), each key hashed once for the profile and its sub-samples.
fn shards_pass(source: &TraceSource, s: &mut Shards, parts: &mut [Shards]) -> Result<u64, InputError> {
    let requests = for_each_key(source, |key, size| {
        let hash = key_hash(key);
        if s.observe(key, hash, size) {
            parts.iter_mut().for_each(|p| _ = p.observe(key, hash, size));
        }
    })?;
    s.count(requests);
    parts.iter_mut().for_each(|p| p.count(requests));
    Ok(requests)
}

/// Draws every curve of `plan` over one pass of `source`. `Sizes::Points` must have been
/// resolved to `Sizes::Given` beforehand when [`Plan::sizes_up_front`].
pub fn profile(source: &TraceSource, plan: &Plan) -> Result<Curves, InputError> {
    let given = match &plan.sizes {
        Sizes::Given(s) => {
            let mut s = s.clone();
            s.sort_unstable();
            s.dedup();
            Some(s)
        }
        Sizes::Points(_) => None,
    };
    let kept =
        |policy: PolicyKind, size: u64| plan.cells.as_ref().is_none_or(|c| c.contains(&(policy, size)));
    let any_kept =
        |policy: PolicyKind| plan.cells.as_ref().is_none_or(|c| c.iter().any(|&(p, _)| p == policy));
    let has = |m: Method| plan.curves.iter().any(|&(p, x)| x == m && any_kept(p));
    let unit = if plan.bytes { CapacityUnit::Bytes } else { CapacityUnit::Objects };
    let rate = match plan.sampling {
        Sampling::Rate(r) => r,
        Sampling::Samples(_) => DEFAULT_RATE,
    };
    let spread = || Shards::spread(rate, SPREAD_PARTS, plan.bytes);
    let mut pass = Pass {
        objects: (has(Method::Exact) && !plan.bytes).then(ObjectDistances::default),
        bytes: (has(Method::Exact) && plan.bytes)
            .then(|| ByteHits::new(given.clone().expect("byte sizes resolved up front"))),
        shards: has(Method::Shards).then(|| {
            let parts = if matches!(plan.sampling, Sampling::Rate(_)) { spread() } else { Vec::new() };
            (Shards::new(plan.sampling, plan.bytes), parts)
        }),
        minisim: has(Method::MiniSim).then(|| {
            let sizes = given.as_ref().expect("minisim sizes resolved up front");
            let cells: Vec<(PolicyKind, Capacity)> = plan
                .curves
                .iter()
                .filter(|c| c.1 == Method::MiniSim)
                .flat_map(|&(p, _)| {
                    sizes.iter().filter(move |&&v| kept(p, v)).map(move |&v| (p, Capacity { value: v, unit }))
                })
                .collect();
            (MiniSim::new(&cells, rate), spread())
        }),
    };
    let requests = match &mut pass {
        Pass { objects: None, bytes: None, shards: Some((s, parts)), minisim: None } => {
            shards_pass(source, s, parts)?
        }
        _ => read_once(source, |chunk, first| {
            pass.feed(chunk, first);
            Ok::<_, InputError>(())
        })?,
    };
    let footprint = match (&pass.objects, &pass.shards) {
        (Some(o), _) => o.footprint(),
        (None, Some((s, _))) => s.footprint(),
        _ => given.as_ref().and_then(|g| g.last().copied()).unwrap_or(0),
    };
    let sizes = given.unwrap_or_else(|| match plan.sizes {
        Sizes::Points(n) => log_sizes(footprint, n),
        Sizes::Given(_) => unreachable!("given sizes are resolved above"),
    });
    let mut notes = Vec::new();
    let mut points = Vec::new();
    for &(policy, method) in &plan.curves {
        let point = |cache_size, miss_ratio, sample_rate, misses| Point {
            policy: policy.name().to_string(),
            method,
            cache_size,
            miss_ratio,
            sample_rate,
            misses,
        };
        let ratio = |m: u64| if requests == 0 { 0.0 } else { m as f64 / requests as f64 };
        match method {
            Method::Exact => {
                let misses = match (&pass.objects, &pass.bytes) {
                    (Some(o), _) => o.misses(&sizes),
                    (None, Some(b)) => b.misses(),
                    (None, None) => unreachable!("an exact profiler runs for exact curves"),
                };
                points.extend(
                    sizes
                        .iter()
                        .zip(misses)
                        .filter(|(c, _)| kept(policy, **c))
                        .map(|(&c, m)| point(c, ratio(m), None, Some(m))),
                );
            }
            Method::Shards => {
                let (s, _) = pass.shards.as_ref().expect("a SHARDS profiler runs for shards curves");
                let r = Some(s.rate());
                points.extend(
                    sizes.iter().filter(|&&c| kept(policy, c)).map(|&c| point(c, s.miss_ratio(c), r, None)),
                );
            }
            Method::MiniSim => {
                let (m, _) = pass.minisim.as_ref().expect("miniature caches run for minisim curves");
                let r = Some(m.rate());
                points.extend(
                    m.miss_ratios()
                        .into_iter()
                        .filter(|&(k, _, _)| k == policy)
                        .map(|(_, cap, ratio)| point(cap.value, ratio, r, None)),
                );
            }
        }
        if !notes.iter().any(|n: &MethodNote| n.method == method) {
            notes.push(match method {
                Method::Exact => {
                    MethodNote { method, sample_rate: None, sampled_requests: None, expected_error: None }
                }
                Method::Shards => {
                    let (s, parts) = pass.shards.as_ref().expect("SHARDS ran");
                    MethodNote {
                        method,
                        sample_rate: Some(s.rate()),
                        sampled_requests: Some(s.sampled()),
                        expected_error: (!parts.is_empty()).then(|| expected_error(parts, &sizes)),
                    }
                }
                Method::MiniSim => {
                    let (m, parts) = pass.minisim.as_ref().expect("minisim ran");
                    MethodNote {
                        method,
                        sample_rate: Some(m.rate()),
                        sampled_requests: Some(m.requests().1),
                        expected_error: Some(expected_error(parts, &sizes)),
                    }
                }
            });
        }
    }
    let resized = pass.bytes.as_ref().map_or(0, ByteHits::resized);
    Ok(Curves { points, requests, footprint, notes, unit, resized })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_sizes_span_the_footprint() {
        let s = log_sizes(48_974, 20);
        assert_eq!(s.len(), 20);
        assert_eq!((s[0], s[19]), (49, 48_974));
        assert!(s.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(log_sizes(1, 100), vec![1]);
    }

    #[test]
    fn methods_parse_and_know_their_policies() {
        for n in Method::NAMES {
            assert_eq!(n.parse::<Method>().unwrap().name(), *n);
        }
        assert!("olken".parse::<Method>().is_err());
        assert!(Method::Exact.supports(PolicyKind::Lru) && !Method::Shards.supports(PolicyKind::Fifo));
        assert!(Method::MiniSim.supports(PolicyKind::S3Fifo));
    }
}

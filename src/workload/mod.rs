//! Request streams: seeded generators (Zipf, scrambled Zipf, uniform, hot set, shifting
//! popularity) with per-key value sizes, writes and TTLs. Streams are iterators, so memory does
//! not grow with the request count.

pub mod chunks;
mod keys;
pub mod reference_zipf;
mod sizes;
pub mod trace;

use std::num::NonZeroU64;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Serialize};

pub use keys::{ALIAS_TABLE_MAX_KEYS, KeySampler, Permutation, ZipfRanks};
pub use sizes::ValueSize;
use trace::{AccessLogOptions, CsvOptions, FormatChoice, ReadOptions, TraceFormat, TraceSource};

use crate::model::Invalid;
use crate::model::units::{Fraction, HumanDuration, Positive};
use crate::model::{NEVER, Op, Request};

/// The key popularity model of a generated workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GeneratorKind {
    /// Zipf over `keys` with exponent `alpha`; key 1 is the most popular.
    Zipf,
    /// Zipf with ranks spread over the key space (YCSB's scrambled Zipf).
    ScrambledZipf,
    /// Every key equally likely.
    Uniform,
    /// `hot_share` of requests to the first `hot_keys` share of keys.
    HotSet,
    /// Zipf whose popular keys move by `shift_by` keys every `shift_every` requests.
    Shifting,
    /// Replay the trace file `path` (generator fields are ignored).
    Trace,
}

impl GeneratorKind {
    /// Every generator with a one-line description, for `cachelab list`.
    pub const ALL: &'static [(GeneratorKind, &'static str, &'static str)] = &[
        (GeneratorKind::Zipf, "zipf", "Zipf(alpha) over keys 1..=keys; key 1 most popular"),
        (
            GeneratorKind::ScrambledZipf,
            "scrambled_zipf",
            "Zipf(alpha) with hot keys spread over the key space (YCSB)",
        ),
        (GeneratorKind::Uniform, "uniform", "every key equally likely"),
        (GeneratorKind::HotSet, "hot_set", "hot_share of requests to the first hot_keys share of keys"),
        (
            GeneratorKind::Shifting,
            "shifting",
            "Zipf(alpha) whose hot keys move by shift_by every shift_every requests",
        ),
        (
            GeneratorKind::Trace,
            "trace",
            "replay a trace file: path, format (csv | oracle-general | lcs | twitter | meta-kv | vscsi | access-log), csv columns, access_log options",
        ),
    ];
}

/// The `[workload]` section of a scenario for a generated workload. Every field has a default;
/// fields a generator does not use are ignored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkloadSpec {
    /// Popularity model.
    #[serde(default = "defaults::kind")]
    pub kind: GeneratorKind,
    /// Number of distinct keys.
    #[serde(default = "defaults::keys")]
    pub keys: NonZeroU64,
    /// Number of requests in the stream.
    #[serde(default = "defaults::requests")]
    pub requests: NonZeroU64,
    /// Zipf exponent (zipf, scrambled_zipf, shifting); any value > 0, 1 included.
    #[serde(default = "defaults::alpha")]
    pub alpha: Positive,
    /// Share of requests at the start that are replayed but not counted.
    #[serde(default = "defaults::warmup")]
    pub warmup: Fraction,
    /// Value size per key.
    #[serde(default)]
    pub value_size: ValueSize,
    /// Share of requests that are writes.
    #[serde(default = "defaults::zero")]
    pub write_ratio: Fraction,
    /// Time to live of stored values (none: no expiry).
    #[serde(default)]
    pub ttl: Option<HumanDuration>,
    /// hot_set: share of keys in the hot set.
    #[serde(default = "defaults::hot_keys")]
    pub hot_keys: Fraction,
    /// hot_set: share of requests that go to the hot set.
    #[serde(default = "defaults::hot_share")]
    pub hot_share: Fraction,
    /// shifting: requests between two moves of the popular keys.
    #[serde(default = "defaults::shift_every")]
    pub shift_every: NonZeroU64,
    /// shifting: keys the popularity moves by at each shift (default: a tenth of the keys).
    #[serde(default)]
    pub shift_by: Option<u64>,
    /// Simulation clock: requests per logical second, so TTLs mean something in logical time.
    #[serde(default = "defaults::logical_rate")]
    pub logical_rate: NonZeroU64,
    /// trace: the trace file (relative paths resolve against the scenario file's directory).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<std::path::PathBuf>,
    /// trace: its format (default: from the file name, see `cachelab simulate --help`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<TraceFormat>,
    /// trace: CSV columns, e.g. `csv = { time = 2, id = 5, size = 4 }` (names or 1-based indexes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csv: Option<CsvOptions>,
    /// trace: how access-log lines become requests, e.g. `access_log = { drop_query = true }`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_log: Option<AccessLogOptions>,
}

mod defaults {
    use super::*;
    pub fn kind() -> GeneratorKind {
        GeneratorKind::Zipf
    }
    pub fn keys() -> NonZeroU64 {
        NonZeroU64::new(100_000).expect("nonzero")
    }
    pub fn requests() -> NonZeroU64 {
        NonZeroU64::new(1_000_000).expect("nonzero")
    }
    pub fn alpha() -> Positive {
        Positive(0.9)
    }
    pub fn warmup() -> Fraction {
        Fraction(0.1)
    }
    pub fn zero() -> Fraction {
        Fraction(0.0)
    }
    pub fn hot_keys() -> Fraction {
        Fraction(0.2)
    }
    pub fn hot_share() -> Fraction {
        Fraction(0.8)
    }
    pub fn shift_every() -> NonZeroU64 {
        NonZeroU64::new(100_000).expect("nonzero")
    }
    pub fn logical_rate() -> NonZeroU64 {
        NonZeroU64::new(10_000).expect("nonzero")
    }
}

impl Default for WorkloadSpec {
    fn default() -> Self {
        toml::from_str("").expect("an empty workload table uses every default")
    }
}

impl WorkloadSpec {
    /// Checks cross-field constraints the parser cannot (the error names the key).
    pub fn validate(&self) -> Result<(), Invalid> {
        self.value_size.validate().map_err(|e| e.under("value_size"))?;
        if self.kind == GeneratorKind::HotSet && self.hot_keys.0 == 0.0 {
            return Err(Invalid::new("hot_keys", "must be greater than 0 for kind = \"hot_set\""));
        }
        if self.keys.get() > u64::MAX / 2 {
            return Err(Invalid::new("keys", format!("is too large: {}", self.keys)));
        }
        let trace_key = [
            ("path", self.path.is_some()),
            ("format", self.format.is_some()),
            ("csv", self.csv.is_some()),
            ("access_log", self.access_log.is_some()),
        ]
        .into_iter()
        .find_map(|(key, set)| set.then_some(key));
        match (self.kind, &self.path, trace_key) {
            (GeneratorKind::Trace, None, _) => {
                Err(Invalid::new("path", "is required with kind = \"trace\" (the trace file)"))
            }
            (GeneratorKind::Trace, Some(_), _) | (_, _, None) => Ok(()),
            (_, _, Some(key)) => {
                Err(Invalid::new(key, "path, format, csv and access_log only apply to kind = \"trace\""))
            }
        }
    }

    /// The trace this workload replays: `None` for generated workloads, else the trace (its
    /// format from `format`, else the file name, else its content: see [`TraceSource::choose`]).
    pub fn trace_source(&self) -> Option<Result<TraceSource, crate::model::error::InputError>> {
        let path = self.path.as_ref().filter(|_| self.kind == GeneratorKind::Trace)?;
        let read = ReadOptions { ignore_ops: false, access_log: self.access_log.clone().unwrap_or_default() };
        let csv = self.csv.clone().unwrap_or_default();
        Some(
            TraceSource::choose(path, self.format.map(FormatChoice::Given), csv, read)
                .map(|(source, _)| source),
        )
    }

    /// Number of distinct keys the workload can request (its footprint in objects).
    pub fn footprint_objects(&self) -> u64 {
        self.keys.get()
    }

    /// Builds the key sampler this spec describes.
    pub fn key_sampler(&self, seed: u64) -> Result<KeySampler, String> {
        let n = self.keys.get();
        let zipf = || ZipfRanks::new(n, self.alpha.0);
        Ok(match self.kind {
            GeneratorKind::Zipf => KeySampler::Zipf(zipf()?),
            GeneratorKind::ScrambledZipf => {
                KeySampler::Scrambled { zipf: zipf()?, perm: Permutation::new(n, seed) }
            }
            GeneratorKind::Uniform => KeySampler::Uniform { keys: n },
            GeneratorKind::HotSet => KeySampler::HotSet {
                keys: n,
                hot_keys: ((n as f64 * self.hot_keys.0).round() as u64).clamp(1, n),
                hot_share: self.hot_share.0,
            },
            GeneratorKind::Shifting => KeySampler::Shifting {
                zipf: zipf()?,
                keys: n,
                every: self.shift_every.get(),
                shift_by: self.shift_by.unwrap_or((n / 10).max(1)),
            },
            GeneratorKind::Trace => {
                return Err("a trace workload is read from its file, not generated (see trace_source)".into());
            }
        })
    }

    /// The request stream for `seed`: the same sequence on every call and every machine.
    pub fn stream(&self, seed: u64) -> Result<Generator, String> {
        Ok(Generator {
            rng: StdRng::seed_from_u64(seed),
            keys: self.key_sampler(seed)?,
            sizes: self.value_size.clone(),
            seed,
            write_ratio: self.write_ratio.0,
            ttl: self.ttl.map(|t| t.0),
            index: 0,
            len: self.requests.get(),
        })
    }
}

/// A finite, seeded request iterator (see [`WorkloadSpec::stream`]).
#[derive(Debug)]
pub struct Generator {
    rng: StdRng,
    keys: KeySampler,
    sizes: ValueSize,
    seed: u64,
    write_ratio: f64,
    ttl: Option<Duration>,
    index: u64,
    len: u64,
}

impl Iterator for Generator {
    type Item = Request;

    #[inline]
    fn next(&mut self) -> Option<Request> {
        if self.index >= self.len {
            return None;
        }
        let key = self.keys.sample(&mut self.rng, self.index);
        let op = if self.write_ratio > 0.0 && self.rng.random::<f64>() < self.write_ratio {
            Op::Set
        } else {
            Op::Get
        };
        self.index += 1;
        Some(Request { key, size: self.sizes.size_of(self.seed, key), op, ttl: self.ttl, next_access: NEVER })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = (self.len - self.index) as usize;
        (left, Some(left))
    }
}

/// Fills `next_access` for a materialised stream: a reverse pass remembering each key's
/// latest index. Used for Belady on generated workloads.
pub fn fill_next_access(requests: &mut [Request]) {
    let mut next: rustc_hash::FxHashMap<u64, u64> = rustc_hash::FxHashMap::default();
    for (i, r) in requests.iter_mut().enumerate().rev() {
        r.next_access = next.insert(r.key, i as u64).unwrap_or(NEVER);
    }
}

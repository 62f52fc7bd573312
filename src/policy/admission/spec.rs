//! Admission filters by name: `admission = { kind = "bloom", ... }` on a policy strategy in a
//! scenario, `--admission NAME[:KEY=VALUE,...]` on `cachelab simulate`, both read into one
//! [`AdmissionSpec`] that builds the filter.

use serde::{Deserialize, Serialize};

use super::adaptsize::{AdaptSize, DEFAULT_MAX_ITERATION, DEFAULT_RECONF_INTERVAL};
use super::bloom::SecondMiss;
use super::draw::LIBCACHESIM_SEED;
use super::prob::Probabilistic;
use super::{Admission, Admitted, SizeThreshold};
use crate::model::units::{ByteSize, Fraction};
use crate::model::{Capacity, Invalid};
use crate::policy::Policy;

/// An admission filter and its parameters, as a scenario or the command line gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum AdmissionSpec {
    /// Admit on the second miss (libCacheSim's bloom-filter admissioner), optionally only
    /// within a window.
    Bloom {
        /// Forget misses after this many requests (two generations; default: never forget,
        /// libCacheSim's rule).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        window: Option<u64>,
    },
    /// Admit objects of at most `max_size` bytes.
    Size {
        /// The largest object admitted, in bytes (`65536` or `"64KiB"`).
        max_size: ByteSize,
    },
    /// Admit each miss with probability `p`.
    Prob {
        /// The probability of admission, 0..=1.
        p: Fraction,
        /// Seed of the draws (default 0xdeadbeef, libCacheSim's, which gives its draws).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        seed: Option<u64>,
    },
    /// AdaptSize (NSDI 2017): admit with probability e^(-size/c), c tuned by a model.
    #[serde(rename = "adaptsize")]
    AdaptSize {
        /// Golden-section steps per retuning (default 15, libCacheSim's).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_iteration: Option<u32>,
        /// Requests between retunings (default 30000, libCacheSim's).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reconf_interval: Option<u64>,
        /// Seed of the draws (default 0xdeadbeef, libCacheSim's).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        seed: Option<u64>,
    },
}

impl AdmissionSpec {
    /// Every filter with a one-line description, for `cachelab list`.
    pub const ALL: &'static [(&'static str, &'static str)] = &[
        (
            "bloom",
            "admit on the second miss (libCacheSim's bloom admissioner); params: window (requests; default: forever)",
        ),
        ("size", "admit objects of at most max_size bytes (required: max_size, e.g. \"64KiB\")"),
        ("prob", "admit each miss with probability p (required), seeded; params: seed (0xdeadbeef)"),
        (
            "adaptsize",
            "AdaptSize (NSDI 2017): admit with probability e^(-size/c), c tuned by its model; \
             params: reconf_interval (30000), max_iteration (15), seed (0xdeadbeef)",
        ),
    ];

    /// The filter's name, e.g. `"bloom"`.
    pub fn name(&self) -> &'static str {
        match self {
            AdmissionSpec::Bloom { .. } => "bloom",
            AdmissionSpec::Size { .. } => "size",
            AdmissionSpec::Prob { .. } => "prob",
            AdmissionSpec::AdaptSize { .. } => "adaptsize",
        }
    }

    /// Checks the values no type can: positive counts and nonzero seeds (the error names the
    /// key).
    pub fn validate(&self) -> Result<(), Invalid> {
        let positive = |key: &str, v: Option<u64>| match v {
            Some(0) => Err(Invalid::new(key, "must be at least 1")),
            _ => Ok(()),
        };
        match *self {
            AdmissionSpec::Bloom { window } => positive("window", window),
            AdmissionSpec::Size { .. } => Ok(()),
            AdmissionSpec::Prob { seed, .. } => positive("seed", seed),
            AdmissionSpec::AdaptSize { max_iteration, reconf_interval, seed } => {
                positive("max_iteration", max_iteration.map(u64::from))?;
                positive("reconf_interval", reconf_interval)?;
                positive("seed", seed)
            }
        }
    }

    /// Parses `--admission NAME[:KEY=VALUE,...]`, e.g. `bloom`, `size:max_size=64KiB`,
    /// `prob:p=0.2,seed=7`. Values are read as numbers when they look like numbers.
    pub fn parse_flag(text: &str) -> Result<AdmissionSpec, String> {
        let (name, params) = text.split_once(':').unwrap_or((text, ""));
        let mut table = toml::Table::new();
        table.insert("kind".into(), toml::Value::String(name.trim().to_ascii_lowercase()));
        for pair in params.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) =
                pair.split_once('=').ok_or_else(|| format!("`{pair}` is not KEY=VALUE (in `{text}`)"))?;
            let value = value.trim();
            let value = if let Ok(n) = value.parse::<i64>() {
                toml::Value::Integer(n)
            } else if let Ok(x) = value.parse::<f64>() {
                toml::Value::Float(x)
            } else {
                toml::Value::String(value.to_string())
            };
            table.insert(key.trim().to_string(), value);
        }
        let spec = AdmissionSpec::deserialize(toml::Value::Table(table)).map_err(|e| {
            let known: Vec<&str> = Self::ALL.iter().map(|(n, _)| *n).collect();
            format!("`{text}`: {e} (filters: {}; e.g. size:max_size=64KiB)", known.join(", "))
        })?;
        spec.validate().map_err(|e| format!("`{text}`: `{}` {}", e.key, e.message))?;
        Ok(spec)
    }

    /// The filter, for a cache of `capacity` (parameters assumed validated).
    pub fn build(&self, capacity: Capacity) -> Box<dyn Admission> {
        match *self {
            AdmissionSpec::Bloom { window } => Box::new(SecondMiss::new(window)),
            AdmissionSpec::Size { max_size } => {
                Box::new(SizeThreshold::new(u32::try_from(max_size.0).unwrap_or(u32::MAX)))
            }
            AdmissionSpec::Prob { p, seed } => {
                Box::new(Probabilistic::new(p.0, seed.unwrap_or(LIBCACHESIM_SEED)))
            }
            AdmissionSpec::AdaptSize { max_iteration, reconf_interval, seed } => Box::new(AdaptSize::new(
                capacity,
                max_iteration.unwrap_or(DEFAULT_MAX_ITERATION),
                reconf_interval.unwrap_or(DEFAULT_RECONF_INTERVAL),
                seed.unwrap_or(LIBCACHESIM_SEED),
            )),
        }
    }
}

/// `policy` behind the filter `admission` asks for, or `policy` alone when it asks for none.
pub fn with_admission(policy: Box<dyn Policy>, admission: Option<&AdmissionSpec>) -> Box<dyn Policy> {
    match admission {
        None => policy,
        Some(spec) => {
            let filter = spec.build(policy.capacity());
            Box::new(Admitted::new(policy, filter))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_and_the_scenario_table_read_the_same_spec() {
        let flag = AdmissionSpec::parse_flag("size:max_size=64KiB").unwrap();
        let table: AdmissionSpec = toml::from_str("kind = \"size\"\nmax_size = \"64KiB\"").unwrap();
        assert_eq!(flag, table);
        assert_eq!(flag, AdmissionSpec::Size { max_size: ByteSize(65_536) });
        assert_eq!(AdmissionSpec::parse_flag("bloom").unwrap(), AdmissionSpec::Bloom { window: None });
        assert_eq!(
            AdmissionSpec::parse_flag("prob:p=0.25, seed=7").unwrap(),
            AdmissionSpec::Prob { p: Fraction(0.25), seed: Some(7) }
        );
        assert_eq!(
            AdmissionSpec::parse_flag("AdaptSize:reconf_interval=1000").unwrap(),
            AdmissionSpec::AdaptSize { max_iteration: None, reconf_interval: Some(1000), seed: None }
        );
    }

    #[test]
    fn bad_filters_and_params_say_what_is_wrong() {
        let err = AdmissionSpec::parse_flag("lru").unwrap_err();
        assert!(err.contains("bloom, size, prob, adaptsize"), "{err}");
        assert!(AdmissionSpec::parse_flag("prob").unwrap_err().contains("missing field `p`"));
        assert!(AdmissionSpec::parse_flag("prob:p=1.5").unwrap_err().contains("between 0 and 1"));
        assert!(AdmissionSpec::parse_flag("bloom:windows=5").unwrap_err().contains("unknown field"));
        assert!(
            AdmissionSpec::parse_flag("bloom:window=0").unwrap_err().contains("`window` must be at least 1")
        );
        assert!(AdmissionSpec::parse_flag("prob:p=0.5,seed=0").unwrap_err().contains("seed"));
        assert!(AdmissionSpec::parse_flag("size:max_size").unwrap_err().contains("KEY=VALUE"));
        let flags = ["bloom", "size:max_size=1", "prob:p=0.5", "adaptsize"];
        let names: Vec<&str> = flags.iter().map(|f| AdmissionSpec::parse_flag(f).unwrap().name()).collect();
        assert_eq!(names, AdmissionSpec::ALL.iter().map(|(n, _)| *n).collect::<Vec<_>>());
    }
}

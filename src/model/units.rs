//! Value types for scenario files that validate themselves while being parsed, so that an
//! out-of-range value is reported by the TOML parser with its file, line, column and key.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::Capacity;

/// A byte count written as an integer (`4096`) or with a unit (`"4KiB"`, `"64MiB"`, `"1.5GB"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ByteSize(pub u64);

impl ByteSize {
    /// Parses `"64MiB"`, `"1GB"`, `"512"` or `"512B"`.
    pub fn parse(text: &str) -> Result<ByteSize, String> {
        parse_size::parse_size(text.trim())
            .map(ByteSize)
            .map_err(|e| format!("`{text}` is not a byte size ({e}); write e.g. 4096, \"4KiB\" or \"64MiB\""))
    }
}

impl fmt::Display for ByteSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
        let mut v = self.0;
        let mut u = 0;
        while u + 1 < UNITS.len() && v >= 1024 && v.is_multiple_of(1024) {
            v /= 1024;
            u += 1;
        }
        write!(f, "{v}{}", UNITS[u])
    }
}

impl Serialize for ByteSize {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(self.0)
    }
}

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Int(i64),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Int(n) if n >= 0 => Ok(ByteSize(n as u64)),
            Raw::Int(n) => Err(serde::de::Error::custom(format!("a byte size cannot be negative, got {n}"))),
            Raw::Text(t) => ByteSize::parse(&t).map_err(serde::de::Error::custom),
        }
    }
}

/// A number in `[0, 1]` (a share of requests or keys).
#[derive(Debug, Clone, Copy, Default, PartialEq, PartialOrd, Serialize)]
pub struct Fraction(pub f64);

impl<'de> Deserialize<'de> for Fraction {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        if (0.0..=1.0).contains(&v) {
            Ok(Fraction(v))
        } else {
            Err(serde::de::Error::custom(format!("must be between 0 and 1, got {v}")))
        }
    }
}

/// A finite number greater than 0 (Zipf's alpha).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
pub struct Positive(pub f64);

impl<'de> Deserialize<'de> for Positive {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        if v.is_finite() && v > 0.0 {
            Ok(Positive(v))
        } else {
            Err(serde::de::Error::custom(format!("must be a number greater than 0, got {v}")))
        }
    }
}

/// A duration written as `"30s"`, `"250ms"`, `"1h 5m"` (humantime syntax).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct HumanDuration(pub Duration);

impl Serialize for HumanDuration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&humantime::format_duration(self.0).to_string())
    }
}

impl<'de> Deserialize<'de> for HumanDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        humantime::parse_duration(&text).map(HumanDuration).map_err(|e| {
            serde::de::Error::custom(format!(
                "`{text}` is not a duration ({e}); write e.g. \"30s\" or \"250ms\""
            ))
        })
    }
}

/// A cache capacity as written in a scenario: an object count (`10000`), a byte size
/// (`"64MiB"`) or a share of the workload's distinct keys (`"5%"`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CapacitySpec {
    /// This many objects.
    Objects(u64),
    /// This many bytes.
    Bytes(u64),
    /// This share (0, 1] of the workload's footprint in objects.
    Share(f64),
}

impl CapacitySpec {
    /// The capacity when it does not depend on the workload: an object count or a byte size
    /// (None for a share of the footprint).
    pub fn fixed(&self) -> Option<Capacity> {
        match *self {
            CapacitySpec::Objects(n) => Some(Capacity::objects(n)),
            CapacitySpec::Bytes(n) => Some(Capacity::bytes(n)),
            CapacitySpec::Share(_) => None,
        }
    }

    /// Parses `"10000"`, `"64MiB"` or `"5%"`.
    pub fn parse(text: &str) -> Result<CapacitySpec, String> {
        let t = text.trim();
        let spec = if let Some(p) = t.strip_suffix('%') {
            let v: f64 = p.trim().parse().map_err(|_| format!("`{text}` is not a percentage"))?;
            if !(v > 0.0 && v <= 100.0) {
                return Err(format!("a capacity share must be in (0%, 100%], got `{text}`"));
            }
            CapacitySpec::Share(v / 100.0)
        } else if let Ok(n) = t.parse::<u64>() {
            CapacitySpec::Objects(n)
        } else {
            CapacitySpec::Bytes(ByteSize::parse(t).map_err(|_| {
                format!("`{text}` is not a capacity; write an object count (10000), a byte size (\"64MiB\") or a share (\"5%\")")
            })?.0)
        };
        match spec {
            CapacitySpec::Objects(0) | CapacitySpec::Bytes(0) => {
                Err("capacity must be greater than zero (use kind = \"none\" for no cache)".into())
            }
            s => Ok(s),
        }
    }
}

impl fmt::Display for CapacitySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            CapacitySpec::Objects(n) => write!(f, "{n}"),
            CapacitySpec::Bytes(n) => write!(f, "{}", ByteSize(n)),
            CapacitySpec::Share(s) => write!(f, "{}%", s * 100.0),
        }
    }
}

impl Serialize for CapacitySpec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            CapacitySpec::Objects(n) => s.serialize_u64(n),
            other => s.serialize_str(&other.to_string()),
        }
    }
}

impl<'de> Deserialize<'de> for CapacitySpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Int(i64),
            Text(String),
        }
        let text = match Raw::deserialize(d)? {
            Raw::Int(n) if n < 0 => {
                return Err(serde::de::Error::custom(format!("capacity cannot be negative, got {n}")));
            }
            Raw::Int(n) => n.to_string(),
            Raw::Text(t) => t,
        };
        CapacitySpec::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// One capacity or a list of them (a sweep): `capacity = "64MiB"` or
/// `capacity = ["16MiB", "64MiB"]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Capacities(pub Vec<CapacitySpec>);

impl Serialize for Capacities {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Capacities {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Capacities;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a capacity (10000, \"64MiB\", \"5%\") or a list of them")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Capacities, E> {
                if v < 0 {
                    return Err(E::custom(format!("capacity cannot be negative, got {v}")));
                }
                self.visit_str(&v.to_string())
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Capacities, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Capacities, E> {
                CapacitySpec::parse(v).map(|c| Capacities(vec![c])).map_err(E::custom)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Capacities, A::Error> {
                let mut out = Vec::new();
                while let Some(c) = seq.next_element::<CapacitySpec>()? {
                    out.push(c);
                }
                if out.is_empty() {
                    return Err(serde::de::Error::custom("capacity list is empty"));
                }
                Ok(Capacities(out))
            }
        }
        d.deserialize_any(Visit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacities_parse_in_all_three_forms() {
        assert_eq!(CapacitySpec::parse("1000"), Ok(CapacitySpec::Objects(1000)));
        assert_eq!(CapacitySpec::parse("64MiB"), Ok(CapacitySpec::Bytes(64 << 20)));
        assert_eq!(CapacitySpec::parse("5%"), Ok(CapacitySpec::Share(0.05)));
        assert!(CapacitySpec::parse("0").is_err());
        assert!(CapacitySpec::parse("0%").is_err());
        assert!(CapacitySpec::parse("lots").is_err());
    }

    #[test]
    fn byte_sizes_display_in_binary_units() {
        assert_eq!(ByteSize(64 << 20).to_string(), "64MiB");
        assert_eq!(ByteSize(1000).to_string(), "1000B");
    }
}

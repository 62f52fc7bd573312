//! The `[http]` section of a scenario: how the caching server of HTTP mode (`mode = "http"`)
//! and of `cachelab serve` behaves.

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// `[http]`: caching-server settings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpSpec {
    /// Request coalescing (single flight): `true` (default), `false`, or `"compare"` (HTTP
    /// mode runs every strategy twice, with and without, to show the origin load it saves).
    #[serde(default)]
    pub coalesce: Coalescing,
}

/// `[http] coalesce`: whether concurrent misses for one URL share one origin fetch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Coalescing {
    /// `true`: they do.
    #[default]
    On,
    /// `false`: every miss makes its own origin fetch.
    Off,
    /// `"compare"`: HTTP mode runs each strategy with coalescing (its row keeps the
    /// strategy's name) and then without (a second row, the name plus
    /// [`crate::metrics::NO_COALESCING_SUFFIX`]); `cachelab serve` coalesces.
    Compare,
}

impl Coalescing {
    /// Whether the caching server coalesces (with `"compare"`: in the pass that keeps the
    /// strategy's name, and in `cachelab serve`).
    pub fn serves_coalesced(self) -> bool {
        self != Coalescing::Off
    }
}

impl Serialize for Coalescing {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Coalescing::On => s.serialize_bool(true),
            Coalescing::Off => s.serialize_bool(false),
            Coalescing::Compare => s.serialize_str("compare"),
        }
    }
}

impl<'de> Deserialize<'de> for Coalescing {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Words;
        impl Visitor<'_> for Words {
            type Value = Coalescing;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("true, false or \"compare\"")
            }

            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Coalescing, E> {
                Ok(if v { Coalescing::On } else { Coalescing::Off })
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Coalescing, E> {
                match v {
                    "compare" => Ok(Coalescing::Compare),
                    _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
                }
            }
        }
        d.deserialize_any(Words)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<HttpSpec, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    #[test]
    fn coalesce_is_a_switch_or_compare_and_round_trips() {
        assert_eq!(parse("").unwrap().coalesce, Coalescing::On);
        let off = parse("coalesce = false").unwrap().coalesce;
        assert_eq!(off, Coalescing::Off);
        assert!(!off.serves_coalesced());
        let compare = parse("coalesce = \"compare\"").unwrap();
        assert_eq!(compare.coalesce, Coalescing::Compare);
        assert!(compare.coalesce.serves_coalesced());
        assert_eq!(serde_json::to_value(compare).unwrap(), serde_json::json!({ "coalesce": "compare" }));
        assert_eq!(
            serde_json::to_value(HttpSpec::default()).unwrap(),
            serde_json::json!({ "coalesce": true })
        );
        let e = parse("coalesce = \"both\"").unwrap_err();
        assert!(e.contains("true, false or \"compare\""), "{e}");
    }
}

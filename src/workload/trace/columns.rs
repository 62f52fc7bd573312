//! Which CSV columns hold the time, the object id and the size.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A CSV column: a header name, a 1-based index, or absent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Column {
    /// The column with this header name.
    Name(String),
    /// The column at this 1-based position.
    Index(usize),
    /// No such column: times default to the request index, sizes to 1 byte.
    Absent,
}

impl FromStr for Column {
    type Err = String;

    /// `"obj_id"` (a name), `"5"` (a 1-based index) or `"none"` (absent).
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim();
        if t.is_empty() {
            return Err("a column is a header name, a 1-based index or `none`".into());
        }
        if t == "none" {
            return Ok(Column::Absent);
        }
        match t.parse::<usize>() {
            Ok(0) => Err("column indexes start at 1".into()),
            Ok(i) => Ok(Column::Index(i)),
            Err(_) => Ok(Column::Name(t.to_string())),
        }
    }
}

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Column::Name(n) => write!(f, "`{n}`"),
            Column::Index(i) => write!(f, "{i}"),
            Column::Absent => f.write_str("none"),
        }
    }
}

impl Serialize for Column {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Column::Name(n) => s.serialize_str(n),
            Column::Index(i) => s.serialize_u64(*i as u64),
            Column::Absent => s.serialize_str("none"),
        }
    }
}

impl<'de> Deserialize<'de> for Column {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Int(i64),
            Text(String),
        }
        let text = match Raw::deserialize(d)? {
            Raw::Int(i) => i.to_string(),
            Raw::Text(t) => t,
        };
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// How to read a CSV trace (scenario: `csv = { time = 2, id = 5, size = 4 }`). The file must
/// start with a header row, also when columns are chosen by index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CsvOptions {
    /// Column of the request time (default `time`; `none`: the request index).
    #[serde(default = "default_time")]
    pub time: Column,
    /// Column of the object id (default `obj_id`).
    #[serde(default = "default_id")]
    pub id: Column,
    /// Column of the object size in bytes (default `obj_size`; `none`: every object is 1 byte).
    #[serde(default = "default_size")]
    pub size: Column,
    /// Ids are strings, hashed to 64 bits (default false: ids must be unsigned integers).
    #[serde(default)]
    pub string_ids: bool,
    /// Give every request of an object the size of its first request, as libCacheSim's
    /// traceConv does when it writes oracleGeneral, so a CSV trace simulates exactly like its
    /// libCacheSim conversion. Costs a map of about 16 bytes per distinct object, so memory
    /// grows with the trace's objects; default false: each request keeps its own size and the
    /// reader runs in constant memory (a resident object keeps the size it was admitted with).
    #[serde(default)]
    pub first_size: bool,
}

fn default_time() -> Column {
    Column::Name("time".into())
}

fn default_id() -> Column {
    Column::Name("obj_id".into())
}

fn default_size() -> Column {
    Column::Name("obj_size".into())
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            time: default_time(),
            id: default_id(),
            size: default_size(),
            string_ids: false,
            first_size: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_parse_as_names_indexes_or_none() {
        assert_eq!("lbn".parse(), Ok(Column::Name("lbn".into())));
        assert_eq!("5".parse(), Ok(Column::Index(5)));
        assert_eq!("none".parse(), Ok(Column::Absent));
        assert!("0".parse::<Column>().is_err());
        assert!("".parse::<Column>().is_err());
    }

    #[test]
    fn options_deserialize_from_toml_with_defaults() {
        let o: CsvOptions = toml::from_str("time = 2\nid = \"lbn\"").unwrap();
        assert_eq!(o.time, Column::Index(2));
        assert_eq!(o.id, Column::Name("lbn".into()));
        assert_eq!(o.size, Column::Name("obj_size".into()));
        assert!(toml::from_str::<CsvOptions>("time = 0").is_err());
        assert!(toml::from_str::<CsvOptions>("colour = 1").is_err());
    }
}

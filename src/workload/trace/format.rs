//! Trace formats and how a file name implies one.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::model::error::InputError;

/// A trace file format. Compression (zstd) is orthogonal: readers detect it from the file's
/// first bytes, writers from a `.zst` suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TraceFormat {
    /// Text with a header row; columns chosen by [`super::CsvOptions`].
    Csv,
    /// libCacheSim's binary format: 24-byte little-endian records `u32 time, u64 id,
    /// u32 size, i64 next_access` (1-based index of the next request to the same id, -1 never).
    OracleGeneral,
}

impl TraceFormat {
    /// Every format name accepted by `--format` and `format =`.
    pub const NAMES: &'static [&'static str] = &["csv", "oracle-general"];

    /// The format implied by a file name: `*.csv`, `*.oracleGeneral.bin` or `*.oracleGeneral`
    /// (case-insensitive), each optionally followed by `.zst`.
    pub fn from_path(path: &Path) -> Result<TraceFormat, InputError> {
        let name = path.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
        let base = name.strip_suffix(".zst").unwrap_or(&name);
        if base.ends_with(".csv") {
            Ok(TraceFormat::Csv)
        } else if base.ends_with(".oraclegeneral.bin") || base.ends_with(".oraclegeneral") {
            Ok(TraceFormat::OracleGeneral)
        } else {
            Err(InputError::Trace {
                path: path.to_path_buf(),
                location: "file name".into(),
                message: "unknown trace format: name the file *.csv or *.oracleGeneral.bin (either \
                          optionally .zst), or pass --format csv|oracle-general"
                    .into(),
            })
        }
    }

    /// Whether records of this format carry the next access of their object (what Belady
    /// needs); other formats need a pre-pass (see [`super::with_next_access`]).
    pub fn has_next_access(self) -> bool {
        matches!(self, TraceFormat::OracleGeneral)
    }

    /// The name used on the command line and in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            TraceFormat::Csv => "csv",
            TraceFormat::OracleGeneral => "oracle-general",
        }
    }
}

impl fmt::Display for TraceFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for TraceFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().replace('_', "-").as_str() {
            "csv" => Ok(TraceFormat::Csv),
            "oracle-general" | "oraclegeneral" => Ok(TraceFormat::OracleGeneral),
            _ => Err(format!("unknown trace format `{s}`; known formats: {}", Self::NAMES.join(", "))),
        }
    }
}

/// Whether a file name asks for zstd compression (ends with `.zst`).
pub fn wants_zstd(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("zst"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_follow_the_file_name() {
        let f = |p: &str| TraceFormat::from_path(Path::new(p)).ok();
        assert_eq!(f("a/b.csv"), Some(TraceFormat::Csv));
        assert_eq!(f("b.CSV.zst"), Some(TraceFormat::Csv));
        assert_eq!(f("x.oracleGeneral.bin"), Some(TraceFormat::OracleGeneral));
        assert_eq!(f("x.oracleGeneral.bin.zst"), Some(TraceFormat::OracleGeneral));
        assert_eq!(f("x.oracleGeneral.zst"), Some(TraceFormat::OracleGeneral));
        assert_eq!(f("x.bin"), None);
        assert_eq!(f("x.zst"), None);
        assert!(wants_zstd(Path::new("x.csv.zst")) && !wants_zstd(Path::new("x.csv")));
    }

    #[test]
    fn names_round_trip() {
        for n in TraceFormat::NAMES {
            assert_eq!(n.parse::<TraceFormat>().unwrap().name(), *n);
        }
        assert!("parquet".parse::<TraceFormat>().is_err());
    }
}

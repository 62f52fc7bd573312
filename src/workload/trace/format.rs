//! Trace formats and how a file name implies one (content sniffing is in [`super::detect`]).

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::model::error::InputError;

/// A trace file format. Compression (zstd, gzip, xz) is orthogonal: readers detect it from the
/// file's first bytes, writers from a `.zst` suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TraceFormat {
    /// Text with a header row; columns chosen by [`super::CsvOptions`].
    Csv,
    /// libCacheSim's binary format: 24-byte little-endian records `u32 time, u64 id,
    /// u32 size, i64 next_access` (1-based index of the next request to the same id, -1 never).
    OracleGeneral,
    /// libCacheSim's `lcs` binary format: an 8 KiB header (magic, version, statistics), then
    /// records of version 1 to 8 (with operation, tenant, TTL and features from version 2/3).
    Lcs,
    /// Twitter's cache trace CSV (no header): `timestamp,key,key_size,value_size,client_id,
    /// operation,ttl`.
    Twitter,
    /// Meta's KV cache traces (CacheLib): CSV with a header, `key,op,size,op_count,key_size`
    /// (2022) or `op_time,key,key_size,op,op_count,size,cache_hits,ttl` (2024).
    MetaKv,
    /// VMware vscsi block traces, binary records of version 1 (32 bytes) or 2 (40 bytes).
    Vscsi,
    /// Web server access logs in the nginx/Apache combined (or common) format.
    AccessLog,
}

impl TraceFormat {
    /// Every format name accepted by `--format` and `format =` (plus `auto` on the command
    /// line).
    pub const NAMES: &'static [&'static str] =
        &["csv", "oracle-general", "lcs", "twitter", "meta-kv", "vscsi", "access-log"];

    /// The format implied by a file name (case-insensitive, after any `.zst`, `.gz` or `.xz`):
    /// `*.csv`, `*.oracleGeneral.bin` or `*.oracleGeneral`, `*.lcs`, `*.vscsi`, `*.log`
    /// (access log).
    pub fn from_path(path: &Path) -> Result<TraceFormat, InputError> {
        Self::named(path).ok_or_else(|| InputError::Trace {
            path: path.to_path_buf(),
            location: "file name".into(),
            message: format!(
                "unknown trace format: name the file *.csv, *.oracleGeneral.bin, *.lcs, *.vscsi or \
                 *.log (each optionally .zst, .gz or .xz), or pass --format {} or auto",
                Self::NAMES.join("|")
            ),
        })
    }

    /// The format implied by a file name, if any (see [`TraceFormat::from_path`]).
    pub fn named(path: &Path) -> Option<TraceFormat> {
        let name = path.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
        let base = [".zst", ".gz", ".xz"].iter().find_map(|s| name.strip_suffix(s)).unwrap_or(&name);
        let ends = |s: &str| base.ends_with(s);
        if ends(".csv") {
            Some(TraceFormat::Csv)
        } else if ends(".oraclegeneral.bin") || ends(".oraclegeneral") {
            Some(TraceFormat::OracleGeneral)
        } else if ends(".lcs") {
            Some(TraceFormat::Lcs)
        } else if ends(".vscsi") {
            Some(TraceFormat::Vscsi)
        } else if ends(".log") || base.contains("access.log") || base.contains("access_log") {
            Some(TraceFormat::AccessLog)
        } else {
            None
        }
    }

    /// Whether records of this format carry the next access of their object (what Belady
    /// needs); other formats need a pre-pass (see [`super::with_next_access`]).
    pub fn has_next_access(self) -> bool {
        matches!(self, TraceFormat::OracleGeneral | TraceFormat::Lcs)
    }

    /// The name used on the command line and in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            TraceFormat::Csv => "csv",
            TraceFormat::OracleGeneral => "oracle-general",
            TraceFormat::Lcs => "lcs",
            TraceFormat::Twitter => "twitter",
            TraceFormat::MetaKv => "meta-kv",
            TraceFormat::Vscsi => "vscsi",
            TraceFormat::AccessLog => "access-log",
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
        let norm = s.to_ascii_lowercase().replace('_', "-");
        match norm.as_str() {
            "oraclegeneral" => Ok(TraceFormat::OracleGeneral),
            "meta" | "metakv" => Ok(TraceFormat::MetaKv),
            "accesslog" | "nginx" | "apache" => Ok(TraceFormat::AccessLog),
            _ => Self::NAMES.iter().position(|n| *n == norm).map(|i| ALL[i]).ok_or_else(|| {
                format!("unknown trace format `{s}`; known formats: {}", Self::NAMES.join(", "))
            }),
        }
    }
}

/// The formats in the order of [`TraceFormat::NAMES`].
const ALL: [TraceFormat; 7] = [
    TraceFormat::Csv,
    TraceFormat::OracleGeneral,
    TraceFormat::Lcs,
    TraceFormat::Twitter,
    TraceFormat::MetaKv,
    TraceFormat::Vscsi,
    TraceFormat::AccessLog,
];

/// `--format`: a format, or `auto` (sniffed from the content, see [`super::detect`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatChoice {
    /// Decide from the file's first bytes, its name and its first lines, and say so.
    Auto,
    /// This format.
    Given(TraceFormat),
}

impl FromStr for FormatChoice {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        if s.eq_ignore_ascii_case("auto") {
            return Ok(FormatChoice::Auto);
        }
        s.parse().map(FormatChoice::Given).map_err(|e| format!("{e}, or auto"))
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
        assert_eq!(f("b.csv.gz"), Some(TraceFormat::Csv));
        assert_eq!(f("x.oracleGeneral.bin"), Some(TraceFormat::OracleGeneral));
        assert_eq!(f("x.oracleGeneral.bin.zst"), Some(TraceFormat::OracleGeneral));
        assert_eq!(f("x.oracleGeneral.zst"), Some(TraceFormat::OracleGeneral));
        assert_eq!(f("w.lcs.xz"), Some(TraceFormat::Lcs));
        assert_eq!(f("cp.vscsi"), Some(TraceFormat::Vscsi));
        assert_eq!(f("access.log.1.gz"), Some(TraceFormat::AccessLog));
        assert_eq!(f("site.log"), Some(TraceFormat::AccessLog));
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
        assert_eq!("auto".parse::<FormatChoice>(), Ok(FormatChoice::Auto));
        assert_eq!("meta_kv".parse::<FormatChoice>(), Ok(FormatChoice::Given(TraceFormat::MetaKv)));
    }
}

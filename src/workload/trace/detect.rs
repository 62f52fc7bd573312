//! `--format auto`: which format a trace is in, from its (decompressed) first bytes, its name
//! and its first line, in this order:
//!
//! 1. the lcs header's magic number;
//! 2. a name that implies a format (see [`TraceFormat::named`]) other than CSV;
//! 3. binary data whose first records carry a vscsi version;
//! 4. the first line of text: an access-log line, a Meta KV header, a Twitter row, or any
//!    other header with commas (CSV).

use std::fmt;
use std::path::Path;

use super::access_log;
use super::input::{self, Compression};
use super::{TraceFormat, lcs, meta_kv, trace_error, twitter, vscsi};
use crate::model::error::InputError;

/// Bytes of decompressed content the detection reads.
const HEAD: usize = lcs::HEADER;

/// The format [`detect`] chose and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    /// The format.
    pub format: TraceFormat,
    /// The compression of the file.
    pub compression: Compression,
    /// What gave it away.
    pub reason: &'static str,
}

impl fmt::Display for Detected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let packed = match self.compression {
            Compression::None => String::new(),
            c => format!(", {} compressed", &c.suffix()[1..]),
        };
        write!(f, "trace format: {} ({}{packed})", self.format, self.reason)
    }
}

/// Detects the format of the trace at `path`.
pub fn detect(path: &Path) -> Result<Detected, InputError> {
    let compression = input::compression(path)?;
    let head = input::head(path, HEAD)?;
    let found = |format, reason| Ok(Detected { format, compression, reason });
    if head.len() >= 8 && lcs::check_header(&head).is_ok() {
        return found(TraceFormat::Lcs, "lcs header magic");
    }
    // A `.csv` name says little: Meta KV and Twitter traces are CSV too; the first line tells.
    if let Some(format) = TraceFormat::named(path).filter(|&f| f != TraceFormat::Csv) {
        return found(format, "file name");
    }
    let text = head.iter().take(4096).all(|&b| b >= 0x20 || b"\t\r\n".contains(&b));
    if !text && vscsi::version(&head).is_some() {
        return found(TraceFormat::Vscsi, "vscsi version in the first records");
    }
    let first = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let first = first.strip_suffix(b"\r").unwrap_or(first);
    if text && !first.is_empty() {
        if access_log::fields(first).is_ok() {
            return found(TraceFormat::AccessLog, "first line is an access-log line");
        }
        if meta_kv::is_header(first) {
            return found(TraceFormat::MetaKv, "first line is a Meta KV header");
        }
        if twitter::parse(first).is_ok() {
            return found(TraceFormat::Twitter, "first line is a Twitter trace row");
        }
        if first.contains(&b',') {
            return found(TraceFormat::Csv, "first line is a CSV header");
        }
    }
    Err(trace_error(
        path,
        "the start of the file".into(),
        format!(
            "unknown trace format: neither its content nor its name tells; pass --format {}",
            TraceFormat::NAMES.join("|")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect_bytes(name: &str, bytes: &[u8]) -> Result<Detected, InputError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        detect(&path)
    }

    #[test]
    fn content_decides_when_the_name_does_not() {
        let f = |name: &str, bytes: &[u8]| detect_bytes(name, bytes).map(|d| d.format).ok();
        let mut lcs = lcs::header(2);
        lcs.extend([0u8; 28]);
        assert_eq!(f("trace.bin", &lcs), Some(TraceFormat::Lcs));
        assert_eq!(f("trace.csv", &lcs), Some(TraceFormat::Lcs));
        assert_eq!(
            f("t", &[vscsi::encode_v1(0x28, 1, 1, 0), vscsi::encode_v1(0x28, 1, 2, 0)].concat()),
            Some(TraceFormat::Vscsi)
        );
        let log = br#"1.2.3.4 - - [01/Jan/2024:00:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "x""#;
        assert_eq!(f("t", log), Some(TraceFormat::AccessLog));
        assert_eq!(f("t", b"key,op,size,op_count,key_size\n1,GET,5,1,1\n"), Some(TraceFormat::MetaKv));
        assert_eq!(f("t", b"0,abc,3,10,1,get,0\n"), Some(TraceFormat::Twitter));
        assert_eq!(f("t", b"time,obj_id,obj_size\n1,2,3\n"), Some(TraceFormat::Csv));
        assert_eq!(f("kv.csv", b"key,op,size,op_count\n"), Some(TraceFormat::MetaKv));
        assert_eq!(f("kv.log", b"key,op,size,op_count\n"), Some(TraceFormat::AccessLog));
        assert_eq!(f("t", b"\x00\x01\x02binary"), None);
        assert_eq!(f("t", b""), None);
        let packed = detect_bytes("t", &zstd::encode_all(&b"0,abc,3,10,1,get,0\n"[..], 1).unwrap()).unwrap();
        assert_eq!((packed.format, packed.compression), (TraceFormat::Twitter, Compression::Zstd));
        assert!(packed.to_string().ends_with("zst compressed)"), "{packed}");
    }
}

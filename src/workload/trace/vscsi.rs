//! VMware vscsi block I/O traces (libCacheSim `traceReader/customizedReader/vscsi.h`): binary
//! little-endian records with C alignment, no header, in one of two versions:
//!
//! - version 1, 32 bytes: `u32 sn, u32 len, u32 nSG, u16 cmd, u16 ver, u64 lbn, u64 ts`;
//! - version 2, 40 bytes: `u16 cmd, u16 ver, u32 sn, u32 len, u32 nSG, u64 lbn, u64 ts, u64 rt`.
//!
//! The version is read from the data as libCacheSim does: the `ver` field's high byte is 2 in
//! the first two records read as version 2, else 1 in the first two read as version 1. A
//! request is object `lbn` of `len` bytes at `ts / 1e6` seconds (ts is in microseconds); the
//! SCSI command gives the operation: WRITE(6/10/12/16) write, everything else reads
//! (libCacheSim reads every command as a request of its own).

use std::fmt;
use std::io::{Cursor, Read};
use std::path::Path;

use super::binary::{FixedRecords, u16_at, u32_at, u64_at};
use super::input::{Input, read_full};
use super::{TraceOp, TraceRecord, trace_error};
use crate::model::error::InputError;

/// Bytes of a version-1 record.
const V1: usize = 32;
/// Bytes of a version-2 record.
const V2: usize = 40;
/// Records the version test looks at.
const TESTED: usize = 2;

/// SCSI WRITE(6), WRITE(10), WRITE(12) and WRITE(16) operation codes.
const WRITES: [u16; 4] = [0x0A, 0x2A, 0xAA, 0x8A];

/// Streaming vscsi reader.
pub struct VscsiReader {
    records: FixedRecords,
    version: u8,
}

impl fmt::Debug for VscsiReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VscsiReader")
            .field("path", &self.records.path())
            .field("version", &self.version)
            .field("index", &self.records.index())
            .finish()
    }
}

impl VscsiReader {
    /// Reads the first records of `input` (the content of `path`) to tell its version.
    pub fn new(mut input: Input, path: &Path) -> Result<Self, InputError> {
        let mut head = vec![0u8; TESTED * V2];
        let (n, failure) = read_full(&mut input, &mut head);
        if let Some(e) = failure {
            return Err(trace_error(path, "record 1".into(), format!("cannot read: {e}")));
        }
        head.truncate(n);
        let version = match version(&head) {
            Some(v) => v,
            None if n == 0 => 1,
            None => {
                return Err(trace_error(
                    path,
                    "record 1".into(),
                    "not a vscsi trace: the first records carry neither version 1 nor version 2",
                ));
            }
        };
        let size = if version == 1 { V1 } else { V2 };
        let input: Input = Box::new(Cursor::new(head).chain(input));
        Ok(VscsiReader { records: FixedRecords::new(input, path, size, 0), version })
    }

    /// Appends the next records (at most [`super::BATCH`]) to `out`; appends none at the end.
    pub fn read_batch(&mut self, out: &mut Vec<TraceRecord>) -> Result<(), InputError> {
        if self.version == 1 {
            self.records.read_batch(out, decode_v1)
        } else {
            self.records.read_batch(out, decode_v2)
        }
    }
}

/// The version of the vscsi data starting with `head` (its first records), if it is one.
pub fn version(head: &[u8]) -> Option<u8> {
    let all = |size: usize, ver_at: usize, want: u16| {
        let records: Vec<&[u8]> = head.chunks_exact(size).take(TESTED).collect();
        !records.is_empty() && records.iter().all(|r| u16_at(r, ver_at) >> 8 == want)
    };
    if all(V2, 2, 2) {
        Some(2)
    } else if all(V1, 14, 1) {
        Some(1)
    } else {
        None
    }
}

fn record(cmd: u16, len: u32, lbn: u64, ts: u64) -> TraceRecord {
    let op = if WRITES.contains(&(cmd & 0xFF)) { TraceOp::Write } else { TraceOp::Read };
    TraceRecord { op, ..TraceRecord::read(ts / 1_000_000, lbn, len) }
}

#[inline]
fn decode_v1(rec: &[u8], _: u64) -> Result<TraceRecord, String> {
    Ok(record(u16_at(rec, 12), u32_at(rec, 4), u64_at(rec, 16), u64_at(rec, 24)))
}

#[inline]
fn decode_v2(rec: &[u8], _: u64) -> Result<TraceRecord, String> {
    Ok(record(u16_at(rec, 0), u32_at(rec, 8), u64_at(rec, 16), u64_at(rec, 24)))
}

/// Encodes a version-1 record (for tests).
#[cfg(test)]
pub fn encode_v1(cmd: u16, len: u32, lbn: u64, ts: u64) -> [u8; V1] {
    let mut r = [0u8; V1];
    r[4..8].copy_from_slice(&len.to_le_bytes());
    r[12..14].copy_from_slice(&cmd.to_le_bytes());
    r[14..16].copy_from_slice(&0x0100u16.to_le_bytes());
    r[16..24].copy_from_slice(&lbn.to_le_bytes());
    r[24..32].copy_from_slice(&ts.to_le_bytes());
    r
}

/// Encodes a version-2 record (for tests).
#[cfg(test)]
pub fn encode_v2(cmd: u16, len: u32, lbn: u64, ts: u64) -> [u8; V2] {
    let mut r = [0u8; V2];
    r[0..2].copy_from_slice(&cmd.to_le_bytes());
    r[2..4].copy_from_slice(&0x0200u16.to_le_bytes());
    r[8..12].copy_from_slice(&len.to_le_bytes());
    r[16..24].copy_from_slice(&lbn.to_le_bytes());
    r[24..32].copy_from_slice(&ts.to_le_bytes());
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: Vec<u8>) -> Result<(u8, Vec<TraceRecord>), InputError> {
        let mut r = VscsiReader::new(Box::new(Cursor::new(bytes)), Path::new("t.vscsi"))?;
        let mut out = Vec::new();
        r.read_batch(&mut out)?;
        Ok((r.version, out))
    }

    #[test]
    fn both_versions_are_told_apart_and_decoded() {
        let v1: Vec<u8> = [encode_v1(0x28, 4096, 7, 3_000_000), encode_v1(0x2A, 512, 8, 4_500_000)].concat();
        let (version, recs) = read(v1).unwrap();
        assert_eq!(version, 1);
        assert_eq!((recs[0].key, recs[0].size, recs[0].time, recs[0].op), (7, 4096, 3, TraceOp::Read));
        assert_eq!((recs[1].key, recs[1].time, recs[1].op), (8, 4, TraceOp::Write));
        let v2: Vec<u8> = [encode_v2(0x2A, 8192, 9, 1_000_000), encode_v2(0x88, 1, 10, 0)].concat();
        let (version, recs) = read(v2).unwrap();
        assert_eq!(version, 2);
        assert_eq!((recs[0].key, recs[0].size, recs[0].op), (9, 8192, TraceOp::Write));
        assert_eq!(recs[1].op, TraceOp::Read);
    }

    #[test]
    fn other_data_is_refused_and_truncation_named() {
        assert!(read(vec![0x41; 100]).unwrap_err().to_string().contains("not a vscsi trace"));
        let mut v1 = [encode_v1(0x28, 1, 1, 0), encode_v1(0x28, 1, 2, 0)].concat();
        v1.truncate(50);
        let e = read(v1).unwrap_err().to_string();
        assert!(e.contains("record 2") && e.contains("truncated"), "{e}");
        assert_eq!(read(Vec::new()).unwrap().1, Vec::new());
    }
}

//! libCacheSim's `lcs` binary trace format (libCacheSim `traceReader/generalReader/lcs.h`).
//!
//! An 8 KiB header: `u64 start_magic` (0x123456789abcdef0), `u64 version`, 8000 bytes of trace
//! statistics, 168 unused bytes, `u64 end_magic` (the same magic). Then packed little-endian
//! records whose layout the version decides:
//!
//! | version | bytes | fields |
//! |---|---|---|
//! | 1 | 24 | `u32 time, u64 obj_id, u32 obj_size, i64 next_access_vtime` (oracleGeneral) |
//! | 2 | 28 | `u32 time, u64 obj_id, u32 obj_size, u32 op:8 tenant:24, i64 next_access_vtime` |
//! | 3 | 36 | `u32 time, u64 obj_id, i64 obj_size, u32 op:8 tenant:24, u32 ttl, i64 next_access_vtime` |
//! | 4-8 | 40, 44, 52, 68, 100 | version 3 then 1, 2, 4, 8 or 16 `u32` features |
//!
//! cachelab reads the time, id, size, operation, TTL and next access; tenants and features
//! are skipped. Operations are libCacheSim's `req_op_e` codes (see [`to_op`]).

use std::fmt;
use std::path::Path;

use super::binary::{FixedRecords, i64_at, u32_at, u64_at};
use super::input::{Input, read_full};
use super::oracle_general::next_access;
use super::{TraceOp, TraceRecord, trace_error};
use crate::model::error::InputError;

/// Bytes of the header.
pub const HEADER: usize = 8192;

/// The magic number at the start and the end of the header.
pub const MAGIC: u64 = 0x1234_5678_9abc_def0;

/// The record size of each version (index = version).
const RECORD: [usize; 9] = [0, 24, 28, 36, 40, 44, 52, 68, 100];

/// Streaming lcs reader.
pub struct LcsReader {
    records: FixedRecords,
    version: u8,
}

impl fmt::Debug for LcsReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LcsReader")
            .field("path", &self.records.path())
            .field("version", &self.version)
            .field("index", &self.records.index())
            .finish()
    }
}

impl LcsReader {
    /// Reads and checks the header of `input` (the content of `path`).
    pub fn new(mut input: Input, path: &Path) -> Result<Self, InputError> {
        let mut header = vec![0u8; HEADER];
        let (n, failure) = read_full(&mut input, &mut header);
        let bad = |message: String| trace_error(path, "header".into(), message);
        if let Some(e) = failure {
            return Err(bad(format!("cannot read: {e}")));
        }
        let version = check_header(&header[..n]).map_err(bad)?;
        Ok(LcsReader {
            records: FixedRecords::new(input, path, RECORD[version as usize], HEADER as u64),
            version,
        })
    }

    /// Appends the next records (at most [`super::BATCH`]) to `out`; appends none at the end.
    pub fn read_batch(&mut self, out: &mut Vec<TraceRecord>) -> Result<(), InputError> {
        let version = self.version;
        self.records.read_batch(out, |rec, index| decode(rec, index, version))
    }
}

/// The version of a whole lcs header, or what is wrong with it.
pub fn check_header(header: &[u8]) -> Result<u8, String> {
    if header.len() < HEADER {
        return Err(format!(
            "truncated header: {} of {HEADER} bytes (the file ends inside the lcs header)",
            header.len()
        ));
    }
    if u64_at(header, 0) != MAGIC {
        return Err(format!("start magic is {:#x}, not {MAGIC:#x}: not an lcs trace", u64_at(header, 0)));
    }
    if u64_at(header, HEADER - 8) != MAGIC {
        return Err(format!(
            "end magic is {:#x}, not {MAGIC:#x}: a damaged lcs header",
            u64_at(header, HEADER - 8)
        ));
    }
    match u64_at(header, 8) {
        v @ 1..=8 => Ok(v as u8),
        v => Err(format!("lcs version {v} is not one of 1 to 8")),
    }
}

/// Decodes record number `index` (0-based) of a version-`version` trace.
#[inline]
fn decode(rec: &[u8], index: u64, version: u8) -> Result<TraceRecord, String> {
    let time = u64::from(u32_at(rec, 0));
    let key = u64_at(rec, 4);
    let (size, op, ttl, next) = match version {
        1 => (u64::from(u32_at(rec, 12)), 1, 0, i64_at(rec, 16)),
        2 => (u64::from(u32_at(rec, 12)), u32_at(rec, 16) & 0xFF, 0, i64_at(rec, 20)),
        _ => {
            let size = i64_at(rec, 12);
            let size = u64::try_from(size).map_err(|_| format!("obj_size is {size}, below 0"))?;
            (size, u32_at(rec, 20) & 0xFF, u32_at(rec, 24), i64_at(rec, 28))
        }
    };
    let size = u32::try_from(size).map_err(|_| format!("obj_size {size} is over {} bytes", u32::MAX))?;
    Ok(TraceRecord { time, key, size, next_access: next_access(next, index)?, op: to_op(op)?, ttl })
}

/// The operation of a libCacheSim `req_op_e` code (`include/libCacheSim/enum.h`): nop (0,
/// what traces without operations hold), get, gets, incr, decr, read and invalid (15, the
/// value of an unset field) read; set, add, cas, replace, append, prepend, write and update
/// write; delete deletes.
pub fn to_op(code: u32) -> Result<TraceOp, String> {
    match code {
        0..=2 | 10..=12 | 15 => Ok(TraceOp::Read),
        3..=8 | 13 | 14 => Ok(TraceOp::Write),
        9 => Ok(TraceOp::Delete),
        _ => Err(format!("operation code {code} is not one of libCacheSim's (0 to 15)")),
    }
}

/// Encodes an lcs header of `version` (statistics left zero), for tests and samples.
pub fn header(version: u8) -> Vec<u8> {
    let mut h = vec![0u8; HEADER];
    h[0..8].copy_from_slice(&MAGIC.to_le_bytes());
    h[8..16].copy_from_slice(&u64::from(version).to_le_bytes());
    h[HEADER - 8..].copy_from_slice(&MAGIC.to_le_bytes());
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NEVER;

    /// A version-3 record (the base of versions 4 to 8).
    fn v3(time: u32, id: u64, size: i64, op: u8, tenant: u32, ttl: u32, next: i64) -> Vec<u8> {
        let mut r = Vec::new();
        r.extend(time.to_le_bytes());
        r.extend(id.to_le_bytes());
        r.extend(size.to_le_bytes());
        r.extend((u32::from(op) | tenant << 8).to_le_bytes());
        r.extend(ttl.to_le_bytes());
        r.extend(next.to_le_bytes());
        r
    }

    #[test]
    fn every_version_decodes_its_base_fields() {
        let base = v3(100, 42, 4096, 9, 7, 60, 5);
        for version in 3..=8u8 {
            let mut rec = base.clone();
            rec.resize(RECORD[version as usize], 0xAB);
            let r = decode(&rec, 1, version).unwrap();
            assert_eq!(
                (r.time, r.key, r.size, r.op, r.ttl, r.next_access),
                (100, 42, 4096, TraceOp::Delete, 60, 4)
            );
        }
        let mut v2 = Vec::new();
        v2.extend(7u32.to_le_bytes());
        v2.extend(3u64.to_le_bytes());
        v2.extend(10u32.to_le_bytes());
        v2.extend((3u32 | 99 << 8).to_le_bytes());
        v2.extend((-1i64).to_le_bytes());
        let r = decode(&v2, 0, 2).unwrap();
        assert_eq!((r.time, r.key, r.size, r.op, r.ttl, r.next_access), (7, 3, 10, TraceOp::Write, 0, NEVER));
    }

    #[test]
    fn headers_and_fields_are_checked() {
        assert_eq!(check_header(&header(8)), Ok(8));
        assert!(check_header(&header(9)).unwrap_err().contains("version 9"));
        assert!(check_header(&header(1)[..100]).unwrap_err().contains("truncated header"));
        let mut h = header(1);
        h[HEADER - 1] = 0;
        assert!(check_header(&h).unwrap_err().contains("end magic"));
        assert!(decode(&v3(0, 1, -5, 1, 0, 0, -1), 0, 3).unwrap_err().contains("below 0"));
        assert!(decode(&v3(0, 1, 5, 200, 0, 0, -1), 0, 3).unwrap_err().contains("operation code 200"));
    }
}

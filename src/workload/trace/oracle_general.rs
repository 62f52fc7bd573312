//! libCacheSim's oracleGeneral binary format: 24-byte little-endian records
//! `u32 time, u64 obj_id, u32 obj_size, i64 next_access_vtime`, no header. `next_access_vtime`
//! is the 1-based index of the next request for the same object, -1 when there is none; it is
//! mapped to the 0-based index (or [`NEVER`]) that [`crate::workload::fill_next_access`] uses.
//!
//! The reader decodes [`super::BATCH`] records per call out of one reusable buffer: no allocation per
//! record, one `read` call per batch.

use std::fmt;
use std::path::Path;

use super::TraceRecord;
use super::binary::{FixedRecords, i64_at, u32_at, u64_at};
use super::input::Input;
use crate::model::NEVER;
use crate::model::error::InputError;

/// Size of one record in bytes.
pub const RECORD: usize = 24;

/// Streaming oracleGeneral reader.
pub struct OracleReader {
    records: FixedRecords,
}

impl fmt::Debug for OracleReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OracleReader")
            .field("path", &self.records.path())
            .field("index", &self.records.index())
            .finish()
    }
}

impl OracleReader {
    /// A reader over `input`, the content of `path` (named in errors).
    pub fn new(input: Input, path: &Path) -> Self {
        OracleReader { records: FixedRecords::new(input, path, RECORD, 0) }
    }

    /// Appends the next records (at most [`super::BATCH`]) to `out`; appends none at the end.
    pub fn read_batch(&mut self, out: &mut Vec<TraceRecord>) -> Result<(), InputError> {
        self.records.read_batch(out, decode)
    }
}

/// Decodes record number `index` (0-based).
#[inline]
fn decode(rec: &[u8], index: u64) -> Result<TraceRecord, String> {
    let next_access = next_access(i64_at(rec, 16), index)?;
    Ok(TraceRecord {
        next_access,
        ..TraceRecord::read(u64::from(u32_at(rec, 0)), u64_at(rec, 4), u32_at(rec, 12))
    })
}

/// The 0-based next access (or [`NEVER`]) of request `index` from libCacheSim's on-disk
/// `next_access_vtime`: -1 (or `i64::MAX`, which libCacheSim's lcs reader also reads as never)
/// or the 1-based index of a later request.
#[inline]
pub fn next_access(next: i64, index: u64) -> Result<u64, String> {
    if next == -1 || next == i64::MAX {
        Ok(NEVER)
    } else if next > 0 && next as u64 > index + 1 {
        Ok(next as u64 - 1)
    } else {
        Err(format!(
            "next_access is {next}; it must be -1 (never) or the 1-based index of a later request (> {})",
            index + 1
        ))
    }
}

/// Encodes `r`, request number `index` (0-based), as a record.
#[inline]
pub fn encode(r: &TraceRecord, out: &mut [u8]) {
    out[0..4].copy_from_slice(&u32::try_from(r.time).unwrap_or(u32::MAX).to_le_bytes());
    out[4..12].copy_from_slice(&r.key.to_le_bytes());
    out[12..16].copy_from_slice(&r.size.to_le_bytes());
    out[16..24].copy_from_slice(&next_field(r.next_access).to_le_bytes());
}

/// The on-disk `next_access_vtime` of a 0-based next index (or [`NEVER`]).
#[inline]
pub fn next_field(next_access: u64) -> i64 {
    if next_access == NEVER { -1 } else { next_access as i64 + 1 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_with_one_based_next_access() {
        let r = TraceRecord { next_access: 41, ..TraceRecord::read(7, u64::MAX - 3, 4096) };
        let mut buf = [0u8; RECORD];
        encode(&r, &mut buf);
        assert_eq!(i64::from_le_bytes(buf[16..24].try_into().unwrap()), 42);
        assert_eq!(decode(&buf, 3), Ok(r));
        let never = TraceRecord { next_access: NEVER, ..r };
        encode(&never, &mut buf);
        assert_eq!(decode(&buf, 3), Ok(never));
    }

    #[test]
    fn a_next_access_that_is_not_later_is_rejected() {
        let mut buf = [0u8; RECORD];
        encode(&TraceRecord { next_access: 2, ..TraceRecord::read(0, 1, 1) }, &mut buf);
        assert!(decode(&buf, 1).is_ok());
        assert!(decode(&buf, 2).is_err());
        buf[16..24].copy_from_slice(&0i64.to_le_bytes());
        assert!(decode(&buf, 0).is_err());
    }
}

//! libCacheSim's oracleGeneral binary format: 24-byte little-endian records
//! `u32 time, u64 obj_id, u32 obj_size, i64 next_access_vtime`, no header. `next_access_vtime`
//! is the 1-based index of the next request for the same object, -1 when there is none; it is
//! mapped to the 0-based index (or [`NEVER`]) that [`crate::workload::fill_next_access`] uses.
//!
//! The reader decodes [`BATCH`] records per call out of one reusable buffer: no allocation per
//! record, one `read` call per batch.

use std::fmt;
use std::path::{Path, PathBuf};

use super::input::{Input, read_full};
use super::{BATCH, TraceRecord, trace_error};
use crate::model::NEVER;
use crate::model::error::InputError;

/// Size of one record in bytes.
pub const RECORD: usize = 24;

/// Streaming oracleGeneral reader.
pub struct OracleReader {
    input: Input,
    path: PathBuf,
    buf: Box<[u8]>,
    /// Records decoded so far (the 0-based index of the next one).
    index: u64,
}

impl fmt::Debug for OracleReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OracleReader").field("path", &self.path).field("index", &self.index).finish()
    }
}

impl OracleReader {
    /// A reader over `input`, the content of `path` (named in errors).
    pub fn new(input: Input, path: &Path) -> Self {
        OracleReader { input, path: path.to_path_buf(), buf: vec![0u8; BATCH * RECORD].into(), index: 0 }
    }

    /// Appends the next records (at most [`BATCH`]) to `out`; appends none at the end.
    pub fn read_batch(&mut self, out: &mut Vec<TraceRecord>) -> Result<(), InputError> {
        let (n, failure) = read_full(&mut self.input, &mut self.buf);
        let whole = n / RECORD;
        if let Some(e) = failure {
            return Err(self.error_at(whole, format!("cannot read: {e}")));
        }
        for (i, rec) in self.buf[..whole * RECORD].chunks_exact(RECORD).enumerate() {
            out.push(decode(rec, self.index + i as u64).map_err(|m| self.error_at(i, m))?);
        }
        if n % RECORD != 0 {
            let at = self.index + whole as u64;
            return Err(trace_error(
                &self.path,
                format!("record {}", at + 1),
                format!(
                    "truncated record: {} of {RECORD} bytes at byte offset {} (the file ends mid-record)",
                    n % RECORD,
                    at * RECORD as u64
                ),
            ));
        }
        self.index += whole as u64;
        Ok(())
    }

    fn error_at(&self, i: usize, message: String) -> InputError {
        trace_error(&self.path, format!("record {}", self.index + i as u64 + 1), message)
    }
}

/// Decodes record number `index` (0-based).
#[inline]
fn decode(rec: &[u8], index: u64) -> Result<TraceRecord, String> {
    let time = u32::from_le_bytes(rec[0..4].try_into().expect("4 bytes"));
    let key = u64::from_le_bytes(rec[4..12].try_into().expect("8 bytes"));
    let size = u32::from_le_bytes(rec[12..16].try_into().expect("4 bytes"));
    let next = i64::from_le_bytes(rec[16..24].try_into().expect("8 bytes"));
    let next_access = if next == -1 {
        NEVER
    } else if next > 0 && next as u64 > index + 1 {
        next as u64 - 1
    } else {
        return Err(format!(
            "next_access is {next}; it must be -1 (never) or the 1-based index of a later request (> {})",
            index + 1
        ));
    };
    Ok(TraceRecord { time: u64::from(time), key, size, next_access })
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
        let r = TraceRecord { time: 7, key: u64::MAX - 3, size: 4096, next_access: 41 };
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
        encode(&TraceRecord { time: 0, key: 1, size: 1, next_access: 2 }, &mut buf);
        assert!(decode(&buf, 1).is_ok());
        assert!(decode(&buf, 2).is_err());
        buf[16..24].copy_from_slice(&0i64.to_le_bytes());
        assert!(decode(&buf, 0).is_err());
    }
}

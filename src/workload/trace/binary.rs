//! Fixed-size binary records (oracleGeneral, lcs, vscsi): [`BATCH`] records per `read` into
//! one reusable buffer, each decoded by the format's function, a file that ends mid-record
//! reported with the record number and byte offset.

use std::path::{Path, PathBuf};

use super::input::{Input, read_full};
use super::{BATCH, TraceRecord, trace_error};
use crate::model::error::InputError;

/// A stream of fixed-size records after an optional header.
pub struct FixedRecords {
    input: Input,
    path: PathBuf,
    buf: Box<[u8]>,
    record: usize,
    /// Bytes before the first record (named in byte offsets).
    header: u64,
    /// Records decoded so far (the 0-based index of the next one).
    index: u64,
}

impl FixedRecords {
    /// Records of `record` bytes from `input` (the content of `path` after `header` bytes).
    pub fn new(input: Input, path: &Path, record: usize, header: u64) -> Self {
        FixedRecords {
            input,
            path: path.to_path_buf(),
            buf: vec![0u8; BATCH * record].into(),
            record,
            header,
            index: 0,
        }
    }

    /// Records decoded so far.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends the next records (at most [`BATCH`]) to `out`, decoding record number `i`
    /// (0-based) from its bytes with `decode`; appends none at the end.
    #[inline]
    pub fn read_batch(
        &mut self,
        out: &mut Vec<TraceRecord>,
        decode: impl Fn(&[u8], u64) -> Result<TraceRecord, String>,
    ) -> Result<(), InputError> {
        self.visit_batch(|rec, at| {
            out.push(decode(rec, at)?);
            Ok(())
        })
        .map(|_| ())
    }

    /// Calls `each` with the bytes and the 0-based number of each of the next records (at
    /// most [`BATCH`]), without building records; returns how many there were (0 at the end).
    /// An error `each` returns is reported at its record.
    #[inline]
    pub fn visit_batch(
        &mut self,
        mut each: impl FnMut(&[u8], u64) -> Result<(), String>,
    ) -> Result<usize, InputError> {
        let (n, failure) = read_full(&mut self.input, &mut self.buf);
        let whole = n / self.record;
        if let Some(e) = failure {
            return Err(self.error_at(self.index + whole as u64, format!("cannot read: {e}")));
        }
        for (i, rec) in self.buf[..whole * self.record].chunks_exact(self.record).enumerate() {
            let at = self.index + i as u64;
            each(rec, at).map_err(|m| self.error_at(at, m))?;
        }
        if n % self.record != 0 {
            let at = self.index + whole as u64;
            return Err(self.error_at(
                at,
                format!(
                    "truncated record: {} of {} bytes at byte offset {} (the file ends mid-record)",
                    n % self.record,
                    self.record,
                    self.header + at * self.record as u64
                ),
            ));
        }
        self.index += whole as u64;
        Ok(whole)
    }

    /// The error for record `index` (0-based; messages count from 1).
    pub fn error_at(&self, index: u64, message: String) -> InputError {
        trace_error(&self.path, format!("record {}", index + 1), message)
    }
}

/// The little-endian `u16` at `at`.
#[inline]
pub fn u16_at(rec: &[u8], at: usize) -> u16 {
    u16::from_le_bytes(rec[at..at + 2].try_into().expect("2 bytes"))
}

/// The little-endian `u32` at `at`.
#[inline]
pub fn u32_at(rec: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(rec[at..at + 4].try_into().expect("4 bytes"))
}

/// The little-endian `u64` at `at`.
#[inline]
pub fn u64_at(rec: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(rec[at..at + 8].try_into().expect("8 bytes"))
}

/// The little-endian `i64` at `at`.
#[inline]
pub fn i64_at(rec: &[u8], at: usize) -> i64 {
    i64::from_le_bytes(rec[at..at + 8].try_into().expect("8 bytes"))
}

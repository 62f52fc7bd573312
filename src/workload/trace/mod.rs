//! Trace files: one streaming reader per format (CSV, libCacheSim's oracleGeneral), a writer
//! for both, and a one-pass statistics scan. Every reader works in batches over a fixed-size
//! buffer, so memory does not grow with the trace; `.zst` files are decompressed on the fly.
//!
//! Bad input is reported as [`InputError::Trace`] naming the file and the line (CSV) or the
//! 1-based record (oracleGeneral), never as a panic.

mod columns;
mod csv;
mod format;
mod input;
mod oracle_general;
mod stats;
mod writer;

use std::path::{Path, PathBuf};

pub use columns::{Column, CsvOptions};
pub use format::TraceFormat;
pub use stats::{TraceStats, count_requests, empty_trace, scan_replayable, scan_stats};
pub use writer::{FutureTrace, with_next_access, write_trace};

use self::csv::CsvReader;
use self::oracle_general::OracleReader;
use crate::model::error::InputError;
use crate::model::{Op, Request};

/// Records a reader decodes per batch.
pub const BATCH: usize = 8192;

/// One request of a trace, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceRecord {
    /// Timestamp as written in the trace (its unit is the trace's own; not used by policies).
    pub time: u64,
    /// Object id.
    pub key: u64,
    /// Object size in bytes.
    pub size: u32,
    /// 0-based index of the next request for the same object, or [`crate::model::NEVER`] (also when the
    /// format carries no such information: see [`TraceFormat::has_next_access`]).
    pub next_access: u64,
}

impl TraceRecord {
    /// The record as a workload request (a read with no TTL).
    pub fn request(&self) -> Request {
        Request { key: self.key, size: self.size, op: Op::Get, ttl: None, next_access: self.next_access }
    }
}

/// A trace file with everything needed to read it.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceSource {
    /// The file.
    pub path: PathBuf,
    /// Its format.
    pub format: TraceFormat,
    /// How to read it when it is a CSV file.
    pub csv: CsvOptions,
}

impl TraceSource {
    /// A source for `path`, in `format` when given, else the format its name implies.
    pub fn new(path: &Path, format: Option<TraceFormat>, csv: CsvOptions) -> Result<Self, InputError> {
        let format = match format {
            Some(f) => f,
            None => TraceFormat::from_path(path)?,
        };
        Ok(TraceSource { path: path.to_path_buf(), format, csv })
    }

    /// Opens the file for one streaming pass.
    pub fn open(&self) -> Result<TraceReader, InputError> {
        let bytes = input::open(&self.path)?;
        Ok(match self.format {
            TraceFormat::Csv => TraceReader::Csv(Box::new(CsvReader::new(bytes, &self.path, &self.csv)?)),
            TraceFormat::OracleGeneral => TraceReader::Oracle(OracleReader::new(bytes, &self.path)),
        })
    }

    /// Iterates over every record of one pass, stopping after the first error.
    pub fn records(&self) -> Result<Records, InputError> {
        Ok(Records { reader: self.open()?, batch: Vec::with_capacity(BATCH), pos: 0, done: false })
    }
}

/// A reader positioned in a trace; decode with [`TraceReader::read_batch`].
#[derive(Debug)]
pub enum TraceReader {
    /// A CSV trace.
    Csv(Box<CsvReader>),
    /// An oracleGeneral trace.
    Oracle(OracleReader),
}

impl TraceReader {
    /// Replaces the content of `out` with the next records (at most [`BATCH`]); leaves it
    /// empty at the end of the trace.
    #[inline]
    pub fn read_batch(&mut self, out: &mut Vec<TraceRecord>) -> Result<(), InputError> {
        out.clear();
        match self {
            TraceReader::Csv(r) => r.read_batch(out),
            TraceReader::Oracle(r) => r.read_batch(out),
        }
    }
}

/// The records of a trace one at a time (see [`TraceSource::records`]); reads in batches.
#[derive(Debug)]
pub struct Records {
    reader: TraceReader,
    batch: Vec<TraceRecord>,
    pos: usize,
    done: bool,
}

impl Iterator for Records {
    type Item = Result<TraceRecord, InputError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.pos == self.batch.len() {
            if self.done {
                return None;
            }
            self.pos = 0;
            if let Err(e) = self.reader.read_batch(&mut self.batch) {
                self.done = true;
                self.batch.clear();
                return Some(Err(e));
            }
            if self.batch.is_empty() {
                self.done = true;
                return None;
            }
        }
        self.pos += 1;
        Some(Ok(self.batch[self.pos - 1]))
    }
}

/// The error for a problem at `location` (e.g. `line 7`, `record 12`) of `path`.
pub(crate) fn trace_error(path: &Path, location: String, message: impl Into<String>) -> InputError {
    InputError::Trace { path: path.to_path_buf(), location, message: message.into() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NEVER;

    #[test]
    fn a_record_becomes_a_read_request() {
        let r = TraceRecord { time: 5, key: 9, size: 100, next_access: NEVER };
        let q = r.request();
        assert_eq!((q.key, q.size, q.op, q.ttl, q.next_access), (9, 100, Op::Get, None, NEVER));
    }
}

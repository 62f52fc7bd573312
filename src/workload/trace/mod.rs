//! Trace files: one streaming reader per format (CSV, libCacheSim's oracleGeneral and lcs,
//! Twitter, Meta KV, vscsi, web access logs), a writer for CSV and oracleGeneral, format
//! detection and a one-pass statistics scan. Every reader works in batches over a fixed-size
//! buffer, so memory does not grow with the trace; zstd, gzip and xz files are decompressed on
//! the fly.
//!
//! Bad input is reported as [`InputError::Trace`] naming the file and the line (text formats)
//! or the 1-based record (binary ones), never as a panic.

mod access_log;
mod binary;
mod columns;
mod csv;
mod detect;
mod format;
mod input;
mod keys;
mod lcs;
mod lines;
mod meta_kv;
mod oracle_general;
mod stats;
mod twitter;
mod vscsi;
mod writer;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use access_log::AccessLogOptions;
pub use columns::{Column, CsvOptions};
pub use detect::{Detected, detect};
pub use format::{FormatChoice, TraceFormat};
pub use input::Compression;
pub use keys::for_each_key;
pub use stats::{TraceStats, count_requests, empty_trace, scan_replayable, scan_stats};
pub use writer::{FutureTrace, with_next_access, write_trace};

use self::access_log::AccessLogReader;
use self::csv::CsvReader;
use self::lcs::LcsReader;
use self::meta_kv::MetaKvReader;
use self::oracle_general::OracleReader;
use self::twitter::TwitterReader;
use self::vscsi::VscsiReader;
use crate::model::error::InputError;
use crate::model::{NEVER, Op, Request};

/// Records a reader decodes per batch.
pub const BATCH: usize = 8192;

/// What a trace request does to its object. Formats without operations give reads only.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TraceOp {
    /// Look the object up (get, gets; incr and decr too, as libCacheSim's trace analyzer counts
    /// them); a miss admits it.
    #[default]
    Read,
    /// Store the object (set, add, replace, cas, append, prepend): resident or not, it is
    /// (re)admitted with this request's size.
    Write,
    /// Remove the object if resident.
    Delete,
}

/// One request of a trace, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceRecord {
    /// Timestamp as written in the trace (seconds for every format with TTLs; the unit is the
    /// trace's own otherwise, and only TTL expiry reads it).
    pub time: u64,
    /// Object id.
    pub key: u64,
    /// Object size in bytes.
    pub size: u32,
    /// 0-based index of the next request for the same object, or [`crate::model::NEVER`] (also when the
    /// format carries no such information: see [`TraceFormat::has_next_access`]).
    pub next_access: u64,
    /// What the request does.
    pub op: TraceOp,
    /// Time to live in seconds of the value a read miss or a write stores (0: none). The
    /// object expires after `time + ttl`: a read after that misses.
    pub ttl: u32,
}

impl TraceRecord {
    /// A read of `key` at `time` with no TTL and no known next access (what formats without
    /// operations hold).
    pub fn read(time: u64, key: u64, size: u32) -> Self {
        TraceRecord { time, key, size, next_access: NEVER, op: TraceOp::Read, ttl: 0 }
    }

    /// The record as a workload request: reads become gets, writes sets. A cache strategy has
    /// no delete, so callers skip deletes (a delete given here becomes a set: the fresh value
    /// replaces whatever was cached). TTLs are in trace time, not in the logical time of a
    /// scenario run, so the request carries none.
    pub fn request(&self) -> Request {
        let op = if self.op == TraceOp::Read { Op::Get } else { Op::Set };
        Request { key: self.key, size: self.size, op, ttl: None, next_access: self.next_access }
    }
}

/// How to read a trace beyond its format: settings that apply to every format.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadOptions {
    /// Replay every request as a read with no TTL, as libCacheSim's `cachesim` does (it ignores
    /// operations and, unless built with `SUPPORT_TTL`, TTLs); default false: writes, deletes
    /// and TTLs act as the format records them.
    #[serde(default)]
    pub ignore_ops: bool,
    /// How to turn access-log lines into requests.
    #[serde(default)]
    pub access_log: AccessLogOptions,
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
    /// Settings for every format.
    pub read: ReadOptions,
}

impl TraceSource {
    /// A source for `path`, in `format` when given, else the format its name implies.
    pub fn new(path: &Path, format: Option<TraceFormat>, csv: CsvOptions) -> Result<Self, InputError> {
        let format = match format {
            Some(f) => f,
            None => TraceFormat::from_path(path)?,
        };
        Ok(TraceSource { path: path.to_path_buf(), format, csv, read: ReadOptions::default() })
    }

    /// A source for `path` read as `choice` says: a given format; `auto` (detected from the
    /// content, see [`detect`]); or none (the format the name implies; for a `.csv` name or
    /// none, detected, since Meta KV and Twitter traces are CSV too). Returns the source and,
    /// when the format was detected (and is not the CSV a name implied), a sentence saying what
    /// was chosen and why.
    pub fn choose(
        path: &Path,
        choice: Option<FormatChoice>,
        csv: CsvOptions,
        read: ReadOptions,
    ) -> Result<(Self, Option<String>), InputError> {
        let (format, note) = match (choice, TraceFormat::named(path)) {
            (Some(FormatChoice::Given(f)), _) => (f, None),
            (None, Some(f)) if f != TraceFormat::Csv => (f, None),
            (None, Some(TraceFormat::Csv)) => match detect(path) {
                Ok(d) if d.format != TraceFormat::Csv => (d.format, Some(d.to_string())),
                _ => (TraceFormat::Csv, None),
            },
            _ => {
                let d = detect(path)?;
                (d.format, Some(d.to_string()))
            }
        };
        Ok((TraceSource { path: path.to_path_buf(), format, csv, read }, note))
    }

    /// Opens the file for one streaming pass.
    pub fn open(&self) -> Result<TraceReader, InputError> {
        let bytes = input::open(&self.path)?;
        let path = self.path.as_path();
        let inner = match self.format {
            TraceFormat::Csv => Inner::Csv(Box::new(CsvReader::new(bytes, path, &self.csv)?)),
            TraceFormat::OracleGeneral => Inner::Oracle(OracleReader::new(bytes, path)),
            TraceFormat::Lcs => Inner::Lcs(LcsReader::new(bytes, path)?),
            TraceFormat::Twitter => Inner::Twitter(TwitterReader::new(bytes, path)),
            TraceFormat::MetaKv => Inner::MetaKv(MetaKvReader::new(bytes, path)?),
            TraceFormat::Vscsi => Inner::Vscsi(VscsiReader::new(bytes, path)?),
            TraceFormat::AccessLog => {
                Inner::AccessLog(Box::new(AccessLogReader::new(bytes, path, &self.read.access_log)?))
            }
        };
        Ok(TraceReader { inner, ignore_ops: self.read.ignore_ops })
    }

    /// Iterates over every record of one pass, stopping after the first error.
    pub fn records(&self) -> Result<Records, InputError> {
        Ok(Records { reader: self.open()?, batch: Vec::with_capacity(BATCH), pos: 0, done: false })
    }
}

/// A reader positioned in a trace; decode with [`TraceReader::read_batch`].
#[derive(Debug)]
pub struct TraceReader {
    inner: Inner,
    /// Every record becomes a read without TTL ([`ReadOptions::ignore_ops`]).
    ignore_ops: bool,
}

/// The reader of each format.
#[derive(Debug)]
enum Inner {
    Csv(Box<CsvReader>),
    Oracle(OracleReader),
    Lcs(LcsReader),
    Twitter(TwitterReader),
    MetaKv(MetaKvReader),
    Vscsi(VscsiReader),
    AccessLog(Box<AccessLogReader>),
}

impl TraceReader {
    /// Replaces the content of `out` with the next records (at most [`BATCH`]); leaves it
    /// empty at the end of the trace.
    #[inline]
    pub fn read_batch(&mut self, out: &mut Vec<TraceRecord>) -> Result<(), InputError> {
        out.clear();
        match &mut self.inner {
            Inner::Csv(r) => r.read_batch(out),
            Inner::Oracle(r) => r.read_batch(out),
            Inner::Lcs(r) => r.read_batch(out),
            Inner::Twitter(r) => r.read_batch(out),
            Inner::MetaKv(r) => r.read_batch(out),
            Inner::Vscsi(r) => r.read_batch(out),
            Inner::AccessLog(r) => r.read_batch(out),
        }?;
        if self.ignore_ops {
            for r in out.iter_mut() {
                r.op = TraceOp::Read;
                r.ttl = 0;
            }
        }
        Ok(())
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

    #[test]
    fn records_become_requests_by_operation() {
        let r = TraceRecord { next_access: 12, ttl: 30, ..TraceRecord::read(5, 9, 100) };
        let q = r.request();
        assert_eq!((q.key, q.size, q.op, q.ttl, q.next_access), (9, 100, Op::Get, None, 12));
        assert_eq!(TraceRecord { op: TraceOp::Write, ..r }.request().op, Op::Set);
    }
}

//! Writing traces: CSV (`time,obj_id,obj_size`), oracleGeneral, or lcs version 3 (which keeps
//! operations and TTLs), zstd-compressed when the file name ends with `.zst`. Output goes to a temporary file in the target directory that is
//! renamed into place at the end, so a failure never leaves a half-written trace.
//!
//! oracleGeneral and lcs need each request's next access, which a forward stream cannot know. The
//! records are first written uncompressed to the temporary file, then a reverse pass over that
//! file (chunk by chunk, from the end) fills in `next_access` remembering each object's latest
//! index. Memory: one chunk plus a hash map of about 32 bytes per distinct object (32 MB for
//! 1 M objects), whatever the number of requests; disk: 24 bytes per request, transiently.

use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;

use anyhow::Context;
use rustc_hash::FxHashMap;
use tempfile::{NamedTempFile, TempDir};

use super::format::wants_zstd;
use super::oracle_general::{RECORD, encode, next_field};
use super::{CsvOptions, TraceFormat, TraceOp, TraceRecord, TraceSource, lcs};
use crate::model::NEVER;
use crate::model::error::InputError;
use crate::model::output::{self, Target};

/// zstd level of written traces (zstd's default: fast, about 3x smaller than level 19 takes).
const ZSTD_LEVEL: i32 = 3;

/// Records per chunk of the reverse next-access pass.
const REVERSE_CHUNK: usize = 1 << 16;

/// Write buffer.
const WRITE_BUFFER: usize = 1 << 18;

/// Bytes of an lcs version-3 record, the version cachelab writes.
const LCS_RECORD: usize = 36;

/// Where a binary format keeps its records and their next accesses.
#[derive(Clone, Copy)]
struct Layout {
    /// Bytes before the first record.
    header: u64,
    /// Bytes per record.
    record: usize,
    /// Offset of the 8-byte object id in a record.
    key_at: usize,
    /// Offset of the 8-byte next access in a record.
    next_at: usize,
}

const ORACLE_LAYOUT: Layout = Layout { header: 0, record: RECORD, key_at: 4, next_at: 16 };
const LCS_LAYOUT: Layout = Layout { header: lcs::HEADER as u64, record: LCS_RECORD, key_at: 4, next_at: 28 };

/// Writes `records` to `path` in the format its name implies (see
/// [`TraceFormat::from_path`]: CSV, oracleGeneral or lcs); returns the number of records
/// written. oracleGeneral and lcs output get each record's next access computed (any
/// `next_access` in `records` is ignored). Only lcs keeps operations and TTLs.
pub fn write_trace(
    path: &Path,
    records: impl Iterator<Item = Result<TraceRecord, InputError>>,
) -> anyhow::Result<u64> {
    let format = TraceFormat::from_path(path)?;
    let name = path.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
    if name.ends_with(".gz") || name.ends_with(".xz") {
        anyhow::bail!(InputError::Output {
            path: path.to_path_buf(),
            message: "cachelab reads gzip and xz but writes zstd only: name the output *.zst".into(),
        });
    }
    // A FIFO, device or link is written through once the trace is complete; the work files
    // then go to the system's temporary directory.
    let through = output::target(path)? == Target::WriteThrough;
    let temp_dir = std::env::temp_dir();
    let dir = match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        _ if through => temp_dir.as_path(),
        Some(parent) => parent,
        None => Path::new("."),
    };
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create directory {}", dir.display()))?;
    let temp = || {
        NamedTempFile::new_in(dir)
            .with_context(|| format!("cannot create a temporary file in {}", dir.display()))
    };
    let cannot_write = || format!("cannot write {}", path.display());
    let (file, count) = match format {
        TraceFormat::Csv => {
            let tmp = temp()?;
            let mut sink = Sink::new(tmp.reopen().with_context(cannot_write)?, wants_zstd(path))?;
            let count = write_csv(&mut sink, records).map_err(|e| e.writing(path))?;
            sink.finish().with_context(cannot_write)?;
            (tmp, count)
        }
        TraceFormat::OracleGeneral | TraceFormat::Lcs => {
            let layout = if format == TraceFormat::Lcs { LCS_LAYOUT } else { ORACLE_LAYOUT };
            let mut raw = temp()?;
            let count = write_raw(raw.as_file_mut(), records, layout).map_err(|e| e.writing(path))?;
            fill_next_access(raw.as_file_mut(), count, layout).with_context(cannot_write)?;
            if wants_zstd(path) {
                let packed = temp()?;
                let mut sink = Sink::new(packed.reopen().with_context(cannot_write)?, true)?;
                let mut input = raw.reopen().with_context(cannot_write)?;
                std::io::copy(&mut input, &mut sink).with_context(cannot_write)?;
                sink.finish().with_context(cannot_write)?;
                (packed, count)
            } else {
                (raw, count)
            }
        }
        other => anyhow::bail!(InputError::Output {
            path: path.to_path_buf(),
            message: format!(
                "cachelab does not write {other} traces; name the output *.csv, *.oracleGeneral.bin or \
                 *.lcs (optionally .zst)"
            ),
        }),
    };
    if through {
        let mut finished = file.reopen().with_context(cannot_write)?;
        std::io::copy(&mut finished, &mut output::open_through(path)?).with_context(cannot_write)?;
        return Ok(count);
    }
    readable_by_all(file.as_file()).with_context(cannot_write)?;
    file.as_file().sync_all().with_context(cannot_write)?;
    file.persist(path).with_context(|| format!("cannot rename into {}", path.display()))?;
    Ok(count)
}

/// Gives a finished trace the usual mode of a new file (temporary files start owner-only).
fn readable_by_all(file: &File) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}

/// A trace that carries next-access times (what Belady needs): the source itself when its
/// format has them, else an lcs copy (which keeps operations and TTLs) in a temporary
/// directory, deleted on drop.
#[derive(Debug)]
pub struct FutureTrace {
    /// The trace to read.
    pub source: TraceSource,
    /// The temporary directory holding the converted copy, if any.
    pub dir: Option<TempDir>,
}

/// Returns `source` unchanged if its format carries next accesses, else converts it to a
/// temporary zstd lcs file (one pass; memory as for [`write_trace`]).
pub fn with_next_access(source: &TraceSource) -> anyhow::Result<FutureTrace> {
    if source.format.has_next_access() {
        return Ok(FutureTrace { source: source.clone(), dir: None });
    }
    let dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    let path = dir.path().join("future.lcs.zst");
    write_trace(&path, source.records()?)?;
    let source =
        TraceSource { path, format: TraceFormat::Lcs, csv: CsvOptions::default(), read: source.read.clone() };
    Ok(FutureTrace { source, dir: Some(dir) })
}

/// A buffered output file, zstd-compressed or not.
enum Sink {
    Plain(BufWriter<File>),
    Zstd(zstd::stream::write::Encoder<'static, BufWriter<File>>),
}

impl Sink {
    fn new(file: File, compress: bool) -> anyhow::Result<Sink> {
        let out = BufWriter::with_capacity(WRITE_BUFFER, file);
        Ok(if compress {
            Sink::Zstd(zstd::stream::write::Encoder::new(out, ZSTD_LEVEL).context("cannot start zstd")?)
        } else {
            Sink::Plain(out)
        })
    }

    /// Ends the zstd frame and flushes everything.
    fn finish(self) -> std::io::Result<()> {
        let mut out = match self {
            Sink::Plain(out) => out,
            Sink::Zstd(enc) => enc.finish()?,
        };
        out.flush()
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Sink::Plain(w) => w.write(buf),
            Sink::Zstd(w) => w.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        match self {
            Sink::Plain(w) => w.write_all(buf),
            Sink::Zstd(w) => w.write_all(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Plain(w) => w.flush(),
            Sink::Zstd(w) => w.flush(),
        }
    }
}

/// Why copying records into a trace file stopped: the input (reported as the input's own
/// error) or the output (reported as a write error of the output file).
enum Copying {
    Read(InputError),
    Write(std::io::Error),
}

impl From<std::io::Error> for Copying {
    fn from(e: std::io::Error) -> Self {
        Copying::Write(e)
    }
}

impl From<InputError> for Copying {
    fn from(e: InputError) -> Self {
        Copying::Read(e)
    }
}

impl Copying {
    /// The error to report when writing `path`.
    fn writing(self, path: &Path) -> anyhow::Error {
        match self {
            Copying::Read(e) => e.into(),
            Copying::Write(e) => anyhow::Error::new(e).context(format!("cannot write {}", path.display())),
        }
    }
}

fn write_csv(
    out: &mut Sink,
    records: impl Iterator<Item = Result<TraceRecord, InputError>>,
) -> Result<u64, Copying> {
    out.write_all(b"time,obj_id,obj_size\n")?;
    let mut count = 0;
    for r in records {
        let r = r?;
        writeln!(out, "{},{},{}", r.time, r.key, r.size)?;
        count += 1;
    }
    Ok(count)
}

/// Writes uncompressed records in `layout` (oracleGeneral, or lcs with its header) with
/// `next_access` = never.
fn write_raw(
    file: &mut File,
    records: impl Iterator<Item = Result<TraceRecord, InputError>>,
    layout: Layout,
) -> Result<u64, Copying> {
    let mut out = BufWriter::with_capacity(WRITE_BUFFER, &mut *file);
    let lcs = layout.header > 0;
    if lcs {
        out.write_all(&lcs::header(3))?;
    }
    let mut buf = [0u8; LCS_RECORD];
    let mut count = 0;
    for r in records {
        let r = TraceRecord { next_access: NEVER, ..r? };
        if lcs {
            encode_lcs(&r, &mut buf);
        } else {
            encode(&r, &mut buf[..RECORD]);
        }
        out.write_all(&buf[..layout.record])?;
        count += 1;
    }
    out.flush()?;
    drop(out);
    if lcs {
        // The header's statistics: their version (1) and the number of requests.
        file.seek(SeekFrom::Start(16))?;
        file.write_all(&1i64.to_le_bytes())?;
        file.write_all(&(count as i64).to_le_bytes())?;
    }
    Ok(count)
}

/// Encodes `r` as an lcs version-3 record (tenant 0).
fn encode_lcs(r: &TraceRecord, out: &mut [u8]) {
    let op: u32 = match r.op {
        TraceOp::Read => 1,
        TraceOp::Write => 3,
        TraceOp::Delete => 9,
    };
    out[0..4].copy_from_slice(&u32::try_from(r.time).unwrap_or(u32::MAX).to_le_bytes());
    out[4..12].copy_from_slice(&r.key.to_le_bytes());
    out[12..20].copy_from_slice(&i64::from(r.size).to_le_bytes());
    out[20..24].copy_from_slice(&op.to_le_bytes());
    out[24..28].copy_from_slice(&r.ttl.to_le_bytes());
    out[28..36].copy_from_slice(&next_field(r.next_access).to_le_bytes());
}

/// The reverse pass: rewrites every record's next access in place, last chunk first.
fn fill_next_access(file: &mut File, count: u64, layout: Layout) -> std::io::Result<()> {
    let Layout { header, record, key_at, next_at } = layout;
    let mut next: FxHashMap<u64, u64> = FxHashMap::default();
    let mut buf = vec![0u8; REVERSE_CHUNK * record];
    let mut end = count;
    while end > 0 {
        let start = end.saturating_sub(REVERSE_CHUNK as u64);
        let bytes = &mut buf[..(end - start) as usize * record];
        file.seek(SeekFrom::Start(header + start * record as u64))?;
        file.read_exact(bytes)?;
        for (i, rec) in bytes.chunks_exact_mut(record).enumerate().rev() {
            let key = u64::from_le_bytes(rec[key_at..key_at + 8].try_into().expect("8 bytes"));
            let later = next.insert(key, start + i as u64).unwrap_or(NEVER);
            rec[next_at..next_at + 8].copy_from_slice(&next_field(later).to_le_bytes());
        }
        file.seek(SeekFrom::Start(header + start * record as u64))?;
        file.write_all(bytes)?;
        end = start;
    }
    file.flush()
}

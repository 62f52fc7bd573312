//! CSV traces: a header row, then one request per line. Which columns hold the time, the id
//! and the size is set by [`CsvOptions`] (names or 1-based indexes). Ids are unsigned integers,
//! or strings hashed to 64 bits with [`hash_bytes`] when `string_ids` is set. Each request
//! keeps the size written on its row (constant memory) unless `first_size` is set (see
//! [`CsvOptions::first_size`]).

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use ::csv::{ByteRecord, ReaderBuilder, Trim};
use rustc_hash::FxHashMap;

use super::input::Input;
use super::{BATCH, Column, CsvOptions, TraceRecord, trace_error};
use crate::model::error::InputError;
use crate::model::hash::hash_bytes;

/// Buffer of the CSV parser.
const CSV_BUFFER: usize = 1 << 16;

/// Longest line a CSV trace may have. The parser holds a whole row in memory, so without a
/// bound a file without line breaks would be read whole.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// The input of the CSV parser, failing as soon as a line grows past [`MAX_LINE_BYTES`].
struct LineLimit {
    inner: Input,
    /// Bytes since the last line break.
    run: usize,
}

impl Read for LineLimit {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.run = match buf[..n].iter().rposition(|&b| b == b'\n') {
            Some(last) => n - last - 1,
            None => self.run + n,
        };
        if self.run > MAX_LINE_BYTES {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("a line longer than {} MiB (is this a CSV trace?)", MAX_LINE_BYTES >> 20),
            ));
        }
        Ok(n)
    }
}

/// Streaming CSV reader with its columns resolved against the header.
pub struct CsvReader {
    reader: ::csv::Reader<LineLimit>,
    path: PathBuf,
    record: ByteRecord,
    time: Option<usize>,
    id: usize,
    size: Option<usize>,
    string_ids: bool,
    /// Size of each object at its first request, only with `first_size` (grows with the
    /// trace's distinct objects).
    first_sizes: Option<FxHashMap<u64, u32>>,
    /// Requests read so far (the 0-based index of the next one).
    index: u64,
}

impl fmt::Debug for CsvReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CsvReader").field("path", &self.path).field("index", &self.index).finish()
    }
}

impl CsvReader {
    /// Reads the header of `input` (the content of `path`) and resolves the columns of `options`.
    pub fn new(input: Input, path: &Path, options: &CsvOptions) -> Result<Self, InputError> {
        let mut reader = ReaderBuilder::new()
            .buffer_capacity(CSV_BUFFER)
            .flexible(true)
            .trim(Trim::All)
            .from_reader(LineLimit { inner: input, run: 0 });
        let header = reader.byte_headers().map_err(|e| csv_error(path, 1, &e))?.clone();
        let find = |role: &str, column: &Column| -> Result<Option<usize>, InputError> {
            let missing = |detail: String| {
                trace_error(
                    path,
                    "line 1".into(),
                    format!("missing column: the {role} column {column} {detail}"),
                )
            };
            match column {
                Column::Absent => Ok(None),
                Column::Index(i) if *i <= header.len() => Ok(Some(i - 1)),
                Column::Index(_) => {
                    Err(missing(format!("is past the {} columns of the header", header.len())))
                }
                Column::Name(name) => header
                    .iter()
                    .position(|h| h == name.as_bytes())
                    .map(Some)
                    .ok_or_else(|| missing(format!("is not in the header ({})", show_header(&header)))),
            }
        };
        let time = find("time", &options.time)?;
        let size = find("size", &options.size)?;
        let id = find("id", &options.id)?.ok_or_else(|| {
            trace_error(path, "line 1".into(), "missing column: the id column cannot be `none`")
        })?;
        Ok(CsvReader {
            reader,
            path: path.to_path_buf(),
            record: ByteRecord::new(),
            time,
            id,
            size,
            string_ids: options.string_ids,
            first_sizes: options.first_size.then(FxHashMap::default),
            index: 0,
        })
    }

    /// Appends the next records (at most [`BATCH`]) to `out`; appends none at the end.
    pub fn read_batch(&mut self, out: &mut Vec<TraceRecord>) -> Result<(), InputError> {
        while out.len() < BATCH {
            let more = self.reader.read_byte_record(&mut self.record).map_err(|e| {
                // The parser sets the position of the row it is reading before it fails.
                let line = self.record.position().map_or(1, |p| p.line());
                csv_error(&self.path, line, &e)
            })?;
            if !more {
                break;
            }
            let mut record = self.decode()?;
            if let Some(first) = &mut self.first_sizes {
                record.size = *first.entry(record.key).or_insert(record.size);
            }
            out.push(record);
            self.index += 1;
        }
        Ok(())
    }

    fn decode(&self) -> Result<TraceRecord, InputError> {
        let line = self.record.position().map_or(0, |p| p.line());
        let bad =
            |message: String| trace_error(&self.path, format!("line {line}"), format!("bad row: {message}"));
        let field = |i: usize, role: &str| {
            self.record.get(i).ok_or_else(|| {
                bad(format!("no {role} field (column {}); the row has {} fields", i + 1, self.record.len()))
            })
        };
        let raw_id = field(self.id, "id")?;
        let key = if self.string_ids {
            hash_bytes(raw_id)
        } else {
            parse_u64(raw_id).ok_or_else(|| {
                bad(format!(
                    "id `{}` is not an unsigned integer (for string ids pass --string-ids, or \
                     string_ids = true in a scenario)",
                    String::from_utf8_lossy(raw_id)
                ))
            })?
        };
        let time = match self.time {
            None => self.index,
            Some(i) => {
                let raw = field(i, "time")?;
                parse_time(raw).ok_or_else(|| {
                    bad(format!("time `{}` is not a non-negative number", String::from_utf8_lossy(raw)))
                })?
            }
        };
        let size = match self.size {
            None => 1,
            Some(i) => {
                let raw = field(i, "size")?;
                parse_u64(raw).and_then(|s| u32::try_from(s).ok()).ok_or_else(|| {
                    bad(format!(
                        "size `{}` is not a byte count between 0 and {}",
                        String::from_utf8_lossy(raw),
                        u32::MAX
                    ))
                })?
            }
        };
        Ok(TraceRecord::read(time, key, size))
    }
}

/// Parses an unsigned decimal integer.
fn parse_u64(raw: &[u8]) -> Option<u64> {
    std::str::from_utf8(raw).ok()?.parse().ok()
}

/// Parses a time: an unsigned integer, or a non-negative decimal (truncated).
fn parse_time(raw: &[u8]) -> Option<u64> {
    parse_u64(raw).or_else(|| {
        let v: f64 = std::str::from_utf8(raw).ok()?.parse().ok()?;
        (v.is_finite() && v >= 0.0).then_some(v as u64)
    })
}

fn show_header(header: &ByteRecord) -> String {
    let names: Vec<String> = header.iter().map(|h| format!("`{}`", String::from_utf8_lossy(h))).collect();
    if names.is_empty() { "the header is empty".into() } else { format!("header: {}", names.join(", ")) }
}

fn csv_error(path: &Path, fallback_line: u64, e: &::csv::Error) -> InputError {
    let line = e.position().map_or(fallback_line, |p| p.line());
    let message = match e.kind() {
        ::csv::ErrorKind::Io(io) => format!("cannot read: {io}"),
        _ => format!("bad row: {e}"),
    };
    trace_error(path, format!("line {line}"), message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NEVER;

    fn read(text: &str, options: &CsvOptions) -> Result<Vec<TraceRecord>, InputError> {
        let input: Input = Box::new(std::io::Cursor::new(text.as_bytes().to_vec()));
        let mut r = CsvReader::new(input, Path::new("t.csv"), options)?;
        let mut out = Vec::new();
        loop {
            let before = out.len();
            r.read_batch(&mut out)?;
            if out.len() == before {
                return Ok(out);
            }
        }
    }

    #[test]
    fn default_columns_by_name_in_any_order() {
        let recs = read("obj_size,obj_id,time\n10,7,100\n20, 8 ,101\n", &CsvOptions::default()).unwrap();
        assert_eq!(recs.len(), 2);
        assert_eq!((recs[1].time, recs[1].key, recs[1].size, recs[1].next_access), (101, 8, 20, NEVER));
    }

    #[test]
    fn absent_time_and_size_default_to_index_and_one() {
        let options = CsvOptions { time: Column::Absent, size: Column::Absent, ..CsvOptions::default() };
        let recs = read("obj_id\n5\n6\n", &options).unwrap();
        assert_eq!((recs[1].time, recs[1].size), (1, 1));
    }

    #[test]
    fn rows_keep_their_own_size_unless_first_size_is_set() {
        let text = "obj_id,obj_size,time\n1,10,0\n1,20,1\n2,5,2\n";
        let sizes = |o: &CsvOptions| read(text, o).unwrap().iter().map(|r| r.size).collect::<Vec<_>>();
        assert_eq!(sizes(&CsvOptions::default()), vec![10, 20, 5]);
        let first = CsvOptions { first_size: true, ..CsvOptions::default() };
        assert_eq!(sizes(&first), vec![10, 10, 5]);
    }

    #[test]
    fn by_default_the_reader_keeps_no_per_object_state() {
        let input: Input = Box::new(std::io::Cursor::new(b"obj_id\n1\n".to_vec()));
        let options = CsvOptions { time: Column::Absent, size: Column::Absent, ..CsvOptions::default() };
        let r = CsvReader::new(input, Path::new("t.csv"), &options).unwrap();
        assert!(r.first_sizes.is_none(), "the default must stream in constant memory");
    }

    #[test]
    fn a_line_past_the_limit_fails_at_its_line_without_reading_it_whole() {
        let mut text = b"time,obj_id,obj_size\n1,2,3\n".to_vec();
        text.extend(std::iter::repeat_n(b'7', 3 * MAX_LINE_BYTES));
        let input: Input = Box::new(std::io::Cursor::new(text));
        let mut r = CsvReader::new(input, Path::new("t.csv"), &CsvOptions::default()).unwrap();
        let mut out = Vec::new();
        let err = loop {
            match r.read_batch(&mut out) {
                Err(e) => break e.to_string(),
                Ok(()) => assert!(!out.is_empty(), "the long line was accepted"),
            }
        };
        assert!(err.contains("t.csv: line 3") && err.contains("longer than 1 MiB"), "{err}");
        assert!(
            r.record.as_slice().len() <= MAX_LINE_BYTES + CSV_BUFFER,
            "{} bytes held",
            r.record.as_slice().len()
        );
    }

    #[test]
    fn errors_name_the_line() {
        let err = read("time,obj_id,obj_size\n1,2,3\n1,x,3\n", &CsvOptions::default()).unwrap_err();
        assert!(err.to_string().contains("t.csv: line 3: bad row"), "{err}");
        let err = read("time,obj_id,obj_size\n1,2,3\n1,2\n", &CsvOptions::default()).unwrap_err();
        assert!(err.to_string().contains("line 3"), "{err}");
        let err = read("time,id,obj_size\n", &CsvOptions::default()).unwrap_err();
        assert!(err.to_string().contains("line 1: missing column"), "{err}");
    }
}

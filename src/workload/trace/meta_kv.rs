//! Meta's key-value cache traces (CacheLib's open traces, cachelib.org "Cachebench trace
//! replay"): CSV with a header row naming the columns, found by name:
//!
//! - 2022: `key,op,size,op_count,key_size`;
//! - 2024: `op_time,key,key_size,op,op_count,size,cache_hits,ttl`.
//!
//! Each row stands for `op_count` identical requests (expanded here, one record each, in
//! constant memory). The key is hashed to a 64-bit id; a request's size is `size` (the value)
//! plus `key_size` when that column exists, what the object takes in a cache. `op` is GET or
//! GET_LEASE (read), SET or SET_LEASE (write) or DELETE (any case); `ttl` is in seconds, empty
//! for none; `op_time` is the time in seconds (without it, the request index).

use std::fmt;
use std::path::Path;

use super::input::Input;
use super::lines::{Lines, parse_u64, show};
use super::{BATCH, TraceOp, TraceRecord};
use crate::model::error::InputError;
use crate::model::hash::hash_bytes;

/// Which field holds what (0-based).
#[derive(Debug, Clone, Copy)]
struct Layout {
    key: usize,
    op: usize,
    size: usize,
    op_count: Option<usize>,
    key_size: Option<usize>,
    time: Option<usize>,
    ttl: Option<usize>,
    /// Fields a row must have at least.
    width: usize,
}

/// Streaming Meta KV trace reader.
pub struct MetaKvReader {
    lines: Lines,
    layout: Layout,
    /// The row being expanded and how many of its requests are still to emit.
    pending: Option<(TraceRecord, u64)>,
    /// Requests emitted so far (the time of rows without `op_time`).
    index: u64,
}

impl fmt::Debug for MetaKvReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MetaKvReader")
            .field("path", &self.lines.path())
            .field("line", &self.lines.number())
            .finish()
    }
}

impl MetaKvReader {
    /// Reads the header of `input` (the content of `path`).
    pub fn new(input: Input, path: &Path) -> Result<Self, InputError> {
        let mut lines = Lines::new(input, path);
        let header = lines.next_line()?.map(<[u8]>::to_vec).unwrap_or_default();
        let layout = layout(&header).map_err(|m| lines.error_at(1, m))?;
        Ok(MetaKvReader { lines, layout, pending: None, index: 0 })
    }

    /// Appends the next records (at most [`BATCH`]) to `out`; appends none at the end. Empty
    /// lines are skipped.
    pub fn read_batch(&mut self, out: &mut Vec<TraceRecord>) -> Result<(), InputError> {
        while out.len() < BATCH {
            if let Some((record, left)) = &mut self.pending {
                let n = (*left).min((BATCH - out.len()) as u64);
                for _ in 0..n {
                    let time = if self.layout.time.is_some() { record.time } else { self.index };
                    out.push(TraceRecord { time, ..*record });
                    self.index += 1;
                }
                *left -= n;
                if *left == 0 {
                    self.pending = None;
                }
                continue;
            }
            let Some(line) = self.lines.next_line()? else { break };
            if line.is_empty() {
                continue;
            }
            match parse(line, &self.layout) {
                Ok(row) => self.pending = Some(row),
                Err(m) => {
                    let message = format!("bad Meta KV trace row `{}`: {m}", show(line));
                    return Err(self.lines.error(message));
                }
            }
        }
        Ok(())
    }
}

/// The columns of a header row.
fn layout(header: &[u8]) -> Result<Layout, String> {
    let names: Vec<String> = header
        .split(|&b| b == b',')
        .map(|f| String::from_utf8_lossy(f).trim().to_ascii_lowercase())
        .collect();
    let find = |name: &str| names.iter().position(|n| n == name);
    let need = |name: &str| {
        find(name).ok_or_else(|| {
            format!(
                "the header has no `{name}` column (a Meta KV trace starts with `key,op,size,op_count,key_size` \
                 or `op_time,key,key_size,op,op_count,size,cache_hits,ttl`; header: `{}`)",
                show(header)
            )
        })
    };
    let (key, op, size) = (need("key")?, need("op")?, need("size")?);
    let (op_count, key_size, time, ttl) = (find("op_count"), find("key_size"), find("op_time"), find("ttl"));
    let width = [Some(key), Some(op), Some(size), op_count, key_size, time, ttl]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(0)
        + 1;
    Ok(Layout { key, op, size, op_count, key_size, time, ttl, width })
}

/// Whether `header` is the header row of a Meta KV trace.
pub fn is_header(header: &[u8]) -> bool {
    layout(header).is_ok_and(|l| l.op_count.is_some())
}

/// Decodes one row: its request and how many times it repeats.
fn parse(line: &[u8], l: &Layout) -> Result<(TraceRecord, u64), String> {
    let fields: Vec<&[u8]> = line.split(|&b| b == b',').collect();
    if fields.len() < l.width {
        return Err(format!("{} fields, the header names {}", fields.len(), l.width));
    }
    let number = |i: usize, what: &str| {
        parse_u64(fields[i]).ok_or_else(|| format!("{what} `{}` is not an unsigned integer", show(fields[i])))
    };
    let optional = |i: Option<usize>, what: &str| match i {
        Some(i) if !fields[i].trim_ascii().is_empty() => number(i, what),
        _ => Ok(0),
    };
    let size = number(l.size, "size")? + optional(l.key_size, "key_size")?;
    let size = u32::try_from(size).map_err(|_| format!("size {size} is over {} bytes", u32::MAX))?;
    let raw_op = fields[l.op].trim_ascii();
    let op = match raw_op.to_ascii_uppercase().as_slice() {
        b"GET" | b"GET_LEASE" => TraceOp::Read,
        b"SET" | b"SET_LEASE" => TraceOp::Write,
        b"DELETE" => TraceOp::Delete,
        _ => return Err(format!("op `{}` is not GET, GET_LEASE, SET, SET_LEASE or DELETE", show(raw_op))),
    };
    let ttl = optional(l.ttl, "ttl")?;
    let ttl = u32::try_from(ttl).map_err(|_| format!("ttl {ttl} is over {} seconds", u32::MAX))?;
    let count = match l.op_count {
        Some(i) => number(i, "op_count")?,
        None => 1,
    };
    let time = optional(l.time, "op_time")?;
    Ok((
        TraceRecord { op, ttl, ..TraceRecord::read(time, hash_bytes(fields[l.key].trim_ascii()), size) },
        count,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Vec<TraceRecord>, InputError> {
        let input: Input = Box::new(std::io::Cursor::new(text.as_bytes().to_vec()));
        let mut r = MetaKvReader::new(input, Path::new("kv.csv"))?;
        let mut out = Vec::new();
        loop {
            let before = out.len();
            let mut batch = Vec::new();
            r.read_batch(&mut batch)?;
            out.extend(batch);
            if out.len() == before {
                return Ok(out);
            }
        }
    }

    #[test]
    fn rows_of_2022_expand_op_count_times() {
        let recs = read("key,op,size,op_count,key_size\n7,GET,100,3,10\n8,SET,50,1,10\n").unwrap();
        assert_eq!(recs.len(), 4);
        assert!(
            recs[..3].iter().all(|r| r.key == hash_bytes(b"7") && r.size == 110 && r.op == TraceOp::Read)
        );
        assert_eq!(recs.iter().map(|r| r.time).collect::<Vec<_>>(), [0, 1, 2, 3]);
        assert_eq!((recs[3].op, recs[3].size), (TraceOp::Write, 60));
    }

    #[test]
    fn rows_of_2024_carry_time_and_ttl() {
        let text = "op_time,key,key_size,op,op_count,size,cache_hits,ttl\n\
                    100,k1,2,SET_LEASE,1,40,0,3600\n101,k1,2,GET,2,0,2,\n102,k1,2,DELETE,1,0,0,\n";
        let recs = read(text).unwrap();
        assert_eq!(recs.len(), 4);
        assert_eq!((recs[0].time, recs[0].op, recs[0].ttl, recs[0].size), (100, TraceOp::Write, 3600, 42));
        assert_eq!((recs[2].time, recs[2].op, recs[2].ttl), (101, TraceOp::Read, 0));
        assert_eq!(recs[3].op, TraceOp::Delete);
    }

    #[test]
    fn bad_headers_and_rows_are_named() {
        let e = read("a,b,c\n").unwrap_err().to_string();
        assert!(e.contains("line 1") && e.contains("`key`"), "{e}");
        let e = read("key,op,size,op_count\n1,GET,5,1\n1,PUT,5,1\n").unwrap_err().to_string();
        assert!(e.contains("line 3") && e.contains("`PUT`"), "{e}");
        let e = read("key,op,size,op_count\n1,GET,5\n").unwrap_err().to_string();
        assert!(e.contains("line 2") && e.contains("3 fields"), "{e}");
        assert!(is_header(b"key,op,size,op_count,key_size") && !is_header(b"time,obj_id,obj_size"));
    }
}

//! Twitter's production cache traces (github.com/twitter/cache-trace, Yang et al., OSDI 2020):
//! CSV without a header, one request per line,
//! `timestamp,anonymized key,key size,value size,client id,operation,TTL`: the time in
//! seconds, the key (hashed to a 64-bit id), sizes in bytes, the operation (one of
//! get/gets/set/add/replace/cas/append/prepend/delete/incr/decr) and the TTL in seconds (0
//! for none). A request's size is the key's plus the value's, what the object takes in a
//! cache. Operations map as libCacheSim's trace analyzer counts them: get, gets, incr and
//! decr read; set, add, replace, cas, append and prepend write; delete deletes. The key is
//! everything between the first comma and the last five, so a key with commas still reads.

use std::fmt;
use std::path::Path;

use super::input::Input;
use super::lines::{Lines, parse_u64, show};
use super::{BATCH, TraceOp, TraceRecord};
use crate::model::error::InputError;
use crate::model::hash::hash_bytes;

/// Streaming Twitter trace reader.
pub struct TwitterReader {
    lines: Lines,
}

impl fmt::Debug for TwitterReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TwitterReader")
            .field("path", &self.lines.path())
            .field("line", &self.lines.number())
            .finish()
    }
}

impl TwitterReader {
    /// A reader over `input`, the content of `path` (named in errors).
    pub fn new(input: Input, path: &Path) -> Self {
        TwitterReader { lines: Lines::new(input, path) }
    }

    /// Appends the next records (at most [`BATCH`]) to `out`; appends none at the end. Empty
    /// lines are skipped.
    pub fn read_batch(&mut self, out: &mut Vec<TraceRecord>) -> Result<(), InputError> {
        while out.len() < BATCH {
            let Some(line) = self.lines.next_line()? else { break };
            if line.is_empty() {
                continue;
            }
            match parse(line) {
                Ok(r) => out.push(r),
                Err(m) => {
                    let message = format!("bad Twitter trace line `{}`: {m}", show(line));
                    return Err(self.lines.error(message));
                }
            }
        }
        Ok(())
    }
}

/// The operation of a Twitter trace operation name.
pub fn op(name: &[u8]) -> Option<TraceOp> {
    Some(match name {
        b"get" | b"gets" | b"incr" | b"decr" => TraceOp::Read,
        b"set" | b"add" | b"replace" | b"cas" | b"append" | b"prepend" => TraceOp::Write,
        b"delete" => TraceOp::Delete,
        _ => return None,
    })
}

/// Decodes one line.
pub fn parse(line: &[u8]) -> Result<TraceRecord, String> {
    let mut right = line.rsplitn(6, |&b| b == b',');
    let mut tail = [&b""[..]; 5];
    for slot in tail.iter_mut().rev() {
        *slot = right.next().ok_or("fewer than 7 comma-separated fields")?;
    }
    let rest = right.next().ok_or("fewer than 7 comma-separated fields")?;
    let (time, key) = match rest.iter().position(|&b| b == b',') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => return Err("fewer than 7 comma-separated fields".into()),
    };
    let [key_size, value_size, _client, op_name, ttl] = tail;
    let number = |raw: &[u8], what: &str| {
        parse_u64(raw).ok_or_else(|| format!("{what} `{}` is not an unsigned integer", show(raw)))
    };
    let time = number(time, "timestamp")?;
    let size = number(key_size, "key size")? + number(value_size, "value size")?;
    let size =
        u32::try_from(size).map_err(|_| format!("key + value size {size} is over {} bytes", u32::MAX))?;
    let op = op(op_name).ok_or_else(|| {
        format!(
            "operation `{}` is not one of get, gets, set, add, replace, cas, append, prepend, delete, incr, decr",
            show(op_name)
        )
    })?;
    let ttl = number(ttl, "TTL")?;
    let ttl = u32::try_from(ttl).map_err(|_| format!("TTL {ttl} is over {} seconds", u32::MAX))?;
    Ok(TraceRecord { op, ttl, ..TraceRecord::read(time, hash_bytes(key), size) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_a_request_of_key_plus_value_bytes() {
        let r = parse(b"12,nz:u:eeW511W3dcH3de3d15ec,26,1500,7,set,3600").unwrap();
        assert_eq!((r.time, r.size, r.op, r.ttl), (12, 1526, TraceOp::Write, 3600));
        assert_eq!(r.key, hash_bytes(b"nz:u:eeW511W3dcH3de3d15ec"));
        assert_eq!(parse(b"0,a,1,0,1,incr,0").unwrap().op, TraceOp::Read);
        assert_eq!(parse(b"0,a,1,0,1,delete,0").unwrap().op, TraceOp::Delete);
        let commas = parse(b"5,a,b,c,3,10,1,gets,0").unwrap();
        assert_eq!((commas.key, commas.size), (hash_bytes(b"a,b,c"), 13));
    }

    #[test]
    fn bad_lines_say_what_is_wrong() {
        assert!(parse(b"1,k,2,3,get,0").unwrap_err().contains("fewer than 7"));
        assert!(parse(b"1,k,2,3,4,fetch,0").unwrap_err().contains("`fetch`"));
        assert!(parse(b"x,k,2,3,4,get,0").unwrap_err().contains("timestamp"));
        assert!(parse(b"1,k,2,-3,4,get,0").unwrap_err().contains("value size"));
    }
}

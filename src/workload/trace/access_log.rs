//! Web server access logs in the combined format of nginx (`log_format combined`) and Apache
//! (`LogFormat "%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-agent}i\"" combined`), or
//! the common format (without referer and user agent), optionally followed by more fields
//! such as nginx's `$request_time`:
//!
//! ```text
//! 203.0.113.9 - - [10/Oct/2024:13:55:36 -0700] "GET /a/b.png?w=64 HTTP/1.1" 200 2326 "-" "curl/8" 0.004
//! ```
//!
//! A request is the object `method + " " + normalised path [+ "?" + query]` (hashed to 64
//! bits) of `bytes sent` bytes at the line's time (Unix seconds). Only the methods and
//! statuses of [`AccessLogOptions`] are replayed (by default GET and HEAD, and the statuses a
//! shared cache stores by default, RFC 9111 section 3 with RFC 9110 section 15.1: 200, 203,
//! 206, 301, 404); other lines are skipped. The path is normalised as RFC 3986 section 6.2.2
//! describes: the scheme and host of an absolute URL are dropped, percent-encoded unreserved
//! characters decoded, other percent-encodings upper-cased, dot segments removed, repeated
//! slashes collapsed; the fragment is dropped; query parameters keep their order, minus the
//! ones the options drop.

use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::input::Input;
use super::lines::{Lines, show};
use super::{BATCH, TraceRecord};
use crate::model::error::InputError;
use crate::model::hash::hash_bytes;

/// How access-log lines become requests (CLI `--log-*` flags; scenario
/// `access_log = { ... }`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessLogOptions {
    /// Drop the whole query string from keys (`/p?a=1` and `/p?a=2` are one object).
    #[serde(default)]
    pub drop_query: bool,
    /// Query parameters dropped from keys by name (e.g. `utm_source`, `fbclid`).
    #[serde(default)]
    pub drop_params: Vec<String>,
    /// Methods replayed, upper case (default GET and HEAD: the cacheable ones).
    #[serde(default = "default_methods")]
    pub methods: Vec<String>,
    /// Statuses replayed (default 200, 203, 206, 301, 404).
    #[serde(default = "default_statuses")]
    pub statuses: Vec<u16>,
}

/// The methods an access log replays by default.
pub fn default_methods() -> Vec<String> {
    vec!["GET".into(), "HEAD".into()]
}

/// The statuses an access log replays by default.
pub fn default_statuses() -> Vec<u16> {
    vec![200, 203, 206, 301, 404]
}

impl Default for AccessLogOptions {
    fn default() -> Self {
        AccessLogOptions {
            drop_query: false,
            drop_params: Vec::new(),
            methods: default_methods(),
            statuses: default_statuses(),
        }
    }
}

/// Streaming access-log reader.
pub struct AccessLogReader {
    lines: Lines,
    options: AccessLogOptions,
    /// The key text of the line at hand (reused).
    key: Vec<u8>,
}

impl fmt::Debug for AccessLogReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessLogReader")
            .field("path", &self.lines.path())
            .field("line", &self.lines.number())
            .finish()
    }
}

impl AccessLogReader {
    /// A reader over `input`, the content of `path` (named in errors).
    pub fn new(input: Input, path: &Path, options: &AccessLogOptions) -> Result<Self, InputError> {
        let mut options = options.clone();
        options.methods.iter_mut().for_each(|m| m.make_ascii_uppercase());
        Ok(AccessLogReader { lines: Lines::new(input, path), options, key: Vec::new() })
    }

    /// Appends the next records (at most [`BATCH`]) to `out`; appends none at the end. Empty
    /// lines and lines of other methods or statuses are skipped.
    pub fn read_batch(&mut self, out: &mut Vec<TraceRecord>) -> Result<(), InputError> {
        while out.len() < BATCH {
            let Some(line) = self.lines.next_line()? else { break };
            if line.is_empty() {
                continue;
            }
            match parse(line, &self.options, &mut self.key) {
                Ok(Some(r)) => out.push(r),
                Ok(None) => {}
                Err(m) => {
                    let message = format!("bad access-log line `{}`: {m}", show(line));
                    return Err(self.lines.error(message));
                }
            }
        }
        Ok(())
    }
}

/// The fields of one log line that make a request.
#[derive(Debug, PartialEq, Eq)]
pub struct Fields<'a> {
    /// `[time]` as Unix seconds.
    pub time: u64,
    /// The request line (`"GET /p HTTP/1.1"`, unquoted).
    pub request: &'a [u8],
    /// The status code.
    pub status: u16,
    /// Bytes sent (`-` is 0).
    pub bytes: u64,
}

/// Splits a combined- or common-format line into its fields.
pub fn fields(line: &[u8]) -> Result<Fields<'_>, String> {
    let open = line.iter().position(|&b| b == b'[').ok_or("no `[time]` field")?;
    if line[..open].split(|&b| b == b' ').filter(|t| !t.is_empty()).count() < 3 {
        return Err("expected `host ident user [time] \"request\" status bytes`".into());
    }
    let close = open + line[open..].iter().position(|&b| b == b']').ok_or("`[time]` is not closed")?;
    let time = parse_time(&line[open + 1..close])?;
    let rest = line[close + 1..].strip_prefix(b" \"").ok_or("no quoted request after the time")?;
    let mut end = None;
    let mut i = 0;
    while i < rest.len() {
        match rest[i] {
            b'\\' => i += 1,
            b'"' => {
                end = Some(i);
                break;
            }
            _ => {}
        }
        i += 1;
    }
    let end = end.ok_or("the quoted request is not closed")?;
    let mut after = rest[end + 1..].split(|&b| b == b' ').filter(|t| !t.is_empty());
    let status = after.next().ok_or("no status after the request")?;
    let status = std::str::from_utf8(status)
        .ok()
        .and_then(|s| s.parse::<u16>().ok())
        .filter(|s| (100..=999).contains(s))
        .ok_or_else(|| format!("status `{}` is not a 3-digit number", show(status)))?;
    let bytes = after.next().ok_or("no bytes-sent field after the status")?;
    let bytes = match bytes {
        b"-" => 0,
        b => std::str::from_utf8(b)
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
            .ok_or_else(|| format!("bytes sent `{}` is not a number or `-`", show(b)))?,
    };
    Ok(Fields { time, request: &rest[..end], status, bytes })
}

/// Decodes one line into a request, or None when its method or status is not replayed.
/// `key` is scratch space for the key text.
pub fn parse(
    line: &[u8],
    options: &AccessLogOptions,
    key: &mut Vec<u8>,
) -> Result<Option<TraceRecord>, String> {
    let f = fields(line)?;
    if !options.statuses.contains(&f.status) {
        return Ok(None);
    }
    let mut parts = f.request.split(|&b| b == b' ').filter(|t| !t.is_empty());
    let method = parts.next().unwrap_or_default();
    if !options.methods.iter().any(|m| m.as_bytes() == method) {
        return Ok(None);
    }
    let target = parts.next().ok_or_else(|| format!("request `{}` has no target", show(f.request)))?;
    key.clear();
    key.extend_from_slice(method);
    key.push(b' ');
    normalise(target, options, key);
    let size =
        u32::try_from(f.bytes).map_err(|_| format!("bytes sent {} is over {} bytes", f.bytes, u32::MAX))?;
    Ok(Some(TraceRecord::read(f.time, hash_bytes(key), size)))
}

/// Appends the normalised `target` (path and kept query) to `out`.
pub fn normalise(target: &[u8], options: &AccessLogOptions, out: &mut Vec<u8>) {
    let mut target = target.split(|&b| b == b'#').next().unwrap_or_default();
    for scheme in [&b"http://"[..], b"https://"] {
        if target.len() > scheme.len() && target[..scheme.len()].eq_ignore_ascii_case(scheme) {
            let rest = &target[scheme.len()..];
            target = rest.iter().position(|&b| b == b'/' || b == b'?').map_or(&b"/"[..], |i| &rest[i..]);
        }
    }
    let (path, query) = match target.iter().position(|&b| b == b'?') {
        Some(i) => (&target[..i], Some(&target[i + 1..])),
        None => (target, None),
    };
    let mut segments: Vec<Vec<u8>> = Vec::new();
    for seg in path.split(|&b| b == b'/').filter(|s| !s.is_empty()) {
        match decode_unreserved(seg).as_slice() {
            b"." => {}
            b".." => {
                segments.pop();
            }
            s => segments.push(s.to_vec()),
        }
    }
    out.push(b'/');
    out.extend(segments.join(&b'/'));
    if path.ends_with(b"/") && !segments.is_empty() {
        out.push(b'/');
    }
    let Some(query) = query.filter(|_| !options.drop_query) else { return };
    let mut first = true;
    for param in query.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
        let name = param.split(|&b| b == b'=').next().unwrap_or_default();
        if options.drop_params.iter().any(|d| d.as_bytes() == decode_unreserved(name).as_slice()) {
            continue;
        }
        out.push(if first { b'?' } else { b'&' });
        first = false;
        out.extend(decode_unreserved(param));
    }
}

/// `raw` with percent-encoded unreserved characters (RFC 3986 section 2.3) decoded and the hex
/// digits of the other percent-encodings upper-cased.
fn decode_unreserved(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if raw[i] == b'%'
            && i + 2 < raw.len()
            && let (Some(h), Some(l)) = (hex(raw[i + 1]), hex(raw[i + 2]))
        {
            let c = (h * 16 + l) as u8;
            if c.is_ascii_alphanumeric() || b"-._~".contains(&c) {
                out.push(c);
            } else {
                out.push(b'%');
                out.push(raw[i + 1].to_ascii_uppercase());
                out.push(raw[i + 2].to_ascii_uppercase());
            }
            i += 3;
            continue;
        }
        out.push(raw[i]);
        i += 1;
    }
    out
}

/// `10/Oct/2000:13:55:36 -0700` as Unix seconds.
fn parse_time(raw: &[u8]) -> Result<u64, String> {
    let bad = || format!("time `{}` is not `dd/Mon/yyyy:hh:mm:ss +zzzz`", show(raw));
    let text = std::str::from_utf8(raw).map_err(|_| bad())?;
    let (stamp, zone) = text.split_once(' ').unwrap_or((text, "+0000"));
    let num = |s: &str| s.parse::<i64>().map_err(|_| bad());
    let parts: Vec<&str> = stamp.split(['/', ':']).collect();
    let [day, month, year, hour, minute, second] = parts[..] else { return Err(bad()) };
    const MONTHS: [&str; 12] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let month = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(month)).ok_or_else(bad)? as i64 + 1;
    let (day, year, hour, minute, second) = (num(day)?, num(year)?, num(hour)?, num(minute)?, num(second)?);
    if !(1..=31).contains(&day)
        || !(0..24).contains(&hour)
        || !(0..60).contains(&minute)
        || !(0..=60).contains(&second)
    {
        return Err(bad());
    }
    let zone = zone.trim();
    let (sign, digits) = match zone.as_bytes().first() {
        Some(b'+') => (1, &zone[1..]),
        Some(b'-') => (-1, &zone[1..]),
        _ => return Err(bad()),
    };
    if digits.len() != 4 {
        return Err(bad());
    }
    let offset = sign * (num(&digits[..2])? * 3600 + num(&digits[2..])? * 60);
    let secs = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset;
    u64::try_from(secs).map_err(|_| format!("time `{}` is before 1970", show(raw)))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_of(target: &str, options: &AccessLogOptions) -> String {
        let mut out = Vec::new();
        normalise(target.as_bytes(), options, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn combined_and_common_lines_split_into_fields() {
        let line = br#"203.0.113.9 - frank [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" 200 2326 "http://x/" "Mozilla/4.08" 0.004"#;
        let f = fields(line).unwrap();
        assert_eq!(
            (f.time, f.request, f.status, f.bytes),
            (971_211_336, &b"GET /a.gif HTTP/1.0"[..], 200, 2326)
        );
        let common = br#"::1 - - [01/Jan/1970:00:00:10 +0000] "HEAD / HTTP/1.1" 404 -"#;
        assert_eq!(fields(common).unwrap().bytes, 0);
        let quoted = br#"h - - [01/Jan/1970:00:00:10 +0000] "GET /say\"hi\" HTTP/1.1" 200 5"#;
        assert_eq!(fields(quoted).unwrap().status, 200);
        assert!(fields(b"garbage").unwrap_err().contains("[time]"));
        assert!(
            fields(br#"h - - [01/Jan/1970:00:00:10 +0000] "GET / HTTP/1.1" OK 5"#)
                .unwrap_err()
                .contains("status")
        );
        assert!(fields(br#"h - - [32/Jan/1970:00:00:10 +0000] "GET /" 200 5"#).unwrap_err().contains("time"));
    }

    #[test]
    fn paths_are_normalised_and_queries_filtered() {
        let all = AccessLogOptions::default();
        assert_eq!(key_of("/a//b/./c/../d?x=1&y=2#frag", &all), "/a/b/d?x=1&y=2");
        assert_eq!(key_of("https://Example.com/%7euser/%2f?", &all), "/~user/%2F");
        assert_eq!(key_of("/dir/", &all), "/dir/");
        let drop = AccessLogOptions { drop_params: vec!["utm_source".into()], ..AccessLogOptions::default() };
        assert_eq!(key_of("/p?utm_source=x&id=7", &drop), "/p?id=7");
        let none = AccessLogOptions { drop_query: true, ..AccessLogOptions::default() };
        assert_eq!(key_of("/p?id=7", &none), "/p");
    }

    #[test]
    fn only_cacheable_methods_and_statuses_become_requests() {
        let o = AccessLogOptions::default();
        let mut key = Vec::new();
        let line =
            |m: &str, s: u16| format!(r#"h - - [01/Jan/1970:00:01:00 +0000] "{m} /x HTTP/1.1" {s} 10"#);
        let r = parse(line("GET", 200).as_bytes(), &o, &mut key).unwrap().unwrap();
        assert_eq!((r.time, r.size, r.key), (60, 10, hash_bytes(b"GET /x")));
        assert_ne!(parse(line("HEAD", 301).as_bytes(), &o, &mut key).unwrap().unwrap().key, r.key);
        assert_eq!(parse(line("POST", 200).as_bytes(), &o, &mut key).unwrap(), None);
        assert_eq!(parse(line("GET", 500).as_bytes(), &o, &mut key).unwrap(), None);
        assert_eq!(
            parse(br#"h - - [01/Jan/1970:00:01:00 +0000] "\x16\x03" 400 0"#, &o, &mut key).unwrap(),
            None
        );
    }
}

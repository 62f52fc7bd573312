//! `cachelab serve` against hostile clients (issue 12 #1 and #10), through the real CLI over
//! raw loopback TCP: a `size` beyond the scenario's largest value is refused (400) instead of
//! produced; a `PUT` body larger than that value is refused before it is read (413), and one
//! that trickles is cut off within `BODY_READ_TIMEOUT` (408); large uncacheable responses
//! are streamed, not held in memory; and a seeded fuzzer sends random bytes, methods, paths,
//! query strings, header sets and bodies: every connection gets a well-formed HTTP response
//! or is closed, and afterwards the server still answers correctly, its memory stayed
//! bounded and it exits cleanly.

use std::io::{BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use cachelab::http::cache::BODY_READ_TIMEOUT;
use cachelab::model::units::ByteSize;
use cachelab::origin;
use cachelab::workload::ValueSize;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use crate::support::ctrl_c;

/// Longest a prompt answer may take.
const STEP: Duration = Duration::from_secs(5);
/// Longest any answer may take: the server's own timeouts (10 s) plus slack.
const PATIENCE: Duration = Duration::from_secs(16);
/// Largest header section a response may have before it counts as malformed.
const MAX_RESPONSE_HEAD: usize = 64 * 1024;

/// The fuzzer's scenario: values of 100 B to 1 MiB, half of the keys uncacheable (streamed),
/// the others cached by a byte-bounded LRU.
const FUZZ_SCENARIO: &str = "name = \"hostile\"\nseed = 12\n[workload]\nkeys = 1000\nvalue_size = { dist = \"uniform\", min = \"100B\", max = \"1MiB\" }\n[origin]\nlatency = { dist = \"fixed\", ms = 1 }\nuncacheable = 0.5\n[[strategy]]\nname = \"lru\"\nkind = \"lru\"\ncapacity = \"16MiB\"\n";
/// [`FUZZ_SCENARIO`]'s seed.
const FUZZ_SEED: u64 = 12;
/// [`FUZZ_SCENARIO`]'s largest value: the largest size a client may ask for or write.
const MAX: u32 = 1 << 20;

/// A running `cachelab serve`, killed if a test fails before stopping it.
struct Served {
    child: Child,
    addr: SocketAddr,
}

impl Served {
    /// Starts `cachelab serve` on scenario `text` (strategy `lru`) on a free port.
    fn start(dir: &Path, text: &str) -> Served {
        let file = dir.join("scenario.toml");
        std::fs::write(&file, text).unwrap();
        let mut child = Command::new(assert_cmd::cargo::cargo_bin!("cachelab"))
            .arg("serve")
            .arg(&file)
            .args(["--strategy", "lru"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let addr = crate::support::listening::address(&mut BufReader::new(child.stdout.take().unwrap()));
        Served { child, addr }
    }

    /// Whether the process is still running.
    fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// A `/proc/PID/status` memory figure (`VmRSS`, `VmHWM`: the peak), in bytes.
    fn memory(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let kib: u64 = status
            .lines()
            .find_map(|l| {
                l.strip_prefix(field)?.strip_prefix(':')?.trim().strip_suffix("kB")?.trim().parse().ok()
            })
            .unwrap_or_else(|| panic!("no {field} in {status}"));
        kib * 1024
    }

    /// The server's counters (`GET /_cachelab/stats`).
    fn stats(&self) -> serde_json::Value {
        let answer = request(self.addr, b"GET /_cachelab/stats HTTP/1.1\r\nHost: x\r\n\r\n", false, STEP)
            .expect("stats answered")
            .expect("stats answered, not closed");
        assert_eq!(answer.status, 200, "{answer:?}");
        serde_json::from_slice(&answer.body).unwrap()
    }

    /// Sends SIGINT and waits for the exit: its status and stderr.
    fn stop(mut self) -> (ExitStatus, String) {
        let status = ctrl_c::interrupt_and_wait(&mut self.child, Duration::from_secs(10));
        let mut stderr = String::new();
        self.child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
        (status, stderr)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// One response read off a raw connection.
#[derive(Debug)]
struct Answer {
    status: u16,
    /// Status line and headers, lowercased.
    head: String,
    body: Vec<u8>,
    /// The connection closed inside the body (`body` holds what came). The server does this
    /// when the same client pipelined a malformed request behind this one: hyper ends the
    /// connection on the parse error, even while a response is still being written.
    torn: bool,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|l| l.strip_prefix(name)?.strip_prefix(':')).map(str::trim)
    }
}

/// Reads until `buf` holds `n` bytes; false if the connection ended first.
fn fill_to(conn: &mut TcpStream, buf: &mut Vec<u8>, n: usize) -> Result<bool, String> {
    let mut chunk = [0u8; 64 * 1024];
    while buf.len() < n {
        match conn.read(&mut chunk) {
            Ok(0) => return Ok(false),
            Ok(read) => buf.extend_from_slice(&chunk[..read]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return Err(format!("neither an answer nor a close in time ({e})"));
            }
            Err(_) => return Ok(false), // reset: closed
        }
    }
    Ok(true)
}

/// Reads one response from `conn` (`head_request`: it answers a `HEAD`, so it has no body).
/// `Ok(None)`: the connection closed before any byte came. `Err`: what was wrong with it
/// (bytes that are not a well-formed HTTP/1.1 response, or silence past the read timeout).
/// A response whose body a close cut short is `torn`.
fn read_answer(conn: &mut TcpStream, head_request: bool) -> Result<Option<Answer>, String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let end = loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        if buf.len() > MAX_RESPONSE_HEAD {
            return Err(format!("no end of the header section in {} bytes", buf.len()));
        }
        match conn.read(&mut chunk) {
            Ok(read) if read > 0 => buf.extend_from_slice(&chunk[..read]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return Err(format!("neither an answer nor a close in time, {} bytes read", buf.len()));
            }
            // The end of the connection (or a reset): fine before any byte, else a torn answer.
            _ if buf.is_empty() => return Ok(None),
            _ => return Err(format!("closed inside a header section: {:?}", String::from_utf8_lossy(&buf))),
        }
    };
    let head =
        std::str::from_utf8(&buf[..end]).map_err(|_| "a header section that is not text")?.to_lowercase();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .strip_prefix("http/1.1 ")
        .or_else(|| status_line.strip_prefix("http/1.0 "))
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse::<u16>().ok())
        .filter(|code| (100..600).contains(code))
        .ok_or_else(|| format!("bad status line {status_line:?}"))?;
    for line in lines {
        let (name, _) =
            line.split_once(':').ok_or_else(|| format!("header line without a colon: {line:?}"))?;
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b)) {
            return Err(format!("bad header name in {line:?}"));
        }
    }
    let mut answer = Answer { status, head, body: Vec::new(), torn: false };
    buf.drain(..end + 4);
    let no_body = head_request || status < 200 || status == 204 || status == 304;
    if let Some(length) = answer.header("content-length").filter(|_| !no_body) {
        let length: usize = length.parse().map_err(|_| format!("bad content-length {length:?}"))?;
        if length > 64 << 20 {
            return Err(format!("a body of {length} bytes, over anything this server may send"));
        }
        answer.torn = !fill_to(conn, &mut buf, length)?;
        buf.truncate(length);
        answer.body = buf;
    } else if answer.header("transfer-encoding") == Some("chunked") && !no_body {
        (answer.body, answer.torn) = dechunk(conn, buf)?;
    }
    Ok(Some(answer))
}

/// Reads a chunked body whose first bytes are `buf`: the body, and whether a close cut it
/// short.
fn dechunk(conn: &mut TcpStream, mut buf: Vec<u8>) -> Result<(Vec<u8>, bool), String> {
    let mut body = Vec::new();
    loop {
        let line_end = loop {
            if let Some(at) = buf.windows(2).position(|w| w == b"\r\n") {
                break at;
            }
            let want = buf.len() + 1;
            if !fill_to(conn, &mut buf, want)? {
                return Ok((body, true));
            }
            if buf.len() > 1024 {
                return Err("a chunk size line over 1 KiB".into());
            }
        };
        let line = String::from_utf8_lossy(&buf[..line_end]).into_owned();
        let size = usize::from_str_radix(line.split(';').next().unwrap_or_default().trim(), 16)
            .map_err(|_| format!("bad chunk size {line:?}"))?;
        buf.drain(..line_end + 2);
        if !fill_to(conn, &mut buf, size + 2)? {
            body.extend_from_slice(&buf[..buf.len().min(size)]);
            return Ok((body, true));
        }
        body.extend_from_slice(&buf[..size]);
        buf.drain(..size + 2);
        if size == 0 {
            return Ok((body, false));
        }
    }
}

/// Connects, sends `bytes` and reads one whole answer (`Ok(None)`: closed without one).
fn request(
    addr: SocketAddr,
    bytes: &[u8],
    head_request: bool,
    patience: Duration,
) -> Result<Option<Answer>, String> {
    let mut conn = TcpStream::connect(addr).unwrap();
    conn.set_read_timeout(Some(patience)).unwrap();
    // The server may answer and close before taking every byte: what it did is in the answer.
    let _ = conn.write_all(bytes);
    match read_answer(&mut conn, head_request)? {
        Some(answer) if answer.torn => Err(format!("closed inside the body: {}", answer.head)),
        answer => Ok(answer),
    }
}

/// `GET path` on a fresh connection: its answer, which must come.
fn get(addr: SocketAddr, path: &str) -> Answer {
    let text = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    request(addr, text.as_bytes(), false, PATIENCE).unwrap().unwrap_or_else(|| panic!("GET {path}: closed"))
}

/// Whether the peer has closed `conn` (a read returns end of file or a reset in `STEP`).
fn closed(conn: &mut TcpStream) -> bool {
    conn.set_read_timeout(Some(STEP)).unwrap();
    let mut rest = Vec::new();
    match conn.read_to_end(&mut rest) {
        Ok(_) => true,
        Err(e) => !matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
    }
}

#[test]
fn sizes_beyond_the_scenarios_largest_value_are_refused_and_the_server_lives() {
    let dir = tempfile::tempdir().unwrap();
    let mut served = Served::start(dir.path(), FUZZ_SCENARIO);
    let addr = served.addr;
    // Three at once used to allocate 4 GiB each and abort the process.
    let huge: Vec<_> =
        (0..3).map(|_| std::thread::spawn(move || get(addr, "/obj/1?size=4294967295"))).collect();
    for answer in huge {
        let answer = answer.join().unwrap();
        assert_eq!(answer.status, 400, "{answer:?}");
        let message = String::from_utf8_lossy(&answer.body);
        assert!(message.contains(&format!("from 0 to {MAX}")), "the message names the limit: {message}");
    }
    for size in ["-1", "abc", "1e9", "", "18446744073709551616", &(MAX + 1).to_string()] {
        let answer = get(addr, &format!("/obj/1?size={size}"));
        assert_eq!(answer.status, 400, "size {size:?}: {answer:?}");
    }
    // Up to the limit, anything goes, and the body is the origin's.
    let answer = get(addr, &format!("/obj/2?size={MAX}"));
    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(origin::verify(2, MAX, &answer.body));
    assert!(served.alive());
    assert!(served.memory("VmHWM") < 256 << 20, "peak RSS {} bytes", served.memory("VmHWM"));
    let stats = served.stats();
    assert_eq!(stats["rejected"], 9, "{stats}");
    let (status, stderr) = served.stop();
    assert!(status.success(), "{status:?}: {stderr}");
}

#[test]
fn a_put_larger_than_the_largest_value_is_refused_before_its_body() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(dir.path(), FUZZ_SCENARIO);
    // A 10 GB Content-Length: refused at once, with no byte of the body sent.
    let mut conn = TcpStream::connect(served.addr).unwrap();
    conn.set_read_timeout(Some(STEP)).unwrap();
    let started = Instant::now();
    conn.write_all(b"PUT /obj/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000000\r\n\r\n").unwrap();
    let answer = read_answer(&mut conn, false).unwrap().expect("an answer, not a close");
    assert_eq!(answer.status, 413, "{answer:?}");
    assert!(started.elapsed() < Duration::from_secs(2), "at once: {:?}", started.elapsed());
    assert_eq!(answer.header("connection"), Some("close"));
    assert!(closed(&mut conn), "the connection is closed after the refusal");

    // Exactly the limit is accepted...
    let body = origin::body(3, MAX);
    let mut put =
        format!("PUT /obj/3?size={MAX} HTTP/1.1\r\nHost: x\r\nContent-Length: {MAX}\r\n\r\n").into_bytes();
    put.extend_from_slice(&body);
    let answer = request(served.addr, &put, false, STEP).unwrap().unwrap();
    assert_eq!(answer.status, 204, "{answer:?}");

    // ...and a chunked body is cut off as soon as it grows past it.
    let mut conn = TcpStream::connect(served.addr).unwrap();
    conn.set_read_timeout(Some(STEP)).unwrap();
    conn.write_all(b"PUT /obj/4 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n").unwrap();
    let chunk = vec![b'x'; 64 * 1024];
    for _ in 0..(MAX as usize / chunk.len() + 1) {
        let mut frame = format!("{:x}\r\n", chunk.len()).into_bytes();
        frame.extend_from_slice(&chunk);
        frame.extend_from_slice(b"\r\n");
        if conn.write_all(&frame).is_err() {
            break;
        }
    }
    let answer = read_answer(&mut conn, false).unwrap().expect("an answer, not a close");
    assert_eq!(answer.status, 413, "{answer:?}");
    let stats = served.stats();
    assert_eq!((&stats["writes"], &stats["rejected"]), (&1.into(), &2.into()), "{stats}");
}

#[test]
fn a_trickling_put_body_is_cut_off_within_the_body_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(dir.path(), FUZZ_SCENARIO);
    let mut conn = TcpStream::connect(served.addr).unwrap();
    conn.set_read_timeout(Some(BODY_READ_TIMEOUT + STEP)).unwrap();
    conn.write_all(b"PUT /obj/1?size=100 HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n").unwrap();
    let started = Instant::now();
    // One byte a second, until the server stops taking them or the answer came.
    let done = Arc::new(AtomicBool::new(false));
    let trickle = std::thread::spawn({
        let (mut conn, done) = (conn.try_clone().unwrap(), done.clone());
        move || {
            for byte in origin::body(1, 100).iter() {
                if done.load(Ordering::SeqCst) || conn.write_all(&[*byte]).is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_secs(1));
            }
        }
    });
    let answer = read_answer(&mut conn, false);
    let took = started.elapsed();
    done.store(true, Ordering::SeqCst);
    trickle.join().unwrap();
    let answer = answer.unwrap().expect("a 408, not a bare close");
    assert_eq!(answer.status, 408, "{answer:?}");
    assert!(
        took >= BODY_READ_TIMEOUT - Duration::from_secs(1)
            && took < BODY_READ_TIMEOUT + Duration::from_secs(3),
        "cut off after {took:?}"
    );
    assert!(closed(&mut conn), "the connection is closed after the 408");
    assert_eq!(served.stats()["writes"], 0);
}

#[test]
fn large_uncacheable_responses_are_streamed_not_held() {
    // 8 clients ask for 32 MiB objects that are never stored and read none of them: the
    // server used to hold each whole body (256 MiB); now it keeps one frame per connection.
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(
        dir.path(),
        "name = \"big\"\n[workload]\nkeys = 100\nvalue_size = { dist = \"fixed\", size = \"32MiB\" }\n[origin]\nlatency = { dist = \"fixed\", ms = 1 }\nuncacheable = 1.0\n[[strategy]]\nname = \"lru\"\nkind = \"lru\"\ncapacity = 10\n",
    );
    let before = served.memory("VmRSS");
    let mut readers: Vec<TcpStream> = (0..8)
        .map(|key| {
            let mut conn = TcpStream::connect(served.addr).unwrap();
            write!(conn, "GET /obj/{key} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
            conn
        })
        .collect();
    let deadline = Instant::now() + STEP;
    while served.stats()["origin_fetches"] != 8 {
        assert!(Instant::now() < deadline, "8 origin fetches: {}", served.stats());
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(500));
    let grown = served.memory("VmRSS").saturating_sub(before);
    assert!(grown < 64 << 20, "RSS grew by {grown} bytes for 8 unread 32 MiB responses");
    // Each is still the whole, correct body when read.
    readers[0].set_read_timeout(Some(PATIENCE)).unwrap();
    let answer = read_answer(&mut readers[0], false).unwrap().unwrap();
    assert_eq!((answer.status, answer.torn), (200, false));
    assert_eq!(answer.header("cache-control"), Some("no-store"));
    assert!(origin::verify(0, 32 << 20, &answer.body));
}

/// One element of `items`, at random.
fn pick<'a, T: ?Sized>(rng: &mut StdRng, items: &[&'a T]) -> &'a T {
    items[rng.random_range(0..items.len())]
}

/// Random bytes, as many as a draw from `len` says.
fn noise(rng: &mut StdRng, len: std::ops::Range<usize>) -> Vec<u8> {
    let len = rng.random_range(len);
    (0..len).map(|_| rng.random::<u8>()).collect()
}

/// A `size` query value: mostly hostile (huge, negative, not a number), sometimes valid.
fn size_value(rng: &mut StdRng) -> String {
    match rng.random_range(0..15) {
        0 => "4294967295".into(),
        10 => "4294967296".into(),
        11 => "3000000000".into(),
        12 => (1u32 << 30).to_string(),
        1 => "-1".into(),
        2 => "abc".into(),
        3 => String::new(),
        4 => "99999999999999999999999999".into(),
        5 => (MAX + 1).to_string(),
        6 => MAX.to_string(),
        7 => "1e9".into(),
        8 => "%31%30".into(),
        9 => " 10".into(),
        _ => rng.random_range(0..=MAX).to_string(),
    }
}

/// A request target: object paths, odd paths, very long ones, invalid UTF-8; often with a
/// query string.
fn target(rng: &mut StdRng) -> Vec<u8> {
    let mut t: Vec<u8> = match rng.random_range(0..12) {
        0 => format!("/obj/{}", rng.random::<u64>()).into(),
        1 => "/obj/-1".into(),
        2 => "/obj/".into(),
        3 => "/_cachelab/stats".into(),
        4 => "/../../etc/passwd".into(),
        5 => "*".into(),
        6 => format!("http://localhost/obj/{}", rng.random_range(0..100)).into(),
        7 => format!("/obj/{}", "9".repeat(rng.random_range(20..30_000))).into(),
        8 => {
            let mut t = b"/obj/".to_vec();
            t.extend((0..rng.random_range(1..20)).map(|_| rng.random_range(0x80..=0xffu8)));
            t
        }
        9 => noise(rng, 1..50),
        _ => format!("/obj/{}", rng.random_range(0..100)).into(),
    };
    if rng.random_bool(0.6) {
        t.push(b'?');
        for i in 0..rng.random_range(1..4) {
            if i > 0 {
                t.push(b'&');
            }
            match rng.random_range(0..5) {
                0..=2 => t.extend(format!("size={}", size_value(rng)).bytes()),
                3 => t.extend(pick(rng, &["size", "&&", "=", "v=1", "size=1&size=2"]).bytes()),
                _ => t.extend(noise(rng, 1..20)),
            }
        }
    }
    t
}

/// One header line (without its line ending): well-known ones with odd values, random ones,
/// very long and invalid ones.
fn header(rng: &mut StdRng) -> Vec<u8> {
    match rng.random_range(0..14) {
        0 => b"Host: localhost".to_vec(),
        1 | 2 => {
            let length = pick(
                rng,
                &["0", "5", "-1", "abc", "10000000000", "18446744073709551616", "1048577", "5, 6", ""],
            );
            format!("Content-Length: {length}").into_bytes()
        }
        3 => format!(
            "Transfer-Encoding: {}",
            pick(rng, &["chunked", "gzip, chunked", "chunked, gzip", "identity"])
        )
        .into_bytes(),
        4 => b"Expect: 100-continue".to_vec(),
        5 => format!("Connection: {}", pick(rng, &["close", "keep-alive", "upgrade", "\x01"])).into_bytes(),
        6 => b"Upgrade: h2c".to_vec(),
        7 => format!("X-Long: {}", "a".repeat(rng.random_range(100..20_000))).into_bytes(),
        8 => {
            let mut h = b"X-Bytes: ".to_vec();
            h.extend(noise(rng, 1..40));
            h
        }
        9 => b"No colon here".to_vec(),
        10 => b" folded continuation".to_vec(),
        11 => b"Cache-Control: no-cache".to_vec(),
        _ => format!("X-{}: {}", rng.random::<u32>(), rng.random::<u64>()).into_bytes(),
    }
}

/// A body for a request: none, random bytes, valid or broken chunked framing, or more than
/// the largest value.
fn body(rng: &mut StdRng) -> Vec<u8> {
    match rng.random_range(0..8) {
        0..=2 => Vec::new(),
        3 => noise(rng, 1..3000),
        4 => b"5\r\nhello\r\n0\r\n\r\n".to_vec(),
        5 => b"ffffffffffffffffff\r\nx\r\n".to_vec(),
        6 => {
            let mut chunks = Vec::new();
            for _ in 0..17 {
                chunks.extend_from_slice(b"10000\r\n");
                chunks.extend(std::iter::repeat_n(b'z', 0x10000));
                chunks.extend_from_slice(b"\r\n");
            }
            chunks
        }
        _ => b"0\r\n\r\n".to_vec(),
    }
}

/// One hostile request: bytes, and whether its method is `HEAD` (its answer has no body).
fn hostile(rng: &mut StdRng) -> (Vec<u8>, bool) {
    if rng.random_bool(0.1) {
        return (noise(rng, 0..4096), false);
    }
    // Half of them are well framed (method, version, line ends, header syntax), so that their
    // hostile targets, sizes, lengths and bodies get past the parser to the server's code.
    if rng.random_bool(0.5) {
        return framed(rng);
    }
    let method: Vec<u8> = match rng.random_range(0..14) {
        0 => "X".repeat(rng.random_range(50..5000)).into_bytes(),
        1 => noise(rng, 1..10),
        2 => Vec::new(),
        _ => pick(
            rng,
            &[
                "GET", "GET", "HEAD", "PUT", "PUT", "POST", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT",
                "get", "G T",
            ],
        )
        .into(),
    };
    let version =
        pick(rng, &["HTTP/1.1", "HTTP/1.1", "HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/9.9", "", "http/1.1"]);
    let eol: &[u8] = match rng.random_range(0..10) {
        0 => b"\n",
        1 => b"\r",
        _ => b"\r\n",
    };
    let mut bytes = method.clone();
    bytes.push(b' ');
    bytes.extend(target(rng));
    bytes.push(b' ');
    bytes.extend(version.bytes());
    bytes.extend_from_slice(eol);
    for _ in 0..rng.random_range(0..8) {
        bytes.extend(header(rng));
        bytes.extend_from_slice(eol);
    }
    bytes.extend_from_slice(eol);
    bytes.extend(body(rng));
    if rng.random_bool(0.15) {
        bytes.truncate(rng.random_range(0..=bytes.len()));
    }
    if rng.random_bool(0.1) {
        bytes.extend_from_slice(b"GET /obj/1 HTTP/1.1\r\nHost: x\r\n\r\n");
    }
    (bytes, method == b"HEAD")
}

/// A well-framed request (`GET`, `HEAD` or `PUT`, HTTP/1.1, CRLF, well-formed headers) with
/// a hostile target, headers and body; and whether it is a `HEAD`.
fn framed(rng: &mut StdRng) -> (Vec<u8>, bool) {
    let method = pick(rng, &["GET", "GET", "HEAD", "PUT"]);
    let mut bytes = method.as_bytes().to_vec();
    bytes.push(b' ');
    bytes.extend(target(rng));
    bytes.extend_from_slice(b" HTTP/1.1\r\nHost: x\r\n");
    for _ in 0..rng.random_range(0..4) {
        let line = header(rng);
        if line.contains(&b':') && !line.starts_with(b" ") && line.is_ascii() {
            bytes.extend(line);
            bytes.extend_from_slice(b"\r\n");
        }
    }
    bytes.extend_from_slice(b"\r\n");
    bytes.extend(body(rng));
    (bytes, method == "HEAD")
}

/// A valid request whose answer is known: a `GET` (checked against the origin) or a `PUT`
/// of the origin's body (204). Its query carries `fuzz-check`, which hostile requests never
/// do, so no hostile `PUT` can have stored something else under its URL.
fn valid(rng: &mut StdRng) -> (Vec<u8>, u64, u32, bool) {
    let key = rng.random_range(0..50u64);
    let sizes = ValueSize::Uniform { min: ByteSize(100), max: ByteSize(u64::from(MAX)) };
    let (query, size) = if rng.random_bool(0.5) {
        let size = rng.random_range(0..=MAX);
        (format!("size={size}&fuzz-check"), size)
    } else {
        ("fuzz-check".to_string(), sizes.size_of(FUZZ_SEED, key))
    };
    if rng.random_bool(0.2) {
        let mut put = format!("PUT /obj/{key}?{query} HTTP/1.1\r\nHost: x\r\nContent-Length: {size}\r\n\r\n")
            .into_bytes();
        put.extend_from_slice(&origin::body(key, size));
        (put, key, size, true)
    } else {
        (format!("GET /obj/{key}?{query} HTTP/1.1\r\nHost: x\r\n\r\n").into_bytes(), key, size, false)
    }
}

/// Sends `bytes` a few at a time, a pause between them, for at most `budget` (a slow
/// client); stops when the server stops taking them.
fn trickle(conn: &mut TcpStream, bytes: &[u8], rng: &mut StdRng, budget: Duration) {
    let started = Instant::now();
    for part in bytes.chunks(rng.random_range(1..64)) {
        if started.elapsed() > budget || conn.write_all(part).is_err() {
            return;
        }
        std::thread::sleep(Duration::from_millis(rng.random_range(100..800)));
    }
}

/// What the fuzzer's connections got.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    /// Connections opened.
    cases: u64,
    /// Of which valid requests (each answered correctly).
    valid: u64,
    /// Hostile requests answered with a well-formed response.
    answered: u64,
    /// Hostile requests whose well-formed response was cut short by a close (after a
    /// malformed request pipelined behind them; see [`Answer::torn`]).
    torn: u64,
    /// Hostile requests whose connection was closed without a response.
    closed: u64,
}

/// Runs random connections against `addr` until `until`. Panics on the first connection that
/// gets neither a well-formed answer nor a close, or a wrong answer to a valid request.
fn fuzz(addr: SocketAddr, seed: u64, until: Instant) -> Tally {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut tally = Tally::default();
    while Instant::now() < until {
        tally.cases += 1;
        let cases = tally.cases;
        let mut conn = TcpStream::connect(addr).unwrap();
        conn.set_read_timeout(Some(PATIENCE)).unwrap();
        if rng.random_bool(0.3) {
            let (bytes, key, size, put) = valid(&mut rng);
            conn.write_all(&bytes).unwrap();
            let answer = read_answer(&mut conn, false)
                .unwrap_or_else(|e| panic!("seed {seed} case {cases}: {e}"))
                .unwrap_or_else(|| {
                    panic!("seed {seed} case {cases}: a valid request closed without an answer")
                });
            assert!(!answer.torn, "seed {seed} case {cases}: a valid request's answer was cut short");
            if put {
                assert_eq!(answer.status, 204, "seed {seed} case {cases}: PUT {key} {size}: {answer:?}");
            } else {
                assert_eq!(answer.status, 200, "seed {seed} case {cases}: GET {key} {size}: {}", answer.head);
                assert!(
                    origin::verify(key, size, &answer.body),
                    "seed {seed} case {cases}: body of {key} {size}"
                );
            }
            tally.valid += 1;
            continue;
        }
        let (bytes, head) = hostile(&mut rng);
        if rng.random_bool(0.04) {
            trickle(&mut conn, &bytes, &mut rng, BODY_READ_TIMEOUT + Duration::from_secs(1));
        } else {
            let _ = conn.write_all(&bytes);
        }
        match read_answer(&mut conn, head) {
            Ok(Some(answer)) if answer.torn => tally.torn += 1,
            Ok(Some(_)) => tally.answered += 1,
            Ok(None) => tally.closed += 1,
            Err(e) => {
                let shown = String::from_utf8_lossy(&bytes[..bytes.len().min(300)]);
                panic!("seed {seed} case {cases}: {e}; sent {} bytes: {shown:?}", bytes.len());
            }
        }
    }
    tally
}

#[test]
fn fuzzed_requests_get_answers_or_closes_and_leave_the_server_well() {
    const CONNECTIONS: u64 = 24;
    const FUZZ_FOR: Duration = Duration::from_secs(15);
    let dir = tempfile::tempdir().unwrap();
    let mut served = Served::start(dir.path(), FUZZ_SCENARIO);
    let addr = served.addr;
    let until = Instant::now() + FUZZ_FOR;
    let workers: Vec<_> =
        (0..CONNECTIONS).map(|i| std::thread::spawn(move || fuzz(addr, 0xF022 + i, until))).collect();
    let mut total = Tally::default();
    let mut failures = Vec::new();
    for worker in workers {
        match worker.join() {
            Ok(t) => {
                total.cases += t.cases;
                total.valid += t.valid;
                total.answered += t.answered;
                total.torn += t.torn;
                total.closed += t.closed;
            }
            Err(e) => failures.push(e.downcast_ref::<String>().cloned().unwrap_or_else(|| "a panic".into())),
        }
    }
    assert!(failures.is_empty(), "{} workers failed, first: {}", failures.len(), failures[0]);
    eprintln!("fuzzed connections: {total:?}");
    assert!(total.cases > 500, "only {total:?} in {FUZZ_FOR:?}");
    assert!(
        total.answered > 2 * (total.closed + total.torn),
        "most hostile requests get a whole response: {total:?}"
    );

    assert!(served.alive(), "the server survived");
    let answer = get(addr, "/obj/1");
    assert_eq!(answer.status, 200, "{answer:?}");
    let size = ValueSize::Uniform { min: ByteSize(100), max: ByteSize(u64::from(MAX)) }.size_of(FUZZ_SEED, 1);
    assert!(origin::verify(1, size, &answer.body), "a normal GET /obj/1 is still answered correctly");
    let stats = served.stats();
    assert!(stats["requests"].as_u64().unwrap() >= total.valid, "{stats}");
    let peak = served.memory("VmHWM");
    eprintln!("peak RSS {} MiB, now {} MiB; {stats}", peak >> 20, served.memory("VmRSS") >> 20);
    assert!(peak < 1 << 30, "peak RSS {peak} bytes");
    let (status, stderr) = served.stop();
    assert!(status.success(), "exits 0 on Ctrl-C, no crash: {status:?}: {stderr}");
}

//! A minimal client of memcached's text protocol over tokio: the few commands cachelab needs
//! (`get`, `set` with an expiry, pipelined `delete ... noreply`, `stats`, `version` and
//! `lru_crawler metadump all`), on one connection, and a [`Pool`] of such connections.
//!
//! Written here rather than taken from a crate: `async-memcached` pulls an HTTP client stack
//! (toxiproxy_rust) into normal builds, `memcache-async` has neither `stats` nor `metadump`,
//! and `memcache` is blocking; none reconnects or bounds an operation in time, which a
//! benchmark that must survive a dead server needs. The protocol is memcached's
//! `doc/protocol.txt`.

use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufStream};
use tokio::net::TcpStream;
use tokio::sync::{Mutex, MutexGuard};

/// Longest key memcached accepts (bytes, no spaces or control characters).
pub const MAX_KEY_LEN: usize = 250;

/// Why a command failed.
#[derive(Debug)]
pub enum McError {
    /// The connection broke or the reply made no sense: the connection must be dropped.
    Io(io::Error),
    /// The server refused the command (`SERVER_ERROR object too large for cache`, say): the
    /// connection is still in step and can be reused.
    Server(String),
}

impl std::fmt::Display for McError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            McError::Io(e) => write!(f, "memcached: {e}"),
            McError::Server(reply) => write!(f, "memcached: {reply}"),
        }
    }
}

impl From<io::Error> for McError {
    fn from(e: io::Error) -> Self {
        McError::Io(e)
    }
}

fn garbled(what: &str, line: &str) -> McError {
    McError::Io(io::Error::new(io::ErrorKind::InvalidData, format!("unexpected reply to {what}: {line:?}")))
}

/// One connection to a memcached server.
pub struct Connection {
    stream: BufStream<TcpStream>,
    line: String,
}

impl Connection {
    /// Connects to `addr` (`host:port`).
    pub async fn connect(addr: &str) -> io::Result<Connection> {
        let socket = TcpStream::connect(addr).await?;
        socket.set_nodelay(true)?;
        Ok(Connection { stream: BufStream::new(socket), line: String::new() })
    }

    /// Reads one reply line, without its line end.
    async fn read_line(&mut self) -> io::Result<&str> {
        self.line.clear();
        if self.stream.read_line(&mut self.line).await? == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the server closed the connection"));
        }
        Ok(self.line.trim_end_matches(['\r', '\n']))
    }

    /// An error line (`SERVER_ERROR ...`, `CLIENT_ERROR ...`, `ERROR`) as a refusal.
    fn refusal(line: &str) -> Option<McError> {
        let refused = line.starts_with("SERVER_ERROR") || line.starts_with("CLIENT_ERROR") || line == "ERROR";
        refused.then(|| McError::Server(line.to_string()))
    }

    /// The value stored under `key`, if any.
    pub async fn get(&mut self, key: &str) -> Result<Option<Bytes>, McError> {
        debug_assert!(key.len() <= MAX_KEY_LEN && !key.contains(' '), "bad memcached key {key:?}");
        self.stream.write_all(format!("get {key}\r\n").as_bytes()).await?;
        self.stream.flush().await?;
        let line = self.read_line().await?;
        if line == "END" {
            return Ok(None);
        }
        if let Some(e) = Self::refusal(line) {
            return Err(e);
        }
        // VALUE <key> <flags> <bytes>
        let len: usize = match line.strip_prefix("VALUE ").map(|l| l.split(' ').collect::<Vec<_>>()) {
            Some(f) if f.len() >= 3 && f[0] == key => f[2].parse().map_err(|_| garbled("get", line))?,
            _ => return Err(garbled("get", line)),
        };
        let mut value = vec![0; len + 2];
        self.stream.read_exact(&mut value).await?;
        if !value.ends_with(b"\r\n") {
            return Err(garbled("get", "a value not followed by \\r\\n"));
        }
        value.truncate(len);
        let end = self.read_line().await?;
        if end != "END" {
            return Err(garbled("get", end));
        }
        Ok(Some(Bytes::from(value)))
    }

    /// Stores `value` under `key`, expiring after `exptime` seconds (0: never; memcached reads
    /// more than 30 days as a Unix time).
    pub async fn set(&mut self, key: &str, value: &[u8], exptime: u32) -> Result<(), McError> {
        debug_assert!(key.len() <= MAX_KEY_LEN && !key.contains(' '), "bad memcached key {key:?}");
        let head = format!("set {key} 0 {exptime} {}\r\n", value.len());
        self.stream.write_all(head.as_bytes()).await?;
        self.stream.write_all(value).await?;
        self.stream.write_all(b"\r\n").await?;
        self.stream.flush().await?;
        let line = self.read_line().await?;
        match line {
            "STORED" => Ok(()),
            "NOT_STORED" => Err(McError::Server(line.to_string())),
            _ => Err(Self::refusal(line).unwrap_or_else(|| garbled("set", line))),
        }
    }

    /// Deletes `keys` (pipelined, `noreply`), then waits until the server has read them all.
    pub async fn delete_all(&mut self, keys: &[String]) -> Result<(), McError> {
        for key in keys {
            self.stream.write_all(format!("delete {key} noreply\r\n").as_bytes()).await?;
        }
        self.version().await.map(drop)
    }

    /// The server's version, e.g. `1.6.18`.
    pub async fn version(&mut self) -> Result<String, McError> {
        self.stream.write_all(b"version\r\n").await?;
        self.stream.flush().await?;
        let line = self.read_line().await?;
        match line.strip_prefix("VERSION ") {
            Some(v) => Ok(v.to_string()),
            None => Err(Self::refusal(line).unwrap_or_else(|| garbled("version", line))),
        }
    }

    /// `stats` (or `stats <group>`, e.g. `settings`) as name, value pairs.
    pub async fn stats(&mut self, group: Option<&str>) -> Result<Vec<(String, String)>, McError> {
        let cmd = match group {
            Some(g) => format!("stats {g}\r\n"),
            None => "stats\r\n".to_string(),
        };
        self.stream.write_all(cmd.as_bytes()).await?;
        self.stream.flush().await?;
        let mut stats = Vec::new();
        loop {
            let line = self.read_line().await?;
            if line == "END" {
                return Ok(stats);
            }
            if let Some(e) = Self::refusal(line) {
                return Err(e);
            }
            match line.strip_prefix("STAT ").and_then(|l| l.split_once(' ')) {
                Some((name, value)) => stats.push((name.to_string(), value.to_string())),
                None => return Err(garbled("stats", line)),
            }
        }
    }

    /// Asks for every key the server holds (`lru_crawler metadump all`, memcached ≥ 1.4.31);
    /// read them with [`Connection::next_key`] until it returns None.
    pub async fn metadump(&mut self) -> Result<(), McError> {
        self.stream.write_all(b"lru_crawler metadump all\r\n").await?;
        self.stream.flush().await.map_err(McError::Io)
    }

    /// The next key of a [`Connection::metadump`], decoded (None: the end). Fails if the server
    /// has no LRU crawler (disabled, or a proxy) or it is busy with another request.
    pub async fn next_key(&mut self) -> Result<Option<String>, McError> {
        let line = self.read_line().await?;
        if line == "END" {
            return Ok(None);
        }
        // key=<uri-encoded key> exp=... la=... cas=... fetch=... cls=... size=...
        match line.strip_prefix("key=") {
            Some(rest) => Ok(Some(uri_decode(rest.split(' ').next().unwrap_or("")))),
            None => Err(McError::Server(format!("lru_crawler metadump all: {line}"))),
        }
    }
}

/// Undoes memcached's URI encoding of keys in a metadump (`%3A` is `:`).
fn uri_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex =
            bytes.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Connections to one server, each used by one operation at a time; a connection that broke
/// or timed out is dropped and reopened by the next operation that needs it.
pub struct Pool {
    addr: String,
    slots: Vec<Mutex<Option<Connection>>>,
    next: AtomicUsize,
}

/// A connection taken from its slot for one operation. Dropped without [`Lease::finish`] (the
/// operation was cancelled by its timeout), the connection is closed: it may be mid-reply.
pub struct Lease<'a> {
    slot: MutexGuard<'a, Option<Connection>>,
    /// The connection to use.
    pub conn: Connection,
}

impl Lease<'_> {
    /// Returns the connection to its slot unless `result` says it broke.
    pub fn finish<T>(self, result: &Result<T, McError>) {
        if !matches!(result, Err(McError::Io(_))) {
            let Lease { mut slot, conn } = self;
            *slot = Some(conn);
        }
    }
}

impl Pool {
    /// A pool of `size` connections to `addr`, opened as needed.
    pub fn new(addr: impl Into<String>, size: usize) -> Pool {
        Pool {
            addr: addr.into(),
            slots: (0..size.max(1)).map(|_| Mutex::new(None)).collect(),
            next: AtomicUsize::new(0),
        }
    }

    /// The server's `host:port`.
    pub fn addr(&self) -> &str {
        &self.addr
    }

    /// The next connection in turn, (re)connecting if its slot has none.
    pub async fn lease(&self) -> Result<Lease<'_>, McError> {
        let mut slot = self.slots[self.next.fetch_add(1, Ordering::Relaxed) % self.slots.len()].lock().await;
        let conn = match slot.take() {
            Some(conn) => conn,
            None => Connection::connect(&self.addr).await?,
        };
        Ok(Lease { slot, conn })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadump_keys_are_uri_decoded() {
        assert_eq!(uri_decode("cachelab%3Aab%3A42"), "cachelab:ab:42");
        assert_eq!(uri_decode("plain"), "plain");
        assert_eq!(uri_decode("bad%zz%4"), "bad%zz%4");
    }
}

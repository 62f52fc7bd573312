//! Keys on a memcached server, read and written with the text protocol directly (not through
//! the strategy under test): foreign keys a test plants and checks, and the keys under a
//! prefix, listed with `lru_crawler metadump all`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

fn connect(addr: &str) -> (BufReader<TcpStream>, TcpStream) {
    let conn = TcpStream::connect(addr).unwrap_or_else(|e| panic!("memcached at {addr}: {e}"));
    conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    (BufReader::new(conn.try_clone().unwrap()), conn)
}

fn line(reader: &mut BufReader<TcpStream>) -> String {
    let mut l = String::new();
    reader.read_line(&mut l).unwrap();
    l.trim_end().to_string()
}

/// Stores `value` under `key` with no expiry.
pub fn set(addr: &str, key: &str, value: &[u8]) {
    let (mut reader, mut writer) = connect(addr);
    writer.write_all(format!("set {key} 0 0 {}\r\n", value.len()).as_bytes()).unwrap();
    writer.write_all(value).unwrap();
    writer.write_all(b"\r\n").unwrap();
    assert_eq!(line(&mut reader), "STORED");
}

/// The value under `key`, if any.
pub fn get(addr: &str, key: &str) -> Option<Vec<u8>> {
    let (mut reader, mut writer) = connect(addr);
    writer.write_all(format!("get {key}\r\n").as_bytes()).unwrap();
    let head = line(&mut reader);
    if head == "END" {
        return None;
    }
    let len: usize = head.rsplit(' ').next().unwrap().parse().unwrap();
    let mut value = vec![0; len + 2];
    reader.read_exact(&mut value).unwrap();
    value.truncate(len);
    assert_eq!(line(&mut reader), "END");
    Some(value)
}

/// How many keys the server holds under `prefix` (the crawler's list, URI-decoded enough for
/// cachelab's keys: `:` is `%3A`).
pub fn count_under(addr: &str, prefix: &str) -> usize {
    let (mut reader, mut writer) = connect(addr);
    writer.write_all(b"lru_crawler metadump all\r\n").unwrap();
    let encoded = prefix.replace(':', "%3A");
    let mut n = 0;
    loop {
        let l = line(&mut reader);
        if l == "END" {
            return n;
        }
        let key = l.strip_prefix("key=").unwrap_or_else(|| panic!("metadump: {l}"));
        n += usize::from(key.starts_with(&encoded));
    }
}

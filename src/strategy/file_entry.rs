//! On-disk format and naming of the file strategy's entries.
//!
//! An entry is one file `<root>/<a>/<b>/<key as 16 hex digits>`, where `a` and `b` are the
//! top two hex digits of a hash of the key. The fan-out keeps directories small (a 1 GiB cache
//! of 4 KiB entries has ~1,000 files per directory) while adding at most 272 directories, about
//! 1 MiB on a filesystem with 4 KiB blocks; a wider fan-out (65,536 directories) would cost
//! more disk than a small cache holds. The file is a fixed header followed by the body:
//!
//! | bytes | field                                                         |
//! |-------|---------------------------------------------------------------|
//! | 8     | magic `CLABFC\0\x01` (format version 1)                       |
//! | 8     | key, little endian                                            |
//! | 8     | body length, little endian                                    |
//! | 8     | expiry as Unix time in ms, little endian (0: never)           |
//! | 4     | CRC-32 of the 24 bytes of key, length, expiry and of the body |
//!
//! Entries are written to a temporary file `.cachelab-tmp.<pid>.<n>` in the same directory
//! and renamed into place, so an entry is either whole or absent.

use std::path::{Path, PathBuf};

use crate::model::hash::mix64;

/// First bytes of every file the file strategy writes (entries and temporary files).
pub const MAGIC: [u8; 8] = *b"CLABFC\x00\x01";
/// Length of the header in front of the body.
pub const HEADER_LEN: usize = 36;
/// Name prefix of temporary files.
const TEMP_PREFIX: &str = ".cachelab-tmp.";

/// What a header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// The entry's key.
    pub key: u64,
    /// Body length in bytes.
    pub len: u64,
    /// Expiry as Unix time in milliseconds (0: never).
    pub expires_unix_ms: u64,
    /// CRC-32 of key, length, expiry and body.
    pub crc: u32,
}

/// Why stored bytes are not a valid entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Damage {
    /// The file does not start with [`MAGIC`]: not ours (or overwritten).
    NotOurs,
    /// Shorter or longer than its header says.
    Truncated,
    /// The header names another key than the file name.
    WrongKey,
    /// The checksum does not match.
    Checksum,
}

impl Header {
    /// The header of an entry holding `body` for `key`.
    pub fn new(key: u64, body: &[u8], expires_unix_ms: u64) -> Header {
        let len = body.len() as u64;
        let mut h = Header { key, len, expires_unix_ms, crc: 0 };
        h.crc = h.checksum(body);
        h
    }

    /// The header's bytes.
    pub fn encode(&self) -> [u8; HEADER_LEN] {
        let mut out = [0u8; HEADER_LEN];
        out[..8].copy_from_slice(&MAGIC);
        out[8..16].copy_from_slice(&self.key.to_le_bytes());
        out[16..24].copy_from_slice(&self.len.to_le_bytes());
        out[24..32].copy_from_slice(&self.expires_unix_ms.to_le_bytes());
        out[32..36].copy_from_slice(&self.crc.to_le_bytes());
        out
    }

    /// Reads a header from the first [`HEADER_LEN`] bytes of `bytes`.
    pub fn decode(bytes: &[u8]) -> Result<Header, Damage> {
        if !bytes.starts_with(&MAGIC) {
            return Err(if MAGIC.starts_with(bytes) { Damage::Truncated } else { Damage::NotOurs });
        }
        if bytes.len() < HEADER_LEN {
            return Err(Damage::Truncated);
        }
        let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
        Ok(Header {
            key: word(8),
            len: word(16),
            expires_unix_ms: word(24),
            crc: u32::from_le_bytes(bytes[32..36].try_into().expect("4 bytes")),
        })
    }

    /// Total file length of this entry.
    pub fn file_len(&self) -> u64 {
        HEADER_LEN as u64 + self.len
    }

    fn checksum(&self, body: &[u8]) -> u32 {
        let mut h = crc32fast::Hasher::new();
        h.update(&self.key.to_le_bytes());
        h.update(&self.len.to_le_bytes());
        h.update(&self.expires_unix_ms.to_le_bytes());
        h.update(body);
        h.finalize()
    }
}

/// Checks a whole entry file read for `key` and returns its header; the body is
/// `data[HEADER_LEN..]`.
pub fn verify(key: u64, data: &[u8]) -> Result<Header, Damage> {
    let header = Header::decode(data)?;
    if header.key != key {
        return Err(Damage::WrongKey);
    }
    if data.len() as u64 != header.file_len() {
        return Err(Damage::Truncated);
    }
    if header.checksum(&data[HEADER_LEN..]) != header.crc {
        return Err(Damage::Checksum);
    }
    Ok(header)
}

/// The fan-out directory of `key`, as an index 0..256 (`a` in the high nibble).
pub fn shard(key: u64) -> u8 {
    (mix64(key) >> 56) as u8
}

/// `<root>/<a>/<b>` for shard `s`.
pub fn shard_dir(root: &Path, s: u8) -> PathBuf {
    root.join(format!("{:x}", s >> 4)).join(format!("{:x}", s & 0xf))
}

/// Where the entry of `key` lives.
pub fn entry_path(root: &Path, key: u64) -> PathBuf {
    shard_dir(root, shard(key)).join(format!("{key:016x}"))
}

/// A temporary file name in `dir`, unique for this process and sequence number.
pub fn temp_path(dir: &Path, seq: u64) -> PathBuf {
    dir.join(format!("{TEMP_PREFIX}{}.{seq}", std::process::id()))
}

/// The key an entry file name stands for (16 lowercase hex digits), if it is one.
pub fn parse_entry_name(name: &str) -> Option<u64> {
    if name.len() == 16 && name.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        u64::from_str_radix(name, 16).ok()
    } else {
        None
    }
}

/// Whether `name` is a temporary file name of ours.
pub fn is_temp_name(name: &str) -> bool {
    name.strip_prefix(TEMP_PREFIX).is_some_and(|rest| {
        let mut parts = rest.split('.');
        let numeric =
            |p: Option<&str>| p.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        numeric(parts.next()) && numeric(parts.next()) && parts.next().is_none()
    })
}

/// The fan-out component a directory name stands for (1 lowercase hex digit), if it is one.
pub fn parse_shard_component(name: &str) -> Option<u8> {
    match name.as_bytes() {
        [b] if b.is_ascii_digit() || (b'a'..=b'f').contains(b) => u8::from_str_radix(name, 16).ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(key: u64, body: &[u8]) -> Vec<u8> {
        let mut data = Header::new(key, body, 0).encode().to_vec();
        data.extend_from_slice(body);
        data
    }

    #[test]
    fn an_entry_round_trips_and_every_damage_is_named() {
        let data = entry(42, b"hello world");
        let h = verify(42, &data).unwrap();
        assert_eq!((h.key, h.len), (42, 11));
        assert_eq!(&data[HEADER_LEN..], b"hello world");
        assert_eq!(verify(43, &data), Err(Damage::WrongKey));
        assert_eq!(verify(42, &data[..data.len() - 1]), Err(Damage::Truncated));
        assert_eq!(verify(42, &data[..5]), Err(Damage::Truncated));
        let mut flipped = data.clone();
        flipped[HEADER_LEN + 3] ^= 0x10;
        assert_eq!(verify(42, &flipped), Err(Damage::Checksum));
        let mut foreign = data;
        foreign[0] = b'X';
        assert_eq!(verify(42, &foreign), Err(Damage::NotOurs));
        assert_eq!(verify(42, b""), Err(Damage::Truncated));
    }

    #[test]
    fn names_parse_back() {
        let root = Path::new("/c");
        let p = entry_path(root, 0xdead_beef);
        let name = p.file_name().unwrap().to_str().unwrap();
        assert_eq!(parse_entry_name(name), Some(0xdead_beef));
        assert_eq!(p.parent().unwrap(), shard_dir(root, shard(0xdead_beef)));
        assert_eq!(parse_entry_name("00000000DEADBEEF"), None, "uppercase is not ours");
        assert_eq!(parse_entry_name("readme.txt"), None);
        let t = temp_path(root, 7);
        assert!(is_temp_name(t.file_name().unwrap().to_str().unwrap()));
        assert!(!is_temp_name(".cachelab-tmp.x.1"));
        assert!(!is_temp_name(".cachelab-tmp.1.2.3"));
        assert_eq!(parse_shard_component("a"), Some(0xa));
        assert_eq!(parse_shard_component("A"), None);
        assert_eq!(parse_shard_component("ab"), None);
    }
}

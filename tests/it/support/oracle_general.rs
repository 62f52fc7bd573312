//! Reading libCacheSim's oracleGeneral traces directly (not through cachelab's reader), so
//! tests compare cachelab with an independent decoding of the same file.

use std::io::Read;
use std::path::Path;

/// One record: object id, size, and the raw next-access field (1-based request index of the
/// object's next request, or negative for never).
pub type RawRecord = (u64, u32, i64);

/// Every record of a zstd-compressed oracleGeneral trace (`u32 time, u64 id, u32 size,
/// i64 next`, little-endian).
pub fn records(path: &Path) -> Vec<RawRecord> {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut raw = Vec::new();
    zstd::Decoder::new(file).expect("zstd").read_to_end(&mut raw).expect("decompress");
    assert_eq!(raw.len() % 24, 0, "{}: not whole 24-byte records", path.display());
    raw.chunks_exact(24)
        .map(|r| {
            let id = u64::from_le_bytes(r[4..12].try_into().unwrap());
            let size = u32::from_le_bytes(r[12..16].try_into().unwrap());
            let next = i64::from_le_bytes(r[16..24].try_into().unwrap());
            (id, size, next)
        })
        .collect()
}

//! The simulated origin behind every cache: on a miss it produces the key's body.
//!
//! Bodies are deterministic per key (a SplitMix64 stream seeded by the key) so every hit can
//! be verified byte for byte: a strategy that returns a wrong or truncated body is counted as
//! `corrupt`, never as a hit.

use bytes::Bytes;

use crate::workload::hash::mix64;

/// The body the origin serves for `key`: `size` bytes, a pure function of `(key, size)`.
pub fn body(key: u64, size: u32) -> Bytes {
    let size = size as usize;
    let mut buf = Vec::with_capacity(size);
    let mut word = 0u64;
    while buf.len() < size {
        let bytes = mix64(key ^ word.wrapping_mul(0x9E37_79B9_7F4A_7C15)).to_le_bytes();
        let take = (size - buf.len()).min(8);
        buf.extend_from_slice(&bytes[..take]);
        word += 1;
    }
    Bytes::from(buf)
}

/// Whether `value` is exactly the body the origin serves for `(key, size)`.
pub fn verify(key: u64, size: u32, value: &[u8]) -> bool {
    if value.len() != size as usize {
        return false;
    }
    value.chunks(8).enumerate().all(|(word, chunk)| {
        let bytes = mix64(key ^ (word as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)).to_le_bytes();
        chunk == &bytes[..chunk.len()]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_verify_and_damage_is_detected() {
        let b = body(7, 1001);
        assert_eq!(b.len(), 1001);
        assert!(verify(7, 1001, &b));
        assert!(!verify(8, 1001, &b), "another key's body");
        assert!(!verify(7, 1001, &b[..1000]), "truncated");
        let mut flipped = b.to_vec();
        flipped[500] ^= 1;
        assert!(!verify(7, 1001, &flipped), "one bit flipped");
        assert!(verify(1, 0, &body(1, 0)));
    }
}

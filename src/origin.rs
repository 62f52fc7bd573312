//! The simulated origin behind every cache: on a miss it produces the key's body.
//!
//! Bodies are deterministic per key (a SplitMix64 stream seeded by the key) so every hit can
//! be verified byte for byte: a strategy that returns a wrong or truncated body is counted as
//! `corrupt`, never as a hit.
//!
//! Under wall-clock load an [`Origin`] also takes time: each fetch sleeps a delay drawn from
//! the scenario's `[origin] latency` distribution ([`LatencySpec`]).

mod latency;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use serde::{Deserialize, Serialize};

pub use latency::{LatencySampler, LatencySpec, MAX_LATENCY};

use crate::model::hash::mix64;
use crate::model::units::Fraction;

/// The `[origin]` section of a scenario: how the simulated backend behind the cache behaves.
/// Only wall-clock runs (`[load]`) use it; simulation counts origin fetches but takes no time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OriginSpec {
    /// Response time of one fetch; default `{ dist = "lognormal", p50_ms = 20, p99_ms = 120 }`.
    #[serde(default)]
    pub latency: LatencySpec,
    /// Share of keys (0..=1, chosen per key from the seed) the origin marks
    /// `Cache-Control: no-store`, so caches never keep them; default 0. Only HTTP mode
    /// (`mode = "http"`, `cachelab serve`) reads `Cache-Control`.
    #[serde(default)]
    pub uncacheable: Fraction,
    /// Serve this origin over HTTP at this address for the whole run (`"127.0.0.1:PORT"`), as
    /// `cachelab origin` does, so a cache cachelab does not own (`kind = "http"`) can be
    /// configured with it as its upstream. Needed by `kind = "http"` strategies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listen: Option<SocketAddr>,
}

/// The simulated origin of a load run: every fetch sleeps its sampled delay, then returns the
/// key's deterministic [`body`]. Counts the fetches it served.
///
/// Delays use tokio's timer, whose resolution is 1 ms: a delay is rounded up to the next
/// millisecond tick, so sub-millisecond origins are slower than written.
#[derive(Debug)]
pub struct Origin {
    latency: LatencySampler,
    requests: AtomicU64,
}

impl Origin {
    /// An origin behaving as `spec` says, with delays seeded by `seed`.
    pub fn new(spec: &OriginSpec, seed: u64) -> Self {
        Origin { latency: spec.latency.sampler(seed), requests: AtomicU64::new(0) }
    }

    /// Fetches `key` (a body of `size` bytes) for request number `index`: waits the delay
    /// sampled for that request, then returns the body.
    pub async fn fetch(&self, key: u64, size: u32, index: u64) -> Bytes {
        self.respond(index).await;
        body(key, size)
    }

    /// A fetch without its body, for callers that produce it themselves (in parts, or only
    /// if they keep it): counts request number `index` and waits the delay sampled for it.
    pub async fn respond(&self, index: u64) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let delay = self.latency.delay(index);
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
    }

    /// Fetches started so far.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }
}

/// The body the origin serves for `key`: `size` bytes, a pure function of `(key, size)`.
pub fn body(key: u64, size: u32) -> Bytes {
    body_part(key, 0, size as usize)
}

/// Bytes `offset .. offset + len` of `key`'s bodies (every body of a key is a prefix of one
/// stream): the body of `(key, size)` produced in parts, so it need not be held whole.
pub fn body_part(key: u64, offset: u64, len: usize) -> Bytes {
    let mut buf = Vec::with_capacity(len);
    let mut word = offset / 8;
    let mut skip = (offset % 8) as usize;
    while buf.len() < len {
        let bytes = body_word(key, word).to_le_bytes();
        let take = (len - buf.len()).min(8 - skip);
        buf.extend_from_slice(&bytes[skip..skip + take]);
        skip = 0;
        word += 1;
    }
    Bytes::from(buf)
}

/// Whether `value` is exactly the body the origin serves for `(key, size)`. Compares whole
/// 8-byte words (a slice comparison per word would call `memcmp` each time: this check runs
/// on every hit of every run, and the HTTP client's share of CPU decides its throughput).
pub fn verify(key: u64, size: u32, value: &[u8]) -> bool {
    if value.len() != size as usize {
        return false;
    }
    let mut words = value.chunks_exact(8);
    let whole = (&mut words).zip(0u64..).all(|(chunk, word)| {
        u64::from_le_bytes(chunk.try_into().expect("chunks_exact yields 8 bytes")) == body_word(key, word)
    });
    let tail = words.remainder();
    whole
        && (tail.is_empty() || tail == &body_word(key, (value.len() / 8) as u64).to_le_bytes()[..tail.len()])
}

/// The `word`-th 8 bytes of every body of `key` (a body of any size is a prefix of one stream).
fn body_word(key: u64, word: u64) -> u64 {
    mix64(key ^ word.wrapping_mul(0x9E37_79B9_7F4A_7C15))
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
        let mut tail_flipped = b.to_vec();
        tail_flipped[1000] ^= 0x80;
        assert!(!verify(7, 1001, &tail_flipped), "a bit flipped in the last, partial word");
        assert!(verify(7, 1000, &body(7, 1000)) && !verify(7, 1000, &b[1..]), "shifted by one byte");
        assert_eq!(&body(7, 13)[..], &b[..13], "every body of a key is a prefix of one stream");
        assert!(verify(1, 0, &body(1, 0)));
    }

    #[test]
    fn parts_of_a_body_join_into_the_body() {
        let whole = body(11, 1000);
        for (offset, len) in [(0, 1000), (0, 3), (5, 11), (8, 16), (13, 987), (999, 1), (1000, 0)] {
            let part = body_part(11, offset, len);
            assert_eq!(&part[..], &whole[offset as usize..offset as usize + len], "{offset}+{len}");
        }
        let joined: Vec<u8> = (0..10).flat_map(|i| body_part(11, i * 100, 100).to_vec()).collect();
        assert!(verify(11, 1000, &joined));
    }

    #[tokio::test]
    async fn fetch_sleeps_the_sampled_delay_and_counts() {
        let spec: OriginSpec = toml::from_str("latency = { dist = \"fixed\", ms = 20 }").unwrap();
        let origin = Origin::new(&spec, 1);
        let start = std::time::Instant::now();
        let b = origin.fetch(5, 100, 0).await;
        let took = start.elapsed();
        assert!(
            took >= std::time::Duration::from_millis(20) && took < std::time::Duration::from_millis(500),
            "{took:?}"
        );
        assert!(verify(5, 100, &b));
        origin.fetch(6, 10, 1).await;
        assert_eq!(origin.requests(), 2);
    }

    #[test]
    fn default_origin_is_documented_lognormal() {
        let spec: OriginSpec = toml::from_str("").unwrap();
        assert_eq!(spec.latency, LatencySpec::Lognormal { p50_ms: 20.0, p99_ms: 120.0 });
        let err = toml::from_str::<OriginSpec>("latency = { dist = \"pareto\" }").unwrap_err();
        assert!(err.to_string().contains("pareto"), "{err}");
    }
}

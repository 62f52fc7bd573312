//! The `Cache-Control` policy of the caching server: what the origin's header allows a shared
//! cache to do with a response, and the header the simulated origin writes for an object.

use std::time::Duration;

use headers::{CacheControl, HeaderMapExt};
use hyper::HeaderMap;

/// What the cache may do with a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    /// Never stored (`no-store`, `no-cache`, `private`, or a zero age).
    Never,
    /// Stored, expiring after the given age (None: no expiry stated, kept until evicted).
    Keep(Option<Duration>),
}

/// Reads a response's `Cache-Control` as a shared cache must: `no-store`, `no-cache` (this
/// cache never revalidates) and `private` forbid storing; `s-maxage`, else `max-age`, is the
/// time to live, and an age of zero forbids storing too. No header: stored without expiry.
pub fn storage(headers: &HeaderMap) -> Storage {
    match headers.typed_get::<CacheControl>() {
        Some(cc) => storage_of(&cc),
        None => Storage::Keep(None),
    }
}

/// [`storage`] for directives already parsed.
pub fn storage_of(cc: &CacheControl) -> Storage {
    if cc.no_store() || cc.no_cache() || cc.private() {
        return Storage::Never;
    }
    match cc.s_max_age().or(cc.max_age()) {
        Some(age) if age.is_zero() => Storage::Never,
        age => Storage::Keep(age),
    }
}

/// The directives the simulated origin sends: `no-store` for an uncacheable object, else
/// `public` plus `max-age` when a time to live is set. `max-age` counts whole seconds, so a
/// time to live is rounded up to the next second (at least 1 s).
pub fn origin_directives(cacheable: bool, ttl: Option<Duration>) -> CacheControl {
    if !cacheable {
        return CacheControl::new().with_no_store();
    }
    let cc = CacheControl::new().with_public();
    match ttl {
        Some(t) => {
            let secs = t.as_secs() + u64::from(t.subsec_nanos() > 0);
            cc.with_max_age(Duration::from_secs(secs.max(1)))
        }
        None => cc,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(hyper::header::CACHE_CONTROL, value.parse().unwrap());
        h
    }

    #[test]
    fn directives_map_to_storage() {
        assert_eq!(storage(&HeaderMap::new()), Storage::Keep(None));
        assert_eq!(storage(&with("public")), Storage::Keep(None));
        assert_eq!(storage(&with("max-age=30")), Storage::Keep(Some(Duration::from_secs(30))));
        assert_eq!(storage(&with("max-age=30, s-maxage=5")), Storage::Keep(Some(Duration::from_secs(5))));
        for never in ["no-store", "no-cache", "private, max-age=60", "max-age=0", "public, no-store"] {
            assert_eq!(storage(&with(never)), Storage::Never, "{never}");
        }
    }

    #[test]
    fn origin_header_round_trips_through_the_policy() {
        let round_trip = |cc: CacheControl| {
            let mut h = HeaderMap::new();
            h.typed_insert(cc);
            (storage(&h), h[hyper::header::CACHE_CONTROL].to_str().unwrap().to_string())
        };
        let (s, text) = round_trip(origin_directives(false, Some(Duration::from_secs(9))));
        assert_eq!((s, text.as_str()), (Storage::Never, "no-store"));
        let (s, text) = round_trip(origin_directives(true, Some(Duration::from_millis(1500))));
        assert_eq!(s, Storage::Keep(Some(Duration::from_secs(2))), "{text}");
        assert!(text.contains("max-age=2"), "{text}");
        let (s, _) = round_trip(origin_directives(true, Some(Duration::from_millis(10))));
        assert_eq!(s, Storage::Keep(Some(Duration::from_secs(1))), "rounded up to one second");
        assert_eq!(round_trip(origin_directives(true, None)).0, Storage::Keep(None));
    }
}

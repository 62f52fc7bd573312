//! Per-worker measurements of a load run: HdrHistograms (µs, 1 µs..60 s, 3 significant
//! digits) for get-hit, get-miss, put and end-to-end latency, counters, and one bucket of
//! counters per time-series interval. Each worker owns one recorder (no sharing on the hot
//! path); the run merges them at the end.

use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

use crate::metrics::{Counts, LatencySummary, TimePoint};
use crate::strategy::{MAX_TIERS, tier_slot};

/// Highest latency the histograms hold, µs (60 s); longer values are clamped to it.
const MAX_US: u64 = 60_000_000;

/// What the cache `get` of a read returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GetOutcome {
    /// A verified hit, served by this tier.
    Hit(u8),
    /// Not cached.
    Miss,
    /// A body that failed verification (counted as a miss).
    Corrupt,
}

/// The measurements of one finished request.
#[derive(Debug, Clone, Copy)]
pub struct Outcome {
    /// Outside the warm-up: counted in the results (the time series counts every request).
    pub measured: bool,
    /// When the request finished.
    pub finished: Instant,
    /// From the start of the request (open loop: its intended send time) to the end.
    pub end_to_end: Duration,
    /// Read: what `get` returned and how long it took (None for writes and failed gets).
    pub get: Option<(GetOutcome, Duration)>,
    /// Duration of a successful `put` (write, or fill after a miss).
    pub put: Option<Duration>,
    /// A read, as opposed to a workload write.
    pub read: bool,
    /// Value size in bytes.
    pub size: u32,
    /// The request fetched from the origin.
    pub origin: bool,
    /// A miss that joined another request's origin fetch (HTTP mode, request coalescing).
    pub coalesced: bool,
    /// Cache operations that failed (not counting timeouts).
    pub errors: u8,
    /// Cache operations that timed out.
    pub timeouts: u8,
    /// Open loop: how late the request started after its intended send time (the load
    /// generator's own delay, part of `end_to_end`).
    pub late: Option<Duration>,
}

impl Outcome {
    fn hit(&self) -> bool {
        matches!(self.get, Some((GetOutcome::Hit(_), _)))
    }
}

/// Counters of one time-series interval (every request, warm-up included).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Interval {
    /// Requests completed.
    pub requests: u64,
    /// Reads completed.
    pub reads: u64,
    /// Reads that hit.
    pub hits: u64,
    /// Origin fetches.
    pub origin: u64,
    /// Failed cache operations.
    pub errors: u64,
    /// Timed-out cache operations.
    pub timeouts: u64,
}

/// Field-by-field sum, to merge the same interval of two workers.
impl std::ops::AddAssign<&Interval> for Interval {
    fn add_assign(&mut self, o: &Interval) {
        self.requests += o.requests;
        self.reads += o.reads;
        self.hits += o.hits;
        self.origin += o.origin;
        self.errors += o.errors;
        self.timeouts += o.timeouts;
    }
}

/// One worker's (or, after [`Recorder::merge`], the whole run's) measurements.
#[derive(Debug, Clone)]
pub struct Recorder {
    t0: Instant,
    interval_ns: u64,
    /// The interval the last request fell in and its bounds: the next one almost always falls
    /// in it too, which spares `record` a division.
    current: (usize, Instant, Instant),
    /// Latency of `get`s that hit, µs.
    pub get_hit: Histogram<u64>,
    /// Latency of `get`s that missed (or returned a corrupt body), µs.
    pub get_miss: Histogram<u64>,
    /// Latency of `put`s, µs.
    pub put: Histogram<u64>,
    /// Whole-request latency, µs.
    pub end_to_end: Histogram<u64>,
    /// Counters over measured requests (`evictions` is left to the caller).
    pub counts: Counts,
    /// Measured cache operations that timed out.
    pub timeouts: u64,
    /// Measured origin fetches.
    pub origin: u64,
    /// Requests still in flight [`super::open::DRAIN_GRACE`] after the run's `duration`
    /// ended, which were cancelled (not in any latency or count above).
    pub cancelled: u64,
    /// Measured misses that joined another request's origin fetch.
    pub coalesced: u64,
    /// Measured hits per tier.
    pub tier_hits: [u64; MAX_TIERS],
    /// Per-interval counters; interval `k` covers `[t0 + k·width, t0 + (k+1)·width)`.
    pub intervals: Vec<Interval>,
    /// Open loop: how late measured requests started, µs (None in a closed loop).
    pub late: Option<Histogram<u64>>,
}

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, MAX_US, 3).expect("valid histogram bounds")
}

fn micros(d: Duration) -> u64 {
    d.as_secs().saturating_mul(1_000_000).saturating_add(u64::from(d.subsec_micros()))
}

impl Recorder {
    /// An empty recorder for a run that started at `t0`, with time-series intervals of `width`.
    pub fn new(t0: Instant, width: Duration) -> Self {
        Recorder {
            t0,
            interval_ns: u64::try_from(width.as_nanos()).unwrap_or(u64::MAX).max(1),
            current: (0, t0, t0),
            get_hit: histogram(),
            get_miss: histogram(),
            put: histogram(),
            end_to_end: histogram(),
            counts: Counts::default(),
            timeouts: 0,
            origin: 0,
            cancelled: 0,
            coalesced: 0,
            tier_hits: [0; MAX_TIERS],
            intervals: Vec::new(),
            late: None,
        }
    }

    /// Adds one finished request.
    #[inline]
    pub fn record(&mut self, o: &Outcome) {
        let (mut k, from, to) = self.current;
        if o.finished < from || o.finished >= to {
            let since = o.finished.saturating_duration_since(self.t0);
            let since_ns =
                since.as_secs().saturating_mul(1_000_000_000).saturating_add(u64::from(since.subsec_nanos()));
            k = (since_ns / self.interval_ns) as usize;
            let start = self.t0 + Duration::from_nanos(k as u64 * self.interval_ns);
            // An interval too wide to end (absurd widths) is never cached; each request divides.
            let end = start.checked_add(Duration::from_nanos(self.interval_ns)).unwrap_or(start);
            self.current = (k, start, end);
        }
        if k >= self.intervals.len() {
            self.intervals.resize(k + 1, Interval::default());
        }
        let hit = o.hit();
        let slot = &mut self.intervals[k];
        slot.requests += 1;
        slot.reads += u64::from(o.read);
        slot.hits += u64::from(hit);
        slot.origin += u64::from(o.origin);
        slot.errors += u64::from(o.errors);
        slot.timeouts += u64::from(o.timeouts);
        if !o.measured {
            return;
        }
        let c = &mut self.counts;
        c.requests += 1;
        c.errors += u64::from(o.errors);
        self.timeouts += u64::from(o.timeouts);
        self.origin += u64::from(o.origin);
        self.coalesced += u64::from(o.coalesced);
        if o.read {
            c.bytes_requested += u64::from(o.size);
            if hit {
                c.hits += 1;
                c.bytes_hit += u64::from(o.size);
            } else {
                c.misses += 1;
            }
        } else {
            c.writes += 1;
        }
        match o.get {
            Some((GetOutcome::Hit(tier), d)) => {
                self.tier_hits[tier_slot(tier)] += 1;
                self.get_hit.saturating_record(micros(d));
            }
            Some((GetOutcome::Corrupt, d)) => {
                c.corrupt += 1;
                self.get_miss.saturating_record(micros(d));
            }
            Some((GetOutcome::Miss, d)) => self.get_miss.saturating_record(micros(d)),
            None => {}
        }
        if let Some(d) = o.put {
            self.put.saturating_record(micros(d));
        }
        self.end_to_end.saturating_record(micros(o.end_to_end));
        if let Some(late) = o.late {
            self.late.get_or_insert_with(histogram).saturating_record(micros(late));
        }
    }

    /// Adds `other` (another worker of the same run) into `self`.
    pub fn merge(&mut self, other: &Recorder) {
        for (mine, theirs) in [
            (&mut self.get_hit, &other.get_hit),
            (&mut self.get_miss, &other.get_miss),
            (&mut self.put, &other.put),
            (&mut self.end_to_end, &other.end_to_end),
        ] {
            mine.add(theirs).expect("histograms share their bounds");
        }
        if let Some(theirs) = &other.late {
            self.late.get_or_insert_with(histogram).add(theirs).expect("histograms share their bounds");
        }
        self.counts += &other.counts;
        self.timeouts += other.timeouts;
        self.origin += other.origin;
        self.cancelled += other.cancelled;
        self.coalesced += other.coalesced;
        for (a, b) in self.tier_hits.iter_mut().zip(other.tier_hits) {
            *a += b;
        }
        if other.intervals.len() > self.intervals.len() {
            self.intervals.resize(other.intervals.len(), Interval::default());
        }
        for (a, b) in self.intervals.iter_mut().zip(&other.intervals) {
            *a += b;
        }
    }

    /// The time series: one point per interval up to `end`, with `t_s` relative to
    /// `measured_from` (negative during warm-up). The last interval's rates use its covered
    /// length.
    pub fn timeseries(&self, measured_from: Instant, end: Instant) -> Vec<TimePoint> {
        let width = Duration::from_nanos(self.interval_ns);
        let offset = measured_from.saturating_duration_since(self.t0).as_secs_f64();
        let total = end.saturating_duration_since(self.t0);
        let points =
            (total.as_nanos().div_ceil(u128::from(self.interval_ns)) as usize).max(self.intervals.len());
        (0..points)
            .map(|k| {
                let iv = self.intervals.get(k).copied().unwrap_or_default();
                let start = width * k as u32;
                let covered = total.saturating_sub(start).min(width).max(Duration::from_millis(1));
                TimePoint {
                    t_s: start.as_secs_f64() - offset,
                    requests: iv.requests,
                    hit_ratio: if iv.reads == 0 { 0.0 } else { iv.hits as f64 / iv.reads as f64 },
                    origin_rps: iv.origin as f64 / covered.as_secs_f64(),
                    errors: iv.errors,
                    timeouts: iv.timeouts,
                }
            })
            .collect()
    }
}

/// Percentiles of a latency histogram (None when it is empty).
pub fn summarize(h: &Histogram<u64>) -> Option<LatencySummary> {
    if h.is_empty() {
        return None;
    }
    Some(LatencySummary {
        count: h.len(),
        min_us: h.min(),
        mean_us: h.mean(),
        p50_us: h.value_at_quantile(0.5),
        p90_us: h.value_at_quantile(0.9),
        p99_us: h.value_at_quantile(0.99),
        p999_us: h.value_at_quantile(0.999),
        p9999_us: h.value_at_quantile(0.9999),
        max_us: h.max(),
        distribution: h
            .iter_quantiles(5)
            .map(|v| (v.quantile_iterated_to() * 100.0, v.value_iterated_to()))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(t0: Instant, at_ms: u64, get: Option<(GetOutcome, Duration)>, measured: bool) -> Outcome {
        Outcome {
            measured,
            finished: t0 + Duration::from_millis(at_ms),
            end_to_end: Duration::from_micros(1500),
            get,
            put: None,
            read: true,
            size: 100,
            origin: !matches!(get, Some((GetOutcome::Hit(_), _))),
            coalesced: false,
            errors: 0,
            timeouts: 0,
            late: None,
        }
    }

    #[test]
    fn records_split_by_outcome_and_merge_adds_up() {
        let t0 = Instant::now();
        let width = Duration::from_millis(100);
        let us = Duration::from_micros;
        let mut a = Recorder::new(t0, width);
        a.record(&outcome(t0, 10, Some((GetOutcome::Hit(0), us(3))), false));
        a.record(&outcome(t0, 150, Some((GetOutcome::Hit(1), us(4))), true));
        let mut b = Recorder::new(t0, width);
        b.record(&outcome(t0, 120, Some((GetOutcome::Miss, us(40))), true));
        b.record(&outcome(t0, 350, Some((GetOutcome::Corrupt, us(50))), true));
        a.merge(&b);
        assert_eq!(a.counts.requests, 3, "the warm-up request is not counted");
        assert_eq!((a.counts.hits, a.counts.misses, a.counts.corrupt), (1, 2, 1));
        assert_eq!(a.tier_hits[..2], [0, 1]);
        assert_eq!((a.get_hit.len(), a.get_miss.len(), a.end_to_end.len()), (1, 2, 3));
        assert_eq!(a.origin, 2);
        assert_eq!(a.end_to_end.value_at_quantile(0.5), 1500);
        let ts = a.timeseries(t0 + Duration::from_millis(100), t0 + Duration::from_millis(400));
        assert_eq!(ts.len(), 4);
        assert_eq!(ts.iter().map(|p| p.requests).collect::<Vec<_>>(), [1, 2, 0, 1]);
        assert!((ts[0].t_s + 0.1).abs() < 1e-9 && ts[1].t_s.abs() < 1e-9);
        assert!((ts[1].hit_ratio - 0.5).abs() < 1e-9);
        assert!((ts[1].origin_rps - 10.0).abs() < 1e-9);
    }

    #[test]
    fn summaries_report_percentiles_in_microseconds() {
        let mut h = histogram();
        for v in 1..=1000u64 {
            h.saturating_record(v);
        }
        h.saturating_record(u64::MAX);
        let s = summarize(&h).unwrap();
        assert_eq!(s.count, 1001);
        assert_eq!(s.min_us, 1);
        assert!((499..=501).contains(&s.p50_us), "{}", s.p50_us);
        assert!(s.max_us >= MAX_US, "a value above the range is clamped, not dropped");
        assert!(s.distribution[0].0 < 1.0, "the distribution starts near p0");
        assert!(s.distribution.last().unwrap().0 > 99.9);
        assert!(summarize(&histogram()).is_none());
    }
}

//! The "simple" hill climber of Caffeine's simulator, which sizes W-TinyLFU's window in
//! `wtinylfu-adaptive` ([`super::WTinyLfu::adaptive`]).
//!
//! Behaviour read from Caffeine (ben-manes/caffeine at ccef955, 2026-08-08), no code taken:
//! `simulator/src/main/java/com/github/benmanes/caffeine/cache/simulator/policy/sketch/climbing/`
//! `hill/SimpleClimber.java` and `AbstractClimber.java`, with the defaults of the
//! `hill-climber-window-tiny-lfu.simple` block of `simulator/src/main/resources/reference.conf`.
//! With `C` the capacity in objects (`units` for the step, see below):
//! - only requests made while the cache is full are sampled; a sample ends when it holds
//!   `sample_size` requests (hits plus misses). Initially `sample_size = floor(10.0 x C)`
//!   ([`SAMPLE_MULTIPLIER`]) and the step is `max(0.0625 x units, 2)` ([`STEP_PERCENT`],
//!   [`MIN_INITIAL_STEP`]);
//! - the first direction is "grow the window" for a small cache (`C <= 512`,
//!   [`SMALL_CACHE_THRESHOLD`]) and "shrink it" otherwise;
//! - at the end of a sample with hit rate `h` (hits / requests of the sample), against the
//!   previous sample's `p` (0 before the first sample): if `h < p + tolerance` (tolerance 0)
//!   the direction reverses; then if `|h - p| >= 0.05` ([`RESTART_THRESHOLD`]) the step and the
//!   sample size go back to their initial values (a restart); the window then moves by the
//!   step in the current direction (the value returned by [`SimpleClimber::record`]);
//! - after that, `p = h`, the sample counts restart from zero and the step decays: a large
//!   cache multiplies it by 0.98 ([`STEP_DECAY_RATE`]) and its sample size by 1.0 (the sample
//!   decay rate: it stays, at least 1); a small cache multiplies the step by 0.995
//!   ([`SMALL_CACHE_STEP_DECAY_RATE`]) and sets the sample size to
//!   `floor(initial sample x clamp(initial step / max(initial step / 4, |step|), 1, 4))`
//!   ([`SMALL_CACHE_SAMPLE_RATIO_CAP`]), so the sample grows up to 4x as the step shrinks.
//!
//! In byte mode (which Caffeine's key-only simulator does not have) the step is in bytes
//! (`units` = the capacity in bytes) while `C`, the sample base and the small-cache test, is
//! the number of objects resident when the cache first evicts.

/// Initial step as a share of the capacity (`percent-pivot`).
pub const STEP_PERCENT: f64 = 0.0625;
/// Lower bound of the initial step, in capacity units (`min-initial-step`).
pub const MIN_INITIAL_STEP: f64 = 2.0;
/// Initial sample size as a multiple of the capacity in objects (`percent-sample`).
pub const SAMPLE_MULTIPLIER: f64 = 10.0;
/// Hit-rate gain below which the direction reverses (`tolerance`).
pub const TOLERANCE: f64 = 0.0;
/// Per-sample step decay of a large cache (`step-decay-rate`).
pub const STEP_DECAY_RATE: f64 = 0.98;
/// Per-sample sample-size decay of a large cache (`sample-decay-rate`).
pub const SAMPLE_DECAY_RATE: f64 = 1.0;
/// Hit-rate change between two samples that restarts the step and sample (`restart-threshold`).
pub const RESTART_THRESHOLD: f64 = 0.05;
/// Largest capacity in objects treated as a small cache (`small-cache-threshold`).
pub const SMALL_CACHE_THRESHOLD: u64 = 512;
/// Per-sample step decay of a small cache (`small-cache-step-decay-rate`).
pub const SMALL_CACHE_STEP_DECAY_RATE: f64 = 0.995;
/// Largest growth of a small cache's sample as its step decays (`small-cache-sample-ratio-cap`).
pub const SMALL_CACHE_SAMPLE_RATIO_CAP: f64 = 4.0;

/// Caffeine's simple hill climber: walks the window size in the direction that raised the hit
/// rate, with a decaying step.
#[derive(Debug, Clone)]
pub struct SimpleClimber {
    initial_step: f64,
    initial_sample: u64,
    small_cache: bool,
    step: f64,
    sample_size: u64,
    grow_window: bool,
    previous_hit_rate: f64,
    hits: u64,
    misses: u64,
}

impl SimpleClimber {
    /// A climber for a cache of `objects` objects whose window moves in steps of a share of
    /// `units` (the capacity in its own unit: objects, or bytes).
    pub fn new(objects: u64, units: u64) -> Self {
        let initial_step = (STEP_PERCENT * units as f64).max(MIN_INITIAL_STEP);
        let initial_sample = ((SAMPLE_MULTIPLIER * objects as f64) as u64).max(1);
        let small_cache = objects <= SMALL_CACHE_THRESHOLD;
        SimpleClimber {
            initial_step,
            initial_sample,
            small_cache,
            step: initial_step,
            sample_size: initial_sample,
            grow_window: small_cache,
            previous_hit_rate: 0.0,
            hits: 0,
            misses: 0,
        }
    }

    /// Records one request made while the cache is full; at the end of a sample returns by
    /// how much to move the window (positive: grow it, negative: shrink it).
    pub fn record(&mut self, hit: bool) -> Option<f64> {
        if hit {
            self.hits += 1;
        } else {
            self.misses += 1;
        }
        let requests = self.hits + self.misses;
        if requests < self.sample_size {
            return None;
        }
        let hit_rate = self.hits as f64 / requests as f64;
        if hit_rate < self.previous_hit_rate + TOLERANCE {
            self.grow_window = !self.grow_window;
        }
        if (hit_rate - self.previous_hit_rate).abs() >= RESTART_THRESHOLD {
            self.step = self.initial_step;
            self.sample_size = self.initial_sample;
        }
        let amount = if self.grow_window { self.step } else { -self.step };
        self.start_next_sample(hit_rate);
        Some(amount)
    }

    /// Remembers `hit_rate`, clears the counts and decays the step (and sample size).
    fn start_next_sample(&mut self, hit_rate: f64) {
        self.previous_hit_rate = hit_rate;
        self.hits = 0;
        self.misses = 0;
        if self.small_cache {
            self.step *= SMALL_CACHE_STEP_DECAY_RATE;
            let magnitude = (self.initial_step / SMALL_CACHE_SAMPLE_RATIO_CAP).max(self.step.abs());
            let ratio = (self.initial_step / magnitude).clamp(1.0, SMALL_CACHE_SAMPLE_RATIO_CAP);
            self.sample_size = (self.initial_sample as f64 * ratio) as u64;
        } else {
            self.step *= STEP_DECAY_RATE;
            self.sample_size = ((self.sample_size as f64 * SAMPLE_DECAY_RATE) as u64).max(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds one sample of `requests` requests at hit rate `hits / requests`; returns the move.
    fn sample(c: &mut SimpleClimber, hits: u64, requests: u64) -> f64 {
        let mut moves: Vec<f64> = (0..requests).filter_map(|i| c.record(i < hits)).collect();
        assert_eq!(moves.len(), 1, "one sample of {requests} requests gives one move");
        moves.pop().unwrap()
    }

    #[test]
    fn hill_defaults_size_step_and_sample() {
        let large = SimpleClimber::new(10_000, 10_000);
        assert_eq!((large.initial_step, large.initial_sample, large.grow_window), (625.0, 100_000, false));
        let small = SimpleClimber::new(100, 100);
        assert_eq!((small.initial_step, small.initial_sample, small.grow_window), (6.25, 1000, true));
        // The step is at least 2 units.
        assert_eq!(SimpleClimber::new(10, 10).initial_step, 2.0);
        // Byte mode: the step is a share of the bytes, the sample a multiple of the objects.
        let bytes = SimpleClimber::new(1000, 1_000_000);
        assert_eq!((bytes.initial_step, bytes.initial_sample), (62_500.0, 10_000));
    }

    #[test]
    fn hill_direction_holds_while_hit_rate_improves_and_reverses_when_it_drops() {
        // A large cache (1000 objects): starts by shrinking the window, samples of 10,000.
        let mut c = SimpleClimber::new(1000, 1000);
        // First sample: 0.50 against 0 improves (keeps shrinking) and restarts (|0.5| >= 0.05).
        assert_eq!(sample(&mut c, 5000, 10_000), -62.5);
        // 0.51: improves, keeps the direction; the step decayed once (x 0.98).
        assert_eq!(sample(&mut c, 5100, 10_000), -62.5 * 0.98);
        // 0.52: improves again, second decay.
        assert_eq!(sample(&mut c, 5200, 10_000), -62.5 * 0.98 * 0.98);
        // 0.51: dropped, so the window now grows, by the thrice-decayed step.
        assert_eq!(sample(&mut c, 5100, 10_000), 62.5 * 0.98 * 0.98 * 0.98);
        // An equal hit rate is not below previous + tolerance (0): the direction holds.
        assert!(sample(&mut c, 5100, 10_000) > 0.0);
        // A lower one reverses it again.
        assert!(sample(&mut c, 5099, 10_000) < 0.0);
    }

    #[test]
    fn hill_step_decays_and_restarts_on_a_large_hit_rate_change() {
        let mut c = SimpleClimber::new(1000, 1000);
        let mut hits = 5000;
        let mut last = sample(&mut c, hits, 10_000).abs();
        for _ in 0..20 {
            hits += 10;
            let step = sample(&mut c, hits, 10_000).abs();
            assert!((step - last * STEP_DECAY_RATE).abs() < 1e-9, "{step} after {last}");
            last = step;
        }
        assert_eq!(c.sample_size, 10_000, "a large cache keeps its sample size (decay 1.0)");
        // A jump of 0.06 in hit rate restarts: the step is back to its initial 62.5 (and the
        // direction is kept, since the hit rate rose).
        hits += 600;
        assert_eq!(sample(&mut c, hits, 10_000), -62.5);
        // A drop of 0.06 reverses and restarts.
        hits -= 600;
        assert_eq!(sample(&mut c, hits, 10_000), 62.5);
        assert_eq!(c.step, 62.5 * 0.98);
    }

    #[test]
    fn hill_small_cache_decays_slowly_and_lengthens_its_sample() {
        let mut c = SimpleClimber::new(100, 100);
        assert_eq!(sample(&mut c, 500, 1000), 6.25, "a small cache grows the window first");
        assert!((c.step - 6.25 * 0.995).abs() < 1e-12);
        // The sample grows as initial step / step: 1000 / 0.995 = 1005.
        assert_eq!(c.sample_size, 1005);
        let mut hits = 500;
        for _ in 0..400 {
            hits += 1;
            let size = c.sample_size;
            sample(&mut c, hits.min(size), size);
        }
        // After many decays the sample stops at 4 x the initial one.
        assert_eq!(c.sample_size, 4000);
    }
}

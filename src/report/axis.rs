//! One chart axis: linear or logarithmic, with its own tick positions and tick labels, so
//! that every chart shows the labels a reader expects (`64 MiB`, `p99.9`) where they belong.

use std::ops::Range;

use plotters::coord::ranged1d::{KeyPointHint, NoDefaultFormatting, Ranged, ValueFormatter};

/// A labelled axis.
#[derive(Debug, Clone)]
pub struct Axis {
    /// Axis description with its unit, e.g. `cache size (objects, log scale)`.
    pub desc: String,
    log: bool,
    lo: f64,
    hi: f64,
    ticks: Vec<(f64, String)>,
    minor: Vec<f64>,
}

impl Axis {
    /// A linear axis over `lo..hi` with five to eleven "nice" ticks labelled by `fmt`.
    pub fn linear(desc: impl Into<String>, lo: f64, hi: f64, fmt: impl Fn(f64) -> String) -> Axis {
        let hi = if hi > lo { hi } else { lo + 1.0 };
        let step = nice_step((hi - lo) / 10.0);
        let first = (lo / step).ceil() as i64;
        let last = (hi / step + 1e-9).floor() as i64;
        let ticks = (first..=last).map(|i| i as f64 * step).map(|v| (v, fmt(v))).collect();
        Axis { desc: desc.into(), log: false, lo, hi, ticks, minor: Vec::new() }
    }

    /// A base-10 logarithmic axis over `lo..hi` (both > 0): ticks at powers of ten, plus 2× and
    /// 5× when the range spans fewer than two and a half decades.
    pub fn log(desc: impl Into<String>, lo: f64, hi: f64, fmt: impl Fn(f64) -> String) -> Axis {
        let lo = lo.max(f64::MIN_POSITIVE);
        let hi = if hi > lo { hi } else { lo * 10.0 };
        let (d0, d1) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
        let steps: &[f64] = if (hi / lo).log10() < 2.5 { &[1.0, 2.0, 5.0] } else { &[1.0] };
        let within = |v: &f64| *v >= lo * (1.0 - 1e-9) && *v <= hi * (1.0 + 1e-9);
        let decade = |d: i32, m: &[f64]| m.iter().map(move |m| m * 10f64.powi(d)).collect::<Vec<_>>();
        let ticks = (d0..=d1).flat_map(|d| decade(d, steps)).filter(within).map(|v| (v, fmt(v))).collect();
        let all: Vec<f64> = (1..10).map(f64::from).collect();
        let minor = (d0..=d1).flat_map(|d| decade(d, &all)).filter(within).collect();
        Axis { desc: desc.into(), log: true, lo, hi, ticks, minor }
    }

    /// A base-2 logarithmic axis for byte sizes: ticks at powers of two (every second or
    /// third power when the range is wide), labelled `16 MiB`, `1 GiB`.
    pub fn log_bytes(desc: impl Into<String>, lo: f64, hi: f64, fmt: impl Fn(f64) -> String) -> Axis {
        let lo = lo.max(1.0);
        let hi = if hi > lo { hi } else { lo * 2.0 };
        let (k0, k1) = (lo.log2().floor() as i32, hi.log2().ceil() as i32);
        let step = ((k1 - k0) / 8).max(1);
        let within = |v: &f64| *v >= lo && *v <= hi;
        let ticks = (k0..=k1)
            .filter(|k| k.rem_euclid(step) == 0)
            .map(|k| 2f64.powi(k))
            .filter(within)
            .map(|v| (v, fmt(v)))
            .collect();
        let minor = (k0..=k1).map(|k| 2f64.powi(k)).filter(within).collect();
        Axis { desc: desc.into(), log: true, lo, hi, ticks, minor }
    }

    /// A logarithmic axis with the given ticks only (e.g. percentiles at 1/(1-p)).
    pub fn log_with_ticks(desc: impl Into<String>, lo: f64, hi: f64, ticks: Vec<(f64, String)>) -> Axis {
        let ticks = ticks.into_iter().filter(|(v, _)| *v >= lo && *v <= hi).collect();
        Axis { desc: desc.into(), log: true, lo, hi, ticks, minor: Vec::new() }
    }

    /// A category axis: `labels[i]` at `i`, each with a unit of room around it.
    pub fn categories(desc: impl Into<String>, labels: &[String]) -> Axis {
        let ticks = labels.iter().enumerate().map(|(i, l)| (i as f64, l.clone())).collect();
        Axis {
            desc: desc.into(),
            log: false,
            lo: -0.5,
            hi: labels.len() as f64 - 0.5,
            ticks,
            minor: Vec::new(),
        }
    }

    /// The label of the tick at `v` (empty between ticks).
    pub fn label(&self, v: f64) -> String {
        let tolerance = (self.hi - self.lo).abs() * 1e-9;
        self.ticks
            .iter()
            .find(|(t, _)| (t - v).abs() <= tolerance.max(t.abs() * 1e-9))
            .map(|(_, l)| l.clone())
            .unwrap_or_default()
    }
}

/// The smallest of 1, 2, 2.5 or 5 × 10^k that is at least `raw`.
fn nice_step(raw: f64) -> f64 {
    let raw = if raw > 0.0 && raw.is_finite() { raw } else { 1.0 };
    let base = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * base)
        .find(|s| *s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * base)
}

impl Axis {
    fn scale(&self, v: f64) -> f64 {
        if self.log { v.max(f64::MIN_POSITIVE).log10() } else { v }
    }
}

/// Maps values to pixels and yields the ticks as key points: light (minor) grid lines for the
/// log scale's 2..9 multiples, bold ones at the labelled ticks.
impl Ranged for Axis {
    type FormatOption = NoDefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let (a, b) = (self.scale(self.lo), self.scale(self.hi));
        let share = (self.scale(*value) - a) / (b - a);
        limit.0 + (share * f64::from(limit.1 - limit.0)).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            self.minor.clone()
        } else {
            self.ticks.iter().map(|t| t.0).collect()
        }
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

impl ValueFormatter<f64> for Axis {
    fn format_ext(&self, value: &f64) -> String {
        self.label(*value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_ticks_are_round_and_inside() {
        let a = Axis::linear("x", 0.0, 1.0, |v| format!("{v:.1}"));
        let ticks: Vec<f64> = a.ticks.iter().map(|t| t.0).collect();
        assert_eq!(ticks.len(), 11, "{ticks:?}");
        assert_eq!(a.label(0.5), "0.5");
        assert_eq!(a.label(0.55), "");
    }

    #[test]
    fn log_ticks_are_powers_of_ten() {
        let a = Axis::log("x", 1000.0, 1e6, |v| format!("{v}"));
        let ticks: Vec<f64> = a.ticks.iter().map(|t| t.0).collect();
        assert_eq!(ticks, vec![1e3, 1e4, 1e5, 1e6]);
        let narrow = Axis::log("x", 1000.0, 30000.0, |v| format!("{v}"));
        assert_eq!(narrow.ticks.len(), 5, "1k, 2k, 5k, 10k, 20k: {:?}", narrow.ticks);
    }

    #[test]
    fn byte_ticks_are_powers_of_two() {
        let a = Axis::log_bytes("x", 12e6, 1.3e9, |v| format!("{}", v as u64 >> 20));
        let labels: Vec<&str> = a.ticks.iter().map(|t| t.1.as_str()).collect();
        assert_eq!(labels, ["16", "32", "64", "128", "256", "512", "1024"]);
    }

    #[test]
    fn log_mapping_is_proportional_to_decades() {
        let c = Axis::log("x", 1.0, 100.0, |v| format!("{v}"));
        assert_eq!(c.map(&1.0, (0, 100)), 0);
        assert_eq!(c.map(&10.0, (0, 100)), 50);
        assert_eq!(c.map(&100.0, (0, 100)), 100);
    }
}

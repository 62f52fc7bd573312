//! The knee of a hit-ratio curve: the smallest capacity past which another doubling buys less
//! than a stated hit-ratio gain, and the curves of a run it is found on.

use crate::metrics::StrategyResult;
use crate::model::CapacityUnit;
use crate::report::format;

/// Where a strategy's hit-ratio curve stops paying for more capacity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Knee {
    /// The smallest capacity past which another doubling buys less than the gain, with the
    /// hit ratio there (both interpolated on the log2 capacity axis).
    At {
        /// Capacity, in the curve's unit.
        capacity: f64,
        /// Hit ratio at that capacity.
        hit_ratio: f64,
    },
    /// A doubling still buys at least the gain at the largest capacity measured (given here).
    Beyond {
        /// The largest capacity measured.
        capacity: f64,
        /// Its hit ratio.
        hit_ratio: f64,
    },
}

/// The knee of the curve through `points` (capacity, hit ratio): the smallest capacity past
/// which another doubling of capacity buys less than `gain` of hit ratio. The curve is linear
/// in log2 capacity between measured sizes, so the gain of a doubling from capacity `c` is
/// `h(2c) - h(c)`, and the knee can fall between measured sizes. When the sizes span less than
/// a doubling, the gain is the slope per doubling over what was measured. `None` with fewer
/// than two distinct positive capacities.
pub fn knee(points: &[(f64, f64)], gain: f64) -> Option<Knee> {
    let mut pts: Vec<(f64, f64)> =
        points.iter().filter(|(c, _)| *c > 0.0).map(|&(c, h)| (c.log2(), h)).collect();
    pts.sort_by(|a, b| a.0.total_cmp(&b.0));
    pts.dedup_by(|b, a| a.0 == b.0);
    let (&(x0, h0), &(xn, hn)) = (pts.first()?, pts.last()?);
    if pts.len() < 2 {
        return None;
    }
    // The measured ends exactly, not through log2 and back.
    let capacities = points.iter().map(|p| p.0).filter(|c| *c > 0.0);
    let (smallest, largest) =
        (capacities.clone().fold(f64::INFINITY, f64::min), capacities.fold(0.0, f64::max));
    let step = (xn - x0).min(1.0);
    let h = |x: f64| interpolate(&pts, x);
    let doubling = |x: f64| (h(x + step) - h(x)) / step;
    let end = xn - step;
    let mut breaks: Vec<f64> = pts
        .iter()
        .flat_map(|p| [p.0, p.0 - step])
        .filter(|x| (x0..=end).contains(x))
        .chain([x0, end])
        .collect();
    breaks.sort_by(f64::total_cmp);
    breaks.dedup();
    if doubling(end) >= gain {
        return Some(Knee::Beyond { capacity: largest, hit_ratio: hn });
    }
    // The gain per doubling is linear between breaks; the knee is where it last falls below
    // `gain`, scanning down from the largest size.
    for w in breaks.windows(2).rev() {
        let (a, z) = (w[0], w[1]);
        let (ga, gz) = (doubling(a), doubling(z));
        if ga >= gain {
            let x = a + (ga - gain) / (ga - gz) * (z - a);
            return Some(Knee::At { capacity: x.exp2(), hit_ratio: h(x) });
        }
    }
    Some(Knee::At { capacity: smallest, hit_ratio: h0 })
}

/// The piecewise-linear curve through `pts` (sorted by x) at `x`, clamped to its ends.
fn interpolate(pts: &[(f64, f64)], x: f64) -> f64 {
    let i = pts.partition_point(|p| p.0 < x);
    match (i.checked_sub(1).and_then(|j| pts.get(j)), pts.get(i)) {
        (Some(&(xa, ha)), Some(&(xb, hb))) => ha + (hb - ha) * (x - xa) / (xb - xa),
        (None, Some(&(_, h))) | (Some(&(_, h)), None) => h,
        (None, None) => 0.0,
    }
}

/// One strategy's measured sizes in one capacity unit, smallest first.
pub(super) struct Curve<'a> {
    pub(super) strategy: &'a str,
    pub(super) unit: Option<CapacityUnit>,
    pub(super) cells: Vec<&'a StrategyResult>,
}

impl Curve<'_> {
    pub(super) fn points(&self) -> Vec<(f64, f64)> {
        self.cells.iter().filter_map(|r| Some((r.capacity_value? as f64, r.hit_ratio))).collect()
    }

    /// The hit ratio at `capacity`, interpolated on log2 capacity; `None` outside the sizes
    /// measured.
    pub(super) fn hit_ratio_at(&self, capacity: f64) -> Option<f64> {
        hit_ratio_at(&self.points(), capacity)
    }
}

/// The hit ratio of the curve through `points` (capacity, hit ratio; smallest capacity first)
/// at `capacity`, interpolated on log2 capacity; `None` outside the sizes measured.
pub(super) fn hit_ratio_at(points: &[(f64, f64)], capacity: f64) -> Option<f64> {
    let pts: Vec<(f64, f64)> = points.iter().map(|&(c, h)| (c.log2(), h)).collect();
    let x = capacity.log2();
    let inside = pts.first()?.0 - 1e-9 <= x && x <= pts.last()?.0 + 1e-9;
    inside.then(|| interpolate(&pts, x))
}

/// A capacity in `unit`, as a reader would say it.
pub(super) fn size(capacity: f64, unit: Option<CapacityUnit>) -> String {
    match unit {
        Some(CapacityUnit::Bytes) => format::bytes(capacity),
        _ => format!("{} objects", format::count(capacity.round())),
    }
}

/// Every candidate's curve: its measured sizes per capacity unit, smallest first.
pub(super) fn curves<'a>(candidates: &[&'a StrategyResult]) -> Vec<Curve<'a>> {
    let mut curves: Vec<Curve> = Vec::new();
    for r in candidates.iter().filter(|r| r.capacity_value.is_some()) {
        match curves.iter_mut().find(|c| c.strategy == r.strategy && c.unit == r.capacity_unit) {
            Some(c) => c.cells.push(r),
            None => curves.push(Curve { strategy: &r.strategy, unit: r.capacity_unit, cells: vec![r] }),
        }
    }
    for c in &mut curves {
        c.cells.sort_by_key(|r| r.capacity_value);
    }
    curves
}

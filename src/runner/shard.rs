//! Splitting a sweep across processes or machines and joining the pieces: `--shard I/N`
//! keeps the cells whose index is `I` modulo `N` (round robin, so each shard gets every
//! policy and a spread of sizes, and similar work), and [`merge`] puts the shards' results
//! back in the single run's order. Cells are disjoint, so every count and histogram of a
//! shard is carried over unchanged: the merge loses nothing.

use std::fmt;
use std::str::FromStr;

use crate::metrics::{MissRatioCurve, RunResult};

/// Key of the echoed scenario that records which shard a result holds.
pub const SHARD_KEY: &str = "shard";

/// Which cells of a sweep this process runs: those with index `index` modulo `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 0-based shard index, below `count`.
    pub index: usize,
    /// Number of shards.
    pub count: usize,
}

impl Shard {
    /// Whether cell number `cell` (0-based, in the whole sweep's order) is this shard's.
    pub fn takes(&self, cell: usize) -> bool {
        cell % self.count == self.index
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("`{s}` is not a shard: write I/N with 0 <= I < N, e.g. 0/3");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: usize = i.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

/// Joins the results of every shard of one sweep (`parts[k]` from file `names[k]`) into the
/// single run's result: cells in the single run's order, the earliest start, the longest
/// duration. Refuses results that are not shards of the same sweep (different trace,
/// settings or shard count), a shard given twice, or a shard missing.
pub fn merge(parts: Vec<RunResult>, names: &[String]) -> Result<RunResult, String> {
    let shard_of = |r: &RunResult, name: &str| -> Result<Shard, String> {
        r.scenario
            .get(SHARD_KEY)
            .and_then(|s| s.as_str())
            .ok_or_else(|| {
                format!("{name} is not a shard's result (no `scenario.{SHARD_KEY}`): run with --shard I/N")
            })?
            .parse()
            .map_err(|e| format!("{name}: {e}"))
    };
    let without_shard = |r: &RunResult| {
        let mut s = r.scenario.clone();
        if let Some(o) = s.as_object_mut() {
            o.remove(SHARD_KEY);
        }
        s
    };
    let first = parts.first().ok_or("nothing to merge")?;
    let count = shard_of(first, &names[0])?.count;
    let mut slots: Vec<Option<RunResult>> = vec![None; count];
    for (part, name) in parts.iter().zip(names) {
        let shard = shard_of(part, name)?;
        if shard.count != count {
            return Err(format!("{name} is shard {shard} but {} is one of {count}", names[0]));
        }
        if without_shard(part) != without_shard(first) || part.mode != first.mode || part.name != first.name {
            return Err(format!(
                "{name} ran other settings than {}: only shards of one sweep merge",
                names[0]
            ));
        }
        if part.trace != first.trace {
            return Err(format!("{name} replayed another trace than {}", names[0]));
        }
        if part.warmup_requests != first.warmup_requests || part.seed != first.seed {
            return Err(format!("{name} ran another seed or warm-up than {}", names[0]));
        }
        if slots[shard.index].replace(part.clone()).is_some() {
            return Err(format!("shard {shard} is given twice ({name})"));
        }
    }
    if let Some(missing) = slots.iter().position(Option::is_none) {
        return Err(format!("shard {missing}/{count} is missing"));
    }
    let shards: Vec<RunResult> = slots.into_iter().flatten().collect();
    let total: usize = shards.iter().map(|s| s.results.len()).sum();
    // Cell j of the whole sweep is cell j / count of shard j % count.
    let mut results = Vec::with_capacity(total);
    for j in 0..total {
        match shards[j % count].results.get(j / count) {
            Some(r) => results.push(r.clone()),
            None => {
                return Err(format!(
                    "shard {}/{count} holds too few cells for a sweep of {total}",
                    j % count
                ));
            }
        }
    }
    // Curves (`cachelab mrc`): each shard drew some sizes of each; join them per curve.
    let mut curves: Vec<MissRatioCurve> = Vec::new();
    for c in shards.iter().flat_map(|s| &s.curves) {
        match curves.iter_mut().find(|m| m.strategy == c.strategy && m.method == c.method) {
            Some(m) => m.points.extend_from_slice(&c.points),
            None => curves.push(c.clone()),
        }
    }
    curves.iter_mut().for_each(|c| c.points.sort_by_key(|p| p.0));
    let started_at = shards.iter().map(|s| s.started_at.clone()).min().unwrap_or_default();
    let duration_s = shards.iter().map(|s| s.duration_s).fold(0.0, f64::max);
    Ok(RunResult {
        scenario: without_shard(first),
        started_at,
        duration_s,
        partial: shards.iter().any(|s| s.partial),
        results,
        curves,
        ..first.clone()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_and_split_round_robin() {
        let s: Shard = "1/3".parse().unwrap();
        assert_eq!(s, Shard { index: 1, count: 3 });
        assert_eq!((0..7).filter(|&c| s.takes(c)).collect::<Vec<_>>(), vec![1, 4]);
        for bad in ["3/3", "1", "a/2", "0/0", "-1/2"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        assert_eq!(s.to_string(), "1/3");
    }
}

//! What a strategy counts itself, turned into measured counts the same way by every runner.

use crate::metrics::Counts;
use crate::strategy::Usage;

/// Stored entries a strategy found damaged before the measured part of a run, and discarded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EarlyDamage {
    /// Found when the cache opened (a truncated file after a crash, say).
    pub at_open: u64,
    /// Found while the warm-up read them.
    pub in_warmup: u64,
}

/// Adds to `counts` what the strategy counted between the end of the warm-up (`at_warmup`;
/// None if the warm-up never ended, so nothing was measured) and the end of the run (`last`):
/// its evictions, and the stored entries it found damaged, which it served as misses and
/// which count as errors. Damage found before (when the cache opened, `opened`, or during the
/// warm-up) is returned apart: it is no measured error, but the reader must know of it.
pub fn settle(counts: &mut Counts, last: &Usage, opened: &Usage, at_warmup: Option<&Usage>) -> EarlyDamage {
    let base = at_warmup.unwrap_or(last);
    counts.evictions = last.evictions.unwrap_or(0).saturating_sub(base.evictions.unwrap_or(0));
    let measured_from = base.corrupt_entries.max(opened.corrupt_entries);
    counts.errors += last.corrupt_entries.saturating_sub(measured_from);
    EarlyDamage {
        at_open: opened.corrupt_entries,
        in_warmup: measured_from.saturating_sub(opened.corrupt_entries),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_happened_after_the_warm_up_counts() {
        let at_warmup = Usage { evictions: Some(5), corrupt_entries: 1, ..Usage::default() };
        let last = Usage { evictions: Some(12), corrupt_entries: 4, ..Usage::default() };
        let none = Usage::default();
        let mut counts = Counts { errors: 2, ..Counts::default() };
        let early = settle(&mut counts, &last, &none, Some(&at_warmup));
        assert_eq!((counts.evictions, counts.errors), (7, 5));
        assert_eq!(early, EarlyDamage { at_open: 0, in_warmup: 1 });

        let mut counts = Counts::default();
        let early = settle(&mut counts, &last, &none, None);
        assert_eq!((counts.evictions, counts.errors), (0, 0), "no measured part, nothing counted");
        assert_eq!(early, EarlyDamage { at_open: 0, in_warmup: 4 });
    }

    #[test]
    fn damage_found_at_open_is_reported_apart_with_or_without_a_warm_up() {
        let opened = Usage { corrupt_entries: 2, ..Usage::default() };
        let last = Usage { corrupt_entries: 5, ..Usage::default() };
        // No warm-up: the runner's baseline is all zeros; the damage at open stays apart.
        let mut counts = Counts::default();
        let early = settle(&mut counts, &last, &opened, Some(&Usage::default()));
        assert_eq!((counts.errors, early), (3, EarlyDamage { at_open: 2, in_warmup: 0 }));
        // A warm-up that found one more.
        let at_warmup = Usage { corrupt_entries: 3, ..Usage::default() };
        let mut counts = Counts::default();
        let early = settle(&mut counts, &last, &opened, Some(&at_warmup));
        assert_eq!((counts.errors, early), (2, EarlyDamage { at_open: 2, in_warmup: 1 }));
    }
}

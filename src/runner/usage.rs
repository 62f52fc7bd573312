//! What a strategy counts itself, turned into measured counts the same way by every runner.

use crate::metrics::Counts;
use crate::strategy::Usage;

/// Adds to `counts` what the strategy counted between the end of the warm-up (`at_warmup`;
/// None if the warm-up never ended, so nothing was measured) and the end of the run (`last`):
/// its evictions, and the stored entries it found damaged, which it served as misses and
/// which count as errors.
pub fn settle(counts: &mut Counts, last: &Usage, at_warmup: Option<&Usage>) {
    let base = at_warmup.unwrap_or(last);
    counts.evictions = last.evictions.unwrap_or(0).saturating_sub(base.evictions.unwrap_or(0));
    counts.errors += last.corrupt_entries.saturating_sub(base.corrupt_entries);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_happened_after_the_warm_up_counts() {
        let at_warmup = Usage { evictions: Some(5), corrupt_entries: 1, ..Usage::default() };
        let last = Usage { evictions: Some(12), corrupt_entries: 4, ..Usage::default() };
        let mut counts = Counts { errors: 2, ..Counts::default() };
        settle(&mut counts, &last, Some(&at_warmup));
        assert_eq!((counts.evictions, counts.errors), (7, 5));

        let mut counts = Counts::default();
        settle(&mut counts, &last, None);
        assert_eq!((counts.evictions, counts.errors), (0, 0), "no measured part, nothing counted");
    }
}

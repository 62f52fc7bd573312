//! Charts with more series than a reader can tell apart: the best ones are drawn, the rest
//! named in the caption with where to find them.

/// Keeps the pinned items and the `max` best others (lowest `score` first), in score order;
/// returns them and the labels of the rest.
pub fn top<T>(
    mut items: Vec<(T, f64, bool)>,
    max: usize,
    label: impl Fn(&T) -> String,
) -> (Vec<T>, Vec<String>) {
    items.sort_by(|a, b| a.1.total_cmp(&b.1));
    let mut kept = Vec::new();
    let mut rest = Vec::new();
    let mut unpinned = 0;
    for (item, _, pinned) in items {
        if pinned {
            kept.push(item);
        } else if unpinned < max {
            unpinned += 1;
            kept.push(item);
        } else {
            rest.push(label(&item));
        }
    }
    (kept, rest)
}

/// The caption's note on series left out (empty when none were).
pub fn rest_note(rest: &[String]) -> String {
    if rest.is_empty() {
        String::new()
    } else {
        format!(
            " To keep the lines apart only the best are drawn (`max_series` in [report] sets how many); not drawn: {} \
             (see the summary table).",
            rest.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_best_and_the_pinned_are_kept_in_score_order() {
        let items = vec![("c", 0.3, false), ("bound", 0.0, true), ("a", 0.1, false), ("b", 0.2, false)];
        let (kept, rest) = top(items, 2, |s| s.to_string());
        assert_eq!(kept, ["bound", "a", "b"]);
        assert_eq!(rest, ["c"]);
        assert!(rest_note(&rest).contains("not drawn: c"));
        assert_eq!(rest_note(&[]), "");
    }
}

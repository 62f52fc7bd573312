//! Where a problem sits in scenario text: turns a parse error or an [`Invalid`] key path into
//! an [`InputError::Scenario`] naming the file, line, column and key.

use std::ops::Range;
use std::path::Path;

use toml::de::{DeTable, DeValue};

use crate::model::Invalid;
use crate::model::error::InputError;

/// The error for a TOML or serde failure while reading `text` (the content of `file`).
pub fn parse_error(text: &str, file: &Path, e: &toml::de::Error) -> InputError {
    let span = e.span().unwrap_or(0..0);
    // A missing field has no line of its own: the span is its table's header (or the start of
    // the document), so name the field, not whatever that line assigns.
    let missing = e
        .message()
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split_once('`'))
        .map(|(field, _)| field.to_string());
    let key = missing.or_else(|| assigned_key(line_text(text, line_col(text, span.start).0)));
    scenario_error(text, file, span, key, e.message().to_string())
}

/// The error for a value that failed validation, at the place its key is written.
pub fn invalid_error(text: &str, file: &Path, invalid: Invalid) -> InputError {
    let span = key_span(text, &invalid.key);
    let key = Some(invalid.display_key()).filter(|k| !k.is_empty());
    scenario_error(text, file, span, key, invalid.message)
}

fn scenario_error(
    text: &str,
    file: &Path,
    span: Range<usize>,
    key: Option<String>,
    message: String,
) -> InputError {
    let (line, column) = line_col(text, span.start);
    let text = line_text(text, line).to_string();
    InputError::Scenario { path: file.to_path_buf(), line, column, key, message, text }
}

/// Byte span of the value at the dotted `path` in `text` (numeric segments index arrays of
/// tables: `strategy.2.capacity`). When the key is not written, the span of the nearest
/// enclosing table that is: its `[header]`, `[[header]]` or inline `{ ... }`; the start of the
/// document for a missing top-level key.
pub fn key_span(text: &str, path: &str) -> Range<usize> {
    let Ok(root) = DeTable::parse(text) else {
        return 0..0;
    };
    let mut segments = path.split('.').filter(|s| !s.is_empty());
    let Some(first) = segments.next() else {
        return 0..0;
    };
    let Some(mut node) = root.get_ref().get(first) else {
        return 0..0;
    };
    for segment in segments {
        let next = match (node.get_ref(), segment.parse::<usize>()) {
            (DeValue::Array(items), Ok(i)) => items.get(i),
            (DeValue::Table(table), _) => table.get(segment),
            _ => None,
        };
        match next {
            Some(value) => node = value,
            None => break,
        }
    }
    node.span()
}

/// 1-based line and column of byte offset `pos` in `text`.
fn line_col(text: &str, pos: usize) -> (usize, usize) {
    let before = &text[..pos.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map_or(before.len(), |nl| before.len() - nl - 1) + 1;
    (line, column)
}

/// Line `line` (1-based) of `text`, without its line break.
fn line_text(text: &str, line: usize) -> &str {
    text.lines().nth(line.saturating_sub(1)).unwrap_or("").trim_end()
}

/// The key a line assigns (`key = value`), if any.
fn assigned_key(line: &str) -> Option<String> {
    line.split_once('=').map(|(k, _)| k.trim().to_string()).filter(|k| !k.is_empty() && !k.starts_with('['))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "name = \"x\"\n[workload]\nhot_keys = 0\n[[strategy]]\nname = \"a\"\n\
                        [[strategy]]\nname = \"b\"\nparams = { move_threshold = 0 }\n";

    fn at(path: &str) -> (usize, usize) {
        line_col(TEXT, key_span(TEXT, path).start)
    }

    #[test]
    fn line_col_counts_from_one() {
        assert_eq!(line_col("ab\ncd", 0), (1, 1));
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
    }

    #[test]
    fn keys_are_found_in_their_own_table() {
        assert_eq!(at("workload.hot_keys"), (3, 12));
        assert_eq!(at("strategy.0.name"), (5, 8));
        assert_eq!(at("strategy.1.name"), (7, 8));
        assert_eq!(at("strategy.1.params.move_threshold"), (8, 29));
    }

    #[test]
    fn a_missing_key_points_at_its_table() {
        assert_eq!(at("strategy.1.capacity"), (6, 1));
        assert_eq!(at("strategy.0.params.clock_bits"), (4, 1));
        assert_eq!(at("strategy.1.params.clock_bits"), (8, 10));
        assert_eq!(at("workload.value_size.min"), (2, 1));
        assert_eq!(at("objectives"), (1, 1));
        assert_eq!(at(""), (1, 1));
    }
}

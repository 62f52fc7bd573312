//! Why cache operations failed: the first few distinct causes, each with how often it
//! occurred, so a report can say "connection reset (412 times)" instead of only a count.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Distinct causes kept; later new causes are counted together.
pub const KEPT_CAUSES: usize = 5;

/// One cause of failed cache operations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ErrorCause {
    /// The error as the backend reported it (or `other causes` for those beyond the first
    /// few distinct ones).
    pub message: String,
    /// How many operations failed with it.
    pub count: u64,
}

/// Collects the first [`KEPT_CAUSES`] distinct causes and counts the rest.
#[derive(Debug, Clone, Default)]
pub struct ErrorCauses {
    first: Vec<ErrorCause>,
    other: u64,
}

impl ErrorCauses {
    /// Counts one failure with `message`.
    pub fn note(&mut self, message: &str) {
        if let Some(known) = self.first.iter_mut().find(|c| c.message == message) {
            known.count += 1;
        } else if self.first.len() < KEPT_CAUSES {
            self.first.push(ErrorCause { message: message.to_string(), count: 1 });
        } else {
            self.other += 1;
        }
    }

    /// The causes, most frequent first, then the rest together.
    pub fn list(&self) -> Vec<ErrorCause> {
        let mut out = self.first.clone();
        out.sort_by_key(|c| std::cmp::Reverse(c.count));
        if self.other > 0 {
            out.push(ErrorCause { message: "other causes".into(), count: self.other });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_first_distinct_causes_with_counts_and_lumps_the_rest() {
        let mut causes = ErrorCauses::default();
        for m in ["a", "b", "a", "c", "d", "e", "f", "g", "a"] {
            causes.note(m);
        }
        let list = causes.list();
        assert_eq!(list[0], ErrorCause { message: "a".into(), count: 3 });
        assert_eq!(list.len(), KEPT_CAUSES + 1);
        assert_eq!(list.last().unwrap(), &ErrorCause { message: "other causes".into(), count: 2 });
    }
}

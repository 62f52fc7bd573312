//! The failure a validator returns: which key is at fault and what is wrong. The scenario
//! parser turns it into an error with the file, line and column of that key.

use std::fmt;

/// A value that fails validation, naming its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// Dotted path of the key at fault, from the table that was validated (`hot_keys`,
    /// `params.move_threshold`, `value_size.min`; numeric segments index arrays of tables,
    /// `strategy.2.capacity`); empty for the table itself.
    pub key: String,
    /// What is wrong, without the key (it is reported beside the message).
    pub message: String,
}

impl Invalid {
    /// `key` is at fault: `message`.
    pub fn new(key: impl Into<String>, message: impl Into<String>) -> Self {
        Invalid { key: key.into(), message: message.into() }
    }

    /// The same failure seen from the table holding the validated one under `parent`
    /// (`"params"`, `"strategy.2"`).
    pub fn under(mut self, parent: &str) -> Self {
        self.key = match (parent.is_empty(), self.key.is_empty()) {
            (true, _) => self.key,
            (false, true) => parent.to_string(),
            (false, false) => format!("{parent}.{}", self.key),
        };
        self
    }

    /// The key as a user reads it in the file: the path without array indexes
    /// (`strategy.capacity`).
    pub fn display_key(&self) -> String {
        self.key.split('.').filter(|s| s.parse::<usize>().is_err()).collect::<Vec<_>>().join(".")
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.display_key().as_str() {
            "" => f.write_str(&self.message),
            key => write!(f, "{key}: {}", self.message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_nest_and_hide_array_indexes() {
        let e = Invalid::new("move_threshold", "must be at least 1").under("params").under("strategy.2");
        assert_eq!(e.key, "strategy.2.params.move_threshold");
        assert_eq!(e.display_key(), "strategy.params.move_threshold");
        assert_eq!(e.to_string(), "strategy.params.move_threshold: must be at least 1");
        assert_eq!(Invalid::new("", "is empty").under("objectives").key, "objectives");
        assert_eq!(Invalid::new("", "is empty").to_string(), "is empty");
    }
}

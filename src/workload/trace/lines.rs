//! Line-by-line reading of text traces (Twitter, Meta KV, access logs) in bounded memory: one
//! reusable line buffer, lines longer than [`MAX_LINE_BYTES`] refused, line numbers counted for
//! error messages.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use super::csv::MAX_LINE_BYTES;
use super::input::Input;
use super::trace_error;
use crate::model::error::InputError;

/// Read buffer of a text trace.
const LINE_BUFFER: usize = 1 << 16;

/// A text trace read one line at a time.
pub struct Lines {
    input: BufReader<Input>,
    path: PathBuf,
    line: Vec<u8>,
    /// 1-based number of the line in `line` (0 before the first).
    number: u64,
}

impl Lines {
    /// Lines of `input`, the content of `path` (named in errors).
    pub fn new(input: Input, path: &Path) -> Self {
        Lines {
            input: BufReader::with_capacity(LINE_BUFFER, input),
            path: path.to_path_buf(),
            line: Vec::new(),
            number: 0,
        }
    }

    /// The next line without its line break (`\n` or `\r\n`), or None at the end.
    pub fn next_line(&mut self) -> Result<Option<&[u8]>, InputError> {
        self.line.clear();
        let number = self.number + 1;
        loop {
            let path = &self.path;
            let buf = self
                .input
                .fill_buf()
                .map_err(|e| trace_error(path, format!("line {number}"), format!("cannot read: {e}")))?;
            if buf.is_empty() {
                break;
            }
            let (used, done) = match buf.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (buf.len(), false),
            };
            if self.line.len() + used > MAX_LINE_BYTES {
                return Err(self.error_at(
                    number,
                    format!("a line longer than {} MiB (is this the right format?)", MAX_LINE_BYTES >> 20),
                ));
            }
            self.line.extend_from_slice(&buf[..used]);
            self.input.consume(used);
            if done {
                break;
            }
        }
        if self.line.is_empty() {
            return Ok(None);
        }
        self.number = number;
        while matches!(self.line.last(), Some(b'\n' | b'\r')) {
            self.line.pop();
        }
        Ok(Some(&self.line))
    }

    /// 1-based number of the line last returned.
    pub fn number(&self) -> u64 {
        self.number
    }

    /// The file, for error messages.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The error for a bad line `number`.
    pub fn error_at(&self, number: u64, message: impl Into<String>) -> InputError {
        trace_error(&self.path, format!("line {number}"), message)
    }

    /// The error for the line last returned.
    pub fn error(&self, message: impl Into<String>) -> InputError {
        self.error_at(self.number, message)
    }
}

/// Parses an unsigned decimal integer (surrounding spaces allowed).
pub fn parse_u64(raw: &[u8]) -> Option<u64> {
    std::str::from_utf8(raw).ok()?.trim().parse().ok()
}

/// `raw` for an error message: lossy UTF-8, cut after 80 characters.
pub fn show(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    match text.char_indices().nth(80) {
        Some((i, _)) => format!("{}...", &text[..i]),
        None => text.into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &[u8]) -> Lines {
        Lines::new(Box::new(std::io::Cursor::new(text.to_vec())), Path::new("t.log"))
    }

    #[test]
    fn lines_lose_their_breaks_and_are_numbered() {
        let mut l = lines(b"a,b\r\n\nlast");
        assert_eq!(l.next_line().unwrap(), Some(&b"a,b"[..]));
        assert_eq!(l.next_line().unwrap(), Some(&b""[..]));
        assert_eq!(l.next_line().unwrap(), Some(&b"last"[..]));
        assert_eq!(l.number(), 3);
        assert_eq!(l.next_line().unwrap(), None);
    }

    #[test]
    fn an_endless_line_is_refused_with_its_number() {
        let mut text = b"ok\n".to_vec();
        text.resize(MAX_LINE_BYTES + 10, b'x');
        let mut l = lines(&text);
        l.next_line().unwrap();
        let e = l.next_line().unwrap_err().to_string();
        assert!(e.contains("t.log: line 2") && e.contains("longer than"), "{e}");
    }
}

//! Byte offsets to line and column, for every output format.

/// Start offsets of the lines of one text. `\n`, `\r\n` and a lone `\r` each end a line.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

/// A 1-based line and column; the column counts characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(i + 1),
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                    starts.push(i + 2);
                    i += 1;
                }
                b'\r' => starts.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        LineIndex { starts }
    }

    /// How many line starts the text has: its line breaks plus one.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// Never: a text has at least one line.
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// The byte range of 1-based line `n` of `text` (the text it was built from), line break
    /// excluded.
    pub fn line_range(&self, text: &str, n: usize) -> Option<std::ops::Range<usize>> {
        let start = *self.starts.get(n.checked_sub(1)?)?;
        let end = self.starts.get(n).copied().unwrap_or(text.len());
        let line = text.get(start..end)?;
        Some(start..start + line.trim_end_matches(['\n', '\r']).len())
    }

    /// Line and column of a byte offset (clamped to the text).
    pub fn line_col(&self, text: &str, offset: usize) -> LineCol {
        let offset = offset.min(text.len());
        let line = self.line_of(offset);
        let start = self.starts[line - 1];
        let column = text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(offset - start)
            + 1;
        LineCol { line, column }
    }

    /// The 1-based line holding a byte offset (offsets past the end are on the last line).
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|s| *s <= offset).max(1)
    }

    /// How many lines the text has: one more than it has line breaks.
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Byte offset where a 1-based line starts; `None` past the last line.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        line.checked_sub(1)
            .and_then(|i| self.starts.get(i).copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_all_line_endings_and_multibyte_text() {
        let text = "a\r\nb\rc\n한글x";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 0), LineCol { line: 1, column: 1 });
        assert_eq!(idx.line_col(text, 3), LineCol { line: 2, column: 1 });
        assert_eq!(idx.line_col(text, 5), LineCol { line: 3, column: 1 });
        let x = text.find('x').unwrap_or(0);
        assert_eq!(idx.line_col(text, x), LineCol { line: 4, column: 3 });
        assert_eq!(idx.line_count(), 4);
        assert_eq!(idx.line_start(2), Some(3));
        assert_eq!(idx.line_start(3), Some(5));
        assert_eq!(idx.line_start(5), None);
        assert_eq!(idx.line_of(4), 2);
        assert_eq!(idx.line_of(text.len() + 10), 4);
    }
}

//! Byte offsets to line and column and back, for every output format and for the positions
//! sqlparser reports.

/// Start offsets of the lines of one text. `\n`, `\r\n` and a lone `\r` each end a line
/// ([`LineIndex::new`]), or `\n` only ([`LineIndex::newlines_only`], as sqlparser counts lines).
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

    /// Lines that only `\n` ends (a `\r` stays part of its line), as sqlparser counts them: the
    /// index for [`char_offset`](Self::char_offset) on text sqlparser read.
    pub fn newlines_only(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
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

    /// Byte offset of a 1-based line and 1-based column that counts characters, as sqlparser
    /// reports locations. The column is counted on from the line's start and may run past its
    /// end; one past the last character of the text is the text's end. `None` for line or
    /// column 0, a line past the last, or a column further out.
    pub fn char_offset(&self, text: &str, line: usize, column: usize) -> Option<usize> {
        match self.char_position(text, line, column)? {
            Ok(offset) => Some(offset),
            Err(chars) => (chars == column - 1).then_some(text.len()),
        }
    }

    /// As [`char_offset`](Self::char_offset), but any column past the text's last character is
    /// the text's end.
    pub fn char_offset_clamped(&self, text: &str, line: usize, column: usize) -> Option<usize> {
        Some(
            self.char_position(text, line, column)?
                .unwrap_or(text.len()),
        )
    }

    /// `Ok(offset)` of a 1-based line and character column, or `Err(n)` when the column lies
    /// beyond the `n` characters from the line's start to the end of the text.
    fn char_position(
        &self,
        text: &str,
        line: usize,
        column: usize,
    ) -> Option<Result<usize, usize>> {
        let col = column.checked_sub(1)?;
        let start = self.line_start(line)?;
        let rest = text.get(start..)?;
        Some(match rest.char_indices().nth(col) {
            Some((i, _)) => Ok(start + i),
            None => Err(rest.chars().count()),
        })
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

    #[test]
    fn sqlparser_locations_count_characters_on_newline_only_lines() {
        let text = "a\n전체b\r\nc";
        let idx = LineIndex::newlines_only(text);
        assert_eq!(idx.char_offset(text, 1, 1), Some(0));
        assert_eq!(idx.char_offset(text, 2, 1), Some(2));
        assert_eq!(idx.char_offset(text, 2, 2), Some(5));
        assert_eq!(idx.char_offset(text, 2, 3), Some(8));
        assert_eq!(idx.char_offset(text, 3, 1), Some(11));
        assert_eq!(idx.char_offset(text, 3, 2), Some(12));
        assert_eq!(idx.char_offset(text, 3, 3), None);
        assert_eq!(idx.char_offset(text, 0, 0), None);
        assert_eq!(idx.char_offset(text, 4, 1), None);
        // The column runs on past the end of its line.
        assert_eq!(idx.char_offset(text, 1, 3), Some(2));
        assert_eq!(idx.char_offset_clamped(text, 3, 3), Some(12));
        assert_eq!(idx.char_offset_clamped(text, 3, 9), Some(12));
        assert_eq!(idx.char_offset_clamped(text, 3, 0), None);
        assert_eq!(idx.char_offset_clamped(text, 4, 1), None);
    }
}

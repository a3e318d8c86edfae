//! What the pretty report shows of a scanned file: its text made safe for a terminal, with
//! lines and columns from the one computation every format uses ([`ScannedFile::line_col`]).
//!
//! A scanned file is not trusted: an escape sequence in it must not recolour the terminal or
//! set its title. Each control character is shown as one visible character of the same width
//! (`ESC` as `␛`, `NUL` as `␀`, a C1 control or a bidirectional override as `�`), so columns
//! in characters do not move; offsets into the shown text are mapped from the source's. Tabs,
//! `\n` and `\r\n` stay; a lone `\r` ends a line, as it does for [`LineIndex`], and is shown as
//! a line break.
//!
//! [`LineIndex`]: crate::lines::LineIndex

use std::borrow::Cow;

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

use crate::facts::Span;
use crate::report::escape::{escape, is_c1_or_bidi, Notation};
use crate::report::model::ScannedFile;

/// One scanned file as the terminal is shown it; a [`SourceCode`] for miette whose offsets are
/// offsets into the shown text (see [`Excerpt::span`]).
pub struct Excerpt<'a> {
    file: &'a ScannedFile,
    /// The file's display path, escaped.
    name: String,
    text: Cow<'a, str>,
    /// For each character shown with more bytes than it has in the source: the source offset
    /// just after it and the shown offset just after it. Empty when the text is shown as is.
    shifts: Vec<(usize, usize)>,
}

impl<'a> Excerpt<'a> {
    pub fn new(file: &'a ScannedFile) -> Excerpt<'a> {
        let (text, shifts) = shown_text(file.source());
        Excerpt {
            file,
            name: escape_inline(&file.display).into_owned(),
            text,
            shifts,
        }
    }

    /// The file's source text, which finding spans are offsets into.
    pub fn source_text(&self) -> &str {
        self.file.source()
    }

    /// The shown text.
    #[cfg(test)]
    fn text(&self) -> &str {
        &self.text
    }

    /// A span of the source as a span of the shown text.
    pub fn span(&self, span: Span) -> SourceSpan {
        let start = self.shown_offset(span.start);
        let end = self.shown_offset(span.end.max(span.start));
        SourceSpan::new(start.into(), end - start)
    }

    fn shown_offset(&self, source: usize) -> usize {
        match self.shifts.partition_point(|(s, _)| *s <= source) {
            0 => source,
            i => {
                let (s, shown) = self.shifts[i - 1];
                source - s + shown
            }
        }
    }

    fn source_offset(&self, shown: usize) -> usize {
        match self.shifts.partition_point(|(_, sh)| *sh <= shown) {
            0 => shown,
            i => {
                let (s, sh) = self.shifts[i - 1];
                shown - sh + s
            }
        }
    }
}

impl SourceCode for Excerpt<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let start = span.offset();
        let end = start + span.len();
        if end > self.text.len() {
            return Err(MietteError::OutOfBounds);
        }
        let lines = self.file.line_index();
        let source_start = self.source_offset(start);
        let at = self.file.line_col(source_start);
        // The line holding the span's last character.
        let last = lines.line_of(self.source_offset(end.saturating_sub(1).max(start)));
        let first_line = at.line.saturating_sub(context_lines_before).max(1);
        let last_line = (last + context_lines_after).min(lines.line_count());
        let (data_start, column) = if context_lines_before == 0 {
            (start, at.column - 1)
        } else {
            let line_start = lines.line_start(first_line).unwrap_or(0);
            (self.shown_offset(line_start), 0)
        };
        let data_end = lines
            .line_start(last_line + 1)
            .map_or(self.text.len(), |s| self.shown_offset(s))
            .max(end);
        let data = self
            .text
            .as_bytes()
            .get(data_start..data_end)
            .ok_or(MietteError::OutOfBounds)?;
        // What miette's own sources report as the line count (line breaks from the start of the
        // file to the end of the data): it decides which labels share one excerpt, so excerpts
        // keep the shape they have always had.
        let line_count = lines.line_of(self.source_offset(data_end)) - 1;
        Ok(Box::new(
            MietteSpanContents::new_named(
                self.name.clone(),
                data,
                SourceSpan::new(data_start.into(), data_end - data_start),
                first_line - 1,
                column,
                line_count,
            )
            .with_language("php"),
        ))
    }
}

/// How a source character is shown in an excerpt, when not as itself. `next` is the character
/// after it.
fn shown_char(c: char, next: Option<char>) -> Option<char> {
    match c {
        '\t' | '\n' => None,
        '\r' if next == Some('\n') => None,
        // A lone `\r` ends a line.
        '\r' => Some('\n'),
        // The Control Pictures block: `␀` … `␟`, `␡`.
        '\0'..='\x1f' => char::from_u32(0x2400 + c as u32),
        '\x7f' => Some('\u{2421}'),
        c if is_c1_or_bidi(c) => Some('\u{fffd}'),
        _ => None,
    }
}

/// The shown text of a source, and the shifts of its offsets (see [`Excerpt`]).
fn shown_text(source: &str) -> (Cow<'_, str>, Vec<(usize, usize)>) {
    let mut chars = source.char_indices().peekable();
    let mut first_change = None;
    while let Some((i, c)) = chars.next() {
        if shown_char(c, chars.peek().map(|(_, n)| *n)).is_some() {
            first_change = Some(i);
            break;
        }
    }
    let Some(first) = first_change else {
        return (Cow::Borrowed(source), Vec::new());
    };
    let mut text = String::with_capacity(source.len() + 64);
    text.push_str(&source[..first]);
    let mut shifts = Vec::new();
    let mut chars = source[first..].char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let shown = shown_char(c, chars.peek().map(|(_, n)| *n)).unwrap_or(c);
        text.push(shown);
        if shown.len_utf8() != c.len_utf8() {
            shifts.push((first + i + c.len_utf8(), text.len()));
        }
    }
    (Cow::Owned(text), shifts)
}

/// Text from a scanned project (a path, a message quoting source or SQL, a reason) made safe to
/// print on one line: control characters, line breaks and bidirectional overrides are written
/// as escapes (`\x1b`, `\0`, `\n`, `\u{202e}`).
pub fn escape_inline(text: &str) -> Cow<'_, str> {
    escape(text, Notation::Terminal)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(source: &str) -> ScannedFile {
        ScannedFile::new("a\x1b[2J.php".into(), None, source.into())
    }

    fn read(excerpt: &Excerpt, span: Span, context: usize) -> (String, usize, usize, usize) {
        let contents = excerpt
            .read_span(&excerpt.span(span), context, context)
            .unwrap_or_else(|e| panic!("read_span: {e}"));
        (
            String::from_utf8_lossy(contents.data()).into_owned(),
            contents.line(),
            contents.column(),
            contents.span().offset(),
        )
    }

    #[test]
    fn text_without_controls_is_borrowed() {
        let f = file("<?php\r\n$a = '한글';\n");
        let e = Excerpt::new(&f);
        assert!(matches!(e.text, Cow::Borrowed(_)));
        assert_eq!(e.name, "a\\x1b[2J.php");
    }

    #[test]
    fn controls_become_pictures_and_offsets_follow() {
        let source = "a\x1b]0;t\x07b\u{85}c\rd\r\ne\tf\x7f\u{202e}g";
        let f = file(source);
        let e = Excerpt::new(&f);
        assert_eq!(e.text(), "a␛]0;t␇b\u{fffd}c\nd\r\ne\tf␡\u{fffd}g");
        for (i, c) in source.char_indices() {
            let shown = e.shown_offset(i);
            assert!(e.text().is_char_boundary(shown), "{c:?} at {i}");
            assert_eq!(e.source_offset(shown), i, "{c:?} at {i}");
            assert_eq!(
                e.text()[..shown].chars().count(),
                source[..i].chars().count()
            );
        }
        assert_eq!(e.shown_offset(source.len()), e.text().len());
    }

    #[test]
    fn read_span_counts_columns_in_characters() {
        let source = "<?php\n$x = \"한글 \x1b[1m\"; f(\"SELECT * FROM t\");\nend\n";
        let f = file(source);
        let e = Excerpt::new(&f);
        let t = source.find("FROM t").unwrap_or(0) + 5;
        let (data, line, column, _) = read(&e, Span::new(t, t + 1), 0);
        assert_eq!((line, column), (1, 33));
        assert_eq!(f.line_col(t).column, column + 1);
        assert!(data.starts_with('t'));
        let (data, line, column, offset) = read(&e, Span::new(t, t + 1), 1);
        assert_eq!((line, column, offset), (0, 0, 0));
        assert_eq!(
            data,
            "<?php\n$x = \"한글 ␛[1m\"; f(\"SELECT * FROM t\");\nend\n"
        );
    }

    #[test]
    fn read_span_sees_lone_carriage_returns_as_line_ends() {
        let source = "<?php\r// 한\r$a = 1;\r$b = 2;\r";
        let f = file(source);
        let e = Excerpt::new(&f);
        let b = source.find("$b").unwrap_or(0);
        let (data, line, _, _) = read(&e, Span::new(b, b + 2), 1);
        assert_eq!(line, 2);
        assert_eq!(data, "$a = 1;\n$b = 2;\n");
        let (_, line, column, _) = read(&e, Span::new(b, b + 2), 0);
        assert_eq!((line + 1, column + 1), (4, 1));
        assert_eq!(f.line_col(b).line, 4);
    }

    #[test]
    fn empty_source_reads_as_nothing() {
        let f = file("");
        let e = Excerpt::new(&f);
        let (data, line, column, _) = read(&e, Span::new(0, 0), 1);
        assert_eq!((data.as_str(), line, column), ("", 0, 0));
    }

    #[test]
    fn inline_escapes() {
        assert_eq!(escape_inline("plain 한글"), "plain 한글");
        assert_eq!(
            escape_inline("a\x1b]0;x\x07\0\t\n\r\u{9b}\u{202e}\x7f"),
            "a\\x1b]0;x\\x07\\0\\t\\n\\r\\u{9b}\\u{202e}\\x7f"
        );
    }
}

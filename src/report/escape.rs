//! Text from a scanned project (a path, a message quoting source or SQL, a reason) made safe to
//! show: the characters that would break a line, drive a terminal or change how text reads are
//! written as escapes. Every format escapes here; [`Notation`] says which characters it escapes
//! and how it writes them.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Which characters are escaped, and how they are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notation {
    /// For a terminal (`pretty`, messages): control characters and bidirectional controls;
    /// `\0`, `\t`, `\n`, `\r`, other C0 controls and DEL as `\x1b`, the rest as `\u{202e}`.
    Terminal,
    /// One finding per line (`concise`): control characters only; `\t`, `\n`, `\r`, the rest
    /// as `\u{1b}`.
    Line,
    /// Documents (the audit report): control characters and invisible format characters
    /// (bidirectional controls, zero-width characters, the BOM); `\t`, `\n`, the rest (`\r`
    /// too) as `\u{d}`.
    Document,
}

impl Notation {
    /// Whether `c` is written as an escape.
    pub fn escapes(self, c: char) -> bool {
        c.is_control()
            || match self {
                Notation::Terminal => is_c1_or_bidi(c),
                Notation::Line => false,
                Notation::Document => is_invisible_format(c),
            }
    }

    /// Write `c`, which [`Notation::escapes`], as its escape.
    fn write_escape(self, out: &mut String, c: char) {
        let short = match (self, c) {
            (_, '\t') => Some("\\t"),
            (_, '\n') => Some("\\n"),
            (Notation::Terminal | Notation::Line, '\r') => Some("\\r"),
            (Notation::Terminal, '\0') => Some("\\0"),
            _ => None,
        };
        match short {
            Some(s) => out.push_str(s),
            None if self == Notation::Terminal && matches!(c, '\x01'..='\x1f' | '\x7f') => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            None => push_unicode_escape(out, c),
        }
    }
}

/// `text` with every character `notation` escapes written as its escape; borrowed when there
/// is none.
pub fn escape(text: &str, notation: Notation) -> Cow<'_, str> {
    if !text.chars().any(|c| notation.escapes(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if notation.escapes(c) {
            notation.write_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Push `\u{…}` (lower-case hex) for `c`.
pub fn push_unicode_escape(out: &mut String, c: char) {
    let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
}

/// `text` with each character `replace` names a replacement for replaced (markup and
/// workflow-command escapes).
pub fn replace_chars(text: &str, replace: impl Fn(char) -> Option<&'static str>) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match replace(c) {
            Some(s) => out.push_str(s),
            None => out.push(c),
        }
    }
    out
}

/// C1 controls, and the bidirectional embeddings, overrides and isolates that can make a
/// terminal show text in another order than it is read.
pub fn is_c1_or_bidi(c: char) -> bool {
    matches!(c, '\u{80}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Characters that change how text reads without showing: bidirectional overrides and
/// isolates, zero-width characters, the BOM.
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_notation_escapes_its_characters() {
        let s = "a\0\x1b\t\n\r\u{9b}\u{202e}\u{200b}\x7f";
        assert_eq!(
            escape(s, Notation::Terminal),
            "a\\0\\x1b\\t\\n\\r\\u{9b}\\u{202e}\u{200b}\\x7f"
        );
        assert_eq!(
            escape(s, Notation::Line),
            "a\\u{0}\\u{1b}\\t\\n\\r\\u{9b}\u{202e}\u{200b}\\u{7f}"
        );
        assert_eq!(
            escape(s, Notation::Document),
            "a\\u{0}\\u{1b}\\t\\n\\u{d}\\u{9b}\\u{202e}\\u{200b}\\u{7f}"
        );
        assert!(matches!(
            escape("한글 ok", Notation::Document),
            Cow::Borrowed(_)
        ));
    }
}

//! From a [`Template`] (literal text and holes) to SQL text sqlparser accepts, and back.
//!
//! Each hole becomes a placeholder: inside a quoted string, the placeholder text `__tl_hN`
//! stays inside the quotes (a value); outside quotes, a hole whose text is known project-wide
//! (a table-name expression) is replaced by that text, any other becomes the identifier
//! `__tl_hN`. Every byte of the rendered SQL remembers where it came from, so positions that
//! sqlparser reports map back to the PHP source once, here.

use std::ops::Range;

use crate::facts::{Dialect, Hole, HoleExpr, Piece, Span, Template};
use crate::lines::LineIndex;
use crate::sql::placeholder::{placeholder, placeholder_index, placeholder_len, placeholders_in};

/// Prefix of hole placeholders in rendered SQL (defined in [`placeholder`](super::placeholder)).
pub use super::placeholder::PLACEHOLDER_PREFIX;

/// Where a run of rendered SQL came from.
#[derive(Clone, Copy, Debug)]
enum Origin {
    Text { src: usize, linear: bool },
    Hole { span: Span },
}

#[derive(Clone, Copy, Debug)]
struct Segment {
    sql: usize,
    len: usize,
    origin: Origin,
}

/// One hole as rendered.
#[derive(Clone, Debug)]
pub struct RenderedHole {
    pub hole: Hole,
    /// Index `N` of its placeholder `__tl_hN`.
    pub index: usize,
    /// Rendered inside a quoted SQL string (a value).
    pub quoted: bool,
    /// Replaced by project-wide known text.
    pub resolved: bool,
}

/// SQL text rendered from a template, with the map back to the source.
#[derive(Clone, Debug)]
pub struct RenderedSql {
    pub text: String,
    pub holes: Vec<RenderedHole>,
    /// The dialect the text is written in (how it was quoted, how it parses).
    pub dialect: Dialect,
    segments: Vec<Segment>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Quote {
    None,
    Single,
    Double,
    Back,
    /// `"…"` where it quotes an identifier (PostgreSQL, SQLite).
    DoubleIdent,
}

/// Tracks whether the end of the text rendered so far is inside a quoted string.
#[derive(Clone, Copy)]
struct QuoteState {
    quote: Quote,
    escaped: bool,
    /// MySQL quoting: `"` opens a string rather than an identifier, and a backslash escapes
    /// the next character in strings (PostgreSQL and SQLite strings take it literally).
    mysql: bool,
}

impl QuoteState {
    fn feed(&mut self, text: &str) {
        for b in text.bytes() {
            if self.escaped {
                self.escaped = false;
                continue;
            }
            self.quote = match (self.quote, b) {
                (Quote::Single | Quote::Double, b'\\') if self.mysql => {
                    self.escaped = true;
                    self.quote
                }
                (Quote::Single, b'\'') => Quote::None,
                (Quote::None, b'\'') => Quote::Single,
                (Quote::None, b'"') if self.mysql => Quote::Double,
                (Quote::None, b'"') => Quote::DoubleIdent,
                (Quote::Double | Quote::DoubleIdent, b'"') => Quote::None,
                (Quote::None, b'`') => Quote::Back,
                (Quote::Back, b'`') => Quote::None,
                (q, _) => q,
            };
        }
    }
}

/// Render a template. `resolve` gives the project-wide text of a hole expression, if known.
pub fn render(template: &Template, resolve: &dyn Fn(&HoleExpr) -> Option<String>) -> RenderedSql {
    render_with_prefixes(template, Dialect::MySql, resolve, &|_| None)
}

/// Render a template; an unquoted hole whose whole text is unknown but whose beginning is
/// (`prefix`) renders as that beginning followed by its placeholder (`g5_write___tl_h3`), so
/// that a table name can still be classified by its known part.
pub fn render_with_prefixes(
    template: &Template,
    dialect: Dialect,
    resolve: &dyn Fn(&HoleExpr) -> Option<String>,
    prefix: &dyn Fn(&HoleExpr) -> Option<String>,
) -> RenderedSql {
    let mut out = RenderedSql {
        text: String::new(),
        holes: Vec::new(),
        dialect,
        segments: Vec::new(),
    };
    let mut quotes = QuoteState {
        quote: Quote::None,
        escaped: false,
        mysql: dialect == Dialect::MySql,
    };
    for piece in template {
        let start = out.text.len();
        match piece {
            Piece::Text { text, src, linear } => {
                out.text.push_str(text);
                quotes.feed(text);
                out.segments.push(Segment {
                    sql: start,
                    len: text.len(),
                    origin: Origin::Text {
                        src: *src,
                        linear: *linear,
                    },
                });
            }
            Piece::Hole(hole) => {
                let index = out.holes.len();
                let quoted = matches!(quotes.quote, Quote::Single | Quote::Double);
                // Text known in the file is the text, quoted or not; project-wide names
                // only outside quotes (inside, a hole is a value).
                let resolved = match &hole.known {
                    Some(text) => Some(text.to_string()),
                    None if quoted => None,
                    None => resolve(&hole.expr),
                };
                let text = match &resolved {
                    Some(t) => t.clone(),
                    None => {
                        let known = if quoted { None } else { prefix(&hole.expr) };
                        format!("{}{}", known.unwrap_or_default(), placeholder(index))
                    }
                };
                if resolved.is_some() {
                    quotes.feed(&text);
                }
                out.text.push_str(&text);
                out.segments.push(Segment {
                    sql: start,
                    len: text.len(),
                    origin: Origin::Hole { span: hole.span },
                });
                out.holes.push(RenderedHole {
                    hole: hole.clone(),
                    index,
                    quoted,
                    resolved: resolved.is_some(),
                });
            }
        }
    }
    out
}

impl RenderedSql {
    /// Map a byte range of the rendered SQL back to a source span.
    pub fn source_span(&self, range: Range<usize>) -> Option<Span> {
        let start = self.map_offset(range.start, false)?;
        let end = self
            .map_offset(range.end.max(range.start + 1) - 1, true)
            .unwrap_or(start);
        Some(Span::new(start.min(end), end.max(start)))
    }

    /// The source offset of one SQL byte; with `end`, the offset just past it.
    fn map_offset(&self, offset: usize, end: bool) -> Option<usize> {
        let idx = self
            .segments
            .partition_point(|s| s.sql + s.len <= offset)
            .min(self.segments.len().checked_sub(1)?);
        let seg = self.segments[idx];
        Some(match seg.origin {
            Origin::Text { src, linear: true } => {
                src + (offset - seg.sql).min(seg.len) + end as usize
            }
            Origin::Text { src, linear: false } => src + end as usize,
            Origin::Hole { span } => {
                if end {
                    span.end
                } else {
                    span.start
                }
            }
        })
    }

    /// The hole rendered at a placeholder name (`__tl_h3` → hole 3).
    pub fn hole_named(&self, name: &str) -> Option<&RenderedHole> {
        self.holes.get(placeholder_index(name)?)
    }

    /// Blank out the unresolved, unquoted placeholder starting at `offset` (same length, so
    /// every position stays valid). Returns the hole, if one starts there.
    pub fn blank_placeholder_at(&mut self, offset: usize) -> Option<RenderedHole> {
        let rest = self.text.get(offset..)?;
        let len = placeholder_len(rest)?;
        let hole = self.hole_named(&rest[..len])?.clone();
        if hole.quoted || hole.resolved {
            return None;
        }
        self.text
            .replace_range(offset..offset + len, &" ".repeat(len));
        Some(hole)
    }

    /// When the parser stopped at `offset` just after an unquoted, unresolved placeholder that
    /// stands in the SET list of an UPDATE (`UPDATE t SET {set} WHERE …`), rewrite it as an
    /// assignment of the same length (`_=0`), so that the rest of the statement parses: such a
    /// fragment can only hold assignments, never a predicate. An INSERT's SET list is left
    /// alone (its fragment may set the tenant column). Returns the hole.
    pub fn assign_placeholder_before(&mut self, offset: usize) -> Option<RenderedHole> {
        let before = self.text.get(..offset)?.trim_end();
        let last = placeholders_in(before).last()?;
        let start = last.as_ptr() as usize - before.as_ptr() as usize;
        let len = last.len();
        if start + len != before.len() {
            return None;
        }
        let hole = self.hole_named(&before[start..])?.clone();
        if hole.quoted || hole.resolved {
            return None;
        }
        let head = &self.text[..start];
        let words = |t: &'_ str| {
            t.split(|c: char| !c.is_ascii_alphabetic())
                .filter(|w| !w.is_empty())
                .map(str::to_ascii_uppercase)
                .collect::<Vec<_>>()
        };
        let head_words = words(head);
        let clause = head_words.iter().rev().find(|w| {
            [
                "SET", "WHERE", "FROM", "JOIN", "ON", "SELECT", "VALUES", "INTO", "UPDATE",
            ]
            .contains(&w.as_str())
        });
        if clause.map(String::as_str) != Some("SET")
            || head_words.first().map(String::as_str) != Some("UPDATE")
        {
            return None;
        }
        let filler = format!("{:<len$}", "_=0");
        self.text.replace_range(start..start + len, &filler);
        Some(hole)
    }

    /// Whether the text before `offset` puts it where a predicate could be: the nearest clause
    /// keyword before it is WHERE, ON, HAVING, FROM or JOIN (a fragment there may hold joins
    /// and conditions).
    pub fn in_predicate_position(&self, offset: usize) -> bool {
        let before = &self.text[..offset.min(self.text.len())];
        let clause = before
            .split(|c: char| !c.is_ascii_alphabetic())
            .rev()
            .find_map(|w| {
                [
                    "WHERE", "ON", "HAVING", "FROM", "JOIN", "ORDER", "GROUP", "LIMIT", "SET",
                    "SELECT", "VALUES", "INTO",
                ]
                .into_iter()
                .find(|k| k.eq_ignore_ascii_case(w))
            });
        matches!(clause, Some("WHERE" | "ON" | "HAVING" | "FROM" | "JOIN"))
    }

    /// Byte offset of a 1-based line and character column, as sqlparser reports them; a column
    /// past the end of the text is its end, and line 0 is read as line 1.
    pub fn offset_of(&self, line: usize, column: usize) -> Option<usize> {
        LineIndex::newlines_only(&self.text).char_offset_clamped(&self.text, line.max(1), column)
    }

    /// The SQL for people: whitespace collapsed, placeholders shown as `?` (a quoted
    /// placeholder that is the whole string, with its quotes).
    pub fn display(&self) -> String {
        let text = &self.text;
        let mut out = String::with_capacity(text.len());
        let mut i = 0;
        while i < text.len() {
            let rest = &text[i..];
            let quoted = rest.starts_with('\'') && placeholder_len(&rest[1..]).is_some();
            let start = if quoted { 1 } else { 0 };
            if let Some(len) = placeholder_len(&rest[start..]) {
                let end = start + len;
                if quoted && rest[end..].starts_with('\'') {
                    out.push('?');
                    i += end + 1;
                    continue;
                }
                if !quoted {
                    out.push('?');
                    i += end;
                    continue;
                }
            }
            let c = rest.chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
        }
        out.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// Unresolved holes outside quotes: fragments or names whose text cannot be known.
    pub fn unresolved_bare_holes(&self) -> impl Iterator<Item = &RenderedHole> {
        self.holes.iter().filter(|h| !h.quoted && !h.resolved)
    }
}

/// The SQL verb a text starts with (after whitespace, comments and opening parentheses).
pub fn leading_verb(text: &str) -> Option<&'static str> {
    let mut rest = text;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '(');
        if let Some(r) = rest.strip_prefix("/*") {
            rest = r.split_once("*/").map(|(_, after)| after)?;
        } else if rest.starts_with("--") || rest.starts_with('#') {
            rest = rest.split_once('\n').map(|(_, after)| after)?;
        } else {
            break;
        }
    }
    const VERBS: [&str; 6] = ["SELECT", "INSERT", "REPLACE", "UPDATE", "DELETE", "WITH"];
    let word_len = rest
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(rest.len());
    let word = &rest[..word_len];
    let next = rest[word_len..].chars().next();
    // A verb must be followed by something a query can continue with.
    if !matches!(next, Some(c) if c.is_whitespace() || matches!(c, '*' | '`' | '(' | '/')) {
        return None;
    }
    VERBS.iter().find(|v| v.eq_ignore_ascii_case(word)).copied()
}

/// Whether text that starts with a SQL verb is an English sentence rather than a query
/// ("Select the members from the list", "Update your profile from the settings page"): it
/// has none of the punctuation queries are made of, and it uses words no query uses.
pub fn looks_like_prose(text: &str) -> bool {
    if text.contains(['=', '<', '>', '*', '(', ')', ',', ';', '\'', '"', '`', '@']) {
        return false;
    }
    const FUNCTION_WORDS: [&str; 24] = [
        "the", "your", "a", "an", "my", "our", "their", "this", "these", "those", "you", "we",
        "please", "is", "are", "was", "were", "will", "can", "should", "must", "it", "its",
        "yours",
    ];
    text.split(|c: char| !c.is_alphanumeric() && c != '_')
        .filter(|w| !w.is_empty())
        .any(|w| FUNCTION_WORDS.iter().any(|f| f.eq_ignore_ascii_case(w)))
}

/// Whether text that sqlparser rejected still has the shape of a query (a verb followed by
/// FROM, INTO, SET or WHERE). Text without it is prose, not SQL.
pub fn has_sql_structure(text: &str) -> bool {
    if leading_verb(text).is_none() {
        return false;
    }
    text.split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .skip(1)
        .any(|w| {
            ["FROM", "INTO", "SET", "WHERE"]
                .iter()
                .any(|k| k.eq_ignore_ascii_case(w))
        })
}

/// The hole expressions (PHP source text) whose placeholders appear in a rendered name.
pub fn hole_names_in(rendered: &RenderedSql, name: &str) -> Vec<String> {
    placeholders_in(name)
        .filter_map(|p| rendered.hole_named(p))
        .map(|h| h.hole.expr.display().to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(t: &str, src: usize) -> Piece {
        Piece::Text {
            text: t.into(),
            src,
            linear: true,
        }
    }

    fn hole(path: &str, start: usize, end: usize) -> Piece {
        Piece::Hole(Hole::new(
            Span::new(start, end),
            HoleExpr::Path(path.into()),
        ))
    }

    #[test]
    fn quoting_follows_the_dialect() {
        // `"` opens a string in MySQL and an identifier elsewhere; a backslash escapes in MySQL
        // strings only.
        let t = vec![
            text("select * from \"", 0),
            hole("$t", 100, 102),
            text("\" where a = 'x\\' and b = ", 200),
            hole("$b", 300, 302),
        ];
        let names = |e: &HoleExpr| match e {
            HoleExpr::Path(p) if &**p == "$t" => Some("iw_member".to_string()),
            _ => None,
        };
        let mysql = render_with_prefixes(&t, Dialect::MySql, &names, &|_| None);
        assert!(mysql.holes[0].quoted && !mysql.holes[0].resolved);
        assert!(mysql.holes[1].quoted);
        for dialect in [Dialect::Postgres, Dialect::Sqlite] {
            let r = render_with_prefixes(&t, dialect, &names, &|_| None);
            assert!(!r.holes[0].quoted && r.holes[0].resolved, "{dialect:?}");
            assert!(!r.holes[1].quoted, "{dialect:?}");
            assert_eq!(r.dialect, dialect);
            assert!(r.text.starts_with("select * from \"iw_member\""));
        }
    }

    #[test]
    fn holes_render_by_position_and_resolution() {
        let t = vec![
            text("select * from ", 100),
            hole("$iw['member_table']", 200, 219),
            text(" where ep_code = '", 300),
            hole("$iw['store']", 400, 412),
            text("' and x = ", 500),
            hole("$x", 600, 602),
        ];
        let r = render(&t, &|e| match e {
            HoleExpr::Path(p) if p.starts_with("$iw") => Some("iw_member".into()),
            _ => None,
        });
        assert_eq!(
            r.text,
            "select * from iw_member where ep_code = '__tl_h1' and x = __tl_h2"
        );
        assert!(r.holes[0].resolved && !r.holes[0].quoted);
        assert!(r.holes[1].quoted && !r.holes[1].resolved);
        // The resolved table name maps to the whole interpolated expression.
        assert_eq!(r.source_span(14..23), Some(Span::new(200, 219)));
        // Literal text maps byte for byte.
        assert_eq!(r.source_span(0..6), Some(Span::new(100, 106)));
        assert_eq!(
            r.display(),
            "select * from iw_member where ep_code = ? and x = ?"
        );
    }

    #[test]
    fn placeholders_can_be_blanked_in_place() {
        let t = vec![
            text("select * from t where a = 1 order by x ", 0),
            hole("$sod", 50, 54),
        ];
        let mut r = render(&t, &|_| None);
        let at = r.text.find(PLACEHOLDER_PREFIX).unwrap_or(0);
        assert_eq!(r.offset_of(1, at + 1), Some(at));
        assert!(!r.in_predicate_position(at));
        let blanked = r.blank_placeholder_at(at).map(|h| h.hole.expr);
        assert_eq!(blanked, Some(HoleExpr::Path("$sod".into())));
        assert_eq!(r.text.trim_end(), "select * from t where a = 1 order by x");
        assert!(r.in_predicate_position(r.text.find("a =").unwrap_or(0)));
    }

    #[test]
    fn escaped_quotes_keep_quote_state() {
        let t = vec![
            text(r"select 'it\'s ", 0),
            hole("$a", 10, 12),
            text("'", 20),
        ];
        let r = render(&t, &|_| Some("zzz".into()));
        assert!(r.holes[0].quoted);
    }

    #[test]
    fn verbs_are_recognised_by_content() {
        assert_eq!(leading_verb("\n  select * from x"), Some("SELECT"));
        assert_eq!(leading_verb("/* c */ UPDATE t SET a=1"), Some("UPDATE"));
        assert_eq!(leading_verb("(SELECT 1) UNION (SELECT 2)"), Some("SELECT"));
        assert_eq!(leading_verb("<select name=x>"), None);
        assert_eq!(leading_verb("selected"), None);
        assert_eq!(leading_verb("Select"), None);
        assert!(!has_sql_structure("Select the member you want"));
        assert!(looks_like_prose("Select the members from the list"));
        assert!(looks_like_prose(
            "Update your profile from the settings page."
        ));
        assert!(looks_like_prose(
            "Delete from your cart any items you no longer want"
        ));
        assert!(!looks_like_prose("DELETE FROM iw_log"));
        assert!(!looks_like_prose(
            "select a.mb_id from iw_member a where a.ep_code = 'x'"
        ));
        assert!(!looks_like_prose(
            "SELECT id FROM iw_member WHERE name LIKE '%the%'"
        ));
        assert!(has_sql_structure("select a frm x where"));
    }
}

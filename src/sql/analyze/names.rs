//! Names in the AST: where an identifier stands in the SQL text, the last part of an
//! object name, the columns an assignment sets, and placeholder identifiers.

use std::ops::Range;

use sqlparser::ast::{Assignment, Ident, ObjectName, ObjectNamePart};

/// Maps sqlparser's 1-based (line, column) locations — columns count
/// characters, lines are separated by `\n` — to byte offsets.
pub(super) struct LineIndex<'s> {
    sql: &'s str,
    line_starts: Vec<usize>,
}

impl<'s> LineIndex<'s> {
    pub(super) fn new(sql: &'s str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(sql.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { sql, line_starts }
    }

    /// Byte offset of a 1-based line/column location, if inside the text.
    pub(super) fn offset(&self, line: u64, column: u64) -> Option<usize> {
        let line = usize::try_from(line).ok()?.checked_sub(1)?;
        let col = usize::try_from(column).ok()?.checked_sub(1)?;
        let start = *self.line_starts.get(line)?;
        let rest = self.sql.get(start..)?;
        let mut chars = rest.char_indices();
        match chars.nth(col) {
            Some((i, _)) => Some(start + i),
            // Column just past the last character of the text.
            None => {
                let n = rest.chars().count();
                (n == col).then_some(start + rest.len())
            }
        }
    }

    /// Byte range of an identifier's name (without quotes).
    pub(super) fn ident_range(&self, id: &Ident) -> Range<usize> {
        let Some(mut start) = self.offset(id.span.start.line, id.span.start.column) else {
            return 0..0;
        };
        if let Some(q) = id.quote_style {
            if self.sql[start..].starts_with(q) {
                start += q.len_utf8();
            }
        }
        if self.sql[start..].starts_with(id.value.as_str()) {
            return start..start + id.value.len();
        }
        // Escaped quotes inside the name: fall back to the span end.
        let end = self
            .offset(id.span.end.line, id.span.end.column)
            .unwrap_or(start)
            .max(start);
        let mut end = end;
        if let Some(q) = id.quote_style {
            if end > start && self.sql[..end].ends_with(q) {
                end -= q.len_utf8();
            }
        }
        start..end
    }
}

/// `true` for a caller placeholder identifier `__tl_h<digits>`.
pub fn is_placeholder(name: &str) -> bool {
    name.strip_prefix(crate::sql::template::PLACEHOLDER_PREFIX)
        .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
}

pub(super) fn last_ident(name: &ObjectName) -> Option<&Ident> {
    match name.0.last()? {
        ObjectNamePart::Identifier(id) => Some(id),
        ObjectNamePart::Function(_) => None,
    }
}

pub(super) fn assignment_targets(a: &Assignment) -> impl Iterator<Item = &ObjectName> {
    use sqlparser::ast::AssignmentTarget;
    let v: Vec<&ObjectName> = match &a.target {
        AssignmentTarget::ColumnName(n) => vec![n],
        AssignmentTarget::Tuple(ns) => ns.iter().collect(),
    };
    v.into_iter()
}

//! Names in the AST: where an identifier stands in the SQL text, the last part of an
//! object name, the columns an assignment sets.

use std::ops::Range;

use sqlparser::ast::{Assignment, Ident, ObjectName, ObjectNamePart};

use crate::lines::LineIndex;

/// Where sqlparser's spans lie in the SQL text it parsed: its 1-based (line, column)
/// locations mapped to byte offsets by [`LineIndex::newlines_only`].
pub(super) struct Positions<'s> {
    sql: &'s str,
    lines: LineIndex,
}

impl<'s> Positions<'s> {
    pub(super) fn new(sql: &'s str) -> Self {
        Positions {
            sql,
            lines: LineIndex::newlines_only(sql),
        }
    }

    /// Byte offset of a 1-based line/column location, if inside the text.
    pub(super) fn offset(&self, line: u64, column: u64) -> Option<usize> {
        let line = usize::try_from(line).ok()?;
        let column = usize::try_from(column).ok()?;
        self.lines.char_offset(self.sql, line, column)
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

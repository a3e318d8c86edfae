//! Suppression comments, for every front-end: the comments that hold a suppression directive,
//! and the code each one covers. A front-end says what its comments and statements are.

use tree_sitter::Node;

use crate::facts::Span;

/// What a language's comments and statements are, for [`suppression_comments`].
pub(crate) struct CommentSyntax {
    pub is_comment: fn(&Node) -> bool,
    /// A statement: where the search for the statement a trailing directive ends stops.
    pub is_statement: fn(&Node) -> bool,
    /// A statement that holds no other statements: a directive covers it whole (never a whole
    /// `if` block or function).
    pub is_simple: fn(&Node) -> bool,
}

/// Comments holding a suppression directive, with the code each applies to.
pub(crate) fn suppression_comments(
    root: Node,
    src: &str,
    syntax: &CommentSyntax,
) -> Vec<crate::facts::SuppressionComment> {
    let line_start = |at: usize| src[..at].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let line_end = |at: usize| src[at..].find(['\n', '\r']).map_or(src.len(), |i| at + i);
    let (is_comment, is_statement, is_simple) =
        (syntax.is_comment, syntax.is_statement, syntax.is_simple);
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        if !is_comment(&n) {
            let mut cursor = n.walk();
            stack.extend(n.children(&mut cursor));
            continue;
        }
        let text = &src[n.start_byte()..n.end_byte()];
        if !text.contains(crate::suppress::MARKER) {
            continue;
        }
        let start = line_start(n.start_byte());
        let own_line = src[start..n.start_byte()].trim().is_empty();
        let mut covers = Vec::new();
        if own_line {
            // The next line, and the statement that starts after the comment, whole.
            let next = line_end(n.end_byte());
            let next_start = match src[next..].chars().next() {
                Some('\r') if src[next..].starts_with("\r\n") => next + 2,
                Some(_) => next + 1,
                None => next,
            };
            covers.push(Span::new(next_start, line_end(next_start.min(src.len()))));
            let mut sibling = n.next_named_sibling();
            while let Some(s) = sibling.filter(is_comment) {
                sibling = s.next_named_sibling();
            }
            if let Some(s) = sibling.filter(is_simple) {
                covers.push(crate::lang::span_of(s));
            }
        } else {
            covers.push(Span::new(start, line_end(n.end_byte())));
            // The statement it ends (`sql_query(…); // …`) …
            if let Some(prev) = n.prev_named_sibling().filter(is_simple) {
                if line_start(prev.end_byte().saturating_sub(1)) == start {
                    covers.push(crate::lang::span_of(prev));
                }
            }
            // … or the statement that starts on its line (`sql_query( // …`).
            let mut up = n.parent();
            while let Some(p) = up {
                if is_statement(&p) {
                    if is_simple(&p) && line_start(p.start_byte()) == start {
                        covers.push(crate::lang::span_of(p));
                    }
                    break;
                }
                up = p.parent();
            }
        }
        out.push(crate::facts::SuppressionComment {
            span: crate::lang::span_of(n),
            text: text.into(),
            covers,
        });
    }
    out.sort_by_key(|c| c.span);
    out
}

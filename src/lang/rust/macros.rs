//! Macros: `format!` and `format_args!` (positional `{}`, `{0}`, named `{name}` and captured
//! variables are holes; `{{`/`}}` literal braces), `write!`/`writeln!` appending to a string,
//! `concat!`, sqlx's `query!` family (the query literal and the values bound after it), its
//! `query_file!` family and `include_str!` (SQL kept in a file of its own: a hole standing for
//! the file's text, and a [`SqlFileRef`] the engine reads), and any other macro whose arguments
//! may make a query call (`tokio::try_join!(…)`).
//!
//! A macro's arguments are a token tree in the syntax tree: they are parsed again, over the
//! same source with only the token tree's bytes included, as one tuple expression, so that the
//! nodes keep the file's byte offsets.

use tree_sitter::Node;

use super::RustKind as _;

use super::{span_of, Lowerer};
use crate::facts::{Hole, HoleExpr, Piece, Span, SqlFileBase, SqlFileRef};
use crate::lang::env::State;
use crate::lang::value::{expand_format, FormatSegment, Value};

/// sqlx's query macros: the query literal comes first, or after the record type.
const SQLX_MACROS: &[&str] = &[
    "query",
    "query_as",
    "query_scalar",
    "query_unchecked",
    "query_as_unchecked",
    "query_scalar_unchecked",
];

/// sqlx's macros that read the query from a file, relative to the crate root; the path comes
/// first, or after the record type.
const SQLX_FILE_MACROS: &[&str] = &[
    "query_file",
    "query_file_as",
    "query_file_scalar",
    "query_file_unchecked",
    "query_file_as_unchecked",
    "query_file_scalar_unchecked",
];

/// The argument expressions of a re-parsed token tree (`(a, b)`, `[a, b]`, `(a)`): the
/// outermost tuple, array or parenthesized expression (a statement without its `;` may be
/// wrapped in error recovery).
pub(super) fn elements(root: Node) -> Vec<Node> {
    let mut pending = vec![root];
    let mut seen = 0;
    while let Some(n) = pending.pop() {
        seen += 1;
        if seen > 64 {
            break;
        }
        match n.kind_name() {
            "tuple_expression" | "array_expression" => {
                let mut cursor = n.walk();
                return n
                    .named_children(&mut cursor)
                    .filter(|e| {
                        !matches!(
                            e.kind_name(),
                            "attribute_item" | "line_comment" | "block_comment"
                        )
                    })
                    .collect();
            }
            "parenthesized_expression" => return n.named_child(0).into_iter().collect(),
            "unit_expression" => return Vec::new(),
            _ => {
                let mut cursor = n.walk();
                let children: Vec<Node> = n.named_children(&mut cursor).collect();
                pending.extend(children.into_iter().rev().take(1));
            }
        }
    }
    Vec::new()
}

/// A `{…}` of a format string: the argument it takes, and whether it is `{:?}` (which quotes a
/// string: a value, not SQL text).
struct FormatArg {
    selector: Selector,
    debug: bool,
}

enum Selector {
    Next,
    Index(usize),
    Name(String),
}

/// Split a format string into text and arguments.
fn split_format(text: &str) -> Vec<FormatSegment<FormatArg>> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut literal = String::new();
    let mut literal_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' if bytes.get(i + 1) == Some(&b'{') => {
                literal.push('{');
                i += 2;
            }
            b'}' if bytes.get(i + 1) == Some(&b'}') => {
                literal.push('}');
                i += 2;
            }
            b'{' => {
                let Some(close) = text[i..].find('}') else {
                    literal.push_str(&text[i..]);
                    break;
                };
                if !literal.is_empty() {
                    out.push(FormatSegment::Text(
                        std::mem::take(&mut literal),
                        literal_start..i,
                    ));
                }
                let inner = &text[i + 1..i + close];
                let (sel, spec) = inner.split_once(':').unwrap_or((inner, ""));
                let sel = sel.trim();
                let selector = if sel.is_empty() {
                    Selector::Next
                } else if let Ok(k) = sel.parse::<usize>() {
                    Selector::Index(k)
                } else {
                    Selector::Name(sel.trim_start_matches("r#").to_string())
                };
                out.push(FormatSegment::Directive(
                    FormatArg {
                        selector,
                        debug: spec.contains('?'),
                    },
                    i..i + close + 1,
                ));
                i += close + 1;
                literal_start = i;
            }
            _ => {
                let ch_len = text[i..].chars().next().map_or(1, char::len_utf8);
                literal.push_str(&text[i..i + ch_len]);
                i += ch_len;
            }
        }
    }
    if !literal.is_empty() {
        out.push(FormatSegment::Text(literal, literal_start..text.len()));
    }
    out
}

impl<'s> Lowerer<'s> {
    /// Parse a macro's token tree again as an expression (see the module documentation).
    pub(super) fn macro_arguments(&mut self, mac: Node) -> Option<tree_sitter::Tree> {
        let mut cursor = mac.walk();
        let tt = mac
            .named_children(&mut cursor)
            .find(|c| c.kind_name() == "token_tree")?;
        let open = self.text(tt).chars().next()?;
        if open == '{' {
            return None;
        }
        let parser = self
            .sub_parser
            .get_or_insert_with(super::rust_parser)
            .as_mut()?;
        let range = tree_sitter::Range {
            start_byte: tt.start_byte(),
            end_byte: tt.end_byte(),
            start_point: tt.start_position(),
            end_point: tt.end_position(),
        };
        parser.set_included_ranges(&[range]).ok()?;
        let tree = parser.parse(self.src, None);
        parser.set_included_ranges(&[]).ok()?;
        tree
    }

    /// The source between `first` and `last` (tokens of a token tree) parsed on its own, with
    /// positions in the file.
    pub(super) fn parse_range(
        &mut self,
        start: usize,
        end: usize,
        first: Node,
        last: Node,
    ) -> Option<tree_sitter::Tree> {
        let parser = self
            .sub_parser
            .get_or_insert_with(super::rust_parser)
            .as_mut()?;
        let range = tree_sitter::Range {
            start_byte: start,
            end_byte: end,
            start_point: first.start_position(),
            end_point: last.end_position(),
        };
        parser.set_included_ranges(&[range]).ok()?;
        let tree = parser.parse(self.src, None);
        parser.set_included_ranges(&[]).ok()?;
        tree
    }

    pub(super) fn macro_call(&mut self, n: Node, state: &mut State) -> Value {
        let path: String = n
            .child_by_field_name("macro")
            .map(|m| self.text(m).split_whitespace().collect())
            .unwrap_or_default();
        let (qualifier, name) = match path.rsplit_once("::") {
            Some((q, name)) => (q.to_string(), name.to_string()),
            None => (String::new(), path.clone()),
        };
        let Some(tree) = self.macro_arguments(n) else {
            return self.opaque(n);
        };
        let args = elements(tree.root_node());
        match name.as_str() {
            "format" | "format_args" if !args.is_empty() => {
                self.format(&args[0], &args[1..], state)
            }
            "write" | "writeln" if args.len() >= 2 => {
                let mut v = self.format(&args[1], &args[2..], state);
                if name == "writeln" {
                    v = v.concat(Self::text_value("\n", n.end_byte(), false));
                }
                match self.target_name(args[0]) {
                    Some(var) => self.append(var, v, span_of(n), state),
                    None => {
                        self.eval(args[0], state);
                    }
                }
                self.opaque(n)
            }
            "concat" => {
                let mut v = Value::empty_string();
                for a in &args {
                    let part = self.eval(*a, state);
                    v = v.concat(part);
                }
                v
            }
            _ if SQLX_MACROS.contains(&name.as_str())
                && (qualifier == "sqlx" || qualifier.is_empty() && self.uses_sqlx()) =>
            {
                self.sqlx_macro(n, &args, state)
            }
            _ if SQLX_FILE_MACROS.contains(&name.as_str())
                && (qualifier == "sqlx" || qualifier.is_empty() && self.uses_sqlx()) =>
            {
                self.sqlx_file_macro(n, &args, state)
            }
            "include_str"
                if args.len() == 1 && matches!(qualifier.as_str(), "" | "std" | "core") =>
            {
                match self.sql_file(args[0], span_of(n), SqlFileBase::SourceDir, state) {
                    Some(text) => text,
                    None => self.opaque(n),
                }
            }
            // Checks and macros that leave (`ensure!`, `assert_eq!`, `bail!`): see `taint`.
            _ if self.checking_macro(&name, &args, state) => self.opaque(n),
            _ => {
                // Logging, assertions, `try_join!`…: their arguments are evaluated for the
                // queries they may run, but text passed to them is not a use of a query.
                for a in &args {
                    self.eval(*a, state);
                }
                self.opaque(n)
            }
        }
    }

    fn uses_sqlx(&self) -> bool {
        memchr::memmem::find(self.src.as_bytes(), b"sqlx").is_some()
    }

    /// `query!("…", a, b)`, `query_as!(Record, "…", a)`: the first string literal is the query,
    /// the arguments after it are bound to its parameters.
    fn sqlx_macro(&mut self, n: Node, args: &[Node], state: &mut State) -> Value {
        let is_literal = |a: &Node| {
            matches!(
                a.kind_name(),
                "string_literal" | "raw_string_literal" | "macro_invocation"
            )
        };
        let Some(at) = args.iter().position(is_literal) else {
            return self.opaque(n);
        };
        let sql = self.eval(args[at], state);
        let params = self.bound_values(&args[at + 1..], self.dialect, state);
        self.query_site(&sql, span_of(n), self.dialect, params);
        self.opaque(n)
    }

    /// `query_file!("queries/x.sql", a, b)`, `query_file_as!(Record, "queries/x.sql", a)`: the
    /// query is the text of the file the first string literal names (relative to the crate
    /// root), the arguments after it are bound to its parameters.
    fn sqlx_file_macro(&mut self, n: Node, args: &[Node], state: &mut State) -> Value {
        let is_literal =
            |a: &Node| matches!(a.kind_name(), "string_literal" | "raw_string_literal");
        let Some(at) = args.iter().position(is_literal) else {
            return self.opaque(n);
        };
        let Some(sql) = self.sql_file(args[at], span_of(args[at]), SqlFileBase::CrateRoot, state)
        else {
            return self.opaque(n);
        };
        let params = self.bound_values(&args[at + 1..], self.dialect, state);
        self.query_site(&sql, span_of(n), self.dialect, params);
        self.opaque(n)
    }

    /// The text of the SQL file `path` names (relative to `base`), as a hole at `at` that the
    /// engine fills in: `None` when the path is not literal text.
    fn sql_file(
        &mut self,
        path: Node,
        at: Span,
        base: SqlFileBase,
        state: &mut State,
    ) -> Option<Value> {
        let value = self.eval(path, state);
        let [variant] = value.variants.as_slice() else {
            return None;
        };
        let mut written = String::new();
        for piece in &variant.pieces {
            match piece {
                Piece::Text { text, .. } => written.push_str(text),
                Piece::Hole(_) => return None,
            }
        }
        if written.is_empty() {
            return None;
        }
        let label = format!("the text of `{written}`");
        if !self.facts.sql_files.iter().any(|r| r.at == at) {
            self.facts.sql_files.push(SqlFileRef {
                at,
                path: written.into(),
                base,
            });
        }
        Some(self.opaque_at(at, &label))
    }

    /// `format!(fmt, args…)`: the format string's text, each `{…}` replaced by the value of its
    /// argument.
    fn format(&mut self, fmt: &Node, rest: &[Node], state: &mut State) -> Value {
        let format = self.eval(*fmt, state);
        let mut positional: Vec<(Value, Span)> = Vec::new();
        let mut named: Vec<(String, Value, Span)> = Vec::new();
        for a in rest {
            let assigned = (a.kind_name() == "assignment_expression").then(|| {
                (
                    a.child_by_field_name("left"),
                    a.child_by_field_name("right"),
                )
            });
            match assigned {
                Some((Some(l), Some(r))) if l.kind_name() == "identifier" => {
                    let v = self.eval(r, state);
                    named.push((self.text(l).to_string(), v, span_of(r)));
                }
                _ => {
                    let v = self.eval(*a, state);
                    positional.push((v, span_of(*a)));
                }
            }
        }
        expand_format(&format, split_format, |arg, at, next| {
            let span = if at.linear {
                Span::new(at.src + at.range.start, at.src + at.range.end)
            } else {
                Span::new(at.src, at.src)
            };
            let found = match &arg.selector {
                Selector::Next => {
                    *next += 1;
                    positional.get(*next - 1).cloned()
                }
                Selector::Index(k) => positional.get(*k).cloned(),
                Selector::Name(name) => match named.iter().find(|(n, _, _)| n == name) {
                    Some((_, v, span)) => Some((v.clone(), *span)),
                    // A captured variable: `{name}`.
                    None => Some((self.read_var(name, span, state), span)),
                },
            };
            match found {
                // `{:?}` quotes a string: a value, not SQL text.
                Some((v, span)) if arg.debug => Value::single(Piece::Hole(Hole {
                    span,
                    expr: HoleExpr::Opaque(at.written().into()),
                    taint: v.taints().into(),
                    known: None,
                })),
                Some((v, _)) => v,
                None => self.opaque_at(span, at.written()),
            }
        })
    }
}

//! Expressions: string literals (normal, raw, byte), `+` and `+=`, variables, constants and
//! paths, assignments, and the expressions that hold others (blocks, references, `?`, `.await`).

use tree_sitter::Node;

use super::RustKind as _;

use super::{span_of, Lowerer};
use crate::facts::{Hole, HoleExpr, Piece, Span};
use crate::lang::env::State;
use crate::lang::value::Value;

/// Decode one Rust escape sequence; `None` for a line continuation (`\` at the end of a line),
/// which drops the line break and the next line's leading whitespace.
fn decode_escape(esc: &str) -> Option<String> {
    let body = esc.strip_prefix('\\').unwrap_or(esc);
    Some(match body {
        "n" => "\n".into(),
        "t" => "\t".into(),
        "r" => "\r".into(),
        "0" => "\0".into(),
        "\\" => "\\".into(),
        "\"" => "\"".into(),
        "'" => "'".into(),
        _ if body.starts_with(['\n', '\r']) => return None,
        _ => {
            let code = if let Some(hex) = body.strip_prefix('x') {
                u32::from_str_radix(hex, 16).ok()
            } else if let Some(u) = body.strip_prefix("u{") {
                u32::from_str_radix(u.trim_end_matches('}').replace('_', "").as_str(), 16).ok()
            } else {
                None
            };
            code.and_then(char::from_u32)
                .map(String::from)
                .unwrap_or_else(|| esc.to_string())
        }
    })
}

/// Whether a name is spelt like a constant (`TABLE`, `USERS_TABLE`).
pub(super) fn is_constant_name(name: &str) -> bool {
    name.chars().any(|c| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

impl<'s> Lowerer<'s> {
    pub(super) fn eval(&mut self, n: Node, state: &mut State) -> Value {
        if state.is_none() {
            return Value::default();
        }
        if self.too_deep(n, "expressions") {
            return self.opaque(n);
        }
        self.depth += 1;
        let v = self.eval_inner(n, state);
        self.depth -= 1;
        v
    }

    fn eval_inner(&mut self, n: Node, state: &mut State) -> Value {
        match n.kind_name() {
            "string_literal" | "raw_string_literal" => self.string_literal(n),
            "integer_literal" | "float_literal" | "boolean_literal" => {
                Self::text_value(self.text(n), n.start_byte(), true)
            }
            "char_literal" => {
                let t = self.text(n);
                let inner = t
                    .trim_start_matches('b')
                    .strip_prefix('\'')
                    .and_then(|t| t.strip_suffix('\''));
                match inner {
                    Some(c) if !c.starts_with('\\') => {
                        Self::text_value(c, n.start_byte() + t.len() - c.len() - 1, true)
                    }
                    Some(c) => match decode_escape(c) {
                        Some(d) => Self::text_value(&d, n.start_byte(), false),
                        None => self.opaque(n),
                    },
                    None => self.opaque(n),
                }
            }
            "identifier" => {
                let name = self.text(n);
                self.read_var(name, span_of(n), state)
            }
            "scoped_identifier" => self.read_path(n),
            "reference_expression" => match n.child_by_field_name("value") {
                Some(v) => self.eval(v, state),
                None => self.opaque(n),
            },
            "parenthesized_expression" | "try_expression" | "await_expression" => {
                match n.named_child(0) {
                    Some(inner) => {
                        let v = self.eval(inner, state);
                        if n.kind_name() == "try_expression"
                            && super::taint::is_err_call(inner, self.src)
                        {
                            // `Err(e)?` leaves.
                            *state = None;
                        }
                        v
                    }
                    None => self.opaque(n),
                }
            }
            "unary_expression" => {
                let deref = n.child(0).is_some_and(|c| c.kind_name() == "*");
                match n.named_child(0) {
                    Some(inner) if deref => self.eval(inner, state),
                    Some(inner) => {
                        self.eval(inner, state);
                        self.opaque(n)
                    }
                    None => self.opaque(n),
                }
            }
            "binary_expression" => self.binary(n, state),
            "assignment_expression" => self.assign(n, state),
            "compound_assignment_expr" => self.compound_assign(n, state),
            "call_expression" => self.call(n, state),
            "macro_invocation" => self.macro_call(n, state),
            "block" | "unsafe_block" | "async_block" | "const_block" | "try_block"
            | "gen_block" => {
                let block = if n.kind_name() == "block" {
                    Some(n)
                } else {
                    n.named_children(&mut n.walk())
                        .find(|c| c.kind_name() == "block")
                };
                match block {
                    Some(b) => self.block(b, state),
                    None => self.opaque(n),
                }
            }
            "if_expression" => self.if_expression(n, state),
            "match_expression" => self.match_expression(n, state),
            "for_expression" | "while_expression" | "loop_expression" => {
                self.loop_expression(n, state)
            }
            "break_expression" | "continue_expression" => self.jump(n, state),
            "return_expression" => self.return_expression(n, state),
            "closure_expression" => self.closure(n, state),
            "array_expression" | "tuple_expression" => {
                // A query kept in an array or a tuple is still a query.
                let mut cursor = n.walk();
                let elems: Vec<Node> = n.named_children(&mut cursor).collect();
                for e in elems {
                    if e.kind_name() == "attribute_item" {
                        continue;
                    }
                    let v = self.eval(e, state);
                    self.use_value(&v, span_of(e));
                }
                self.opaque(n)
            }
            "struct_expression" => {
                // A query stored in a field is used there.
                if let Some(body) = n.child_by_field_name("body") {
                    let mut cursor = body.walk();
                    let fields: Vec<Node> = body.named_children(&mut cursor).collect();
                    for f in fields {
                        let value = match f.kind_name() {
                            "field_initializer" => f.child_by_field_name("value"),
                            "shorthand_field_initializer" | "base_field_initializer" => {
                                f.named_child(0)
                            }
                            _ => None,
                        };
                        if let Some(v) = value {
                            let v = self.eval(v, state);
                            self.use_value(&v, span_of(f));
                            let field = f
                                .child_by_field_name("field")
                                .map(|x| self.text(x))
                                .unwrap_or_else(|| self.text(f));
                            self.record_uses(&v, span_of(f), || {
                                format!("stored in field `{field}`")
                            });
                        }
                    }
                }
                self.opaque(n)
            }
            "field_expression" => {
                // `q.workspace_id` on a request extractor, a field of a request value.
                if let Some(v) = self.field_read(n, state) {
                    return v;
                }
                // `self.table`, `cfg.schema`: a run-time value (the receiver is evaluated for
                // the calls it may make).
                if let Some(v) = n.child_by_field_name("value") {
                    if v.kind_name() != "self" && v.kind_name() != "identifier" {
                        self.eval(v, state);
                    }
                }
                self.opaque(n)
            }
            "line_comment" | "block_comment" | "attribute_item" => Value::default(),
            _ => {
                self.effects(n, state);
                self.opaque(n)
            }
        }
    }

    /// Evaluate the children of an expression for their effects only.
    pub(super) fn effects(&mut self, n: Node, state: &mut State) {
        let mut cursor = n.walk();
        let children: Vec<Node> = n.named_children(&mut cursor).collect();
        for c in children {
            if state.is_none() {
                return;
            }
            self.eval(c, state);
        }
    }

    /// A string literal: `"…"` with escapes decoded (those pieces are not `linear`), `r#"…"#`,
    /// `b"…"`.
    pub(super) fn string_literal(&self, n: Node) -> Value {
        let mut value = Value::empty_string();
        let mut cursor = n.walk();
        let children: Vec<Node> = n.named_children(&mut cursor).collect();
        let mut trim_next = false;
        for c in children {
            let piece = match c.kind_name() {
                "string_content" => {
                    let text = self.text(c);
                    let (text, src) = if trim_next {
                        let trimmed = text.trim_start();
                        (trimmed, c.start_byte() + text.len() - trimmed.len())
                    } else {
                        (text, c.start_byte())
                    };
                    trim_next = false;
                    if text.is_empty() {
                        continue;
                    }
                    Piece::Text {
                        text: text.into(),
                        src,
                        linear: true,
                    }
                }
                "escape_sequence" => match decode_escape(self.text(c)) {
                    Some(decoded) => {
                        trim_next = false;
                        Piece::Text {
                            text: decoded.into(),
                            src: c.start_byte(),
                            linear: false,
                        }
                    }
                    None => {
                        trim_next = true;
                        continue;
                    }
                },
                _ => continue,
            };
            value = value.concat(Value::single(piece));
        }
        value
    }

    /// A variable, or a constant of this file, or a name the project may know.
    pub(super) fn read_var(&mut self, name: &str, span: Span, state: &mut State) -> Value {
        if let Some(var) = state.as_ref().and_then(|env| env.get(name)).cloned() {
            for d in &var.defs {
                if let Some(def) = self.defs.get_mut(*d) {
                    def.consumed = true;
                }
            }
            let mut value = var.value.clone();
            // A variable holding one request value is located where it is read (the
            // interpolation in a query, not the assignment).
            for v in &mut value.variants {
                if let [Piece::Hole(h)] = v.pieces.as_mut_slice() {
                    if !h.taint.is_empty() {
                        h.span = span;
                    }
                }
            }
            if var.unknown || value.variants.is_empty() {
                value = value.union(self.opaque_tainted(span, name, var.unknown_taint.clone()));
            }
            return value;
        }
        self.read_constant(name, span)
    }

    /// A constant by the name code reads it by: this file's (its text), or one the project
    /// may define (a hole the project pass folds).
    fn read_constant(&mut self, key: &str, span: Span) -> Value {
        if let Some(c) = self.consts.get_mut(key) {
            c.consumed = true;
            return c.value.clone();
        }
        let last = key.rsplit("::").next().unwrap_or(key);
        if is_constant_name(last) {
            return Value::single(Piece::Hole(Hole::new(span, HoleExpr::Path(key.into()))));
        }
        self.opaque_at(span, key)
    }

    /// `Self::TABLE`, `Repo::TABLE`, `crate::db::TABLE` (a module path names the constant
    /// itself).
    fn read_path(&mut self, n: Node) -> Value {
        let text: String = self.text(n).split_whitespace().collect();
        let mut segments: Vec<&str> = text.split("::").collect();
        let Some(name) = segments.pop() else {
            return self.opaque(n);
        };
        let owner = segments
            .last()
            .copied()
            .map(|o| match (o, &self.impl_type) {
                ("Self", Some(ty)) => ty.clone(),
                _ => o.to_string(),
            });
        let key = match owner {
            Some(o) if o.starts_with(|c: char| c.is_ascii_uppercase()) => format!("{o}::{name}"),
            _ => name.to_string(),
        };
        self.read_constant(&key, span_of(n))
    }

    fn binary(&mut self, n: Node, state: &mut State) -> Value {
        let op = n
            .child_by_field_name("operator")
            .map(|o| self.text(o))
            .unwrap_or("");
        let (Some(l), Some(r)) = (
            n.child_by_field_name("left"),
            n.child_by_field_name("right"),
        ) else {
            self.effects(n, state);
            return self.opaque(n);
        };
        if op != "+" {
            self.eval(l, state);
            self.eval(r, state);
            return self.opaque(n);
        }
        let (left, rest) = crate::lang::operator_chain(l, r, |o| self.text(o) == "+");
        let mut value = self.eval(left, state);
        for part in rest {
            let v = self.eval(part, state);
            value = value.concat(v);
        }
        value
    }

    /// The variable an assignment or an append targets (`x`, `*x`, `&mut x`).
    pub(super) fn target_name(&self, n: Node) -> Option<&'s str> {
        let mut n = n;
        loop {
            match n.kind_name() {
                "identifier" => return Some(self.text(n)),
                "unary_expression" | "reference_expression" | "parenthesized_expression" => {
                    n = n.named_child(n.named_child_count().checked_sub(1)? as u32)?;
                }
                _ => return None,
            }
        }
    }

    fn assign(&mut self, n: Node, state: &mut State) -> Value {
        let (Some(left), Some(right)) = (
            n.child_by_field_name("left"),
            n.child_by_field_name("right"),
        ) else {
            self.effects(n, state);
            return Value::default();
        };
        let value = self.eval(right, state);
        match self.target_name(left) {
            Some(name) => {
                if super::calls::is_query_builder_new(self, right) {
                    self.builders.insert(name.into(), Default::default());
                }
                self.bind(name, value, span_of(left), state);
            }
            None => {
                // A query stored in a field or an element is used there.
                self.eval(left, state);
                self.use_value(&value, span_of(left));
                let target = super::collapse_whitespace(self.text(left), 40);
                self.record_uses(&value, span_of(left), || format!("stored in `{target}`"));
            }
        }
        Value::default()
    }

    fn compound_assign(&mut self, n: Node, state: &mut State) -> Value {
        let op = n
            .child_by_field_name("operator")
            .map(|o| self.text(o))
            .unwrap_or("");
        let (Some(left), Some(right)) = (
            n.child_by_field_name("left"),
            n.child_by_field_name("right"),
        ) else {
            self.effects(n, state);
            return Value::default();
        };
        let rhs = self.eval(right, state);
        let Some(name) = self.target_name(left) else {
            self.eval(left, state);
            return Value::default();
        };
        if op != "+=" {
            if let Some(env) = state.as_mut() {
                env.insert(name.into(), crate::lang::env::unknown_var());
            }
            return Value::default();
        }
        self.append(name, rhs, span_of(left), state);
        Value::default()
    }

    /// `s += v`, `s.push_str(v)`, `write!(s, …)`: the variable holds its text followed by `v`.
    pub(super) fn append(&mut self, name: &str, value: Value, span: Span, state: &mut State) {
        let current = self.read_var(name, span, state);
        self.bind(name, current.concat(value), span, state);
    }
}

//! Expression evaluation: strings, concatenation, interpolation, variable paths and what the
//! environment knows of them, request sources, and assignments.

use std::collections::HashSet;
use std::sync::Arc;

use tree_sitter::Node;

use super::PhpKind as _;

use super::builtins::class_key;
use super::{span_of, Def, Lowerer, FIELDS, MAX_DEPTH};
use crate::facts::{Hole, HoleExpr, Piece, Span, Taint, TaintKind, TaintOrigin};
use crate::lang::env::{unknown_var, ArrayLiteral, Env, VarState};
use crate::lang::value::{
    add_taints, escaped, fold_pieces, is_composite_name, is_tainted_value, known_value,
    starts_with_sql_verb, Value,
};

/// The taint of the nearest enclosing array of `$a['k'][0]` known to the environment.
fn array_base_taint(env: &Env, path: &str) -> Vec<Taint> {
    let mut base = path;
    while let Some(open) = base.rfind('[') {
        base = &base[..open];
        if let Some(var) = env.get(base) {
            let mut taint = var.unknown_taint.clone();
            add_taints(&mut taint, &var.value.taints());
            return taint;
        }
    }
    Vec::new()
}

/// Assigning `$x` forgets what was known of `$x['k']` and `$x->p`. `parents` holds every path
/// that ever had such a child in this file, so the scan of the environment only happens for
/// them (a generated file with 600,000 plain assignments stays linear).
pub(super) fn invalidate_children(env: &mut Env, parents: &HashSet<String>, path: &str) {
    if env.is_empty() || !parents.contains(path) {
        return;
    }
    let bracket = format!("{path}[");
    let arrow = format!("{path}->");
    env.retain(|k, _| !(k.starts_with(&bracket) || k.starts_with(&arrow)));
}

/// Decode one PHP escape sequence.
fn decode_escape(esc: &str, single_quoted: bool) -> String {
    if single_quoted {
        return match esc {
            "\\'" => "'".into(),
            "\\\\" => "\\".into(),
            other => other.into(),
        };
    }
    match esc {
        "\\n" => "\n".into(),
        "\\t" => "\t".into(),
        "\\r" => "\r".into(),
        "\\v" => "\u{b}".into(),
        "\\e" => "\u{1b}".into(),
        "\\f" => "\u{c}".into(),
        "\\0" => "\0".into(),
        "\\\\" => "\\".into(),
        "\\$" => "$".into(),
        "\\\"" => "\"".into(),
        other => {
            let body = &other[1..];
            let code = if let Some(hex) = body.strip_prefix('x') {
                u32::from_str_radix(hex, 16).ok()
            } else if let Some(u) = body.strip_prefix("u{") {
                u32::from_str_radix(u.trim_end_matches('}'), 16).ok()
            } else {
                u32::from_str_radix(body, 8).ok()
            };
            code.and_then(char::from_u32)
                .map(String::from)
                .unwrap_or_else(|| other.to_string())
        }
    }
}

impl<'s> Lowerer<'s> {
    /// The array literal `n` evaluated to, if it is one.
    pub(super) fn array_literal(&self, n: Node) -> Option<Arc<ArrayLiteral>> {
        let n = match n.kind_name() {
            "parenthesized_expression" => n.named_child(0)?,
            _ => n,
        };
        match &self.last_array {
            Some((id, literal)) if *id == n.id() => Some(literal.clone()),
            _ => None,
        }
    }

    /// A loop variable holding each element of an array literal.
    pub(super) fn bind_elements(&mut self, path: String, value: Value, env: &mut Env) {
        self.note_assigned(&path);
        let state = VarState {
            value,
            ..VarState::default()
        };
        self.replace_var(path, state, env);
    }

    /// Give `path` a new state, forgetting what was known of its elements and properties.
    pub(super) fn replace_var(&mut self, path: String, state: VarState, env: &mut Env) {
        self.note_parents(&path);
        invalidate_children(env, &self.parent_paths, &path);
        env.insert(path.into(), Arc::new(state));
    }

    /// Bind every target of `foreach (… as $k => $v)` or `list($a, [$b, $c]) = …` to a run-time
    /// value; nested destructuring is walked with an explicit stack.
    pub(super) fn bind_unknown(&mut self, n: Node, env: &mut Env, taint: &[Taint]) {
        let mut pending = vec![n];
        while let Some(n) = pending.pop() {
            let target = if n.kind_name() == "by_ref" {
                n.named_child(0).unwrap_or(n)
            } else {
                n
            };
            if let Some(path) = self.path_of(target) {
                self.note_assigned(&path);
                let state = VarState {
                    unknown: true,
                    unknown_taint: taint.to_vec(),
                    ..VarState::default()
                };
                self.replace_var(path, state, env);
            } else if matches!(
                target.kind_name(),
                "list_literal" | "array_creation_expression"
            ) {
                let mut c = target.walk();
                let parts: Vec<Node> = target.named_children(&mut c).collect();
                for p in parts.into_iter().rev() {
                    let inner = if p.kind_name() == "array_element_initializer" {
                        p.named_child(p.named_child_count().saturating_sub(1) as u32)
                    } else {
                        Some(p)
                    };
                    pending.extend(inner);
                }
            }
        }
    }

    /// Evaluate an expression for its effects only.
    pub(super) fn effects(&mut self, n: Node, env: &mut Env) {
        let mut cursor = n.walk();
        let children: Vec<Node> = n.named_children(&mut cursor).collect();
        for c in children {
            self.eval(c, env);
        }
    }

    pub(super) fn eval(&mut self, n: Node, env: &mut Env) -> Value {
        if self.too_deep(n, "expressions") {
            return self.opaque(n);
        }
        self.depth += 1;
        let v = self.eval_inner(n, env);
        self.depth -= 1;
        v
    }

    fn eval_inner(&mut self, n: Node, env: &mut Env) -> Value {
        match n.kind_name() {
            "encapsed_string" | "string" | "heredoc" | "nowdoc" | "shell_command_expression" => {
                self.string_literal(n, env)
            }
            "integer" | "float" => Value::single(Piece::Text {
                text: self.text(n).into(),
                src: n.start_byte(),
                linear: true,
            }),
            "parenthesized_expression" => match n.named_child(0) {
                Some(inner) => self.eval(inner, env),
                None => Value::empty_string(),
            },
            "variable_name"
            | "subscript_expression"
            | "member_access_expression"
            | "name"
            | "qualified_name"
            | "class_constant_access_expression"
            | "scoped_property_access_expression" => self.read_path(n, env),
            "binary_expression" => self.binary(n, env),
            "conditional_expression" => {
                let cond = n.child_by_field_id(FIELDS.condition);
                if let Some(c) = cond {
                    let text = self.condition_text(c);
                    if let Some(b) = n.child_by_field_id(FIELDS.body) {
                        self.record_branch(n, b, vec![(text.clone(), true)]);
                    }
                    if let Some(a) = n.child_by_field_id(FIELDS.alternative) {
                        self.record_branch(n, a, vec![(text, false)]);
                    }
                }
                let cond_value = cond.map(|c| self.eval(c, env));
                let then = match n.child_by_field_id(FIELDS.body) {
                    Some(b) => self.eval(b, env),
                    None => cond_value.unwrap_or_default(),
                };
                let other = match n.child_by_field_id(FIELDS.alternative) {
                    Some(a) => self.eval(a, env),
                    None => Value::empty_string(),
                };
                then.union(other)
            }
            "assignment_expression" | "reference_assignment_expression" => self.assign(n, env),
            "augmented_assignment_expression" => self.augmented_assign(n, env),
            "function_call_expression" => self.function_call(n, env),
            "member_call_expression"
            | "nullsafe_member_call_expression"
            | "scoped_call_expression"
            | "object_creation_expression" => self.method_call(n, env),
            "array_creation_expression" => {
                // An array of tainted values is tainted (`execute([$ep])`).
                let mut taint = Vec::new();
                let mut cursor = n.walk();
                let elems: Vec<Node> = n.named_children(&mut cursor).collect();
                let mut literal = ArrayLiteral::default();
                let mut known = !elems.is_empty();
                for (index, e) in elems.into_iter().enumerate() {
                    let mut c = e.walk();
                    let parts: Vec<Node> = e.named_children(&mut c).collect();
                    let (key, v) = match (e.kind_name(), parts.as_slice()) {
                        ("array_element_initializer", [k, v]) => {
                            (self.eval(*k, env), self.eval(*v, env))
                        }
                        ("array_element_initializer", [v])
                            if v.kind_name() != "variadic_unpacking" =>
                        {
                            let key = Value::single(Piece::Text {
                                text: index.to_string().into(),
                                src: e.start_byte(),
                                linear: false,
                            });
                            (key, self.eval(*v, env))
                        }
                        _ => {
                            known = false;
                            (Value::default(), self.eval(e, env))
                        }
                    };
                    // A query kept in an array (`$queries = ["DELETE …", …]`) is still a query.
                    self.use_value(&v, span_of(e));
                    add_taints(&mut taint, &v.taints());
                    if known {
                        literal.keys = std::mem::take(&mut literal.keys).union(key);
                        literal.values = std::mem::take(&mut literal.values).union(v);
                    }
                }
                self.last_array = known.then(|| (n.id(), Arc::new(literal)));
                self.opaque_tainted(n, taint)
            }
            "array_element_initializer" => {
                let mut value = Value::default();
                let mut cursor = n.walk();
                let parts: Vec<Node> = n.named_children(&mut cursor).collect();
                for p in parts {
                    value = self.eval(p, env);
                }
                value
            }
            "cast_expression" => {
                let inner = n
                    .child_by_field_id(FIELDS.value)
                    .or_else(|| n.named_child(1));
                let taint = inner
                    .map(|v| self.eval(v, env).taints())
                    .unwrap_or_default();
                let ty = n
                    .child_by_field_id(FIELDS.type_)
                    .map(|t| self.text(t).trim().to_ascii_lowercase())
                    .unwrap_or_default();
                let numeric = matches!(
                    ty.as_str(),
                    "int" | "integer" | "float" | "double" | "bool" | "boolean" | "real"
                );
                self.opaque_tainted(n, if numeric { escaped(taint) } else { taint })
            }
            "include_expression"
            | "include_once_expression"
            | "require_expression"
            | "require_once_expression" => {
                let arg = n.named_child(0);
                let value = arg.map(|a| self.eval(a, env));
                if self.in_function {
                    // Included inside a function, a file's top level runs in its scope.
                    self.dynamic_scope = true;
                } else {
                    let path = value.as_ref().and_then(|v| match v.variants.as_slice() {
                        [one] => fold_pieces(&one.pieces),
                        _ => None,
                    });
                    let text = arg
                        .map(|a| self.text(a).chars().take(80).collect())
                        .unwrap_or_default();
                    self.facts.includes.push(crate::facts::IncludeFact {
                        at: n.start_byte(),
                        path,
                        text,
                    });
                }
                self.opaque(n)
            }
            "anonymous_function" | "arrow_function" => {
                self.function_body(n);
                self.opaque(n)
            }
            "throw_expression" => {
                self.effects(n, env);
                self.opaque(n)
            }
            "argument" => match n.named_child(n.named_child_count().saturating_sub(1) as u32) {
                Some(inner) => self.eval(inner, env),
                None => self.opaque(n),
            },
            _ => {
                self.effects(n, env);
                self.opaque(n)
            }
        }
    }

    fn binary(&mut self, n: Node, env: &mut Env) -> Value {
        let (op, Some((l, r))) = self.operator_and_sides(n) else {
            self.effects(n, env);
            return self.opaque(n);
        };
        match op {
            "." => {
                let (left, rest) = crate::lang::operator_chain(l, r, |o| self.text(o) == ".");
                let mut value = self.eval(left, env);
                for part in rest {
                    let v = self.eval(part, env);
                    value = value.concat(v);
                }
                value
            }
            "??" | "?:" => {
                let a = self.eval(l, env);
                let b = self.eval(r, env);
                a.union(b)
            }
            _ => {
                self.eval(l, env);
                self.eval(r, env);
                self.opaque(n)
            }
        }
    }

    /// A string literal of any kind, with its interpolations.
    fn string_literal(&mut self, n: Node, env: &mut Env) -> Value {
        let single_quoted = n.kind_name() == "string" || n.kind_name() == "nowdoc";
        let mut value = Value::empty_string();
        let container = match n.kind_name() {
            "heredoc" | "nowdoc" => n.child_by_field_id(FIELDS.value),
            _ => Some(n),
        };
        let Some(container) = container else {
            return value;
        };
        let mut cursor = container.walk();
        let children: Vec<Node> = container.named_children(&mut cursor).collect();
        let is_heredoc = container.kind_name() == "heredoc_body";
        // The line break after `<<<TAG` is not part of the string.
        let mut gap_start = children
            .first()
            .map_or(container.start_byte(), |c| c.start_byte());
        for c in children {
            // tree-sitter leaves the line breaks of a heredoc body between its children.
            if is_heredoc && c.start_byte() > gap_start {
                let gap: String = self
                    .src
                    .get(gap_start..c.start_byte())
                    .unwrap_or("")
                    .chars()
                    .filter(|ch| ch.is_whitespace())
                    .collect();
                if !gap.is_empty() {
                    value = value.concat(Value::single(Piece::Text {
                        text: gap.into(),
                        src: gap_start,
                        linear: false,
                    }));
                }
            }
            gap_start = c.end_byte();
            let piece_value = match c.kind_name() {
                "string_content" | "string_value" | "nowdoc_string" => Value::single(Piece::Text {
                    text: self.text(c).into(),
                    src: c.start_byte(),
                    linear: true,
                }),
                "escape_sequence" => Value::single(Piece::Text {
                    text: decode_escape(self.text(c), single_quoted).into(),
                    src: c.start_byte(),
                    linear: false,
                }),
                "heredoc_start" | "heredoc_end" => continue,
                _ => self.eval(c, env),
            };
            value = value.concat(piece_value);
        }
        value
    }

    /// Canonical path of a variable-like expression: `$x`, `$iw['k']`, `$this->p`, `CONST`.
    /// A chain of more than [`MAX_DEPTH`] subscripts or properties has no path (an opaque
    /// value), so a pathological file cannot overflow the stack.
    pub(super) fn path_of(&self, n: Node) -> Option<String> {
        self.path_at(n, 0)
    }

    fn path_at(&self, n: Node, depth: usize) -> Option<String> {
        if depth > MAX_DEPTH {
            return None;
        }
        match n.kind_name() {
            "variable_name" => Some(self.text(n).to_string()),
            "name" | "qualified_name" => {
                let t = self.text(n);
                let lower = t.to_ascii_lowercase();
                if matches!(lower.as_str(), "true" | "false" | "null") {
                    None
                } else {
                    Some(t.trim_start_matches('\\').to_string())
                }
            }
            "subscript_expression" => {
                // PHP 5-era `"… $arr['key'] …"` is a syntax error that tree-sitter recovers from
                // with the quotes as ERROR nodes around the key: read it as its author meant.
                let mut cursor = n.walk();
                let mut parts = n
                    .named_children(&mut cursor)
                    .filter(|c| c.kind_name() != "ERROR");
                let base = self.path_at(parts.next()?, depth + 1)?;
                let key = parts.next()?;
                let key_text = match key.kind_name() {
                    "name" => self.text(key).to_string(),
                    "integer" => return Some(format!("{base}[{}]", self.text(key))),
                    "string" | "encapsed_string" => {
                        let mut c = key.walk();
                        let parts: Vec<Node> = key.named_children(&mut c).collect();
                        if parts.iter().any(|p| p.kind_name() != "string_content") {
                            return None;
                        }
                        parts.iter().map(|p| self.text(*p)).collect::<String>()
                    }
                    _ => return None,
                };
                Some(format!("{base}['{key_text}']"))
            }
            "member_access_expression" => {
                let object = n.child_by_field_id(FIELDS.object)?;
                // `$this->table` is the property of the class being analysed.
                let base = match &self.class {
                    Some(class) if self.text(object) == "$this" => format!("{class}::$this"),
                    _ => self.path_at(object, depth + 1)?,
                };
                let name = n.child_by_field_id(FIELDS.name)?;
                if name.kind_name() != "name" {
                    return None;
                }
                Some(format!("{base}->{}", self.text(name)))
            }
            "class_constant_access_expression" | "scoped_property_access_expression" => {
                let text: String = self.text(n).split_whitespace().collect();
                // `self::TABLE` and `static::TABLE` name the enclosing class's constant.
                match (&self.class, text.split_once("::")) {
                    (Some(class), Some(("self" | "static", member))) => {
                        Some(format!("{class}::{member}"))
                    }
                    _ => Some(text),
                }
            }
            _ => None,
        }
    }

    fn read_path(&mut self, n: Node, env: &mut Env) -> Value {
        let path = match self.path_of(n) {
            Some(path) => Some(path),
            None => match self.keyed_paths(n, env) {
                // `$iw[$name]` with `$name` known here: the element of each key it may hold.
                Some(paths) => {
                    let mut value = Value::default();
                    for p in paths {
                        let v = self.read_known_path(n, p, env);
                        value = value.union(v);
                    }
                    return value;
                }
                None => None,
            },
        };
        let Some(path) = path else {
            // `explode('.', $host)[0]`, `$a[$i]`: an element of a tainted array is tainted.
            let mut taint = Vec::new();
            let mut cursor = n.walk();
            let children: Vec<Node> = n.named_children(&mut cursor).collect();
            for (i, c) in children.into_iter().enumerate() {
                let v = self.eval(c, env);
                if i == 0 && n.kind_name() == "subscript_expression" {
                    taint = v.taints();
                }
            }
            return self.opaque_tainted(n, taint);
        };
        self.read_known_path(n, path, env)
    }

    /// `$base[$key]` where `$key` holds known texts on every path (a literal, a variable
    /// assigned one, a `foreach` variable over a literal array): the path of each element.
    fn keyed_paths(&self, n: Node, env: &Env) -> Option<Vec<String>> {
        if n.kind_name() != "subscript_expression" {
            return None;
        }
        let mut cursor = n.walk();
        let mut parts = n
            .named_children(&mut cursor)
            .filter(|c| c.kind_name() != "ERROR");
        let base = self.path_of(parts.next()?)?;
        let key = self.path_of(parts.next()?)?;
        let var = env.get(key.as_str())?;
        if var.unknown || var.maybe_unset || var.value.capped || var.value.variants.len() > 8 {
            return None;
        }
        let mut out = Vec::new();
        for v in &var.value.variants {
            let mut text = String::new();
            for p in &v.pieces {
                match p {
                    Piece::Text { text: t, .. } | Piece::Hole(Hole { known: Some(t), .. }) => {
                        text.push_str(t)
                    }
                    Piece::Hole(_) => return None,
                }
            }
            let path = if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
                format!("{base}[{text}]")
            } else if text.contains(['\'', '[', ']']) {
                return None;
            } else {
                format!("{base}['{text}']")
            };
            if !out.contains(&path) {
                out.push(path);
            }
        }
        (!out.is_empty()).then_some(out)
    }

    fn read_known_path(&mut self, n: Node, path: String, env: &mut Env) -> Value {
        let span = span_of(n);
        let hole_here = |expr, taint: Vec<Taint>| {
            Value::single(Piece::Hole(Hole {
                span,
                expr,
                taint: taint.into(),
                known: None,
            }))
        };
        if let Some(kind) = self.source_kind(&path) {
            match env.get(path.as_str()) {
                // A checked request value is clean on the paths after the check.
                Some(var) if var.checked => {
                    return hole_here(HoleExpr::Path(path.into()), Vec::new());
                }
                // Written by the script: its own value, read below.
                Some(var) if !var.guards.is_empty() || var.defs.is_empty() && !var.unknown => {
                    let mut taint = Taint::new(TaintOrigin::Source { kind, span });
                    taint.guards = var.guards.clone();
                    return hole_here(HoleExpr::Path(path.into()), vec![taint]);
                }
                Some(_) => {}
                None => {
                    let taint = vec![Taint::new(TaintOrigin::Source { kind, span })];
                    return hole_here(HoleExpr::Path(path.into()), taint);
                }
            }
        }
        let Some(var) = env.get(path.as_str()) else {
            // An element of a tainted array carries the array's taint.
            let taint = array_base_taint(env, &path);
            return hole_here(HoleExpr::Path(path.into()), taint);
        };
        for d in &var.defs {
            if let Some(def) = self.defs.get_mut(*d) {
                def.consumed = true;
            }
        }
        let mut value = var.value.clone();
        // A variable that holds one value is located where it is used. So is a short value
        // built around a request value (`$h . '.example.com'`): it is one value in the query.
        for v in &mut value.variants {
            if let [Piece::Hole(h)] = v.pieces.as_mut_slice() {
                h.span = span;
            } else if is_tainted_value(&v.pieces) {
                let mut taint = Vec::new();
                for p in &v.pieces {
                    if let Piece::Hole(h) = p {
                        add_taints(&mut taint, &h.taint);
                    }
                }
                v.pieces = vec![Piece::Hole(Hole {
                    span,
                    expr: HoleExpr::Opaque(self.text(n).into()),
                    taint: taint.into(),
                    known: None,
                })];
            } else if let Some(text) = known_value(&v.pieces) {
                // A name held by a local variable (`$table = "iw_member"`): located at the
                // interpolation, with its text.
                v.pieces = vec![Piece::Hole(Hole {
                    span,
                    expr: HoleExpr::Path(path.as_str().into()),
                    taint: Default::default(),
                    known: Some(text.into()),
                })];
            } else if is_composite_name(&v.pieces) {
                // A name built of expressions (`$prefix . $bo_table`): where it is used.
                for p in &mut v.pieces {
                    if let Piece::Hole(h) = p {
                        h.span = span;
                    }
                }
            }
        }
        if var.unknown {
            value = value.union(hole_here(
                HoleExpr::Opaque(self.text(n).into()),
                var.unknown_taint.clone(),
            ));
        }
        if var.maybe_unset {
            // Inside a function a local that was not assigned on some path is null there,
            // which interpolates as "". Elsewhere it may come from an included file. A request
            // value overwritten on some paths only is still the request value on the others.
            if let Some(kind) = self.source_kind(&path) {
                let taint = vec![Taint::new(TaintOrigin::Source { kind, span })];
                value = value.union(hole_here(HoleExpr::Path(path.into()), taint));
            } else if self.in_function && self.is_local_name(&path) {
                value = value.union(self.unassigned_local(n));
            } else if self.in_function || !self.is_local_name(&path) {
                value = value.union(hole_here(HoleExpr::Path(path.into()), Vec::new()));
            } else {
                // At file scope, an included file or `extract()` may have set it: decided by
                // the project pass.
                value = value.union(hole_here(HoleExpr::Unassigned(path.into()), Vec::new()));
            }
        }
        value
    }

    /// Which request value a path reads, if any.
    pub(super) fn source_kind(&self, path: &str) -> Option<TaintKind> {
        if !(path.starts_with("$_") || self.server_extracted && path.starts_with('$')) {
            return None;
        }
        for host in &self.options.host_sources {
            if host == path {
                return Some(TaintKind::Host);
            }
            // After `extract($_SERVER)`, `$HTTP_HOST` is `$_SERVER['HTTP_HOST']`.
            if self.server_extracted {
                if let Some(key) = host
                    .strip_prefix("$_SERVER['")
                    .and_then(|k| k.strip_suffix("']"))
                {
                    if path.strip_prefix('$') == Some(key) {
                        return Some(TaintKind::Host);
                    }
                }
            }
        }
        for global in ["$_GET", "$_POST", "$_REQUEST", "$_COOKIE"] {
            if let Some(key) = path
                .strip_prefix(global)
                .and_then(|k| k.strip_prefix("['"))
                .and_then(|k| k.strip_suffix("']"))
            {
                if self.options.tenant_params.iter().any(|p| p == key) {
                    return Some(TaintKind::TenantParam);
                }
            }
        }
        None
    }

    fn assign(&mut self, n: Node, env: &mut Env) -> Value {
        let (Some(left), Some(right)) = (
            n.child_by_field_id(FIELDS.left),
            n.child_by_field_id(FIELDS.right),
        ) else {
            self.effects(n, env);
            return self.opaque(n);
        };
        let value = self.eval(right, env);
        match self.path_of(left) {
            Some(path) if left.kind_name() != "name" => {
                let class = (right.kind_name() == "object_creation_expression")
                    .then(|| right.named_child(0))
                    .flatten()
                    .filter(|c| matches!(c.kind_name(), "name" | "qualified_name"))
                    .map(|c| Arc::<str>::from(class_key(self.text(c))));
                let array = self.array_literal(right);
                self.bind(path.clone(), value.clone(), span_of(left), env);
                if class.is_some() || array.is_some() {
                    if let Some(var) = env.get_mut(path.as_str()) {
                        let var = Arc::make_mut(var);
                        var.class = class;
                        var.array = array;
                    }
                }
            }
            _ => {
                if left.kind_name() == "dynamic_variable_name" {
                    self.note_dynamic(n.start_byte(), "a variable variable (`$$name = …`)");
                }
                // `$a[] = …`, `$a[$k] = …`, `list(…) = …`: evaluate the target for its effects.
                if matches!(
                    left.kind_name(),
                    "list_literal" | "array_creation_expression"
                ) {
                    let taint = value.clone().with_step(span_of(left)).taints();
                    self.bind_unknown(left, env, &taint);
                } else {
                    self.eval(left, env);
                }
            }
        }
        value
    }

    fn bind(&mut self, path: String, value: Value, span: Span, env: &mut Env) {
        self.note_assigned(&path);
        let value = value.with_step(span);
        if self.is_storage(&path) {
            self.record_uses(&value, span, || format!("stored in `{path}`"));
        }
        let def_id = self.defs.len();
        let is_single_opaque = value.variants.len() == 1
            && matches!(
                value.variants[0].pieces.as_slice(),
                [Piece::Hole(Hole {
                    expr: HoleExpr::Opaque(_),
                    ..
                })]
            );
        self.record_const(path.clone(), &value);
        self.note_parents(&path);
        invalidate_children(env, &self.parent_paths, &path);
        let state = if is_single_opaque {
            Arc::new(VarState {
                unknown: true,
                unknown_taint: value.taints(),
                ..VarState::default()
            })
        } else {
            // Only a query can become a site when it is never read; other values need no copy.
            let is_query = value
                .variants
                .iter()
                .any(|v| starts_with_sql_verb(&v.pieces));
            self.defs.push(Def {
                span,
                value: if is_query {
                    value.clone()
                } else {
                    Value::default()
                },
                consumed: false,
            });
            Arc::new(VarState {
                value,
                defs: vec![def_id],
                ..VarState::default()
            })
        };
        env.insert(path.into(), state);
    }

    fn augmented_assign(&mut self, n: Node, env: &mut Env) -> Value {
        let (op, Some((left, right))) = self.operator_and_sides(n) else {
            self.effects(n, env);
            return self.opaque(n);
        };
        let rhs = self.eval(right, env);
        let Some(path) = self.path_of(left) else {
            self.eval(left, env);
            return self.opaque(n);
        };
        if op != ".=" {
            self.note_assigned(&path);
            env.insert(path.into(), unknown_var());
            return self.opaque(n);
        }
        // Appending to a variable this scope never assigned: PHP starts from "".
        let current = if !env.contains_key(path.as_str()) && self.is_local_name(&path) {
            if self.in_function {
                self.unassigned_local(left)
            } else {
                Value::single(Piece::Hole(Hole::new(
                    span_of(left),
                    HoleExpr::Unassigned(path.as_str().into()),
                )))
            }
        } else {
            self.read_path(left, env)
        };
        let value = current.concat(rhs);
        self.bind(path, value.clone(), span_of(left), env);
        value
    }
}

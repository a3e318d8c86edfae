//! Items: functions and methods (`impl` and `trait` bodies), modules, and the file's `const` and
//! `static` strings, which are project constants (the project pass folds them into other
//! files' queries) and queries of their own.

use std::sync::Arc;

use tree_sitter::Node;

use super::RustKind as _;

use super::{span_of, ConstEntry, Lowerer};
use crate::facts::{ConstDef, FnKey, FoldPiece, FunctionSummary, Piece, Taint, TaintOrigin};
use crate::lang::env::{Env, State, VarState};
use crate::lang::value::{add_taints, Value};

/// The name of the type an `impl` block is for (`Repo` for `impl<'a> Trait for Repo<'a>`).
pub(super) fn impl_type_name<'t>(n: Node<'t>, src: &'t str) -> Option<&'t str> {
    let mut ty = n.child_by_field_name("type")?;
    loop {
        match ty.kind_name() {
            "generic_type" => ty = ty.child_by_field_name("type")?,
            "scoped_type_identifier" => ty = ty.child_by_field_name("name")?,
            "reference_type" => ty = ty.child_by_field_name("type")?,
            "type_identifier" => return src.get(ty.start_byte()..ty.end_byte()),
            _ => return None,
        }
    }
}

impl<'s> Lowerer<'s> {
    /// Every `const` and `static` string of the file (at top level, in modules and in `impl`
    /// blocks), before any function: a function may read one defined below it.
    pub(super) fn file_constants(&mut self, root: Node) {
        let mut pending = vec![(root, None::<String>)];
        while let Some((n, owner)) = pending.pop() {
            let mut cursor = n.walk();
            let children: Vec<Node> = n.named_children(&mut cursor).collect();
            for c in children {
                match c.kind_name() {
                    "const_item" | "static_item" => self.file_constant(c, owner.as_deref()),
                    "mod_item" => pending.extend(c.child_by_field_name("body").map(|b| (b, None))),
                    "impl_item" => {
                        let ty = impl_type_name(c, self.src).map(str::to_string);
                        pending.extend(c.child_by_field_name("body").map(|b| (b, ty)));
                    }
                    _ => {}
                }
            }
        }
    }

    fn file_constant(&mut self, n: Node, owner: Option<&str>) {
        let (Some(name), Some(value)) = (
            n.child_by_field_name("name"),
            n.child_by_field_name("value"),
        ) else {
            return;
        };
        let name = match owner {
            Some(ty) => format!("{ty}::{}", self.text(name)),
            None => self.text(name).to_string(),
        };
        let saved = std::mem::replace(&mut self.impl_type, owner.map(str::to_string));
        let mut state: State = Some(Env::default());
        let v = self.eval(value, &mut state);
        self.impl_type = saved;
        self.record_const(&name, &v);
        self.consts.insert(
            name,
            ConstEntry {
                span: span_of(n),
                value: v,
                consumed: false,
            },
        );
    }

    /// `path = value` for project-wide folding: short values (names and prefixes) piece by
    /// piece, anything longer as unknown.
    fn record_const(&mut self, path: &str, value: &Value) {
        let small = value.variants.len() <= 4 && value.variants.iter().all(|v| v.pieces.len() <= 6);
        if !small || value.variants.is_empty() {
            self.facts.consts.push(ConstDef {
                path: path.into(),
                value: vec![FoldPiece::Opaque],
                function: None,
            });
            return;
        }
        for variant in &value.variants {
            self.facts.consts.push(ConstDef {
                path: path.into(),
                value: variant.pieces.iter().map(FoldPiece::of).collect(),
                function: None,
            });
        }
    }

    /// The items of a file, module or block: functions, `impl` and `trait` bodies, modules.
    pub(super) fn items(&mut self, n: Node) {
        let mut cursor = n.walk();
        let children: Vec<Node> = n.named_children(&mut cursor).collect();
        for c in children {
            self.item(c);
        }
    }

    pub(super) fn item(&mut self, c: Node) {
        if self.too_deep(c, "items") {
            return;
        }
        self.depth += 1;
        match c.kind_name() {
            "function_item" => self.function(c, None),
            "impl_item" | "trait_item" => {
                let ty = if c.kind_name() == "impl_item" {
                    impl_type_name(c, self.src).map(str::to_string)
                } else {
                    c.child_by_field_name("name")
                        .map(|n| self.text(n).to_string())
                };
                if let Some(body) = c.child_by_field_name("body") {
                    let saved = std::mem::replace(&mut self.impl_type, ty.clone());
                    let mut cursor = body.walk();
                    let members: Vec<Node> = body.named_children(&mut cursor).collect();
                    for m in members {
                        if m.kind_name() == "function_item" {
                            self.function(m, ty.as_deref());
                        }
                    }
                    self.impl_type = saved;
                }
            }
            "mod_item" | "foreign_mod_item" => {
                if let Some(body) = c.child_by_field_name("body") {
                    self.items(body);
                }
            }
            _ => {}
        }
        self.depth -= 1;
    }

    /// Lower one function or method body.
    fn function(&mut self, n: Node, owner: Option<&str>) {
        let Some(body) = n.child_by_field_name("body") else {
            return;
        };
        let name = n
            .child_by_field_name("name")
            .map(|nm| self.text(nm).trim_start_matches("r#").to_string())
            .unwrap_or_default();
        let key = match owner {
            Some(ty) => FnKey::method(ty, name),
            None => FnKey::function(name),
        };
        let saved_extractors = std::mem::take(&mut self.extractors);
        let mut env = Env::default();
        let mut names: Vec<Arc<str>> = Vec::new();
        if let Some(params) = n.child_by_field_name("parameters") {
            let mut cursor = params.walk();
            for p in params.named_children(&mut cursor) {
                if p.kind_name() != "parameter" {
                    continue;
                }
                let index = names.len() as u32;
                let mut ids = Vec::new();
                let mut sources = Vec::new();
                if let Some(pattern) = p.child_by_field_name("pattern") {
                    self.pattern_names(pattern, &mut ids);
                    sources = self.parameter_taints(pattern, p.child_by_field_name("type"));
                }
                // A parameter's value is decided by the callers (caller fragments, summaries);
                // an extractor's is the request's.
                let taint = vec![Taint::new(TaintOrigin::Param(index))];
                for id in &ids {
                    let mut taint = taint.clone();
                    for (name, extra) in &sources {
                        if name == id {
                            add_taints(&mut taint, extra);
                        }
                    }
                    env.insert(
                        id.as_str().into(),
                        Arc::new(VarState {
                            unknown: true,
                            unknown_taint: taint,
                            ..VarState::default()
                        }),
                    );
                }
                names.push(ids.into_iter().next().unwrap_or_default().into());
            }
        }
        let saved_function = self.function.replace(key.clone());
        let saved_params = std::mem::replace(&mut self.params, names);
        let saved_defs = std::mem::take(&mut self.defs);
        let saved_builders = std::mem::take(&mut self.builders);
        let saved_separated = std::mem::take(&mut self.separated);
        let saved_breaks = std::mem::take(&mut self.breaks);
        let saved_scopes = std::mem::take(&mut self.scopes);
        let saved_returns = std::mem::take(&mut self.returns);
        let saved_checked = self.param_checked.take();
        let saved_lookups = std::mem::take(&mut self.lookups);
        let saved_err_tails =
            std::mem::replace(&mut self.err_tails, super::taint::err_tails(body, self.src));
        let mut state: State = Some(env);
        let value = self.block(body, &mut state);
        if state.is_some() {
            // The tail expression is returned.
            let tail = tail_expression(body);
            if let Some(tail) = tail {
                self.use_value(&value, span_of(tail));
                self.note_return(&value, span_of(tail));
            }
            if !tail.is_some_and(|t| super::taint::is_err_call(t, self.src)) {
                self.note_exit(&state);
            }
        }
        self.flush_defs();
        let returns = std::mem::replace(&mut self.returns, saved_returns);
        let checked = std::mem::replace(&mut self.param_checked, saved_checked);
        let checked_params = checked
            .unwrap_or_default()
            .iter()
            .enumerate()
            .filter(|(_, c)| **c)
            .map(|(i, _)| i as u32)
            .collect();
        self.lookups = saved_lookups;
        self.err_tails = saved_err_tails;
        self.extractors = saved_extractors;
        self.facts.functions.push(FunctionSummary {
            name: key,
            returns,
            checked_params,
        });
        self.function = saved_function;
        self.params = saved_params;
        self.defs = saved_defs;
        self.builders = saved_builders;
        self.separated = saved_separated;
        self.breaks = saved_breaks;
        self.scopes = saved_scopes;
    }

    /// The variables a pattern binds (`x`, `mut x`, `(a, b)`, `Some(x)`, `S { a, b: c }`).
    pub(super) fn pattern_names(&self, pattern: Node, out: &mut Vec<String>) {
        out.extend(self.pattern_bindings(pattern).into_iter().map(|(n, _)| n));
    }

    /// The variables a pattern binds, each with where it is bound.
    pub(super) fn pattern_bindings(&self, pattern: Node) -> Vec<(String, crate::facts::Span)> {
        let mut out: Vec<(String, crate::facts::Span)> = Vec::new();
        let mut pending = vec![(pattern, 0usize)];
        while let Some((n, depth)) = pending.pop() {
            if depth > super::MAX_DEPTH || out.len() > 64 {
                break;
            }
            match n.kind_name() {
                "identifier" => {
                    let name = self.text(n);
                    // `None`, `Foo` in a pattern name a variant or a constant.
                    if name.starts_with(|c: char| c.is_lowercase() || c == '_') && name != "_" {
                        out.push((name.to_string(), span_of(n)));
                    }
                }
                "shorthand_field_identifier" => out.push((self.text(n).to_string(), span_of(n))),
                "scoped_identifier" | "type_identifier" | "scoped_type_identifier" => {}
                _ => {
                    let mut cursor = n.walk();
                    let children: Vec<Node> = n.named_children(&mut cursor).collect();
                    for (i, c) in children.into_iter().enumerate().rev() {
                        // `Some(x)`: the `type` is a path, not a binding; `S { a: b }` binds `b`.
                        let field = n.field_name_for_named_child(i as u32);
                        if matches!(field, Some("type") | Some("name"))
                            && n.kind_name() != "field_pattern"
                        {
                            continue;
                        }
                        if n.kind_name() == "field_pattern" && field == Some("name") {
                            if n.child_by_field_name("pattern").is_none() {
                                out.push((self.text(c).to_string(), span_of(c)));
                            }
                            continue;
                        }
                        pending.push((c, depth + 1));
                    }
                }
            }
        }
        out
    }

    /// A value built of literal text only, read where it is used.
    pub(super) fn text_value(text: &str, src: usize, linear: bool) -> Value {
        Value::single(Piece::Text {
            text: text.into(),
            src,
            linear,
        })
    }
}

/// The tail expression of a block (its value), if it has one.
pub(super) fn tail_expression(block: Node) -> Option<Node> {
    let last = block.named_child(block.named_child_count().checked_sub(1)? as u32)?;
    match last.kind_name() {
        "line_comment" | "block_comment" | "let_declaration" | "empty_statement" => None,
        "expression_statement" => {
            // `if … { } else { }` ending a block without `;` is its value.
            let has_semicolon = last
                .child(last.child_count().saturating_sub(1))
                .is_some_and(|c| c.kind_name() == ";");
            if has_semicolon {
                None
            } else {
                last.named_child(0)
            }
        }
        k if k.ends_with("_item") || k == "attribute_item" => None,
        _ => Some(last),
    }
}

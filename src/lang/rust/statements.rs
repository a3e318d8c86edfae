//! Blocks and control flow: `let` (with shadowing and block scope), `if` / `if let`, `match`,
//! loops with their `break`s, `return`, forking and merging the environment at branches.

use std::sync::Arc;

use tree_sitter::Node;

use super::RustKind as _;

use super::items::tail_expression;
use super::{span_of, Def, Lowerer};
use crate::facts::Span;
use crate::lang::env::{merge_states, merge_states_on, restrict, State, VarState};
use crate::lang::value::{starts_with_sql_verb, Value};

impl<'s> Lowerer<'s> {
    /// A block: its statements in order; its value is its tail expression's. Variables it
    /// declares (`let`) are its own: on leaving it, an outer variable they shadowed is back.
    pub(super) fn block(&mut self, n: Node, state: &mut State) -> Value {
        self.scopes.push(Vec::new());
        let tail = tail_expression(n);
        let mut value = Value::empty_string();
        let mut cursor = n.walk();
        let children: Vec<Node> = n.named_children(&mut cursor).collect();
        for c in children {
            if state.is_none() {
                // Unreachable code still declares functions.
                self.item(c);
                continue;
            }
            if Some(c) == tail || tail.is_some_and(|t| t.parent() == Some(c)) {
                let t = tail.unwrap_or(c);
                value = self.eval(t, state);
                if self.err_tails.contains(&t.id()) {
                    // The function returns `Err(…)` here.
                    *state = None;
                }
            } else {
                self.stmt(c, state);
            }
        }
        let declared = self.scopes.pop().unwrap_or_default();
        if let Some(env) = state.as_mut() {
            for (name, before) in declared.into_iter().rev() {
                match before {
                    Some(v) => env.insert(name, v),
                    None => env.remove(&name),
                };
            }
        }
        value
    }

    fn stmt(&mut self, n: Node, state: &mut State) {
        if self.too_deep(n, "statements") {
            return;
        }
        self.depth += 1;
        match n.kind_name() {
            "line_comment" | "block_comment" | "attribute_item" | "empty_statement"
            | "use_declaration" => {}
            "let_declaration" => self.let_declaration(n, state),
            "const_item" | "static_item" => {
                // A local constant is a variable of the block.
                if let (Some(name), Some(value)) = (
                    n.child_by_field_name("name"),
                    n.child_by_field_name("value"),
                ) {
                    let v = self.eval(value, state);
                    let name = self.text(name).to_string();
                    self.declare(&name, state);
                    self.bind(&name, v, span_of(n), state);
                }
            }
            "expression_statement" => {
                if let Some(e) = n.named_child(0) {
                    self.eval(e, state);
                }
            }
            k if k.ends_with("_item") => self.item(n),
            _ => {
                self.eval(n, state);
            }
        }
        self.depth -= 1;
    }

    fn let_declaration(&mut self, n: Node, state: &mut State) {
        let value_node = n.child_by_field_name("value");
        let saved_lookup = self.last_lookup.take();
        let value = match value_node {
            Some(v) => self.eval(v, state),
            None => Value::default(),
        };
        let lookup = std::mem::replace(&mut self.last_lookup, saved_lookup);
        if let Some(alt) = n.child_by_field_name("alternative") {
            // `let … else { return }`: the else block leaves.
            let mut other = state.clone();
            self.eval(alt, &mut other);
        }
        let Some(pattern) = n.child_by_field_name("pattern") else {
            return;
        };
        let single = match pattern.kind_name() {
            "identifier" => Some(pattern),
            "mut_pattern" => {
                pattern.named_child(pattern.named_child_count().saturating_sub(1) as u32)
            }
            _ => None,
        }
        .filter(|p| p.kind_name() == "identifier");
        match (single, value_node) {
            (Some(id), Some(v)) => {
                let name = self.text(id).to_string();
                self.declare(&name, state);
                if super::calls::is_query_builder_new(self, v) {
                    self.builders
                        .insert(name.as_str().into(), Default::default());
                } else {
                    self.builders.remove(name.as_str());
                }
                match self.separated_of(v, state) {
                    Some(sep) => self.separated.insert(name.as_str().into(), sep),
                    None => self.separated.remove(name.as_str()),
                };
                match lookup {
                    Some(bound) => self.lookups.insert(name.as_str().into(), bound),
                    None => self.lookups.remove(name.as_str()),
                };
                self.bind(&name, value, span_of(n), state);
            }
            _ => {
                let taints = value.taints();
                self.bind_pattern_tainted(pattern, taints, state);
            }
        }
    }

    /// Remember what a variable held before the current block declared it.
    pub(super) fn declare(&mut self, name: &str, state: &State) {
        let Some(env) = state.as_ref() else {
            return;
        };
        if let Some(scope) = self.scopes.last_mut() {
            if !scope.iter().any(|(n, _)| &**n == name) {
                scope.push((name.into(), env.get(name).cloned()));
            }
        }
    }

    /// Every variable a pattern binds holds a run-time value.
    pub(super) fn bind_pattern_unknown(&mut self, pattern: Node, state: &mut State) {
        self.bind_pattern_tainted(pattern, Vec::new(), state);
    }

    /// Every variable a pattern binds holds a run-time value derived from a value with these
    /// taints (`let Some(h) = host else { … }`, `if let Some((sub, _)) = host.split_once('.')`).
    pub(super) fn bind_pattern_tainted(
        &mut self,
        pattern: Node,
        taints: Vec<crate::facts::Taint>,
        state: &mut State,
    ) {
        let mut names = Vec::new();
        self.pattern_names(pattern, &mut names);
        for name in names {
            self.declare(&name, state);
            self.extractors.remove(name.as_str());
            self.lookups.remove(name.as_str());
            if let Some(env) = state.as_mut() {
                let var = if taints.is_empty() {
                    crate::lang::env::unknown_var()
                } else {
                    Arc::new(VarState {
                        unknown: true,
                        unknown_taint: taints.clone(),
                        ..VarState::default()
                    })
                };
                env.insert(name.as_str().into(), var);
            }
        }
    }

    /// `name = value`: the variable holds the value from here on.
    pub(super) fn bind(&mut self, name: &str, value: Value, span: Span, state: &mut State) {
        self.extractors.remove(name);
        let Some(env) = state.as_mut() else {
            return;
        };
        let value = value.with_step(span);
        let def_id = self.defs.len();
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
        env.insert(
            name.into(),
            Arc::new(VarState {
                value,
                defs: vec![def_id],
                ..VarState::default()
            }),
        );
    }

    /// `if` / `if let` / `else if` / `else`: each arm on its own copy of the environment; a
    /// simple condition tags what each arm builds with its outcome, so that a later `if` on
    /// the same condition takes the same arm.
    pub(super) fn if_expression(&mut self, n: Node, state: &mut State) -> Value {
        let condition = n.child_by_field_name("condition");
        let has_let =
            condition.is_some_and(|c| matches!(c.kind_name(), "let_condition" | "let_chain"));
        let mut then_state = state.clone();
        let mut other = state.clone();
        if let Some(c) = condition {
            self.condition(c, &mut then_state);
            // The condition's effects happen on both paths.
            if !has_let {
                other = then_state.clone();
                // What each outcome proves: a comparison checks its operands on the branch
                // where they are equal.
                self.validate(c, true, &mut then_state);
                self.validate(c, false, &mut other);
            }
        }
        let cond_id = condition.filter(|_| !has_let).map(|c| self.condition_id(c));
        if let Some((id, positive)) = cond_id {
            restrict(&mut then_state, id, positive);
            restrict(&mut other, id, !positive);
        }
        let cond_text = condition.map(|c| self.condition_text(c));
        let consequence = n.child_by_field_name("consequence");
        let alternative = n
            .child_by_field_name("alternative")
            .and_then(|a| a.named_child(0));
        if let Some(text) = &cond_text {
            if let Some(body) = consequence {
                self.record_branch(n, body, vec![(text.clone(), true)]);
            }
            if let Some(body) = alternative.filter(|a| a.kind_name() == "block") {
                self.record_branch(n, body, vec![(text.clone(), false)]);
            }
        }
        let then_value = match consequence {
            Some(b) => self.block(b, &mut then_state),
            None => Value::empty_string(),
        };
        let other_value = match alternative {
            Some(a) => self.eval(a, &mut other),
            None => Value::empty_string(),
        };
        let value = match (then_state.is_some(), other.is_some()) {
            (true, false) => then_value,
            (false, true) => other_value,
            _ => match cond_id {
                Some((id, positive)) => then_value
                    .tagged((id, positive))
                    .union(other_value.tagged((id, !positive))),
                None => then_value.union(other_value),
            },
        };
        *state = match cond_id {
            Some((id, true)) => merge_states_on(then_state, other, Some(id)),
            Some((id, false)) => merge_states_on(other, then_state, Some(id)),
            None => merge_states(then_state, other),
        };
        if alternative.is_none() {
            // Without `else` the value is `()`.
            return self.opaque(n);
        }
        value
    }

    /// Evaluate a condition; `if let` / `while let` bind their patterns.
    fn condition(&mut self, c: Node, state: &mut State) {
        match c.kind_name() {
            "let_condition" => {
                let taints = match c.child_by_field_name("value") {
                    Some(v) => self.eval(v, state).taints(),
                    None => Vec::new(),
                };
                if let Some(p) = c.child_by_field_name("pattern") {
                    self.bind_pattern_tainted(p, taints, state);
                }
            }
            "let_chain" => {
                let mut cursor = c.walk();
                let parts: Vec<Node> = c.named_children(&mut cursor).collect();
                for p in parts {
                    self.condition(p, state);
                }
            }
            _ => {
                self.eval(c, state);
            }
        }
    }

    /// `match`: each arm on its own copy of the environment, its pattern's variables bound.
    pub(super) fn match_expression(&mut self, n: Node, state: &mut State) -> Value {
        let subject = n.child_by_field_name("value");
        let subject_taints = match subject {
            Some(v) => self.eval(v, state).taints(),
            None => Vec::new(),
        };
        let subject_text = subject.map(|s| self.condition_text(s));
        let before = state.clone();
        let mut result: State = None;
        let mut value = Value::default();
        let Some(body) = n.child_by_field_name("body") else {
            return self.opaque(n);
        };
        let mut cursor = body.walk();
        let arms: Vec<Node> = body
            .named_children(&mut cursor)
            .filter(|a| a.kind_name() == "match_arm")
            .collect();
        for arm in arms {
            let mut branch = before.clone();
            let pattern = arm.child_by_field_name("pattern");
            if let (Some(p), Some(s), Some(v)) =
                (pattern, &subject_text, arm.child_by_field_name("value"))
            {
                let pattern_text = p
                    .named_child(0)
                    .map(|x| super::collapse_whitespace(self.text(x), 40))
                    .unwrap_or_default();
                self.record_branch(n, v, vec![(format!("{s} == {pattern_text}").into(), true)]);
            }
            if let Some(p) = pattern {
                if let Some(inner) = p.named_child(0) {
                    self.bind_pattern_tainted(inner, subject_taints.clone(), &mut branch);
                }
                if let Some(guard) = p.child_by_field_name("condition") {
                    self.condition(guard, &mut branch);
                }
            }
            let v = match arm.child_by_field_name("value") {
                Some(e) => self.eval(e, &mut branch),
                None => Value::default(),
            };
            if branch.is_some() {
                value = value.union(v);
            }
            result = merge_states(result, branch);
        }
        *state = result;
        if value.variants.is_empty() {
            return self.opaque(n);
        }
        value
    }

    /// `for`, `while`, `while let` and `loop`: the body runs zero or more times; one pass,
    /// merged with the path that skips it and with every `break`, is enough for the values this
    /// front-end tracks.
    pub(super) fn loop_expression(&mut self, n: Node, state: &mut State) -> Value {
        let mut body_state = state.clone();
        match n.kind_name() {
            "for_expression" => {
                if let Some(v) = n.child_by_field_name("value") {
                    self.eval(v, state);
                }
                body_state = state.clone();
                if let Some(p) = n.child_by_field_name("pattern") {
                    self.bind_pattern_unknown(p, &mut body_state);
                }
            }
            "while_expression" => {
                if let Some(c) = n.child_by_field_name("condition") {
                    self.condition(c, &mut body_state);
                }
            }
            _ => {}
        }
        let before = state.clone();
        self.breaks.push(Vec::new());
        if let Some(body) = n.child_by_field_name("body") {
            self.scopes.push(Vec::new());
            self.block(body, &mut body_state);
            self.scopes.pop();
        }
        let breaks = self.breaks.pop().unwrap_or_default();
        let mut out = merge_states(before, body_state);
        for b in breaks {
            out = merge_states(out, Some(b));
        }
        *state = out;
        self.opaque(n)
    }

    /// `break` (with its value) and `continue` end the path; a `break` carries its environment
    /// to the end of the loop.
    pub(super) fn jump(&mut self, n: Node, state: &mut State) -> Value {
        if let Some(v) = n
            .named_children(&mut n.walk())
            .find(|c| c.kind_name() != "label")
        {
            self.eval(v, state);
        }
        if n.kind_name() == "break_expression" {
            if let (Some(env), Some(frame)) = (state.as_ref(), self.breaks.last_mut()) {
                frame.push(env.clone());
            }
        }
        *state = None;
        Value::default()
    }

    /// `return value`: a query returned is a site; the path ends.
    pub(super) fn return_expression(&mut self, n: Node, state: &mut State) -> Value {
        let mut err = false;
        if let Some(e) = n.named_child(0) {
            let v = self.eval(e, state);
            let keyword = n.child(0).map(span_of).unwrap_or_else(|| span_of(n));
            self.use_value(&v, keyword);
            self.note_return(&v, span_of(n));
            err = super::taint::is_err_call(e, self.src);
        }
        if !err {
            self.note_exit(state);
        }
        *state = None;
        Value::default()
    }

    /// A closure's body runs later, with the variables it captures: lowered on a copy of the
    /// environment, its parameters unknown.
    pub(super) fn closure(&mut self, n: Node, state: &mut State) -> Value {
        let mut inner = state.clone();
        if let Some(params) = n.child_by_field_name("parameters") {
            self.bind_pattern_unknown(params, &mut inner);
        }
        // A `return` in the closure leaves the closure, not the function.
        let saved_returns = self.returns.clone();
        let saved_checked = self.param_checked.clone();
        let mut value = None;
        if let Some(body) = n.child_by_field_name("body") {
            self.breaks.push(Vec::new());
            let v = self.eval(body, &mut inner);
            self.breaks.pop();
            if inner.is_some() {
                self.use_value(&v, span_of(body));
                value = Some(v);
            }
        }
        self.returns = saved_returns;
        self.param_checked = saved_checked;
        // What the closure returns may derive from what it captures (`map(|s| s.to_string())`
        // carries the receiver on by itself).
        match value.map(|v| v.taints()).filter(|t| !t.is_empty()) {
            Some(taints) => self.opaque_tainted(span_of(n), self.text(n), taints),
            None => self.opaque(n),
        }
    }
}

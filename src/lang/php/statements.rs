//! Statement lowering: blocks, declarations (functions, classes, constants), `if`, `switch`,
//! loops and `try`, forking and merging the environment at branches.

use std::sync::Arc;

use tree_sitter::Node;

use super::PhpKind as _;

use super::builtins::class_key;
use super::conditions::ends_path;
use super::{collapse_whitespace, span_of, Flow, Lowerer, FIELDS};
use crate::facts::{ClassFact, FnKey, FunctionSummary, Taint, TaintOrigin, Template};
use crate::lang::env::{
    merge_states, merge_states_on, restrict, unknown_var, ArrayLiteral, Env, State, VarState,
};
use crate::lang::value::{add_taints, starts_with_sql_verb};

impl<'s> Lowerer<'s> {
    pub(super) fn block_children(&mut self, n: Node, state: &mut State) -> Flow {
        let mut cursor = n.walk();
        let children: Vec<Node> = n.named_children(&mut cursor).collect();
        for child in children {
            if state.is_none() {
                // Unreachable code still declares functions and classes.
                self.declarations_only(child);
                continue;
            }
            if self.stmt(child, state) == Flow::Break {
                return Flow::Break;
            }
        }
        Flow::Normal
    }

    fn declarations_only(&mut self, n: Node) {
        match n.kind_name() {
            "function_definition"
            | "class_declaration"
            | "interface_declaration"
            | "trait_declaration"
            | "enum_declaration" => {
                let mut dead = None;
                self.stmt(n, &mut dead);
            }
            _ => {}
        }
    }

    fn stmt(&mut self, n: Node, state: &mut State) -> Flow {
        if self.too_deep(n, "statements") {
            return Flow::Normal;
        }
        self.depth += 1;
        let flow = self.stmt_inner(n, state);
        self.depth -= 1;
        flow
    }

    fn stmt_inner(&mut self, n: Node, state: &mut State) -> Flow {
        match n.kind_name() {
            "comment"
            | "text"
            | "php_tag"
            | "text_interpolation"
            | "namespace_use_declaration"
            | "goto_statement"
            | "named_label_statement" => Flow::Normal,
            "global_declaration"
            | "static_variable_declaration"
            | "function_static_declaration"
                if self.in_function =>
            {
                // Values shared with other scopes: not known here, and never "unset".
                let mut cursor = n.walk();
                let names: Vec<Node> = n.named_children(&mut cursor).collect();
                for name in names {
                    let var = if name.kind_name() == "static_variable_declaration"
                        || name.kind_name() == "static_variable"
                    {
                        name.child_by_field_id(FIELDS.name).unwrap_or(name)
                    } else {
                        name
                    };
                    if var.kind_name() == "variable_name" {
                        self.shared_vars.push(self.text(var).into());
                    }
                }
                Flow::Normal
            }
            "global_declaration" => Flow::Normal,
            "compound_statement"
            | "colon_block"
            | "program"
            | "declaration_list"
            | "namespace_definition"
            | "ERROR" => self.block_children(n, state),
            "function_definition" => {
                self.function_body(n);
                Flow::Normal
            }
            "class_declaration"
            | "interface_declaration"
            | "trait_declaration"
            | "enum_declaration" => {
                let class = n
                    .child_by_field_id(FIELDS.name)
                    .map(|c| self.text(c).to_string());
                // Where its methods may come from: `extends` and the traits it uses.
                let mut parents: Vec<String> = Vec::new();
                let mut cursor = n.walk();
                for c in n.named_children(&mut cursor) {
                    if c.kind_name() == "base_clause" {
                        let mut cc = c.walk();
                        parents.extend(c.named_children(&mut cc).map(|p| class_key(self.text(p))));
                    }
                }
                let parent = parents.first().cloned();
                let saved_class = std::mem::replace(&mut self.class, class.clone());
                let saved_parent = std::mem::replace(&mut self.class_parent, parent);
                if let Some(body) = n.child_by_field_id(FIELDS.body) {
                    let mut cursor = body.walk();
                    let members: Vec<Node> = body.named_children(&mut cursor).collect();
                    for m in members {
                        match m.kind_name() {
                            "method_declaration" => self.function_body(m),
                            "const_declaration" | "property_declaration" => {
                                self.class_member_constants(m);
                            }
                            "use_declaration" => {
                                let mut cc = m.walk();
                                parents.extend(
                                    m.named_children(&mut cc)
                                        .filter(|t| {
                                            matches!(t.kind_name(), "name" | "qualified_name")
                                        })
                                        .map(|t| class_key(self.text(t))),
                                );
                            }
                            _ => {}
                        }
                    }
                }
                if let Some(name) = &class {
                    self.facts.classes.push(ClassFact {
                        name: class_key(name),
                        parents,
                    });
                }
                self.class = saved_class;
                self.class_parent = saved_parent;
                Flow::Normal
            }
            "if_statement" => {
                self.if_statement(n, state);
                Flow::Normal
            }
            "switch_statement" => {
                self.switch_statement(n, state);
                Flow::Normal
            }
            "while_statement" | "for_statement" | "foreach_statement" | "do_statement" => {
                self.loop_statement(n, state);
                Flow::Normal
            }
            "try_statement" => {
                self.try_statement(n, state);
                Flow::Normal
            }
            "return_statement" => {
                if let Some(env) = state.as_mut() {
                    if let Some(e) = n.named_child(0) {
                        let v = self.eval(e, env);
                        let keyword = n.child(0).map(span_of).unwrap_or_else(|| span_of(n));
                        let taints = v.taints();
                        add_taints(&mut self.returns, &taints);
                        self.use_value(&v, keyword);
                        self.record_uses(&v, span_of(n), || "returned".to_string());
                    }
                    self.note_exit(env);
                }
                *state = None;
                Flow::Normal
            }
            "exit_statement" => {
                if let Some(env) = state.as_mut() {
                    self.effects(n, env);
                }
                *state = None;
                Flow::Normal
            }
            "break_statement" | "continue_statement" => Flow::Break,
            "unset_statement" => {
                // `unset($w)`: not assigned from here on, as if never assigned.
                if let Some(env) = state.as_mut() {
                    let mut cursor = n.walk();
                    let targets: Vec<Node> = n.named_children(&mut cursor).collect();
                    for t in targets {
                        match self.path_of(t) {
                            Some(path) if t.kind_name() != "name" => {
                                let state = VarState {
                                    maybe_unset: true,
                                    ..VarState::default()
                                };
                                self.replace_var(path, state, env);
                            }
                            _ => {
                                self.eval(t, env);
                            }
                        }
                    }
                }
                Flow::Normal
            }
            "echo_statement"
            | "expression_statement"
            | "const_declaration"
            | "static_variable_declaration"
            | "declare_statement" => {
                if let Some(env) = state.as_mut() {
                    let mut cursor = n.walk();
                    let children: Vec<Node> = n.named_children(&mut cursor).collect();
                    for c in children {
                        match c.kind_name() {
                            "const_element" => self.const_element(c, env),
                            _ => {
                                self.eval(c, env);
                            }
                        }
                    }
                }
                if ends_path(n, self.src, &self.options.never_return) {
                    *state = None;
                }
                Flow::Normal
            }
            _ => {
                if let Some(env) = state.as_mut() {
                    self.eval(n, env);
                }
                Flow::Normal
            }
        }
    }

    /// Class constants and property defaults are project constants (`const TABLE = 'iw_x'`,
    /// `protected $table = 'iw_x'`), under the names code reads them by.
    fn class_member_constants(&mut self, m: Node) {
        let Some(class) = self.class.clone() else {
            return;
        };
        let mut cursor = m.walk();
        let elements: Vec<Node> = m.named_children(&mut cursor).collect();
        let is_static = elements.iter().any(|e| e.kind_name() == "static_modifier");
        for e in elements {
            let (name, value) = match e.kind_name() {
                "const_element" => match (e.named_child(0), e.named_child(1)) {
                    (Some(name), Some(value)) => (format!("{class}::{}", self.text(name)), value),
                    _ => continue,
                },
                "property_element" => {
                    match (
                        e.child_by_field_id(FIELDS.name),
                        e.child_by_field_id(FIELDS.default_value),
                    ) {
                        (Some(name), Some(value)) if is_static => {
                            (format!("{class}::{}", self.text(name)), value)
                        }
                        (Some(name), Some(value)) => (
                            format!(
                                "{class}::$this->{}",
                                self.text(name).trim_start_matches('$')
                            ),
                            value,
                        ),
                        _ => continue,
                    }
                }
                _ => continue,
            };
            let mut env = Env::default();
            let v = self.eval(value, &mut env);
            self.record_const(name, &v);
        }
    }

    fn const_element(&mut self, n: Node, env: &mut Env) {
        let (Some(name), Some(value)) = (n.named_child(0), n.named_child(1)) else {
            return;
        };
        let v = self.eval(value, env);
        self.record_const(self.text(name).to_string(), &v);
    }

    pub(super) fn function_body(&mut self, n: Node) {
        let Some(body) = n.child_by_field_id(FIELDS.body) else {
            return;
        };
        let mut env = Env::default();
        let mut param_count = 0u32;
        let mut defaults: Vec<(u32, Vec<Template>)> = Vec::new();
        if let Some(params) = n.child_by_field_id(FIELDS.parameters) {
            let mut cursor = params.walk();
            for p in params.named_children(&mut cursor) {
                if let Some(name) = p.child_by_field_id(FIELDS.name) {
                    // A parameter's origin is decided by the callers (function summaries).
                    let taint = Taint::new(TaintOrigin::Param(param_count));
                    // `Pdf $p`: calls on it are calls of that class's methods.
                    let class = p
                        .child_by_field_id(FIELDS.type_)
                        .and_then(|t| self.declared_class(t));
                    // A default value is what callers that omit the argument pass.
                    if let Some(d) = p.child_by_field_id(FIELDS.default_value) {
                        let mut scratch = Env::default();
                        let value = self.eval(d, &mut scratch);
                        defaults.push((
                            param_count,
                            value.variants.into_iter().map(|v| v.pieces).collect(),
                        ));
                    }
                    env.insert(
                        self.text(name).into(),
                        Arc::new(VarState {
                            unknown: true,
                            unknown_taint: vec![taint],
                            class,
                            ..VarState::default()
                        }),
                    );
                    param_count += 1;
                }
            }
        }
        // Functions by name, methods as `class::name` (lower-case: PHP names are
        // case-insensitive).
        let name: Option<FnKey> = n.child_by_field_id(FIELDS.name).map(|nm| {
            let name = self.text(nm).to_ascii_lowercase();
            match (&self.class, n.kind_name()) {
                (Some(class), "method_declaration") => FnKey::method(class_key(class), name),
                _ => FnKey::function(name),
            }
        });
        let saved_defs = std::mem::take(&mut self.defs);
        let saved_in_function = std::mem::replace(&mut self.in_function, true);
        let saved_shared = std::mem::take(&mut self.shared_vars);
        let saved_function = std::mem::replace(&mut self.function, name.clone());
        let saved_returns = std::mem::take(&mut self.returns);
        let param_names: Vec<Arc<str>> = env
            .iter()
            .filter_map(|(k, v)| match v.unknown_taint.first().map(|t| &t.origin) {
                Some(TaintOrigin::Param(i)) => Some((*i, k.clone())),
                _ => None,
            })
            .collect::<std::collections::BTreeMap<u32, Arc<str>>>()
            .into_values()
            .collect();
        let saved_params = std::mem::replace(&mut self.params, param_names);
        let saved_checked = self.param_checked.take();
        // An arrow function reads its parent's variables: nothing unassigned is known empty.
        let saved_dynamic =
            std::mem::replace(&mut self.dynamic_scope, n.kind_name() == "arrow_function");
        // `function () use ($a, &$b)`: values from the enclosing scope.
        let mut cursor = n.walk();
        let uses: Vec<Node> = n
            .named_children(&mut cursor)
            .filter(|c| c.kind_name() == "anonymous_function_use_clause")
            .collect();
        for clause in uses {
            let mut c = clause.walk();
            let vars: Vec<Node> = clause.named_children(&mut c).collect();
            for v in vars {
                let v = if v.kind_name() == "by_ref" {
                    v.named_child(0).unwrap_or(v)
                } else {
                    v
                };
                if v.kind_name() == "variable_name" {
                    let name: Arc<str> = self.text(v).into();
                    self.shared_vars.push(name.clone());
                    env.insert(name, unknown_var());
                }
            }
        }
        let mut state = Some(env);
        self.block_children(body, &mut state);
        self.dynamic_scope = saved_dynamic;
        if let Some(env) = state.as_ref() {
            self.note_exit(env);
        }
        self.flush_defs();
        let returns = std::mem::replace(&mut self.returns, saved_returns);
        let checked = std::mem::replace(&mut self.param_checked, saved_checked);
        self.params = saved_params;
        if let Some(name) = name {
            let checked_params = checked
                .unwrap_or_default()
                .iter()
                .enumerate()
                .filter(|(_, c)| **c)
                .map(|(i, _)| i as u32)
                .collect();
            for (index, value) in defaults {
                self.facts.param_defaults.push(crate::facts::ParamDefault {
                    function: name.clone(),
                    index,
                    value,
                });
            }
            self.facts.functions.push(FunctionSummary {
                name,
                returns,
                checked_params,
            });
        }
        self.defs = saved_defs;
        self.in_function = saved_in_function;
        self.shared_vars = saved_shared;
        self.function = saved_function;
    }

    fn if_statement(&mut self, n: Node, state: &mut State) {
        if let (Some(env), Some(c)) = (state.as_mut(), n.child_by_field_id(FIELDS.condition)) {
            self.eval(c, env);
        }
        let condition = n.child_by_field_id(FIELDS.condition);
        let mut before = state.clone();
        let mut then_state = before.clone();
        let mut cursor = n.walk();
        let alternatives: Vec<Node> = n
            .children_by_field_name("alternative", &mut cursor)
            .collect();
        // Correlate with earlier `if`s on the same condition (simple if / if-else only).
        let cond_id = condition
            .filter(|_| alternatives.iter().all(|a| a.kind_name() == "else_clause"))
            .map(|c| self.condition_id(c));
        if let Some(c) = condition {
            self.refine(c, true, &mut then_state);
            self.refine(c, false, &mut before);
            self.validate(c, true, &mut then_state);
            self.validate(c, false, &mut before);
        }
        if let Some((id, positive)) = cond_id {
            restrict(&mut then_state, id, positive);
            restrict(&mut before, id, !positive);
        }
        let cond_text = condition.map(|c| self.condition_text(c));
        if let (Some(body), Some(c)) = (n.child_by_field_id(FIELDS.body), &cond_text) {
            self.record_branch(n, body, vec![(c.clone(), true)]);
        }
        let mut prior: Vec<(Arc<str>, bool)> =
            cond_text.iter().map(|c| (c.clone(), false)).collect();
        for alt in &alternatives {
            let own = (alt.kind_name() == "else_if_clause")
                .then(|| alt.child_by_field_id(FIELDS.condition))
                .flatten()
                .map(|c| self.condition_text(c));
            if let Some(body) = alt.child_by_field_id(FIELDS.body) {
                let mut conditions = prior.clone();
                conditions.extend(own.iter().map(|c| (c.clone(), true)));
                self.record_branch(n, body, conditions);
            }
            prior.extend(own.map(|c| (c, false)));
        }
        if let Some(body) = n.child_by_field_id(FIELDS.body) {
            self.stmt(body, &mut then_state);
        }
        if let Some((id, positive)) = cond_id {
            // if / if-else: tag what each side built with its outcome.
            let mut other = before;
            if let Some(else_body) = alternatives
                .first()
                .and_then(|a| a.child_by_field_id(FIELDS.body))
            {
                self.stmt(else_body, &mut other);
            }
            *state = if positive {
                merge_states_on(then_state, other, Some(id))
            } else {
                merge_states_on(other, then_state, Some(id))
            };
            return;
        }
        let mut result = then_state;
        let mut has_else = false;
        // `elseif` clauses are siblings: each runs when the previous conditions failed.
        let mut fallthrough = before;
        for alt in alternatives {
            match alt.kind_name() {
                "else_if_clause" => {
                    let condition = alt.child_by_field_id(FIELDS.condition);
                    if let (Some(env), Some(c)) = (fallthrough.as_mut(), condition) {
                        self.eval(c, env);
                    }
                    let mut branch = fallthrough.clone();
                    if let Some(c) = condition {
                        self.refine(c, true, &mut branch);
                        self.refine(c, false, &mut fallthrough);
                        self.validate(c, true, &mut branch);
                        self.validate(c, false, &mut fallthrough);
                    }
                    if let Some(body) = alt.child_by_field_id(FIELDS.body) {
                        self.stmt(body, &mut branch);
                    }
                    result = merge_states(result, branch);
                }
                _ => {
                    has_else = true;
                    let mut branch = fallthrough.clone();
                    if let Some(body) = alt.child_by_field_id(FIELDS.body) {
                        self.stmt(body, &mut branch);
                    }
                    result = merge_states(result, branch);
                }
            }
        }
        if !has_else {
            result = merge_states(result, fallthrough);
        }
        *state = result;
    }

    fn switch_statement(&mut self, n: Node, state: &mut State) {
        if let (Some(env), Some(c)) = (state.as_mut(), n.child_by_field_id(FIELDS.condition)) {
            self.eval(c, env);
        }
        let before = state.clone();
        let mut result: State = None;
        let mut has_default = false;
        // A case without `break` falls into the next one.
        let mut fallthrough: State = None;
        if let Some(body) = n.child_by_field_id(FIELDS.body) {
            let mut cursor = body.walk();
            let cases: Vec<Node> = body.named_children(&mut cursor).collect();
            for case in cases {
                if !matches!(case.kind_name(), "case_statement" | "default_statement") {
                    continue;
                }
                has_default |= case.kind_name() == "default_statement";
                let mut branch = merge_states(before.clone(), fallthrough.take());
                let mut cursor = case.walk();
                let value = case.child_by_field_id(FIELDS.value);
                if let (Some(v), Some(subject)) = (value, n.child_by_field_id(FIELDS.condition)) {
                    let text = format!(
                        "{} == {}",
                        self.condition_text(subject),
                        collapse_whitespace(self.text(v), 40)
                    );
                    self.record_branch(n, case, vec![(text.into(), true)]);
                }
                let stmts: Vec<Node> = case
                    .named_children(&mut cursor)
                    .filter(|c| Some(*c) != value)
                    .collect();
                let mut broke = false;
                for s in stmts {
                    if branch.is_none() {
                        break;
                    }
                    if self.stmt(s, &mut branch) == Flow::Break {
                        broke = true;
                        break;
                    }
                }
                if broke {
                    result = merge_states(result, branch);
                } else {
                    fallthrough = branch;
                }
            }
        }
        result = merge_states(result, fallthrough);
        if !has_default {
            result = merge_states(result, before);
        }
        *state = result;
    }

    fn loop_statement(&mut self, n: Node, state: &mut State) {
        let Some(env) = state.as_mut() else {
            return;
        };
        // Loop headers: evaluate everything but the body once; foreach binds unknown values.
        let body = n.child_by_field_id(FIELDS.body);
        let mut cursor = n.walk();
        let headers: Vec<Node> = n
            .named_children(&mut cursor)
            .filter(|c| Some(*c) != body)
            .collect();
        if n.kind_name() == "foreach_statement" {
            // `foreach ($iterated as $k => $v)`: the keys and values carry its taint. Over an
            // array literal (or a variable holding one), they hold each of its elements.
            let mut taint = Vec::new();
            let mut literal: Option<Arc<ArrayLiteral>> = None;
            for (i, h) in headers.into_iter().enumerate() {
                if i == 0 {
                    taint = self.eval(h, env).taints();
                    literal = self.array_literal(h).or_else(|| {
                        let path = self.path_of(h)?;
                        env.get(path.as_str())?.array.clone()
                    });
                    continue;
                }
                let parts: Vec<Node> = if h.kind_name() == "pair" {
                    let mut c = h.walk();
                    h.named_children(&mut c).collect()
                } else {
                    vec![h]
                };
                let count = parts.len();
                for (j, p) in parts.into_iter().enumerate() {
                    let elements = literal.as_ref().map(|l| {
                        if count == 2 && j == 0 {
                            &l.keys
                        } else {
                            &l.values
                        }
                    });
                    // Queries in the literal were sites where they are written.
                    let usable = elements.filter(|v| {
                        !v.variants.is_empty()
                            && !v.capped
                            && !v.variants.iter().any(|t| starts_with_sql_verb(&t.pieces))
                    });
                    match (usable, self.path_of(p)) {
                        (Some(v), Some(path)) if p.kind_name() == "variable_name" => {
                            let v = v.clone();
                            self.bind_elements(path, v, env);
                        }
                        _ => self.bind_unknown(p, env, &taint),
                    }
                }
            }
        } else {
            for h in headers {
                self.eval(h, env);
            }
        }
        // The body runs zero or more times; one pass merged with the skip path is enough for
        // the values this front-end tracks.
        let before = state.clone();
        let mut body_state = before.clone();
        if let Some(b) = body {
            self.stmt(b, &mut body_state);
        }
        *state = merge_states(before, body_state);
    }

    fn try_statement(&mut self, n: Node, state: &mut State) {
        let before = state.clone();
        let mut result: State = state.clone();
        if let Some(body) = n.child_by_field_id(FIELDS.body) {
            self.stmt(body, &mut result);
        }
        let mut cursor = n.walk();
        let clauses: Vec<Node> = n.named_children(&mut cursor).collect();
        for c in clauses {
            match c.kind_name() {
                "catch_clause" => {
                    let mut branch = before.clone();
                    if let Some(body) = c.child_by_field_id(FIELDS.body) {
                        self.stmt(body, &mut branch);
                    }
                    result = merge_states(result, branch);
                }
                "finally_clause" => {
                    if let Some(body) = c.child_by_field_id(FIELDS.body) {
                        self.stmt(body, &mut result);
                    }
                }
                _ => {}
            }
        }
        *state = result;
    }
}

//! PHP front-end: tree-sitter-php tree → [`FileFacts`].
//!
//! SQL in legacy PHP is rarely one literal: it is assembled from interpolated strings,
//! concatenations, `.=` appends under `if`, heredocs, `sprintf` formats and *fragment variables*
//! (`$sql_common`, `$sql_search`) that hold pieces of SQL text. This module interprets each
//! function body (and the file's top level) abstractly: every variable holds the set of templates
//! it may contain on the paths reaching a point (branches fork the environment, joins merge it).
//! A string whose text starts with a SQL verb becomes a [`SqlSite`] where it is used: passed to a
//! call, returned, or stored and never read again. Each variant of the query is kept, so a
//! predicate appended on one path only does not hide the other paths.
//!
//! This is the only code that knows tree-sitter-php node kinds.

pub use crate::lang::value::starts_with_sql_verb;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use tree_sitter::Node;

use crate::facts::{
    CallFact, ClassFact, ConstDef, FileFacts, FoldPiece, FunctionSummary, Hole, HoleExpr, Piece,
    Span, SqlSite, Taint, TaintKind, TaintOrigin, Template,
};
use crate::lang::env::{
    merge_states, merge_states_on, restrict, unknown_var, ArrayLiteral, Env, State, VarState,
};
use crate::lang::value::{
    add_taints, escaped, fold_pieces, hole_label, is_blank, is_composite_name, is_tainted_value,
    known_value, may_carry_tenant_param, single_text, tainted_holes, Value, Variant, MAX_STEPS,
    MAX_TAINTS,
};

/// Expressions nested deeper than this are treated as opaque values rather than walked, so a
/// pathological file cannot overflow the stack.
const MAX_DEPTH: usize = 256;

/// Parse PHP source and lower it to facts. `parser` must have the PHP language set.
pub fn analyze(
    parser: &mut tree_sitter::Parser,
    src: &str,
    options: &super::FrontendOptions,
) -> FileFacts {
    let Some(tree) = parser.parse(src, None) else {
        return FileFacts {
            parse_errors: true,
            ..FileFacts::default()
        };
    };
    let root = tree.root_node();
    let mut lowerer = Lowerer {
        src,
        facts: FileFacts {
            parse_errors: root.has_error(),
            ..FileFacts::default()
        },
        defs: Vec::new(),
        depth: 0,
        in_function: false,
        shared_vars: Vec::new(),
        conditions: HashMap::new(),
        branch_spans: HashSet::new(),
        options,
        server_extracted: false,
        function: None,
        returns: Vec::new(),
        params: Vec::new(),
        param_checked: None,
        depth_reported: false,
        class: None,
        class_parent: None,
        last_array: None,
        file_vars: HashSet::new(),
        dynamic_scope: false,
        parent_paths: HashSet::new(),
    };
    let mut state = Some(Env::default());
    lowerer.block_children(root, &mut state);
    lowerer.flush_defs();
    let mut vars: Vec<String> = std::mem::take(&mut lowerer.file_vars).into_iter().collect();
    vars.sort_unstable();
    lowerer.facts.file_scope_vars = vars;
    if memchr::memmem::find(src.as_bytes(), crate::suppress::MARKER.as_bytes()).is_some() {
        lowerer.facts.suppressions = suppression_comments(root, src);
    }
    lowerer.facts
}

/// The PHP front-end.
pub struct Php;

impl super::Frontend for Php {
    fn name(&self) -> &'static str {
        "PHP"
    }

    fn parser(&self) -> Option<tree_sitter::Parser> {
        super::php_parser()
    }

    fn project_names(&self, source: &[u8]) -> super::ProjectNames {
        super::php_project_names(source)
    }

    fn analyze(
        &self,
        parser: &mut tree_sitter::Parser,
        source: &str,
        options: &super::FrontendOptions,
    ) -> FileFacts {
        analyze(parser, source, options)
    }
}

/// Comments holding a suppression directive, with the code each applies to.
fn suppression_comments(root: Node, src: &str) -> Vec<crate::facts::SuppressionComment> {
    let line_start = |at: usize| src[..at].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let line_end = |at: usize| src[at..].find(['\n', '\r']).map_or(src.len(), |i| at + i);
    let is_statement = |n: &Node| n.kind().ends_with("_statement");
    // Statements that hold no other statements: a directive covers them whole (never a whole
    // `if` block or function).
    let is_simple = |n: &Node| {
        matches!(
            n.kind(),
            "expression_statement" | "return_statement" | "echo_statement" | "unset_statement"
        )
    };
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        if n.kind() != "comment" {
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
            while let Some(s) = sibling.filter(|s| s.kind() == "comment") {
                sibling = s.next_named_sibling();
            }
            if let Some(s) = sibling.filter(is_simple) {
                covers.push(span_of(s));
            }
        } else {
            covers.push(Span::new(start, line_end(n.end_byte())));
            // The statement it ends (`sql_query(…); // …`) …
            if let Some(prev) = n.prev_named_sibling().filter(is_simple) {
                if line_start(prev.end_byte().saturating_sub(1)) == start {
                    covers.push(span_of(prev));
                }
            }
            // … or the statement that starts on its line (`sql_query( // …`).
            let mut up = n.parent();
            while let Some(p) = up {
                if is_statement(&p) {
                    if is_simple(&p) && line_start(p.start_byte()) == start {
                        covers.push(span_of(p));
                    }
                    break;
                }
                up = p.parent();
            }
        }
        out.push(crate::facts::SuppressionComment {
            span: span_of(n),
            text: text.into(),
            covers,
        });
    }
    out.sort_by_key(|c| c.span);
    out
}

/// An assignment of a value to a variable, remembered so that a query stored and never read
/// is still analysed.
struct Def {
    span: Span,
    value: Value,
    consumed: bool,
}

/// Whether a statement ended its block early.
#[derive(PartialEq, Eq)]
enum Flow {
    Normal,
    /// `break` / `continue`: the rest of the enclosing loop or switch body is skipped.
    Break,
}

struct Lowerer<'s> {
    src: &'s str,
    facts: FileFacts,
    defs: Vec<Def>,
    depth: usize,
    in_function: bool,
    options: &'s super::FrontendOptions,
    /// `extract($_SERVER)` was seen: `$HTTP_HOST` and friends are request values.
    server_extracted: bool,
    /// Lower-cased name of the function being analysed.
    function: Option<Arc<str>>,
    /// Taints of the values the current function returns.
    returns: Vec<Taint>,
    /// Parameter names of the current function, in order.
    params: Vec<Arc<str>>,
    /// For each parameter, whether it was checked on every exit seen so far.
    param_checked: Option<Vec<bool>>,
    /// The class whose members are being analysed.
    class: Option<String>,
    /// The class it extends (lower-case), for `parent::m()`.
    class_parent: Option<String>,
    /// Base names of the variables assigned at file scope.
    file_vars: HashSet<String>,
    /// The current scope ran something that may set any variable (`extract()`, `$$x = …`,
    /// an include inside a function): a variable unassigned on a path is not known there.
    dynamic_scope: bool,
    /// The array literal evaluated last (by node id), for the assignment or `foreach` that
    /// holds it.
    last_array: Option<(usize, Arc<ArrayLiteral>)>,
    /// Every path that has had an element or property path in an environment (`$g5` for
    /// `$g5['member_table']`).
    parent_paths: HashSet<String>,
    /// The nesting limit was hit (reported once per file).
    depth_reported: bool,
    /// Interned condition texts, for correlating `if`s on the same condition.
    conditions: HashMap<String, u32>,
    /// Branch arms already recorded (bodies may be lowered more than once).
    branch_spans: HashSet<(usize, usize)>,
    /// `global` and `static` variables of the current function.
    shared_vars: Vec<Arc<str>>,
}

/// `text` on one line, runs of whitespace as one space, at most `max` characters (then `…`).
fn collapse_whitespace(text: &str, max: usize) -> String {
    let mut out = String::new();
    for (i, word) in text.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.chars().count() > max {
        out = out.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
    }
    out
}

fn span_of(n: Node) -> Span {
    Span::new(n.start_byte(), n.end_byte())
}

impl<'s> Lowerer<'s> {
    /// A condition as written, for messages: outer parentheses dropped, whitespace collapsed,
    /// long ones shortened.
    fn condition_text(&self, n: Node) -> Arc<str> {
        let mut n = n;
        while n.kind() == "parenthesized_expression" && n.named_child_count() == 1 {
            match n.named_child(0) {
                Some(inner) => n = inner,
                None => break,
            }
        }
        collapse_whitespace(self.text(n), 60).into()
    }

    /// Remember that `body` runs only under `conditions` (once per arm, however often the
    /// lowering walks it).
    fn record_branch(&mut self, group: Node, body: Node, conditions: Vec<(Arc<str>, bool)>) {
        let span = span_of(body);
        if self.branch_spans.insert((span.start, span.end)) {
            self.facts.branches.push(crate::facts::BranchArm {
                group: group.start_byte(),
                body: span,
                conditions,
            });
        }
    }

    fn text(&self, n: Node) -> &'s str {
        self.src.get(n.start_byte()..n.end_byte()).unwrap_or("")
    }

    fn opaque(&self, n: Node) -> Value {
        let mut text: String = self.text(n).chars().take(80).collect();
        if text.len() < n.end_byte() - n.start_byte() {
            text.push('…');
        }
        Value::single(Piece::Hole(Hole::new(
            span_of(n),
            HoleExpr::Opaque(text.into()),
        )))
    }

    /// An opaque value that carries taint.
    fn opaque_tainted(&self, n: Node, taint: Vec<Taint>) -> Value {
        let mut v = self.opaque(n);
        if let Some(Piece::Hole(h)) = v.variants.first_mut().and_then(|t| t.pieces.first_mut()) {
            h.taint = taint;
        }
        v
    }

    // ---------------------------------------------------------------- statements

    fn block_children(&mut self, n: Node, state: &mut State) -> Flow {
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
        match n.kind() {
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

    /// Bounded recursion: past [`MAX_DEPTH`], a pathological nesting is reported (once per
    /// file) and not walked, rather than overflowing the stack.
    fn too_deep(&mut self, n: Node, what: &str) -> bool {
        if self.depth < MAX_DEPTH {
            return false;
        }
        if !self.depth_reported {
            self.depth_reported = true;
            self.facts.analysis_errors.push((
                span_of(n),
                format!("{what} nested more than {MAX_DEPTH} levels deep were not analysed"),
            ));
        }
        true
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
        match n.kind() {
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
                    let var = if name.kind() == "static_variable_declaration"
                        || name.kind() == "static_variable"
                    {
                        name.child_by_field_name("name").unwrap_or(name)
                    } else {
                        name
                    };
                    if var.kind() == "variable_name" {
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
                    .child_by_field_name("name")
                    .map(|c| self.text(c).to_string());
                // Where its methods may come from: `extends` and the traits it uses.
                let mut parents: Vec<String> = Vec::new();
                let mut cursor = n.walk();
                for c in n.named_children(&mut cursor) {
                    if c.kind() == "base_clause" {
                        let mut cc = c.walk();
                        parents.extend(c.named_children(&mut cc).map(|p| class_key(self.text(p))));
                    }
                }
                let parent = parents.first().cloned();
                let saved_class = std::mem::replace(&mut self.class, class.clone());
                let saved_parent = std::mem::replace(&mut self.class_parent, parent);
                if let Some(body) = n.child_by_field_name("body") {
                    let mut cursor = body.walk();
                    let members: Vec<Node> = body.named_children(&mut cursor).collect();
                    for m in members {
                        match m.kind() {
                            "method_declaration" => self.function_body(m),
                            "const_declaration" | "property_declaration" => {
                                self.class_member_constants(m);
                            }
                            "use_declaration" => {
                                let mut cc = m.walk();
                                parents.extend(
                                    m.named_children(&mut cc)
                                        .filter(|t| matches!(t.kind(), "name" | "qualified_name"))
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
                            Some(path) if t.kind() != "name" => {
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
                        match c.kind() {
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
        let is_static = elements.iter().any(|e| e.kind() == "static_modifier");
        for e in elements {
            let (name, value) = match e.kind() {
                "const_element" => match (e.named_child(0), e.named_child(1)) {
                    (Some(name), Some(value)) => (format!("{class}::{}", self.text(name)), value),
                    _ => continue,
                },
                "property_element" => {
                    match (
                        e.child_by_field_name("name"),
                        e.child_by_field_name("default_value"),
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

    fn function_body(&mut self, n: Node) {
        let Some(body) = n.child_by_field_name("body") else {
            return;
        };
        let mut env = Env::default();
        let mut param_count = 0u32;
        let mut defaults: Vec<(u32, Vec<Template>)> = Vec::new();
        if let Some(params) = n.child_by_field_name("parameters") {
            let mut cursor = params.walk();
            for p in params.named_children(&mut cursor) {
                if let Some(name) = p.child_by_field_name("name") {
                    // A parameter's origin is decided by the callers (function summaries).
                    let taint = Taint::new(TaintOrigin::Param(param_count));
                    // `Pdf $p`: calls on it are calls of that class's methods.
                    let class = p
                        .child_by_field_name("type")
                        .and_then(|t| self.declared_class(t));
                    // A default value is what callers that omit the argument pass.
                    if let Some(d) = p.child_by_field_name("default_value") {
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
        let name: Option<Arc<str>> = n.child_by_field_name("name").map(|nm| {
            let name = self.text(nm).to_ascii_lowercase();
            match (&self.class, n.kind()) {
                (Some(class), "method_declaration") => {
                    format!("{}::{name}", class_key(class)).into()
                }
                _ => name.into(),
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
            std::mem::replace(&mut self.dynamic_scope, n.kind() == "arrow_function");
        // `function () use ($a, &$b)`: values from the enclosing scope.
        let mut cursor = n.walk();
        let uses: Vec<Node> = n
            .named_children(&mut cursor)
            .filter(|c| c.kind() == "anonymous_function_use_clause")
            .collect();
        for clause in uses {
            let mut c = clause.walk();
            let vars: Vec<Node> = clause.named_children(&mut c).collect();
            for v in vars {
                let v = if v.kind() == "by_ref" {
                    v.named_child(0).unwrap_or(v)
                } else {
                    v
                };
                if v.kind() == "variable_name" {
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

    /// A query stored in a variable and never read is still a query: analyse it where it was
    /// assigned.
    fn flush_defs(&mut self) {
        for def in std::mem::take(&mut self.defs) {
            if !def.consumed {
                self.use_value(&def.value, def.span);
            }
        }
    }

    fn if_statement(&mut self, n: Node, state: &mut State) {
        if let (Some(env), Some(c)) = (state.as_mut(), n.child_by_field_name("condition")) {
            self.eval(c, env);
        }
        let condition = n.child_by_field_name("condition");
        let mut before = state.clone();
        let mut then_state = before.clone();
        let mut cursor = n.walk();
        let alternatives: Vec<Node> = n
            .children_by_field_name("alternative", &mut cursor)
            .collect();
        // Correlate with earlier `if`s on the same condition (simple if / if-else only).
        let cond_id = condition
            .filter(|_| alternatives.iter().all(|a| a.kind() == "else_clause"))
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
        if let (Some(body), Some(c)) = (n.child_by_field_name("body"), &cond_text) {
            self.record_branch(n, body, vec![(c.clone(), true)]);
        }
        let mut prior: Vec<(Arc<str>, bool)> =
            cond_text.iter().map(|c| (c.clone(), false)).collect();
        for alt in &alternatives {
            let own = (alt.kind() == "else_if_clause")
                .then(|| alt.child_by_field_name("condition"))
                .flatten()
                .map(|c| self.condition_text(c));
            if let Some(body) = alt.child_by_field_name("body") {
                let mut conditions = prior.clone();
                conditions.extend(own.iter().map(|c| (c.clone(), true)));
                self.record_branch(n, body, conditions);
            }
            prior.extend(own.map(|c| (c, false)));
        }
        if let Some(body) = n.child_by_field_name("body") {
            self.stmt(body, &mut then_state);
        }
        if let Some((id, positive)) = cond_id {
            // if / if-else: tag what each side built with its outcome.
            let mut other = before;
            if let Some(else_body) = alternatives
                .first()
                .and_then(|a| a.child_by_field_name("body"))
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
            match alt.kind() {
                "else_if_clause" => {
                    let condition = alt.child_by_field_name("condition");
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
                    if let Some(body) = alt.child_by_field_name("body") {
                        self.stmt(body, &mut branch);
                    }
                    result = merge_states(result, branch);
                }
                _ => {
                    has_else = true;
                    let mut branch = fallthrough.clone();
                    if let Some(body) = alt.child_by_field_name("body") {
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

    /// Identity of a condition by its text (whitespace and outer negations stripped), and
    /// whether it is the positive form.
    fn condition_id(&mut self, cond: Node) -> (u32, bool) {
        let mut text: String = self
            .text(cond)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let mut positive = true;
        loop {
            if let Some(inner) = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
                if balanced(inner) {
                    text = inner.to_string();
                    continue;
                }
            }
            if let Some(inner) = text.strip_prefix('!') {
                if !inner.starts_with('=') {
                    positive = !positive;
                    text = inner.to_string();
                    continue;
                }
            }
            break;
        }
        let next = self.conditions.len() as u32;
        (*self.conditions.entry(text).or_insert(next), positive)
    }

    /// Strip parentheses and `!` from a condition, flipping the branch outcome for each `!`.
    fn unwrap_condition(&self, cond: Node<'s>, truthy: bool) -> Option<(Node<'s>, bool)> {
        let mut node = cond;
        let mut truthy = truthy;
        loop {
            match node.kind() {
                "parenthesized_expression" => node = node.named_child(0)?,
                "unary_op_expression" if self.text(node).trim_start().starts_with('!') => {
                    node = node.named_child(0)?;
                    truthy = !truthy;
                }
                _ => return Some((node, truthy)),
            }
        }
    }

    /// What a branch of `if (cond)` proves about request values: on the branch where an
    /// anchored strict regex matched, the subject is safe in SQL (TL003); on the branch where
    /// a tenant parameter equals another value, it is checked (TL004).
    fn validate(&mut self, cond: Node, truthy: bool, state: &mut State) {
        let Some(env) = state.as_mut() else {
            return;
        };
        // `a && b` true, or `a || b` false: both sides hold (with that outcome). Chains of
        // thousands of operands are walked with an explicit stack, not recursion.
        let mut pending = vec![(cond, truthy)];
        while let Some((cond, truthy)) = pending.pop() {
            let Some((node, truthy)) = self.unwrap_condition(cond, truthy) else {
                continue;
            };
            if node.kind() == "binary_expression" {
                let op = node.child_by_field_name("operator").map(|o| self.text(o));
                let both = match op {
                    Some("&&" | "and") => truthy,
                    Some("||" | "or") => !truthy,
                    _ => false,
                };
                if both {
                    for side in ["right", "left"] {
                        if let Some(side) = node.child_by_field_name(side) {
                            pending.push((side, truthy));
                        }
                    }
                    continue;
                }
            }
            for (operand, equal, regex) in self.comparisons(node) {
                // The branch where the operand equals another value (or matched the regex).
                // A strict regex makes a value safe in SQL text; it does not check a tenant.
                if equal == truthy {
                    let kinds: &[TaintKind] = if regex {
                        &[TaintKind::Host]
                    } else {
                        &[TaintKind::Host, TaintKind::TenantParam]
                    };
                    self.mark_checked(operand, env, kinds);
                }
            }
        }
    }

    /// The operands a condition compares with something else, and whether the condition is
    /// true when they are equal (`==`, `hash_equals`, `in_array`, strict regex) or when they
    /// differ (`!=`, `strcmp`).
    fn comparisons(&self, node: Node<'s>) -> Vec<(Node<'s>, bool, bool)> {
        let mut out = Vec::new();
        match node.kind() {
            "binary_expression" => {
                let op = node
                    .child_by_field_name("operator")
                    .map(|o| self.text(o))
                    .unwrap_or("");
                let (Some(l), Some(r)) = (
                    node.child_by_field_name("left"),
                    node.child_by_field_name("right"),
                ) else {
                    return out;
                };
                let equal = match op {
                    "==" | "===" => true,
                    "!=" | "!==" | "<>" => false,
                    _ => return out,
                };
                // `strcmp($a, $b) == 0` / `!= 0`.
                for (call, other) in [(l, r), (r, l)] {
                    if self.text(other).trim() == "0"
                        && self.call_name(call).as_deref() == Some("strcmp")
                    {
                        return self
                            .comparisons(call)
                            .into_iter()
                            .map(|(o, e, re)| (o, e != equal, re))
                            .collect();
                    }
                }
                if !same_operand(self.text(l), self.text(r)) {
                    out.push((l, equal, false));
                    out.push((r, equal, false));
                }
            }
            "function_call_expression" => {
                let name = self.call_name(node).unwrap_or_default();
                let args: Vec<Node> = node
                    .child_by_field_name("arguments")
                    .map(|a| {
                        let mut c = a.walk();
                        a.named_children(&mut c)
                            .filter(|x| x.kind() == "argument")
                            .filter_map(|x| x.named_child(0))
                            .collect()
                    })
                    .unwrap_or_default();
                match (name.as_str(), args.as_slice()) {
                    ("hash_equals", [a, b]) | ("strcmp", [a, b])
                        if !same_operand(self.text(*a), self.text(*b)) =>
                    {
                        let equal = name == "hash_equals";
                        out.push((*a, equal, false));
                        out.push((*b, equal, false));
                    }
                    ("in_array", [a, list, ..])
                        if list.kind() == "array_creation_expression"
                            || list.kind().ends_with("name")
                            || list.kind() == "variable_name" =>
                    {
                        out.push((*a, true, false));
                    }
                    ("preg_match", [pattern, subject, ..]) => {
                        let literal = match pattern.kind() {
                            "string" | "encapsed_string" => {
                                let mut c = pattern.walk();
                                let parts: Vec<Node> = pattern.named_children(&mut c).collect();
                                parts
                                    .iter()
                                    .all(|p| {
                                        matches!(p.kind(), "string_content" | "escape_sequence")
                                    })
                                    .then(|| {
                                        parts.iter().map(|p| self.text(*p)).collect::<String>()
                                    })
                            }
                            _ => None,
                        };
                        if let Some(re) = literal {
                            let safety = regex_capture_safety(&re);
                            if safety.anchored && safety.whole {
                                out.push((*subject, true, true));
                            }
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
        out
    }

    fn call_name(&self, n: Node) -> Option<String> {
        (n.kind() == "function_call_expression")
            .then(|| n.child_by_field_name("function"))
            .flatten()
            .map(|f| self.text(f).trim_start_matches('\\').to_ascii_lowercase())
    }

    /// After a check, the value of `operand` is safe: a request value read again is clean, a
    /// variable holding one no longer carries its taint.
    fn mark_checked(&mut self, operand: Node, env: &mut Env, kinds: &[TaintKind]) {
        let Some(path) = self.path_of(operand) else {
            return;
        };
        if self.source_kind(&path).is_some_and(|k| kinds.contains(&k)) {
            self.note_parents(&path);
            env.insert(
                path.into(),
                Arc::new(VarState {
                    checked: true,
                    ..VarState::default()
                }),
            );
            return;
        }
        if let Some(var) = env.get_mut(path.as_str()) {
            // Only a variable carrying a tracked value changes; do not copy the others.
            if var.unknown_taint.is_empty() && !var.value.has_taint() {
                return;
            }
            let var = Arc::make_mut(var);
            let removable = |t: &Taint| match t.origin {
                TaintOrigin::Source { kind, .. } => kinds.contains(&kind),
                // A parameter compared and left on mismatch: the function checks it.
                TaintOrigin::Param(_) => kinds.contains(&TaintKind::TenantParam),
                TaintOrigin::Call { .. } => true,
            };
            // A strict regex makes any value safe in SQL text (a parameter of a helper such as
            // `db_input()` too) but checks no tenant: its taints are kept, as escaped. A
            // comparison checks the value: its taints go.
            let regex_only = !kinds.contains(&TaintKind::TenantParam);
            let apply = |taints: &mut Vec<Taint>| {
                if regex_only {
                    taints.iter_mut().for_each(|t| t.escaped = true);
                } else {
                    taints.retain(|t| !removable(t));
                }
            };
            if !regex_only {
                var.checked = true;
            }
            apply(&mut var.unknown_taint);
            for v in &mut var.value.variants {
                for p in &mut v.pieces {
                    if let Piece::Hole(h) = p {
                        apply(&mut h.taint);
                    }
                }
            }
        }
    }

    /// Narrow what a variable may hold on a branch of `if ($x)`, `if (!$x)`, `if (empty($x))`,
    /// `if (isset($x))`: on the branch where `$x` is truthy it is neither empty nor unset. This
    /// keeps `if (!$sst) $sst = "id";` from producing a query with an empty ORDER BY.
    fn refine(&self, cond: Node, truthy: bool, state: &mut State) {
        let Some(env) = state.as_mut() else {
            return;
        };
        let mut node = cond;
        let mut truthy = truthy;
        loop {
            let Some((inner, t)) = self.unwrap_condition(node, truthy) else {
                return;
            };
            (node, truthy) = (inner, t);
            match node.kind() {
                "function_call_expression" => {
                    let name = node
                        .child_by_field_name("function")
                        .map(|f| self.text(f).to_ascii_lowercase())
                        .unwrap_or_default();
                    let arg = node
                        .child_by_field_name("arguments")
                        .and_then(|a| a.named_child(0))
                        .and_then(|a| a.named_child(0));
                    match (name.as_str(), arg) {
                        ("empty", Some(a)) => {
                            node = a;
                            truthy = !truthy;
                        }
                        ("isset", Some(a)) if truthy => node = a,
                        _ => return,
                    }
                }
                "isset_expression" | "empty_expression" => return,
                _ => break,
            }
        }
        if !truthy {
            return;
        }
        let Some(path) = self.path_of(node) else {
            return;
        };
        if let Some(var) = env.get_mut(path.as_str()) {
            let var = Arc::make_mut(var);
            var.maybe_unset = false;
            var.value.variants.retain(|v| !is_blank(&v.pieces));
        }
    }

    fn switch_statement(&mut self, n: Node, state: &mut State) {
        if let (Some(env), Some(c)) = (state.as_mut(), n.child_by_field_name("condition")) {
            self.eval(c, env);
        }
        let before = state.clone();
        let mut result: State = None;
        let mut has_default = false;
        // A case without `break` falls into the next one.
        let mut fallthrough: State = None;
        if let Some(body) = n.child_by_field_name("body") {
            let mut cursor = body.walk();
            let cases: Vec<Node> = body.named_children(&mut cursor).collect();
            for case in cases {
                if !matches!(case.kind(), "case_statement" | "default_statement") {
                    continue;
                }
                has_default |= case.kind() == "default_statement";
                let mut branch = merge_states(before.clone(), fallthrough.take());
                let mut cursor = case.walk();
                let value = case.child_by_field_name("value");
                if let (Some(v), Some(subject)) = (value, n.child_by_field_name("condition")) {
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
        let body = n.child_by_field_name("body");
        let mut cursor = n.walk();
        let headers: Vec<Node> = n
            .named_children(&mut cursor)
            .filter(|c| Some(*c) != body)
            .collect();
        if n.kind() == "foreach_statement" {
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
                let parts: Vec<Node> = if h.kind() == "pair" {
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
                        (Some(v), Some(path)) if p.kind() == "variable_name" => {
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
        if let Some(body) = n.child_by_field_name("body") {
            self.stmt(body, &mut result);
        }
        let mut cursor = n.walk();
        let clauses: Vec<Node> = n.named_children(&mut cursor).collect();
        for c in clauses {
            match c.kind() {
                "catch_clause" => {
                    let mut branch = before.clone();
                    if let Some(body) = c.child_by_field_name("body") {
                        self.stmt(body, &mut branch);
                    }
                    result = merge_states(result, branch);
                }
                "finally_clause" => {
                    if let Some(body) = c.child_by_field_name("body") {
                        self.stmt(body, &mut result);
                    }
                }
                _ => {}
            }
        }
        *state = result;
    }

    /// The array literal `n` evaluated to, if it is one.
    fn array_literal(&self, n: Node) -> Option<Arc<ArrayLiteral>> {
        let n = match n.kind() {
            "parenthesized_expression" => n.named_child(0)?,
            _ => n,
        };
        match &self.last_array {
            Some((id, literal)) if *id == n.id() => Some(literal.clone()),
            _ => None,
        }
    }

    /// A loop variable holding each element of an array literal.
    fn bind_elements(&mut self, path: String, value: Value, env: &mut Env) {
        self.note_assigned(&path);
        let state = VarState {
            value,
            ..VarState::default()
        };
        self.replace_var(path, state, env);
    }

    /// Give `path` a new state, forgetting what was known of its elements and properties.
    fn replace_var(&mut self, path: String, state: VarState, env: &mut Env) {
        self.note_parents(&path);
        invalidate_children(env, &self.parent_paths, &path);
        env.insert(path.into(), Arc::new(state));
    }

    /// Bind every target of `foreach (… as $k => $v)` or `list($a, [$b, $c]) = …` to a run-time
    /// value; nested destructuring is walked with an explicit stack.
    fn bind_unknown(&mut self, n: Node, env: &mut Env, taint: &[Taint]) {
        let mut pending = vec![n];
        while let Some(n) = pending.pop() {
            let target = if n.kind() == "by_ref" {
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
            } else if matches!(target.kind(), "list_literal" | "array_creation_expression") {
                let mut c = target.walk();
                let parts: Vec<Node> = target.named_children(&mut c).collect();
                for p in parts.into_iter().rev() {
                    let inner = if p.kind() == "array_element_initializer" {
                        p.named_child(p.named_child_count().saturating_sub(1) as u32)
                    } else {
                        Some(p)
                    };
                    pending.extend(inner);
                }
            }
        }
    }

    // ---------------------------------------------------------------- expressions

    /// Evaluate an expression for its effects only.
    fn effects(&mut self, n: Node, env: &mut Env) {
        let mut cursor = n.walk();
        let children: Vec<Node> = n.named_children(&mut cursor).collect();
        for c in children {
            self.eval(c, env);
        }
    }

    fn eval(&mut self, n: Node, env: &mut Env) -> Value {
        if self.too_deep(n, "expressions") {
            return self.opaque(n);
        }
        self.depth += 1;
        let v = self.eval_inner(n, env);
        self.depth -= 1;
        v
    }

    fn eval_inner(&mut self, n: Node, env: &mut Env) -> Value {
        match n.kind() {
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
                let cond = n.child_by_field_name("condition");
                if let Some(c) = cond {
                    let text = self.condition_text(c);
                    if let Some(b) = n.child_by_field_name("body") {
                        self.record_branch(n, b, vec![(text.clone(), true)]);
                    }
                    if let Some(a) = n.child_by_field_name("alternative") {
                        self.record_branch(n, a, vec![(text, false)]);
                    }
                }
                let cond_value = cond.map(|c| self.eval(c, env));
                let then = match n.child_by_field_name("body") {
                    Some(b) => self.eval(b, env),
                    None => cond_value.unwrap_or_default(),
                };
                let other = match n.child_by_field_name("alternative") {
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
                    let (key, v) = match (e.kind(), parts.as_slice()) {
                        ("array_element_initializer", [k, v]) => {
                            (self.eval(*k, env), self.eval(*v, env))
                        }
                        ("array_element_initializer", [v]) if v.kind() != "variadic_unpacking" => {
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
                let inner = n.child_by_field_name("value").or_else(|| n.named_child(1));
                let taint = inner
                    .map(|v| self.eval(v, env).taints())
                    .unwrap_or_default();
                let ty = n
                    .child_by_field_name("type")
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
        let op = n
            .child_by_field_name("operator")
            .map(|o| self.text(o))
            .unwrap_or("");
        let (Some(l), Some(r)) = (
            n.child_by_field_name("left"),
            n.child_by_field_name("right"),
        ) else {
            self.effects(n, env);
            return self.opaque(n);
        };
        match op {
            "." => {
                // Long concatenation chains are left-deep: walk the left spine iteratively.
                let mut spine = vec![r];
                let mut left = l;
                while left.kind() == "binary_expression"
                    && left
                        .child_by_field_name("operator")
                        .is_some_and(|o| self.text(o) == ".")
                {
                    match (
                        left.child_by_field_name("left"),
                        left.child_by_field_name("right"),
                    ) {
                        (Some(ll), Some(lr)) => {
                            spine.push(lr);
                            left = ll;
                        }
                        _ => break,
                    }
                }
                let mut value = self.eval(left, env);
                for part in spine.into_iter().rev() {
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
        let single_quoted = n.kind() == "string" || n.kind() == "nowdoc";
        let mut value = Value::empty_string();
        let container = match n.kind() {
            "heredoc" | "nowdoc" => n.child_by_field_name("value"),
            _ => Some(n),
        };
        let Some(container) = container else {
            return value;
        };
        let mut cursor = container.walk();
        let children: Vec<Node> = container.named_children(&mut cursor).collect();
        let is_heredoc = container.kind() == "heredoc_body";
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
            let piece_value = match c.kind() {
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
    fn path_of(&self, n: Node) -> Option<String> {
        self.path_at(n, 0)
    }

    fn path_at(&self, n: Node, depth: usize) -> Option<String> {
        if depth > MAX_DEPTH {
            return None;
        }
        match n.kind() {
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
                    .filter(|c| c.kind() != "ERROR");
                let base = self.path_at(parts.next()?, depth + 1)?;
                let key = parts.next()?;
                let key_text = match key.kind() {
                    "name" => self.text(key).to_string(),
                    "integer" => return Some(format!("{base}[{}]", self.text(key))),
                    "string" | "encapsed_string" => {
                        let mut c = key.walk();
                        let parts: Vec<Node> = key.named_children(&mut c).collect();
                        if parts.iter().any(|p| p.kind() != "string_content") {
                            return None;
                        }
                        parts.iter().map(|p| self.text(*p)).collect::<String>()
                    }
                    _ => return None,
                };
                Some(format!("{base}['{key_text}']"))
            }
            "member_access_expression" => {
                let object = n.child_by_field_name("object")?;
                // `$this->table` is the property of the class being analysed.
                let base = match &self.class {
                    Some(class) if self.text(object) == "$this" => format!("{class}::$this"),
                    _ => self.path_at(object, depth + 1)?,
                };
                let name = n.child_by_field_name("name")?;
                if name.kind() != "name" {
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
                if i == 0 && n.kind() == "subscript_expression" {
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
        if n.kind() != "subscript_expression" {
            return None;
        }
        let mut cursor = n.walk();
        let mut parts = n
            .named_children(&mut cursor)
            .filter(|c| c.kind() != "ERROR");
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
                taint,
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
                    taint,
                    known: None,
                })];
            } else if let Some(text) = known_value(&v.pieces) {
                // A name held by a local variable (`$table = "iw_member"`): located at the
                // interpolation, with its text.
                v.pieces = vec![Piece::Hole(Hole {
                    span,
                    expr: HoleExpr::Path(path.as_str().into()),
                    taint: Vec::new(),
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
    fn source_kind(&self, path: &str) -> Option<TaintKind> {
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
            n.child_by_field_name("left"),
            n.child_by_field_name("right"),
        ) else {
            self.effects(n, env);
            return self.opaque(n);
        };
        let value = self.eval(right, env);
        match self.path_of(left) {
            Some(path) if left.kind() != "name" => {
                let class = (right.kind() == "object_creation_expression")
                    .then(|| right.named_child(0))
                    .flatten()
                    .filter(|c| matches!(c.kind(), "name" | "qualified_name"))
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
                if left.kind() == "dynamic_variable_name" {
                    self.note_dynamic(n.start_byte(), "a variable variable (`$$name = …`)");
                }
                // `$a[] = …`, `$a[$k] = …`, `list(…) = …`: evaluate the target for its effects.
                if matches!(left.kind(), "list_literal" | "array_creation_expression") {
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
        let op = n
            .child_by_field_name("operator")
            .map(|o| self.text(o))
            .unwrap_or("");
        let (Some(left), Some(right)) = (
            n.child_by_field_name("left"),
            n.child_by_field_name("right"),
        ) else {
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

    fn function_call(&mut self, n: Node, env: &mut Env) -> Value {
        // A plain call names a function (never a method), by its last namespace segment.
        let name = n
            .child_by_field_name("function")
            .filter(|f| matches!(f.kind(), "name" | "qualified_name"))
            .map(|f| class_key(self.text(f)))
            .unwrap_or_default();
        let args: Vec<Node> = n
            .child_by_field_name("arguments")
            .map(|a| {
                let mut c = a.walk();
                a.named_children(&mut c)
                    .filter(|x| x.kind() == "argument")
                    .collect()
            })
            .unwrap_or_default();
        match name.as_str() {
            "extract" | "eval" | "import_request_variables" => {
                self.note_dynamic(n.start_byte(), &format!("{name}()"))
            }
            "parse_str" | "mb_parse_str" if args.len() < 2 => {
                self.note_dynamic(n.start_byte(), &format!("{name}() without a result array"))
            }
            _ => {}
        }
        match name.as_str() {
            "dirname" if args.len() == 1 => {
                // `dirname(__FILE__)` is `__DIR__`; `dirname(__DIR__)` its parent: both fold
                // once the project pass knows the file's place.
                let v = self.eval(args[0], env);
                let inner = args[0].named_child(0).unwrap_or(args[0]);
                if self.text(inner).trim() == "__FILE__" {
                    return Value::single(Piece::Hole(Hole::new(
                        span_of(n),
                        HoleExpr::Path("__DIR__".into()),
                    )));
                }
                let from_dir = matches!(
                    v.variants.as_slice(),
                    [one] if matches!(one.pieces.first(), Some(Piece::Hole(Hole { expr: HoleExpr::Path(p), .. })) if &**p == "__DIR__")
                );
                if from_dir {
                    return v.concat(Value::single(Piece::Text {
                        text: "/..".into(),
                        src: n.start_byte(),
                        linear: false,
                    }));
                }
                self.opaque(n)
            }
            "define" if args.len() >= 2 => {
                let key = self.eval(args[0], env);
                let value = self.eval(args[1], env);
                if let Some(k) = single_text(&key) {
                    self.record_const(k, &value);
                }
                self.opaque(n)
            }
            "sprintf" | "vsprintf" if !args.is_empty() => self.sprintf(n, &name, &args, env),
            // Whitespace trimming does not change what a query does.
            "trim" | "rtrim" | "ltrim" | "chop" if !args.is_empty() => {
                let v = self.eval(args[0], env);
                for a in &args[1..] {
                    self.eval(*a, env);
                }
                v
            }
            "extract"
                if args
                    .first()
                    .is_some_and(|a| self.text(*a).trim() == "$_SERVER") =>
            {
                self.server_extracted = true;
                self.opaque(n)
            }
            "getenv" if !args.is_empty() => {
                let key = self.eval(args[0], env);
                let is_host = single_text(&key).is_some_and(|k| {
                    self.options.host_sources.iter().any(|h| {
                        h.strip_prefix("$_SERVER['")
                            .and_then(|h| h.strip_suffix("']"))
                            == Some(k.as_str())
                    })
                });
                if is_host {
                    let span = span_of(n);
                    self.opaque_tainted(
                        n,
                        vec![Taint::new(TaintOrigin::Source {
                            kind: TaintKind::Host,
                            span,
                        })],
                    )
                } else {
                    self.opaque(n)
                }
            }
            "preg_match" | "preg_match_all" if args.len() >= 2 => {
                let pattern = self.eval(args[0], env);
                let subject = self.eval(args[1], env);
                if let Some(m) = args.get(2) {
                    let target = m.named_child(0).unwrap_or(*m);
                    if let Some(path) = self.path_of(target) {
                        self.bind_captures(
                            path,
                            single_text(&pattern),
                            subject.taints(),
                            span_of(n),
                            env,
                        );
                    }
                }
                self.opaque(n)
            }
            _ => {
                if let Some(f) = n.child_by_field_name("function") {
                    if !matches!(f.kind(), "name" | "qualified_name") {
                        self.eval(f, env);
                    }
                }
                let callee = n
                    .child_by_field_name("function")
                    .map(span_of)
                    .unwrap_or_else(|| span_of(n));
                // Hashing, measuring, logging or printing a query does not run it; text passed
                // to a translation function is UI text, never a query.
                let inspects_only = INSPECTING_BUILTINS.contains(&name.as_str())
                    || TRANSLATION_FUNCTIONS.contains(&name.as_str());
                let mut values = Vec::with_capacity(args.len());
                for a in &args {
                    let v = self.eval(*a, env);
                    if !inspects_only {
                        self.use_value(&v, callee);
                    }
                    values.push(v);
                }
                if PROPAGATING_BUILTINS.contains(&name.as_str()) {
                    let mut taint = Vec::new();
                    for v in &values {
                        add_taints(&mut taint, &v.taints());
                    }
                    return self.opaque_tainted(n, taint).with_step(span_of(n));
                }
                // A sanitizer escapes its own result; a project function of that name still
                // checks, sinks and summarises as its definition says.
                let sanitizer = self.options.sanitizers.contains(&name) || name == "floatval";
                if sanitizer && !self.is_project_call(&name) {
                    let taint = escaped(values.iter().flat_map(|v| v.taints()).collect());
                    return self.opaque_tainted(n, taint);
                }
                if self.options.guards.contains(&name) {
                    // A configured guard verifies its tenant argument or leaves.
                    for a in &args {
                        let target = a.named_child(0).unwrap_or(*a);
                        self.mark_checked(target, env, &[TaintKind::TenantParam]);
                    }
                    return self.opaque(n);
                }
                if name == "setcookie" {
                    for v in &values {
                        self.record_uses(v, span_of(n), || "stored in a cookie".to_string());
                    }
                }
                if name.is_empty() || inspects_only {
                    return self.opaque(n);
                }
                let callee: Arc<str> = name.into();
                let mut result = self.call_result(n, callee.clone(), &values);
                for (i, a) in args.iter().enumerate() {
                    self.remember_guard(*a, &callee, i as u32, env);
                }
                if sanitizer {
                    // What the call returns is escaped, whatever the definition returns.
                    let mut taint = escaped(values.iter().flat_map(|v| v.taints()).collect());
                    taint.truncate(MAX_TAINTS);
                    result = self.opaque_tainted(n, taint);
                }
                result
            }
        }
    }

    /// Whether a callee key may name a function or method defined in the project.
    fn is_project_call(&self, callee: &str) -> bool {
        match &self.options.project_functions {
            Some(defined) => match callee.split_once("::") {
                Some((_, method)) => defined.methods.contains(method),
                None => defined.functions.contains(callee),
            },
            None => true,
        }
    }

    /// The value of a local variable on a path where this function never assigned it: `""`,
    /// unless the function ran something that may set any variable.
    fn unassigned_local(&self, n: Node) -> Value {
        if self.dynamic_scope {
            self.opaque(n)
        } else {
            Value::empty_string()
        }
    }

    /// A variable of the current scope (not a superglobal, `$this`, a property, a constant, or
    /// a `global`/`static` variable).
    fn is_local_name(&self, path: &str) -> bool {
        let base = path.split(['[', '-']).next().unwrap_or(path);
        path.starts_with('$')
            && !path.contains("->")
            && !path.contains("::")
            && !base.starts_with("$_")
            && !matches!(base, "$GLOBALS" | "$this")
            && !self.shared_vars.iter().any(|g| &**g == base)
    }

    /// Remember that the file scope assigns a variable.
    fn note_assigned(&mut self, path: &str) {
        if self.in_function || !path.starts_with('$') {
            return;
        }
        let base = path.split(['[', '-']).next().unwrap_or(path);
        if !self.file_vars.contains(base) {
            self.file_vars.insert(base.to_string());
        }
    }

    /// Something that may set any variable of the current scope.
    fn note_dynamic(&mut self, at: usize, what: &str) {
        if self.in_function {
            self.dynamic_scope = true;
        } else if self.facts.dynamic_defs.len() < 16 {
            self.facts.dynamic_defs.push((at, what.to_string()));
        }
    }

    /// Remember the parents of a path stored in an environment (`$a` and `$a['b']` for
    /// `$a['b']['c']`), for [`invalidate_children`].
    fn note_parents(&mut self, path: &str) {
        for (i, _) in path.match_indices(['[', '-']) {
            let boundary = path[i..].starts_with('[') || path[i..].starts_with("->");
            if boundary && !self.parent_paths.contains(&path[..i]) {
                self.parent_paths.insert(path[..i].to_string());
            }
        }
    }

    /// Storage beyond a plain variable: array elements, properties, `$GLOBALS`, `$_SESSION`,
    /// `global` and `static` variables.
    fn is_storage(&self, path: &str) -> bool {
        path.contains('[')
            || path.contains("->")
            || path.contains("::")
            || self.shared_vars.iter().any(|g| &**g == path)
    }

    /// A value used as a tenant at `span`: any tenant request parameter it may carry.
    fn record_uses(&mut self, value: &Value, span: Span, what: impl Fn() -> String) {
        if !value.any_taint(may_carry_tenant_param) {
            return;
        }
        for taint in value.taints() {
            if may_carry_tenant_param(&taint) {
                self.facts.tenant_uses.push(crate::facts::TenantUse {
                    taint,
                    span,
                    what: what(),
                });
            }
        }
    }

    /// A function exit (return or end of body): which parameters were checked on this path.
    fn note_exit(&mut self, env: &Env) {
        if !self.in_function {
            return;
        }
        let now: Vec<bool> = self
            .params
            .iter()
            .map(|p| env.get(p).is_some_and(|v| v.checked))
            .collect();
        self.param_checked = Some(match self.param_checked.take() {
            Some(before) => before.iter().zip(&now).map(|(a, b)| *a && *b).collect(),
            None => now,
        });
    }

    /// After `f($x)`, `$x` (or `$_GET['ep']`) is checked if `f` checks that parameter.
    fn remember_guard(&mut self, arg: Node, callee: &Arc<str>, index: u32, env: &mut Env) {
        let target = if arg.kind() == "argument" {
            arg.named_child(0).unwrap_or(arg)
        } else {
            arg
        };
        let Some(path) = self.path_of(target) else {
            return;
        };
        let guard = (callee.clone(), index);
        if self.source_kind(&path) == Some(TaintKind::TenantParam) {
            self.note_parents(&path);
            let entry = env.entry(path.into()).or_insert_with(|| {
                Arc::new(VarState {
                    ..VarState::default()
                })
            });
            if entry.checked || !entry.defs.is_empty() || entry.unknown {
                return;
            }
            let e = Arc::make_mut(entry);
            if e.guards.len() < MAX_STEPS && !e.guards.contains(&guard) {
                e.guards.push(guard);
            }
            return;
        }
        if let Some(var) = env.get_mut(path.as_str()) {
            if !var.value.any_taint(may_carry_tenant_param)
                && !var.unknown_taint.iter().any(may_carry_tenant_param)
            {
                return;
            }
            let var = Arc::make_mut(var);
            let add = |t: &mut Taint| {
                if t.guards.len() < MAX_STEPS && !t.guards.contains(&guard) {
                    t.guards.push(guard.clone());
                }
            };
            var.unknown_taint.iter_mut().for_each(add);
            for v in &mut var.value.variants {
                for p in &mut v.pieces {
                    if let Piece::Hole(h) = p {
                        h.taint.iter_mut().for_each(add);
                    }
                }
            }
        }
    }

    /// The value of a call to a function that may be defined in the project: its taint is
    /// decided by the callee's summary in the project pass.
    fn call_result(&mut self, n: Node, callee: Arc<str>, args: &[Value]) -> Value {
        // Built-ins and library functions outside the scan return no request value (a value
        // from the network or the database is not derived) and check nothing. A plain call
        // only reaches a function, a method call only a method.
        if !self.is_project_call(&callee) {
            return self.opaque(n);
        }
        self.record_const_call(&callee, args);
        let mut taint = vec![Taint::new(TaintOrigin::Call {
            callee: callee.clone(),
            arg: None,
            inner: None,
        })];
        let mut arg_holes = Vec::with_capacity(args.len());
        let mut any = false;
        for (i, v) in args.iter().enumerate() {
            let holes = tainted_holes(v);
            any |= !holes.is_empty();
            for t in v.taints() {
                if taint.len() >= MAX_TAINTS {
                    break;
                }
                taint.push(Taint::new(TaintOrigin::Call {
                    callee: callee.clone(),
                    arg: Some(i as u32),
                    inner: Some(Box::new(t)),
                }));
            }
            arg_holes.push(holes);
        }
        // Text with spaces passed to a project function may be a fragment of its query.
        let fragment_like = args.iter().any(|v| {
            v.variants.iter().any(|t| {
                t.pieces.iter().any(
                    |p| matches!(p, Piece::Text { text, .. } if text.contains(char::is_whitespace)),
                )
            })
        });
        if fragment_like {
            self.facts.fragment_calls.push(crate::facts::FragmentCall {
                callee: callee.clone(),
                args: args
                    .iter()
                    .map(|v| v.variants.iter().map(|t| t.pieces.clone()).collect())
                    .collect(),
            });
        }
        if any {
            self.facts.calls.push(CallFact {
                callee,
                span: span_of(n),
                args: arg_holes,
                in_function: self.function.clone(),
            });
        }
        self.opaque_tainted(n, taint)
    }

    /// `preg_match($re, $subject, $m)`: each capture carries the subject's taint unless its
    /// group cannot match a quote or a backslash.
    fn bind_captures(
        &mut self,
        path: String,
        pattern: Option<String>,
        taint: Vec<Taint>,
        span: Span,
        env: &mut Env,
    ) {
        let taint: Vec<Taint> = taint
            .into_iter()
            .map(|mut t| {
                t.steps.push(span);
                t
            })
            .collect();
        let groups = pattern.as_deref().map(regex_capture_safety);
        self.note_assigned(&path);
        self.note_parents(&format!("{path}[0]"));
        invalidate_children(env, &self.parent_paths, &path);
        let whole_safe = groups.as_ref().is_some_and(|g| g.whole);
        let any_unsafe = groups
            .as_ref()
            .is_none_or(|g| !g.whole || g.groups.iter().any(|safe| !safe));
        let state = |safe: bool| {
            Arc::new(VarState {
                unknown: true,
                unknown_taint: if safe {
                    escaped(taint.clone())
                } else {
                    taint.clone()
                },
                ..VarState::default()
            })
        };
        env.insert(path.clone().into(), state(!any_unsafe));
        env.insert(format!("{path}[0]").into(), state(whole_safe));
        if let Some(g) = groups {
            for (i, safe) in g.groups.iter().enumerate() {
                env.insert(format!("{path}[{}]", i + 1).into(), state(*safe));
            }
        }
    }

    /// Method calls and `new`: any argument holding SQL is a use of it.
    fn method_call(&mut self, n: Node, env: &mut Env) -> Value {
        let mut cursor = n.walk();
        let children: Vec<Node> = n.named_children(&mut cursor).collect();
        let mut values = Vec::new();
        let mut arg_nodes: Vec<Node> = Vec::new();
        for c in children {
            if c.kind() != "arguments" {
                if c.kind() != "name" {
                    self.eval(c, env);
                }
                continue;
            }
            // The method name (or the class of `new`) is what runs the query.
            let callee = n
                .child_by_field_name("name")
                .or_else(|| n.named_child(0).filter(|x| x.kind() != "arguments"))
                .map(span_of)
                .unwrap_or_else(|| span_of(n));
            let mut ac = c.walk();
            let args: Vec<Node> = c.named_children(&mut ac).collect();
            for a in &args {
                let v = self.eval(*a, env);
                self.use_value(&v, callee);
                values.push(v);
            }
            arg_nodes = args;
        }
        if n.kind() == "object_creation_expression" {
            return self.opaque(n);
        }
        let name = n
            .child_by_field_name("name")
            .filter(|x| x.kind() == "name")
            .map(|x| self.text(x).to_ascii_lowercase())
            .unwrap_or_default();
        match name.as_str() {
            "" => self.opaque(n),
            "real_escape_string" | "escape_string" | "quote" | "escape" => {
                let taint = escaped(values.iter().flat_map(|v| v.taints()).collect());
                self.opaque_tainted(n, taint)
            }
            "execute" | "bind_param" | "bindparam" | "bindvalue" => {
                for v in &values {
                    self.record_uses(v, span_of(n), || "bound as a SQL parameter".to_string());
                }
                self.opaque(n)
            }
            _ => {
                let callee: Arc<str> = format!("{}::{name}", self.receiver_class(n, env)).into();
                let result = self.call_result(n, callee.clone(), &values);
                for (i, a) in arg_nodes.iter().enumerate() {
                    self.remember_guard(*a, &callee, i as u32, env);
                }
                result
            }
        }
    }

    /// The class (lower-case) whose method a method call runs, when it is known here: `$this`,
    /// `self::`, `static::` and `parent::` inside a class, `Cls::m()`, an object created with
    /// `new Cls` or a parameter typed `Cls` in this function; `*` otherwise.
    fn receiver_class(&self, call: Node, env: &Env) -> String {
        let unknown = || "*".to_string();
        if call.kind() == "scoped_call_expression" {
            let Some(scope) = call.child_by_field_name("scope") else {
                return unknown();
            };
            let text = self.text(scope).trim().to_ascii_lowercase();
            return match text.as_str() {
                "self" | "static" => self.class.as_deref().map(class_key),
                "parent" => self.class_parent.clone(),
                _ if matches!(scope.kind(), "name" | "qualified_name" | "relative_name") => {
                    Some(class_key(&text))
                }
                _ => None,
            }
            .unwrap_or_else(unknown);
        }
        let Some(object) = call.child_by_field_name("object") else {
            return unknown();
        };
        if self.text(object) == "$this" {
            return self.class.as_deref().map(class_key).unwrap_or_else(unknown);
        }
        self.path_of(object)
            .and_then(|p| env.get(p.as_str())?.class.as_deref().map(str::to_string))
            .unwrap_or_else(unknown)
    }

    /// The class a parameter type names (`Pdf`, `?Pdf`), lower-case; `None` for built-in
    /// types and unions.
    fn declared_class(&self, ty: Node) -> Option<Arc<str>> {
        let mut node = ty;
        loop {
            match node.kind() {
                "optional_type" | "type" => node = node.named_child(0)?,
                "named_type" => {
                    let name = class_key(self.text(node));
                    let builtin = matches!(
                        name.as_str(),
                        "self" | "static" | "mixed" | "object" | "iterable" | "callable"
                    );
                    return (!builtin).then(|| name.into());
                }
                _ => return None,
            }
        }
    }

    fn sprintf(&mut self, n: Node, name: &str, args: &[Node], env: &mut Env) -> Value {
        let format = self.eval(args[0], env);
        // The values substituted for each directive, by argument index (0-based).
        let mut arg_values: Vec<(Value, Span)> = Vec::new();
        let mut array_arg: Option<Span> = None;
        if name == "vsprintf" {
            if let Some(arr) = args.get(1) {
                let inner = arr.named_child(0).unwrap_or(*arr);
                if inner.kind() == "array_creation_expression" {
                    let mut c = inner.walk();
                    let elems: Vec<Node> = inner.named_children(&mut c).collect();
                    for e in elems {
                        let value_node =
                            e.named_child(e.named_child_count().saturating_sub(1) as u32);
                        if let Some(v) = value_node {
                            arg_values.push((self.eval(v, env), span_of(v)));
                        }
                    }
                } else {
                    self.eval(*arr, env);
                    array_arg = Some(span_of(*arr));
                }
            }
        } else {
            for a in &args[1..] {
                arg_values.push((self.eval(*a, env), span_of(*a)));
            }
        }
        let fallback_span = array_arg.unwrap_or_else(|| span_of(n));
        let mut out = Value::default();
        for variant in &format.variants {
            let mut built = Value {
                variants: vec![Variant {
                    pieces: Vec::new(),
                    tags: variant.tags.clone(),
                }],
                capped: false,
            };
            let mut next_arg = 0usize;
            for piece in &variant.pieces {
                let Piece::Text { text, src, linear } = piece else {
                    built = built.concat(Value::single(piece.clone()));
                    continue;
                };
                let (text, src, linear) = (&**text, *src, *linear);
                for part in split_format(text) {
                    match part {
                        FormatPart::Text(range) => {
                            built = built.concat(Value::single(Piece::Text {
                                text: text[range.clone()].replace("%%", "%").into(),
                                src: if linear { src + range.start } else { src },
                                linear: linear && !text[range].contains("%%"),
                            }));
                        }
                        FormatPart::Directive {
                            position,
                            numeric,
                            range,
                        } => {
                            let idx = position.unwrap_or_else(|| {
                                next_arg += 1;
                                next_arg - 1
                            });
                            let directive_src = if linear { src + range.start } else { src };
                            let v = match arg_values.get(idx) {
                                Some((value, span)) if numeric => {
                                    Value::single(Piece::Hole(Hole {
                                        span: *span,
                                        known: None,
                                        taint: escaped(value.taints()),
                                        expr: HoleExpr::Opaque(
                                            format!("(int) {}", hole_label(value)).into(),
                                        ),
                                    }))
                                }
                                Some((value, _)) => value.clone(),
                                None => Value::single(Piece::Hole(Hole {
                                    taint: Vec::new(),
                                    known: None,
                                    span: if array_arg.is_some() {
                                        fallback_span
                                    } else {
                                        Span::new(directive_src, directive_src + range.len())
                                    },
                                    expr: HoleExpr::Opaque(text[range].into()),
                                })),
                            };
                            built = built.concat(v);
                        }
                    }
                }
            }
            out = out.union(built);
        }
        out
    }

    fn record_const(&mut self, path: String, value: &Value) {
        // Locals of a function are not project constants; array elements, properties and
        // constants assigned anywhere may be.
        if self.in_function
            && !(path.contains('[') || path.contains("->") || !path.starts_with('$'))
        {
            return;
        }
        // Table names and prefixes are short; a long or many-way value (a query, a fragment)
        // is recorded as unknown, which is all folding needs to know of it.
        let small = value.variants.len() <= 4 && value.variants.iter().all(|v| v.pieces.len() <= 6);
        if !small {
            self.facts.consts.push(ConstDef {
                path,
                value: vec![FoldPiece::Opaque],
                function: None,
            });
            return;
        }
        // An assignment adds its own step to a parameter's taint; `define` does not.
        let steps = usize::from(path.contains('$'));
        for variant in &value.variants {
            let pieces: Vec<FoldPiece> = variant
                .pieces
                .iter()
                .map(|p| self.fold_piece(p, steps))
                .collect();
            let function = pieces
                .iter()
                .any(|p| matches!(p, FoldPiece::Param(_)))
                .then(|| self.function.clone())
                .flatten();
            self.facts.consts.push(ConstDef {
                path: path.clone(),
                value: pieces,
                function,
            });
        }
        if value.variants.is_empty() {
            self.facts.consts.push(ConstDef {
                path,
                value: vec![FoldPiece::Opaque],
                function: None,
            });
        }
    }

    /// A piece of a definition for folding. A parameter of the enclosing function read as is
    /// (through at most `steps` assignments) is [`FoldPiece::Param`]: its callers decide it.
    fn fold_piece(&self, p: &Piece, steps: usize) -> FoldPiece {
        match p {
            Piece::Hole(Hole {
                expr: HoleExpr::Opaque(e),
                taint,
                known: None,
                ..
            }) => match taint.as_slice() {
                [Taint {
                    origin: TaintOrigin::Param(i),
                    steps: s,
                    escaped: false,
                    ..
                }] if s.len() <= steps
                    && self.params.get(*i as usize).is_some_and(|p| **p == **e) =>
                {
                    FoldPiece::Param(*i)
                }
                _ => FoldPiece::Opaque,
            },
            _ => FoldPiece::of(p),
        }
    }

    /// A call to a project function passing text or constants (`defineTables(PREFIX)`):
    /// recorded for definitions inside it that use the parameter. Only short texts without
    /// spaces (names and prefixes) and references that may fold are kept.
    fn record_const_call(&mut self, callee: &Arc<str>, args: &[Value]) {
        let short_name = |t: &str| t.len() <= 64 && !t.contains(char::is_whitespace);
        let folds = |p: &Piece| match p {
            Piece::Text { text, .. }
            | Piece::Hole(Hole {
                known: Some(text), ..
            }) => short_name(text),
            // A function's plain locals are never project constants.
            Piece::Hole(Hole {
                expr: HoleExpr::Path(r),
                ..
            }) => !(self.in_function && r.starts_with('$') && !r.contains(['[', '-', ':'])),
            Piece::Hole(_) => false,
        };
        let arg_folds = |v: &Value| {
            !v.capped
                && (1..=4).contains(&v.variants.len())
                && v.variants
                    .iter()
                    .all(|t| t.pieces.len() <= 6 && t.pieces.iter().all(folds))
        };
        if !args.iter().any(arg_folds) {
            return;
        }
        let folded = args
            .iter()
            .map(|v| match arg_folds(v) {
                true => v
                    .variants
                    .iter()
                    .map(|t| t.pieces.iter().map(|p| self.fold_piece(p, 0)).collect())
                    .collect(),
                false => Vec::new(),
            })
            .collect();
        self.facts.const_calls.push(crate::facts::ConstCall {
            callee: callee.clone(),
            args: folded,
        });
    }

    /// A value handed to a call, returned or stored: if it is a query, it is a SQL site.
    fn use_value(&mut self, value: &Value, exec: Span) {
        let variants: Vec<Template> = value
            .variants
            .iter()
            .filter(|v| starts_with_sql_verb(&v.pieces))
            .map(|v| v.pieces.clone())
            .collect();
        if variants.is_empty() {
            return;
        }
        self.facts.sites.push(SqlSite {
            exec,
            variants,
            capped: value.capped,
            function: self.function.clone(),
        });
    }
}

/// PHP built-ins whose result is derived from their arguments (taint passes through).
const PROPAGATING_BUILTINS: &[&str] = &[
    "explode",
    "str_split",
    "substr",
    "mb_substr",
    "strtolower",
    "strtoupper",
    "mb_strtolower",
    "mb_strtoupper",
    "str_replace",
    "str_ireplace",
    "preg_replace",
    "parse_url",
    "ucfirst",
    "lcfirst",
    "urldecode",
    "rawurldecode",
    "stripslashes",
    "strrev",
    "implode",
    "join",
    "array_shift",
    "array_pop",
    "current",
    "reset",
    "end",
    "strstr",
    "strrchr",
    "str_pad",
    "idn_to_ascii",
    "idn_to_utf8",
    "preg_split",
    "array_reverse",
    "array_slice",
];

/// Which parts of a regular expression can match a quote or a backslash.
struct RegexSafety {
    /// The whole match cannot hold a quote or backslash.
    whole: bool,
    /// For each capturing group, in order: it cannot hold a quote or backslash.
    groups: Vec<bool>,
    /// Anchored at both ends (`^…$`).
    anchored: bool,
}

/// Analyse a PHP regex literal (`'/^([a-z0-9-]+)\./i'`). Conservative: anything not
/// understood is unsafe.
fn regex_capture_safety(literal: &str) -> RegexSafety {
    let unsafe_all = RegexSafety {
        whole: false,
        groups: Vec::new(),
        anchored: false,
    };
    let mut chars = literal.chars();
    let Some(open) = chars.next() else {
        return unsafe_all;
    };
    let close = match open {
        '(' => ')',
        '{' => '}',
        '[' => ']',
        '<' => '>',
        c if c.is_alphanumeric() || c == '\\' || c.is_whitespace() => return unsafe_all,
        c => c,
    };
    let rest = &literal[open.len_utf8()..];
    let Some(end) = rest.rfind(close) else {
        return unsafe_all;
    };
    let pattern = &rest[..end];
    let flags = &rest[end + close.len_utf8()..];
    let bytes: Vec<char> = pattern.chars().collect();
    // Stack of open groups: (is capturing, index in `groups`, safe so far).
    let mut groups: Vec<bool> = Vec::new();
    let mut open_groups: Vec<Option<usize>> = Vec::new();
    let mut whole = true;
    let mark_unsafe = |groups: &mut Vec<bool>, open: &[Option<usize>], whole: &mut bool| {
        *whole = false;
        for g in open.iter().flatten() {
            groups[*g] = false;
        }
    };
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            '\\' => {
                let next = bytes.get(i + 1).copied().unwrap_or('\\');
                if matches!(
                    next,
                    'D' | 'W'
                        | 'S'
                        | 'X'
                        | 'R'
                        | 'C'
                        | '\\'
                        | '\''
                        | '"'
                        | 'N'
                        | 'p'
                        | 'P'
                        | 'x'
                        | 'Q'
                ) {
                    mark_unsafe(&mut groups, &open_groups, &mut whole);
                }
                i += 2;
                continue;
            }
            '[' => {
                let mut j = i + 1;
                let negated = bytes.get(j) == Some(&'^');
                let mut bad = negated;
                if bytes.get(j) == Some(&']') {
                    j += 1;
                }
                while j < bytes.len() && bytes[j] != ']' {
                    if bytes[j] == '\\' {
                        let next = bytes.get(j + 1).copied().unwrap_or('\\');
                        if matches!(next, 'D' | 'W' | 'S' | '\\' | '\'' | '"' | 'x' | 'p' | 'P') {
                            bad = true;
                        }
                        j += 2;
                        continue;
                    }
                    if matches!(bytes[j], '\'' | '"') {
                        bad = true;
                    }
                    j += 1;
                }
                if bad {
                    mark_unsafe(&mut groups, &open_groups, &mut whole);
                }
                i = j + 1;
                continue;
            }
            '(' => {
                let capturing = bytes.get(i + 1) != Some(&'?')
                    || matches!(
                        (bytes.get(i + 2), bytes.get(i + 3)),
                        (Some('<'), Some(c)) if *c != '=' && *c != '!'
                    )
                    || bytes.get(i + 2) == Some(&'P');
                if capturing {
                    groups.push(true);
                    open_groups.push(Some(groups.len() - 1));
                } else {
                    open_groups.push(None);
                }
            }
            ')' => {
                open_groups.pop();
            }
            '.' | '\'' | '"' => mark_unsafe(&mut groups, &open_groups, &mut whole),
            _ => {}
        }
        i += 1;
    }
    // `.` in single-line mode, or extended syntax, are not worth modelling.
    if flags.contains('x') {
        return unsafe_all;
    }
    let anchored = pattern.starts_with('^')
        && (pattern.ends_with('$') && !pattern.ends_with("\\$") || pattern.ends_with("\\z"));
    RegexSafety {
        whole,
        groups,
        anchored,
    }
}

/// PHP built-ins that read a string without running it as a query.
const INSPECTING_BUILTINS: &[&str] = &[
    "md5",
    "sha1",
    "crc32",
    "hash",
    "strlen",
    "mb_strlen",
    "strpos",
    "stripos",
    "strstr",
    "stristr",
    "substr_count",
    "preg_match",
    "preg_match_all",
    "htmlspecialchars",
    "htmlentities",
    "nl2br",
    "json_encode",
    "serialize",
    "base64_encode",
    "urlencode",
    "rawurlencode",
    "var_dump",
    "print_r",
    "var_export",
    "error_log",
    "printf",
    "is_string",
    "explode",
    "str_contains",
    "str_starts_with",
    "str_ends_with",
    "in_array",
    "array_key_exists",
];

/// Translation functions (gettext, WordPress, Drupal, osTicket and friends): their argument is
/// UI text (`__('Select from email address')`), not SQL.
const TRANSLATION_FUNCTIONS: &[&str] = &[
    "__",
    "_",
    "_e",
    "_t",
    "_x",
    "_ex",
    "_n",
    "_nx",
    "_n_noop",
    "t",
    "gettext",
    "ngettext",
    "dgettext",
    "dngettext",
    "dcgettext",
    "pgettext",
    "npgettext",
    "esc_html__",
    "esc_html_e",
    "esc_attr__",
    "esc_attr_e",
    "translate",
];

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

/// Whether two operands are the same text, whitespace aside.
fn same_operand(a: &str, b: &str) -> bool {
    a.chars()
        .filter(|c| !c.is_whitespace())
        .eq(b.chars().filter(|c| !c.is_whitespace()))
}

/// A function or class name as a key: its last namespace segment, lower-case (PHP names are
/// case-insensitive).
fn class_key(name: &str) -> String {
    let name = name.trim();
    name.rsplit('\\')
        .next()
        .unwrap_or(name)
        .to_ascii_lowercase()
}

/// Assigning `$x` forgets what was known of `$x['k']` and `$x->p`. `parents` holds every path
/// that ever had such a child in this file, so the scan of the environment only happens for
/// them (a generated file with 600,000 plain assignments stays linear).
fn invalidate_children(env: &mut Env, parents: &HashSet<String>, path: &str) {
    if env.is_empty() || !parents.contains(path) {
        return;
    }
    let bracket = format!("{path}[");
    let arrow = format!("{path}->");
    env.retain(|k, _| !(k.starts_with(&bracket) || k.starts_with(&arrow)));
}

/// `exit`, `die(…)` and `throw` end the path that reaches them.
fn ends_path(stmt: Node, src: &str, never_return: &[String]) -> bool {
    let Some(e) = stmt.named_child(0) else {
        return false;
    };
    match e.kind() {
        "throw_expression" | "exit_statement" => true,
        "function_call_expression" => e
            .child_by_field_name("function")
            .and_then(|f| src.get(f.start_byte()..f.end_byte()))
            .is_some_and(|name| {
                let name = name.trim_start_matches('\\').to_ascii_lowercase();
                matches!(name.as_str(), "die" | "exit") || never_return.contains(&name)
            }),
        _ => false,
    }
}

/// Whether the parentheses of a condition text balance (so `(a) && (b)` is not unwrapped).
fn balanced(text: &str) -> bool {
    let mut depth = 0i32;
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
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

enum FormatPart {
    Text(std::ops::Range<usize>),
    Directive {
        position: Option<usize>,
        numeric: bool,
        range: std::ops::Range<usize>,
    },
}

/// Split a `printf` format into literal text and directives.
fn split_format(text: &str) -> Vec<FormatPart> {
    let bytes = text.as_bytes();
    let mut parts = Vec::new();
    let mut lit_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'%' {
            i += 1;
            continue;
        }
        if bytes.get(i + 1) == Some(&b'%') {
            i += 2;
            continue;
        }
        // %[argnum$][flags][width][.precision]specifier
        let start = i;
        let mut j = i + 1;
        let mut position = None;
        let digits_start = j;
        while j < bytes.len() && bytes[j].is_ascii_digit() {
            j += 1;
        }
        if j < bytes.len() && bytes[j] == b'$' && j > digits_start {
            position = text[digits_start..j]
                .parse::<usize>()
                .ok()
                .and_then(|p| p.checked_sub(1));
            j += 1;
        } else {
            j = digits_start;
        }
        while j < bytes.len() && matches!(bytes[j], b'-' | b'+' | b' ' | b'0') {
            j += 1;
        }
        if j < bytes.len() && bytes[j] == b'\'' {
            j += 2;
        }
        while j < bytes.len() && (bytes[j].is_ascii_digit() || bytes[j] == b'.') {
            j += 1;
        }
        let Some(&spec) = bytes.get(j) else {
            break;
        };
        if !b"bcdeEfFgGhHosuxX".contains(&spec) {
            i += 1;
            continue;
        }
        if lit_start < start {
            parts.push(FormatPart::Text(lit_start..start));
        }
        parts.push(FormatPart::Directive {
            position,
            numeric: spec != b's',
            range: start..j + 1,
        });
        i = j + 1;
        lit_start = i;
    }
    if lit_start < text.len() {
        parts.push(FormatPart::Text(lit_start..text.len()));
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(src: &str) -> FileFacts {
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&tree_sitter_php::LANGUAGE_PHP.into())
            .expect("php grammar");
        analyze(&mut parser, src, &crate::lang::FrontendOptions::default())
    }

    /// Each site's variants rendered as text with holes shown as `{expr}`.
    fn sites(src: &str) -> Vec<Vec<String>> {
        facts(src)
            .sites
            .iter()
            .map(|s| {
                s.variants
                    .iter()
                    .map(|t| {
                        t.iter()
                            .map(|p| match p {
                                Piece::Text { text, .. } => text.to_string(),
                                Piece::Hole(h) => format!("{{{}}}", h.expr.display()),
                            })
                            .collect::<String>()
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn interpolation_forms_become_holes() {
        let s = sites(
            r#"<?php sql_query("select * from {$iw['member_table']} where ep_code = '$iw[store]' and a = '{$o->p}' and b = $x");"#,
        );
        assert_eq!(
            s,
            vec![vec![
                "select * from {$iw['member_table']} where ep_code = '{$iw['store']}' and a = '{$o->p}' and b = {$x}"
                    .to_string()
            ]]
        );
    }

    #[test]
    fn concatenation_and_single_quotes() {
        let s = sites(
            r#"<?php $db->query('SELECT * FROM ' . DB_PREFIX . "product WHERE store_id = '" . (int)$id . "'");"#,
        );
        assert_eq!(s.len(), 1);
        assert!(
            s[0][0].starts_with("SELECT * FROM {DB_PREFIX}product WHERE store_id = '{(int)$id}'"),
            "{s:?}"
        );
    }

    #[test]
    fn append_under_if_yields_two_variants() {
        let s = sites(
            r#"<?php
            $sql = "select * from iw_member where 1";
            if ($x) { $sql .= " and ep_code = 'a'"; }
            sql_query($sql);"#,
        );
        let mut s = s;
        s[0].sort();
        assert_eq!(
            s,
            vec![vec![
                "select * from iw_member where 1".to_string(),
                "select * from iw_member where 1 and ep_code = 'a'".to_string()
            ]]
        );
    }

    #[test]
    fn fragments_are_substituted_and_switch_branches_kept() {
        let s = sites(
            r#"<?php
            $sql_common = " from iw_member ";
            $sql_search = " where (1) ";
            switch ($sfl) {
                case 'a': $sql_search .= " and a = 1 "; break;
                default: $sql_search .= " and b = 2 "; break;
            }
            $sql = " select * {$sql_common} {$sql_search} ";
            $result = sql_query($sql);"#,
        );
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].len(), 2, "{s:?}");
        assert!(s[0][0].contains("from iw_member") && s[0][0].contains("a = 1"));
        assert!(s[0][1].contains("b = 2"));
    }

    #[test]
    fn a_local_unset_on_one_path_is_empty_there() {
        let s = sites(
            r#"<?php function f($stx) {
            if ($stx) { $add = " and name = 'x'"; }
            sql_query("select * from iw_member where ep_code = 'a' $add");
            global $g;
            if ($stx) { $g = " and b = 1"; }
            sql_query("select * from iw_member where ep_code = 'a' $g"); }"#,
        );
        let mut first = s[0].clone();
        first.sort();
        assert_eq!(
            first,
            vec![
                "select * from iw_member where ep_code = 'a' ".to_string(),
                "select * from iw_member where ep_code = 'a'  and name = 'x'".to_string()
            ]
        );
        assert!(
            s[1].contains(&"select * from iw_member where ep_code = 'a' {$g}".to_string()),
            "{s:?}"
        );
    }

    #[test]
    fn ifs_on_the_same_condition_take_the_same_branch() {
        let s = sites(
            r#"<?php function f($data) {
            $sql = "select * from t";
            if (isset($data['store'])) { $sql .= " join iw_x x on x.id = t.id"; }
            $sql .= " where 1";
            if (isset($data['store'])) { $sql .= " and x.ep_code = 'a'"; }
            if (!$data['flag']) { $sql .= " and a = 1"; } else { $sql .= " and b = 1"; }
            if ($data['flag']) { $sql .= " and c = 1"; }
            sql_query($sql); }"#,
        );
        let mut v = s[0].clone();
        v.sort();
        assert_eq!(
            v,
            vec![
                "select * from t join iw_x x on x.id = t.id where 1 and x.ep_code = 'a' and a = 1".to_string(),
                "select * from t join iw_x x on x.id = t.id where 1 and x.ep_code = 'a' and b = 1 and c = 1".to_string(),
                "select * from t where 1 and a = 1".to_string(),
                "select * from t where 1 and b = 1 and c = 1".to_string(),
            ]
        );
    }

    #[test]
    fn hashing_or_logging_a_query_is_not_a_site() {
        let f = facts(
            r#"<?php $sql = "select * from iw_member"; $key = md5($sql); error_log($sql); $q = $db->query($sql);"#,
        );
        assert_eq!(f.sites.len(), 1);
    }

    #[test]
    fn class_constants_and_property_defaults_are_recorded() {
        let f = facts(
            r#"<?php class Member {
            const TABLE = 'iw_member';
            protected $table = 'iw_member';
            public static $tbl = "iw_point";
            function get() { return $this->db->query("SELECT * FROM " . self::TABLE . " JOIN {$this->table} JOIN " . static::$tbl); } }"#,
        );
        let paths: Vec<&str> = f.consts.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(
            paths,
            vec!["Member::TABLE", "Member::$this->table", "Member::$tbl"]
        );
        let holes: Vec<String> = f.sites[0].variants[0]
            .iter()
            .filter_map(|p| match p {
                Piece::Hole(h) => Some(h.expr.display().to_string()),
                Piece::Text { .. } => None,
            })
            .collect();
        assert_eq!(
            holes,
            vec!["Member::TABLE", "Member::$this->table", "Member::$tbl"]
        );
    }

    #[test]
    fn a_verb_held_by_a_variable_starts_a_query() {
        let s = sites(r#"<?php $verb = "UPDATE"; sql_query($verb . " iw_member SET a = 1");"#);
        assert_eq!(s.len(), 1, "{s:?}");
    }

    #[test]
    fn queries_kept_in_an_array_are_sites() {
        let s = sites(
            r#"<?php $queries = array("DELETE FROM iw_a", 'x' => "DELETE FROM iw_b", "not sql");
            foreach ($queries as $q) { sql_query($q); }"#,
        );
        assert_eq!(
            s,
            vec![
                vec!["DELETE FROM iw_a".to_string()],
                vec!["DELETE FROM iw_b".to_string()]
            ]
        );
    }

    #[test]
    fn early_return_removes_a_path() {
        let s = sites(
            r#"<?php function f() {
            $sql = "select * from iw_member where 1";
            if (!$ep) { return; }
            $sql .= " and ep_code = 'a'";
            sql_query($sql); }"#,
        );
        assert_eq!(
            s,
            vec![vec![
                "select * from iw_member where 1 and ep_code = 'a'".to_string()
            ]]
        );
    }

    #[test]
    fn heredoc_nowdoc_and_sprintf() {
        let s = sites(
            "<?php\n$q = <<<SQL\nSELECT * FROM iw_board WHERE bo = '{$b['k']}'\nSQL;\nsql_query($q);\n\
             sql_query(sprintf(\"SELECT * FROM %s WHERE ep_code = '%s' AND n = %d\", $t, $ep, $n));\n\
             $r = <<<'X'\nDELETE FROM iw_log\nX;\nsql_query($r);",
        );
        assert_eq!(
            s[0],
            vec!["SELECT * FROM iw_board WHERE bo = '{$b['k']}'".to_string()]
        );
        assert_eq!(
            s[1],
            vec!["SELECT * FROM {$t} WHERE ep_code = '{$ep}' AND n = {(int) $n}".to_string()]
        );
        assert_eq!(s[2], vec!["DELETE FROM iw_log".to_string()]);
    }

    #[test]
    fn sql_in_comments_and_prose_is_not_a_site() {
        let s = sites(
            r#"<?php
            // sql_query("select * from iw_member");
            /* $sql = "delete from iw_member"; */
            echo "<select name='x'>";
            $msg = "Please select a member";
            alert("Selected items were deleted");"#,
        );
        assert!(s.is_empty(), "{s:?}");
    }

    #[test]
    fn unused_query_is_analysed_where_it_is_assigned() {
        let f = facts(
            "<?php\n$sql = \"select * from iw_member\";\n$sql = \"select 1\";\nsql_query($sql);",
        );
        assert_eq!(f.sites.len(), 2);
        let spans: Vec<usize> = f.sites.iter().map(|s| s.exec.start).collect();
        assert!(spans.contains(&6), "{spans:?}");
    }

    #[test]
    fn constants_are_recorded_for_folding() {
        let f = facts(
            r#"<?php
            define('G5_TABLE_PREFIX', 'g5_');
            $iw['table_prefix'] = "iw_";
            $iw['member_table'] = $iw['table_prefix'] . "member";
            function x() { $local = "a"; $GLOBALS_x['t'] = 'b'; }"#,
        );
        let paths: Vec<&str> = f.consts.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(
            paths,
            vec![
                "G5_TABLE_PREFIX",
                "$iw['table_prefix']",
                "$iw['member_table']",
                "$GLOBALS_x['t']"
            ]
        );
        // Known in the same file: folded on the spot.
        assert_eq!(
            f.consts[2].value,
            vec![
                FoldPiece::Text("iw_".into()),
                FoldPiece::Text("member".into())
            ]
        );
        // Defined elsewhere: kept as a reference for the project pass.
        let g = facts("<?php $g5['member_table'] = G5_TABLE_PREFIX . 'member';");
        assert_eq!(
            g.consts[0].value,
            vec![
                FoldPiece::Ref("G5_TABLE_PREFIX".into()),
                FoldPiece::Text("member".into())
            ]
        );
    }

    #[test]
    fn text_spans_point_into_the_source() {
        let src = "<?php\nsql_query(\"select *\n  from iw_member\");";
        let f = facts(src);
        let Piece::Text {
            text,
            src: at,
            linear,
        } = &f.sites[0].variants[0][0]
        else {
            panic!("expected text");
        };
        assert!(*linear);
        assert_eq!(&src[*at..*at + text.len()], &**text);
    }

    #[test]
    fn deep_concatenation_does_not_overflow() {
        let mut src = String::from("<?php sql_query(\"select * from iw_member where a = 1\"");
        for _ in 0..20_000 {
            src.push_str(" . 'x'");
        }
        src.push_str(");");
        let f = facts(&src);
        assert_eq!(f.sites.len(), 1);
    }
}

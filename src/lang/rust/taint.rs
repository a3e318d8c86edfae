//! Request values in Rust services (TL003, TL004): where they are read, how they pass through
//! calls and methods, where they are used as a tenant, and what checks them.
//!
//! Sources are framework knowledge, not configuration: the request host is axum's `Host`
//! extractor (`Host(host): Host`), `TypedHeader<Host>`, a `host` header read from a header map
//! (`headers.get("host")`, `headers.get(header::HOST)`, `x-forwarded-host`), actix's
//! `req.connection_info().host()` and `req.uri().host()`; a helper handed the host gets it from
//! its callers through summaries. The tenant request parameter is a field named
//! like `[sources] tenant_param` of a `Query`, `Path`, `Form` or `Json` extractor
//! (`q.workspace_id`), a binding of that name inside one (`Path(workspace_id): Path<Uuid>`), or a
//! request header of that name.
//!
//! A check is a comparison with another value on the path that continues where the other one
//! leaves (`if x != y { return Err(…) }`, `ensure!(x == y, …)`, `assert_eq!`), a configured guard,
//! or a call of a project function that checks that parameter, followed by `?` (or `.unwrap()`,
//! `.expect()`). A project function checks a parameter when it is compared on every exit that is
//! not an `Err` — also through a lookup: comparing the result of a query the parameter was bound
//! to (a membership test) checks the parameter.

use std::sync::Arc;

use tree_sitter::Node;

use super::RustKind as _;

use super::{span_of, Lowerer};
use crate::facts::{FnKey, Piece, Span, Taint, TaintKind, TaintOrigin, TenantUse};
use crate::lang::env::{State, VarState};
use crate::lang::value::{add_taints, escaped, may_carry_tenant_param, Value, MAX_STEPS};

/// Methods whose result derives from their receiver (and arguments): string slicing and
/// conversion, `Option`/`Result` plumbing, iterators.
const PROPAGATING_METHODS: &[&str] = &[
    "split",
    "splitn",
    "rsplit",
    "rsplitn",
    "split_once",
    "rsplit_once",
    "split_terminator",
    "split_whitespace",
    "next",
    "next_back",
    "nth",
    "last",
    "first",
    "get",
    "trim",
    "trim_start",
    "trim_end",
    "trim_matches",
    "trim_start_matches",
    "trim_end_matches",
    "strip_prefix",
    "strip_suffix",
    "to_lowercase",
    "to_uppercase",
    "to_ascii_lowercase",
    "to_ascii_uppercase",
    "replace",
    "replacen",
    "unwrap",
    "unwrap_or",
    "unwrap_or_default",
    "unwrap_or_else",
    "unwrap_unchecked",
    "expect",
    "and_then",
    "map",
    "map_or",
    "or",
    "or_else",
    "ok",
    "ok_or",
    "ok_or_else",
    "flatten",
    "to_str",
    "to_string",
    "to_owned",
    "into",
    "as_str",
    "as_ref",
    "as_deref",
    "as_bytes",
    "clone",
    "cloned",
    "copied",
    "hostname",
    "host",
    "into_inner",
    "collect",
    "concat",
    "join",
    "iter",
    "into_iter",
    "chars",
    "rev",
    "take",
    "skip",
    "filter",
    "to_vec",
];

/// Methods whose result is a number or an identifier parsed from their receiver: harmless in
/// SQL text, still the same tenant.
const PARSING_METHODS: &[&str] = &["parse"];

/// Path functions whose result is their argument converted (`String::from_utf8`).
const CONVERTING_FUNCTIONS: &[&str] = &[
    "from",
    "try_from",
    "from_utf8",
    "from_utf8_lossy",
    "from_utf8_unchecked",
];

/// Path functions that parse their argument (`Uuid::parse_str`): escaped, still the tenant.
const PARSING_FUNCTIONS: &[&str] = &["parse_str", "from_str", "try_parse", "parse"];

/// Macros that never return.
const LEAVING_MACROS: &[&str] = &["bail", "panic", "unreachable", "todo", "unimplemented"];

/// What an extractor parameter's type makes of its bindings.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Extractor {
    /// axum's `Host`, `TypedHeader<Host>`: the request host.
    Host,
    /// `Query`, `Path`, `Form`, `Json`: request data whose fields may hold the tenant.
    Request,
}

/// The head of a type (`Query` for `axum::extract::Query<Params>`, `&web::Path<(Uuid,)>`) and its
/// generic arguments, whitespace removed.
fn type_head(ty: &str) -> (String, String) {
    let t: String = ty.split_whitespace().collect();
    let mut t = t.as_str();
    loop {
        let before = t;
        t = t.trim_start_matches('&');
        if let Some(rest) = t.strip_prefix('\'') {
            t = rest.trim_start_matches(|c: char| c.is_alphanumeric() || c == '_');
        }
        t = t.strip_prefix("mut").unwrap_or(t);
        if t == before {
            break;
        }
    }
    let (head, generic) = match t.split_once('<') {
        Some((h, g)) => (h, g.trim_end_matches('>')),
        None => (t, ""),
    };
    let head = head.rsplit("::").next().unwrap_or(head);
    (head.to_string(), generic.to_string())
}

fn extractor_of(ty: &str) -> Option<Extractor> {
    let (head, generic) = type_head(ty);
    let generic_head = type_head(&generic).0;
    match head.as_str() {
        "Host" => Some(Extractor::Host),
        "TypedHeader" | "Header" if generic_head == "Host" => Some(Extractor::Host),
        "Query" | "Path" | "Form" | "Json" | "RawQuery" => Some(Extractor::Request),
        _ => None,
    }
}

/// Whether the call at `n` ends its path when it fails: followed by `?` (after `.await`,
/// `.map_err(…)` and the like) or by `.unwrap()` / `.expect(…)`.
pub(super) fn leaves_on_err(n: Node, src: &str) -> bool {
    let mut cur = n;
    for _ in 0..16 {
        let Some(p) = cur.parent() else {
            return false;
        };
        match p.kind_name() {
            "await_expression" | "parenthesized_expression" => cur = p,
            "try_expression" => return true,
            "field_expression" => {
                let field = p
                    .child_by_field_name("field")
                    .and_then(|f| src.get(f.start_byte()..f.end_byte()))
                    .unwrap_or("");
                let Some(call) = p.parent().filter(|c| c.kind_name() == "call_expression") else {
                    return false;
                };
                match field {
                    "unwrap" | "expect" => return true,
                    "map_err" | "context" | "with_context" | "wrap_err" | "wrap_err_with" => {
                        cur = call
                    }
                    _ => return false,
                }
            }
            _ => return false,
        }
    }
    false
}

/// `Err(…)`: a value that leaves with an error when returned or `?`-ed.
pub(super) fn is_err_call(n: Node, src: &str) -> bool {
    n.kind_name() == "call_expression"
        && n.child_by_field_name("function")
            .and_then(|f| src.get(f.start_byte()..f.end_byte()))
            .is_some_and(|f| f.trim() == "Err")
}

/// The tail expressions of a function body that are `Err(…)`, through `if`/`else` and `match`
/// arms in tail position (`if a == b { Ok(()) } else { Err(E) }`), by node id.
pub(super) fn err_tails(body: Node, src: &str) -> std::collections::HashSet<usize> {
    let mut out = std::collections::HashSet::new();
    let mut pending: Vec<Node> = super::items::tail_expression(body).into_iter().collect();
    while let Some(n) = pending.pop() {
        if out.len() > 256 {
            break;
        }
        match n.kind_name() {
            "call_expression" if is_err_call(n, src) => {
                out.insert(n.id());
            }
            "block" => pending.extend(super::items::tail_expression(n)),
            "if_expression" => {
                pending.extend(n.child_by_field_name("consequence"));
                pending.extend(
                    n.child_by_field_name("alternative")
                        .and_then(|a| a.named_child(0)),
                );
            }
            "match_expression" => {
                if let Some(body) = n.child_by_field_name("body") {
                    let mut cursor = body.walk();
                    pending.extend(
                        body.named_children(&mut cursor)
                            .filter(|a| a.kind_name() == "match_arm")
                            .filter_map(|a| a.child_by_field_name("value")),
                    );
                }
            }
            _ => {}
        }
    }
    out
}

/// Whether two operands are the same text, whitespace aside.
fn same_operand(a: &str, b: &str) -> bool {
    a.chars()
        .filter(|c| !c.is_whitespace())
        .eq(b.chars().filter(|c| !c.is_whitespace()))
}

fn string_content(n: Node, src: &str) -> Option<String> {
    if n.kind_name() != "string_literal" {
        return None;
    }
    let t = src.get(n.start_byte()..n.end_byte())?;
    Some(t.strip_prefix('"')?.strip_suffix('"')?.to_string())
}

impl<'s> Lowerer<'s> {
    /// Whether `name` (a header name or a field) is the tenant request parameter.
    fn is_tenant_name(&self, name: &str) -> bool {
        let norm = |s: &str| s.to_ascii_lowercase().replace('-', "_");
        self.options
            .tenant_params
            .iter()
            .any(|p| norm(p) == norm(name))
    }

    fn source(&self, kind: TaintKind, span: Span, text: &str) -> Value {
        self.opaque_tainted(
            span,
            text,
            vec![Taint::new(TaintOrigin::Source { kind, span })],
        )
    }

    /// The request values a function parameter holds: for each variable its pattern binds, the
    /// taints it starts with (besides the parameter's own).
    pub(super) fn parameter_taints(
        &mut self,
        pattern: Node,
        ty: Option<Node>,
    ) -> Vec<(String, Vec<Taint>)> {
        let bindings = self.pattern_bindings(pattern);
        let Some(kind) = ty.and_then(|t| extractor_of(self.text(t))) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (name, span) in &bindings {
            let source = |kind| vec![Taint::new(TaintOrigin::Source { kind, span: *span })];
            match kind {
                Extractor::Host => out.push((name.clone(), source(TaintKind::Host))),
                Extractor::Request if self.is_tenant_name(name) => {
                    out.push((name.clone(), source(TaintKind::TenantParam)))
                }
                Extractor::Request => {}
            }
        }
        if kind == Extractor::Request {
            // `q: Query<P>`, `Query(q): Query<P>`: `q.<tenant param>` is a read.
            let mut inner = pattern;
            if inner.kind_name() == "tuple_struct_pattern" {
                let count = inner.named_child_count();
                if count == 2 {
                    if let Some(last) = inner.named_child(1) {
                        inner = last;
                    }
                }
            }
            if inner.kind_name() == "mut_pattern" {
                if let Some(last) =
                    inner.named_child(inner.named_child_count().saturating_sub(1) as u32)
                {
                    inner = last;
                }
            }
            if inner.kind_name() == "identifier" {
                self.extractors.insert(self.text(inner).into());
            }
        }
        out
    }

    /// `q.workspace_id` on an extractor `q`: a read of the tenant parameter (unless checked on
    /// every path here); any other field of a tainted value carries its taint.
    pub(super) fn field_read(&mut self, n: Node, state: &mut State) -> Option<Value> {
        let base = n.child_by_field_name("value")?;
        let field = n.child_by_field_name("field")?;
        if base.kind_name() != "identifier" {
            return None;
        }
        let name = self.text(base);
        if self.extractors.contains(name) && self.is_tenant_name(self.text(field)) {
            let path = self.path_key(n);
            let span = span_of(n);
            let entry = state
                .as_ref()
                .and_then(|env| env.get(path.as_str()))
                .cloned();
            return Some(match entry {
                Some(v) if v.checked => self.opaque(n),
                Some(v) => {
                    let mut t = Taint::new(TaintOrigin::Source {
                        kind: TaintKind::TenantParam,
                        span,
                    });
                    t.guards = v.guards.clone();
                    self.opaque_tainted(span, self.text(n), vec![t])
                }
                None => self.source(TaintKind::TenantParam, span, self.text(n)),
            });
        }
        let v = self.read_var(name, span_of(base), state);
        let taints = v.taints();
        (!taints.is_empty()).then(|| self.opaque_tainted(span_of(n), self.text(n), taints))
    }

    /// The key a field read is checked under in the environment (`q.workspace_id`).
    fn path_key(&self, n: Node) -> String {
        self.text(n).split_whitespace().collect()
    }

    /// A link of a method chain that reads a request value: `.get("host")` on a header map,
    /// `.host()` on `connection_info()` or `uri()`, `.get("<tenant param>")`.
    pub(super) fn chain_source(
        &mut self,
        f: Node,
        name: &str,
        args: &[Node],
        link: Node,
    ) -> Option<Value> {
        let receiver = f.child_by_field_name("value")?;
        let rtext: String = self
            .text(receiver)
            .split_whitespace()
            .collect::<String>()
            .to_ascii_lowercase();
        let header_map = rtext.contains("header");
        let kind = match (name, args) {
            ("get" | "get_all" | "typed_get", [arg]) => {
                let path: String = self.text(*arg).split_whitespace().collect();
                let path = path.trim_start_matches('&');
                match string_content(*arg, self.src) {
                    Some(s) => {
                        let s = s.to_ascii_lowercase();
                        if header_map && matches!(s.as_str(), "host" | "x-forwarded-host") {
                            TaintKind::Host
                        } else if self.is_tenant_name(&s)
                            && (header_map
                                || (receiver.kind_name() == "identifier"
                                    && self.extractors.contains(self.text(receiver))))
                        {
                            TaintKind::TenantParam
                        } else {
                            return None;
                        }
                    }
                    None if path.ends_with("header::HOST")
                        || path.ends_with("X_FORWARDED_HOST")
                        || (path == "HOST" && header_map) =>
                    {
                        TaintKind::Host
                    }
                    None => return None,
                }
            }
            ("host", []) if rtext.ends_with("connection_info()") || rtext.ends_with("uri()") => {
                TaintKind::Host
            }
            _ => return None,
        };
        Some(self.source(kind, span_of(link), self.text(link)))
    }

    /// A method called on a value carrying a request value: the result carries it on
    /// (`host.split('.').next()`), parsed (`.parse()`) it is harmless in SQL text.
    pub(super) fn propagate_method(
        &mut self,
        name: &str,
        receiver: &Value,
        args: &[Node],
        link: Node,
        state: &mut State,
    ) -> Option<Value> {
        let parsing = PARSING_METHODS.contains(&name);
        if !parsing && !PROPAGATING_METHODS.contains(&name) {
            return None;
        }
        let mut taints = receiver.taints();
        for a in args {
            let v = self.eval(*a, state);
            add_taints(&mut taints, &v.taints());
        }
        if parsing {
            taints = escaped(taints);
        }
        Some(self.opaque_tainted(span_of(link), self.text(link), taints))
    }

    /// The value of a plain call that is not a query: constructors and conversions carry their
    /// arguments' request values, sanitizers escape them, configured guards check them, project
    /// functions are decided by their summaries. `None`: an opaque value.
    pub(super) fn path_call_value(
        &mut self,
        n: Node,
        (qualifier, name): (&str, &str),
        key: &FnKey,
        args: &[Node],
        values: &[Value],
        state: &mut State,
    ) -> Option<Value> {
        let lower = name.to_ascii_lowercase();
        let full = if qualifier.is_empty() {
            lower.clone()
        } else {
            format!("{}::{lower}", qualifier.to_ascii_lowercase())
        };
        let all_taints = || {
            let mut t = Vec::new();
            for v in values {
                add_taints(&mut t, &v.taints());
            }
            t
        };
        if (name == "exit" && qualifier.ends_with("process"))
            || self.options.never_return.contains(&lower)
            || self.options.never_return.contains(&full)
        {
            *state = None;
            return Some(Value::default());
        }
        if self.options.guards.contains(&lower) || self.options.guards.contains(&full) {
            for a in args {
                self.mark_checked(*a, state, &[TaintKind::TenantParam]);
            }
            return Some(self.opaque(n));
        }
        let project = self.is_project_call(key);
        if self.options.sanitizers.contains(&lower) && !project {
            return Some(self.opaque_tainted(span_of(n), self.text(n), escaped(all_taints())));
        }
        if name.starts_with(|c: char| c.is_ascii_uppercase())
            || (name == "new" && matches!(qualifier, "Box" | "Arc" | "Rc" | "Some"))
            || CONVERTING_FUNCTIONS.contains(&name)
        {
            let taints = all_taints();
            return (!taints.is_empty())
                .then(|| self.opaque_tainted(span_of(n), self.text(n), taints));
        }
        if PARSING_FUNCTIONS.contains(&name) && !qualifier.is_empty() && !project {
            let taints = escaped(all_taints());
            return (!taints.is_empty())
                .then(|| self.opaque_tainted(span_of(n), self.text(n), taints));
        }
        if !project {
            return None;
        }
        let v = self.call_result(n, key.clone(), values);
        if leaves_on_err(n, self.src) {
            for (i, a) in args.iter().enumerate() {
                self.remember_guard(*a, key, i as u32, state);
            }
        }
        Some(v)
    }

    /// The value of a call to a function that may be defined in the project: its taint is
    /// decided by the callee's summary in the project pass; a call passing request values is a
    /// [`CallFact`] (sinks and checks inside the callee).
    pub(super) fn call_result(&mut self, n: Node, callee: FnKey, args: &[Value]) -> Value {
        let (taint, call) =
            crate::lang::value::call_facts(&callee, args, span_of(n), self.function.clone());
        self.facts.calls.extend(call);
        self.opaque_tainted(span_of(n), self.text(n), taint)
    }

    /// The operand a check or a guard names, without `&`, `*`, parentheses and conversions
    /// that keep the value (`x.as_str()`, `&*x`).
    fn operand(&self, n: Node<'s>) -> Node<'s> {
        let mut n = n;
        for _ in 0..16 {
            let next = match n.kind_name() {
                "reference_expression" => n.child_by_field_name("value"),
                "parenthesized_expression" | "unary_expression"
                    if n.kind_name() == "parenthesized_expression"
                        || n.child(0).is_some_and(|c| c.kind_name() == "*") =>
                {
                    n.named_child(0)
                }
                "call_expression" => n
                    .child_by_field_name("function")
                    .filter(|f| f.kind_name() == "field_expression")
                    .filter(|f| {
                        f.child_by_field_name("field").is_some_and(|m| {
                            matches!(
                                self.text(m),
                                "as_str"
                                    | "as_ref"
                                    | "to_string"
                                    | "clone"
                                    | "as_deref"
                                    | "to_owned"
                                    | "to_lowercase"
                                    | "to_ascii_lowercase"
                                    | "trim"
                            )
                        })
                    })
                    .filter(|_| {
                        n.child_by_field_name("arguments")
                            .is_some_and(|a| a.named_child_count() == 0)
                    })
                    .and_then(|f| f.child_by_field_name("value")),
                _ => None,
            };
            match next {
                Some(inner) => n = inner,
                None => break,
            }
        }
        n
    }

    /// After `f(x)?` where `f` may check its parameter `index`, the value `x` holds is checked
    /// if the project pass finds that `f` checks it.
    pub(super) fn remember_guard(
        &mut self,
        arg: Node,
        callee: &FnKey,
        index: u32,
        state: &mut State,
    ) {
        let target = self.operand(arg);
        let guard = (callee.clone(), index);
        let Some(env) = state.as_mut() else {
            return;
        };
        match target.kind_name() {
            "field_expression" => {
                let path = self.path_key(target);
                let entry = env.entry(path.into()).or_default();
                if entry.checked {
                    return;
                }
                let e = Arc::make_mut(entry);
                if e.guards.len() < MAX_STEPS && !e.guards.contains(&guard) {
                    e.guards.push(guard);
                }
            }
            "identifier" => {
                if let Some(var) = env.get_mut(self.text(target)) {
                    crate::lang::env::guard_variable(var, &guard);
                }
            }
            _ => {}
        }
    }

    /// After a check, the value `operand` names is safe: a variable no longer carries the
    /// request values of `kinds` (nor, for the tenant, the parameter it came in by), a field
    /// of an extractor is checked, and so is every value bound to the query a variable's value
    /// came from (a membership lookup).
    pub(super) fn mark_checked(&mut self, operand: Node, state: &mut State, kinds: &[TaintKind]) {
        let target = self.operand(operand);
        match target.kind_name() {
            "field_expression" => {
                let path = self.path_key(target);
                if let Some(env) = state.as_mut() {
                    env.insert(
                        path.into(),
                        Arc::new(VarState {
                            checked: true,
                            ..VarState::default()
                        }),
                    );
                }
            }
            "identifier" => {
                let name = self.text(target);
                self.mark_var_checked(name, state, kinds);
                if kinds.contains(&TaintKind::TenantParam) {
                    if let Some(looked_up) = self.lookups.get(name).cloned() {
                        for path in looked_up {
                            if path.contains('.') {
                                if let Some(env) = state.as_mut() {
                                    env.insert(
                                        path.as_str().into(),
                                        Arc::new(VarState {
                                            checked: true,
                                            ..VarState::default()
                                        }),
                                    );
                                }
                            } else {
                                self.mark_var_checked(&path, state, kinds);
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn mark_var_checked(&mut self, name: &str, state: &mut State, kinds: &[TaintKind]) {
        let Some(env) = state.as_mut() else {
            return;
        };
        let Some(var) = env.get_mut(name) else {
            return;
        };
        let removable = |t: &Taint| match t.origin {
            TaintOrigin::Source { kind, .. } => kinds.contains(&kind),
            TaintOrigin::Param(_) => kinds.contains(&TaintKind::TenantParam),
            TaintOrigin::Call { .. } => true,
        };
        let var = Arc::make_mut(var);
        var.checked = true;
        var.unknown_taint.retain(|t| !removable(t));
        for v in &mut var.value.variants {
            for p in &mut v.pieces {
                if let Piece::Hole(h) = p {
                    h.taint.retain(|t| !removable(t));
                }
            }
        }
    }

    /// What a branch of `if cond` proves: on the branch where a value equals another one (`==`,
    /// `!=` false, `LIST.contains(&x)`, `matches!(x, …)`), it is checked.
    pub(super) fn validate(&mut self, cond: Node, truthy: bool, state: &mut State) {
        let mut pending = vec![(cond, truthy)];
        let mut seen = 0;
        while let Some((node, truthy)) = pending.pop() {
            seen += 1;
            if seen > 256 || state.is_none() {
                return;
            }
            match node.kind_name() {
                "parenthesized_expression" => {
                    if let Some(inner) = node.named_child(0) {
                        pending.push((inner, truthy));
                    }
                }
                "unary_expression" if node.child(0).is_some_and(|c| c.kind_name() == "!") => {
                    if let Some(inner) = node.named_child(0) {
                        pending.push((inner, !truthy));
                    }
                }
                "binary_expression" => {
                    let op = node
                        .child_by_field_name("operator")
                        .map(|o| self.text(o))
                        .unwrap_or("");
                    let (Some(l), Some(r)) = (
                        node.child_by_field_name("left"),
                        node.child_by_field_name("right"),
                    ) else {
                        continue;
                    };
                    match op {
                        "&&" if truthy => {
                            pending.push((r, truthy));
                            pending.push((l, truthy));
                        }
                        "||" if !truthy => {
                            pending.push((r, truthy));
                            pending.push((l, truthy));
                        }
                        "==" | "!=" => {
                            let equal = op == "==";
                            if equal == truthy && !same_operand(self.text(l), self.text(r)) {
                                self.mark_checked(
                                    l,
                                    state,
                                    &[TaintKind::Host, TaintKind::TenantParam],
                                );
                                self.mark_checked(
                                    r,
                                    state,
                                    &[TaintKind::Host, TaintKind::TenantParam],
                                );
                            }
                        }
                        _ => {}
                    }
                }
                "call_expression" if truthy => {
                    let Some(f) = node
                        .child_by_field_name("function")
                        .filter(|f| f.kind_name() == "field_expression")
                    else {
                        continue;
                    };
                    let method = f
                        .child_by_field_name("field")
                        .map(|m| self.text(m))
                        .unwrap_or("");
                    let args: Vec<Node> = node
                        .child_by_field_name("arguments")
                        .map(|a| a.named_children(&mut a.walk()).collect())
                        .unwrap_or_default();
                    match (method, args.as_slice()) {
                        ("contains", [x]) => {
                            self.mark_checked(
                                *x,
                                state,
                                &[TaintKind::Host, TaintKind::TenantParam],
                            );
                        }
                        ("eq", [x]) => {
                            if let Some(recv) = f.child_by_field_name("value") {
                                self.mark_checked(
                                    recv,
                                    state,
                                    &[TaintKind::Host, TaintKind::TenantParam],
                                );
                            }
                            self.mark_checked(
                                *x,
                                state,
                                &[TaintKind::Host, TaintKind::TenantParam],
                            );
                        }
                        _ => {}
                    }
                }
                "macro_invocation" if truthy => {
                    let name = node
                        .child_by_field_name("macro")
                        .map(|m| self.text(m))
                        .unwrap_or("");
                    if name.rsplit("::").next() == Some("matches") {
                        if let Some(tree) = self.macro_arguments(node) {
                            let first = super::macros::elements(tree.root_node()).first().copied();
                            if let Some(x) = first {
                                // The node outlives this call only inside `tree`.
                                let text = self.text(x).to_string();
                                self.mark_named_checked(&text, state);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// Mark a variable (or an extractor field) checked by its source text.
    fn mark_named_checked(&mut self, text: &str, state: &mut State) {
        let t: String = text.split_whitespace().collect();
        let t = t.trim_start_matches('&');
        let t = t.strip_suffix(".as_str()").unwrap_or(t);
        if t.contains('.') {
            if let Some(env) = state.as_mut() {
                env.insert(
                    t.into(),
                    Arc::new(VarState {
                        checked: true,
                        ..VarState::default()
                    }),
                );
            }
        } else {
            self.mark_var_checked(t, state, &[TaintKind::Host, TaintKind::TenantParam]);
        }
    }

    /// `bail!`, `panic!`, `ensure!(cond, …)`, `assert!(cond)`, `assert_eq!(a, b)`: macros that
    /// leave, or check and leave on mismatch. `true` when handled (the arguments evaluated).
    pub(super) fn checking_macro(&mut self, name: &str, args: &[Node], state: &mut State) -> bool {
        if LEAVING_MACROS.contains(&name) {
            for a in args {
                self.eval(*a, state);
            }
            *state = None;
            return true;
        }
        match (name, args) {
            ("ensure" | "assert", [cond, rest @ ..]) => {
                self.eval(*cond, state);
                for a in rest {
                    self.eval(*a, state);
                }
                self.validate(*cond, true, state);
                true
            }
            ("assert_eq", [a, b, rest @ ..]) => {
                self.eval(*a, state);
                self.eval(*b, state);
                for r in rest {
                    self.eval(*r, state);
                }
                if !same_operand(self.text(*a), self.text(*b)) {
                    self.mark_checked(*a, state, &[TaintKind::Host, TaintKind::TenantParam]);
                    self.mark_checked(*b, state, &[TaintKind::Host, TaintKind::TenantParam]);
                }
                true
            }
            _ => false,
        }
    }

    /// A value used as a tenant at `span`: any tenant request parameter it may carry.
    pub(super) fn record_uses(&mut self, value: &Value, span: Span, what: impl Fn() -> String) {
        if !value.any_taint(may_carry_tenant_param) {
            return;
        }
        for taint in value.taints() {
            if may_carry_tenant_param(&taint) {
                self.facts.tenant_uses.push(TenantUse {
                    taint,
                    span,
                    what: what(),
                });
            }
        }
    }

    /// A function exit that is not an `Err`: which parameters were checked on this path.
    pub(super) fn note_exit(&mut self, state: &State) {
        let Some(env) = state.as_ref() else {
            return;
        };
        if self.function.is_none() {
            return;
        }
        let before = self.param_checked.take();
        self.param_checked = Some(crate::lang::env::checked_at_exit(&self.params, env, before));
    }

    /// A value returned from the current function: its taints are the function's, and it is a
    /// tenant use.
    pub(super) fn note_return(&mut self, value: &Value, span: Span) {
        add_taints(&mut self.returns, &value.taints());
        self.record_uses(value, span, || "returned".to_string());
    }
}

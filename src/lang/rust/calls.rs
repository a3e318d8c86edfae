//! Calls: method chains, the database crates' entry points (sqlx, tokio-postgres and
//! deadpool-postgres, rusqlite, diesel, sea-orm, sqlx's `QueryBuilder`), string conversions, and
//! any other call, to which a query passed is a use of it.

use tree_sitter::Node;

use super::RustKind as _;

use super::{marker, span_of, Lowerer};
use crate::facts::{BoundParam, Dialect, FnKey, FragmentCall, ParamMarker, Piece, Span};
use crate::lang::env::State;
use crate::lang::value::Value;

/// sqlx's functions that take a query and return a query to `.bind` values to.
const SQLX_FUNCTIONS: &[&str] = &[
    "query",
    "query_as",
    "query_scalar",
    "query_with",
    "query_as_with",
    "query_scalar_with",
];

/// Methods of database clients that take the query text first (tokio-postgres,
/// deadpool-postgres, rusqlite, sqlx's `Executor`).
const CLIENT_METHODS: &[&str] = &[
    "query",
    "query_one",
    "query_opt",
    "query_raw",
    "query_typed",
    "query_row",
    "query_map",
    "execute",
    "execute_batch",
    "batch_execute",
    "simple_query",
    "prepare",
    "prepare_cached",
    "prepare_typed",
    "fetch_all",
    "fetch_one",
    "fetch_optional",
];

/// Methods and functions whose result is the text of their receiver or first argument.
const IDENTITY_METHODS: &[&str] = &[
    "to_string",
    "to_owned",
    "into",
    "clone",
    "as_str",
    "as_ref",
    "borrow",
    "trim",
    "trim_start",
    "trim_end",
    "into_owned",
    "as_bytes",
    "deref",
];

/// `QueryBuilder` methods that end the building: the query is run with its text.
const BUILDER_BUILDS: &[&str] = &[
    "build",
    "build_query_as",
    "build_query_scalar",
    "sql",
    "into_sql",
];

/// A query handed to a crate that binds values to it with `.bind(x)` later in the chain.
struct Pending {
    exec: Span,
    value: Value,
    dialect: Dialect,
    params: Vec<BoundParam>,
}

/// The arguments of a call, without comments and attributes.
fn arguments(n: Node) -> Vec<Node> {
    let Some(args) = n.child_by_field_name("arguments") else {
        return Vec::new();
    };
    let mut cursor = args.walk();
    args.named_children(&mut cursor)
        .filter(|a| {
            !matches!(
                a.kind_name(),
                "line_comment" | "block_comment" | "attribute_item"
            )
        })
        .collect()
}

/// The `a.m` of a method call `a.m(…)` or `a.m::<T>(…)`.
fn method_of(f: Node) -> Option<Node> {
    match f.kind_name() {
        "field_expression" => Some(f),
        "generic_function" => f
            .child_by_field_name("function")
            .filter(|g| g.kind_name() == "field_expression"),
        _ => None,
    }
}

/// `QueryBuilder::new(…)` (or `QueryBuilder::<Postgres>::new(…)`).
pub(super) fn is_query_builder_new(l: &Lowerer, n: Node) -> bool {
    n.kind_name() == "call_expression"
        && n.child_by_field_name("function").is_some_and(|f| {
            let t = l.text(f);
            t.contains("QueryBuilder") && t.ends_with("new")
        })
}

impl<'s> Lowerer<'s> {
    /// The path a plain call names, without generic arguments (`sqlx::query_as` for
    /// `sqlx::query_as::<_, User>`).
    fn callee_path(&self, f: Node) -> String {
        let f = match f.kind_name() {
            "generic_function" => f.child_by_field_name("function").unwrap_or(f),
            _ => f,
        };
        let text: String = self.text(f).split_whitespace().collect();
        // `QueryBuilder::<Postgres>::new`: drop turbofish segments.
        text.split("::")
            .filter(|s| !s.starts_with('<'))
            .collect::<Vec<_>>()
            .join("::")
    }

    fn uses_crate(&self, name: &str) -> bool {
        memchr::memmem::find(self.src.as_bytes(), name.as_bytes()).is_some()
    }

    pub(super) fn call(&mut self, n: Node, state: &mut State) -> Value {
        let Some(f) = n.child_by_field_name("function") else {
            self.effects(n, state);
            return self.opaque(n);
        };
        if method_of(f).is_some() {
            return self.method_chain(n, state);
        }
        if let Some(p) = self.query_call(n, state) {
            self.emit(p);
            return self.opaque(n);
        }
        self.path_call(n, f, state)
    }

    /// A call of a database crate's function that returns a query to bind values to.
    fn query_call(&mut self, n: Node, state: &mut State) -> Option<Pending> {
        if n.kind_name() != "call_expression" {
            return None;
        }
        let f = n.child_by_field_name("function")?;
        if method_of(f).is_some() {
            return None;
        }
        let path = self.callee_path(f);
        let (qualifier, name) = match path.rsplit_once("::") {
            Some((q, name)) => (q, name),
            None => ("", path.as_str()),
        };
        let sqlx = SQLX_FUNCTIONS.contains(&name)
            && (qualifier == "sqlx" || qualifier.is_empty() && self.uses_crate("sqlx"));
        let diesel = name == "sql_query"
            || name == "sql"
                && (qualifier.ends_with("dsl")
                    || qualifier.is_empty() && self.uses_crate("diesel"));
        if !sqlx && !diesel {
            return None;
        }
        let args = arguments(n);
        let value = match args.first() {
            Some(a) => self.eval(*a, state),
            None => return None,
        };
        for a in args.iter().skip(1) {
            self.eval(*a, state);
        }
        Some(Pending {
            exec: span_of(n),
            value,
            dialect: self.dialect,
            params: Vec::new(),
        })
    }

    fn emit(&mut self, p: Pending) {
        self.query_site(&p.value, p.exec, p.dialect, p.params);
    }

    /// `f(…)`, `Type::f(…)`, `module::f(…)`.
    fn path_call(&mut self, n: Node, f: Node, state: &mut State) -> Value {
        let path = self.callee_path(f);
        let (qualifier, name) = match path.rsplit_once("::") {
            Some((q, name)) => (q.to_string(), name.to_string()),
            None => (String::new(), path.clone()),
        };
        let args = arguments(n);
        let qualifier_type = qualifier.rsplit("::").next().unwrap_or("");
        match (qualifier_type, name.as_str()) {
            (
                "String" | "Cow" | "str" | "Box" | "Arc" | "Rc",
                "from" | "from_str" | "to_string",
            )
            | ("Cow", "Borrowed" | "Owned")
                if args.len() == 1 =>
            {
                return self.eval(args[0], state);
            }
            ("String", "new" | "with_capacity") => {
                for a in &args {
                    self.eval(*a, state);
                }
                return Value::empty_string();
            }
            ("Statement", "from_string" | "from_sql_and_values") if args.len() >= 2 => {
                return self.sea_orm_statement(n, &name, &args, state);
            }
            ("QueryBuilder", "new") if !args.is_empty() => {
                let v = self.eval(args[0], state);
                return v;
            }
            _ => {}
        }
        let callee = f
            .child_by_field_name("name")
            .map(span_of)
            .unwrap_or_else(|| span_of(f));
        let mut values = Vec::with_capacity(args.len());
        for a in &args {
            let v = self.eval(*a, state);
            self.use_value(&v, callee);
            values.push(v);
        }
        let key = match qualifier_type {
            "Self" => match &self.impl_type {
                Some(ty) => FnKey::method(ty.as_str(), name.as_str()),
                None => FnKey::function(name.as_str()),
            },
            q if q.starts_with(|c: char| c.is_ascii_uppercase()) => FnKey::method(q, name.as_str()),
            _ => FnKey::function(name.as_str()),
        };
        self.fragment_call(key.clone(), &values);
        let qualifier = qualifier.clone();
        match self.path_call_value(n, (&qualifier, &name), &key, &args, &values, state) {
            Some(v) => v,
            None => self.opaque(n),
        }
    }

    /// Text with spaces passed to a project function may be a fragment of its query
    /// (`list(pool, "status = 'open'")`).
    fn fragment_call(&mut self, callee: FnKey, values: &[Value]) {
        if values.is_empty() || !self.is_project_call(&callee) {
            return;
        }
        let fragment_like = values.iter().any(|v| {
            v.variants.iter().any(|t| {
                t.pieces.iter().any(
                    |p| matches!(p, Piece::Text { text, .. } if text.contains(char::is_whitespace)),
                )
            })
        });
        if fragment_like {
            self.facts.fragment_calls.push(FragmentCall {
                callee,
                args: values
                    .iter()
                    .map(|v| v.variants.iter().map(|t| t.pieces.clone()).collect())
                    .collect(),
            });
        }
    }

    /// sea-orm's `Statement::from_string(backend, sql)` and
    /// `Statement::from_sql_and_values(backend, sql, values)`: the backend decides the dialect
    /// when it is written out.
    fn sea_orm_statement(
        &mut self,
        n: Node,
        name: &str,
        args: &[Node],
        state: &mut State,
    ) -> Value {
        let backend = self.text(args[0]);
        let dialect = if backend.contains("MySql") {
            Dialect::MySql
        } else if backend.contains("Sqlite") {
            Dialect::Sqlite
        } else if backend.contains("Postgres") {
            Dialect::Postgres
        } else {
            self.dialect
        };
        self.eval(args[0], state);
        let sql = self.eval(args[1], state);
        let mut params = Vec::new();
        if name == "from_sql_and_values" {
            if let Some(values) = args.get(2) {
                params = self.param_list(*values, dialect, state);
            }
        }
        for a in args.iter().skip(3) {
            self.eval(*a, state);
        }
        self.query_site(&sql, span_of(n), dialect, params);
        self.opaque(n)
    }

    /// The values of a parameter list (`&[&a, &b]`, `params![a, b]`, `(a, b)`, `[a.into()]`,
    /// `vec![…]`), each bound to the next parameter.
    pub(super) fn param_list(
        &mut self,
        n: Node,
        dialect: Dialect,
        state: &mut State,
    ) -> Vec<BoundParam> {
        let mut n = n;
        while n.kind_name() == "reference_expression" {
            match n.child_by_field_name("value") {
                Some(v) => n = v,
                None => break,
            }
        }
        match n.kind_name() {
            "array_expression" | "tuple_expression" => {
                let mut cursor = n.walk();
                let elems: Vec<Node> = n
                    .named_children(&mut cursor)
                    .filter(|e| {
                        !matches!(
                            e.kind_name(),
                            "attribute_item" | "line_comment" | "block_comment"
                        )
                    })
                    .collect();
                self.bound_values(&elems, dialect, state)
            }
            "macro_invocation" if self.is_named_params(n) => self.named_params(n, state),
            "macro_invocation" => {
                let Some(tree) = self.macro_arguments(n) else {
                    return Vec::new();
                };
                let elems = super::macros::elements(tree.root_node());
                self.bound_values(&elems, dialect, state)
            }
            _ => {
                self.eval(n, state);
                Vec::new()
            }
        }
    }

    fn is_named_params(&self, mac: Node) -> bool {
        mac.child_by_field_name("macro")
            .is_some_and(|m| self.text(m).rsplit("::").next() == Some("named_params"))
    }

    /// rusqlite's `named_params! { ":name": value, … }`: each value bound to the parameter of
    /// its name. A value of more than one token is evaluated as opaque.
    fn named_params(&mut self, mac: Node, state: &mut State) -> Vec<BoundParam> {
        let mut cursor = mac.walk();
        let Some(tt) = mac
            .named_children(&mut cursor)
            .find(|c| c.kind_name() == "token_tree")
        else {
            return Vec::new();
        };
        let mut c = tt.walk();
        let tokens: Vec<Node> = tt.children(&mut c).collect();
        let mut out = Vec::new();
        let mut i = 0;
        while i + 2 < tokens.len() {
            let (name, colon) = (tokens[i], tokens[i + 1]);
            if name.kind_name() != "string_literal" || self.text(colon) != ":" {
                i += 1;
                continue;
            }
            let value: Vec<Node> = tokens[i + 2..]
                .iter()
                .take_while(|t| !matches!(self.text(**t), "," | "}" | ")" | "]"))
                .copied()
                .collect();
            let key = self.text(name).trim_matches('"');
            if let (Some(first), Some(last)) = (value.first(), value.last()) {
                let marker = ParamMarker::Named(key.into());
                match self.parse_range(first.start_byte(), last.end_byte(), *first, *last) {
                    // `p.tenant_id`, `&id`: the tokens read as one expression.
                    Some(tree) => {
                        let root = tree.root_node();
                        let expr = root.named_child(0).map(|s| {
                            if s.kind_name() == "expression_statement" {
                                s.named_child(0).unwrap_or(s)
                            } else {
                                s
                            }
                        });
                        if let Some(expr) = expr {
                            let v = self.eval(expr, state);
                            out.push(self.bound(marker, &v, expr));
                        }
                    }
                    None => {
                        let v = self.eval(*first, state);
                        out.push(self.bound(marker, &v, *first));
                    }
                }
            }
            i += 2 + value.len().max(1);
        }
        out
    }

    /// Values bound to a query's parameters in order.
    pub(super) fn bound_values(
        &mut self,
        elems: &[Node],
        dialect: Dialect,
        state: &mut State,
    ) -> Vec<BoundParam> {
        let mut out = Vec::new();
        for e in elems {
            let v = self.eval(*e, state);
            out.push(self.bound(marker(dialect, out.len()), &v, *e));
        }
        out
    }

    /// A chain of method calls, `a.b(…).c(…).await?.d(…)`, walked from its receiver: a query
    /// made by a database crate collects the `.bind(x)` calls that follow it.
    fn method_chain(&mut self, n: Node, state: &mut State) -> Value {
        let mut links: Vec<Node> = Vec::new();
        let mut cur = n;
        loop {
            match cur.kind_name() {
                "call_expression" => {
                    let Some(f) = cur.child_by_field_name("function").and_then(method_of) else {
                        break;
                    };
                    let Some(receiver) = f.child_by_field_name("value") else {
                        break;
                    };
                    links.push(cur);
                    cur = receiver;
                }
                "await_expression" | "try_expression" => match cur.named_child(0) {
                    Some(inner) => cur = inner,
                    None => break,
                },
                _ => break,
            }
            if links.len() > super::MAX_DEPTH {
                return self.opaque(n);
            }
        }
        links.reverse();
        let base = cur;
        let receiver: Option<&'s str> = self.target_name(base);
        let mut pending = self.query_call(base, state);
        let mut current = if pending.is_some() {
            self.opaque(base)
        } else {
            self.eval(base, state)
        };
        for (i, link) in links.iter().enumerate() {
            let Some(f) = link.child_by_field_name("function").and_then(method_of) else {
                continue;
            };
            let name_node = f.child_by_field_name("field");
            let name = name_node.map(|x| self.text(x)).unwrap_or("");
            let callee = name_node.map(span_of).unwrap_or_else(|| span_of(*link));
            let args = arguments(*link);
            if let Some(p) = pending.as_mut() {
                if name == "bind" && args.len() == 1 {
                    let v = self.eval(args[0], state);
                    let m = marker(p.dialect, p.params.len());
                    let param = self.bound(m, &v, args[0]);
                    if let Some(p) = pending.as_mut() {
                        p.params.push(param);
                    }
                    continue;
                }
            }
            if let Some(p) = pending.take() {
                self.emit(p);
            }
            let builder = receiver
                .filter(|_| i == 0)
                .filter(|r| self.builders.contains_key(*r));
            if let Some(var) = builder {
                current = self.builder_method(var, name, &args, *link, state);
                continue;
            }
            if let Some(var) = receiver
                .filter(|_| i == 0)
                .filter(|r| self.separated.contains_key(*r))
            {
                self.separated_push(var, name, &args, span_of(*link), state);
                current = self.opaque(*link);
                continue;
            }
            if IDENTITY_METHODS.contains(&name) && args.is_empty() {
                continue;
            }
            // Request values: read here, or carried on by the method.
            if let Some(v) = self.chain_source(f, name, &args, *link) {
                current = v;
                continue;
            }
            if current.has_taint() {
                let receiver_value = current.clone();
                if let Some(v) = self.propagate_method(name, &receiver_value, &args, *link, state) {
                    current = v;
                    continue;
                }
            }
            if matches!(name, "push_str" | "push") && args.len() == 1 && i == 0 {
                if let Some(var) = receiver {
                    let v = self.eval(args[0], state);
                    self.append(var, v, span_of(*link), state);
                    current = Value::default();
                    continue;
                }
            }
            if CLIENT_METHODS.contains(&name) && !args.is_empty() {
                let sql = self.eval(args[0], state);
                let params = match args.get(1) {
                    Some(p) => self.param_list(*p, self.dialect, state),
                    None => Vec::new(),
                };
                for a in args.iter().skip(2) {
                    self.eval(*a, state);
                }
                self.use_value_with(&sql, callee, self.dialect, params);
                current = self.opaque(*link);
                continue;
            }
            let mut values = Vec::with_capacity(args.len());
            for a in &args {
                let v = self.eval(*a, state);
                self.use_value(&v, callee);
                values.push(v);
            }
            let owner = match receiver {
                Some("self") => self.impl_type.clone(),
                _ => None,
            };
            let key = match owner {
                Some(ty) if i == 0 => FnKey::method(ty, name),
                _ => FnKey::any_method(name),
            };
            self.fragment_call(key.clone(), &values);
            if self.options.guards.contains(&name.to_ascii_lowercase()) {
                // A configured guard verifies its tenant argument or leaves.
                for a in &args {
                    self.mark_checked(*a, state, &[crate::facts::TaintKind::TenantParam]);
                }
                current = self.opaque(*link);
                continue;
            }
            current = if self.is_project_call(&key) {
                let v = self.call_result(*link, key.clone(), &values);
                if super::taint::leaves_on_err(*link, self.src) {
                    for (index, a) in args.iter().enumerate() {
                        self.remember_guard(*a, &key, index as u32, state);
                    }
                }
                v
            } else {
                self.opaque(*link)
            };
        }
        if let Some(p) = pending.take() {
            self.emit(p);
        }
        current
    }

    /// `qb.push(text)`, `qb.push_bind(value)`, `qb.build()` on a `QueryBuilder` variable.
    fn builder_method(
        &mut self,
        var: &str,
        name: &str,
        args: &[Node],
        link: Node,
        state: &mut State,
    ) -> Value {
        match name {
            "push" if args.len() == 1 => {
                let v = self.eval(args[0], state);
                self.append(var, v, span_of(link), state);
            }
            "push_bind" | "push_bind_unseparated" if args.len() == 1 => {
                let v = self.eval(args[0], state);
                let index = self.builders.get(var).map_or(0, |b| b.params.len());
                let m = marker(self.dialect, index);
                let text = match &m {
                    crate::facts::ParamMarker::Numbered(k) => format!("${k}"),
                    _ => "?".to_string(),
                };
                let param = self.bound(m, &v, args[0]);
                if let Some(b) = self.builders.get_mut(var) {
                    b.params.push(param);
                }
                let placeholder = Self::text_value(&text, args[0].start_byte(), false);
                self.append(var, placeholder, span_of(link), state);
            }
            _ if BUILDER_BUILDS.contains(&name) => {
                let text = self.read_var(var, span_of(link), state);
                let params = self
                    .builders
                    .get(var)
                    .map(|b| b.params.clone())
                    .unwrap_or_default();
                self.query_site(&text, span_of(link), self.dialect, params);
            }
            "push_values" | "push_tuples" if args.len() == 2 => {
                self.eval(args[0], state);
                let span = span_of(link);
                let (open, close) = match name {
                    "push_values" => ("VALUES (", ")"),
                    _ => ("((", "))"),
                };
                let at = args[1].start_byte();
                self.append(var, Self::text_value(open, at, false), span, state);
                self.builder_row(var, args[1], span, state);
                self.append(var, Self::text_value(close, at, false), span, state);
            }
            "reset" => {
                let state_span = span_of(link);
                self.bind(var, Value::empty_string(), state_span, state);
                if let Some(b) = self.builders.get_mut(var) {
                    b.params.clear();
                }
            }
            _ => {
                for a in args {
                    self.eval(*a, state);
                }
            }
        }
        self.opaque(link)
    }

    /// One row of `push_values(rows, |mut b, row| { b.push_bind(row.a).push_bind(row.b); })`
    /// (or `push_tuples`), as the closure writes it: its `push_bind`s are bound parameters and
    /// its `push`es text, separated by `, ` except for the `_unseparated` forms. Every row has
    /// the same shape, so one row stands for all.
    fn builder_row(&mut self, var: &str, closure: Node, span: Span, state: &mut State) {
        if closure.kind_name() != "closure_expression" {
            self.eval(closure, state);
            return;
        }
        let row_builder = closure
            .child_by_field_name("parameters")
            .and_then(|p| p.named_child(0))
            .and_then(|p| first_identifier(p, self.src));
        let Some((row_builder, body)) = row_builder.zip(closure.child_by_field_name("body")) else {
            return;
        };
        // The calls on the row builder, in source order (`b.push_bind(x).push_bind(y)`: the
        // inner call first).
        let mut calls: Vec<(usize, Node)> = Vec::new();
        let mut stack = vec![body];
        while let Some(n) = stack.pop() {
            if calls.len() > 64 {
                break;
            }
            let mut cursor = n.walk();
            stack.extend(n.named_children(&mut cursor));
            if n.kind_name() != "call_expression" {
                continue;
            }
            let Some(f) = n
                .child_by_field_name("function")
                .filter(|f| f.kind_name() == "field_expression")
            else {
                continue;
            };
            let mut root = f;
            while let Some(v) = root.child_by_field_name("value") {
                root = match v.kind_name() {
                    "call_expression" => v.child_by_field_name("function").unwrap_or(v),
                    _ => v,
                };
                if root.kind_name() != "field_expression" {
                    break;
                }
            }
            if root.kind_name() == "identifier" && self.text(root) == row_builder {
                if let Some(field) = f.child_by_field_name("field") {
                    calls.push((field.start_byte(), n));
                }
            }
        }
        calls.sort_by_key(|(at, _)| *at);
        let mut first = true;
        for (_, call) in calls {
            let Some(field) = call
                .child_by_field_name("function")
                .and_then(|f| f.child_by_field_name("field"))
            else {
                continue;
            };
            let method = self.text(field);
            let mut cursor = call.walk();
            let arg = call
                .child_by_field_name("arguments")
                .and_then(|a| a.named_children(&mut cursor).next());
            let Some(arg) = arg else { continue };
            let separated = matches!(method, "push" | "push_bind");
            if !matches!(
                method,
                "push" | "push_bind" | "push_unseparated" | "push_bind_unseparated"
            ) {
                continue;
            }
            if separated && !first {
                self.append(
                    var,
                    Self::text_value(", ", arg.start_byte(), false),
                    span,
                    state,
                );
            }
            first = false;
            self.builder_push(var, method.starts_with("push_bind"), arg, span, state);
        }
    }

    /// Text (`push`) or a bound value (`push_bind`, written as the dialect's next parameter)
    /// added to the `QueryBuilder` variable `var`.
    fn builder_push(&mut self, var: &str, bind: bool, arg: Node, span: Span, state: &mut State) {
        let v = self.eval(arg, state);
        if !bind {
            self.append(var, v, span, state);
            return;
        }
        let index = self.builders.get(var).map_or(0, |b| b.params.len());
        let m = marker(self.dialect, index);
        let text = match &m {
            crate::facts::ParamMarker::Numbered(k) => format!("${k}"),
            _ => "?".to_string(),
        };
        let param = self.bound(m, &v, arg);
        if let Some(b) = self.builders.get_mut(var) {
            b.params.push(param);
        }
        self.append(
            var,
            Self::text_value(&text, arg.start_byte(), false),
            span,
            state,
        );
    }

    /// `qb.separated(sep)` on a `QueryBuilder` variable: what a variable bound to it writes to.
    pub(super) fn separated_of(
        &mut self,
        n: Node,
        state: &mut State,
    ) -> Option<(std::sync::Arc<str>, Value, bool)> {
        if n.kind_name() != "call_expression" {
            return None;
        }
        let f = n
            .child_by_field_name("function")
            .filter(|f| f.kind_name() == "field_expression")?;
        let field = f.child_by_field_name("field")?;
        let receiver = f
            .child_by_field_name("value")
            .filter(|r| r.kind_name() == "identifier")?;
        let builder = self.text(receiver);
        if self.text(field) != "separated" || !self.builders.contains_key(builder) {
            return None;
        }
        let mut cursor = n.walk();
        let sep = n
            .child_by_field_name("arguments")
            .and_then(|a| a.named_children(&mut cursor).next())?;
        let sep = self.eval(sep, state);
        Some((builder.into(), sep, true))
    }

    /// `s.push(…)` / `s.push_bind(…)` on a `separated` variable: the separator first, unless
    /// nothing was pushed through it yet; `push_unseparated` / `push_bind_unseparated` without.
    fn separated_push(
        &mut self,
        var: &str,
        method: &str,
        args: &[Node],
        span: Span,
        state: &mut State,
    ) {
        let Some((builder, sep, first)) = self.separated.get(var).cloned() else {
            return;
        };
        let (bind, separated) = match method {
            "push" => (false, true),
            "push_bind" => (true, true),
            "push_unseparated" => (false, false),
            "push_bind_unseparated" => (true, false),
            _ => {
                for a in args {
                    self.eval(*a, state);
                }
                return;
            }
        };
        let [arg] = args else { return };
        if separated && !first {
            self.append(&builder, sep.clone(), span, state);
        }
        self.builder_push(&builder, bind, *arg, span, state);
        if separated {
            if let Some(entry) = self.separated.get_mut(var) {
                entry.2 = false;
            }
        }
    }
}

/// The first identifier a pattern binds (`b` in `mut b`, `b: Separated<…>`).
fn first_identifier<'t>(pattern: Node, src: &'t str) -> Option<&'t str> {
    let mut stack = vec![pattern];
    while let Some(n) = stack.pop() {
        if n.kind_name() == "identifier" {
            return src.get(n.start_byte()..n.end_byte());
        }
        let mut cursor = n.walk();
        let children: Vec<Node> = n.named_children(&mut cursor).collect();
        stack.extend(children.into_iter().rev());
    }
    None
}

//! Calls: built-ins, project functions and methods (summaries, guards, receivers), `sprintf`
//! formats, constant definitions, and the use of a query string as a SQL site.

use std::sync::Arc;

use tree_sitter::Node;

use super::PhpKind as _;

use super::builtins::{
    class_key, regex_capture_safety, split_format, INSPECTING_BUILTINS, PROPAGATING_BUILTINS,
    TRANSLATION_FUNCTIONS,
};
use super::expressions::invalidate_children;
use super::{span_of, Lowerer, FIELDS};
use crate::facts::{
    ConstDef, Dialect, FnKey, FoldPiece, Hole, HoleExpr, Piece, Span, SqlSite, Taint, TaintKind,
    TaintOrigin, Template,
};
use crate::lang::env::{Env, VarState};
use crate::lang::value::{
    add_taints, call_facts, escaped, expand_format, hole_label, single_text, starts_with_sql_verb,
    Value, MAX_STEPS, MAX_TAINTS,
};

impl<'s> Lowerer<'s> {
    pub(super) fn function_call(&mut self, n: Node, env: &mut Env) -> Value {
        // A plain call names a function (never a method), by its last namespace segment.
        let name = n
            .child_by_field_id(FIELDS.function)
            .filter(|f| matches!(f.kind_name(), "name" | "qualified_name"))
            .map(|f| class_key(self.text(f)))
            .unwrap_or_default();
        let args: Vec<Node> = n
            .child_by_field_id(FIELDS.arguments)
            .map(|a| {
                let mut c = a.walk();
                a.named_children(&mut c)
                    .filter(|x| x.kind_name() == "argument")
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
                if let Some(f) = n.child_by_field_id(FIELDS.function) {
                    if !matches!(f.kind_name(), "name" | "qualified_name") {
                        self.eval(f, env);
                    }
                }
                let callee = n
                    .child_by_field_id(FIELDS.function)
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
                if sanitizer && !self.is_project_call(&FnKey::function(name.as_str())) {
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
                let callee = FnKey::function(name);
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

    /// After `f($x)`, `$x` (or `$_GET['ep']`) is checked if `f` checks that parameter.
    fn remember_guard(&mut self, arg: Node, callee: &FnKey, index: u32, env: &mut Env) {
        let target = if arg.kind_name() == "argument" {
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
            crate::lang::env::guard_variable(var, &guard);
        }
    }

    /// The value of a call to a function that may be defined in the project: its taint is
    /// decided by the callee's summary in the project pass.
    fn call_result(&mut self, n: Node, callee: FnKey, args: &[Value]) -> Value {
        // Built-ins and library functions outside the scan return no request value (a value
        // from the network or the database is not derived) and check nothing. A plain call
        // only reaches a function, a method call only a method.
        if !self.is_project_call(&callee) {
            return self.opaque(n);
        }
        self.record_const_call(&callee, args);
        let (taint, call) = call_facts(&callee, args, span_of(n), self.function.clone());
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
        self.facts.calls.extend(call);
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
    pub(super) fn method_call(&mut self, n: Node, env: &mut Env) -> Value {
        let mut cursor = n.walk();
        let children: Vec<Node> = n.named_children(&mut cursor).collect();
        let mut values = Vec::new();
        let mut arg_nodes: Vec<Node> = Vec::new();
        for c in children {
            if c.kind_name() != "arguments" {
                if c.kind_name() != "name" {
                    self.eval(c, env);
                }
                continue;
            }
            // The method name (or the class of `new`) is what runs the query.
            let callee = n
                .child_by_field_id(FIELDS.name)
                .or_else(|| n.named_child(0).filter(|x| x.kind_name() != "arguments"))
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
        if n.kind_name() == "object_creation_expression" {
            return self.opaque(n);
        }
        let name = n
            .child_by_field_id(FIELDS.name)
            .filter(|x| x.kind_name() == "name")
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
                let callee = match self.receiver_class(n, env) {
                    class if class == "*" => FnKey::any_method(name),
                    class => FnKey::method(class, name),
                };
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
        if call.kind_name() == "scoped_call_expression" {
            let Some(scope) = call.child_by_field_id(FIELDS.scope) else {
                return unknown();
            };
            let text = self.text(scope).trim().to_ascii_lowercase();
            return match text.as_str() {
                "self" | "static" => self.class.as_deref().map(class_key),
                "parent" => self.class_parent.clone(),
                _ if matches!(
                    scope.kind_name(),
                    "name" | "qualified_name" | "relative_name"
                ) =>
                {
                    Some(class_key(&text))
                }
                _ => None,
            }
            .unwrap_or_else(unknown);
        }
        let Some(object) = call.child_by_field_id(FIELDS.object) else {
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
    pub(super) fn declared_class(&self, ty: Node) -> Option<Arc<str>> {
        let mut node = ty;
        loop {
            match node.kind_name() {
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
                if inner.kind_name() == "array_creation_expression" {
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
        expand_format(&format, split_format, |directive, at, next| {
            let idx = directive.position.unwrap_or_else(|| {
                *next += 1;
                *next - 1
            });
            match arg_values.get(idx) {
                Some((value, span)) if directive.numeric => Value::single(Piece::Hole(Hole {
                    span: *span,
                    known: None,
                    taint: escaped(value.taints()).into(),
                    expr: HoleExpr::Opaque(format!("(int) {}", hole_label(value)).into()),
                })),
                Some((value, _)) => value.clone(),
                None => Value::single(Piece::Hole(Hole {
                    taint: Default::default(),
                    known: None,
                    span: if array_arg.is_some() {
                        fallback_span
                    } else {
                        Span::new(at.start(), at.start() + at.range.len())
                    },
                    expr: HoleExpr::Opaque(at.written().into()),
                })),
            }
        })
    }

    pub(super) fn record_const(&mut self, path: String, value: &Value) {
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
                path: path.into(),
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
                path: path.as_str().into(),
                value: pieces,
                function,
            });
        }
        if value.variants.is_empty() {
            self.facts.consts.push(ConstDef {
                path: path.into(),
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
            }) => match &taint[..] {
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
    fn record_const_call(&mut self, callee: &FnKey, args: &[Value]) {
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
    pub(super) fn use_value(&mut self, value: &Value, exec: Span) {
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
            // PHP applications of this kind talk to MySQL; values are interpolated into the
            // text (prepared-statement parameters are recorded as tenant uses).
            dialect: Dialect::MySql,
            params: Vec::new(),
        });
    }
}

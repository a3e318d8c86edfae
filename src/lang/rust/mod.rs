//! Rust front-end: tree-sitter-rust tree → [`FileFacts`].
//!
//! Rust services write SQL as literals handed to a database crate (`sqlx::query("…")`,
//! `sqlx::query!("…", a)`, `client.query("…", &[&a])`, `conn.execute("…", params![a])`), or build
//! it with `format!`, `+`, `push_str` and `if`/`match` arms. Each function body (and the
//! file's `const`/`static` items) is interpreted abstractly with the language-neutral values and
//! environments of [`crate::lang::value`] and [`crate::lang::env`]: every variable holds the set
//! of ways its text may be built on the paths reaching a point, branches fork the environment
//! and joins merge it. A query becomes a [`crate::facts::SqlSite`] where a database crate
//! receives it (with the values bound to its parameters and the dialect), and any string that is
//! SQL by content becomes one where it is passed to a call, returned or stored, so that a
//! project's own wrappers are covered.
//!
//! Macro arguments are token trees in the syntax tree; the arguments of the macros that matter
//! (`format!`, `write!`, `concat!`, sqlx's `query!` family, `params!`, and any macro whose
//! arguments may hold a query call such as `tokio::try_join!`) are parsed again as a tuple
//! expression, over the same source bytes, so their spans stay the file's.
//!
//! The lowering is one `Lowerer`, its methods spread by what they walk: `items` (functions,
//! `impl` blocks, constants), `statements` (blocks, `let`, `if`, `match`, loops), `expressions`
//! (strings, variables, `+`), `calls` (calls, method chains and the database crates' entry
//! points) and `macros` (`format!` and friends, sqlx's macros). `names` is the byte scan for the
//! functions a project defines, `suppressions` the suppression comments. This folder is the only
//! code that knows tree-sitter-rust node kinds.

mod calls;
mod expressions;
mod items;
mod macros;
mod names;
mod statements;
mod suppressions;
mod taint;
#[cfg(test)]
mod taint_tests;
#[cfg(test)]
mod tests;

pub use names::rust_project_names;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use tree_sitter::Node;

use crate::facts::{
    BoundParam, Dialect, FileFacts, FnKey, Hole, HoleExpr, ParamMarker, Piece, Span, SqlSite,
    Taint, Template,
};
use crate::lang::env::{Env, VarState};
use crate::lang::value::{starts_with_sql_verb, Value};

/// [`Node::kind`], read from a table (see [`crate::lang::KindNames`]).
pub(crate) trait RustKind<'t> {
    fn kind_name(&self) -> &'t str;
}

impl<'t> RustKind<'t> for Node<'t> {
    #[inline]
    fn kind_name(&self) -> &'t str {
        static NAMES: crate::lang::KindNames = crate::lang::KindNames::new();
        NAMES
            .of(self, || tree_sitter_rust::LANGUAGE.into())
            .unwrap_or_else(|| self.kind())
    }
}

/// Expressions nested deeper than this are treated as opaque values rather than walked, so a
/// pathological file cannot overflow the stack.
const MAX_DEPTH: usize = 256;

/// A tree-sitter parser for Rust, or `None` if the grammar cannot be loaded.
pub fn rust_parser() -> Option<tree_sitter::Parser> {
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_rust::LANGUAGE.into())
        .ok()?;
    Some(parser)
}

/// Parse Rust source and lower it to facts. `parser` must have the Rust language set.
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
        options,
        facts: FileFacts {
            parse_errors: root.has_error(),
            ..FileFacts::default()
        },
        depth: 0,
        depth_reported: false,
        function: None,
        impl_type: None,
        params: Vec::new(),
        defs: Vec::new(),
        consts: HashMap::new(),
        conditions: HashMap::new(),
        branch_spans: HashSet::new(),
        dialect: file_dialect(src),
        sub_parser: None,
        builders: HashMap::new(),
        separated: HashMap::new(),
        breaks: Vec::new(),
        scopes: Vec::new(),
        returns: Vec::new(),
        param_checked: None,
        extractors: HashSet::new(),
        lookups: HashMap::new(),
        last_lookup: None,
        err_tails: HashSet::new(),
    };
    lowerer.file_constants(root);
    lowerer.items(root);
    lowerer.flush_consts();
    if memchr::memmem::find(src.as_bytes(), crate::suppress::MARKER.as_bytes()).is_some() {
        lowerer.facts.suppressions = suppressions::suppression_comments(root, src);
    }
    lowerer.facts
}

/// The dialect a file's queries are written in, by what it names: MySQL where it uses sqlx's
/// or sea-orm's MySQL types, SQLite where it uses rusqlite or sqlx's SQLite types, PostgreSQL
/// otherwise (sqlx, tokio-postgres and diesel services mostly talk to PostgreSQL).
fn file_dialect(src: &str) -> Dialect {
    let has = |needle: &str| memchr::memmem::find(src.as_bytes(), needle.as_bytes()).is_some();
    if has("MySql") || has("mysql::") {
        Dialect::MySql
    } else if has("rusqlite") || has("Sqlite") {
        Dialect::Sqlite
    } else {
        Dialect::Postgres
    }
}

/// The marker of the `index`-th (0-based) value bound to a query in `dialect`: `$n` in
/// PostgreSQL, the n-th `?` elsewhere.
fn marker(dialect: Dialect, index: usize) -> ParamMarker {
    match dialect {
        Dialect::Postgres => ParamMarker::Numbered(index as u32 + 1),
        Dialect::MySql | Dialect::Sqlite => ParamMarker::Ordered(index as u32),
    }
}

/// The Rust front-end.
pub struct Rust;

impl super::Frontend for Rust {
    fn name(&self) -> &'static str {
        "Rust"
    }

    fn parser(&self) -> Option<tree_sitter::Parser> {
        rust_parser()
    }

    fn project_names(&self, source: &[u8]) -> super::ProjectNames {
        rust_project_names(source)
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

/// A `let` of a query, remembered so that a query stored and never read is still analysed.
struct Def {
    span: Span,
    value: Value,
    consumed: bool,
}

/// A file-level `const` or `static` string: its value, and whether a query of it was used.
struct ConstEntry {
    span: Span,
    value: Value,
    consumed: bool,
}

/// What a `QueryBuilder` variable has been given beyond its text: the values bound with
/// `push_bind`.
#[derive(Clone, Default)]
struct Builder {
    params: Vec<BoundParam>,
}

/// The variables a block declared, each with what it held before (restored on leaving).
type Scope = Vec<(Arc<str>, Option<Arc<VarState>>)>;

struct Lowerer<'s> {
    src: &'s str,
    options: &'s super::FrontendOptions,
    facts: FileFacts,
    depth: usize,
    /// The nesting limit was hit (reported once per file).
    depth_reported: bool,
    /// The function or method being lowered.
    function: Option<FnKey>,
    /// The type whose `impl` block is being lowered (`Self`).
    impl_type: Option<String>,
    /// Parameter names of the current function, in order.
    params: Vec<Arc<str>>,
    defs: Vec<Def>,
    /// File-level constants by the names code reads them by (`TABLE`, `Repo::TABLE`).
    consts: HashMap<String, ConstEntry>,
    /// Interned condition texts, for correlating `if`s on the same condition.
    conditions: HashMap<String, u32>,
    /// Branch arms already recorded.
    branch_spans: HashSet<(usize, usize)>,
    /// The file's dialect ([`file_dialect`]).
    dialect: Dialect,
    /// A second parser for macro arguments, created when first needed.
    sub_parser: Option<Option<tree_sitter::Parser>>,
    /// `QueryBuilder` variables of the current function.
    builders: HashMap<Arc<str>, Builder>,
    /// `let s = qb.separated(", ")` variables: the builder they write to, the separator, and
    /// whether nothing was pushed through them yet.
    separated: HashMap<Arc<str>, (Arc<str>, Value, bool)>,
    /// For each loop being lowered, the environments at its `break`s.
    breaks: Vec<Vec<Env>>,
    /// For each block being lowered, the variables it declared and what they held before.
    scopes: Vec<Scope>,
    /// Taints of the values the current function returns.
    returns: Vec<Taint>,
    /// For each parameter of the current function, whether it was checked on every exit that
    /// is not an `Err` seen so far.
    param_checked: Option<Vec<bool>>,
    /// Variables of the current function holding a request extractor (`Query(q)`): their
    /// field named like the tenant parameter is a read of it.
    extractors: HashSet<Arc<str>>,
    /// Variables holding the result of a query, with the values bound to it (as written): a
    /// check of the result checks them.
    lookups: HashMap<Arc<str>, Vec<String>>,
    /// The values bound to the queries run since it was last reset (for [`Lowerer::lookups`]).
    last_lookup: Option<Vec<String>>,
    /// Tail expressions (node ids) that return `Err(…)` from the current function: the path
    /// that reaches one leaves with an error.
    err_tails: HashSet<usize>,
}

fn span_of(n: Node) -> Span {
    Span::new(n.start_byte(), n.end_byte())
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

impl<'s> Lowerer<'s> {
    fn text(&self, n: Node) -> &'s str {
        self.src.get(n.start_byte()..n.end_byte()).unwrap_or("")
    }

    /// A value not known here, named by its source text.
    fn opaque(&self, n: Node) -> Value {
        self.opaque_at(span_of(n), self.text(n))
    }

    fn opaque_at(&self, span: Span, text: &str) -> Value {
        let mut label: String = text.chars().take(80).collect();
        if label.len() < text.len() {
            label.push('…');
        }
        Value::single(Piece::Hole(Hole::new(span, HoleExpr::Opaque(label.into()))))
    }

    /// An opaque value that carries taint.
    fn opaque_tainted(&self, span: Span, text: &str, taint: Vec<Taint>) -> Value {
        let mut v = self.opaque_at(span, text);
        if let Some(Piece::Hole(h)) = v.variants.first_mut().and_then(|t| t.pieces.first_mut()) {
            h.taint = taint.into();
        }
        v
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

    /// A value handed to a call, returned or stored: if it is a query by its text, it is a
    /// SQL site.
    fn use_value(&mut self, value: &Value, exec: Span) {
        self.use_value_with(value, exec, self.dialect, Vec::new());
    }

    fn use_value_with(
        &mut self,
        value: &Value,
        exec: Span,
        dialect: Dialect,
        params: Vec<BoundParam>,
    ) {
        let variants: Vec<Template> = value
            .variants
            .iter()
            .filter(|v| starts_with_sql_verb(&v.pieces))
            .map(|v| v.pieces.clone())
            .collect();
        if variants.is_empty() {
            return;
        }
        self.push_site(exec, variants, value.capped, dialect, params);
    }

    /// A value a database crate receives as a query: a SQL site whatever its text looks like
    /// (the analysis skips what does not parse as SQL). A variant that is only a constant of
    /// another file is left to that constant's own site.
    fn query_site(&mut self, value: &Value, exec: Span, dialect: Dialect, params: Vec<BoundParam>) {
        let variants: Vec<Template> = value
            .variants
            .iter()
            .filter(|v| {
                !matches!(
                    v.pieces.as_slice(),
                    [Piece::Hole(Hole {
                        expr: HoleExpr::Path(_),
                        known: None,
                        ..
                    })] | []
                )
            })
            .map(|v| v.pieces.clone())
            .collect();
        if variants.is_empty() {
            return;
        }
        self.push_site(exec, variants, value.capped, dialect, params);
    }

    fn push_site(
        &mut self,
        exec: Span,
        variants: Vec<Template>,
        capped: bool,
        dialect: Dialect,
        params: Vec<BoundParam>,
    ) {
        if !params.is_empty() {
            let bound = params
                .iter()
                .map(|p| p.value.expr.display().split_whitespace().collect())
                .collect();
            self.last_lookup = Some(bound);
        }
        for p in &params {
            // A bound value is not SQL text, but it is a tenant use.
            let hole = &p.value;
            if hole
                .taint
                .iter()
                .any(crate::lang::value::may_carry_tenant_param)
            {
                for taint in &hole.taint {
                    if crate::lang::value::may_carry_tenant_param(taint) {
                        self.facts.tenant_uses.push(crate::facts::TenantUse {
                            taint: taint.clone(),
                            span: hole.span,
                            what: "bound as a SQL parameter".into(),
                        });
                    }
                }
            }
        }
        self.facts.sites.push(SqlSite {
            exec,
            variants,
            capped,
            function: self.function.clone(),
            dialect,
            params,
        });
    }

    /// A bound parameter: the value's expression at `span`.
    fn bound(&self, marker: ParamMarker, value: &Value, n: Node) -> BoundParam {
        let mut n = n;
        while n.kind_name() == "reference_expression" {
            match n.child_by_field_name("value") {
                Some(v) => n = v,
                None => break,
            }
        }
        let mut hole = Hole::new(
            span_of(n),
            HoleExpr::Opaque(collapse_whitespace(self.text(n), 80).into()),
        );
        hole.taint = value.taints().into();
        BoundParam {
            marker,
            value: hole,
        }
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

    /// A constant query never used in this file: analysed where it is defined (a use in
    /// another file reaches it by name).
    fn flush_consts(&mut self) {
        let mut unused: Vec<(Span, Value)> = self
            .consts
            .values()
            .filter(|c| !c.consumed)
            .map(|c| (c.span, c.value.clone()))
            .collect();
        unused.sort_by_key(|(span, _)| *span);
        for (span, value) in unused {
            self.use_value(&value, span);
        }
    }

    /// Remember that `body` runs only under `conditions` (once per arm).
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

    /// A condition as written, for messages.
    fn condition_text(&self, n: Node) -> Arc<str> {
        collapse_whitespace(self.text(n), 60).into()
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
        while let Some(inner) = text.strip_prefix('!') {
            if inner.starts_with('=') {
                break;
            }
            positive = !positive;
            text = inner.to_string();
        }
        let next = self.conditions.len() as u32;
        (*self.conditions.entry(text).or_insert(next), positive)
    }

    /// Whether a callee key may name a function or method defined in the project.
    fn is_project_call(&mut self, callee: &FnKey) -> bool {
        super::ask_project_call(
            self.options.project_functions.as_deref(),
            callee,
            &mut self.facts.names_asked,
        )
    }
}

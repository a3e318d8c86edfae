//! PHP front-end: tree-sitter-php tree → [`FileFacts`].
//!
//! SQL in legacy PHP is rarely one literal: it is assembled from interpolated strings,
//! concatenations, `.=` appends under `if`, heredocs, `sprintf` formats and *fragment variables*
//! (`$sql_common`, `$sql_search`) that hold pieces of SQL text. This module interprets each
//! function body (and the file's top level) abstractly: every variable holds the set of templates
//! it may contain on the paths reaching a point (branches fork the environment, joins merge it).
//! A string whose text starts with a SQL verb becomes a [`SqlSite`](crate::facts::SqlSite) where it is used: passed to a
//! call, returned, or stored and never read again. Each variant of the query is kept, so a
//! predicate appended on one path only does not hide the other paths.
//!
//! This module and its submodules are the only code that knows tree-sitter-php node kinds.
//!
//! The lowering is one `Lowerer`, its methods spread by what they walk: `statements` (blocks,
//! declarations, `if`, `switch`, loops, `try`), `conditions` (what a condition proves),
//! `expressions` (strings, variable paths, assignments) and `calls` (built-ins, project calls,
//! `sprintf`, SQL sites). `builtins` holds what is known of PHP's own functions, `names` the byte
//! scan for the functions a project defines, `suppressions` the suppression comments. The values
//! and environments the lowering interprets with are language-neutral: `crate::lang::value` and
//! `crate::lang::env`.

mod builtins;
mod calls;
mod conditions;
mod expressions;
mod names;
mod statements;
mod suppressions;
#[cfg(test)]
mod tests;

pub use crate::lang::value::starts_with_sql_verb;
pub use names::php_project_names;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use tree_sitter::Node;

use crate::facts::{FileFacts, FnKey, Hole, HoleExpr, Piece, Span, Taint};
use crate::lang::env::{ArrayLiteral, Env};
use crate::lang::value::{may_carry_tenant_param, Value};
use suppressions::suppression_comments;

/// [`Node::kind`], read from a table (see [`crate::lang::KindNames`]).
pub(crate) trait PhpKind<'t> {
    fn kind_name(&self) -> &'t str;
}

impl<'t> PhpKind<'t> for Node<'t> {
    #[inline]
    fn kind_name(&self) -> &'t str {
        static NAMES: crate::lang::KindNames = crate::lang::KindNames::new();
        NAMES
            .of(self, || tree_sitter_php::LANGUAGE_PHP.into())
            .unwrap_or_else(|| self.kind())
    }
}

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
        php_project_names(source)
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
    function: Option<FnKey>,
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

/// The ids of the PHP grammar's fields the lowering reads, looked up once:
/// `child_by_field_name` compares the name with the grammar's field names at every call.
pub(super) struct Fields {
    pub(super) alternative: u16,
    pub(super) arguments: u16,
    pub(super) body: u16,
    pub(super) condition: u16,
    pub(super) default_value: u16,
    pub(super) function: u16,
    pub(super) left: u16,
    pub(super) name: u16,
    pub(super) object: u16,
    pub(super) operator: u16,
    pub(super) parameters: u16,
    pub(super) right: u16,
    pub(super) scope: u16,
    pub(super) type_: u16,
    pub(super) value: u16,
}

/// The PHP grammar's field ids ([`Fields`]); a name the grammar lacks is 0, which no child has.
pub(super) static FIELDS: std::sync::LazyLock<Fields> = std::sync::LazyLock::new(|| {
    let language: tree_sitter::Language = tree_sitter_php::LANGUAGE_PHP.into();
    let id = |name: &str| language.field_id_for_name(name).map_or(0, |id| id.get());
    Fields {
        alternative: id("alternative"),
        arguments: id("arguments"),
        body: id("body"),
        condition: id("condition"),
        default_value: id("default_value"),
        function: id("function"),
        left: id("left"),
        name: id("name"),
        object: id("object"),
        operator: id("operator"),
        parameters: id("parameters"),
        right: id("right"),
        scope: id("scope"),
        type_: id("type"),
        value: id("value"),
    }
});

fn span_of(n: Node) -> Span {
    Span::new(n.start_byte(), n.end_byte())
}

impl<'s> Lowerer<'s> {
    /// A binary or assignment node's operator (empty when missing) and its two sides, when
    /// both are there.
    pub(super) fn operator_and_sides<'t>(
        &self,
        n: Node<'t>,
    ) -> (&'s str, Option<(Node<'t>, Node<'t>)>) {
        let op = n
            .child_by_field_id(FIELDS.operator)
            .map(|o| self.text(o))
            .unwrap_or("");
        let sides = n
            .child_by_field_id(FIELDS.left)
            .zip(n.child_by_field_id(FIELDS.right));
        (op, sides)
    }

    pub(super) fn text(&self, n: Node) -> &'s str {
        self.src.get(n.start_byte()..n.end_byte()).unwrap_or("")
    }

    pub(super) fn opaque(&self, n: Node) -> Value {
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
    pub(super) fn opaque_tainted(&self, n: Node, taint: Vec<Taint>) -> Value {
        let mut v = self.opaque(n);
        if let Some(Piece::Hole(h)) = v.variants.first_mut().and_then(|t| t.pieces.first_mut()) {
            h.taint = taint.into();
        }
        v
    }

    /// Bounded recursion: past [`MAX_DEPTH`], a pathological nesting is reported (once per
    /// file) and not walked, rather than overflowing the stack.
    pub(super) fn too_deep(&mut self, n: Node, what: &str) -> bool {
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

    /// A query stored in a variable and never read is still a query: analyse it where it was
    /// assigned.
    pub(super) fn flush_defs(&mut self) {
        for def in std::mem::take(&mut self.defs) {
            if !def.consumed {
                self.use_value(&def.value, def.span);
            }
        }
    }

    /// Whether a callee key may name a function or method defined in the project.
    pub(super) fn is_project_call(&mut self, callee: &FnKey) -> bool {
        super::ask_project_call(
            self.options.project_functions.as_deref(),
            callee,
            &mut self.facts.names_asked,
        )
    }

    /// The value of a local variable on a path where this function never assigned it: `""`,
    /// unless the function ran something that may set any variable.
    pub(super) fn unassigned_local(&self, n: Node) -> Value {
        if self.dynamic_scope {
            self.opaque(n)
        } else {
            Value::empty_string()
        }
    }

    /// A variable of the current scope (not a superglobal, `$this`, a property, a constant, or
    /// a `global`/`static` variable).
    pub(super) fn is_local_name(&self, path: &str) -> bool {
        let base = path.split(['[', '-']).next().unwrap_or(path);
        path.starts_with('$')
            && !path.contains("->")
            && !path.contains("::")
            && !base.starts_with("$_")
            && !matches!(base, "$GLOBALS" | "$this")
            && !self.shared_vars.iter().any(|g| &**g == base)
    }

    /// Remember that the file scope assigns a variable.
    pub(super) fn note_assigned(&mut self, path: &str) {
        if self.in_function || !path.starts_with('$') {
            return;
        }
        let base = path.split(['[', '-']).next().unwrap_or(path);
        if !self.file_vars.contains(base) {
            self.file_vars.insert(base.to_string());
        }
    }

    /// Something that may set any variable of the current scope.
    pub(super) fn note_dynamic(&mut self, at: usize, what: &str) {
        if self.in_function {
            self.dynamic_scope = true;
        } else if self.facts.dynamic_defs.len() < 16 {
            self.facts.dynamic_defs.push((at, what.to_string()));
        }
    }

    /// Remember the parents of a path stored in an environment (`$a` and `$a['b']` for
    /// `$a['b']['c']`), for [`invalidate_children`](expressions::invalidate_children).
    pub(super) fn note_parents(&mut self, path: &str) {
        for (i, _) in path.match_indices(['[', '-']) {
            let boundary = path[i..].starts_with('[') || path[i..].starts_with("->");
            if boundary && !self.parent_paths.contains(&path[..i]) {
                self.parent_paths.insert(path[..i].to_string());
            }
        }
    }

    /// Storage beyond a plain variable: array elements, properties, `$GLOBALS`, `$_SESSION`,
    /// `global` and `static` variables.
    pub(super) fn is_storage(&self, path: &str) -> bool {
        path.contains('[')
            || path.contains("->")
            || path.contains("::")
            || self.shared_vars.iter().any(|g| &**g == path)
    }

    /// A value used as a tenant at `span`: any tenant request parameter it may carry.
    pub(super) fn record_uses(&mut self, value: &Value, span: Span, what: impl Fn() -> String) {
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
    pub(super) fn note_exit(&mut self, env: &Env) {
        if !self.in_function {
            return;
        }
        let before = self.param_checked.take();
        self.param_checked = Some(crate::lang::env::checked_at_exit(&self.params, env, before));
    }
}

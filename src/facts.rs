//! The language-neutral facts a front-end extracts from one source file.
//!
//! Front-ends (`crate::lang`) are the only code that knows tree-sitter node kinds; everything
//! after them works on these types.

use std::fmt;
use std::sync::Arc;

pub use crate::names::VarPath;

/// A byte range in one source file.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(span: Span) -> Self {
        miette::SourceSpan::new(span.start.into(), span.len())
    }
}

/// One piece of a SQL template: literal text written in the source, or a hole.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Piece {
    /// Literal SQL text. `src` is the byte offset of its first character in the source file;
    /// when `linear` is true, the n-th byte of `text` sits at `src + n` (no escape sequences).
    Text {
        text: Arc<str>,
        src: usize,
        linear: bool,
    },
    /// An interpolated value or expression whose text is not known in this file.
    Hole(Hole),
}

/// An interpolated expression inside SQL text.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Hole {
    /// Where the expression is written in the source.
    pub span: Span,
    pub expr: HoleExpr,
    /// Where the value may come from, when that matters to a rule (request host, tenant
    /// parameter, a function parameter for summaries).
    pub taint: Taints,
    /// The text the expression holds, when this file's own assignments tell (`$t = "iw_"
    /// . "member"`): used for table names before project-wide folding.
    pub known: Option<std::sync::Arc<str>>,
}

impl Hole {
    pub fn new(span: Span, expr: HoleExpr) -> Self {
        Hole {
            span,
            expr,
            taint: Taints::default(),
            known: None,
        }
    }
}

/// The taints of a hole: shared between the copies of a value (values are copied at every
/// read of a variable) and copied only when one of them changes; no allocation when empty.
#[derive(Clone, Default)]
pub struct Taints(Option<Arc<Vec<Taint>>>);

// Equal as the taints they hold, however held.
impl PartialEq for Taints {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for Taints {}

impl std::hash::Hash for Taints {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (**self).hash(state);
    }
}

impl Taints {
    /// The taints, to change (copied first if shared).
    pub fn make_mut(&mut self) -> &mut Vec<Taint> {
        Arc::make_mut(self.0.get_or_insert_with(Default::default))
    }

    /// Add a taint.
    pub fn push(&mut self, taint: Taint) {
        self.make_mut().push(taint);
    }

    /// Keep the taints `keep` accepts.
    pub fn retain(&mut self, keep: impl FnMut(&Taint) -> bool) {
        if self.0.is_some() {
            self.make_mut().retain(keep);
            if self.0.as_ref().is_some_and(|t| t.is_empty()) {
                self.0 = None;
            }
        }
    }
}

impl std::ops::Deref for Taints {
    type Target = [Taint];
    fn deref(&self) -> &[Taint] {
        self.0.as_deref().map_or(&[], Vec::as_slice)
    }
}

impl From<Vec<Taint>> for Taints {
    fn from(taints: Vec<Taint>) -> Self {
        if taints.is_empty() {
            Taints(None)
        } else {
            Taints(Some(Arc::new(taints)))
        }
    }
}

impl<'a> IntoIterator for &'a Taints {
    type Item = &'a Taint;
    type IntoIter = std::slice::Iter<'a, Taint>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl fmt::Debug for Taints {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl serde::Serialize for Taints {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> serde::Deserialize<'de> for Taints {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Vec::<Taint>::deserialize(deserializer).map(Taints::from)
    }
}

/// Which request-derived value a taint tracks.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum TaintKind {
    /// The request host (`$_SERVER['HTTP_HOST']` …): TL003.
    Host,
    /// The tenant request parameter (`$_GET['ep']` …): TL004.
    TenantParam,
}

/// One way a value may derive from a tracked origin, with the steps it went through.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Taint {
    pub origin: TaintOrigin,
    /// Assignments and calls the value passed through, in order (for trace labels).
    pub steps: Vec<Span>,
    /// Passed through SQL escaping or a numeric conversion: harmless in SQL text (TL003),
    /// but still the same tenant value (TL004: escaping is not a check).
    pub escaped: bool,
    /// Calls the value was passed to before this point, as `(callee, argument index)`: if
    /// one of them is a project function that checks that parameter, the value is checked.
    pub guards: Vec<(FnKey, u32)>,
}

impl Taint {
    /// Whether the value may be one of its function's parameters: a parameter, or what a call
    /// returns of its argument when that argument may be one. What the project pass decides
    /// of the calls on the way (whether they return their argument) can only rule more out.
    pub fn may_come_from_a_param(&self) -> bool {
        let mut taint = self;
        loop {
            match &taint.origin {
                TaintOrigin::Param(_) => return true,
                TaintOrigin::Call {
                    arg: Some(_),
                    inner: Some(inner),
                    ..
                } => taint = inner,
                _ => return false,
            }
        }
    }

    /// Whether the value may be read from the request: a read, what a call returns of its own,
    /// or what a call returns of its argument when that argument may be one. A parameter is
    /// not: its callers' values are traced at the calls.
    pub fn may_come_from_a_request(&self) -> bool {
        let mut taint = self;
        loop {
            match &taint.origin {
                TaintOrigin::Source { .. } | TaintOrigin::Call { arg: None, .. } => return true,
                TaintOrigin::Call {
                    arg: Some(_),
                    inner: Some(inner),
                    ..
                } => taint = inner,
                _ => return false,
            }
        }
    }

    pub fn new(origin: TaintOrigin) -> Self {
        Taint {
            origin,
            steps: Vec::new(),
            escaped: false,
            guards: Vec::new(),
        }
    }
}

/// Where a tainted value starts.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum TaintOrigin {
    /// A read of a tracked request value.
    Source { kind: TaintKind, span: Span },
    /// Parameter `index` of the enclosing function: decided by its callers (summaries).
    Param(u32),
    /// The return value of a call to `callee`: tainted when the callee returns a tracked value
    /// of its own (`arg: None`), or returns its parameter `arg` and `inner` is tainted.
    Call {
        callee: FnKey,
        arg: Option<u32>,
        inner: Option<Box<Taint>>,
    },
}

/// What an interpolated expression is.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum HoleExpr {
    /// A name whose value may be known project-wide: a variable, an array element with constant
    /// keys, a property or a constant, in canonical form (`$iw['member_table']`, `DB_PREFIX`).
    Path(VarPath),
    /// Anything else (a call, an expression with a variable key, a parameter bound at run time);
    /// the string is the source text, for messages.
    Opaque(Arc<str>),
    /// A file-scope variable (canonical path) that is not assigned on this path: PHP reads it
    /// as `""` unless something that runs before the read may set it (an included file,
    /// `extract()`…), which the project pass decides ([`crate::include`]).
    Unassigned(VarPath),
}

impl HoleExpr {
    pub fn display(&self) -> &str {
        match self {
            HoleExpr::Path(p) | HoleExpr::Unassigned(p) => p,
            HoleExpr::Opaque(p) => p,
        }
    }
}

/// One way a query may be built: literal text and holes in order.
pub type Template = Vec<Piece>;

/// A place where a SQL string is used: passed to a call, returned, or stored and never read.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct SqlSite {
    /// The call (or statement) that runs or hands on the query.
    pub exec: Span,
    /// Every way the query text may be built on the paths reaching the use.
    pub variants: Vec<Template>,
    /// True when more paths existed than the front-end keeps; the variants are a subset.
    pub capped: bool,
    /// The function the site is in, for summaries.
    pub function: Option<FnKey>,
    /// The SQL dialect the query is written in: how its text is quoted and parsed.
    pub dialect: Dialect,
    /// Values the driver binds to the query's parameters (`$1`, `?`, `:name`) rather than
    /// text interpolated into it (the holes of the variants): safe in SQL text, but still a
    /// tenant use.
    pub params: Vec<BoundParam>,
}

/// A SQL dialect, as far as the analysis tells them apart.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Dialect {
    /// MySQL and MariaDB: `"…"` and `'…'` are strings, `` `…` `` an identifier.
    #[default]
    MySql,
    /// PostgreSQL: `"…"` is an identifier, `$1` a parameter.
    Postgres,
    /// SQLite: `"…"` is an identifier, `?`, `?1`, `:name` parameters.
    Sqlite,
}

/// A value bound to a query parameter.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct BoundParam {
    /// Which parameter it binds.
    pub marker: ParamMarker,
    /// The value: where it is written and what it may derive from.
    pub value: Hole,
}

/// How a bound value finds its parameter.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ParamMarker {
    /// By number: `$1`, `?1` (1-based).
    Numbered(u32),
    /// By order: the n-th `?` (0-based).
    Ordered(u32),
    /// By name: `:name`, `@name`.
    Named(Arc<str>),
}

/// Which function a definition is, or a call may run: the key summaries are found by.
///
/// Names follow the front-end's case rule (PHP: lower-case, since PHP names are
/// case-insensitive; the class is its last namespace segment). One pointer wide: facts hold
/// many keys.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct FnKey(Arc<FnKeyParts>);

#[derive(Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
struct FnKeyParts {
    owner: FnOwner,
    name: Arc<str>,
}

/// What a function belongs to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum FnOwner {
    /// A free function.
    #[default]
    Free,
    /// A method of this class (or of a class or trait it takes methods from).
    Class(Arc<str>),
    /// A method of a class the front-end cannot tell: a call may run any method of this name.
    AnyClass,
}

impl FnKey {
    fn new(owner: FnOwner, name: Arc<str>) -> FnKey {
        FnKey(Arc::new(FnKeyParts { owner, name }))
    }

    /// The free function `name`.
    pub fn function(name: impl Into<Arc<str>>) -> FnKey {
        FnKey::new(FnOwner::Free, name.into())
    }

    /// The method `name` of `class`.
    pub fn method(class: impl Into<Arc<str>>, name: impl Into<Arc<str>>) -> FnKey {
        FnKey::new(FnOwner::Class(class.into()), name.into())
    }

    /// A method `name` of a class that is not known.
    pub fn any_method(name: impl Into<Arc<str>>) -> FnKey {
        FnKey::new(FnOwner::AnyClass, name.into())
    }

    /// What the function belongs to.
    pub fn owner(&self) -> &FnOwner {
        &self.0.owner
    }

    /// The function's own name.
    pub fn name(&self) -> &Arc<str> {
        &self.0.name
    }

    /// Whether this is a method (of a known class or not).
    pub fn is_method(&self) -> bool {
        !matches!(self.owner(), FnOwner::Free)
    }

    /// The key as users read it in messages: `f`, `cls::m`, `->m` for a method of an unknown
    /// class.
    pub fn display(&self) -> String {
        match self.owner() {
            FnOwner::AnyClass => format!("->{}", self.name()),
            _ => self.to_string(),
        }
    }
}

/// `f`, `cls::m` or `*::m`.
impl fmt::Display for FnKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.owner() {
            FnOwner::Free => f.write_str(self.name()),
            FnOwner::Class(class) => write!(f, "{class}::{}", self.name()),
            FnOwner::AnyClass => write!(f, "*::{}", self.name()),
        }
    }
}

/// A key spelt as [`fmt::Display`] writes it (`f`, `cls::m`, `*::m`).
impl From<&str> for FnKey {
    fn from(spelt: &str) -> FnKey {
        match spelt.split_once("::") {
            None => FnKey::function(spelt),
            Some(("*", name)) => FnKey::any_method(name),
            Some((class, name)) => FnKey::method(class, name),
        }
    }
}

/// Ordered as the keys are spelt ([`fmt::Display`]), so that lists of definitions come out in
/// the same order whatever built them.
impl Ord for FnKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.to_string().cmp(&other.to_string())
    }
}

impl PartialOrd for FnKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// A piece of a constant definition, for project-wide constant folding.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum FoldPiece {
    Text(String),
    /// A reference to another path (`$iw['table_prefix']`, `G5_TABLE_PREFIX`).
    Ref(VarPath),
    /// A value that cannot be known statically.
    Opaque,
    /// Parameter `index` of the function the definition is in ([`ConstDef::function`]): its
    /// value is what the project's callers pass ([`ConstCall`]).
    Param(u32),
}

impl FoldPiece {
    /// A piece of a template as a fold piece: literal and known text, a reference to a path,
    /// or a value that cannot be known statically.
    pub fn of(piece: &Piece) -> FoldPiece {
        match piece {
            Piece::Text { text, .. }
            | Piece::Hole(Hole {
                known: Some(text), ..
            }) => FoldPiece::Text(text.to_string()),
            Piece::Hole(Hole {
                expr: HoleExpr::Path(p),
                ..
            }) => FoldPiece::Ref(p.clone()),
            Piece::Hole(_) => FoldPiece::Opaque,
        }
    }
}

/// `path = value` as found in the source (`define('X', …)`, `$iw['x_table'] = …`).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct ConstDef {
    pub path: VarPath,
    pub value: Vec<FoldPiece>,
    /// The function the definition is in, named as in [`FunctionSummary::name`], when its value
    /// uses a parameter ([`FoldPiece::Param`]).
    pub function: Option<FnKey>,
}

/// A call to a project function with an argument that folds (literal text, references to
/// constants): binds the parameters of definitions in that function (`defineTables(PREFIX)`).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct ConstCall {
    /// The function called, spelt as in [`CallFact::callee`].
    pub callee: FnKey,
    /// For each argument, every way it may be built; empty when it does not fold.
    pub args: Vec<Vec<Vec<FoldPiece>>>,
}

/// A call whose arguments carry taint: for sinks and checks inside project functions.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct CallFact {
    /// The callee: a free function, a method of a known class, or a method of a class the
    /// front-end cannot tell.
    pub callee: FnKey,
    pub span: Span,
    /// For each argument, the holes of its value that carry taint.
    pub args: Vec<Vec<Hole>>,
    /// The function this call is made in, if any (for transitive summaries).
    pub in_function: Option<FnKey>,
}

/// A call passing text that may be a SQL fragment to a project function.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct FragmentCall {
    /// The callee's key, as in [`CallFact::callee`].
    pub callee: FnKey,
    /// For each argument, its variants.
    pub args: Vec<Vec<Template>>,
}

/// `function f($a, $order = ' order by id ')`: parameter 1 of `f` defaults to that text.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct ParamDefault {
    pub function: FnKey,
    pub index: u32,
    pub value: Vec<Template>,
}

/// What one project function does with its parameters and returns.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct FunctionSummary {
    /// The function or method (see [`crate::taint::Summaries::targets`] for how calls find
    /// it).
    pub name: FnKey,
    /// Taints of every returned value.
    pub returns: Vec<Taint>,
    /// Parameters compared with another value, leaving on mismatch, on every path (TL004).
    pub checked_params: Vec<u32>,
}

/// A place where a value is used as a tenant (stored beyond a plain variable, returned,
/// bound as a SQL parameter…): a tenant request parameter reaching it unchecked is TL004.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct TenantUse {
    /// The taint of the value used.
    pub taint: Taint,
    /// The use.
    pub span: Span,
    /// What the use is, for the message ("stored in `$iw['store']`").
    pub what: String,
}

/// A class, interface, trait or enum the file declares, with the classes and traits its
/// methods may come from (`extends`, `use Trait;`), all lower-case: resolves `$this->m()` and
/// `Cls::m()` to the method that runs.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ClassFact {
    pub name: String,
    pub parents: Vec<String>,
}

/// `include` / `require` (and their `_once` forms) at file scope.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct IncludeFact {
    /// Where the include is.
    pub at: usize,
    /// Its path when it is built of literal text and names that fold (`__DIR__`,
    /// `dirname(__FILE__)` and constants), `None` when it is a run-time value.
    pub path: Option<Vec<FoldPiece>>,
    /// The source text of the path expression, for messages.
    pub text: String,
}

/// A stretch of code that runs on one arm of a branch (`if`, `elseif`, `else`, a ternary's
/// arms, a `switch` case).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BranchArm {
    /// The branch statement or expression the arm belongs to (its start offset): arms with
    /// the same `group` exclude each other.
    pub group: usize,
    /// The code that runs only on this arm.
    pub body: Span,
    /// The conditions that lead to it, as written (whitespace collapsed), each with the outcome
    /// it needs: `else` after `if (a) … elseif (b)` is `[(a, false), (b, false)]`.
    pub conditions: Vec<(Arc<str>, bool)>,
}

/// A comment holding a `tenantlint-ignore` directive, and the code it applies to.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SuppressionComment {
    /// The whole comment.
    pub span: Span,
    /// The comment's text, as written.
    pub text: Arc<str>,
    /// The code a line directive applies to: its own line, the statement it ends or that
    /// starts on its line, or — on a line of its own — the next line and the statement that
    /// starts there, whole.
    pub covers: Vec<Span>,
}

/// Query text kept in a file of its own, which the source names but a front-end does not read:
/// sqlx's `query_file!("queries/x.sql", …)` or `include_str!("x.sql")`. The file's text stands
/// in the source's sites as a hole at `at`; the engine reads the file and gives the query its
/// own place ([`crate::sql_files`]).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SqlFileRef {
    /// The hole that stands for the file's text in this file's sites.
    pub at: Span,
    /// The path as written.
    pub path: Arc<str>,
    /// What the path is relative to.
    pub base: SqlFileBase,
}

/// What the path of a [`SqlFileRef`] is relative to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SqlFileBase {
    /// The crate root: the nearest directory at or above the source file that holds a
    /// `Cargo.toml` (sqlx's `query_file!`).
    CrateRoot,
    /// The directory of the source file (`include_str!`).
    SourceDir,
}

/// Everything the rules need from one file.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct FileFacts {
    /// The language the file is written in (set by the engine; `None` for SQL files and facts
    /// built by hand): for advice in the language's own terms.
    #[serde(skip)]
    pub lang: Option<crate::discover::Lang>,
    pub sites: PackedVec<SqlSite>,
    pub consts: Vec<ConstDef>,
    /// Calls to project functions whose arguments fold, for definitions that use a parameter.
    pub const_calls: PackedVec<ConstCall>,
    pub calls: PackedVec<CallFact>,
    /// Calls to project functions that pass SQL-like text, with every way each argument may be
    /// built: a fragment parameter (`function list($where)`) is analysed with what callers pass.
    pub fragment_calls: Vec<FragmentCall>,
    /// Default values of function parameters, for callers that omit them.
    pub param_defaults: Vec<ParamDefault>,
    pub functions: Vec<FunctionSummary>,
    pub tenant_uses: Vec<TenantUse>,
    pub classes: Vec<ClassFact>,
    /// `include` / `require` at file scope, in source order.
    pub includes: Vec<IncludeFact>,
    /// Variables (the base name: `$iw` for `$iw['x']`) the file assigns at file scope.
    pub file_scope_vars: Vec<String>,
    /// Statements at file scope that may set any variable (`extract()`, `$$name = …`,
    /// `parse_str()` without a result, `eval()`): where, and what.
    pub dynamic_defs: Vec<(usize, String)>,
    /// Code that runs on one arm of a branch only, with the conditions that lead there: used
    /// to say on which path a query lacks its tenant predicate.
    pub branches: Vec<BranchArm>,
    /// Comments holding `tenantlint-ignore` directives.
    pub suppressions: Vec<SuppressionComment>,
    /// Files of SQL the sites' text comes from, by the holes that stand for them.
    pub sql_files: Vec<SqlFileRef>,
    /// The tree-sitter tree had error nodes (the rest was still analysed).
    pub parse_errors: bool,
    /// Parts of the file the front-end could not analyse (nesting too deep …), with why.
    pub analysis_errors: Vec<(Span, String)>,
    /// No query site inside a function has a hole whose value may come from one of the
    /// function's parameters (set when the sites are packed): the project pass need not unpack
    /// them to find the parameters that reach SQL.
    pub no_param_sites: bool,
    /// No call inside a function passes a value that may come from one of the function's
    /// parameters (set when the calls are packed): none can pass a parameter on to SQL.
    pub no_param_calls: bool,
    /// No call passes a value that may be read from the request (set when the calls are
    /// packed): the value rules, which only ever report values traced back to a request read
    /// ([`crate::taint::Summaries::resolve`]), have nothing to look at in them.
    pub no_request_calls: bool,
    /// What lowering asked of the project's names: the facts hold for any project that gives
    /// the same answers. The result cache keeps them beside the facts, and checks them before
    /// it decodes the facts; the engine drops them then.
    #[serde(skip)]
    pub names_asked: Vec<NameAnswer>,
}

/// Whether a function (or method) name is defined in the project, as lowering a file was told.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct NameAnswer {
    pub method: bool,
    pub name: Arc<str>,
    pub defined: bool,
}

impl FileFacts {
    /// Pack the lists that are only read again by the project pass and the rules: what a file
    /// keeps after lowering, until then.
    pub fn pack(&mut self) {
        if let PackedVec::Open(sites) = &self.sites {
            self.no_param_sites = !sites.iter().any(|site| {
                site.function.is_some()
                    && site.variants.iter().flatten().any(|piece| {
                        matches!(piece, Piece::Hole(hole)
                            if hole.taint.iter().any(Taint::may_come_from_a_param))
                    })
            });
        }
        if let PackedVec::Open(calls) = &self.calls {
            self.no_param_calls = !calls.iter().any(|call| {
                call.in_function.is_some()
                    && call
                        .args
                        .iter()
                        .flatten()
                        .flat_map(|hole| &hole.taint)
                        .any(Taint::may_come_from_a_param)
            });
            self.no_request_calls = !calls
                .iter()
                .flat_map(|call| call.args.iter().flatten())
                .flat_map(|hole| &hole.taint)
                .any(Taint::may_come_from_a_request);
        }
        self.sites.pack();
        self.calls.pack();
        self.const_calls.pack();
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// A list of facts that is written while a file is lowered and then kept packed (postcard
/// bytes, some five times smaller than the values) until the project pass and the rules read
/// it: the calls a large project records outweigh everything else it keeps.
///
/// In the result cache it is stored as those bytes; [`PackedVec::verify`] checks what a cache
/// file holds before it is used.
#[derive(Clone)]
pub enum PackedVec<T> {
    /// Being written (and in facts built by hand).
    Open(Vec<T>),
    /// Packed: the postcard encoding of the values.
    Packed(Box<[u8]>),
}

impl<T> Default for PackedVec<T> {
    fn default() -> Self {
        PackedVec::Open(Vec::new())
    }
}

impl<T> From<Vec<T>> for PackedVec<T> {
    fn from(items: Vec<T>) -> Self {
        PackedVec::Open(items)
    }
}

impl<T: serde::Serialize + serde::de::DeserializeOwned + Clone> PackedVec<T> {
    /// Add a value (to a packed list, after unpacking it).
    pub fn push(&mut self, item: T) {
        self.open().push(item);
    }

    /// Add values.
    pub fn extend(&mut self, items: impl IntoIterator<Item = T>) {
        self.open().extend(items);
    }

    fn open(&mut self) -> &mut Vec<T> {
        if let PackedVec::Packed(_) = self {
            // Only lowering adds values, to lists it has not packed yet: a list packed in this
            // process always reads back.
            *self = PackedVec::Open(self.take().unwrap_or_default());
        }
        match self {
            PackedVec::Open(items) => items,
            PackedVec::Packed(_) => unreachable!("opened above"),
        }
    }

    /// The values, taken out (unpacked if packed), leaving the list empty; a packed list that
    /// cannot be read is an error and stays as it was.
    pub fn take(&mut self) -> Result<Vec<T>, postcard::Error> {
        match std::mem::take(self) {
            PackedVec::Open(items) => Ok(items),
            packed => match packed.items() {
                Ok(items) => Ok(items.into_owned()),
                Err(e) => {
                    *self = packed;
                    Err(e)
                }
            },
        }
    }

    /// Pack the values written (an empty list stays as it is: nothing to hold).
    pub fn pack(&mut self) {
        if let PackedVec::Open(items) = self {
            if !items.is_empty() {
                if let Ok(bytes) = postcard::to_stdvec(items) {
                    *self = PackedVec::Packed(bytes.into_boxed_slice());
                }
            }
        }
    }

    /// The values: borrowed while open, decoded when packed. Values packed in this process
    /// always decode; cached ones unless the cache file was tampered with (its readers say so).
    pub fn items(&self) -> Result<std::borrow::Cow<'_, [T]>, postcard::Error> {
        match self {
            PackedVec::Open(items) => Ok(std::borrow::Cow::Borrowed(items)),
            PackedVec::Packed(bytes) => {
                postcard::from_bytes::<Vec<T>>(bytes).map(std::borrow::Cow::Owned)
            }
        }
    }

    /// Whether the values can be read (a packed list read from a cache file may be garbage).
    pub fn verify(&self) -> bool {
        self.items().is_ok()
    }

    /// The values as a front-end returns them, before they are packed (what tests read);
    /// empty once packed: read them with [`PackedVec::items`] then.
    pub fn as_slice(&self) -> &[T] {
        match self {
            PackedVec::Open(items) => items,
            PackedVec::Packed(_) => &[],
        }
    }

    /// Whether no value was written.
    pub fn is_empty(&self) -> bool {
        match self {
            PackedVec::Open(items) => items.is_empty(),
            PackedVec::Packed(bytes) => bytes.is_empty(),
        }
    }
}

impl<T: fmt::Debug + serde::Serialize + serde::de::DeserializeOwned + Clone> fmt::Debug
    for PackedVec<T>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.items() {
            Ok(items) => f.debug_list().entries(items.iter()).finish(),
            Err(e) => write!(f, "<unreadable: {e}>"),
        }
    }
}

impl<T: serde::Serialize> serde::Serialize for PackedVec<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            PackedVec::Packed(bytes) => serializer.serialize_bytes(bytes),
            PackedVec::Open(items) => {
                let bytes = postcard::to_stdvec(items).map_err(serde::ser::Error::custom)?;
                serializer.serialize_bytes(&bytes)
            }
        }
    }
}

impl<'de, T> serde::Deserialize<'de> for PackedVec<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Bytes;
        impl<'de> serde::de::Visitor<'de> for Bytes {
            type Value = Box<[u8]>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("packed facts")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
                Ok(v.into())
            }
            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Self::Value, E> {
                Ok(v.into_boxed_slice())
            }
        }
        let bytes = deserializer.deserialize_bytes(Bytes)?;
        Ok(if bytes.is_empty() {
            PackedVec::Open(Vec::new())
        } else {
            PackedVec::Packed(bytes)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_may_come_from_a_parameter_or_the_request_directly_or_through_what_a_call_returns_of_it(
    ) {
        let param = Taint::new(TaintOrigin::Param(1));
        let source = Taint::new(TaintOrigin::Source {
            kind: TaintKind::Host,
            span: Span::new(1, 2),
        });
        let call = |arg: Option<u32>, inner: Option<&Taint>| {
            Taint::new(TaintOrigin::Call {
                callee: FnKey::function("trim"),
                arg,
                inner: inner.map(|t| Box::new(t.clone())),
            })
        };
        assert!(param.may_come_from_a_param());
        assert!(call(Some(0), Some(&param)).may_come_from_a_param());
        assert!(call(Some(0), Some(&call(Some(2), Some(&param)))).may_come_from_a_param());
        assert!(!source.may_come_from_a_param());
        assert!(!call(Some(0), Some(&source)).may_come_from_a_param());
        assert!(!call(None, None).may_come_from_a_param());

        assert!(source.may_come_from_a_request());
        assert!(call(None, None).may_come_from_a_request());
        assert!(call(Some(0), Some(&call(Some(1), Some(&source)))).may_come_from_a_request());
        assert!(!param.may_come_from_a_request());
        assert!(!call(Some(0), Some(&param)).may_come_from_a_request());
        assert!(!call(Some(0), None).may_come_from_a_request());
    }

    #[test]
    fn a_copy_of_taints_changes_alone_and_equality_ignores_how_they_are_held() {
        let host = Taint::new(TaintOrigin::Source {
            kind: TaintKind::Host,
            span: Span::new(1, 2),
        });
        let mut a = Taints::from(vec![host.clone()]);
        let b = a.clone();
        a.make_mut()[0].escaped = true;
        assert!(a[0].escaped && !b[0].escaped);
        // Emptied by `retain`, or never filled: the same empty list.
        let mut emptied = b.clone();
        emptied.retain(|_| false);
        assert!(emptied.is_empty());
        assert_eq!(emptied, Taints::default());
        let mut hashes = std::collections::HashSet::new();
        hashes.insert(emptied);
        assert!(!hashes.insert(Taints::from(Vec::new())));
        let mut pushed = Taints::default();
        pushed.push(host);
        assert_eq!(pushed, b);
    }

    #[test]
    fn packed_lists_read_back_what_was_written() {
        let mut calls: PackedVec<ConstCall> = PackedVec::default();
        calls.push(ConstCall {
            callee: FnKey::from("define_tables"),
            args: vec![vec![vec![FoldPiece::Text("g5_".into())]]],
        });
        calls.pack();
        assert!(matches!(calls, PackedVec::Packed(_)));
        let read = calls.items().expect("readable");
        assert_eq!(read.len(), 1);
        assert_eq!(read[0].callee, FnKey::from("define_tables"));
        // Written to again after packing: nothing is lost.
        calls.push(ConstCall {
            callee: FnKey::from("other"),
            args: Vec::new(),
        });
        assert_eq!(calls.items().expect("readable").len(), 2);
        assert!(!PackedVec::<ConstCall>::Packed(vec![0xff; 3].into()).verify());
        assert_eq!(calls.take().expect("readable").len(), 2);
        assert!(calls.is_empty());
    }

    /// Taking an unreadable list out is an error, and the list stays as it was for whoever
    /// reports it: its values are never dropped as if there were none.
    #[test]
    fn an_unreadable_list_is_not_taken_as_empty() {
        let mut sites = PackedVec::<SqlSite>::Packed(vec![0xff; 5].into());
        assert!(sites.take().is_err());
        assert!(matches!(&sites, PackedVec::Packed(b) if b.len() == 5));
        assert!(sites.items().is_err());
    }
}

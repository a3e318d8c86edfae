//! The data of a run, before formatting: the [`Report`] and what it holds (scanned files,
//! unanalyzed sites and their causes, coverage, counts). Every output format reads these.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::discover::IgnoreKind;
use crate::facts::Span;
use crate::lines::{LineCol, LineIndex};
use crate::rules::{Finding, Rule};
use crate::source_text::SourceText;
use crate::suppress;

/// One scanned file, kept for reporting.
#[derive(Debug)]
pub struct ScannedFile {
    /// Path as shown to users: relative to the current directory when under it, `/`-separated.
    pub display: String,
    /// Path relative to the configuration's root (what `[scan] exclude` globs match), with `/`
    /// separators; `None` when the file is not under it.
    pub root_relative: Option<String>,
    /// The file's text, as analysed (compressed until a report reads it).
    pub text: SourceText,
    /// Built on first use: most files have nothing to report.
    pub(crate) lines: std::sync::OnceLock<LineIndex>,
    pub parse_errors: bool,
    /// The file could not be read (reported as TL000).
    pub unreadable: bool,
    /// An unreadable directory rather than a file (reported as TL000, not counted as a file).
    pub directory: bool,
    /// The path made absolute lexically (against the current directory), for matching files
    /// named by other tools (`git diff`).
    pub absolute: PathBuf,
    /// Analysed for the project's table names and function summaries only: nothing is reported
    /// in it (files named on their own, [`scan_in_project`](crate::engine::scan_in_project)).
    pub context: bool,
}

impl ScannedFile {
    /// A readable file without parse errors.
    pub fn new(display: String, root_relative: Option<String>, source: String) -> ScannedFile {
        ScannedFile {
            display,
            root_relative,
            text: SourceText::plain(source),
            lines: std::sync::OnceLock::new(),
            parse_errors: false,
            unreadable: false,
            directory: false,
            absolute: PathBuf::new(),
            context: false,
        }
    }

    /// The file's text, as analysed: what finding spans are offsets into.
    pub fn source(&self) -> &str {
        self.text.get()
    }

    /// Line and column of a byte offset: the one computation every output format uses.
    pub fn line_col(&self, offset: usize) -> LineCol {
        self.line_index().line_col(self.source(), offset)
    }

    /// The line starts of the source, built once.
    pub fn line_index(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(self.source()))
    }
}

/// What kept a query from being checked: the JSON `kind` of an unanalyzed site, and the group
/// it is listed under. Each kind has its own next step for the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum UnanalyzedKind {
    /// A table name expression that cannot be resolved (`FROM {$write_table}`): name it in
    /// `[tables]`.
    TableName,
    /// A SQL fragment whose text cannot be known sits where a tenant predicate could be
    /// (`WHERE 1 $sql_search`).
    Fragment,
    /// The SQL could not be parsed.
    SqlParse,
    /// The query can be built in more ways than are checked; only some were.
    TooManyVariants,
    /// A variable not assigned on some path, whose value an included file or `extract()` may
    /// set.
    UnknownPath,
}

impl UnanalyzedKind {
    /// Every kind, in the order of the JSON `summary.unanalyzed_by_kind` object.
    pub const ALL: [UnanalyzedKind; 5] = [
        UnanalyzedKind::TableName,
        UnanalyzedKind::Fragment,
        UnanalyzedKind::SqlParse,
        UnanalyzedKind::TooManyVariants,
        UnanalyzedKind::UnknownPath,
    ];

    /// The JSON spelling (`table-name`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            UnanalyzedKind::TableName => "table-name",
            UnanalyzedKind::Fragment => "fragment",
            UnanalyzedKind::SqlParse => "sql-parse",
            UnanalyzedKind::TooManyVariants => "too-many-variants",
            UnanalyzedKind::UnknownPath => "unknown-path",
        }
    }
}

/// Why one query could not be checked: its kind, a sentence for people, and the PHP
/// expressions concerned (unresolved table names, unknown fragments, an unassigned variable).
/// Made with the constructors below, so each kind always gets the same wording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cause {
    pub kind: UnanalyzedKind,
    pub reason: String,
    pub exprs: Vec<String>,
}

impl Cause {
    /// Table name expressions that cannot be resolved (PHP source text, e.g. `$write_table`).
    pub fn table_name(mut exprs: Vec<String>) -> Cause {
        let mut seen = std::collections::HashSet::new();
        exprs.retain(|e| seen.insert(e.clone()));
        Cause {
            kind: UnanalyzedKind::TableName,
            reason: format!(
                "{} cannot be resolved (define it, or name it in [tables])",
                quoted_list("table name", "a table name", &exprs)
            ),
            exprs,
        }
    }

    /// SQL fragments whose text is not known, sitting where a tenant predicate could be.
    pub fn fragment(exprs: Vec<String>) -> Cause {
        Cause {
            kind: UnanalyzedKind::Fragment,
            reason: format!(
                "{} may hold the tenant predicate and its text is not known",
                quoted_list("SQL fragment", "an SQL fragment", &exprs)
            ),
            exprs,
        }
    }

    /// The SQL could not be parsed (`error` is the parser's message).
    pub fn sql_parse(error: &str) -> Cause {
        Cause {
            kind: UnanalyzedKind::SqlParse,
            reason: format!("the SQL could not be parsed: {error}"),
            exprs: Vec::new(),
        }
    }

    /// The query can be built in more ways than are kept; `checked` of them were checked.
    pub fn too_many_variants(checked: usize) -> Cause {
        Cause {
            kind: UnanalyzedKind::TooManyVariants,
            reason: format!("too many ways to build this query; {checked} checked"),
            exprs: Vec::new(),
        }
    }

    /// `variable` (PHP source text, e.g. `$sql_search`) is not assigned on some path reaching
    /// the query, and something that runs before it may set it (`why`: an included file,
    /// `extract()`…), so its value on that path is not known.
    pub fn unknown_path(variable: &str, why: &str) -> Cause {
        Cause {
            kind: UnanalyzedKind::UnknownPath,
            reason: format!("`{variable}` is not assigned on some path to this query, and {why}"),
            exprs: vec![variable.to_string()],
        }
    }

    /// The query's text is kept in a file of its own (`written`, as the code names it) that
    /// could not be read (`why`), so its text is not known.
    pub fn sql_file(written: &str, why: &str) -> Cause {
        Cause {
            kind: UnanalyzedKind::Fragment,
            reason: format!("the SQL file `{written}` holding this query could not be read ({why}), so its text is not known"),
            exprs: vec![written.to_string()],
        }
    }
}

/// `` table name `a`, `b` ``, or `unnamed` when there is nothing to name.
fn quoted_list(noun: &str, unnamed: &str, exprs: &[String]) -> String {
    if exprs.is_empty() {
        return unnamed.to_string();
    }
    let names: Vec<String> = exprs.iter().map(|e| format!("`{e}`")).collect();
    format!("{noun} {}", names.join(", "))
}

/// A query the scanner found but could not check, and why.
#[derive(Debug, Clone)]
pub struct Unanalyzed {
    pub file: usize,
    pub span: Span,
    pub kind: UnanalyzedKind,
    pub reason: String,
    /// The PHP expressions concerned (see [`Cause::exprs`]).
    pub exprs: Vec<String>,
}

impl Unanalyzed {
    pub fn new(file: usize, span: Span, cause: Cause) -> Unanalyzed {
        Unanalyzed {
            file,
            span,
            kind: cause.kind,
            reason: cause.reason,
            exprs: cause.exprs,
        }
    }
}

/// Counts for the summary line and the JSON `summary` object.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Source files found (including unreadable ones, not unreadable directories).
    pub files: usize,
    pub parse_errors: usize,
    pub sql_sites: usize,
    pub unanalyzed: usize,
    /// Unanalyzed sites per kind; every kind is present.
    pub unanalyzed_by_kind: BTreeMap<UnanalyzedKind, usize>,
    pub findings: usize,
    pub by_rule: BTreeMap<&'static str, usize>,
    /// Findings silenced by a `tenantlint-ignore` directive (not in `findings`).
    pub suppressed: usize,
    /// The configuration file in use, as displayed; `None` for the defaults.
    pub config: Option<String>,
    /// What the walk did not descend into or read.
    pub skipped: SkippedCounts,
}

/// How many paths the walk skipped, and why (JSON `summary.skipped`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct SkippedCounts {
    /// Directories not descended into because of their name (`vendor`, `node_modules`, `.git`).
    pub default_dirs: usize,
    /// Source files and directories matched by `[scan] exclude` (a directory counts once).
    pub excluded: usize,
    /// Source files and directories matched by `.gitignore`, `.ignore` or
    /// `.git/info/exclude` (a directory counts once); left out of the JSON when 0.
    #[serde(skip_serializing_if = "is_zero")]
    pub ignored: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The paths the walk skipped, as displayed (`-v` lists them); directories end with `/`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Skipped {
    /// Directories skipped because of their name.
    pub default_dirs: Vec<String>,
    /// Directories matched by `[scan] exclude`.
    pub excluded_dirs: Vec<String>,
    /// Source files matched by `[scan] exclude`.
    pub excluded_files: Vec<String>,
    /// Source files and directories matched by an ignore file, sorted by path.
    pub ignored: Vec<IgnoredPath>,
}

/// A path an ignore file kept from the scan, as displayed, and the rule that did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoredPath {
    /// The path; a directory ends with `/`.
    pub path: String,
    pub dir: bool,
    pub kind: IgnoreKind,
    /// The ignore file holding the rule.
    pub file: String,
    /// The rule, as written in the file.
    pub pattern: String,
}

/// The kind of statement a query is (its first statement, for a site holding several).
/// Ordered as reports list them: writes that can destroy other tenants' rows first.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum StatementKind {
    Delete,
    Update,
    Select,
    /// INSERT and REPLACE.
    Insert,
    /// Anything else the parser accepted.
    Other,
}

impl StatementKind {
    /// Every kind, in report order.
    pub const ALL: [StatementKind; 5] = [
        StatementKind::Delete,
        StatementKind::Update,
        StatementKind::Select,
        StatementKind::Insert,
        StatementKind::Other,
    ];

    /// `DELETE`, `UPDATE`, `SELECT`, `INSERT`, `other`.
    pub fn as_str(self) -> &'static str {
        match self {
            StatementKind::Delete => "DELETE",
            StatementKind::Update => "UPDATE",
            StatementKind::Select => "SELECT",
            StatementKind::Insert => "INSERT",
            StatementKind::Other => "other",
        }
    }

    pub(crate) fn of(statements: &[sqlparser::ast::Statement]) -> StatementKind {
        use sqlparser::ast::{SetExpr, Statement};
        // A query whose body or one of whose CTEs writes (`WITH … INSERT`, `WITH d AS (DELETE
        // … RETURNING …) SELECT …`) is the write.
        let write = |body: &SetExpr| match body {
            SetExpr::Insert(_) => Some(StatementKind::Insert),
            SetExpr::Update(_) => Some(StatementKind::Update),
            SetExpr::Delete(_) => Some(StatementKind::Delete),
            _ => None,
        };
        match statements.first() {
            Some(Statement::Query(q)) => write(&q.body)
                .or_else(|| {
                    q.with
                        .iter()
                        .flat_map(|w| &w.cte_tables)
                        .find_map(|cte| write(&cte.query.body))
                })
                .unwrap_or(StatementKind::Select),
            Some(Statement::Insert(_)) => StatementKind::Insert,
            Some(Statement::Update(_)) => StatementKind::Update,
            Some(Statement::Delete(_)) => StatementKind::Delete,
            _ => StatementKind::Other,
        }
    }
}

/// One query site's use of one tenant table, for coverage reports (which statements read or
/// write each tenant table, and whether they are scoped to the tenant). A table named by
/// several variants of one site is one use; sites that could not be parsed add none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableUse {
    /// The table as findings name it ([`Finding::table`]).
    pub table: String,
    pub file: usize,
    /// The call or statement that runs the query (a TL001/TL002 finding's `exec`).
    pub span: Span,
    /// The kind of the first analysed variant.
    pub kind: StatementKind,
    /// Every analysed variant naming the table constrains every reference to it by the tenant
    /// column, and every INSERT into it sets that column. A reference whose constraint cannot
    /// be known (an opaque fragment) is not scoped.
    pub scoped: bool,
}

/// The result of a run, before formatting.
#[derive(Debug)]
pub struct Report {
    pub files: Vec<ScannedFile>,
    pub findings: Vec<Finding>,
    pub unanalyzed: Vec<Unanalyzed>,
    /// What the user must be told about the paths (symlink loops, files that are not source,
    /// configuration files not used…), paths as displayed. Unreadable files and directories
    /// are TL000 findings instead.
    pub warnings: Vec<String>,
    /// The paths skipped by default, by `[scan] exclude` or by ignore files.
    pub skipped: Skipped,
    /// Findings silenced by a directive, with its reason.
    pub suppressed: Vec<suppress::Suppressed>,
    /// Every analysed query's tenant tables, sorted by file, position and table.
    pub coverage: Vec<TableUse>,
    pub summary: Summary,
    /// Set when findings are reported for some of the analysed files only.
    pub scope: Option<ReportScope>,
    /// Set with `--baseline`: what the baseline accepted and which of its entries are fixed.
    pub baseline: Option<BaselineStatus>,
    /// When the run started: the elapsed time shown is measured from here to when the report
    /// is written, rendering included.
    pub started: Instant,
    /// Where the project root (the configuration's directory) sits in its git work tree, `/`
    /// separated (`""` at the top, `app` below it); `None` outside git. SARIF locates files
    /// from the repository root, as code scanning reads them.
    pub root_in_repo: Option<String>,
    /// Where the time went, and how many files needed a tree (`--stats`).
    pub stats: ScanStats,
}

/// The time each phase of a scan took, and what the front-end had to do: `--stats` prints it.
#[derive(Debug, Clone, Default)]
pub struct ScanStats {
    /// Walking the paths and reading the files, each scanned for the functions it defines
    /// (a byte scan) as it is read.
    pub discover: Duration,
    /// Gathering the project's function names, and reading the result cache.
    pub open_cache: Duration,
    /// tree-sitter parsing and lowering into facts, in parallel.
    pub parse: Duration,
    /// The project pass: summaries, constants, includes, callers' fragments.
    pub project: Duration,
    /// SQL rendering, parsing and analysis, and the rules, per site in parallel; then
    /// sorting, fingerprints and suppressions.
    pub rules: Duration,
    /// Files parsed and lowered.
    pub files_parsed: usize,
    /// Files whose facts came from the result cache: not parsed.
    pub cache_hits: usize,
    /// Files neither parsed nor read from the cache: binary files (each a TL000 finding).
    pub files_not_parsed: usize,
    /// Why the result cache could not be written, if it could not.
    pub cache_error: Option<String>,
    /// Bytes read from the files.
    pub bytes: u64,
    /// The process's peak resident memory at the end of each phase, where the system says.
    pub peaks: PhasePeaks,
}

/// The peak resident set size (bytes) the process had reached at the end of each phase of
/// [`ScanStats`]; `None` where the system does not say.
#[derive(Debug, Clone, Copy, Default)]
pub struct PhasePeaks {
    pub discover: Option<u64>,
    pub open_cache: Option<u64>,
    pub parse: Option<u64>,
    pub project: Option<u64>,
    pub rules: Option<u64>,
}

impl Report {
    /// Milliseconds since the run started.
    pub fn elapsed_ms(&self) -> u128 {
        self.started.elapsed().as_millis()
    }
}

/// What a baseline did to a run.
#[derive(Debug, Clone)]
pub struct BaselineStatus {
    /// The baseline file, as displayed.
    pub path: String,
    /// Findings it accepted (not reported).
    pub matched: usize,
    /// Its entries that matched no finding.
    pub fixed: Vec<crate::baseline::Entry>,
}

impl Report {
    /// Recompute the counts of findings, unanalyzed and suppressed sites after they changed.
    pub fn recount(&mut self) {
        let s = &mut self.summary;
        s.unanalyzed = self.unanalyzed.len();
        s.unanalyzed_by_kind = UnanalyzedKind::ALL.iter().map(|k| (*k, 0)).collect();
        for u in &self.unanalyzed {
            *s.unanalyzed_by_kind.entry(u.kind).or_default() += 1;
        }
        s.findings = self.findings.len();
        s.by_rule = Rule::ALL.iter().map(|r| (r.code(), 0)).collect();
        for f in &self.findings {
            *s.by_rule.entry(f.rule.code()).or_default() += 1;
        }
        s.suppressed = self.suppressed.len();
    }

    /// Report only on the files `keep` accepts (the whole project was still analysed, for its
    /// table names and function summaries); `why` says which files, for the summary.
    pub fn restrict_to(&mut self, keep: impl Fn(&ScannedFile) -> bool, why: String) {
        let kept: Vec<bool> = self.files.iter().map(keep).collect();
        self.findings.retain(|f| kept[f.file]);
        self.unanalyzed.retain(|u| kept[u.file]);
        self.suppressed.retain(|s| kept[s.finding.file]);
        let analysed = self.files.iter().filter(|f| !f.directory).count();
        let files = self
            .files
            .iter()
            .zip(&kept)
            .filter(|(f, k)| **k && !f.directory && !f.context)
            .count();
        self.scope = Some(match self.scope.take() {
            // Already narrowed (files named on their own): narrowed again.
            Some(previous) => ReportScope {
                files,
                analysed: previous.analysed,
                why: format!("{}, {why}", previous.why),
            },
            None => ReportScope {
                files,
                analysed,
                why,
            },
        });
        self.recount();
    }
}

/// Findings are shown for some of the analysed files only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportScope {
    /// How many files findings are reported for.
    pub files: usize,
    /// How many files were analysed.
    pub analysed: usize,
    /// Which files (`changed since main`, `named on the command line`).
    pub why: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_serializes_as_its_name() {
        for kind in UnanalyzedKind::ALL {
            assert_eq!(
                serde_json::to_value(kind).ok(),
                Some(serde_json::Value::from(kind.as_str()))
            );
        }
    }

    #[test]
    fn causes_have_their_kind_and_name_what_they_concern() {
        let c = Cause::unknown_path("$sql_search", "`extract()` before it may set it");
        assert_eq!(c.kind, UnanalyzedKind::UnknownPath);
        assert_eq!(c.exprs, vec!["$sql_search".to_string()]);
        assert!(c.reason.contains("`$sql_search`"), "{}", c.reason);
        let c = Cause::table_name(vec!["$a".into(), "$b".into(), "$a".into()]);
        assert_eq!(c.kind, UnanalyzedKind::TableName);
        assert_eq!(
            c.reason,
            "table name `$a`, `$b` cannot be resolved (define it, or name it in [tables])"
        );
        let c = Cause::fragment(Vec::new());
        assert_eq!(
            c.reason,
            "an SQL fragment may hold the tenant predicate and its text is not known"
        );
    }
}

#[cfg(test)]
mod statement_kind_tests {
    use super::StatementKind;
    use crate::facts::Dialect;
    use crate::sql::parse::parse_located;

    fn kind(sql: &str) -> StatementKind {
        match parse_located(sql, Dialect::Postgres) {
            Ok(statements) => StatementKind::of(&statements),
            Err(e) => panic!("{sql}: {}", e.message),
        }
    }

    /// A query that writes in its body or in a CTE counts as that write in coverage.
    #[test]
    fn a_writing_cte_or_body_is_the_write() {
        assert_eq!(kind("SELECT * FROM t"), StatementKind::Select);
        assert_eq!(
            kind("WITH d AS (DELETE FROM t WHERE a = 1 RETURNING id) SELECT count(*) FROM d"),
            StatementKind::Delete
        );
        assert_eq!(
            kind("WITH s AS (SELECT 1 AS a) INSERT INTO t (a) SELECT a FROM s"),
            StatementKind::Insert
        );
        assert_eq!(
            kind("WITH s AS (SELECT 1) SELECT * FROM s"),
            StatementKind::Select
        );
    }
}

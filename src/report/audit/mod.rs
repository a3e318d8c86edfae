//! `tenantlint report`: the audit report, a document for people who must judge a code base's
//! tenant isolation — one self-contained HTML page, or its Markdown twin.
//!
//! Both formats render the same [`Audit`]: a stamp saying what was scanned with what, a verdict
//! (how many statements can reach other tenants' rows), tenant-table coverage, every finding
//! with its code, and the inventory of what was suppressed, not checked or skipped.

pub mod html;
pub mod markdown;
pub mod walk;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::facts::Span;
use crate::report::escape::{escape, push_unicode_escape, Notation};
use crate::report::model::{Report, ScannedFile, StatementKind, TableUse};
use crate::rules::{Finding, Rule};

/// The environment variable that replaces the report's date (reproducible documents, tests).
pub const DATE_ENV: &str = "TENANTLINT_REPORT_DATE";

/// `report --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum AuditFormat {
    /// One self-contained HTML page (inline CSS and SVG, no script), for screens and print.
    Html,
    /// The same content as Markdown.
    Markdown,
}

/// Render the audit report of `report`.
pub fn render(format: AuditFormat, report: &Report, stamp: &Stamp) -> String {
    let audit = Audit::new(report, stamp);
    match format {
        AuditFormat::Html => html::render(&audit),
        AuditFormat::Markdown => markdown::render(&audit),
    }
}

// ---------------------------------------------------------------------------------------------
// The stamp: what was scanned, with what, when
// ---------------------------------------------------------------------------------------------

/// What makes a report reproducible: the tool, the configuration, the commit and the date.
#[derive(Debug, Clone, Default)]
pub struct Stamp {
    pub tool_version: String,
    /// The name of the scanned project (its configuration root's directory name).
    pub project: String,
    /// The paths named on the command line, as given.
    pub paths: Vec<String>,
    /// The configuration file as displayed; `None` for the defaults.
    pub config_path: Option<String>,
    /// SHA-256 of the configuration file's bytes (hex); `None` for the defaults.
    pub config_sha256: Option<String>,
    pub column: String,
    pub tables: Vec<String>,
    pub exempt: Vec<String>,
    /// `git rev-parse HEAD` in the configuration root; `None` outside a git repository.
    pub commit: Option<String>,
    /// Tracked files differ from that commit.
    pub uncommitted_changes: bool,
    /// When the report was made (UTC), or the value of [`DATE_ENV`].
    pub date: String,
}

impl Stamp {
    /// Collect the stamp of a run of `config` over `paths`; `report` says how the
    /// configuration was displayed.
    pub fn collect(config: &Config, report: &Report, paths: &[std::path::PathBuf]) -> Stamp {
        let root = std::fs::canonicalize(&config.root).unwrap_or_else(|_| config.root.clone());
        // The directory scanned, or the configuration's when several paths were.
        let named = match paths {
            [one] => std::fs::canonicalize(one).ok().map(|p| {
                if p.is_file() {
                    p.parent().map(Path::to_path_buf).unwrap_or(p)
                } else {
                    p
                }
            }),
            _ => None,
        }
        .unwrap_or_else(|| root.clone());
        let project = named
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| named.to_string_lossy().into_owned());
        let config_sha256 = config
            .path
            .as_deref()
            .and_then(|p| std::fs::read(p).ok())
            .map(|bytes| hex(&Sha256::digest(bytes)));
        let commit = git(&root, &["rev-parse", "--verify", "HEAD"])
            .map(|out| out.trim().to_string())
            .filter(|c| c.len() >= 40 && c.bytes().all(|b| b.is_ascii_hexdigit()));
        let uncommitted_changes = commit.is_some()
            && git(&root, &["status", "--porcelain", "--untracked-files=no"])
                .is_some_and(|out| !out.trim().is_empty());
        Stamp {
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            project,
            paths: paths.iter().map(|p| p.display().to_string()).collect(),
            config_path: report.summary.config.clone(),
            config_sha256,
            column: config.tenant.column.clone(),
            tables: config.tenant.tables.clone(),
            exempt: config.tenant.exempt.clone(),
            commit,
            uncommitted_changes,
            date: std::env::var(DATE_ENV).unwrap_or_else(|_| utc_now()),
        }
    }
}

/// The standard output of `git ARGS` run in `dir`, when it succeeds; never an error.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8(out.stdout).ok()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The current time, `2025-03-01 14:05 UTC`.
fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    let rem = secs % 86_400;
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

// ---------------------------------------------------------------------------------------------
// The model both formats render
// ---------------------------------------------------------------------------------------------

/// Everything the report shows, computed once from a [`Report`].
pub struct Audit<'a> {
    pub report: &'a Report,
    pub stamp: &'a Stamp,
    pub verdict: Verdict,
    /// One row per tenant table, worst first; tables the configuration names exactly but no
    /// statement touches come last.
    pub coverage: Vec<CoverageRow>,
    /// Findings grouped by file, in report order.
    pub groups: Vec<FileGroup>,
    /// Per finding (index into `report.findings`): its anchor, `f-` and the fingerprint.
    pub anchors: Vec<String>,
    /// Per finding: the kind of statement it is in (TL001, TL002).
    pub kinds: Vec<Option<StatementKind>>,
    /// The rules that have findings or suppressions, for the appendix.
    pub rules: Vec<Rule>,
}

/// The findings of one file.
pub struct FileGroup {
    pub file: usize,
    /// `file-N`, N counting groups from 1.
    pub anchor: String,
    /// Indexes into `report.findings`.
    pub findings: Vec<usize>,
}

/// The columns of the index of files: findings per rule (TL001 to TL004), then the others.
pub const INDEX_RULES: [Rule; 4] = [
    Rule::MissingTenantFilter,
    Rule::InsertMissingTenant,
    Rule::UnescapedHostInSql,
    Rule::UncheckedTenantParam,
];

impl FileGroup {
    /// Findings per rule of [`INDEX_RULES`], then of any other rule.
    pub fn by_rule(&self, report: &Report) -> [usize; 5] {
        let mut out = [0; 5];
        for &i in &self.findings {
            let rule = report.findings[i].rule;
            let at = INDEX_RULES
                .iter()
                .position(|r| *r == rule)
                .unwrap_or(INDEX_RULES.len());
            out[at] += 1;
        }
        out
    }
}

/// The chart shows at most this many tables (the worst); the table lists them all.
pub const CHART_ROWS: usize = 30;

/// The numbers up front.
pub struct Verdict {
    /// Statements with a TL001 or TL002 finding: they can read or change other tenants' rows.
    pub statements: usize,
    /// The files holding them.
    pub files: usize,
    /// Those statements per kind, in [`StatementKind::ALL`] order.
    pub by_kind: Vec<(StatementKind, usize)>,
    /// TL001 and TL002: statements with a finding of the rule, per kind, and in all.
    pub by_rule: Vec<(Rule, Vec<usize>, usize)>,
    /// TL003 and TL004 findings: places where the request can choose the tenant.
    pub request_tenant: usize,
    pub analysis_errors: usize,
    pub invalid_suppressions: usize,
}

/// How the statements touching one tenant table are scoped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverageRow {
    /// As shown (an unresolved part of the name as `?`).
    pub table: String,
    pub statements: usize,
    pub scoped: usize,
    /// Not scoped, and reported.
    pub reported: usize,
    /// Not scoped; the finding is suppressed.
    pub suppressed: usize,
    /// Not shown to be scoped, without a finding of its own: the query holds text that cannot
    /// be known, or the same query is reported at another call.
    pub unverified: usize,
    /// Per kind with statements: (kind, statements, scoped).
    pub by_kind: Vec<(StatementKind, usize, usize)>,
    /// Named exactly by the configuration, touched by no statement.
    pub never_touched: bool,
}

impl CoverageRow {
    /// A row with no statements yet.
    fn empty(table: String, never_touched: bool) -> CoverageRow {
        CoverageRow {
            table,
            statements: 0,
            scoped: 0,
            reported: 0,
            suppressed: 0,
            unverified: 0,
            by_kind: Vec::new(),
            never_touched,
        }
    }

    pub fn unscoped(&self) -> usize {
        self.reported + self.suppressed + self.unverified
    }
}

impl<'a> Audit<'a> {
    pub fn new(report: &'a Report, stamp: &'a Stamp) -> Audit<'a> {
        let kind_at: HashMap<(usize, Span), StatementKind> = report
            .coverage
            .iter()
            .map(|u| ((u.file, u.span), u.kind))
            .collect();
        let tenant_rule = |f: &Finding| {
            matches!(
                f.rule,
                Rule::MissingTenantFilter | Rule::InsertMissingTenant
            )
        };
        let kinds: Vec<Option<StatementKind>> = report
            .findings
            .iter()
            .map(|f| {
                let exec = f.exec.filter(|_| tenant_rule(f))?;
                Some(
                    kind_at
                        .get(&(f.file, exec))
                        .copied()
                        .unwrap_or(StatementKind::Other),
                )
            })
            .collect();

        // Unique anchors, whatever the fingerprints.
        let mut used = HashSet::new();
        let anchors = report
            .findings
            .iter()
            .map(|f| {
                let base = format!("f-{}", anchor_safe(&f.fingerprint));
                let mut anchor = base.clone();
                let mut n = 1;
                while !used.insert(anchor.clone()) {
                    n += 1;
                    anchor = format!("{base}-{n}");
                }
                anchor
            })
            .collect();

        let mut groups: Vec<FileGroup> = Vec::new();
        for (i, f) in report.findings.iter().enumerate() {
            match groups.last_mut() {
                Some(g) if g.file == f.file => g.findings.push(i),
                _ => groups.push(FileGroup {
                    file: f.file,
                    anchor: format!("file-{}", groups.len() + 1),
                    findings: vec![i],
                }),
            }
        }

        let mut rules: Vec<Rule> = report
            .findings
            .iter()
            .map(|f| f.rule)
            .chain(report.suppressed.iter().map(|s| s.finding.rule))
            .collect();
        rules.sort();
        rules.dedup();

        Audit {
            verdict: verdict(report, &kinds),
            coverage: coverage(report, stamp),
            report,
            stamp,
            groups,
            anchors,
            kinds,
            rules,
        }
    }

    pub fn file(&self, index: usize) -> &ScannedFile {
        &self.report.files[index]
    }

    /// `path:line:column` of an offset.
    pub fn location(&self, file: usize, offset: usize) -> String {
        let f = self.file(file);
        let at = f.line_col(offset);
        format!("{}:{}:{}", f.display, at.line, at.column)
    }

    /// The statement kinds with findings or coverage, in report order: the verdict table's
    /// columns (`other` only when some statement is of that kind).
    pub fn kind_columns(&self) -> Vec<StatementKind> {
        StatementKind::ALL
            .into_iter()
            .filter(|k| {
                *k != StatementKind::Other
                    || self.verdict.by_kind.iter().any(|(kk, n)| kk == k && *n > 0)
            })
            .collect()
    }

    /// The rules the appendix explains: those with findings or suppressions, else TL001 and
    /// TL002.
    pub fn rules_shown(&self) -> Vec<Rule> {
        if self.rules.is_empty() {
            vec![Rule::MissingTenantFilter, Rule::InsertMissingTenant]
        } else {
            self.rules.clone()
        }
    }

    /// Totals of the coverage rows: (statements, scoped, reported, suppressed, unverified).
    pub fn coverage_totals(&self) -> [usize; 5] {
        self.coverage.iter().fold([0; 5], |mut t, r| {
            t[0] += r.statements;
            t[1] += r.scoped;
            t[2] += r.reported;
            t[3] += r.suppressed;
            t[4] += r.unverified;
            t
        })
    }
}

fn verdict(report: &Report, kinds: &[Option<StatementKind>]) -> Verdict {
    let index = |k: StatementKind| {
        StatementKind::ALL
            .iter()
            .position(|x| *x == k)
            .unwrap_or(StatementKind::ALL.len() - 1)
    };
    let mut statements: BTreeMap<(usize, Span), StatementKind> = BTreeMap::new();
    let mut per_rule: BTreeMap<Rule, HashSet<(usize, Span)>> = BTreeMap::new();
    for (f, kind) in report.findings.iter().zip(kinds) {
        if let (Some(kind), Some(exec)) = (kind, f.exec) {
            statements.insert((f.file, exec), *kind);
            per_rule.entry(f.rule).or_default().insert((f.file, exec));
        }
    }
    let mut by_kind: Vec<(StatementKind, usize)> =
        StatementKind::ALL.iter().map(|k| (*k, 0)).collect();
    for kind in statements.values() {
        by_kind[index(*kind)].1 += 1;
    }
    let by_rule = [Rule::MissingTenantFilter, Rule::InsertMissingTenant]
        .into_iter()
        .map(|rule| {
            let mut counts = vec![0; StatementKind::ALL.len()];
            let sites = per_rule.get(&rule).cloned().unwrap_or_default();
            for site in &sites {
                if let Some(kind) = statements.get(site) {
                    counts[index(*kind)] += 1;
                }
            }
            (rule, counts, sites.len())
        })
        .collect();
    let files: HashSet<usize> = statements.keys().map(|(f, _)| *f).collect();
    let count = |rules: &[Rule]| {
        report
            .findings
            .iter()
            .filter(|f| rules.contains(&f.rule))
            .count()
    };
    Verdict {
        statements: statements.len(),
        files: files.len(),
        by_kind,
        by_rule,
        request_tenant: count(&[Rule::UnescapedHostInSql, Rule::UncheckedTenantParam]),
        analysis_errors: count(&[Rule::AnalysisError]),
        invalid_suppressions: count(&[Rule::InvalidSuppression]),
    }
}

/// A table name as shown: an unresolved part (`g5_write_{$bo_table}`, kept as a placeholder
/// by the analysis) is `?`, as in the query text findings show.
pub fn table_display(table: &str) -> String {
    crate::sql::placeholder::with_question_marks(table)
}

fn coverage(report: &Report, stamp: &Stamp) -> Vec<CoverageRow> {
    // Which unscoped uses have a finding, or a suppressed one: by file, call and table.
    let key = |f: &Finding| {
        matches!(
            f.rule,
            Rule::MissingTenantFilter | Rule::InsertMissingTenant
        )
        .then_some(())
        .and(f.exec)
        .and_then(|exec| Some((f.file, exec, f.table.clone()?)))
    };
    let reported: HashSet<(usize, Span, String)> = report.findings.iter().filter_map(key).collect();
    let suppressed: HashSet<(usize, Span, String)> = report
        .suppressed
        .iter()
        .filter_map(|s| key(&s.finding))
        .collect();
    let mut rows: BTreeMap<String, CoverageRow> = BTreeMap::new();
    for u in &report.coverage {
        let TableUse {
            table,
            file,
            span,
            kind,
            scoped,
        } = u;
        let shown = table_display(table);
        let row = rows
            .entry(shown.clone())
            .or_insert_with(|| CoverageRow::empty(shown, false));
        row.statements += 1;
        let k = (*file, *span, table.clone());
        if *scoped {
            row.scoped += 1;
        } else if reported.contains(&k) {
            row.reported += 1;
        } else if suppressed.contains(&k) {
            row.suppressed += 1;
        } else {
            row.unverified += 1;
        }
        match row.by_kind.iter_mut().find(|(kk, _, _)| kk == kind) {
            Some(entry) => {
                entry.1 += 1;
                entry.2 += usize::from(*scoped);
            }
            None => row.by_kind.push((*kind, 1, usize::from(*scoped))),
        }
    }
    let mut out: Vec<CoverageRow> = rows.into_values().collect();
    for row in &mut out {
        row.by_kind.sort();
    }
    // Worst first: most statements not scoped, then most statements, then by name.
    out.sort_by(|a, b| {
        b.unscoped()
            .cmp(&a.unscoped())
            .then(b.statements.cmp(&a.statements))
            .then(a.table.cmp(&b.table))
    });
    // Tables the configuration names exactly (no glob) that no statement touches.
    let matcher = crate::config::TableMatcher::new(&stamp.tables, &stamp.exempt);
    let touched: HashSet<String> = out.iter().map(|r| r.table.to_lowercase()).collect();
    let mut never: Vec<&String> = stamp
        .tables
        .iter()
        .filter(|t| !t.contains(['*', '?', '[', ']', '{', '}']))
        .filter(|t| matcher.is_tenant(t))
        .filter(|t| !touched.contains(&t.to_lowercase()))
        .collect();
    never.sort();
    never.dedup();
    out.extend(
        never
            .into_iter()
            .map(|t| CoverageRow::empty(t.clone(), true)),
    );
    out
}

/// An anchor made of `[A-Za-z0-9_-]` only.
fn anchor_safe(s: &str) -> String {
    let safe: String = s
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    if safe.is_empty() {
        "unnamed".to_string()
    } else {
        safe
    }
}

// ---------------------------------------------------------------------------------------------
// Text: control characters made visible, code excerpts
// ---------------------------------------------------------------------------------------------

/// `s` with every control character (a line break too) and invisible format character shown as
/// `\u{…}`, so that a report never holds one raw.
pub fn visible(s: &str) -> Cow<'_, str> {
    escape(s, Notation::Document)
}

/// A line of source code for display: tabs expanded to 4 columns, other control and invisible
/// characters shown as `\u{…}`.
pub fn visible_code(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut column = 0;
    for c in line.chars() {
        if c == '\t' {
            let n = 4 - column % 4;
            out.extend(std::iter::repeat_n(' ', n));
            column += n;
        } else if Notation::Document.escapes(c) {
            let before = out.len();
            push_unicode_escape(&mut out, c);
            column += out.len() - before;
        } else {
            out.push(c);
            column += 1;
        }
    }
    out
}

/// `text` split into plain parts and `code` spans (between backquotes), as messages and help
/// texts write them; `true` marks code. An unpaired backquote is plain text.
pub fn code_spans(text: &str) -> Vec<(&str, bool)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('`') {
        let Some(len) = rest[open + 1..].find('`') else {
            break;
        };
        if open > 0 {
            out.push((&rest[..open], false));
        }
        out.push((&rest[open + 1..open + 1 + len], true));
        rest = &rest[open + 1 + len + 1..];
    }
    if !rest.is_empty() {
        out.push((rest, false));
    }
    out
}

/// The text of 1-based line `n` of `text`, without its line break, and where it starts.
fn line_at<'t>(
    text: &'t str,
    lines: &crate::lines::LineIndex,
    n: usize,
) -> Option<(usize, &'t str)> {
    let range = lines.line_range(text, n)?;
    Some((range.start, text.get(range)?))
}

/// One row of a code excerpt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExcerptRow {
    /// Lines left out.
    Gap,
    Line {
        number: usize,
        /// The line's text, displayable, split at the edges of the text at fault: `true`
        /// marks that text.
        parts: Vec<(String, bool)>,
        /// The line is part of the call or statement that runs the query.
        run: bool,
    },
}

/// Lines of context shown around the text at fault.
const CONTEXT: usize = 2;
/// Lines of a span at fault shown at most (its first and last lines).
const MAX_SPAN_LINES: usize = 8;

/// The lines around `span` (marked) and the first line of `exec`, with line numbers; distant
/// parts are separated by a gap.
pub fn excerpt(file: &ScannedFile, span: Span, exec: Option<Span>) -> Vec<ExcerptRow> {
    let text = file.source();
    if file.unreadable || text.is_empty() {
        return Vec::new();
    }
    let starts = crate::lines::LineIndex::new(text);
    // The empty "line" after a final line break is not shown.
    let last = starts.len() - usize::from(text.ends_with(['\n', '\r']));
    let line_of = |offset: usize| file.line_col(offset).line;
    let first = line_of(span.start);
    let end = line_of(span.end.max(span.start + 1) - 1).max(first);
    let mut wanted: Vec<(usize, usize)> = Vec::new();
    if end - first < MAX_SPAN_LINES {
        wanted.push((
            first.saturating_sub(CONTEXT).max(1),
            (end + CONTEXT).min(last),
        ));
    } else {
        wanted.push((first.saturating_sub(CONTEXT).max(1), first + 2));
        wanted.push((end - 2, (end + CONTEXT).min(last)));
    }
    let run_lines = exec.map(|e| (line_of(e.start), line_of(e.end.max(e.start + 1) - 1)));
    if let Some((run_first, _)) = run_lines {
        wanted.push((
            run_first.saturating_sub(1).max(1),
            (run_first + 1).min(last),
        ));
    }
    wanted.sort();
    // Merge ranges that overlap or nearly touch.
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for (a, b) in wanted {
        match ranges.last_mut() {
            Some(r) if a <= r.1 + 2 => r.1 = r.1.max(b),
            _ => ranges.push((a, b)),
        }
    }
    let mut rows = Vec::new();
    for (i, (a, b)) in ranges.into_iter().enumerate() {
        if i > 0 || a > 1 {
            rows.push(ExcerptRow::Gap);
        }
        for n in a..=b {
            let Some((start, line)) = line_at(text, &starts, n) else {
                continue;
            };
            let end = start + line.len();
            let lo = span.start.clamp(start, end) - start;
            let hi = span.end.clamp(start, end) - start;
            let mut parts = Vec::new();
            let mut push = |s: &str, hit: bool| {
                if !s.is_empty() {
                    parts.push((s.to_string(), hit));
                }
            };
            match (line.get(..lo), line.get(lo..hi), line.get(hi..)) {
                (Some(before), Some(hit), Some(after)) if lo < hi => {
                    push(before, false);
                    push(hit, true);
                    push(after, false);
                }
                _ => push(line, false),
            }
            // Expand tabs over the whole line, keeping the marked part's edges.
            let mut column_text = String::new();
            let parts = parts
                .into_iter()
                .map(|(s, hit)| {
                    let before = visible_code(&column_text).chars().count();
                    column_text.push_str(&s);
                    let all = visible_code(&column_text);
                    (all.chars().skip(before).collect::<String>(), hit)
                })
                .collect();
            let run = run_lines.is_some_and(|(f, l)| f <= n && n <= l);
            rows.push(ExcerptRow::Line {
                number: n,
                parts,
                run,
            });
        }
    }
    if rows
        .last()
        .is_some_and(|r| matches!(r, ExcerptRow::Line { number, .. } if *number < last))
    {
        rows.push(ExcerptRow::Gap);
    }
    rows
}

/// The source line at `offset`, trimmed and shortened to `max` characters, displayable.
pub fn source_line(file: &ScannedFile, offset: usize, max: usize) -> String {
    let text = file.source();
    let starts = crate::lines::LineIndex::new(text);
    let n = file.line_col(offset).line;
    let Some((_, line)) = line_at(text, &starts, n) else {
        return String::new();
    };
    let shown = visible_code(line.trim());
    if shown.chars().count() > max {
        let cut: String = shown.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    } else {
        shown
    }
}

/// `1 statement`, `2 statements`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    crate::report::scope::count(n, one, many)
}

/// The verdict in words, for people who will not read the rest.
pub fn verdict_sentence(v: &Verdict) -> String {
    if v.statements == 0 {
        return "No SQL statement was found that can read or change other tenants' rows."
            .to_string();
    }
    let n = |k: StatementKind| {
        v.by_kind
            .iter()
            .find(|(kk, _)| *kk == k)
            .map_or(0, |(_, n)| *n)
    };
    let mut parts = Vec::new();
    for (kind, what) in [
        (StatementKind::Delete, "can delete them"),
        (StatementKind::Update, "can change them"),
        (StatementKind::Select, "can read them"),
        (StatementKind::Insert, "write rows that belong to no tenant"),
        (StatementKind::Other, "are of another kind"),
    ] {
        if n(kind) > 0 {
            parts.push(format!("{} {what}", n(kind)));
        }
    }
    let list = match parts.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    };
    format!(
        "{} in {} can read or change other tenants' rows: {list}.",
        count(v.statements, "SQL statement", "SQL statements"),
        count(v.files, "file", "files"),
    )
}

/// What else the reader must know, in words: the request choosing the tenant, what was not
/// checked, what was suppressed.
pub fn caveat_sentences(audit: &Audit) -> Vec<String> {
    let v = &audit.verdict;
    let s = &audit.report.summary;
    let mut out = Vec::new();
    if v.request_tenant > 0 {
        out.push(format!(
            "In {} the request itself can choose or forge the tenant (TL003, TL004).",
            count(v.request_tenant, "place", "places")
        ));
    }
    if s.unanalyzed > 0 {
        out.push(format!(
            "{} could not be checked automatically and must be reviewed by hand.",
            count(s.unanalyzed, "query", "queries")
        ));
    }
    if v.analysis_errors > 0 {
        out.push(format!(
            "{} could not be analysed (TL000).",
            count(
                v.analysis_errors,
                "file or part of a file",
                "files or parts of files"
            )
        ));
    }
    if s.suppressed > 0 {
        out.push(format!(
            "{} silenced in the code with a recorded reason (listed below).",
            count(s.suppressed, "finding is", "findings are")
        ));
    }
    out
}

/// How the report reads at a glance: `bad` with statements that reach other tenants or the
/// request choosing the tenant, `warn` when something could not be checked, `good` otherwise.
pub fn verdict_tone(audit: &Audit) -> &'static str {
    let v = &audit.verdict;
    if v.statements > 0 || v.request_tenant > 0 {
        "bad"
    } else if audit.report.summary.unanalyzed > 0 || v.analysis_errors > 0 {
        "warn"
    } else {
        "good"
    }
}

/// The paragraph under "Why is this bad?" in a rule's documentation.
pub fn rule_why(rule: Rule) -> String {
    let doc = rule.doc();
    let Some(at) = doc.find("## Why is this bad?") else {
        return String::new();
    };
    let rest = &doc[at..];
    let rest = rest.split_once('\n').map_or("", |(_, r)| r);
    let section = rest.split("\n## ").next().unwrap_or("");
    section
        .trim()
        .split("\n\n")
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_gregorian() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }

    #[test]
    fn control_and_invisible_characters_are_shown() {
        assert_eq!(visible("a\u{1b}[31mb\nc"), "a\\u{1b}[31mb\\nc");
        assert_eq!(visible("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(visible_code("\tif (a)\u{7}"), "    if (a)\\u{7}");
        assert_eq!(visible_code("ab\tc"), "ab  c");
    }

    #[test]
    fn backquoted_text_is_code() {
        assert_eq!(
            code_spans("add `AND a` to `b"),
            vec![("add ", false), ("AND a", true), (" to `b", false)]
        );
    }

    #[test]
    fn unresolved_table_name_parts_read_as_question_marks() {
        assert_eq!(table_display("g5_write___tl_h12"), "g5_write_?");
        assert_eq!(table_display("iw_member"), "iw_member");
    }

    #[test]
    fn excerpts_mark_the_span_and_the_run_with_context() {
        let source = "<?php\n// a\n$sql = \"SELECT * FROM\tiw_member\";\n// b\n// c\n// d\n// e\nsql_query($sql);\n// f\n";
        let file = ScannedFile::new("a.php".into(), None, source.into());
        let at = source.find("iw_member").unwrap_or(0);
        let exec = source.find("sql_query").unwrap_or(0);
        let rows = excerpt(
            &file,
            Span::new(at, at + 9),
            Some(Span::new(exec, exec + 15)),
        );
        let numbers: Vec<Option<usize>> = rows
            .iter()
            .map(|r| match r {
                ExcerptRow::Gap => None,
                ExcerptRow::Line { number, .. } => Some(*number),
            })
            .collect();
        // Lines 1–5 around the span and 7–9 around the run, merged (one line apart); no gap
        // at the end of the file.
        assert_eq!(numbers, (1..=9).map(Some).collect::<Vec<_>>());
        let ExcerptRow::Line { parts, run, .. } = &rows[2] else {
            panic!("line 3");
        };
        assert!(!run);
        let hits: Vec<&str> = parts
            .iter()
            .filter(|(_, hit)| *hit)
            .map(|(s, _)| s.as_str())
            .collect();
        assert_eq!(hits, vec!["iw_member"]);
        let joined: String = parts.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(joined, "$sql = \"SELECT * FROM   iw_member\";");
        assert!(matches!(&rows[7], ExcerptRow::Line { run: true, .. }));
    }
}

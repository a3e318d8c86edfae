//! What both formats of the audit report write alike: the stamp's rows, the contents, the
//! sections' headings and empty states, where a finding is, what was scanned. A format says
//! only how text, code and a section's frame are written ([`Markup`]).

use super::{code_spans, count, Audit};
use crate::suppress::Suppressed;

/// How a format writes text, code and the frame of a section.
pub trait Markup {
    /// Prose, escaped.
    fn text(&self, s: &str) -> String;

    /// Code (a path, a query, a name), shown literally.
    fn code(&self, s: &str) -> String;

    /// A remark after a term: the rule's severity.
    fn aside(&self, s: &str) -> String;

    /// The start of the section `id`, headed `title`, with `count` after it.
    fn open_section(&self, out: &mut String, id: &str, title: &str, count: Option<usize>);

    /// A section with nothing to show: `message`, and the section's end.
    fn empty_section(&self, out: &mut String, message: &str);

    /// A message or help text: its backquoted parts as code, the rest as text.
    fn rich(&self, s: &str) -> String {
        code_spans(s)
            .into_iter()
            .map(|(part, is_code)| {
                if is_code {
                    self.code(part)
                } else {
                    self.text(part)
                }
            })
            .collect()
    }

    /// `items` as code, comma-separated; `none` when there are none.
    fn list_code<S: AsRef<str>>(&self, items: &[S]) -> String {
        if items.is_empty() {
            return "none".to_string();
        }
        items
            .iter()
            .map(|i| self.code(i.as_ref()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Open the section `id` headed `title (n)`; when `n` is 0, write `empty` and end it, and
/// return `false`.
pub fn open_counted(
    m: &impl Markup,
    out: &mut String,
    (id, title): (&str, &str),
    n: usize,
    empty: &str,
) -> bool {
    m.open_section(out, id, title, Some(n));
    if n == 0 {
        m.empty_section(out, empty);
    }
    n > 0
}

/// The stamp as (term, value) rows: what was scanned, with what, when.
pub fn stamp_rows(audit: &Audit, m: &impl Markup) -> Vec<(&'static str, String)> {
    let st = audit.stamp;
    let s = &audit.report.summary;
    vec![
        ("Date", m.text(&st.date)),
        (
            "Commit",
            match &st.commit {
                Some(c) if st.uncommitted_changes => {
                    format!("{} (with uncommitted changes)", m.code(c))
                }
                Some(c) => m.code(c),
                None => "not a git repository".to_string(),
            },
        ),
        ("Tool", format!("tenantlint {}", m.text(&st.tool_version))),
        (
            "Configuration",
            match (&st.config_path, &st.config_sha256) {
                (Some(p), Some(h)) => format!("{} (SHA-256 {})", m.code(p), m.code(h)),
                (Some(p), None) => format!("{} (could not be read again to hash it)", m.code(p)),
                (None, _) => "defaults (no tenantlint.toml)".to_string(),
            },
        ),
        ("Tenant column", m.code(&st.column)),
        ("Tenant tables", m.list_code(&st.tables)),
        ("Exempt tables", m.list_code(&st.exempt)),
        (
            "Scanned",
            format!(
                "{}: {}, {}",
                m.list_code(&st.paths),
                m.text(&count(s.files, "file", "files")),
                m.text(&count(s.sql_sites, "SQL statement", "SQL statements"))
            ),
        ),
    ]
}

/// The table of contents: (anchor, title, what the section counts).
pub fn contents(audit: &Audit) -> [(&'static str, &'static str, Option<String>); 8] {
    let r = audit.report;
    [
        ("verdict", "Verdict", None),
        (
            "coverage",
            "Tenant-table coverage",
            Some(count(audit.coverage.len(), "table", "tables")),
        ),
        (
            "findings",
            "Findings",
            Some(format!(
                "{} in {}",
                r.findings.len(),
                count(audit.groups.len(), "file", "files")
            )),
        ),
        (
            "suppressions",
            "Suppressions",
            Some(r.suppressed.len().to_string()),
        ),
        (
            "unanalyzed",
            "Queries not checked",
            Some(r.unanalyzed.len().to_string()),
        ),
        ("warnings", "Warnings", Some(r.warnings.len().to_string())),
        ("scope", "What was scanned", None),
        ("rules", "About the rules", None),
    ]
}

/// Where finding `i` is: its location, rule, table and fingerprint, ` · `-separated.
pub fn finding_where(audit: &Audit, m: &impl Markup, i: usize) -> String {
    let f = &audit.report.findings[i];
    let mut parts = vec![
        m.code(&audit.location(f.file, f.span.start)),
        format!("{} {}", f.rule.name(), m.aside(f.rule.severity().as_str())),
    ];
    if let Some(t) = &f.table {
        parts.push(format!("table {}", m.code(&super::table_display(t))));
    }
    parts.push(format!("fingerprint {}", m.code(&f.fingerprint)));
    parts.join(" · ")
}

/// A suppression's cells: where, rule, finding, reason given, directive.
pub fn suppression_cells(audit: &Audit, m: &impl Markup, s: &Suppressed) -> [String; 5] {
    let f = &s.finding;
    [
        m.code(&audit.location(f.file, f.span.start)),
        f.rule.code().to_string(),
        m.rich(&f.message),
        m.text(&s.reason),
        format!("line {}", audit.file(f.file).line_col(s.comment.start).line),
    ]
}

/// What was scanned, a sentence each: files and statements, syntax errors, what was skipped.
pub fn scope_items(audit: &Audit, m: &impl Markup) -> Vec<String> {
    let r = audit.report;
    let s = &r.summary;
    let mut out = vec![format!(
        "{}, {} ({} not checked).",
        m.text(&count(s.files, "source file", "source files")),
        m.text(&count(s.sql_sites, "SQL statement", "SQL statements")),
        s.unanalyzed
    )];
    let parse_errors: Vec<&str> = r
        .files
        .iter()
        .filter(|f| f.parse_errors)
        .map(|f| f.display.as_str())
        .collect();
    out.push(if parse_errors.is_empty() {
        "No file has a syntax error.".to_string()
    } else {
        format!(
            "{} with syntax errors, analysed around the errors: {}.",
            m.text(&count(parse_errors.len(), "file", "files")),
            m.list_code(&parse_errors)
        )
    });
    let sk = &r.skipped;
    if sk.default_dirs.is_empty()
        && sk.excluded_dirs.is_empty()
        && sk.excluded_files.is_empty()
        && sk.ignored.is_empty()
    {
        out.push("Nothing was skipped.".to_string());
    }
    if !sk.default_dirs.is_empty() {
        out.push(format!(
            "Skipped by default (dependencies and version control): {}.",
            m.list_code(&sk.default_dirs)
        ));
    }
    let mut excluded: Vec<&String> = sk.excluded_dirs.iter().chain(&sk.excluded_files).collect();
    excluded.sort();
    if !excluded.is_empty() {
        out.push(format!(
            "Skipped by {} in the configuration: {}.",
            m.code("[scan] exclude"),
            m.list_code(&excluded)
        ));
    }
    for (kind, paths) in crate::report::scope::ignored_by_kind(&sk.ignored) {
        let paths: Vec<&str> = paths.iter().map(|p| p.path.as_str()).collect();
        out.push(format!(
            "Skipped by {}: {}.",
            m.code(kind.as_str()),
            m.list_code(&paths)
        ));
    }
    out
}

//! Human output: one miette diagnostic per finding, then a summary line, then what could not
//! be checked, grouped so it can be acted on.

use std::fmt::{self, Write as _};

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};

use crate::engine::Report;
use crate::report::{scope, unanalyzed};
use crate::rules::Finding;

/// Rendering options.
#[derive(Clone, Copy, Debug, Default)]
pub struct PrettyOptions {
    pub color: bool,
    pub show_unanalyzed: bool,
    /// Leave out the elapsed time (for reproducible snapshots).
    pub hide_timing: bool,
    /// List the skipped paths (`-v`).
    pub verbose: bool,
    /// Counts per rule instead of each finding.
    pub statistics: bool,
}

struct FindingDiagnostic<'a> {
    finding: &'a Finding,
    source: NamedSource<String>,
}

impl fmt::Debug for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FindingDiagnostic")
            .field("rule", &self.finding.rule)
            .finish()
    }
}

impl fmt::Display for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl std::error::Error for FindingDiagnostic<'_> {}

impl Diagnostic for FindingDiagnostic<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(format!(
            "{}({})",
            self.finding.rule.code(),
            self.finding.rule.name()
        )))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.rule.severity() {
            crate::rules::Severity::Error => miette::Severity::Error,
            crate::rules::Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(format!(
            "{}\n(docs: `tenantlint rule {}`, {})",
            self.finding.help,
            self.finding.rule.code(),
            self.finding.rule.doc_path()
        )))
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            Some(self.finding.label.clone()),
            self.finding.span,
        )];
        if let Some(exec) = self.finding.exec {
            // Skip the secondary label when it would cover the primary one exactly.
            if exec != self.finding.span {
                labels.push(LabeledSpan::new_with_span(
                    Some("query run here".to_string()),
                    exec,
                ));
            }
        }
        for step in &self.finding.trace {
            if step.file == self.finding.file && step.span != self.finding.span {
                labels.push(LabeledSpan::new_with_span(
                    Some(step.note.clone()),
                    step.span,
                ));
            }
        }
        Some(Box::new(labels.into_iter()))
    }
}

/// Render the whole report as text.
pub fn render(report: &Report, options: PrettyOptions) -> String {
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_context_lines(1)
        .with_width(100);
    let mut out = String::new();
    if options.statistics {
        out.push_str(&scope::statistics(report));
    }
    let shown = if options.statistics {
        &[][..]
    } else {
        &report.findings[..]
    };
    for finding in shown {
        let file = &report.files[finding.file];
        let diagnostic = FindingDiagnostic {
            finding,
            source: NamedSource::new(file.display.clone(), file.source.as_str().to_owned())
                .with_language("php"),
        };
        if handler.render_report(&mut out, &diagnostic).is_err() {
            let at = file.line_col(finding.span.start);
            let _ = writeln!(
                out,
                "{}:{}:{}: {} {}",
                file.display,
                at.line,
                at.column,
                finding.rule.code(),
                finding.message
            );
        }
        out.push('\n');
    }
    for warning in &report.warnings {
        let _ = writeln!(out, "warning: {warning}");
    }
    if options.verbose {
        out.push_str(&scope::skipped_list(report));
    }
    if options.show_unanalyzed {
        out.push_str(&unanalyzed_list(report));
    }
    out.push_str(&summary_line(report, options.hide_timing));
    out.push('\n');
    out.push_str(&scope::config_line(report));
    out.push_str(&scope::run_lines(report));
    out.push_str(&scope::skipped_line(report, options.verbose));
    out.push_str(&unanalyzed_summary(report, options.show_unanalyzed));
    out
}

/// `--show-unanalyzed`: every site, under a heading per kind (largest group first).
///
/// ```text
/// unanalyzed, table-name (2): table names that cannot be resolved: name them in [tables], …
///   a.php:3:8: table name `$t` cannot be resolved (define it, or name it in [tables])
/// ```
pub fn unanalyzed_list(report: &Report) -> String {
    let mut out = String::new();
    for group in unanalyzed::by_kind(report) {
        let _ = writeln!(
            out,
            "unanalyzed, {} ({}): {}",
            group.kind.as_str(),
            group.sites.len(),
            unanalyzed::kind_hint(&group)
        );
        for u in &group.sites {
            let file = &report.files[u.file];
            let at = file.line_col(u.span.start);
            let _ = writeln!(
                out,
                "  {}:{}:{}: {}",
                file.display, at.line, at.column, u.reason
            );
        }
    }
    out
}

/// The block after the summary line when some queries were not checked: counts per kind with
/// the next step, and the directories holding most of them.
///
/// ```text
/// unanalyzed: 151 queries could not be checked (--show-unanalyzed lists them)
///    67  table-name  table names that cannot be resolved: name them in [tables], e.g. "$write_table" = "…"
///    25  fragment    SQL fragments whose text cannot be known, …
///   by directory: adm/ (48), plugin/kcaptcha/ (31) — if that is third-party code: [scan] exclude = ["adm/**", "plugin/kcaptcha/**"]
/// ```
pub fn unanalyzed_summary(report: &Report, listed: bool) -> String {
    let total = report.unanalyzed.len();
    if total == 0 {
        return String::new();
    }
    let mut out = format!(
        "unanalyzed: {total} {} could not be checked ({})\n",
        if total == 1 { "query" } else { "queries" },
        if listed {
            "listed above"
        } else {
            "--show-unanalyzed lists them"
        }
    );
    let groups = unanalyzed::by_kind(report);
    let count_width = total.to_string().len();
    let kind_width = groups
        .iter()
        .map(|g| g.kind.as_str().len())
        .max()
        .unwrap_or(0);
    for group in &groups {
        let _ = writeln!(
            out,
            "  {:>count_width$}  {:<kind_width$}  {}",
            group.sites.len(),
            group.kind.as_str(),
            unanalyzed::kind_hint(group)
        );
    }
    let dirs = unanalyzed::top_directories(report);
    if !dirs.is_empty() {
        let counts: Vec<String> = dirs
            .iter()
            .map(|d| format!("{} ({})", d.display, d.sites))
            .collect();
        let _ = write!(out, "  by directory: {}", counts.join(", "));
        let globs: Vec<String> = dirs
            .iter()
            .filter_map(|d| d.exclude.as_deref())
            .map(unanalyzed::toml_string)
            .collect();
        if !globs.is_empty() {
            let _ = write!(
                out,
                " — if that is third-party code: [scan] exclude = [{}]",
                globs.join(", ")
            );
        }
        out.push('\n');
    }
    out
}

/// `tenantlint: 12 files, 40 SQL sites (3 unanalyzed), 1 with a parse error: 5 findings (TL000: 0, TL001: 3, TL002: 2, …) in 12 ms`
pub fn summary_line(report: &Report, hide_timing: bool) -> String {
    let s = &report.summary;
    let by_rule: Vec<String> = s
        .by_rule
        .iter()
        .map(|(code, n)| format!("{code}: {n}"))
        .collect();
    let mut line = format!(
        "tenantlint: {}, {} ({} unanalyzed), {}: {} ({})",
        scope::count(s.files, "file", "files"),
        scope::count(s.sql_sites, "SQL site", "SQL sites"),
        s.unanalyzed,
        scope::count(s.parse_errors, "with a parse error", "with parse errors"),
        scope::count(s.findings, "finding", "findings"),
        by_rule.join(", ")
    );
    if s.suppressed > 0 {
        let _ = write!(line, ", {} suppressed", s.suppressed);
    }
    if !hide_timing {
        let _ = write!(line, " in {} ms", s.elapsed_ms);
    }
    line
}

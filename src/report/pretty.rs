//! Human output: one miette diagnostic per finding, then a summary line.

use std::fmt::{self, Write as _};

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};

use crate::engine::Report;
use crate::rules::Finding;

/// Rendering options.
#[derive(Clone, Copy, Debug, Default)]
pub struct PrettyOptions {
    pub color: bool,
    pub show_unanalyzed: bool,
    /// Leave out the elapsed time (for reproducible snapshots).
    pub hide_timing: bool,
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
            if step.span != self.finding.span {
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
    for finding in &report.findings {
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
    for issue in &report.discover_issues {
        let _ = writeln!(out, "warning: {issue}");
    }
    if options.show_unanalyzed {
        for u in &report.unanalyzed {
            let file = &report.files[u.file];
            let at = file.line_col(u.span.start);
            let _ = writeln!(
                out,
                "unanalyzed: {}:{}:{}: {}",
                file.display, at.line, at.column, u.reason
            );
        }
    }
    out.push_str(&summary_line(report, options.hide_timing));
    out.push('\n');
    out
}

/// `12 files, 40 SQL sites (3 unanalyzed), 1 parse error: 5 findings (TL001: 3, TL002: 2) in 12 ms`
pub fn summary_line(report: &Report, hide_timing: bool) -> String {
    let s = &report.summary;
    let by_rule: Vec<String> = s
        .by_rule
        .iter()
        .map(|(code, n)| format!("{code}: {n}"))
        .collect();
    let mut line = format!(
        "tenantlint: {} files, {} SQL sites ({} unanalyzed), {} with parse errors: {} findings ({})",
        s.files,
        s.sql_sites,
        s.unanalyzed,
        s.parse_errors,
        s.findings,
        by_rule.join(", ")
    );
    if !hide_timing {
        let _ = write!(line, " in {} ms", s.elapsed_ms);
        if s.unanalyzed > 0 {
            line.push_str(" (--show-unanalyzed lists the queries not checked)");
        }
    }
    line
}

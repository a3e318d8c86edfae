//! Human output: one miette diagnostic per finding, then a summary line, then what could not
//! be checked, grouped so it can be acted on.

use std::fmt::{self, Write as _};

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan};

use crate::facts::Span;
use crate::report::excerpt::{escape_inline, Excerpt};
use crate::report::model::Report;
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

/// One finding as miette renders it. Every text that comes from the scanned project is
/// escaped, and the labels are spans of the excerpt's shown text.
struct FindingDiagnostic<'a> {
    code: String,
    severity: miette::Severity,
    message: String,
    help: String,
    labels: Vec<LabeledSpan>,
    source: &'a Excerpt<'a>,
}

impl<'a> FindingDiagnostic<'a> {
    /// `elsewhere`: trace steps in other files, as `file:line:col: note` lines.
    fn new(
        finding: &Finding,
        source: &'a Excerpt<'a>,
        elsewhere: &[String],
    ) -> FindingDiagnostic<'a> {
        let mut others = Vec::new();
        if let Some(exec) = finding.exec {
            // No secondary label when it would cover the primary one exactly.
            if exec != finding.span {
                others.push((exec, "query run here".to_string()));
            }
        }
        for step in &finding.trace {
            if step.file == finding.file && step.span != finding.span {
                others.push((step.span, step.note.clone()));
            }
        }
        let labels = layout_labels(
            source.source_text(),
            (finding.span, finding.label.clone()),
            others,
        )
        .into_iter()
        .map(|(span, label, primary)| {
            let label = Some(escape_inline(&label).into_owned());
            let span = source.span(span);
            if primary {
                LabeledSpan::new_primary_with_span(label, span)
            } else {
                LabeledSpan::new_with_span(label, span)
            }
        })
        .collect();
        FindingDiagnostic {
            code: format!("{}({})", finding.rule.code(), finding.rule.name()),
            severity: match finding.rule.severity() {
                crate::rules::Severity::Error => miette::Severity::Error,
                crate::rules::Severity::Warning => miette::Severity::Warning,
            },
            message: escape_inline(&finding.message).into_owned(),
            help: format!(
                "{}{}\n(docs: `tenantlint rule {}`, {})",
                if elsewhere.is_empty() {
                    String::new()
                } else {
                    // A request value's steps come before its use; the calls that run a
                    // query kept in a file of its own (TL001, TL002) come after it.
                    let when = match finding.rule {
                        crate::rules::Rule::MissingTenantFilter
                        | crate::rules::Rule::InsertMissingTenant => "",
                        _ => ", before the lines above",
                    };
                    format!(
                        "in another file{when}:\n{}",
                        elsewhere
                            .iter()
                            .map(|line| format!("  {}\n", escape_inline(line)))
                            .collect::<String>()
                    )
                },
                escape_inline(&finding.help),
                finding.rule.code(),
                finding.rule.doc_path()
            ),
            labels,
            source,
        }
    }
}

impl fmt::Debug for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FindingDiagnostic")
            .field("code", &self.code)
            .finish()
    }
}

impl fmt::Display for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FindingDiagnostic<'_> {}

impl Diagnostic for FindingDiagnostic<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.help))
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}

/// The labels of one finding, each on its own text: `(span, label, primary)`.
///
/// miette draws the labels of a line left to right and never one under another: a label that
/// starts inside an earlier one is pushed past that one's end (the label on `$sub` in
/// `find_enterprise("ep_domain = '{$sub}'")`, under a label on the whole call, would be drawn
/// on the closing parenthesis). So labels must not overlap. The primary label keeps its span;
/// the others are placed smallest first, and one that overlaps labels already placed keeps the
/// first stretch of its text outside them, cut at its opening parenthesis (for a call: the
/// callee). A label left with no text of its own adds its note to the label covering it.
fn layout_labels(
    source: &str,
    primary: (Span, String),
    mut others: Vec<(Span, String)>,
) -> Vec<(Span, String, bool)> {
    let mut placed = vec![(primary.0, primary.1, true)];
    others.sort_by_key(|(span, _)| span.len());
    for (span, note) in others {
        let taken: Vec<Span> = placed.iter().map(|(s, _, _)| occupied(*s)).collect();
        match own_text(source, span, &taken) {
            Some(own) => placed.push((own, note, false)),
            None => {
                let at = occupied(span);
                if let Some((_, label, _)) = placed
                    .iter_mut()
                    .find(|(s, _, _)| overlaps(occupied(*s), at))
                {
                    if !label.split("; ").any(|l| l == note) {
                        label.push_str("; ");
                        label.push_str(&note);
                    }
                }
            }
        }
    }
    placed
}

/// What a span takes on its line: an empty span is drawn as one column.
fn occupied(span: Span) -> Span {
    if span.is_empty() {
        Span::new(span.start, span.start + 1)
    } else {
        span
    }
}

fn overlaps(a: Span, b: Span) -> bool {
    a.start < b.end && b.start < a.end
}

/// The part of `span` a label is drawn on when `taken` is already labelled: all of it when it
/// overlaps nothing; otherwise its first stretch of text outside `taken` (spaces trimmed), and
/// when that stretch starts the span, only up to its first `(`. `None` when no text is left.
fn own_text(source: &str, span: Span, taken: &[Span]) -> Option<Span> {
    if !taken.iter().any(|t| overlaps(*t, occupied(span))) {
        return Some(span);
    }
    if span.is_empty() {
        return None;
    }
    let mut pieces = vec![span];
    for t in taken {
        pieces = pieces
            .into_iter()
            .flat_map(|p| {
                if !overlaps(*t, p) {
                    return vec![p];
                }
                let mut left = Vec::new();
                if t.start > p.start {
                    left.push(Span::new(p.start, t.start));
                }
                if t.end < p.end {
                    left.push(Span::new(t.end, p.end));
                }
                left
            })
            .collect();
    }
    pieces.sort();
    pieces.into_iter().find_map(|p| {
        let text = source.get(p.start..p.end)?;
        let start = p.start + (text.len() - text.trim_start().len());
        let mut end = p.start + text.trim_end().len();
        if p.start == span.start {
            let kept = source.get(start..end)?;
            if let Some(paren) = kept.find('(').filter(|i| *i > 0) {
                end = start + kept[..paren].trim_end().len();
            }
        }
        (end > start).then(|| Span::new(start, end))
    })
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
    // Findings are sorted by file: each file's excerpt is prepared once.
    let mut excerpt: Option<(usize, Excerpt)> = None;
    for finding in shown {
        let file = &report.files[finding.file];
        if excerpt.as_ref().map(|(i, _)| *i) != Some(finding.file) {
            excerpt = Some((finding.file, Excerpt::new(file)));
        }
        let Some((_, source)) = &excerpt else {
            continue;
        };
        // Trace steps in other files (a helper that reads the request host) are listed first.
        let elsewhere: Vec<String> = finding
            .trace
            .iter()
            .filter(|step| step.file != finding.file)
            .map(|step| {
                let in_file = &report.files[step.file];
                let at = in_file.line_col(step.span.start);
                format!(
                    "{}:{}:{}: {}",
                    in_file.display, at.line, at.column, step.note
                )
            })
            .collect();
        let diagnostic = FindingDiagnostic::new(finding, source, &elsewhere);
        if handler.render_report(&mut out, &diagnostic).is_err() {
            let at = file.line_col(finding.span.start);
            let _ = writeln!(
                out,
                "{}:{}:{}: {} {}",
                escape_inline(&file.display),
                at.line,
                at.column,
                finding.rule.code(),
                escape_inline(&finding.message)
            );
        }
        out.push('\n');
    }
    for warning in &report.warnings {
        let _ = writeln!(out, "warning: {}", escape_inline(warning));
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
            escape_inline(&unanalyzed::kind_hint(&group))
        );
        for u in &group.sites {
            let file = &report.files[u.file];
            let at = file.line_col(u.span.start);
            let _ = writeln!(
                out,
                "  {}:{}:{}: {}",
                escape_inline(&file.display),
                at.line,
                at.column,
                escape_inline(&u.reason)
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
            escape_inline(&unanalyzed::kind_hint(group))
        );
    }
    let dirs = unanalyzed::top_directories(report);
    if !dirs.is_empty() {
        let counts: Vec<String> = dirs
            .iter()
            .map(|d| format!("{} ({})", escape_inline(&d.display), d.sites))
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
        let _ = write!(line, " in {} ms", report.elapsed_ms());
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span_of(source: &str, text: &str) -> Span {
        let start = source.find(text).unwrap_or(usize::MAX);
        Span::new(start, start + text.len())
    }

    fn texts<'s>(source: &'s str, labels: &[(Span, String, bool)]) -> Vec<(&'s str, String)> {
        labels
            .iter()
            .map(|(s, l, _)| (&source[s.start..s.end], l.clone()))
            .collect()
    }

    #[test]
    fn a_label_around_another_keeps_the_callee() {
        let source = "$same = find_enterprise(\"ep_domain = '{$sub}'\");";
        let labels = layout_labels(
            source,
            (span_of(source, "$sub"), "value".into()),
            vec![(
                span_of(source, "find_enterprise(\"ep_domain = '{$sub}'\")"),
                "call".into(),
            )],
        );
        assert_eq!(
            texts(source, &labels),
            vec![("$sub", "value".into()), ("find_enterprise", "call".into())]
        );
    }

    #[test]
    fn smaller_labels_are_placed_first() {
        let source = "$m = preg_match('/x/', $_SERVER['HTTP_HOST'], $m);";
        let labels = layout_labels(
            source,
            (span_of(source, "$m"), "stored".into()),
            vec![
                (
                    span_of(source, "preg_match('/x/', $_SERVER['HTTP_HOST'], $m)"),
                    "passed on".into(),
                ),
                (span_of(source, "$_SERVER['HTTP_HOST']"), "read".into()),
            ],
        );
        assert_eq!(
            texts(source, &labels),
            vec![
                ("$m", "stored".into()),
                ("$_SERVER['HTTP_HOST']", "read".into()),
                ("preg_match", "passed on".into()),
            ]
        );
    }

    #[test]
    fn a_label_without_text_of_its_own_joins_the_one_covering_it() {
        let source = "f($a[1]);";
        let labels = layout_labels(
            source,
            (span_of(source, "$a[1]"), "value".into()),
            vec![
                (span_of(source, "$a"), "passed on".into()),
                (span_of(source, "f"), "run".into()),
            ],
        );
        assert_eq!(
            texts(source, &labels),
            vec![("$a[1]", "value; passed on".into()), ("f", "run".into())]
        );
    }

    #[test]
    fn a_label_starting_where_another_ends_keeps_its_text_after_it() {
        let source = "$sub . '.example.kr'";
        let labels = layout_labels(
            source,
            (span_of(source, "$sub"), "value".into()),
            vec![(span_of(source, source), "joined".into())],
        );
        assert_eq!(
            texts(source, &labels),
            vec![
                ("$sub", "value".into()),
                (". '.example.kr'", "joined".into())
            ]
        );
    }
}

//! `--format json`: the stable, versioned machine contract.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::report::model::{Report, SkippedCounts, UnanalyzedKind};

/// Bumped on any incompatible change of the JSON shape.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    tool: Tool,
    findings: Vec<JsonFinding<'a>>,
    unanalyzed: Vec<JsonUnanalyzed<'a>>,
    /// What the user must be told about the paths: symlink loops, broken symlinks, files named
    /// explicitly that are not source files, configuration files this run does not use.
    warnings: &'a [String],
    /// Findings silenced by a `tenantlint-ignore` directive, with its reason.
    suppressed: Vec<JsonSuppressed<'a>>,
    summary: JsonSummary<'a>,
    /// With `--baseline`: what it accepted and its entries that are fixed.
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<JsonBaseline<'a>>,
    /// When findings are reported for some of the analysed files only.
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<JsonScope<'a>>,
}

#[derive(Serialize)]
struct JsonBaseline<'a> {
    file: &'a str,
    accepted: usize,
    fixed: &'a [crate::baseline::Entry],
}

#[derive(Serialize)]
struct JsonScope<'a> {
    files: usize,
    why: &'a str,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'static str,
    name: &'static str,
    severity: &'static str,
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    table: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sql: Option<&'a str>,
    fingerprint: &'a str,
    /// The call or statement that runs the query, when the finding has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    exec: Option<JsonRange>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    trace: Vec<JsonTraceStep<'a>>,
}

/// A range of one file: 1-based lines and columns, columns in characters, the end exclusive.
#[derive(Serialize)]
struct JsonRange {
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
struct JsonTraceStep<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    note: &'a str,
}

#[derive(Serialize)]
struct JsonUnanalyzed<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    /// What kept the query from being checked (`table-name`, `fragment`, …).
    kind: UnanalyzedKind,
    reason: &'a str,
}

#[derive(Serialize)]
struct JsonSuppressed<'a> {
    rule: &'static str,
    file: &'a str,
    line: usize,
    column: usize,
    message: &'a str,
    reason: &'a str,
    /// Where the directive is.
    directive_line: usize,
    fingerprint: &'a str,
}

#[derive(Serialize)]
struct JsonSummary<'a> {
    files: usize,
    parse_errors: usize,
    sql_sites: usize,
    unanalyzed: usize,
    unanalyzed_by_kind: &'a BTreeMap<UnanalyzedKind, usize>,
    findings: usize,
    by_rule: &'a BTreeMap<&'static str, usize>,
    suppressed: usize,
    elapsed_ms: u128,
    /// The configuration file in use; `null` for the defaults.
    config: Option<&'a str>,
    skipped: SkippedCounts,
}

/// Render the report as pretty-printed JSON.
pub fn render(report: &Report) -> String {
    let findings = report
        .findings
        .iter()
        .map(|f| {
            let file = &report.files[f.file];
            let start = file.line_col(f.span.start);
            let end = file.line_col(f.span.end);
            JsonFinding {
                rule: f.rule.code(),
                name: f.rule.name(),
                severity: f.rule.severity().as_str(),
                file: &file.display,
                line: start.line,
                column: start.column,
                end_line: end.line,
                end_column: end.column,
                message: &f.message,
                table: f.table.as_deref(),
                sql: f.sql.as_deref(),
                fingerprint: &f.fingerprint,
                exec: f.exec.map(|exec| {
                    let start = file.line_col(exec.start);
                    let end = file.line_col(exec.end);
                    JsonRange {
                        line: start.line,
                        column: start.column,
                        end_line: end.line,
                        end_column: end.column,
                    }
                }),
                trace: f
                    .trace
                    .iter()
                    .map(|t| {
                        let in_file = &report.files[t.file];
                        let at = in_file.line_col(t.span.start);
                        JsonTraceStep {
                            file: &in_file.display,
                            line: at.line,
                            column: at.column,
                            note: &t.note,
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let unanalyzed = report
        .unanalyzed
        .iter()
        .map(|u| {
            let file = &report.files[u.file];
            let at = file.line_col(u.span.start);
            JsonUnanalyzed {
                file: &file.display,
                line: at.line,
                column: at.column,
                kind: u.kind,
                reason: &u.reason,
            }
        })
        .collect();
    let s = &report.summary;
    let doc = JsonReport {
        version: FORMAT_VERSION,
        tool: Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        },
        findings,
        unanalyzed,
        warnings: &report.warnings,
        suppressed: report
            .suppressed
            .iter()
            .map(|s| {
                let file = &report.files[s.finding.file];
                let at = file.line_col(s.finding.span.start);
                JsonSuppressed {
                    rule: s.finding.rule.code(),
                    file: &file.display,
                    line: at.line,
                    column: at.column,
                    message: &s.finding.message,
                    reason: &s.reason,
                    directive_line: file.line_col(s.comment.start).line,
                    fingerprint: &s.finding.fingerprint,
                }
            })
            .collect(),
        summary: JsonSummary {
            files: s.files,
            parse_errors: s.parse_errors,
            sql_sites: s.sql_sites,
            unanalyzed: s.unanalyzed,
            unanalyzed_by_kind: &s.unanalyzed_by_kind,
            findings: s.findings,
            by_rule: &s.by_rule,
            suppressed: s.suppressed,
            // Measured once the findings are built.
            elapsed_ms: report.elapsed_ms(),
            config: s.config.as_deref(),
            skipped: s.skipped,
        },
        baseline: report.baseline.as_ref().map(|b| JsonBaseline {
            file: &b.path,
            accepted: b.matched,
            fixed: &b.fixed,
        }),
        scope: report.scope.as_ref().map(|sc| JsonScope {
            files: sc.files,
            why: &sc.why,
        }),
    };
    serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

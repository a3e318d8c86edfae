//! `--format github`: one GitHub Actions workflow command per finding, which GitHub shows as an
//! annotation on the line (`::error file=…,line=…::message`), then the summary line; and, when
//! the job has a summary file (`GITHUB_STEP_SUMMARY`), a Markdown summary appended to it.
//!
//! GitHub shows at most [`ANNOTATION_LIMIT`] error (and as many warning) annotations per step,
//! so when the files changed by the change under review are known, their findings come first,
//! and the job summary says how many findings were not annotated.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use crate::lines::LineCol;
use crate::report::concise::{list, LineFormat};
use crate::report::escape::replace_chars;
use crate::report::model::{Report, ScannedFile, Unanalyzed};
use crate::report::{pretty, scope, RenderOptions};
use crate::rules::{Finding, Rule, Severity};

/// Annotations of one level GitHub shows for one step; the later ones are dropped.
pub const ANNOTATION_LIMIT: usize = 10;

/// Rows of the findings table in the job summary (which GitHub caps at 1 MiB).
pub const SUMMARY_TABLE_LIMIT: usize = 1000;

/// The findings in the order they are annotated: those in `changed_files` first (when known),
/// otherwise the report's order.
pub fn annotation_order<'a>(report: &'a Report, options: &RenderOptions) -> Vec<&'a Finding> {
    let mut order: Vec<&Finding> = report.findings.iter().collect();
    if let Some(changed) = &options.changed_files {
        // Stable: each group keeps the report's order.
        order.sort_by_key(|f| !changed.contains(&f.file));
    }
    order
}

/// How many findings GitHub will not show as annotations: those past the first
/// [`ANNOTATION_LIMIT`] errors and past the first [`ANNOTATION_LIMIT`] warnings.
pub fn not_annotated(report: &Report) -> usize {
    let errors = report
        .findings
        .iter()
        .filter(|f| f.rule.severity() == Severity::Error)
        .count();
    let warnings = report.findings.len() - errors;
    errors.saturating_sub(ANNOTATION_LIMIT) + warnings.saturating_sub(ANNOTATION_LIMIT)
}

/// Render the workflow commands and the summary line.
///
/// ```text
/// ::error file=adm/member_view.php,line=4,col=17,endLine=4,endColumn=43,title=TL001 missing-tenant-filter::`iw_member` is read …
/// tenantlint: 12 files, 40 SQL sites (0 unanalyzed), 0 with parse errors: 1 finding (…) in 12 ms
/// ```
pub fn render(report: &Report, options: &RenderOptions) -> String {
    let mut out = list(
        report,
        options,
        annotation_order(report, options),
        &WorkflowCommands,
    );
    let hidden = not_annotated(report);
    if hidden > 0 {
        let _ = writeln!(
            out,
            "note: GitHub shows the first {ANNOTATION_LIMIT} errors and {ANNOTATION_LIMIT} warnings of a step as annotations: {} not annotated (all are listed in this log{})",
            scope::count(hidden, "finding is", "findings are"),
            if options.changed_files.is_some() {
                "; findings in changed files come first"
            } else {
                ""
            }
        );
    }
    out.push_str(&pretty::unanalyzed_summary(report, options.show_unanalyzed));
    out
}

struct WorkflowCommands;

impl LineFormat for WorkflowCommands {
    fn finding(&self, out: &mut String, file: &ScannedFile, start: LineCol, finding: &Finding) {
        let end = file.line_col(finding.span.end);
        let command = match finding.rule.severity() {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ = writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&file.display),
            start.line,
            start.column,
            end.line,
            end.column,
            escape_property(&format!("{} {}", finding.rule.code(), finding.rule.name())),
            escape_data(&finding.message)
        );
    }

    fn unanalyzed(&self, out: &mut String, file: &ScannedFile, at: LineCol, site: &Unanalyzed) {
        let _ = writeln!(
            out,
            "::notice file={},line={},col={},title={}::{}",
            escape_property(&file.display),
            at.line,
            at.column,
            escape_property(&format!("unanalyzed ({})", site.kind.as_str())),
            escape_data(&site.reason)
        );
    }

    fn warning(&self, out: &mut String, warning: &str) {
        let _ = writeln!(out, "::warning title=tenantlint::{}", escape_data(warning));
    }
}

/// The Markdown job summary: counts by rule, the findings, what was not annotated, not
/// analysed or suppressed.
pub fn step_summary(report: &Report, options: &RenderOptions) -> String {
    let s = &report.summary;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## tenantlint: {}\n",
        if s.findings == 0 {
            "no findings".to_string()
        } else {
            scope::count(s.findings, "finding", "findings")
        }
    );
    let _ = writeln!(out, "{}\n", pretty::summary_line(report, true));
    out.push_str("| Rule | Name | Findings |\n| --- | --- | ---: |\n");
    for (code, n) in &s.by_rule {
        let name = Rule::from_code(code).map_or("", Rule::name);
        let _ = writeln!(out, "| {code} | {name} | {n} |");
    }
    out.push('\n');
    let order = annotation_order(report, options);
    if !order.is_empty() {
        out.push_str("### Findings\n\n| Rule | Location | Message |\n| --- | --- | --- |\n");
        for finding in order.iter().take(SUMMARY_TABLE_LIMIT) {
            let file = &report.files[finding.file];
            let at = file.line_col(finding.span.start);
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                finding.rule.code(),
                table_cell(&code_span(&format!("{}:{}", file.display, at.line))),
                table_cell(&markdown_text(&finding.message))
            );
        }
        if order.len() > SUMMARY_TABLE_LIMIT {
            let _ = writeln!(
                out,
                "\n… and {} more: the log lists every finding.",
                scope::count(order.len() - SUMMARY_TABLE_LIMIT, "finding", "findings")
            );
        }
        out.push('\n');
    }
    let hidden = not_annotated(report);
    if hidden > 0 {
        let _ = writeln!(
            out,
            "**Not annotated:** GitHub shows the first {ANNOTATION_LIMIT} errors and {ANNOTATION_LIMIT} warnings of a step as annotations; {} beyond them {} not annotated{}.\n",
            scope::count(hidden, "finding", "findings"),
            if hidden == 1 { "is" } else { "are" },
            if options.changed_files.is_some() {
                " (findings in changed files come first)"
            } else {
                ""
            }
        );
    }
    if s.unanalyzed > 0 {
        let _ = writeln!(
            out,
            "**Unanalyzed:** {} could not be checked; run `tenantlint check --show-unanalyzed` to list {}.\n",
            scope::count(s.unanalyzed, "query", "queries"),
            if s.unanalyzed == 1 { "it" } else { "them" }
        );
    }
    if s.suppressed > 0 {
        let _ = writeln!(
            out,
            "**Suppressed:** {} by `tenantlint-ignore` directives (`--format json` lists them with their reasons).\n",
            scope::count(s.suppressed, "finding suppressed", "findings suppressed")
        );
    }
    out
}

/// Append [`step_summary`] to the job summary file.
pub fn append_step_summary(
    path: &Path,
    report: &Report,
    options: &RenderOptions,
) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(step_summary(report, options).as_bytes())
}

/// A workflow command's message: `%`, CR and LF escaped.
pub fn escape_data(text: &str) -> String {
    replace_chars(text, escape_data_char)
}

/// A workflow command's property value: as [`escape_data`], and `:` and `,` escaped.
pub fn escape_property(text: &str) -> String {
    replace_chars(text, |c| match c {
        ':' => Some("%3A"),
        ',' => Some("%2C"),
        c => escape_data_char(c),
    })
}

fn escape_data_char(c: char) -> Option<&'static str> {
    match c {
        '%' => Some("%25"),
        '\r' => Some("%0D"),
        '\n' => Some("%0A"),
        _ => None,
    }
}

/// Markdown text for a table cell: `|` escaped, line breaks as `<br>`.
fn table_cell(markdown: &str) -> String {
    markdown
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('|', "\\|")
        .replace('\n', "<br>")
}

/// Plain text (which may hold `code spans`) as Markdown: `<` outside code spans is escaped so
/// that `<select>` is not taken for HTML.
fn markdown_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_code = false;
    for c in text.chars() {
        match c {
            '`' => {
                in_code = !in_code;
                out.push(c);
            }
            '<' if !in_code => out.push_str("&lt;"),
            c => out.push(c),
        }
    }
    out
}

/// `text` as a Markdown code span, fenced with more backticks than it holds in a row.
fn code_span(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    if longest > 0 {
        format!("{fence} {text} {fence}")
    } else {
        format!("{fence}{text}{fence}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_command_escapes() {
        assert_eq!(
            escape_data("50% done\r\nnext: a,b"),
            "50%25 done%0D%0Anext: a,b"
        );
        assert_eq!(
            escape_property("50% done\r\nnext: a,b"),
            "50%25 done%0D%0Anext%3A a%2Cb"
        );
    }

    #[test]
    fn markdown_cells_stay_in_their_cell() {
        assert_eq!(table_cell("a | b\nc"), "a \\| b<br>c");
        assert_eq!(
            markdown_text("<select> in `a < b`"),
            "&lt;select> in `a < b`"
        );
        assert_eq!(code_span("a.php:3"), "`a.php:3`");
        assert_eq!(code_span("a`b.php:3"), "`` a`b.php:3 ``");
    }
}

//! `--format concise`: one line per finding, `file:line:col: CODE message`, for editors and
//! grep, then the summary line of `pretty`. Never coloured; control characters in paths and
//! messages are written as escapes, so every finding stays on its own line.

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::lines::LineCol;
use crate::report::escape::{escape, Notation};
use crate::report::model::{Report, ScannedFile, Unanalyzed};
use crate::report::{pretty, RenderOptions};
use crate::rules::Finding;

/// Render the report, one finding per line.
///
/// ```text
/// adm/member_view.php:4:17: TL001 `iw_member` is read without a tenant filter …
/// tenantlint: 1 file, 1 SQL site (0 unanalyzed), 0 with parse errors: 1 finding (…) in 3 ms
/// ```
pub fn render(report: &Report, options: &RenderOptions) -> String {
    list(report, options, &report.findings, &Concise)
}

/// How a format that writes a line per finding, unanalyzed site and warning writes each one.
pub(crate) trait LineFormat {
    /// `finding`, in `file`, starting `at`.
    fn finding(&self, out: &mut String, file: &ScannedFile, at: LineCol, finding: &Finding);
    /// An unanalyzed `site` in `file`, starting `at` (`--show-unanalyzed`).
    fn unanalyzed(&self, out: &mut String, file: &ScannedFile, at: LineCol, site: &Unanalyzed);
    fn warning(&self, out: &mut String, warning: &str);
}

/// A line per finding of `findings`, per unanalyzed site (with `--show-unanalyzed`) and per
/// warning, written by `format`; then the summary line and what the run showed.
pub(crate) fn list<'a>(
    report: &Report,
    options: &RenderOptions,
    findings: impl IntoIterator<Item = &'a Finding>,
    format: &impl LineFormat,
) -> String {
    let mut out = String::new();
    for finding in findings {
        let file = &report.files[finding.file];
        format.finding(&mut out, file, file.line_col(finding.span.start), finding);
    }
    if options.show_unanalyzed {
        for site in &report.unanalyzed {
            let file = &report.files[site.file];
            format.unanalyzed(&mut out, file, file.line_col(site.span.start), site);
        }
    }
    for warning in &report.warnings {
        format.warning(&mut out, warning);
    }
    out.push_str(&pretty::summary_line(report, options.hide_timing));
    out.push('\n');
    // Which files findings are shown for, and what a baseline accepted.
    out.push_str(&crate::report::scope::run_lines(report));
    out
}

struct Concise;

impl LineFormat for Concise {
    fn finding(&self, out: &mut String, file: &ScannedFile, at: LineCol, finding: &Finding) {
        let _ = writeln!(
            out,
            "{}:{}:{}: {} {}",
            visible(&file.display),
            at.line,
            at.column,
            finding.rule.code(),
            visible(&finding.message)
        );
    }

    fn unanalyzed(&self, out: &mut String, file: &ScannedFile, at: LineCol, site: &Unanalyzed) {
        let _ = writeln!(
            out,
            "{}:{}:{}: unanalyzed {}: {}",
            visible(&file.display),
            at.line,
            at.column,
            site.kind.as_str(),
            visible(&site.reason)
        );
    }

    fn warning(&self, out: &mut String, warning: &str) {
        let _ = writeln!(out, "warning: {}", visible(warning));
    }
}

/// `text` with control characters written as escapes (`\n`, `\t`, `\u{1b}`), so that it
/// holds no line break and no terminal control sequence.
pub fn visible(text: &str) -> Cow<'_, str> {
    escape(text, Notation::Line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(visible("a.php"), "a.php");
        assert_eq!(visible("a\nb\r\tc\u{1b}[31m"), "a\\nb\\r\\tc\\u{1b}[31m");
        assert_eq!(visible("한글 ok"), "한글 ok");
    }
}

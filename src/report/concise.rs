//! `--format concise`: one line per finding, `file:line:col: CODE message`, for editors and
//! grep, then the summary line of `pretty`. Never coloured; control characters in paths and
//! messages are written as escapes, so every finding stays on its own line.

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::report::model::Report;
use crate::report::{pretty, RenderOptions};

/// Render the report, one finding per line.
///
/// ```text
/// adm/member_view.php:4:17: TL001 `iw_member` is read without a tenant filter …
/// tenantlint: 1 file, 1 SQL site (0 unanalyzed), 0 with parse errors: 1 finding (…) in 3 ms
/// ```
pub fn render(report: &Report, options: &RenderOptions) -> String {
    let mut out = String::new();
    for finding in &report.findings {
        let file = &report.files[finding.file];
        let at = file.line_col(finding.span.start);
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
    if options.show_unanalyzed {
        for site in &report.unanalyzed {
            let file = &report.files[site.file];
            let at = file.line_col(site.span.start);
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
    }
    for warning in &report.warnings {
        let _ = writeln!(out, "warning: {}", visible(warning));
    }
    out.push_str(&pretty::summary_line(report, options.hide_timing));
    out.push('\n');
    // Which files findings are shown for, and what a baseline accepted.
    out.push_str(&crate::report::scope::run_lines(report));
    out
}

/// `text` with control characters written as escapes (`\n`, `\t`, `\u{1b}`), so that it
/// holds no line break and no terminal control sequence.
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
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

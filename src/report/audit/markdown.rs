//! The audit report as Markdown (CommonMark with GitHub tables): the HTML page's content, with
//! the same anchors, the chart drawn in text.

use std::fmt::Write as _;

use super::walk::{self, open_counted, Markup};
use super::{
    caveat_sentences, excerpt, rule_why, source_line, verdict_sentence, visible, Audit,
    CoverageRow, ExcerptRow, CHART_ROWS, INDEX_RULES,
};
use crate::report::model::StatementKind;
use crate::report::unanalyzed;

/// Render the document.
pub fn render(audit: &Audit) -> String {
    let mut out = String::with_capacity(32 * 1024);
    header(&mut out, audit);
    verdict(&mut out, audit);
    contents(&mut out, audit);
    coverage(&mut out, audit);
    findings(&mut out, audit);
    suppressions(&mut out, audit);
    unanalyzed_sites(&mut out, audit);
    warnings(&mut out, audit);
    scope(&mut out, audit);
    rules(&mut out, audit);
    let _ = writeln!(
        out,
        "---\n\nMade by tenantlint {} on {}. This report is a document, not a gate: `tenantlint check` fails a build on findings.",
        text(&audit.stamp.tool_version),
        text(&audit.stamp.date)
    );
    out
}

/// Prose: control characters made visible, Markdown and HTML syntax escaped.
pub fn text(s: &str) -> String {
    let s = visible(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' | '!' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
    out
}

/// A code span holding `s` literally (fenced by more backquotes than it holds in a row).
pub fn code(s: &str) -> String {
    let s = visible(s);
    let longest = longest_run(&s, '`');
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') || (s.starts_with(' ') && s.ends_with(' '))
    {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// Text for a table cell: `|` escaped, also inside code spans (as GitHub tables need).
fn cell(s: String) -> String {
    s.replace('|', "\\|").replace("\\\\|", "\\|")
}

fn longest_run(s: &str, c: char) -> usize {
    let mut longest = 0;
    let mut run = 0;
    for ch in s.chars() {
        if ch == c {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    longest
}

/// Markdown's text, code and sections.
struct Markdown;

impl Markup for Markdown {
    fn text(&self, s: &str) -> String {
        text(s)
    }

    fn code(&self, s: &str) -> String {
        code(s)
    }

    fn aside(&self, s: &str) -> String {
        format!("({s})")
    }

    fn open_section(&self, out: &mut String, id: &str, title: &str, count: Option<usize>) {
        anchor(out, id);
        match count {
            Some(n) => {
                let _ = writeln!(out, "## {title} ({n})\n");
            }
            None => {
                let _ = writeln!(out, "## {title}\n");
            }
        }
    }

    fn empty_section(&self, out: &mut String, message: &str) {
        let _ = writeln!(out, "{message}\n");
    }
}

fn rich(s: &str) -> String {
    Markdown.rich(s)
}

fn anchor(out: &mut String, id: &str) {
    let _ = writeln!(out, "<a id=\"{id}\"></a>\n");
}

fn header(out: &mut String, audit: &Audit) {
    let _ = writeln!(
        out,
        "# Tenant isolation audit: {}\n",
        text(&audit.stamp.project)
    );
    out.push_str("| | |\n|---|---|\n");
    for (term, value) in walk::stamp_rows(audit, &Markdown) {
        let _ = writeln!(out, "| {term} | {} |", cell(value));
    }
    out.push('\n');
}

fn verdict(out: &mut String, audit: &Audit) {
    let v = &audit.verdict;
    let s = &audit.report.summary;
    anchor(out, "verdict");
    let _ = writeln!(out, "## Verdict\n\n**{}**\n", text(&verdict_sentence(v)));
    let caveats = caveat_sentences(audit);
    for c in &caveats {
        let _ = writeln!(out, "- {}", rich(c));
    }
    if !caveats.is_empty() {
        out.push('\n');
    }
    let kinds = audit.kind_columns();
    out.push_str("| Statements that reach other tenants' rows |");
    for k in &kinds {
        let _ = write!(out, " {} |", k.as_str());
    }
    out.push_str(" Total |\n|---|");
    for _ in &kinds {
        out.push_str("--:|");
    }
    out.push_str("--:|\n");
    let column = |k: &StatementKind| StatementKind::ALL.iter().position(|x| x == k).unwrap_or(0);
    for (rule, counts, total) in &v.by_rule {
        let _ = write!(out, "| {} {} |", rule.code(), rule.name());
        for k in &kinds {
            let _ = write!(out, " {} |", counts[column(k)]);
        }
        let _ = writeln!(out, " {total} |");
    }
    out.push_str("| **All** (a statement counts once) |");
    for k in &kinds {
        let n = v
            .by_kind
            .iter()
            .find(|(kk, _)| kk == k)
            .map_or(0, |(_, n)| *n);
        let _ = write!(out, " **{n}** |");
    }
    let _ = writeln!(out, " **{}** |\n", v.statements);
    let _ = writeln!(
        out,
        "Places where the request can choose the tenant: **{}** · queries not checked: **{}** · findings suppressed: **{}**\n\nFindings by rule: {}.\n",
        v.request_tenant,
        s.unanalyzed,
        s.suppressed,
        s.by_rule
            .iter()
            .map(|(code, n)| format!("{code} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
}

fn contents(out: &mut String, audit: &Audit) {
    out.push_str("## Contents\n\n");
    for (n, (id, title, count)) in walk::contents(audit).into_iter().enumerate() {
        let _ = write!(out, "{}. [{title}](#{id})", n + 1);
        if let Some(count) = count {
            let _ = write!(out, " ({count})");
        }
        out.push('\n');
    }
    out.push('\n');
}

/// Width of the longest text bar, in characters.
const BAR_CHARS: usize = 40;

fn coverage(out: &mut String, audit: &Audit) {
    Markdown.open_section(out, "coverage", "Tenant-table coverage", None);
    let _ = writeln!(
        out,
        "For every tenant table, the SQL statements that read or write it, and how many are **scoped** to one tenant: each reference is constrained by {col}, and each INSERT sets {col}. A statement that names a table several times counts once for it.\n",
        col = code(&audit.stamp.column)
    );
    if audit.coverage.is_empty() {
        out.push_str(
            "No statement reads or writes a tenant table, and the configuration names none exactly.\n\n",
        );
        return;
    }
    let charted = &audit.coverage[..audit.coverage.len().min(CHART_ROWS)];
    if charted.len() < audit.coverage.len() {
        let _ = writeln!(
            out,
            "The chart shows the {} tables with the most statements not scoped; the table below lists all {}.\n",
            charted.len(),
            audit.coverage.len()
        );
    }
    text_chart(out, charted);
    out.push_str("| Table | Statements | Scoped | Not scoped: reported | suppressed | unverified | Scoped by kind |\n|---|--:|--:|--:|--:|--:|---|\n");
    for row in &audit.coverage {
        let kinds = if row.never_touched {
            "*never touched*: named in the configuration, used by no statement".to_string()
        } else {
            row.by_kind
                .iter()
                .map(|(k, total, scoped)| format!("{} {scoped}/{total}", k.as_str()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            cell(code(&row.table)),
            row.statements,
            row.scoped,
            row.reported,
            row.suppressed,
            row.unverified,
            kinds
        );
    }
    let t = audit.coverage_totals();
    let _ = writeln!(
        out,
        "| **All tenant tables** | **{}** | **{}** | **{}** | **{}** | **{}** | |\n",
        t[0], t[1], t[2], t[3], t[4]
    );
    let never: Vec<&CoverageRow> = audit.coverage.iter().filter(|r| r.never_touched).collect();
    if !never.is_empty() {
        let _ = writeln!(
            out,
            "**Never touched** — named exactly in the configuration, read or written by no statement: {}.\n",
            never.iter().map(|r| code(&r.table)).collect::<Vec<_>>().join(", ")
        );
    }
    out.push_str("*Unverified*: not shown to be scoped, without a finding of its own — the query holds text that cannot be known (see [Queries not checked](#unanalyzed)), or the same query text is reported where it is run elsewhere.\n\n");
}

/// The chart as text: `█` scoped, `▓` not scoped and reported, `▒` suppressed, `░` unverified.
fn text_chart(out: &mut String, rows: &[CoverageRow]) {
    let max = rows.iter().map(|r| r.statements).max().unwrap_or(0).max(1);
    let width = rows
        .iter()
        .map(|r| visible(&r.table).chars().count())
        .max()
        .unwrap_or(0);
    let mut lines = Vec::new();
    for row in rows {
        let name = visible(&row.table).into_owned();
        let pad = " ".repeat(width - name.chars().count());
        if row.never_touched {
            lines.push(format!("{name}{pad}  never touched"));
            continue;
        }
        // Cumulative rounding keeps the bar's length the row's share of the scale; a part
        // that is not zero gets at least one character.
        let mut bar = String::new();
        let mut done = 0;
        let mut drawn = 0;
        for (c, n) in [
            ('█', row.scoped),
            ('▓', row.reported),
            ('▒', row.suppressed),
            ('░', row.unverified),
        ] {
            if n == 0 {
                continue;
            }
            done += n;
            let end = ((done * BAR_CHARS + max / 2) / max).max(drawn + 1);
            bar.extend(std::iter::repeat_n(c, end - drawn));
            drawn = end;
        }
        lines.push(format!(
            "{name}{pad}  {bar} {} of {} scoped",
            row.scoped, row.statements
        ));
    }
    let body = lines.join("\n");
    let fence = "`".repeat(longest_run(&body, '`').max(2) + 1);
    let _ = writeln!(
        out,
        "{fence}text\n{body}\n{fence}\n\n`█` scoped · `▓` not scoped, reported · `▒` not scoped, suppressed · `░` unverified\n"
    );
}

fn findings(out: &mut String, audit: &Audit) {
    let r = audit.report;
    if !open_counted(
        &Markdown,
        out,
        ("findings", "Findings"),
        r.findings.len(),
        "None.",
    ) {
        return;
    }
    out.push_str("Grouped by file. In each excerpt `>` marks a line with the text at fault, `^` underlines it, and `*` marks the call that runs the query. Each finding's anchor is its fingerprint.\n\n");
    out.push_str("| File | Findings |");
    for rule in INDEX_RULES {
        let _ = write!(out, " {} |", rule.code());
    }
    out.push_str(" Other |\n|---|--:|--:|--:|--:|--:|--:|\n");
    for g in &audit.groups {
        let _ = write!(
            out,
            "| [{}](#{}) | {} |",
            cell(text(&audit.file(g.file).display)),
            g.anchor,
            g.findings.len()
        );
        for n in g.by_rule(audit.report) {
            let _ = write!(out, " {n} |");
        }
        out.push('\n');
    }
    out.push('\n');
    for g in &audit.groups {
        let file = audit.file(g.file);
        anchor(out, &g.anchor);
        let _ = writeln!(
            out,
            "### {} ({})\n",
            text(&file.display),
            super::count(g.findings.len(), "finding", "findings")
        );
        for &i in &g.findings {
            finding(out, audit, i);
        }
    }
}

fn finding(out: &mut String, audit: &Audit, i: usize) {
    let f = &audit.report.findings[i];
    anchor(out, &audit.anchors[i]);
    let kind = audit.kinds[i]
        .map(|k| format!(" · {}", k.as_str()))
        .unwrap_or_default();
    let _ = writeln!(out, "#### {}{kind} · {}\n", f.rule.code(), rich(&f.message));
    let _ = writeln!(out, "{}\n", walk::finding_where(audit, &Markdown, i));
    excerpt_text(out, audit, f.file, f.span, f.exec);
    if let Some(sql) = &f.sql {
        let _ = writeln!(out, "Query: {}\n", code(sql));
    }
    if !f.trace.is_empty() {
        out.push_str("How the value gets there:\n\n");
        for (n, step) in f.trace.iter().enumerate() {
            let _ = writeln!(
                out,
                "{}. {} {} {}",
                n + 1,
                code(&audit.location(step.file, step.span.start)),
                rich(&step.note),
                code(&source_line(audit.file(step.file), step.span.start, 140))
            );
        }
        out.push('\n');
    }
    let _ = writeln!(out, "**Fix:** {}\n", rich(&f.help));
}

fn excerpt_text(
    out: &mut String,
    audit: &Audit,
    file: usize,
    span: crate::facts::Span,
    exec: Option<crate::facts::Span>,
) {
    let rows = excerpt(audit.file(file), span, exec);
    if rows.is_empty() {
        return;
    }
    let width = rows
        .iter()
        .filter_map(|r| match r {
            ExcerptRow::Line { number, .. } => Some(number.to_string().len()),
            ExcerptRow::Gap => None,
        })
        .max()
        .unwrap_or(1);
    let mut lines = Vec::new();
    for row in rows {
        match row {
            ExcerptRow::Gap => lines.push(format!("  {:>width$} ⋮", "")),
            ExcerptRow::Line { number, parts, run } => {
                let hit = parts.iter().any(|(_, h)| *h);
                let mark = match (hit, run) {
                    (true, _) => '>',
                    (false, true) => '*',
                    (false, false) => ' ',
                };
                let line: String = parts.iter().map(|(s, _)| s.as_str()).collect();
                lines.push(
                    format!("{mark} {number:>width$} │ {line}")
                        .trim_end()
                        .to_string(),
                );
                if hit {
                    let mut under = String::new();
                    for (s, h) in &parts {
                        let c = if *h { '^' } else { ' ' };
                        under.extend(std::iter::repeat_n(c, s.chars().count()));
                    }
                    lines.push(format!("  {:>width$} │ {}", "", under.trim_end()));
                }
            }
        }
    }
    let body = lines.join("\n");
    let fence = "`".repeat(longest_run(&body, '`').max(2) + 1);
    let _ = writeln!(out, "{fence}php\n{body}\n{fence}\n");
}

fn suppressions(out: &mut String, audit: &Audit) {
    let r = audit.report;
    if !open_counted(
        &Markdown,
        out,
        ("suppressions", "Suppressions"),
        r.suppressed.len(),
        "No finding is suppressed.",
    ) {
        return;
    }
    out.push_str("Findings silenced in the code by a `tenantlint-ignore` directive, with the reason it gives. Each is a decision someone must be able to defend.\n\n| Where | Rule | Finding | Reason given | Directive |\n|---|---|---|---|---|\n");
    for s in &r.suppressed {
        let [at, rule, message, reason, line] = walk::suppression_cells(audit, &Markdown, s);
        let _ = writeln!(
            out,
            "| {} | {rule} | {} | {} | {line} |",
            cell(at),
            cell(message),
            cell(reason)
        );
    }
    out.push('\n');
}

fn unanalyzed_sites(out: &mut String, audit: &Audit) {
    let r = audit.report;
    if !open_counted(
        &Markdown,
        out,
        ("unanalyzed", "Queries not checked"),
        r.unanalyzed.len(),
        "Every query found was checked.",
    ) {
        return;
    }
    out.push_str("Queries tenantlint found but could not check: they may or may not be scoped. Review them by hand, or make them checkable as each group says.\n\n");
    for group in unanalyzed::by_kind(r) {
        let _ = writeln!(
            out,
            "### {} ({})\n\n{}\n",
            group.kind.as_str(),
            group.sites.len(),
            rich(&unanalyzed::kind_hint(&group))
        );
        for u in &group.sites {
            let _ = writeln!(
                out,
                "- {}: {}",
                code(&audit.location(u.file, u.span.start)),
                rich(&u.reason)
            );
        }
        out.push('\n');
    }
}

fn warnings(out: &mut String, audit: &Audit) {
    let r = audit.report;
    if !open_counted(
        &Markdown,
        out,
        ("warnings", "Warnings"),
        r.warnings.len(),
        "None.",
    ) {
        return;
    }
    for w in &r.warnings {
        let _ = writeln!(out, "- {}", rich(w));
    }
    out.push('\n');
}

fn scope(out: &mut String, audit: &Audit) {
    Markdown.open_section(out, "scope", "What was scanned", None);
    for item in walk::scope_items(audit, &Markdown) {
        let _ = writeln!(out, "- {item}");
    }
    out.push('\n');
}

fn rules(out: &mut String, audit: &Audit) {
    Markdown.open_section(out, "rules", "About the rules", None);
    for rule in audit.rules_shown() {
        let _ = writeln!(
            out,
            "- **{} {}** ({}): {}",
            rule.code(),
            rule.name(),
            code(&format!("tenantlint rule {}", rule.code())),
            rich(&rule_why(rule))
        );
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_and_code_are_escaped() {
        assert_eq!(text("a <b> & *c* | d"), "a \\<b\\> &amp; \\*c\\* \\| d");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x`"), "`` `x` ``");
        assert_eq!(cell(code("a|b")), "`a\\|b`");
        assert_eq!(text("x\u{1b}y"), "x\\\\u\\{1b\\}y");
    }
}

//! The audit report as one self-contained HTML page: inline CSS and SVG, no script, nothing
//! loaded from the network. The markup is also well-formed XML (every element closed, every
//! attribute quoted, only XML's own entities), so it can be checked with an XML parser.

use std::fmt::Write as _;

use super::walk::{self, open_counted, Markup};
use super::{
    caveat_sentences, excerpt, rule_why, source_line, verdict_sentence, verdict_tone, visible,
    Audit, CoverageRow, ExcerptRow, CHART_ROWS, INDEX_RULES,
};
use crate::report::escape::replace_chars;
use crate::report::model::StatementKind;
use crate::report::unanalyzed;

const STYLE: &str = r#"
:root {
  --ink: #1d232b; --muted: #5c6670; --line: #d9dee3; --paper: #ffffff; --soft: #f4f6f8;
  --bad: #b3261e; --bad-soft: #fdecea; --good: #2e7d32; --good-soft: #e8f5e9;
  --warn: #9a5b00; --warn-soft: #fff4e0; --grey: #8a939c; --unverified: #e0a100;
  --mono: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace;
}
* { box-sizing: border-box; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
html { background: var(--soft); }
body {
  margin: 0 auto; max-width: 1080px; padding: 28px 32px 48px; background: var(--paper);
  color: var(--ink); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans",
  "DejaVu Sans", sans-serif;
}
a { color: #1a5fb4; }
code, .code, pre { font-family: var(--mono); font-size: 0.88em; }
code { background: var(--soft); padding: 0 3px; border-radius: 3px; overflow-wrap: break-word; }
h1 { font-size: 28px; margin: 0 0 12px; }
h2 { font-size: 21px; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 16px; margin: 24px 0 8px; overflow-wrap: anywhere; }
.kicker { margin: 0; color: var(--muted); text-transform: uppercase; letter-spacing: .08em; font-size: 12px; font-weight: 600; }
.stamp { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; font-size: 13px; }
.stamp dt { color: var(--muted); }
.stamp dd { margin: 0; overflow-wrap: anywhere; }
.verdict { margin: 22px 0 8px; padding: 18px 22px; border-radius: 8px; border-left: 8px solid; }
.verdict.bad { background: var(--bad-soft); border-color: var(--bad); }
.verdict.warn { background: var(--warn-soft); border-color: var(--warn); }
.verdict.good { background: var(--good-soft); border-color: var(--good); }
.verdict h2.eyebrow { border: 0; margin: 0 0 6px; padding: 0; font-size: 13px; text-transform: uppercase; letter-spacing: .08em; color: var(--muted); }
.headline { font-size: 21px; font-weight: 650; line-height: 1.35; margin: 0 0 8px; }
.caveats { margin: 0; padding-left: 20px; }
.tiles { display: flex; flex-wrap: wrap; gap: 10px; margin: 16px 0 4px; }
.tile { flex: 1 1 120px; background: var(--paper); border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; }
.tile .n { display: block; font-size: 26px; font-weight: 700; line-height: 1.1; }
.tile .t { display: block; font-size: 12px; color: var(--muted); }
.tile.hot .n { color: var(--bad); }
table { border-collapse: collapse; margin: 10px 0; font-size: 13.5px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: left; vertical-align: baseline; }
th.group { text-align: center; border-bottom: 1px solid var(--grey); }
th { font-weight: 600; background: var(--soft); }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.hot { color: var(--bad); font-weight: 700; }
td.zero { color: var(--line); }
table.files td { padding: 2px 10px; }
td.tname { white-space: nowrap; }
td.kinds .k { white-space: nowrap; margin-right: 10px; }
td.kinds .k.hot { color: var(--bad); }
table.coverage td { padding: 3px 10px; }
tfoot td { font-weight: 700; border-top: 2px solid var(--line); }
.wide { width: 100%; }
.cell-wrap { overflow-wrap: break-word; }
nav ol { margin: 0; padding-left: 22px; font-size: 14px; }
.count { color: var(--muted); font-weight: 400; }
.chart { display: block; max-width: 100%; height: auto; margin: 8px 0; }
.note { color: var(--muted); font-size: 13px; }
.file { margin-top: 26px; }
.file > h3 { position: sticky; top: 0; background: var(--paper); padding: 6px 0; border-bottom: 1px solid var(--line); }
.finding { border: 1px solid var(--line); border-left: 5px solid var(--bad); border-radius: 6px; padding: 10px 14px; margin: 12px 0; }
.finding.sev-warning { border-left-color: var(--warn); }
.fh { display: flex; align-items: baseline; gap: 8px; }
.fh h4 { margin: 0; font-size: 15px; flex: 1; overflow-wrap: anywhere; }
.badge { font: 600 11px/1.6 var(--mono); padding: 0 6px; border-radius: 3px; background: var(--bad); color: #fff; white-space: nowrap; }
.badge.kind { background: var(--ink); }
.badge.warning { background: var(--warn); }
.self { color: var(--muted); text-decoration: none; }
.where { margin: 4px 0 8px; font-size: 13px; color: var(--muted); }
.code { background: #f7f8fa; border: 1px solid var(--line); border-radius: 4px; padding: 4px 0; font-size: 12.5px; line-height: 1.45; }
.line { display: flex; }
.line .ln { flex: 0 0 4.2em; text-align: right; padding-right: 10px; color: var(--grey); user-select: none; border-right: 3px solid transparent; }
.line .tx { white-space: pre-wrap; overflow-wrap: anywhere; padding-left: 8px; flex: 1; }
.line.run .ln { border-right-color: #1a5fb4; color: #1a5fb4; }
.line mark { background: #ffd7d3; color: var(--bad); font-weight: 700; border-bottom: 2px solid var(--bad); padding: 0 1px; }
.gap { color: var(--grey); padding-left: 3.2em; line-height: 1.1; }
.legend-inline { font-size: 12px; color: var(--muted); }
.legend-inline span { margin-right: 14px; white-space: nowrap; }
.sw { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; vertical-align: baseline; }
.sql { font-size: 12.5px; margin: 8px 0 0; overflow-wrap: anywhere; }
.label { font-weight: 600; color: var(--muted); margin-right: 6px; }
.trace { margin: 8px 0 0; padding-left: 22px; font-size: 13px; }
.trace .src { color: var(--muted); }
.help { margin: 8px 0 0; padding: 6px 10px; background: var(--good-soft); border-radius: 4px; font-size: 13.5px; }
.kind-hint { color: var(--muted); font-weight: 400; font-size: 13px; }
ul.plain { padding-left: 20px; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); padding-top: 8px; }
@media print {
  html { background: none; }
  body { max-width: none; padding: 0; font-size: 10pt; }
  @page { margin: 14mm 12mm; }
  a { color: inherit; text-decoration: none; }
  h2 { break-after: avoid; }
  h3, .fh { break-after: avoid; }
  .file > h3 { position: static; }
  .finding, .verdict, .chart, tr { break-inside: avoid; }
  .self { display: none; }
}
"#;

/// Colours of the chart, also used for the legends.
const SCOPED: &str = "#2e7d32";
const REPORTED: &str = "#b3261e";
const SUPPRESSED: &str = "#8a939c";
const UNPROVEN: &str = "#e0a100";

/// Render the page.
pub fn render(audit: &Audit) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let title = format!("Tenant isolation audit: {}", audit.stamp.project);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n\
         <meta name=\"generator\" content=\"tenantlint {}\"/>\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        esc(&audit.stamp.tool_version),
        esc(&title)
    );
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
    let _ = write!(
        out,
        "<footer>Made by tenantlint {} on {}. This report is a document, not a gate: \
         <code>tenantlint check</code> fails a build on findings.</footer>\n</body>\n</html>\n",
        esc(&audit.stamp.tool_version),
        esc(&audit.stamp.date)
    );
    out
}

/// Text for HTML: control characters made visible, then `& < > " '` escaped.
pub fn esc(s: &str) -> String {
    replace_chars(&visible(s), |c| match c {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '"' => Some("&quot;"),
        '\'' => Some("&#39;"),
        _ => None,
    })
}

fn code(s: &str) -> String {
    format!("<code>{}</code>", esc(s))
}

/// HTML's text, code and sections.
struct Html;

impl Markup for Html {
    fn text(&self, s: &str) -> String {
        esc(s)
    }

    fn code(&self, s: &str) -> String {
        code(s)
    }

    fn aside(&self, s: &str) -> String {
        format!("<span class=\"count\">{s}</span>")
    }

    fn open_section(&self, out: &mut String, id: &str, title: &str, count: Option<usize>) {
        let _ = write!(out, "<section id=\"{id}\">\n<h2>{title}");
        if let Some(n) = count {
            let _ = write!(out, " <span class=\"count\">({n})</span>");
        }
        out.push_str("</h2>\n");
    }

    fn empty_section(&self, out: &mut String, message: &str) {
        let _ = writeln!(out, "<p>{message}</p>\n</section>");
    }
}

/// A message or help text: escaped, its backquoted parts as `<code>`.
fn rich(s: &str) -> String {
    Html.rich(s)
}

fn header(out: &mut String, audit: &Audit) {
    let _ = write!(
        out,
        "<header>\n<p class=\"kicker\">Tenant isolation audit</p>\n<h1>{}</h1>\n<dl class=\"stamp\">\n",
        esc(&audit.stamp.project)
    );
    for (term, value) in walk::stamp_rows(audit, &Html) {
        let _ = writeln!(out, "<dt>{}</dt><dd>{value}</dd>", esc(term));
    }
    out.push_str("</dl>\n</header>\n");
}

fn verdict(out: &mut String, audit: &Audit) {
    let v = &audit.verdict;
    let s = &audit.report.summary;
    let _ = write!(
        out,
        "<section id=\"verdict\" class=\"verdict {}\">\n<h2 class=\"eyebrow\">Verdict</h2>\n<p class=\"headline\">{}</p>\n",
        verdict_tone(audit),
        esc(&verdict_sentence(v))
    );
    let caveats = caveat_sentences(audit);
    if !caveats.is_empty() {
        out.push_str("<ul class=\"caveats\">\n");
        for c in caveats {
            let _ = writeln!(out, "<li>{}</li>", rich(&c));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("<div class=\"tiles\">\n");
    for (kind, n) in &v.by_kind {
        if *kind == StatementKind::Other && *n == 0 {
            continue;
        }
        let what = match kind {
            StatementKind::Delete => "DELETE statements can delete other tenants' rows",
            StatementKind::Update => "UPDATE statements can change other tenants' rows",
            StatementKind::Select => "SELECT statements can read other tenants' rows",
            StatementKind::Insert => "INSERT statements write rows with no tenant",
            StatementKind::Other => "other statements reach other tenants' rows",
        };
        tile(out, *n, what, kind.as_str());
    }
    tile(
        out,
        v.request_tenant,
        "places let the request choose the tenant",
        "request",
    );
    tile(
        out,
        s.unanalyzed,
        "queries could not be checked",
        "unanalyzed",
    );
    tile(
        out,
        s.suppressed,
        "findings suppressed with a reason",
        "suppressed",
    );
    out.push_str("</div>\n");

    // Statements per rule and kind.
    let kinds = audit.kind_columns();
    out.push_str(
        "<table class=\"numbers\">\n<thead><tr><th>Statements that reach other tenants' rows</th>",
    );
    for k in &kinds {
        let _ = write!(out, "<th class=\"n\">{}</th>", k.as_str());
    }
    out.push_str("<th class=\"n\">Total</th></tr></thead>\n<tbody>\n");
    let column = |k: &StatementKind| StatementKind::ALL.iter().position(|x| x == k).unwrap_or(0);
    for (rule, counts, total) in &v.by_rule {
        let _ = write!(
            out,
            "<tr data-rule=\"{}\"><td>{} <span class=\"count\">{}</span></td>",
            rule.code(),
            rule.code(),
            rule.name()
        );
        for k in &kinds {
            number_cell(out, counts[column(k)]);
        }
        number_cell(out, *total);
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n<tfoot><tr data-rule=\"all\"><td>All (a statement counts once)</td>");
    for k in &kinds {
        let n = v
            .by_kind
            .iter()
            .find(|(kk, _)| kk == k)
            .map_or(0, |(_, n)| *n);
        number_cell(out, n);
    }
    number_cell(out, v.statements);
    out.push_str("</tr></tfoot>\n</table>\n");
    let _ = writeln!(
        out,
        "<p class=\"note\">Findings by rule: {}.</p>",
        s.by_rule
            .iter()
            .map(|(code, n)| format!("{code} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    out.push_str("</section>\n");
}

fn tile(out: &mut String, n: usize, what: &str, key: &str) {
    let _ = writeln!(
        out,
        "<div class=\"tile{}\" data-tile=\"{}\"><span class=\"n\">{n}</span><span class=\"t\">{}</span></div>",
        if n > 0 && key != "suppressed" && key != "unanalyzed" {
            " hot"
        } else {
            ""
        },
        esc(key),
        esc(what)
    );
}

fn number_cell(out: &mut String, n: usize) {
    let _ = write!(
        out,
        "<td class=\"n{}\">{n}</td>",
        if n > 0 { " hot" } else { "" }
    );
}

fn contents(out: &mut String, audit: &Audit) {
    out.push_str("<nav id=\"contents\">\n<h2>Contents</h2>\n<ol>\n");
    for (id, title, count) in walk::contents(audit) {
        let _ = write!(out, "<li><a href=\"#{id}\">{title}</a>");
        if let Some(count) = count {
            let _ = write!(out, " <span class=\"count\">({count})</span>");
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ol>\n</nav>\n");
}

// ---------------------------------------------------------------------------------------------
// Coverage
// ---------------------------------------------------------------------------------------------

fn coverage(out: &mut String, audit: &Audit) {
    let st = audit.stamp;
    Html.open_section(out, "coverage", "Tenant-table coverage", None);
    let _ = writeln!(
        out,
        "<p>For every tenant table, the SQL statements that read or write it, and how many are \
         <b>scoped</b> to one tenant: each reference is constrained by {col}, and each INSERT \
         sets {col}. A statement that names a table several times counts once for it.</p>",
        col = code(&st.column)
    );
    if audit.coverage.is_empty() {
        out.push_str(
            "<p class=\"note\">No statement reads or writes a tenant table, and the \
             configuration names none exactly.</p>\n</section>\n",
        );
        return;
    }
    legend(out);
    let charted = &audit.coverage[..audit.coverage.len().min(CHART_ROWS)];
    if charted.len() < audit.coverage.len() {
        let _ = writeln!(
            out,
            "<p class=\"note\">The chart shows the {} tables with the most statements not scoped; \
             the table below lists all {}.</p>",
            charted.len(),
            audit.coverage.len()
        );
    }
    chart(out, charted);
    out.push_str(
        "<table class=\"wide coverage\">\n<thead><tr><th rowspan=\"2\">Table</th><th class=\"n\" rowspan=\"2\">Statements</th>\
         <th class=\"n\" rowspan=\"2\">Scoped</th><th class=\"group\" colspan=\"3\">Not scoped</th><th rowspan=\"2\">Scoped by kind</th></tr>\n\
         <tr><th class=\"n\">reported</th><th class=\"n\">suppressed</th><th class=\"n\">unverified</th></tr></thead>\n<tbody>\n",
    );
    for row in &audit.coverage {
        let _ = write!(
            out,
            "<tr data-table=\"{}\"><td class=\"tname\">{}</td>",
            esc(&row.table),
            code(&row.table)
        );
        let _ = write!(
            out,
            "<td class=\"n\" data-col=\"statements\">{}</td>",
            row.statements
        );
        let _ = write!(
            out,
            "<td class=\"n\" data-col=\"scoped\">{}</td>",
            row.scoped
        );
        for (col, n) in [
            ("reported", row.reported),
            ("suppressed", row.suppressed),
            ("unverified", row.unverified),
        ] {
            let _ = write!(
                out,
                "<td class=\"n{}\" data-col=\"{col}\">{n}</td>",
                if n > 0 && col == "reported" {
                    " hot"
                } else {
                    ""
                }
            );
        }
        if row.never_touched {
            out.push_str(
                "<td><em>never touched</em>: named in the configuration, used by no statement</td>",
            );
        } else {
            let kinds: Vec<String> = row
                .by_kind
                .iter()
                .map(|(k, total, scoped)| {
                    format!(
                        "<span class=\"k{}\">{} {scoped}/{total}</span>",
                        if scoped < total { " hot" } else { "" },
                        k.as_str()
                    )
                })
                .collect();
            let _ = write!(out, "<td class=\"kinds\">{}</td>", kinds.join(" "));
        }
        out.push_str("</tr>\n");
    }
    let t = audit.coverage_totals();
    let _ = writeln!(
        out,
        "</tbody>\n<tfoot><tr data-table=\"\"><td>All tenant tables</td><td class=\"n\" data-col=\"statements\">{}</td>\
         <td class=\"n\" data-col=\"scoped\">{}</td><td class=\"n\" data-col=\"reported\">{}</td>\
         <td class=\"n\" data-col=\"suppressed\">{}</td><td class=\"n\" data-col=\"unverified\">{}</td><td></td></tr></tfoot>\n</table>",
        t[0], t[1], t[2], t[3], t[4]
    );
    let never: Vec<&CoverageRow> = audit.coverage.iter().filter(|r| r.never_touched).collect();
    if !never.is_empty() {
        let _ = writeln!(
            out,
            "<p><b>Never touched</b> — named exactly in the configuration, read or written by no \
             statement: {}.</p>",
            never
                .iter()
                .map(|r| code(&r.table))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    out.push_str(
        "<p class=\"note\"><b>Unverified</b>: not shown to be scoped, without a finding of its \
         own — the query holds text that cannot be known (see <a href=\"#unanalyzed\">Queries \
         not checked</a>), or the same query text is reported where it is run elsewhere.</p>\n</section>\n",
    );
}

fn legend(out: &mut String) {
    out.push_str("<p class=\"legend-inline\">");
    for (colour, what) in [
        (SCOPED, "scoped"),
        (REPORTED, "not scoped, reported"),
        (SUPPRESSED, "not scoped, suppressed"),
        (UNPROVEN, "unverified"),
    ] {
        let _ = write!(
            out,
            "<span><span class=\"sw\" style=\"background:{colour}\"></span>{what}</span>"
        );
    }
    out.push_str("</p>\n");
}

/// Width of the chart, in SVG units (pixels at 100%).
const CHART_WIDTH: f64 = 1000.0;
const ROW_HEIGHT: f64 = 22.0;
const BAR_HEIGHT: f64 = 14.0;

/// A horizontal stacked bar per table: scoped, reported, suppressed, unverified; the length
/// is the number of statements (one scale for all rows).
fn chart(out: &mut String, rows: &[CoverageRow]) {
    let longest = rows
        .iter()
        .map(|r| r.table.chars().count())
        .max()
        .unwrap_or(0);
    // Monospace at 12 units: about 7.3 units a character.
    let label_width = (longest as f64 * 7.6 + 16.0).clamp(80.0, 300.0);
    let label_chars = ((label_width - 16.0) / 7.6) as usize;
    let numbers_width = 150.0;
    let bar_left = label_width;
    let bar_width = CHART_WIDTH - label_width - numbers_width;
    let max = rows.iter().map(|r| r.statements).max().unwrap_or(0).max(1) as f64;
    let height = rows.len() as f64 * ROW_HEIGHT + 8.0;
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" width=\"{CHART_WIDTH}\" height=\"{height}\" \
         viewBox=\"0 0 {CHART_WIDTH} {height}\" font-family=\"system-ui, sans-serif\" font-size=\"12\">\n\
         <title>Statements per tenant table: scoped and not scoped</title>"
    );
    for (i, row) in rows.iter().enumerate() {
        let y = 4.0 + i as f64 * ROW_HEIGHT;
        let mid = y + ROW_HEIGHT / 2.0 + 4.0;
        let label: String = if row.table.chars().count() > label_chars {
            let cut: String = row
                .table
                .chars()
                .take(label_chars.saturating_sub(1))
                .collect();
            format!("{cut}…")
        } else {
            row.table.clone()
        };
        let _ = writeln!(
            out,
            "<g class=\"bar\" data-table=\"{}\" data-statements=\"{}\" data-scoped=\"{}\" data-reported=\"{}\" data-suppressed=\"{}\" data-unverified=\"{}\">\
             <title>{}: {} statements, {} scoped, {} reported, {} suppressed, {} unverified</title>",
            esc(&row.table),
            row.statements,
            row.scoped,
            row.reported,
            row.suppressed,
            row.unverified,
            esc(&row.table),
            row.statements,
            row.scoped,
            row.reported,
            row.suppressed,
            row.unverified
        );
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{mid:.1}\" text-anchor=\"end\" font-family=\"ui-monospace, Menlo, Consolas, monospace\" fill=\"#1d232b\">{}</text>",
            label_width - 8.0,
            esc(&label)
        );
        if row.never_touched {
            let _ = writeln!(
                out,
                "<text x=\"{bar_left:.1}\" y=\"{mid:.1}\" fill=\"#5c6670\" font-style=\"italic\">never touched</text></g>"
            );
            continue;
        }
        let mut x = bar_left;
        for (class, n, colour) in [
            ("scoped", row.scoped, SCOPED),
            ("reported", row.reported, REPORTED),
            ("suppressed", row.suppressed, SUPPRESSED),
            ("unverified", row.unverified, UNPROVEN),
        ] {
            if n == 0 {
                continue;
            }
            let w = n as f64 / max * bar_width;
            let _ = writeln!(
                out,
                "<rect class=\"seg {class}\" data-n=\"{n}\" x=\"{x:.2}\" y=\"{:.1}\" width=\"{w:.2}\" height=\"{BAR_HEIGHT}\" fill=\"{colour}\"/>",
                y + (ROW_HEIGHT - BAR_HEIGHT) / 2.0
            );
            x += w;
        }
        let unscoped = row.unscoped();
        let _ = writeln!(
            out,
            "<text class=\"figures\" x=\"{:.1}\" y=\"{mid:.1}\" fill=\"{}\">{} of {} scoped</text></g>",
            x + 6.0,
            if unscoped > 0 { "#b3261e" } else { "#2e7d32" },
            row.scoped,
            row.statements
        );
    }
    out.push_str("</svg>\n");
}

// ---------------------------------------------------------------------------------------------
// Findings
// ---------------------------------------------------------------------------------------------

fn findings(out: &mut String, audit: &Audit) {
    let r = audit.report;
    if !open_counted(
        &Html,
        out,
        ("findings", "Findings"),
        r.findings.len(),
        "None.",
    ) {
        return;
    }
    out.push_str(
        "<p class=\"note\">Grouped by file. In each excerpt the text at fault is \
         <mark style=\"background:#ffd7d3;color:#b3261e\">marked</mark>; a blue line number is \
         part of the call that runs the query. Each finding's link is stable: it is the \
         finding's fingerprint.</p>\n",
    );
    file_index(out, audit);
    for g in &audit.groups {
        let file = audit.file(g.file);
        let _ = writeln!(
            out,
            "<section class=\"file\" id=\"{}\">\n<h3>{} <span class=\"count\">({})</span></h3>",
            g.anchor,
            esc(&file.display),
            super::count(g.findings.len(), "finding", "findings")
        );
        for &i in &g.findings {
            finding(out, audit, i);
        }
        out.push_str("</section>\n");
    }
    out.push_str("</section>\n");
}

/// A table of the files with findings, linked, with their findings per rule.
fn file_index(out: &mut String, audit: &Audit) {
    out.push_str(
        "<table class=\"wide files\">\n<thead><tr><th>File</th><th class=\"n\">Findings</th>",
    );
    for rule in INDEX_RULES {
        let _ = write!(
            out,
            "<th class=\"n\" title=\"{}\">{}</th>",
            rule.name(),
            rule.code()
        );
    }
    out.push_str("<th class=\"n\">Other</th></tr></thead>\n<tbody>\n");
    for g in &audit.groups {
        let _ = write!(
            out,
            "<tr><td class=\"cell-wrap\"><a href=\"#{}\">{}</a></td><td class=\"n\">{}</td>",
            g.anchor,
            esc(&audit.file(g.file).display),
            g.findings.len()
        );
        for n in g.by_rule(audit.report) {
            if n == 0 {
                out.push_str("<td class=\"n zero\">·</td>");
            } else {
                let _ = write!(out, "<td class=\"n\">{n}</td>");
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

fn finding(out: &mut String, audit: &Audit, i: usize) {
    let f = &audit.report.findings[i];
    let anchor = &audit.anchors[i];
    let severity = f.rule.severity().as_str();
    let _ = write!(
        out,
        "<article class=\"finding sev-{severity}\" id=\"{anchor}\" data-fingerprint=\"{}\" data-rule=\"{}\">\n<div class=\"fh\">\
         <span class=\"badge {severity}\" title=\"{}\">{}</span>",
        esc(&f.fingerprint),
        f.rule.code(),
        f.rule.name(),
        f.rule.code()
    );
    if let Some(kind) = audit.kinds[i] {
        let _ = write!(out, "<span class=\"badge kind\">{}</span>", kind.as_str());
    }
    let _ = writeln!(
        out,
        "<h4>{}</h4><a class=\"self\" href=\"#{anchor}\" title=\"link to this finding\">#</a></div>",
        rich(&f.message)
    );
    let _ = writeln!(
        out,
        "<p class=\"where\">{}</p>",
        walk::finding_where(audit, &Html, i)
    );
    excerpt_html(out, audit, f.file, f.span, f.exec);
    if let Some(sql) = &f.sql {
        let _ = writeln!(
            out,
            "<p class=\"sql\"><span class=\"label\">Query</span>{}</p>",
            code(sql)
        );
    }
    if !f.trace.is_empty() {
        out.push_str("<p class=\"sql\"><span class=\"label\">How the value gets there</span></p>\n<ol class=\"trace\">\n");
        for step in &f.trace {
            let file = audit.file(step.file);
            let _ = writeln!(
                out,
                "<li>{} {} <code class=\"src\">{}</code></li>",
                code(&audit.location(step.file, step.span.start)),
                rich(&step.note),
                esc(&source_line(file, step.span.start, 140))
            );
        }
        out.push_str("</ol>\n");
    }
    let _ = writeln!(
        out,
        "<p class=\"help\"><b>Fix:</b> {}</p>\n</article>",
        rich(&f.help)
    );
}

fn excerpt_html(
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
    out.push_str("<div class=\"code\">\n");
    for row in rows {
        match row {
            ExcerptRow::Gap => out.push_str("<div class=\"gap\">⋮</div>\n"),
            ExcerptRow::Line { number, parts, run } => {
                let _ = write!(
                    out,
                    "<div class=\"line{}\"><span class=\"ln\">{number}</span><span class=\"tx\">",
                    if run { " run" } else { "" }
                );
                for (text, hit) in parts {
                    if hit {
                        let _ = write!(out, "<mark>{}</mark>", esc(&text));
                    } else {
                        out.push_str(&esc(&text));
                    }
                }
                out.push_str("</span></div>\n");
            }
        }
    }
    out.push_str("</div>\n");
}

// ---------------------------------------------------------------------------------------------
// Inventory
// ---------------------------------------------------------------------------------------------

fn suppressions(out: &mut String, audit: &Audit) {
    let r = audit.report;
    if !open_counted(
        &Html,
        out,
        ("suppressions", "Suppressions"),
        r.suppressed.len(),
        "No finding is suppressed.",
    ) {
        return;
    }
    out.push_str(
        "<p>Findings silenced in the code by a <code>tenantlint-ignore</code> directive, with the \
         reason it gives. Each is a decision someone must be able to defend.</p>\n\
         <table class=\"wide\">\n<thead><tr><th>Where</th><th>Rule</th><th>Finding</th><th>Reason given</th><th>Directive</th></tr></thead>\n<tbody>\n",
    );
    for s in &r.suppressed {
        let [at, rule, message, reason, line] = walk::suppression_cells(audit, &Html, s);
        let _ = writeln!(
            out,
            "<tr data-fingerprint=\"{}\"><td class=\"cell-wrap\">{at}</td><td>{rule}</td><td>{message}</td><td>{reason}</td><td>{line}</td></tr>",
            esc(&s.finding.fingerprint)
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn unanalyzed_sites(out: &mut String, audit: &Audit) {
    let r = audit.report;
    if !open_counted(
        &Html,
        out,
        ("unanalyzed", "Queries not checked"),
        r.unanalyzed.len(),
        "Every query found was checked.",
    ) {
        return;
    }
    out.push_str(
        "<p>Queries tenantlint found but could not check: they may or may not be scoped. \
         Review them by hand, or make them checkable as each group says.</p>\n",
    );
    for group in unanalyzed::by_kind(r) {
        let _ = writeln!(
            out,
            "<h3 data-kind=\"{}\">{} <span class=\"count\">({})</span> <span class=\"kind-hint\">{}</span></h3>\n<table class=\"wide\">\n<tbody>",
            group.kind.as_str(),
            group.kind.as_str(),
            group.sites.len(),
            rich(&unanalyzed::kind_hint(&group))
        );
        for u in &group.sites {
            let _ = writeln!(
                out,
                "<tr class=\"unanalyzed\" data-kind=\"{}\"><td class=\"cell-wrap\">{}</td><td>{}</td></tr>",
                u.kind.as_str(),
                code(&audit.location(u.file, u.span.start)),
                rich(&u.reason)
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</section>\n");
}

fn warnings(out: &mut String, audit: &Audit) {
    let r = audit.report;
    if !open_counted(
        &Html,
        out,
        ("warnings", "Warnings"),
        r.warnings.len(),
        "None.",
    ) {
        return;
    }
    out.push_str("<ul class=\"plain\">\n");
    for w in &r.warnings {
        let _ = writeln!(out, "<li class=\"warning\">{}</li>", rich(w));
    }
    out.push_str("</ul>\n</section>\n");
}

fn scope(out: &mut String, audit: &Audit) {
    Html.open_section(out, "scope", "What was scanned", None);
    out.push_str("<ul class=\"plain\">\n");
    for item in walk::scope_items(audit, &Html) {
        let _ = writeln!(out, "<li>{item}</li>");
    }
    out.push_str("</ul>\n</section>\n");
}

fn rules(out: &mut String, audit: &Audit) {
    Html.open_section(out, "rules", "About the rules", None);
    out.push_str("<dl>\n");
    for rule in audit.rules_shown() {
        let _ = writeln!(
            out,
            "<dt><b>{}</b> {} <span class=\"count\">(<code>tenantlint rule {}</code>)</span></dt><dd>{}</dd>",
            rule.code(),
            rule.name(),
            rule.code(),
            rich(&rule_why(rule))
        );
    }
    out.push_str("</dl>\n</section>\n");
}

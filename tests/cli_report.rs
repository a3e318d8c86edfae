//! `tenantlint report`: the audit report an auditor reads — the HTML page's structure, that
//! nothing is left out of it, that its numbers agree, its Markdown twin, files and exit codes.

// Helpers outside `#[test]` functions panic on purpose: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;

use common::{crate_root, run_with_env, TempProject};
use roxmltree::{Document, Node, ParsingOptions};
use serde_json::Value;
use sha2::{Digest, Sha256};

const DATE: (&str, &str) = ("TENANTLINT_REPORT_DATE", "2025-06-30 12:00 UTC");

/// A small shop with one finding of each kind the verdict counts, a suppression, a query that
/// cannot be checked and a configured tenant table no statement touches.
const SHOP: &str = r#"<?php
$ep = $iw['store'];
$a = sql_fetch("SELECT * FROM iw_member WHERE ep_code = '$ep' AND mb_id = 'x'");
sql_query("DELETE FROM iw_member WHERE mb_id = 'x'");
// tenantlint-ignore TL001: the nightly purge resets every store's levels on purpose
sql_query("UPDATE iw_member SET mb_level = 1 WHERE mb_level = 0");
sql_query("INSERT INTO iw_point (mb_id, po_point) VALUES ('x', 1)");
$r = sql_query("SELECT * FROM iw_point p JOIN iw_member m ON m.mb_id = p.mb_id WHERE p.ep_code = '$ep'");
function orders($where) {
    return sql_query("SELECT * FROM iw_order WHERE 1 $where");
}
"#;

const SHOP_CONFIG: &str = r#"[tenant]
column = "ep_code"
tables = ["iw_*", "iw_audit_log"]
exempt = ["iw_enterprise"]
"#;

fn shop() -> TempProject {
    TempProject::new(&[
        ("tenantlint.toml", SHOP_CONFIG),
        ("shop.php", SHOP),
        ("notes.txt", "not PHP\n"),
    ])
}

/// `report ARGS` in `project`'s directory, with a fixed date; (exit code, stdout, stderr).
fn report_in(project: &TempProject, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["report"];
    all.extend_from_slice(args);
    run_with_env(&project.dir, &all, &[DATE])
}

/// The shop's report in `format` (`.` and `notes.txt`, which is a warning), and its JSON check.
fn shop_reports(format: &str) -> (String, Value) {
    let project = shop();
    let (code, out, err) = report_in(&project, &["--format", format, ".", "notes.txt"]);
    assert_eq!(code, 0, "stderr: {err}");
    let (_, json, _) = project.run(&["check", "--format", "json", ".", "notes.txt"]);
    (out, serde_json::from_str(&json).expect("JSON"))
}

/// The sample application's report and its JSON check, run from the crate root.
fn infoway(format: &str) -> (String, Value) {
    let root = crate_root();
    let (code, out, err) = run_with_env(
        &root,
        &["report", "--format", format, "fixtures/infoway"],
        &[DATE],
    );
    assert_eq!(
        code, 0,
        "a report with findings is written with exit code 0: {err}"
    );
    let (_, json, _) = run_with_env(
        &root,
        &["check", "--format", "json", "fixtures/infoway"],
        &[],
    );
    (out, serde_json::from_str(&json).expect("JSON"))
}

fn parse(html: &str) -> Document<'_> {
    let options = ParsingOptions {
        allow_dtd: true,
        ..ParsingOptions::default()
    };
    Document::parse_with_options(html, options)
        .unwrap_or_else(|e| panic!("the report is not well-formed: {e}\n{html}"))
}

fn text(node: Node) -> String {
    node.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect()
}

fn by_id<'a, 'i>(doc: &'a Document<'i>, id: &str) -> Node<'a, 'i> {
    doc.descendants()
        .find(|n| n.attribute("id") == Some(id))
        .unwrap_or_else(|| panic!("no element with id `{id}`"))
}

fn elements<'a, 'i>(node: Node<'a, 'i>, tag: &str) -> Vec<Node<'a, 'i>> {
    node.descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == tag)
        .collect()
}

fn has_class(node: Node, class: &str) -> bool {
    node.attribute("class")
        .is_some_and(|c| c.split_whitespace().any(|x| x == class))
}

fn number(s: &str) -> usize {
    s.trim()
        .parse()
        .unwrap_or_else(|_| panic!("`{s}` is not a number"))
}

/// Per table, the coverage numbers the table shows: statements, scoped, reported, suppressed,
/// unverified (read from the cells, by column).
fn coverage_table(doc: &Document) -> BTreeMap<String, [usize; 5]> {
    let table = elements(by_id(doc, "coverage"), "table")
        .into_iter()
        .find(|t| has_class(*t, "coverage"))
        .expect("coverage table");
    let mut rows = BTreeMap::new();
    for tr in elements(table, "tr") {
        let Some(name) = tr.attribute("data-table") else {
            continue;
        };
        let cells = elements(tr, "td");
        let col = |key: &str| {
            number(&text(
                *cells
                    .iter()
                    .find(|c| c.attribute("data-col") == Some(key))
                    .unwrap_or_else(|| panic!("no `{key}` cell for `{name}`")),
            ))
        };
        let key = if name.is_empty() { "(all)" } else { name };
        if !name.is_empty() {
            assert_eq!(text(cells[0]), name, "the first cell names the table");
        }
        rows.insert(
            key.to_string(),
            [
                col("statements"),
                col("scoped"),
                col("reported"),
                col("suppressed"),
                col("unverified"),
            ],
        );
    }
    rows
}

/// Per table, what the chart draws: the numbers its label says (`3 of 5 scoped`), and the
/// segments' widths as shares of the scale, checked against the counts they stand for.
fn chart(doc: &Document) -> BTreeMap<String, (usize, usize)> {
    let svg = elements(by_id(doc, "coverage"), "svg")
        .into_iter()
        .next()
        .expect("an inline SVG chart");
    let bars: Vec<Node> = elements(svg, "g")
        .into_iter()
        .filter(|g| has_class(*g, "bar"))
        .collect();
    let mut width_per_statement: Option<f64> = None;
    let mut out = BTreeMap::new();
    for g in bars {
        let table = g.attribute("data-table").expect("bar names its table");
        let rects: Vec<Node> = elements(g, "rect");
        for rect in &rects {
            let n = number(rect.attribute("data-n").expect("segment count")) as f64;
            let w: f64 = rect
                .attribute("width")
                .and_then(|w| w.parse().ok())
                .expect("segment width");
            // One scale for every bar: each statement is as wide everywhere.
            let per = w / n;
            let expected = *width_per_statement.get_or_insert(per);
            assert!(
                (per - expected).abs() < 0.05,
                "{table}: a segment of {n} statements is {w} wide"
            );
        }
        let label = elements(g, "text")
            .into_iter()
            .map(text)
            .find(|t| t.ends_with(" scoped") || t == "never touched")
            .expect("bar label");
        let figures = match label.strip_suffix(" scoped") {
            Some(l) => {
                let (scoped, total) = l.split_once(" of ").expect("`N of M scoped`");
                (number(scoped), number(total))
            }
            None => (0, 0),
        };
        let drawn: usize = rects
            .iter()
            .map(|r| number(r.attribute("data-n").unwrap_or("0")))
            .sum();
        assert_eq!(
            drawn, figures.1,
            "{table}: the segments add up to the label's total"
        );
        let scoped_drawn: usize = rects
            .iter()
            .filter(|r| has_class(**r, "scoped"))
            .map(|r| number(r.attribute("data-n").unwrap_or("0")))
            .sum();
        assert_eq!(
            scoped_drawn, figures.0,
            "{table}: the green segment is the scoped count"
        );
        out.insert(table.to_string(), figures);
    }
    out
}

fn fingerprints(json: &Value, key: &str) -> Vec<String> {
    json[key]
        .as_array()
        .expect("array")
        .iter()
        .map(|f| f["fingerprint"].as_str().expect("fingerprint").to_string())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The HTML page
// ---------------------------------------------------------------------------------------------

#[test]
fn html_is_well_formed_self_contained_and_its_links_resolve() {
    let (html, _) = infoway("html");
    assert!(html.starts_with("<!DOCTYPE html>"));
    let doc = parse(&html);
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "html");
    let title = text(elements(root, "title")[0]);
    assert_eq!(title, "Tenant isolation audit: infoway");
    // Nothing runs and nothing is fetched: no script, no external resource of any kind.
    for tag in ["script", "link", "img", "iframe", "object", "embed", "base"] {
        assert!(elements(root, tag).is_empty(), "a <{tag}> element");
    }
    for node in root.descendants().filter(|n| n.is_element()) {
        for attr in node.attributes() {
            assert!(
                !attr.name().starts_with("on"),
                "event handler {} on <{}>",
                attr.name(),
                node.tag_name().name()
            );
            if matches!(attr.name(), "href" | "src") {
                assert!(
                    attr.value().starts_with('#'),
                    "{}=\"{}\" leaves the page",
                    attr.name(),
                    attr.value()
                );
            }
        }
    }
    let style = text(elements(root, "style")[0]);
    assert!(!style.contains("url(") && !style.contains("@import"));
    assert!(style.contains("@media print"), "the page says how to print");
    // Every link inside the page lands on something.
    let ids: std::collections::HashSet<&str> = root
        .descendants()
        .filter_map(|n| n.attribute("id"))
        .collect();
    for a in elements(root, "a") {
        let target = a.attribute("href").expect("href").trim_start_matches('#');
        assert!(ids.contains(target), "link to missing #{target}");
    }
    // The verdict comes first, before any detail.
    let sections: Vec<&str> = elements(elements(root, "body")[0], "section")
        .iter()
        .filter_map(|s| s.attribute("id"))
        .collect();
    assert_eq!(sections.first(), Some(&"verdict"));
    for id in [
        "coverage",
        "findings",
        "suppressions",
        "unanalyzed",
        "warnings",
        "scope",
        "rules",
    ] {
        assert!(sections.contains(&id), "section #{id}");
    }
}

#[test]
fn every_finding_is_shown_under_its_fingerprint_with_code_and_fix() {
    let (html, json) = infoway("html");
    let doc = parse(&html);
    let findings = json["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 18);
    let articles: Vec<Node> = elements(by_id(&doc, "findings"), "article");
    assert_eq!(articles.len(), findings.len(), "one article per finding");
    for f in findings {
        let fp = f["fingerprint"].as_str().expect("fingerprint");
        let article = by_id(&doc, &format!("f-{fp}"));
        assert_eq!(article.tag_name().name(), "article");
        assert_eq!(article.attribute("data-rule"), f["rule"].as_str());
        let shown = text(article);
        let location = format!(
            "{}:{}:{}",
            f["file"].as_str().unwrap(),
            f["line"],
            f["column"]
        );
        assert!(shown.contains(&location), "{fp}: location {location}");
        // Under the heading of its file.
        let section = article.parent_element().expect("file section");
        assert!(has_class(section, "file"));
        let heading = text(elements(section, "h3")[0]);
        assert!(
            heading.starts_with(f["file"].as_str().unwrap()),
            "{heading}"
        );
        // The excerpt shows the finding's line, numbered, with the text at fault marked.
        let line = f["line"].as_u64().unwrap().to_string();
        let code_lines: Vec<Node> = article
            .descendants()
            .filter(|n| has_class(*n, "line"))
            .collect();
        let at = code_lines
            .iter()
            .find(|l| text(elements(**l, "span")[0]) == line)
            .unwrap_or_else(|| panic!("{fp}: line {line} is not in the excerpt"));
        assert!(!elements(*at, "mark").is_empty(), "{fp}: nothing marked");
        // The fix, and the trace of TL003/TL004 step by step.
        assert!(shown.contains("Fix:"), "{fp}");
        let trace = f["trace"].as_array().map_or(0, Vec::len);
        let steps = article
            .descendants()
            .filter(|n| has_class(*n, "trace"))
            .map(|ol| elements(ol, "li").len())
            .sum::<usize>();
        assert_eq!(steps, trace, "{fp}: trace steps");
    }
    // The file index links each file's findings with their count.
    let index = elements(by_id(&doc, "findings"), "table")[0];
    let listed: usize = elements(index, "tr")
        .iter()
        .skip(1)
        .map(|tr| number(&text(elements(*tr, "td")[1])))
        .sum();
    assert_eq!(listed, findings.len());
}

#[test]
fn verdict_counts_statements_by_rule_and_kind_in_one_sentence() {
    let (html, _) = shop_reports("html");
    let doc = parse(&html);
    let verdict = by_id(&doc, "verdict");
    let headline = elements(verdict, "p")
        .into_iter()
        .find(|p| has_class(*p, "headline"))
        .map(text)
        .expect("headline");
    assert_eq!(
        headline,
        "3 SQL statements in 1 file can read or change other tenants' rows: 1 can delete them, \
         1 can read them and 1 write rows that belong to no tenant."
    );
    let caveats = text(elements(verdict, "ul")[0]);
    assert!(
        caveats.contains("1 query could not be checked"),
        "{caveats}"
    );
    assert!(caveats.contains("1 finding is silenced"), "{caveats}");
    // The numbers: statements per rule and kind, writes first. The suppressed UPDATE is not
    // counted.
    let table = elements(verdict, "table")[0];
    let header: Vec<String> = elements(table, "th").into_iter().map(text).collect();
    assert_eq!(
        header[1..],
        ["DELETE", "UPDATE", "SELECT", "INSERT", "Total"].map(String::from)
    );
    let rows: BTreeMap<String, Vec<usize>> = elements(table, "tr")
        .into_iter()
        .filter_map(|tr| {
            let rule = tr.attribute("data-rule")?;
            let cells = elements(tr, "td");
            Some((
                rule.to_string(),
                cells[1..].iter().map(|c| number(&text(*c))).collect(),
            ))
        })
        .collect();
    assert_eq!(rows["TL001"], vec![1, 0, 1, 0, 2]);
    assert_eq!(rows["TL002"], vec![0, 0, 0, 1, 1]);
    assert_eq!(rows["all"], vec![1, 0, 1, 1, 3]);
}

#[test]
fn chart_numbers_equal_the_coverage_table_and_the_summary() {
    let (html, json) = shop_reports("html");
    let doc = parse(&html);
    let table = coverage_table(&doc);
    let drawn = chart(&doc);
    let expected: BTreeMap<String, [usize; 5]> = [
        ("iw_member", [4, 1, 2, 1, 0]),
        ("iw_point", [2, 1, 1, 0, 0]),
        ("iw_order", [1, 0, 0, 0, 1]),
        ("iw_audit_log", [0, 0, 0, 0, 0]),
        ("(all)", [7, 2, 3, 1, 1]),
    ]
    .into_iter()
    .map(|(t, n)| (t.to_string(), n))
    .collect();
    assert_eq!(table, expected);
    for (name, row) in &table {
        if name != "(all)" {
            assert_eq!(drawn[name], (row[1], row[0]), "{name}: chart vs table");
        }
    }
    assert_eq!(drawn.len(), table.len() - 1, "every table is charted");
    // The worst table comes first.
    let first = elements(by_id(&doc, "coverage"), "g")
        .into_iter()
        .find(|g| has_class(*g, "bar"))
        .and_then(|g| g.attribute("data-table"));
    assert_eq!(first, Some("iw_member"));
    // Reported and suppressed statements are the findings the summary counts.
    let s = &json["summary"];
    let tenant_findings =
        s["by_rule"]["TL001"].as_u64().unwrap() + s["by_rule"]["TL002"].as_u64().unwrap();
    assert_eq!(table["(all)"][2] as u64, tenant_findings);
    assert_eq!(table["(all)"][3] as u64, s["suppressed"].as_u64().unwrap());
    // A table the configuration names exactly but nothing touches is said so.
    let never = text(by_id(&doc, "coverage"));
    assert!(never.contains("Never touched"), "{never}");
    assert!(never.contains("iw_audit_log"));

    // The sample application: the same agreement, and with the verdict.
    let (html, json) = infoway("html");
    let doc = parse(&html);
    let table = coverage_table(&doc);
    let drawn = chart(&doc);
    let mut sum = [0; 5];
    for (name, row) in &table {
        if name == "(all)" {
            continue;
        }
        assert_eq!(drawn[name], (row[1], row[0]), "{name}: chart vs table");
        assert_eq!(
            row[0],
            row[1] + row[2] + row[3] + row[4],
            "{name}: parts add up"
        );
        for (s, n) in sum.iter_mut().zip(row) {
            *s += n;
        }
    }
    assert_eq!(table["(all)"], sum, "the totals row adds the rows");
    let s = &json["summary"];
    let tenant_findings =
        s["by_rule"]["TL001"].as_u64().unwrap() + s["by_rule"]["TL002"].as_u64().unwrap();
    assert_eq!(sum[2] as u64, tenant_findings);
}

#[test]
fn suppressions_unanalyzed_sites_and_warnings_are_all_listed() {
    let (html, json) = shop_reports("html");
    let doc = parse(&html);
    let suppressions = by_id(&doc, "suppressions");
    let rows: Vec<Node> = elements(suppressions, "tr")
        .into_iter()
        .filter(|tr| tr.attribute("data-fingerprint").is_some())
        .collect();
    let suppressed = json["suppressed"].as_array().unwrap();
    assert_eq!(rows.len(), suppressed.len());
    assert_eq!(rows.len(), 1);
    for s in suppressed {
        let row = rows
            .iter()
            .find(|r| r.attribute("data-fingerprint") == s["fingerprint"].as_str())
            .expect("suppressed finding listed");
        let shown = text(*row);
        assert!(shown.contains(s["reason"].as_str().unwrap()), "{shown}");
        assert!(shown.contains(&format!("shop.php:{}:{}", s["line"], s["column"])));
        assert!(shown.contains(&format!("line {}", s["directive_line"])));
    }
    let unanalyzed = by_id(&doc, "unanalyzed");
    let sites: Vec<Node> = elements(unanalyzed, "tr")
        .into_iter()
        .filter(|tr| has_class(*tr, "unanalyzed"))
        .collect();
    let expected = json["unanalyzed"].as_array().unwrap();
    assert_eq!(sites.len(), expected.len());
    assert_eq!(sites.len(), 1);
    for (site, u) in sites.iter().zip(expected) {
        assert_eq!(site.attribute("data-kind"), u["kind"].as_str());
        let shown = text(*site);
        assert!(shown.contains(&format!(
            "{}:{}:{}",
            u["file"].as_str().unwrap(),
            u["line"],
            u["column"]
        )));
        assert!(
            shown.contains("`$where`") || shown.contains("$where"),
            "{shown}"
        );
    }
    let warnings: Vec<String> = elements(by_id(&doc, "warnings"), "li")
        .into_iter()
        .map(text)
        .collect();
    let expected: Vec<String> = json["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap().replace('`', ""))
        .collect();
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings, expected);

    // The Markdown twin lists the same.
    let (md, _) = shop_reports("markdown");
    assert!(md.contains("the nightly purge resets every store's levels on purpose"));
    assert!(md.contains("SQL fragment `$where` may hold the tenant predicate"));
    assert!(md.contains("not a source file"));
}

#[test]
fn sources_paths_and_messages_are_escaped_and_control_characters_shown() {
    let nasty = "<?php\n// </code><script>alert(1)</script> & \u{1b}[31m \u{202e}\n\
                 sql_query(\"DELETE FROM iw_member WHERE mb_id = '<b>\u{7}'\");\n";
    let project = TempProject::new(&[("a&b<c>.php", nasty)]);
    for format in ["html", "markdown"] {
        let (code, out, err) = report_in(&project, &["--format", format]);
        assert_eq!(code, 0, "{err}");
        assert!(
            !out.chars()
                .any(|c| (c.is_control() && c != '\n') || c == '\u{202e}'),
            "{format}: a raw control character"
        );
        // Markup from the source is text: escaped in HTML, and in Markdown only inside the
        // code excerpt (`  2 │ …`), where it is shown as written.
        for line in out.lines().filter(|l| l.contains("<script>")) {
            assert_eq!(format, "markdown", "raw markup in the HTML: {line}");
            let gutter = line.trim_start_matches(['>', '*', ' ']);
            assert!(
                gutter.starts_with("2 │ "),
                "markup outside the code excerpt: {line}"
            );
        }
        assert!(out.contains("\\u{1b}"), "{format}: the escape is shown");
        assert!(
            out.contains("\\u{202e}"),
            "{format}: the bidi override is shown"
        );
        if format == "html" {
            let doc = parse(&out);
            assert!(elements(doc.root_element(), "script").is_empty());
            let page = text(doc.root_element());
            assert!(
                page.contains("</code><script>alert(1)</script>"),
                "source shown as text"
            );
            assert!(page.contains("a&b<c>.php"), "path shown as text");
        }
    }
}

#[test]
fn markdown_snapshot_infoway() {
    let (md, _) = infoway("markdown");
    insta::with_settings!({filters => vec![
        (r"\| Commit \| [^\n]*", "| Commit | [COMMIT] |"),
    ]}, {
        insta::assert_snapshot!(md);
    });
}

#[test]
fn markdown_has_the_html_content() {
    let (html, json) = infoway("html");
    let (md, _) = infoway("markdown");
    let doc = parse(&html);
    for fp in fingerprints(&json, "findings") {
        assert!(md.contains(&format!("<a id=\"f-{fp}\"></a>")), "{fp}");
    }
    let headline = elements(by_id(&doc, "verdict"), "p")
        .into_iter()
        .find(|p| has_class(*p, "headline"))
        .map(text)
        .unwrap();
    assert!(md.contains(&format!("**{headline}**")), "{headline}");
    for (name, row) in coverage_table(&doc) {
        if name == "(all)" {
            continue;
        }
        let line = format!(
            "| `{name}` | {} | {} | {} | {} | {} |",
            row[0], row[1], row[2], row[3], row[4]
        );
        assert!(md.contains(&line), "{line}");
    }
}

// ---------------------------------------------------------------------------------------------
// Stamp, output and exit codes
// ---------------------------------------------------------------------------------------------

#[test]
fn stamp_names_the_configuration_its_hash_the_commit_and_the_date() {
    let project = shop();
    let (_, md, _) = report_in(&project, &["--format", "markdown"]);
    let hash: String = Sha256::digest(SHOP_CONFIG.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(
        md.contains(&format!(
            "| Configuration | `tenantlint.toml` (SHA-256 `{hash}`) |"
        )),
        "{md}"
    );
    assert!(md.contains("| Tenant column | `ep_code` |"));
    assert!(md.contains("| Tenant tables | `iw_*`, `iw_audit_log` |"));
    assert!(md.contains("| Exempt tables | `iw_enterprise` |"));
    assert!(md.contains("| Date | 2025-06-30 12:00 UTC |"));
    assert!(
        md.contains("| Commit | not a git repository |"),
        "no git: no commit, no error"
    );

    // In a git repository, the commit checked out.
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(&project.dir)
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "shop"]);
    let head = git(&["rev-parse", "HEAD"]).trim().to_string();
    let (_, html, _) = report_in(&project, &[]);
    let doc = parse(&html);
    let stamp: Vec<String> = elements(doc.root_element(), "dd")
        .into_iter()
        .map(text)
        .collect();
    assert!(stamp.contains(&head), "{stamp:?}");
    let (_, md, _) = report_in(&project, &["--format", "markdown"]);
    assert!(md.contains(&format!("| Commit | `{head}` |")));

    // Without a configuration file: the defaults.
    let bare = TempProject::new(&[("a.php", "<?php\n")]);
    let (code, md, _) = report_in(&bare, &["--format", "markdown"]);
    assert_eq!(code, 0);
    assert!(md.contains("| Configuration | defaults (no tenantlint.toml) |"));
    assert!(md.contains("No SQL statement was found that can read or change other tenants' rows."));
}

#[test]
fn output_goes_to_the_named_file_or_to_stdout() {
    let project = shop();
    let (code, out, err) = report_in(&project, &["-o", "audit.html"]);
    assert_eq!(code, 0, "findings do not fail a report: {err}");
    assert_eq!(out, "", "nothing on stdout when a file is named");
    let written = std::fs::read_to_string(project.dir.join("audit.html")).expect("file written");
    parse(&written);
    let (code, out, _) = report_in(&project, &["--format", "markdown", "--output", "audit.md"]);
    assert_eq!((code, out.as_str()), (0, ""));
    let md = std::fs::read_to_string(project.dir.join("audit.md")).expect("file written");
    assert!(md.starts_with("# Tenant isolation audit: "));
    let (code, out, _) = report_in(&project, &["-o", "-"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("<!DOCTYPE html>"), "`-o -` is stdout");
    // The report written is the one printed.
    assert_eq!(out, written);
}

#[test]
fn exit_codes_are_zero_when_written_and_two_on_usage_errors() {
    let project = shop();
    let (code, _, err) = report_in(&project, &["missing-dir", "-o", "x.html"]);
    assert_eq!(code, 2);
    assert!(err.contains("missing-dir"), "{err}");
    assert!(
        !project.dir.join("x.html").exists(),
        "nothing written on an error"
    );
    let (code, _, err) = report_in(&project, &["--format", "pdf"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = report_in(&project, &["-o", "no/such/dir/report.html"]);
    assert_eq!(code, 2);
    assert!(err.contains("no/such/dir/report.html"), "{err}");
    let bad = TempProject::new(&[
        ("tenantlint.toml", "[tenant]\ncolum = 1\n"),
        ("a.php", "<?php\n"),
    ]);
    let (code, _, _) = report_in(&bad, &[]);
    assert_eq!(code, 2, "a configuration error");
    let (code, help, _) = report_in(&project, &["--help"]);
    assert_eq!(code, 0);
    assert!(help.contains("0 when the report was written"), "{help}");
    assert!(help.contains("not a gate"), "{help}");
    assert!(help.contains("--output"));
}

#[test]
fn a_statement_counts_once_per_table_and_is_scoped_only_if_every_way_to_build_it_is() {
    let project = TempProject::new(&[(
        "list.php",
        r#"<?php
$ep = $iw['store'];
$sql = "SELECT * FROM iw_member WHERE mb_level > 1";
if ($mine) {
    $sql .= " AND ep_code = '$ep'";
}
$rows = sql_query($sql);
$pairs = sql_query("SELECT * FROM iw_member a JOIN iw_member b ON b.mb_id = a.mb_recommend WHERE a.ep_code = '$ep' AND b.ep_code = '$ep'");
$half = sql_query("SELECT * FROM iw_point a JOIN iw_point b ON b.po_id = a.po_rel WHERE a.ep_code = '$ep'");
"#,
    )]);
    let (code, md, err) = report_in(&project, &["--format", "markdown"]);
    assert_eq!(code, 0, "{err}");
    // The appended predicate holds on one path only: not scoped. The self-join scoping both
    // sides is one scoped statement; the one scoping one side is one statement, not scoped.
    assert!(
        md.contains("| `iw_member` | 2 | 1 | 1 | 0 | 0 | SELECT 1/2 |"),
        "{md}"
    );
    assert!(
        md.contains("| `iw_point` | 1 | 0 | 1 | 0 | 0 | SELECT 0/1 |"),
        "{md}"
    );
    assert!(md.contains(
        "**2 SQL statements in 1 file can read or change other tenants' rows: 2 can read them.**"
    ));
}

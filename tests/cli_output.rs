//! What the command line prints can be trusted: positions and labels agree across formats, each
//! finding can be told apart, and nothing from a scanned file controls the terminal.

// Helpers outside `#[test]` functions panic on purpose: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{run_with_env, TempProject};
use serde_json::Value;

/// `check` in pretty format, without colour; (exit code, stdout).
fn pretty(p: &TempProject, extra: &[&str]) -> (i32, String) {
    let mut args = vec!["check"];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = run_with_env(&p.dir, &args, &[("NO_COLOR", "1")]);
    assert!(code == 0 || code == 1, "exit {code}\n{stdout}\n{stderr}");
    (code, stdout)
}

fn snapshot_filters() -> Vec<(&'static str, &'static str)> {
    vec![(r" in \d+ ms", " in [ELAPSED] ms")]
}

/// `(file, line, column)` of every excerpt header (`╭─[file:line:column]`), in order.
fn headers(stdout: &str) -> Vec<(String, u64, u64)> {
    stdout
        .lines()
        .filter_map(|l| {
            let inner = l.split_once("╭─[")?.1.strip_suffix(']')?;
            let mut parts = inner.rsplitn(3, ':');
            let column = parts.next()?.parse().ok()?;
            let line = parts.next()?.parse().ok()?;
            Some((parts.next()?.to_string(), line, column))
        })
        .collect()
}

/// `(file, line, column)` of every JSON finding, in order.
fn json_positions(json: &Value) -> Vec<(String, u64, u64)> {
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["file"].as_str().expect("file").to_string(),
                f["line"].as_u64().expect("line"),
                f["column"].as_u64().expect("column"),
            )
        })
        .collect()
}

/// The 1-based character column of `needle` in line `line` (1-based) of `text`, whatever ends
/// its lines (`\n`, `\r\n`, a lone `\r`).
fn char_column(text: &str, line: usize, needle: &str) -> u64 {
    let normal = text.replace("\r\n", "\n").replace('\r', "\n");
    let l = normal.lines().nth(line - 1).expect("line");
    let at = l.find(needle).expect("needle on the line");
    l[..at].chars().count() as u64 + 1
}

/// Screen cells of a character in the terminal (enough for these tests: Hangul is two wide).
fn cells(c: char) -> usize {
    if ('\u{ac00}'..='\u{d7a3}').contains(&c) {
        2
    } else {
        1
    }
}

/// Where the labels under the excerpt line holding `code` sit: for the first occurrence of
/// `needle` on that line, the underline drawn under it (exactly its width), and the text of the
/// label whose connector starts under it.
fn label_under(stdout: &str, code: &str, needle: &str) -> (String, String) {
    let lines: Vec<&str> = stdout.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains(" │ ") && l.ends_with(code))
        .unwrap_or_else(|| panic!("no excerpt line `{code}`:\n{stdout}"));
    let line = lines[at];
    let start = line.find(needle).expect("needle in the line");
    let col: usize = line[..start].chars().map(cells).sum();
    let width: usize = needle.chars().map(cells).sum();
    let mut underline: Vec<char> = lines[at + 1].chars().collect();
    assert!(
        lines[at + 1].contains(" · "),
        "no underline below `{code}`:\n{stdout}"
    );
    if underline.len() < col + width + 1 {
        underline.resize(col + width + 1, ' ');
    }
    let under: String = underline[col - 1..col + width + 1].iter().collect();
    // The connector of the label drawn under this needle is in the underline's `┬` column.
    let bar = col
        + underline[col..col + width]
            .iter()
            .position(|c| *c == '┬')
            .unwrap_or(0);
    let label = lines[at + 2..]
        .iter()
        .take_while(|l| l.contains(" · "))
        .find_map(|l| {
            let chars: Vec<char> = l.chars().collect();
            (chars.get(bar) == Some(&'╰')).then(|| chars[bar + 4..].iter().collect::<String>())
        })
        .unwrap_or_default();
    (under, label)
}

// ---------------------------------------------------------------------------------------------
// Positions and content agree across formats
// ---------------------------------------------------------------------------------------------

#[test]
fn pretty_header_counts_characters_like_json() {
    let php = "<?php\n$r = sql_fetch(\"SELECT * /* 한국어 주석입니다 */ FROM iw_member WHERE mb_id = 1\");\n";
    let p = TempProject::new(&[("p.php", php)]);
    let json = p.check_json();
    let column = char_column(php, 2, "iw_member");
    assert_eq!(column, 47);
    assert_eq!(json_positions(&json), vec![("p.php".into(), 2, column)]);
    assert_eq!(json["findings"][0]["end_column"], column + 9);

    let (code, stdout) = pretty(&p, &[]);
    assert_eq!(code, 1);
    assert_eq!(headers(&stdout), json_positions(&json), "{stdout}");
    // The underline sits under the table name, past the wide Hangul text.
    let (under, label) = label_under(&stdout, "FROM iw_member WHERE mb_id = 1\");", "iw_member");
    assert_eq!(under, " ────┬──── ", "{stdout}");
    assert_eq!(
        label, "no `ep_code` predicate constrains `iw_member`",
        "{stdout}"
    );
    insta::with_settings!({filters => snapshot_filters()}, {
        insta::assert_snapshot!(stdout);
    });
}

#[test]
fn every_line_ending_gives_the_same_positions_in_every_format() {
    let body = [
        "<?php",
        "// 한글 주석",
        "$r = sql_fetch(\"SELECT * FROM iw_member WHERE mb_id = 1\");",
        "",
    ];
    for (name, end) in [("lf.php", "\n"), ("crlf.php", "\r\n"), ("cr.php", "\r")] {
        let php = body.join(end);
        let p = TempProject::new(&[(name, php.as_str())]);
        let json = p.check_json();
        let expected = vec![(name.to_string(), 3, char_column(&php, 3, "iw_member"))];
        assert_eq!(json_positions(&json), expected, "{name}");
        let (_, stdout) = pretty(&p, &[]);
        assert_eq!(headers(&stdout), expected, "{name}:\n{stdout}");
        // The excerpt shows the lines as the positions count them.
        assert!(
            stdout.contains(" 2 │ // 한글 주석\n"),
            "{name}: line 2 is the comment:\n{stdout}"
        );
        assert!(
            stdout.contains(" 3 │ $r = sql_fetch("),
            "{name}: line 3 is the query:\n{stdout}"
        );
    }
}

#[test]
fn show_unanalyzed_and_trace_steps_count_characters() {
    let php = "<?php\n/* 테이블 */ $r = sql_fetch(\"SELECT * FROM {$write_table} WHERE id = 1\");\n/* 호스트 */ $host = $_SERVER['HTTP_HOST'];\n$site = sql_fetch(\"SELECT * FROM ost_sites WHERE url = '$host'\");\n";
    let p = TempProject::new(&[("u.php", php)]);
    let json = p.check_json();
    let unanalyzed = &json["unanalyzed"][0];
    let exec_column = char_column(php, 2, "sql_fetch");
    assert_eq!(
        (unanalyzed["line"].as_u64(), unanalyzed["column"].as_u64()),
        (Some(2), Some(exec_column))
    );
    let (_, stdout) = pretty(&p, &["--show-unanalyzed"]);
    assert!(
        stdout.contains(&format!(
            "\n  u.php:2:{exec_column}: table name `$write_table`"
        )),
        "{stdout}"
    );

    let trace = json["findings"][0]["trace"].as_array().expect("trace");
    let read = trace
        .iter()
        .find(|t| t["note"] == "the request host is read here")
        .expect("the read is traced");
    assert_eq!(
        (read["line"].as_u64(), read["column"].as_u64()),
        (Some(3), Some(char_column(php, 3, "$_SERVER")))
    );
    let (under, label) = label_under(
        &stdout,
        "$host = $_SERVER['HTTP_HOST'];",
        "$_SERVER['HTTP_HOST']",
    );
    assert_eq!(under, " ──────────┬────────── ", "{stdout}");
    assert_eq!(label, "the request host is read here", "{stdout}");
}

const HOST_VIA_FUNCTIONS: &str = r#"<?php
function find_enterprise($where) { return sql_fetch("SELECT * FROM iw_enterprise WHERE $where"); }
function db_query($sql) { return sql_query("SELECT * FROM ost_log WHERE note = '$sql'"); }
$sub = explode('.', $_SERVER['HTTP_HOST'])[0];

$same = find_enterprise("ep_domain = '{$sub}'");

db_query("USE `ost_$sub`");
"#;

#[test]
fn each_label_is_drawn_under_its_own_text() {
    let p = TempProject::new(&[("host.php", HOST_VIA_FUNCTIONS)]);
    let json = p.check_json();
    assert_eq!(
        json_positions(&json),
        vec![
            (
                "host.php".into(),
                6,
                char_column(HOST_VIA_FUNCTIONS, 6, "$sub")
            ),
            (
                "host.php".into(),
                8,
                char_column(HOST_VIA_FUNCTIONS, 8, "$sub")
            ),
        ]
    );
    let (code, stdout) = pretty(&p, &[]);
    assert_eq!(code, 1);
    assert_eq!(headers(&stdout), json_positions(&json), "{stdout}");
    // The primary label is on `$sub`, not pushed to the end of the call around it…
    for line in [
        "$same = find_enterprise(\"ep_domain = '{$sub}'\");",
        "db_query(\"USE `ost_$sub`\");",
    ] {
        let (under, label) = label_under(&stdout, line, "$sub");
        assert_eq!(under, " ──┬─ ", "{line}:\n{stdout}");
        assert_eq!(
            label, "host-derived value interpolated here",
            "{line}:\n{stdout}"
        );
    }
    // …and the call's label is on the call's name.
    let (under, label) = label_under(
        &stdout,
        "$same = find_enterprise(\"ep_domain = '{$sub}'\");",
        "find_enterprise",
    );
    assert_eq!(under, " ───────┬─────── ", "{stdout}");
    assert_eq!(
        label,
        "`find_enterprise()` puts this argument into SQL text"
    );
    // The read of the host inside `explode(…)`.
    let (under, label) = label_under(
        &stdout,
        "$sub = explode('.', $_SERVER['HTTP_HOST'])[0];",
        "$_SERVER['HTTP_HOST']",
    );
    assert_eq!(under, " ──────────┬────────── ", "{stdout}");
    assert_eq!(label, "the request host is read here");
    insta::with_settings!({filters => snapshot_filters()}, {
        insta::assert_snapshot!(stdout);
    });
}

#[test]
fn json_findings_locate_the_call_that_runs_the_query() {
    // One query text, built from a shared fragment, run from three places.
    let php = "<?php\n$from = \" FROM iw_member WHERE mb_id = 1\";\n$a = sql_query(\"SELECT *\" . $from);\n$b = sql_fetch(\"SELECT *\" . $from);\nif ($x) { $c = sql_query(\"SELECT *\" . $from); }\n";
    let p = TempProject::new(&[("three.php", php)]);
    let json = p.check_json();
    let findings = json["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 3, "{json:#}");
    // Same file, position, message and SQL…
    for key in ["file", "line", "column", "message", "sql", "table"] {
        assert!(
            findings.iter().all(|f| f[key] == findings[0][key]),
            "{key}: {json:#}"
        );
    }
    // …told apart by where each is run.
    let execs: Vec<Value> = findings.iter().map(|f| f["exec"].clone()).collect();
    let at = |line: usize, callee: &str| {
        let column = char_column(php, line, callee);
        serde_json::json!({"line": line, "column": column, "end_line": line, "end_column": column + 9})
    };
    assert_eq!(
        execs,
        vec![at(3, "sql_query"), at(4, "sql_fetch"), at(5, "sql_query")]
    );
    assert_eq!(json["version"], 1);
    // Findings without such a call have no `exec`.
    let p = TempProject::new(&[("host.php", HOST_VIA_FUNCTIONS)]);
    let json = p.check_json();
    assert!(
        json["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .all(|f| f.get("exec").is_none()),
        "{json:#}"
    );
}

#[test]
fn exec_counts_characters() {
    let php = "<?php\n/* 회원 */ $r = sql_fetch(\"SELECT * FROM iw_member WHERE mb_id = 1\");\n";
    let json = TempProject::new(&[("k.php", php)]).check_json();
    let column = char_column(php, 2, "sql_fetch");
    assert_eq!(
        json["findings"][0]["exec"],
        serde_json::json!({"line": 2, "column": column, "end_line": 2, "end_column": column + 9})
    );
}

// ---------------------------------------------------------------------------------------------
// The terminal is not the file's to control
// ---------------------------------------------------------------------------------------------

/// Bytes a terminal would act on: C0 controls other than `\n`, DEL, and C1 controls.
fn terminal_controls(out: &str) -> Vec<char> {
    out.chars()
        .filter(|c| (c.is_ascii_control() && *c != '\n') || ('\u{80}'..='\u{9f}').contains(c))
        .collect()
}

const EVIL: &str = "<?php\nfunction find_\u{9b}2J($w) { return sql_fetch(\"SELECT * FROM iw_enterprise WHERE $w\"); }\n$s = find_\u{9b}2J(\"ep_domain = '\" . $_SERVER['HTTP_HOST'] . \"'\");\n// \x1b[31mred comment\x1b[0m\n$r = sql_fetch(\"SELECT * FROM iw_member WHERE mb_id = '\x1b[2J\u{9b}1m'\"); // \x1b[1mbold\x1b[0m\n$title = \"\x1b]0;pwned\x07\";\n";

#[test]
fn control_characters_from_sources_are_shown_escaped() {
    let p = TempProject::new(&[
        ("evil.php", EVIL),
        ("binary.php", "abc\0\x1b]0;pwned\x07def\n\x1b[31mred\n"),
        (
            "name\x1b[31m/n\x07.php",
            "<?php\n$r = sql_fetch(\"SELECT * FROM iw_member WHERE mb_id = 1\");\n",
        ),
        (
            "odd\x1b]0;t\x07dir/a.php",
            "<?php\n$row = sql_fetch(\"SELECT * FROM {$write_table} WHERE wr_id = 1\");\n",
        ),
        (
            "odd\x1b]0;t\x07dir/b.php",
            "<?php\n$row = sql_fetch(\"SELECT * FROM {$write_table} WHERE wr_id = 1\");\n",
        ),
    ]);
    let (code, stdout) = pretty(&p, &["--show-unanalyzed", "."]);
    assert_eq!(code, 1);
    assert_eq!(terminal_controls(&stdout), vec![], "{stdout:?}");

    // The excerpt shows each control character as one visible symbol, and the labels stay on
    // their text.
    assert!(
        stdout.contains(" 4 │ // ␛[31mred comment␛[0m\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains(" 6 │ $title = \"␛]0;pwned␇\";\n"),
        "{stdout}"
    );
    // A C1 control in a function name: `�` in the excerpt, escaped in the label.
    assert!(
        stdout.contains(" 3 │ $s = find_�2J(\"ep_domain"),
        "{stdout}"
    );
    let (under, label) = label_under(
        &stdout,
        "$s = find_�2J(\"ep_domain = '\" . $_SERVER['HTTP_HOST'] . \"'\");",
        "find_�2J",
    );
    assert_eq!(under, " ────┬─── ", "{stdout}");
    assert_eq!(label, "`find_\\u{9b}2j()` puts this argument into SQL text");
    let (under, label) = label_under(
        &stdout,
        "$r = sql_fetch(\"SELECT * FROM iw_member WHERE mb_id = '␛[2J�1m'\"); // ␛[1mbold␛[0m",
        "iw_member",
    );
    assert_eq!(under, " ────┬──── ", "{stdout}");
    assert_eq!(label, "no `ep_code` predicate constrains `iw_member`");
    // A binary file gets no excerpt.
    let binary = stdout
        .split("\n\n")
        .find(|b| b.contains("this file is binary"))
        .expect("TL000 for the binary file");
    assert!(
        binary.contains("╭─[binary.php:1:1]\n   ╰────"),
        "no excerpt for a binary file:\n{stdout}"
    );
    // Paths are escaped: in excerpt headers, the unanalyzed list, the directory hint and the
    // warnings.
    assert!(
        stdout.contains("╭─[name\\x1b[31m/n\\x07.php:2:31]"),
        "{stdout}"
    );
    assert!(
        stdout.contains("\n  odd\\x1b]0;t\\x07dir/a.php:2:8: table name `$write_table`"),
        "{stdout}"
    );
    assert!(
        stdout.contains("by directory: odd\\x1b]0;t\\x07dir/ (2)"),
        "{stdout}"
    );
    insta::with_settings!({filters => snapshot_filters()}, {
        insta::assert_snapshot!(stdout);
    });

    // A missing path is a usage error, named escaped.
    let (code, _, stderr) = run_with_env(
        &p.dir,
        &["check", ".", "missing\x1b]0;gone\x07"],
        &[("NO_COLOR", "1")],
    );
    assert_eq!(code, 2);
    assert_eq!(terminal_controls(&stderr), vec![], "{stderr:?}");
    assert!(stderr.contains("`missing\\x1b]0;gone\\x07`"), "{stderr}");

    // JSON escapes them its own way; the positions are the same.
    let (_, stdout, _) = p.run(&["check", "--format", "json", "."]);
    let json: Value = serde_json::from_str(&stdout).expect("json");
    let evil = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["file"] == "evil.php" && f["rule"] == "TL001")
        .expect("TL001 in evil.php");
    assert_eq!(
        (evil["line"].as_u64(), evil["column"].as_u64()),
        (Some(5), Some(char_column(EVIL, 5, "iw_member")))
    );
}

// ---------------------------------------------------------------------------------------------
// Timing
// ---------------------------------------------------------------------------------------------

#[test]
fn both_formats_report_the_elapsed_time() {
    let php = "<?php\n$a = sql_fetch(\"SELECT * FROM iw_member WHERE mb_id = 1\");\n$b = sql_fetch(\"SELECT * FROM iw_point WHERE mb_id = 1\");\n";
    let p = TempProject::new(&[("t.php", php)]);
    let (_, stdout) = pretty(&p, &[]);
    let summary = stdout
        .lines()
        .find(|l| l.starts_with("tenantlint: "))
        .expect("summary line");
    let ms = summary
        .rsplit_once(" in ")
        .and_then(|(_, t)| t.strip_suffix(" ms"))
        .and_then(|t| t.parse::<u64>().ok());
    assert!(ms.is_some(), "{summary}");
    let json = p.check_json();
    assert!(json["summary"]["elapsed_ms"].is_u64(), "{json:#}");
    // Two findings in one file: both rendered, each with its own excerpt.
    assert_eq!(headers(&stdout).len(), 2, "{stdout}");
}

/// `--stats` tells where the time went on stderr and leaves the report itself alone: the JSON
/// on stdout is the same with and without it.
#[test]
fn stats_go_to_stderr_and_leave_the_report_unchanged() {
    let p = TempProject::new(&[
        (
            "list.php",
            "<?php\n$r = sql_query(\"select * from iw_order where od_id = 1\");\n",
        ),
        ("helper.php", "<?php\nfunction money($n) { return $n; }\n"),
    ]);
    let (code, plain, _) = p.run(&["check", "--format", "json"]);
    assert_eq!(code, 1);
    let (code, with_stats, stderr) = p.run(&["check", "--format", "json", "--stats"]);
    assert_eq!(code, 1);
    let json = |s: &str| common::without_timing(serde_json::from_str::<Value>(s).unwrap());
    assert_eq!(json(&plain), json(&with_stats));
    for phase in [
        "discover, scan",
        "open the cache",
        "parse and lower",
        "project pass",
        "SQL and rules",
        "report",
        "total",
    ] {
        assert!(
            stderr.lines().any(|l| l.trim_start().starts_with(phase)),
            "no {phase} line in:\n{stderr}"
        );
    }
    assert!(stderr.contains("2 files, "), "{stderr}");
    // Where the system says (Linux), the peak memory reached by the end of each phase, which
    // never goes down from one phase to the next.
    if cfg!(target_os = "linux") {
        let peaks: Vec<f64> = stderr
            .lines()
            .filter_map(|l| l.split("peak").nth(1))
            .map(|p| p.trim().trim_end_matches("MB").trim().parse().unwrap())
            .collect();
        assert_eq!(peaks.len(), 5, "{stderr}");
        assert!(peaks.windows(2).all(|w| w[0] <= w[1]), "{stderr}");
        assert!(peaks[0] > 0.0, "{stderr}");
    }
    let (_, _, quiet) = p.run(&["check", "--format", "json"]);
    assert!(!quiet.contains("parse and lower"), "{quiet}");
}

//! TL003 (host-derived value in SQL text) and TL004 (unchecked tenant request parameter)
//! semantics, one small PHP project per case.
//!
//! Every failing case asserts the exact (rule, file, line, column) of each finding: for TL003
//! the column of the host-derived value inside the SQL text, for TL004 the column of the read of
//! the parameter. Columns are computed from the PHP text with [`col`], so each expectation names
//! the expression it points at. Every TL003 passing case asserts that its queries were recognised
//! and analysed (`sql_sites`, `unanalyzed == 0`); TL004 passing cases have a failing twin that
//! differs only in the check.

// Helpers outside `#[test]` functions panic on purpose: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{assert_clean, check_files, check_php, summary};
use serde_json::Value;

const EX: &str = "example.php";

/// 1-based character column of the only occurrence of `needle` on line `line` of `src`.
#[track_caller]
fn col(src: &str, line: usize, needle: &str) -> u64 {
    let cols = cols(src, line, needle);
    assert_eq!(
        cols.len(),
        1,
        "`{needle}` must occur exactly once on line {line} of:\n{src}"
    );
    cols[0]
}

/// 1-based character columns of every occurrence of `needle` on line `line` of `src`.
#[track_caller]
fn cols(src: &str, line: usize, needle: &str) -> Vec<u64> {
    let text = src
        .lines()
        .nth(line - 1)
        .unwrap_or_else(|| panic!("no line {line} in:\n{src}"));
    text.match_indices(needle)
        .map(|(i, _)| text[..i].chars().count() as u64 + 1)
        .collect()
}

/// (rule, file, line, column) of every finding, in report order.
fn located(json: &Value) -> Vec<(String, String, u64, u64)> {
    json["findings"]
        .as_array()
        .expect("`findings` is an array")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().expect("rule").to_string(),
                f["file"].as_str().expect("file").to_string(),
                f["line"].as_u64().expect("line"),
                f["column"].as_u64().expect("column"),
            )
        })
        .collect()
}

/// Assert the report has exactly `expected` findings (rule, file, line, column), nothing
/// unanalyzed.
#[track_caller]
fn assert_at(json: &Value, expected: &[(&str, &str, u64, u64)]) {
    let expected: Vec<_> = expected
        .iter()
        .map(|(r, p, l, c)| (r.to_string(), p.to_string(), *l, *c))
        .collect();
    assert_eq!(located(json), expected, "report:\n{json:#}");
    assert_eq!(summary(json, "unanalyzed"), 0, "report:\n{json:#}");
}

/// Assert the report has no finding and nothing unanalyzed (for TL004 cases without SQL).
#[track_caller]
fn assert_no_findings(json: &Value) {
    assert_eq!(located(json), vec![], "report:\n{json:#}");
    assert_eq!(summary(json, "unanalyzed"), 0, "report:\n{json:#}");
}

// =============================================================================================
// TL003: sources
// =============================================================================================

#[test]
fn tl003_each_host_source_fails() {
    for source in [
        "$_SERVER['HTTP_HOST']",
        "$_SERVER[\"HTTP_HOST\"]",
        "$_SERVER['SERVER_NAME']",
        "$_SERVER[\"SERVER_NAME\"]",
        "$_SERVER['HTTP_X_FORWARDED_HOST']",
        "$_SERVER[\"HTTP_X_FORWARDED_HOST\"]",
        "getenv('HTTP_HOST')",
        "getenv(\"HTTP_HOST\")",
    ] {
        let src = format!(
            "<?php\n$h = {source};\n$row = sql_fetch(\"SELECT ep_code FROM iw_enterprise WHERE ep_domain = '$h'\");\n"
        );
        let json = check_php(&src);
        assert_eq!(
            located(&json),
            vec![("TL003".to_string(), EX.to_string(), 3, col(&src, 3, "$h"))],
            "source `{source}`:\n{json:#}"
        );
    }
}

#[test]
fn tl003_other_server_values_pass() {
    for source in [
        "$_SERVER['REQUEST_URI']",
        "$_SERVER['REMOTE_ADDR']",
        "getenv('PATH')",
        "'example.kr'",
    ] {
        let src = format!(
            "<?php\n$h = {source};\n$row = sql_fetch(\"SELECT ep_code FROM iw_enterprise WHERE ep_domain = '$h'\");\n"
        );
        let json = check_php(&src);
        assert_clean(&json, 1);
    }
}

#[test]
fn tl003_source_interpolated_directly_fails() {
    let src = r#"<?php
$x = sql_fetch("SELECT * FROM ost_sites WHERE url = '{$_SERVER["HTTP_HOST"]}'");
$y = sql_fetch("SELECT * FROM ost_sites WHERE url = '" . getenv('HTTP_HOST') . "'");
"#;
    let json = check_php(src);
    assert_at(
        &json,
        &[
            ("TL003", EX, 2, col(src, 2, "$_SERVER")),
            ("TL003", EX, 3, col(src, 3, "getenv")),
        ],
    );
}

#[test]
fn tl003_extracted_server_variables_fail() {
    let src = r#"<?php
extract($_SERVER);
$a = sql_fetch("SELECT * FROM ost_sites WHERE url = '$HTTP_HOST'");
$b = sql_fetch("SELECT * FROM ost_sites WHERE url = '$SERVER_NAME'");
$c = sql_fetch("SELECT * FROM ost_sites WHERE url = '$HTTP_X_FORWARDED_HOST'");
$d = sql_fetch("SELECT * FROM ost_sites WHERE url = '$REQUEST_URI'");
"#;
    let json = check_php(src);
    assert_at(
        &json,
        &[
            ("TL003", EX, 3, col(src, 3, "$HTTP_HOST")),
            ("TL003", EX, 4, col(src, 4, "$SERVER_NAME")),
            ("TL003", EX, 5, col(src, 5, "$HTTP_X_FORWARDED_HOST")),
        ],
    );
}

#[test]
fn tl003_host_named_variables_without_extract_pass() {
    let json = check_php(
        r#"<?php
$a = sql_fetch("SELECT * FROM ost_sites WHERE url = '$HTTP_HOST'");
$b = sql_fetch("SELECT * FROM ost_sites WHERE url = '$SERVER_NAME'");
$c = sql_fetch("SELECT * FROM ost_sites WHERE url = '$HTTP_X_FORWARDED_HOST'");
"#,
    );
    assert_clean(&json, 3);
}

// =============================================================================================
// TL003: propagation
// =============================================================================================

#[test]
fn tl003_destructuring_fails() {
    let src = r#"<?php
$h = $_SERVER['HTTP_HOST'];
list($sub, $domain) = explode('.', $h, 2);
[$first] = [$h];
sql_query("SELECT * FROM ost_sites WHERE sub = '$sub' AND dom = '$domain'");
sql_query("SELECT * FROM ost_sites WHERE url = '$first'");
"#;
    let json = check_php(src);
    assert_at(
        &json,
        &[
            ("TL003", EX, 5, col(src, 5, "$sub")),
            ("TL003", EX, 5, col(src, 5, "$domain")),
            ("TL003", EX, 6, col(src, 6, "$first")),
        ],
    );
}

#[test]
fn tl003_destructuring_of_escaped_values_passes() {
    let json = check_php(
        r#"<?php
$h = $_SERVER['HTTP_HOST'];
list($sub, $domain) = explode('.', sql_escape_string($h), 2);
[$first] = [addslashes($h)];
sql_query("SELECT * FROM ost_sites WHERE sub = '$sub' AND dom = '$domain'");
sql_query("SELECT * FROM ost_sites WHERE url = '$first'");
"#,
    );
    assert_clean(&json, 2);
}

#[test]
fn tl003_concatenation_and_sprintf_fail() {
    let src = r#"<?php
$h = $_SERVER['HTTP_HOST'];
$q = "SELECT * FROM ost_sites WHERE url = '" . $h . "'";
$r1 = sql_query($q);
$s = sprintf("SELECT * FROM ost_sites WHERE url = '%s'", $h);
$r2 = sql_query($s);
"#;
    let json = check_php(src);
    assert_at(
        &json,
        &[
            ("TL003", EX, 3, col(src, 3, "$h")),
            ("TL003", EX, 5, col(src, 5, "$h")),
        ],
    );
}

#[test]
fn tl003_concatenation_and_sprintf_of_escaped_value_pass() {
    let json = check_php(
        r#"<?php
$h = sql_escape_string($_SERVER['HTTP_HOST']);
$q = "SELECT * FROM ost_sites WHERE url = '" . $h . "'";
$r1 = sql_query($q);
$s = sprintf("SELECT * FROM ost_sites WHERE url = '%s'", $h);
$r2 = sql_query($s);
"#,
    );
    assert_clean(&json, 2);
}

#[test]
fn tl003_elements_of_a_tainted_array_fail() {
    let src = r#"<?php
$h = $_SERVER['HTTP_HOST'];
$parts = explode('.', $h);
$r1 = sql_query("SELECT * FROM ost_sites WHERE sub = '{$parts[0]}' AND dom = '$parts[1]'");
$info = ['host' => $h, 'port' => 80];
$r2 = sql_query("SELECT * FROM ost_sites WHERE url = '{$info['host']}'");
"#;
    let json = check_php(src);
    assert_at(
        &json,
        &[
            ("TL003", EX, 4, col(src, 4, "$parts[0]")),
            ("TL003", EX, 4, col(src, 4, "$parts[1]")),
            ("TL003", EX, 6, col(src, 6, "$info['host']")),
        ],
    );
}

#[test]
fn tl003_escaped_element_of_a_tainted_array_passes() {
    let json = check_php(
        r#"<?php
$parts = explode('.', $_SERVER['HTTP_HOST']);
$p = sql_escape_string($parts[0]);
$r1 = sql_query("SELECT * FROM ost_sites WHERE sub = '$p'");
"#,
    );
    assert_clean(&json, 1);
}

#[test]
fn tl003_preg_match_captures_fail() {
    let src = r#"<?php
$h = $_SERVER['HTTP_HOST'];
preg_match('/^(.+)\.example\.kr$/', $h, $m);
sql_query("SELECT * FROM ost_sites WHERE url = '$m[1]'");
sql_query("SELECT * FROM ost_sites WHERE url = '{$m[1]}'");
preg_match_all('/([^.]+)/', $h, $all);
sql_query("SELECT * FROM ost_sites WHERE url = '{$all[1][0]}'");
"#;
    let json = check_php(src);
    assert_at(
        &json,
        &[
            ("TL003", EX, 4, col(src, 4, "$m[1]")),
            ("TL003", EX, 5, col(src, 5, "$m[1]")),
            ("TL003", EX, 7, col(src, 7, "$all[1][0]")),
        ],
    );
}

#[test]
fn tl003_string_functions_propagate() {
    for expr in [
        "str_split($h)[0]",
        "substr($h, 0, 5)",
        "strtolower($h)",
        "strtoupper($h)",
        "trim($h)",
        "str_replace('www.', '', $h)",
        "preg_replace('/^www\\./', '', $h)",
        "parse_url('http://' . $h, PHP_URL_HOST)",
        "explode('.', $h)[0]",
        "$h ? $h : 'default'",
        "$flag ? 'fixed' : $h",
        "$_SERVER['HTTP_HOST'] ?? 'localhost'",
        "$cfg ?? $h",
        "$cfg ?: $h",
    ] {
        let src = format!(
            "<?php\n$h = $_SERVER['HTTP_HOST'];\n$v = {expr};\nsql_query(\"SELECT * FROM ost_sites WHERE url = '$v'\");\n"
        );
        let json = check_php(&src);
        assert_eq!(
            located(&json),
            vec![("TL003".to_string(), EX.to_string(), 4, col(&src, 4, "$v"))],
            "`{expr}` must pass the host on:\n{json:#}"
        );
    }
}

#[test]
fn tl003_string_functions_of_escaped_value_pass() {
    for expr in [
        "strtolower(sql_escape_string($h))",
        "trim(addslashes($h))",
        "$flag ? 'fixed' : 'other'",
        "$cfg ?? 'localhost'",
    ] {
        let src = format!(
            "<?php\n$h = $_SERVER['HTTP_HOST'];\n$v = {expr};\nsql_query(\"SELECT * FROM ost_sites WHERE url = '$v'\");\n"
        );
        let json = check_php(&src);
        assert_clean(&json, 1);
    }
}

const HOST_HELPERS: &str = r#"<?php
function current_subdomain() {
    return explode('.', $_SERVER['HTTP_HOST'])[0];
}
function lower_it($s) {
    return strtolower($s);
}
function site_row() {
    $h = sql_escape_string($_SERVER['HTTP_HOST']);
    return sql_fetch("SELECT * FROM ost_sites WHERE url = '$h'");
}
"#;

#[test]
fn tl003_return_value_of_project_function_fails() {
    let src = r#"<?php
include 'lib.php';
$sub = current_subdomain();
$row = sql_fetch("SELECT ep_code FROM iw_enterprise WHERE ep_domain = '$sub'");
$low = lower_it($_SERVER['HTTP_HOST']);
$row2 = sql_fetch("SELECT ep_code FROM iw_enterprise WHERE ep_domain = '$low'");
"#;
    let json = check_files(&[("lib.php", HOST_HELPERS), ("page.php", src)]);
    assert_at(
        &json,
        &[
            ("TL003", "page.php", 4, col(src, 4, "$sub")),
            ("TL003", "page.php", 6, col(src, 6, "$low")),
        ],
    );
}

#[test]
fn tl003_return_value_not_derived_from_host_passes() {
    // `lower_it` passes its argument on, but here the argument is a constant; `site_row`
    // returns a row read from the database, not the host.
    let json = check_files(&[
        ("lib.php", HOST_HELPERS),
        (
            "page.php",
            r#"<?php
include 'lib.php';
$c = lower_it('fixed');
$row = sql_fetch("SELECT ep_code FROM iw_enterprise WHERE ep_domain = '$c'");
$site = site_row();
$row2 = sql_fetch("SELECT ep_code FROM iw_enterprise WHERE ep_code = '{$site['ep_code']}'");
"#,
        ),
    ]);
    // Two queries in page.php, one in lib.php.
    assert_clean(&json, 3);
}

#[test]
fn tl003_database_value_in_same_file_passes() {
    let json = check_php(
        r#"<?php
$h = $_SERVER['HTTP_HOST'];
$row = sql_fetch("SELECT * FROM ost_sites WHERE url = '" . sql_escape_string($h) . "'");
$c = sql_query("SELECT * FROM ost_sites WHERE ep_code = '{$row['ep_code']}'");
"#,
    );
    assert_clean(&json, 2);
}

// =============================================================================================
// TL003: sinks through function summaries
// =============================================================================================

const SINK_HELPERS: &str = r#"<?php
function run_query($where) {
    return sql_fetch("SELECT ep_code FROM iw_enterprise WHERE $where");
}
function wrap_query($w) {
    return run_query($w);
}
function safe_lookup($v) {
    return sql_fetch("SELECT ep_code FROM iw_enterprise WHERE ep_domain = '" . sql_escape_string($v) . "'");
}
function log_it($msg) {
    error_log($msg);
    return 1;
}
"#;

#[test]
fn tl003_argument_of_sql_helper_fails_in_caller() {
    let src = r#"<?php
include 'lib.php';
$sub = explode('.', $_SERVER['HTTP_HOST'])[0];
$store = run_query("ep_domain = '$sub'");
$other = wrap_query("ep_domain = '$sub'");
"#;
    let json = check_files(&[("lib.php", SINK_HELPERS), ("page.php", src)]);
    assert_at(
        &json,
        &[
            ("TL003", "page.php", 4, col(src, 4, "$sub")),
            ("TL003", "page.php", 5, col(src, 5, "$sub")),
        ],
    );
    let trace = json["findings"][0]["trace"].as_array().expect("trace");
    let last = trace.last().expect("trace step");
    assert_eq!(
        (last["line"].as_u64(), last["column"].as_u64()),
        (Some(4), Some(col(src, 4, "run_query"))),
        "the last step is the helper call:\n{json:#}"
    );
}

#[test]
fn tl003_escaped_argument_or_escaping_helper_passes() {
    let json = check_files(&[
        ("lib.php", SINK_HELPERS),
        (
            "page.php",
            r#"<?php
include 'lib.php';
$sub = explode('.', $_SERVER['HTTP_HOST'])[0];
$a = run_query("ep_domain = '" . sql_escape_string($sub) . "'");
$b = safe_lookup($sub);
$c = log_it("host $sub");
"#,
        ),
    ]);
    // The two queries of lib.php.
    assert_clean(&json, 2);
}

// =============================================================================================
// TL003: sanitizers
// =============================================================================================

#[test]
fn tl003_sanitizers_pass() {
    let json = check_files(&[
        (
            "lib.php",
            r#"<?php
function clean_host($s) {
    if ($s === '') {
        return '';
    }
    return sql_escape_string(strtolower($s));
}
"#,
        ),
        (
            EX,
            r#"<?php
include 'lib.php';
$h = $_SERVER['HTTP_HOST'];
$a = mysqli_real_escape_string($link, $h);
$b = mysql_real_escape_string($h);
$c = $mysqli->real_escape_string($h);
$d = sql_escape_string($h);
$e = $pdo->quote($h);
$f = addslashes($h);
$g = intval($h);
$i = floatval($h);
$j = (int)$h;
$k = (float)$h;
$l = clean_host($h);
sql_query("SELECT * FROM ost_sites WHERE url = '$a'");
sql_query("SELECT * FROM ost_sites WHERE url = '$b'");
sql_query("SELECT * FROM ost_sites WHERE url = '$c'");
sql_query("SELECT * FROM ost_sites WHERE url = '$d'");
sql_query("SELECT * FROM ost_sites WHERE url = $e");
sql_query("SELECT * FROM ost_sites WHERE url = '$f'");
sql_query("SELECT * FROM ost_sites WHERE id = $g");
sql_query("SELECT * FROM ost_sites WHERE id = $i");
sql_query("SELECT * FROM ost_sites WHERE id = $j");
sql_query("SELECT * FROM ost_sites WHERE id = $k");
sql_query("SELECT * FROM ost_sites WHERE url = '$l'");
sql_query("SELECT * FROM ost_sites WHERE id = '" . (int)$_SERVER['HTTP_HOST'] . "'");
"#,
        ),
    ]);
    assert_clean(&json, 12);
}

#[test]
fn tl003_helper_with_one_unescaped_return_fails() {
    let src = r#"<?php
include 'lib.php';
$h = $_SERVER['HTTP_HOST'];
$l = half_clean($h);
sql_query("SELECT * FROM ost_sites WHERE url = '$l'");
"#;
    let json = check_files(&[
        (
            "lib.php",
            r#"<?php
function half_clean($s) {
    if (strlen($s) > 100) {
        return $s;
    }
    return sql_escape_string($s);
}
"#,
        ),
        (EX, src),
    ]);
    assert_at(&json, &[("TL003", EX, 5, col(src, 5, "$l"))]);
}

#[test]
fn tl003_sprintf_numeric_directives_sanitize_their_argument() {
    let json = check_php(
        r#"<?php
$h = $_SERVER['HTTP_HOST'];
sql_query(sprintf("SELECT * FROM ost_sites WHERE id = %d AND n = %u AND f = %f", $h, $h, $h));
"#,
    );
    assert_clean(&json, 1);
}

#[test]
fn tl003_sprintf_string_directive_next_to_numeric_fails() {
    let src = r#"<?php
$h = $_SERVER['HTTP_HOST'];
sql_query(sprintf("SELECT * FROM ost_sites WHERE id = %d AND url = '%s'", $h, $h));
"#;
    let json = check_php(src);
    // The `%s` argument is the second `$h`.
    let second = cols(src, 3, "$h")[1];
    assert_at(&json, &[("TL003", EX, 3, second)]);
}

#[test]
fn tl003_prepared_statement_binding_passes() {
    let json = check_php(
        r#"<?php
$h = $_SERVER['HTTP_HOST'];
$stmt = $pdo->prepare("SELECT ep_code FROM iw_enterprise WHERE ep_domain = ?");
$stmt->execute([$h]);
$st2 = $pdo->prepare("SELECT ep_code FROM iw_enterprise WHERE ep_domain = :d");
$st2->bindValue(':d', $h);
$st2->execute();
$st3 = $mysqli->prepare("SELECT ep_code FROM iw_enterprise WHERE ep_domain = ?");
$st3->bind_param('s', $h);
$st3->execute();
$st4 = $pdo->prepare("SELECT ep_code FROM iw_enterprise WHERE ep_domain = :d");
$st4->execute([':d' => $_SERVER['HTTP_HOST']]);
"#,
    );
    assert_clean(&json, 4);
}

#[test]
fn tl003_host_in_prepared_statement_text_fails() {
    let src = r#"<?php
$h = $_SERVER['HTTP_HOST'];
$stmt = $pdo->prepare("SELECT ep_code FROM iw_enterprise WHERE ep_domain = ? AND url = '$h'");
$stmt->execute([$h]);
"#;
    let json = check_php(src);
    assert_at(&json, &[("TL003", EX, 3, col(src, 3, "$h"))]);
}

// =============================================================================================
// TL003: regex captures and validation
// =============================================================================================

#[test]
fn tl003_capture_that_can_hold_a_quote_fails() {
    let src = r#"<?php
if (preg_match('/^([^.]+)\.example\.kr$/', $_SERVER['HTTP_HOST'], $m)) {
    $row = sql_fetch("SELECT ep_code FROM iw_enterprise WHERE ep_domain = '$m[1]'");
}
if (preg_match('/^([a-z0-9-]+)\.(.+)$/', $_SERVER['HTTP_HOST'], $p)) {
    $row = sql_fetch("SELECT ep_code FROM iw_enterprise WHERE ep_domain = '$p[1]' AND x = '$p[2]'");
}
"#;
    let json = check_php(src);
    assert_at(
        &json,
        &[
            ("TL003", EX, 3, col(src, 3, "$m[1]")),
            ("TL003", EX, 6, col(src, 6, "$p[2]")),
        ],
    );
}

#[test]
fn tl003_strict_capture_group_passes() {
    let json = check_php(
        r#"<?php
if (preg_match('/^([a-z0-9-]+)\.example\.kr$/', $_SERVER['HTTP_HOST'], $m)) {
    $row = sql_fetch("SELECT ep_code FROM iw_enterprise WHERE ep_domain = '$m[1]'");
    $all = sql_fetch("SELECT ep_code FROM iw_enterprise WHERE ep_domain = '$m[0]'");
}
"#,
    );
    assert_clean(&json, 2);
}

#[test]
fn tl003_anchored_validation_that_leaves_passes() {
    for leave in [
        "exit;",
        "exit(1);",
        "die('bad host');",
        "return;",
        "throw new Exception('bad host');",
    ] {
        let src = format!(
            r#"<?php
function lookup() {{
    $host = $_SERVER['HTTP_HOST'];
    if (!preg_match('/^[a-z0-9.-]+$/', $host)) {{
        {leave}
    }}
    return sql_fetch("SELECT * FROM ost_sites WHERE url = '$host'");
}}
"#
        );
        let json = check_php(&src);
        assert_clean(&json, 1);
    }
}

#[test]
fn tl003_weak_or_partial_validation_fails() {
    let src = r#"<?php
$a = $_SERVER['HTTP_HOST'];
if (!preg_match('/[a-z0-9.-]+/', $a)) {
    exit;
}
sql_fetch("SELECT * FROM ost_sites WHERE url = '$a'");
$b = $_SERVER['HTTP_HOST'];
if (!preg_match('/^.+$/', $b)) {
    exit;
}
sql_fetch("SELECT * FROM ost_sites WHERE url = '$b'");
$c = $_SERVER['HTTP_HOST'];
if (!preg_match('/^[a-z0-9.-]+$/', $c)) {
    $err = 'bad host';
}
sql_fetch("SELECT * FROM ost_sites WHERE url = '$c'");
$d = $_SERVER['HTTP_HOST'];
if ($strict) {
    if (!preg_match('/^[a-z0-9.-]+$/', $d)) {
        exit;
    }
}
sql_fetch("SELECT * FROM ost_sites WHERE url = '$d'");
$e = $_SERVER['HTTP_HOST'];
if (preg_match('/^[a-z0-9.-]+$/', $e)) {
    exit;
}
sql_fetch("SELECT * FROM ost_sites WHERE url = '$e'");
"#;
    let json = check_php(src);
    assert_at(
        &json,
        &[
            ("TL003", EX, 6, col(src, 6, "$a")),
            ("TL003", EX, 11, col(src, 11, "$b")),
            ("TL003", EX, 16, col(src, 16, "$c")),
            ("TL003", EX, 23, col(src, 23, "$d")),
            ("TL003", EX, 28, col(src, 28, "$e")),
        ],
    );
}

#[test]
fn tl003_query_before_validation_fails() {
    let src = r#"<?php
$host = $_SERVER['HTTP_HOST'];
$site = sql_fetch("SELECT * FROM ost_sites WHERE url = '$host'");
if (!preg_match('/^[a-z0-9.-]+$/', $host)) {
    exit;
}
$again = sql_fetch("SELECT * FROM ost_sites WHERE url = '$host'");
"#;
    let json = check_php(src);
    assert_at(&json, &[("TL003", EX, 3, col(src, 3, "$host"))]);
}

// =============================================================================================
// TL003: counting, non-SQL uses, trace
// =============================================================================================

#[test]
fn tl003_one_finding_per_interpolation() {
    let src = r#"<?php
$h = $_SERVER['HTTP_HOST'];
$row = sql_fetch("SELECT * FROM ost_sites WHERE url = '$h' OR alias = '$h'");
$r2 = sql_fetch("SELECT * FROM ost_sites WHERE url = '$h'
                  OR alias = '{$h}'");
"#;
    let json = check_php(src);
    let twice = cols(src, 3, "$h");
    assert_eq!(twice.len(), 2);
    assert_at(
        &json,
        &[
            ("TL003", EX, 3, twice[0]),
            ("TL003", EX, 3, twice[1]),
            ("TL003", EX, 4, col(src, 4, "$h")),
            ("TL003", EX, 5, col(src, 5, "$h")),
        ],
    );
}

#[test]
fn tl003_host_only_in_redirect_and_output_passes() {
    let json = check_php(
        r#"<?php
$host = $_SERVER['HTTP_HOST'];
header("Location: https://$host/");
echo "<a href=\"https://$host/\">home</a>";
$row = sql_fetch("SELECT * FROM ost_sites WHERE url = '" . sql_escape_string($host) . "'");
"#,
    );
    assert_clean(&json, 1);
}

#[test]
fn tl003_host_in_redirect_and_query_fails_once() {
    let src = r#"<?php
$host = $_SERVER['HTTP_HOST'];
header("Location: https://$host/");
$row = sql_fetch("SELECT * FROM ost_sites WHERE url = '$host'");
"#;
    let json = check_php(src);
    assert_at(&json, &[("TL003", EX, 4, col(src, 4, "$host"))]);
}

#[test]
fn tl003_json_trace_has_source_and_query_call() {
    let src = r#"<?php
$host = $_SERVER['HTTP_HOST'];
$row = sql_fetch("SELECT * FROM ost_sites WHERE url = '$host'");
"#;
    let json = check_php(src);
    assert_at(&json, &[("TL003", EX, 3, col(src, 3, "$host"))]);
    let trace = json["findings"][0]["trace"]
        .as_array()
        .unwrap_or_else(|| panic!("no trace in:\n{json:#}"));
    let steps: Vec<(String, u64, u64)> = trace
        .iter()
        .map(|s| {
            assert!(
                !s["note"].as_str().expect("note").is_empty(),
                "empty note in:\n{json:#}"
            );
            (
                s["file"].as_str().expect("file").to_string(),
                s["line"].as_u64().expect("line"),
                s["column"].as_u64().expect("column"),
            )
        })
        .collect();
    let source = (EX.to_string(), 2, col(src, 2, "$_SERVER"));
    let call = (EX.to_string(), 3, col(src, 3, "sql_fetch"));
    assert_eq!(steps.first(), Some(&source), "source read first:\n{json:#}");
    assert_eq!(steps.last(), Some(&call), "query call last:\n{json:#}");
}

// =============================================================================================
// TL003: configuration
// =============================================================================================

#[test]
fn tl003_configured_host_source_fails() {
    let src = r#"<?php
$t = $_SERVER['HTTP_X_TENANT'];
sql_query("SELECT * FROM ost_sites WHERE url = '$t'");
"#;
    // Not a host source by default.
    assert_clean(&check_php(src), 1);
    let json = check_files(&[
        (EX, src),
        (
            "tenantlint.toml",
            "[sources]\nhost = [\"$_SERVER['HTTP_HOST']\", \"$_SERVER['HTTP_X_TENANT']\"]\n",
        ),
    ]);
    assert_at(&json, &[("TL003", EX, 3, col(src, 3, "$t"))]);
}

#[test]
fn tl003_configured_sanitizer_passes() {
    let lib = r#"<?php
function my_esc($s) {
    return str_replace("'", "''", $s);
}
"#;
    let src = r#"<?php
include 'lib.php';
$h = $_SERVER['HTTP_HOST'];
sql_query("SELECT * FROM ost_sites WHERE url = '" . my_esc($h) . "'");
"#;
    // Without configuration, `my_esc` passes the host on.
    let json = check_files(&[("lib.php", lib), (EX, src)]);
    assert_at(&json, &[("TL003", EX, 4, col(src, 4, "my_esc"))]);
    let json = check_files(&[
        ("lib.php", lib),
        (EX, src),
        (
            "tenantlint.toml",
            "[sanitizers]\nfunctions = [\"sql_escape_string\", \"my_esc\"]\n",
        ),
    ]);
    assert_clean(&json, 1);
}

// =============================================================================================
// TL004: sources
// =============================================================================================

#[test]
fn tl004_each_request_superglobal_fails() {
    for read in [
        "$_GET['ep']",
        "$_POST['ep']",
        "$_REQUEST['ep']",
        "$_COOKIE['ep']",
        "$_GET[\"ep\"]",
        "$_COOKIE[\"ep\"]",
    ] {
        let src = format!("<?php\n$ep = {read};\n$iw['store'] = $ep;\n");
        let json = check_php(&src);
        assert_eq!(
            located(&json),
            vec![("TL004".to_string(), EX.to_string(), 2, col(&src, 2, read))],
            "read `{read}`:\n{json:#}"
        );
    }
}

#[test]
fn tl004_other_keys_and_superglobals_pass() {
    for read in [
        "$_GET['epx']",
        "$_GET['id']",
        "$_SERVER['ep']",
        "$_FILES['ep']",
    ] {
        let src = format!("<?php\n$ep = {read};\n$iw['store'] = $ep;\n");
        assert_no_findings(&check_php(&src));
    }
}

// =============================================================================================
// TL004: tenant uses
// =============================================================================================

#[test]
fn tl004_each_tenant_use_reports_the_read() {
    let lib = r#"<?php
function load_store($e) { return 1; }
class Loader { function load($e) { return 2; } }
"#;
    for (code, read_line) in [
        // SQL text.
        (
            "$ep = $_GET['ep'];\n$rows = sql_query(\"SELECT * FROM iw_member WHERE ep_code = '$ep'\");",
            3,
        ),
        (
            "$rows = sql_query(\"SELECT * FROM iw_member WHERE ep_code = '{$_GET['ep']}'\");",
            3,
        ),
        // Bound SQL parameters.
        (
            "$stmt = $pdo->prepare(\"SELECT * FROM iw_member WHERE ep_code = ?\");\n$stmt->execute([$_GET['ep']]);",
            4,
        ),
        (
            "$stmt = $pdo->prepare(\"SELECT * FROM iw_member WHERE ep_code = ?\");\n$stmt->bindValue(1, $_GET['ep']);",
            4,
        ),
        (
            "$stmt = $pdo->prepare(\"SELECT * FROM iw_member WHERE ep_code = :ep\");\n$stmt->bindParam(':ep', $_GET['ep']);",
            4,
        ),
        (
            "$st = $mysqli->prepare(\"SELECT * FROM iw_member WHERE ep_code = ?\");\n$st->bind_param('s', $_GET['ep']);",
            4,
        ),
        // Storage beyond a plain variable.
        ("$iw['store'] = $_GET['ep'];", 3),
        (
            "class Shop {\n    function set() {\n        $this->ep = $_GET['ep'];\n    }\n}",
            5,
        ),
        ("$GLOBALS['store'] = $_GET['ep'];", 3),
        (
            "function h() {\n    global $current;\n    $current = $_GET['ep'];\n}",
            5,
        ),
        ("$_SESSION['ss_ep'] = $_GET['ep'];", 3),
        ("setcookie('ep', $_GET['ep']);", 3),
        // Arguments of project functions and methods.
        ("load_store($_GET['ep']);", 3),
        ("$loader->load($_GET['ep']);", 3),
        // Returns.
        ("function r() {\n    return $_GET['ep'];\n}", 4),
    ] {
        let src = format!("<?php\ninclude 'lib.php';\n{code}\n");
        let json = check_files(&[("lib.php", lib), (EX, &src)]);
        assert_eq!(
            located(&json),
            vec![(
                "TL004".to_string(),
                EX.to_string(),
                read_line,
                col(&src, read_line as usize, "$_GET['ep']")
            )],
            "use in:\n{src}\nreport:\n{json:#}"
        );
        assert_eq!(summary(&json, "unanalyzed"), 0, "report:\n{json:#}");
    }
}

#[test]
fn tl004_static_variable_is_a_tenant_use() {
    let src = r#"<?php
function current_store() {
    static $cache;
    $cache = $_GET['ep'];
}
"#;
    let json = check_php(src);
    assert_at(&json, &[("TL004", EX, 4, col(src, 4, "$_GET['ep']"))]);
}

#[test]
fn tl004_plain_variables_and_output_are_not_uses() {
    let json = check_php(
        r#"<?php
$ep = $_GET['ep'];
$copy = $ep;
$lower = strtolower($copy);
echo $ep;
print $ep;
header("X-Store: $ep");
echo htmlspecialchars($lower);
printf('%s', $ep);
function local_only() {
    $ep = $_POST['ep'];
    $copy = trim($ep);
    echo $copy;
}
"#,
    );
    assert_no_findings(&json);
}

#[test]
fn tl004_value_through_plain_variables_to_a_use_fails() {
    let src = r#"<?php
$ep = $_GET['ep'];
$copy = $ep;
$lower = strtolower($copy);
echo $ep;
$iw['store'] = $lower;
"#;
    let json = check_php(src);
    assert_at(&json, &[("TL004", EX, 2, col(src, 2, "$_GET['ep']"))]);
}

#[test]
fn tl004_escaping_and_string_functions_are_not_checks() {
    let src = r#"<?php
$a = strtolower(trim($_GET['ep'] ?? ''));
$iw['a'] = $a;
$b = substr($_POST['ep'] ?: 'default', 0, 10);
$iw['b'] = $b;
$c = sprintf('%s', $_COOKIE['ep']);
$iw['c'] = $c;
$d = mysqli_real_escape_string($link, $_REQUEST['ep']);
$iw['d'] = $d;
$e = sql_escape_string(trim($_REQUEST['ep']));
$list = sql_query("SELECT * FROM iw_member WHERE ep_code = '$e'");
"#;
    let json = check_php(src);
    assert_at(
        &json,
        &[
            ("TL004", EX, 2, col(src, 2, "$_GET['ep']")),
            ("TL004", EX, 4, col(src, 4, "$_POST['ep']")),
            ("TL004", EX, 6, col(src, 6, "$_COOKIE['ep']")),
            ("TL004", EX, 8, col(src, 8, "$_REQUEST['ep']")),
            ("TL004", EX, 10, col(src, 10, "$_REQUEST['ep']")),
        ],
    );
}

// =============================================================================================
// TL004: checks
// =============================================================================================

/// A read into `$ep`, the `check`, then `$ep` stored as the tenant.
fn checked(check: &str) -> String {
    format!("<?php\n$ep = $_GET['ep'];\n{check}\n$iw['current'] = $ep;\n")
}

#[test]
fn tl004_comparison_that_leaves_passes() {
    for check in [
        "if ($ep != $iw['store']) exit;",
        "if ($ep !== $iw['store']) { die('wrong store'); }",
        "if ($iw['store'] != $ep) { exit; }",
        "if (!($ep == $iw['store'])) { throw new Exception('wrong store'); }",
        "if ($ep === $iw['store']) { } else { exit; }",
        "if (strcmp($ep, $iw['store'])) exit;",
        "if (!hash_equals($iw['store'], $ep)) exit;",
        "if (!in_array($ep, ['shop1', 'shop2'], true)) alert('wrong store');",
        "if (!in_array($ep, $allowed, true)) goto_url('/');",
    ] {
        let src = checked(check);
        assert_no_findings(&check_php(&src));
    }
}

#[test]
fn tl004_non_checks_fail() {
    for check in [
        "",
        "if (empty($ep)) exit;",
        "if (!isset($_GET['ep'])) exit;",
        "if ($ep != $ep) exit;",
        "if ($ep == $iw['store']) exit;",
        "if ($ep != $iw['store']) { $err = 1; }",
        "if ($ep != $iw['store']) { echo 'wrong store'; }",
        "if (hash_equals($iw['store'], $ep)) exit;",
    ] {
        let src = checked(check);
        let json = check_php(&src);
        assert_eq!(
            located(&json),
            vec![(
                "TL004".to_string(),
                EX.to_string(),
                2,
                col(&src, 2, "$_GET['ep']")
            )],
            "`{check}` must not count as a check:\n{json:#}"
        );
    }
}

#[test]
fn tl004_strcmp_compared_with_zero_passes() {
    for check in [
        "if (strcmp($ep, $iw['store']) !== 0) exit;",
        "if (strcmp($ep, $iw['store']) != 0) exit;",
        "if (0 !== strcmp($ep, $iw['store'])) exit;",
        "if (strcmp($ep, $iw['store']) === 0) { } else { exit; }",
    ] {
        let src = checked(check);
        let json = check_php(&src);
        assert_eq!(located(&json), vec![], "`{check}`:\n{json:#}");
    }
}

#[test]
fn tl004_strcmp_compared_with_zero_leaving_on_match_fails() {
    // Leaves when the values are equal: the mismatching value goes on unchecked.
    let src = checked("if (strcmp($ep, $iw['store']) === 0) exit;");
    let json = check_php(&src);
    assert_at(&json, &[("TL004", EX, 2, col(&src, 2, "$_GET['ep']"))]);
}

#[test]
fn tl004_check_on_one_path_only_fails() {
    let src = r#"<?php
$ep = $_POST['ep'];
if ($strict) {
    if ($ep !== $iw['store']) {
        exit;
    }
}
$_SESSION['ss_ep'] = $ep;
"#;
    let json = check_php(src);
    assert_at(&json, &[("TL004", EX, 2, col(src, 2, "$_POST['ep']"))]);
}

#[test]
fn tl004_check_on_every_path_passes() {
    let json = check_php(
        r#"<?php
$ep = $_POST['ep'];
if ($strict) {
    if ($ep !== $iw['store']) {
        exit;
    }
} else {
    if (!in_array($ep, $allowed)) {
        die('wrong store');
    }
}
$_SESSION['ss_ep'] = $ep;
"#,
    );
    assert_no_findings(&json);
}

#[test]
fn tl004_use_before_the_check_fails() {
    let src = r#"<?php
$ep = $_GET['ep'];
$iw['current'] = $ep;
if ($ep !== $iw['store']) {
    exit;
}
"#;
    let json = check_php(src);
    assert_at(&json, &[("TL004", EX, 2, col(src, 2, "$_GET['ep']"))]);
}

#[test]
fn tl004_check_on_the_superglobal_itself_passes() {
    let json = check_php(
        r#"<?php
if ($_GET['ep'] !== $iw['store']) {
    exit;
}
$iw['current'] = $_GET['ep'];
"#,
    );
    assert_no_findings(&json);
}

#[test]
fn tl004_reads_in_isset_empty_and_comparison_are_not_reported() {
    // Neither the reads in `isset`/`empty` nor the one in a comparison that does not leave
    // are reported; the read that reaches the use is, once.
    let src = r#"<?php
if (isset($_GET['ep']) && !empty($_POST['ep'])) {
    if ($_GET['ep'] != $iw['store']) {
        echo 'mismatch';
    }
    $iw['current'] = $_GET['ep'];
}
"#;
    let json = check_php(src);
    assert_at(&json, &[("TL004", EX, 6, col(src, 6, "$_GET['ep']"))]);
}

#[test]
fn tl004_checked_return_in_function_passes() {
    let json = check_php(
        r#"<?php
function resolve_store() {
    global $iw;
    $ep = $_GET['ep'];
    if ($ep !== $iw['store']) {
        return null;
    }
    return $ep;
}
function resolve_listed() {
    $ep = $_GET['ep'];
    if (!in_array($ep, ['shop1', 'shop2'], true)) {
        throw new RuntimeException('wrong store');
    }
    return $ep;
}
"#,
    );
    assert_no_findings(&json);
}

#[test]
fn tl004_one_finding_per_read() {
    let src = r#"<?php
$ep = $_GET['ep'];
$iw['store'] = $ep;
$_SESSION['ss_ep'] = $ep;
$rows = sql_query("SELECT * FROM iw_member WHERE ep_code = '$ep'");
$again = $_GET['ep'];
$iw['again'] = $again;
"#;
    let json = check_php(src);
    assert_at(
        &json,
        &[
            ("TL004", EX, 2, col(src, 2, "$_GET['ep']")),
            ("TL004", EX, 6, col(src, 6, "$_GET['ep']")),
        ],
    );
}

// =============================================================================================
// TL004: wrapped checks and configuration
// =============================================================================================

const CHECK_HELPERS: &str = r#"<?php
function check_store($ep) {
    global $iw;
    if (!hash_equals($iw['store'], $ep)) {
        die('wrong store');
    }
}
function weak_check($ep) {
    global $iw, $strict;
    if ($strict) {
        if ($ep !== $iw['store']) {
            exit;
        }
    }
}
function not_a_check($ep) {
    if (empty($ep)) {
        exit;
    }
}
"#;

#[test]
fn tl004_project_check_function_passes() {
    let json = check_files(&[
        ("lib.php", CHECK_HELPERS),
        (
            EX,
            r#"<?php
include 'lib.php';
$ep = $_GET['ep'];
check_store($ep);
$iw['current'] = $ep;
if (isset($_POST['ep'])) {
    check_store($_POST['ep']);
    $iw['posted'] = $_POST['ep'];
}
echo htmlspecialchars($_GET['ep']);
"#,
        ),
    ]);
    assert_no_findings(&json);
}

#[test]
fn tl004_project_function_that_does_not_always_check_is_a_use() {
    let src = r#"<?php
include 'lib.php';
$a = $_POST['ep'];
weak_check($a);
$iw['a'] = $a;
$b = $_REQUEST['ep'];
not_a_check($b);
$iw['b'] = $b;
"#;
    let json = check_files(&[("lib.php", CHECK_HELPERS), (EX, src)]);
    assert_at(
        &json,
        &[
            ("TL004", EX, 3, col(src, 3, "$_POST['ep']")),
            ("TL004", EX, 6, col(src, 6, "$_REQUEST['ep']")),
        ],
    );
}

#[test]
fn tl004_configured_guard_is_a_check() {
    let src = r#"<?php
$a = $_GET['ep'];
verify_store($a);
$iw['a'] = $a;
"#;
    let json = check_php(src);
    assert_at(&json, &[("TL004", EX, 2, col(src, 2, "$_GET['ep']"))]);
    let json = check_files(&[
        (EX, src),
        ("tenantlint.toml", "[checks]\nguards = [\"verify_store\"]\n"),
    ]);
    assert_no_findings(&json);
}

#[test]
fn tl004_configured_never_return_function_leaves() {
    let src = r#"<?php
$b = $_GET['ep'];
if ($b !== $iw['store']) {
    bail('wrong store');
}
$iw['b'] = $b;
"#;
    let json = check_php(src);
    assert_at(&json, &[("TL004", EX, 2, col(src, 2, "$_GET['ep']"))]);
    let json = check_files(&[
        (EX, src),
        (
            "tenantlint.toml",
            "[checks]\nnever_return = [\"alert\", \"goto_url\", \"bail\"]\n",
        ),
    ]);
    assert_no_findings(&json);
}

#[test]
fn tl004_configured_tenant_param() {
    let src = r#"<?php
$c = $_GET['store_id'];
$iw['c'] = $c;
"#;
    assert_no_findings(&check_php(src));
    let json = check_files(&[
        (EX, src),
        (
            "tenantlint.toml",
            "[sources]\ntenant_param = [\"ep\", \"store_id\"]\n",
        ),
    ]);
    assert_at(&json, &[("TL004", EX, 2, col(src, 2, "$_GET['store_id']"))]);
}

// =============================================================================================
// TL004: writes to the superglobal
// =============================================================================================

#[test]
fn tl004_write_to_the_parameter_is_not_a_read() {
    let json = check_php(
        r#"<?php
$_GET['ep'] = $iw['store'];
$_REQUEST['ep'] = 'shop1';
$iw['current'] = $_GET['ep'] = 'shop1';
"#,
    );
    assert_no_findings(&json);
}

#[test]
fn tl004_read_before_a_write_fails() {
    let src = r#"<?php
$iw['current'] = $_GET['ep'];
$_GET['ep'] = 'shop1';
"#;
    let json = check_php(src);
    assert_at(&json, &[("TL004", EX, 2, col(src, 2, "$_GET['ep']"))]);
}

#[test]
fn tl004_write_on_one_path_does_not_hide_the_other_path() {
    let src = r#"<?php
if ($mode) {
    $_GET['ep'] = $iw['store'];
}
$iw['current'] = $_GET['ep'];
"#;
    let json = check_php(src);
    assert_at(&json, &[("TL004", EX, 5, col(src, 5, "$_GET['ep']"))]);
}

#[test]
fn tl003_value_built_around_the_host_is_located_where_it_is_interpolated() {
    let src = r#"<?php
$h = $_SERVER['HTTP_HOST'];
$n = $h . '.example.kr';
$r = sql_query("SELECT * FROM ost_sites WHERE url = '$n'");
"#;
    let json = check_php(src);
    assert_at(&json, &[("TL003", EX, 4, col(src, 4, "$n"))]);
}

#[test]
fn tl003_host_in_sql_that_does_not_parse_is_still_reported() {
    let src = r#"<?php
$h = $_SERVER['HTTP_HOST'];
$r = sql_query("SELECT * FROM ost_sites WHERE url = '$h' ORDER BY");
"#;
    let json = check_php(src);
    assert_eq!(
        located(&json),
        vec![("TL003".to_string(), EX.to_string(), 3, col(src, 3, "$h"))]
    );
    assert_eq!(summary(&json, "unanalyzed"), 1);
}

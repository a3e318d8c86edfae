//! Mechanisms a real multi-tenant PHP application exercised: calls resolved by kind and class,
//! paths where a variable was never assigned, legacy `"$arr['key']"` strings, table names from
//! loops, and the escaping and translation helpers of real code bases. One small project per
//! case; every failing case has a passing twin or asserts the exact finding.

// Helpers outside `#[test]` functions panic on purpose: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{assert_clean, check_files, check_php, findings, summary};
use serde_json::Value;

fn rules(json: &Value) -> Vec<String> {
    findings(json).into_iter().map(|(r, _, _)| r).collect()
}

// =============================================================================================
// 1. Calls resolved by kind and class
// =============================================================================================

#[test]
fn a_builtin_is_not_a_method_of_the_same_name() {
    let json = check_files(&[
        (
            "t.php",
            "<?php\n$ep = $_GET['ep'];\nheader(\"Location: main.php?ep=$ep\");\n",
        ),
        ("pdf.php", "<?php\nclass Pdf { function Header() {} }\n"),
    ]);
    assert_eq!(rules(&json), Vec::<String>::new(), "{json:#}");
}

#[test]
fn a_plain_call_reaches_the_project_function_case_insensitively() {
    // `Save_Tenant()` is the project's `save_tenant()`: the unchecked parameter reaches it.
    let json = check_files(&[
        (
            "t.php",
            "<?php\n$ep = $_GET['ep'];\nSave_Tenant($ep);\n",
        ),
        (
            "lib.php",
            "<?php\nfunction save_tenant($e) { $GLOBALS['t'] = $e; }\nclass A { function check($e) { if ($e != $GLOBALS['store']) exit; } }\n",
        ),
    ]);
    assert_eq!(
        findings(&json),
        vec![("TL004".to_string(), "t.php".to_string(), 2)],
        "{json:#}"
    );
}

/// `check_ep()` exists twice: as a method of `Guard` that checks its argument, and as a method
/// of `Log` that does not. The class decides which one runs.
const TWO_CHECKS: &str = "<?php
class Guard { function check_ep($e) { global $iw; if ($e != $iw['store']) { exit; } } }
class Log { function check_ep($e) { return true; } }
class SubGuard extends Guard {}
function save($e) { $_SESSION['ep'] = $e; }
";

#[test]
fn a_method_of_a_known_class_is_that_class_s_method() {
    for (call, checked) in [
        ("$g = new Guard();\n$g->check_ep($ep);", true),
        ("$g = new SubGuard();\n$g->check_ep($ep);", true),
        ("$g = new Log();\n$g->Check_Ep($ep);", false),
        ("Guard::check_ep($ep);", true),
        ("LOG::check_ep($ep);", false),
        // Unknown class: either may run, and only one of them checks.
        ("$g->check_ep($ep);", false),
    ] {
        let src = format!("<?php\n$ep = $_GET['ep'];\n{call}\nsave($ep);\n");
        let json = check_files(&[("t.php", &src), ("lib.php", TWO_CHECKS)]);
        let tl004 = findings(&json).iter().filter(|f| f.0 == "TL004").count();
        assert_eq!(tl004 == 0, checked, "`{call}`:\n{json:#}");
    }
}

#[test]
fn this_self_parent_and_typed_parameters_name_the_class() {
    let lib = "<?php
class Base { function verify($e) { global $iw; if ($e !== $iw['store']) { exit; } } function verify2($e) { return 1; } }
class Page extends Base {
  function verify2($e) { global $iw; if ($e !== $iw['store']) { exit; } }
  function run() { $ep = $_GET['ep']; $this->verify($ep); $_SESSION['a'] = $ep; }
  function run2() { $ep = $_GET['ep']; parent::verify2($ep); $_SESSION['b'] = $ep; }
  function run3() { $ep = $_GET['ep']; self::verify2($ep); $_SESSION['c'] = $ep; }
}
function typed(Page $p) { $ep = $_GET['ep']; $p->verify2($ep); $_SESSION['d'] = $ep; }
function untyped($p) { $ep = $_GET['ep']; $p->verify2($ep); $_SESSION['e'] = $ep; }
";
    let json = check_files(&[("lib.php", lib)]);
    let lines: Vec<u64> = findings(&json)
        .into_iter()
        .filter(|f| f.0 == "TL004")
        .map(|f| f.2)
        .collect();
    // run2: Base::verify2 checks nothing; untyped: one of the two verify2 checks nothing.
    assert_eq!(lines, vec![6, 10], "{json:#}");
}

// =============================================================================================
// 6. Escaping helpers, sanitizers, translation functions
// =============================================================================================

/// A helper that escapes what it returns (osTicket's `db_input()` shape): unquoted only when an
/// anchored numeric regex matched, escaped through a database object otherwise.
const DB_INPUT: &str = r#"<?php
function db_real_escape($val, $quote = false) {
    global $__db;
    $val = $__db->real_escape_string($val);
    return $quote ? "'$val'" : $val;
}
function db_input($var, $quote = true) {
    if (is_array($var))
        return array_map('db_input', $var);
    elseif ($var && preg_match("/^(?:\d+\.\d+|[1-9]\d*)$/S", $var))
        return $var;
    return db_real_escape($var, $quote);
}
"#;

#[test]
fn a_helper_whose_every_return_is_escaped_is_a_sanitizer_without_configuration() {
    let page = "<?php
$host = $_SERVER['HTTP_HOST'];
$a = sql_fetch(\"SELECT * FROM iw_enterprise WHERE ep_domain = \" . db_input($host));
$b = sql_fetch(\"SELECT * FROM iw_enterprise WHERE ep_domain = '\" . $pdo->quote($host) . \"'\");
$c = sql_fetch(\"SELECT * FROM iw_enterprise WHERE ep_domain = '\" . $mysqli->real_escape_string($host) . \"'\");
$d = sql_fetch(\"SELECT * FROM iw_enterprise WHERE ep_domain = '\" . raw($host) . \"'\");
";
    // A mock defined elsewhere in the project: the union of both definitions still escapes.
    let mock = "<?php\nfunction db_input($what) { return sprintf(\"'%8.8s'\", md5($what)); }\nfunction raw($v) { if (preg_match('/^[a-z.]+/', $v)) { return $v; } return ''; }\n";
    let json = check_files(&[
        ("lib.php", DB_INPUT),
        ("mock.php", mock),
        ("page.php", page),
    ]);
    // Only `raw()`, whose regex is not anchored at the end, lets the host through.
    assert_eq!(
        findings(&json),
        vec![("TL003".to_string(), "page.php".to_string(), 6)],
        "{json:#}"
    );
}

#[test]
fn a_configured_sanitizer_escapes_its_own_result_only() {
    // `db_input()` is configured as a sanitizer, but this project's definition also runs the
    // host it is given as SQL: that call is still a sink, and the other query still fails.
    let lib = "<?php
function db_input($v) {
    sql_query(\"UPDATE iw_log SET host = '$v' WHERE ep_code = 'x'\");
    return addslashes($v);
}
";
    let page = "<?php
$host = $_SERVER['HTTP_HOST'];
$sub = explode('.', $host)[0];
$e = db_input($host);
$row = sql_fetch(\"SELECT * FROM iw_enterprise WHERE ep_domain = '$e'\");
sql_query(\"SELECT * FROM iw_enterprise WHERE ep_sub = '$sub'\");
";
    let json = check_files(&[
        ("lib.php", lib),
        ("page.php", page),
        (
            "tenantlint.toml",
            "[sanitizers]\nfunctions = [\"db_input\", \"addslashes\"]\n",
        ),
    ]);
    assert_eq!(
        findings(&json),
        vec![
            ("TL003".to_string(), "page.php".to_string(), 4),
            ("TL003".to_string(), "page.php".to_string(), 6),
        ],
        "{json:#}"
    );
}

#[test]
fn text_passed_to_a_translation_function_is_not_a_query() {
    let src = "<?php
echo __('Select from email address');
echo _('Delete from the list');
echo gettext(\"Update your profile\");
echo _e('Select FROM Email');
$r = sql_query(\"select * from iw_member where ep_code = 'a'\");
";
    let json = check_php(src);
    assert_clean(&json, 1);
}

// =============================================================================================
// 3. Legacy `"… $arr['key'] …"`
// =============================================================================================

#[test]
fn a_quoted_key_in_a_double_quoted_string_is_the_array_element() {
    let config = "<?php\n$iw['member_table'] = 'iw_member';\n$iw['point_table'] = 'iw_point';\n";
    let page = "<?php
include_once('./config.php');
$a = sql_fetch(\"select * from $iw['member_table'] where mb_id = 'a'\");
$b = sql_fetch(\"select * from $iw[\\\"point_table\\\"] where ep_code = '$iw[store]'\");
";
    let json = check_files(&[("config.php", config), ("page.php", page)]);
    assert_eq!(
        findings(&json),
        vec![("TL001".to_string(), "page.php".to_string(), 3)],
        "{json:#}"
    );
    assert_eq!(json["findings"][0]["table"], "iw_member");
    assert_eq!(summary(&json, "unanalyzed"), 0, "{json:#}");
    // Still a PHP syntax error: the file counts as having parse errors.
    assert_eq!(summary(&json, "parse_errors"), 1, "{json:#}");
}

// =============================================================================================
// 4. Table names from loops and keys that fold
// =============================================================================================

#[test]
fn a_loop_over_a_literal_list_of_tables_checks_each_table() {
    for header in [
        "foreach (array('iw_member', 'iw_point', 'iw_enterprise') as $t)",
        "foreach (['iw_member', 'iw_point', 'iw_enterprise'] as $t)",
        "$tables = array('iw_member', 'iw_point', 'iw_enterprise');\nforeach ($tables as $t)",
        "foreach (array('a' => 'iw_member', 'b' => 'iw_point', 'c' => 'iw_enterprise') as $k => $t)",
    ] {
        let src = format!("<?php\n{header} {{\n    sql_query(\"delete from $t where mb_id = 'x'\");\n}}\n");
        let json = check_php(&src);
        let mut tables: Vec<String> = json["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| f["table"].as_str().expect("table").to_string())
            .collect();
        tables.sort();
        // iw_enterprise is exempt by default: one finding per unconstrained tenant table.
        assert_eq!(tables, vec!["iw_member", "iw_point"], "`{header}`:\n{json:#}");
        assert_eq!(summary(&json, "unanalyzed"), 0, "`{header}`:\n{json:#}");
    }
}

#[test]
fn a_loop_over_table_name_expressions_and_keys_that_fold() {
    let config = "<?php\n$iw['member_table'] = 'iw_member';\n$iw['point_table'] = 'iw_point';\n";
    let page = "<?php
include_once('./config.php');
foreach (array($iw['member_table'], $iw['point_table']) as $t) {
    sql_query(\"update $t set a = 1 where ep_code = '{$iw['store']}'\");
}
foreach (array('member_table', 'point_table') as $name) {
    sql_query(\"select * from {$iw[$name]} where a = 1\");
}
$key = 'member_table';
$row = sql_fetch(\"select * from {$iw[$key]} where ep_code = '{$iw['store']}'\");
";
    let json = check_files(&[("config.php", config), ("page.php", page)]);
    let mut got: Vec<(u64, String)> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["line"].as_u64().expect("line"),
                f["table"].as_str().expect("table").to_string(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![(7, "iw_member".to_string()), (7, "iw_point".to_string())],
        "{json:#}"
    );
    assert_eq!(summary(&json, "unanalyzed"), 0, "{json:#}");
}

// =============================================================================================
// 2. No path is dropped: a variable unassigned on a path holds what PHP would give it
// =============================================================================================

#[test]
fn a_file_scope_variable_assigned_on_one_path_is_empty_on_the_other() {
    for (body, line) in [
        (
            "if ($x) { $w = \"where ep_code = '$iw[store]'\"; }\nsql_query(\"select * from iw_member $w\");",
            3,
        ),
        (
            "if ($x) { $w['a'] = \"where ep_code = '$iw[store]'\"; }\nsql_query(\"select * from iw_member {$w['a']}\");",
            3,
        ),
        // `.=` onto a variable never assigned before: "" . the appended text.
        (
            "if ($x) { $w = \" and ep_code = '$iw[store]'\"; }\n$w .= ' limit 1';\nsql_query(\"select * from iw_member where 1 $w\");",
            4,
        ),
        (
            "$w = \"where ep_code = '$iw[store]'\";\nunset($w);\nsql_query(\"select * from iw_member $w\");",
            4,
        ),
    ] {
        let src = format!("<?php\n{body}\n");
        let json = check_php(&src);
        assert_eq!(
            findings(&json),
            vec![("TL001".to_string(), "example.php".to_string(), line)],
            "{src}\n{json:#}"
        );
        assert_eq!(summary(&json, "unanalyzed"), 0, "{src}\n{json:#}");
    }
}

#[test]
fn inside_a_function_unset_and_append_start_from_empty() {
    let src = "<?php
function a($x) {
    $w = \" where ep_code = 'a'\";
    unset($w);
    return sql_query(\"select * from iw_member $w\");
}
function b($rows) {
    foreach ($rows as $r) { $sql .= \" and ep_code = 'a'\"; }
    return sql_query(\"select * from iw_point where 1 $sql\");
}
function c($rows) {
    extract($rows);
    if ($rows) { $w = \" where ep_code = 'a'\"; }
    return sql_query(\"select * from iw_board $w\");
}
";
    let json = check_php(src);
    let lines: Vec<u64> = findings(&json).into_iter().map(|f| f.2).collect();
    assert_eq!(lines, vec![5, 9], "{json:#}");
    // After extract(), the unassigned path of `$w` is not known: counted, not dropped.
    assert_eq!(summary(&json, "unanalyzed"), 1, "{json:#}");
}

#[test]
fn an_include_that_may_set_the_variable_makes_its_value_unknown() {
    let query = "if ($x) { $w = \"where ep_code = '$iw[store]'\"; }\nsql_query(\"select * from iw_member $w\");\n";
    // (what runs before the query, the other files, why `$w` may be set if it may).
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, Option<&'a str>);
    let cases: Vec<Case> = vec![
        // Includes whose files do not set `$w`, transitively: "" on that path, TL001.
        (
            "include_once('./lib.php');\n",
            vec![
                (
                    "lib.php",
                    "<?php\ninclude __DIR__ . '/lib2.php';\n$other = 1;\n",
                ),
                ("lib2.php", "<?php\n$more = 2;\n"),
            ],
            None,
        ),
        (
            "define('APP', dirname(__FILE__));\nrequire APP . '/lib.php';\n",
            vec![("lib.php", "<?php\n$other = 1;\n")],
            None,
        ),
        // A file included (transitively) before the query sets `$w`.
        (
            "include_once('./lib.php');\n",
            vec![
                (
                    "lib.php",
                    "<?php\nrequire_once(dirname(__FILE__) . '/lib2.php');\n",
                ),
                ("lib2.php", "<?php\n$w = 'where 1';\n"),
            ],
            Some("`lib2.php`, included before it, sets it"),
        ),
        // A path known only at run time, extract(), a variable variable.
        (
            "include $skin_dir . '/list.php';\n",
            vec![],
            Some("only known at run time"),
        ),
        (
            "extract($_POST);\n",
            vec![],
            Some("extract() before it may set it"),
        ),
        ("$$name = 'x';\n", vec![], Some("variable variable")),
        // An include after the query changes nothing.
        ("", vec![("lib.php", "<?php\n$w = 'where 1';\n")], None),
    ];
    for (before, others, unknown) in cases {
        let page = format!("<?php\n{before}{query}include './lib.php';\n");
        let mut files = vec![("page.php", page.as_str())];
        files.extend(others.iter().copied());
        let json = check_files(&files);
        match unknown {
            None => {
                assert_eq!(rules(&json), vec!["TL001".to_string()], "{page}\n{json:#}");
                assert_eq!(summary(&json, "unanalyzed"), 0, "{page}\n{json:#}");
            }
            Some(why) => {
                assert_eq!(rules(&json), Vec::<String>::new(), "{page}\n{json:#}");
                let entry = &json["unanalyzed"][0];
                assert_eq!(entry["kind"], "unknown-path", "{page}\n{json:#}");
                let reason = entry["reason"].as_str().expect("reason");
                assert!(
                    reason.contains("`$w` is not assigned on some path") && reason.contains(why),
                    "{page}\n{reason}"
                );
            }
        }
    }
}

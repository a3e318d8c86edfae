//! A finding that holds on some paths only says on which, and a request value read inside a
//! project function is traced from that read, in the function's file.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{check_files, check_php};
use serde_json::Value;

/// (line, message) of every finding with `rule`.
fn messages(json: &Value, rule: &str) -> Vec<(u64, String)> {
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| {
            (
                f["line"].as_u64().expect("line"),
                f["message"].as_str().expect("message").to_string(),
            )
        })
        .collect()
}

#[track_caller]
fn single_message(source: &str, rule: &str) -> String {
    let json = check_php(source);
    let found = messages(&json, rule);
    assert_eq!(found.len(), 1, "{json:#}");
    found[0].1.clone()
}

#[test]
fn predicate_appended_under_an_if_names_the_other_outcome() {
    let message = single_message(
        r#"<?php
$sql_search = " where mb_level > 1 ";
if ($is_admin != 'super') {
    $sql_search .= " and ep_code = '{$iw['store']}' ";
}
$row = sql_fetch(" select count(*) as cnt from iw_member {$sql_search} ");
"#,
        "TL001",
    );
    assert!(
        message.contains("when `$is_admin != 'super'` is false"),
        "{message}"
    );
    assert!(
        message.contains("other paths add the predicate"),
        "{message}"
    );
}

#[test]
fn unscoped_query_built_in_the_else_arm_names_its_condition() {
    let message = single_message(
        r#"<?php
if ($scope == 'store') {
    $sql = "select * from iw_item where ep_code = '{$iw['store']}'";
} else {
    $sql = "select * from iw_item";
}
sql_query($sql);
"#,
        "TL001",
    );
    assert!(
        message.contains("when `$scope == 'store'` is false"),
        "{message}"
    );
}

#[test]
fn elseif_chain_ternary_and_switch_arms_are_named() {
    let json = check_php(
        r#"<?php
$w = "";
if ($a) {
    $w = " where ep_code = '{$iw['store']}'";
} elseif ($b > 2) {
    $w = " where it_id = 3";
} else {
    $w = " where ep_code = 'x'";
}
sql_query("select * from iw_order $w");
$cond = $is_super ? "" : " and ep_code = '{$iw['store']}'";
sql_query("select * from iw_cart where 1 $cond");
switch ($kind) {
    case 'mine':
        $q = "select * from iw_point where ep_code = '{$iw['store']}'";
        break;
    case 'everyone':
        $q = "select * from iw_point";
        break;
}
sql_query($q);
"#,
    );
    let found = messages(&json, "TL001");
    assert_eq!(found.len(), 3, "{json:#}");
    assert!(
        found[0]
            .1
            .contains("when `$a` is false and `$b > 2` is true"),
        "{found:?}"
    );
    assert!(found[1].1.contains("when `$is_super` is true"), "{found:?}");
    assert!(
        found[2].1.contains("when `$kind == 'everyone'` is true"),
        "{found:?}"
    );
}

#[test]
fn insert_missing_the_tenant_on_some_paths_says_so() {
    let message = single_message(
        r#"<?php
$cols = "it_name = 'a'";
if ($scoped) { $cols .= ", ep_code = '{$iw['store']}'"; }
sql_query("insert into iw_log set $cols");
"#,
        "TL002",
    );
    assert!(message.contains("when `$scoped` is false"), "{message}");
    assert!(message.contains("other paths set it"), "{message}");
}

#[test]
fn a_query_unscoped_on_every_path_is_not_qualified() {
    let json = check_php(
        r#"<?php
if ($a) { $order = " order by id"; } else { $order = " order by name"; }
sql_query("select * from iw_coupon $order");
"#,
    );
    let found = messages(&json, "TL001");
    assert_eq!(found.len(), 1, "{json:#}");
    assert!(!found[0].1.contains("when "), "{found:?}");
    assert!(!found[0].1.contains("other paths"), "{found:?}");
}

#[test]
fn a_difference_outside_any_branch_says_some_paths() {
    // The loop runs zero or more times: no condition to name.
    let message = single_message(
        r#"<?php
$sql = "select * from iw_board where 1";
foreach ($filters as $f) {
    $sql .= " and ep_code = '{$iw['store']}'";
}
sql_query($sql);
"#,
        "TL001",
    );
    assert!(message.contains("(on some paths;"), "{message}");
}

#[test]
fn host_read_inside_a_helper_starts_the_trace_in_the_helpers_file() {
    let json = check_files(&[
        (
            "lib.php",
            r#"<?php
function get_subdomain() {
    $host = $_SERVER['HTTP_HOST'];
    $parts = explode('.', $host);
    return $parts[0];
}
"#,
        ),
        (
            "page.php",
            r#"<?php
include_once 'lib.php';
$sub = get_subdomain();
$row = sql_fetch("select * from iw_enterprise where ep_domain = '$sub'");
"#,
        ),
    ]);
    let finding = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "TL003")
        .unwrap_or_else(|| panic!("no TL003 in {json:#}"));
    assert_eq!(finding["file"], "page.php");
    let trace = finding["trace"].as_array().expect("trace");
    let first = &trace[0];
    assert_eq!(
        (&first["file"], &first["line"], &first["column"]),
        (&Value::from("lib.php"), &Value::from(3), &Value::from(13)),
        "{trace:#?}"
    );
    assert_eq!(first["note"], "the request host is read here");
    let returned = trace
        .iter()
        .position(|s| {
            s["note"]
                .as_str()
                .is_some_and(|n| n.contains("get_subdomain()"))
        })
        .unwrap_or_else(|| panic!("{trace:#?}"));
    assert_eq!(trace[returned]["file"], "page.php");
    assert_eq!(trace[returned]["line"], 3);
    // Every step before the value comes back is in the helper's file.
    assert!(trace[..returned].iter().all(|s| s["file"] == "lib.php"));
    assert_eq!(trace.last().expect("last")["note"], "the query is run here");
}

#[test]
fn the_named_condition_is_the_one_that_adds_the_predicate() {
    // Paths also differ in how the status filter is built; the branch named is the one whose
    // arm writes the tenant column.
    let message = single_message(
        r#"<?php
$sql = "select * from iw_order";
if (!empty($status)) {
    $sql .= " where od_status = '" . (int)$status . "'";
} elseif ($paid) {
    $sql .= " where od_paid = 1";
} else {
    $sql .= " where od_id > 0";
}
if (isset($store)) {
    $sql .= " and ep_code = '{$iw['store']}'";
}
sql_query($sql);
"#,
        "TL001",
    );
    assert!(
        message.contains("when `isset($store)` is false"),
        "{message}"
    );
    assert!(!message.contains("status"), "{message}");
}

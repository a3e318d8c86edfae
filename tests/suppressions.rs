//! Inline suppressions: `tenantlint-ignore RULE: reason` silences a finding on the code it
//! covers, is listed with its reason, and is itself reported (TL900) when it has no reason or
//! matches nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{check_php, summary, TempProject};
use serde_json::Value;

/// (rule, line) of every finding.
fn found(json: &Value) -> Vec<(String, u64)> {
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// (rule, line, reason) of every suppressed finding.
fn silenced(json: &Value) -> Vec<(String, u64, String)> {
    json["suppressed"]
        .as_array()
        .expect("suppressed")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pair(rule: &str, line: u64) -> (String, u64) {
    (rule.to_string(), line)
}

#[test]
fn a_directive_on_the_line_before_or_the_same_line_silences_with_its_reason() {
    let json = check_php(
        r#"<?php
// tenantlint-ignore TL001: super-admin screen lists every store
$a = sql_query("select * from iw_member");
$b = sql_query("select * from iw_order"); // tenantlint-ignore TL001: audited
$c = sql_query("select * from iw_cart");
"#,
    );
    assert_eq!(found(&json), vec![pair("TL001", 5)], "{json:#}");
    assert_eq!(
        silenced(&json),
        vec![
            (
                "TL001".into(),
                3,
                "super-admin screen lists every store".into()
            ),
            ("TL001".into(), 4, "audited".into()),
        ]
    );
    assert_eq!(summary(&json, "suppressed"), 2);
    assert_eq!(summary(&json, "findings"), 1);
}

#[test]
fn hash_and_block_comments_and_multi_line_statements() {
    let json = check_php(
        r#"<?php
# tenantlint-ignore TL001: report of all stores
$d = sql_fetch("select *
   from iw_point
   where po_id = 1");
/* tenantlint-ignore TL001: archive job */
$e = sql_query("select * from iw_coupon");
sql_query( // tenantlint-ignore TL001: first line of the statement
    "select * from iw_item");
"#,
    );
    assert_eq!(found(&json), vec![], "{json:#}");
    let lines: Vec<u64> = silenced(&json).iter().map(|s| s.1).collect();
    assert_eq!(lines, vec![4, 7, 9]);
}

#[test]
fn a_directive_covers_only_the_next_statement_not_a_whole_block() {
    let json = check_php(
        r#"<?php
// tenantlint-ignore TL001: the count is shown to the super admin only
if ($is_super) {
    $n = sql_fetch("select count(*) from iw_member");
}
"#,
    );
    // The directive is above an `if`: it covers the `if` line, not the query inside.
    assert_eq!(
        found(&json),
        vec![pair("TL900", 2), pair("TL001", 4)],
        "{json:#}"
    );
}

#[test]
fn the_directive_must_name_the_rule() {
    let json = check_php(
        r#"<?php
// tenantlint-ignore TL002: wrong rule
$a = sql_query("select * from iw_member");
"#,
    );
    assert_eq!(found(&json), vec![pair("TL900", 2), pair("TL001", 3)]);
}

#[test]
fn without_a_reason_nothing_is_suppressed_and_it_is_reported() {
    let json = check_php(
        r#"<?php
// tenantlint-ignore TL001
$a = sql_query("select * from iw_member");
"#,
    );
    assert_eq!(found(&json), vec![pair("TL900", 2), pair("TL001", 3)]);
    let tl900 = &json["findings"][0];
    assert_eq!(tl900["severity"], "warning");
    assert!(tl900["message"].as_str().unwrap().contains("no reason"));
    assert_eq!(summary(&json, "suppressed"), 0);
}

#[test]
fn a_directive_that_matches_nothing_is_a_warning_only() {
    let p = TempProject::new(&[(
        "a.php",
        "<?php\n// tenantlint-ignore TL001: fixed since\n$a = sql_query(\"select * from iw_member where ep_code = '{$iw['store']}'\");\n",
    )]);
    let (code, stdout, _) = p.run(&["check", "--format", "json"]);
    let json: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(found(&json), vec![pair("TL900", 2)]);
    assert!(json["findings"][0]["message"]
        .as_str()
        .unwrap()
        .contains("matches no finding"));
    // Warnings do not fail the run.
    assert_eq!(code, 0);
}

#[test]
fn unknown_codes_are_reported() {
    let json = check_php(
        r#"<?php
// tenantlint-ignore TL123: typo
$a = sql_query("select * from iw_member");
"#,
    );
    assert_eq!(found(&json), vec![pair("TL900", 2), pair("TL001", 3)]);
}

#[test]
fn a_file_directive_covers_the_whole_file_for_its_rules_only() {
    let json = check_php(
        r#"<?php
/* tenantlint-ignore-file TL001: migration script run by the operator */
$a = sql_query("select * from iw_member");
$b = sql_query("select * from iw_order");
$h = $_SERVER['HTTP_HOST'];
sql_query("select * from iw_enterprise where ep_domain = '$h'");
"#,
    );
    assert_eq!(found(&json), vec![pair("TL003", 6)], "{json:#}");
    // `iw_enterprise` is the tenant registry (exempt): two TL001 findings were silenced.
    assert_eq!(summary(&json, "suppressed"), 2);
}

#[test]
fn suppressing_a_finding_keeps_the_others_fingerprints() {
    let page =
        "<?php\nsql_query(\"select * from iw_member\");\nsql_query(\"select * from iw_member\");\n";
    let before = check_php(page);
    let second = before["findings"][1]["fingerprint"].clone();
    let after = check_php(&page.replacen(
        "<?php\n",
        "<?php\n// tenantlint-ignore TL001: legacy screen\n",
        1,
    ));
    assert_eq!(found(&after), vec![pair("TL001", 4)]);
    assert_eq!(after["findings"][0]["fingerprint"], second);
}

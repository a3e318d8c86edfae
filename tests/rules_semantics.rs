//! TL001 / TL002 semantics and PHP SQL rebuilding, one small PHP project per case.
//!
//! Every failing case asserts the exact (rule, file, line) of each finding; every passing case
//! asserts that the query was recognised and analysed (`sql_sites`, `unanalyzed == 0`) and
//! produced no finding, so a pass cannot come from the query being skipped.

// Helpers outside `#[test]` functions panic on purpose: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{assert_clean, assert_findings, check_files, check_php, findings, summary};

const EX: &str = "example.php";

// ---------------------------------------------------------------------------------------------
// TL001: query scopes
// ---------------------------------------------------------------------------------------------

#[test]
fn tl001_simple_select_without_filter_fails() {
    let json = check_php(
        r#"<?php
$id = (int)$_GET['id'];
$row = sql_fetch("SELECT * FROM iw_member WHERE mb_no = {$id}");
"#,
    );
    assert_findings(&json, &[("TL001", EX, 3)]);
    let f = &json["findings"][0];
    assert_eq!(f["table"], "iw_member");
    assert_eq!(f["name"], "missing-tenant-filter");
    assert_eq!(f["severity"], "error");
}

#[test]
fn tl001_simple_select_with_filter_passes() {
    let json = check_php(
        r#"<?php
$id = (int)$_GET['id'];
$row = sql_fetch("SELECT * FROM iw_member WHERE mb_no = {$id} AND ep_code = '{$iw['store']}'");
"#,
    );
    assert_clean(&json, 1);
}

#[test]
fn tl001_union_branch_unscoped_fails() {
    let json = check_php(
        r#"<?php
$sql = "SELECT wr_id FROM iw_board WHERE ep_code = '{$iw['store']}'
        UNION ALL
        SELECT wr_id FROM iw_comment WHERE co_content LIKE '%x%'";
$result = sql_query($sql);
"#,
    );
    assert_findings(&json, &[("TL001", EX, 4)]);
    assert_eq!(json["findings"][0]["table"], "iw_comment");
}

#[test]
fn tl001_union_every_branch_scoped_passes() {
    let json = check_php(
        r#"<?php
$sql = "SELECT wr_id FROM iw_board WHERE ep_code = '{$iw['store']}'
        UNION ALL
        SELECT wr_id FROM iw_comment WHERE ep_code = '{$iw['store']}' AND co_content LIKE '%x%'";
$result = sql_query($sql);
"#,
    );
    assert_clean(&json, 1);
}

#[test]
fn tl001_cte_body_unscoped_fails() {
    let json = check_php(
        r#"<?php
$sql = "WITH recent AS (
          SELECT mb_id FROM iw_member WHERE mb_datetime > NOW() - INTERVAL 1 DAY
        )
        SELECT COUNT(*) FROM recent";
$result = sql_query($sql);
"#,
    );
    assert_findings(&json, &[("TL001", EX, 3)]);
}

#[test]
fn tl001_cte_body_scoped_passes() {
    let json = check_php(
        r#"<?php
$sql = "WITH recent AS (
          SELECT mb_id FROM iw_member WHERE ep_code = '$store' AND mb_datetime > NOW() - INTERVAL 1 DAY
        )
        SELECT COUNT(*) FROM recent";
$result = sql_query($sql);
"#,
    );
    assert_clean(&json, 1);
}

#[test]
fn tl001_derived_table_unscoped_fails() {
    let json = check_php(
        r#"<?php
$sql = "SELECT t.mb_level, COUNT(*) FROM (
          SELECT mb_level FROM iw_member WHERE mb_leave_date = ''
        ) t GROUP BY t.mb_level";
$result = sql_query($sql);
"#,
    );
    assert_findings(&json, &[("TL001", EX, 3)]);
}

#[test]
fn tl001_derived_table_scoped_passes() {
    let json = check_php(
        r#"<?php
$sql = "SELECT t.mb_level, COUNT(*) FROM (
          SELECT mb_level FROM iw_member WHERE ep_code = '$store' AND mb_leave_date = ''
        ) t GROUP BY t.mb_level";
$result = sql_query($sql);
"#,
    );
    assert_clean(&json, 1);
}

#[test]
fn tl001_outer_filter_does_not_reach_where_subquery() {
    let json = check_php(
        r#"<?php
$prev = sql_fetch("SELECT wr_id FROM iw_board
                    WHERE ep_code = '$store'
                      AND wr_id = (SELECT MAX(wr_id) FROM iw_board WHERE wr_id < 10)");
"#,
    );
    assert_findings(&json, &[("TL001", EX, 4)]);
}

#[test]
fn tl001_where_subquery_scoped_passes() {
    let json = check_php(
        r#"<?php
$prev = sql_fetch("SELECT wr_id FROM iw_board
                    WHERE ep_code = '$store'
                      AND wr_id = (SELECT MAX(wr_id) FROM iw_board WHERE ep_code = '$store' AND wr_id < 10)");
"#,
    );
    assert_clean(&json, 1);
}

#[test]
fn tl001_subquery_filter_does_not_reach_outer_query() {
    let json = check_php(
        r#"<?php
$rows = sql_query("SELECT mb_id FROM iw_member
                    WHERE mb_id IN (SELECT mb_id FROM iw_point WHERE ep_code = '$store')");
"#,
    );
    assert_findings(&json, &[("TL001", EX, 2)]);
    assert_eq!(json["findings"][0]["table"], "iw_member");
}

// ---------------------------------------------------------------------------------------------
// TL001: joins
// ---------------------------------------------------------------------------------------------

#[test]
fn tl001_left_join_without_filter_on_joined_side_fails() {
    let json = check_php(
        r#"<?php
$sql = "SELECT b.wr_subject, m.mb_nick
          FROM iw_board b
          LEFT JOIN iw_member m ON m.mb_id = b.mb_id
         WHERE b.ep_code = '$store'";
$view = sql_fetch($sql);
"#,
    );
    assert_findings(&json, &[("TL001", EX, 4)]);
    assert_eq!(json["findings"][0]["table"], "iw_member");
}

#[test]
fn tl001_left_join_on_does_not_filter_the_preserved_side() {
    // The ON of a LEFT JOIN only filters `b`; every member of every store is still returned.
    let json = check_php(
        r#"<?php
$sql = "SELECT m.mb_id, b.wr_subject
          FROM iw_member m
          LEFT JOIN iw_board b ON b.mb_id = m.mb_id AND b.ep_code = '$store' AND m.ep_code = '$store'";
$rows = sql_query($sql);
"#,
    );
    assert_findings(&json, &[("TL001", EX, 3)]);
    assert_eq!(json["findings"][0]["table"], "iw_member");
}

#[test]
fn tl001_left_join_tied_to_constrained_side_passes() {
    let json = check_php(
        r#"<?php
$sql = "SELECT b.wr_subject, m.mb_nick
          FROM iw_board b
          LEFT JOIN iw_member m ON m.mb_id = b.mb_id AND m.ep_code = b.ep_code
         WHERE b.ep_code = '$store'";
$view = sql_fetch($sql);
"#,
    );
    assert_clean(&json, 1);
}

#[test]
fn tl001_inner_join_on_constrains_both_sides() {
    let json = check_php(
        r#"<?php
$sql = "SELECT m.mb_id, b.wr_subject
          FROM iw_member m
          JOIN iw_board b ON b.mb_id = m.mb_id AND m.ep_code = '$store' AND b.ep_code = '$store'";
$rows = sql_query($sql);
"#,
    );
    assert_clean(&json, 1);
}

#[test]
fn tl001_inner_join_on_of_another_join_constrains() {
    // `m` is constrained by the ON of the second (inner) join, which does not bring it in.
    let json = check_php(
        r#"<?php
$sql = "SELECT m.mb_id
          FROM iw_member m
          JOIN iw_board b ON b.mb_id = m.mb_id AND b.ep_code = '$store'
          JOIN iw_comment c ON c.wr_id = b.wr_id AND c.ep_code = b.ep_code AND m.ep_code = '$store'";
$rows = sql_query($sql);
"#,
    );
    assert_clean(&json, 1);
}

#[test]
fn tl001_inner_join_constraining_only_one_side_fails() {
    let json = check_php(
        r#"<?php
$sql = "SELECT m.mb_id, b.wr_subject
          FROM iw_member m
          INNER JOIN iw_board b ON b.mb_id = m.mb_id AND m.ep_code = '$store'";
$rows = sql_query($sql);
"#,
    );
    assert_findings(&json, &[("TL001", EX, 4)]);
    assert_eq!(json["findings"][0]["table"], "iw_board");
}

#[test]
fn tl001_comma_join_with_equality_chain_passes() {
    let json = check_php(
        r#"<?php
$sql = "SELECT m.mb_id, SUM(o.od_price)
          FROM iw_member m, iw_order o
         WHERE o.mb_id = m.mb_id AND o.ep_code = m.ep_code AND m.ep_code = '$store'";
$rows = sql_query($sql);
"#,
    );
    assert_clean(&json, 1);
}

#[test]
fn tl001_equality_chain_through_constrained_enterprise_passes() {
    let json = check_php(
        r#"<?php
$sql = "SELECT e.ep_name, m.mb_id
          FROM iw_enterprise e
          JOIN iw_member m ON m.ep_code = e.ep_code
         WHERE e.ep_code = '{$iw['store']}'";
$rows = sql_query($sql);
"#,
    );
    assert_clean(&json, 1);
}

#[test]
fn tl001_equality_chain_through_unconstrained_enterprise_fails() {
    // Joining to every enterprise row ties members to *some* tenant, not to one.
    let json = check_php(
        r#"<?php
$sql = "SELECT e.ep_name, m.mb_id
          FROM iw_enterprise e
          JOIN iw_member m ON m.ep_code = e.ep_code
         WHERE m.mb_level > 5";
$rows = sql_query($sql);
"#,
    );
    assert_findings(&json, &[("TL001", EX, 4)]);
}

#[test]
fn tl001_equality_between_two_unconstrained_refs_fails_for_both() {
    let json = check_php(
        r#"<?php
$sql = "SELECT m.mb_id
          FROM iw_member m
          JOIN iw_point p ON p.mb_id = m.mb_id AND p.ep_code = m.ep_code";
$rows = sql_query($sql);
"#,
    );
    assert_findings(&json, &[("TL001", EX, 3), ("TL001", EX, 4)]);
}

#[test]
fn tl001_tenant_column_equal_to_other_column_does_not_constrain() {
    let json = check_php(
        r#"<?php
$sql = "SELECT m.mb_id
          FROM iw_member m
          JOIN iw_point p ON p.mb_id = m.mb_id AND p.ep_code = m.mb_id
         WHERE m.ep_code = '$store'";
$rows = sql_query($sql);
"#,
    );
    assert_findings(&json, &[("TL001", EX, 4)]);
    assert_eq!(json["findings"][0]["table"], "iw_point");
}

#[test]
fn tl001_self_join_reports_each_unconstrained_reference() {
    let json = check_php(
        r#"<?php
$sql = "SELECT a.mb_id, b.mb_id
          FROM iw_member a
          JOIN iw_member b ON b.mb_recommend = a.mb_id";
$rows = sql_query($sql);
"#,
    );
    assert_findings(&json, &[("TL001", EX, 3), ("TL001", EX, 4)]);
}

// ---------------------------------------------------------------------------------------------
// TL001: which conjuncts constrain
// ---------------------------------------------------------------------------------------------

fn one_where(predicate: &str) -> serde_json::Value {
    check_php(&format!(
        "<?php\n$row = sql_fetch(\"SELECT mb_id FROM iw_member WHERE mb_level > 1 AND {predicate}\");\n"
    ))
}

#[test]
fn tl001_non_constraining_predicates_fail() {
    for predicate in [
        "ep_code IS NOT NULL",
        "ep_code LIKE '%'",
        "ep_code <> ''",
        "ep_code != ''",
        "ep_code = ep_code",
        "iw_member.ep_code = iw_member.ep_code",
    ] {
        let json = one_where(predicate);
        assert_eq!(
            findings(&json),
            vec![common::f("TL001", EX, 2)],
            "predicate `{predicate}` must not constrain:\n{json:#}"
        );
    }
}

#[test]
fn tl001_constraining_predicates_pass() {
    for predicate in [
        "ep_code = 'shop1'",
        "'shop1' = ep_code",
        "ep_code = '$store'",
        "ep_code = '{$iw['store']}'",
        "ep_code = '$iw[store]'",
        "iw_member.ep_code = '$store'",
        "ep_code IN ('shop1', 'shop2')",
        "ep_code IN (SELECT ep_code FROM iw_enterprise WHERE ep_domain = 'shop1')",
        "(ep_code = 'a' OR ep_code = 'b')",
    ] {
        let json = one_where(predicate);
        assert_eq!(
            findings(&json),
            vec![],
            "predicate `{predicate}`:\n{json:#}"
        );
        assert_eq!(summary(&json, "sql_sites"), 1, "predicate `{predicate}`");
        assert_eq!(summary(&json, "unanalyzed"), 0, "predicate `{predicate}`");
    }
}

#[test]
fn tl001_or_with_unconstrained_branch_fails() {
    let json = check_php(
        r#"<?php
$mb = sql_fetch("SELECT mb_id FROM iw_member
                  WHERE ep_code = '$store' AND mb_email = '$login' OR mb_id = '$login'");
"#,
    );
    assert_findings(&json, &[("TL001", EX, 2)]);
}

#[test]
fn tl001_or_with_every_branch_constrained_passes() {
    let json = check_php(
        r#"<?php
$mb = sql_fetch("SELECT mb_id FROM iw_member
                  WHERE (ep_code = '$store' AND mb_email = '$login') OR (ep_code = '$store' AND mb_id = '$login')");
"#,
    );
    assert_clean(&json, 1);
}

#[test]
fn tl001_parenthesized_or_next_to_filter_passes() {
    let json = check_php(
        r#"<?php
$mb = sql_fetch("SELECT mb_id FROM iw_member
                  WHERE ep_code = '$store' AND (mb_email = '$login' OR mb_id = '$login')");
"#,
    );
    assert_clean(&json, 1);
}

#[test]
fn tl001_unqualified_column_with_one_tenant_table_passes() {
    // iw_enterprise is exempt, so `iw_member` is the only tenant reference in the scope.
    let json = check_php(
        r#"<?php
$rows = sql_query("SELECT mb_id FROM iw_member m JOIN iw_enterprise e ON e.ep_domain = m.mb_homepage
                    WHERE ep_code = '$store'");
"#,
    );
    assert_clean(&json, 1);
}

#[test]
fn tl001_unqualified_column_with_two_tenant_tables_fails() {
    let json = check_php(
        r#"<?php
$sql = "SELECT m.mb_id
          FROM iw_member m
          JOIN iw_point p ON p.mb_id = m.mb_id
         WHERE ep_code = '$store'";
$rows = sql_query($sql);
"#,
    );
    assert_findings(&json, &[("TL001", EX, 3), ("TL001", EX, 4)]);
}

#[test]
fn tl001_exempt_table_needs_no_filter() {
    let json = check_php(
        r#"<?php
$ep = sql_fetch("SELECT ep_code FROM iw_enterprise WHERE ep_domain = 'shop1'");
"#,
    );
    assert_clean(&json, 1);
}

#[test]
fn tl001_non_tenant_table_needs_no_filter() {
    let json = check_php(
        r#"<?php
$row = sql_fetch("SELECT * FROM g5_config");
"#,
    );
    assert_clean(&json, 1);
}

// ---------------------------------------------------------------------------------------------
// TL001: UPDATE / DELETE / INSERT … SELECT
// ---------------------------------------------------------------------------------------------

#[test]
fn tl001_update_and_delete_without_filter_fail() {
    let json = check_php(
        r#"<?php
sql_query("UPDATE iw_cart SET ct_status = 'x' WHERE mb_id = '$mb_id'");
sql_query("DELETE FROM iw_point WHERE po_id = '$po_id'");
"#,
    );
    assert_findings(&json, &[("TL001", EX, 2), ("TL001", EX, 3)]);
}

#[test]
fn tl001_update_and_delete_with_filter_pass() {
    let json = check_php(
        r#"<?php
sql_query("UPDATE iw_cart SET ct_status = 'x' WHERE mb_id = '$mb_id' AND ep_code = '$store'");
sql_query("DELETE FROM iw_point WHERE po_id = '$po_id' AND ep_code = '$store'");
"#,
    );
    assert_clean(&json, 2);
}

#[test]
fn tl001_multi_table_update_with_one_side_unconstrained_fails() {
    let json = check_php(
        r#"<?php
sql_query("UPDATE iw_member m
             JOIN iw_point p ON p.mb_id = m.mb_id
              SET m.mb_point = m.mb_point - p.po_point
            WHERE m.ep_code = '$store'");
"#,
    );
    assert_findings(&json, &[("TL001", EX, 3)]);
    assert_eq!(json["findings"][0]["table"], "iw_point");
}

#[test]
fn tl001_multi_table_update_fully_constrained_passes() {
    let json = check_php(
        r#"<?php
sql_query("UPDATE iw_member m
             JOIN iw_point p ON p.mb_id = m.mb_id AND p.ep_code = m.ep_code
              SET m.mb_point = m.mb_point - p.po_point
            WHERE m.ep_code = '$store'");
"#,
    );
    assert_clean(&json, 1);
}

#[test]
fn tl001_multi_table_delete_with_one_side_unconstrained_fails() {
    let json = check_php(
        r#"<?php
sql_query("DELETE p
             FROM iw_point p
             JOIN iw_member m ON m.mb_id = p.mb_id
            WHERE m.ep_code = '$store' AND m.mb_leave_date <> ''");
"#,
    );
    assert_findings(&json, &[("TL001", EX, 3)]);
    assert_eq!(json["findings"][0]["table"], "iw_point");
}

#[test]
fn tl001_multi_table_delete_fully_constrained_passes() {
    let json = check_php(
        r#"<?php
sql_query("DELETE p
             FROM iw_point p
             JOIN iw_member m ON m.mb_id = p.mb_id AND m.ep_code = p.ep_code
            WHERE m.ep_code = '$store' AND m.mb_leave_date <> ''");
"#,
    );
    assert_clean(&json, 1);
}

#[test]
fn tl001_insert_select_source_without_filter_fails() {
    let json = check_php(
        r#"<?php
sql_query("INSERT INTO iw_order_item (ep_code, od_id, it_id)
           SELECT ep_code, '$od_id', it_id
             FROM iw_cart
            WHERE mb_id = '$mb_id'");
"#,
    );
    assert_findings(&json, &[("TL001", EX, 4)]);
    assert_eq!(json["findings"][0]["table"], "iw_cart");
}

#[test]
fn tl001_insert_select_source_with_filter_passes() {
    let json = check_php(
        r#"<?php
sql_query("INSERT INTO iw_order_item (ep_code, od_id, it_id)
           SELECT ep_code, '$od_id', it_id
             FROM iw_cart
            WHERE mb_id = '$mb_id' AND ep_code = '$store'");
"#,
    );
    assert_clean(&json, 1);
}

// ---------------------------------------------------------------------------------------------
// TL002
// ---------------------------------------------------------------------------------------------

#[test]
fn tl002_values_without_tenant_column_fails() {
    let json = check_php(
        r#"<?php
sql_query("INSERT INTO iw_point (mb_id, po_point) VALUES ('$mb_id', 100)");
"#,
    );
    assert_findings(&json, &[("TL002", EX, 2)]);
    let f = &json["findings"][0];
    assert_eq!(f["table"], "iw_point");
    assert_eq!(f["name"], "insert-missing-tenant");
}

#[test]
fn tl002_values_with_tenant_column_passes() {
    let json = check_php(
        r#"<?php
sql_query("INSERT INTO iw_point (ep_code, mb_id, po_point) VALUES ('$store', '$mb_id', 100)");
"#,
    );
    assert_clean(&json, 1);
}

#[test]
fn tl002_insert_set_without_tenant_column_fails() {
    let json = check_php(
        r#"<?php
$sql = " insert into iw_order
            set od_id = '$od_id',
                mb_id = '$mb_id' ";
sql_query($sql);
"#,
    );
    assert_findings(&json, &[("TL002", EX, 2)]);
}

#[test]
fn tl002_insert_set_with_tenant_column_passes() {
    let json = check_php(
        r#"<?php
$sql = " insert into iw_order
            set od_id = '$od_id',
                ep_code = '{$iw['store']}',
                mb_id = '$mb_id' ";
sql_query($sql);
"#,
    );
    assert_clean(&json, 1);
}

#[test]
fn tl002_insert_select_column_list_without_tenant_column_fails() {
    let json = check_php(
        r#"<?php
sql_query("INSERT INTO iw_order_item (od_id, it_id)
           SELECT '$od_id', it_id FROM iw_cart WHERE ep_code = '$store'");
"#,
    );
    assert_findings(&json, &[("TL002", EX, 2)]);
}

#[test]
fn tl002_insert_without_column_list_fails() {
    let json = check_php(
        r#"<?php
sql_query("INSERT INTO iw_member VALUES ('$store', '$mb_id', NOW())");
"#,
    );
    assert_findings(&json, &[("TL002", EX, 2)]);
}

#[test]
fn tl002_replace_without_column_list_fails() {
    let json = check_php(
        r#"<?php
sql_query("REPLACE INTO iw_member VALUES ('$store', '$mb_id', NOW())");
"#,
    );
    assert_findings(&json, &[("TL002", EX, 2)]);
}

#[test]
fn tl002_replace_set_without_tenant_column_fails() {
    let json = check_php(
        r#"<?php
sql_query("REPLACE INTO iw_member SET mb_id = '$mb_id'");
"#,
    );
    assert_findings(&json, &[("TL002", EX, 2)]);
}

#[test]
fn tl002_replace_with_tenant_column_passes() {
    let json = check_php(
        r#"<?php
sql_query("REPLACE INTO iw_member (ep_code, mb_id) VALUES ('$store', '$mb_id')");
"#,
    );
    assert_clean(&json, 1);
}

#[test]
fn tl002_on_duplicate_key_update_does_not_set_tenant_column() {
    let json = check_php(
        r#"<?php
sql_query("INSERT INTO iw_point (mb_id, po_point) VALUES ('$mb_id', 1)
           ON DUPLICATE KEY UPDATE ep_code = '$store', po_point = po_point + 1");
"#,
    );
    assert_findings(&json, &[("TL002", EX, 2)]);
}

#[test]
fn tl002_on_duplicate_key_update_is_not_an_unfiltered_update() {
    let json = check_php(
        r#"<?php
sql_query("INSERT INTO iw_point (ep_code, mb_id, po_point) VALUES ('$store', '$mb_id', 1)
           ON DUPLICATE KEY UPDATE po_point = po_point + 1");
"#,
    );
    assert_clean(&json, 1);
}

#[test]
fn tl002_exempt_table_passes() {
    let json = check_php(
        r#"<?php
sql_query("INSERT INTO iw_enterprise (ep_domain, ep_name) VALUES ('shop9', 'Shop 9')");
"#,
    );
    assert_clean(&json, 1);
}

// ---------------------------------------------------------------------------------------------
// PHP: recognising SQL
// ---------------------------------------------------------------------------------------------

#[test]
fn php_sql_recognised_in_any_case_after_leading_whitespace() {
    let json = check_php(
        "<?php\n$a = sql_query(\"\n   sElEcT * from iw_member where mb_id = 'a'\");\n$b = sql_query(\"\tupdate iw_member set mb_level = 2\");\n$c = sql_query(\"  Delete FROM iw_point\");\n$d = sql_query(\"\n insert into iw_point (mb_id) values ('a')\");\n",
    );
    assert_findings(
        &json,
        &[
            ("TL001", EX, 3),
            ("TL001", EX, 4),
            ("TL001", EX, 5),
            ("TL002", EX, 7),
        ],
    );
}

#[test]
fn php_sql_recognised_in_any_case_passes_when_scoped() {
    let json = check_php(
        "<?php\n$a = sql_query(\"\n   sElEcT * from iw_member where EP_CODE = 'a'\");\n$b = sql_query(\"\tupdate iw_member set mb_level = 2 WHERE ep_code = 'a'\");\n",
    );
    assert_clean(&json, 2);
}

#[test]
fn php_prose_and_html_select_are_not_sql() {
    let json = check_php(
        r#"<?php
echo "Select the members from the list";
$label = 'Select all';
echo 'Update your profile from the settings page';
$html = "<select name='sfl'>";
$html .= "<option value='mb_id'>ID</option></select>";
print_r("<SELECT name='stx'>");
echo $html;
"#,
    );
    assert_clean(&json, 0);
}

#[test]
fn php_prose_passed_to_a_call_is_not_sql() {
    let json = check_php(
        r#"<?php
alert('Select the members from the list');
alert('Update your profile from the settings page');
"#,
    );
    assert_clean(&json, 0);
}

// ---------------------------------------------------------------------------------------------
// PHP: building the query text
// ---------------------------------------------------------------------------------------------

#[test]
fn php_interpolation_forms_constrain() {
    let json = check_php(
        r#"<?php
$a = sql_fetch("SELECT * FROM iw_member WHERE ep_code = '$store'");
$b = sql_fetch("SELECT * FROM iw_member WHERE ep_code = '{$iw['store']}'");
$c = sql_fetch("SELECT * FROM iw_member WHERE ep_code = '$iw[store]'");
$d = sql_fetch("SELECT * FROM iw_member WHERE ep_code = '{$ctx->store}'");
$e = sql_fetch("SELECT * FROM iw_member WHERE ep_code = '$ctx->store'");
"#,
    );
    assert_clean(&json, 5);
}

#[test]
fn php_interpolation_forms_elsewhere_do_not_constrain() {
    let json = check_php(
        r#"<?php
$a = sql_fetch("SELECT * FROM iw_member WHERE mb_id = '$id'");
$b = sql_fetch("SELECT * FROM iw_member WHERE mb_id = '{$row['id']}'");
$c = sql_fetch("SELECT * FROM iw_member WHERE mb_id = '$row[id]'");
$d = sql_fetch("SELECT * FROM iw_member WHERE mb_id = '{$ctx->id}'");
"#,
    );
    assert_findings(
        &json,
        &[
            ("TL001", EX, 2),
            ("TL001", EX, 3),
            ("TL001", EX, 4),
            ("TL001", EX, 5),
        ],
    );
}

#[test]
fn php_single_quoted_concatenation_fails() {
    let json = check_php(
        r#"<?php
$row = sql_fetch('SELECT * FROM iw_member WHERE mb_id = \'' . $id . '\'');
"#,
    );
    assert_findings(&json, &[("TL001", EX, 2)]);
}

#[test]
fn php_single_quoted_concatenation_passes() {
    let json = check_php(
        r#"<?php
$row = sql_fetch('SELECT * FROM iw_member WHERE mb_id = \'' . $id . '\' AND ep_code = \'' . $iw['store'] . '\'');
"#,
    );
    assert_clean(&json, 1);
}

#[test]
fn php_concatenation_across_lines_fails() {
    let json = check_php(
        r#"<?php
$sql = "SELECT mb_id "
     . "FROM iw_member "
     . "WHERE mb_level > " . $level;
$rows = sql_query($sql);
"#,
    );
    assert_findings(&json, &[("TL001", EX, 3)]);
}

#[test]
fn php_concatenation_across_lines_passes() {
    let json = check_php(
        r#"<?php
$sql = "SELECT mb_id "
     . "FROM iw_member "
     . "WHERE mb_level > " . $level
     . " AND ep_code = '" . sql_escape_string($iw['store']) . "'";
$rows = sql_query($sql);
"#,
    );
    assert_clean(&json, 1);
}

#[test]
fn php_append_under_if_only_does_not_constrain_other_path() {
    let json = check_php(
        r#"<?php
$sql = "SELECT * FROM iw_member WHERE mb_level > 1";
if ($is_admin != 'super') {
    $sql .= " AND ep_code = '$store'";
}
$rows = sql_query($sql);
"#,
    );
    assert_findings(&json, &[("TL001", EX, 2)]);
}

#[test]
fn php_append_on_every_path_passes() {
    let json = check_php(
        r#"<?php
$sql = "SELECT * FROM iw_member WHERE mb_level > 1";
if ($stx) {
    $sql .= " AND mb_name LIKE '%$stx%'";
}
if ($is_admin == 'super') {
    $sql .= " AND ep_code = '$chosen'";
} else {
    $sql .= " AND ep_code = '$store'";
}
$sql .= " ORDER BY mb_no DESC";
$rows = sql_query($sql);
"#,
    );
    assert_clean(&json, 1);
}

#[test]
fn php_heredoc_fails() {
    let json = check_php(
        r#"<?php
$sql = <<<SQL
SELECT wr_id
  FROM {$iw['board_table']}
 WHERE wr_subject LIKE '%{$stx}%'
SQL;
$iw['board_table'] = 'iw_board';
$rows = sql_query($sql);
"#,
    );
    // The table is assigned after the query string: folding is project-wide, not ordered.
    assert_findings(&json, &[("TL001", EX, 4)]);
}

#[test]
fn php_heredoc_passes() {
    let json = check_php(
        r#"<?php
$sql = <<<"SQL"
SELECT wr_id
  FROM iw_board
 WHERE ep_code = '{$store}'
   AND wr_subject LIKE '%{$stx}%'
SQL;
$rows = sql_query($sql);
"#,
    );
    assert_clean(&json, 1);
}

#[test]
fn php_nowdoc_fails() {
    let json = check_php(
        r#"<?php
$sql = <<<'SQL'
SELECT wr_id
  FROM iw_board
 WHERE wr_is_notice = 1
SQL;
$rows = sql_query($sql);
"#,
    );
    assert_findings(&json, &[("TL001", EX, 4)]);
}

#[test]
fn php_nowdoc_passes() {
    let json = check_php(
        r#"<?php
$sql = <<<'SQL'
SELECT wr_id
  FROM iw_board
 WHERE wr_is_notice = 1 AND ep_code = ?
SQL;
$rows = $db->prepare($sql);
"#,
    );
    // `ep_code = ?` (a prepared-statement parameter) is a value.
    assert_clean(&json, 1);
}

#[test]
fn php_sprintf_fails() {
    let json = check_php(
        r#"<?php
$sql = sprintf("SELECT SUM(po_point) FROM %s WHERE mb_id = '%s'", $iw['point_table'], $mb_id);
$iw['point_table'] = 'iw_point';
$row = sql_fetch($sql);
"#,
    );
    assert_findings(&json, &[("TL001", EX, 2)]);
    assert_eq!(json["findings"][0]["table"], "iw_point");
}

#[test]
fn php_sprintf_passes() {
    let json = check_php(
        r#"<?php
$iw['point_table'] = 'iw_point';
$sql = sprintf("SELECT SUM(po_point) FROM %s WHERE ep_code = '%s' AND mb_id = '%s'", $iw['point_table'], $iw['store'], $mb_id);
$row = sql_fetch($sql);
"#,
    );
    assert_clean(&json, 1);
}

#[test]
fn php_vsprintf_fails() {
    let json = check_php(
        r#"<?php
$row = sql_fetch(vsprintf("SELECT * FROM %s WHERE mb_id = '%s'", array('iw_member', $mb_id)));
"#,
    );
    assert_findings(&json, &[("TL001", EX, 2)]);
}

#[test]
fn php_vsprintf_passes() {
    let json = check_php(
        r#"<?php
$row = sql_fetch(vsprintf("SELECT * FROM %s WHERE ep_code = '%s'", array('iw_member', $store)));
"#,
    );
    assert_clean(&json, 1);
}

#[test]
fn php_variable_assigned_earlier_in_function_fails() {
    let json = check_php(
        r#"<?php
function get_member($mb_id)
{
    global $iw;
    $where = " where mb_id = '$mb_id' ";
    $sql = " select * from iw_member $where ";
    return sql_fetch($sql);
}
"#,
    );
    assert_findings(&json, &[("TL001", EX, 6)]);
}

#[test]
fn php_variable_assigned_earlier_in_function_passes() {
    let json = check_php(
        r#"<?php
function get_member($mb_id)
{
    global $iw;
    $where = " where mb_id = '$mb_id' and ep_code = '{$iw['store']}' ";
    $sql = " select * from iw_member $where ";
    return sql_fetch($sql);
}
"#,
    );
    assert_clean(&json, 1);
}

#[test]
fn php_fragment_variables_without_filter_fail() {
    let json = check_php(
        r#"<?php
$sql_common = " from {$iw['member_table']} ";
$sql_search = " where mb_level > 1 ";
$sql_order = " order by mb_no desc ";
$row = sql_fetch(" select count(*) as cnt {$sql_common} {$sql_search} {$sql_order} ");
$iw['member_table'] = 'iw_member';
"#,
    );
    // The table name is in the fragment: the finding points there.
    assert_findings(&json, &[("TL001", EX, 2)]);
}

#[test]
fn php_fragment_variables_with_filter_pass() {
    let json = check_php(
        r#"<?php
$iw['member_table'] = 'iw_member';
$sql_common = " from {$iw['member_table']} ";
$sql_search = " where ep_code = '{$iw['store']}' ";
$sql_order = " order by mb_no desc ";
$row = sql_fetch(" select count(*) as cnt {$sql_common} {$sql_search} {$sql_order} ");
"#,
    );
    assert_clean(&json, 1);
}

#[test]
fn php_two_sites_sharing_a_fragment_give_two_findings() {
    let json = check_php(
        r#"<?php
$sql_common = " from iw_member where mb_level > 1 ";
$row = sql_fetch(" select count(*) as cnt {$sql_common} ");
$result = sql_query(" select * {$sql_common} limit 10 ");
"#,
    );
    assert_findings(&json, &[("TL001", EX, 2), ("TL001", EX, 2)]);
    let fps: Vec<&str> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["fingerprint"].as_str().expect("fingerprint"))
        .collect();
    assert_ne!(
        fps[0], fps[1],
        "two query sites must have distinct fingerprints"
    );
}

#[test]
fn php_same_query_built_on_two_paths_gives_one_finding() {
    let json = check_php(
        r#"<?php
$sql = "SELECT * FROM iw_member WHERE mb_level > 1";
if ($sort == 'name') {
    $sql .= " ORDER BY mb_name";
} else {
    $sql .= " ORDER BY mb_no DESC";
}
$rows = sql_query($sql);
"#,
    );
    assert_findings(&json, &[("TL001", EX, 2)]);
}

// ---------------------------------------------------------------------------------------------
// PHP: table names
// ---------------------------------------------------------------------------------------------

const CONFIG_PHP: &str = r#"<?php
define('POINT_TABLE', 'iw_point');
$iw = array();
$iw['table_prefix'] = "iw_";
$iw['member_table'] = $iw['table_prefix'] . "member";
$iw['enterprise_table'] = $iw['table_prefix'] . "enterprise";
"#;

#[test]
fn php_table_defined_in_another_file_fails() {
    let json = check_files(&[
        ("config.php", CONFIG_PHP),
        (
            "page.php",
            r#"<?php
include_once('./config.php');
$row = sql_fetch(" select * from {$iw['member_table']} where mb_id = '$mb_id' ");
$sum = sql_fetch(" select sum(po_point) from " . POINT_TABLE . " where mb_id = '$mb_id' ");
"#,
        ),
    ]);
    assert_findings(&json, &[("TL001", "page.php", 3), ("TL001", "page.php", 4)]);
    assert_eq!(json["findings"][0]["table"], "iw_member");
    assert_eq!(json["findings"][1]["table"], "iw_point");
}

#[test]
fn php_table_defined_in_another_file_passes() {
    let json = check_files(&[
        ("config.php", CONFIG_PHP),
        (
            "page.php",
            r#"<?php
include_once('./config.php');
$row = sql_fetch(" select * from {$iw['member_table']} where mb_id = '$mb_id' and ep_code = '{$iw['store']}' ");
$sum = sql_fetch(" select sum(po_point) from " . POINT_TABLE . " where mb_id = '$mb_id' and ep_code = '{$iw['store']}' ");
$ep = sql_fetch(" select * from {$iw['enterprise_table']} where ep_domain = 'shop1' ");
"#,
        ),
    ]);
    assert_clean(&json, 3);
}

#[test]
fn php_tables_config_maps_unresolvable_expression() {
    let page = r#"<?php
$row = sql_fetch(" select * from {$g5['member_table']} where mb_id = '$mb_id' ");
"#;
    // Without the mapping the table cannot be known: unanalyzed, not reported.
    let json = check_files(&[("page.php", page)]);
    assert_eq!(findings(&json), vec![]);
    assert_eq!(summary(&json, "unanalyzed"), 1);

    let json = check_files(&[
        ("page.php", page),
        (
            "tenantlint.toml",
            "[tables]\n\"$g5['member_table']\" = \"iw_member\"\n",
        ),
    ]);
    assert_findings(&json, &[("TL001", "page.php", 2)]);
    assert_eq!(json["findings"][0]["table"], "iw_member");
}

#[test]
fn php_tables_config_mapped_query_with_filter_passes() {
    let json = check_files(&[
        (
            "page.php",
            r#"<?php
$row = sql_fetch(" select * from {$g5['member_table']} where mb_id = '$mb_id' and ep_code = '$store' ");
"#,
        ),
        (
            "tenantlint.toml",
            "[tables]\n\"$g5['member_table']\" = \"iw_member\"\n",
        ),
    ]);
    assert_clean(&json, 1);
}

#[test]
fn php_schema_prefix_and_backquotes_are_ignored_when_failing() {
    let json = check_php(
        r#"<?php
$a = sql_fetch("SELECT * FROM infoway.iw_member WHERE mb_id = 'a'");
$b = sql_fetch("SELECT * FROM `iw_member` WHERE mb_id = 'a'");
$c = sql_fetch("SELECT * FROM `infoway`.`iw_member` WHERE mb_id = 'a'");
$d = sql_fetch("SELECT * FROM `IW_MEMBER` WHERE mb_id = 'a'");
"#,
    );
    assert_findings(
        &json,
        &[
            ("TL001", EX, 2),
            ("TL001", EX, 3),
            ("TL001", EX, 4),
            ("TL001", EX, 5),
        ],
    );
}

#[test]
fn php_schema_prefix_and_backquotes_are_ignored_when_passing() {
    let json = check_php(
        r#"<?php
$a = sql_fetch("SELECT * FROM infoway.iw_member m WHERE m.`ep_code` = 'a'");
$b = sql_fetch("SELECT * FROM `iw_member` WHERE `ep_code` = 'a'");
$c = sql_fetch("SELECT * FROM `infoway`.`iw_member` WHERE `iw_member`.`ep_code` = 'a'");
$d = sql_fetch("SELECT * FROM `infoway`.`iw_enterprise`");
"#,
    );
    assert_clean(&json, 4);
}

// ---------------------------------------------------------------------------------------------
// Robustness: syntax errors, unanalyzed queries
// ---------------------------------------------------------------------------------------------

#[test]
fn php_file_with_syntax_error_is_still_analysed() {
    let json = check_files(&[
        (
            "broken.php",
            r#"<?php
$row = sql_fetch("SELECT * FROM iw_member WHERE mb_id = 'a'");
if ($x {
    echo 'oops';
}
"#,
        ),
        (
            "fine.php",
            "<?php\n$row = sql_fetch(\"SELECT * FROM iw_member WHERE ep_code = 'a'\");\n",
        ),
    ]);
    assert_findings(&json, &[("TL001", "broken.php", 2)]);
    assert_eq!(summary(&json, "parse_errors"), 1);
    assert_eq!(summary(&json, "files"), 2);
}

#[test]
fn unresolvable_table_is_unanalyzed_not_reported() {
    let json = check_php(
        r#"<?php
$table = get_table_name($_GET['t']);
$row = sql_fetch("SELECT * FROM {$table} WHERE id = 1");
"#,
    );
    assert_eq!(findings(&json), vec![]);
    assert_eq!(summary(&json, "sql_sites"), 1);
    assert_eq!(summary(&json, "unanalyzed"), 1);
    let un = &json["unanalyzed"][0];
    assert_eq!(un["file"], EX);
    assert_eq!(un["line"], 3);
    assert!(
        un["reason"].as_str().expect("reason").contains("table"),
        "{un}"
    );
}

#[test]
fn unknown_fragment_in_where_is_unanalyzed_not_reported() {
    let json = check_php(
        r#"<?php
$cond = build_condition($_GET);
$rows = sql_query("SELECT * FROM iw_member WHERE $cond");
"#,
    );
    assert_eq!(findings(&json), vec![]);
    assert_eq!(summary(&json, "sql_sites"), 1);
    assert_eq!(summary(&json, "unanalyzed"), 1);
    assert_eq!(json["unanalyzed"][0]["line"], 3);
}

#[test]
fn unknown_fragment_next_to_filter_is_analysed() {
    // The tenant predicate is visible; the unknown fragment cannot remove it.
    let json = check_php(
        r#"<?php
$cond = build_condition($_GET);
$rows = sql_query("SELECT * FROM iw_member WHERE ep_code = '$store' AND $cond");
"#,
    );
    assert_clean(&json, 1);
}

#[test]
fn unparseable_sql_is_unanalyzed_not_reported() {
    let json = check_php(
        r#"<?php
$rows = sql_query("SELECT * FROM iw_member WHERE (mb_id = 'a'");
"#,
    );
    assert_eq!(findings(&json), vec![]);
    assert_eq!(summary(&json, "sql_sites"), 1);
    assert_eq!(summary(&json, "unanalyzed"), 1);
}

// ---------------------------------------------------------------------------------------------
// Locations
// ---------------------------------------------------------------------------------------------

#[test]
fn location_is_the_table_name_on_its_own_line() {
    let json = check_php(
        r#"<?php
$sql = "SELECT mb_id,
               mb_name
          FROM iw_member
         WHERE mb_level > 1";
$rows = sql_query($sql);
"#,
    );
    assert_findings(&json, &[("TL001", EX, 4)]);
    let f = &json["findings"][0];
    assert_eq!(f["column"], 16);
    assert_eq!(f["end_line"], 4);
    assert_eq!(f["end_column"], 25);
}

#[test]
fn location_of_interpolated_table_is_the_expression() {
    let json = check_files(&[
        ("config.php", CONFIG_PHP),
        (
            "page.php",
            "<?php\n$x = 1;\n  $row = sql_fetch(\" select * from {$iw['member_table']} where mb_id = 'a' \");\n",
        ),
    ]);
    assert_findings(&json, &[("TL001", "page.php", 3)]);
    let f = &json["findings"][0];
    // `  $row = sql_fetch(" select * from {` is 36 characters; the expression follows.
    assert_eq!(f["column"], 37);
    assert_eq!(f["end_column"], 56);
}

#[test]
fn location_of_tl002_is_the_table_name() {
    let json = check_php("<?php\nsql_query(\"INSERT INTO\n    iw_point (mb_id) VALUES ('a')\");\n");
    assert_findings(&json, &[("TL002", EX, 3)]);
    assert_eq!(json["findings"][0]["column"], 5);
}

// ---------------------------------------------------------------------------------------------
// More predicate shapes
// ---------------------------------------------------------------------------------------------

#[test]
fn tl001_more_non_constraining_predicates_fail() {
    for predicate in [
        "ep_code NOT IN ('shop1')",
        "ep_code = mb_id",
        "ep_code BETWEEN 'a' AND 'z'",
        "ep_code >= ''",
        "NOT ep_code = 'shop1'",
        "ep_code IS NULL",
        "mb_memo = 'ep_code = 1'",
        "(ep_code = 'shop1' OR 1 = 1)",
    ] {
        let json = one_where(predicate);
        assert_eq!(
            findings(&json),
            vec![common::f("TL001", EX, 2)],
            "predicate `{predicate}` must not constrain:\n{json:#}"
        );
    }
}

#[test]
fn tl001_predicate_inside_sql_comment_does_not_constrain() {
    let json = check_php(
        "<?php\n$a = sql_fetch(\"SELECT * FROM iw_member /* WHERE ep_code = 'x' */\");\n$b = sql_fetch(\"SELECT * FROM iw_member -- WHERE ep_code = 'x'\n\");\n",
    );
    assert_findings(&json, &[("TL001", EX, 2), ("TL001", EX, 3)]);
}

#[test]
fn tl001_setting_tenant_column_in_update_does_not_constrain() {
    let json = check_php(
        r#"<?php
sql_query("UPDATE iw_member SET ep_code = '$store' WHERE mb_id = '$mb_id'");
"#,
    );
    assert_findings(&json, &[("TL001", EX, 2)]);
}

#[test]
fn tl001_nested_parentheses_around_filter_pass() {
    let json = one_where("((ep_code = 'shop1')) AND (mb_id = 'a' OR mb_id = 'b')");
    assert_clean(&json, 1);
}

#[test]
fn tl001_where_filter_on_left_joined_side_constrains_it() {
    let json = check_php(
        r#"<?php
$rows = sql_query("SELECT * FROM iw_board b LEFT JOIN iw_member m ON m.mb_id = b.mb_id
                    WHERE b.ep_code = '$store' AND m.ep_code = '$store'");
"#,
    );
    assert_clean(&json, 1);
}

#[test]
fn tl001_correlated_exists_subquery_is_its_own_scope() {
    let json = check_php(
        r#"<?php
$rows = sql_query("SELECT * FROM iw_member m
                    WHERE m.ep_code = '$store'
                      AND EXISTS (SELECT 1 FROM iw_point p WHERE p.mb_id = m.mb_id)");
"#,
    );
    assert_findings(&json, &[("TL001", EX, 4)]);
    assert_eq!(json["findings"][0]["table"], "iw_point");
}

#[test]
fn tl001_right_join_on_does_not_filter_the_preserved_side() {
    // RIGHT JOIN keeps every row of `m`; `m.ep_code = …` in its ON removes none of them.
    let json = check_php(
        r#"<?php
$rows = sql_query("SELECT m.mb_id, b.wr_subject
                     FROM iw_board b
                    RIGHT JOIN iw_member m ON m.mb_id = b.mb_id AND m.ep_code = '$store'
                    WHERE b.wr_id > 0 AND b.ep_code = '$store'");
"#,
    );
    assert_findings(&json, &[("TL001", EX, 4)]);
    assert_eq!(json["findings"][0]["table"], "iw_member");
}

#[test]
fn tl001_right_join_tied_to_constrained_side_passes() {
    // Mirror of the documented LEFT JOIN pass example: `b` is tied to `m`, which the WHERE fixes.
    let json = check_php(
        r#"<?php
$rows = sql_query("SELECT m.mb_id, b.wr_subject
                     FROM iw_board b
                    RIGHT JOIN iw_member m ON m.mb_id = b.mb_id AND b.ep_code = m.ep_code
                    WHERE m.ep_code = '$store'");
"#,
    );
    assert_clean(&json, 1);
}

#[test]
fn tl001_right_join_without_filter_on_null_supplying_side_fails() {
    let json = check_php(
        r#"<?php
$rows = sql_query("SELECT m.mb_id, b.wr_subject
                     FROM iw_board b
                    RIGHT JOIN iw_member m ON m.mb_id = b.mb_id
                    WHERE m.ep_code = '$store'");
"#,
    );
    assert_findings(&json, &[("TL001", EX, 3)]);
    assert_eq!(json["findings"][0]["table"], "iw_board");
}

#[test]
fn tl002_tenant_column_any_case_or_backquoted_passes() {
    let json = check_php(
        r#"<?php
sql_query("INSERT INTO iw_point (EP_CODE, mb_id) VALUES ('$store', 'a')");
sql_query("INSERT INTO iw_point (`ep_code`, mb_id) VALUES ('$store', 'a')");
sql_query("INSERT INTO `iw_point` SET `ep_code` = '$store', mb_id = 'a'");
"#,
    );
    assert_clean(&json, 3);
}

// ---------------------------------------------------------------------------------------------
// More PHP control flow
// ---------------------------------------------------------------------------------------------

#[test]
fn php_reassigned_variable_is_tracked_per_use() {
    let json = check_php(
        r#"<?php
$sql = "SELECT * FROM iw_member WHERE ep_code = '$store'";
$a = sql_query($sql);
$sql = "SELECT * FROM iw_member WHERE mb_id = '$mb_id'";
$b = sql_query($sql);
"#,
    );
    assert_findings(&json, &[("TL001", EX, 4)]);
}

#[test]
fn php_ternary_with_one_unscoped_branch_fails() {
    let json = check_php(
        r#"<?php
$row = sql_fetch("SELECT * FROM iw_member WHERE " . ($by_code ? "ep_code = '$store'" : "mb_id = '$mb_id'"));
"#,
    );
    assert_findings(&json, &[("TL001", EX, 2)]);
}

#[test]
fn php_append_under_if_inside_loop_fails() {
    let json = check_php(
        r#"<?php
foreach ($ids as $id) {
    $q = "SELECT * FROM iw_member WHERE mb_id = '$id'";
    if ($strict) {
        $q .= " AND ep_code = '$store'";
    }
    sql_query($q);
}
"#,
    );
    assert_findings(&json, &[("TL001", EX, 3)]);
}

#[test]
fn php_table_suffix_after_interpolation_is_resolved() {
    let json = check_files(&[
        ("config.php", "<?php\n$iw['order_table'] = 'iw_order';\n"),
        (
            "page.php",
            r#"<?php
sql_query(" insert into {$iw['order_table']}_log set od_id = '1' ");
sql_query(" insert into {$iw['order_table']}_log set od_id = '1', ep_code = '$store' ");
"#,
        ),
    ]);
    assert_findings(&json, &[("TL002", "page.php", 2)]);
    assert_eq!(json["findings"][0]["table"], "iw_order_log");
}

#[test]
fn table_known_by_its_beginning_is_classified_by_the_globs() {
    // `iw_write_` + a board name is a tenant table under `iw_*`; `g5_write_` + … is not.
    let json = check_files(&[
        (
            "config.php",
            "<?php\n$iw['write_prefix'] = 'iw_write_';\n$g5['write_prefix'] = 'g5_write_';\n",
        ),
        (
            "list.php",
            "<?php\n$write_table = $iw['write_prefix'] . $bo_table;\n$g5_table = $g5['write_prefix'] . $bo_table;\n$a = sql_fetch(\"select * from $write_table where wr_id = 1\");\n$b = sql_fetch(\"select * from $g5_table where wr_id = 1\");\n",
        ),
    ]);
    assert_findings(&json, &[("TL001", "list.php", 4)]);
    assert_eq!(summary(&json, "unanalyzed"), 0);
}

const LIST_HELPER: &str = "<?php\nfunction member_list($where, $order = ' order by mb_no ') {\n    return sql_query(\" select * from iw_member where $where $order \");\n}\n";

#[test]
fn fragment_parameter_fixed_by_a_caller_without_the_predicate_fails() {
    let json = check_files(&[
        ("lib.php", LIST_HELPER),
        (
            "page.php",
            "<?php\n$a = member_list(\" ep_code = '{$iw['store']}' and mb_level > 1 \");\n$b = member_list(\" mb_level > 1 \");\n",
        ),
    ]);
    // The query is inside the helper: that is where the table is named.
    assert_findings(&json, &[("TL001", "lib.php", 3)]);
    assert_eq!(summary(&json, "unanalyzed"), 0);
}

#[test]
fn fragment_parameter_fixed_by_callers_with_the_predicate_passes() {
    let json = check_files(&[
        ("lib.php", LIST_HELPER),
        (
            "page.php",
            "<?php\n$a = member_list(\" ep_code = '{$iw['store']}' and mb_level > 1 \", ' order by mb_id ');\n",
        ),
    ]);
    assert_clean(&json, 1);
}

#[test]
fn fragment_parameter_without_callers_is_unanalyzed() {
    let json = check_files(&[("lib.php", LIST_HELPER)]);
    assert!(findings(&json).is_empty(), "{json:#}");
    assert_eq!(summary(&json, "unanalyzed"), 1);
}

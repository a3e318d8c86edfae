//! Unit tests of the tenant facts [`analyze`](super::analyze) extracts from parsed SQL.

use super::names::Positions;
use super::*;
use crate::sql::parse::parse_mysql;

fn is_tenant(t: &str) -> bool {
    let l = t.to_lowercase();
    l.starts_with("iw_") && l != "iw_enterprise"
}

fn facts(sql: &str) -> QueryFacts {
    let stmts = match parse_mysql(sql) {
        Ok(s) => s,
        Err(e) => panic!("parse error for {sql:?}: {e}"),
    };
    let policy = TenantPolicy {
        column: "ep_code",
        is_tenant_table: &is_tenant,
    };
    analyze(&stmts, sql, &policy)
}

/// Tenant tables whose constraint is `No`, in reference order.
fn unconstrained(sql: &str) -> Vec<String> {
    facts(sql)
        .refs
        .into_iter()
        .filter(|r| r.constrained == Constraint::No)
        .map(|r| r.table)
        .collect()
}

/// `table:Yes|No|Unknown` for every tenant reference.
fn status(sql: &str) -> Vec<String> {
    facts(sql)
        .refs
        .into_iter()
        .map(|r| format!("{}:{:?}", r.table, r.constrained))
        .collect()
}

const NONE: [&str; 0] = [];

// -- basic forms --------------------------------------------------------

#[test]
fn simple_select() {
    assert_eq!(
        unconstrained("SELECT * FROM iw_member WHERE mb_id = ?"),
        ["iw_member"]
    );
    assert_eq!(unconstrained("SELECT * FROM iw_member"), ["iw_member"]);
    assert_eq!(
        unconstrained("SELECT * FROM iw_member WHERE ep_code = ?"),
        NONE
    );
    assert_eq!(
        unconstrained("SELECT * FROM iw_member WHERE ? = ep_code"),
        NONE
    );
    assert_eq!(
        unconstrained("SELECT * FROM `db`.`iw_member` m WHERE m.`EP_CODE` = 'x' AND a = 1"),
        NONE
    );
    assert_eq!(
        unconstrained("SELECT * FROM iw_member WHERE iw_member.ep_code = :ep"),
        NONE
    );
    assert_eq!(
        unconstrained("SELECT * FROM iw_member WHERE ep_code <=> 3"),
        NONE
    );
    // Exempt and non-tenant tables are not reported.
    assert_eq!(status("SELECT * FROM iw_enterprise, g5_config"), NONE);
}

#[test]
fn qualifier_must_match_alias_when_aliased() {
    assert_eq!(
        unconstrained("SELECT * FROM iw_member m WHERE iw_member.ep_code = ?"),
        ["iw_member"]
    );
    assert_eq!(
        unconstrained("SELECT * FROM iw_member m WHERE M.ep_code = ?"),
        NONE
    );
    assert_eq!(
        unconstrained("SELECT * FROM iw_member m WHERE x.ep_code = ?"),
        ["iw_member"]
    );
}

#[test]
fn in_list_and_subquery() {
    assert_eq!(
        unconstrained("SELECT * FROM iw_member WHERE ep_code IN ('a', 'b')"),
        NONE
    );
    assert_eq!(
        unconstrained("SELECT * FROM iw_member WHERE ep_code NOT IN ('a', 'b')"),
        ["iw_member"]
    );
    assert_eq!(
        unconstrained(
            "SELECT * FROM iw_member WHERE ep_code IN \
             (SELECT ep_code FROM iw_enterprise WHERE ep_domain = ?)"
        ),
        NONE
    );
    assert_eq!(
        unconstrained("SELECT * FROM iw_member m WHERE m.ep_code IN (m.mb_id, 'x')"),
        ["iw_member"]
    );
}

#[test]
fn non_constraining_predicates() {
    for w in [
        "ep_code = ep_code",
        "m.ep_code = m.ep_code",
        "ep_code IS NOT NULL",
        "ep_code IS NULL",
        "ep_code LIKE '%'",
        "ep_code <> 'a'",
        "ep_code != 'a'",
        "ep_code > 'a'",
        "m.ep_code = e.other_col",
        "m.ep_code = ep_code",
        "m.ep_code = m.mb_id",
        "m.ep_code = CONCAT(m.mb_id, 'x')",
        "NOT m.ep_code = 'a'",
    ] {
        let sql =
            format!("SELECT * FROM iw_member m JOIN iw_enterprise e ON e.ep_code = 'z' WHERE {w}");
        assert_eq!(unconstrained(&sql), ["iw_member"], "{sql}");
    }
}

#[test]
fn values_that_read_no_column() {
    for v in [
        "'x'",
        "123",
        "?",
        ":ep",
        "__tl_h3",
        "CONCAT('a', __tl_h1)",
        "UPPER(TRIM(__tl_h2))",
        "@ep",
        "(SELECT ep_code FROM iw_enterprise WHERE ep_domain = 'x')",
    ] {
        let sql = format!("SELECT * FROM iw_member m WHERE m.ep_code = {v}");
        assert_eq!(unconstrained(&sql), NONE, "{sql}");
    }
    // A correlated scalar subquery reads a column of the outer scope.
    assert_eq!(
        unconstrained(
            "SELECT * FROM iw_member m WHERE m.ep_code = \
             (SELECT e.ep_code FROM iw_enterprise e WHERE e.id = m.eid)"
        ),
        ["iw_member"]
    );
}

// -- scopes ----------------------------------------------------------------

#[test]
fn union_branches_checked_separately() {
    assert_eq!(
        unconstrained("SELECT a FROM iw_member WHERE ep_code = ? UNION SELECT a FROM iw_board"),
        ["iw_board"]
    );
    assert_eq!(
        unconstrained(
            "(SELECT a FROM iw_member WHERE ep_code = ?) UNION ALL \
             (SELECT a FROM iw_board WHERE ep_code = ?) ORDER BY a"
        ),
        NONE
    );
}

#[test]
fn cte_scope_and_cte_name_is_not_a_table() {
    let sql = "WITH x AS (SELECT * FROM iw_member WHERE ep_code = ?) SELECT * FROM x";
    assert_eq!(status(sql), ["iw_member:Yes"]);
    let f = facts(sql);
    assert_eq!(f.table_names.len(), 1);
    assert_eq!(f.table_names[0].0, "iw_member");
    assert_eq!(
        unconstrained(
            "WITH iw_x AS (SELECT * FROM iw_member) SELECT * FROM iw_x WHERE ep_code = 1"
        ),
        ["iw_member"]
    );
}

#[test]
fn derived_table_checked_in_own_scope() {
    assert_eq!(
        unconstrained("SELECT * FROM (SELECT * FROM iw_member) d WHERE d.ep_code = ?"),
        ["iw_member"]
    );
    assert_eq!(
        unconstrained(
            "SELECT * FROM (SELECT * FROM iw_member WHERE ep_code = ?) d \
             JOIN iw_board b ON b.ep_code = d.ep_code"
        ),
        ["iw_board"]
    );
    assert_eq!(
        unconstrained(
            "SELECT * FROM (SELECT * FROM iw_member WHERE ep_code = ?) d \
             JOIN iw_board b ON b.ep_code = d.ep_code WHERE d.ep_code = ?"
        ),
        NONE
    );
}

#[test]
fn subqueries_in_where_and_select_list() {
    assert_eq!(
        unconstrained(
            "SELECT * FROM iw_member WHERE ep_code = ? AND mb_id IN (SELECT mb_id FROM iw_board)"
        ),
        ["iw_board"]
    );
    assert_eq!(
        unconstrained(
            "SELECT * FROM iw_member WHERE ep_code = ? AND EXISTS \
             (SELECT 1 FROM iw_board WHERE ep_code = ?)"
        ),
        NONE
    );
    assert_eq!(
        unconstrained(
            "SELECT (SELECT COUNT(*) FROM iw_board) AS n FROM iw_member WHERE ep_code = 1"
        ),
        ["iw_board"]
    );
    assert_eq!(
        unconstrained(
            "SELECT * FROM iw_member WHERE ep_code = (SELECT MAX(ep_code) FROM iw_board)"
        ),
        ["iw_board"]
    );
}

#[test]
fn correlated_equality_with_outer_ref() {
    let ok = "SELECT * FROM iw_member m WHERE m.ep_code = ? AND EXISTS \
              (SELECT 1 FROM iw_board b WHERE b.mb_id = m.mb_id AND b.ep_code = m.ep_code)";
    assert_eq!(unconstrained(ok), NONE);
    let bad = "SELECT * FROM iw_member m WHERE m.mb_id = ? AND EXISTS \
               (SELECT 1 FROM iw_board b WHERE b.ep_code = m.ep_code)";
    assert_eq!(unconstrained(bad), ["iw_member", "iw_board"]);
    // The subquery's WHERE does not constrain the outer reference.
    let inner_only = "SELECT * FROM iw_member m WHERE EXISTS \
                      (SELECT 1 FROM iw_board b WHERE b.ep_code = ? AND m.ep_code = b.ep_code)";
    assert_eq!(unconstrained(inner_only), ["iw_member"]);
}

#[test]
fn equality_chain_through_exempt_table() {
    assert_eq!(
        unconstrained(
            "SELECT * FROM iw_member m, iw_enterprise e \
             WHERE m.ep_code = e.ep_code AND e.ep_code = ?"
        ),
        NONE
    );
    assert_eq!(
        unconstrained(
            "SELECT * FROM iw_member m, iw_enterprise e \
             WHERE m.ep_code = e.ep_code AND e.ep_domain = ?"
        ),
        ["iw_member"]
    );
    // Longer chain, written in reverse order.
    assert_eq!(
        unconstrained(
            "SELECT * FROM iw_a a JOIN iw_b b ON b.ep_code = a.ep_code \
             JOIN iw_c c ON c.ep_code = b.ep_code WHERE a.ep_code = ?"
        ),
        NONE
    );
    // Requires the tenant column on both sides.
    assert_eq!(
        unconstrained(
            "SELECT * FROM iw_member m, iw_enterprise e \
             WHERE m.ep_code = e.ep_id AND e.ep_id = ? AND e.ep_code = ?"
        ),
        ["iw_member"]
    );
}

// -- joins ---------------------------------------------------------------

#[test]
fn left_join_on_only_constrains_joined_side() {
    assert_eq!(
        unconstrained(
            "SELECT * FROM iw_a a LEFT JOIN iw_b b ON b.ep_code = ? AND b.x = a.x \
             WHERE a.ep_code = ?"
        ),
        NONE
    );
    assert_eq!(
        unconstrained("SELECT * FROM iw_a a LEFT JOIN iw_b b ON a.ep_code = ? AND b.x = a.x"),
        ["iw_a", "iw_b"]
    );
    assert_eq!(
        unconstrained(
            "SELECT * FROM iw_a a LEFT OUTER JOIN iw_b b ON b.x = a.x WHERE a.ep_code = ?"
        ),
        ["iw_b"]
    );
}

#[test]
fn inner_join_on_filters_like_where() {
    assert_eq!(
        unconstrained("SELECT * FROM iw_a a INNER JOIN iw_b b ON a.ep_code = ? AND b.ep_code = ?"),
        NONE
    );
    assert_eq!(
        unconstrained(
            "SELECT * FROM iw_a a JOIN iw_b b ON b.x = a.x JOIN iw_c c ON a.ep_code = ? \
             AND b.ep_code = a.ep_code AND c.ep_code = a.ep_code"
        ),
        NONE
    );
    assert_eq!(
        unconstrained("SELECT * FROM iw_a a JOIN iw_b b ON b.x = a.x WHERE a.ep_code = ?"),
        ["iw_b"]
    );
    // Comma and CROSS JOIN are inner joins.
    assert_eq!(
        unconstrained("SELECT * FROM iw_a a CROSS JOIN iw_b b WHERE a.ep_code = ?"),
        ["iw_b"]
    );
    // An inner join nested in an outer-joined item only filters that item.
    assert_eq!(
        unconstrained(
            "SELECT * FROM iw_a a LEFT JOIN (iw_b b JOIN iw_c c ON a.ep_code = ? \
             AND b.ep_code = ? AND c.ep_code = ?) ON b.x = a.x"
        ),
        ["iw_a"]
    );
}

#[test]
fn unqualified_column_one_vs_two_tenant_refs() {
    assert_eq!(
        unconstrained(
            "SELECT * FROM iw_member JOIN iw_enterprise USING (ep_code) WHERE ep_code = ?"
        ),
        NONE
    );
    assert_eq!(
        unconstrained("SELECT * FROM iw_member m, iw_board b WHERE ep_code = ?"),
        ["iw_member", "iw_board"]
    );
    assert_eq!(
        unconstrained("SELECT * FROM iw_member m, iw_board b WHERE ep_code = ? AND b.ep_code = ?"),
        ["iw_member"]
    );
}

// -- OR rule ---------------------------------------------------------------

#[test]
fn or_needs_every_branch() {
    assert_eq!(
        unconstrained("SELECT * FROM iw_member WHERE ep_code = 'a' OR ep_code = 'b'"),
        NONE
    );
    assert_eq!(
        unconstrained(
            "SELECT * FROM iw_member WHERE ((ep_code = ? AND x = 1) OR (ep_code = ? AND y = 2))"
        ),
        NONE
    );
    assert_eq!(
        unconstrained("SELECT * FROM iw_member WHERE mb_id = ? OR ep_code = ?"),
        ["iw_member"]
    );
    assert_eq!(
        unconstrained("SELECT * FROM iw_member WHERE a = 1 AND (mb_id = ? OR (ep_code = ?))"),
        ["iw_member"]
    );
    assert_eq!(
        unconstrained("SELECT * FROM iw_a a, iw_b b WHERE a.ep_code = 1 OR b.ep_code = 2"),
        ["iw_a", "iw_b"]
    );
}

// -- holes ---------------------------------------------------------------

#[test]
fn opaque_fragment_gives_unknown() {
    assert_eq!(
        status("SELECT * FROM iw_member WHERE __tl_h2"),
        ["iw_member:Unknown"]
    );
    assert_eq!(
        status("SELECT * FROM iw_member WHERE a = 1 AND ((__tl_h2)) ORDER BY x"),
        ["iw_member:Unknown"]
    );
    assert_eq!(
        status("SELECT * FROM iw_member WHERE ep_code = ? AND __tl_h2"),
        ["iw_member:Yes"]
    );
    // Not a bare conjunct: the hole is negated / compared.
    assert_eq!(
        status("SELECT * FROM iw_member WHERE NOT __tl_h2 AND x = __tl_h3"),
        ["iw_member:No"]
    );
    // An OR with a hole branch cannot be decided; with a failing branch it is No.
    assert_eq!(
        status("SELECT * FROM iw_member WHERE ep_code = ? OR __tl_h1"),
        ["iw_member:Unknown"]
    );
    assert_eq!(
        status("SELECT * FROM iw_member WHERE x = 1 OR __tl_h1"),
        ["iw_member:No"]
    );
    // A hole in an outer join's ON only concerns the joined side.
    assert_eq!(
        status("SELECT * FROM iw_a a LEFT JOIN iw_b b ON __tl_h1"),
        ["iw_a:No", "iw_b:Unknown"]
    );
    // A hole in the outer WHERE does not reach a subquery's own scope,
    // except through correlation.
    assert_eq!(
        status(
            "SELECT * FROM iw_a a WHERE __tl_h1 AND EXISTS (SELECT 1 FROM iw_b b \
             WHERE b.ep_code = a.ep_code) AND EXISTS (SELECT 1 FROM iw_c)"
        ),
        ["iw_a:Unknown", "iw_b:Unknown", "iw_c:No"]
    );
    // Text appended right after a table name (parsed as an alias).
    assert_eq!(
        status("SELECT * FROM iw_member __tl_h1"),
        ["iw_member:Unknown"]
    );
}

#[test]
fn placeholder_table_names_recorded() {
    let f = facts("SELECT * FROM __tl_h1member m JOIN __tl_h2 x ON x.a = m.a WHERE m.ep_code = ?");
    let names: Vec<&str> = f.table_names.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["__tl_h1member", "__tl_h2"]);
    assert!(f.refs.is_empty());
}

// -- UPDATE / DELETE -----------------------------------------------------

#[test]
fn update_and_delete() {
    assert_eq!(
        unconstrained("UPDATE iw_member SET a = 1 WHERE mb_id = ?"),
        ["iw_member"]
    );
    assert_eq!(
        unconstrained("UPDATE iw_member SET a = 1 WHERE ep_code = ? AND mb_id = ?"),
        NONE
    );
    assert_eq!(
        unconstrained("DELETE FROM iw_member WHERE mb_id = ?"),
        ["iw_member"]
    );
    assert_eq!(
        unconstrained("DELETE FROM iw_member WHERE ep_code = ? LIMIT 1"),
        NONE
    );
    // Setting the tenant column is not a constraint.
    assert_eq!(
        unconstrained("UPDATE iw_member SET ep_code = ? WHERE id = 1"),
        ["iw_member"]
    );
    // Subquery in SET is its own site.
    assert_eq!(
        unconstrained(
            "UPDATE iw_member m SET cnt = (SELECT COUNT(*) FROM iw_board b WHERE b.mb_id = m.mb_id \
             AND b.ep_code = m.ep_code) WHERE m.ep_code = ?"
        ),
        NONE
    );
}

#[test]
fn multi_table_update_and_delete() {
    assert_eq!(
        unconstrained("UPDATE iw_a a, iw_b b SET a.x = b.x WHERE a.id = b.id AND a.ep_code = ?"),
        ["iw_b"]
    );
    assert_eq!(
        unconstrained(
            "UPDATE iw_a a, iw_b b SET a.x = b.x WHERE a.id = b.id AND a.ep_code = ? \
             AND b.ep_code = a.ep_code"
        ),
        NONE
    );
    assert_eq!(
        unconstrained("UPDATE iw_a a JOIN iw_b b ON b.id = a.id SET a.x = 1 WHERE b.ep_code = ?"),
        ["iw_a"]
    );
    assert_eq!(
        unconstrained(
            "DELETE a FROM iw_a a JOIN iw_b b ON b.id = a.id AND b.ep_code = ? WHERE a.ep_code = ?"
        ),
        NONE
    );
    assert_eq!(
        unconstrained("DELETE a FROM iw_a a JOIN iw_b b ON b.id = a.id WHERE a.ep_code = ?"),
        ["iw_b"]
    );
    let using = "DELETE FROM iw_a USING iw_a JOIN iw_b ON iw_b.id = iw_a.id WHERE iw_a.ep_code = ?";
    assert_eq!(unconstrained(using), ["iw_b"]);
    assert_eq!(facts(using).table_names.len(), 2);
}

/// MySQL multi-table DELETE forms (`alias.*` targets, modifiers, USING):
/// the FROM / USING clause is analysed exactly like a SELECT over it.
#[test]
fn mysql_multi_table_delete_targets() {
    let from_clauses = [
        "FROM iw_a a JOIN iw_b b ON b.id = a.id WHERE a.ep_code = ?",
        "FROM iw_a a JOIN iw_b b ON b.id = a.id AND b.ep_code = a.ep_code WHERE a.ep_code = ?",
        "FROM iw_a a, iw_b b WHERE a.id = b.id AND b.ep_code = ?",
        "FROM iw_a a, iw_b b WHERE a.id = b.id AND b.ep_code = ? AND a.ep_code = ?",
        "FROM iw_a a LEFT JOIN iw_b b ON b.id = a.id AND b.ep_code = ? WHERE a.id = 1",
    ];
    for from in from_clauses {
        let select = status(&format!("SELECT a.* {from}"));
        for targets in ["a.*", "a.*, b.*", "a, b", "LOW_PRIORITY QUICK IGNORE a.*"] {
            let sql = format!("DELETE {targets} {from}");
            assert_eq!(status(&sql), select, "{sql}");
        }
    }
    assert_eq!(
        unconstrained("DELETE a.* FROM iw_a a JOIN iw_b b ON b.id = a.id WHERE a.ep_code = ?"),
        ["iw_b"]
    );
    assert_eq!(
        unconstrained(
            "DELETE a.*, b.* FROM iw_a a, iw_b b WHERE a.id = b.id AND b.ep_code = ? \
             AND a.ep_code = b.ep_code"
        ),
        NONE
    );
    assert_eq!(
        unconstrained(
            "DELETE FROM a.*, b.* USING iw_a a JOIN iw_b b ON b.id = a.id WHERE a.ep_code = ?"
        ),
        ["iw_b"]
    );
    assert_eq!(
        unconstrained(
            "DELETE FROM a.* USING iw_a a JOIN iw_b b ON b.id = a.id AND b.ep_code = a.ep_code \
             WHERE a.ep_code = ?"
        ),
        NONE
    );
    assert_eq!(
        unconstrained("DELETE QUICK IGNORE FROM iw_member WHERE mb_id = ?"),
        ["iw_member"]
    );
    // Offsets still point at the table names.
    let sql = "DELETE a.*, b . * FROM iw_a a\n JOIN `iw_b` b ON b.id = a.id WHERE a.ep_code = '한'";
    let f = facts(sql);
    let got: Vec<(&str, Constraint)> = f
        .refs
        .iter()
        .map(|r| (&sql[r.name_offset.clone()], r.constrained))
        .collect();
    assert_eq!(got, [("iw_a", Constraint::Yes), ("iw_b", Constraint::No)]);
    assert_eq!(f.refs[1].name_offset.start, sql.find("iw_b").unwrap_or(0));
}

// -- INSERT ----------------------------------------------------------------

#[test]
fn insert_facts() {
    let f = facts("INSERT INTO iw_member (mb_id, EP_CODE) VALUES (?, ?)");
    assert_eq!(f.inserts.len(), 1);
    assert!(f.inserts[0].has_column_list && f.inserts[0].sets_tenant_column);

    let f = facts("INSERT INTO iw_member (mb_id) VALUES (?)");
    assert!(f.inserts[0].has_column_list && !f.inserts[0].sets_tenant_column);

    let f = facts("INSERT INTO iw_member VALUES (?, ?)");
    assert!(!f.inserts[0].has_column_list && !f.inserts[0].sets_tenant_column);

    let f = facts("INSERT INTO iw_member SET mb_id = ?, `ep_code` = ?");
    assert!(f.inserts[0].has_column_list && f.inserts[0].sets_tenant_column);

    let f = facts("REPLACE INTO iw_member SET mb_id = ?");
    assert!(f.inserts[0].has_column_list && !f.inserts[0].sets_tenant_column);

    let f = facts("INSERT IGNORE INTO iw_member (iw_member.ep_code) VALUES (1)");
    assert!(f.inserts[0].sets_tenant_column);

    let f = facts("INSERT INTO iw_enterprise (a) VALUES (1)");
    assert!(f.inserts.is_empty());
    assert_eq!(f.table_names.len(), 1);
}

#[test]
fn insert_select_is_a_site() {
    let sql = "INSERT INTO iw_log (ep_code, a) SELECT ep_code, a FROM iw_member WHERE mb_id = ?";
    assert_eq!(unconstrained(sql), ["iw_member"]);
    assert_eq!(facts(sql).inserts.len(), 1);
    assert_eq!(
        unconstrained(
            "INSERT INTO iw_log (ep_code, a) SELECT ep_code, a FROM iw_member WHERE ep_code = ?"
        ),
        NONE
    );
    // Subqueries in VALUES count too.
    assert_eq!(
        unconstrained("INSERT INTO t (a) VALUES ((SELECT MAX(a) FROM iw_board))"),
        ["iw_board"]
    );
}

#[test]
fn on_duplicate_key_update_is_ignored() {
    let sql = "INSERT INTO iw_member (ep_code, a) VALUES (?, ?) \
               ON DUPLICATE KEY UPDATE a = (SELECT MAX(a) FROM iw_board)";
    assert_eq!(status(sql), NONE);
    let f = facts(sql);
    assert!(f.table_names.iter().any(|(n, _)| n == "iw_board"));
    assert!(f.inserts[0].sets_tenant_column);
}

// -- offsets ---------------------------------------------------------------

#[test]
fn line_index_offsets() {
    let sql = "a\n전체b\r\nc";
    let idx = Positions::new(sql);
    assert_eq!(idx.offset(1, 1), Some(0));
    assert_eq!(idx.offset(2, 1), Some(2));
    assert_eq!(idx.offset(2, 2), Some(5));
    assert_eq!(idx.offset(2, 3), Some(8));
    assert_eq!(idx.offset(3, 1), Some(11));
    assert_eq!(idx.offset(3, 2), Some(12));
    assert_eq!(idx.offset(3, 3), None);
    assert_eq!(idx.offset(0, 0), None);
}

#[test]
fn byte_offsets_multiline_non_ascii() {
    let sql = "SELECT m.mb_name, '전체회원' AS g\n  FROM `iw_member` m\n\
               /* 회원 */ LEFT JOIN db.iw_board AS b ON b.x = m.x\n\
               WHERE m.ep_code = '가나' AND b.ep_code = '다'";
    let f = facts(sql);
    assert_eq!(f.refs.len(), 2);
    for r in &f.refs {
        assert_eq!(&sql[r.name_offset.clone()], r.table);
    }
    assert_eq!(
        f.refs[0].name_offset.start,
        sql.find("iw_member").unwrap_or(0)
    );
    assert_eq!(
        f.refs[1].name_offset.start,
        sql.find("iw_board").unwrap_or(0)
    );
    assert!(f.refs.iter().all(|r| r.constrained == Constraint::Yes));
}

#[test]
fn byte_offsets_with_version_hint_and_update_commas() {
    let sql = "SELECT /*!40001 SQL_NO_CACHE */ * FROM /*!50000 iw_member */ WHERE ep_code = 1";
    let f = facts(sql);
    assert_eq!(&sql[f.refs[0].name_offset.clone()], "iw_member");
    let sql =
        "UPDATE iw_a a, `iw_b` b SET a.x = 1 WHERE a.ep_code = '한' AND b.ep_code = a.ep_code";
    let f = facts(sql);
    let got: Vec<&str> = f.refs.iter().map(|r| &sql[r.name_offset.clone()]).collect();
    assert_eq!(got, ["iw_a", "iw_b"]);
    assert!(f.refs.iter().all(|r| r.constrained == Constraint::Yes));
    let sql = "INSERT INTO\n  `iw_member` (a) VALUES ('\u{c804}')";
    let f = facts(sql);
    assert_eq!(&sql[f.inserts[0].name_offset.clone()], "iw_member");
}

#[test]
fn one_ref_per_reference_and_statement() {
    let sql = "SELECT * FROM iw_member a, iw_member b WHERE a.ep_code = ?; SELECT * FROM iw_member";
    let f = facts(sql);
    let s: Vec<String> = f
        .refs
        .iter()
        .map(|r| format!("{}@{}:{:?}", r.table, r.name_offset.start, r.constrained))
        .collect();
    let last = format!("iw_member@{}:No", sql.rfind("iw_member").unwrap_or(0));
    assert_eq!(s, ["iw_member@14:Yes", "iw_member@27:No", last.as_str()]);
}

#[test]
fn mysql_forms_analyze() {
    assert_eq!(
        unconstrained("SELECT * FROM iw_member WHERE (1) AND ep_code = '전체회원' LIMIT 0, 10;"),
        NONE
    );
    assert_eq!(
        unconstrained("select * from iw_member where 1"),
        ["iw_member"]
    );
    assert_eq!(
        unconstrained("SELECT * FROM iw_member m JOIN iw_board b WHERE m.ep_code = ?"),
        ["iw_board"]
    );
}

/// Keywords MySQL does not reserve are aliases, qualifiers and column
/// names there (osTicket: `ost_ticket_status status`, `ost_thread open`).
#[test]
fn non_reserved_keywords_as_aliases() {
    let sql = "SELECT ticket.ticket_id, status.name AS status, open FROM iw_ticket ticket \
               LEFT JOIN iw_ticket_status status ON status.id = ticket.status_id \
               AND status.ep_code = ticket.ep_code \
               JOIN iw_thread open ON open.object_id = ticket.ticket_id \
               WHERE ticket.ep_code = ? AND open.id = 1";
    assert_eq!(unconstrained(sql), ["iw_thread"]);
    let f = facts(sql);
    let aliases: Vec<Option<&str>> = f.refs.iter().map(|r| r.alias.as_deref()).collect();
    assert_eq!(aliases, [Some("ticket"), Some("status"), Some("open")]);
    assert_eq!(
        unconstrained(&sql.replace("open.id = 1", "open.ep_code = ticket.ep_code")),
        NONE
    );
    for w in [
        "open", "status", "view", "start", "format", "offset", "global", "full", "end", "any",
        "some", "action", "date", "user", "level", "position", "comment", "first",
    ] {
        let with = |s: &str| s.replace("$w", w);
        assert_eq!(
            unconstrained(&with("SELECT $w.* FROM iw_a $w WHERE $w.id = 1")),
            ["iw_a"],
            "{w}"
        );
        assert_eq!(
            unconstrained(&with("SELECT $w.* FROM iw_a $w WHERE $w.ep_code = ?")),
            NONE,
            "{w}"
        );
        assert_eq!(
            unconstrained(&with(
                "SELECT a.x $w FROM iw_a a JOIN iw_b $w ON $w.id = a.id WHERE a.ep_code = ?"
            )),
            ["iw_b"],
            "{w}"
        );
        assert_eq!(
            unconstrained(&with(
                "SELECT a.x $w FROM iw_a a JOIN iw_b $w ON $w.id = a.id \
                 AND $w.ep_code = a.ep_code WHERE a.ep_code = ?"
            )),
            NONE,
            "{w}"
        );
        assert_eq!(
            unconstrained(&with(
                "UPDATE iw_a $w SET $w.x = 1 WHERE $w.ep_code = ? AND $w.id = 2"
            )),
            NONE,
            "{w}"
        );
        assert_eq!(
            unconstrained(&with("DELETE $w.* FROM iw_a $w WHERE $w.id = 2")),
            ["iw_a"],
            "{w}"
        );
    }
    // `end` no longer ends the statement early (which dropped the WHERE / FROM).
    assert_eq!(
        unconstrained("SELECT * FROM iw_member end WHERE end.ep_code = ?"),
        NONE
    );
    assert_eq!(
        unconstrained("SELECT mb_id end FROM iw_member WHERE mb_id = ?"),
        ["iw_member"]
    );
    // `t1 full JOIN t2` is an inner join (MySQL has no FULL JOIN): its ON filters both sides.
    assert_eq!(
        unconstrained(
            "SELECT * FROM iw_a full JOIN iw_b b ON b.id = full.id \
             AND b.ep_code = full.ep_code WHERE full.ep_code = ?"
        ),
        NONE
    );
}

#[test]
fn alias_reported() {
    let f = facts("SELECT * FROM iw_a AS `x`, iw_b WHERE 1");
    let aliases: Vec<Option<String>> = f.refs.into_iter().map(|r| r.alias).collect();
    assert_eq!(aliases, [Some("x".to_string()), None]);
}

mod more_tests {
    use super::*;
    use crate::sql::parse::parse_mysql;

    fn status(sql: &str) -> Vec<String> {
        let is_tenant = |t: &str| t.starts_with("iw_") && t != "iw_enterprise";
        let policy = TenantPolicy {
            column: "ep_code",
            is_tenant_table: &is_tenant,
        };
        let stmts = match parse_mysql(sql) {
            Ok(s) => s,
            Err(e) => panic!("parse error for {sql:?}: {e}"),
        };
        analyze(&stmts, sql, &policy)
            .refs
            .into_iter()
            .map(|r| format!("{}:{:?}", r.table, r.constrained))
            .collect()
    }

    #[test]
    fn using_the_tenant_column_equates_both_sides() {
        assert_eq!(
            status("SELECT * FROM iw_a a JOIN iw_b b USING (ep_code) WHERE a.ep_code = ?"),
            ["iw_a:Yes", "iw_b:Yes"]
        );
        assert_eq!(
            status("SELECT * FROM iw_a a JOIN iw_b b USING (mb_id) WHERE a.ep_code = ?"),
            ["iw_a:Yes", "iw_b:No"]
        );
        // LEFT JOIN: the joined side follows the kept one, not the other way round.
        assert_eq!(
            status("SELECT * FROM iw_a a LEFT JOIN iw_b b USING (ep_code) WHERE b.ep_code = ?"),
            ["iw_a:No", "iw_b:Yes"]
        );
    }

    #[test]
    fn outer_join_on_filters_only_the_nullable_side() {
        // RIGHT JOIN keeps every row of `b`: its ON filters `a` only.
        assert_eq!(
            status("SELECT * FROM iw_a a RIGHT JOIN iw_b b ON b.ep_code = ? AND a.ep_code = ?"),
            ["iw_a:Yes", "iw_b:No"]
        );
        // LEFT JOIN keeps every row of `a`: its ON filters `b` only.
        assert_eq!(
            status("SELECT * FROM iw_a a LEFT JOIN iw_b b ON b.ep_code = ? AND a.ep_code = ?"),
            ["iw_a:No", "iw_b:Yes"]
        );
        // FULL JOIN keeps both.
        assert_eq!(
            status(
                "SELECT * FROM iw_a a FULL OUTER JOIN iw_b b ON b.ep_code = ? AND a.ep_code = ?"
            ),
            ["iw_a:No", "iw_b:No"]
        );
    }

    #[test]
    fn correlated_unqualified_inner_column() {
        assert_eq!(
            status(
                "SELECT * FROM iw_member WHERE ep_code = ? AND mb_id IN \
             (SELECT mb_id FROM iw_board WHERE ep_code = iw_member.ep_code)"
            ),
            ["iw_member:Yes", "iw_board:Yes"]
        );
        assert_eq!(
            status(
                "SELECT * FROM iw_member WHERE mb_id IN \
             (SELECT mb_id FROM iw_board WHERE ep_code = iw_member.ep_code)"
            ),
            ["iw_member:No", "iw_board:No"]
        );
    }

    #[test]
    fn placeholder_from_item_only_in_table_names() {
        let sql = "SELECT * FROM __tl_h1 WHERE a = 1";
        let policy = TenantPolicy {
            column: "ep_code",
            is_tenant_table: &|t: &str| t.starts_with("iw_"),
        };
        let stmts = parse_mysql(sql).unwrap_or_default();
        let f = analyze(&stmts, sql, &policy);
        assert!(f.refs.is_empty());
        assert_eq!(f.table_names, [("__tl_h1".to_string(), 14..21)]);
    }

    #[test]
    fn scalar_subquery_in_update_where_checked_on_its_own() {
        assert_eq!(
            status(
                "UPDATE iw_member SET a = 1 WHERE ep_code = \
             (SELECT ep_code FROM iw_group WHERE id = 3)"
            ),
            ["iw_member:Yes", "iw_group:No"]
        );
    }
}

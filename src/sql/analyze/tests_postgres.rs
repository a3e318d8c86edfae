//! Unit tests of the tenant facts [`analyze`](super::analyze) extracts from PostgreSQL (and
//! SQLite) forms, as Rust services write them: quoted and schema-qualified names, casts, bound
//! parameters, `= ANY(…)`, `JOIN … USING`, `RETURNING`, `ON CONFLICT`, data-modifying CTEs,
//! `UPDATE … FROM` and `DELETE … USING`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::facts::Dialect;
use crate::sql::parse::parse_located;

/// Tenant tables: everything but `tenants` and `plans`.
fn is_tenant(t: &str) -> bool {
    !matches!(t.to_lowercase().as_str(), "tenants" | "plans")
}

fn facts_in(sql: &str, dialect: Dialect) -> QueryFacts {
    let stmts = match parse_located(sql, dialect) {
        Ok(s) => s,
        Err(e) => panic!("parse error for {sql:?}: {}", e.message),
    };
    let policy = TenantPolicy {
        column: "tenant_id",
        is_tenant_table: &is_tenant,
    };
    analyze(&stmts, sql, &policy)
}

fn facts(sql: &str) -> QueryFacts {
    facts_in(sql, Dialect::Postgres)
}

/// `table:Yes|No|Unknown` for every tenant reference.
fn status(sql: &str) -> Vec<String> {
    status_in(sql, Dialect::Postgres)
}

fn status_in(sql: &str, dialect: Dialect) -> Vec<String> {
    facts_in(sql, dialect)
        .refs
        .into_iter()
        .map(|r| format!("{}:{:?}", r.table, r.constrained))
        .collect()
}

/// `table:has_column_list:sets_tenant_column` for every tenant insert.
fn inserts(sql: &str) -> Vec<String> {
    facts(sql)
        .inserts
        .into_iter()
        .map(|i| format!("{}:{}:{}", i.table, i.has_column_list, i.sets_tenant_column))
        .collect()
}

const NONE: [&str; 0] = [];

// -- names -------------------------------------------------------------------

#[test]
fn quoted_and_schema_qualified_names() {
    for from in [
        "users",
        "\"users\"",
        "public.users",
        "\"public\".\"users\"",
        "app.public.users",
    ] {
        let sql = format!("SELECT * FROM {from} WHERE \"tenant_id\" = $1");
        let f = facts(&sql);
        assert_eq!(f.refs.len(), 1, "{sql}");
        assert_eq!(f.refs[0].table, "users", "{sql}");
        assert_eq!(&sql[f.refs[0].name_offset.clone()], "users", "{sql}");
        assert_eq!(f.refs[0].constrained, Constraint::Yes, "{sql}");
        assert_eq!(
            status(&format!("SELECT * FROM {from} WHERE \"id\" = $1")),
            ["users:No"],
            "{from}"
        );
    }
    // Exempt tables are exempt under a schema or quotes too.
    assert_eq!(status("SELECT * FROM \"public\".\"tenants\""), NONE);
}

#[test]
fn quoted_alias_and_qualified_column() {
    assert_eq!(
        status(
            "SELECT \"u\".\"id\" FROM \"public\".\"users\" AS \"u\" \
             WHERE \"u\".\"tenant_id\" = $1"
        ),
        ["users:Yes"]
    );
    assert_eq!(
        status("SELECT u.id FROM public.users u WHERE public.users.tenant_id = $1"),
        ["users:No"]
    );
    assert_eq!(
        status("SELECT u.id FROM public.users u WHERE \"u\".\"other\" = $1"),
        ["users:No"]
    );
}

// -- casts and parameters ----------------------------------------------------

#[test]
fn casts_do_not_hide_a_predicate() {
    for w in [
        "tenant_id = $1::uuid",
        "tenant_id = $1::text::uuid",
        "tenant_id = CAST($1 AS uuid)",
        "tenant_id::text = $1",
        "CAST(tenant_id AS text) = $1::text",
        "(tenant_id)::uuid = ($1)::uuid",
        "$1::uuid = tenant_id",
        "tenant_id = 'a1b2'::uuid",
    ] {
        let sql = format!("SELECT * FROM users WHERE {w}");
        assert_eq!(status(&sql), ["users:Yes"], "{sql}");
    }
    for w in [
        "id = $1::uuid",
        "tenant_id::text = id::text",
        "tenant_id = CAST(id AS uuid)",
        "tenant_id::text <> $1",
    ] {
        let sql = format!("SELECT * FROM users WHERE {w}");
        assert_eq!(status(&sql), ["users:No"], "{sql}");
    }
    // A cast on the other reference's tenant column still equates the two.
    assert_eq!(
        status(
            "SELECT * FROM users u JOIN orders o ON o.tenant_id::uuid = u.tenant_id::uuid \
             WHERE u.tenant_id = $1"
        ),
        ["users:Yes", "orders:Yes"]
    );
    assert_eq!(
        status(
            "SELECT * FROM users u JOIN orders o ON o.tenant_id::uuid = u.id::uuid \
             WHERE u.tenant_id = $1"
        ),
        ["users:Yes", "orders:No"]
    );
}

#[test]
fn bound_parameters_are_values() {
    for p in ["$1", "$2", "$12"] {
        assert_eq!(
            status(&format!("SELECT * FROM users WHERE tenant_id = {p}")),
            ["users:Yes"]
        );
        assert_eq!(
            status(&format!("SELECT * FROM users WHERE id = {p}")),
            ["users:No"]
        );
    }
    assert_eq!(
        status("SELECT * FROM users WHERE id = $1 AND tenant_id = $2 AND name LIKE $3"),
        ["users:Yes"]
    );
    assert_eq!(
        status("SELECT * FROM users WHERE tenant_id IS NOT DISTINCT FROM $1"),
        ["users:Yes"]
    );
    assert_eq!(
        status("SELECT * FROM users WHERE tenant_id IS DISTINCT FROM $1"),
        ["users:No"]
    );
}

#[test]
fn sqlite_parameters_are_values() {
    for p in ["?", "?1", "?12", ":tenant", "@tenant", "$tenant"] {
        assert_eq!(
            status_in(
                &format!("SELECT * FROM users WHERE tenant_id = {p}"),
                Dialect::Sqlite
            ),
            ["users:Yes"],
            "{p}"
        );
        assert_eq!(
            status_in(
                &format!("SELECT * FROM users WHERE id = {p}"),
                Dialect::Sqlite
            ),
            ["users:No"],
            "{p}"
        );
    }
    assert_eq!(
        status_in(
            "SELECT * FROM \"main\".\"users\" WHERE \"tenant_id\" = CAST(?1 AS TEXT)",
            Dialect::Sqlite
        ),
        ["users:Yes"]
    );
    let f = facts_in(
        "INSERT INTO users (id, tenant_id) VALUES (?1, ?2) ON CONFLICT (id) DO UPDATE SET \
         name = excluded.name",
        Dialect::Sqlite,
    );
    assert!(f.refs.is_empty());
    assert_eq!(f.inserts.len(), 1);
    assert!(f.inserts[0].sets_tenant_column);
}

#[test]
fn row_value_equality() {
    assert_eq!(
        status("SELECT * FROM users WHERE (tenant_id, id) = ($1, $2)"),
        ["users:Yes"]
    );
    assert_eq!(
        status("SELECT * FROM users WHERE (id, tenant_id) = ($1, $2::uuid)"),
        ["users:Yes"]
    );
    assert_eq!(
        status("SELECT * FROM users WHERE (tenant_id, id) = (id, $2)"),
        ["users:No"]
    );
    assert_eq!(
        status("SELECT * FROM users WHERE (tenant_id, id) <> ($1, $2)"),
        ["users:No"]
    );
    assert_eq!(
        status(
            "SELECT * FROM users u JOIN orders o ON (o.tenant_id, o.user_id) = (u.tenant_id, u.id) \
             WHERE u.tenant_id = $1"
        ),
        ["users:Yes", "orders:Yes"]
    );
}

// -- ANY ---------------------------------------------------------------------

#[test]
fn any_counts_like_in() {
    for w in [
        "tenant_id = ANY($1)",
        "tenant_id = ANY($1::uuid[])",
        "tenant_id = ANY(ARRAY[$1, $2])",
        "tenant_id = ANY(ARRAY['a', 'b'])",
        "tenant_id = SOME($1)",
        "tenant_id = ANY(SELECT id FROM tenants WHERE slug = $1)",
        "tenant_id::text = ANY($1)",
    ] {
        let sql = format!("SELECT * FROM users WHERE {w}");
        assert_eq!(status(&sql), ["users:Yes"], "{sql}");
    }
    for w in [
        "id = ANY($1)",
        "tenant_id <> ANY($1)",
        "tenant_id = ANY(tenant_ids)",
        "tenant_id = ANY(ARRAY[id, $1])",
        "tenant_id = ALL($1)",
        "tenant_id != ALL($1)",
    ] {
        let sql = format!("SELECT * FROM users WHERE {w}");
        assert_eq!(status(&sql), ["users:No"], "{sql}");
    }
    // One element: the equality with that element, which may be another tenant column.
    assert_eq!(
        status(
            "SELECT * FROM users u JOIN orders o ON o.tenant_id = ANY(ARRAY[u.tenant_id]) \
             WHERE u.tenant_id = $1"
        ),
        ["users:Yes", "orders:Yes"]
    );
    // The subquery of `= ANY(SELECT …)` is a scope of its own.
    assert_eq!(
        status("SELECT * FROM users WHERE tenant_id = ANY(SELECT tenant_id FROM orders)"),
        ["users:Yes", "orders:No"]
    );
}

// -- JOIN … USING --------------------------------------------------------------

#[test]
fn join_using_equates_the_tenant_columns() {
    assert_eq!(
        status(
            "SELECT * FROM orders o JOIN line_items li USING (tenant_id) WHERE o.tenant_id = $1"
        ),
        ["orders:Yes", "line_items:Yes"]
    );
    assert_eq!(
        status(
            "SELECT * FROM orders o JOIN line_items li USING (tenant_id, order_id) \
             WHERE li.tenant_id = $1"
        ),
        ["orders:Yes", "line_items:Yes"]
    );
    assert_eq!(
        status("SELECT * FROM orders o JOIN line_items li USING (order_id) WHERE o.tenant_id = $1"),
        ["orders:Yes", "line_items:No"]
    );
    assert_eq!(
        status(
            "SELECT * FROM \"orders\" JOIN \"line_items\" USING (\"tenant_id\") \
             WHERE \"orders\".\"tenant_id\" = $1"
        ),
        ["orders:Yes", "line_items:Yes"]
    );
    // The same as the ON equality.
    assert_eq!(
        status(
            "SELECT * FROM orders o JOIN line_items li ON li.tenant_id = o.tenant_id \
             WHERE o.tenant_id = $1"
        ),
        ["orders:Yes", "line_items:Yes"]
    );
    // LEFT JOIN: the joined side follows the kept one only.
    assert_eq!(
        status(
            "SELECT * FROM orders o LEFT JOIN line_items li USING (tenant_id) \
             WHERE li.tenant_id = $1"
        ),
        ["orders:No", "line_items:Yes"]
    );
}

/// After `USING (tenant_id)` the unqualified `tenant_id` is the merged column of the joined
/// references, not an ambiguous one.
#[test]
fn unqualified_column_after_using_is_the_merged_one() {
    assert_eq!(
        status("SELECT * FROM orders JOIN line_items USING (tenant_id) WHERE tenant_id = $1"),
        ["orders:Yes", "line_items:Yes"]
    );
    assert_eq!(
        status(
            "SELECT * FROM orders o JOIN line_items li USING (tenant_id, order_id) \
             JOIN invoices i USING (tenant_id) WHERE tenant_id = $1"
        ),
        ["orders:Yes", "line_items:Yes", "invoices:Yes"]
    );
    assert_eq!(
        status(
            "SELECT * FROM orders o FULL JOIN line_items li USING (tenant_id) \
             WHERE tenant_id = $1"
        ),
        ["orders:Yes", "line_items:Yes"]
    );
    // Without USING on the tenant column, the unqualified column names no one.
    assert_eq!(
        status("SELECT * FROM orders JOIN line_items USING (order_id) WHERE tenant_id = $1"),
        ["orders:No", "line_items:No"]
    );
    // A reference outside the USING join is not the merged column.
    assert_eq!(
        status(
            "SELECT * FROM orders o JOIN line_items li USING (tenant_id) \
             JOIN invoices i ON i.order_id = o.id WHERE tenant_id = $1"
        ),
        ["orders:Yes", "line_items:Yes", "invoices:No"]
    );
}

// -- RETURNING -------------------------------------------------------------------

#[test]
fn returning_changes_nothing() {
    assert_eq!(
        status("DELETE FROM users WHERE id = $1 AND tenant_id = $2 RETURNING *"),
        ["users:Yes"]
    );
    assert_eq!(
        status("DELETE FROM users WHERE id = $1 RETURNING id, tenant_id"),
        ["users:No"]
    );
    assert_eq!(
        status("UPDATE users SET name = $1 WHERE tenant_id = $2 RETURNING id"),
        ["users:Yes"]
    );
    assert_eq!(
        status("UPDATE users SET name = $1 WHERE id = $2 RETURNING id"),
        ["users:No"]
    );
    assert_eq!(
        inserts("INSERT INTO users (id, tenant_id) VALUES ($1, $2) RETURNING id"),
        ["users:true:true"]
    );
    assert_eq!(
        inserts("INSERT INTO users (id) VALUES ($1) RETURNING id"),
        ["users:true:false"]
    );
    // A subquery in RETURNING is a site of its own.
    assert_eq!(
        status("DELETE FROM users WHERE tenant_id = $1 RETURNING (SELECT count(*) FROM orders)"),
        ["users:Yes", "orders:No"]
    );
}

// -- ON CONFLICT -----------------------------------------------------------------

#[test]
fn on_conflict_is_an_insert_and_its_update_is_not_a_site() {
    let up = "INSERT INTO users AS u (id, tenant_id, name) VALUES ($1, $2, $3) \
              ON CONFLICT (tenant_id, id) DO UPDATE SET name = EXCLUDED.name \
              WHERE u.name IS DISTINCT FROM EXCLUDED.name RETURNING id";
    assert_eq!(inserts(up), ["users:true:true"]);
    assert_eq!(status(up), NONE);
    let up = "INSERT INTO users (id, name) VALUES ($1, $2) \
              ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name";
    assert_eq!(inserts(up), ["users:true:false"]);
    assert_eq!(status(up), NONE);
    assert_eq!(
        inserts(
            "INSERT INTO users (id, tenant_id) VALUES ($1, $2) ON CONFLICT ON CONSTRAINT \
             users_pkey DO NOTHING"
        ),
        ["users:true:true"]
    );
    assert_eq!(
        inserts("INSERT INTO public.users VALUES ($1, $2) ON CONFLICT DO NOTHING"),
        ["users:false:false"]
    );
    // Tables in DO UPDATE are collected but not reported.
    let sub = "INSERT INTO users (id, tenant_id) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE \
               SET n = (SELECT count(*) FROM orders) WHERE EXISTS (SELECT 1 FROM invoices)";
    let f = facts(sub);
    assert!(f.refs.is_empty());
    let names: Vec<&str> = f.table_names.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["users", "orders", "invoices"]);
    // INSERT … SELECT … ON CONFLICT: the SELECT is a site.
    assert_eq!(
        status(
            "INSERT INTO archive (id, tenant_id) SELECT id, tenant_id FROM users WHERE id = $1 \
             ON CONFLICT DO NOTHING"
        ),
        ["users:No"]
    );
}

// -- data-modifying CTEs ---------------------------------------------------------

#[test]
fn data_modifying_ctes_are_statements_of_their_own() {
    let ok = "WITH d AS (DELETE FROM users WHERE tenant_id = $1 AND id = $2 RETURNING *) \
              INSERT INTO archive (id, tenant_id) SELECT id, tenant_id FROM d";
    assert_eq!(status(ok), ["users:Yes"]);
    assert_eq!(inserts(ok), ["archive:true:true"]);
    // The CTE name is not a table.
    let names: Vec<String> = facts(ok).table_names.into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["users", "archive"]);

    let bad = "WITH d AS (DELETE FROM users WHERE id = $1 RETURNING *) \
               INSERT INTO archive SELECT * FROM d";
    assert_eq!(status(bad), ["users:No"]);
    assert_eq!(inserts(bad), ["archive:false:false"]);

    assert_eq!(
        status(
            "WITH u AS (UPDATE users SET name = $1 WHERE id = $2 RETURNING id) \
             SELECT * FROM u"
        ),
        ["users:No"]
    );
    assert_eq!(
        status(
            "WITH u AS (UPDATE users SET name = $1 WHERE id = $2 AND tenant_id = $3 \
             RETURNING id) SELECT * FROM u"
        ),
        ["users:Yes"]
    );
    let ins = "WITH i AS (INSERT INTO orders (id) VALUES ($1) RETURNING id) \
               SELECT i.id FROM i";
    assert_eq!(inserts(ins), ["orders:true:false"]);
    assert_eq!(status(ins), NONE);
    let ins = "WITH i AS (INSERT INTO orders (id, tenant_id) VALUES ($1, $2) RETURNING id) \
               UPDATE invoices SET order_id = i.id FROM i WHERE invoices.tenant_id = $2";
    assert_eq!(inserts(ins), ["orders:true:true"]);
    assert_eq!(status(ins), ["invoices:Yes"]);
    // The main statement is checked as usual.
    assert_eq!(
        status(
            "WITH d AS (DELETE FROM users WHERE tenant_id = $1 RETURNING id) \
             DELETE FROM orders WHERE user_id IN (SELECT id FROM d)"
        ),
        ["users:Yes", "orders:No"]
    );
}

// -- UPDATE … FROM / DELETE … USING ------------------------------------------------

#[test]
fn update_from_tables_are_references_of_the_scope() {
    assert_eq!(
        status(
            "UPDATE orders SET total = s.total FROM line_items s \
             WHERE s.order_id = orders.id AND orders.tenant_id = $1"
        ),
        ["orders:Yes", "line_items:No"]
    );
    assert_eq!(
        status(
            "UPDATE orders SET total = s.total FROM line_items s \
             WHERE s.order_id = orders.id AND orders.tenant_id = $1 \
             AND s.tenant_id = orders.tenant_id"
        ),
        ["orders:Yes", "line_items:Yes"]
    );
    assert_eq!(
        status(
            "UPDATE orders o SET plan = p.name FROM plans p \
             WHERE p.id = o.plan_id AND o.tenant_id = $1"
        ),
        ["orders:Yes"]
    );
    assert_eq!(
        status("UPDATE orders o SET plan = p.name FROM plans p WHERE p.id = o.plan_id"),
        ["orders:No"]
    );
}

#[test]
fn delete_using_tables_are_references_of_the_scope() {
    assert_eq!(
        status(
            "DELETE FROM orders USING line_items li \
             WHERE li.order_id = orders.id AND orders.tenant_id = $1"
        ),
        ["line_items:No", "orders:Yes"]
    );
    assert_eq!(
        status(
            "DELETE FROM orders o USING line_items li \
             WHERE li.order_id = o.id AND o.tenant_id = $1 AND li.tenant_id = $1"
        ),
        ["line_items:Yes", "orders:Yes"]
    );
    assert_eq!(
        status(
            "DELETE FROM public.orders o USING tenants t \
             WHERE t.id = o.tenant_id AND t.slug = $1"
        ),
        ["orders:No"]
    );
    assert_eq!(
        status(
            "DELETE FROM orders o USING tenants t \
             WHERE t.id = o.tenant_id AND o.tenant_id = $1 RETURNING o.id"
        ),
        ["orders:Yes"]
    );
    // The target is a table name: its offset points at it.
    let sql = "DELETE FROM \"public\".\"orders\" USING plans WHERE plans.id = $1";
    let f = facts(sql);
    assert_eq!(f.refs.len(), 1);
    assert_eq!(&sql[f.refs[0].name_offset.clone()], "orders");
    assert_eq!(f.refs[0].constrained, Constraint::No);
}

// -- INSERT --------------------------------------------------------------------

#[test]
fn insert_column_lists() {
    assert_eq!(
        inserts("INSERT INTO \"public\".\"users\" (\"id\", \"tenant_id\") VALUES ($1, $2::uuid)"),
        ["users:true:true"]
    );
    assert_eq!(
        inserts("INSERT INTO public.users (id, name) VALUES ($1, $2)"),
        ["users:true:false"]
    );
    assert_eq!(inserts("INSERT INTO tenants (id) VALUES ($1)"), NONE);
    let sql = "INSERT INTO \"public\".\"users\" (id) VALUES ($1)";
    let f = facts(sql);
    assert_eq!(&sql[f.inserts[0].name_offset.clone()], "users");
}

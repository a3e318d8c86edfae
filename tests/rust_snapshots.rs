//! Snapshots of what the Rust front-end rebuilds from each way a Rust service writes a query:
//! for every extraction form, the query text as findings show it, where it is reported, and
//! what is left unanalyzed. A change in how any form is read shows up here.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TempProject;
use serde_json::Value;

const CONFIG: &str = "[tenant]\ncolumn = \"tenant_id\"\ntables = [\"*\"]\nexempt = [\"tenants\"]\n";

/// One line per finding (rule, position, table, rebuilt query) and per unanalyzed site, and the
/// number of SQL sites.
fn outcome(files: &[(&str, &str)]) -> String {
    let mut all = vec![("tenantlint.toml", CONFIG)];
    all.extend_from_slice(files);
    let json: Value = TempProject::new(&all).check_json();
    let mut out = String::new();
    for f in json["findings"].as_array().unwrap() {
        out.push_str(&format!(
            "{} {}:{}:{} `{}` | {}\n",
            f["rule"].as_str().unwrap(),
            f["file"].as_str().unwrap(),
            f["line"],
            f["column"],
            f["table"].as_str().unwrap_or("-"),
            f["sql"].as_str().unwrap_or("-"),
        ));
    }
    for u in json["unanalyzed"].as_array().unwrap() {
        out.push_str(&format!(
            "unanalyzed {} {}:{}: {}\n",
            u["kind"].as_str().unwrap(),
            u["file"].as_str().unwrap(),
            u["line"],
            u["reason"].as_str().unwrap(),
        ));
    }
    out.push_str(&format!("sql sites: {}\n", json["summary"]["sql_sites"]));
    out
}

/// `(name, source of src/lib.rs)`: every form queries `orders` without the tenant predicate
/// (TL001) or inserts into it without the tenant column (TL002).
const FORMS: &[(&str, &str)] = &[
    (
        "sqlx::query with a bind chain",
        r#"pub async fn f(pool: &sqlx::PgPool, id: i64) {
    sqlx::query("SELECT * FROM orders WHERE id = $1").bind(id).execute(pool).await.ok();
}"#,
    ),
    (
        "sqlx::query_as with a turbofish, query_scalar",
        r#"pub async fn f(pool: &sqlx::PgPool, id: i64) {
    let _ = sqlx::query_as::<_, (i64,)>("SELECT id FROM orders WHERE id = $1").bind(id).fetch_one(pool).await;
    let _ = sqlx::query_scalar::<_, i64>("SELECT count(*) FROM orders").fetch_one(pool).await;
}"#,
    ),
    (
        "sqlx macros: query!, query_as!, query_scalar!, query_unchecked!",
        r#"pub async fn f(pool: &sqlx::PgPool, id: i64) {
    sqlx::query!("UPDATE orders SET status = 'x' WHERE id = $1", id).execute(pool).await.ok();
    let _ = sqlx::query_as!(Order, "SELECT * FROM orders WHERE id = $1", id).fetch_one(pool).await;
    let _ = sqlx::query_scalar!("SELECT count(*) FROM orders").fetch_one(pool).await;
    sqlx::query_unchecked!("INSERT INTO orders (id) VALUES ($1)", id).execute(pool).await.ok();
}"#,
    ),
    (
        "QueryBuilder push and push_bind",
        r#"use sqlx::QueryBuilder;
pub async fn f(pool: &sqlx::PgPool, id: i64) {
    let mut q = QueryBuilder::new("DELETE FROM orders WHERE id = ");
    q.push_bind(id);
    q.push(" AND status = 'done'");
    q.build().execute(pool).await.ok();
}"#,
    ),
    (
        "QueryBuilder push_values and push_tuples: one row stands for all",
        r#"use sqlx::QueryBuilder;
pub async fn f(pool: &sqlx::PgPool, rows: &[Row], keys: &[(i64, i64)]) {
    let mut q = QueryBuilder::new("INSERT INTO orders (id, status) ");
    q.push_values(rows, |mut b, row| {
        b.push_bind(row.id).push_bind(&row.status);
    });
    q.build().execute(pool).await.ok();
    let mut q = QueryBuilder::new("SELECT * FROM orders WHERE (id, line) IN ");
    q.push_tuples(keys, |mut b, (id, line)| {
        b.push_bind(id);
        b.push_bind(line);
    });
    q.build().fetch_all(pool).await.ok();
}"#,
    ),
    (
        "QueryBuilder separated: the separator between pushes",
        r#"use sqlx::QueryBuilder;
pub async fn f(pool: &sqlx::PgPool, status: &str) {
    let mut q = QueryBuilder::new("UPDATE orders SET ");
    let mut sets = q.separated(", ");
    sets.push("status = ");
    sets.push_bind_unseparated(status);
    sets.push("updated = now()");
    q.push(" WHERE id = 1");
    q.build().execute(pool).await.ok();
}"#,
    ),
    (
        "tokio-postgres query, execute, batch_execute",
        r#"pub async fn f(client: &tokio_postgres::Client, id: i64) {
    let _ = client.query("SELECT * FROM orders WHERE id = $1", &[&id]).await;
    let _ = client.execute("INSERT INTO orders (id) VALUES ($1)", &[&id]).await;
    let _ = client.batch_execute("DELETE FROM orders").await;
}"#,
    ),
    (
        "rusqlite execute with params!, query_row",
        r#"use rusqlite::{params, Connection};
pub fn f(conn: &Connection, id: i64) {
    conn.execute("DELETE FROM orders WHERE id = ?1", params![id]).ok();
    let _ = conn.query_row("SELECT status FROM orders WHERE id = ?", [id], |r| r.get::<_, String>(0));
}"#,
    ),
    (
        "diesel sql_query and sea-orm Statement",
        r#"use sea_orm::{DbBackend, Statement};
pub fn f(id: i64) {
    let _ = diesel::sql_query("SELECT * FROM orders WHERE id = $1").bind::<diesel::sql_types::BigInt, _>(id);
    let _ = Statement::from_sql_and_values(DbBackend::MySql, "SELECT * FROM orders WHERE id = ?", [id.into()]);
}"#,
    ),
    (
        "raw strings, escapes, concat! and line continuations",
        r##"pub async fn f(pool: &sqlx::PgPool) {
    sqlx::query(r#"SELECT "id" FROM "public"."orders" WHERE note = 'a'"#).execute(pool).await.ok();
    sqlx::query(concat!("SELECT * ", "FROM orders ", "WHERE status = 'x'")).execute(pool).await.ok();
    sqlx::query("SELECT * \
                 FROM orders\tWHERE id = 1").execute(pool).await.ok();
}"##,
    ),
    (
        "format! with positional, named and inline arguments; + and +=",
        r#"pub async fn f(pool: &sqlx::PgPool, table: &str, col: &str) {
    let order = "id";
    let a = format!("SELECT {} FROM orders ORDER BY {order}", col);
    sqlx::query(&a).execute(pool).await.ok();
    let b = format!("SELECT {c} FROM {t} WHERE id = 1", c = col, t = "orders");
    sqlx::query(&b).execute(pool).await.ok();
    let mut c = String::from("SELECT * FROM orders") + " WHERE id = 2";
    c += " LIMIT 1";
    sqlx::query(&c).execute(pool).await.ok();
    let _ = table;
}"#,
    ),
    (
        "push_str under if and match: the other paths",
        r#"pub async fn f(pool: &sqlx::PgPool, tenant: i64, all: bool, kind: u8) {
    let mut sql = String::from("SELECT * FROM orders WHERE status = 'open'");
    if !all {
        sql.push_str(" AND tenant_id = $1");
    }
    sqlx::query(&sql).bind(tenant).execute(pool).await.ok();
    let mut sql = String::from("SELECT * FROM orders WHERE ");
    match kind {
        0 => sql.push_str("tenant_id = $1"),
        _ => sql.push_str("status = 'x'"),
    }
    sqlx::query(&sql).bind(tenant).execute(pool).await.ok();
}"#,
    ),
    (
        "const and static SQL, and a project wrapper (SQL by content)",
        r#"const LIST: &str = "SELECT * FROM orders WHERE status = 'open'";
static COUNT: &str = "SELECT count(*) FROM orders";
fn run(sql: &str) -> String { sql.to_string() }
pub async fn f(pool: &sqlx::PgPool) {
    sqlx::query(LIST).execute(pool).await.ok();
    sqlx::query(COUNT).execute(pool).await.ok();
    run("DELETE FROM orders WHERE status = 'old'");
}"#,
    ),
    (
        "a fragment whose text is unknown: decided in SET and ORDER BY, unanalyzed after WHERE",
        r#"pub async fn f(pool: &sqlx::PgPool, set: &str, order: &str, cond: &str) {
    sqlx::query(&format!("UPDATE orders SET {set} WHERE id = 1")).execute(pool).await.ok();
    sqlx::query(&format!("SELECT * FROM orders WHERE tenant_id = $1 ORDER BY {order}")).execute(pool).await.ok();
    sqlx::query(&format!("SELECT * FROM orders WHERE {cond}")).execute(pool).await.ok();
}"#,
    ),
];

#[test]
fn extraction_forms() {
    let mut all = String::new();
    for (name, source) in FORMS {
        all.push_str(&format!("## {name}\n"));
        all.push_str(&outcome(&[("src/lib.rs", source)]));
        all.push('\n');
    }
    insta::assert_snapshot!(all);
}

/// SQL kept in files: `include_str!` relative to the source, `query_file!` relative to the crate
/// root; findings sit in the `.sql` file.
#[test]
fn sql_files() {
    let out = outcome(&[
        ("Cargo.toml", "[package]\nname = \"svc\"\n"),
        ("queries/list.sql", "-- every order\nSELECT * FROM orders\n"),
        ("src/insert.sql", "INSERT INTO orders (id) VALUES ($1)"),
        (
            "src/lib.rs",
            r#"pub async fn f(pool: &sqlx::PgPool, id: i64) {
    let _ = sqlx::query_file!("queries/list.sql").fetch_all(pool).await;
    sqlx::query(include_str!("insert.sql")).bind(id).execute(pool).await.ok();
}"#,
        ),
    ]);
    insta::assert_snapshot!(out);
}

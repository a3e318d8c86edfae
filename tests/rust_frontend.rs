//! The Rust front-end end to end: Rust services checked by the `tenantlint` binary, alone and
//! beside PHP.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{assert_clean, assert_findings, check_files, summary, TempProject};

const CONFIG: &str = "[tenant]\ncolumn = \"tenant_id\"\ntables = [\"*\"]\n";

#[test]
fn an_sqlx_query_without_the_tenant_predicate_is_tl001() {
    let json = check_files(&[
        ("tenantlint.toml", CONFIG),
        (
            "src/orders.rs",
            r#"use sqlx::PgPool;

pub async fn order(pool: &PgPool, id: i64) -> Order {
    sqlx::query_as::<_, Order>("SELECT * FROM orders WHERE id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
}
"#,
        ),
    ]);
    assert_findings(&json, &[("TL001", "src/orders.rs", 4)]);
}

#[test]
fn a_bound_tenant_predicate_is_clean() {
    let json = check_files(&[
        ("tenantlint.toml", CONFIG),
        (
            "src/orders.rs",
            r#"use sqlx::PgPool;

const ORDERS: &str = "orders";

pub async fn orders(pool: &PgPool, tenant: i64, status: &str) -> Vec<Order> {
    let mut sql = format!("SELECT * FROM {ORDERS} WHERE tenant_id = $1");
    if !status.is_empty() {
        sql.push_str(" AND status = $2");
    }
    sqlx::query_as(&sql).bind(tenant).bind(status).fetch_all(pool).await.unwrap()
}

pub async fn count(pool: &PgPool, tenant: i64) -> i64 {
    sqlx::query_scalar!("SELECT count(*) FROM orders WHERE tenant_id = $1", tenant)
        .fetch_one(pool)
        .await
        .unwrap()
}
"#,
        ),
    ]);
    assert_clean(&json, 2);
}

#[test]
fn an_insert_without_the_tenant_column_is_tl002() {
    let json = check_files(&[
        ("tenantlint.toml", CONFIG),
        (
            "src/repo.rs",
            r#"impl Repo {
    pub async fn add(&self, id: i64, total: i64) {
        sqlx::query!("INSERT INTO orders (id, total) VALUES ($1, $2)", id, total)
            .execute(&self.pool)
            .await
            .unwrap();
    }

    pub async fn add_scoped(&self, t: i64, id: i64) {
        self.client
            .execute("INSERT INTO orders (tenant_id, id) VALUES ($1, $2)", &[&t, &id])
            .await
            .unwrap();
    }
}
"#,
        ),
    ]);
    assert_findings(&json, &[("TL002", "src/repo.rs", 3)]);
}

#[test]
fn a_mixed_php_and_rust_tree_reports_both() {
    let json = check_files(&[
        ("tenantlint.toml", CONFIG),
        (
            "web/list.php",
            "<?php\n$rows = sql_query(\"SELECT * FROM orders WHERE id = 1\");\n",
        ),
        (
            "svc/src/lib.rs",
            "fn f(c: &Client) {\n    c.query(\"SELECT * FROM orders\", &[]);\n}\n",
        ),
    ]);
    assert_findings(
        &json,
        &[("TL001", "svc/src/lib.rs", 2), ("TL001", "web/list.php", 2)],
    );
}

#[test]
fn cargo_target_directories_are_skipped() {
    let project = TempProject::new(&[
        ("tenantlint.toml", CONFIG),
        ("Cargo.toml", "[package]\nname = \"svc\"\n"),
        (
            "src/main.rs",
            "fn main() {\n    run(\"SELECT * FROM orders WHERE tenant_id = 1\");\n}\n",
        ),
        (
            "target/debug/build/gen.rs",
            "fn g() { run(\"SELECT * FROM orders\"); }\n",
        ),
    ]);
    let json = project.check_json();
    assert_clean(&json, 1);
    assert_eq!(summary(&json, "files"), 1);
    let (_, stdout, _) = project.run(&["check"]);
    assert!(
        stdout.contains("skipped: 1 directory by default (target)"),
        "{stdout}"
    );
}

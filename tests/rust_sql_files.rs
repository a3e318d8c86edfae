//! SQL kept in `.sql` files of its own, run by Rust code: sqlx's `query_file!` family (paths
//! relative to the crate root) and `include_str!` (paths relative to the source file). Findings
//! are located in the `.sql` file, with the call that runs the query as a trace step.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{assert_clean, crate_root, findings, run_in, summary, TempProject};
use serde_json::Value;

const CONFIG: &str = "[tenant]\ncolumn = \"tenant_id\"\ntables = [\"*\"]\n";
const CARGO: &str = "[package]\nname = \"svc\"\nversion = \"0.1.0\"\n";

/// `(file, line, column, note)` of each trace step of a finding.
fn trace(finding: &Value) -> Vec<(String, u64, u64, String)> {
    finding["trace"]
        .as_array()
        .expect("trace")
        .iter()
        .map(|s| {
            (
                s["file"].as_str().unwrap().to_string(),
                s["line"].as_u64().unwrap(),
                s["column"].as_u64().unwrap(),
                s["note"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// `(file, line, column)` of a finding.
fn place(finding: &Value) -> (String, u64, u64) {
    (
        finding["file"].as_str().unwrap().to_string(),
        finding["line"].as_u64().unwrap(),
        finding["column"].as_u64().unwrap(),
    )
}

fn run_here(file: &str, line: u64, column: u64) -> (String, u64, u64, String) {
    (
        file.to_string(),
        line,
        column,
        "the query is run here".to_string(),
    )
}

#[test]
fn query_file_without_the_tenant_predicate_is_tl001_in_the_sql_file() {
    let project = TempProject::new(&[
        ("tenantlint.toml", CONFIG),
        ("Cargo.toml", CARGO),
        (
            "src/orders.rs",
            r#"use sqlx::PgPool;

pub async fn open(pool: &PgPool, customer: i64) -> Vec<Order> {
    sqlx::query_file_as!(Order, "queries/open_orders.sql", customer)
        .fetch_all(pool)
        .await
        .unwrap()
}
"#,
        ),
        (
            "queries/open_orders.sql",
            "-- Open orders of one customer.\nSELECT id, total\n  FROM orders\n WHERE customer_id = $1\n",
        ),
    ]);
    let json = project.check_json();
    assert_eq!(
        findings(&json),
        vec![common::f("TL001", "queries/open_orders.sql", 3)],
        "{json:#}"
    );
    let finding = &json["findings"][0];
    assert_eq!(place(finding), ("queries/open_orders.sql".into(), 3, 8));
    assert_eq!(finding["end_column"], 14);
    assert_eq!(trace(finding), vec![run_here("src/orders.rs", 4, 5)]);
    // The call is not a span of the SQL file.
    assert!(finding["exec"].is_null(), "{finding:#}");
    // The query as shown leaves out the comments heading the file.
    assert_eq!(
        finding["sql"],
        "SELECT id, total FROM orders WHERE customer_id = $1"
    );
    assert_eq!(summary(&json, "sql_sites"), 1);
    assert_eq!(summary(&json, "unanalyzed"), 0);
    // The SQL file is a scanned file beside the source.
    assert_eq!(summary(&json, "files"), 2);

    // Every format names the SQL file.
    let (code, concise, _) = project.run(&["check", "--format", "concise"]);
    assert_eq!(code, 1);
    assert!(
        concise.starts_with("queries/open_orders.sql:3:8: TL001 `orders`"),
        "{concise}"
    );
    let (_, pretty, _) = project.run(&["check"]);
    assert!(pretty.contains("queries/open_orders.sql:3:8"), "{pretty}");
    assert!(
        pretty.contains("in another file:\n          src/orders.rs:4:5: the query is run here"),
        "{pretty}"
    );
    let (_, sarif, _) = project.run(&["check", "--format", "sarif"]);
    let sarif: Value = serde_json::from_str(&sarif).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"]["uri"], "queries/open_orders.sql",
        "{result:#}"
    );
    assert_eq!(location["region"]["startLine"], 3);
    assert_eq!(location["region"]["startColumn"], 8);
}

#[test]
fn query_file_with_the_tenant_predicate_bound_is_clean() {
    let json = TempProject::new(&[
        ("tenantlint.toml", CONFIG),
        ("Cargo.toml", CARGO),
        (
            "src/api/orders.rs",
            r#"use sqlx::PgPool;

pub async fn open(pool: &PgPool, tenant: i64, customer: i64) -> Vec<Order> {
    sqlx::query_file_as!(Order, "queries/open_orders.sql", tenant, customer)
        .fetch_all(pool)
        .await
        .unwrap()
}

pub async fn count(pool: &PgPool, tenant: i64) -> i64 {
    sqlx::query_file_scalar!("queries/count.sql", tenant)
        .fetch_one(pool)
        .await
        .unwrap()
}
"#,
        ),
        (
            "queries/open_orders.sql",
            "SELECT id, total FROM orders\nWHERE tenant_id = $1 AND customer_id = $2\n",
        ),
        (
            "queries/count.sql",
            "SELECT count(*) FROM orders WHERE tenant_id = $1",
        ),
    ])
    .check_json();
    assert_clean(&json, 2);
    assert_eq!(summary(&json, "files"), 3);
}

#[test]
fn include_str_without_the_tenant_predicate_is_tl001_in_the_sql_file() {
    let json = TempProject::new(&[
        ("tenantlint.toml", CONFIG),
        ("Cargo.toml", CARGO),
        (
            "src/repo/mod.rs",
            r#"use sqlx::PgPool;

const ALL_ORDERS: &str = include_str!("all_orders.sql");

pub async fn all(pool: &PgPool) -> Vec<Order> {
    sqlx::query_as(ALL_ORDERS).fetch_all(pool).await.unwrap()
}

pub async fn by_customer(pool: &PgPool, customer: i64) -> Vec<Order> {
    sqlx::query_as(include_str!("../../sql/by_customer.sql"))
        .bind(customer)
        .fetch_all(pool)
        .await
        .unwrap()
}
"#,
        ),
        ("src/repo/all_orders.sql", "SELECT * FROM orders\n"),
        (
            "sql/by_customer.sql",
            "SELECT *\nFROM invoices WHERE customer_id = $1",
        ),
    ])
    .check_json();
    assert_eq!(
        findings(&json),
        vec![
            common::f("TL001", "sql/by_customer.sql", 2),
            common::f("TL001", "src/repo/all_orders.sql", 1),
        ],
        "{json:#}"
    );
    let by_customer = &json["findings"][0];
    assert_eq!(place(by_customer), ("sql/by_customer.sql".into(), 2, 6));
    assert_eq!(trace(by_customer), vec![run_here("src/repo/mod.rs", 10, 5)]);
    let all = &json["findings"][1];
    assert_eq!(place(all), ("src/repo/all_orders.sql".into(), 1, 15));
    assert_eq!(trace(all), vec![run_here("src/repo/mod.rs", 6, 5)]);
    assert_eq!(summary(&json, "files"), 3);
    assert_eq!(summary(&json, "unanalyzed"), 0);
}

#[test]
fn include_str_with_the_tenant_predicate_bound_is_clean() {
    let json = TempProject::new(&[
        ("tenantlint.toml", CONFIG),
        (
            "src/repo.rs",
            r#"use sqlx::PgPool;

const ORDERS: &str = include_str!("orders.sql");

pub async fn orders(pool: &PgPool, tenant: i64) -> Vec<Order> {
    sqlx::query_as(ORDERS).bind(tenant).fetch_all(pool).await.unwrap()
}

pub async fn recent(pool: &PgPool, tenant: i64) -> Vec<Order> {
    let sql = format!("{} ORDER BY id DESC LIMIT 10", include_str!("orders.sql"));
    sqlx::query_as(&sql).bind(tenant).fetch_all(pool).await.unwrap()
}
"#,
        ),
        (
            "src/orders.sql",
            "SELECT * FROM orders WHERE tenant_id = $1",
        ),
    ])
    .check_json();
    assert_clean(&json, 2);
}

#[test]
fn include_str_joined_to_other_text_is_located_at_the_macro() {
    let json = TempProject::new(&[
        ("tenantlint.toml", CONFIG),
        (
            "src/repo.rs",
            r#"use sqlx::PgPool;

pub async fn recent(pool: &PgPool) -> Vec<Order> {
    let sql = format!("{} ORDER BY id DESC LIMIT 10", include_str!("orders.sql"));
    sqlx::query_as(&sql).fetch_all(pool).await.unwrap()
}
"#,
        ),
        ("src/orders.sql", "SELECT * FROM orders"),
    ])
    .check_json();
    assert_eq!(
        findings(&json),
        vec![common::f("TL001", "src/repo.rs", 4)],
        "{json:#}"
    );
    assert_eq!(json["findings"][0]["column"], 55);
}

#[test]
fn one_sql_file_run_from_two_calls_is_one_query_with_both_calls_traced() {
    let json = TempProject::new(&[
        ("tenantlint.toml", CONFIG),
        ("Cargo.toml", CARGO),
        (
            "src/a.rs",
            "pub async fn a(p: &sqlx::PgPool) {\n    sqlx::query_file!(\"q/all.sql\").execute(p).await;\n}\n",
        ),
        (
            "src/b.rs",
            "pub async fn b(p: &sqlx::PgPool) {\n    sqlx::query_file_unchecked!(\"q/all.sql\").execute(p).await;\n}\n",
        ),
        ("q/all.sql", "DELETE FROM orders"),
    ])
    .check_json();
    assert_eq!(
        findings(&json),
        vec![common::f("TL001", "q/all.sql", 1)],
        "{json:#}"
    );
    assert_eq!(
        trace(&json["findings"][0]),
        vec![run_here("src/a.rs", 2, 5), run_here("src/b.rs", 2, 5)]
    );
    assert_eq!(summary(&json, "sql_sites"), 1);
    assert_eq!(summary(&json, "files"), 3);
}

#[test]
fn a_missing_sql_file_leaves_its_query_unanalyzed_with_why() {
    let project = TempProject::new(&[
        ("tenantlint.toml", CONFIG),
        ("Cargo.toml", CARGO),
        (
            "src/orders.rs",
            r#"use sqlx::PgPool;

pub async fn open(pool: &PgPool, tenant: i64) -> Vec<Order> {
    sqlx::query_file_as!(Order, "queries/missing.sql", tenant)
        .fetch_all(pool)
        .await
        .unwrap()
}

pub async fn all(pool: &PgPool) -> Vec<Order> {
    sqlx::query(include_str!("gone.sql")).fetch_all(pool).await.unwrap()
}
"#,
        ),
    ]);
    // check_json asserts the exit code follows the findings: none here, so 0.
    let json = project.check_json();
    assert_eq!(findings(&json), vec![], "{json:#}");
    assert_eq!(summary(&json, "sql_sites"), 2);
    assert_eq!(summary(&json, "unanalyzed"), 2);
    assert_eq!(summary(&json, "files"), 1);
    let unanalyzed = json["unanalyzed"].as_array().unwrap();
    let places: Vec<(String, u64)> = unanalyzed
        .iter()
        .map(|u| {
            (
                u["file"].as_str().unwrap().to_string(),
                u["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        places,
        vec![
            ("src/orders.rs".to_string(), 4),
            ("src/orders.rs".into(), 11)
        ]
    );
    let reason = unanalyzed[0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("the SQL file `queries/missing.sql`")
            && reason.contains("could not be read"),
        "{reason}"
    );
    assert!(
        unanalyzed[1]["reason"]
            .as_str()
            .unwrap()
            .contains("`src/gone.sql`"),
        "{json:#}"
    );

    // Unanalyzed sites do not fail the run; a finding elsewhere does, as usual.
    project.write(
        "src/more.rs",
        "fn f(c: &Client) {\n    c.query(\"SELECT * FROM orders\", &[]);\n}\n",
    );
    let json = project.check_json();
    assert_eq!(findings(&json), vec![common::f("TL001", "src/more.rs", 2)]);
    assert_eq!(summary(&json, "unanalyzed"), 2);
}

#[test]
fn query_file_without_a_crate_root_is_unanalyzed() {
    let json = TempProject::new(&[
        ("tenantlint.toml", CONFIG),
        (
            "src/orders.rs",
            "pub async fn a(p: &sqlx::PgPool) {\n    sqlx::query_file!(\"q/all.sql\").execute(p).await;\n}\n",
        ),
        ("q/all.sql", "DELETE FROM orders"),
    ])
    .check_json();
    // The temp directory may sit below a directory with a `Cargo.toml`; either way, nothing is
    // silent.
    let unanalyzed = summary(&json, "unanalyzed");
    let found = findings(&json).len() as u64;
    assert_eq!(unanalyzed + found, 1, "{json:#}");
    assert_eq!(summary(&json, "sql_sites"), 1);
}

#[test]
fn sql_files_found_while_walking_are_not_scanned() {
    let json = TempProject::new(&[
        ("tenantlint.toml", CONFIG),
        ("Cargo.toml", CARGO),
        (
            "src/main.rs",
            "fn main() {\n    run(\"SELECT * FROM orders WHERE tenant_id = 1\");\n}\n",
        ),
        ("queries/unused.sql", "SELECT * FROM orders\n"),
        (
            "migrations/0001_init.sql",
            "CREATE TABLE orders (id int);\n",
        ),
    ])
    .check_json();
    assert_clean(&json, 1);
    assert_eq!(summary(&json, "files"), 1);
}

#[test]
fn the_workspace_service_fixture_reports_its_query_file() {
    let root = crate_root();
    let (code, stdout, stderr) = run_in(
        &root,
        &["check", "fixtures/workspace-service", "--format", "json"],
    );
    assert_eq!(code, 1, "{stderr}");
    let json: Value = serde_json::from_str(&stdout).unwrap();
    let finding = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["file"] == "fixtures/workspace-service/queries/open_tasks.sql")
        .unwrap_or_else(|| panic!("no finding in the SQL file:\n{json:#}"));
    assert_eq!(finding["rule"], "TL001");
    assert_eq!(finding["table"], "tasks");
    assert_eq!(
        (finding["line"].as_u64(), finding["column"].as_u64()),
        (Some(3), Some(6))
    );
    assert_eq!(
        trace(finding),
        vec![run_here(
            "fixtures/workspace-service/src/handlers.rs",
            151,
            17
        )]
    );
}

#[test]
fn a_directive_in_the_sql_file_silences_its_finding() {
    let json = TempProject::new(&[
        ("tenantlint.toml", CONFIG),
        ("Cargo.toml", CARGO),
        (
            "src/admin.rs",
            "pub async fn all(p: &sqlx::PgPool) {\n    sqlx::query_file!(\"queries/all.sql\").execute(p).await;\n}\n",
        ),
        (
            "queries/all.sql",
            "-- Every tenant's orders, for the operators' console.\n-- tenantlint-ignore TL001: operators see all tenants\nSELECT *\nFROM orders\n",
        ),
    ])
    .check_json();
    assert_eq!(findings(&json), vec![], "{json:#}");
    assert_eq!(summary(&json, "suppressed"), 1);
    let suppressed = &json["suppressed"][0];
    assert_eq!(suppressed["file"], "queries/all.sql");
    assert_eq!(suppressed["directive_line"], 2);
    assert_eq!(suppressed["reason"], "operators see all tenants");
}

//! Request values in Rust services end to end (TL003, TL004): axum and actix handlers checked by
//! the `tenantlint` binary, and the workspace-service fixture.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{assert_clean, assert_findings, check_files, crate_root, findings, run_in};

const CONFIG: &str = "[tenant]\ncolumn = \"workspace_id\"\ntables = [\"*\"]\nexempt = [\"workspaces\"]\n\n[sources]\ntenant_param = [\"workspace_id\"]\n";

#[test]
fn a_host_pasted_into_sql_text_is_tl003_in_the_helper_that_pastes_it() {
    let json = check_files(&[
        ("tenantlint.toml", CONFIG),
        (
            "src/tenant.rs",
            r#"use sqlx::PgPool;

pub fn subdomain(host: &str) -> String {
    host.split('.').next().unwrap_or_default().to_lowercase()
}

pub async fn find(pool: &PgPool, sub: &str) -> Option<i64> {
    let sql = format!("SELECT id FROM workspaces WHERE slug = '{sub}'");
    sqlx::query_scalar(&sql).fetch_optional(pool).await.ok().flatten()
}
"#,
        ),
        (
            "src/handlers.rs",
            r#"use axum::extract::{Host, State};
use sqlx::PgPool;

use crate::tenant::{find, subdomain};

pub async fn home(State(pool): State<PgPool>, Host(host): Host) -> String {
    let sub = subdomain(&host);
    let id = find(&pool, &sub).await;
    format!("{id:?}")
}
"#,
        ),
    ]);
    // The host reaches `find`'s SQL text: reported at the argument in the caller.
    assert_findings(&json, &[("TL003", "src/handlers.rs", 8)]);
}

#[test]
fn a_header_host_is_tl003_and_bound_or_whitelisted_it_is_clean() {
    let json = check_files(&[
        ("tenantlint.toml", CONFIG),
        (
            "src/lib.rs",
            r#"use axum::http::{header, HeaderMap};
use sqlx::PgPool;

const HOSTS: [&str; 2] = ["a.example.com", "b.example.com"];

pub async fn pasted(headers: HeaderMap, pool: &PgPool) {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    let slug = host.split('.').next().unwrap_or("");
    sqlx::query(&format!("SELECT id FROM workspaces WHERE slug = '{slug}'"))
        .execute(pool)
        .await
        .ok();
}

pub async fn bound(headers: HeaderMap, pool: &PgPool) {
    let host = headers.get("host").and_then(|v| v.to_str().ok()).unwrap_or("");
    sqlx::query("SELECT id FROM workspaces WHERE host = $1")
        .bind(host)
        .execute(pool)
        .await
        .ok();
}

pub async fn listed(headers: HeaderMap, pool: &PgPool) -> Result<(), String> {
    let host = headers.get("host").and_then(|v| v.to_str().ok()).unwrap_or("");
    if !HOSTS.contains(&host) {
        return Err("unknown host".into());
    }
    sqlx::query(&format!("SELECT id FROM workspaces WHERE host = '{host}'"))
        .execute(pool)
        .await
        .ok();
    Ok(())
}
"#,
        ),
    ]);
    assert_findings(&json, &[("TL003", "src/lib.rs", 9)]);
}

#[test]
fn a_tenant_param_from_the_request_is_tl004_unless_checked() {
    let json = check_files(&[
        ("tenantlint.toml", CONFIG),
        (
            "src/lib.rs",
            r#"use axum::extract::{Path, Query};
use sqlx::PgPool;

pub struct Params {
    pub workspace_id: i64,
}

pub async fn unchecked(Query(q): Query<Params>, pool: &PgPool) {
    sqlx::query("SELECT * FROM tasks WHERE workspace_id = $1")
        .bind(q.workspace_id)
        .fetch_all(pool)
        .await
        .ok();
}

pub async fn checked(
    Path(workspace_id): Path<i64>,
    session: Session,
    pool: &PgPool,
) -> Result<(), String> {
    if workspace_id != session.workspace_id {
        return Err("forbidden".into());
    }
    sqlx::query!("SELECT * FROM tasks WHERE workspace_id = $1", workspace_id)
        .fetch_all(pool)
        .await
        .ok();
    Ok(())
}

pub async fn stored(Path((workspace_id, id)): Path<(i64, i64)>) -> Task {
    Task { workspace_id, id }
}
"#,
        ),
    ]);
    assert_findings(
        &json,
        &[("TL004", "src/lib.rs", 10), ("TL004", "src/lib.rs", 31)],
    );
}

#[test]
fn a_guard_followed_by_the_question_mark_checks_the_tenant_param() {
    let files = |call: &str| {
        vec![
            ("tenantlint.toml".to_string(), CONFIG.to_string()),
            (
                "src/lib.rs".to_string(),
                format!(
                    r#"use axum::extract::Path;
use sqlx::PgPool;

pub async fn guard(pool: &PgPool, user: i64, workspace_id: i64) -> Result<(), String> {{
    let member: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM members WHERE workspace_id = $1 AND user_id = $2)",
    )
    .bind(workspace_id)
    .bind(user)
    .fetch_one(pool)
    .await
    .map_err(|e| e.to_string())?;
    if member != true {{
        return Err("forbidden".into());
    }}
    Ok(())
}}

pub async fn handler(Path(workspace_id): Path<i64>, pool: &PgPool) -> Result<(), String> {{
    {call}
    sqlx::query("SELECT * FROM tasks WHERE workspace_id = $1")
        .bind(workspace_id)
        .fetch_all(pool)
        .await
        .ok();
    Ok(())
}}
"#
                ),
            ),
        ]
    };
    let run = |call: &str| {
        let files = files(call);
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        check_files(&refs)
    };
    assert_clean(&run("guard(pool, 7, workspace_id).await?;"), 2);
    // The error ignored: no check.
    let json = run("let _ = guard(pool, 7, workspace_id).await;");
    assert_findings(&json, &[("TL004", "src/lib.rs", 19)]);
}

#[test]
fn the_workspace_service_fixture() {
    let root = crate_root().join("fixtures/workspace-service");
    let (_, out, err) = run_in(&root, &["check", ".", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&out).expect(&err);
    let found = findings(&json);
    let lines_of = |rule: &str, file: &str| -> Vec<u64> {
        found
            .iter()
            .filter(|(r, f, _)| r == rule && f.ends_with(file))
            .map(|(_, _, l)| *l)
            .collect()
    };
    let source = |file: &str| std::fs::read_to_string(root.join(file)).expect("fixture file");
    // The line range of a function of a fixture file.
    let function_lines = |file: &str, name: &str| {
        let text = source(file);
        let start = text
            .lines()
            .position(|l| l.contains(&format!("fn {name}(")))
            .expect("function in fixture") as u64
            + 1;
        let len = text
            .lines()
            .skip(start as usize)
            .position(|l| l.starts_with('}'))
            .expect("end of function") as u64;
        start..=start + len
    };
    // The host reaches SQL text in `workspace_for_host_pasted`: reported where the handler
    // passes it, with the helper named.
    let tl003 = lines_of("TL003", "src/handlers.rs");
    assert_eq!(tl003.len(), 1, "{json:#}");
    assert!(function_lines("src/handlers.rs", "workspace_name").contains(&tl003[0]));
    assert!(lines_of("TL003", "src/tenant.rs").is_empty(), "{json:#}");
    let tl004 = lines_of("TL004", "src/handlers.rs");
    assert_eq!(tl004.len(), 1, "{json:#}");
    assert!(function_lines("src/handlers.rs", "list_tasks").contains(&tl004[0]));
    assert!(!function_lines("src/handlers.rs", "add_member").contains(&tl004[0]));
    assert!(lines_of("TL004", "src/tenant.rs").is_empty(), "{json:#}");
}

#[test]
fn rusqlite_named_params_are_bound_values() {
    let json = check_files(&[
        ("tenantlint.toml", CONFIG),
        (
            "src/lib.rs",
            r#"use axum::extract::Query;
use rusqlite::{named_params, Connection};

#[derive(serde::Deserialize)]
pub struct Params {
    workspace_id: i64,
}

pub fn purge(Query(p): Query<Params>, conn: &Connection, host: &str) {
    conn.execute(
        "DELETE FROM tasks WHERE workspace_id = :ws AND slug = :slug",
        named_params! { ":ws": p.workspace_id, ":slug": host },
    )
    .ok();
}
"#,
        ),
    ]);
    // The tenant parameter bound by name is a tenant use, reported at its read.
    assert_findings(&json, &[("TL004", "src/lib.rs", 12)]);
}

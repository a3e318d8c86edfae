//! Unit tests of request values in the Rust front-end (TL003, TL004): Rust snippets lowered to
//! facts, summarised and run through the value rules as the engine does.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::facts::TaintOrigin;
use crate::rules::{run_value_rules, ValueContext, ValueUse};
use crate::taint::Summaries;

/// `(rule, line)` of every TL003/TL004 finding in a one-file project, sorted.
fn findings(src: &str) -> Vec<(&'static str, usize)> {
    let mut parser = rust_parser().expect("rust grammar");
    let options = crate::lang::FrontendOptions {
        tenant_params: vec!["workspace_id".into()],
        guards: vec!["verify_workspace".into()],
        sanitizers: vec!["escape_literal".into()],
        project_functions: Some(Arc::new(rust_project_names(src.as_bytes()))),
        ..crate::lang::FrontendOptions::default()
    };
    let f = analyze(&mut parser, src, &options);
    let summaries = Summaries::build(std::slice::from_ref(&f));
    let mut found = Vec::new();
    for site in f.sites.as_slice() {
        for variant in &site.variants {
            let holes: Vec<&Hole> = variant
                .iter()
                .filter_map(|p| match p {
                    Piece::Hole(h) => Some(h),
                    Piece::Text { .. } => None,
                })
                .collect();
            found.extend(run_value_rules(&ValueContext {
                file: 0,
                lang: Some(crate::discover::Lang::Rust),
                value: ValueUse::SqlText {
                    holes,
                    params: &site.params,
                    exec: site.exec,
                    sql: String::new(),
                },
                summaries: &summaries,
            }));
        }
    }
    found.extend(crate::check::request_value_findings(0, &f, &summaries));
    let line = |at: usize| src[..at].matches('\n').count() + 1;
    let mut out: Vec<(&'static str, usize)> = found
        .iter()
        .map(|f| (f.rule.code(), line(f.span.start)))
        .collect();
    out.sort();
    out.dedup();
    out
}

#[test]
fn the_host_extractor_in_sql_text_is_tl003_and_bound_it_is_clean() {
    let src = r#"
async fn pasted(State(pool): State<PgPool>, Host(host): Host) {
    let sql = format!("SELECT id FROM workspaces WHERE host = '{host}'");
    sqlx::query(&sql).fetch_one(&pool).await;
}
async fn bound(State(pool): State<PgPool>, Host(host): Host) {
    sqlx::query("SELECT id FROM workspaces WHERE host = $1").bind(&host).fetch_one(&pool).await;
    sqlx::query!("SELECT id FROM workspaces WHERE host = $1", host).fetch_one(&pool).await;
    client.query("SELECT id FROM workspaces WHERE host = $1", &[&host]).await;
}
"#;
    assert_eq!(findings(src), [("TL003", 3)]);
}

#[test]
fn typed_header_and_header_maps_are_host_sources() {
    let src = r#"
async fn typed(TypedHeader(host): TypedHeader<Host>, pool: &PgPool) {
    let name = host.hostname();
    sqlx::query(&format!("SELECT 1 FROM sites WHERE h = '{}'", name)).execute(pool).await;
}
async fn map(headers: HeaderMap, pool: &PgPool) {
    let h = headers.get("host").and_then(|v| v.to_str().ok()).unwrap_or_default();
    sqlx::query(&format!("SELECT 1 FROM sites WHERE h = '{h}'")).execute(pool).await;
}
async fn constant(headers: HeaderMap, pool: &PgPool) -> Result<(), E> {
    let h = headers.get(http::header::HOST).unwrap().to_str()?;
    sqlx::query(&format!("SELECT 1 FROM sites WHERE h = '{h}'")).execute(pool).await;
    Ok(())
}
async fn forwarded(req: Request, pool: &PgPool) {
    let h = req.headers().get("x-forwarded-host").unwrap().to_str().unwrap();
    sqlx::query(&format!("SELECT 1 FROM sites WHERE h = '{h}'")).execute(pool).await;
}
async fn other_header(headers: HeaderMap, pool: &PgPool) {
    let h = headers.get("accept").unwrap().to_str().unwrap();
    let cfg = settings.get("host").unwrap();
    sqlx::query(&format!("SELECT 1 FROM sites WHERE h = '{h}' AND c = '{cfg}'")).execute(pool).await;
}
"#;
    assert_eq!(
        findings(src),
        [("TL003", 4), ("TL003", 8), ("TL003", 12), ("TL003", 17)]
    );
}

#[test]
fn actix_connection_info_and_uri_hosts_are_sources() {
    let src = r#"
async fn a(req: HttpRequest, pool: web::Data<PgPool>) {
    let info = req.connection_info().host().to_string();
    let sub = info.split('.').next().unwrap_or("");
    sqlx::query(&format!("SELECT 1 FROM tenants WHERE sub = '{sub}'")).execute(pool.get_ref()).await;
}
async fn b(req: HttpRequest, pool: web::Data<PgPool>) {
    let h = req.uri().host().unwrap_or_default();
    let h = h.trim().to_lowercase().replace("www.", "");
    sqlx::query(&format!("SELECT 1 FROM tenants WHERE h = '{h}'")).execute(pool.get_ref()).await;
}
"#;
    assert_eq!(findings(src), [("TL003", 5), ("TL003", 10)]);
}

#[test]
fn the_host_passes_through_patterns_and_project_functions() {
    let src = r#"
fn subdomain(host: &str) -> Option<&str> {
    host.split_once('.').map(|(sub, _)| sub)
}
fn host_of(headers: &HeaderMap) -> String {
    headers.get("host").unwrap().to_str().unwrap().to_string()
}
fn lookup(pool: &PgPool, sub: &str) {
    sqlx::query(&format!("SELECT 1 FROM tenants WHERE sub = '{sub}'")).execute(pool);
}
async fn handler(Host(host): Host, headers: HeaderMap, pool: &PgPool) {
    let Some(sub) = subdomain(&host) else { return };
    sqlx::query(&format!("SELECT 1 FROM tenants WHERE sub = '{sub}'")).execute(pool);
    let h = host_of(&headers);
    sqlx::query(&format!("SELECT 1 FROM tenants WHERE h = '{h}'")).execute(pool);
    if let Some(first) = host.split('.').nth(0) {
        lookup(pool, first);
    }
}
"#;
    assert_eq!(findings(src), [("TL003", 13), ("TL003", 15), ("TL003", 17)]);
}

#[test]
fn a_whitelisted_parsed_or_escaped_host_is_clean() {
    let src = r#"
const ALLOWED: [&str; 2] = ["a.example.com", "b.example.com"];
async fn listed(Host(host): Host, pool: &PgPool) -> Result<(), E> {
    if !ALLOWED.contains(&host.as_str()) {
        return Err(E::Forbidden);
    }
    sqlx::query(&format!("SELECT 1 FROM sites WHERE h = '{host}'")).execute(pool).await;
    Ok(())
}
async fn compared(Host(host): Host, pool: &PgPool) {
    if host != "admin.example.com" {
        return;
    }
    sqlx::query(&format!("SELECT 1 FROM sites WHERE h = '{host}'")).execute(pool).await;
}
async fn escaped(Host(host): Host, pool: &PgPool) {
    let safe = escape_literal(&host);
    let n: i64 = host.split('.').next().unwrap().parse().unwrap();
    sqlx::query(&format!("SELECT 1 FROM sites WHERE h = {safe} AND n = {n}")).execute(pool).await;
}
async fn one_path(Host(host): Host, pool: &PgPool, strict: bool) {
    if strict && host != "admin.example.com" {
        return;
    }
    sqlx::query(&format!("SELECT 1 FROM sites WHERE h = '{host}'")).execute(pool).await;
}
"#;
    assert_eq!(findings(src), [("TL003", 25)]);
}

#[test]
fn request_extractor_fields_and_bindings_are_tenant_params() {
    let src = r#"
async fn query(Query(q): Query<Params>, pool: &PgPool) {
    sqlx::query("SELECT * FROM tasks WHERE workspace_id = $1").bind(q.workspace_id).fetch_all(pool).await;
    sqlx::query("SELECT * FROM tasks WHERE id = $1").bind(q.id).fetch_all(pool).await;
}
async fn scalar(Path(workspace_id): Path<Uuid>, pool: &PgPool) {
    sqlx::query!("SELECT * FROM tasks WHERE workspace_id = $1", workspace_id).fetch_all(pool).await;
}
async fn tuple(
    Path((workspace_id, id)): Path<(Uuid, Uuid)>,
    pool: &PgPool,
) {
    let sql = format!("SELECT * FROM tasks WHERE workspace_id = '{workspace_id}' AND id = '{id}'");
    sqlx::query(&sql).fetch_all(pool).await;
}
async fn actix(form: web::Form<NewTask>, pool: &PgPool) {
    let task = Task { workspace_id: form.workspace_id, title: form.title.clone() };
}
async fn header(headers: HeaderMap) -> String {
    headers.get("workspace_id").unwrap().to_str().unwrap().to_string()
}
fn store(ws: Uuid) {}
async fn json(Json(body): Json<NewTask>) {
    store(body.workspace_id);
}
async fn other(Path(id): Path<Uuid>, workspace_id: Uuid, pool: &PgPool) {
    sqlx::query!("SELECT * FROM tasks WHERE workspace_id = $1 AND id = $2", workspace_id, id).fetch_all(pool).await;
}
"#;
    assert_eq!(
        findings(src),
        [
            ("TL004", 3),
            ("TL004", 6),
            ("TL004", 10),
            ("TL004", 17),
            ("TL004", 20),
            ("TL004", 24),
        ]
    );
}

#[test]
fn a_comparison_that_leaves_on_mismatch_checks_the_tenant_param() {
    let src = r#"
async fn compared(Path(workspace_id): Path<Uuid>, session: Session, pool: &PgPool) -> Result<(), E> {
    if workspace_id != session.workspace_id {
        return Err(E::Forbidden);
    }
    sqlx::query!("SELECT * FROM tasks WHERE workspace_id = $1", workspace_id).fetch_all(pool).await;
    Ok(())
}
async fn ensured(Query(q): Query<P>, user: User, pool: &PgPool) -> anyhow::Result<()> {
    ensure!(q.workspace_id == user.workspace_id, "wrong workspace");
    sqlx::query!("SELECT * FROM tasks WHERE workspace_id = $1", q.workspace_id).fetch_all(pool).await;
    Ok(())
}
async fn bailed(Path(workspace_id): Path<Uuid>, user: User) -> anyhow::Result<Task> {
    if user.workspace_id != workspace_id {
        bail!("forbidden");
    }
    Ok(Task { workspace_id, title: String::new() })
}
async fn asserted(Path(workspace_id): Path<Uuid>, user: User) -> Task {
    assert_eq!(workspace_id, user.workspace_id);
    Task { workspace_id, title: String::new() }
}
async fn err_try(Path(workspace_id): Path<Uuid>, user: User) -> Result<Task, E> {
    if workspace_id != user.workspace_id {
        Err(E::Forbidden)?;
    }
    Ok(Task { workspace_id, title: String::new() })
}
async fn one_path(Path(workspace_id): Path<Uuid>, user: User, strict: bool) -> Task {
    if strict {
        if workspace_id != user.workspace_id {
            panic!("forbidden");
        }
    }
    Task { workspace_id, title: String::new() }
}
async fn no_leave(Path(workspace_id): Path<Uuid>, user: User) -> Task {
    if workspace_id != user.workspace_id {
        log::warn!("mismatch");
    }
    Task { workspace_id, title: String::new() }
}
"#;
    assert_eq!(findings(src), [("TL004", 30), ("TL004", 38)]);
}

#[test]
fn guards_check_when_their_error_leaves() {
    let src = r#"
async fn enforce(pool: &PgPool, user: &Uuid, workspace_id: &Uuid) -> Result<(), E> {
    let member = sqlx::query_scalar!(
        "SELECT EXISTS (SELECT 1 FROM members WHERE workspace_id = $1 AND user_id = $2)",
        workspace_id,
        user
    )
    .fetch_one(pool)
    .await?;
    if member != Some(true) {
        return Err(E::Forbidden);
    }
    Ok(())
}
fn same(a: &Uuid, b: &Uuid) -> Result<(), E> {
    if a == b { Ok(()) } else { Err(E::Forbidden) }
}
async fn guarded(Path(workspace_id): Path<Uuid>, user: Uuid, pool: &PgPool) -> Result<(), E> {
    enforce(pool, &user, &workspace_id).await?;
    sqlx::query!("SELECT * FROM tasks WHERE workspace_id = $1", workspace_id).fetch_all(pool).await;
    Ok(())
}
async fn mapped(Query(q): Query<P>, user: User, pool: &PgPool) -> Result<(), E> {
    same(&q.workspace_id, &user.workspace_id).map_err(|_| E::Forbidden)?;
    sqlx::query!("SELECT * FROM tasks WHERE workspace_id = $1", q.workspace_id).fetch_all(pool).await;
    Ok(())
}
async fn configured(Path(workspace_id): Path<Uuid>, pool: &PgPool) {
    verify_workspace(&workspace_id);
    sqlx::query!("SELECT * FROM tasks WHERE workspace_id = $1", workspace_id).fetch_all(pool).await;
}
async fn ignored(Path(workspace_id): Path<Uuid>, user: Uuid, pool: &PgPool) {
    let _ = enforce(pool, &user, &workspace_id).await;
    sqlx::query!("SELECT * FROM tasks WHERE workspace_id = $1", workspace_id).fetch_all(pool).await;
}
"#;
    assert_eq!(findings(src), [("TL004", 32)]);
}

#[test]
fn summaries_record_returns_and_checked_params() {
    let mut parser = rust_parser().expect("rust grammar");
    let f = analyze(
        &mut parser,
        r#"
fn host_of(Host(host): Host) -> String { return host.to_lowercase(); }
fn check(ws: &Uuid, session: &Uuid) -> Result<(), E> {
    if ws != session { return Err(E::Forbidden); }
    Ok(())
}
fn not_always(ws: &Uuid, session: &Uuid, strict: bool) -> Result<(), E> {
    if strict && ws != session { return Err(E::Forbidden); }
    Ok(())
}
"#,
        &crate::lang::FrontendOptions::default(),
    );
    let summary = |name: &str| {
        f.functions
            .iter()
            .find(|s| &**s.name.name() == name)
            .unwrap()
    };
    assert!(summary("host_of").returns.iter().any(|t| matches!(
        t.origin,
        TaintOrigin::Source {
            kind: crate::facts::TaintKind::Host,
            ..
        }
    )));
    assert_eq!(summary("check").checked_params, [0, 1]);
    assert!(summary("not_always").checked_params.is_empty());
}

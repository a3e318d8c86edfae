//! Unit tests of the Rust front-end: Rust snippets lowered to facts.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::facts::FoldPiece;

fn facts(src: &str) -> FileFacts {
    let mut parser = rust_parser().expect("rust grammar");
    analyze(&mut parser, src, &crate::lang::FrontendOptions::default())
}

fn render(t: &Template) -> String {
    t.iter()
        .map(|p| match p {
            Piece::Text { text, .. } => text.to_string(),
            Piece::Hole(h) => format!("{{{}}}", h.expr.display()),
        })
        .collect()
}

/// Each site's variants rendered as text with holes shown as `{expr}`.
fn sites(src: &str) -> Vec<Vec<String>> {
    facts(src)
        .sites
        .as_slice()
        .iter()
        .map(|s| s.variants.iter().map(render).collect())
        .collect()
}

fn params(site: &SqlSite) -> Vec<(ParamMarker, String)> {
    site.params
        .iter()
        .map(|p| (p.marker.clone(), p.value.expr.display().to_string()))
        .collect()
}

#[test]
fn sqlx_functions_with_bind_chains() {
    let f = facts(
        r#"
async fn list(pool: &PgPool, tenant: i64, id: i64) {
    let rows = sqlx::query_as::<_, User>("SELECT * FROM users WHERE tenant_id = $1 AND id = $2")
        .bind(tenant)
        .bind(&id)
        .fetch_all(pool)
        .await?;
    query_scalar("SELECT count(*) FROM t").fetch_one(pool).await?;
}
"#,
    );
    assert_eq!(f.sites.as_slice().len(), 2);
    let s = &f.sites.as_slice()[0];
    assert_eq!(
        s.variants.iter().map(render).collect::<Vec<_>>(),
        vec!["SELECT * FROM users WHERE tenant_id = $1 AND id = $2"]
    );
    assert_eq!(s.dialect, Dialect::Postgres);
    assert_eq!(s.function, Some(FnKey::function("list")));
    assert_eq!(
        params(s),
        vec![
            (ParamMarker::Numbered(1), "tenant".to_string()),
            (ParamMarker::Numbered(2), "id".to_string())
        ]
    );
    // The site is the query call.
    let src_start = s.exec.start;
    assert!(src_start > 0);
    assert_eq!(
        render(&f.sites.as_slice()[1].variants[0]),
        "SELECT count(*) FROM t"
    );
    assert!(f.sites.as_slice()[1].params.is_empty());
}

#[test]
fn sqlx_macros_read_the_literal_and_the_bound_arguments() {
    let f = facts(
        r##"
impl Repo {
    async fn get(&self, t: &Tenant) {
        sqlx::query!("SELECT a FROM t WHERE tenant_id = $1 AND b = $2", t.id, self.b + 1)
            .fetch_one(&self.pool).await;
        let r = sqlx::query_as!(User, r#"SELECT "id" FROM users WHERE id = $1"#, id);
        query_scalar_unchecked!("DELETE FROM x");
    }
}
"##,
    );
    let rendered: Vec<Vec<String>> = f
        .sites
        .as_slice()
        .iter()
        .map(|s| s.variants.iter().map(render).collect())
        .collect();
    assert_eq!(
        rendered,
        vec![
            vec!["SELECT a FROM t WHERE tenant_id = $1 AND b = $2"],
            vec![r#"SELECT "id" FROM users WHERE id = $1"#],
            vec!["DELETE FROM x"],
        ]
    );
    assert_eq!(
        f.sites.as_slice()[0].function,
        Some(FnKey::method("Repo", "get"))
    );
    assert_eq!(
        params(&f.sites.as_slice()[0]),
        vec![
            (ParamMarker::Numbered(1), "t.id".to_string()),
            (ParamMarker::Numbered(2), "self.b + 1".to_string())
        ]
    );
    assert_eq!(
        params(&f.sites.as_slice()[1]),
        vec![(ParamMarker::Numbered(1), "id".to_string())]
    );
}

#[test]
fn format_strings_and_their_arguments() {
    let s = sites(
        r#"
const TABLE: &str = "orders";
fn q(id: i64, status: &str) {
    let name = "users";
    let sql = format!("SELECT * FROM {} JOIN {name} ON x = {0} WHERE s = {s} AND id = {{id}} AND {id}", TABLE, s = status);
    run(&sql);
}
"#,
    );
    assert_eq!(
        s,
        vec![vec![
            "SELECT * FROM orders JOIN users ON x = orders WHERE s = {status} AND id = {id} AND {id}"
        ]]
    );
}

#[test]
fn constants_of_other_files_are_paths_and_this_files_are_definitions() {
    let f = facts(
        r#"
pub const TENANTS: &str = "tenants";
impl Repo { const TABLE: &'static str = "repo_items"; }
fn q(pool: &PgPool) {
    let a = format!("SELECT * FROM {}", crate::schema::ORDERS);
    sqlx::query(&a).fetch_all(pool);
    let b = format!("SELECT * FROM {} WHERE x = 1", Self::TABLE);
    sqlx::query(&b);
}
"#,
    );
    let rendered: Vec<Vec<String>> = f
        .sites
        .as_slice()
        .iter()
        .map(|s| s.variants.iter().map(render).collect())
        .collect();
    assert_eq!(
        rendered,
        vec![
            vec!["SELECT * FROM {ORDERS}"],
            // `Self` outside an impl is not known: a constant the project may define.
            vec!["SELECT * FROM {Self::TABLE} WHERE x = 1"],
        ]
    );
    let defs: Vec<(String, Vec<FoldPiece>)> = f
        .consts
        .iter()
        .map(|c| (c.path.to_string(), c.value.clone()))
        .collect();
    assert!(defs.contains(&(
        "TENANTS".to_string(),
        vec![FoldPiece::Text("tenants".into())]
    )));
    assert!(defs.contains(&(
        "Repo::TABLE".to_string(),
        vec![FoldPiece::Text("repo_items".into())]
    )));
}

#[test]
fn a_const_query_is_a_site_where_it_is_used_or_else_where_it_is_defined() {
    let s = sites(
        r#"
const USED: &str = "SELECT * FROM a";
static UNUSED: &str = "DELETE FROM b";
fn f(pool: &PgPool) { sqlx::query(USED).execute(pool); }
"#,
    );
    assert_eq!(s, vec![vec!["SELECT * FROM a"], vec!["DELETE FROM b"]]);
}

#[test]
fn branches_merge_into_variants() {
    let s = sites(
        r#"
fn f(admin: bool, tenant: i64, kind: Kind) {
    let mut sql = String::from("SELECT * FROM users WHERE 1 = 1");
    if !admin {
        sql += " AND tenant_id = $1";
    }
    let order = match kind {
        Kind::A => " ORDER BY a",
        _ => " ORDER BY b",
    };
    sql.push_str(order);
    sqlx::query(&sql).bind(tenant);
}
"#,
    );
    assert_eq!(s.len(), 1);
    let mut v = s[0].clone();
    v.sort();
    assert_eq!(
        v,
        vec![
            "SELECT * FROM users WHERE 1 = 1 AND tenant_id = $1 ORDER BY a",
            "SELECT * FROM users WHERE 1 = 1 AND tenant_id = $1 ORDER BY b",
            "SELECT * FROM users WHERE 1 = 1 ORDER BY a",
            "SELECT * FROM users WHERE 1 = 1 ORDER BY b",
        ]
    );
}

#[test]
fn if_let_and_shadowing_and_block_scope() {
    let s = sites(
        r#"
fn f(filter: Option<&str>) {
    let sql = "SELECT * FROM a";
    {
        let sql = "SELECT * FROM inner_only";
        let _ = sql.len();
    }
    let sql = if let Some(x) = filter { format!("{sql} WHERE {x}") } else { sql.to_string() };
    run(&sql);
}
"#,
    );
    // The inner `sql` is its block's own: the outer one is back after it.
    assert_eq!(s.len(), 1, "{s:?}");
    let mut v = s[0].clone();
    v.sort();
    assert_eq!(v, vec!["SELECT * FROM a", "SELECT * FROM a WHERE {x}"]);
}

#[test]
fn strings_raw_escaped_concat_and_plus() {
    let f = facts(
        r####"
fn f(t: &str) -> String {
    let a = "SELECT \"id\"\n FROM t \
             WHERE x = 1";
    run(a);
    let b = concat!("DELETE ", "FROM b");
    run(b);
    let c = "UPDATE c SET x = 1".to_owned() + " WHERE id = " + &t.to_string();
    run(c);
    let d = br#"INSERT INTO d (a) VALUES (1)"#;
    run(d);
    let mut e = String::new();
    write!(e, "SELECT * FROM {}", t);
    writeln!(&mut e, " WHERE y = 2");
    e
}
"####,
    );
    let rendered: Vec<String> = f
        .sites
        .as_slice()
        .iter()
        .map(|s| render(&s.variants[0]))
        .collect();
    assert_eq!(
        rendered,
        vec![
            "SELECT \"id\"\n FROM t WHERE x = 1",
            "DELETE FROM b",
            "UPDATE c SET x = 1 WHERE id = {t}",
            "INSERT INTO d (a) VALUES (1)",
            "SELECT * FROM {t} WHERE y = 2\n",
        ]
    );
    // Escapes change byte positions: those pieces are not linear; raw text is.
    let first = &f.sites.as_slice()[0].variants[0];
    assert!(first
        .iter()
        .any(|p| matches!(p, Piece::Text { linear: false, .. })));
    assert!(matches!(
        f.sites.as_slice()[3].variants[0].as_slice(),
        [Piece::Text { linear: true, .. }]
    ));
}

#[test]
fn client_methods_bind_slices_and_params() {
    let f = facts(
        r#"
async fn pg(client: &Client, t: i64, id: i64) {
    client.query("SELECT * FROM a WHERE tenant_id = $1 AND id = $2", &[&t, &id]).await?;
    client.execute(&stmt, &[&t]).await?;
}
"#,
    );
    assert_eq!(f.sites.as_slice().len(), 1);
    assert_eq!(
        params(&f.sites.as_slice()[0]),
        vec![
            (ParamMarker::Numbered(1), "t".to_string()),
            (ParamMarker::Numbered(2), "id".to_string())
        ]
    );
    let f = facts(
        r#"
use rusqlite::{params, Connection};
fn lite(conn: &Connection, t: i64) {
    conn.execute("DELETE FROM a WHERE tenant_id = ?1", params![t])?;
    conn.query_row("SELECT x FROM b WHERE tenant_id = ?", [t], |r| r.get(0))?;
}
"#,
    );
    assert_eq!(f.sites.as_slice().len(), 2);
    assert!(f
        .sites
        .as_slice()
        .iter()
        .all(|s| s.dialect == Dialect::Sqlite));
    assert_eq!(
        params(&f.sites.as_slice()[0]),
        vec![(ParamMarker::Ordered(0), "t".to_string())]
    );
}

#[test]
fn diesel_sea_orm_and_the_query_builder() {
    let f = facts(
        r#"
use sea_orm::{DbBackend, Statement};
fn d(t: i64) {
    diesel::sql_query("SELECT * FROM a WHERE tenant_id = $1").bind::<BigInt, _>(t).load(conn);
    let s = Statement::from_sql_and_values(DbBackend::MySql, "SELECT * FROM b WHERE tenant_id = ?", [t.into()]);
    let mut qb = QueryBuilder::<Postgres>::new("SELECT * FROM c WHERE tenant_id = ");
    qb.push_bind(t);
    qb.push(" AND x = 1");
    qb.build().fetch_all(pool);
}
"#,
    );
    let rendered: Vec<String> = f
        .sites
        .as_slice()
        .iter()
        .map(|s| render(&s.variants[0]))
        .collect();
    assert_eq!(
        rendered,
        vec![
            "SELECT * FROM a WHERE tenant_id = $1",
            "SELECT * FROM b WHERE tenant_id = ?",
            "SELECT * FROM c WHERE tenant_id = ? AND x = 1",
        ]
    );
    // The file names MySQL, so sqlx's builder writes `?`; sea-orm's backend is a literal.
    assert_eq!(f.sites.as_slice()[1].dialect, Dialect::MySql);
    assert_eq!(params(&f.sites.as_slice()[0]).len(), 1);
    assert_eq!(
        params(&f.sites.as_slice()[1]),
        vec![(ParamMarker::Ordered(0), "t.into()".to_string())]
    );
    assert_eq!(params(&f.sites.as_slice()[2]).len(), 1);
}

#[test]
fn sql_passed_returned_or_stored_is_a_site() {
    let s = sites(
        r#"
fn wrapper_user(db: &Db) {
    db.fetch_rows("SELECT * FROM a");
    helper("UPDATE b SET x = 1", 3);
    let q = Query { sql: "DELETE FROM c" };
    log::info!("SELECT * FROM not_a_query_site");
}
fn build() -> String {
    if cond() { return "SELECT * FROM d".into(); }
    "SELECT * FROM e".to_string()
}
"#,
    );
    assert_eq!(
        s,
        vec![
            vec!["SELECT * FROM a"],
            vec!["UPDATE b SET x = 1"],
            vec!["DELETE FROM c"],
            vec!["SELECT * FROM d"],
            vec!["SELECT * FROM e"],
        ]
    );
}

#[test]
fn queries_inside_closures_and_join_macros_are_found() {
    let s = sites(
        r#"
async fn f(pool: &PgPool) {
    let (a, b) = tokio::try_join!(
        sqlx::query("SELECT * FROM a").fetch_all(pool),
        sqlx::query("SELECT * FROM b").fetch_all(pool),
    )?;
    let h = tokio::spawn(async move { sqlx::query("SELECT * FROM c").execute(pool).await });
    items.iter().map(|i| sqlx::query("SELECT * FROM d").bind(i));
}
"#,
    );
    assert_eq!(
        s,
        vec![
            vec!["SELECT * FROM a"],
            vec!["SELECT * FROM b"],
            vec!["SELECT * FROM c"],
            vec!["SELECT * FROM d"],
        ]
    );
}

#[test]
fn parameters_are_caller_fragments() {
    let f = facts(
        r#"
fn list(pool: &PgPool, filter: &str) { sqlx::query(&format!("SELECT * FROM a WHERE {filter}")); }
fn caller(pool: &PgPool) { list(pool, "tenant_id = 1"); }
"#,
    );
    let hole = f.sites.as_slice()[0].variants[0]
        .iter()
        .find_map(|p| match p {
            Piece::Hole(h) => Some(h.clone()),
            _ => None,
        })
        .unwrap();
    assert!(matches!(
        hole.taint[0].origin,
        crate::facts::TaintOrigin::Param(1)
    ));
    assert_eq!(f.fragment_calls.len(), 1);
    assert_eq!(f.fragment_calls[0].callee, FnKey::function("list"));
}

#[test]
fn bad_input_never_panics_and_deep_nesting_is_bounded() {
    let deep = format!(
        "fn f() {{ let x = {}1{}; sqlx::query(\"SELECT 1\"); }}",
        "(".repeat(5000),
        ")".repeat(5000)
    );
    let f = facts(&deep);
    assert!(!f.analysis_errors.is_empty());
    let plus = format!(
        "fn g() {{ let s = \"SELECT * FROM t\"{}; run(s); }}",
        " + \"x\"".repeat(5000)
    );
    facts(&plus);
    let broken =
        facts("fn f( { sqlx::query(\"SELECT * FROM a\"); }\nfn g() { run(\"DELETE FROM b\"); }");
    assert!(broken.parse_errors);
    assert!(broken
        .sites
        .as_slice()
        .iter()
        .any(|s| render(&s.variants[0]) == "DELETE FROM b"));
    for src in [
        "",
        "fn",
        "format!(",
        "r#\"",
        "fn f() { format!(\"{\", ) }",
        "'",
    ] {
        facts(src);
    }
}

#[test]
fn suppression_comments_cover_their_statement() {
    let f = facts(
        "fn f() {\n    // tenantlint-ignore TL001: admin report\n    run(\"SELECT * FROM a\");\n}\n",
    );
    assert_eq!(f.suppressions.len(), 1);
    assert!(!f.suppressions[0].covers.is_empty());
}

#[test]
fn kind_names_from_the_table_are_the_ones_tree_sitter_gives() {
    let src = r##"
use std::{fmt, io::Write as _};
#[derive(Debug)]
pub(crate) struct S<'a, T: Clone + 'a> { x: &'a [T; 3], y: Option<Box<dyn Fn(u8) -> u8>> }
enum E { A(u8), B { c: i64 } }
impl<T> Trait for S<'_, T> where T: Send {
    type Out = ();
    const N: usize = 1;
    async fn f(&mut self, (a, b): (i32, i32), ..: ()) -> Result<(), E> {
        let q = format!("SELECT * FROM t WHERE id = {}", a as u64);
        let r = r#"raw"#; let c = b'x'; let l = 'l';
        match self.y.take() { Some(f) if b > 0 => f(1), None | _ => 0..=2 };
        loop { break 'outer; }
        let v: Vec<_> = (0..3).map(|i| i * 2).collect::<Vec<u32>>();
        unsafe { std::ptr::null::<u8>(); }
        sqlx::query!("SELECT 1").fetch_one(&pool).await?;
        Ok(())
    }
}
macro_rules! m { ($x:expr) => { $x + 1 }; }
"##;
    let mut parser = rust_parser().expect("rust grammar");
    let tree = parser.parse(src, None).expect("parses");
    let nodes = crate::lang::all_nodes(&tree);
    for node in &nodes {
        assert_eq!(node.kind_name(), node.kind(), "kind id {}", node.kind_id());
    }
    assert!(nodes.len() > 300, "{} nodes", nodes.len());
}

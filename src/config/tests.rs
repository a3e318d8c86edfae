#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use std::sync::atomic::{AtomicUsize, Ordering};

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::from_toml_str(text, Path::new("tenantlint.toml"), PathBuf::from("/r"))
}

fn spanned_text<'a>(text: &'a str, err: &ConfigError) -> &'a str {
    let r = err.span().expect("error should carry a span");
    &text[r]
}

fn render(err: &ConfigError) -> String {
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .with_width(200);
    let mut out = String::new();
    handler.render_report(&mut out, err).unwrap();
    out
}

struct TempDir(PathBuf);
impl TempDir {
    fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let p = std::env::temp_dir().join(format!(
            "tl-config-{}-{}-{}",
            std::process::id(),
            tag,
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn defaults_are_exact() {
    let c = Config::default_at(PathBuf::from("/x"));
    assert_eq!(c.tenant.column, "ep_code");
    assert_eq!(c.tenant.tables, vec!["iw_*".to_string()]);
    assert_eq!(c.tenant.exempt, vec!["iw_enterprise".to_string()]);
    assert!(c.scan.exclude.is_empty());
    assert!(c.tables.is_empty());
    assert_eq!(c.root, PathBuf::from("/x"));
    assert_eq!(c.path, None);
    // An empty file is the same as no file (apart from path/root).
    let e = parse("").unwrap();
    assert_eq!(e.tenant, c.tenant);
    assert_eq!(e.scan, c.scan);
    assert_eq!(e.tables, c.tables);
}

#[test]
fn full_file() {
    let text = r#"
[tenant]
column = "ep_code"
tables = ["iw_*"]
exempt = ["iw_enterprise"]
[scan]
exclude = ["bbs/super/**"]
[tables]
"$iw['member_table']" = "iw_member"
"#;
    let c = parse(text).unwrap();
    assert_eq!(c.scan.exclude, vec!["bbs/super/**".to_string()]);
    assert_eq!(
        c.tables.get("$iw['member_table']").map(String::as_str),
        Some("iw_member")
    );
    assert_eq!(c.path.as_deref(), Some(Path::new("tenantlint.toml")));
    assert_eq!(c.root, PathBuf::from("/r"));
}

#[test]
fn partial_file_keeps_other_defaults() {
    let c = parse("[tenant]\ncolumn = \"company_id\"\n").unwrap();
    assert_eq!(c.tenant.column, "company_id");
    assert_eq!(c.tenant.tables, vec!["iw_*".to_string()]);
    assert_eq!(c.tenant.exempt, vec!["iw_enterprise".to_string()]);
    assert!(c.scan.exclude.is_empty());

    let c = parse("[scan]\nexclude = [\"adm/**\"]\n").unwrap();
    assert_eq!(c.tenant, TenantConfig::default());
    assert_eq!(c.scan.exclude, vec!["adm/**".to_string()]);

    // Explicitly empty lists are honoured, not replaced by defaults.
    let c = parse("[tenant]\nexempt = []\n").unwrap();
    assert!(c.tenant.exempt.is_empty());
}

#[test]
fn unknown_key_is_spanned() {
    let text = "[tenant]\ncolumn = \"ep_code\"\ncolumns = [\"x\"]\n";
    let err = parse(text).unwrap_err();
    assert!(matches!(err, ConfigError::Parse { .. }), "{err:?}");
    assert_eq!(spanned_text(text, &err), "columns");
    let code = miette::Diagnostic::code(&err).unwrap().to_string();
    assert_eq!(code, "tenantlint::config::parse");
}

#[test]
fn unknown_section_and_top_level_key() {
    let text = "[tenant]\n[lint]\nlevel = 1\n";
    let err = parse(text).unwrap_err();
    assert_eq!(spanned_text(text, &err), "lint");

    let text = "verbose = true\n";
    let err = parse(text).unwrap_err();
    assert_eq!(spanned_text(text, &err), "verbose");
}

#[test]
fn wrong_type_and_syntax_are_spanned() {
    let text = "[tenant]\ntables = \"iw_*\"\n";
    let err = parse(text).unwrap_err();
    assert!(matches!(err, ConfigError::Parse { .. }));
    assert_eq!(spanned_text(text, &err), "\"iw_*\"");

    let text = "[tenant\ncolumn = 1\n";
    let err = parse(text).unwrap_err();
    assert!(matches!(err, ConfigError::Parse { .. }));
    assert!(err.span().is_some());
}

#[test]
fn bad_glob_is_spanned_on_the_glob() {
    let text = "[tenant]\ntables = [\"iw_*\", \"iw_[abc\"]\n";
    let err = parse(text).unwrap_err();
    match &err {
        ConfigError::InvalidGlob { key, glob, .. } => {
            assert_eq!(*key, "tenant.tables");
            assert_eq!(glob, "iw_[abc");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(spanned_text(text, &err), "\"iw_[abc\"");

    let text = "[tenant]\nexempt = [\"{iw_enterprise\"]\n";
    let err = parse(text).unwrap_err();
    assert_eq!(spanned_text(text, &err), "\"{iw_enterprise\"");

    let text = "[scan]\nexclude = [\"ok/**\", \"a/[z-\"]\n";
    let err = parse(text).unwrap_err();
    assert!(matches!(
        err,
        ConfigError::InvalidGlob {
            key: "scan.exclude",
            ..
        }
    ));
    assert_eq!(spanned_text(text, &err), "\"a/[z-\"");

    let text = "[tenant]\ntables = [\"\"]\n";
    let err = parse(text).unwrap_err();
    assert_eq!(spanned_text(text, &err), "\"\"");
}

#[test]
fn bad_column_is_spanned() {
    for bad in ["ep-code", "1ep", "", "ep code", "t.ep_code", "`ep_code`"] {
        let text = format!("[tenant]\ncolumn = \"{bad}\"\n");
        let err = parse(&text).unwrap_err();
        assert!(matches!(err, ConfigError::InvalidColumn { .. }), "{bad}");
        assert_eq!(spanned_text(&text, &err), format!("\"{bad}\""));
    }
    for good in ["ep_code", "_tenant", "CompanyID2"] {
        let text = format!("[tenant]\ncolumn = \"{good}\"\n");
        assert_eq!(parse(&text).unwrap().tenant.column, good);
    }
}

#[test]
fn malformed_sources_are_spanned() {
    for bad in [
        "",
        "HTTP_HOST",
        "getenv('HTTP_HOST')",
        "$_SERVER['HTTP_HOST'",
        "$_SERVER['']",
        "$_SERVER['HTTP_HOST'] . 'x'",
        "$host",
        "$_SERVER->",
    ] {
        let text = format!("[sources]\nhost = [\"$_SERVER['SERVER_NAME']\", \"{bad}\"]\n");
        let err = parse(&text).unwrap_err();
        assert!(
            matches!(
                err,
                ConfigError::InvalidSource {
                    key: "sources.host",
                    ..
                }
            ),
            "{bad}: {err:?}"
        );
        assert_eq!(spanned_text(&text, &err), format!("\"{bad}\""), "{bad}");
    }
    for bad in ["", " ", "$_GET['ep']", "ep code", "'ep'", "ep]"] {
        let text = format!("[sources]\ntenant_param = [\"{bad}\"]\n");
        let err = parse(&text).unwrap_err();
        assert!(
            matches!(
                err,
                ConfigError::InvalidSource {
                    key: "sources.tenant_param",
                    ..
                }
            ),
            "{bad}: {err:?}"
        );
        assert_eq!(spanned_text(&text, &err), format!("\"{bad}\""), "{bad}");
    }
    // What the front-end can match is accepted, in the spellings it normalises.
    let text = r#"[sources]
host = ["$_SERVER['HTTP_HOST']", "$_SERVER[\"SERVER_NAME\"]", "{$_SERVER['X'][0]}", "$_ENV['h']->name"]
tenant_param = ["ep", "store_id", "ep-code"]
"#;
    let c = parse(text).unwrap();
    assert_eq!(c.taint.host.len(), 4);
    assert_eq!(c.taint.tenant_param, vec!["ep", "store_id", "ep-code"]);
}

#[test]
fn unknown_section_help_lists_every_section() {
    let err = parse("[source]\nhost = []\n").unwrap_err();
    let out = render(&err);
    for section in [
        "[tenant]",
        "[scan]",
        "[tables]",
        "[sources]",
        "[sanitizers]",
        "[checks]",
    ] {
        assert!(out.contains(section), "{section} missing from:\n{out}");
    }
}

#[test]
fn rendered_error_points_at_the_offending_text() {
    let text = "[tenant]\ncolumn = \"ep-code\"\ntables = [\"iw_*\"]\n";
    let err = parse(text).unwrap_err();
    let out = render(&err);
    assert!(out.contains("not a plain SQL identifier"), "{out}");
    assert!(out.contains("column = \"ep-code\""), "{out}");
    assert!(out.contains("tenantlint::config::column"), "{out}");
    assert!(out.contains("tenantlint.toml:2:10"), "{out}");

    let text = "[scan]\nexclude = [\"bbs/super/**\"]\nexcludes = []\n";
    let err = parse(text).unwrap_err();
    let out = render(&err);
    assert!(out.contains("unknown field `excludes`"), "{out}");
    assert!(out.contains("excludes = []"), "{out}");
    assert!(out.contains("tenantlint.toml:3:1"), "{out}");
}

#[test]
fn load_reports_io_error_with_path() {
    let dir = TempDir::new("io");
    let missing = dir.0.join("nope.toml");
    let err = Config::load(&missing).unwrap_err();
    match &err {
        ConfigError::Io { path, .. } => assert_eq!(path, &missing),
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(err.path(), missing.as_path());
}

#[test]
fn load_sets_root_and_path() {
    let dir = TempDir::new("load");
    let file = dir.0.join("custom.toml");
    std::fs::write(&file, "[tenant]\ncolumn = \"tenant_id\"\n").unwrap();
    let c = Config::load(&file).unwrap();
    assert_eq!(c.tenant.column, "tenant_id");
    assert_eq!(c.root, std::fs::canonicalize(&dir.0).unwrap());
    assert_eq!(c.path.as_deref(), Some(file.as_path()));
}

#[test]
fn discover_walks_up_to_parent_config() {
    let dir = TempDir::new("disc");
    let nested = dir.0.join("app/bbs/deep");
    std::fs::create_dir_all(&nested).unwrap();
    std::fs::write(
        dir.0.join("app").join(CONFIG_FILE_NAME),
        "[scan]\nexclude = [\"bbs/super/**\"]\n",
    )
    .unwrap();
    let file = nested.join("x.php");
    std::fs::write(&file, "<?php\n").unwrap();

    let app = std::fs::canonicalize(dir.0.join("app")).unwrap();
    for start in [nested.clone(), file] {
        let c = Config::discover(&start).unwrap();
        assert_eq!(c.scan.exclude, vec!["bbs/super/**".to_string()]);
        assert_eq!(c.root, app);
        assert_eq!(c.path, Some(app.join(CONFIG_FILE_NAME)));
    }
}

#[test]
fn discover_without_file_gives_defaults_at_start() {
    let dir = TempDir::new("nodisc");
    let c = Config::discover(&dir.0).unwrap();
    // There could, in principle, be a tenantlint.toml in some ancestor of
    // the temp dir; only assert the defaults when none was found.
    if c.path.is_none() {
        assert_eq!(c.root, std::fs::canonicalize(&dir.0).unwrap());
        assert_eq!(c.tenant, TenantConfig::default());
    }
}

#[test]
fn discover_propagates_errors() {
    let dir = TempDir::new("discerr");
    std::fs::write(dir.0.join(CONFIG_FILE_NAME), "[tenant]\nbogus = 1\n").unwrap();
    let err = Config::discover(&dir.0).unwrap_err();
    assert!(matches!(err, ConfigError::Parse { .. }));
}

#[test]
fn table_matcher_classifies_name_prefixes() {
    let m = TableMatcher::new(&["iw_*".to_string()], &["iw_enterprise".to_string()]);
    assert_eq!(m.classify_prefix("g5_write_"), Some(false));
    assert_eq!(m.classify_prefix("IW_board_"), Some(true));
    // `iw_e…` could be the exempt registry.
    assert_eq!(m.classify_prefix("iw_e"), None);
    assert_eq!(m.classify_prefix("i"), None);
    assert_eq!(m.classify_prefix(""), None);
}

#[test]
fn table_matcher() {
    let c = Config::default_at(PathBuf::from("/"));
    let m = c.tenant_tables();
    assert!(m.is_tenant("iw_member"));
    assert!(m.is_tenant("IW_MEMBER"));
    assert!(m.is_tenant("Iw_Board"));
    assert!(m.is_tenant("`iw_member`"));
    assert!(m.is_tenant("shop.iw_order"));
    assert!(m.is_tenant("`shop`.`iw_order`"));
    assert!(m.is_tenant("`my.db`.`iw_order`"));
    assert!(m.is_tenant("\"public\".\"iw_point\""));
    assert!(!m.is_tenant("iw_enterprise"));
    assert!(!m.is_tenant("IW_ENTERPRISE"));
    assert!(!m.is_tenant("db.`iw_enterprise`"));
    assert!(!m.is_tenant("g5_member"));
    assert!(!m.is_tenant("iw_member.x_log"));
    assert!(!m.is_tenant(""));
    assert!(!m.is_tenant("``"));

    let m = TableMatcher::new(
        &["iw_*".to_string(), "SHOP_*".to_string()],
        &["iw_enterprise".to_string(), "iw_config*".to_string()],
    );
    assert!(m.is_tenant("shop_cart"));
    assert!(!m.is_tenant("iw_config_site"));

    fn assert_send_sync<T: Send + Sync + Clone>(_: &T) {}
    assert_send_sync(&m);
    let m2 = m.clone();
    let h = std::thread::spawn(move || m2.is_tenant("iw_point"));
    assert!(h.join().unwrap());
}

#[test]
fn exclude_set_matches_relative_paths() {
    let mut c = Config::default_at(PathBuf::from("/"));
    c.scan.exclude = vec!["bbs/super/**".into(), "./adm/*.php".into()];
    let set = c.exclude_set();
    assert!(set.is_match("bbs/super/list.php"));
    assert!(set.is_match("bbs/super/a/b.php"));
    assert!(!set.is_match("bbs/list.php"));
    assert!(set.is_match("adm/point_delete.php"));
    assert!(!set.is_match("adm/sub/point_delete.php"));
}

//! Fingerprints identify a finding by what it is about, not where: the same findings get the
//! same fingerprints from another directory and after unrelated edits above them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{run_in, TempProject};
use serde_json::Value;

const CONFIG: &str = "[tenant]\ncolumn = \"ep_code\"\ntables = [\"iw_*\"]\n";

const PAGE: &str = r#"<?php
$row = sql_fetch("select * from iw_member where mb_id = 'a'");
$sub = explode('.', $_SERVER['HTTP_HOST'])[0];
$ent = sql_fetch("select * from iw_enterprise where ep_domain = '$sub'");
$ep = $_GET['ep'];
sql_query("update iw_point set po_point = 0 where ep_code = '$ep'");
"#;

/// (rule, fingerprint) of every finding, in report order.
fn prints(json: &Value) -> Vec<(String, String)> {
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().expect("rule").to_string(),
                f["fingerprint"].as_str().expect("fingerprint").to_string(),
            )
        })
        .collect()
}

fn json_of(cwd: &std::path::Path, path: &str) -> Value {
    let (code, stdout, stderr) = run_in(cwd, &["check", "--format", "json", path]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    serde_json::from_str(&stdout).expect("json")
}

#[test]
fn same_fingerprints_from_another_directory() {
    let p = TempProject::new(&[("tenantlint.toml", CONFIG), ("app/page.php", PAGE)]);
    let inside = prints(&json_of(&p.dir, "."));
    let from_app = prints(&json_of(&p.dir.join("app"), "."));
    let parent = p.dir.parent().expect("parent");
    let name = p.dir.file_name().expect("name").to_str().expect("utf-8");
    let from_parent = prints(&json_of(parent, name));
    let rules: Vec<&str> = inside.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(rules, ["TL001", "TL003", "TL004"], "{inside:?}");
    assert_eq!(inside, from_app);
    assert_eq!(inside, from_parent);
}

#[test]
fn same_fingerprints_after_unrelated_edits_above() {
    let p = TempProject::new(&[("tenantlint.toml", CONFIG), ("page.php", PAGE)]);
    let before = prints(&json_of(&p.dir, "."));
    // New findings of every rule earlier in the file, and lines that shift the rest.
    let edited = PAGE.replacen(
        "<?php\n",
        "<?php\n// a comment\n$x = sql_fetch(\"select * from iw_order where od_id = 1\");\n$h = $_SERVER['HTTP_HOST'];\nsql_query(\"select * from iw_enterprise where ep_domain = '$h'\");\n$e = $_GET['ep'];\nsql_query(\"delete from iw_cart where ep_code = '$e'\");\n\n",
        1,
    );
    p.write("page.php", &edited);
    let after = prints(&json_of(&p.dir, "."));
    assert_eq!(after.len(), before.len() + 3, "{after:?}");
    for finding in &before {
        assert!(after.contains(finding), "{finding:?} lost in {after:?}");
    }
}

#[test]
fn the_same_query_written_twice_has_two_fingerprints() {
    let twice = "<?php\nsql_query(\"select * from iw_member where mb_id = 'a'\");\nsql_fetch(\"select * from iw_member where mb_id = 'a'\");\n";
    let p = TempProject::new(&[("tenantlint.toml", CONFIG), ("page.php", twice)]);
    let json = json_of(&p.dir, ".");
    let found = prints(&json);
    assert_eq!(found.len(), 2, "{json:#}");
    assert_ne!(found[0].1, found[1].1);
    // Editing the query makes it a new finding.
    p.write("page.php", &twice.replace("'a'", "'b'"));
    let edited = prints(&json_of(&p.dir, "."));
    assert!(edited.iter().all(|f| !found.contains(f)), "{edited:?}");
}

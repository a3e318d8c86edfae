//! The command line: output formats, exit codes, configuration, options.

// Helpers outside `#[test]` functions panic on purpose: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{crate_root, findings, run_in, run_with_env, summary, without_timing, TempProject};

const UNSAFE: &str = "<?php\n$row = sql_fetch(\"SELECT * FROM iw_member WHERE mb_id = 'a'\");\n";
const SAFE: &str = "<?php\n$row = sql_fetch(\"SELECT * FROM iw_member WHERE ep_code = 'a'\");\n";

fn infoway(args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["check", "fixtures/infoway"];
    all.extend_from_slice(args);
    run_with_env(&crate_root(), &all, &[("NO_COLOR", "1")])
}

// ---------------------------------------------------------------------------------------------
// Snapshots of the sample application
// ---------------------------------------------------------------------------------------------

#[test]
fn snapshot_pretty_infoway() {
    let (code, stdout, stderr) = infoway(&[]);
    assert_eq!(code, 1, "stderr: {stderr}");
    assert!(
        !stdout.contains('\u{1b}'),
        "no colour when stdout is not a terminal"
    );
    insta::with_settings!({filters => vec![(r" in \d+ ms", " in [ELAPSED] ms")]}, {
        insta::assert_snapshot!(stdout);
    });
}

#[test]
fn snapshot_json_infoway() {
    let (code, stdout, stderr) = infoway(&["--format", "json"]);
    assert_eq!(code, 1, "stderr: {stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("JSON output");
    assert_eq!(summary(&json, "findings"), 18);
    insta::with_settings!({filters => vec![(r#""elapsed_ms": \d+"#, r#""elapsed_ms": "[ELAPSED]""#)]}, {
        insta::assert_snapshot!(stdout);
    });
}

#[test]
fn infoway_findings_match_the_unsafe_comments() {
    // The sample app marks each leaking query with a `// UNSAFE` comment: every file has
    // exactly as many findings as markers, and the excluded `bbs/super/` has none.
    let (_, stdout, _) = infoway(&["--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("JSON output");
    let reported = findings(&json);
    let root = crate_root();
    let mut total_markers = 0;
    for path in walk(&root.join("fixtures/infoway")) {
        let rel = path
            .strip_prefix(&root)
            .expect("under root")
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(&path).expect("read fixture");
        let markers = if rel.contains("bbs/super/") {
            0
        } else {
            text.lines().filter(|l| l.contains("// UNSAFE")).count()
        };
        total_markers += markers;
        let in_file = reported.iter().filter(|(_, f, _)| *f == rel).count();
        assert_eq!(in_file, markers, "findings in {rel}: {reported:?}");
    }
    assert_eq!(total_markers, 18);
    assert_eq!(reported.len(), 18);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "php") {
            out.push(path);
        }
    }
    out.sort();
    out
}

// ---------------------------------------------------------------------------------------------
// Exit codes
// ---------------------------------------------------------------------------------------------

#[test]
fn exit_1_with_findings() {
    let p = TempProject::new(&[("a.php", UNSAFE)]);
    let (code, stdout, _) = p.run(&["check"]);
    assert_eq!(code, 1);
    assert!(stdout.contains("TL001"), "{stdout}");
    assert!(
        stdout.contains("1 finding (TL000: 0, TL001: 1, TL002: 0, "),
        "{stdout}"
    );
}

#[test]
fn exit_0_on_clean_project() {
    let p = TempProject::new(&[("a.php", SAFE)]);
    let (code, stdout, stderr) = p.run(&["check"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.starts_with(
            "tenantlint: 1 file, 1 SQL site (0 unanalyzed), 0 with parse errors: 0 findings (TL000: 0, TL001: 0, TL002: 0, "
        ),
        "{stdout}"
    );
    let (code, stdout, _) = p.run(&["check", "--format", "json"]);
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(json["findings"], serde_json::json!([]));
    let by_rule = json["summary"]["by_rule"].as_object().expect("by_rule");
    assert!(
        by_rule.len() >= 2 && by_rule.values().all(|n| n == 0),
        "{by_rule:?}"
    );
}

#[test]
fn exit_0_when_only_unanalyzed() {
    let p = TempProject::new(&[(
        "a.php",
        "<?php\n$row = sql_fetch(\"SELECT * FROM {$unknown_table} WHERE id = 1\");\n",
    )]);
    let (code, stdout, _) = p.run(&["check"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("(1 unanalyzed)"), "{stdout}");
}

#[test]
fn default_path_is_current_directory() {
    let p = TempProject::new(&[("sub/a.php", UNSAFE), ("b.php", SAFE)]);
    let json = p.check_json();
    assert_eq!(summary(&json, "files"), 2);
    assert_eq!(findings(&json), vec![common::f("TL001", "sub/a.php", 2)]);
}

#[test]
fn exit_2_on_unknown_config_key() {
    let p = TempProject::new(&[
        ("a.php", UNSAFE),
        (
            "tenantlint.toml",
            "[tenant]\ncolumn = \"ep_code\"\ncolum = \"x\"\n",
        ),
    ]);
    let (code, stdout, stderr) = p.run(&["check"]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stdout.is_empty(), "no report on a config error: {stdout}");
    assert!(stderr.contains("colum"), "{stderr}");
    // Points into the file, at the offending line.
    assert!(stderr.contains("tenantlint.toml:3:1"), "{stderr}");
}

#[test]
fn exit_2_on_unknown_config_section() {
    let p = TempProject::new(&[("a.php", UNSAFE), ("tenantlint.toml", "[tenants]\n")]);
    let (code, _, stderr) = p.run(&["check", "--format", "json"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("tenants"), "{stderr}");
    assert!(stderr.contains("tenantlint.toml:1:"), "{stderr}");
}

#[test]
fn exit_2_on_bad_toml() {
    let p = TempProject::new(&[
        ("a.php", UNSAFE),
        ("tenantlint.toml", "[scan]\nexclude = [\"a/**\"\n"),
    ]);
    let (code, stdout, stderr) = p.run(&["check"]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("tenantlint.toml:"), "{stderr}");
}

#[test]
fn exit_2_on_invalid_tenant_column() {
    let p = TempProject::new(&[
        ("a.php", UNSAFE),
        ("tenantlint.toml", "[tenant]\ncolumn = \"ep code\"\n"),
    ]);
    let (code, _, stderr) = p.run(&["check"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("ep code"), "{stderr}");
}

#[test]
fn exit_2_on_missing_path() {
    let p = TempProject::new(&[("a.php", UNSAFE)]);
    let (code, stdout, stderr) = p.run(&["check", "no-such-dir"]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("no-such-dir"), "{stderr}");
    // Next to a path that exists: still a usage error, nothing scanned (a.php has a finding).
    let (code, stdout, stderr) = p.run(&["check", "a.php", "no-such-dir"]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("`no-such-dir`"), "{stderr}");
}

#[test]
fn exit_2_on_missing_explicit_config() {
    let p = TempProject::new(&[("a.php", UNSAFE)]);
    let (code, _, stderr) = p.run(&["check", "--config", "nope.toml"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("nope.toml"), "{stderr}");
}

#[test]
fn exit_2_on_bad_usage() {
    let p = TempProject::new(&[("a.php", UNSAFE)]);
    let (code, _, _) = p.run(&["check", "--format", "xml"]);
    assert_eq!(code, 2);
    let (code, _, _) = p.run(&["frobnicate"]);
    assert_eq!(code, 2);
}

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------

const SHOP_PHP: &str = r#"<?php
$a = sql_fetch("SELECT * FROM shop_member WHERE ep_code = 'x'");
$b = sql_fetch("SELECT * FROM shop_member WHERE store_id = 'x'");
$c = sql_fetch("SELECT * FROM iw_member WHERE mb_id = 'x'");
"#;
const SHOP_TOML: &str = "[tenant]\ncolumn = \"store_id\"\ntables = [\"SHOP_*\"]\n";

#[test]
fn explicit_config_is_used() {
    let p = TempProject::new(&[("src/a.php", SHOP_PHP), ("conf/my.toml", SHOP_TOML)]);
    // Defaults: only iw_member is a tenant table.
    let json = p.check_json();
    assert_eq!(findings(&json), vec![common::f("TL001", "src/a.php", 4)]);
    // Explicit config: store_id on shop_* (glob case-insensitive).
    let (code, stdout, _) = p.run(&["check", "--format", "json", "--config", "conf/my.toml"]);
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(findings(&json), vec![common::f("TL001", "src/a.php", 2)]);
}

#[test]
fn explicit_config_wins_over_discovered_one() {
    let p = TempProject::new(&[
        ("a.php", SHOP_PHP),
        ("tenantlint.toml", "[tenant]\ncolum = \"broken\"\n"),
        ("other.toml", SHOP_TOML),
    ]);
    let (code, stdout, stderr) = p.run(&["check", "--format", "json", "--config", "other.toml"]);
    assert_eq!(code, 1, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(findings(&json), vec![common::f("TL001", "a.php", 2)]);
}

#[test]
fn config_is_discovered_in_parent_of_scanned_path() {
    let p = TempProject::new(&[
        ("app/pages/a.php", SHOP_PHP),
        ("tenantlint.toml", SHOP_TOML),
    ]);
    let (code, stdout, _) = p.run(&["check", "--format", "json", "app/pages"]);
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(
        findings(&json),
        vec![common::f("TL001", "app/pages/a.php", 2)]
    );
    assert_eq!(json["summary"]["config"], "tenantlint.toml");
    // Named file by file: the same file applies to each.
    let (code, stdout, _) = p.run(&["check", "--format", "json", "app/pages/a.php", "."]);
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(
        findings(&json),
        vec![common::f("TL001", "app/pages/a.php", 2)]
    );
}

#[test]
fn exempt_config_is_honoured() {
    let p = TempProject::new(&[
        ("a.php", UNSAFE),
        ("tenantlint.toml", "[tenant]\nexempt = [\"iw_member\"]\n"),
    ]);
    let json = p.check_json();
    assert_eq!(findings(&json), vec![]);
    assert_eq!(summary(&json, "sql_sites"), 1);
}

#[test]
fn scan_exclude_is_honoured() {
    let p = TempProject::new(&[
        ("app/a.php", UNSAFE),
        ("app/super/b.php", UNSAFE),
        ("app/super/deep/c.php", UNSAFE),
        ("tenantlint.toml", "[scan]\nexclude = [\"app/super/**\"]\n"),
    ]);
    let json = p.check_json();
    assert_eq!(findings(&json), vec![common::f("TL001", "app/a.php", 2)]);
    assert_eq!(summary(&json, "files"), 1);
    // Globs are relative to the config's directory, also when scanning a subdirectory.
    let (code, stdout, _) = p.run(&["check", "--format", "json", "app"]);
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(findings(&json), vec![common::f("TL001", "app/a.php", 2)]);
}

// ---------------------------------------------------------------------------------------------
// Options and output details
// ---------------------------------------------------------------------------------------------

#[test]
fn show_unanalyzed_lists_unresolvable_table() {
    let p = TempProject::new(&[(
        "a.php",
        "<?php\n$t = pick_table();\n$row = sql_fetch(\"SELECT * FROM {$t} WHERE id = 1\");\n",
    )]);
    let (code, stdout, _) = p.run(&["check"]);
    assert_eq!(code, 0);
    assert!(!stdout.contains("a.php:3:"), "{stdout}");
    assert!(stdout.contains("(1 unanalyzed)"), "{stdout}");
    assert!(
        stdout.contains("--show-unanalyzed"),
        "the summary hints at the flag: {stdout}"
    );

    let (code, stdout, _) = p.run(&["check", "--show-unanalyzed"]);
    assert_eq!(code, 0);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("  a.php:3:"))
        .unwrap_or_else(|| panic!("no unanalyzed line for a.php:3:\n{stdout}"));
    assert!(
        line.contains("$t"),
        "the reason names the expression: {line}"
    );
}

// ---------------------------------------------------------------------------------------------
// Unanalyzed sites a user can act on
// ---------------------------------------------------------------------------------------------

/// A query whose table name is a variable nothing resolves.
const TABLE_NAME: &str =
    "<?php\n$row = sql_fetch(\"SELECT * FROM {$write_table} WHERE wr_id = 1\");\n";
/// A query the SQL parser rejects.
const SQL_PARSE: &str = "<?php\n$row = sql_fetch(\"SELECT * FROM iw_member WHERE ((( ep_code\");\n";
/// A fragment of unknown text where the tenant predicate could be.
const FRAGMENT: &str =
    "<?php\n$row = sql_fetch(\"SELECT * FROM iw_member WHERE 1 $sql_search\");\n";

/// The `unanalyzed` array as (file, line, kind), in report order.
fn unanalyzed(json: &serde_json::Value) -> Vec<(String, u64, String)> {
    json["unanalyzed"]
        .as_array()
        .expect("`unanalyzed` is an array")
        .iter()
        .map(|u| {
            (
                u["file"].as_str().expect("file").to_string(),
                u["line"].as_u64().expect("line"),
                u["kind"].as_str().expect("kind").to_string(),
            )
        })
        .collect()
}

fn u(file: &str, line: u64, kind: &str) -> (String, u64, String) {
    (file.to_string(), line, kind.to_string())
}

#[test]
fn json_unanalyzed_entries_have_a_kind() {
    let p = TempProject::new(&[
        ("a.php", TABLE_NAME),
        ("b.php", SQL_PARSE),
        ("c.php", FRAGMENT),
    ]);
    let json = p.check_json();
    assert_eq!(
        unanalyzed(&json),
        vec![
            u("a.php", 2, "table-name"),
            u("b.php", 2, "sql-parse"),
            u("c.php", 2, "fragment"),
        ]
    );
    // The reason is still there for people.
    assert!(
        json["unanalyzed"][0]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("$write_table")),
        "{json:#}"
    );
    assert_eq!(json["version"], 1);
    assert_eq!(
        json["summary"]["unanalyzed_by_kind"],
        serde_json::json!({
            "table-name": 1, "fragment": 1, "sql-parse": 1, "too-many-variants": 0, "unknown-path": 0
        })
    );
}

#[test]
fn pretty_summary_groups_unanalyzed_by_kind_and_directory() {
    let p = TempProject::new(&[
        ("admin_tool/a.php", TABLE_NAME),
        ("admin_tool/b.php", TABLE_NAME),
        ("admin_tool/sub/c.php", TABLE_NAME),
        ("app/d.php", SQL_PARSE),
        ("app/e.php", SAFE),
        ("f.php", FRAGMENT),
    ]);
    let (code, stdout, _) = p.run(&["check"]);
    assert_eq!(code, 0, "{stdout}");
    // After the summary line and the configuration line.
    let block: Vec<&str> = stdout
        .lines()
        .skip_while(|l| !l.starts_with("tenantlint: "))
        .skip(1)
        .filter(|l| *l != "config: defaults")
        .collect();
    assert_eq!(
        block.first().copied(),
        Some("unanalyzed: 5 queries could not be checked (--show-unanalyzed lists them)"),
        "{stdout}"
    );
    // One line per kind, largest first, each with its next step; the [tables] example names the
    // expression.
    let kinds: Vec<(&str, &str)> = block[1..4]
        .iter()
        .map(|l| {
            let mut words = l.split_whitespace();
            (words.next().unwrap_or(""), words.next().unwrap_or(""))
        })
        .collect();
    assert_eq!(
        kinds,
        vec![("3", "table-name"), ("1", "fragment"), ("1", "sql-parse")],
        "{stdout}"
    );
    assert!(
        block[1].contains(r#"[tables], e.g. "$write_table" = "…""#),
        "{stdout}"
    );
    // The directory holding most of them, with the exclude that would drop it.
    assert_eq!(
        block.get(4).copied(),
        Some(
            r#"  by directory: admin_tool/ (3) — if that is third-party code: [scan] exclude = ["admin_tool/**"]"#
        ),
        "{stdout}"
    );
    assert_eq!(block.len(), 5, "a compact block: {stdout}");

    // The suggested exclude does what it says.
    p.write("tenantlint.toml", "[scan]\nexclude = [\"admin_tool/**\"]\n");
    let json = p.check_json();
    assert_eq!(
        unanalyzed(&json),
        vec![u("app/d.php", 2, "sql-parse"), u("f.php", 2, "fragment")]
    );
}

#[test]
fn unanalyzed_directory_hint_is_relative_to_the_config() {
    // Scanned from a subdirectory: paths are shown from there, the glob is written for the
    // configuration file.
    let p = TempProject::new(&[
        ("web/vendor_copy/a.php", TABLE_NAME),
        ("web/vendor_copy/b.php", TABLE_NAME),
        ("web/app/c.php", SAFE),
        ("tenantlint.toml", "[tenant]\ncolumn = \"ep_code\"\n"),
    ]);
    let (code, stdout, _) = run_in(&p.dir.join("web/app"), &["check", ".."]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains(
            r#"  by directory: ../vendor_copy/ (2) — if that is third-party code: [scan] exclude = ["web/vendor_copy/**"]"#
        ),
        "{stdout}"
    );
}

#[test]
fn show_unanalyzed_groups_sites_by_kind() {
    let p = TempProject::new(&[
        ("a.php", TABLE_NAME),
        ("b.php", SQL_PARSE),
        ("c.php", TABLE_NAME),
    ]);
    let (code, stdout, _) = p.run(&["check", "--show-unanalyzed"]);
    assert_eq!(code, 0, "{stdout}");
    let listing: Vec<&str> = stdout
        .lines()
        .take_while(|l| !l.starts_with("tenantlint: "))
        .collect();
    assert_eq!(listing.len(), 5, "{stdout}");
    assert!(
        listing[0].starts_with("unanalyzed, table-name (2): "),
        "{stdout}"
    );
    assert!(
        listing[1].starts_with("  a.php:2:8: table name `$write_table` cannot be resolved"),
        "{stdout}"
    );
    assert!(listing[2].starts_with("  c.php:2:8: "), "{stdout}");
    assert!(
        listing[3].starts_with("unanalyzed, sql-parse (1): "),
        "{stdout}"
    );
    assert!(
        listing[4].starts_with("  b.php:2:8: the SQL could not be parsed"),
        "{stdout}"
    );
    // The summary block follows, without sending the user to the flag they already used.
    assert!(
        stdout.contains("unanalyzed: 3 queries could not be checked (listed above)"),
        "{stdout}"
    );
}

/// A query on `iw_member` with `appends` optional conditions: 2^appends ways to build it.
fn many_ways(appends: usize, tenant_predicate: bool) -> String {
    let mut php = String::from("<?php\n$sql = \"SELECT * FROM iw_member WHERE 1\";\n");
    if tenant_predicate {
        php.push_str("$sql .= \" AND ep_code = 'x'\";\n");
    }
    for n in 1..=appends {
        php.push_str(&format!("if ($a{n}) $sql .= \" AND c{n} = 1\";\n"));
    }
    php.push_str("$result = sql_query($sql);\n");
    php
}

#[test]
fn query_built_too_many_ways_is_unanalyzed() {
    // 64 ways, 32 of them checked: none leaks, but the rest were never looked at.
    let json = common::check_php(&many_ways(6, true));
    assert_eq!(findings(&json), vec![]);
    assert_eq!(
        unanalyzed(&json),
        vec![u("example.php", 10, "too-many-variants")]
    );
    assert_eq!(
        json["unanalyzed"][0]["reason"],
        "too many ways to build this query; 32 checked"
    );
    // 32 ways: all checked.
    common::assert_clean(&common::check_php(&many_ways(5, true)), 1);
    // The table is reported anyway: nothing more to learn from the other ways.
    common::assert_findings(
        &common::check_php(&many_ways(6, false)),
        &[("TL001", "example.php", 2)],
    );
}

#[test]
fn query_with_too_many_callers_fragments_is_unanalyzed() {
    let php = |callers: usize| {
        let mut php = String::from(
            "<?php\nfunction member_list($where) {\n    return sql_query(\"SELECT * FROM iw_member WHERE ep_code = 'x' AND $where\");\n}\n",
        );
        for n in 0..callers {
            php.push_str(&format!("member_list(\"mb_id = 'u{n}'\");\n"));
        }
        php
    };
    common::assert_clean(&common::check_php(&php(64)), 1);
    let json = common::check_php(&php(65));
    assert_eq!(findings(&json), vec![]);
    assert_eq!(
        unanalyzed(&json),
        vec![u("example.php", 3, "too-many-variants")]
    );
}

// ---------------------------------------------------------------------------------------------
// One finding per position, rule and table
// ---------------------------------------------------------------------------------------------

/// (rule, line, column, message) of every finding.
fn positions(json: &serde_json::Value) -> Vec<(String, u64, u64, String)> {
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().expect("rule").to_string(),
                f["line"].as_u64().expect("line"),
                f["column"].as_u64().expect("column"),
                f["message"].as_str().expect("message").to_string(),
            )
        })
        .collect()
}

#[test]
fn query_run_again_after_append_is_one_finding() {
    for php in [
        // Run in a loop that appends, and again after it.
        "<?php\n$sql = \"select * from iw_member where 1\";\nforeach ($rows as $r) { $sql .= \" and a = 1\"; sql_query($sql); }\nsql_query($sql);\n",
        // Run, appended to, run again.
        "<?php\n$sql = \"select * from iw_member\"; sql_query($sql); $sql .= \" limit 1\"; sql_query($sql);\n",
    ] {
        let json = common::check_php(php);
        let found = positions(&json);
        assert_eq!(found.len(), 1, "{php}\n{json:#}");
        assert_eq!((found[0].0.as_str(), found[0].1, found[0].2), ("TL001", 2, 23));
    }
}

#[test]
fn queries_sharing_a_fragment_stay_separate_findings() {
    // Two different queries whose table sits in one shared fragment: each leaks on its own.
    let json = common::check_php(
        "<?php\n$common = \" from iw_member \";\n$a = sql_fetch(\"select count(*) $common\");\n$b = sql_query(\"select * $common limit 10\");\n",
    );
    let found = positions(&json);
    assert_eq!(found.len(), 2, "{json:#}");
    assert_eq!(found[0], found[1]);
    assert_ne!(json["findings"][0]["sql"], json["findings"][1]["sql"]);
    assert_ne!(
        json["findings"][0]["fingerprint"],
        json["findings"][1]["fingerprint"]
    );
}

#[test]
fn threads_1_is_identical_to_default() {
    let strip =
        |s: &str| -> serde_json::Value { without_timing(serde_json::from_str(s).expect("json")) };
    let (c1, default_json, _) = infoway(&["--format", "json"]);
    let (c2, one_json, _) = infoway(&["--format", "json", "--threads", "1"]);
    let (c3, four_json, _) = infoway(&["--format", "json", "--threads", "4"]);
    assert_eq!((c1, c2, c3), (1, 1, 1));
    let timing = regex_lite_elapsed;
    assert_eq!(
        timing(&default_json),
        timing(&one_json),
        "byte-identical JSON"
    );
    assert_eq!(
        timing(&default_json),
        timing(&four_json),
        "byte-identical JSON"
    );
    assert_eq!(strip(&default_json), strip(&one_json));

    let (_, default_pretty, _) = infoway(&[]);
    let (_, one_pretty, _) = infoway(&["--threads", "1"]);
    assert_eq!(timing(&default_pretty), timing(&one_pretty));
}

/// Replace the elapsed time in either output format.
fn regex_lite_elapsed(s: &str) -> String {
    s.lines()
        .map(|l| {
            if l.trim_start().starts_with("\"elapsed_ms\":") {
                "  \"elapsed_ms\": [ELAPSED]".to_string()
            } else if let Some(i) = l.rfind(" in ").filter(|_| l.starts_with("tenantlint: ")) {
                format!("{} in [ELAPSED]", &l[..i])
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn fingerprint_does_not_depend_on_line_numbers() {
    let a = common::check_php(UNSAFE);
    let moved = UNSAFE.replacen("<?php\n", "<?php\n\n\n// moved down\n", 1);
    let b = common::check_php(&moved);
    assert_eq!(a["findings"][0]["line"], 2);
    assert_eq!(b["findings"][0]["line"], 5);
    assert_eq!(
        a["findings"][0]["fingerprint"],
        b["findings"][0]["fingerprint"]
    );
    // A different query gives a different fingerprint.
    let c = common::check_php(&UNSAFE.replace("'a'", "'b' AND mb_level = 2"));
    assert_ne!(
        a["findings"][0]["fingerprint"],
        c["findings"][0]["fingerprint"]
    );
}

#[test]
fn json_paths_are_relative_with_forward_slashes() {
    let p = TempProject::new(&[("deep/er/x.php", UNSAFE)]);
    let (_, stdout, _) = p.run(&["check", "--format", "json", "./deep"]);
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(json["findings"][0]["file"], "deep/er/x.php");
    // Scanning from elsewhere with an absolute path keeps the file usable.
    let (_, stdout, _) = run_in(
        &std::env::temp_dir(),
        &[
            "check",
            "--format",
            "json",
            p.dir.to_str().expect("utf-8 path"),
        ],
    );
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    let file = json["findings"][0]["file"].as_str().expect("file");
    assert!(
        file.ends_with("/deep/er/x.php") && !file.contains('\\'),
        "{file}"
    );
}

#[test]
fn json_shape() {
    let json = common::check_php(UNSAFE);
    assert_eq!(json["version"], 1);
    assert_eq!(json["tool"]["name"], "tenantlint");
    assert_eq!(json["tool"]["version"], env!("CARGO_PKG_VERSION"));
    let f = &json["findings"][0];
    for key in [
        "rule",
        "name",
        "severity",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "message",
        "table",
        "sql",
        "fingerprint",
    ] {
        assert!(!f[key].is_null(), "finding lacks `{key}`: {f}");
    }
    for key in [
        "files",
        "parse_errors",
        "sql_sites",
        "unanalyzed",
        "findings",
        "elapsed_ms",
    ] {
        assert!(json["summary"][key].is_u64(), "summary lacks `{key}`");
    }
    // Every listed rule has a count, in code order.
    let by_rule = json["summary"]["by_rule"].as_object().expect("by_rule");
    let codes: Vec<&str> = by_rule.keys().map(String::as_str).collect();
    let (_, listed, _) = run_in(&crate_root(), &["rule"]);
    let listed: Vec<&str> = listed
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(codes, listed);
    for (code, n) in by_rule {
        assert_eq!(n, if code == "TL001" { 1 } else { 0 }, "by_rule.{code}");
    }
    assert_eq!(f["sql"], "SELECT * FROM iw_member WHERE mb_id = 'a'");
}

// ---------------------------------------------------------------------------------------------
// `tenantlint rule`
// ---------------------------------------------------------------------------------------------

#[test]
fn rule_prints_its_doc() {
    let (code, stdout, _) = run_in(&crate_root(), &["rule", "TL001"]);
    assert_eq!(code, 0);
    let doc = std::fs::read_to_string(crate_root().join("rules/TL001-missing-tenant-filter.md"))
        .expect("doc");
    assert_eq!(stdout.trim_end(), doc.trim_end());
    // Lookup by lower-case code and by name.
    assert_eq!(run_in(&crate_root(), &["rule", "tl001"]).1, stdout);
    assert_eq!(
        run_in(&crate_root(), &["rule", "missing-tenant-filter"]).1,
        stdout
    );
}

#[test]
fn rule_lists_rules() {
    let (code, stdout, _) = run_in(&crate_root(), &["rule"]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines.len() >= 3, "{stdout}");
    assert_eq!(lines[0], "TL000  analysis-error");
    assert_eq!(lines[1], "TL001  missing-tenant-filter");
    assert_eq!(lines[2], "TL002  insert-missing-tenant");
    // `CODE  name`, codes unique and in order.
    let codes: Vec<&str> = lines.iter().map(|l| l.get(..5).unwrap_or(l)).collect();
    let mut sorted = codes.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(codes, sorted);
    for l in &lines {
        let (code, name) = l
            .split_once("  ")
            .unwrap_or_else(|| panic!("bad line `{l}`"));
        assert!(
            code.len() == 5 && code.starts_with("TL"),
            "bad code in `{l}`"
        );
        assert!(!name.is_empty() && !name.contains(' '), "bad name in `{l}`");
    }
}

#[test]
fn unknown_rule_exits_2() {
    let (code, stdout, stderr) = run_in(&crate_root(), &["rule", "TL999"]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(stderr.contains("TL999"), "{stderr}");
}

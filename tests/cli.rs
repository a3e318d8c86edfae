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
        stdout.contains("1 findings (TL000: 0, TL001: 1, TL002: 0, "),
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
            "tenantlint: 1 files, 1 SQL sites (0 unanalyzed), 0 with parse errors: 0 findings (TL000: 0, TL001: 0, TL002: 0, "
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
    assert!(!stdout.contains("unanalyzed: a.php"), "{stdout}");
    assert!(stdout.contains("(1 unanalyzed)"), "{stdout}");
    assert!(
        stdout.contains("--show-unanalyzed"),
        "the summary hints at the flag: {stdout}"
    );

    let (code, stdout, _) = p.run(&["check", "--show-unanalyzed"]);
    assert_eq!(code, 0);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("unanalyzed: a.php:3:"))
        .unwrap_or_else(|| panic!("no unanalyzed line for a.php:3:\n{stdout}"));
    assert!(
        line.contains("$t"),
        "the reason names the expression: {line}"
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

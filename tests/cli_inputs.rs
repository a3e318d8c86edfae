//! What the command line is told to scan, and what it says about it: `--threads`, missing
//! paths, symlinks, explicitly named paths and `--force-exclude`, skipped directories and
//! `-v`, which configuration applies, and the summary's wording.

// Helpers outside `#[test]` functions panic on purpose: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{crate_root, findings, run_in, run_with_env, summary, without_timing, TempProject};
use serde_json::{json, Value};

const UNSAFE: &str = "<?php\n$row = sql_fetch(\"SELECT * FROM iw_member WHERE mb_id = 'a'\");\n";
const SAFE: &str = "<?php\n$row = sql_fetch(\"SELECT * FROM iw_member WHERE ep_code = 'a'\");\n";

fn parse_json(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{stdout}"))
}

/// `check --format json ARGS…` in the project; (exit code, report).
fn json_run(p: &TempProject, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let (code, stdout, stderr) = p.run(&all);
    assert!(code == 0 || code == 1, "exit {code}\n{stdout}\n{stderr}");
    (code, parse_json(&stdout))
}

/// The lines of pretty output that start with `warning: `.
fn warnings(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .filter(|l| l.starts_with("warning: "))
        .collect()
}

/// Pretty output with the elapsed time filtered.
macro_rules! assert_pretty_snapshot {
    ($name:expr, $value:expr) => {
        insta::with_settings!({filters => vec![(r" in \d+ ms", " in [ELAPSED] ms")]}, {
            insta::assert_snapshot!($name, $value);
        });
    };
}

// ---------------------------------------------------------------------------------------------
// --threads
// ---------------------------------------------------------------------------------------------

#[test]
fn threads_out_of_range_is_a_usage_error() {
    let p = TempProject::new(&[("a.php", UNSAFE)]);
    for bad in ["100000", "257", "-1", "many"] {
        let (code, stdout, stderr) = p.run(&["check", &format!("--threads={bad}")]);
        assert_eq!(code, 2, "--threads {bad}: {stdout}{stderr}");
        assert!(
            stdout.is_empty(),
            "nothing scanned with --threads {bad}: {stdout}"
        );
        assert!(
            stderr.contains("--threads <N>") && stderr.contains(bad),
            "the message names the option and the value: {stderr}"
        );
    }
    let (_, _, stderr) = p.run(&["check", "--threads", "100000"]);
    assert!(stderr.contains("0..=256"), "the range is given: {stderr}");
    // In range: 0 is one thread per core, 256 the largest.
    for ok in ["0", "1", "256"] {
        let (code, stdout, stderr) = p.run(&["check", "--threads", ok]);
        assert_eq!(code, 1, "--threads {ok}: {stdout}{stderr}");
        assert!(stdout.contains("TL001"), "{stdout}");
    }
}

#[test]
fn help_documents_threads_new_options_and_php_only() {
    let (code, stdout, _) = run_in(&crate_root(), &["check", "--help"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("Worker threads, 1 to 256; 0 means one per core"),
        "{stdout}"
    );
    assert!(stdout.contains("[default: 0]"), "{stdout}");
    assert!(stdout.contains("--force-exclude"), "{stdout}");
    assert!(stdout.contains("-v, --verbose"), "{stdout}");
    let (code, stdout, _) = run_in(&crate_root(), &["--help"]);
    assert_eq!(code, 0);
    assert!(
        stdout.starts_with(
            "Static analysis for tenant safety in multi-tenant PHP and Rust applications"
        ),
        "{stdout}"
    );
}

// ---------------------------------------------------------------------------------------------
// Missing paths
// ---------------------------------------------------------------------------------------------

#[test]
fn missing_paths_are_a_usage_error_naming_each() {
    let p = TempProject::new(&[("a.php", UNSAFE)]);
    for format in ["pretty", "json"] {
        let (code, stdout, stderr) = p.run(&[
            "check",
            "--format",
            format,
            "a.php",
            "typo-dir",
            "lib/gone.php",
        ]);
        assert_eq!(code, 2, "{stdout}{stderr}");
        assert!(stdout.is_empty(), "nothing is scanned: {stdout}");
        assert!(
            stderr.contains("no such file or directory: `typo-dir`, `lib/gone.php`"),
            "{stderr}"
        );
        assert!(!stderr.contains("`a.php`"), "a.php exists: {stderr}");
    }
}

#[cfg(unix)]
#[test]
fn broken_symlink_named_on_the_command_line_is_missing() {
    let p = TempProject::new(&[("a.php", SAFE)]);
    std::os::unix::fs::symlink("nowhere.php", p.dir.join("link.php")).unwrap();
    let (code, stdout, stderr) = p.run(&["check", "a.php", "link.php"]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("`link.php`"), "{stderr}");
}

// ---------------------------------------------------------------------------------------------
// Symlinks while walking
// ---------------------------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn self_referencing_symlink_is_one_warning_not_a_finding() {
    let p = TempProject::new(&[("a.php", SAFE)]);
    std::os::unix::fs::symlink("self", p.dir.join("self")).unwrap();
    let (code, stdout, stderr) = p.run(&["check"]);
    assert_eq!(code, 0, "the exit code is not affected: {stdout}{stderr}");
    assert_eq!(
        warnings(&stdout),
        vec!["warning: self: symlink loop (the link leads back to itself); not followed"],
        "{stdout}"
    );
    assert!(
        !stdout.contains("TL000("),
        "not an analysis error: {stdout}"
    );
    assert!(
        stdout.contains("tenantlint: 1 file, 1 SQL site (0 unanalyzed)"),
        "the link is not counted as a file: {stdout}"
    );

    let (code, json) = json_run(&p, &[]);
    assert_eq!(code, 0);
    assert_eq!(
        json["warnings"],
        json!(["self: symlink loop (the link leads back to itself); not followed"])
    );
    assert_eq!(json["findings"], json!([]));
    assert_eq!(summary(&json, "files"), 1);

    // Alone in a directory: still a warning, not an error.
    let lonely = TempProject::new(&[]);
    std::os::unix::fs::symlink("self", lonely.dir.join("self")).unwrap();
    let (code, stdout, stderr) = lonely.run(&["check"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(warnings(&stdout).len(), 1, "{stdout}");
}

#[cfg(unix)]
#[test]
fn broken_symlink_to_a_php_name_is_a_warning() {
    let p = TempProject::new(&[("a.php", SAFE)]);
    std::os::unix::fs::symlink("missing.php", p.dir.join("old.php")).unwrap();
    // Not a source file's name: ignored like any other non-source file.
    std::os::unix::fs::symlink("missing.txt", p.dir.join("notes.txt")).unwrap();
    let (code, stdout, _) = p.run(&["check"]);
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(
        warnings(&stdout),
        vec![
            "warning: old.php: broken symlink (its target missing.php does not exist); not scanned"
        ],
        "{stdout}"
    );
    assert!(stdout.contains("tenantlint: 1 file,"), "{stdout}");
}

// ---------------------------------------------------------------------------------------------
// Explicitly named paths, [scan] exclude and --force-exclude
// ---------------------------------------------------------------------------------------------

fn excluding_project() -> TempProject {
    TempProject::new(&[
        ("tenantlint.toml", "[scan]\nexclude = [\"legacy/**\"]\n"),
        ("legacy/old.php", UNSAFE),
        ("legacy/sub/older.php", UNSAFE),
        ("b.php", SAFE),
    ])
}

#[test]
fn explicitly_named_excluded_file_is_checked() {
    let p = excluding_project();
    // Walked from the root: excluded, and said so.
    let (code, stdout, _) = p.run(&["check"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("\nskipped: 1 directory by [scan] exclude; -v lists it\n"),
        "{stdout}"
    );
    // Named: checked.
    let (code, json) = json_run(&p, &["legacy/old.php"]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&json),
        vec![common::f("TL001", "legacy/old.php", 2)]
    );
    assert_eq!(
        json["summary"]["skipped"],
        json!({"default_dirs": 0, "excluded": 0})
    );
    // A named excluded directory is checked too, with what is under it.
    let (code, json) = json_run(&p, &["legacy"]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&json),
        vec![
            common::f("TL001", "legacy/old.php", 2),
            common::f("TL001", "legacy/sub/older.php", 2)
        ]
    );
}

#[test]
fn force_exclude_skips_named_paths_and_says_so() {
    let p = excluding_project();
    let (code, stdout, _) = p.run(&[
        "check",
        "--force-exclude",
        "legacy/old.php",
        "legacy/sub",
        "b.php",
    ]);
    assert_eq!(code, 0, "{stdout}");
    assert!(!stdout.contains("TL001("), "{stdout}");
    assert!(
        stdout.contains("\nskipped: 1 directory and 1 file by [scan] exclude; -v lists them\n"),
        "{stdout}"
    );
    let (code, stdout, _) = p.run(&[
        "check",
        "--force-exclude",
        "-v",
        "legacy/old.php",
        "legacy/sub",
        "b.php",
    ]);
    assert_eq!(code, 0, "{stdout}");
    assert_pretty_snapshot!("force_exclude_verbose", stdout);

    let (code, json) = json_run(&p, &["--force-exclude", "legacy/old.php"]);
    assert_eq!(code, 0);
    assert_eq!(summary(&json, "files"), 0);
    assert_eq!(
        json["summary"]["skipped"],
        json!({"default_dirs": 0, "excluded": 1})
    );
}

#[test]
fn non_source_file_named_explicitly_is_a_warning() {
    let p = TempProject::new(&[("a.php", UNSAFE), ("readme.txt", "SELECT * FROM iw_member")]);
    let (code, stdout, _) = p.run(&["check", "readme.txt", "a.php"]);
    assert_eq!(code, 1, "{stdout}");
    assert_eq!(
        warnings(&stdout),
        vec![
            "warning: readme.txt: not a source file (extensions: .php, .phtml, .inc, .rs); not scanned"
        ]
    );
    let (code, json) = json_run(&p, &["readme.txt"]);
    assert_eq!(code, 0);
    assert_eq!(
        json["warnings"],
        json!(["readme.txt: not a source file (extensions: .php, .phtml, .inc, .rs); not scanned"])
    );
    assert_eq!(summary(&json, "files"), 0);
}

// ---------------------------------------------------------------------------------------------
// Skipped directories
// ---------------------------------------------------------------------------------------------

fn project_with_skipped_paths() -> TempProject {
    TempProject::new(&[
        (
            "tenantlint.toml",
            "[scan]\nexclude = [\"legacy/**\", \"**/*.tpl.php\"]\n",
        ),
        ("a.php", SAFE),
        ("vendor/lib/x.php", UNSAFE),
        ("node_modules/m/y.php", UNSAFE),
        ("lib/vendor/z.php", UNSAFE),
        ("legacy/old.php", UNSAFE),
        ("views/list.tpl.php", UNSAFE),
        ("views/edit.tpl.php", UNSAFE),
    ])
}

#[test]
fn skipped_directories_are_counted_on_one_line() {
    let p = project_with_skipped_paths();
    let (code, stdout, _) = p.run(&["check"]);
    assert_eq!(code, 0, "nothing skipped was scanned: {stdout}");
    assert_pretty_snapshot!("skipped_summary", stdout);

    let (code, json) = json_run(&p, &[]);
    assert_eq!(code, 0);
    assert_eq!(summary(&json, "files"), 1);
    assert_eq!(
        json["summary"]["skipped"],
        json!({"default_dirs": 3, "excluded": 3})
    );
    assert_eq!(json["version"], 1);
}

#[test]
fn verbose_lists_the_skipped_paths() {
    let p = project_with_skipped_paths();
    let (code, stdout, _) = p.run(&["check", "-v"]);
    assert_eq!(code, 0, "{stdout}");
    assert_pretty_snapshot!("skipped_verbose", stdout);
    // `--verbose` is the same.
    let (_, long, _) = p.run(&["check", "--verbose"]);
    let strip = |s: &str| {
        s.lines()
            .filter(|l| !l.starts_with("tenantlint: "))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip(&long), strip(&stdout));
}

#[test]
fn nothing_skipped_means_no_skipped_line() {
    let p = TempProject::new(&[("a.php", SAFE)]);
    let (code, stdout, _) = p.run(&["check", "-v"]);
    assert_eq!(code, 0);
    assert!(!stdout.contains("skipped"), "{stdout}");
    let (_, json) = json_run(&p, &[]);
    assert_eq!(
        json["summary"]["skipped"],
        json!({"default_dirs": 0, "excluded": 0})
    );
}

// ---------------------------------------------------------------------------------------------
// Which configuration
// ---------------------------------------------------------------------------------------------

#[test]
fn paths_with_different_configs_are_an_error_in_either_order() {
    // The sample app has its own tenantlint.toml; `src` has none (defaults).
    for args in [
        ["check", "fixtures/infoway", "src"],
        ["check", "src", "fixtures/infoway"],
    ] {
        let (code, stdout, stderr) = run_with_env(&crate_root(), &args, &[("NO_COLOR", "1")]);
        assert_eq!(code, 2, "{args:?}: {stdout}{stderr}");
        assert!(stdout.is_empty(), "no silent choice: {stdout}");
        assert!(
            stderr.contains("the paths use different configuration files"),
            "{stderr}"
        );
        assert!(
            stderr.contains("fixtures/infoway uses fixtures/infoway/tenantlint.toml"),
            "{stderr}"
        );
        assert!(
            stderr.contains("src uses the defaults (no tenantlint.toml)"),
            "{stderr}"
        );
        assert!(stderr.contains("--config"), "suggests --config: {stderr}");
    }
}

#[test]
fn explicit_config_applies_to_every_path() {
    let p = TempProject::new(&[
        (
            "app/tenantlint.toml",
            "[scan]\nexclude = [\"legacy/**\"]\n[tables]\n\"$t\" = \"iw_member\"\n",
        ),
        (
            "app/a.php",
            "<?php\n$row = sql_fetch(\"SELECT * FROM {$t} WHERE mb_id = 'a'\");\n",
        ),
        ("app/legacy/x.php", UNSAFE),
        ("other/b.php", UNSAFE),
    ]);
    let (code, stdout, stderr) = p.run(&["check", "app", "other"]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        stderr.contains("app uses app/tenantlint.toml")
            && stderr.contains("other uses the defaults"),
        "{stderr}"
    );

    let (code, json) = json_run(&p, &["--config", "app/tenantlint.toml", "other", "app"]);
    assert_eq!(code, 1);
    // `[tables]` resolves `$t`, `[scan] exclude` drops app/legacy, for both paths.
    assert_eq!(
        findings(&json),
        vec![
            common::f("TL001", "app/a.php", 2),
            common::f("TL001", "other/b.php", 2)
        ]
    );
    assert_eq!(json["summary"]["config"], "app/tenantlint.toml");
    assert_eq!(json["summary"]["skipped"]["excluded"], 1);
}

#[test]
fn config_in_use_is_shown_after_the_summary_line() {
    let (code, stdout, _) = run_with_env(
        &crate_root(),
        &["check", "fixtures/infoway"],
        &[("NO_COLOR", "1")],
    );
    assert_eq!(code, 1);
    let after: Vec<&str> = stdout
        .lines()
        .skip_while(|l| !l.starts_with("tenantlint: "))
        .collect();
    assert_eq!(
        after.get(1).copied(),
        Some("config: fixtures/infoway/tenantlint.toml"),
        "{stdout}"
    );
    // The summary line itself keeps its beginning.
    assert!(
        after[0].starts_with("tenantlint: 14 files, 46 SQL sites"),
        "{stdout}"
    );

    let p = TempProject::new(&[("a.php", SAFE)]);
    let (_, stdout, _) = p.run(&["check"]);
    assert!(stdout.contains("\nconfig: defaults\n"), "{stdout}");
    let (_, json) = json_run(&p, &[]);
    assert_eq!(json["summary"]["config"], Value::Null);
}

#[test]
fn unused_config_in_a_subdirectory_is_one_warning() {
    let p = TempProject::new(&[
        ("tenantlint.toml", "[tenant]\ncolumn = \"ep_code\"\n"),
        (
            "shop/tenantlint.toml",
            "[tenant]\ncolumn = \"store_id\"\ntables = [\"shop_*\"]\n",
        ),
        (
            "shop/cart.php",
            "<?php\n$r = sql_fetch(\"SELECT * FROM shop_cart WHERE ep_code = 'x'\");\n",
        ),
    ]);
    let expected = "warning: shop/tenantlint.toml is not used by this run: it uses tenantlint.toml; check that directory on its own to apply it";
    // Walked twice: still one warning.
    let (code, stdout, _) = p.run(&["check", ".", "./"]);
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(warnings(&stdout), vec![expected], "{stdout}");
    assert!(stdout.contains("\nconfig: tenantlint.toml\n"), "{stdout}");

    // Checked on its own, the directory's config applies: shop_cart needs store_id.
    let (code, stdout, _) = p.run(&["check", "shop"]);
    assert_eq!(code, 1, "{stdout}");
    assert!(warnings(&stdout).is_empty(), "{stdout}");
    assert!(
        stdout.contains("\nconfig: shop/tenantlint.toml\n"),
        "{stdout}"
    );

    // With --config, every file met is not used.
    p.write("custom.toml", "");
    let (code, json) = json_run(&p, &["--config", "custom.toml"]);
    assert_eq!(code, 0);
    assert_eq!(
        json["warnings"],
        json!([
            "shop/tenantlint.toml is not used by this run: --config custom.toml applies to all paths",
            "tenantlint.toml is not used by this run: --config custom.toml applies to all paths"
        ])
    );
}

// ---------------------------------------------------------------------------------------------
// Configuration errors
// ---------------------------------------------------------------------------------------------

/// stderr of a run whose configuration is rejected, with the project's directory filtered.
fn config_error(toml: &str) -> String {
    let p = TempProject::new(&[("a.php", UNSAFE), ("tenantlint.toml", toml)]);
    let (code, stdout, stderr) = run_with_env(&p.dir, &["check"], &[("NO_COLOR", "1")]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stdout.is_empty(), "nothing scanned: {stdout}");
    let dir = p.dir.to_string_lossy().into_owned();
    stderr.replace(&format!("{dir}/"), "[PROJECT]/")
}

#[test]
fn unknown_section_help_lists_every_section() {
    let stderr = config_error("[source]\nhost = []\n");
    for section in [
        "[tenant]",
        "[scan]",
        "[tables]",
        "[sources]",
        "[sanitizers]",
        "[checks]",
    ] {
        assert!(stderr.contains(section), "{section} not listed:\n{stderr}");
    }
}

#[test]
fn malformed_sources_are_rejected_with_a_span() {
    let stderr = config_error("[sources]\nhost = [\"$_SERVER['HTTP_HOST']\", \"HTTP_HOST\"]\n");
    insta::assert_snapshot!("malformed_host_source", stderr);
    let stderr = config_error("[sources]\ntenant_param = [\"ep\", \"\"]\n");
    assert!(stderr.contains("empty tenant parameter name"), "{stderr}");
    assert!(stderr.contains("tenantlint.toml:2:23"), "{stderr}");
    let stderr = config_error("[sources]\ntenant_param = [\"$_GET['ep']\"]\n");
    assert!(stderr.contains("not a bare key"), "{stderr}");
    assert!(stderr.contains("tenantlint.toml:2:17"), "{stderr}");
}

// ---------------------------------------------------------------------------------------------
// Summary wording
// ---------------------------------------------------------------------------------------------

#[test]
fn summary_counts_are_singular_or_plural() {
    // One file, one query, one finding, one file with a parse error.
    let one = TempProject::new(&[(
        "a.php",
        "<?php\n$row = sql_fetch(\"SELECT * FROM iw_member WHERE mb_id = 'a'\");\nif ( {\n",
    )]);
    let (_, stdout, _) = one.run(&["check"]);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("tenantlint: "))
        .unwrap_or_default();
    assert!(
        line.starts_with(
            "tenantlint: 1 file, 1 SQL site (0 unanalyzed), 1 with a parse error: 1 finding (TL000: 0, TL001: 1,"
        ),
        "{stdout}"
    );
    let two = TempProject::new(&[
        (
            "a.php",
            "<?php\n$row = sql_fetch(\"SELECT * FROM iw_member WHERE mb_id = 'a'\");\nif ( {\n",
        ),
        (
            "b.php",
            "<?php\n$row = sql_fetch(\"SELECT * FROM iw_point WHERE mb_id = 'a'\");\nif ( {\n",
        ),
    ]);
    let (_, stdout, _) = two.run(&["check"]);
    assert!(
        stdout.contains(
            "tenantlint: 2 files, 2 SQL sites (0 unanalyzed), 2 with parse errors: 2 findings (TL000: 0, TL001: 2,"
        ),
        "{stdout}"
    );
}

#[test]
fn json_keeps_version_1_and_adds_config_and_skipped() {
    let p = excluding_project();
    let (_, json) = json_run(&p, &[]);
    let json = without_timing(json);
    assert_eq!(json["version"], 1);
    let summary = json["summary"].as_object().expect("summary");
    assert_eq!(summary["config"], "tenantlint.toml");
    assert_eq!(
        summary["skipped"],
        json!({"default_dirs": 0, "excluded": 1})
    );
    // The existing fields are all still there.
    for key in [
        "files",
        "parse_errors",
        "sql_sites",
        "unanalyzed",
        "unanalyzed_by_kind",
        "findings",
        "by_rule",
    ] {
        assert!(summary.contains_key(key), "summary.{key} missing: {json:#}");
    }
    assert_eq!(json["warnings"], json!([]));
}

//! Adopting the tool on a codebase with findings: baselines, rule selection, `--fail-on`,
//! `--statistics`, `--changed-since` and files named on their own (pre-commit).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::process::Command;

use common::TempProject;
use serde_json::Value;

const CONFIG: &str = "[tenant]\ncolumn = \"ep_code\"\ntables = [\"iw_*\"]\n";

fn two_findings() -> TempProject {
    TempProject::new(&[
        ("tenantlint.toml", CONFIG),
        (
            "a.php",
            "<?php\nsql_query(\"select * from iw_member\");\nsql_query(\"select * from iw_order\");\n",
        ),
    ])
}

fn json(p: &TempProject, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let (code, stdout, stderr) = p.run(&all);
    let value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\n{stderr}"));
    (code, value)
}

fn lines(json: &Value) -> Vec<(String, u64)> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_baseline_accepts_recorded_findings_and_reports_new_ones() {
    let p = two_findings();
    let (code, _, stderr) = p.run(&["check", "--write-baseline", "baseline.json"]);
    assert_eq!(code, 0, "writing a baseline exits 0");
    assert!(
        stderr.contains("wrote 2 findings to baseline.json"),
        "{stderr}"
    );
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(p.dir.join("baseline.json")).unwrap())
            .unwrap();
    let entries = written["findings"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    for key in ["fingerprint", "rule", "file", "message"] {
        assert!(entries[0][key].is_string(), "{key} in {written:#}");
    }

    // Unchanged: nothing new, exit 0.
    let (code, out) = json(&p, &["--baseline", "baseline.json"]);
    assert_eq!(code, 0);
    assert_eq!(lines(&out), vec![]);
    assert_eq!(out["baseline"]["accepted"], 2);

    // Lines added above move nothing; a new query is new; an edited query is new.
    p.write(
        "a.php",
        "<?php\n\n// moved\nsql_query(\"select * from iw_member\");\nsql_query(\"select * from iw_order where od_id = 1\");\nsql_query(\"select * from iw_cart\");\n",
    );
    let (code, out) = json(&p, &["--baseline", "baseline.json"]);
    assert_eq!(code, 1);
    assert_eq!(lines(&out), vec![("a.php".into(), 5), ("a.php".into(), 6)]);
    assert_eq!(out["baseline"]["accepted"], 1);
    let fixed = out["baseline"]["fixed"].as_array().unwrap();
    assert_eq!(fixed.len(), 1);
    assert!(fixed[0]["message"].as_str().unwrap().contains("iw_order"));

    let (_, stdout, _) = p.run(&["check", "--baseline", "baseline.json"]);
    assert!(
        stdout.contains("baseline: 1 finding accepted by baseline.json; 1 entry fixed"),
        "{stdout}"
    );
}

#[test]
fn baseline_strict_fails_when_entries_are_fixed() {
    let p = two_findings();
    p.run(&["check", "--write-baseline", "baseline.json"]);
    p.write("a.php", "<?php\nsql_query(\"select * from iw_member\");\n");
    let (code, _, _) = p.run(&["check", "--baseline", "baseline.json"]);
    assert_eq!(code, 0);
    let (code, _, stderr) = p.run(&["check", "--baseline", "baseline.json", "--baseline-strict"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("1 entry of the baseline baseline.json is fixed"),
        "{stderr}"
    );
}

#[test]
fn a_missing_or_foreign_baseline_is_a_usage_error() {
    let p = two_findings();
    let (code, _, stderr) = p.run(&["check", "--baseline", "nope.json"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("cannot read the baseline nope.json"),
        "{stderr}"
    );
    p.write("other.json", "{\"findings\": 3}");
    let (code, _, stderr) = p.run(&["check", "--baseline", "other.json"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("is not a tenantlint baseline"), "{stderr}");
}

#[test]
fn select_and_ignore_from_the_command_line_and_the_config() {
    let p = TempProject::new(&[
        ("tenantlint.toml", CONFIG),
        (
            "a.php",
            "<?php\nsql_query(\"select * from iw_member\");\n$h = $_SERVER['HTTP_HOST'];\nsql_query(\"select * from iw_enterprise where ep_domain = '$h'\");\n",
        ),
    ]);
    let rules = |out: &Value| -> Vec<String> {
        out["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(rules(&json(&p, &[]).1), ["TL001", "TL003"]);
    assert_eq!(rules(&json(&p, &["--select", "TL003"]).1), ["TL003"]);
    assert_eq!(
        rules(&json(&p, &["--ignore", "missing-tenant-filter"]).1),
        ["TL003"]
    );
    assert_eq!(
        rules(&json(&p, &["--select", "TL001,TL003", "--ignore", "TL003"]).1),
        ["TL001"]
    );
    p.write(
        "tenantlint.toml",
        &format!("{CONFIG}\n[rules]\nignore = [\"TL003\"]\n"),
    );
    let (_, out) = json(&p, &[]);
    assert_eq!(rules(&out), ["TL001"]);
    assert_eq!(out["summary"]["by_rule"]["TL003"], 0);
    // A suppression of an ignored rule is not "unused".
    p.write(
        "b.php",
        "<?php\n// tenantlint-ignore TL003: not ours\n$x = 1;\n",
    );
    assert_eq!(rules(&json(&p, &[]).1), ["TL001"]);

    let (code, _, stderr) = p.run(&["check", "--select", "TL042"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("`TL042` is not a rule"), "{stderr}");
    p.write(
        "tenantlint.toml",
        &format!("{CONFIG}\n[rules]\nselect = [\"TL01\"]\n"),
    );
    let (code, _, stderr) = p.run(&["check"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown rule `TL01`"), "{stderr}");
}

#[test]
fn fail_on_sets_which_findings_fail_the_run() {
    let warning_only = TempProject::new(&[
        ("tenantlint.toml", CONFIG),
        (
            "a.php",
            "<?php\n// tenantlint-ignore TL001: stale\n$x = 1;\n",
        ),
    ]);
    assert_eq!(warning_only.run(&["check"]).0, 0);
    assert_eq!(warning_only.run(&["check", "--fail-on", "warning"]).0, 1);
    let p = two_findings();
    assert_eq!(p.run(&["check"]).0, 1);
    assert_eq!(p.run(&["check", "--fail-on", "never"]).0, 0);
    assert_eq!(p.run(&["check", "--fail-on", "sometimes"]).0, 2);
}

#[test]
fn statistics_counts_per_rule() {
    let p = two_findings();
    let (code, stdout, _) = p.run(&["check", "--statistics"]);
    assert_eq!(code, 1);
    assert!(
        stdout.starts_with("  2  TL001  missing-tenant-filter\n"),
        "{stdout}"
    );
    assert!(!stdout.contains("help:"), "{stdout}");
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(["-c", "user.email=t@example.com", "-c", "user.name=t"])
        .args(args)
        .current_dir(dir)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

#[test]
fn changed_since_reports_changed_files_only_with_the_whole_project_analysed() {
    let p = TempProject::new(&[
        ("tenantlint.toml", CONFIG),
        ("lib.php", "<?php\n$t = \"iw_member\";\n"),
        ("old.php", "<?php\nsql_query(\"select * from iw_order\");\n"),
        ("new.php", "<?php\n"),
    ]);
    git(&p.dir, &["init", "-q", "."]);
    git(&p.dir, &["add", "-A"]);
    git(&p.dir, &["commit", "-qm", "base"]);
    // The changed file reads a table name defined in an unchanged one.
    p.write("new.php", "<?php\nsql_query(\"select * from $t\");\n");
    p.write(
        "untracked.php",
        "<?php\nsql_query(\"select * from iw_cart\");\n",
    );
    let (code, out) = json(&p, &["--changed-since", "HEAD"]);
    assert_eq!(code, 1);
    assert_eq!(
        lines(&out),
        vec![("new.php".into(), 2), ("untracked.php".into(), 2)]
    );
    assert_eq!(out["summary"]["files"], 4);
    assert_eq!(out["scope"]["files"], 2);
    let (code, _, stderr) = p.run(&["check", "--changed-since", "no-such-ref"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("`no-such-ref` is not a commit"), "{stderr}");
}

#[test]
fn changed_since_outside_a_repository_is_a_usage_error() {
    let p = two_findings();
    let (code, stdout, stderr) = p.run(&["check", "--changed-since", "HEAD"]);
    if p.dir.ancestors().any(|d| d.join(".git").exists()) {
        return; // the temporary directory sits inside some repository
    }
    assert_eq!(code, 2, "{stdout}");
    assert!(stderr.contains("needs a git repository"), "{stderr}");
}

#[test]
fn files_named_on_their_own_use_the_whole_project() {
    let p = TempProject::new(&[
        ("tenantlint.toml", CONFIG),
        (
            "lib.php",
            "<?php\n$t = \"iw_member\";\nsql_query(\"select * from iw_order\");\n",
        ),
        ("page.php", "<?php\nsql_query(\"select * from $t\");\n"),
    ]);
    let (code, out) = json(&p, &["page.php"]);
    assert_eq!(code, 1);
    // `$t` comes from lib.php; lib.php's own finding is not reported.
    assert_eq!(lines(&out), vec![("page.php".into(), 2)]);
    assert_eq!(out["findings"][0]["table"], "iw_member");
    assert_eq!(out["scope"]["why"], "named on the command line");
}

#[test]
fn directives_in_files_analysed_for_context_are_not_reported() {
    let p = TempProject::new(&[
        ("tenantlint.toml", CONFIG),
        (
            "lib.php",
            "<?php\n// tenantlint-ignore TL001: stale\n$t = \"iw_member\";\n",
        ),
        (
            "page.php",
            "<?php\nsql_query(\"select * from $t where ep_code = 'x'\");\n",
        ),
    ]);
    let (code, out) = json(&p, &["page.php"]);
    assert_eq!(code, 0);
    assert_eq!(lines(&out), vec![]);
    assert_eq!(out["summary"]["files"], 1);
    assert_eq!(out["summary"]["sql_sites"], 1);
}

#[test]
fn no_progress_bar_when_stderr_is_not_a_terminal() {
    let files: Vec<(String, String)> = (0..250)
        .map(|i| (format!("f{i}.php"), format!("<?php\n$x{i} = {i};\n")))
        .collect();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let p = TempProject::new(&refs);
    let (code, stdout, stderr) = p.run(&["check"]);
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(stderr, "", "nothing but errors goes to a redirected stderr");
    assert!(stdout.contains("250 files"), "{stdout}");
}

#[test]
fn check_writes_the_audit_report_formats_and_still_gates() {
    let p = two_findings();
    let env = [("TENANTLINT_REPORT_DATE", "2026-01-02 03:04 UTC")];
    for format in ["html", "markdown"] {
        let (code, from_check, _) =
            common::run_with_env(&p.dir, &["check", "--format", format], &env);
        assert_eq!(code, 1, "findings still fail `check --format {format}`");
        let (code, from_report, _) =
            common::run_with_env(&p.dir, &["report", "--format", format], &env);
        assert_eq!(code, 0);
        assert_eq!(from_check.trim_end(), from_report.trim_end(), "{format}");
    }
}

#[test]
fn snapshot_statistics_and_baseline_lines() {
    let p = two_findings();
    let timing = vec![(r" in \d+ ms", " in [ELAPSED] ms")];
    let (_, stdout, _) = p.run(&["check", "--statistics"]);
    insta::with_settings!({filters => timing.clone()}, {
        insta::assert_snapshot!("statistics", stdout);
    });
    p.run(&["check", "--write-baseline", "baseline.json"]);
    p.write(
        "a.php",
        "<?php\nsql_query(\"select * from iw_member\");\nsql_query(\"select * from iw_cart\");\n",
    );
    let (_, stdout, _) = p.run(&[
        "check",
        "--baseline",
        "baseline.json",
        "--format",
        "concise",
    ]);
    insta::with_settings!({filters => timing}, {
        insta::assert_snapshot!("baseline_concise", stdout);
    });
}

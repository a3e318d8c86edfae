//! `.gitignore`, `.ignore` and `.git/info/exclude`: what they skip is not scanned, and is
//! counted and listed like the other skipped paths; `--no-ignore` turns them off; a path
//! named on the command line is scanned unless `--force-exclude`; the parallel walk gives the
//! same report whatever the number of threads.

// Helpers outside `#[test]` functions panic on purpose: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{findings, run_with_env, summary, without_timing, TempProject};
use serde_json::{json, Value};

const UNSAFE: &str = "<?php\n$row = sql_fetch(\"SELECT * FROM iw_member WHERE mb_id = 'a'\");\n";
const SAFE: &str = "<?php\n$row = sql_fetch(\"SELECT * FROM iw_member WHERE ep_code = 'a'\");\n";

/// `check --format json ARGS…` in the project; (exit code, report).
fn json_run(p: &TempProject, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let (code, stdout, stderr) = p.run(&all);
    assert!(code == 0 || code == 1, "exit {code}\n{stdout}\n{stderr}");
    let json = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{stdout}\n{stderr}"));
    (code, json)
}

/// The files with findings, in report order.
fn finding_files(json: &Value) -> Vec<String> {
    findings(json)
        .into_iter()
        .map(|(_, file, _)| file)
        .collect()
}

/// `check ARGS…` (pretty) in the project; its standard output.
fn pretty(p: &TempProject, args: &[&str]) -> String {
    let mut all = vec!["check", "--format", "pretty"];
    all.extend_from_slice(args);
    let (code, stdout, stderr) = p.run(&all);
    assert!(code == 0 || code == 1, "exit {code}\n{stdout}\n{stderr}");
    stdout
}

#[test]
fn gitignored_paths_are_not_scanned_and_are_counted_and_listed() {
    let p = TempProject::new(&[
        (".gitignore", "# generated\nlegacy.php\nbuild/\n"),
        ("legacy.php", UNSAFE),
        ("build/gen.php", UNSAFE),
        ("build/deep/more.php", UNSAFE),
        ("app.php", SAFE),
    ]);
    let (code, json) = json_run(&p, &[]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(summary(&json, "files"), 1);
    // The directory counts once: nothing below it is walked.
    assert_eq!(
        json["summary"]["skipped"],
        json!({"default_dirs": 0, "excluded": 0, "ignored": 2})
    );

    let out = pretty(&p, &[]);
    assert!(
        out.contains("\nskipped: 1 directory and 1 file by .gitignore; -v lists them\n"),
        "{out}"
    );
    let out = pretty(&p, &["-v"]);
    assert!(
        out.contains(
            "skipped by .gitignore (2):\n  build/  (.gitignore: build/)\n  legacy.php  (.gitignore: legacy.php)\n"
        ),
        "{out}"
    );
    assert!(out.contains("; listed above\n"), "{out}");
}

#[test]
fn dot_ignore_files_are_honoured_and_listed() {
    let p = TempProject::new(&[
        (".ignore", "old.php\n"),
        ("old.php", UNSAFE),
        ("web/old.php", UNSAFE),
        ("app.php", SAFE),
    ]);
    let (code, json) = json_run(&p, &[]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(summary(&json, "files"), 1);
    assert_eq!(json["summary"]["skipped"]["ignored"], 2);
    let out = pretty(&p, &["-v"]);
    assert!(
        out.contains(
            "skipped by .ignore (2):\n  old.php  (.ignore: old.php)\n  web/old.php  (.ignore: old.php)\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("\nskipped: 2 files by .ignore; listed above\n"),
        "{out}"
    );
}

#[test]
fn negation_keeps_a_file() {
    let p = TempProject::new(&[
        (".gitignore", "*.php\n!keep.php\n"),
        ("keep.php", UNSAFE),
        ("drop.php", UNSAFE),
        ("lib/keep.php", UNSAFE),
    ]);
    let (_, json) = json_run(&p, &[]);
    assert_eq!(finding_files(&json), vec!["keep.php", "lib/keep.php"]);
    assert_eq!(json["summary"]["skipped"]["ignored"], 1);
}

#[test]
fn nested_gitignore_applies_below_its_directory_only() {
    let p = TempProject::new(&[
        ("web/.gitignore", "gen.php\n"),
        ("web/gen.php", UNSAFE),
        ("web/sub/gen.php", UNSAFE),
        ("gen.php", UNSAFE),
        ("api/gen.php", UNSAFE),
    ]);
    let (_, json) = json_run(&p, &[]);
    assert_eq!(finding_files(&json), vec!["api/gen.php", "gen.php"]);
    let out = pretty(&p, &["-v"]);
    assert!(
        out.contains(
            "skipped by .gitignore (2):\n  web/gen.php  (web/.gitignore: gen.php)\n  web/sub/gen.php  (web/.gitignore: gen.php)\n"
        ),
        "{out}"
    );
    // A deeper file overrides the one above it.
    p.write(".gitignore", "*.php\n");
    p.write("api/.gitignore", "!gen.php\n");
    let (_, json) = json_run(&p, &[]);
    assert_eq!(finding_files(&json), vec!["api/gen.php"]);
}

#[test]
fn no_ignore_scans_what_ignore_files_skip() {
    let p = TempProject::new(&[
        (".gitignore", "build/\nlegacy.php\n"),
        (".ignore", "old.php\n"),
        ("legacy.php", UNSAFE),
        ("old.php", UNSAFE),
        ("build/gen.php", UNSAFE),
        ("vendor/lib.php", UNSAFE),
    ]);
    let (_, json) = json_run(&p, &["--no-ignore"]);
    assert_eq!(
        finding_files(&json),
        vec!["build/gen.php", "legacy.php", "old.php"]
    );
    // The directories skipped by their name stay skipped; nothing is ignored.
    assert_eq!(
        json["summary"]["skipped"],
        json!({"default_dirs": 1, "excluded": 0})
    );
    // `report` takes the flag too.
    let (code, stdout, stderr) = p.run(&["report", "--format", "markdown", "--no-ignore"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stdout.contains("Skipped by `.gitignore`"), "{stdout}");
    let (code, stdout, stderr) = p.run(&["report", "--format", "markdown"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("Skipped by `.gitignore`: `build/`, `legacy.php`."),
        "{stdout}"
    );
    assert!(
        stdout.contains("Skipped by `.ignore`: `old.php`."),
        "{stdout}"
    );
}

#[test]
fn hidden_paths_are_scanned() {
    let p = TempProject::new(&[
        (".hidden/x.php", UNSAFE),
        (".y.php", UNSAFE),
        (".git/hooks/z.php", UNSAFE),
    ]);
    let (_, json) = json_run(&p, &[]);
    assert_eq!(finding_files(&json), vec![".hidden/x.php", ".y.php"]);
    assert_eq!(
        json["summary"]["skipped"],
        json!({"default_dirs": 1, "excluded": 0})
    );
}

/// A git work tree (`.git` is enough) whose ignore files keep `legacy.php` and `build/` out.
fn work_tree() -> TempProject {
    TempProject::new(&[
        (".git/HEAD", "ref: refs/heads/main\n"),
        (".gitignore", "legacy.php\nbuild/\n"),
        ("legacy.php", UNSAFE),
        ("build/gen.php", UNSAFE),
        ("web/sub/legacy.php", UNSAFE),
        ("app.php", SAFE),
    ])
}

#[test]
fn named_ignored_paths_are_scanned_unless_force_exclude() {
    let p = work_tree();
    // Named: scanned, as `[scan] exclude` does.
    let (code, json) = json_run(&p, &["legacy.php", "build"]);
    assert_eq!(code, 1);
    assert_eq!(finding_files(&json), vec!["build/gen.php", "legacy.php"]);
    assert_eq!(
        json["summary"]["skipped"],
        json!({"default_dirs": 0, "excluded": 0})
    );

    // --force-exclude: skipped, counted and listed, also for a file in an ignored directory
    // and for a file named from a subdirectory (the work tree's `.gitignore` applies there).
    let args = [
        "legacy.php",
        "build",
        "build/gen.php",
        "web/sub/legacy.php",
        "app.php",
        "--force-exclude",
    ];
    let (code, json) = json_run(&p, &args);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(summary(&json, "files"), 1);
    assert_eq!(json["summary"]["skipped"]["ignored"], 4);
    let mut all = vec!["-v"];
    all.extend_from_slice(&args);
    let out = pretty(&p, &all);
    assert!(
        out.contains(
            "skipped by .gitignore (4):\n  build/  (.gitignore: build/)\n  build/gen.php  (.gitignore: build/)\n  legacy.php  (.gitignore: legacy.php)\n  web/sub/legacy.php  (.gitignore: legacy.php)\n"
        ),
        "{out}"
    );

    // Walking a subdirectory: the ignore files above it, up to the work tree's top, apply.
    let (code, json) = json_run(&p, &["web"]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(json["summary"]["skipped"]["ignored"], 1);
    // Also from inside it, with the configuration rooted there.
    let sub = p.dir.join("web");
    let (code, stdout, _) = common::run_in(&sub, &["check", "--format", "json"]);
    assert_eq!(code, 0, "{stdout}");
    let json: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["summary"]["skipped"]["ignored"], 1, "{json:#}");
}

#[test]
fn git_info_exclude_is_honoured() {
    let p = work_tree();
    p.write(".git/info/exclude", "app.php\n");
    let out = pretty(&p, &["-v"]);
    assert!(
        out.contains(
            "skipped by .git/info/exclude (1):\n  app.php  (.git/info/exclude: app.php)\n"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "\nskipped: 1 directory by default (.git), 1 directory and 2 files by .gitignore, 1 file by .git/info/exclude; listed above\n"
        ),
        "{out}"
    );
}

#[test]
fn ignore_files_outside_the_work_tree_or_the_user_settings_do_not_apply() {
    let p = TempProject::new(&[
        // Above the work tree `repo`: git does not read it, nor do we.
        (".gitignore", "*.php\n"),
        ("repo/.git/HEAD", "ref: refs/heads/main\n"),
        ("repo/a.php", UNSAFE),
        // Outside git, above the scanned directory (the configuration root): not read.
        ("plain/b.php", UNSAFE),
        // The user's global excludes file: never read, so results do not depend on the machine.
        ("xdg/git/ignore", "*.php\n"),
        (
            "home/.gitconfig",
            "[core]\n\texcludesFile = ~/global-ignore\n",
        ),
        ("home/global-ignore", "*.php\n"),
    ]);
    let xdg = p.dir.join("xdg");
    let home = p.dir.join("home");
    let env = [
        ("XDG_CONFIG_HOME", xdg.to_str().unwrap()),
        ("HOME", home.to_str().unwrap()),
    ];
    for dir in ["repo", "plain"] {
        let (code, stdout, stderr) =
            run_with_env(&p.dir.join(dir), &["check", "--format", "json"], &env);
        assert_eq!(code, 1, "{dir}: {stdout}\n{stderr}");
        let json: Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(summary(&json, "files"), 1, "{dir}: {json:#}");
        assert_eq!(
            json["summary"]["skipped"],
            json!({"default_dirs": usize::from(dir == "repo"), "excluded": 0}),
            "{dir}"
        );
    }
}

#[test]
fn exclude_and_default_dirs_take_precedence_in_the_listing() {
    let p = TempProject::new(&[
        ("tenantlint.toml", "[scan]\nexclude = [\"legacy/**\"]\n"),
        (".gitignore", "legacy/\nvendor/\n"),
        ("legacy/old.php", UNSAFE),
        ("vendor/lib.php", UNSAFE),
        ("app.php", SAFE),
    ]);
    let (_, json) = json_run(&p, &[]);
    // Each skipped path is counted once, under the first reason: its name, `[scan] exclude`,
    // then the ignore files.
    assert_eq!(
        json["summary"]["skipped"],
        json!({"default_dirs": 1, "excluded": 1})
    );
}

/// Many files in many directories, with ignored, excluded and default-skipped paths and
/// symlinked duplicates: the report is the same on one thread and on several.
#[test]
fn output_is_the_same_whatever_the_number_of_threads() {
    let p = TempProject::new(&[
        ("tenantlint.toml", "[scan]\nexclude = [\"d3/**\"]\n"),
        (".gitignore", "*.skip.php\nd5/\n"),
        ("d7/.ignore", "f1*.php\n!f10.php\n"),
    ]);
    for d in 0..12 {
        for f in 0..30 {
            let text = if (d + f) % 3 == 0 { UNSAFE } else { SAFE };
            p.write(&format!("d{d}/s{}/f{f}.php", f % 4), text);
            if f % 7 == 0 {
                p.write(&format!("d{d}/f{f}.skip.php"), UNSAFE);
            }
        }
    }
    p.write("d2/vendor/v.php", UNSAFE);
    p.write("d2/tenantlint.toml", "");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(p.dir.join("d1"), p.dir.join("d1-link")).unwrap();
        std::os::unix::fs::symlink(p.dir.join("d0/s0/f0.php"), p.dir.join("d0/alias.php")).unwrap();
    }
    let (_, one) = json_run(&p, &["--threads", "1"]);
    assert!(summary(&one, "files") > 200, "{one:#}");
    assert!(one["summary"]["skipped"]["ignored"].as_u64().unwrap() > 20);
    for threads in [&["--threads", "0"][..], &["--threads", "4"], &[]] {
        for _ in 0..3 {
            let (_, many) = json_run(&p, threads);
            assert_eq!(without_timing(many), without_timing(one.clone()));
        }
    }
    let listing = |args: &[&str]| {
        let out = pretty(&p, args);
        out.lines()
            .filter(|l| !l.starts_with("tenantlint: "))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(
        listing(&["-v", "--threads", "1"]),
        listing(&["-v", "--threads", "4"])
    );
}

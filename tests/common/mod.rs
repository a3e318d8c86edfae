//! Helpers shared by the integration tests: run the built `tenantlint` binary, and build
//! throw-away PHP projects to scan.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

/// Root of the crate (where `fixtures/` and `rules/` live).
pub fn crate_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Run `tenantlint` with `args` in `cwd`; returns (exit code, stdout, stderr).
pub fn run_in(cwd: &Path, args: &[&str]) -> (i32, String, String) {
    run_with_env(cwd, args, &[])
}

/// Like [`run_in`], with extra environment variables.
pub fn run_with_env(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tenantlint"));
    cmd.args(args).current_dir(cwd);
    // What picks the output format or adds output from the environment of the test run (a
    // developer's shell, a GitHub Actions job) does not apply unless the test sets it.
    for var in ["TENANTLINT_FORMAT", "GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY"] {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("failed to run the tenantlint binary");
    let code = out
        .status
        .code()
        .expect("tenantlint was killed by a signal");
    (
        code,
        String::from_utf8(out.stdout).expect("stdout is not UTF-8"),
        String::from_utf8(out.stderr).expect("stderr is not UTF-8"),
    )
}

/// A temporary project directory, removed when dropped.
pub struct TempProject {
    pub dir: PathBuf,
}

impl TempProject {
    /// Create a fresh directory under the system temp dir holding `files` (relative path, text).
    pub fn new(files: &[(&str, &str)]) -> TempProject {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let dir = std::env::temp_dir().join(format!(
            "tenantlint-test-{}-{}-{}",
            std::process::id(),
            n,
            nanos
        ));
        std::fs::create_dir_all(&dir).expect("create temp project dir");
        let project = TempProject { dir };
        for (path, text) in files {
            project.write(path, text);
        }
        project
    }

    /// Write (or overwrite) one file of the project.
    pub fn write(&self, path: &str, text: &str) {
        let full = self.dir.join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).expect("create parent dir");
        }
        std::fs::write(full, text).expect("write project file");
    }

    /// Run tenantlint with `args` inside the project directory.
    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        run_in(&self.dir, args)
    }

    /// `tenantlint check --format json` on the project (cwd = project dir, path `.`), parsed.
    /// Panics unless the exit code is 0 or 1 and the output is JSON.
    pub fn check_json(&self) -> Value {
        let (code, stdout, stderr) = self.run(&["check", "--format", "json"]);
        assert!(
            code == 0 || code == 1,
            "unexpected exit code {code}\nstdout:\n{stdout}\nstderr:\n{stderr}"
        );
        let json: Value = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{stdout}\nstderr:\n{stderr}"));
        // The exit code follows the findings at error severity.
        let has_errors = json["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["severity"] == "error");
        assert_eq!(
            code,
            i32::from(has_errors),
            "exit code vs findings:\n{stdout}"
        );
        json
    }
}

impl Drop for TempProject {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Write `files` to a temp project and return the parsed JSON report of `check --format json`.
pub fn check_files(files: &[(&str, &str)]) -> Value {
    TempProject::new(files).check_json()
}

/// Check a single PHP file, `example.php`, with the default configuration.
pub fn check_php(source: &str) -> Value {
    check_files(&[("example.php", source)])
}

/// (rule, file, line) of every finding, in report order.
pub fn findings(json: &Value) -> Vec<(String, String, u64)> {
    json["findings"]
        .as_array()
        .expect("`findings` is an array")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().expect("rule").to_string(),
                f["file"].as_str().expect("file").to_string(),
                f["line"].as_u64().expect("line"),
            )
        })
        .collect()
}

/// Shorthand for an expected finding.
pub fn f(rule: &str, file: &str, line: u64) -> (String, String, u64) {
    (rule.to_string(), file.to_string(), line)
}

/// A summary counter.
pub fn summary(json: &Value, key: &str) -> u64 {
    json["summary"][key]
        .as_u64()
        .unwrap_or_else(|| panic!("summary.{key} missing in {json:#}"))
}

/// Assert the report has exactly `expected` findings (rule, file, line), nothing unanalyzed.
#[track_caller]
pub fn assert_findings(json: &Value, expected: &[(&str, &str, u64)]) {
    let expected: Vec<_> = expected.iter().map(|(r, p, l)| f(r, p, *l)).collect();
    assert_eq!(findings(json), expected, "report:\n{json:#}");
    assert_eq!(summary(json, "unanalyzed"), 0, "report:\n{json:#}");
}

/// Assert `sql_sites` queries were recognised, all of them analysed, and none reported.
#[track_caller]
pub fn assert_clean(json: &Value, sql_sites: u64) {
    assert_eq!(findings(json), vec![], "report:\n{json:#}");
    assert_eq!(summary(json, "sql_sites"), sql_sites, "report:\n{json:#}");
    assert_eq!(summary(json, "unanalyzed"), 0, "report:\n{json:#}");
}

/// Remove `summary.elapsed_ms` (the only run-dependent value) from a JSON report.
pub fn without_timing(mut json: Value) -> Value {
    if let Some(summary) = json["summary"].as_object_mut() {
        summary.remove("elapsed_ms");
    }
    json
}

/// The cache file of `kind` (`facts`, `sql`) in the cache directory `dir`, if there is one
/// (`facts-KEY.bin`: one per build and configuration).
#[allow(dead_code)]
pub fn cache_file(dir: &std::path::Path, kind: &str) -> Option<std::path::PathBuf> {
    let mut found: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&format!("{kind}-")) && n.ends_with(".bin"))
        })
        .collect();
    assert!(found.len() <= 1, "one {kind} file expected: {found:?}");
    found.pop()
}

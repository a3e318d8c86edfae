//! The GitHub Action (`action.yml`): its inputs reach scripts through `env:` only, and its
//! `run:` steps, run as GitHub would run them in a repository, gate on findings, write the job
//! summary and a SARIF file.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{crate_root, TempProject};
use yaml_rust2::{Yaml, YamlLoader};

fn action() -> Yaml {
    let text = std::fs::read_to_string(crate_root().join("action.yml")).expect("action.yml");
    YamlLoader::load_from_str(&text)
        .expect("action.yml is YAML")
        .remove(0)
}

fn steps(action: &Yaml) -> Vec<Yaml> {
    action["runs"]["steps"]
        .as_vec()
        .expect("runs.steps")
        .clone()
}

#[test]
fn inputs_are_declared_and_never_expanded_inside_scripts() {
    let action = action();
    assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
    let inputs = action["inputs"].as_hash().expect("inputs");
    for name in [
        "paths",
        "config",
        "format",
        "sarif-file",
        "baseline",
        "fail-on",
        "changed-since",
        "version",
    ] {
        assert!(
            inputs.contains_key(&Yaml::String(name.into())),
            "input `{name}` missing"
        );
    }
    assert_eq!(
        action["inputs"]["format"]["default"].as_str(),
        Some("github")
    );
    let mut scripts = 0;
    for step in steps(&action) {
        if let Some(run) = step["run"].as_str() {
            scripts += 1;
            assert!(
                !run.contains("${{"),
                "an expression inside `run:` is a script-injection hole:\n{run}"
            );
            assert_eq!(step["shell"].as_str(), Some("bash"));
        }
    }
    assert!(scripts >= 3);
    // The binary is built from the action's own source and cached.
    let text = std::fs::read_to_string(crate_root().join("action.yml")).unwrap();
    assert!(text.contains("cargo install --locked --root \"$ROOT\" --path \"$GITHUB_ACTION_PATH\""));
    assert!(text.contains("uses: actions/cache@"));
}

/// Evaluate the `${{ … }}` expressions the action uses in `env:` values.
fn evaluate(
    value: &str,
    inputs: &HashMap<String, String>,
    outputs: &HashMap<String, HashMap<String, String>>,
) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").expect("closed expression") + start;
        let expr = rest[start + 3..end].trim();
        let parts: Vec<&str> = expr.split('.').collect();
        let resolved = match parts.as_slice() {
            ["inputs", name] => inputs.get(*name).cloned().unwrap_or_default(),
            ["steps", id, "outputs", name] => outputs
                .get(*id)
                .and_then(|o| o.get(*name))
                .cloned()
                .unwrap_or_default(),
            _ => panic!("expression the test does not know: {expr}"),
        };
        out.push_str(&resolved);
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

struct Run {
    code: i32,
    summary: String,
    outputs: HashMap<String, HashMap<String, String>>,
}

/// Run the action's `run:` steps in `repo` with `given` inputs, as a runner would; `uses:`
/// steps (the cache) are skipped, and the binary under test stands in for the cached one.
fn run_action(repo: &Path, given: &[(&str, &str)]) -> Run {
    let action = action();
    let mut inputs: HashMap<String, String> = HashMap::new();
    for (k, v) in action["inputs"].as_hash().unwrap() {
        let default = v["default"].as_str().unwrap_or("").to_string();
        inputs.insert(k.as_str().unwrap().to_string(), default);
    }
    for (k, v) in given {
        inputs.insert((*k).to_string(), (*v).to_string());
    }
    let work = repo.join(".runner");
    std::fs::create_dir_all(&work).unwrap();
    let summary = work.join("summary.md");
    std::fs::write(&summary, "").unwrap();
    let tools = work.join("tools");
    let mut outputs: HashMap<String, HashMap<String, String>> = HashMap::new();
    let mut code = 0;
    for step in steps(&action) {
        let Some(script) = step["run"].as_str() else {
            continue;
        };
        let id = step["id"].as_str().unwrap_or("step").to_string();
        let output_file = work.join(format!("{id}.out"));
        std::fs::write(&output_file, "").unwrap();
        let mut cmd = Command::new("bash");
        cmd.arg("-c")
            .arg(script)
            .current_dir(repo)
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("GITHUB_OUTPUT", &output_file)
            .env("GITHUB_ACTION_PATH", crate_root())
            .env("GITHUB_WORKSPACE", repo)
            .env("RUNNER_TOOL_CACHE", &tools)
            .env("RUNNER_TEMP", work.join("temp"))
            .env("GITHUB_SHA", "0123abcd")
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64")
            .env_remove("TENANTLINT_FORMAT");
        if let Some(env) = step["env"].as_hash() {
            for (k, v) in env {
                let value = evaluate(v.as_str().unwrap_or(""), &inputs, &outputs);
                cmd.env(k.as_str().unwrap(), value);
            }
        }
        if id == "install" {
            // What the cache restores: the binary under test.
            let root = PathBuf::from(&outputs["key"]["root"]);
            std::fs::create_dir_all(root.join("bin")).unwrap();
            std::fs::copy(
                env!("CARGO_BIN_EXE_tenantlint"),
                root.join("bin/tenantlint"),
            )
            .unwrap();
        }
        let out = cmd.output().expect("bash runs");
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        let written: HashMap<String, String> = std::fs::read_to_string(&output_file)
            .unwrap()
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        outputs.insert(id.clone(), written);
        code = out.status.code().unwrap_or(-1);
        if id == "check" {
            if code != 0 {
                assert!(
                    stdout.contains("::error "),
                    "the failing run annotates:\n{stdout}\n{stderr}"
                );
            }
            break;
        }
        assert_eq!(code, 0, "step `{id}` failed:\n{stdout}\n{stderr}");
    }
    Run {
        code,
        summary: std::fs::read_to_string(&summary).unwrap(),
        outputs,
    }
}

fn git_repo(files: &[(&str, &str)]) -> TempProject {
    let p = TempProject::new(files);
    for args in [
        &["init", "-q", "."][..],
        &["add", "-A"],
        &[
            "-c",
            "user.email=t@example.com",
            "-c",
            "user.name=t",
            "commit",
            "-qm",
            "base",
        ],
    ] {
        assert!(Command::new("git")
            .args(args)
            .current_dir(&p.dir)
            .status()
            .unwrap()
            .success());
    }
    p
}

const CONFIG: &str = "[tenant]\ncolumn = \"ep_code\"\ntables = [\"iw_*\"]\n";

#[test]
fn a_clean_tree_passes() {
    let p = git_repo(&[
        ("tenantlint.toml", CONFIG),
        (
            "a.php",
            "<?php\nsql_query(\"select * from iw_member where ep_code = '{$iw['store']}'\");\n",
        ),
    ]);
    let run = run_action(&p.dir, &[("sarif-file", "tenantlint.sarif")]);
    assert_eq!(run.code, 0);
    assert_eq!(run.outputs["check"]["exit-code"], "0");
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p.dir.join("tenantlint.sarif")).unwrap())
            .unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 0);
}

/// The check keeps its result cache where the action's cache step saves and restores it:
/// a second run in the same job or a later one reports the same from it.
#[test]
fn the_result_cache_is_kept_where_the_action_caches_it() {
    let p = git_repo(&[
        ("tenantlint.toml", CONFIG),
        ("a.php", "<?php\nsql_query(\"select * from iw_member\");\n"),
    ]);
    let first = run_action(&p.dir, &[]);
    assert_eq!(first.code, 1);
    let results = PathBuf::from(&first.outputs["key"]["results"]);
    assert!(
        common::cache_file(&results, "facts").is_some(),
        "{}",
        results.display()
    );
    assert!(!p.dir.join(".tenantlint_cache").exists());
    let key = &first.outputs["key"]["results-key"];
    assert!(key.starts_with(&first.outputs["key"]["results-restore"]));
    assert!(key.ends_with("-0123abcd"), "{key}");
    let second = run_action(&p.dir, &[]);
    assert_eq!(second.code, 1);
    assert_eq!(first.summary, second.summary);
    let text = std::fs::read_to_string(crate_root().join("action.yml")).unwrap();
    assert!(text.contains("path: ${{ steps.key.outputs.results }}"));
}

#[test]
fn a_failing_tree_fails_writes_the_summary_and_sarif() {
    let p = git_repo(&[
        ("tenantlint.toml", CONFIG),
        ("a.php", "<?php\nsql_query(\"select * from iw_member\");\n"),
    ]);
    let run = run_action(
        &p.dir,
        &[("sarif-file", "out/tenantlint.sarif"), ("paths", ". ")],
    );
    assert_eq!(run.code, 1);
    assert_eq!(run.outputs["check"]["exit-code"], "1");
    assert!(run.summary.contains("TL001"), "{}", run.summary);
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p.dir.join("out/tenantlint.sarif")).unwrap())
            .expect("the SARIF file is JSON");
    assert_eq!(sarif["version"], "2.1.0");
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "TL001");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        2
    );
    assert!(result["partialFingerprints"].is_object());

    // `fail-on: never` reports without failing.
    let run = run_action(&p.dir, &[("fail-on", "never")]);
    assert_eq!(run.code, 0);
}

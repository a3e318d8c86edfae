//! The output formats besides `pretty` and `json`: `concise`, `sarif` and `github`, and how a
//! format is chosen (`--format`, `TENANTLINT_FORMAT`, GitHub Actions).

// Helpers outside `#[test]` functions panic on purpose: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashSet;

use serde_json::Value;

use common::{crate_root, run_with_env, TempProject};

const UNSAFE: &str = "<?php\n$row = sql_fetch(\"SELECT * FROM iw_member WHERE mb_id = 'a'\");\n";

/// `tenantlint check fixtures/infoway ARGS` from the crate root, with `env`.
fn infoway(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut all = vec!["check", "fixtures/infoway"];
    all.extend_from_slice(args);
    let mut env = env.to_vec();
    env.push(("NO_COLOR", "1"));
    run_with_env(&crate_root(), &all, &env)
}

/// The elapsed time at the end of the summary line.
fn elapsed_filter() -> Vec<(&'static str, &'static str)> {
    vec![(r" in \d+ ms", " in [ELAPSED] ms")]
}

fn json_of(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{stdout}"))
}

/// The findings of the JSON report: (file, line, column, end_line, end_column, rule,
/// fingerprint), in report order.
fn json_findings(json: &Value) -> Vec<(String, u64, u64, u64, u64, String, String)> {
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["file"].as_str().expect("file").to_string(),
                f["line"].as_u64().expect("line"),
                f["column"].as_u64().expect("column"),
                f["end_line"].as_u64().expect("end_line"),
                f["end_column"].as_u64().expect("end_column"),
                f["rule"].as_str().expect("rule").to_string(),
                f["fingerprint"].as_str().expect("fingerprint").to_string(),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// concise
// ---------------------------------------------------------------------------------------------

#[test]
fn concise_infoway() {
    let (code, stdout, stderr) = infoway(&["--format", "concise"], &[]);
    assert_eq!(code, 1, "stderr: {stderr}");
    assert!(
        !stdout.chars().any(|c| c.is_control() && c != '\n'),
        "no colour or control characters: {stdout:?}"
    );
    // One line per finding, as editors and grep read them, at the JSON report's positions.
    let (_, json, _) = infoway(&["--format", "json"], &[]);
    let expected: Vec<String> = json_findings(&json_of(&json))
        .into_iter()
        .map(|(file, line, col, _, _, rule, _)| format!("{file}:{line}:{col}: {rule} "))
        .collect();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), expected.len() + 1, "{stdout}");
    for (line, prefix) in lines.iter().zip(&expected) {
        assert!(line.starts_with(prefix.as_str()), "{line} vs {prefix}");
    }
    // Then pretty's summary line.
    assert!(
        lines[expected.len()].starts_with("tenantlint: 14 files, 46 SQL sites"),
        "{stdout}"
    );
    insta::with_settings!({filters => elapsed_filter()}, {
        insta::assert_snapshot!(stdout);
    });
}

#[test]
fn concise_keeps_each_finding_on_one_line_and_lists_unanalyzed_on_request() {
    let p = TempProject::new(&[
        ("odd\nname.php", UNSAFE),
        (
            "b.php",
            "<?php\n$row = sql_fetch(\"SELECT * FROM {$unknown_table} WHERE id = 1\");\n",
        ),
    ]);
    let (code, stdout, _) = p.run(&["check", "--format", "concise", "--show-unanalyzed"]);
    assert_eq!(code, 1, "{stdout}");
    insta::with_settings!({filters => elapsed_filter()}, {
        insta::assert_snapshot!(stdout, @r"
        odd\nname.php:2:33: TL001 `iw_member` is queried with no `ep_code` predicate: the query reaches every tenant's rows
        b.php:2:8: unanalyzed table-name: table name `$unknown_table` cannot be resolved (define it, or name it in [tables])
        tenantlint: 2 files, 2 SQL sites (1 unanalyzed), 0 with parse errors: 1 finding (TL000: 0, TL001: 1, TL002: 0, TL003: 0, TL004: 0, TL900: 0) in [ELAPSED] ms
        ");
    });
}

// ---------------------------------------------------------------------------------------------
// github
// ---------------------------------------------------------------------------------------------

#[test]
fn github_infoway_with_job_summary() {
    let summary_dir = TempProject::new(&[("summary.md", "## Earlier step\n\n")]);
    let summary_file = summary_dir.dir.join("summary.md");
    let (code, stdout, stderr) = infoway(
        &["--format", "github"],
        &[(
            "GITHUB_STEP_SUMMARY",
            summary_file.to_str().expect("UTF-8 path"),
        )],
    );
    assert_eq!(code, 1, "stderr: {stderr}");
    assert_eq!(stderr, "");
    // One workflow command per finding, at the JSON report's positions.
    let (_, json, _) = infoway(&["--format", "json"], &[]);
    let expected: Vec<String> = json_findings(&json_of(&json))
        .into_iter()
        .map(|(file, line, col, end_line, end_col, rule, _)| {
            format!("::error file={file},line={line},col={col},endLine={end_line},endColumn={end_col},title={rule} ")
        })
        .collect();
    let commands: Vec<&str> = stdout.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(commands.len(), expected.len(), "{stdout}");
    for (line, prefix) in commands.iter().zip(&expected) {
        assert!(line.starts_with(prefix.as_str()), "{line} vs {prefix}");
    }
    insta::with_settings!({filters => elapsed_filter()}, {
        insta::assert_snapshot!("github_infoway_stdout", stdout);
    });
    // The job summary is appended to what earlier steps wrote.
    let summary = std::fs::read_to_string(&summary_file).expect("job summary");
    assert!(summary.starts_with("## Earlier step\n\n## tenantlint: 18 findings\n"));
    insta::assert_snapshot!("github_infoway_job_summary", summary);
}

#[test]
fn github_without_job_summary_file_writes_only_stdout() {
    let p = TempProject::new(&[("a.php", UNSAFE)]);
    let (code, stdout, stderr) = p.run(&["check", "--format", "github"]);
    assert_eq!(code, 1);
    assert_eq!(stderr, "");
    assert!(
        stdout.starts_with("::error file=a.php,line=2,col=33,"),
        "{stdout}"
    );
    let files: Vec<String> = std::fs::read_dir(&p.dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        // The result cache is the one thing a run writes beside the sources.
        .filter(|name| name != ".tenantlint_cache")
        .collect();
    assert_eq!(files, vec!["a.php".to_string()]);
}

#[test]
fn github_escapes_commas_colons_percent_and_newlines() {
    // File names holding `,`, `:`, `%` and a newline, and messages holding `:` (every TL001
    // message has one) and a newline (a warning naming a file with one).
    let p = TempProject::new(&[
        ("50%,a:b.php", UNSAFE),
        ("x\ny.php", UNSAFE),
        ("bad\nname.txt", "not PHP"),
        ("pipe|name.php", UNSAFE),
    ]);
    let summary = p.dir.join("summary.md");
    let (code, stdout, stderr) = run_with_env(
        &p.dir,
        &["check", ".", "bad\nname.txt", "--format", "github"],
        &[("GITHUB_STEP_SUMMARY", summary.to_str().expect("UTF-8 path"))],
    );
    assert_eq!(code, 1, "{stderr}");
    insta::with_settings!({filters => elapsed_filter()}, {
        insta::assert_snapshot!(stdout, @r"
        ::error file=50%25%2Ca%3Ab.php,line=2,col=33,endLine=2,endColumn=42,title=TL001 missing-tenant-filter::`iw_member` is queried with no `ep_code` predicate: the query reaches every tenant's rows
        ::error file=pipe|name.php,line=2,col=33,endLine=2,endColumn=42,title=TL001 missing-tenant-filter::`iw_member` is queried with no `ep_code` predicate: the query reaches every tenant's rows
        ::error file=x%0Ay.php,line=2,col=33,endLine=2,endColumn=42,title=TL001 missing-tenant-filter::`iw_member` is queried with no `ep_code` predicate: the query reaches every tenant's rows
        ::warning title=tenantlint::bad%0Aname.txt: not a source file (extensions: .php, .phtml, .inc, .rs); not scanned
        tenantlint: 3 files, 3 SQL sites (0 unanalyzed), 0 with parse errors: 3 findings (TL000: 0, TL001: 3, TL002: 0, TL003: 0, TL004: 0, TL900: 0) in [ELAPSED] ms
        ");
    });
    // In the job summary's tables, `|` and line breaks stay inside their cell.
    let summary = std::fs::read_to_string(&summary).expect("job summary");
    assert!(
        summary.contains("| TL001 | `pipe\\|name.php:2` | "),
        "{summary}"
    );
    assert!(summary.contains("| TL001 | `x<br>y.php:2` | "), "{summary}");
    for row in summary.lines().filter(|l| l.starts_with("| TL001 | `")) {
        assert_eq!(row.matches(" | ").count(), 2, "three cells: {row}");
    }
}

#[test]
fn github_shows_unanalyzed_sites_as_notices_on_request() {
    let p = TempProject::new(&[(
        "a.php",
        "<?php\n$row = sql_fetch(\"SELECT * FROM {$unknown_table} WHERE id = 1\");\n",
    )]);
    let summary = p.dir.join("summary.md");
    let env = [("GITHUB_STEP_SUMMARY", summary.to_str().expect("UTF-8 path"))];
    let (code, stdout, _) = run_with_env(&p.dir, &["check", "--format", "github"], &env);
    assert_eq!(code, 0, "{stdout}");
    assert!(!stdout.contains("::notice"), "{stdout}");
    assert!(
        stdout.contains("unanalyzed: 1 query could not be checked (--show-unanalyzed lists them)"),
        "{stdout}"
    );
    let text = std::fs::read_to_string(&summary).expect("job summary");
    assert!(text.starts_with("## tenantlint: no findings\n"), "{text}");
    assert!(
        text.contains("**Unanalyzed:** 1 query could not be checked; run `tenantlint check --show-unanalyzed` to list it."),
        "{text}"
    );
    let (_, stdout, _) = run_with_env(
        &p.dir,
        &["check", "--format", "github", "--show-unanalyzed"],
        &env,
    );
    assert!(
        stdout.starts_with("::notice file=a.php,line=2,col=8,title=unanalyzed (table-name)::table name `$unknown_table` cannot be resolved"),
        "{stdout}"
    );
}

#[test]
fn github_job_summary_counts_suppressed_findings() {
    let p = TempProject::new(&[(
        "a.php",
        "<?php\n// tenantlint-ignore TL001: the super-admin screen lists every store's members\n$rows = sql_query(\"SELECT * FROM iw_member\");\n",
    )]);
    let summary = p.dir.join("summary.md");
    let (code, stdout, _) = run_with_env(
        &p.dir,
        &["check", "--format", "github"],
        &[("GITHUB_STEP_SUMMARY", summary.to_str().expect("UTF-8 path"))],
    );
    assert_eq!(code, 0, "{stdout}");
    assert!(!stdout.contains("::error"), "{stdout}");
    let text = std::fs::read_to_string(&summary).expect("job summary");
    assert!(
        text.contains("**Suppressed:** 1 finding suppressed by `tenantlint-ignore` directives"),
        "{text}"
    );
    assert!(!text.contains("### Findings"), "{text}");
}

/// GitHub shows 10 error annotations per step: with the changed files known, their findings
/// are annotated first, and the rest is counted as not annotated.
#[test]
fn github_annotates_findings_in_changed_files_first() {
    let ten = format!("<?php\n{}", UNSAFE.trim_start_matches("<?php\n").repeat(10));
    let p = TempProject::new(&[("a.php", &ten), ("z.php", UNSAFE)]);
    let config = tenantlint::config::Config::discover(&p.dir).expect("config");
    let report = tenantlint::engine::scan(std::slice::from_ref(&p.dir), &config);
    let z = report
        .files
        .iter()
        .position(|f| f.display.ends_with("z.php"))
        .expect("z.php scanned");
    let file_of = |line: &str| {
        line.split_once(",line=")
            .and_then(|(head, _)| head.rsplit('/').next())
            .map(str::to_string)
    };

    let mut options = tenantlint::report::RenderOptions {
        hide_timing: true,
        ..Default::default()
    };
    let annotated_files = |out: &str| -> Vec<String> {
        out.lines()
            .filter(|l| l.starts_with("::error"))
            .filter_map(file_of)
            .collect()
    };
    // Report order without changed files: z.php's finding is the 11th, past the limit.
    let out = tenantlint::report::github::render(&report, &options);
    let files = annotated_files(&out);
    assert_eq!(files.len(), 11);
    assert_eq!(files[10], "z.php");
    assert!(
        out.contains("1 finding is not annotated (all are listed in this log)"),
        "{out}"
    );

    options.changed_files = Some(HashSet::from([z]));
    let out = tenantlint::report::github::render(&report, &options);
    let files = annotated_files(&out);
    assert_eq!(files[0], "z.php", "{out}");
    assert!(files[1..].iter().all(|f| f == "a.php"), "{out}");
    assert!(
        out.contains("1 finding is not annotated (all are listed in this log; findings in changed files come first)"),
        "{out}"
    );
    let summary = tenantlint::report::github::step_summary(&report, &options);
    assert!(
        summary.contains("**Not annotated:** GitHub shows the first 10 errors and 10 warnings of a step as annotations; 1 finding beyond them is not annotated (findings in changed files come first)."),
        "{summary}"
    );
    let first_row = summary
        .lines()
        .find(|l| l.starts_with("| TL001 | `"))
        .expect("a findings row");
    assert!(first_row.contains("z.php:2"), "{first_row}");
}

// ---------------------------------------------------------------------------------------------
// Choosing the format
// ---------------------------------------------------------------------------------------------

#[test]
fn tenantlint_format_variable_picks_the_format_and_the_flag_wins() {
    let p = TempProject::new(&[("a.php", UNSAFE)]);
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut all = vec!["check"];
        all.extend_from_slice(args);
        run_with_env(&p.dir, &all, env)
    };
    let (code, stdout, _) = run(&[], &[("TENANTLINT_FORMAT", "concise")]);
    assert_eq!(code, 1);
    assert!(stdout.starts_with("a.php:2:33: TL001 "), "{stdout}");

    let (_, stdout, _) = run(&["--format", "json"], &[("TENANTLINT_FORMAT", "concise")]);
    assert_eq!(json_of(&stdout)["findings"][0]["rule"], "TL001");

    // Empty, as a CI template leaves an unset variable: the default.
    let (code, stdout, stderr) = run(&[], &[("TENANTLINT_FORMAT", "")]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.contains("TL001(missing-tenant-filter)"), "{stdout}");

    let (code, stdout, stderr) = run(&[], &[("TENANTLINT_FORMAT", "xml")]);
    assert_eq!(code, 2, "{stdout}");
    assert!(
        stderr.contains("invalid value 'xml' for '--format <FORMAT>'"),
        "{stderr}"
    );
    assert!(stderr.contains("sarif, github"), "{stderr}");
}

#[test]
fn github_format_is_the_default_inside_github_actions() {
    let p = TempProject::new(&[("a.php", UNSAFE)]);
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut all = vec!["check"];
        all.extend_from_slice(args);
        run_with_env(&p.dir, &all, env).1
    };
    let actions = ("GITHUB_ACTIONS", "true");
    assert!(
        run(&[], &[actions]).starts_with("::error file=a.php,line=2,col=33,"),
        "github when nothing else is asked for"
    );
    let out = run(&[], &[actions, ("TENANTLINT_FORMAT", "sarif")]);
    assert_eq!(json_of(&out)["version"], "2.1.0");
    let out = run(&["--format", "pretty"], &[actions]);
    assert!(out.contains("TL001(missing-tenant-filter)"), "{out}");
    let out = run(&[], &[("GITHUB_ACTIONS", "false")]);
    assert!(out.contains("TL001(missing-tenant-filter)"), "{out}");
}

// ---------------------------------------------------------------------------------------------
// SARIF
// ---------------------------------------------------------------------------------------------

/// The SARIF of the sample application, parsed.
fn infoway_sarif() -> Value {
    let (code, stdout, stderr) = infoway(&["--format", "sarif"], &[]);
    assert_eq!(code, 1, "stderr: {stderr}");
    json_of(&stdout)
}

#[test]
fn sarif_infoway_snapshot() {
    let mut sarif = infoway_sarif();
    // Each rule's help is its documentation, word for word; the snapshot names the file
    // instead so that it follows the rules, not their prose.
    let root = crate_root();
    for rule in sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array_mut()
        .expect("rules")
    {
        let id = rule["id"].as_str().expect("id").to_string();
        let name = rule["name"].as_str().expect("name").to_string();
        let doc_path = format!("rules/{id}-{name}.md");
        let doc = std::fs::read_to_string(root.join(&doc_path)).expect("rule doc");
        assert_eq!(rule["help"]["text"], doc.as_str(), "{id}");
        assert_eq!(rule["help"]["markdown"], doc.as_str(), "{id}");
        let what = rule["fullDescription"]["markdown"]
            .as_str()
            .expect("fullDescription");
        assert!(
            doc.contains(what),
            "{id}: fullDescription is a part of the doc"
        );
        assert_eq!(rule["fullDescription"]["text"], what);
        rule["help"] = Value::from(format!("[{doc_path}]"));
        rule["fullDescription"] = Value::from(format!("[{doc_path}: What it does]"));
    }
    // URIs start at the repository root when the crate is a git work tree, at the project
    // root otherwise (a source archive): the snapshot shows them from the project root.
    insta::with_settings!({filters => vec![
        (r#""uri": "fixtures/infoway/"#, r#""uri": ""#),
        (r#""config": "fixtures/infoway/"#, r#""config": ""#),
    ]}, {
        insta::assert_json_snapshot!(sarif);
    });
}

#[test]
fn sarif_has_what_github_code_scanning_reads() {
    let sarif = infoway_sarif();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(sarif["$schema"]
        .as_str()
        .is_some_and(|s| s.ends_with("sarif-2.1.0.json")));
    let runs = sarif["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "tenantlint");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(driver["semanticVersion"], env!("CARGO_PKG_VERSION"));

    // A rule per code `tenantlint rule` lists, with help and GitHub's properties.
    let (_, listed, _) = run_with_env(&crate_root(), &["rule"], &[]);
    let codes: Vec<&str> = listed
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    let rules = driver["rules"].as_array().expect("rules");
    let ids: Vec<&str> = rules
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, codes);
    for rule in rules {
        let id = rule["id"].as_str().expect("id");
        assert!(rule["name"].as_str().is_some_and(|n| !n.is_empty()), "{id}");
        let short = rule["shortDescription"]["text"].as_str().expect("short");
        assert!(
            short.ends_with('.') && !short.contains('\n'),
            "{id}: {short}"
        );
        assert!(rule["help"]["markdown"]
            .as_str()
            .is_some_and(|h| h.starts_with(&format!("# {id} "))));
        let severity: f64 = rule["properties"]["security-severity"]
            .as_str()
            .expect("security-severity")
            .parse()
            .expect("a number");
        assert!((0.0..=10.0).contains(&severity), "{id}");
        let tags = rule["properties"]["tags"].as_array().expect("tags");
        assert!(tags.contains(&Value::from("security")), "{id}");
        let level = rule["defaultConfiguration"]["level"]
            .as_str()
            .expect("level");
        assert_eq!(level, if id == "TL900" { "warning" } else { "error" });
    }
    let severity = |id: &str| {
        rules.iter().find(|r| r["id"] == id).expect("rule")["properties"]["security-severity"]
            .as_str()
            .expect("severity")
            .parse::<f64>()
            .expect("number")
    };
    assert!(severity("TL001") > severity("TL000"));
    assert!(severity("TL000") > severity("TL900"));

    // A result per finding of the JSON report, at its position, with its fingerprint.
    let (_, json, _) = infoway(&["--format", "json"], &[]);
    let findings = json_findings(&json_of(&json));
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), findings.len());
    for (result, (file, line, col, end_line, end_col, rule, fingerprint)) in
        results.iter().zip(&findings)
    {
        assert_eq!(result["ruleId"], rule.as_str());
        let index = result["ruleIndex"].as_u64().expect("ruleIndex");
        assert_eq!(rules[index as usize]["id"], rule.as_str());
        assert_eq!(result["level"], "error");
        assert!(result["message"]["text"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
        assert_eq!(
            result["partialFingerprints"]["tenantlint/v1"],
            fingerprint.as_str()
        );
        let locations = result["locations"].as_array().expect("locations");
        assert_eq!(locations.len(), 1);
        let physical = &locations[0]["physicalLocation"];
        // Relative to the repository root when the crate is a git work tree (as code scanning
        // reads it), else to the project root (the configuration's directory); `/`-separated.
        let uri = physical["artifactLocation"]["uri"].as_str().expect("uri");
        assert!(
            uri == file.as_str() || format!("fixtures/infoway/{uri}") == *file,
            "{uri} for {file}"
        );
        assert_eq!(physical["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let region = &physical["region"];
        assert_eq!(region["startLine"], *line);
        assert_eq!(region["startColumn"], *col);
        assert_eq!(region["endLine"], *end_line);
        assert_eq!(region["endColumn"], *end_col);
        if rule == "TL001" || rule == "TL002" {
            assert_eq!(
                result["relatedLocations"][0]["message"]["text"],
                "query run here"
            );
        }
    }
    // Traces are code flows; TL003's starts in the helper that reads the host.
    let tl003 = results
        .iter()
        .find(|r| r["ruleId"] == "TL003")
        .expect("TL003");
    let steps = tl003["codeFlows"][0]["threadFlows"][0]["locations"]
        .as_array()
        .expect("thread flow");
    let first = steps[0]["location"]["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .expect("uri");
    assert!(
        ["lib/tenant.lib.php", "fixtures/infoway/lib/tenant.lib.php"].contains(&first),
        "{first}"
    );
    assert_eq!(
        steps[0]["location"]["message"]["text"],
        "the request host is read here"
    );
}

#[test]
fn sarif_is_the_same_from_any_current_directory() {
    let (_, from_root, _) = infoway(&["--format", "sarif"], &[]);
    let (code, from_project, stderr) = run_with_env(
        &crate_root().join("fixtures/infoway"),
        &["check", "--format", "sarif"],
        &[],
    );
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(from_root, from_project);
    let (_, again, _) = infoway(&["--format", "sarif", "--threads", "1"], &[]);
    assert_eq!(from_root, again);
}

#[test]
fn sarif_marks_suppressions_and_reports_unanalyzed_sites_and_warnings() {
    let p = TempProject::new(&[
        (
            "lib/host.php",
            "<?php\nfunction get_sub() {\n    return explode('.', $_SERVER['HTTP_HOST'])[0];\n}\n",
        ),
        (
            "page one.php",
            "<?php\ninclude __DIR__ . '/lib/host.php';\n$sub = get_sub();\n\
             $ep = sql_fetch(\"SELECT ep_code FROM iw_enterprise WHERE ep_domain = '$sub'\");\n\
             // tenantlint-ignore TL001: the super-admin screen lists every store's members\n\
             $all = sql_query(\"SELECT * FROM iw_member\");\n\
             $x = sql_fetch(\"SELECT * FROM {$unknown_table} WHERE id = 1\");\n",
        ),
        ("notes.txt", "not PHP"),
    ]);
    let (code, stdout, stderr) = p.run(&["check", ".", "notes.txt", "--format", "sarif"]);
    assert_eq!(code, 1, "{stderr}");
    let sarif = json_of(&stdout);
    let run = &sarif["runs"][0];
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), 2, "{stdout}");

    // The TL003 trace crosses files: from the helper to the page (URIs percent-encoded).
    let tl003 = &results[0];
    assert_eq!(tl003["ruleId"], "TL003");
    assert!(tl003.get("suppressions").is_none());
    let uris: Vec<&str> = tl003["codeFlows"][0]["threadFlows"][0]["locations"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| {
            s["location"]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .expect("uri")
        })
        .collect();
    assert_eq!(uris.first(), Some(&"lib/host.php"));
    assert_eq!(uris.last(), Some(&"page%20one.php"));

    // The suppressed finding is a result, suppressed in source with the directive's reason.
    let suppressed = &results[1];
    assert_eq!(suppressed["ruleId"], "TL001");
    assert_eq!(
        suppressed["locations"][0]["physicalLocation"]["region"]["startLine"],
        6
    );
    let suppression = &suppressed["suppressions"][0];
    assert_eq!(suppression["kind"], "inSource");
    assert_eq!(
        suppression["justification"],
        "the super-admin screen lists every store's members"
    );
    assert_eq!(
        suppression["location"]["physicalLocation"]["region"]["startLine"],
        5
    );

    // The unanalyzed query is a note with its place; the path warning a warning.
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .expect("notifications");
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert_eq!(notes[0]["level"], "note");
    assert_eq!(notes[0]["properties"]["kind"], "table-name");
    assert!(notes[0]["message"]["text"]
        .as_str()
        .is_some_and(|m| m.contains("`$unknown_table`")));
    let region = &notes[0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 7);
    assert_eq!(notes[1]["level"], "warning");
    assert!(notes[1]["message"]["text"]
        .as_str()
        .is_some_and(|m| m.starts_with("notes.txt: not a source file")));
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
}

#[test]
fn sarif_columns_count_characters() {
    // `회원` is two characters and six bytes: the table name starts at column 32, byte 36.
    let p = TempProject::new(&[(
        "a.php",
        "<?php\n$회원 = sql_fetch(\"SELECT * FROM iw_member WHERE mb_id = 'a'\");\n",
    )]);
    let (_, stdout, _) = p.run(&["check", "--format", "sarif"]);
    let sarif = json_of(&stdout);
    let region = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startColumn"], 32);
    assert_eq!(region["endColumn"], 41);
    assert_eq!(sarif["runs"][0]["columnKind"], "unicodeCodePoints");
}

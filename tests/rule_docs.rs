//! The rule documentation in `rules/` is complete, and its `php fail` / `php pass` and
//! `rust fail` / `rust pass` examples do what they say. A fenced block with any other info
//! string than those and `text`, `toml`, `sql` is an error: an example that is not run must not
//! look like one.

// Helpers outside `#[test]` functions panic on purpose: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;

use common::{crate_root, findings, run_in, summary};

/// (code, name) of every rule, from `tenantlint rule`.
fn listed_rules() -> Vec<(String, String)> {
    let (code, stdout, stderr) = run_in(&crate_root(), &["rule"]);
    assert_eq!(code, 0, "{stderr}");
    let rules: Vec<(String, String)> = stdout
        .lines()
        .map(|l| {
            let mut parts = l.split_whitespace();
            let code = parts.next().expect("rule code").to_string();
            let name = parts.next().expect("rule name").to_string();
            assert_eq!(parts.next(), None, "unexpected list line `{l}`");
            (code, name)
        })
        .collect();
    assert!(!rules.is_empty(), "`tenantlint rule` lists no rule");
    rules
}

/// File names of `rules/*.md`.
fn doc_files() -> BTreeSet<String> {
    std::fs::read_dir(crate_root().join("rules"))
        .expect("rules/ directory")
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| n.ends_with(".md"))
        .collect()
}

/// Fenced blocks of a markdown document: (info string, body, line of the opening fence).
fn fenced_blocks(markdown: &str) -> Vec<(String, String, usize)> {
    let mut blocks = Vec::new();
    let mut current: Option<(String, String, usize)> = None;
    for (i, line) in markdown.lines().enumerate() {
        match current.as_mut() {
            None => {
                if let Some(info) = line.strip_prefix("```") {
                    current = Some((info.trim().to_string(), String::new(), i + 1));
                }
            }
            Some((_, body, _)) => {
                if line.trim_end() == "```" {
                    blocks.push(current.take().expect("open block"));
                } else {
                    body.push_str(line);
                    body.push('\n');
                }
            }
        }
    }
    assert!(current.is_none(), "unterminated fenced block");
    blocks
}

#[test]
fn every_rule_has_a_doc_and_every_doc_a_rule() {
    let expected: BTreeSet<String> = listed_rules()
        .iter()
        .map(|(code, name)| format!("{code}-{name}.md"))
        .collect();
    assert_eq!(doc_files(), expected);
}

#[test]
fn rule_command_prints_the_doc_file() {
    for (code, name) in listed_rules() {
        let doc = std::fs::read_to_string(crate_root().join(format!("rules/{code}-{name}.md")))
            .expect("doc file");
        assert!(
            doc.starts_with(&format!("# {code} {name}\n")),
            "{code}: the doc starts with its title"
        );
        let (status, stdout, _) = run_in(&crate_root(), &["rule", &code]);
        assert_eq!(status, 0);
        assert_eq!(
            stdout.trim_end(),
            doc.trim_end(),
            "`tenantlint rule {code}`"
        );
    }
}

/// Rules that judge the SQL text of a query (their examples must hold an analysed query).
const SQL_SHAPE_RULES: [&str; 2] = ["TL001", "TL002"];

/// Rules whose documentation shows Rust examples too.
const RUST_RULES: [&str; 4] = ["TL001", "TL002", "TL003", "TL004"];

/// What a fenced block is: an example to run (its file name, whether it must fail), or text.
fn example_kind(info: &str) -> Option<(&'static str, bool)> {
    match info {
        "php fail" => Some(("example.php", true)),
        "php pass" => Some(("example.php", false)),
        "rust fail" => Some(("example.rs", true)),
        "rust pass" => Some(("example.rs", false)),
        "text" | "toml" | "sql" => None,
        other => panic!("unknown fenced block `{other}`: examples are `php fail`, `php pass`, `rust fail` or `rust pass`"),
    }
}

#[test]
fn doc_examples_behave_as_labelled() {
    let mut checked = 0;
    for (code, name) in listed_rules() {
        let file = format!("rules/{code}-{name}.md");
        let doc = std::fs::read_to_string(crate_root().join(&file)).expect("doc file");
        let blocks = fenced_blocks(&doc);
        let (mut fails, mut passes) = (0, 0);
        let (mut rust_fails, mut rust_passes) = (0, 0);
        for (info, body, line) in blocks {
            let Some((example, expect_fail)) = example_kind(&info) else {
                continue;
            };
            let counter = match (example.ends_with(".rs"), expect_fail) {
                (false, true) => &mut fails,
                (false, false) => &mut passes,
                (true, true) => &mut rust_fails,
                (true, false) => &mut rust_passes,
            };
            *counter += 1;
            let json = common::check_files(&[(example, &body)]);
            let found = findings(&json);
            if expect_fail {
                assert_eq!(
                    found.len(),
                    1,
                    "{file}:{line}: a `{info}` example must give exactly one finding:\n{json:#}"
                );
                assert_eq!(found[0].0, code, "{file}:{line}: finding of the wrong rule");
            } else {
                assert_eq!(found, vec![], "{file}:{line}: `{info}` example reported");
                if !SQL_SHAPE_RULES.contains(&code.as_str()) {
                    continue;
                }
                // For the rules about the shape of a query, a pass must come from an analysed
                // query, not from the example being skipped.
                assert!(
                    summary(&json, "sql_sites") >= 1,
                    "{file}:{line}: the `{info}` example holds no recognised query"
                );
                assert_eq!(
                    summary(&json, "unanalyzed"),
                    0,
                    "{file}:{line}: `{info}` example not fully analysed:\n{json:#}"
                );
            }
            checked += 1;
        }
        assert!(fails >= 1, "{file} has no `php fail` example");
        assert!(passes >= 1, "{file} has no `php pass` example");
        if RUST_RULES.contains(&code.as_str()) {
            assert!(rust_fails >= 1, "{file} has no `rust fail` example");
            assert!(rust_passes >= 1, "{file} has no `rust pass` example");
        }
    }
    assert!(checked >= 4);
}

/// The diagnostics each rule renders for its failing examples, one snapshot per rule: what a
/// user reads (message, labels on the exact text, help, doc pointer).
#[test]
fn rendered_diagnostics_per_rule() {
    for (code, name) in listed_rules() {
        let doc = std::fs::read_to_string(crate_root().join(format!("rules/{code}-{name}.md")))
            .expect("rule doc");
        let mut rendered = String::new();
        for (info, body, line) in fenced_blocks(&doc) {
            let Some((example, true)) = example_kind(&info) else {
                continue;
            };
            let p = common::TempProject::new(&[(example, &body)]);
            let (_, stdout, _) = common::run_with_env(&p.dir, &["check"], &[("NO_COLOR", "1")]);
            rendered.push_str(&format!("--- example at line {line}\n"));
            rendered.push_str(&stdout);
        }
        insta::with_settings!({
            snapshot_suffix => code.clone(),
            filters => vec![(r" in \d+ ms", " in [ELAPSED] ms")],
        }, {
            insta::assert_snapshot!(rendered);
        });
    }
}

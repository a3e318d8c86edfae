//! The result cache: a second run on an unchanged tree parses nothing, and every run reports
//! exactly what a run without the cache reports — after edits, with a corrupt cache, with
//! `--no-cache`.

// Helpers outside `#[test]` functions panic on purpose: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{findings, without_timing, TempProject};
use serde_json::Value;

const CONFIG: &str = "[tenant]\ncolumn = \"ep_code\"\ntables = [\"iw_*\"]\n";

/// A small gnuboard-style project: the table name of `$iw['order_table']` is set in
/// `config.php` and used by `list.php`.
fn project() -> TempProject {
    TempProject::new(&[
        ("tenantlint.toml", CONFIG),
        (
            "config.php",
            "<?php\n$iw['order_table'] = 'iw_order';\nfunction store_of($h) { return $h; }\n",
        ),
        (
            "list.php",
            "<?php\ninclude 'config.php';\n\
             $r = sql_query(\"select * from {$iw['order_table']} where od_id = 1\");\n\
             $s = sql_query(\"select * from iw_item where ep_code = '{$iw['store']}'\");\n",
        ),
        (
            "lib/util.php",
            "<?php\nfunction money($n) { return number_format($n); }\n",
        ),
    ])
}

/// `check --format json --stats` with `extra` flags: (report without timing, stderr).
fn run(p: &TempProject, extra: &[&str]) -> (Value, String) {
    let mut args = vec!["check", "--format", "json", "--stats"];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = p.run(&args);
    assert!(code == 0 || code == 1, "exit {code}\n{stdout}\n{stderr}");
    let json: Value = serde_json::from_str(&stdout).expect("JSON");
    (without_timing(json), stderr)
}

/// The lines of a human-readable report that do not say how long the run took or when.
fn timeless(report: &str) -> Vec<String> {
    report
        .lines()
        .filter(|l| !l.contains(" ms") && !l.contains("Generated"))
        .map(String::from)
        .collect()
}

/// `(parsed, from the cache)` as `--stats` tells them.
fn parsed_and_cached(stderr: &str) -> (u64, u64) {
    let line = stderr
        .lines()
        .find(|l| l.contains(" parsed, "))
        .unwrap_or_else(|| panic!("no files line in:\n{stderr}"));
    let number_before = |word: &str| -> u64 {
        let head = &line[..line.find(word).expect(word)];
        let n = head.trim_end().rsplit(' ').next().expect("number");
        n.parse().expect("a count")
    };
    (number_before(" parsed"), number_before(" from the cache"))
}

#[test]
fn a_second_run_reads_every_file_from_the_cache_and_reports_the_same() {
    let p = project();
    let (first, stderr) = run(&p, &[]);
    assert_eq!(parsed_and_cached(&stderr), (3, 0), "{stderr}");
    assert!(p.dir.join(".tenantlint_cache/.gitignore").is_file());
    let (second, stderr) = run(&p, &[]);
    assert_eq!(parsed_and_cached(&stderr), (0, 3), "{stderr}");
    assert_eq!(first, second);
    let (uncached, _) = run(&p, &["--no-cache"]);
    assert_eq!(first, uncached);
    assert_eq!(
        findings(&first),
        vec![common::f("TL001", "list.php", 3)],
        "the order query is unscoped, the item query scoped"
    );
}

#[test]
fn editing_a_file_that_defines_a_table_name_changes_what_others_report() {
    let p = project();
    run(&p, &[]);
    // The order table becomes an exempt-by-pattern name: the finding in list.php goes, though
    // list.php itself did not change and comes from the cache.
    p.write(
        "config.php",
        "<?php\n$iw['order_table'] = 'log_order';\nfunction store_of($h) { return $h; }\n",
    );
    let (cached, stderr) = run(&p, &[]);
    assert_eq!(parsed_and_cached(&stderr), (1, 2), "{stderr}");
    let (uncached, _) = run(&p, &["--no-cache"]);
    assert_eq!(cached, uncached);
    assert!(findings(&cached).is_empty(), "{cached:#}");

    // And back: the finding returns.
    p.write(
        "config.php",
        "<?php\n$iw['order_table'] = 'iw_order';\nfunction store_of($h) { return $h; }\n",
    );
    let (cached, _) = run(&p, &[]);
    assert_eq!(findings(&cached), vec![common::f("TL001", "list.php", 3)]);
}

/// Files whose bytes are not their text (EUC-KR, a BOM), a binary file and a plain one: from
/// the cache each reports what it reports without it, excerpts and positions included.
#[test]
fn files_in_every_encoding_report_the_same_from_the_cache() {
    let p = TempProject::new(&[("tenantlint.toml", CONFIG)]);
    let query = "sql_query(\"select * from iw_member where mb_name = '홍길동'\");\n";
    let legacy = format!("<?php\n// 목록\n{query}");
    let (euc_kr, _, unmappable) = encoding_rs::EUC_KR.encode(&legacy);
    assert!(!unmappable);
    std::fs::write(p.dir.join("legacy.php"), &euc_kr).unwrap();
    p.write("bom.php", &format!("\u{feff}<?php\n\n{query}"));
    p.write("plain.php", &format!("<?php\n\n\n{query}"));
    std::fs::write(p.dir.join("image.php"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();

    let (first, stderr) = run(&p, &[]);
    assert_eq!(parsed_and_cached(&stderr).1, 0, "{stderr}");
    let (second, stderr) = run(&p, &[]);
    assert_eq!(
        parsed_and_cached(&stderr),
        (0, 3),
        "the three texts: {stderr}"
    );
    assert!(stderr.contains(", 1 not parsed (binary)\n"), "{stderr}");
    assert_eq!(first, second);
    assert_eq!(
        findings(&second),
        vec![
            common::f("TL001", "bom.php", 3),
            common::f("TL000", "image.php", 1),
            common::f("TL001", "legacy.php", 3),
            common::f("TL001", "plain.php", 4),
        ]
    );
    let pretty = |extra: &[&str]| {
        let mut args = vec!["check"];
        args.extend_from_slice(extra);
        p.run(&args).1
    };
    let cached = pretty(&[]);
    assert_eq!(cached.matches("홍길동").count(), 3, "{cached}");
    assert_eq!(timeless(&cached), timeless(&pretty(&["--no-cache"])));
}

#[test]
fn a_function_added_elsewhere_relowers_only_the_files_that_call_it() {
    // Which calls are summarised depends on the functions the project defines: defining
    // `host_of()` makes the request host it returns reach the query in `report.php`, which is
    // lowered again; the files that never call it stay cached.
    let p = project();
    p.write(
        "report.php",
        "<?php\n$h = host_of();\n\
         $r = sql_query(\"select * from iw_item where ep_code = '$h'\");\n",
    );
    let tl003 = |report: &Value| -> Vec<(String, String, u64)> {
        findings(report)
            .into_iter()
            .filter(|(rule, _, _)| rule == "TL003")
            .collect()
    };
    let (before, _) = run(&p, &[]);
    assert!(tl003(&before).is_empty(), "{before:#}");
    p.write(
        "lib/util.php",
        "<?php\nfunction money($n) { return number_format($n); }\n\
         function host_of() { return $_SERVER['HTTP_HOST']; }\n",
    );
    let (cached, stderr) = run(&p, &[]);
    assert_eq!(
        parsed_and_cached(&stderr),
        (2, 2),
        "util.php changed, report.php calls it: {stderr}"
    );
    let (uncached, _) = run(&p, &["--no-cache"]);
    assert_eq!(cached, uncached);
    assert_eq!(tl003(&cached), vec![common::f("TL003", "report.php", 3)]);
    // Removed again: the earlier report is back.
    p.write(
        "lib/util.php",
        "<?php\nfunction money($n) { return number_format($n); }\n",
    );
    let (cached, stderr) = run(&p, &[]);
    assert_eq!(parsed_and_cached(&stderr), (2, 2), "{stderr}");
    assert_eq!(cached, before);
}

/// Two configurations in one directory share its cache directory, a file each: running them
/// in turn, each run after the first of each reads every file from the cache.
#[test]
fn configurations_sharing_a_directory_keep_their_caches_apart() {
    let p = project();
    p.write(
        "strict.toml",
        &format!("{CONFIG}[sanitizers]\nfunctions = [\"my_escape\"]\n"),
    );
    let strict = ["--config", "strict.toml"];
    let (_, stderr) = run(&p, &[]);
    assert_eq!(parsed_and_cached(&stderr), (3, 0), "{stderr}");
    let (_, stderr) = run(&p, &strict);
    assert_eq!(parsed_and_cached(&stderr), (3, 0), "{stderr}");
    for _ in 0..2 {
        let (_, stderr) = run(&p, &[]);
        assert_eq!(parsed_and_cached(&stderr), (0, 3), "{stderr}");
        let (_, stderr) = run(&p, &strict);
        assert_eq!(parsed_and_cached(&stderr), (0, 3), "{stderr}");
    }
}

#[test]
fn a_corrupt_cache_is_ignored_and_replaced() {
    let p = project();
    let (first, _) = run(&p, &[]);
    let file = common::cache_file(&p.dir.join(".tenantlint_cache"), "facts").expect("written");
    let mut bytes = std::fs::read(&file).expect("cache written");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&file, &bytes).expect("write");
    let (again, stderr) = run(&p, &[]);
    assert_eq!(parsed_and_cached(&stderr), (3, 0), "{stderr}");
    assert_eq!(first, again);
    // Replaced by a good one.
    let (_, stderr) = run(&p, &[]);
    assert_eq!(parsed_and_cached(&stderr), (0, 3), "{stderr}");

    std::fs::write(&file, b"garbage").expect("write");
    let (again, _) = run(&p, &[]);
    assert_eq!(first, again);
}

#[test]
fn no_cache_neither_reads_nor_writes_and_cache_clean_removes_it() {
    let p = project();
    let (_, stderr) = run(&p, &["--no-cache"]);
    assert_eq!(parsed_and_cached(&stderr), (3, 0));
    assert!(!p.dir.join(".tenantlint_cache").exists());

    run(&p, &[]);
    assert!(p.dir.join(".tenantlint_cache").is_dir());
    // The facts, and what the query texts gave.
    assert!(common::cache_file(&p.dir.join(".tenantlint_cache"), "facts").is_some());
    assert!(common::cache_file(&p.dir.join(".tenantlint_cache"), "sql").is_some());
    let (code, _, stderr) = p.run(&["cache", "clean"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("removed"), "{stderr}");
    assert!(!p.dir.join(".tenantlint_cache").exists());
    let (code, _, stderr) = p.run(&["cache", "clean"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("no cache"), "{stderr}");
    // A path that does not exist is an error, as for `check`.
    let (code, _, _) = p.run(&["cache", "clean", "no-such-dir"]);
    assert_eq!(code, 2);
}

#[test]
fn the_audit_report_is_the_same_from_the_cache() {
    let p = project();
    run(&p, &[]);
    let (code, cached, stderr) = p.run(&["report", "--format", "markdown"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(cached.contains("TL001"), "{cached}");
    let (code, uncached, _) = p.run(&["report", "--format", "markdown", "--no-cache"]);
    assert_eq!(code, 0);
    assert_eq!(timeless(&cached), timeless(&uncached));
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        // Other tests scan the samples in place, leaving their cache there.
        if entry.file_name() == ".tenantlint_cache" {
            continue;
        }
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// On the sample applications (PHP and Rust): one thread without the cache, the default
/// threads filling the cache, and the default threads reading it all report the same bytes.
#[test]
fn the_samples_report_the_same_bytes_with_and_without_the_cache_and_threads() {
    for sample in ["infoway", "workspace-service"] {
        let p = TempProject::new(&[]);
        copy_dir(&common::crate_root().join("fixtures").join(sample), &p.dir);
        let (single, _) = run(&p, &["--no-cache", "--threads", "1"]);
        let (filling, stderr) = run(&p, &[]);
        assert_eq!(parsed_and_cached(&stderr).1, 0, "{stderr}");
        let (reading, stderr) = run(&p, &["--threads", "1"]);
        assert_eq!(parsed_and_cached(&stderr).0, 0, "{stderr}");
        assert!(!findings(&single).is_empty(), "{sample}");
        assert_eq!(single, filling, "{sample}");
        assert_eq!(single, reading, "{sample}");
    }
}

/// `--cache-dir` (or `TENANTLINT_CACHE_DIR`) keeps the cache elsewhere, as a CI cache restores
/// it; `cache clean --cache-dir` removes it there; an empty variable is no directory.
#[test]
fn the_cache_can_be_kept_in_another_directory() {
    let p = project();
    let elsewhere = TempProject::new(&[]);
    let dir = elsewhere.dir.join("results");
    let dir_arg = dir.to_str().unwrap();
    let (first, stderr) = run(&p, &["--cache-dir", dir_arg]);
    assert_eq!(parsed_and_cached(&stderr), (3, 0), "{stderr}");
    assert!(common::cache_file(&dir, "facts").is_some());
    assert!(!p.dir.join(".tenantlint_cache").exists());

    let (code, stdout, stderr) = common::run_with_env(
        &p.dir,
        &["check", "--format", "json", "--stats"],
        &[("TENANTLINT_CACHE_DIR", dir_arg)],
    );
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(parsed_and_cached(&stderr), (0, 3), "{stderr}");
    assert_eq!(
        first,
        without_timing(serde_json::from_str(&stdout).unwrap())
    );

    // `--no-cache` wins over the variable.
    let (code, _, stderr) = common::run_with_env(
        &p.dir,
        &["check", "--format", "json", "--stats", "--no-cache"],
        &[("TENANTLINT_CACHE_DIR", dir_arg)],
    );
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(parsed_and_cached(&stderr), (3, 0), "{stderr}");

    // Empty, as CI templates leave unset inputs: the default place.
    let (code, _, stderr) = common::run_with_env(
        &p.dir,
        &["check", "--format", "json"],
        &[("TENANTLINT_CACHE_DIR", "")],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(common::cache_file(&p.dir.join(".tenantlint_cache"), "facts").is_some());

    let (code, _, stderr) = p.run(&["cache", "clean", "--cache-dir", dir_arg]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!dir.exists());

    // Nor written into: the run goes on without the cache and says why.
    let (code, stdout, stderr) = p.run(&["check", "--format", "json", "--cache-dir", "."]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("could not write the result cache"),
        "{stderr}"
    );
    assert!(stderr.contains("not a tenantlint cache"), "{stderr}");
    assert!(!p.dir.join(".gitignore").exists() && common::cache_file(&p.dir, "facts").is_none());
    assert_eq!(
        first,
        without_timing(serde_json::from_str(&stdout).unwrap())
    );

    // A directory that is not a cache is never emptied: exit 2, everything still there.
    elsewhere.write("docs/readme.txt", "keep me");
    let docs = elsewhere.dir.join("docs");
    let (code, _, stderr) = p.run(&["cache", "clean", "--cache-dir", docs.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("not a tenantlint cache"), "{stderr}");
    assert!(docs.join("readme.txt").is_file());
}

/// Large files (generated data, dumps) are lowered apart from the rest, before it, and every
/// text is kept compressed until a report shows it: neither may change what is reported, nor
/// its order, nor the source lines shown, with any number of threads, with or without the
/// cache.
#[test]
fn large_files_report_like_small_ones_in_every_format() {
    // About 400 KB: a data file with a query at its very end, after thousands of lines.
    let mut dump = String::from("<?php\n$rows = [];\n");
    for i in 0..6000 {
        dump.push_str(&format!(
            "$rows[] = ['id' => {i}, 'name' => 'item {i}', 'note' => 'x{i}'];\n"
        ));
    }
    dump.push_str("$last = sql_fetch(\"select * from iw_item where it_id = 7\");\n");
    assert!(dump.len() > 300 * 1024);
    let mut second = dump.replace("iw_item", "iw_order");
    second.push_str(
        "$ok = sql_fetch(\"select * from iw_order where ep_code = '{$iw['store']}'\");\n",
    );
    let p = TempProject::new(&[
        ("tenantlint.toml", CONFIG),
        (
            "a_small.php",
            "<?php\nsql_query(\"select * from iw_member where mb_id = 1\");\n",
        ),
        ("m_dump.php", &dump),
        ("n_dump.php", &second),
        (
            "z_small.php",
            "<?php\nsql_query(\"delete from iw_cart where ct_id = 2\");\n",
        ),
    ]);
    let (one, _) = run(&p, &["--no-cache", "--threads", "1"]);
    let (filling, _) = run(&p, &["--threads", "4"]);
    let (cached, stderr) = run(&p, &[]);
    assert_eq!(parsed_and_cached(&stderr), (0, 4));
    assert_eq!(one, filling);
    assert_eq!(one, cached);
    let files: Vec<(String, u64)> = findings(&one)
        .into_iter()
        .map(|(_, file, line)| (file, line))
        .collect();
    let last_line = dump.lines().count() as u64;
    assert_eq!(
        files,
        [
            ("a_small.php".to_string(), 2),
            ("m_dump.php".to_string(), last_line),
            ("n_dump.php".to_string(), last_line),
            ("z_small.php".to_string(), 2),
        ]
    );
    // The text shown comes back exactly from the compressed source.
    let (code, text, err) = p.run(&["check", "--format", "pretty", "m_dump.php"]);
    assert_eq!(code, 1, "{text}{err}");
    assert!(
        text.contains("select * from iw_item where it_id = 7"),
        "{text}"
    );
}

/// What a query text gives is kept too, under the tenant policy: changing the tenant column or
/// the tenant tables, with the facts still cached, reports what a run without the cache
/// reports.
#[test]
fn query_results_follow_a_change_of_the_tenant_policy() {
    let p = project();
    let (first, _) = run(&p, &[]);
    let (again, stderr) = run(&p, &[]);
    assert_eq!(parsed_and_cached(&stderr), (0, 3));
    assert_eq!(first, again);
    let before = findings(&first);
    // `od_id` as the tenant column: the order query becomes scoped, the item query not.
    p.write(
        "tenantlint.toml",
        "[tenant]\ncolumn = \"od_id\"\ntables = [\"iw_*\"]\n",
    );
    let (cached, stderr) = run(&p, &[]);
    assert_eq!(
        parsed_and_cached(&stderr),
        (0, 3),
        "the facts do not depend on it"
    );
    let (fresh, _) = run(&p, &["--no-cache"]);
    assert_eq!(cached, fresh);
    assert_ne!(findings(&cached), before);
    // No tenant tables at all: nothing to report.
    p.write(
        "tenantlint.toml",
        "[tenant]\ncolumn = \"ep_code\"\ntables = [\"nothing_*\"]\n",
    );
    let (cached, _) = run(&p, &[]);
    let (fresh, _) = run(&p, &["--no-cache"]);
    assert_eq!(cached, fresh);
    assert!(findings(&cached).is_empty(), "{cached}");
}

//! The synthetic benchmark corpus (`benches/synth/corpus.rs`): reproducible from its seed, and
//! realistic enough that a scan finds every kind of mistake among mostly clean SQL.

// Helpers outside `#[test]` functions panic on purpose: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../benches/synth/corpus.rs"]
mod corpus;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tenantlint::rules::Rule;

const FILES: usize = 100;

fn fresh_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("synth_corpus-{name}"));
    if dir.exists() {
        std::fs::remove_dir_all(&dir).unwrap();
    }
    dir
}

/// Every file of the tree, by relative path.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_path_buf();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

#[test]
fn the_same_seed_writes_the_same_bytes_and_another_seed_does_not() {
    let (a, b, c) = (fresh_dir("a"), fresh_dir("b"), fresh_dir("c"));
    let wa = corpus::generate(&a, FILES, 7).unwrap();
    let wb = corpus::generate(&b, FILES, 7).unwrap();
    let wc = corpus::generate(&c, FILES, 8).unwrap();
    assert_eq!(wa, wb);
    assert_eq!(wc.files(), FILES);
    assert_eq!(wa.files(), FILES);
    let (ta, tb, tc) = (tree(&a), tree(&b), tree(&c));
    assert_eq!(ta.len(), FILES + 1, "the sources and tenantlint.toml");
    assert!(ta == tb, "same seed, different trees");
    assert!(ta != tc, "another seed wrote the same tree");
    for d in [a, b, c] {
        std::fs::remove_dir_all(d).unwrap();
    }
}

#[test]
fn the_corpus_is_mostly_php_with_rust_services() {
    let dir = fresh_dir("mix");
    let w = corpus::generate(&dir, 400, 1).unwrap();
    assert_eq!(w.files(), 400);
    let rust_pct = w.rust * 100 / w.files();
    assert!((8..=22).contains(&rust_pct), "{w:?}");
    let t = tree(&dir);
    let php_sizes: Vec<usize> = t
        .iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "php"))
        .map(|(_, b)| b.len())
        .collect();
    let mean = php_sizes.iter().sum::<usize>() / php_sizes.len();
    assert!(
        (2_000..=20_000).contains(&mean),
        "mean PHP file size {mean}"
    );
    assert!(
        php_sizes.iter().all(|&n| n <= 24_000),
        "a PHP file over 24 KB"
    );
    // HTML templating in PHP, and nested directories
    assert!(t.values().any(|b| b.windows(7).any(|w| w == b"<table>")));
    assert!(t.keys().any(|p| p.components().count() >= 4));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_scan_finds_every_rule_among_mostly_clean_sql() {
    let dir = fresh_dir("scan");
    corpus::generate(&dir, FILES, 3).unwrap();
    let config = tenantlint::config::Config::discover(&dir).expect("the corpus's tenantlint.toml");
    assert_eq!(config.tenant.column, "ep_code");
    let report = tenantlint::engine::scan(std::slice::from_ref(&dir), &config);
    let mut by_rule: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &report.findings {
        *by_rule.entry(f.rule.code()).or_default() += 1;
    }
    let s = &report.summary;
    let detail = format!(
        "{by_rule:?}, {} sites, {} unanalyzed",
        s.sql_sites, s.unanalyzed
    );
    assert_eq!(s.files, FILES, "{detail}");
    assert_eq!(s.parse_errors, 0, "{detail}");
    for rule in [
        Rule::MissingTenantFilter,
        Rule::InsertMissingTenant,
        Rule::UnescapedHostInSql,
        Rule::UncheckedTenantParam,
    ] {
        assert!(
            by_rule.contains_key(rule.code()),
            "no {}: {detail}",
            rule.code()
        );
    }
    assert!(!by_rule.contains_key("TL000"), "{detail}");
    assert!(!by_rule.contains_key("TL900"), "{detail}");
    // mistakes are the exception: most SQL sites are clean
    let query_findings =
        by_rule.get("TL001").copied().unwrap_or(0) + by_rule.get("TL002").copied().unwrap_or(0);
    assert!(s.sql_sites > 10 * query_findings, "{detail}");
    // a small, realistic share cannot be checked
    assert!(s.unanalyzed * 100 <= s.sql_sites * 5, "{detail}");
    std::fs::remove_dir_all(dir).unwrap();
}

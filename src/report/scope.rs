//! What a run covered, for the lines after the summary: the configuration in use and the
//! paths the walk skipped (`-v` lists them).

use std::fmt::Write as _;

use crate::discover::{IgnoreKind, SKIPPED_DIRS};
use crate::report::model::{IgnoredPath, Report};

/// `1 file`, `2 files`, `0 files`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `config: fixtures/infoway/tenantlint.toml`, or `config: defaults` without a file.
pub fn config_line(report: &Report) -> String {
    format!(
        "config: {}\n",
        report.summary.config.as_deref().unwrap_or("defaults")
    )
}

/// One line saying how many paths were skipped and why, when some were:
///
/// ```text
/// skipped: 2 directories by default (vendor, node_modules), 1 directory and 14 files by [scan] exclude, 3 files by .gitignore; -v lists them
/// ```
pub fn skipped_line(report: &Report, listed: bool) -> String {
    let s = &report.skipped;
    let mut parts = Vec::new();
    if !s.default_dirs.is_empty() {
        let names: Vec<&str> = SKIPPED_DIRS
            .iter()
            .copied()
            .filter(|name| s.default_dirs.iter().any(|d| last_component(d) == *name))
            .collect();
        parts.push(format!(
            "{} by default ({})",
            count(s.default_dirs.len(), "directory", "directories"),
            names.join(", ")
        ));
    }
    let dirs = s.excluded_dirs.len();
    let files = s.excluded_files.len();
    if let Some(excluded) = dirs_and_files(dirs, files) {
        parts.push(format!("{excluded} by [scan] exclude"));
    }
    for (kind, paths) in ignored_by_kind(&s.ignored) {
        let dirs = paths.iter().filter(|p| p.dir).count();
        if let Some(ignored) = dirs_and_files(dirs, paths.len() - dirs) {
            parts.push(format!("{ignored} by {}", kind.as_str()));
        }
    }
    if parts.is_empty() {
        return String::new();
    }
    let total = s.default_dirs.len() + dirs + files + s.ignored.len();
    let hint = match (listed, total) {
        (true, _) => "listed above",
        (false, 1) => "-v lists it",
        (false, _) => "-v lists them",
    };
    format!("skipped: {}; {hint}\n", parts.join(", "))
}

/// `1 directory and 2 files`, `3 files`; `None` for none.
fn dirs_and_files(dirs: usize, files: usize) -> Option<String> {
    match (dirs, files) {
        (0, 0) => None,
        (0, _) => Some(count(files, "file", "files")),
        (_, 0) => Some(count(dirs, "directory", "directories")),
        _ => Some(format!(
            "{} and {}",
            count(dirs, "directory", "directories"),
            count(files, "file", "files")
        )),
    }
}

/// The ignored paths of each kind of ignore file, for the kinds that ignored some.
pub fn ignored_by_kind(ignored: &[IgnoredPath]) -> Vec<(IgnoreKind, Vec<&IgnoredPath>)> {
    IgnoreKind::ALL
        .iter()
        .map(|kind| (*kind, ignored.iter().filter(|i| i.kind == *kind).collect()))
        .filter(|(_, paths): &(IgnoreKind, Vec<&IgnoredPath>)| !paths.is_empty())
        .collect()
}

/// `-v`: every skipped path, under a heading per reason (directories end with `/`); an
/// ignored path with the ignore file and the rule that matched it.
///
/// ```text
/// skipped by default (1):
///   vendor/
/// skipped by [scan] exclude (2):
///   bbs/super/
///   lib/old.php
/// skipped by .gitignore (1):
///   build/  (.gitignore: build/)
/// ```
pub fn skipped_list(report: &Report) -> String {
    let s = &report.skipped;
    let mut out = String::new();
    if !s.default_dirs.is_empty() {
        let _ = writeln!(out, "skipped by default ({}):", s.default_dirs.len());
        for d in &s.default_dirs {
            let _ = writeln!(out, "  {d}");
        }
    }
    let mut excluded: Vec<&String> = s.excluded_dirs.iter().chain(&s.excluded_files).collect();
    excluded.sort();
    if !excluded.is_empty() {
        let _ = writeln!(out, "skipped by [scan] exclude ({}):", excluded.len());
        for p in excluded {
            let _ = writeln!(out, "  {p}");
        }
    }
    for (kind, paths) in ignored_by_kind(&s.ignored) {
        let _ = writeln!(out, "skipped by {} ({}):", kind.as_str(), paths.len());
        for p in paths {
            let _ = writeln!(out, "  {}  ({}: {})", p.path, p.file, p.pattern);
        }
    }
    out
}

/// `node_modules` for `web/node_modules/`.
fn last_component(dir: &str) -> &str {
    let dir = dir.trim_end_matches('/');
    dir.rsplit('/').next().unwrap_or(dir)
}

/// When findings are shown for some files only, and what a baseline did:
///
/// ```text
/// scope: findings for 2 of 14 files (changed since origin/main)
/// baseline: 12 findings accepted by tenantlint-baseline.json; 2 entries fixed (--write-baseline drops them)
/// ```
pub fn run_lines(report: &Report) -> String {
    let mut out = String::new();
    if let Some(scope) = &report.scope {
        let _ = writeln!(
            out,
            "scope: findings for {} of {} analysed ({})",
            scope.files,
            count(scope.analysed, "file", "files"),
            scope.why
        );
    }
    if let Some(b) = &report.baseline {
        let _ = write!(
            out,
            "baseline: {} accepted by {}",
            count(b.matched, "finding", "findings"),
            b.path
        );
        if !b.fixed.is_empty() {
            let _ = write!(
                out,
                "; {} fixed (--write-baseline drops {})",
                count(b.fixed.len(), "entry", "entries"),
                if b.fixed.len() == 1 { "it" } else { "them" }
            );
        }
        out.push('\n');
    }
    out
}

/// `--statistics`: findings per rule, largest first, instead of each finding.
///
/// ```text
///    13  TL001  missing-tenant-filter
///     2  TL002  insert-missing-tenant
/// ```
pub fn statistics(report: &Report) -> String {
    let mut rows: Vec<(usize, crate::rules::Rule)> = crate::rules::Rule::ALL
        .iter()
        .map(|r| {
            (
                report.summary.by_rule.get(r.code()).copied().unwrap_or(0),
                *r,
            )
        })
        .filter(|(n, _)| *n > 0)
        .collect();
    rows.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let width = rows.first().map_or(1, |(n, _)| n.to_string().len());
    let mut out = String::new();
    for (n, rule) in rows {
        let _ = writeln!(out, "  {n:>width$}  {}  {}", rule.code(), rule.name());
    }
    out
}

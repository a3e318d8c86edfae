//! Unanalyzed sites grouped so a user can act on them: by kind, each with its next step, and
//! by the directories that hold most of them (often a copy of third-party code).

use std::collections::{BTreeMap, HashMap};

use crate::report::model::{Report, Unanalyzed, UnanalyzedKind};

/// Directories shown in the summary: at most this many…
const MAX_DIRECTORIES: usize = 3;
/// …each holding at least this share of the unanalyzed sites (percent)…
const MIN_DIRECTORY_SHARE: usize = 20;
/// …and at least this many of them.
const MIN_DIRECTORY_SITES: usize = 2;

/// The unanalyzed sites of one kind, in report order.
pub struct KindGroup<'a> {
    pub kind: UnanalyzedKind,
    pub sites: Vec<&'a Unanalyzed>,
}

/// Sites grouped by kind: largest group first, ties in kind order.
pub fn by_kind(report: &Report) -> Vec<KindGroup<'_>> {
    let mut groups: BTreeMap<UnanalyzedKind, Vec<&Unanalyzed>> = BTreeMap::new();
    for u in &report.unanalyzed {
        groups.entry(u.kind).or_default().push(u);
    }
    let mut out: Vec<KindGroup> = groups
        .into_iter()
        .map(|(kind, sites)| KindGroup { kind, sites })
        .collect();
    // Stable: equal counts stay in kind order.
    out.sort_by_key(|g| std::cmp::Reverse(g.sites.len()));
    out
}

/// What a kind means, and the next step.
pub fn kind_hint(group: &KindGroup) -> String {
    match group.kind {
        UnanalyzedKind::TableName => {
            let examples: Vec<String> = most_common_exprs(&group.sites, 2)
                .iter()
                .map(|e| format!("{} = \"…\"", toml_string(e)))
                .collect();
            if examples.is_empty() {
                "table names that cannot be resolved: name them in [tables]".to_string()
            } else {
                format!(
                    "table names that cannot be resolved: name them in [tables], e.g. {}",
                    examples.join(", ")
                )
            }
        }
        UnanalyzedKind::Fragment => {
            let examples: Vec<String> = most_common_exprs(&group.sites, 2)
                .iter()
                .map(|e| format!("`{e}`"))
                .collect();
            let e_g = if examples.is_empty() {
                String::new()
            } else {
                format!(" (e.g. {})", examples.join(", "))
            };
            format!(
                "SQL fragments of unknown text where a tenant predicate could be{e_g}: check by hand"
            )
        }
        UnanalyzedKind::SqlParse => {
            "SQL the parser rejects: check by hand (valid MySQL is worth reporting)".to_string()
        }
        UnanalyzedKind::TooManyVariants => {
            "built in too many ways to check them all: check by hand".to_string()
        }
        UnanalyzedKind::UnknownPath => {
            "variables unassigned on some path (an include or extract() may set them): assign them first"
                .to_string()
        }
    }
}

/// A directory holding many unanalyzed sites.
pub struct DirectoryCount {
    /// As shown to users (like file paths), ending in `/`.
    pub display: String,
    pub sites: usize,
    /// The `[scan] exclude` glob for it, relative to the configuration's root; `None` when the
    /// directory is not under that root, or is the root itself.
    pub exclude: Option<String>,
}

/// The directories holding most unanalyzed sites: at most `MAX_DIRECTORIES`, none holding
/// another, none holding every scanned file; most sites first, ties by path.
pub fn top_directories(report: &Report) -> Vec<DirectoryCount> {
    let total = report.unanalyzed.len();
    let threshold = MIN_DIRECTORY_SITES.max((total * MIN_DIRECTORY_SHARE).div_ceil(100));
    // Sites per directory, counting every ancestor; the first site seen in each, for its glob.
    let mut sites: BTreeMap<&str, (usize, &Unanalyzed)> = BTreeMap::new();
    for u in &report.unanalyzed {
        for dir in ancestors(&report.files[u.file].display) {
            sites.entry(dir).or_insert((0, u)).0 += 1;
        }
    }
    let mut files: HashMap<&str, usize> = HashMap::new();
    for f in &report.files {
        for dir in ancestors(&f.display) {
            *files.entry(dir).or_default() += 1;
        }
    }
    let mut candidates: Vec<(&str, usize, &Unanalyzed)> = sites
        .iter()
        .filter(|(dir, (n, _))| *n >= threshold && files.get(*dir) != Some(&report.files.len()))
        // A directory whose sites all sit in one subdirectory: the subdirectory says more.
        .filter(|(dir, (n, _))| {
            !sites
                .iter()
                .any(|(sub, (m, _))| sub.len() > dir.len() && sub.starts_with(*dir) && m == n)
        })
        .map(|(dir, (n, first))| (*dir, *n, *first))
        .collect();
    candidates.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut out: Vec<DirectoryCount> = Vec::new();
    for (dir, n, first) in candidates {
        if out.len() == MAX_DIRECTORIES {
            break;
        }
        if out
            .iter()
            .any(|d| d.display.starts_with(dir) || dir.starts_with(d.display.as_str()))
        {
            continue;
        }
        let file = &report.files[first.file];
        let tail = &file.display[dir.len()..];
        let exclude = file
            .root_relative
            .as_deref()
            .and_then(|r| r.strip_suffix(tail))
            .filter(|d| !d.is_empty() && d.ends_with('/'))
            .map(|d| format!("{}**", glob_escape(d)));
        out.push(DirectoryCount {
            display: dir.to_string(),
            sites: n,
            exclude,
        });
    }
    out
}

/// `a/`, `a/b/` for `a/b/c.php` (each ending in `/`; a leading `/` is not a directory here).
fn ancestors(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/')
        .filter(|(i, _)| *i > 0)
        .map(move |(i, _)| &path[..=i])
}

/// The `n` expressions named most often by `sites`, ties alphabetically.
fn most_common_exprs(sites: &[&Unanalyzed], n: usize) -> Vec<String> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for u in sites {
        for e in &u.exprs {
            *counts.entry(e.as_str()).or_default() += 1;
        }
    }
    let mut ranked: Vec<(&str, usize)> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    ranked
        .into_iter()
        .take(n)
        .map(|(e, _)| e.to_string())
        .collect()
}

/// A path matched literally by a glob.
fn glob_escape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '{' | '}') {
            out.push('[');
            out.push(c);
            out.push(']');
        } else {
            out.push(c);
        }
    }
    out
}

/// A TOML basic string.
pub fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() || super::escape::is_c1_or_bidi(c) => {
                out.push_str(&format!("\\u{:04X}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::Span;
    use crate::report::model::{Cause, ScannedFile, Summary};

    /// A report with `files` (display path, unanalyzed sites in it), scanned from the root.
    fn report(files: &[(&str, usize)]) -> Report {
        let mut unanalyzed = Vec::new();
        for (i, (_, n)) in files.iter().enumerate() {
            for k in 0..*n {
                let span = Span {
                    start: k,
                    end: k + 1,
                };
                unanalyzed.push(Unanalyzed::new(i, span, Cause::sql_parse("x")));
            }
        }
        Report {
            files: files
                .iter()
                .map(|(d, _)| ScannedFile::new(d.to_string(), Some(d.to_string()), String::new()))
                .collect(),
            findings: Vec::new(),
            unanalyzed,
            warnings: Vec::new(),
            skipped: Default::default(),
            suppressed: Vec::new(),
            coverage: Vec::new(),
            summary: Summary::default(),
            scope: None,
            baseline: None,
            started: std::time::Instant::now(),
            root_in_repo: None,
            stats: Default::default(),
        }
    }

    fn dirs(report: &Report) -> Vec<(String, usize, Option<String>)> {
        top_directories(report)
            .into_iter()
            .map(|d| (d.display, d.sites, d.exclude))
            .collect()
    }

    fn d(display: &str, sites: usize, exclude: &str) -> (String, usize, Option<String>) {
        (display.into(), sites, Some(exclude.into()))
    }

    #[test]
    fn the_deepest_directory_holding_the_same_sites_is_named() {
        let r = report(&[("a/b/c/x.php", 5), ("a/b/c/y.php", 1), ("z.php", 2)]);
        assert_eq!(dirs(&r), vec![d("a/b/c/", 6, "a/b/c/**")]);
    }

    #[test]
    fn a_directory_holding_every_file_is_not_named() {
        let r = report(&[("src/x.php", 5), ("src/lib/y.php", 4)]);
        assert_eq!(dirs(&r), vec![d("src/lib/", 4, "src/lib/**")]);
    }

    #[test]
    fn at_most_three_directories_with_a_fair_share_most_first() {
        let r = report(&[
            ("b/x.php", 3),
            ("a/x.php", 3),
            ("c/x.php", 4),
            ("d/x.php", 3),
            ("e/x.php", 1),
            ("f.php", 1),
        ]);
        // 15 sites: a directory needs 3.
        assert_eq!(
            dirs(&r),
            vec![d("c/", 4, "c/**"), d("a/", 3, "a/**"), d("b/", 3, "b/**")]
        );
        // Under a fifth of the sites: not worth naming.
        let r = report(&[("a/x.php", 1), ("b.php", 9)]);
        assert_eq!(dirs(&r), vec![]);
    }

    #[test]
    fn glob_and_toml_escaping() {
        assert_eq!(glob_escape("a[1]/b*/"), "a[[]1[]]/b[*]/");
        assert_eq!(toml_string(r#"$iw["t"]"#), r#""$iw[\"t\"]""#);
    }
}

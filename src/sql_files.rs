//! SQL kept in files of its own (`queries/open_tasks.sql`), named by the source that runs it:
//! sqlx's `query_file!("queries/x.sql", …)` (relative to the crate root) and
//! `include_str!("x.sql")` (relative to the source file's directory).
//!
//! A front-end only sees source text: it records a [`SqlFileRef`] and leaves a hole at its
//! place in the site's text. After the front-ends, `attach` resolves each referenced path,
//! reads each file once and adds it to the run's files (a `.sql` file is never a source of its
//! own: only what a source names is read). A query that is the whole text of a file becomes a
//! site of that file, so that findings point into it; the calls that run it are kept for the
//! findings' traces (`SqlFiles::locate`). Text of a file joined to other text
//! (`format!("{} LIMIT 10", include_str!("q.sql"))`) is filled into the hole, located at the
//! macro. A file that cannot be found or read leaves its query unanalyzed, with why. A SQL
//! file's own `-- tenantlint-ignore` comments silence its findings.

use crate::source_text::SourceText;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crate::discover::decode_source;
use crate::facts::{
    Dialect, FileFacts, Hole, Piece, Span, SqlFileBase, SqlFileRef, SqlSite, SuppressionComment,
    Template,
};
use crate::findings::SiteFinding;
use crate::include::lexical_absolute;
use crate::paths::{display_path, root_relative};
use crate::report::model::{Cause, ScannedFile};
use crate::rules::TraceStep;

/// What `attach` did: where the queries moved into SQL files are run, and the references
/// that could not be read.
#[derive(Debug, Default)]
pub(crate) struct SqlFiles {
    /// For a site of a SQL file (file, site index): the calls that run it (file, span).
    runs: HashMap<(usize, usize), Vec<(usize, Span)>>,
    /// Queries whose file could not be read: the site's file, its call, and why.
    pub(crate) unread: Vec<(usize, Span, Cause)>,
}

impl SqlFiles {
    /// The findings of a site of a SQL file are located there; the calls that run the query
    /// are steps of their traces (and no span of the SQL file is the call that runs it).
    pub(crate) fn locate(&self, file: usize, site: usize, findings: &mut [SiteFinding]) {
        let Some(runs) = self.runs.get(&(file, site)) else {
            return;
        };
        for f in findings {
            f.finding.exec = None;
            f.finding
                .trace
                .extend(runs.iter().map(|&(file, span)| TraceStep {
                    file,
                    span,
                    note: "the query is run here".to_string(),
                }));
        }
    }
}

/// A SQL file read for the run: its index among the files, or why it could not be read.
type Read = Result<usize, String>;

/// Resolve and read the SQL files the sites of `facts` name, add them to `files`, `facts` and
/// `absolute` (each file once), and move the queries that are a file's whole text into it.
/// `absolute[i]` is file `i`'s absolute path; `cwd` and `root` place the new files as
/// [`ScannedFile`]s.
pub(crate) fn attach(
    files: &mut Vec<ScannedFile>,
    facts: &mut Vec<FileFacts>,
    absolute: &mut Vec<PathBuf>,
    cwd: Option<&Path>,
    root: &Path,
) -> SqlFiles {
    let mut out = SqlFiles::default();
    let mut read: HashMap<PathBuf, Read> = HashMap::new();
    // Per SQL file and dialect: the site, and the calls that run it (file, span).
    type Runs = Vec<(usize, Span)>;
    let mut moved: BTreeMap<(usize, DialectKey), (SqlSite, Runs)> = BTreeMap::new();
    let sources = facts.len();
    for i in 0..sources {
        if facts[i].sql_files.is_empty() {
            continue;
        }
        // Sites that cannot be read back (a cache entry decoded but its sites did not) stay
        // packed: the per-site check reports them.
        let Ok(sites) = facts[i].sites.take() else {
            continue;
        };
        let refs = std::mem::take(&mut facts[i].sql_files);
        let source = absolute[i].clone();
        let context = files[i].context;
        let mut kept = Vec::new();
        for mut site in sites {
            let mut variants: Vec<Template> = Vec::new();
            for variant in std::mem::take(&mut site.variants) {
                let named: Vec<&SqlFileRef> = variant
                    .iter()
                    .filter_map(|p| match p {
                        Piece::Hole(h) => refs.iter().find(|r| r.at == h.span),
                        Piece::Text { .. } => None,
                    })
                    .collect();
                if named.is_empty() {
                    variants.push(variant);
                    continue;
                }
                let mut opened = Vec::new();
                for r in &named {
                    let place = Place {
                        source: &source,
                        context,
                        cwd,
                        root,
                    };
                    match open(r, &place, files, facts, absolute, &mut read) {
                        Ok(index) => opened.push((r.at, index)),
                        Err(why) => out
                            .unread
                            .push((i, site.exec, Cause::sql_file(&r.path, &why))),
                    }
                }
                if opened.len() < named.len() {
                    continue;
                }
                // The whole query is the file's text: a site of that file.
                if let ([Piece::Hole(_)], [(_, index)]) = (variant.as_slice(), opened.as_slice()) {
                    let entry = moved
                        .entry((*index, DialectKey(site.dialect)))
                        .or_insert_with(|| (whole_file(files[*index].source(), &site), Vec::new()));
                    if !entry.1.contains(&(i, site.exec)) {
                        entry.1.push((i, site.exec));
                    }
                    continue;
                }
                // Joined to other text: the file's text fills the hole, at the macro.
                let filled = variant
                    .into_iter()
                    .map(|p| match p {
                        Piece::Hole(h) => match opened.iter().find(|(at, _)| *at == h.span) {
                            Some((_, index)) => Piece::Hole(Hole {
                                known: Some(files[*index].source().into()),
                                ..h
                            }),
                            None => Piece::Hole(h),
                        },
                        text => text,
                    })
                    .collect();
                variants.push(filled);
            }
            if !variants.is_empty() {
                site.variants = variants;
                kept.push(site);
            }
        }
        facts[i].sites = kept.into();
        facts[i].sql_files = refs;
    }
    for ((file, _), (site, runs)) in moved {
        // A SQL file's own sites were made open here, never packed.
        let Ok(mut sites) = facts[file].sites.take() else {
            continue;
        };
        let index = sites.len();
        sites.push(site);
        facts[file].sites = sites.into();
        out.runs.insert((file, index), runs);
    }
    out.unread.dedup();
    out
}

/// A site of a SQL file: its whole text from the query on (after the comments that head the
/// file, which the query's display would otherwise begin with), run as `site` runs it
/// (dialect, bound values).
fn whole_file(text: &str, site: &SqlSite) -> SqlSite {
    let start = query_start(text);
    let end = text.trim_end().len().max(start);
    SqlSite {
        exec: Span::new(start, end),
        variants: vec![vec![Piece::Text {
            text: text[start..].into(),
            src: start,
            linear: true,
        }]],
        capped: false,
        function: None,
        dialect: site.dialect,
        params: site.params.clone(),
    }
}

/// Where the query of a SQL file starts: after leading whitespace and `--` and `/* */`
/// comments.
fn query_start(text: &str) -> usize {
    let mut at = 0;
    loop {
        let rest = &text[at..];
        let trimmed = rest.trim_start();
        at += rest.len() - trimmed.len();
        if trimmed.starts_with("--") {
            at += trimmed.find('\n').map_or(trimmed.len(), |n| n + 1);
        } else if let Some(body) = trimmed.strip_prefix("/*") {
            match body.find("*/") {
                Some(n) => at += n + 4,
                None => return at,
            }
        } else {
            return at;
        }
    }
}

/// The `-- tenantlint-ignore …` comments of a SQL file: one heading the file, or on the line
/// before the query, covers the whole query; one on a line of its own covers the next line; one
/// after code covers its own line.
fn suppression_comments(text: &str) -> Vec<SuppressionComment> {
    let start = query_start(text);
    let query = Span::new(start, text.trim_end().len().max(start));
    let mut out = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let here = line_start;
        line_start += line.len();
        let Some(dashes) = line.find("--") else {
            continue;
        };
        // Not inside a string literal.
        if line[..dashes].matches('\'').count() % 2 == 1 {
            continue;
        }
        let comment = line[dashes..].trim_end();
        if !comment.contains(crate::suppress::MARKER) {
            continue;
        }
        let span = Span::new(here + dashes, here + dashes + comment.len());
        let covers = if !line[..dashes].trim().is_empty() {
            vec![Span::new(here, here + line.trim_end().len())]
        } else if span.end <= query.start {
            vec![query]
        } else {
            let next = &text[line_start..];
            let next = next.split_inclusive('\n').next().unwrap_or("");
            vec![Span::new(line_start, line_start + next.trim_end().len())]
        };
        out.push(SuppressionComment {
            span,
            text: comment.into(),
            covers,
        });
    }
    out
}

/// Dialects in a fixed order, to key the sites of SQL files.
#[derive(Clone, Copy, PartialEq, Eq)]
struct DialectKey(Dialect);

impl DialectKey {
    fn rank(self) -> u8 {
        match self.0 {
            Dialect::MySql => 0,
            Dialect::Postgres => 1,
            Dialect::Sqlite => 2,
        }
    }
}

impl Ord for DialectKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.rank().cmp(&other.rank())
    }
}

impl PartialOrd for DialectKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Where a reference is made: the source file's absolute path, whether it is analysed for
/// context only, and how paths are shown ([`display_path`], [`root_relative`]).
struct Place<'a> {
    source: &'a Path,
    context: bool,
    cwd: Option<&'a Path>,
    root: &'a Path,
}

/// The file `r` names from `place`, read once and added to the run's files. A SQL file that
/// only context files name is context too.
fn open(
    r: &SqlFileRef,
    place: &Place,
    files: &mut Vec<ScannedFile>,
    facts: &mut Vec<FileFacts>,
    absolute: &mut Vec<PathBuf>,
    read: &mut HashMap<PathBuf, Read>,
) -> Read {
    let path = resolve(r, place.source, &|p: &Path| p.is_file())?;
    let key = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
    if let Some(known) = read.get(&key) {
        if let Ok(index) = known {
            files[*index].context &= place.context;
        }
        return known.clone();
    }
    let (cwd, root) = (place.cwd, place.root);
    let shown = display_path(&path, cwd);
    let result = match std::fs::read(&path) {
        Err(e) => Err(format!("`{shown}`: {e}")),
        Ok(bytes) => {
            let decoded = decode_source(bytes);
            if decoded.binary {
                Err(format!("`{shown}` is a binary file"))
            } else {
                let suppressions = suppression_comments(&decoded.text);
                files.push(ScannedFile {
                    display: shown,
                    root_relative: root_relative(&path, cwd, root),
                    text: SourceText::plain(decoded.text),
                    lines: std::sync::OnceLock::new(),
                    parse_errors: false,
                    unreadable: false,
                    directory: false,
                    absolute: path.clone(),
                    context: place.context,
                });
                facts.push(FileFacts {
                    suppressions,
                    ..FileFacts::default()
                });
                absolute.push(path);
                Ok(files.len() - 1)
            }
        }
    };
    read.insert(key, result.clone());
    result
}

/// The absolute path a reference in the source file `source` (absolute) names: relative to
/// the crate root (the nearest directory at or above the source holding a `Cargo.toml`, as
/// `is_file` tells) or to the source's directory; `.` and `..` resolved lexically.
pub(crate) fn resolve(
    r: &SqlFileRef,
    source: &Path,
    is_file: &dyn Fn(&Path) -> bool,
) -> Result<PathBuf, String> {
    let dir = source.parent().unwrap_or(Path::new(""));
    let base = match r.base {
        SqlFileBase::SourceDir => dir.to_path_buf(),
        SqlFileBase::CrateRoot => crate_root(dir, is_file).ok_or_else(|| {
            format!(
                "no `Cargo.toml` was found at or above `{}`, so the crate root its path is relative to is not known",
                dir.display()
            )
        })?,
    };
    Ok(lexical_absolute(&base.join(&*r.path), None))
}

/// The nearest directory at or above `dir` holding a `Cargo.toml`.
pub(crate) fn crate_root(dir: &Path, is_file: &dyn Fn(&Path) -> bool) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| is_file(&d.join("Cargo.toml")))
        .map(Path::to_path_buf)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn reference(path: &str, base: SqlFileBase) -> SqlFileRef {
        SqlFileRef {
            at: Span::new(0, 1),
            path: path.into(),
            base,
        }
    }

    #[test]
    fn the_query_starts_after_the_heading_comments() {
        assert_eq!(query_start("SELECT 1"), 0);
        let text = "\n-- Open tasks.\n  /* of one\nproject */ SELECT 1\n";
        assert_eq!(&text[query_start(text)..], "SELECT 1\n");
        assert_eq!(query_start("-- only a comment"), 17);
        assert_eq!(query_start("/* unclosed"), 0);
    }

    #[test]
    fn suppression_comments_cover_the_query_or_a_line() {
        let text = "-- Open tasks.\n-- tenantlint-ignore TL001: admin view\nSELECT *\nFROM tasks\n";
        let found = suppression_comments(text);
        assert_eq!(found.len(), 1);
        assert_eq!(&*found[0].text, "-- tenantlint-ignore TL001: admin view");
        assert_eq!(found[0].covers, vec![Span::new(54, 73)]);

        let text = "SELECT *\n-- tenantlint-ignore TL001: why\nFROM tasks -- tenantlint-ignore TL001: two\nWHERE a = '--tenantlint-ignore'\n";
        let found = suppression_comments(text);
        let covered: Vec<&str> = found
            .iter()
            .map(|c| &text[c.covers[0].start..c.covers[0].end])
            .collect();
        assert_eq!(
            covered,
            vec![
                "FROM tasks -- tenantlint-ignore TL001: two",
                "FROM tasks -- tenantlint-ignore TL001: two"
            ]
        );
    }

    #[test]
    fn the_crate_root_is_the_nearest_directory_with_a_cargo_toml() {
        let manifests = [
            PathBuf::from("/w/Cargo.toml"),
            PathBuf::from("/w/svc/Cargo.toml"),
        ];
        let is_file = |p: &Path| manifests.iter().any(|m| m == p);
        assert_eq!(
            crate_root(Path::new("/w/svc/src/api"), &is_file),
            Some(PathBuf::from("/w/svc"))
        );
        assert_eq!(
            crate_root(Path::new("/w/svc"), &is_file),
            Some(PathBuf::from("/w/svc"))
        );
        assert_eq!(
            crate_root(Path::new("/w/lib/src"), &is_file),
            Some(PathBuf::from("/w"))
        );
        assert_eq!(crate_root(Path::new("/elsewhere/src"), &is_file), None);
    }

    #[test]
    fn query_file_paths_are_relative_to_the_crate_root() {
        let is_file = |p: &Path| p == Path::new("/w/svc/Cargo.toml");
        let r = reference("queries/open.sql", SqlFileBase::CrateRoot);
        assert_eq!(
            resolve(&r, Path::new("/w/svc/src/api/tasks.rs"), &is_file),
            Ok(PathBuf::from("/w/svc/queries/open.sql"))
        );
        let r = reference("./queries/../sql/open.sql", SqlFileBase::CrateRoot);
        assert_eq!(
            resolve(&r, Path::new("/w/svc/src/main.rs"), &is_file),
            Ok(PathBuf::from("/w/svc/sql/open.sql"))
        );
        let err = resolve(&r, Path::new("/other/src/main.rs"), &is_file).unwrap_err();
        assert!(err.contains("no `Cargo.toml`"), "{err}");
    }

    #[test]
    fn include_str_paths_are_relative_to_the_source_file() {
        let is_file = |p: &Path| p == Path::new("/w/svc/Cargo.toml");
        let r = reference("q.sql", SqlFileBase::SourceDir);
        assert_eq!(
            resolve(&r, Path::new("/w/svc/src/api/tasks.rs"), &is_file),
            Ok(PathBuf::from("/w/svc/src/api/q.sql"))
        );
        let r = reference("../../queries/q.sql", SqlFileBase::SourceDir);
        assert_eq!(
            resolve(&r, Path::new("/w/svc/src/api/tasks.rs"), &is_file),
            Ok(PathBuf::from("/w/svc/queries/q.sql"))
        );
        // No crate root is needed.
        assert_eq!(
            resolve(&r, Path::new("/x/a/b/c.rs"), &|_: &Path| false),
            Ok(PathBuf::from("/x/queries/q.sql"))
        );
    }
}

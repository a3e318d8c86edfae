//! Finding the PHP files to scan.
//!
//! * Extensions `.php`, `.phtml` and `.inc` (case-insensitive) are scanned;
//!   everything else is skipped, including files named explicitly.
//! * Directories named `.git`, `vendor` and `node_modules` found while walking
//!   are skipped (a directory given explicitly is walked even if it has one of
//!   those names).
//! * `scan.exclude` globs are matched against the path relative to
//!   [`Config::root`] with `/` separators. They apply to explicit paths too, and
//!   an excluded directory is not descended into.
//! * Symlinks are followed; loops, broken links, missing paths and unreadable
//!   files or directories are reported as [`DiscoverIssue`]s.

use std::collections::HashSet;
use std::fmt;
use std::path::{Component, Path, PathBuf};

use globset::GlobSet;
use walkdir::WalkDir;

use crate::config::{absolutize, Config};

/// Directory names never descended into.
pub const SKIPPED_DIRS: &[&str] = &[".git", "vendor", "node_modules"];

/// Source language of a discovered file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    Php,
}

impl Lang {
    /// Language for a path, from its extension (case-insensitive).
    pub fn from_path(path: &Path) -> Option<Lang> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "php" | "phtml" | "inc" => Some(Lang::Php),
            _ => None,
        }
    }
}

/// A file to scan, with its contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The path as walked (the user's spelling joined with walked components).
    pub path: PathBuf,
    pub lang: Lang,
    pub bytes: Vec<u8>,
}

/// Something that prevented a path from being scanned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiscoverIssue {
    /// A path given on the command line (or a symlink target) does not exist.
    NotFound { path: PathBuf },
    /// A file or directory could not be read.
    Unreadable { path: PathBuf, message: String },
    /// Following a symlink leads back to one of its own ancestors.
    SymlinkLoop { path: PathBuf, ancestor: PathBuf },
}

impl DiscoverIssue {
    /// The path the issue is about.
    pub fn path(&self) -> &Path {
        match self {
            DiscoverIssue::NotFound { path }
            | DiscoverIssue::Unreadable { path, .. }
            | DiscoverIssue::SymlinkLoop { path, .. } => path,
        }
    }
}

impl fmt::Display for DiscoverIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DiscoverIssue::NotFound { path } => {
                write!(f, "{}: no such file or directory", path.display())
            }
            DiscoverIssue::Unreadable { path, message } => {
                write!(f, "{}: cannot read: {message}", path.display())
            }
            DiscoverIssue::SymlinkLoop { path, ancestor } => write!(
                f,
                "{}: symlink loop (points back to {})",
                path.display(),
                ancestor.display()
            ),
        }
    }
}

/// Result of [`discover`].
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Discovered {
    /// Files sorted by path, each at most once (by canonical path).
    pub files: Vec<SourceFile>,
    /// Problems, sorted by path.
    pub issues: Vec<DiscoverIssue>,
}

/// Walks `paths` (files or directories) and reads every PHP file found.
pub fn discover(paths: &[PathBuf], config: &Config) -> Discovered {
    let walker = Walker {
        root: absolutize(&config.root),
        exclude: config.exclude_set(),
    };
    let mut out = Discovered::default();
    let mut seen: HashSet<PathBuf> = HashSet::new();

    for start in paths {
        walker.walk(start, &mut out, &mut seen);
    }

    out.files.sort_by(|a, b| a.path.cmp(&b.path));
    out.issues.sort_by(|a, b| a.path().cmp(b.path()));
    out.issues.dedup();
    out
}

struct Walker {
    /// Canonical config root.
    root: PathBuf,
    exclude: GlobSet,
}

impl Walker {
    fn walk(&self, start: &Path, out: &mut Discovered, seen: &mut HashSet<PathBuf>) {
        // Absolute, canonical form of the start path; walked entries are
        // mapped onto it lexically (not re-canonicalized) so that paths
        // reached through symlinks are excluded by where they appear.
        let abs_start = absolutize(start);

        let mut it = WalkDir::new(start).follow_links(true).into_iter();
        while let Some(next) = it.next() {
            let entry = match next {
                Ok(entry) => entry,
                Err(err) => {
                    out.issues.push(walk_issue(start, &err));
                    continue;
                }
            };
            let path = entry.path();
            let is_dir = entry.file_type().is_dir();
            let depth = entry.depth();

            if is_dir && depth > 0 && is_skipped_dir_name(entry.file_name()) {
                it.skip_current_dir();
                continue;
            }

            let abs = match path.strip_prefix(start) {
                Ok(suffix) if suffix.as_os_str().is_empty() => abs_start.clone(),
                Ok(suffix) => abs_start.join(suffix),
                Err(_) => absolutize(path),
            };
            if self.is_excluded(&abs, is_dir) {
                if is_dir {
                    it.skip_current_dir();
                }
                continue;
            }
            if is_dir {
                continue;
            }
            if !entry.file_type().is_file() {
                // Sockets, FIFOs, devices: never source files.
                continue;
            }
            let Some(lang) = Lang::from_path(path) else {
                continue;
            };
            let key = std::fs::canonicalize(path).unwrap_or_else(|_| abs.clone());
            if !seen.insert(key) {
                continue;
            }
            match std::fs::read(path) {
                Ok(bytes) => out.files.push(SourceFile {
                    path: path.to_path_buf(),
                    lang,
                    bytes,
                }),
                Err(e) => out.issues.push(DiscoverIssue::Unreadable {
                    path: path.to_path_buf(),
                    message: e.to_string(),
                }),
            }
        }
    }

    fn is_excluded(&self, abs: &Path, is_dir: bool) -> bool {
        if self.exclude.is_empty() {
            return false;
        }
        let Ok(rel) = abs.strip_prefix(&self.root) else {
            return false;
        };
        let rel = slash_path(rel);
        if rel.is_empty() {
            return false;
        }
        if self.exclude.is_match(rel.as_str()) {
            return true;
        }
        // Let `dir/**` and `dir/` prune the directory itself.
        is_dir && self.exclude.is_match(format!("{rel}/").as_str())
    }
}

fn is_skipped_dir_name(name: &std::ffi::OsStr) -> bool {
    name.to_str().is_some_and(|n| SKIPPED_DIRS.contains(&n))
}

/// `a/b/c` with `/` separators, dropping `.` components.
fn slash_path(rel: &Path) -> String {
    let mut s = String::new();
    for comp in rel.components() {
        match comp {
            Component::Normal(part) => {
                if !s.is_empty() {
                    s.push('/');
                }
                s.push_str(&part.to_string_lossy());
            }
            Component::ParentDir => {
                if !s.is_empty() {
                    s.push('/');
                }
                s.push_str("..");
            }
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
        }
    }
    s
}

fn walk_issue(start: &Path, err: &walkdir::Error) -> DiscoverIssue {
    let path = err
        .path()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| start.to_path_buf());
    if let Some(ancestor) = err.loop_ancestor() {
        return DiscoverIssue::SymlinkLoop {
            path,
            ancestor: ancestor.to_path_buf(),
        };
    }
    if let Some(io) = err.io_error() {
        if io.kind() == std::io::ErrorKind::NotFound {
            return DiscoverIssue::NotFound { path };
        }
        return DiscoverIssue::Unreadable {
            path,
            message: io.to_string(),
        };
    }
    DiscoverIssue::Unreadable {
        path,
        message: err.to_string(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct TempDir(PathBuf);
    impl TempDir {
        fn new(tag: &str) -> TempDir {
            static N: AtomicUsize = AtomicUsize::new(0);
            let p = std::env::temp_dir().join(format!(
                "tl-discover-{}-{}-{}",
                std::process::id(),
                tag,
                N.fetch_add(1, Ordering::SeqCst)
            ));
            let _ = std::fs::remove_dir_all(&p);
            std::fs::create_dir_all(&p).unwrap();
            TempDir(std::fs::canonicalize(&p).unwrap())
        }
        fn write(&self, rel: &str, text: &str) -> PathBuf {
            let p = self.0.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, text).unwrap();
            p
        }
    }
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn rel_names(d: &Discovered, root: &Path) -> Vec<String> {
        d.files
            .iter()
            .map(|f| slash_path(f.path.strip_prefix(root).unwrap_or(&f.path)))
            .collect()
    }

    fn app(tag: &str) -> TempDir {
        let t = TempDir::new(tag);
        t.write("index.php", "<?php echo 1;");
        t.write("bbs/list.PHP", "<?php");
        t.write("bbs/view.phtml", "<?php");
        t.write("lib/common.inc", "<?php");
        t.write("lib/readme.txt", "x");
        t.write("js/app.js", "x");
        t.write("bbs/super/admin.php", "<?php");
        t.write("vendor/lib/x.php", "<?php");
        t.write("node_modules/m/x.php", "<?php");
        t.write(".git/hooks/x.php", "<?php");
        t
    }

    #[test]
    fn walks_extensions_and_skips_dirs() {
        let t = app("walk");
        let cfg = Config::default_at(t.0.clone());
        let d = discover(std::slice::from_ref(&t.0), &cfg);
        assert_eq!(
            rel_names(&d, &t.0),
            vec![
                "bbs/list.PHP",
                "bbs/super/admin.php",
                "bbs/view.phtml",
                "index.php",
                "lib/common.inc"
            ]
        );
        assert!(d.issues.is_empty(), "{:?}", d.issues);
        assert!(d.files.iter().all(|f| f.lang == Lang::Php));
        let index = d
            .files
            .iter()
            .find(|f| f.path.ends_with("index.php"))
            .unwrap();
        assert_eq!(index.bytes, b"<?php echo 1;");
    }

    #[test]
    fn exclude_relative_to_root() {
        let t = app("excl");
        let mut cfg = Config::default_at(t.0.clone());
        cfg.scan.exclude = vec!["bbs/super/**".into(), "lib/*.inc".into()];
        let d = discover(std::slice::from_ref(&t.0), &cfg);
        assert_eq!(
            rel_names(&d, &t.0),
            vec!["bbs/list.PHP", "bbs/view.phtml", "index.php"]
        );

        // Starting from a subdirectory: globs are still relative to the root.
        let d = discover(&[t.0.join("bbs")], &cfg);
        assert_eq!(rel_names(&d, &t.0), vec!["bbs/list.PHP", "bbs/view.phtml"]);

        // An explicitly named excluded file is excluded too.
        let d = discover(&[t.0.join("bbs/super/admin.php")], &cfg);
        assert!(d.files.is_empty());

        // A directory pattern without `**` prunes the directory.
        cfg.scan.exclude = vec!["bbs/super".into()];
        let d = discover(std::slice::from_ref(&t.0), &cfg);
        assert!(!rel_names(&d, &t.0).contains(&"bbs/super/admin.php".to_string()));
    }

    #[cfg(unix)]
    #[test]
    fn relative_and_dotted_start_paths() {
        let t = app("rel");
        let mut cfg = Config::default_at(t.0.clone());
        cfg.scan.exclude = vec!["bbs/super/**".into()];
        // Root spelled with a `.` component and an unnormalized start path.
        cfg.root = t.0.join(".");
        let start = t.0.join("./bbs/../bbs");
        let d = discover(&[start], &cfg);
        assert_eq!(d.files.len(), 2, "{:?}", d.files);
        assert!(d
            .files
            .iter()
            .all(|f| !f.path.to_string_lossy().contains("super")));

        // Relative start path (`../../tmp/...`) resolved against the
        // current directory, with a relative `./`-style root as well.
        let cwd = std::env::current_dir().unwrap();
        let mut rel = PathBuf::from(".");
        for _ in cwd.components().skip(1) {
            rel.push("..");
        }
        for comp in t.0.components().skip(1) {
            rel.push(comp);
        }
        cfg.root = rel.clone();
        let d = discover(&[rel.join("bbs")], &cfg);
        assert_eq!(d.files.len(), 2, "{:?}", d.files);
        assert!(d.files.iter().all(|f| f.path.starts_with(&rel)));
        assert!(d
            .files
            .iter()
            .all(|f| !f.path.to_string_lossy().contains("super")));
    }

    #[test]
    fn explicit_files() {
        let t = app("explicit");
        let cfg = Config::default_at(t.0.clone());
        let d = discover(
            &[
                t.0.join("lib/readme.txt"),
                t.0.join("lib/common.inc"),
                t.0.join("vendor/lib/x.php"),
            ],
            &cfg,
        );
        assert_eq!(
            rel_names(&d, &t.0),
            vec!["lib/common.inc", "vendor/lib/x.php"]
        );
        assert!(d.issues.is_empty());
    }

    #[test]
    fn duplicates_are_scanned_once_and_sorted() {
        let t = app("dup");
        let cfg = Config::default_at(t.0.clone());
        let d = discover(&[t.0.join("index.php"), t.0.clone(), t.0.join("bbs")], &cfg);
        let names = rel_names(&d, &t.0);
        assert_eq!(names.len(), 5, "{names:?}");
        let mut sorted = d.files.iter().map(|f| f.path.clone()).collect::<Vec<_>>();
        sorted.sort();
        assert_eq!(
            sorted,
            d.files.iter().map(|f| f.path.clone()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn missing_path_is_an_issue() {
        let t = TempDir::new("missing");
        let cfg = Config::default_at(t.0.clone());
        let gone = t.0.join("nope");
        let d = discover(std::slice::from_ref(&gone), &cfg);
        assert!(d.files.is_empty());
        assert_eq!(d.issues, vec![DiscoverIssue::NotFound { path: gone }]);
        assert!(d.issues[0].to_string().contains("no such file"));
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loop_and_broken_link_are_issues() {
        use std::os::unix::fs::symlink;
        let t = TempDir::new("loop");
        t.write("a/x.php", "<?php");
        symlink(t.0.join("a"), t.0.join("a/again")).unwrap();
        symlink(t.0.join("a/missing.php"), t.0.join("a/broken.php")).unwrap();
        let cfg = Config::default_at(t.0.clone());
        let d = discover(std::slice::from_ref(&t.0), &cfg);
        assert_eq!(rel_names(&d, &t.0), vec!["a/x.php"]);
        assert_eq!(d.issues.len(), 2, "{:?}", d.issues);
        assert!(d.issues.iter().any(|i| matches!(
            i,
            DiscoverIssue::SymlinkLoop { path, .. } if path.ends_with("again")
        )));
        assert!(d.issues.iter().any(|i| i.path().ends_with("broken.php")));
    }

    #[cfg(unix)]
    #[test]
    fn symlinked_dir_is_followed_and_excluded_by_walked_path() {
        use std::os::unix::fs::symlink;
        let t = TempDir::new("follow");
        let other = TempDir::new("follow-target");
        other.write("y.php", "<?php");
        symlink(&other.0, t.0.join("linked")).unwrap();
        let mut cfg = Config::default_at(t.0.clone());
        let d = discover(std::slice::from_ref(&t.0), &cfg);
        assert_eq!(rel_names(&d, &t.0), vec!["linked/y.php"]);

        cfg.scan.exclude = vec!["linked/**".into()];
        let d = discover(std::slice::from_ref(&t.0), &cfg);
        assert!(d.files.is_empty());
    }

    #[test]
    fn lang_from_path() {
        assert_eq!(Lang::from_path(Path::new("a.php")), Some(Lang::Php));
        assert_eq!(Lang::from_path(Path::new("a.PhTmL")), Some(Lang::Php));
        assert_eq!(Lang::from_path(Path::new("a.INC")), Some(Lang::Php));
        assert_eq!(Lang::from_path(Path::new("a.php.bak")), None);
        assert_eq!(Lang::from_path(Path::new("php")), None);
    }
}

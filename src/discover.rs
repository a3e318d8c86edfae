//! Finding the source files to scan.
//!
//! * Extensions `.php`, `.phtml` and `.inc` (PHP) and `.rs` (Rust), case-insensitive, are source
//!   files; other files met while walking are not looked at. A file named explicitly that is not a source file
//!   is a [`DiscoverIssue::NotSource`] warning, never ignored silently.
//! * Directories named `.git`, `vendor` and `node_modules` met while walking are not
//!   descended into and are listed in [`Discovered::skipped_default`] (a directory given
//!   explicitly is walked even if it has one of those names); so is `target`, Cargo's build
//!   directory.
//! * `scan.exclude` globs are matched against the path relative to [`Config::root`] with `/`
//!   separators; a matched directory is not descended into. What they skip is listed in
//!   [`Discovered::excluded`]. A path named explicitly is scanned even if a glob matches it, and
//!   the globs that match it do not apply below it — unless [`DiscoverOptions::force_exclude`]:
//!   then it is skipped (and listed) when it or a directory above it matches.
//! * Symlinks are followed. A symlink loop, and a broken symlink whose name or target is a
//!   source file name, are warnings; a source file or a directory that cannot be read is
//!   [`DiscoverIssue::Unreadable`] (reported as a TL000 finding by the engine).
//! * A `tenantlint.toml` met while walking that is not the configuration in use is a
//!   [`DiscoverIssue::UnusedConfig`] warning, once.

use std::collections::HashSet;
use std::fmt;
use std::path::{Component, Path, PathBuf};

use globset::GlobSet;
use walkdir::WalkDir;

use crate::config::{absolutize, Config, CONFIG_FILE_NAME};

/// Directory names never descended into (`target` is Cargo's build directory).
pub const SKIPPED_DIRS: &[&str] = &[".git", "vendor", "node_modules", "target"];

/// The extensions of source files, as shown to users.
pub const SOURCE_EXTENSIONS: &str = ".php, .phtml, .inc, .rs";

/// Source language of a discovered file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    Php,
    Rust,
}

impl Lang {
    /// Language for a path, from its extension (case-insensitive).
    pub fn from_path(path: &Path) -> Option<Lang> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "php" | "phtml" | "inc" => Some(Lang::Php),
            "rs" => Some(Lang::Rust),
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

/// Something about the paths that the user must be told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiscoverIssue {
    /// A path given on the command line does not exist.
    NotFound { path: PathBuf },
    /// A source file, or a directory, could not be read (a TL000 finding, not a warning).
    Unreadable {
        path: PathBuf,
        message: String,
        /// The path is a directory: none of its files were scanned.
        dir: bool,
    },
    /// Following a symlink leads back to one of its own ancestors (`ancestor`), or to itself
    /// (`ln -s self self`, links pointing at each other).
    SymlinkLoop {
        path: PathBuf,
        ancestor: Option<PathBuf>,
    },
    /// A symlink named like a source file (or pointing at such a name) whose target does not
    /// exist.
    BrokenSymlink { path: PathBuf, target: PathBuf },
    /// A file named explicitly that is not a source file (by its extension).
    NotSource { path: PathBuf },
    /// A `tenantlint.toml` met while walking that this run does not use.
    UnusedConfig {
        path: PathBuf,
        /// The configuration file in use; `None` for the defaults.
        in_use: Option<PathBuf>,
        /// The configuration in use was named with `--config`.
        explicit: bool,
    },
}

impl DiscoverIssue {
    /// The path the issue is about.
    pub fn path(&self) -> &Path {
        match self {
            DiscoverIssue::NotFound { path }
            | DiscoverIssue::Unreadable { path, .. }
            | DiscoverIssue::SymlinkLoop { path, .. }
            | DiscoverIssue::BrokenSymlink { path, .. }
            | DiscoverIssue::NotSource { path }
            | DiscoverIssue::UnusedConfig { path, .. } => path,
        }
    }

    /// The same issue with the paths it shows passed through `f` (e.g. to display them
    /// relative to the current directory). A broken link's target is kept as written.
    pub fn map_paths(&self, f: impl Fn(&Path) -> PathBuf) -> DiscoverIssue {
        let mut issue = self.clone();
        match &mut issue {
            DiscoverIssue::NotFound { path }
            | DiscoverIssue::Unreadable { path, .. }
            | DiscoverIssue::BrokenSymlink { path, .. }
            | DiscoverIssue::NotSource { path } => *path = f(path),
            DiscoverIssue::SymlinkLoop { path, ancestor } => {
                *path = f(path);
                if let Some(a) = ancestor {
                    *a = f(a);
                }
            }
            DiscoverIssue::UnusedConfig { path, in_use, .. } => {
                *path = f(path);
                if let Some(c) = in_use {
                    *c = f(c);
                }
            }
        }
        issue
    }
}

impl fmt::Display for DiscoverIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DiscoverIssue::NotFound { path } => {
                write!(f, "{}: no such file or directory", path.display())
            }
            DiscoverIssue::Unreadable { path, message, .. } => {
                write!(f, "{}: cannot read: {message}", path.display())
            }
            DiscoverIssue::SymlinkLoop {
                path,
                ancestor: Some(ancestor),
            } => write!(
                f,
                "{}: symlink loop (points back to {}); not followed",
                path.display(),
                ancestor.display()
            ),
            DiscoverIssue::SymlinkLoop {
                path,
                ancestor: None,
            } => write!(
                f,
                "{}: symlink loop (the link leads back to itself); not followed",
                path.display()
            ),
            DiscoverIssue::BrokenSymlink { path, target } => write!(
                f,
                "{}: broken symlink (its target {} does not exist); not scanned",
                path.display(),
                target.display()
            ),
            DiscoverIssue::NotSource { path } => write!(
                f,
                "{}: not a source file (extensions: {SOURCE_EXTENSIONS}); not scanned",
                path.display()
            ),
            DiscoverIssue::UnusedConfig {
                path,
                in_use,
                explicit: true,
            } => write!(
                f,
                "{} is not used by this run: --config {} applies to all paths",
                path.display(),
                in_use.as_deref().unwrap_or(Path::new("?")).display()
            ),
            DiscoverIssue::UnusedConfig {
                path,
                in_use,
                explicit: false,
            } => {
                write!(f, "{} is not used by this run: it uses ", path.display())?;
                match in_use {
                    Some(c) => write!(f, "{}", c.display())?,
                    None => f.write_str("the defaults")?,
                }
                f.write_str("; check that directory on its own to apply it")
            }
        }
    }
}

/// How explicitly named paths and the configuration are treated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DiscoverOptions {
    /// Apply `[scan] exclude` to paths named explicitly too (`--force-exclude`).
    pub force_exclude: bool,
    /// The configuration was named with `--config` (changes the wording of
    /// [`DiscoverIssue::UnusedConfig`]).
    pub explicit_config: bool,
}

/// A path `[scan] exclude` kept from the scan.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Excluded {
    /// The path as walked.
    pub path: PathBuf,
    /// A directory: nothing below it was walked.
    pub dir: bool,
}

/// Result of [`discover`].
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Discovered {
    /// Files sorted by path, each at most once (by canonical path).
    pub files: Vec<SourceFile>,
    /// Problems, sorted by path.
    pub issues: Vec<DiscoverIssue>,
    /// Directories not descended into because of their name ([`SKIPPED_DIRS`]), sorted.
    pub skipped_default: Vec<PathBuf>,
    /// Source files and directories matched by `[scan] exclude`, sorted.
    pub excluded: Vec<Excluded>,
}

/// Walks `paths` (files or directories) and reads every source file found, with the default
/// [`DiscoverOptions`].
pub fn discover(paths: &[PathBuf], config: &Config) -> Discovered {
    discover_with(paths, config, DiscoverOptions::default())
}

/// Walks `paths` (files or directories) and reads every source file found.
pub fn discover_with(paths: &[PathBuf], config: &Config, options: DiscoverOptions) -> Discovered {
    let mut walker = Walker {
        root: absolutize(&config.root),
        exclude: config.exclude_set(),
        options,
        config_in_use: config.path.clone(),
        config_in_use_canonical: config.path.as_deref().map(absolutize),
        seen: HashSet::new(),
        seen_configs: HashSet::new(),
        out: Discovered::default(),
    };
    for start in paths {
        walker.walk(start);
    }

    let mut out = walker.out;
    out.files.sort_by(|a, b| a.path.cmp(&b.path));
    out.issues.sort_by(|a, b| a.path().cmp(b.path()));
    out.issues.dedup();
    out.skipped_default.sort();
    out.skipped_default.dedup();
    out.excluded.sort();
    out.excluded.dedup();
    out
}

struct Walker {
    /// Canonical config root.
    root: PathBuf,
    exclude: GlobSet,
    options: DiscoverOptions,
    /// The configuration file in use, as given, and canonical.
    config_in_use: Option<PathBuf>,
    config_in_use_canonical: Option<PathBuf>,
    /// Canonical paths of the files read, so each is scanned once.
    seen: HashSet<PathBuf>,
    /// Canonical paths of the unused configuration files reported.
    seen_configs: HashSet<PathBuf>,
    out: Discovered,
}

impl Walker {
    fn walk(&mut self, start: &Path) {
        // Absolute, canonical form of the start path; walked entries are
        // mapped onto it lexically (not re-canonicalized) so that paths
        // reached through symlinks are excluded by where they appear.
        let abs_start = absolutize(start);
        let meta = match std::fs::metadata(start) {
            Ok(meta) => meta,
            Err(err) => {
                if let Some(issue) = path_issue(start, &err, true) {
                    self.out.issues.push(issue);
                }
                return;
            }
        };
        let force = self.options.force_exclude;
        if !meta.is_dir() {
            let lang = Lang::from_path(start).filter(|_| meta.is_file());
            let Some(lang) = lang else {
                self.out.issues.push(DiscoverIssue::NotSource {
                    path: start.to_path_buf(),
                });
                return;
            };
            if force && self.excluded_or_under_excluded(&abs_start, false) {
                self.exclude_path(start, false);
                return;
            }
            self.read(start, &abs_start, lang);
            return;
        }
        if force && self.excluded_or_under_excluded(&abs_start, true) {
            self.exclude_path(start, true);
            return;
        }
        // Named explicitly: the globs that exclude the directory do not apply inside it.
        let disabled = if force {
            Vec::new()
        } else {
            self.matching(&abs_start, true)
        };

        let mut it = WalkDir::new(start).follow_links(true).into_iter();
        while let Some(next) = it.next() {
            let entry = match next {
                Ok(entry) => entry,
                Err(err) => {
                    if let Some(issue) = walk_issue(start, &err) {
                        self.out.issues.push(issue);
                    }
                    continue;
                }
            };
            let depth = entry.depth();
            if depth == 0 {
                continue;
            }
            let path = entry.path();
            let is_dir = entry.file_type().is_dir();

            if is_dir && is_skipped_dir_name(entry.file_name()) {
                self.out.skipped_default.push(path.to_path_buf());
                it.skip_current_dir();
                continue;
            }

            let abs = match path.strip_prefix(start) {
                Ok(suffix) if suffix.as_os_str().is_empty() => abs_start.clone(),
                Ok(suffix) => abs_start.join(suffix),
                Err(_) => absolutize(path),
            };
            if is_dir {
                if self.is_excluded(&abs, true, &disabled) {
                    self.exclude_path(path, true);
                    it.skip_current_dir();
                }
                continue;
            }
            if !entry.file_type().is_file() {
                // Sockets, FIFOs, devices: never source files.
                continue;
            }
            if entry.file_name() == CONFIG_FILE_NAME {
                self.check_config(path);
                continue;
            }
            let Some(lang) = Lang::from_path(path) else {
                continue;
            };
            if self.is_excluded(&abs, false, &disabled) {
                self.exclude_path(path, false);
                continue;
            }
            self.read(path, &abs, lang);
        }
    }

    fn read(&mut self, path: &Path, abs: &Path, lang: Lang) {
        let key = std::fs::canonicalize(path).unwrap_or_else(|_| abs.to_path_buf());
        if !self.seen.insert(key) {
            return;
        }
        match std::fs::read(path) {
            Ok(bytes) => self.out.files.push(SourceFile {
                path: path.to_path_buf(),
                lang,
                bytes,
            }),
            Err(e) => self.out.issues.push(DiscoverIssue::Unreadable {
                path: path.to_path_buf(),
                message: e.to_string(),
                dir: false,
            }),
        }
    }

    fn exclude_path(&mut self, path: &Path, dir: bool) {
        self.out.excluded.push(Excluded {
            path: path.to_path_buf(),
            dir,
        });
    }

    /// A `tenantlint.toml` met while walking: reported once unless it is the one in use.
    fn check_config(&mut self, path: &Path) {
        let canonical = absolutize(path);
        if self.config_in_use_canonical.as_ref() == Some(&canonical)
            || !self.seen_configs.insert(canonical)
        {
            return;
        }
        self.out.issues.push(DiscoverIssue::UnusedConfig {
            path: path.to_path_buf(),
            in_use: self.config_in_use.clone(),
            explicit: self.options.explicit_config,
        });
    }

    /// `abs` relative to the root, `/`-separated; `None` outside the root or at the root.
    fn root_relative(&self, abs: &Path) -> Option<String> {
        let rel = slash_path(abs.strip_prefix(&self.root).ok()?);
        (!rel.is_empty()).then_some(rel)
    }

    /// Indices of the exclude globs matching `abs` (a directory also as `dir/`, so that
    /// `dir/**` and `dir/` name the directory itself).
    fn matching(&self, abs: &Path, is_dir: bool) -> Vec<usize> {
        let Some(rel) = self.root_relative(abs) else {
            return Vec::new();
        };
        let mut hits = self.exclude.matches(rel.as_str());
        if is_dir {
            hits.extend(self.exclude.matches(format!("{rel}/").as_str()));
        }
        hits.sort_unstable();
        hits.dedup();
        hits
    }

    /// Whether a glob other than the `disabled` ones matches `abs`.
    fn is_excluded(&self, abs: &Path, is_dir: bool, disabled: &[usize]) -> bool {
        if self.exclude.is_empty() {
            return false;
        }
        if disabled.is_empty() {
            let Some(rel) = self.root_relative(abs) else {
                return false;
            };
            return self.exclude.is_match(rel.as_str())
                || is_dir && self.exclude.is_match(format!("{rel}/").as_str());
        }
        self.matching(abs, is_dir)
            .iter()
            .any(|i| !disabled.contains(i))
    }

    /// `--force-exclude`: whether `abs`, or a directory above it under the root, is excluded.
    fn excluded_or_under_excluded(&self, abs: &Path, is_dir: bool) -> bool {
        if self.is_excluded(abs, is_dir, &[]) {
            return true;
        }
        abs.ancestors()
            .skip(1)
            .take_while(|a| a.starts_with(&self.root) && *a != self.root)
            .any(|a| self.is_excluded(a, true, &[]))
    }
}

/// A directory skipped by its name ([`SKIPPED_DIRS`]).
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

fn walk_issue(start: &Path, err: &walkdir::Error) -> Option<DiscoverIssue> {
    let path = err.path().unwrap_or(start);
    if let Some(ancestor) = err.loop_ancestor() {
        return Some(DiscoverIssue::SymlinkLoop {
            path: path.to_path_buf(),
            ancestor: Some(ancestor.to_path_buf()),
        });
    }
    match err.io_error() {
        Some(io) => path_issue(path, io, false),
        None => Some(DiscoverIssue::Unreadable {
            path: path.to_path_buf(),
            message: err.to_string(),
            dir: std::fs::metadata(path).is_ok_and(|m| m.is_dir()),
        }),
    }
}

/// What an I/O error on `path` means for the user. `named`: the path was given on the
/// command line (then a missing or broken path is always reported); while walking, only
/// source files and directories matter.
fn path_issue(path: &Path, err: &std::io::Error, named: bool) -> Option<DiscoverIssue> {
    let is_source = |p: &Path| Lang::from_path(p).is_some();
    let link_target = std::fs::symlink_metadata(path)
        .ok()
        .filter(|m| m.file_type().is_symlink())
        .and_then(|_| std::fs::read_link(path).ok());
    if let Some(target) = link_target {
        if symlink_loops(path) {
            return Some(DiscoverIssue::SymlinkLoop {
                path: path.to_path_buf(),
                ancestor: None,
            });
        }
        if err.kind() == std::io::ErrorKind::NotFound {
            return (named || is_source(path) || is_source(&target)).then(|| {
                DiscoverIssue::BrokenSymlink {
                    path: path.to_path_buf(),
                    target,
                }
            });
        }
    }
    if err.kind() == std::io::ErrorKind::NotFound {
        // While walking: the entry went away between listing and reading.
        return (named || is_source(path)).then(|| DiscoverIssue::NotFound {
            path: path.to_path_buf(),
        });
    }
    let dir = std::fs::metadata(path).is_ok_and(|m| m.is_dir()) || named && !is_source(path);
    (dir || is_source(path)).then(|| DiscoverIssue::Unreadable {
        path: path.to_path_buf(),
        message: err.to_string(),
        dir,
    })
}

/// Whether following the symlink `path` link by link comes back to a link already followed
/// (or goes on for more links than any system resolves).
fn symlink_loops(path: &Path) -> bool {
    const MAX_LINKS: usize = 40;
    let cwd = std::env::current_dir().ok();
    let mut current = crate::include::lexical_absolute(path, cwd.as_deref());
    let mut followed = HashSet::new();
    for _ in 0..MAX_LINKS {
        if !followed.insert(current.clone()) {
            return true;
        }
        let Ok(target) = std::fs::read_link(&current) else {
            return false;
        };
        let next = match current.parent() {
            Some(dir) => dir.join(target),
            None => target,
        };
        current = crate::include::lexical_absolute(&next, None);
    }
    true
}

/// A source file as text.
pub(crate) struct Decoded {
    pub(crate) text: String,
    /// Not text at all (NUL bytes): not analysed.
    pub(crate) binary: bool,
}

/// UTF-8 (a BOM is dropped); failing that, EUC-KR / CP949, common in Korean PHP code bases;
/// failing that, UTF-8 with replacement characters. Offsets are into the decoded text, so
/// lines and columns stay right.
pub(crate) fn decode_source(bytes: Vec<u8>) -> Decoded {
    let binary = bytes.iter().take(8192).any(|b| *b == 0);
    let bytes = match bytes.strip_prefix(b"\xef\xbb\xbf") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let bytes = e.into_bytes();
            match encoding_rs::EUC_KR.decode_without_bom_handling_and_without_replacement(&bytes) {
                Some(t) => t.into_owned(),
                None => String::from_utf8_lossy(&bytes).into_owned(),
            }
        }
    };
    Decoded { text, binary }
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
        // The directories skipped by their name are recorded, not descended into.
        assert_eq!(
            d.skipped_default,
            vec![
                t.0.join(".git"),
                t.0.join("node_modules"),
                t.0.join("vendor")
            ]
        );
        assert!(d.excluded.is_empty());
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
        // What the globs kept out is recorded: the directory once, not walked.
        assert_eq!(
            d.excluded,
            vec![
                Excluded {
                    path: t.0.join("bbs/super"),
                    dir: true
                },
                Excluded {
                    path: t.0.join("lib/common.inc"),
                    dir: false
                },
            ]
        );

        // Starting from a subdirectory: globs are still relative to the root.
        let d = discover(&[t.0.join("bbs")], &cfg);
        assert_eq!(rel_names(&d, &t.0), vec!["bbs/list.PHP", "bbs/view.phtml"]);

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
        // A file named explicitly that is not a source file is not ignored silently.
        assert_eq!(
            d.issues,
            vec![DiscoverIssue::NotSource {
                path: t.0.join("lib/readme.txt")
            }]
        );
        assert!(d.issues[0].to_string().ends_with(
            "readme.txt: not a source file (extensions: .php, .phtml, .inc, .rs); not scanned"
        ));
    }

    #[test]
    fn explicitly_named_excluded_paths_are_scanned_unless_force_exclude() {
        let t = app("named-excl");
        t.write("bbs/super/deep/x.tpl.php", "<?php");
        let mut cfg = Config::default_at(t.0.clone());
        cfg.scan.exclude = vec!["bbs/super/**".into(), "**/*.tpl.php".into()];
        let file = t.0.join("bbs/super/admin.php");
        let dir = t.0.join("bbs/super");

        // Named: checked, and the glob that excludes the directory does not apply inside it;
        // the other globs still do.
        let d = discover(&[file.clone(), dir.clone()], &cfg);
        assert_eq!(rel_names(&d, &t.0), vec!["bbs/super/admin.php"]);
        assert_eq!(
            d.excluded,
            vec![Excluded {
                path: t.0.join("bbs/super/deep/x.tpl.php"),
                dir: false
            }]
        );

        // --force-exclude: skipped, and recorded.
        let force = DiscoverOptions {
            force_exclude: true,
            ..DiscoverOptions::default()
        };
        let d = discover_with(&[file.clone(), dir.clone()], &cfg, force);
        assert!(d.files.is_empty(), "{:?}", d.files);
        assert_eq!(
            d.excluded,
            vec![
                Excluded {
                    path: dir.clone(),
                    dir: true
                },
                Excluded {
                    path: file.clone(),
                    dir: false
                },
            ]
        );

        // A directory above a named file is matched too (`bbs/super` prunes the directory).
        cfg.scan.exclude = vec!["bbs/super".into()];
        let d = discover_with(std::slice::from_ref(&file), &cfg, force);
        assert!(d.files.is_empty(), "{:?}", d.files);
        assert_eq!(d.excluded.len(), 1);
        let d = discover(std::slice::from_ref(&file), &cfg);
        assert_eq!(rel_names(&d, &t.0), vec!["bbs/super/admin.php"]);
    }

    #[test]
    fn unused_config_files_are_reported_once() {
        let t = app("configs");
        t.write("tenantlint.toml", "");
        t.write("bbs/tenantlint.toml", "");
        let used = t.0.join("tenantlint.toml");
        let mut cfg = Config::default_at(t.0.clone());
        cfg.path = Some(used.clone());
        // Walked twice (`.` and `bbs`): one warning, for the file not in use.
        let d = discover(&[t.0.clone(), t.0.join("bbs")], &cfg);
        assert_eq!(
            d.issues,
            vec![DiscoverIssue::UnusedConfig {
                path: t.0.join("bbs/tenantlint.toml"),
                in_use: Some(used.clone()),
                explicit: false,
            }]
        );
        // With the defaults, both are unused.
        let d = discover(std::slice::from_ref(&t.0), &Config::default_at(t.0.clone()));
        assert_eq!(d.issues.len(), 2, "{:?}", d.issues);
        assert!(d.issues[0].to_string().ends_with(
            "is not used by this run: it uses the defaults; check that directory on its own to apply it"
        ));
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
        // A link to itself, links pointing at each other, a broken link that is not a source
        // file's name.
        symlink("self", t.0.join("a/self")).unwrap();
        symlink("pong", t.0.join("a/ping")).unwrap();
        symlink("ping", t.0.join("a/pong")).unwrap();
        symlink("missing.txt", t.0.join("a/notes")).unwrap();
        let cfg = Config::default_at(t.0.clone());
        let d = discover(std::slice::from_ref(&t.0), &cfg);
        assert_eq!(rel_names(&d, &t.0), vec!["a/x.php"]);
        assert_eq!(
            d.issues,
            vec![
                DiscoverIssue::SymlinkLoop {
                    path: t.0.join("a/again"),
                    ancestor: Some(t.0.join("a")),
                },
                DiscoverIssue::BrokenSymlink {
                    path: t.0.join("a/broken.php"),
                    target: t.0.join("a/missing.php"),
                },
                DiscoverIssue::SymlinkLoop {
                    path: t.0.join("a/ping"),
                    ancestor: None,
                },
                DiscoverIssue::SymlinkLoop {
                    path: t.0.join("a/pong"),
                    ancestor: None,
                },
                DiscoverIssue::SymlinkLoop {
                    path: t.0.join("a/self"),
                    ancestor: None,
                },
            ]
        );
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
        assert_eq!(Lang::from_path(Path::new("src/main.rs")), Some(Lang::Rust));
        assert_eq!(Lang::from_path(Path::new("a.RS")), Some(Lang::Rust));
    }

    #[test]
    fn rust_files_are_found_and_cargo_target_dirs_skipped() {
        let t = TempDir::new("rust");
        t.write("svc/Cargo.toml", "[package]");
        t.write("svc/src/main.rs", "fn main() {}");
        t.write("svc/target/debug/build/out.rs", "fn x() {}");
        t.write(
            "other/target/CACHEDIR.TAG",
            "Signature: 8a477f597d28d172789f06886806bc55",
        );
        t.write("other/target/gen.rs", "fn y() {}");
        t.write("app/list.php", "<?php");
        t.write("app/target/gen.php", "<?php");
        let cfg = Config::default_at(t.0.clone());
        let d = discover(std::slice::from_ref(&t.0), &cfg);
        assert_eq!(rel_names(&d, &t.0), vec!["app/list.php", "svc/src/main.rs"]);
        assert_eq!(
            d.skipped_default,
            vec![
                t.0.join("app/target"),
                t.0.join("other/target"),
                t.0.join("svc/target")
            ]
        );
        let langs: Vec<Lang> = d.files.iter().map(|f| f.lang).collect();
        assert_eq!(langs, vec![Lang::Php, Lang::Rust]);
    }
}

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
//! * Ignore files are honoured while walking, in and out of git repositories: `.gitignore`,
//!   `.ignore` (as ripgrep and fd read it) and `.git/info/exclude` at the top of a work tree,
//!   with git's patterns and `!` negations. A deeper file wins over one above it, and `.ignore`
//!   over `.gitignore` over `.git/info/exclude` (ripgrep's order). The ignore files of the
//!   directories above a start path apply up to the top of its git work tree (`.gitignore`
//!   files above that top never do); outside a work tree, up to the configuration root. The
//!   user's global excludes (`core.excludesFile`) are never read, so results do not depend on
//!   the machine. What they skip is listed in [`Discovered::ignored`] with the file and the
//!   rule. A path named explicitly is scanned even if ignored (a named directory is walked,
//!   its contents matched as usual), unless [`DiscoverOptions::force_exclude`];
//!   [`DiscoverOptions::no_ignore`] turns the ignore files off. Hidden files are not skipped
//!   for being hidden. A path skipped for several reasons is listed once: by its name first,
//!   then by `scan.exclude`, then by an ignore file.
//! * The walk is `ignore`'s parallel walker with its own filters off: the filters above run
//!   in its visitor, which records what they skip (the walker's filters would skip silently)
//!   and reads the source files on the walker's threads. Results are sorted, and a file
//!   reached twice (through a symlink or a hard link: the same device and inode) is kept under
//!   its first start path and smallest path, so the result is the same for any number of
//!   threads.
//! * Symlinks are followed. A symlink loop, and a broken symlink whose name or target is a
//!   source file name, are warnings; a source file or a directory that cannot be read is
//!   [`DiscoverIssue::Unreadable`] (reported as a TL000 finding by the engine).
//! * A `tenantlint.toml` met while walking that is not the configuration in use is a
//!   [`DiscoverIssue::UnusedConfig`] warning, once.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use globset::GlobSet;
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::{Match, WalkBuilder, WalkState};

use crate::config::{absolutize, Config, CONFIG_FILE_NAME};
use crate::lang::ProjectNames;
use crate::source_text::Packed;

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
    /// The file's bytes as read, compressed while they wait for the front-end.
    pub bytes: Packed,
    /// What was learnt from the bytes while they were at hand.
    pub scan: ReadScan,
}

impl SourceFile {
    /// A file whose contents are `bytes`: scanned, then packed.
    pub fn new(path: PathBuf, lang: Lang, bytes: Vec<u8>) -> SourceFile {
        let scan = ReadScan::of(lang, &bytes);
        SourceFile {
            path,
            lang,
            bytes: Packed::new(bytes),
            scan,
        }
    }
}

/// What is learnt from a file's bytes on the thread that read them, before they are packed
/// away: a later phase need not unpack them again for it, and a file whose facts come from
/// the cache is never unpacked unless a report shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadScan {
    /// The functions and methods the file defines (a byte scan, no parse).
    pub names: ProjectNames,
    /// The key of the file's facts in the result cache: a hash of its language and bytes.
    pub key: u128,
    /// The bytes are the text itself: UTF-8, without a BOM, and not binary.
    pub plain_text: bool,
}

impl ReadScan {
    pub fn of(lang: Lang, bytes: &[u8]) -> ReadScan {
        ReadScan {
            names: crate::lang::frontend(lang).project_names(bytes),
            key: crate::cache::FactsCache::file_key(lang, bytes),
            plain_text: !is_binary(bytes)
                && !bytes.starts_with(UTF8_BOM)
                && std::str::from_utf8(bytes).is_ok(),
        }
    }
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

/// How explicitly named paths, ignore files and the configuration are treated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DiscoverOptions {
    /// Apply `[scan] exclude` and the ignore files to paths named explicitly too
    /// (`--force-exclude`).
    pub force_exclude: bool,
    /// The configuration was named with `--config` (changes the wording of
    /// [`DiscoverIssue::UnusedConfig`]).
    pub explicit_config: bool,
    /// Do not read `.gitignore`, `.ignore` and `.git/info/exclude` (`--no-ignore`).
    pub no_ignore: bool,
}

/// A path `[scan] exclude` kept from the scan.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Excluded {
    /// The path as walked.
    pub path: PathBuf,
    /// A directory: nothing below it was walked.
    pub dir: bool,
}

/// The kind of ignore file a rule comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IgnoreKind {
    /// `.gitignore`.
    Gitignore,
    /// `.ignore` (as ripgrep and fd read it).
    Ignore,
    /// `.git/info/exclude` of the work tree.
    GitExclude,
}

impl IgnoreKind {
    /// Every kind, in the order reports list them.
    pub const ALL: [IgnoreKind; 3] = [
        IgnoreKind::Gitignore,
        IgnoreKind::Ignore,
        IgnoreKind::GitExclude,
    ];

    /// `.gitignore`, `.ignore`, `.git/info/exclude`.
    pub fn as_str(self) -> &'static str {
        match self {
            IgnoreKind::Gitignore => ".gitignore",
            IgnoreKind::Ignore => ".ignore",
            IgnoreKind::GitExclude => ".git/info/exclude",
        }
    }
}

/// A path an ignore file kept from the scan, and the rule that did.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ignored {
    /// The path as walked.
    pub path: PathBuf,
    /// A directory: nothing below it was walked.
    pub dir: bool,
    pub kind: IgnoreKind,
    /// The ignore file holding the rule.
    pub file: PathBuf,
    /// The rule, as written in the file.
    pub pattern: String,
}

/// Result of [`discover`].
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Discovered {
    /// Files sorted by path, each at most once (by [`FileId`]).
    pub files: Vec<SourceFile>,
    /// Problems, sorted by path.
    pub issues: Vec<DiscoverIssue>,
    /// Directories not descended into because of their name ([`SKIPPED_DIRS`]), sorted.
    pub skipped_default: Vec<PathBuf>,
    /// Source files and directories matched by `[scan] exclude`, sorted.
    pub excluded: Vec<Excluded>,
    /// Source files and directories matched by an ignore file, sorted.
    pub ignored: Vec<Ignored>,
}

/// Walks `paths` (files or directories) and reads every source file found, with the default
/// [`DiscoverOptions`].
pub fn discover(paths: &[PathBuf], config: &Config) -> Discovered {
    discover_with(paths, config, DiscoverOptions::default())
}

/// Walks `paths` (files or directories) and reads every source file found.
///
/// Directories are walked in parallel, on as many threads as the current rayon pool has
/// (`--threads`); the result does not depend on the order in which the threads meet the
/// files.
pub fn discover_with(paths: &[PathBuf], config: &Config, options: DiscoverOptions) -> Discovered {
    let ctx = Ctx {
        root: absolutize(&config.root),
        exclude: config.exclude_set(),
        options,
        config_in_use_canonical: config.path.as_deref().map(absolutize),
    };
    let mut found = Found::default();
    for (index, start) in paths.iter().enumerate() {
        ctx.walk(index, start, &mut found);
    }

    // Each file once, by its identity: the first start that reaches it, and there the
    // smallest path, whatever order the walker's threads met them in.
    found
        .files
        .sort_by(|a, b| (a.start, &a.path).cmp(&(b.start, &b.path)));
    let mut seen = HashSet::new();
    let mut out = Discovered::default();
    for file in found.files {
        if !seen.insert(file.key) {
            continue;
        }
        match file.read {
            Ok((bytes, scan)) => out.files.push(SourceFile {
                path: file.path,
                lang: file.lang,
                bytes,
                scan,
            }),
            Err(message) => out.issues.push(DiscoverIssue::Unreadable {
                path: file.path,
                message,
                dir: false,
            }),
        }
    }
    found.configs.sort();
    let mut seen_configs = HashSet::new();
    for (_, path, canonical) in found.configs {
        if ctx.config_in_use_canonical.as_ref() == Some(&canonical)
            || !seen_configs.insert(canonical)
        {
            continue;
        }
        out.issues.push(DiscoverIssue::UnusedConfig {
            path,
            in_use: config.path.clone(),
            explicit: options.explicit_config,
        });
    }
    out.issues.extend(found.issues);
    out.files.sort_by(|a, b| a.path.cmp(&b.path));
    out.issues.sort_by(|a, b| {
        a.path()
            .cmp(b.path())
            .then_with(|| a.to_string().cmp(&b.to_string()))
    });
    out.issues.dedup();
    out.skipped_default = found.skipped_default;
    out.skipped_default.sort();
    out.skipped_default.dedup();
    out.excluded = found.excluded;
    out.excluded.sort();
    out.excluded.dedup();
    out.ignored = found.ignored;
    out.ignored.sort();
    out.ignored.dedup_by(|a, b| a.path == b.path);
    out
}

/// What the walk settles once, shared by its threads.
struct Ctx {
    /// Canonical config root.
    root: PathBuf,
    exclude: GlobSet,
    options: DiscoverOptions,
    /// The configuration file in use, canonical.
    config_in_use_canonical: Option<PathBuf>,
}

/// What the walk met, in no particular order.
#[derive(Default)]
struct Found {
    files: Vec<FoundFile>,
    /// `tenantlint.toml` files: (start index, path as walked, canonical path).
    configs: Vec<(usize, PathBuf, PathBuf)>,
    issues: Vec<DiscoverIssue>,
    skipped_default: Vec<PathBuf>,
    excluded: Vec<Excluded>,
    ignored: Vec<Ignored>,
}

/// A source file met while walking, read (or not) by the thread that met it.
struct FoundFile {
    /// The index of the start path it was reached from.
    start: usize,
    path: PathBuf,
    /// Which file it is, so that each file is scanned once.
    key: FileId,
    lang: Lang,
    read: Result<(Packed, ReadScan), String>,
}

/// One thing a walker thread met, sent to the thread that collects them.
enum Event {
    File(FoundFile),
    Config(PathBuf, PathBuf),
    Issue(DiscoverIssue),
    SkippedDefault(PathBuf),
    Excluded(Excluded),
    Ignored(Ignored),
}

impl Ctx {
    fn walk(&self, index: usize, start: &Path, found: &mut Found) {
        // Absolute, canonical form of the start path; walked entries are
        // mapped onto it lexically (not re-canonicalized) so that paths
        // reached through symlinks are excluded by where they appear.
        let abs_start = absolutize(start);
        let meta = match std::fs::metadata(start) {
            Ok(meta) => meta,
            Err(err) => {
                if let Some(issue) = path_issue(start, &err, true) {
                    found.issues.push(issue);
                }
                return;
            }
        };
        let force = self.options.force_exclude;
        if !meta.is_dir() {
            let lang = Lang::from_path(start).filter(|_| meta.is_file());
            let Some(lang) = lang else {
                found.issues.push(DiscoverIssue::NotSource {
                    path: start.to_path_buf(),
                });
                return;
            };
            if force && self.excluded_or_under_excluded(&abs_start, false) {
                found.excluded.push(Excluded {
                    path: start.to_path_buf(),
                    dir: false,
                });
                return;
            }
            if force {
                if let Some(rule) = self.ignored_or_under_ignored(&abs_start, false) {
                    found.ignored.push(rule.ignored(start, false));
                    return;
                }
            }
            found.files.push(read_file(index, start, &abs_start, lang));
            return;
        }
        if force && self.excluded_or_under_excluded(&abs_start, true) {
            found.excluded.push(Excluded {
                path: start.to_path_buf(),
                dir: true,
            });
            return;
        }
        if force {
            if let Some(rule) = self.ignored_or_under_ignored(&abs_start, true) {
                found.ignored.push(rule.ignored(start, true));
                return;
            }
        }
        let ignores = if self.options.no_ignore {
            None
        } else {
            let parents = self.parent_ignores(&abs_start);
            let mut dirs = HashMap::new();
            dirs.insert(
                abs_start.clone(),
                IgnoreDir::load(start, &abs_start, parents),
            );
            Some(Mutex::new(dirs))
        };
        // Named explicitly: the globs that exclude the directory do not apply inside it.
        let disabled = if force {
            Vec::new()
        } else {
            self.matching(&abs_start, true)
        };
        let walk = WalkTask {
            ctx: self,
            index,
            start,
            abs_start: &abs_start,
            disabled: &disabled,
            ignores: ignores.as_ref(),
        };

        let (tx, rx) = std::sync::mpsc::channel();
        WalkBuilder::new(start)
            .standard_filters(false)
            .follow_links(true)
            .threads(rayon::current_num_threads())
            .build_parallel()
            .run(|| {
                let tx = tx.clone();
                let walk = &walk;
                Box::new(move |entry| walk.visit(entry, &tx))
            });
        drop(tx);
        for event in rx {
            match event {
                Event::File(f) => found.files.push(f),
                Event::Config(path, canonical) => found.configs.push((index, path, canonical)),
                Event::Issue(i) => found.issues.push(i),
                Event::SkippedDefault(p) => found.skipped_default.push(p),
                Event::Excluded(e) => found.excluded.push(e),
                Event::Ignored(i) => found.ignored.push(i),
            }
        }
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

    /// The directories above `path` (absolute) whose ignore files apply to it, from the top
    /// down: up to the top of its git work tree; outside one, up to the configuration root.
    /// Ignore files further up (a home directory's) never apply, so results do not depend on
    /// the machine.
    fn ignore_scope<'p>(&self, path: &'p Path) -> Vec<&'p Path> {
        if is_work_tree_top(path) {
            return Vec::new();
        }
        let ancestors: Vec<&Path> = path.ancestors().skip(1).collect();
        let len = match ancestors.iter().position(|a| is_work_tree_top(a)) {
            Some(top) => top + 1,
            None => ancestors
                .iter()
                .take_while(|a| a.starts_with(&self.root))
                .count(),
        };
        ancestors[..len].iter().rev().copied().collect()
    }

    /// The ignore files of the directories above `dir` (absolute) that apply to it.
    fn parent_ignores(&self, dir: &Path) -> Option<Arc<IgnoreDir>> {
        self.ignore_scope(dir)
            .into_iter()
            .fold(None, |parent, a| IgnoreDir::load(a, a, parent))
    }

    /// `--force-exclude`: the rule ignoring `abs` (a path named explicitly), or a directory
    /// above it, if any.
    fn ignored_or_under_ignored(&self, abs: &Path, is_dir: bool) -> Option<IgnoredBy> {
        if self.options.no_ignore {
            return None;
        }
        let mut chain = None;
        for dir in self.ignore_scope(abs) {
            if let Some(rule) = IgnoreDir::matched(chain.as_ref(), dir, true) {
                return Some(rule);
            }
            chain = IgnoreDir::load(dir, dir, chain);
        }
        IgnoreDir::matched(chain.as_ref(), abs, is_dir)
    }
}

/// One start directory's walk, shared by the walker's threads.
struct WalkTask<'a> {
    ctx: &'a Ctx,
    index: usize,
    start: &'a Path,
    abs_start: &'a Path,
    /// The exclude globs that do not apply (they match the start directory, named explicitly).
    disabled: &'a [usize],
    /// The ignore files of each directory walked, by absolute path; `None` with `--no-ignore`.
    ignores: Option<&'a IgnoreDirs>,
}

impl WalkTask<'_> {
    fn visit(
        &self,
        entry: Result<ignore::DirEntry, ignore::Error>,
        tx: &std::sync::mpsc::Sender<Event>,
    ) -> WalkState {
        let send = |event| {
            // The receiver lives until the walk is over.
            let _ = tx.send(event);
        };
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                for issue in walk_issues(self.start, &err) {
                    send(Event::Issue(issue));
                }
                return WalkState::Continue;
            }
        };
        if entry.depth() == 0 {
            return WalkState::Continue;
        }
        let path = entry.path();
        let Some(file_type) = entry.file_type() else {
            return WalkState::Continue;
        };
        let is_dir = file_type.is_dir();

        if is_dir && is_skipped_dir_name(entry.file_name()) {
            send(Event::SkippedDefault(path.to_path_buf()));
            return WalkState::Skip;
        }

        let abs = match path.strip_prefix(self.start) {
            Ok(suffix) if suffix.as_os_str().is_empty() => self.abs_start.to_path_buf(),
            Ok(suffix) => self.abs_start.join(suffix),
            Err(_) => absolutize(path),
        };
        if is_dir {
            if self.ctx.is_excluded(&abs, true, self.disabled) {
                send(Event::Excluded(Excluded {
                    path: path.to_path_buf(),
                    dir: true,
                }));
                return WalkState::Skip;
            }
            if let Some(ignores) = self.ignores {
                let parent = self.parent_ignores(ignores, &abs);
                if let Some(rule) = IgnoreDir::matched(parent.as_ref(), &abs, true) {
                    send(Event::Ignored(rule.ignored(path, true)));
                    return WalkState::Skip;
                }
                let here = IgnoreDir::load(path, &abs, parent);
                if let Ok(mut dirs) = ignores.lock() {
                    dirs.insert(abs, here);
                }
            }
            return WalkState::Continue;
        }
        if !file_type.is_file() {
            // Sockets, FIFOs, devices: never source files.
            return WalkState::Continue;
        }
        if entry.file_name() == CONFIG_FILE_NAME {
            send(Event::Config(path.to_path_buf(), absolutize(path)));
            return WalkState::Continue;
        }
        let Some(lang) = Lang::from_path(path) else {
            return WalkState::Continue;
        };
        if self.ctx.is_excluded(&abs, false, self.disabled) {
            send(Event::Excluded(Excluded {
                path: path.to_path_buf(),
                dir: false,
            }));
            return WalkState::Continue;
        }
        if let Some(ignores) = self.ignores {
            let parent = self.parent_ignores(ignores, &abs);
            if let Some(rule) = IgnoreDir::matched(parent.as_ref(), &abs, false) {
                send(Event::Ignored(rule.ignored(path, false)));
                return WalkState::Continue;
            }
        }
        send(Event::File(read_file(self.index, path, &abs, lang)));
        WalkState::Continue
    }

    /// The ignore files that apply in the directory holding `abs`. The walker visits a
    /// directory before anything in it, so the directory's entry is there.
    fn parent_ignores(&self, ignores: &IgnoreDirs, abs: &Path) -> Option<Arc<IgnoreDir>> {
        let dir = abs.parent()?;
        ignores.lock().ok()?.get(dir).cloned().flatten()
    }
}

/// Reads a source file (on the walker thread that met it).
fn read_file(start: usize, path: &Path, abs: &Path, lang: Lang) -> FoundFile {
    let opened = std::fs::File::open(path).and_then(|mut file| {
        use std::io::Read;
        let meta = file.metadata()?;
        let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
        file.read_to_end(&mut bytes)?;
        Ok((FileId::of(&meta, path, abs), bytes))
    });
    let (key, read) = match opened {
        Ok((key, bytes)) => {
            let scan = ReadScan::of(lang, &bytes);
            (key, Ok((Packed::new(bytes), scan)))
        }
        Err(e) => (FileId::canonical(path, abs), Err(e.to_string())),
    };
    FoundFile {
        start,
        path: path.to_path_buf(),
        key,
        lang,
        read,
    }
}

/// What makes two paths one file: its device and inode where the system has them (the
/// `fstat` of the file already open: a symlink, or a hard link, to a file scanned elsewhere is
/// not scanned again), else its canonical path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum FileId {
    #[cfg_attr(not(unix), allow(dead_code))]
    Inode(u64, u64),
    Path(PathBuf),
}

impl FileId {
    #[cfg(unix)]
    fn of(meta: &std::fs::Metadata, _path: &Path, _abs: &Path) -> FileId {
        use std::os::unix::fs::MetadataExt;
        FileId::Inode(meta.dev(), meta.ino())
    }

    #[cfg(not(unix))]
    fn of(_meta: &std::fs::Metadata, path: &Path, abs: &Path) -> FileId {
        FileId::canonical(path, abs)
    }

    /// The canonical path (`abs` if there is none: the file cannot be reached).
    fn canonical(path: &Path, abs: &Path) -> FileId {
        FileId::Path(std::fs::canonicalize(path).unwrap_or_else(|_| abs.to_path_buf()))
    }
}

/// The ignore files that apply in each directory walked, by absolute path (`None`: none).
type IgnoreDirs = Mutex<HashMap<PathBuf, Option<Arc<IgnoreDir>>>>;

/// The ignore files of one directory, and those of the directories above it.
struct IgnoreDir {
    parent: Option<Arc<IgnoreDir>>,
    /// `.ignore`.
    ignore: Option<Gitignore>,
    /// `.gitignore`.
    gitignore: Option<Gitignore>,
    /// `.git/info/exclude`, at the top of a work tree.
    exclude: Option<Gitignore>,
    /// The top of a git work tree: the `.gitignore` files above it do not apply below it.
    work_tree_top: bool,
}

/// The rule that ignores a path.
struct IgnoredBy {
    kind: IgnoreKind,
    file: PathBuf,
    pattern: String,
}

impl IgnoredBy {
    fn ignored(self, path: &Path, dir: bool) -> Ignored {
        Ignored {
            path: path.to_path_buf(),
            dir,
            kind: self.kind,
            file: self.file,
            pattern: self.pattern,
        }
    }
}

impl IgnoreDir {
    /// The ignore files of the directory `path` (as walked; `abs`, absolute), below `parent`.
    /// A directory that has none shares its parent's node.
    fn load(path: &Path, abs: &Path, parent: Option<Arc<IgnoreDir>>) -> Option<Arc<IgnoreDir>> {
        let ignore = read_ignore_file(abs, &path.join(".ignore"));
        let gitignore = read_ignore_file(abs, &path.join(".gitignore"));
        let git = std::fs::symlink_metadata(path.join(".git")).ok();
        let exclude = git
            .as_ref()
            .and_then(|meta| git_exclude_file(path, meta))
            .and_then(|file| read_ignore_file(abs, &file));
        if ignore.is_none() && gitignore.is_none() && exclude.is_none() && git.is_none() {
            return parent;
        }
        Some(Arc::new(IgnoreDir {
            parent,
            ignore,
            gitignore,
            exclude,
            work_tree_top: git.is_some(),
        }))
    }

    /// The rule that ignores `abs` (absolute) in `node` and the directories above it, if the
    /// last rule matching it is not a `!` negation. As in ripgrep: a deeper file wins over
    /// one above it, and `.ignore` over `.gitignore` over `.git/info/exclude`; the
    /// `.gitignore` files above the top of the work tree do not apply.
    fn matched(node: Option<&Arc<IgnoreDir>>, abs: &Path, is_dir: bool) -> Option<IgnoredBy> {
        let mut found: [Option<Match<&ignore::gitignore::Glob>>; 3] = [None, None, None];
        let mut in_work_tree = true;
        let mut node = node;
        while let Some(n) = node {
            let files = [
                (&n.ignore, true),
                (&n.gitignore, in_work_tree),
                (&n.exclude, in_work_tree),
            ];
            for (slot, (matcher, applies)) in found.iter_mut().zip(files) {
                if slot.is_some() || !applies {
                    continue;
                }
                if let Some(m) = matcher {
                    let hit = m.matched(abs, is_dir);
                    if !hit.is_none() {
                        *slot = Some(hit);
                    }
                }
            }
            in_work_tree &= !n.work_tree_top;
            node = n.parent.as_ref();
        }
        let kinds = [
            IgnoreKind::Ignore,
            IgnoreKind::Gitignore,
            IgnoreKind::GitExclude,
        ];
        match found.into_iter().zip(kinds).find(|(m, _)| m.is_some())? {
            (Some(Match::Ignore(glob)), kind) => Some(IgnoredBy {
                kind,
                file: glob.from().map(Path::to_path_buf).unwrap_or_default(),
                pattern: glob.original().to_string(),
            }),
            _ => None,
        }
    }
}

/// The rules of the ignore file `file` for the directory `abs`; `None` when there is no such
/// file or it has no rule. Lines that are not valid patterns are dropped, as git does.
fn read_ignore_file(abs: &Path, file: &Path) -> Option<Gitignore> {
    let bytes = std::fs::read(file).ok()?;
    let text = String::from_utf8_lossy(&bytes);
    let mut builder = GitignoreBuilder::new(abs);
    for line in text.lines() {
        let _ = builder.add_line(Some(file.to_path_buf()), line);
    }
    builder.build().ok().filter(|g| !g.is_empty())
}

/// Whether `dir` is the top of a git work tree (it holds `.git`, a directory or a file).
fn is_work_tree_top(dir: &Path) -> bool {
    std::fs::symlink_metadata(dir.join(".git")).is_ok()
}

/// `.git/info/exclude` of the work tree at `dir`; for a linked work tree or a submodule
/// (`.git` is a file naming the git directory), that of its common git directory.
fn git_exclude_file(dir: &Path, git: &std::fs::Metadata) -> Option<PathBuf> {
    let dot_git = dir.join(".git");
    if git.is_dir() {
        return Some(dot_git.join("info/exclude"));
    }
    let text = std::fs::read_to_string(&dot_git).ok()?;
    let git_dir = dir.join(text.trim().strip_prefix("gitdir:")?.trim());
    let common = match std::fs::read_to_string(git_dir.join("commondir")) {
        Ok(common) => git_dir.join(common.trim()),
        Err(_) => git_dir,
    };
    Some(common.join("info/exclude"))
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

/// What an error of the walk means for the user (none, or several for a partial error).
fn walk_issues(start: &Path, err: &ignore::Error) -> Vec<DiscoverIssue> {
    let mut path = start;
    let mut err = err;
    loop {
        match err {
            ignore::Error::WithPath {
                path: p,
                err: inner,
            } => {
                path = p;
                err = inner;
            }
            ignore::Error::WithDepth { err: inner, .. }
            | ignore::Error::WithLineNumber { err: inner, .. } => err = inner,
            _ => break,
        }
    }
    match err {
        ignore::Error::Partial(errs) => errs.iter().flat_map(|e| walk_issues(path, e)).collect(),
        ignore::Error::Loop { ancestor, child } => vec![DiscoverIssue::SymlinkLoop {
            path: child.clone(),
            ancestor: Some(ancestor.clone()),
        }],
        ignore::Error::Io(io) => path_issue(path, io, false).into_iter().collect(),
        other => vec![DiscoverIssue::Unreadable {
            path: path.to_path_buf(),
            message: other.to_string(),
            dir: std::fs::metadata(path).is_ok_and(|m| m.is_dir()),
        }],
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
    /// The text is the bytes as read (UTF-8 without a BOM).
    pub(crate) identical: bool,
}

const UTF8_BOM: &[u8] = b"\xef\xbb\xbf";

/// Not text at all: a NUL byte in the first 8 KiB.
fn is_binary(bytes: &[u8]) -> bool {
    memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some()
}

/// UTF-8 (a BOM is dropped); failing that, EUC-KR / CP949, common in Korean PHP code bases;
/// failing that, UTF-8 with replacement characters. Offsets are into the decoded text, so
/// lines and columns stay right.
pub(crate) fn decode_source(bytes: Vec<u8>) -> Decoded {
    let binary = is_binary(&bytes);
    let (bytes, bom) = match bytes.strip_prefix(UTF8_BOM) {
        Some(rest) => (rest.to_vec(), true),
        None => (bytes, false),
    };
    let mut identical = false;
    let text = match String::from_utf8(bytes) {
        Ok(t) => {
            identical = !bom;
            t
        }
        Err(e) => {
            let bytes = e.into_bytes();
            match encoding_rs::EUC_KR.decode_without_bom_handling_and_without_replacement(&bytes) {
                Some(t) => t.into_owned(),
                None => String::from_utf8_lossy(&bytes).into_owned(),
            }
        }
    };
    Decoded {
        text,
        binary,
        identical,
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
        assert!(index.bytes == *b"<?php echo 1;".as_slice());
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

    /// A file reached through a symlinked directory, a symlink or a hard link is one file,
    /// kept under its smallest path.
    #[cfg(unix)]
    #[test]
    fn a_file_reached_by_several_links_is_scanned_once() {
        let t = TempDir::new("links");
        let lib = t.write("lib/db.php", "<?php\nsql_query('select 1');\n");
        t.write("other.php", "<?php\n");
        std::os::unix::fs::symlink(t.0.join("lib"), t.0.join("a_lib")).unwrap();
        std::os::unix::fs::symlink(&lib, t.0.join("b_db.php")).unwrap();
        std::fs::hard_link(&lib, t.0.join("c_db.php")).unwrap();
        let d = discover(std::slice::from_ref(&t.0), &Config::default_at(t.0.clone()));
        assert_eq!(rel_names(&d, &t.0), vec!["a_lib/db.php", "other.php"]);
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

    #[test]
    fn ignore_files_are_recorded_with_their_rule() {
        let t = app("ignored");
        t.write(".gitignore", "lib/\n*.PHP\n");
        t.write("bbs/.ignore", "view.phtml\n");
        // `.ignore` wins over `.gitignore`, wherever they are.
        t.write("bbs/super/.gitignore", "!admin.php\n");
        t.write(".ignore", "admin.php\n");
        let cfg = Config::default_at(t.0.clone());
        let d = discover(std::slice::from_ref(&t.0), &cfg);
        assert_eq!(rel_names(&d, &t.0), vec!["index.php"]);
        let ignored = |path: &str, dir, kind, file: &str, pattern: &str| Ignored {
            path: t.0.join(path),
            dir,
            kind,
            file: t.0.join(file),
            pattern: pattern.to_string(),
        };
        assert_eq!(
            d.ignored,
            vec![
                ignored(
                    "bbs/list.PHP",
                    false,
                    IgnoreKind::Gitignore,
                    ".gitignore",
                    "*.PHP"
                ),
                ignored(
                    "bbs/super/admin.php",
                    false,
                    IgnoreKind::Ignore,
                    ".ignore",
                    "admin.php"
                ),
                ignored(
                    "bbs/view.phtml",
                    false,
                    IgnoreKind::Ignore,
                    "bbs/.ignore",
                    "view.phtml"
                ),
                ignored("lib", true, IgnoreKind::Gitignore, ".gitignore", "lib/"),
            ]
        );
        // The directories skipped by name are not looked into by the ignore files.
        assert_eq!(d.skipped_default.len(), 3);

        let no_ignore = DiscoverOptions {
            no_ignore: true,
            ..DiscoverOptions::default()
        };
        let d = discover_with(std::slice::from_ref(&t.0), &cfg, no_ignore);
        assert_eq!(d.files.len(), 5);
        assert!(d.ignored.is_empty());
    }

    #[test]
    fn named_ignored_directory_is_walked_unless_force_exclude() {
        let t = app("ignored-named");
        t.write(".gitignore", "bbs/\n");
        let cfg = Config::default_at(t.0.clone());
        let dir = t.0.join("bbs");
        let d = discover(std::slice::from_ref(&dir), &cfg);
        assert_eq!(d.files.len(), 3);
        assert!(d.ignored.is_empty());
        let force = DiscoverOptions {
            force_exclude: true,
            ..DiscoverOptions::default()
        };
        let d = discover_with(&[dir.clone(), dir.join("super/admin.php")], &cfg, force);
        assert!(d.files.is_empty(), "{:?}", d.files);
        assert_eq!(
            d.ignored
                .iter()
                .map(|i| (&i.path, i.dir))
                .collect::<Vec<_>>(),
            vec![(&dir, true), (&dir.join("super/admin.php"), false)]
        );
    }
}

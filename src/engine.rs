//! Runs the pipeline: discover → front-end per file (parallel) → project pass
//! ([`project`](crate::project)) → SQL analysis and rules per site (parallel,
//! [`check`](crate::check)) → sorted, deduplicated, fingerprinted findings
//! ([`findings`](crate::findings)). The engine only orchestrates; the report's data types live in
//! [`report::model`](crate::report::model) and are re-exported here.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

use crate::cache::{FactsCache, SqlCache};
use crate::check::{request_value_findings, SiteChecker, SiteOutcome};
use crate::config::Config;
use crate::discover::{self, decode_source, DiscoverIssue, DiscoverOptions, Discovered};
use crate::facts::{FileFacts, Span, SqlSite};
use crate::findings::{assign_fingerprints, sort_and_dedup, SiteFinding};
use crate::include;
use crate::lang;
use crate::memory;
use crate::paths::{root_in_repo, root_relative, skipped_paths};
use crate::project::Project;
use crate::rules::{Finding, Rule};
use crate::source_text::SourceText;
use crate::sql_files;
use crate::suppress;

pub use crate::paths::display_path;
pub use crate::report::model::{
    BaselineStatus, Cause, PhasePeaks, Report, ReportScope, ScanStats, ScannedFile, Skipped,
    SkippedCounts, StatementKind, Summary, TableUse, Unanalyzed, UnanalyzedKind,
};

/// Scan `paths` with `config`, with the default [`DiscoverOptions`].
pub fn scan(paths: &[PathBuf], config: &Config) -> Report {
    scan_with(paths, config, DiscoverOptions::default())
}

/// Scan `paths` with `config`.
pub fn scan_with(paths: &[PathBuf], config: &Config, options: DiscoverOptions) -> Report {
    scan_with_progress(paths, config, options, &NoProgress, None)
}

/// Told how a scan advances (a progress bar on a terminal).
pub trait Progress: Sync {
    /// The walk found `files` source files to analyse.
    fn start(&self, files: usize);
    /// One more file was analysed.
    fn file_done(&self);
    /// Analysis is over (the project pass and rules follow quickly).
    fn finish(&self);
}

/// A [`Progress`] that shows nothing.
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _: usize) {}
    fn file_done(&self) {}
    fn finish(&self) {}
}

/// [`scan_with`], telling `progress` how it advances; with `cache`, the result cache in that
/// directory is read and written ([`crate::cache`]).
pub fn scan_with_progress(
    paths: &[PathBuf],
    config: &Config,
    options: DiscoverOptions,
    progress: &dyn Progress,
    cache: Option<&Path>,
) -> Report {
    let started = Instant::now();
    let discovered = discover::discover_with(paths, config, options);
    let discover = started.elapsed();
    let mut report = analyse(discovered, config, started, 0, progress, cache);
    report.stats.discover = discover;
    report
}

/// Scan the files `paths` names, with the rest of the project under `project` analysed too
/// for its table names, constants and function summaries, but not reported on: what a
/// pre-commit hook passing the staged files needs. Counts, skips and warnings are those of
/// `paths`.
pub fn scan_in_project(
    paths: &[PathBuf],
    project: &Path,
    config: &Config,
    options: DiscoverOptions,
    progress: &dyn Progress,
    cache: Option<&Path>,
) -> Report {
    let started = Instant::now();
    let mut discovered = discover::discover_with(paths, config, options);
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let named: std::collections::HashSet<PathBuf> = discovered
        .files
        .iter()
        .map(|f| canonical(&f.path))
        .collect();
    let project_files = discover::discover_with(
        &[project.to_path_buf()],
        config,
        DiscoverOptions {
            explicit_config: true,
            ..options
        },
    );
    let mut context = 0;
    for f in project_files.files {
        if !named.contains(&canonical(&f.path)) {
            discovered.files.push(f);
            context += 1;
        }
    }
    let discover = started.elapsed();
    let mut report = analyse(discovered, config, started, context, progress, cache);
    report.stats.discover = discover;
    let analysed = report.files.iter().filter(|f| !f.directory).count();
    report.scope = Some(ReportScope {
        files: report.summary.files,
        analysed: analysed.max(report.summary.files),
        why: "named on the command line".to_string(),
    });
    report
}

/// Everything after the walk: `discovered` is analysed with `config`.
/// The last `context` files of `discovered` are analysed for the project pass only.
fn analyse(
    mut discovered: Discovered,
    config: &Config,
    started: Instant,
    context: usize,
    progress: &dyn Progress,
    cache_dir: Option<&Path>,
) -> Report {
    progress.start(discovered.files.len());
    let mut stats = ScanStats {
        bytes: discovered.files.iter().map(|f| f.bytes.len() as u64).sum(),
        ..ScanStats::default()
    };
    stats.peaks.discover = memory::peak_rss();
    let phase = Instant::now();
    let cwd = std::env::current_dir().ok();
    let root = std::fs::canonicalize(&config.root).unwrap_or_else(|_| config.root.clone());
    let mut frontend = crate::lang::FrontendOptions::new(&config.taint);
    // Which calls may be summarised: the functions the project defines, by a byte scan.
    // (Each file was scanned as it was read.)
    let mut defined = lang::ProjectNames::default();
    for f in discovered.files.iter_mut() {
        defined.extend(std::mem::take(&mut f.scan.names));
    }
    let defined = Arc::new(defined);
    let cache = cache_dir.and_then(|dir| FactsCache::open(dir, &frontend, defined.clone()));
    frontend.project_functions = Some(defined);
    stats.open_cache = phase.elapsed();
    stats.peaks.open_cache = memory::peak_rss();
    let phase = Instant::now();

    let (unreadable, notes): (Vec<DiscoverIssue>, Vec<DiscoverIssue>) = discovered
        .issues
        .into_iter()
        .partition(|i| matches!(i, DiscoverIssue::Unreadable { .. }));
    let show = |p: &Path| PathBuf::from(display_path(p, cwd.as_deref()));
    let warnings: Vec<String> = notes
        .iter()
        .map(|i| i.map_paths(show).to_string())
        .collect();
    let skipped = skipped_paths(
        &discovered.skipped_default,
        &discovered.excluded,
        &discovered.ignored,
        cwd.as_deref(),
    );

    // Stage 2: one tree-sitter parser per thread, one parse per file.
    let lower = |parsers: &mut lang::Parsers, (index, file): (usize, discover::SourceFile)| {
        progress.file_done();
        let language = lang::frontend(file.lang);
        // The cache's key was taken from the bytes as read, before decoding. A file whose
        // bytes are its text and whose facts are cached is not unpacked here at all.
        let key = file.scan.key;
        let mut cached = match &cache {
            Some(cache) if file.scan.plain_text => cache.get(key),
            _ => None,
        };
        // Unpacking what was packed in this process cannot fail; should it ever, the file is
        // reported as not analysed rather than analysed as empty.
        let (decoded, lost) = if cached.is_some() {
            (None, false)
        } else {
            let unpacked = file.bytes.unpack();
            let lost = unpacked.is_none();
            (
                Some(decode_source(unpacked.unwrap_or_default().into_owned())),
                lost,
            )
        };
        let binary = decoded.as_ref().is_some_and(|d| d.binary);
        // Text decoded from another encoding (or behind a BOM) is looked up once decoded; a
        // binary file never is.
        if let (Some(cache), Some(decoded)) = (&cache, &decoded) {
            if !decoded.binary && !file.scan.plain_text {
                cached = cache.get(key);
            }
        }
        let mut how = if cached.is_some() {
            Lowered::Cached
        } else {
            Lowered::Not
        };
        let mut facts: FileFacts = if binary {
            FileFacts::default()
        } else if let Some(facts) = cached {
            facts
        } else if let (Some(parser), Some(decoded)) = (parsers.get(file.lang), &decoded) {
            if !lost {
                how = Lowered::Parsed;
            }
            let facts = catch_unwind(AssertUnwindSafe(|| {
                let mut facts = language.analyze(parser, &decoded.text, &frontend);
                facts.names_asked.sort_unstable();
                facts.names_asked.dedup();
                facts.pack();
                if let Some(cache) = &cache {
                    cache.put(key, &facts);
                }
                facts
            }));
            facts
                .unwrap_or_else(|panic| FileFacts {
                    analysis_errors: vec![(
                        Span::default(),
                        format!(
                            "internal error while analysing this file ({}); the rest of the scan went on",
                            panic_message(&panic)
                        ),
                    )],
                    ..FileFacts::default()
                })
        } else {
            FileFacts {
                analysis_errors: vec![(
                    Span::default(),
                    format!("the {} grammar could not be loaded", language.name()),
                )],
                ..FileFacts::default()
            }
        };
        if lost {
            facts.analysis_errors.push((
                Span::default(),
                "the file's contents could not be read back from memory: it was not analysed"
                    .to_string(),
            ));
        }
        if binary {
            facts.analysis_errors.push((
                Span::default(),
                format!(
                    "this file is binary, not {} source: it was not analysed",
                    language.name()
                ),
            ));
        }
        // Only the cache reads what lowering asked of the project's names: it is not kept.
        facts.names_asked = Vec::new();
        facts.lang = Some(file.lang);
        let absolute = include::lexical_absolute(&file.path, cwd.as_deref());
        include::bind_file_place(&mut facts, &absolute);
        let scanned = ScannedFile {
            display: display_path(&file.path, cwd.as_deref()),
            root_relative: root_relative(&file.path, cwd.as_deref(), &root),
            lines: std::sync::OnceLock::new(),
            // The text of a binary file is not kept: nothing reads it, and no report shows it.
            text: match decoded {
                Some(decoded) if decoded.binary => SourceText::default(),
                Some(decoded) if !decoded.identical => SourceText::new(decoded.text),
                // The text is the bytes as read: keep the block they were read into.
                _ => SourceText::from_utf8(file.bytes),
            },
            parse_errors: facts.parse_errors,
            unreadable: false,
            directory: false,
            absolute: absolute.clone(),
            context: false,
        };
        (index, (scanned, facts, absolute, how))
    };
    // A tree takes some fifty times its file's size: large files (generated data, fixtures)
    // are lowered one after the other from the start, while little else is held, so that
    // their trees never add up; the other threads lower the rest meanwhile.
    let (large, small): (Vec<_>, Vec<_>) = discovered
        .files
        .into_iter()
        .enumerate()
        .partition(|(_, f)| f.bytes.len() >= LARGE_FILE);
    let (mut parsed, rest) = rayon::join(
        || {
            let mut parsers = lang::Parsers::default();
            large
                .into_iter()
                .map(|file| {
                    let lowered = lower(&mut parsers, file);
                    memory::release_freed_memory();
                    lowered
                })
                .collect::<Vec<_>>()
        },
        || {
            small
                .into_par_iter()
                .map_init(lang::Parsers::default, lower)
                .collect::<Vec<_>>()
        },
    );
    parsed.extend(rest);
    parsed.sort_unstable_by_key(|(index, _)| *index);

    let count = |how: Lowered| parsed.iter().filter(|(_, p)| p.3 == how).count();
    stats.cache_hits = count(Lowered::Cached);
    stats.files_parsed = count(Lowered::Parsed);
    stats.files_not_parsed = count(Lowered::Not);
    if let Some(cache) = cache {
        if let Err(e) = cache.save() {
            stats.cache_error = Some(e.to_string());
        }
    }
    let mut files = Vec::with_capacity(parsed.len());
    let mut facts = Vec::with_capacity(parsed.len());
    let mut absolute_paths = Vec::with_capacity(parsed.len());
    let first_context = parsed.len().saturating_sub(context);
    for (i, (_, (mut file, f, path, _))) in parsed.into_iter().enumerate() {
        file.context = i >= first_context;
        files.push(file);
        facts.push(f);
        absolute_paths.push(path);
    }
    // A file or directory that cannot be read is never skipped silently: it becomes a TL000
    // finding (and nothing else).
    for issue in &unreadable {
        if let DiscoverIssue::Unreadable { path, message, dir } = issue {
            absolute_paths.push(include::lexical_absolute(path, cwd.as_deref()));
            files.push(ScannedFile {
                display: display_path(path, cwd.as_deref()),
                root_relative: root_relative(path, cwd.as_deref(), &root),
                text: SourceText::default(),
                lines: std::sync::OnceLock::new(),
                parse_errors: false,
                unreadable: true,
                directory: *dir,
                absolute: include::lexical_absolute(path, cwd.as_deref()),
                context: false,
            });
            let what = if *dir {
                "the directory could not be read, so none of its files were scanned"
            } else {
                "the file could not be read"
            };
            facts.push(FileFacts {
                analysis_errors: vec![(Span::default(), format!("{what}: {message}"))],
                ..FileFacts::default()
            });
        }
    }

    // SQL kept in files of its own, named by the sources: read once each, and its queries
    // located there.
    let sql_files = sql_files::attach(
        &mut files,
        &mut facts,
        &mut absolute_paths,
        cwd.as_deref(),
        &root,
    );

    progress.finish();
    // The trees and the unpacked texts of the parse phase are gone: their memory goes back.
    memory::release_freed_memory();
    stats.parse = phase.elapsed();
    stats.peaks.parse = memory::peak_rss();
    let phase = Instant::now();
    // Stage 3: the project pass (summaries, constant folding, includes, callers' fragments).
    let displays: Vec<String> = files.iter().map(|f| f.display.clone()).collect();
    let project = Project::build(&facts, &absolute_paths, &displays, &config.tables);
    let matcher = config.tenant_tables();
    // What the project pass unpacked and dropped goes back before the rules allocate.
    memory::release_freed_memory();
    stats.project = phase.elapsed();
    stats.peaks.project = memory::peak_rss();
    let phase = Instant::now();

    // Stages 4–5: SQL analysis and rules, per site; each file's sites unpacked in parallel.
    let with_sites: Vec<usize> = (0..facts.len())
        .filter(|i| !facts[*i].sites.is_empty())
        .collect();
    // What query texts give depends on the tenant policy alone: kept beside the facts.
    let sql_cache = cache_dir.and_then(|dir| SqlCache::open(dir, &config.tenant));
    let checker = SiteChecker::new(&project, &matcher, &config.tenant.column)
        .with_sql_cache(sql_cache.as_ref());
    let check_site = |file: usize, site: &SqlSite| {
        catch_unwind(AssertUnwindSafe(|| {
            checker.check(file, facts[file].lang, site)
        }))
        .unwrap_or_else(|panic| SiteOutcome {
            is_sql: true,
            findings: vec![SiteFinding::from(Finding::analysis_error(
                file,
                site.exec,
                format!(
                    "internal error while analysing this query ({})",
                    panic_message(&panic)
                ),
            ))],
            unanalyzed: None,
            coverage: Vec::new(),
        })
    };
    // Per site: its file, its index there, the call that runs it, and what checking it found.
    type Checked = Result<(usize, usize, Span, SiteOutcome), Box<Finding>>;
    let outcomes: Vec<Checked> = with_sites
        .par_iter()
        .flat_map_iter(|&file| match facts[file].sites.items() {
            Ok(sites) => sites
                .iter()
                .enumerate()
                .map(|(index, site)| Ok((file, index, site.exec, check_site(file, site))))
                .collect::<Vec<_>>(),
            // Packed in this run, or read from a cache file whose checksum held: only a
            // tampered file gets here, and it is said.
            Err(e) => vec![Err(Box::new(Finding::analysis_error(
                file,
                Span::default(),
                format!(
                    "the queries kept for this file could not be read back ({e}); they were not checked"
                ),
            )))],
        })
        .collect();

    let mut findings: Vec<SiteFinding> = Vec::new();
    for (file, f) in facts.iter().enumerate() {
        for (span, message) in &f.analysis_errors {
            findings.push(Finding::analysis_error(file, *span, message.clone()).into());
        }
    }
    // Packed facts are decoded where they are read, and a list that cannot be (a cache file
    // tampered with, its checksum made right) is said, never taken as empty: sites by the
    // per-site check, calls by the value rules, these here.
    for &file in &project.constants.unreadable {
        findings.push(
            Finding::analysis_error(
                file,
                Span::default(),
                "the facts kept for this file could not be read back; the calls in it that bind constants were not used".to_string(),
            )
            .into(),
        );
    }
    let mut summary = Summary {
        files: files.iter().filter(|f| !f.directory && !f.context).count(),
        config: config
            .path
            .as_deref()
            .map(|p| display_path(p, cwd.as_deref())),
        skipped: SkippedCounts {
            default_dirs: skipped.default_dirs.len(),
            excluded: skipped.excluded_dirs.len() + skipped.excluded_files.len(),
            ignored: skipped.ignored.len(),
        },
        parse_errors: files
            .iter()
            .filter(|f| f.parse_errors && !f.context)
            .count(),
        ..Summary::default()
    };
    let mut unanalyzed = Vec::new();
    let mut coverage = Vec::new();
    for checked in outcomes {
        let (file, index, exec, mut outcome) = match checked {
            Ok(checked) => checked,
            Err(unreadable) => {
                findings.push((*unreadable).into());
                continue;
            }
        };
        if !outcome.is_sql || files[file].context {
            continue;
        }
        sql_files.locate(file, index, &mut outcome.findings);
        summary.sql_sites += 1;
        coverage.extend(outcome.coverage);
        if let Some(cause) = outcome.unanalyzed {
            unanalyzed.push(Unanalyzed::new(file, exec, cause));
        }
        findings.extend(outcome.findings);
    }
    for (file, span, cause) in &sql_files.unread {
        if !files[*file].context {
            summary.sql_sites += 1;
            unanalyzed.push(Unanalyzed::new(*file, *span, cause.clone()));
        }
    }
    // Request values passed to project functions and tenant uses, per file in parallel (in
    // file order all the same).
    let value_findings: Vec<Vec<Finding>> = facts
        .par_iter()
        .enumerate()
        .map(|(file, f)| request_value_findings(file, f, &project.summaries))
        .collect();
    findings.extend(value_findings.into_iter().flatten().map(SiteFinding::from));

    findings.retain(|f| !files[f.finding.file].context);
    let mut findings = sort_and_dedup(findings, &files);
    unanalyzed.sort_by(|a, b| {
        (files[a.file].display.as_str(), a.span).cmp(&(files[b.file].display.as_str(), b.span))
    });
    unanalyzed.dedup_by(|a, b| a.file == b.file && a.span == b.span);
    coverage.sort_by(|a, b| {
        (files[a.file].display.as_str(), a.span, &a.table).cmp(&(
            files[b.file].display.as_str(),
            b.span,
            &b.table,
        ))
    });
    // Two sites run by one call are one statement.
    coverage.dedup_by(|later, kept| {
        let same = later.file == kept.file && later.span == kept.span && later.table == kept.table;
        if same {
            kept.scoped &= later.scoped;
        }
        same
    });
    assign_fingerprints(&mut findings, &files);
    // Suppressions apply after fingerprints: silencing one finding never renames another.
    // Rules not selected (`[rules]`, `--select`, `--ignore`) report nothing.
    let enabled = |rule: Rule| config.rules.is_enabled(rule);
    findings.retain(|f| enabled(f.rule));
    let applied = suppress::apply(findings, &facts, &enabled);
    let mut findings = applied.findings;
    let mut invalid = applied.invalid;
    invalid.retain(|f| enabled(f.rule) && !files[f.file].context);
    assign_fingerprints(&mut invalid, &files);
    findings.extend(invalid);
    findings.sort_by(|a, b| {
        (files[a.file].display.as_str(), a.span, a.rule).cmp(&(
            files[b.file].display.as_str(),
            b.span,
            b.rule,
        ))
    });
    let suppressed = applied.suppressed;
    summary.suppressed = suppressed.len();
    if let Some(cache) = sql_cache {
        if let Err(e) = cache.save() {
            stats.cache_error.get_or_insert(e.to_string());
        }
    }
    stats.rules = phase.elapsed();
    stats.peaks.rules = memory::peak_rss();
    // Freeing the facts takes a few percent of a cached run: it is done beside the report,
    // not before it.
    drop(project);
    rayon::spawn(move || drop(facts));

    let mut report = Report {
        files,
        findings,
        unanalyzed,
        warnings,
        skipped,
        suppressed,
        coverage,
        summary,
        scope: None,
        baseline: None,
        started,
        root_in_repo: root_in_repo(&root),
        stats,
    };
    report.recount();
    report
}

/// Where a file's facts came from (`--stats`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lowered {
    Parsed,
    Cached,
    /// Neither: a binary file, or one that could not be parsed at all.
    Not,
}

/// Files of this many bytes or more are parsed one at a time.
const LARGE_FILE: usize = 256 * 1024;

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cache file tampered with so that its checksum still holds: a packed list that cannot
    /// be read back is a TL000 finding for its file, never taken as empty.
    #[test]
    fn tampered_cached_facts_are_reported_not_taken_as_empty() {
        use crate::facts::{FnKey, PackedVec};
        let source = b"<?php\nfunction t($p) { define('T', $p); }\nt('iw_');\n";
        for (which, said) in [
            ("sites", "queries kept for this file"),
            ("calls", "its calls were not checked"),
            ("const_calls", "bind constants were not used"),
        ] {
            let dir = tempfile::tempdir().expect("temp dir");
            std::fs::write(dir.path().join("a.php"), source).expect("write");
            let config = Config::default_at(dir.path().to_path_buf());
            let cache_dir = dir.path().join(crate::cache::CACHE_DIR);
            let options = crate::lang::FrontendOptions::new(&config.taint);
            let cache =
                FactsCache::open(&cache_dir, &options, Arc::default()).expect("a build key");
            let garbage = || vec![0xff; 7].into_boxed_slice();
            let mut facts = FileFacts {
                // A definition that uses a parameter: the calls binding it are read.
                consts: vec![crate::facts::ConstDef {
                    path: crate::names::VarPath::php("T"),
                    value: vec![crate::facts::FoldPiece::Param(0)],
                    function: Some(FnKey::from("t")),
                }],
                ..FileFacts::default()
            };
            match which {
                "sites" => facts.sites = PackedVec::Packed(garbage()),
                "calls" => facts.calls = PackedVec::Packed(garbage()),
                _ => facts.const_calls = PackedVec::Packed(garbage()),
            }
            cache.put(FactsCache::file_key(discover::Lang::Php, source), &facts);
            cache.save().expect("saved");
            let discovered = discover::discover(&[dir.path().to_path_buf()], &config);
            let report = analyse(
                discovered,
                &config,
                Instant::now(),
                0,
                &NoProgress,
                Some(&cache_dir),
            );
            assert_eq!(report.stats.cache_hits, 1, "{which}: the entry was read");
            let messages: Vec<(&str, &str)> = report
                .findings
                .iter()
                .map(|f| (f.rule.code(), f.message.as_str()))
                .collect();
            assert_eq!(messages.len(), 1, "{which}: {messages:#?}");
            assert_eq!(messages[0].0, "TL000");
            assert!(messages[0].1.contains(said), "{which}: {messages:#?}");
        }
    }

    /// An unreadable file or directory cannot be made while running as root, so the walk's
    /// result is fed in directly: each is one TL000 finding and not also a warning; a symlink
    /// loop is one warning and no finding.
    #[test]
    fn unreadable_paths_are_one_finding_each_and_loops_one_warning() {
        let discovered = Discovered {
            files: vec![discover::SourceFile {
                path: PathBuf::from("ok.php"),
                lang: discover::Lang::Php,
                scan: discover::ReadScan::of(discover::Lang::Php, b"<?php\necho 1;\n"),
                bytes: crate::source_text::Packed::new(b"<?php\necho 1;\n".to_vec()),
            }],
            issues: vec![
                DiscoverIssue::Unreadable {
                    path: PathBuf::from("locked.php"),
                    message: "Permission denied (os error 13)".into(),
                    dir: false,
                },
                DiscoverIssue::Unreadable {
                    path: PathBuf::from("private"),
                    message: "Permission denied (os error 13)".into(),
                    dir: true,
                },
                DiscoverIssue::SymlinkLoop {
                    path: PathBuf::from("self"),
                    ancestor: None,
                },
            ],
            ..Discovered::default()
        };
        let config = Config::default_at(PathBuf::from("/nonexistent-root"));
        let report = analyse(discovered, &config, Instant::now(), 0, &NoProgress, None);
        let tl000: Vec<(String, String)> = report
            .findings
            .iter()
            .map(|f| {
                assert_eq!(f.rule.code(), "TL000");
                (report.files[f.file].display.clone(), f.message.clone())
            })
            .collect();
        assert_eq!(
            tl000,
            vec![
                (
                    "locked.php".to_string(),
                    "the file could not be read: Permission denied (os error 13)".to_string()
                ),
                (
                    "private".to_string(),
                    "the directory could not be read, so none of its files were scanned: Permission denied (os error 13)".to_string()
                ),
            ]
        );
        assert_eq!(
            report.warnings,
            vec!["self: symlink loop (the link leads back to itself); not followed".to_string()]
        );
        // Files: the readable one and the unreadable one; a directory is not a file.
        assert_eq!(report.summary.files, 2);
        assert_eq!(report.summary.by_rule.get("TL000"), Some(&2));
        assert_eq!(report.summary.findings, 2);
    }
}

//! Runs the pipeline: discover → front-end per file (parallel) → project pass → SQL analysis
//! and rules per site (parallel) → sorted, deduplicated findings.

use std::collections::{BTreeMap, HashMap};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

use crate::config::{Config, TableMatcher};
use crate::discover::{self, DiscoverIssue, DiscoverOptions, Discovered};
use crate::facts::{FileFacts, Hole, HoleExpr, Piece, Span, SqlSite, TaintOrigin, Template};
use crate::include::{self, Includes};
use crate::lang;
use crate::resolve::Constants;
use crate::rules::{self, Finding, QueryContext, Rule};
use crate::sql::{analyze, query, template};
use crate::suppress;
use crate::taint::Summaries;

use crate::findings::{assign_fingerprints, sort_and_dedup, SiteFinding};
pub use crate::report::model::{
    BaselineStatus, Cause, Report, ReportScope, ScannedFile, Skipped, SkippedCounts, StatementKind,
    Summary, TableUse, Unanalyzed, UnanalyzedKind,
};

/// Scan `paths` with `config`, with the default [`DiscoverOptions`].
pub fn scan(paths: &[PathBuf], config: &Config) -> Report {
    scan_with(paths, config, DiscoverOptions::default())
}

/// Scan `paths` with `config`.
pub fn scan_with(paths: &[PathBuf], config: &Config, options: DiscoverOptions) -> Report {
    scan_with_progress(paths, config, options, &NoProgress)
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

/// [`scan_with`], telling `progress` how it advances.
pub fn scan_with_progress(
    paths: &[PathBuf],
    config: &Config,
    options: DiscoverOptions,
    progress: &dyn Progress,
) -> Report {
    let started = Instant::now();
    let discovered = discover::discover_with(paths, config, options);
    analyse(discovered, config, started, 0, progress)
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
    let mut report = analyse(discovered, config, started, context, progress);
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
    discovered: Discovered,
    config: &Config,
    started: Instant,
    context: usize,
    progress: &dyn Progress,
) -> Report {
    progress.start(discovered.files.len());
    let cwd = std::env::current_dir().ok();
    let root = std::fs::canonicalize(&config.root).unwrap_or_else(|_| config.root.clone());
    let mut frontend = config.taint.frontend_options();
    // Which calls may be summarised: the functions the project defines, by a byte scan.
    let defined = discovered
        .files
        .par_iter()
        .map(|f| lang::php_project_names(&f.bytes))
        .reduce(lang::ProjectNames::default, |mut a, b| {
            a.extend(b);
            a
        });
    frontend.project_functions = Some(Arc::new(defined));

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
        cwd.as_deref(),
    );

    // Stage 2: one tree-sitter parser per thread, one parse per file.
    let parsed: Vec<(ScannedFile, FileFacts, PathBuf)> = discovered
        .files
        .into_par_iter()
        .map_init(lang::php_parser, |parser, file| {
            progress.file_done();
            let decoded = decode_source(file.bytes);
            let source = decoded.text;
            let mut facts = match (parser, decoded.binary) {
                (_, true) => FileFacts::default(),
                (Some(parser), false) => catch_unwind(AssertUnwindSafe(|| {
                    lang::php::analyze(parser, &source, &frontend)
                }))
                .unwrap_or_else(|panic| FileFacts {
                    analysis_errors: vec![(
                        Span::default(),
                        format!(
                            "internal error while analysing this file ({}); the rest of the scan went on",
                            panic_message(&panic)
                        ),
                    )],
                    ..FileFacts::default()
                }),
                (None, false) => FileFacts {
                    analysis_errors: vec![(
                        Span::default(),
                        "the PHP grammar could not be loaded".to_string(),
                    )],
                    ..FileFacts::default()
                },
            };
            if decoded.binary {
                facts.analysis_errors.push((
                    Span::default(),
                    "this file is binary, not PHP source: it was not analysed".to_string(),
                ));
            }
            let absolute = include::lexical_absolute(&file.path, cwd.as_deref());
            include::bind_file_place(&mut facts, &absolute);
            let scanned = ScannedFile {
                display: display_path(&file.path, cwd.as_deref()),
                root_relative: root_relative(&file.path, cwd.as_deref(), &root),
                lines: std::sync::OnceLock::new(),
                // The text of a binary file is not kept: nothing reads it, and no report shows it.
                source: Arc::new(if decoded.binary { String::new() } else { source }),
                parse_errors: facts.parse_errors,
                unreadable: false,
                directory: false,
                absolute: absolute.clone(),
                context: false,
            };
            (scanned, facts, absolute)
        })
        .collect();

    let mut files = Vec::with_capacity(parsed.len());
    let mut facts = Vec::with_capacity(parsed.len());
    let mut absolute_paths = Vec::with_capacity(parsed.len());
    let first_context = parsed.len().saturating_sub(context);
    for (i, (mut file, f, path)) in parsed.into_iter().enumerate() {
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
                source: Arc::new(String::new()),
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

    progress.finish();
    // Stage 3: project-wide constant folding.
    let summaries = Summaries::build(&facts);
    let constants =
        Constants::build_project(&facts, &config.tables, &|callee| summaries.targets(callee));
    let matcher = config.tenant_tables();
    let displays: Vec<String> = files.iter().map(|f| f.display.clone()).collect();
    let includes = Includes::build(&absolute_paths, &displays, &facts, &constants);

    // Stages 4–5: SQL analysis and rules, per site.
    let sites: Vec<(usize, &SqlSite)> = facts
        .iter()
        .enumerate()
        .flat_map(|(i, f)| f.sites.iter().map(move |s| (i, s)))
        .collect();
    let mut fragment_callers: HashMap<Arc<str>, Vec<&Vec<Vec<Template>>>> = HashMap::new();
    for call in facts.iter().flat_map(|f| &f.fragment_calls) {
        // Keyed by the definitions the call may run (`$this->list(…)` → `board::list`).
        for target in summaries.targets(&call.callee) {
            fragment_callers.entry(target).or_default().push(&call.args);
        }
    }
    let mut param_defaults: HashMap<(Arc<str>, u32), &Vec<Template>> = HashMap::new();
    for d in facts.iter().flat_map(|f| &f.param_defaults) {
        param_defaults.insert((d.function.clone(), d.index), &d.value);
    }
    let branches: Vec<&[crate::facts::BranchArm]> =
        facts.iter().map(|f| f.branches.as_slice()).collect();
    let checker = SiteChecker {
        constants: &constants,
        matcher: &matcher,
        column: &config.tenant.column,
        summaries: &summaries,
        fragment_callers: &fragment_callers,
        param_defaults: &param_defaults,
        includes: &includes,
        branches: &branches,
    };
    let outcomes: Vec<SiteOutcome> = sites
        .par_iter()
        .map(|(file, site)| {
            catch_unwind(AssertUnwindSafe(|| checker.check(*file, site))).unwrap_or_else(|panic| {
                SiteOutcome {
                    is_sql: true,
                    findings: vec![SiteFinding::from(Finding::analysis_error(
                        *file,
                        site.exec,
                        format!(
                            "internal error while analysing this query ({})",
                            panic_message(&panic)
                        ),
                    ))],
                    unanalyzed: None,
                    coverage: Vec::new(),
                }
            })
        })
        .collect();

    let mut findings: Vec<SiteFinding> = Vec::new();
    for (file, f) in facts.iter().enumerate() {
        for (span, message) in &f.analysis_errors {
            findings.push(Finding::analysis_error(file, *span, message.clone()).into());
        }
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
        },
        parse_errors: files
            .iter()
            .filter(|f| f.parse_errors && !f.context)
            .count(),
        ..Summary::default()
    };
    let mut unanalyzed = Vec::new();
    let mut coverage = Vec::new();
    for ((file, site), outcome) in sites.iter().zip(outcomes) {
        if !outcome.is_sql || files[*file].context {
            continue;
        }
        summary.sql_sites += 1;
        coverage.extend(outcome.coverage);
        if let Some(cause) = outcome.unanalyzed {
            unanalyzed.push(Unanalyzed::new(*file, site.exec, cause));
        }
        findings.extend(outcome.findings);
    }
    for (file, f) in facts.iter().enumerate() {
        findings.extend(
            request_value_findings(file, f, &summaries)
                .into_iter()
                .map(SiteFinding::from),
        );
    }

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
    };
    report.recount();
    report
}

/// `root` (canonical) relative to the top of its git work tree.
fn root_in_repo(root: &Path) -> Option<String> {
    let top = crate::git::toplevel(root)?;
    let top = std::fs::canonicalize(&top).unwrap_or(top);
    let rel = root.strip_prefix(&top).ok()?;
    Some(
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/"),
    )
}

/// The skipped paths as displayed, directories with a trailing `/`.
fn skipped_paths(
    default_dirs: &[PathBuf],
    excluded: &[discover::Excluded],
    cwd: Option<&Path>,
) -> Skipped {
    let dir = |p: &Path| {
        let shown = display_path(p, cwd);
        match shown.trim_end_matches('/') {
            "" => "./".to_string(),
            d => format!("{d}/"),
        }
    };
    Skipped {
        default_dirs: default_dirs.iter().map(|p| dir(p)).collect(),
        excluded_dirs: excluded
            .iter()
            .filter(|e| e.dir)
            .map(|e| dir(&e.path))
            .collect(),
        excluded_files: excluded
            .iter()
            .filter(|e| !e.dir)
            .map(|e| display_path(&e.path, cwd))
            .collect(),
    }
}

struct SiteChecker<'a> {
    constants: &'a Constants,
    matcher: &'a TableMatcher,
    column: &'a str,
    summaries: &'a Summaries,
    /// For each project function, the argument variants of calls that pass SQL-like text.
    fragment_callers: &'a HashMap<Arc<str>, Vec<&'a Vec<Vec<Template>>>>,
    /// Default values of parameters, by function and index.
    param_defaults: &'a HashMap<(Arc<str>, u32), &'a Vec<Template>>,
    /// What the includes of each file may set, for variables unassigned on a path.
    includes: &'a Includes,
    /// Per file, the arms of its branches.
    branches: &'a [&'a [crate::facts::BranchArm]],
}

struct SiteOutcome {
    /// At least one variant is SQL (parsed, or rejected but shaped like a query).
    is_sql: bool,
    findings: Vec<SiteFinding>,
    unanalyzed: Option<Cause>,
    coverage: Vec<TableUse>,
}

impl SiteChecker<'_> {
    fn check(&self, file: usize, site: &SqlSite) -> SiteOutcome {
        let mut outcome = SiteOutcome {
            is_sql: false,
            findings: Vec::new(),
            unanalyzed: None,
            coverage: Vec::new(),
        };
        // Path-insensitive merging can build variants no run produces (`$sfl` empty inside
        // `if ($stx)`); a parse failure only makes the site unanalyzed when no variant parses.
        let mut parse_failure: Option<Cause> = None;
        let mut any_parsed = false;
        let resolve = |e: &crate::facts::HoleExpr| self.constants.resolve(e);
        // A name with an unresolved part (`g5_write_{$bo_table}`) is decided by its known
        // beginning when the globs allow it.
        let is_tenant = |name: &str| match name.find(template::PLACEHOLDER_PREFIX) {
            None => self.matcher.is_tenant(name),
            Some(at) => self.matcher.classify_prefix(&name[..at]) == Some(true),
        };
        let policy = analyze::TenantPolicy {
            column: self.column,
            is_tenant_table: &is_tenant,
        };
        // Variants often render to the same text (they differ in values only): parse and
        // analyse each text once.
        let mut parsed_texts: HashMap<String, Result<query::Parsed, String>> = HashMap::new();
        let (variants, truncated) = self.with_caller_fragments(site);
        // A file-scope variable unassigned on a path is "" there, unless something before the
        // read may set it: then its value on that path is not known.
        let (variants, unassigned) = if include::has_unassigned(&variants) {
            let (decided, why) = self.includes.decide(file, &variants);
            (std::borrow::Cow::Owned(decided), why)
        } else {
            (variants, None)
        };
        // A name with several texts (a constant defined two ways) is analysed with each; past
        // the bound, the site was only partly checked (`too-many-variants` below).
        let (variants, too_many) = self.constants.expand_variants(variants);
        let truncated = truncated || too_many;
        // The tenant tables the checked variants name, to tell whether a capped site was
        // checked enough.
        let mut tenant_tables: std::collections::BTreeSet<String> = Default::default();
        // Per analysed variant, the `(rule, table)` pairs it names and constrains.
        let mut variant_clean: Vec<(usize, Vec<(Rule, String)>)> = Vec::new();
        // Per tenant table the analysed variants name: the statement kind, and whether every
        // one of them scopes it.
        let mut uses: BTreeMap<String, (StatementKind, bool)> = BTreeMap::new();
        for (index, variant) in variants.iter().enumerate() {
            let rendered = template::render_with_prefixes(variant, &resolve, &|e| {
                self.constants.resolve_prefix(e)
            });
            if template::looks_like_prose(&rendered.text) {
                continue;
            }
            let parsed = parsed_texts
                .entry(rendered.text.clone())
                .or_insert_with(|| query::parse_and_analyze(&rendered, &policy));
            let is_sql = parsed.is_ok() || template::has_sql_structure(&rendered.text);
            if !is_sql {
                continue;
            }
            outcome.is_sql = true;
            // Request values in SQL text: found whether or not the query parses.
            if rendered.holes.iter().any(|h| !h.hole.taint.is_empty()) {
                outcome.findings.extend(
                    self.request_values_in_sql(file, site, &rendered)
                        .into_iter()
                        .map(SiteFinding::from),
                );
            }
            let (facts, fragment_in_predicate, kind) = match parsed {
                Ok(p) => (&p.facts, &p.fragment_in_predicate, p.kind),
                Err(e) => {
                    parse_failure.get_or_insert_with(|| Cause::sql_parse(e));
                    continue;
                }
            };
            any_parsed = true;
            let refs = facts
                .refs
                .iter()
                .map(|r| (&r.table, matches!(r.constrained, analyze::Constraint::Yes)));
            let inserts = facts
                .inserts
                .iter()
                .map(|i| (&i.table, i.sets_tenant_column));
            for (table, scoped) in refs.chain(inserts) {
                uses.entry(table.clone()).or_insert((kind, true)).1 &= scoped;
            }
            tenant_tables.extend(facts.refs.iter().map(|r| r.table.clone()));
            tenant_tables.extend(facts.inserts.iter().map(|i| i.table.clone()));
            if let Some(fragment) = fragment_in_predicate {
                if facts
                    .refs
                    .iter()
                    .any(|r| matches!(r.constrained, analyze::Constraint::Unknown))
                {
                    outcome
                        .unanalyzed
                        .get_or_insert_with(|| Cause::fragment(vec![fragment.clone()]));
                }
            }
            let unresolved: Vec<String> = facts
                .table_names
                .iter()
                .filter(|(name, _)| {
                    name.find(template::PLACEHOLDER_PREFIX)
                        .is_some_and(|at| self.matcher.classify_prefix(&name[..at]).is_none())
                })
                .flat_map(|(name, _)| template::hole_names_in(&rendered, name))
                .collect();
            if !unresolved.is_empty() {
                outcome
                    .unanalyzed
                    .get_or_insert_with(|| Cause::table_name(unresolved));
            }
            if facts
                .refs
                .iter()
                .any(|r| matches!(r.constrained, analyze::Constraint::Unknown))
            {
                let fragments: Vec<String> = rendered
                    .unresolved_bare_holes()
                    .map(|h| h.hole.expr.display().to_string())
                    .collect();
                outcome
                    .unanalyzed
                    .get_or_insert_with(|| Cause::fragment(fragments));
            }
            let ctx = QueryContext {
                file,
                sql: &rendered,
                facts,
                tenant_column: self.column,
                exec: site.exec,
                summaries: self.summaries,
            };
            let query_start = variant.first().map(|p| match p {
                Piece::Text { src, .. } => *src,
                Piece::Hole(h) => h.span.start,
            });
            let found: Vec<Finding> = rules::tl001_missing_tenant_filter::check(&ctx)
                .into_iter()
                .chain(rules::tl002_insert_missing_tenant::check(&ctx))
                .collect();
            // What this variant names and does constrain: on another variant, a finding on the
            // same table holds on some paths only.
            let mut clean: std::collections::HashSet<(Rule, &str)> = facts
                .refs
                .iter()
                .filter(|r| matches!(r.constrained, analyze::Constraint::Yes))
                .map(|r| (Rule::MissingTenantFilter, r.table.as_str()))
                .chain(
                    facts
                        .inserts
                        .iter()
                        .filter(|i| i.sets_tenant_column)
                        .map(|i| (Rule::InsertMissingTenant, i.table.as_str())),
                )
                .collect();
            for f in &found {
                if let Some(t) = &f.table {
                    clean.remove(&(f.rule, t.as_str()));
                }
            }
            let clean_here: Vec<(Rule, String)> =
                clean.into_iter().map(|(r, t)| (r, t.to_string())).collect();
            variant_clean.push((index, clean_here));
            outcome
                .findings
                .extend(found.into_iter().map(|finding| SiteFinding {
                    finding,
                    query_start,
                    variant: Some(index),
                }));
        }
        self.name_unconstrained_paths(file, site.exec, &variants, &variant_clean, &mut outcome);
        outcome.coverage = uses
            .into_iter()
            .map(|(table, (kind, scoped))| TableUse {
                table,
                file,
                span: site.exec,
                kind,
                scoped,
            })
            .collect();
        if !any_parsed {
            if let Some(failure) = parse_failure {
                outcome.unanalyzed.get_or_insert(failure);
            }
        }
        // Only some of the ways to build the query were checked: that is enough only when
        // every tenant table they name was already reported.
        if (site.capped || truncated) && outcome.is_sql && outcome.unanalyzed.is_none() {
            let reported: std::collections::HashSet<&str> = outcome
                .findings
                .iter()
                .map(|f| &f.finding)
                .filter(|f| {
                    matches!(
                        f.rule,
                        Rule::MissingTenantFilter | Rule::InsertMissingTenant
                    )
                })
                .filter_map(|f| f.table.as_deref())
                .collect();
            if !tenant_tables.iter().all(|t| reported.contains(t.as_str())) {
                outcome.unanalyzed = Some(Cause::too_many_variants(variants.len()));
            }
        }
        // The unknown text is a variable unassigned on some path: say so, and why.
        if let (Some(cause), Some((variable, why))) = (outcome.unanalyzed.as_mut(), unassigned) {
            if cause.kind == UnanalyzedKind::Fragment && cause.exprs.contains(&variable) {
                *cause = Cause::unknown_path(&variable, &why);
            }
        }
        outcome
    }
}

impl SiteChecker<'_> {
    /// A TL001/TL002 finding on a variant whose table another variant constrains holds on some
    /// paths only: say so, and name the branch condition that leads to the unconstrained path
    /// when the code that makes the difference sits in one arm of a branch.
    fn name_unconstrained_paths(
        &self,
        file: usize,
        exec: Span,
        variants: &[Template],
        clean: &[(usize, Vec<(Rule, String)>)],
        outcome: &mut SiteOutcome,
    ) {
        let key = |p: &Piece| match p {
            Piece::Text { src, .. } => (false, *src),
            Piece::Hole(h) => (true, h.span.start),
        };
        let column = self.column.to_ascii_lowercase();
        let mentions_column = |p: &Piece| match p {
            Piece::Text { text, .. }
            | Piece::Hole(Hole {
                known: Some(text), ..
            }) => text.to_ascii_lowercase().contains(&column),
            Piece::Hole(_) => false,
        };
        for sf in &mut outcome.findings {
            let (Some(v), Some(table)) = (sf.variant, sf.finding.table.clone()) else {
                continue;
            };
            let rule = sf.finding.rule;
            let mine: Vec<(bool, usize)> = variants[v].iter().map(key).collect();
            // The constraining variant closest to this one: fewest pieces that differ.
            let closest = clean
                .iter()
                .filter(|(w, pairs)| {
                    *w != v && pairs.iter().any(|(r, t)| *r == rule && *t == table)
                })
                .map(|(w, _)| {
                    let theirs = &variants[*w];
                    let differ = theirs.iter().filter(|p| !mine.contains(&key(p))).count()
                        + mine
                            .iter()
                            .filter(|k| !theirs.iter().any(|p| key(p) == **k))
                            .count();
                    (differ, theirs)
                })
                .min_by_key(|(differ, _)| *differ);
            let Some((_, theirs)) = closest else {
                continue;
            };
            // Where the other path writes the tenant column that this one lacks …
            let predicate: Vec<usize> = theirs
                .iter()
                .filter(|p| !mine.contains(&key(p)) && mentions_column(p))
                .map(|p| key(p).1)
                .collect();
            let only_mine: Vec<usize> = variants[v]
                .iter()
                .filter(|p| !theirs.iter().any(|q| key(q) == key(p)))
                .map(|p| key(p).1)
                .collect();
            // … or, when this path writes the table name itself, where.
            let table_at = sf.finding.span.start;
            let own_table = variants[v]
                .iter()
                .find(|p| match p {
                    Piece::Text { src, text, .. } => {
                        *src <= table_at && table_at < *src + text.len()
                    }
                    Piece::Hole(h) => h.span.start <= table_at && table_at < h.span.end,
                })
                .filter(|p| !theirs.iter().any(|q| key(q) == key(p)))
                .map(|_| table_at);
            let arms = self.branches[file];
            let condition = rules::path_condition(arms, exec, &predicate, &only_mine, own_table);
            rules::on_some_paths(&mut sf.finding, condition.as_deref());
        }
    }
}

/// A caller's fragment, placed at the parameter's interpolation: every byte of it maps to
/// that hole, and it carries no taint (the caller's own findings come from the summaries).
fn relocate(fragment: &Template, at: &Hole) -> Template {
    fragment
        .iter()
        .map(|p| match p {
            Piece::Text { text, .. } => Piece::Hole(Hole {
                span: at.span,
                expr: at.expr.clone(),
                taint: Vec::new(),
                known: Some(text.clone()),
            }),
            Piece::Hole(h) => Piece::Hole(Hole {
                span: at.span,
                taint: Vec::new(),
                ..h.clone()
            }),
        })
        .collect()
}

/// Most variants a site expands to with its callers' fragments.
const MAX_CALLER_VARIANTS: usize = 64;

impl SiteChecker<'_> {
    /// A query inside `function list($where)` whose text holds a parameter is analysed with
    /// what the project's callers pass for it (`list("ep_code = '…'")`). The callers' text is
    /// located at the parameter's interpolation, in this file; taint is left to the function
    /// summaries. Without such callers the parameter stays an unknown fragment.
    ///
    /// The second value is true when the expansion was cut at [`MAX_CALLER_VARIANTS`].
    fn with_caller_fragments<'s>(
        &self,
        site: &'s SqlSite,
    ) -> (std::borrow::Cow<'s, [Template]>, bool) {
        let unchanged = (std::borrow::Cow::Borrowed(&site.variants[..]), false);
        let Some((function, callers)) = site
            .function
            .as_ref()
            .and_then(|f| Some((f, self.fragment_callers.get(f)?)))
        else {
            return unchanged;
        };
        let param_of = |p: &Piece| match p {
            Piece::Hole(h) => h.taint.iter().find_map(|t| match t.origin {
                TaintOrigin::Param(i) if matches!(h.expr, HoleExpr::Opaque(_)) => Some(i),
                _ => None,
            }),
            Piece::Text { .. } => None,
        };
        if !site
            .variants
            .iter()
            .flatten()
            .any(|p| param_of(p).is_some())
        {
            return unchanged;
        }
        let mut out: Vec<Template> = Vec::new();
        let mut truncated = false;
        for (n, variant) in site.variants.iter().enumerate() {
            let mut partial: Vec<Template> = vec![Vec::new()];
            for piece in variant {
                let Some(i) = param_of(piece) else {
                    for t in &mut partial {
                        t.push(piece.clone());
                    }
                    continue;
                };
                let Piece::Hole(hole) = piece else { continue };
                let mut choices: Vec<Template> = Vec::new();
                // A caller that omits the argument gets the default.
                let default = self.param_defaults.get(&(function.clone(), i));
                for args in callers {
                    match (args.get(i as usize), default) {
                        (Some(arg), _) => choices.extend(arg.iter().map(|t| relocate(t, hole))),
                        (None, Some(d)) => choices.extend(d.iter().map(|t| relocate(t, hole))),
                        (None, None) => {}
                    }
                }
                // Many callers pass the same text: analyse it once.
                let mut seen = std::collections::HashSet::new();
                choices.retain(|c| seen.insert(c.clone()));
                if choices.is_empty() {
                    choices.push(vec![piece.clone()]);
                }
                let mut next = Vec::new();
                'expand: for t in &partial {
                    for c in &choices {
                        if next.len() >= MAX_CALLER_VARIANTS {
                            truncated = true;
                            break 'expand;
                        }
                        let mut t = t.clone();
                        t.extend(c.iter().cloned());
                        next.push(t);
                    }
                }
                partial = next;
            }
            out.extend(partial);
            if out.len() >= MAX_CALLER_VARIANTS {
                truncated |= n + 1 < site.variants.len();
                break;
            }
        }
        if out.is_empty() {
            return unchanged;
        }
        (std::borrow::Cow::Owned(out), truncated)
    }

    /// TL003 and TL004 findings for the holes of one rendered query.
    fn request_values_in_sql(
        &self,
        file: usize,
        site: &SqlSite,
        rendered: &template::RenderedSql,
    ) -> Vec<Finding> {
        let display = rendered.display();
        let mut out = rules::tl003_unescaped_host_in_sql::check_holes(
            file,
            rendered.holes.iter().map(|h| &h.hole),
            site.exec,
            Some(display.clone()),
            None,
            self.summaries,
        );
        for h in &rendered.holes {
            for t in &h.hole.taint {
                out.extend(rules::tl004_unchecked_tenant_param::check_use(
                    file,
                    t,
                    h.hole.span,
                    "used in SQL text",
                    Some(display.clone()),
                    self.summaries,
                ));
            }
        }
        out
    }
}

/// TL003 and TL004 findings that come from calls and tenant uses rather than from a query.
fn request_value_findings(file: usize, facts: &FileFacts, summaries: &Summaries) -> Vec<Finding> {
    let mut out = Vec::new();
    for call in &facts.calls {
        for (j, holes) in call.args.iter().enumerate() {
            let j = j as u32;
            if summaries.is_sql_param(&call.callee, j) {
                out.extend(rules::tl003_unescaped_host_in_sql::check_holes(
                    file,
                    holes,
                    call.span,
                    None,
                    Some(&call.callee),
                    summaries,
                ));
            }
            // An argument of a project function is a tenant use, unless the function checks it.
            if summaries.is_project_function(&call.callee) && !summaries.checks(&call.callee, j) {
                let what = format!("passed to `{}()`", Summaries::display_callee(&call.callee));
                for t in holes.iter().flat_map(|h| &h.taint) {
                    out.extend(rules::tl004_unchecked_tenant_param::check_use(
                        file, t, call.span, &what, None, summaries,
                    ));
                }
            }
        }
    }
    for u in &facts.tenant_uses {
        out.extend(rules::tl004_unchecked_tenant_param::check_use(
            file, &u.taint, u.span, &u.what, None, summaries,
        ));
    }
    out
}

/// A source file as text.
struct Decoded {
    text: String,
    /// Not text at all (NUL bytes): not analysed.
    binary: bool,
}

/// UTF-8 (a BOM is dropped); failing that, EUC-KR / CP949, common in Korean PHP code bases;
/// failing that, UTF-8 with replacement characters. Offsets are into the decoded text, so
/// lines and columns stay right.
fn decode_source(bytes: Vec<u8>) -> Decoded {
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

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".to_string())
}

/// A path relative to the configuration root `root` (absolute), with `/` separators; `None`
/// when it is not under it.
fn root_relative(path: &Path, cwd: Option<&Path>, root: &Path) -> Option<String> {
    // `..` and `.` lexically, as the user wrote them.
    let normal = include::lexical_absolute(path, cwd);
    let parts: Vec<String> = normal
        .strip_prefix(root)
        .ok()?
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// A path relative to the current directory when it is under it, with `/` separators.
pub fn display_path(path: &Path, cwd: Option<&Path>) -> String {
    let abs = match cwd {
        Some(c) if !path.is_absolute() => c.join(path),
        _ => path.to_path_buf(),
    };
    match cwd.and_then(|c| abs.strip_prefix(c).ok()) {
        Some(rel) => rel
            .components()
            .filter(|c| !matches!(c, std::path::Component::CurDir))
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/"),
        None => path.to_string_lossy().replace('\\', "/"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An unreadable file or directory cannot be made while running as root, so the walk's
    /// result is fed in directly: each is one TL000 finding and not also a warning; a symlink
    /// loop is one warning and no finding.
    #[test]
    fn unreadable_paths_are_one_finding_each_and_loops_one_warning() {
        let discovered = Discovered {
            files: vec![discover::SourceFile {
                path: PathBuf::from("ok.php"),
                lang: discover::Lang::Php,
                bytes: b"<?php\necho 1;\n".to_vec(),
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
        let report = analyse(discovered, &config, Instant::now(), 0, &NoProgress);
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

    #[test]
    fn root_relative_paths() {
        let root = Path::new("/p/app");
        let cwd = Some(Path::new("/p/app/web"));
        assert_eq!(
            root_relative(Path::new("../lib/a.php"), cwd, root).as_deref(),
            Some("lib/a.php")
        );
        assert_eq!(
            root_relative(Path::new("./x/b.php"), cwd, root).as_deref(),
            Some("web/x/b.php")
        );
        assert_eq!(
            root_relative(Path::new("/elsewhere/c.php"), cwd, root),
            None
        );
    }
}

//! Runs the pipeline: discover → front-end per file (parallel) → project pass → SQL analysis
//! and rules per site (parallel) → sorted, deduplicated findings.

use std::collections::{BTreeMap, HashMap};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::config::{Config, TableMatcher};
use crate::discover::{self, DiscoverIssue};
use crate::facts::{FileFacts, Hole, HoleExpr, Piece, Span, SqlSite, TaintOrigin, Template};
use crate::lang;
use crate::lines::{LineCol, LineIndex};
use crate::resolve::Constants;
use crate::rules::{self, Finding, QueryContext, Rule};
use crate::sql::{analyze, parse, template};
use crate::taint::Summaries;

/// One scanned file, kept for reporting.
#[derive(Debug)]
pub struct ScannedFile {
    /// Path as shown to users: relative to the current directory when under it, `/`-separated.
    pub display: String,
    pub source: Arc<String>,
    /// Built on first use: most files have nothing to report.
    lines: std::sync::OnceLock<LineIndex>,
    pub parse_errors: bool,
    /// The file could not be read (reported as TL000).
    pub unreadable: bool,
}

impl ScannedFile {
    pub fn line_col(&self, offset: usize) -> LineCol {
        self.lines
            .get_or_init(|| LineIndex::new(&self.source))
            .line_col(&self.source, offset)
    }
}

/// A query the scanner found but could not check, and why.
#[derive(Debug, Clone)]
pub struct Unanalyzed {
    pub file: usize,
    pub span: Span,
    pub reason: String,
}

/// Counts for the summary line and the JSON `summary` object.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub files: usize,
    pub parse_errors: usize,
    pub sql_sites: usize,
    pub unanalyzed: usize,
    pub findings: usize,
    pub by_rule: BTreeMap<&'static str, usize>,
    pub elapsed_ms: u128,
}

/// The result of a run, before formatting.
#[derive(Debug)]
pub struct Report {
    pub files: Vec<ScannedFile>,
    pub findings: Vec<Finding>,
    pub unanalyzed: Vec<Unanalyzed>,
    pub discover_issues: Vec<DiscoverIssue>,
    pub summary: Summary,
}

/// Scan `paths` with `config`.
pub fn scan(paths: &[PathBuf], config: &Config) -> Report {
    let started = Instant::now();
    let discovered = discover::discover(paths, config);
    let cwd = std::env::current_dir().ok();
    let mut frontend = config.taint.frontend_options();
    // Which calls may be summarised: the functions the project defines, by a byte scan.
    let defined: std::collections::HashSet<String> = discovered
        .files
        .par_iter()
        .flat_map_iter(|f| lang::php_function_names(&f.bytes))
        .collect();
    frontend.project_functions = Some(Arc::new(defined));

    // Stage 2: one tree-sitter parser per thread, one parse per file.
    let discover_issues = discovered.issues;
    let parsed: Vec<(ScannedFile, FileFacts)> = discovered
        .files
        .into_par_iter()
        .map_init(lang::php_parser, |parser, file| {
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
            let scanned = ScannedFile {
                display: display_path(&file.path, cwd.as_deref()),
                lines: std::sync::OnceLock::new(),
                source: Arc::new(source),
                parse_errors: facts.parse_errors,
                unreadable: false,
            };
            (scanned, facts)
        })
        .collect();

    let (mut files, mut facts): (Vec<ScannedFile>, Vec<FileFacts>) = parsed.into_iter().unzip();
    // A file that cannot be read is never skipped silently: it becomes a TL000 finding.
    for issue in &discover_issues {
        if let DiscoverIssue::Unreadable { path, message } = issue {
            if std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
                continue;
            }
            files.push(ScannedFile {
                display: display_path(path, cwd.as_deref()),
                source: Arc::new(String::new()),
                lines: std::sync::OnceLock::new(),
                parse_errors: false,
                unreadable: true,
            });
            facts.push(FileFacts {
                analysis_errors: vec![(
                    Span::default(),
                    format!("the file could not be read: {message}"),
                )],
                ..FileFacts::default()
            });
        }
    }

    // Stage 3: project-wide constant folding.
    let constants = Constants::build_project(&facts, &config.tables);
    let matcher = config.tenant_tables();
    let summaries = Summaries::build(&facts);

    // Stages 4–5: SQL analysis and rules, per site.
    let sites: Vec<(usize, &SqlSite)> = facts
        .iter()
        .enumerate()
        .flat_map(|(i, f)| f.sites.iter().map(move |s| (i, s)))
        .collect();
    let mut fragment_callers: HashMap<Arc<str>, Vec<&Vec<Vec<Template>>>> = HashMap::new();
    for call in facts.iter().flat_map(|f| &f.fragment_calls) {
        fragment_callers
            .entry(call.callee.clone())
            .or_default()
            .push(&call.args);
    }
    let mut param_defaults: HashMap<(Arc<str>, u32), &Vec<Template>> = HashMap::new();
    for d in facts.iter().flat_map(|f| &f.param_defaults) {
        param_defaults.insert((d.function.clone(), d.index), &d.value);
    }
    let checker = SiteChecker {
        constants: &constants,
        matcher: &matcher,
        column: &config.tenant.column,
        summaries: &summaries,
        fragment_callers: &fragment_callers,
        param_defaults: &param_defaults,
    };
    let outcomes: Vec<SiteOutcome> = sites
        .par_iter()
        .map(|(file, site)| {
            catch_unwind(AssertUnwindSafe(|| checker.check(*file, site))).unwrap_or_else(|panic| {
                SiteOutcome {
                    is_sql: true,
                    findings: vec![Finding::analysis_error(
                        *file,
                        site.exec,
                        format!(
                            "internal error while analysing this query ({})",
                            panic_message(&panic)
                        ),
                    )],
                    unanalyzed: None,
                }
            })
        })
        .collect();

    let mut findings = Vec::new();
    for (file, f) in facts.iter().enumerate() {
        for (span, message) in &f.analysis_errors {
            findings.push(Finding::analysis_error(file, *span, message.clone()));
        }
    }
    let mut summary = Summary {
        files: files.len(),
        parse_errors: files.iter().filter(|f| f.parse_errors).count(),
        ..Summary::default()
    };
    let mut unanalyzed = Vec::new();
    for ((file, site), outcome) in sites.iter().zip(outcomes) {
        if !outcome.is_sql {
            continue;
        }
        summary.sql_sites += 1;
        if let Some(reason) = outcome.unanalyzed {
            unanalyzed.push(Unanalyzed {
                file: *file,
                span: site.exec,
                reason,
            });
        }
        findings.extend(outcome.findings);
    }
    for (file, f) in facts.iter().enumerate() {
        findings.extend(request_value_findings(file, f, &summaries));
    }

    // One finding per rule, location and query site, however many paths build the query.
    findings.sort_by(|a, b| {
        (files[a.file].display.as_str(), a.span, a.rule, a.exec).cmp(&(
            files[b.file].display.as_str(),
            b.span,
            b.rule,
            b.exec,
        ))
    });
    findings.dedup_by(|a, b| {
        a.file == b.file && a.span == b.span && a.rule == b.rule && a.exec == b.exec
    });
    unanalyzed.sort_by(|a, b| {
        (files[a.file].display.as_str(), a.span).cmp(&(files[b.file].display.as_str(), b.span))
    });
    unanalyzed.dedup_by(|a, b| a.file == b.file && a.span == b.span);
    assign_fingerprints(&mut findings, &files);

    summary.unanalyzed = unanalyzed.len();
    summary.findings = findings.len();
    for rule in Rule::ALL {
        summary.by_rule.insert(rule.code(), 0);
    }
    for f in &findings {
        *summary.by_rule.entry(f.rule.code()).or_default() += 1;
    }
    summary.elapsed_ms = started.elapsed().as_millis();
    Report {
        files,
        findings,
        unanalyzed,
        discover_issues,
        summary,
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
}

struct SiteOutcome {
    /// At least one variant is SQL (parsed, or rejected but shaped like a query).
    is_sql: bool,
    findings: Vec<Finding>,
    unanalyzed: Option<String>,
}

impl SiteChecker<'_> {
    fn check(&self, file: usize, site: &SqlSite) -> SiteOutcome {
        let mut outcome = SiteOutcome {
            is_sql: false,
            findings: Vec::new(),
            unanalyzed: None,
        };
        // Path-insensitive merging can build variants no run produces (`$sfl` empty inside
        // `if ($stx)`); a parse failure only makes the site unanalyzed when no variant parses.
        let mut parse_failure: Option<String> = None;
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
        let mut parsed_texts: HashMap<String, Result<Parsed, String>> = HashMap::new();
        // A name with several texts (a constant defined two ways) is analysed with each.
        let (variants, too_many) = self
            .constants
            .expand_variants(self.with_caller_fragments(site));
        // TODO(merge): the same reason as a capped site (`too-many-variants`).
        if too_many {
            outcome.unanalyzed =
                Some("too many ways to build this query: only some were analysed".to_string());
        }
        for variant in variants.iter() {
            let rendered = template::render_with_prefixes(variant, &resolve, &|e| {
                self.constants.resolve_prefix(e)
            });
            if template::looks_like_prose(&rendered.text) {
                continue;
            }
            let parsed = parsed_texts
                .entry(rendered.text.clone())
                .or_insert_with(|| parse_and_analyze(&rendered, &policy));
            let is_sql = parsed.is_ok() || template::has_sql_structure(&rendered.text);
            if !is_sql {
                continue;
            }
            outcome.is_sql = true;
            // Request values in SQL text: found whether or not the query parses.
            if rendered.holes.iter().any(|h| !h.hole.taint.is_empty()) {
                outcome
                    .findings
                    .extend(self.request_values_in_sql(file, site, &rendered));
            }
            let (facts, fragment_in_predicate) = match parsed {
                Ok(p) => (&p.facts, &p.fragment_in_predicate),
                Err(e) => {
                    parse_failure
                        .get_or_insert_with(|| format!("the SQL could not be parsed: {e}"));
                    continue;
                }
            };
            any_parsed = true;
            if let Some(fragment) = fragment_in_predicate {
                if facts
                    .refs
                    .iter()
                    .any(|r| matches!(r.constrained, analyze::Constraint::Unknown))
                {
                    outcome.unanalyzed.get_or_insert_with(|| {
                        format!(
                            "SQL fragment `{fragment}` may hold the tenant predicate and its text is not known"
                        )
                    });
                }
            }
            let unresolved: Vec<String> = facts
                .table_names
                .iter()
                .filter(|(name, _)| {
                    name.find(template::PLACEHOLDER_PREFIX)
                        .is_some_and(|at| self.matcher.classify_prefix(&name[..at]).is_none())
                })
                .flat_map(|(name, _)| hole_names_in(&rendered, name))
                .collect();
            if !unresolved.is_empty() {
                outcome.unanalyzed.get_or_insert_with(|| {
                    format!(
                        "table name {} cannot be resolved (define it, or name it in [tables])",
                        unresolved.join(", ")
                    )
                });
            }
            if facts
                .refs
                .iter()
                .any(|r| matches!(r.constrained, analyze::Constraint::Unknown))
            {
                let fragments: Vec<String> = rendered
                    .unresolved_bare_holes()
                    .map(|h| format!("`{}`", h.hole.expr.display()))
                    .collect();
                outcome.unanalyzed.get_or_insert_with(|| {
                    format!(
                        "SQL fragment {} may hold the tenant predicate and its text is not known",
                        fragments.join(", ")
                    )
                });
            }
            let ctx = QueryContext {
                file,
                sql: &rendered,
                facts,
                tenant_column: self.column,
                exec: site.exec,
                summaries: self.summaries,
            };
            outcome
                .findings
                .extend(rules::tl001_missing_tenant_filter::check(&ctx));
            outcome
                .findings
                .extend(rules::tl002_insert_missing_tenant::check(&ctx));
        }
        if !any_parsed {
            if let Some(failure) = parse_failure {
                outcome.unanalyzed.get_or_insert(failure);
            }
        }
        outcome
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

/// A rendered query, parsed and analysed.
struct Parsed {
    facts: analyze::QueryFacts,
    /// A fragment whose text is unknown sat where a predicate could be.
    fragment_in_predicate: Option<String>,
}

/// Parse (recovering from placeholders that cannot stand where they are) and analyse.
fn parse_and_analyze(
    rendered: &template::RenderedSql,
    policy: &analyze::TenantPolicy,
) -> Result<Parsed, String> {
    let mut text = rendered.clone();
    let (statements, fragment_in_predicate) = match parse_recovering(&mut text) {
        (Ok(s), f) => (s, f),
        (Err(e), _) => return Err(e),
    };
    let mut facts = analyze::analyze(&statements, &text.text, policy);
    if fragment_in_predicate.is_some() {
        // A fragment that cannot be known sat where a predicate could be: never guess it
        // empty.
        for r in &mut facts.refs {
            if matches!(r.constrained, analyze::Constraint::No) {
                r.constrained = analyze::Constraint::Unknown;
            }
        }
    }
    Ok(Parsed {
        facts,
        fragment_in_predicate,
    })
}

/// Most variants a site expands to with its callers' fragments.
const MAX_CALLER_VARIANTS: usize = 64;

impl SiteChecker<'_> {
    /// A query inside `function list($where)` whose text holds a parameter is analysed with
    /// what the project's callers pass for it (`list("ep_code = '…'")`). The callers' text is
    /// located at the parameter's interpolation, in this file; taint is left to the function
    /// summaries. Without such callers the parameter stays an unknown fragment.
    fn with_caller_fragments<'s>(&self, site: &'s SqlSite) -> std::borrow::Cow<'s, [Template]> {
        let Some((function, callers)) = site
            .function
            .as_ref()
            .and_then(|f| Some((f, self.fragment_callers.get(f)?)))
        else {
            return std::borrow::Cow::Borrowed(&site.variants);
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
            return std::borrow::Cow::Borrowed(&site.variants);
        }
        let mut out: Vec<Template> = Vec::new();
        for variant in &site.variants {
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
                break;
            }
        }
        if out.is_empty() {
            return std::borrow::Cow::Borrowed(&site.variants);
        }
        std::borrow::Cow::Owned(out)
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
                let what = format!("passed to `{}()`", call.callee);
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

/// Parse, and when sqlparser stops at a placeholder that cannot stand where it is (`ORDER BY x
/// $sod`, `WHERE (1) $sql_search`), blank it out and try again. Returns the first blanked hole
/// that sat where a predicate could be.
fn parse_recovering(
    rendered: &mut template::RenderedSql,
) -> (
    Result<Vec<sqlparser::ast::Statement>, String>,
    Option<String>,
) {
    const MAX_RETRIES: usize = 8;
    let mut in_predicate = None;
    for _ in 0..MAX_RETRIES {
        let err = match parse::parse_mysql(&rendered.text) {
            Ok(s) => return (Ok(s), in_predicate),
            Err(e) => e,
        };
        let Some(offset) = error_position(&err).and_then(|(l, c)| rendered.offset_of(l, c)) else {
            return (Err(err), in_predicate);
        };
        let predicate = rendered.in_predicate_position(offset);
        match rendered.blank_placeholder_at(offset) {
            Some(hole) => {
                if predicate && in_predicate.is_none() {
                    in_predicate = Some(hole.hole.expr.display().to_string());
                }
            }
            None => return (Err(err), in_predicate),
        }
    }
    (parse::parse_mysql(&rendered.text), in_predicate)
}

/// `… at Line: 4, Column: 40` in a sqlparser error.
fn error_position(message: &str) -> Option<(usize, usize)> {
    let rest = &message[message.rfind("Line: ")? + "Line: ".len()..];
    let (line, rest) = rest.split_once(',')?;
    let column = rest.trim_start().strip_prefix("Column: ")?;
    let column: String = column.chars().take_while(|c| c.is_ascii_digit()).collect();
    Some((line.trim().parse().ok()?, column.parse().ok()?))
}

/// The hole expressions whose placeholders appear in a rendered name.
fn hole_names_in(rendered: &template::RenderedSql, name: &str) -> Vec<String> {
    name.match_indices(template::PLACEHOLDER_PREFIX)
        .filter_map(|(i, _)| {
            let digits: String = name[i + template::PLACEHOLDER_PREFIX.len()..]
                .chars()
                .take_while(|c| c.is_ascii_digit())
                .collect();
            rendered
                .hole_named(&format!("{}{digits}", template::PLACEHOLDER_PREFIX))
                .map(|h| format!("`{}`", h.hole.expr.display()))
        })
        .collect()
}

/// Fingerprints hash rule, file, normalised SQL, table and the occurrence index among findings
/// sharing those, so they survive edits that only move lines.
fn assign_fingerprints(findings: &mut [Finding], files: &[ScannedFile]) {
    let mut seen: HashMap<(Rule, usize, String, String), usize> = HashMap::new();
    for f in findings.iter_mut() {
        let key = (
            f.rule,
            f.file,
            f.sql.clone().unwrap_or_default(),
            f.table.clone().unwrap_or_default(),
        );
        let n = seen.entry(key.clone()).or_default();
        let mut h = Sha256::new();
        for part in [
            f.rule.code(),
            files[f.file].display.as_str(),
            key.2.as_str(),
            key.3.as_str(),
            &n.to_string(),
        ] {
            h.update(part.as_bytes());
            h.update([0]);
        }
        *n += 1;
        f.fingerprint = h.finalize()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
    }
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

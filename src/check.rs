//! The per-site check: each query site's variants (expanded with what callers pass and what
//! includes may set) are rendered, parsed and analysed, the query rules run on each, and the
//! outcome says what was found, what could not be checked and which tenant tables it uses.
//! Request values reaching SQL text or tenant uses (TL003, TL004) are found here too.

use std::collections::{BTreeMap, HashMap};

use crate::cache::SqlCache;
use crate::config::TableMatcher;
use crate::discover::Lang;
use crate::facts::{FileFacts, FnKey, Hole, HoleExpr, Piece, Span, SqlSite, TaintOrigin, Template};
use crate::findings::SiteFinding;
use crate::include::{self, Includes};
use crate::project::Project;
use crate::report::model::{Cause, StatementKind, TableUse, UnanalyzedKind};
use crate::resolve::Constants;
use crate::rules::{self, Finding, QueryContext, Rule, ValueContext, ValueUse};
use crate::sql::{analyze, placeholder, query, template};
use crate::taint::Summaries;

/// Checks one query site at a time, reading the project pass and the configuration.
pub(crate) struct SiteChecker<'a> {
    constants: &'a Constants,
    matcher: &'a TableMatcher,
    column: &'a str,
    summaries: &'a Summaries,
    /// For each project function, the argument variants of calls that pass SQL-like text.
    fragment_callers: &'a HashMap<FnKey, Vec<&'a Vec<Vec<Template>>>>,
    /// Default values of parameters, by function and index.
    param_defaults: &'a HashMap<(FnKey, u32), &'a Vec<Template>>,
    /// What the includes of each file may set, for variables unassigned on a path.
    includes: &'a Includes,
    /// Per file, the arms of its branches.
    branches: &'a [&'a [crate::facts::BranchArm]],
    /// What query texts gave in earlier runs, when the result cache is on.
    sql_cache: Option<&'a SqlCache>,
}

/// What checking one query site found.
pub(crate) struct SiteOutcome {
    /// At least one variant is SQL (parsed, or rejected but shaped like a query).
    pub(crate) is_sql: bool,
    pub(crate) findings: Vec<SiteFinding>,
    pub(crate) unanalyzed: Option<Cause>,
    pub(crate) coverage: Vec<TableUse>,
}

impl<'a> SiteChecker<'a> {
    /// A checker reading `project`, deciding tenant tables with `matcher` and looking for the
    /// tenant column `column`.
    pub(crate) fn new(
        project: &'a Project<'a>,
        matcher: &'a TableMatcher,
        column: &'a str,
    ) -> SiteChecker<'a> {
        SiteChecker {
            constants: &project.constants,
            matcher,
            column,
            summaries: &project.summaries,
            fragment_callers: &project.fragment_callers,
            param_defaults: &project.param_defaults,
            includes: &project.includes,
            branches: &project.branches,
            sql_cache: None,
        }
    }

    /// Read and write what query texts give in `cache`.
    pub(crate) fn with_sql_cache(self, cache: Option<&'a SqlCache>) -> SiteChecker<'a> {
        SiteChecker {
            sql_cache: cache,
            ..self
        }
    }

    /// Parse and analyse `rendered`, or read what that gave from the SQL cache.
    fn parse_and_analyze(
        &self,
        rendered: &template::RenderedSql,
        policy: &analyze::TenantPolicy,
    ) -> query::Analysed {
        let Some(cache) = self.sql_cache else {
            return query::parse_and_analyze(rendered, policy);
        };
        let key = query::memo_key(rendered);
        if let Some(analysed) = cache.get(key) {
            return analysed;
        }
        let analysed = query::parse_and_analyze(rendered, policy);
        cache.put(key, &analysed);
        analysed
    }
}

impl SiteChecker<'_> {
    pub(crate) fn check(&self, file: usize, lang: Option<Lang>, site: &SqlSite) -> SiteOutcome {
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
        let is_tenant = |name: &str| match placeholder::known_beginning(name) {
            None => self.matcher.is_tenant(name),
            Some(beginning) => self.matcher.classify_prefix(beginning) == Some(true),
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
            let rendered = template::render_with_prefixes(variant, site.dialect, &resolve, &|e| {
                self.constants.resolve_prefix(e)
            });
            if template::looks_like_prose(&rendered.text) {
                continue;
            }
            let parsed = parsed_texts
                .entry(rendered.text.clone())
                .or_insert_with(|| self.parse_and_analyze(&rendered, &policy));
            let is_sql = parsed.is_ok() || template::has_sql_structure(&rendered.text);
            if !is_sql {
                continue;
            }
            outcome.is_sql = true;
            // Request values in SQL text or bound to its parameters: found whether or not the
            // query parses.
            if rendered.holes.iter().any(|h| !h.hole.taint.is_empty())
                || site.params.iter().any(|p| !p.value.taint.is_empty())
            {
                outcome.findings.extend(
                    self.request_values_in_sql(file, lang, site, &rendered)
                        .into_iter()
                        .map(SiteFinding::from),
                );
            }
            let (facts, fragment_in_predicate, kind) = match parsed {
                Ok(p) => (&p.facts, p.fragment_in_predicate(&rendered), p.kind),
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
                    placeholder::known_beginning(name)
                        .is_some_and(|b| self.matcher.classify_prefix(b).is_none())
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
            let found: Vec<Finding> = rules::run_query_rules(&ctx);
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
                taint: Default::default(),
                known: Some(text.clone()),
            }),
            Piece::Hole(h) => Piece::Hole(Hole {
                span: at.span,
                taint: Default::default(),
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

    /// Value-rule findings (TL003, TL004) for the holes of one rendered query.
    fn request_values_in_sql(
        &self,
        file: usize,
        lang: Option<Lang>,
        site: &SqlSite,
        rendered: &template::RenderedSql,
    ) -> Vec<Finding> {
        rules::run_value_rules(&ValueContext {
            file,
            lang,
            value: ValueUse::SqlText {
                holes: rendered.holes.iter().map(|h| &h.hole).collect(),
                params: &site.params,
                exec: site.exec,
                sql: rendered.display(),
            },
            summaries: self.summaries,
        })
    }
}

/// Value-rule findings (TL003, TL004) that come from calls and tenant uses rather than from a
/// query.
pub(crate) fn request_value_findings(
    file: usize,
    facts: &FileFacts,
    summaries: &Summaries,
) -> Vec<Finding> {
    let run = |value| {
        rules::run_value_rules(&ValueContext {
            file,
            lang: facts.lang,
            value,
            summaries,
        })
    };
    let mut out = Vec::new();
    // Packed calls decode unless a cache file was tampered with: then say so rather than
    // report nothing. Calls that pass no value read from the request are not unpacked.
    let calls = if facts.no_request_calls {
        Ok(std::borrow::Cow::Borrowed(&[][..]))
    } else {
        facts.calls.items()
    };
    let calls = match calls {
        Ok(calls) => calls,
        Err(e) => {
            out.push(Finding::analysis_error(
                file,
                Span::default(),
                format!("the facts kept for this file could not be read back ({e}); its calls were not checked"),
            ));
            std::borrow::Cow::Owned(Vec::new())
        }
    };
    for call in calls.iter() {
        for (index, holes) in call.args.iter().enumerate() {
            // An argument without request-derived holes has nothing for a value rule to find.
            if holes.iter().all(|h| h.taint.is_empty()) {
                continue;
            }
            out.extend(run(ValueUse::Argument {
                callee: &call.callee,
                index: index as u32,
                holes,
                span: call.span,
            }));
        }
    }
    for u in &facts.tenant_uses {
        out.extend(run(ValueUse::Tenant(u)));
    }
    out
}

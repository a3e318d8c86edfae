//! Rules: pure functions from query facts to [`Finding`]s. Rules never print and never see
//! tree-sitter nodes; each rule's documentation lives in `rules/<CODE>-<name>.md`.

pub mod tl001_missing_tenant_filter;
pub mod tl002_insert_missing_tenant;
pub mod tl003_unescaped_host_in_sql;
pub mod tl004_unchecked_tenant_param;

/// A rule that reads one analysed query.
pub type QueryRule = fn(&QueryContext) -> Vec<Finding>;

/// The query rules, in the order they run on each analysed variant of a query.
pub static QUERY_RULES: &[QueryRule] = &[
    tl001_missing_tenant_filter::check,
    tl002_insert_missing_tenant::check,
];

/// The findings of every query rule on one analysed query, in [`QUERY_RULES`] order.
pub fn run_query_rules(ctx: &QueryContext) -> Vec<Finding> {
    run(QUERY_RULES, ctx)
}

/// The findings of `rules` on `ctx`, in order.
fn run<C>(rules: &[fn(&C) -> Vec<Finding>], ctx: &C) -> Vec<Finding> {
    rules.iter().flat_map(|rule| rule(ctx)).collect()
}

/// A rule that reads one use of values that may derive from the request.
pub type ValueRule = fn(&ValueContext) -> Vec<Finding>;

/// The value rules, in the order they run on each use.
pub static VALUE_RULES: &[ValueRule] = &[
    tl003_unescaped_host_in_sql::check,
    tl004_unchecked_tenant_param::check,
];

/// The findings of every value rule on one use, in [`VALUE_RULES`] order.
pub fn run_value_rules(ctx: &ValueContext) -> Vec<Finding> {
    run(VALUE_RULES, ctx)
}

/// How values that may derive from the request are used, as the value rules see it.
pub enum ValueUse<'a> {
    /// Holes interpolated into the text of a query, run at `exec`.
    SqlText {
        holes: Vec<&'a Hole>,
        /// Values the driver binds to the query's parameters.
        params: &'a [BoundParam],
        exec: Span,
        /// The query, as shown in findings.
        sql: String,
    },
    /// Argument `index` of a call to `callee`, a project function or not.
    Argument {
        callee: &'a crate::facts::FnKey,
        index: u32,
        holes: &'a [Hole],
        /// The call.
        span: Span,
    },
    /// A value used as a tenant: stored, returned…
    Tenant(&'a TenantUse),
}

/// What a value rule sees of one use.
pub struct ValueContext<'a> {
    pub file: usize,
    /// The file's language, for advice in its terms.
    pub lang: Option<crate::discover::Lang>,
    pub value: ValueUse<'a>,
    pub summaries: &'a crate::taint::Summaries,
}

use std::fmt;

use crate::facts::{BoundParam, BranchArm, Hole, Span, TenantUse};
use crate::sql::template::RenderedSql;

/// Every rule tenantlint knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    AnalysisError,
    MissingTenantFilter,
    InsertMissingTenant,
    UnescapedHostInSql,
    UncheckedTenantParam,
    InvalidSuppression,
}

/// How a finding affects the exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

impl Rule {
    pub const ALL: [Rule; 6] = [
        Rule::AnalysisError,
        Rule::MissingTenantFilter,
        Rule::InsertMissingTenant,
        Rule::UnescapedHostInSql,
        Rule::UncheckedTenantParam,
        Rule::InvalidSuppression,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Rule::AnalysisError => "TL000",
            Rule::MissingTenantFilter => "TL001",
            Rule::InsertMissingTenant => "TL002",
            Rule::UnescapedHostInSql => "TL003",
            Rule::UncheckedTenantParam => "TL004",
            Rule::InvalidSuppression => "TL900",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Rule::AnalysisError => "analysis-error",
            Rule::MissingTenantFilter => "missing-tenant-filter",
            Rule::InsertMissingTenant => "insert-missing-tenant",
            Rule::UnescapedHostInSql => "unescaped-host-in-sql",
            Rule::UncheckedTenantParam => "unchecked-tenant-param",
            Rule::InvalidSuppression => "invalid-suppression",
        }
    }

    pub fn severity(self) -> Severity {
        match self {
            Rule::InvalidSuppression => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// The rule's documentation, the single source for `tenantlint rule` and every report.
    pub fn doc(self) -> &'static str {
        match self {
            Rule::AnalysisError => include_str!("../../rules/TL000-analysis-error.md"),
            Rule::MissingTenantFilter => include_str!("../../rules/TL001-missing-tenant-filter.md"),
            Rule::InsertMissingTenant => include_str!("../../rules/TL002-insert-missing-tenant.md"),
            Rule::UnescapedHostInSql => include_str!("../../rules/TL003-unescaped-host-in-sql.md"),
            Rule::UncheckedTenantParam => {
                include_str!("../../rules/TL004-unchecked-tenant-param.md")
            }
            Rule::InvalidSuppression => include_str!("../../rules/TL900-invalid-suppression.md"),
        }
    }

    /// Where the documentation lives in the repository.
    pub fn doc_path(self) -> String {
        format!("rules/{}-{}.md", self.code(), self.name())
    }

    /// Look a rule up by code (`TL001`, any case) or name (`missing-tenant-filter`).
    pub fn from_code(code: &str) -> Option<Rule> {
        Rule::ALL
            .into_iter()
            .find(|r| r.code().eq_ignore_ascii_case(code) || r.name() == code)
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// One problem in one file.
#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: Rule,
    /// Index of the file in the run's file list.
    pub file: usize,
    /// The exact text at fault (a table name inside a SQL string, or the expression naming it).
    pub span: Span,
    /// The call or statement that runs the query.
    pub exec: Option<Span>,
    pub message: String,
    /// The label on `span`.
    pub label: String,
    pub help: String,
    pub table: Option<String>,
    /// The query, whitespace collapsed, holes shown as `?`.
    pub sql: Option<String>,
    /// Stable identity that does not depend on line numbers (filled in by the engine).
    pub fingerprint: String,
    /// How a request value got here: its read, each step, and the use (TL003, TL004).
    pub trace: Vec<TraceStep>,
}

/// One step of a finding's trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceStep {
    /// The file the step is in: the finding's own, or the one defining a project function the
    /// value went through.
    pub file: usize,
    pub span: Span,
    pub note: String,
}

impl Finding {
    /// A TL000 finding: part of a file could not be analysed.
    pub fn analysis_error(file: usize, span: Span, message: String) -> Finding {
        Finding {
            rule: Rule::AnalysisError,
            file,
            span,
            exec: None,
            label: "not analysed".into(),
            help: "exclude the file with `[scan] exclude` if this is intended; otherwise report it"
                .into(),
            message,
            table: None,
            sql: None,
            fingerprint: String::new(),
            trace: Vec::new(),
        }
    }
}

/// Which branch leads to the path a query is built on without the tenant column, as `when
/// \`$a != 'super'\` is false`: from where the closest path that has it writes the tenant column
/// (`predicate`: source offsets of the pieces only that path has) — this path skipped the arm
/// that adds it, and took another arm of the same branch if it has pieces there (`only_mine`) —
/// or else from where this path alone writes the table name (`own_table`) — it took that arm.
/// `None` when the difference is not inside one arm of a branch.
pub fn path_condition(
    arms: &[BranchArm],
    exec: Span,
    predicate: &[usize],
    only_mine: &[usize],
    own_table: Option<usize>,
) -> Option<String> {
    // The innermost arm holding `offset` that the query's own run does not sit in.
    let arm_of = |offset: usize| {
        arms.iter()
            .filter(|a| a.body.start <= offset && offset < a.body.end)
            .filter(|a| !(a.body.start <= exec.start && exec.start < a.body.end))
            .min_by_key(|a| a.body.len())
    };
    let describe = |conditions: &mut dyn Iterator<Item = (&str, bool)>| {
        let parts: Vec<String> = conditions
            .map(|(c, holds)| format!("`{c}` is {}", if holds { "true" } else { "false" }))
            .collect();
        (!parts.is_empty()).then(|| format!("when {}", parts.join(" and ")))
    };
    if !predicate.is_empty() {
        // Skipping an arm is one outcome only when one condition leads into it.
        let mut found = predicate.iter().map(|o| arm_of(*o));
        let first = found.next().flatten()?;
        if !found.all(|a| a == Some(first)) {
            return None;
        }
        let taken = only_mine
            .iter()
            .filter_map(|o| arm_of(*o))
            .find(|a| a.group == first.group && a != &first);
        if let Some(arm) = taken {
            return describe(&mut arm.conditions.iter().map(|(c, h)| (&**c, *h)));
        }
        return match first.conditions.as_slice() {
            [(c, holds)] => describe(&mut std::iter::once((&**c, !*holds))),
            _ => None,
        };
    }
    let arm = arm_of(own_table?)?;
    describe(&mut arm.conditions.iter().map(|(c, h)| (&**c, *h)))
}

/// Qualify a TL001/TL002 finding that holds on some of the paths to its query only: other paths
/// constrain the table, and `condition` (from [`path_condition`]) names the branch when known.
pub fn on_some_paths(finding: &mut Finding, condition: Option<&str>) {
    let path = condition.unwrap_or("on some paths");
    let other = match finding.rule {
        Rule::InsertMissingTenant => "other paths set it",
        _ => "other paths add the predicate",
    };
    finding.message = format!("{} ({path}; {other})", finding.message);
}

/// What a rule sees of one rendered query.
pub struct QueryContext<'a> {
    pub file: usize,
    pub sql: &'a RenderedSql,
    pub facts: &'a crate::sql::analyze::QueryFacts,
    pub tenant_column: &'a str,
    pub exec: Span,
    pub summaries: &'a crate::taint::Summaries,
}

impl QueryContext<'_> {
    /// A finding located at a byte range of the rendered SQL.
    pub fn finding(
        &self,
        rule: Rule,
        sql_range: std::ops::Range<usize>,
        table: &str,
        message: String,
        label: String,
        help: String,
    ) -> Option<Finding> {
        let span = self.sql.source_span(sql_range)?;
        Some(Finding {
            rule,
            file: self.file,
            span,
            exec: Some(self.exec),
            message,
            label,
            help,
            table: Some(table.to_string()),
            sql: Some(self.sql.display()),
            fingerprint: String::new(),
            trace: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{FileFacts, HoleExpr, ParamMarker, Taint, TaintKind, TaintOrigin};
    use crate::taint::Summaries;

    fn request_value(kind: TaintKind, at: usize) -> Hole {
        let mut hole = Hole::new(Span::new(at, at + 4), HoleExpr::Opaque("$v".into()));
        hole.taint.push(Taint::new(TaintOrigin::Source {
            kind,
            span: Span::new(at, at + 4),
        }));
        hole
    }

    /// A value bound to a query parameter is not SQL text (no TL003) but is still a tenant use
    /// (TL004), reported at its read.
    #[test]
    fn bound_parameters_are_tenant_uses_but_not_sql_text() {
        let summaries = Summaries::build(&[FileFacts::default()]);
        let params = [
            BoundParam {
                marker: ParamMarker::Numbered(1),
                value: request_value(TaintKind::TenantParam, 10),
            },
            BoundParam {
                marker: ParamMarker::Numbered(2),
                value: request_value(TaintKind::Host, 20),
            },
        ];
        let ctx = ValueContext {
            file: 0,
            lang: None,
            value: ValueUse::SqlText {
                holes: Vec::new(),
                params: &params,
                exec: Span::new(0, 40),
                sql: "SELECT * FROM iw_member WHERE ep_code = $1 AND host = $2".into(),
            },
            summaries: &summaries,
        };
        let found = run_value_rules(&ctx);
        let rules: Vec<(Rule, Span)> = found.iter().map(|f| (f.rule, f.span)).collect();
        assert_eq!(rules, [(Rule::UncheckedTenantParam, Span::new(10, 14))]);
        assert!(found[0]
            .trace
            .iter()
            .any(|t| t.note.contains("bound as a SQL parameter")));
        // The same values interpolated into the text: both rules report.
        let holes = [
            request_value(TaintKind::TenantParam, 10),
            request_value(TaintKind::Host, 20),
        ];
        let ctx = ValueContext {
            value: ValueUse::SqlText {
                holes: holes.iter().collect(),
                params: &[],
                exec: Span::new(0, 40),
                sql: String::new(),
            },
            ..ctx
        };
        let mut rules: Vec<Rule> = run_value_rules(&ctx).iter().map(|f| f.rule).collect();
        rules.sort();
        assert_eq!(
            rules,
            [Rule::UnescapedHostInSql, Rule::UncheckedTenantParam]
        );
    }
}

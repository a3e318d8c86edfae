//! TL004 unchecked-tenant-param: the tenant request parameter is used as a tenant without being
//! compared with the tenant resolved from the subdomain or the session.

use crate::discover::Lang;

use super::{Finding, Rule, TraceStep, ValueContext, ValueUse};
use crate::facts::{Span, Taint, TaintKind};
use crate::taint::Summaries;

/// TL004 on one use: a hole in SQL text, an argument of a project function that does not check
/// it, or another tenant use.
pub fn check(ctx: &ValueContext) -> Vec<Finding> {
    let mut found = findings(ctx);
    if ctx.lang == Some(Lang::Rust) {
        for f in &mut found {
            f.help = RUST_HELP.into();
        }
    }
    found
}

/// Advice for a Rust file.
const RUST_HELP: &str = "compare it with the tenant resolved from the Host header or the session and leave on mismatch before using it (`if ep != current { return Err(…); }`), or call a guard that returns `Err` on mismatch, followed by `?`";

fn findings(ctx: &ValueContext) -> Vec<Finding> {
    let (file, summaries) = (ctx.file, ctx.summaries);
    match &ctx.value {
        ValueUse::SqlText {
            holes, params, sql, ..
        } => {
            let text = holes.iter().map(|h| (*h, "used in SQL text"));
            let bound = params
                .iter()
                .map(|p| (&p.value, "bound as a SQL parameter"));
            text.chain(bound)
                .flat_map(|(h, what)| h.taint.iter().map(move |t| (h, t, what)))
                .filter_map(|(h, t, what)| {
                    check_use(file, t, h.span, what, Some(sql.clone()), summaries)
                })
                .collect()
        }
        ValueUse::Argument {
            callee,
            index,
            holes,
            span,
        } if summaries.is_project_function(callee) && !summaries.checks(callee, *index) => {
            let what = format!("passed to `{}()`", Summaries::display_callee(callee));
            holes
                .iter()
                .flat_map(|h| &h.taint)
                .filter_map(|t| check_use(file, t, *span, &what, None, summaries))
                .collect()
        }
        ValueUse::Argument { .. } => Vec::new(),
        ValueUse::Tenant(u) => check_use(file, &u.taint, u.span, &u.what, None, summaries)
            .into_iter()
            .collect(),
    }
}

/// A finding for a use of a value, if it carries an unchecked tenant parameter read in this
/// file. The finding is located at the read.
fn check_use(
    file: usize,
    taint: &Taint,
    use_span: Span,
    what: &str,
    sql: Option<String>,
    summaries: &Summaries,
) -> Option<Finding> {
    let resolved = summaries.resolve(taint, TaintKind::TenantParam, file)?;
    // Reported where it is read: a value returned by a project function was reported at
    // that function's own use (its `return`).
    let read = resolved.source.filter(|_| resolved.via.is_none())?;
    if read.file != file {
        return None;
    }
    let read = read.span;
    let mut trace = Vec::new();
    for step in resolved.steps {
        let span = step.at.span;
        if span != read && span != use_span && !trace.iter().any(|t: &TraceStep| t.span == span) {
            trace.push(TraceStep {
                file,
                span,
                note: "passed on here".into(),
            });
        }
    }
    trace.push(TraceStep {
        file,
        span: use_span,
        note: format!("{what} without a check"),
    });
    Some(Finding {
        rule: Rule::UncheckedTenantParam,
        file,
        span: read,
        exec: None,
        message: "the tenant request parameter is trusted without being checked against the tenant resolved from the subdomain or session".into(),
        label: "tenant parameter read here".into(),
        help: "compare it with the resolved tenant and leave on mismatch before using it, e.g. `if ($_GET['ep'] !== $iw['store']) { exit; }`".into(),
        table: None,
        sql,
        fingerprint: String::new(),
        trace,
    })
}

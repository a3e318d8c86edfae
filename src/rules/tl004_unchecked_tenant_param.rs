//! TL004 unchecked-tenant-param: the tenant request parameter is used as a tenant without being
//! compared with the tenant resolved from the subdomain or the session.

use super::{Finding, Rule, TraceStep};
use crate::facts::{Span, Taint, TaintKind};
use crate::taint::Summaries;

/// A finding for a use of a value, if it carries an unchecked tenant parameter read in this
/// file. The finding is located at the read.
pub fn check_use(
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

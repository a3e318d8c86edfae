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
    let resolved = summaries.resolve(taint, TaintKind::TenantParam)?;
    let read = resolved.source?;
    let mut trace = Vec::new();
    for step in resolved.steps {
        if step != read && step != use_span && !trace.iter().any(|t: &TraceStep| t.span == step) {
            trace.push(TraceStep {
                span: step,
                note: "passed on here".into(),
            });
        }
    }
    trace.push(TraceStep {
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

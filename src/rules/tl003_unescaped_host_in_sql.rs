//! TL003 unescaped-host-in-sql: a value derived from the request host reaches SQL text
//! without escaping.

use crate::discover::Lang;

use super::{Finding, Rule, TraceStep, ValueContext, ValueUse};
use crate::facts::{FnKey, Hole, Span, TaintKind};
use crate::taint::Summaries;

/// TL003 on one use: holes in SQL text, or an argument that a project function puts into SQL
/// text.
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
const RUST_HELP: &str = "bind it as a query parameter (`.bind(…)`, an argument of `query!`, `push_bind`), or compare it with a fixed list or parse it (`parse::<Uuid>()`) and leave on mismatch";

fn findings(ctx: &ValueContext) -> Vec<Finding> {
    match &ctx.value {
        // Bound parameters are not SQL text.
        ValueUse::SqlText {
            holes, exec, sql, ..
        } => check_holes(
            ctx.file,
            holes.iter().copied(),
            *exec,
            Some(sql.clone()),
            None,
            ctx.summaries,
        ),
        ValueUse::Argument {
            callee,
            index,
            holes,
            span,
        } if ctx.summaries.is_sql_param(callee, *index) => check_holes(
            ctx.file,
            holes.iter(),
            *span,
            None,
            Some(callee),
            ctx.summaries,
        ),
        ValueUse::Argument { .. } | ValueUse::Tenant(_) => Vec::new(),
    }
}

/// Findings for the holes of one query (or of a sink argument) that carry the host.
/// `exec` is the call that runs the query; `via` names the project function whose parameter
/// reaches SQL text when the hole is in an argument of it.
fn check_holes<'h>(
    file: usize,
    holes: impl IntoIterator<Item = &'h Hole>,
    exec: Span,
    sql: Option<String>,
    via: Option<&FnKey>,
    summaries: &Summaries,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for hole in holes {
        let Some(resolved) = hole
            .taint
            .iter()
            .find_map(|t| summaries.resolve(t, TaintKind::Host, file))
        else {
            continue;
        };
        let mut trace = Vec::new();
        if let Some(source) = resolved.source {
            trace.push(TraceStep {
                file: source.file,
                span: source.span,
                note: "the request host is read here".into(),
            });
        }
        for step in resolved.steps {
            let at = step.at;
            if (at.file == file && at.span == hole.span)
                || trace
                    .iter()
                    .any(|t: &TraceStep| t.file == at.file && t.span == at.span)
            {
                continue;
            }
            let note = match &step.returned_by {
                Some(f) => format!(
                    "`{}()` returns a value derived from the request host",
                    Summaries::display_callee(f)
                ),
                None => "passed on here".into(),
            };
            trace.push(TraceStep {
                file: at.file,
                span: at.span,
                note,
            });
        }
        trace.push(TraceStep {
            file,
            span: exec,
            note: match via {
                Some(f) => format!(
                    "`{}()` puts this argument into SQL text",
                    Summaries::display_callee(f)
                ),
                None => "the query is run here".into(),
            },
        });
        out.push(Finding {
            rule: Rule::UnescapedHostInSql,
            file,
            span: hole.span,
            exec: None,
            message: "a value derived from the request host reaches SQL text unescaped: the Host header is chosen by the client".into(),
            label: "host-derived value interpolated here".into(),
            help: "escape it (`sql_escape_string()`, `mysqli_real_escape_string()`), validate it against an anchored regex such as `/^[a-z0-9-]+$/` and leave on mismatch, or bind it as a prepared-statement parameter".into(),
            table: None,
            sql: sql.clone(),
            fingerprint: String::new(),
            trace,
        });
    }
    out
}

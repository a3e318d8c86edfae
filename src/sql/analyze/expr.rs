//! The parts of an expression: its direct sub-expressions and subqueries, which every walk
//! over expressions (scanning for subqueries, deciding what reads a column) goes through.

use sqlparser::ast::{
    Expr, Function, FunctionArg, FunctionArgExpr, FunctionArgumentClause, FunctionArguments,
    InTarget, Query, WindowType,
};

/// Expressions nested deeper than this are treated conservatively.
pub(super) const MAX_EXPR_DEPTH: usize = 256;

pub(super) fn strip_nested(mut e: &Expr) -> &Expr {
    while let Expr::Nested(inner) = e {
        e = inner;
    }
    e
}

/// `e` without parentheses and casts (`tenant_id::text`, `$1::uuid`, `CAST(x AS int)`): the
/// column or value a comparison is about.
pub(super) fn strip_casts(mut e: &Expr) -> &Expr {
    loop {
        match e {
            Expr::Nested(inner) | Expr::Cast { expr: inner, .. } => e = inner,
            _ => return e,
        }
    }
}

fn function_parts<'a>(f: &'a Function, exprs: &mut Vec<&'a Expr>, queries: &mut Vec<&'a Query>) {
    for args in [&f.parameters, &f.args] {
        match args {
            FunctionArguments::None => {}
            FunctionArguments::Subquery(q) => queries.push(q),
            FunctionArguments::List(list) => {
                for a in &list.args {
                    let fae = match a {
                        FunctionArg::Named { arg, .. } => arg,
                        FunctionArg::ExprNamed { name, arg, .. } => {
                            exprs.push(name);
                            arg
                        }
                        FunctionArg::Unnamed(arg) => arg,
                    };
                    if let FunctionArgExpr::Expr(e) = fae {
                        exprs.push(e);
                    }
                }
                for c in &list.clauses {
                    match c {
                        FunctionArgumentClause::Where(e) | FunctionArgumentClause::Limit(e) => {
                            exprs.push(e)
                        }
                        FunctionArgumentClause::OrderBy(obs) => {
                            exprs.extend(obs.iter().map(|o| &o.expr))
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    exprs.extend(f.within_group.iter().map(|o| &o.expr));
    if let Some(filter) = &f.filter {
        exprs.push(filter);
    }
    if let Some(WindowType::WindowSpec(spec)) = &f.over {
        exprs.extend(spec.partition_by.iter());
        exprs.extend(spec.order_by.iter().map(|o| &o.expr));
    }
}

/// Direct sub-expressions and subqueries of `e`. Returns `false` when the
/// variant is not understood (callers then answer conservatively).
/// Identifiers are leaves and not handled here.
pub(super) fn expr_parts<'a>(
    e: &'a Expr,
    exprs: &mut Vec<&'a Expr>,
    queries: &mut Vec<&'a Query>,
) -> bool {
    match e {
        Expr::Identifier(_) | Expr::CompoundIdentifier(_) => {}
        Expr::Value(_) | Expr::TypedString(_) => {}
        Expr::Wildcard(_) | Expr::QualifiedWildcard(..) => return false,
        Expr::CompoundFieldAccess { root, .. } => exprs.push(root),
        Expr::JsonAccess { value, .. } => exprs.push(value),
        Expr::IsFalse(x)
        | Expr::IsNotFalse(x)
        | Expr::IsTrue(x)
        | Expr::IsNotTrue(x)
        | Expr::IsNull(x)
        | Expr::IsNotNull(x)
        | Expr::IsUnknown(x)
        | Expr::IsNotUnknown(x)
        | Expr::Nested(x)
        | Expr::OuterJoin(x)
        | Expr::Prior(x) => exprs.push(x),
        Expr::IsDistinctFrom(a, b) | Expr::IsNotDistinctFrom(a, b) => {
            exprs.push(a);
            exprs.push(b);
        }
        Expr::IsJson { expr, .. } | Expr::IsNormalized { expr, .. } => exprs.push(expr),
        Expr::In { expr, target, .. } => {
            exprs.push(expr);
            match target {
                InTarget::List(list) => exprs.extend(list.iter()),
                InTarget::Subquery(q) => queries.push(q),
                InTarget::Unnest(x) => exprs.push(x),
                InTarget::Table { .. } => return false,
            }
        }
        Expr::Between {
            expr, low, high, ..
        } => {
            exprs.push(expr);
            exprs.push(low);
            exprs.push(high);
        }
        Expr::BinaryOp { left, right, .. }
        | Expr::AnyOp { left, right, .. }
        | Expr::AllOp { left, right, .. } => {
            exprs.push(left);
            exprs.push(right);
        }
        Expr::Like {
            expr,
            pattern,
            escape_char,
            ..
        }
        | Expr::ILike {
            expr,
            pattern,
            escape_char,
            ..
        }
        | Expr::SimilarTo {
            expr,
            pattern,
            escape_char,
            ..
        } => {
            exprs.push(expr);
            exprs.push(pattern);
            if let Some(esc) = escape_char {
                exprs.push(esc);
            }
        }
        Expr::RLike { expr, pattern, .. } => {
            exprs.push(expr);
            exprs.push(pattern);
        }
        Expr::UnaryOp { expr, .. }
        | Expr::Cast { expr, .. }
        | Expr::Extract { expr, .. }
        | Expr::Ceil { expr, .. }
        | Expr::Floor { expr, .. }
        | Expr::Collate { expr, .. }
        | Expr::Named { expr, .. } => exprs.push(expr),
        Expr::Prefixed { value, .. } => exprs.push(value),
        Expr::Convert { expr, styles, .. } => {
            exprs.push(expr);
            exprs.extend(styles.iter());
        }
        Expr::AtTimeZone {
            timestamp,
            time_zone,
        } => {
            exprs.push(timestamp);
            exprs.push(time_zone);
        }
        Expr::Position { expr, r#in } => {
            exprs.push(expr);
            exprs.push(r#in);
        }
        Expr::Substring {
            expr,
            substring_from,
            substring_for,
            ..
        } => {
            exprs.push(expr);
            exprs.extend(substring_from.iter().map(|b| &**b));
            exprs.extend(substring_for.iter().map(|b| &**b));
        }
        Expr::Trim {
            expr,
            trim_what,
            trim_characters,
            ..
        } => {
            exprs.push(expr);
            exprs.extend(trim_what.iter().map(|b| &**b));
            if let Some(chars) = trim_characters {
                exprs.extend(chars.iter());
            }
        }
        Expr::Overlay {
            expr,
            overlay_what,
            overlay_from,
            overlay_for,
        } => {
            exprs.push(expr);
            exprs.push(overlay_what);
            exprs.push(overlay_from);
            exprs.extend(overlay_for.iter().map(|b| &**b));
        }
        Expr::Function(f) => function_parts(f, exprs, queries),
        Expr::Case {
            operand,
            conditions,
            else_result,
            ..
        } => {
            exprs.extend(operand.iter().map(|b| &**b));
            for c in conditions {
                exprs.push(&c.condition);
                exprs.push(&c.result);
            }
            exprs.extend(else_result.iter().map(|b| &**b));
        }
        Expr::Exists { subquery, .. } | Expr::Subquery(subquery) => queries.push(subquery),
        Expr::GroupingSets(sets) | Expr::Cube(sets) | Expr::Rollup(sets) => {
            exprs.extend(sets.iter().flatten())
        }
        Expr::Tuple(items) => exprs.extend(items.iter()),
        Expr::Struct { values, .. } => exprs.extend(values.iter()),
        Expr::Array(a) => exprs.extend(a.elem.iter()),
        Expr::Interval(i) => exprs.push(&i.value),
        // Reads the listed columns.
        Expr::MatchAgainst { .. } => return false,
        _ => return false,
    }
    true
}

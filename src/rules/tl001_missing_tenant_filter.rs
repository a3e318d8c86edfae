//! TL001 missing-tenant-filter: a tenant table is queried without a tenant predicate.

use super::{Finding, QueryContext, Rule};
use crate::sql::analyze::Constraint;

pub fn check(ctx: &QueryContext) -> Vec<Finding> {
    let col = ctx.tenant_column;
    ctx.facts
        .refs
        .iter()
        .filter(|r| matches!(r.constrained, Constraint::No))
        .filter_map(|r| {
            let qualifier = r.alias.as_deref().unwrap_or(&r.table);
            ctx.finding(
                Rule::MissingTenantFilter,
                r.name_offset.clone(),
                &r.table,
                format!(
                    "`{}` is queried with no `{col}` predicate: the query reaches every tenant's rows",
                    r.table
                ),
                format!("no `{col}` predicate constrains `{}`", r.table),
                format!(
                    "add `AND {qualifier}.{col} = …` (the current tenant) to the WHERE clause, or to the ON of the join that brings `{}` in",
                    r.table
                ),
            )
        })
        .collect()
}

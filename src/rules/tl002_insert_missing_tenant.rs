//! TL002 insert-missing-tenant: a row is inserted into a tenant table without the tenant column.

use super::{Finding, QueryContext, Rule};

pub fn check(ctx: &QueryContext) -> Vec<Finding> {
    let col = ctx.tenant_column;
    ctx.facts
        .inserts
        .iter()
        .filter(|i| !i.sets_tenant_column)
        .filter_map(|i| {
            let (message, label) = if i.has_column_list {
                (
                    format!("row inserted into `{}` without `{col}`: it belongs to no tenant", i.table),
                    format!("`{col}` is not among the columns set"),
                )
            } else {
                (
                    format!(
                        "row inserted into `{}` without a column list: `{col}` cannot be shown to be set",
                        i.table
                    ),
                    "no column list".to_string(),
                )
            };
            ctx.finding(
                Rule::InsertMissingTenant,
                i.name_offset.clone(),
                &i.table,
                message,
                label,
                format!("set `{col}` to the current tenant in the column list (e.g. `{col} = '…'`)"),
            )
        })
        .collect()
}

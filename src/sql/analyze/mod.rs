//! Tenant-safety facts extracted from parsed SQL (rules TL001 and TL002).
//!
//! [`analyze`] walks each statement, splits it into *query scopes* (every
//! `SELECT` — including subqueries, derived tables, CTE bodies and set
//! operation branches — and every `UPDATE` / `DELETE`), registers every table
//! factor of each scope as a *reference*, and collects the filters that apply
//! to each reference (the scope's `WHERE`, inner-join `ON`s, and the `ON` of
//! the outer join that brings a reference in). A reference's tenant column is
//! then "constrained" when some AND-conjunct of an applicable filter pins it
//! to a value, or equates it with the tenant column of another (possibly
//! enclosing) reference that is itself constrained; this is solved as a
//! fixpoint over a three-level lattice `No < Hole < Yes`, where `Hole` means
//! "not constrained, but an opaque interpolated fragment could constrain it".
//!
//! A value is anything that reads no column: literals, bound parameters (`?`, `$1`, `?1`,
//! `:name`), placeholders, and functions, casts and uncorrelated subqueries of them. A
//! predicate pins the tenant column with `=` (`<=>`, `IS NOT DISTINCT FROM`, row values
//! `(tenant_id, id) = ($1, $2)`), `IN (…)` or `= ANY(…)`, either side possibly cast
//! (`tenant_id = $1::uuid`). `JOIN … USING (tenant column)` equates both sides' columns, and
//! the unqualified column is then their merged one. The extra tables of `UPDATE … FROM` and
//! `DELETE … USING` are references of the statement's scope; the statements of data-modifying
//! CTEs are checked like any other; `ON DUPLICATE KEY UPDATE` / `ON CONFLICT … DO UPDATE` are
//! part of their INSERT, not query scopes; `RETURNING` lists are scanned for subqueries only.
//!
//! Depth: the AST depth is bounded by the parser's recursion limit (see
//! `parse.rs`); in addition, expression evaluation gives up beyond
//! `MAX_EXPR_DEPTH` with the conservative answer (not a value / does not
//! constrain).

mod eval;
mod expr;
mod names;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_postgres;
mod walk;

use std::ops::Range;

use sqlparser::ast::Statement;

use names::Positions;
use walk::Walker;

/// What the rules consider a tenant: the tenant column and which tables
/// carry tenant data.
pub struct TenantPolicy<'a> {
    /// Tenant column, e.g. `"ep_code"`; compared case-insensitively.
    pub column: &'a str,
    /// Called with the bare table name (schema stripped, unquoted); `true`
    /// when the table holds per-tenant rows (exempt tables answer `false`).
    pub is_tenant_table: &'a dyn Fn(&str) -> bool,
}

/// One reference to a tenant table in a SELECT / UPDATE / DELETE scope.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TableRef {
    /// Bare table name as written (schema prefix dropped, unquoted).
    pub table: String,
    /// Byte range of the table-name identifier (last part of the object
    /// name) in the SQL string, without surrounding backquotes.
    pub name_offset: Range<usize>,
    /// The reference's alias as written (unquoted), if it has one.
    pub alias: Option<String>,
    /// Whether the reference is constrained on the tenant column.
    pub constrained: Constraint,
}

/// Constraint status of a [`TableRef`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Constraint {
    /// Some applicable conjunct pins the tenant column.
    Yes,
    /// Nothing pins the tenant column.
    No,
    /// Not constrained, but an applicable conjunct is an opaque interpolated
    /// fragment (a bare `__tl_hN` placeholder) that might constrain it.
    Unknown,
}

/// One INSERT / REPLACE into a tenant table.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InsertFacts {
    /// Bare target table name.
    pub table: String,
    /// Byte range of the table-name identifier (without backquotes).
    pub name_offset: Range<usize>,
    /// `true` for an explicit `(cols)` list or the MySQL `SET` form.
    pub has_column_list: bool,
    /// The column list / `SET` assignments include the tenant column.
    pub sets_tenant_column: bool,
}

/// Everything [`analyze`] found in a list of statements.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct QueryFacts {
    /// Every tenant-table reference in every query scope.
    pub refs: Vec<TableRef>,
    /// Every INSERT / REPLACE into a tenant table.
    pub inserts: Vec<InsertFacts>,
    /// Every table name referenced anywhere (tenant or not) with its byte
    /// range; CTE names used as tables are not included.
    pub table_names: Vec<(String, Range<usize>)>,
}

/// Extracts tenant facts from `stmts`, which were parsed from `sql` (spans in
/// the AST are mapped back to byte offsets in `sql`).
pub fn analyze(stmts: &[Statement], sql: &str, policy: &TenantPolicy) -> QueryFacts {
    let index = Positions::new(sql);
    let mut facts = QueryFacts::default();
    for stmt in stmts {
        let mut w = Walker::new(&index, policy);
        w.statement(stmt, None);
        w.finish(&mut facts);
    }
    facts
}

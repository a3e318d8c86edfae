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
//! Depth: the AST depth is bounded by the parser's recursion limit (see
//! `parse.rs`); in addition, expression evaluation gives up beyond
//! `MAX_EXPR_DEPTH` with the conservative answer (not a value / does not
//! constrain).

use std::collections::HashMap;
use std::ops::Range;

use sqlparser::ast::{
    Assignment, BinaryOperator, Delete, Expr, FromTable, Function, FunctionArg, FunctionArgExpr,
    FunctionArgumentClause, FunctionArguments, GroupByExpr, Ident, InTarget, Insert,
    JoinConstraint, JoinOperator, LimitClause, ObjectName, ObjectNamePart, OnInsert, OrderByKind,
    Query, Select, SelectItem, SetExpr, Statement, TableFactor, TableObject, TableWithJoins,
    Update, UpdateTableFromKind, WindowType,
};

/// Expressions nested deeper than this are treated conservatively.
const MAX_EXPR_DEPTH: usize = 256;

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
#[derive(Debug, Clone, PartialEq, Eq)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
#[derive(Debug, Clone, PartialEq, Eq)]
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
#[derive(Debug, Clone, Default)]
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
    let index = LineIndex::new(sql);
    let mut facts = QueryFacts::default();
    for stmt in stmts {
        let mut w = Walker::new(&index, policy);
        w.statement(stmt, None);
        w.finish(&mut facts);
    }
    facts
}

// ---------------------------------------------------------------------------
// Positions

/// Maps sqlparser's 1-based (line, column) locations — columns count
/// characters, lines are separated by `\n` — to byte offsets.
struct LineIndex<'s> {
    sql: &'s str,
    line_starts: Vec<usize>,
}

impl<'s> LineIndex<'s> {
    fn new(sql: &'s str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(sql.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { sql, line_starts }
    }

    /// Byte offset of a 1-based line/column location, if inside the text.
    fn offset(&self, line: u64, column: u64) -> Option<usize> {
        let line = usize::try_from(line).ok()?.checked_sub(1)?;
        let col = usize::try_from(column).ok()?.checked_sub(1)?;
        let start = *self.line_starts.get(line)?;
        let rest = self.sql.get(start..)?;
        let mut chars = rest.char_indices();
        match chars.nth(col) {
            Some((i, _)) => Some(start + i),
            // Column just past the last character of the text.
            None => {
                let n = rest.chars().count();
                (n == col).then_some(start + rest.len())
            }
        }
    }

    /// Byte range of an identifier's name (without quotes).
    fn ident_range(&self, id: &Ident) -> Range<usize> {
        let Some(mut start) = self.offset(id.span.start.line, id.span.start.column) else {
            return 0..0;
        };
        if let Some(q) = id.quote_style {
            if self.sql[start..].starts_with(q) {
                start += q.len_utf8();
            }
        }
        if self.sql[start..].starts_with(id.value.as_str()) {
            return start..start + id.value.len();
        }
        // Escaped quotes inside the name: fall back to the span end.
        let end = self
            .offset(id.span.end.line, id.span.end.column)
            .unwrap_or(start)
            .max(start);
        let mut end = end;
        if let Some(q) = id.quote_style {
            if end > start && self.sql[..end].ends_with(q) {
                end -= q.len_utf8();
            }
        }
        start..end
    }
}

// ---------------------------------------------------------------------------
// Helpers on identifiers and expressions

/// `true` for a caller placeholder identifier `__tl_h<digits>`.
pub fn is_placeholder(name: &str) -> bool {
    name.strip_prefix(super::template::PLACEHOLDER_PREFIX)
        .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
}

fn strip_nested(mut e: &Expr) -> &Expr {
    while let Expr::Nested(inner) = e {
        e = inner;
    }
    e
}

fn last_ident(name: &ObjectName) -> Option<&Ident> {
    match name.0.last()? {
        ObjectNamePart::Identifier(id) => Some(id),
        ObjectNamePart::Function(_) => None,
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
fn expr_parts<'a>(e: &'a Expr, exprs: &mut Vec<&'a Expr>, queries: &mut Vec<&'a Query>) -> bool {
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

// ---------------------------------------------------------------------------
// Walker: scopes, references, filters

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    No,
    Hole,
    Yes,
}

struct Scope {
    parent: Option<usize>,
    refs: Vec<usize>,
    /// Qualifiers (lowercased) of `q.col` column references written directly
    /// in this scope's expressions.
    qualified_reads: Vec<String>,
}

struct RefInfo {
    scope: usize,
    /// Alias if any, else table / CTE name; lowercased.
    qualifier: String,
    /// Alias as written, if any.
    alias: Option<String>,
    /// `Some` for a real table (not a CTE / derived table / function).
    table: Option<(String, Range<usize>)>,
    tenant: bool,
    /// `false` for references inside `ON DUPLICATE KEY UPDATE`.
    report: bool,
}

enum Target {
    All,
    Only(Vec<usize>),
}

enum Cond<'a> {
    Expr(&'a Expr),
    /// `JOIN … USING (ep_code)`: the target shares the tenant column with these references.
    Using(Vec<usize>),
    /// An opaque fragment (placeholder used as a table alias, i.e. text
    /// appended right after a table name, such as `FROM t $where`).
    Hole,
}

struct Filter<'a> {
    scope: usize,
    cond: Cond<'a>,
    target: Target,
}

struct Walker<'a, 'p> {
    index: &'p LineIndex<'p>,
    policy: &'p TenantPolicy<'p>,
    scopes: Vec<Scope>,
    refs: Vec<RefInfo>,
    filters: Vec<Filter<'a>>,
    inserts: Vec<InsertFacts>,
    table_names: Vec<(String, Range<usize>)>,
    /// Visible CTE names (lowercased), innermost last.
    ctes: Vec<String>,
    /// > 0 while walking parts whose references are not reported.
    suppress: usize,
    /// Scope ids created while walking each subquery (by address).
    query_scopes: HashMap<usize, Range<usize>>,
}

type Pending<'a> = Vec<(&'a Expr, Target)>;

impl<'a, 'p> Walker<'a, 'p> {
    fn new(index: &'p LineIndex<'p>, policy: &'p TenantPolicy<'p>) -> Self {
        Walker {
            index,
            policy,
            scopes: Vec::new(),
            refs: Vec::new(),
            filters: Vec::new(),
            inserts: Vec::new(),
            table_names: Vec::new(),
            ctes: Vec::new(),
            suppress: 0,
            query_scopes: HashMap::new(),
        }
    }

    fn new_scope(&mut self, parent: Option<usize>) -> usize {
        self.scopes.push(Scope {
            parent,
            refs: Vec::new(),
            qualified_reads: Vec::new(),
        });
        self.scopes.len() - 1
    }

    fn add_ref(
        &mut self,
        scope: usize,
        qualifier: String,
        alias: Option<String>,
        table: Option<(String, Range<usize>)>,
    ) -> usize {
        let tenant = table
            .as_ref()
            .is_some_and(|(name, _)| (self.policy.is_tenant_table)(name));
        self.refs.push(RefInfo {
            scope,
            qualifier: qualifier.to_lowercase(),
            alias,
            table,
            tenant,
            report: self.suppress == 0,
        });
        let id = self.refs.len() - 1;
        self.scopes[scope].refs.push(id);
        id
    }

    // -- statements ---------------------------------------------------------

    fn statement(&mut self, stmt: &'a Statement, parent: Option<usize>) {
        match stmt {
            Statement::Query(q) => self.query(q, parent),
            Statement::Insert(ins) => self.insert(ins, parent),
            Statement::Update(upd) => self.update(upd, parent),
            Statement::Delete(del) => self.delete(del, parent),
            _ => {}
        }
    }

    fn insert(&mut self, ins: &'a Insert, parent: Option<usize>) {
        if let TableObject::TableName(name) = &ins.table {
            if let Some(id) = last_ident(name) {
                let range = self.index.ident_range(id);
                self.table_names.push((id.value.clone(), range.clone()));
                if (self.policy.is_tenant_table)(&id.value) {
                    let col = self.policy.column;
                    let is_col = |n: &ObjectName| {
                        last_ident(n).is_some_and(|i| i.value.eq_ignore_ascii_case(col))
                    };
                    let sets_tenant_column = ins.columns.iter().any(is_col)
                        || ins
                            .assignments
                            .iter()
                            .any(|a| assignment_targets(a).any(is_col));
                    self.inserts.push(InsertFacts {
                        table: id.value.clone(),
                        name_offset: range,
                        has_column_list: !ins.columns.is_empty() || !ins.assignments.is_empty(),
                        sets_tenant_column,
                    });
                }
            }
        }
        if let Some(src) = &ins.source {
            self.query(src, parent);
        }
        for a in &ins.assignments {
            self.scan_expr(&a.value, parent);
        }
        if let Some(OnInsert::DuplicateKeyUpdate(assignments)) = &ins.on {
            // Not a site: only table names are collected.
            self.suppress += 1;
            for a in assignments {
                self.scan_expr(&a.value, parent);
            }
            self.suppress -= 1;
        }
    }

    fn update(&mut self, upd: &'a Update, parent: Option<usize>) {
        let sid = self.new_scope(parent);
        let mut pending = Pending::new();
        self.join_tree(&upd.table, sid, &mut pending);
        if let Some(UpdateTableFromKind::BeforeSet(f) | UpdateTableFromKind::AfterSet(f)) =
            &upd.from
        {
            for twj in f {
                self.join_tree(twj, sid, &mut pending);
            }
        }
        self.finish_scope(sid, pending, upd.selection.as_ref());
        for a in &upd.assignments {
            self.scan_expr(&a.value, Some(sid));
        }
        for o in &upd.order_by {
            self.scan_expr(&o.expr, Some(sid));
        }
        if let Some(l) = &upd.limit {
            self.scan_expr(l, Some(sid));
        }
    }

    fn delete(&mut self, del: &'a Delete, parent: Option<usize>) {
        let sid = self.new_scope(parent);
        let mut pending = Pending::new();
        let from = match &del.from {
            FromTable::WithFromKeyword(v) | FromTable::WithoutKeyword(v) => v,
        };
        match &del.using {
            // `DELETE FROM t1, t2 USING <refs>`: the FROM list names targets.
            Some(using) => {
                for twj in using {
                    self.join_tree(twj, sid, &mut pending);
                }
            }
            None => {
                for twj in from {
                    self.join_tree(twj, sid, &mut pending);
                }
            }
        }
        self.finish_scope(sid, pending, del.selection.as_ref());
        for o in &del.order_by {
            self.scan_expr(&o.expr, Some(sid));
        }
        if let Some(l) = &del.limit {
            self.scan_expr(l, Some(sid));
        }
    }

    // -- queries ------------------------------------------------------------

    fn query(&mut self, q: &'a Query, parent: Option<usize>) {
        let first_scope = self.scopes.len();
        let cte_mark = self.ctes.len();
        if let Some(with) = &q.with {
            for cte in &with.cte_tables {
                let name = cte.alias.name.value.to_lowercase();
                if with.recursive {
                    self.ctes.push(name);
                    self.query(&cte.query, parent);
                } else {
                    self.query(&cte.query, parent);
                    self.ctes.push(name);
                }
            }
        }
        let body_scope = self.set_expr(&q.body, parent);
        let ctx = body_scope.or(parent);
        if let Some(ob) = &q.order_by {
            if let OrderByKind::Expressions(list) = &ob.kind {
                for o in list {
                    self.scan_expr(&o.expr, ctx);
                }
            }
        }
        match &q.limit_clause {
            Some(LimitClause::LimitOffset {
                limit,
                offset,
                limit_by,
            }) => {
                if let Some(l) = limit {
                    self.scan_expr(l, ctx);
                }
                if let Some(o) = offset {
                    self.scan_expr(&o.value, ctx);
                }
                for e in limit_by {
                    self.scan_expr(e, ctx);
                }
            }
            Some(LimitClause::OffsetCommaLimit { offset, limit }) => {
                self.scan_expr(offset, ctx);
                self.scan_expr(limit, ctx);
            }
            None => {}
        }
        self.ctes.truncate(cte_mark);
        self.query_scopes
            .insert(q as *const Query as usize, first_scope..self.scopes.len());
    }

    /// Walks a query body; returns the scope id when it is a single SELECT.
    fn set_expr(&mut self, body: &'a SetExpr, parent: Option<usize>) -> Option<usize> {
        match body {
            SetExpr::Select(s) => Some(self.select(s, parent)),
            SetExpr::Query(q) => {
                self.query(q, parent);
                None
            }
            SetExpr::SetOperation { left, right, .. } => {
                self.set_expr(left, parent);
                self.set_expr(right, parent);
                None
            }
            SetExpr::Values(v) => {
                for row in &v.rows {
                    for e in &row.content {
                        self.scan_expr(e, parent);
                    }
                }
                None
            }
            SetExpr::Insert(s) | SetExpr::Update(s) | SetExpr::Delete(s) => {
                self.statement(s, parent);
                None
            }
            SetExpr::Table(t) => {
                // MySQL 8 `TABLE t`: an unfiltered read of the table.
                let id = t.table_name.as_ref()?;
                let sid = self.new_scope(parent);
                let range = self.index.ident_range(id);
                self.table_names.push((id.value.clone(), range.clone()));
                self.add_ref(sid, id.value.clone(), None, Some((id.value.clone(), range)));
                Some(sid)
            }
            SetExpr::Merge(_) => None,
        }
    }

    fn select(&mut self, s: &'a Select, parent: Option<usize>) -> usize {
        let sid = self.new_scope(parent);
        let mut pending = Pending::new();
        for twj in &s.from {
            self.join_tree(twj, sid, &mut pending);
        }
        self.finish_scope(sid, pending, s.selection.as_ref());
        let ctx = Some(sid);
        for item in &s.projection {
            match item {
                SelectItem::UnnamedExpr(e)
                | SelectItem::ExprWithAlias { expr: e, .. }
                | SelectItem::ExprWithAliases { expr: e, .. } => self.scan_expr(e, ctx),
                _ => {}
            }
        }
        if let Some(e) = &s.prewhere {
            self.scan_expr(e, ctx);
        }
        if let GroupByExpr::Expressions(list, _) = &s.group_by {
            for e in list {
                self.scan_expr(e, ctx);
            }
        }
        for e in s.cluster_by.iter().chain(&s.distribute_by) {
            self.scan_expr(e, ctx);
        }
        for o in &s.sort_by {
            self.scan_expr(&o.expr, ctx);
        }
        if let Some(e) = &s.having {
            self.scan_expr(e, ctx);
        }
        if let Some(e) = &s.qualify {
            self.scan_expr(e, ctx);
        }
        sid
    }

    /// Records the WHERE and the pending join conditions of a scope as
    /// filters and scans them for subqueries (after all references of the
    /// scope are known, so correlated subqueries resolve).
    fn finish_scope(&mut self, sid: usize, pending: Pending<'a>, selection: Option<&'a Expr>) {
        let mut exprs = Vec::new();
        if let Some(w) = selection {
            exprs.push(w);
            self.filters.push(Filter {
                scope: sid,
                cond: Cond::Expr(w),
                target: Target::All,
            });
        }
        for (e, target) in pending {
            exprs.push(e);
            self.filters.push(Filter {
                scope: sid,
                cond: Cond::Expr(e),
                target,
            });
        }
        for e in exprs {
            self.scan_expr(e, Some(sid));
        }
    }

    /// Registers the references of one FROM item; returns their ids. Join
    /// conditions are appended to `pending`.
    fn join_tree(
        &mut self,
        twj: &'a TableWithJoins,
        sid: usize,
        pending: &mut Pending<'a>,
    ) -> Vec<usize> {
        let mut all = self.factor(&twj.relation, sid, pending);
        for join in &twj.joins {
            let (outer, constraint) = join_kind(&join.join_operator);
            let mut inner_pending = Pending::new();
            let right = self.factor(&join.relation, sid, &mut inner_pending);
            for (e, target) in inner_pending {
                // Inner joins nested inside an outer-joined item only filter
                // that item.
                let target = match (outer, target) {
                    (true, Target::All) => Target::Only(right.clone()),
                    (_, t) => t,
                };
                pending.push((e, target));
            }
            let using_tenant = match constraint {
                Some(JoinConstraint::Using(cols)) | Some(JoinConstraint::UsingAlias(cols, _)) => {
                    cols.iter().any(|c| {
                        last_ident(c)
                            .is_some_and(|i| i.value.eq_ignore_ascii_case(self.policy.column))
                    })
                }
                _ => false,
            };
            if using_tenant {
                // `USING (ep_code)` equates the two sides' tenant columns: the filtered
                // (nullable) side is constrained when the other one is.
                let pairs = match (outer, nullable_side(&join.join_operator)) {
                    (false, _) => vec![(all.clone(), right.clone()), (right.clone(), all.clone())],
                    (true, Side::Right) => vec![(all.clone(), right.clone())],
                    (true, Side::Left) => vec![(right.clone(), all.clone())],
                    (true, Side::Neither) => Vec::new(),
                };
                for (from, target) in pairs {
                    self.filters.push(Filter {
                        scope: sid,
                        cond: Cond::Using(from),
                        target: Target::Only(target),
                    });
                }
            }
            if let Some(JoinConstraint::On(e)) = constraint {
                // An outer join's ON filters only its nullable side: the item a LEFT JOIN
                // brings in, everything before a RIGHT JOIN, neither side of a FULL JOIN.
                let target = match nullable_side(&join.join_operator) {
                    _ if !outer => Some(Target::All),
                    Side::Right => Some(Target::Only(right.clone())),
                    Side::Left => Some(Target::Only(all.clone())),
                    Side::Neither => None,
                };
                if let Some(target) = target {
                    pending.push((e, target));
                }
            }
            all.extend(right);
        }
        all
    }

    fn factor(&mut self, tf: &'a TableFactor, sid: usize, pending: &mut Pending<'a>) -> Vec<usize> {
        match tf {
            TableFactor::Table { name, alias, .. } => {
                let Some(id) = last_ident(name) else {
                    return Vec::new();
                };
                let alias_name = alias.as_ref().map(|a| &a.name);
                let qualifier = alias_name.unwrap_or(id).value.clone();
                let alias_text = alias_name.map(|a| a.value.clone());
                let lower = id.value.to_lowercase();
                let r = if name.0.len() == 1 && self.ctes.contains(&lower) {
                    self.add_ref(sid, qualifier, alias_text.clone(), None)
                } else {
                    let range = self.index.ident_range(id);
                    self.table_names.push((id.value.clone(), range.clone()));
                    self.add_ref(sid, qualifier, alias_text, Some((id.value.clone(), range)))
                };
                if alias_name.is_some_and(|a| is_placeholder(&a.value)) {
                    self.filters.push(Filter {
                        scope: sid,
                        cond: Cond::Hole,
                        target: Target::All,
                    });
                }
                vec![r]
            }
            TableFactor::Derived {
                lateral,
                subquery,
                alias,
                ..
            } => {
                let parent = if *lateral {
                    Some(sid)
                } else {
                    self.scopes[sid].parent
                };
                self.query(subquery, parent);
                match alias {
                    Some(a) => vec![self.add_ref(
                        sid,
                        a.name.value.clone(),
                        Some(a.name.value.clone()),
                        None,
                    )],
                    None => Vec::new(),
                }
            }
            TableFactor::NestedJoin {
                table_with_joins, ..
            } => self.join_tree(table_with_joins, sid, pending),
            TableFactor::TableFunction { expr, alias } => {
                self.scan_expr(expr, Some(sid));
                match alias {
                    Some(a) => vec![self.add_ref(
                        sid,
                        a.name.value.clone(),
                        Some(a.name.value.clone()),
                        None,
                    )],
                    None => Vec::new(),
                }
            }
            TableFactor::Function { args, alias, .. } => {
                for a in args {
                    if let FunctionArg::Unnamed(FunctionArgExpr::Expr(e))
                    | FunctionArg::Named {
                        arg: FunctionArgExpr::Expr(e),
                        ..
                    } = a
                    {
                        self.scan_expr(e, Some(sid));
                    }
                }
                match alias {
                    Some(a) => vec![self.add_ref(
                        sid,
                        a.name.value.clone(),
                        Some(a.name.value.clone()),
                        None,
                    )],
                    None => Vec::new(),
                }
            }
            _ => Vec::new(),
        }
    }

    /// Scans an expression of scope `sid`: records qualified column reads
    /// and walks every subquery as a child scope.
    fn scan_expr(&mut self, e: &'a Expr, sid: Option<usize>) {
        let mut stack = vec![e];
        while let Some(e) = stack.pop() {
            if let (Expr::CompoundIdentifier(parts), Some(s)) = (e, sid) {
                if parts.len() >= 2 {
                    let q = parts[parts.len() - 2].value.to_lowercase();
                    self.scopes[s].qualified_reads.push(q);
                }
            }
            let mut children = Vec::new();
            let mut queries = Vec::new();
            expr_parts(e, &mut children, &mut queries);
            // Reversed so that subqueries are walked in source order.
            stack.extend(children.into_iter().rev());
            for q in queries {
                self.query(q, sid);
            }
        }
    }

    // -- evaluation ---------------------------------------------------------

    /// Resolves a qualifier from scope `sid` outwards.
    fn resolve(&self, qualifier: &str, sid: usize) -> Option<usize> {
        let q = qualifier.to_lowercase();
        let mut cur = Some(sid);
        let mut guard = 0;
        while let Some(s) = cur {
            if let Some(&r) = self.scopes[s]
                .refs
                .iter()
                .find(|&&r| self.refs[r].qualifier == q)
            {
                return Some(r);
            }
            cur = self.scopes[s].parent;
            guard += 1;
            if guard > self.scopes.len() {
                break;
            }
        }
        None
    }

    fn is_ancestor_or_self(&self, anc: usize, mut s: usize) -> bool {
        for _ in 0..=self.scopes.len() {
            if s == anc {
                return true;
            }
            match self.scopes[s].parent {
                Some(p) => s = p,
                None => return false,
            }
        }
        false
    }

    /// Does subquery `q` read a column of scope `sid` or an enclosing one?
    fn query_reads_outer(&self, q: &Query, sid: usize) -> bool {
        let Some(range) = self.query_scopes.get(&(q as *const Query as usize)) else {
            return true;
        };
        range.clone().any(|s| {
            self.scopes[s].qualified_reads.iter().any(|qual| {
                self.resolve(qual, s).is_some_and(|r| {
                    let rs = self.refs[r].scope;
                    !range.contains(&rs) && self.is_ancestor_or_self(rs, sid)
                })
            })
        })
    }

    /// Does `e` read a column of scope `sid` or an enclosing scope?
    fn reads_column(&self, e: &Expr, sid: usize, depth: usize) -> bool {
        if depth > MAX_EXPR_DEPTH {
            return true;
        }
        match e {
            Expr::Identifier(id) => !(is_placeholder(&id.value) || id.value.starts_with('@')),
            Expr::CompoundIdentifier(_) => true,
            _ => {
                let mut exprs = Vec::new();
                let mut queries = Vec::new();
                if !expr_parts(e, &mut exprs, &mut queries) {
                    return true;
                }
                exprs.iter().any(|x| self.reads_column(x, sid, depth + 1))
                    || queries.iter().any(|q| self.query_reads_outer(q, sid))
            }
        }
    }

    /// If `e` is the tenant column (bare or qualified), the reference it
    /// denotes from scope `sid`: `Ok(Some(r))` for a qualified column that
    /// resolves, `Ok(None)` for the unqualified column, `Err(())` otherwise.
    fn tenant_column(&self, e: &Expr, sid: usize) -> Result<Option<usize>, ()> {
        let col = self.policy.column;
        match strip_nested(e) {
            Expr::Identifier(id) if id.value.eq_ignore_ascii_case(col) => Ok(None),
            Expr::CompoundIdentifier(parts)
                if parts.len() >= 2 && parts[parts.len() - 1].value.eq_ignore_ascii_case(col) =>
            {
                self.resolve(&parts[parts.len() - 2].value, sid)
                    .map(Some)
                    .ok_or(())
            }
            _ => Err(()),
        }
    }

    /// Is `e` the tenant column of reference `r` (a reference of scope `sid`)?
    fn is_col_of(&self, e: &Expr, r: usize, sid: usize) -> bool {
        match self.tenant_column(e, sid) {
            Ok(Some(x)) => x == r,
            Ok(None) => {
                self.refs[r].tenant
                    && self.scopes[sid]
                        .refs
                        .iter()
                        .filter(|&&x| self.refs[x].tenant)
                        .count()
                        == 1
            }
            Err(()) => false,
        }
    }

    /// `col_side = val_side` where `col_side` must be `r`'s tenant column.
    fn eq_side(&self, col_side: &Expr, val: &Expr, r: usize, sid: usize, st: &[Level]) -> Level {
        if !self.is_col_of(col_side, r, sid) {
            return Level::No;
        }
        if let Ok(Some(o)) = self.tenant_column(val, sid) {
            return if o == r { Level::No } else { st[o] };
        }
        if self.reads_column(strip_nested(val), sid, 0) {
            Level::No
        } else {
            Level::Yes
        }
    }

    /// Level to which condition `e` (an AND/OR tree) constrains `r`.
    fn eval(&self, e: &Expr, r: usize, sid: usize, st: &[Level], depth: usize) -> Level {
        if depth > MAX_EXPR_DEPTH {
            return Level::No;
        }
        match strip_nested(e) {
            Expr::BinaryOp {
                left,
                op: BinaryOperator::And,
                right,
            } => {
                self.eval(left, r, sid, st, depth + 1)
                    .max(self.eval(right, r, sid, st, depth + 1))
            }
            Expr::BinaryOp {
                left,
                op: BinaryOperator::Or,
                right,
            } => {
                self.eval(left, r, sid, st, depth + 1)
                    .min(self.eval(right, r, sid, st, depth + 1))
            }
            Expr::Identifier(id) if is_placeholder(&id.value) => Level::Hole,
            Expr::BinaryOp {
                left,
                op: BinaryOperator::Eq | BinaryOperator::Spaceship,
                right,
            } => self
                .eq_side(left, right, r, sid, st)
                .max(self.eq_side(right, left, r, sid, st)),
            Expr::In {
                expr,
                target,
                negated: false,
                ..
            } if self.is_col_of(expr, r, sid) => match target {
                InTarget::Subquery(_) => Level::Yes,
                InTarget::List(list) if list.len() == 1 => self.eq_side(expr, &list[0], r, sid, st),
                InTarget::List(list)
                    if !list.is_empty()
                        && list.iter().all(|x| !self.reads_column(x, sid, depth + 1)) =>
                {
                    Level::Yes
                }
                _ => Level::No,
            },
            _ => Level::No,
        }
    }

    fn solve(&self) -> Vec<Level> {
        let mut st = vec![Level::No; self.refs.len()];
        // Each pass can only raise levels (3 levels), so this terminates.
        loop {
            let mut changed = false;
            for f in &self.filters {
                let targets: &[usize] = match &f.target {
                    Target::All => &self.scopes[f.scope].refs,
                    Target::Only(v) => v,
                };
                for &r in targets {
                    let level = match f.cond {
                        Cond::Expr(e) => self.eval(e, r, f.scope, &st, 0),
                        Cond::Using(ref from) => {
                            if from.iter().any(|l| st[*l] == Level::Yes) {
                                Level::Yes
                            } else {
                                Level::No
                            }
                        }
                        Cond::Hole => Level::Hole,
                    };
                    if level > st[r] {
                        st[r] = level;
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        st
    }

    fn finish(self, facts: &mut QueryFacts) {
        let st = self.solve();
        for (r, info) in self.refs.iter().enumerate() {
            if let (true, true, Some((table, range))) = (info.tenant, info.report, &info.table) {
                facts.refs.push(TableRef {
                    table: table.clone(),
                    name_offset: range.clone(),
                    alias: info.alias.clone(),
                    constrained: match st[r] {
                        Level::Yes => Constraint::Yes,
                        Level::Hole => Constraint::Unknown,
                        Level::No => Constraint::No,
                    },
                });
            }
        }
        facts.inserts.extend(self.inserts);
        facts.table_names.extend(self.table_names);
    }
}

fn assignment_targets(a: &Assignment) -> impl Iterator<Item = &ObjectName> {
    use sqlparser::ast::AssignmentTarget;
    let v: Vec<&ObjectName> = match &a.target {
        AssignmentTarget::ColumnName(n) => vec![n],
        AssignmentTarget::Tuple(ns) => ns.iter().collect(),
    };
    v.into_iter()
}

/// Which side of an outer join may be NULL-extended, i.e. which side its ON filters.
enum Side {
    Left,
    Right,
    Neither,
}

fn nullable_side(op: &JoinOperator) -> Side {
    match op {
        JoinOperator::Right(_)
        | JoinOperator::RightOuter(_)
        | JoinOperator::RightSemi(_)
        | JoinOperator::RightAnti(_) => Side::Left,
        JoinOperator::FullOuter(_) => Side::Neither,
        _ => Side::Right,
    }
}

/// `(is_outer, constraint)` of a join operator.
fn join_kind(op: &JoinOperator) -> (bool, Option<&JoinConstraint>) {
    match op {
        JoinOperator::Join(c)
        | JoinOperator::Inner(c)
        | JoinOperator::CrossJoin(c)
        | JoinOperator::StraightJoin(c)
        | JoinOperator::Semi(c)
        | JoinOperator::Anti(c) => (false, Some(c)),
        JoinOperator::Left(c)
        | JoinOperator::LeftOuter(c)
        | JoinOperator::Right(c)
        | JoinOperator::RightOuter(c)
        | JoinOperator::FullOuter(c)
        | JoinOperator::LeftSemi(c)
        | JoinOperator::RightSemi(c)
        | JoinOperator::LeftAnti(c)
        | JoinOperator::RightAnti(c) => (true, Some(c)),
        JoinOperator::AsOf { constraint, .. } => (true, Some(constraint)),
        _ => (true, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::parse::parse_mysql;

    fn is_tenant(t: &str) -> bool {
        let l = t.to_lowercase();
        l.starts_with("iw_") && l != "iw_enterprise"
    }

    fn facts(sql: &str) -> QueryFacts {
        let stmts = match parse_mysql(sql) {
            Ok(s) => s,
            Err(e) => panic!("parse error for {sql:?}: {e}"),
        };
        let policy = TenantPolicy {
            column: "ep_code",
            is_tenant_table: &is_tenant,
        };
        analyze(&stmts, sql, &policy)
    }

    /// Tenant tables whose constraint is `No`, in reference order.
    fn unconstrained(sql: &str) -> Vec<String> {
        facts(sql)
            .refs
            .into_iter()
            .filter(|r| r.constrained == Constraint::No)
            .map(|r| r.table)
            .collect()
    }

    /// `table:Yes|No|Unknown` for every tenant reference.
    fn status(sql: &str) -> Vec<String> {
        facts(sql)
            .refs
            .into_iter()
            .map(|r| format!("{}:{:?}", r.table, r.constrained))
            .collect()
    }

    const NONE: [&str; 0] = [];

    // -- basic forms --------------------------------------------------------

    #[test]
    fn simple_select() {
        assert_eq!(
            unconstrained("SELECT * FROM iw_member WHERE mb_id = ?"),
            ["iw_member"]
        );
        assert_eq!(unconstrained("SELECT * FROM iw_member"), ["iw_member"]);
        assert_eq!(
            unconstrained("SELECT * FROM iw_member WHERE ep_code = ?"),
            NONE
        );
        assert_eq!(
            unconstrained("SELECT * FROM iw_member WHERE ? = ep_code"),
            NONE
        );
        assert_eq!(
            unconstrained("SELECT * FROM `db`.`iw_member` m WHERE m.`EP_CODE` = 'x' AND a = 1"),
            NONE
        );
        assert_eq!(
            unconstrained("SELECT * FROM iw_member WHERE iw_member.ep_code = :ep"),
            NONE
        );
        assert_eq!(
            unconstrained("SELECT * FROM iw_member WHERE ep_code <=> 3"),
            NONE
        );
        // Exempt and non-tenant tables are not reported.
        assert_eq!(status("SELECT * FROM iw_enterprise, g5_config"), NONE);
    }

    #[test]
    fn qualifier_must_match_alias_when_aliased() {
        assert_eq!(
            unconstrained("SELECT * FROM iw_member m WHERE iw_member.ep_code = ?"),
            ["iw_member"]
        );
        assert_eq!(
            unconstrained("SELECT * FROM iw_member m WHERE M.ep_code = ?"),
            NONE
        );
        assert_eq!(
            unconstrained("SELECT * FROM iw_member m WHERE x.ep_code = ?"),
            ["iw_member"]
        );
    }

    #[test]
    fn in_list_and_subquery() {
        assert_eq!(
            unconstrained("SELECT * FROM iw_member WHERE ep_code IN ('a', 'b')"),
            NONE
        );
        assert_eq!(
            unconstrained("SELECT * FROM iw_member WHERE ep_code NOT IN ('a', 'b')"),
            ["iw_member"]
        );
        assert_eq!(
            unconstrained(
                "SELECT * FROM iw_member WHERE ep_code IN \
                 (SELECT ep_code FROM iw_enterprise WHERE ep_domain = ?)"
            ),
            NONE
        );
        assert_eq!(
            unconstrained("SELECT * FROM iw_member m WHERE m.ep_code IN (m.mb_id, 'x')"),
            ["iw_member"]
        );
    }

    #[test]
    fn non_constraining_predicates() {
        for w in [
            "ep_code = ep_code",
            "m.ep_code = m.ep_code",
            "ep_code IS NOT NULL",
            "ep_code IS NULL",
            "ep_code LIKE '%'",
            "ep_code <> 'a'",
            "ep_code != 'a'",
            "ep_code > 'a'",
            "m.ep_code = e.other_col",
            "m.ep_code = ep_code",
            "m.ep_code = m.mb_id",
            "m.ep_code = CONCAT(m.mb_id, 'x')",
            "NOT m.ep_code = 'a'",
        ] {
            let sql = format!(
                "SELECT * FROM iw_member m JOIN iw_enterprise e ON e.ep_code = 'z' WHERE {w}"
            );
            assert_eq!(unconstrained(&sql), ["iw_member"], "{sql}");
        }
    }

    #[test]
    fn values_that_read_no_column() {
        for v in [
            "'x'",
            "123",
            "?",
            ":ep",
            "__tl_h3",
            "CONCAT('a', __tl_h1)",
            "UPPER(TRIM(__tl_h2))",
            "@ep",
            "(SELECT ep_code FROM iw_enterprise WHERE ep_domain = 'x')",
        ] {
            let sql = format!("SELECT * FROM iw_member m WHERE m.ep_code = {v}");
            assert_eq!(unconstrained(&sql), NONE, "{sql}");
        }
        // A correlated scalar subquery reads a column of the outer scope.
        assert_eq!(
            unconstrained(
                "SELECT * FROM iw_member m WHERE m.ep_code = \
                 (SELECT e.ep_code FROM iw_enterprise e WHERE e.id = m.eid)"
            ),
            ["iw_member"]
        );
    }

    // -- scopes ----------------------------------------------------------------

    #[test]
    fn union_branches_checked_separately() {
        assert_eq!(
            unconstrained("SELECT a FROM iw_member WHERE ep_code = ? UNION SELECT a FROM iw_board"),
            ["iw_board"]
        );
        assert_eq!(
            unconstrained(
                "(SELECT a FROM iw_member WHERE ep_code = ?) UNION ALL \
                 (SELECT a FROM iw_board WHERE ep_code = ?) ORDER BY a"
            ),
            NONE
        );
    }

    #[test]
    fn cte_scope_and_cte_name_is_not_a_table() {
        let sql = "WITH x AS (SELECT * FROM iw_member WHERE ep_code = ?) SELECT * FROM x";
        assert_eq!(status(sql), ["iw_member:Yes"]);
        let f = facts(sql);
        assert_eq!(f.table_names.len(), 1);
        assert_eq!(f.table_names[0].0, "iw_member");
        assert_eq!(
            unconstrained(
                "WITH iw_x AS (SELECT * FROM iw_member) SELECT * FROM iw_x WHERE ep_code = 1"
            ),
            ["iw_member"]
        );
    }

    #[test]
    fn derived_table_checked_in_own_scope() {
        assert_eq!(
            unconstrained("SELECT * FROM (SELECT * FROM iw_member) d WHERE d.ep_code = ?"),
            ["iw_member"]
        );
        assert_eq!(
            unconstrained(
                "SELECT * FROM (SELECT * FROM iw_member WHERE ep_code = ?) d \
                 JOIN iw_board b ON b.ep_code = d.ep_code"
            ),
            ["iw_board"]
        );
        assert_eq!(
            unconstrained(
                "SELECT * FROM (SELECT * FROM iw_member WHERE ep_code = ?) d \
                 JOIN iw_board b ON b.ep_code = d.ep_code WHERE d.ep_code = ?"
            ),
            NONE
        );
    }

    #[test]
    fn subqueries_in_where_and_select_list() {
        assert_eq!(
            unconstrained(
                "SELECT * FROM iw_member WHERE ep_code = ? AND mb_id IN (SELECT mb_id FROM iw_board)"
            ),
            ["iw_board"]
        );
        assert_eq!(
            unconstrained(
                "SELECT * FROM iw_member WHERE ep_code = ? AND EXISTS \
                 (SELECT 1 FROM iw_board WHERE ep_code = ?)"
            ),
            NONE
        );
        assert_eq!(
            unconstrained(
                "SELECT (SELECT COUNT(*) FROM iw_board) AS n FROM iw_member WHERE ep_code = 1"
            ),
            ["iw_board"]
        );
        assert_eq!(
            unconstrained(
                "SELECT * FROM iw_member WHERE ep_code = (SELECT MAX(ep_code) FROM iw_board)"
            ),
            ["iw_board"]
        );
    }

    #[test]
    fn correlated_equality_with_outer_ref() {
        let ok = "SELECT * FROM iw_member m WHERE m.ep_code = ? AND EXISTS \
                  (SELECT 1 FROM iw_board b WHERE b.mb_id = m.mb_id AND b.ep_code = m.ep_code)";
        assert_eq!(unconstrained(ok), NONE);
        let bad = "SELECT * FROM iw_member m WHERE m.mb_id = ? AND EXISTS \
                   (SELECT 1 FROM iw_board b WHERE b.ep_code = m.ep_code)";
        assert_eq!(unconstrained(bad), ["iw_member", "iw_board"]);
        // The subquery's WHERE does not constrain the outer reference.
        let inner_only = "SELECT * FROM iw_member m WHERE EXISTS \
                          (SELECT 1 FROM iw_board b WHERE b.ep_code = ? AND m.ep_code = b.ep_code)";
        assert_eq!(unconstrained(inner_only), ["iw_member"]);
    }

    #[test]
    fn equality_chain_through_exempt_table() {
        assert_eq!(
            unconstrained(
                "SELECT * FROM iw_member m, iw_enterprise e \
                 WHERE m.ep_code = e.ep_code AND e.ep_code = ?"
            ),
            NONE
        );
        assert_eq!(
            unconstrained(
                "SELECT * FROM iw_member m, iw_enterprise e \
                 WHERE m.ep_code = e.ep_code AND e.ep_domain = ?"
            ),
            ["iw_member"]
        );
        // Longer chain, written in reverse order.
        assert_eq!(
            unconstrained(
                "SELECT * FROM iw_a a JOIN iw_b b ON b.ep_code = a.ep_code \
                 JOIN iw_c c ON c.ep_code = b.ep_code WHERE a.ep_code = ?"
            ),
            NONE
        );
        // Requires the tenant column on both sides.
        assert_eq!(
            unconstrained(
                "SELECT * FROM iw_member m, iw_enterprise e \
                 WHERE m.ep_code = e.ep_id AND e.ep_id = ? AND e.ep_code = ?"
            ),
            ["iw_member"]
        );
    }

    // -- joins ---------------------------------------------------------------

    #[test]
    fn left_join_on_only_constrains_joined_side() {
        assert_eq!(
            unconstrained(
                "SELECT * FROM iw_a a LEFT JOIN iw_b b ON b.ep_code = ? AND b.x = a.x \
                 WHERE a.ep_code = ?"
            ),
            NONE
        );
        assert_eq!(
            unconstrained("SELECT * FROM iw_a a LEFT JOIN iw_b b ON a.ep_code = ? AND b.x = a.x"),
            ["iw_a", "iw_b"]
        );
        assert_eq!(
            unconstrained(
                "SELECT * FROM iw_a a LEFT OUTER JOIN iw_b b ON b.x = a.x WHERE a.ep_code = ?"
            ),
            ["iw_b"]
        );
    }

    #[test]
    fn inner_join_on_filters_like_where() {
        assert_eq!(
            unconstrained(
                "SELECT * FROM iw_a a INNER JOIN iw_b b ON a.ep_code = ? AND b.ep_code = ?"
            ),
            NONE
        );
        assert_eq!(
            unconstrained(
                "SELECT * FROM iw_a a JOIN iw_b b ON b.x = a.x JOIN iw_c c ON a.ep_code = ? \
                 AND b.ep_code = a.ep_code AND c.ep_code = a.ep_code"
            ),
            NONE
        );
        assert_eq!(
            unconstrained("SELECT * FROM iw_a a JOIN iw_b b ON b.x = a.x WHERE a.ep_code = ?"),
            ["iw_b"]
        );
        // Comma and CROSS JOIN are inner joins.
        assert_eq!(
            unconstrained("SELECT * FROM iw_a a CROSS JOIN iw_b b WHERE a.ep_code = ?"),
            ["iw_b"]
        );
        // An inner join nested in an outer-joined item only filters that item.
        assert_eq!(
            unconstrained(
                "SELECT * FROM iw_a a LEFT JOIN (iw_b b JOIN iw_c c ON a.ep_code = ? \
                 AND b.ep_code = ? AND c.ep_code = ?) ON b.x = a.x"
            ),
            ["iw_a"]
        );
    }

    #[test]
    fn unqualified_column_one_vs_two_tenant_refs() {
        assert_eq!(
            unconstrained(
                "SELECT * FROM iw_member JOIN iw_enterprise USING (ep_code) WHERE ep_code = ?"
            ),
            NONE
        );
        assert_eq!(
            unconstrained("SELECT * FROM iw_member m, iw_board b WHERE ep_code = ?"),
            ["iw_member", "iw_board"]
        );
        assert_eq!(
            unconstrained(
                "SELECT * FROM iw_member m, iw_board b WHERE ep_code = ? AND b.ep_code = ?"
            ),
            ["iw_member"]
        );
    }

    // -- OR rule ---------------------------------------------------------------

    #[test]
    fn or_needs_every_branch() {
        assert_eq!(
            unconstrained("SELECT * FROM iw_member WHERE ep_code = 'a' OR ep_code = 'b'"),
            NONE
        );
        assert_eq!(
            unconstrained(
                "SELECT * FROM iw_member WHERE ((ep_code = ? AND x = 1) OR (ep_code = ? AND y = 2))"
            ),
            NONE
        );
        assert_eq!(
            unconstrained("SELECT * FROM iw_member WHERE mb_id = ? OR ep_code = ?"),
            ["iw_member"]
        );
        assert_eq!(
            unconstrained("SELECT * FROM iw_member WHERE a = 1 AND (mb_id = ? OR (ep_code = ?))"),
            ["iw_member"]
        );
        assert_eq!(
            unconstrained("SELECT * FROM iw_a a, iw_b b WHERE a.ep_code = 1 OR b.ep_code = 2"),
            ["iw_a", "iw_b"]
        );
    }

    // -- holes ---------------------------------------------------------------

    #[test]
    fn opaque_fragment_gives_unknown() {
        assert_eq!(
            status("SELECT * FROM iw_member WHERE __tl_h2"),
            ["iw_member:Unknown"]
        );
        assert_eq!(
            status("SELECT * FROM iw_member WHERE a = 1 AND ((__tl_h2)) ORDER BY x"),
            ["iw_member:Unknown"]
        );
        assert_eq!(
            status("SELECT * FROM iw_member WHERE ep_code = ? AND __tl_h2"),
            ["iw_member:Yes"]
        );
        // Not a bare conjunct: the hole is negated / compared.
        assert_eq!(
            status("SELECT * FROM iw_member WHERE NOT __tl_h2 AND x = __tl_h3"),
            ["iw_member:No"]
        );
        // An OR with a hole branch cannot be decided; with a failing branch it is No.
        assert_eq!(
            status("SELECT * FROM iw_member WHERE ep_code = ? OR __tl_h1"),
            ["iw_member:Unknown"]
        );
        assert_eq!(
            status("SELECT * FROM iw_member WHERE x = 1 OR __tl_h1"),
            ["iw_member:No"]
        );
        // A hole in an outer join's ON only concerns the joined side.
        assert_eq!(
            status("SELECT * FROM iw_a a LEFT JOIN iw_b b ON __tl_h1"),
            ["iw_a:No", "iw_b:Unknown"]
        );
        // A hole in the outer WHERE does not reach a subquery's own scope,
        // except through correlation.
        assert_eq!(
            status(
                "SELECT * FROM iw_a a WHERE __tl_h1 AND EXISTS (SELECT 1 FROM iw_b b \
                 WHERE b.ep_code = a.ep_code) AND EXISTS (SELECT 1 FROM iw_c)"
            ),
            ["iw_a:Unknown", "iw_b:Unknown", "iw_c:No"]
        );
        // Text appended right after a table name (parsed as an alias).
        assert_eq!(
            status("SELECT * FROM iw_member __tl_h1"),
            ["iw_member:Unknown"]
        );
    }

    #[test]
    fn placeholder_table_names_recorded() {
        let f =
            facts("SELECT * FROM __tl_h1member m JOIN __tl_h2 x ON x.a = m.a WHERE m.ep_code = ?");
        let names: Vec<&str> = f.table_names.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["__tl_h1member", "__tl_h2"]);
        assert!(f.refs.is_empty());
    }

    // -- UPDATE / DELETE -----------------------------------------------------

    #[test]
    fn update_and_delete() {
        assert_eq!(
            unconstrained("UPDATE iw_member SET a = 1 WHERE mb_id = ?"),
            ["iw_member"]
        );
        assert_eq!(
            unconstrained("UPDATE iw_member SET a = 1 WHERE ep_code = ? AND mb_id = ?"),
            NONE
        );
        assert_eq!(
            unconstrained("DELETE FROM iw_member WHERE mb_id = ?"),
            ["iw_member"]
        );
        assert_eq!(
            unconstrained("DELETE FROM iw_member WHERE ep_code = ? LIMIT 1"),
            NONE
        );
        // Setting the tenant column is not a constraint.
        assert_eq!(
            unconstrained("UPDATE iw_member SET ep_code = ? WHERE id = 1"),
            ["iw_member"]
        );
        // Subquery in SET is its own site.
        assert_eq!(
            unconstrained(
                "UPDATE iw_member m SET cnt = (SELECT COUNT(*) FROM iw_board b WHERE b.mb_id = m.mb_id \
                 AND b.ep_code = m.ep_code) WHERE m.ep_code = ?"
            ),
            NONE
        );
    }

    #[test]
    fn multi_table_update_and_delete() {
        assert_eq!(
            unconstrained(
                "UPDATE iw_a a, iw_b b SET a.x = b.x WHERE a.id = b.id AND a.ep_code = ?"
            ),
            ["iw_b"]
        );
        assert_eq!(
            unconstrained(
                "UPDATE iw_a a, iw_b b SET a.x = b.x WHERE a.id = b.id AND a.ep_code = ? \
                 AND b.ep_code = a.ep_code"
            ),
            NONE
        );
        assert_eq!(
            unconstrained(
                "UPDATE iw_a a JOIN iw_b b ON b.id = a.id SET a.x = 1 WHERE b.ep_code = ?"
            ),
            ["iw_a"]
        );
        assert_eq!(
            unconstrained(
                "DELETE a FROM iw_a a JOIN iw_b b ON b.id = a.id AND b.ep_code = ? WHERE a.ep_code = ?"
            ),
            NONE
        );
        assert_eq!(
            unconstrained("DELETE a FROM iw_a a JOIN iw_b b ON b.id = a.id WHERE a.ep_code = ?"),
            ["iw_b"]
        );
        let using =
            "DELETE FROM iw_a USING iw_a JOIN iw_b ON iw_b.id = iw_a.id WHERE iw_a.ep_code = ?";
        assert_eq!(unconstrained(using), ["iw_b"]);
        assert_eq!(facts(using).table_names.len(), 2);
    }

    /// MySQL multi-table DELETE forms (`alias.*` targets, modifiers, USING):
    /// the FROM / USING clause is analysed exactly like a SELECT over it.
    #[test]
    fn mysql_multi_table_delete_targets() {
        let from_clauses = [
            "FROM iw_a a JOIN iw_b b ON b.id = a.id WHERE a.ep_code = ?",
            "FROM iw_a a JOIN iw_b b ON b.id = a.id AND b.ep_code = a.ep_code WHERE a.ep_code = ?",
            "FROM iw_a a, iw_b b WHERE a.id = b.id AND b.ep_code = ?",
            "FROM iw_a a, iw_b b WHERE a.id = b.id AND b.ep_code = ? AND a.ep_code = ?",
            "FROM iw_a a LEFT JOIN iw_b b ON b.id = a.id AND b.ep_code = ? WHERE a.id = 1",
        ];
        for from in from_clauses {
            let select = status(&format!("SELECT a.* {from}"));
            for targets in ["a.*", "a.*, b.*", "a, b", "LOW_PRIORITY QUICK IGNORE a.*"] {
                let sql = format!("DELETE {targets} {from}");
                assert_eq!(status(&sql), select, "{sql}");
            }
        }
        assert_eq!(
            unconstrained("DELETE a.* FROM iw_a a JOIN iw_b b ON b.id = a.id WHERE a.ep_code = ?"),
            ["iw_b"]
        );
        assert_eq!(
            unconstrained(
                "DELETE a.*, b.* FROM iw_a a, iw_b b WHERE a.id = b.id AND b.ep_code = ? \
                 AND a.ep_code = b.ep_code"
            ),
            NONE
        );
        assert_eq!(
            unconstrained(
                "DELETE FROM a.*, b.* USING iw_a a JOIN iw_b b ON b.id = a.id WHERE a.ep_code = ?"
            ),
            ["iw_b"]
        );
        assert_eq!(
            unconstrained(
                "DELETE FROM a.* USING iw_a a JOIN iw_b b ON b.id = a.id AND b.ep_code = a.ep_code \
                 WHERE a.ep_code = ?"
            ),
            NONE
        );
        assert_eq!(
            unconstrained("DELETE QUICK IGNORE FROM iw_member WHERE mb_id = ?"),
            ["iw_member"]
        );
        // Offsets still point at the table names.
        let sql =
            "DELETE a.*, b . * FROM iw_a a\n JOIN `iw_b` b ON b.id = a.id WHERE a.ep_code = '한'";
        let f = facts(sql);
        let got: Vec<(&str, Constraint)> = f
            .refs
            .iter()
            .map(|r| (&sql[r.name_offset.clone()], r.constrained))
            .collect();
        assert_eq!(got, [("iw_a", Constraint::Yes), ("iw_b", Constraint::No)]);
        assert_eq!(f.refs[1].name_offset.start, sql.find("iw_b").unwrap_or(0));
    }

    // -- INSERT ----------------------------------------------------------------

    #[test]
    fn insert_facts() {
        let f = facts("INSERT INTO iw_member (mb_id, EP_CODE) VALUES (?, ?)");
        assert_eq!(f.inserts.len(), 1);
        assert!(f.inserts[0].has_column_list && f.inserts[0].sets_tenant_column);

        let f = facts("INSERT INTO iw_member (mb_id) VALUES (?)");
        assert!(f.inserts[0].has_column_list && !f.inserts[0].sets_tenant_column);

        let f = facts("INSERT INTO iw_member VALUES (?, ?)");
        assert!(!f.inserts[0].has_column_list && !f.inserts[0].sets_tenant_column);

        let f = facts("INSERT INTO iw_member SET mb_id = ?, `ep_code` = ?");
        assert!(f.inserts[0].has_column_list && f.inserts[0].sets_tenant_column);

        let f = facts("REPLACE INTO iw_member SET mb_id = ?");
        assert!(f.inserts[0].has_column_list && !f.inserts[0].sets_tenant_column);

        let f = facts("INSERT IGNORE INTO iw_member (iw_member.ep_code) VALUES (1)");
        assert!(f.inserts[0].sets_tenant_column);

        let f = facts("INSERT INTO iw_enterprise (a) VALUES (1)");
        assert!(f.inserts.is_empty());
        assert_eq!(f.table_names.len(), 1);
    }

    #[test]
    fn insert_select_is_a_site() {
        let sql =
            "INSERT INTO iw_log (ep_code, a) SELECT ep_code, a FROM iw_member WHERE mb_id = ?";
        assert_eq!(unconstrained(sql), ["iw_member"]);
        assert_eq!(facts(sql).inserts.len(), 1);
        assert_eq!(
            unconstrained(
                "INSERT INTO iw_log (ep_code, a) SELECT ep_code, a FROM iw_member WHERE ep_code = ?"
            ),
            NONE
        );
        // Subqueries in VALUES count too.
        assert_eq!(
            unconstrained("INSERT INTO t (a) VALUES ((SELECT MAX(a) FROM iw_board))"),
            ["iw_board"]
        );
    }

    #[test]
    fn on_duplicate_key_update_is_ignored() {
        let sql = "INSERT INTO iw_member (ep_code, a) VALUES (?, ?) \
                   ON DUPLICATE KEY UPDATE a = (SELECT MAX(a) FROM iw_board)";
        assert_eq!(status(sql), NONE);
        let f = facts(sql);
        assert!(f.table_names.iter().any(|(n, _)| n == "iw_board"));
        assert!(f.inserts[0].sets_tenant_column);
    }

    // -- offsets ---------------------------------------------------------------

    #[test]
    fn line_index_offsets() {
        let sql = "a\n전체b\r\nc";
        let idx = LineIndex::new(sql);
        assert_eq!(idx.offset(1, 1), Some(0));
        assert_eq!(idx.offset(2, 1), Some(2));
        assert_eq!(idx.offset(2, 2), Some(5));
        assert_eq!(idx.offset(2, 3), Some(8));
        assert_eq!(idx.offset(3, 1), Some(11));
        assert_eq!(idx.offset(3, 2), Some(12));
        assert_eq!(idx.offset(3, 3), None);
        assert_eq!(idx.offset(0, 0), None);
    }

    #[test]
    fn byte_offsets_multiline_non_ascii() {
        let sql = "SELECT m.mb_name, '전체회원' AS g\n  FROM `iw_member` m\n\
                   /* 회원 */ LEFT JOIN db.iw_board AS b ON b.x = m.x\n\
                   WHERE m.ep_code = '가나' AND b.ep_code = '다'";
        let f = facts(sql);
        assert_eq!(f.refs.len(), 2);
        for r in &f.refs {
            assert_eq!(&sql[r.name_offset.clone()], r.table);
        }
        assert_eq!(
            f.refs[0].name_offset.start,
            sql.find("iw_member").unwrap_or(0)
        );
        assert_eq!(
            f.refs[1].name_offset.start,
            sql.find("iw_board").unwrap_or(0)
        );
        assert!(f.refs.iter().all(|r| r.constrained == Constraint::Yes));
    }

    #[test]
    fn byte_offsets_with_version_hint_and_update_commas() {
        let sql = "SELECT /*!40001 SQL_NO_CACHE */ * FROM /*!50000 iw_member */ WHERE ep_code = 1";
        let f = facts(sql);
        assert_eq!(&sql[f.refs[0].name_offset.clone()], "iw_member");
        let sql =
            "UPDATE iw_a a, `iw_b` b SET a.x = 1 WHERE a.ep_code = '한' AND b.ep_code = a.ep_code";
        let f = facts(sql);
        let got: Vec<&str> = f.refs.iter().map(|r| &sql[r.name_offset.clone()]).collect();
        assert_eq!(got, ["iw_a", "iw_b"]);
        assert!(f.refs.iter().all(|r| r.constrained == Constraint::Yes));
        let sql = "INSERT INTO\n  `iw_member` (a) VALUES ('\u{c804}')";
        let f = facts(sql);
        assert_eq!(&sql[f.inserts[0].name_offset.clone()], "iw_member");
    }

    #[test]
    fn one_ref_per_reference_and_statement() {
        let sql =
            "SELECT * FROM iw_member a, iw_member b WHERE a.ep_code = ?; SELECT * FROM iw_member";
        let f = facts(sql);
        let s: Vec<String> = f
            .refs
            .iter()
            .map(|r| format!("{}@{}:{:?}", r.table, r.name_offset.start, r.constrained))
            .collect();
        let last = format!("iw_member@{}:No", sql.rfind("iw_member").unwrap_or(0));
        assert_eq!(s, ["iw_member@14:Yes", "iw_member@27:No", last.as_str()]);
    }

    #[test]
    fn mysql_forms_analyze() {
        assert_eq!(
            unconstrained(
                "SELECT * FROM iw_member WHERE (1) AND ep_code = '전체회원' LIMIT 0, 10;"
            ),
            NONE
        );
        assert_eq!(
            unconstrained("select * from iw_member where 1"),
            ["iw_member"]
        );
        assert_eq!(
            unconstrained("SELECT * FROM iw_member m JOIN iw_board b WHERE m.ep_code = ?"),
            ["iw_board"]
        );
    }

    /// Keywords MySQL does not reserve are aliases, qualifiers and column
    /// names there (osTicket: `ost_ticket_status status`, `ost_thread open`).
    #[test]
    fn non_reserved_keywords_as_aliases() {
        let sql = "SELECT ticket.ticket_id, status.name AS status, open FROM iw_ticket ticket \
                   LEFT JOIN iw_ticket_status status ON status.id = ticket.status_id \
                   AND status.ep_code = ticket.ep_code \
                   JOIN iw_thread open ON open.object_id = ticket.ticket_id \
                   WHERE ticket.ep_code = ? AND open.id = 1";
        assert_eq!(unconstrained(sql), ["iw_thread"]);
        let f = facts(sql);
        let aliases: Vec<Option<&str>> = f.refs.iter().map(|r| r.alias.as_deref()).collect();
        assert_eq!(aliases, [Some("ticket"), Some("status"), Some("open")]);
        assert_eq!(
            unconstrained(&sql.replace("open.id = 1", "open.ep_code = ticket.ep_code")),
            NONE
        );
        for w in [
            "open", "status", "view", "start", "format", "offset", "global", "full", "end", "any",
            "some", "action", "date", "user", "level", "position", "comment", "first",
        ] {
            let with = |s: &str| s.replace("$w", w);
            assert_eq!(
                unconstrained(&with("SELECT $w.* FROM iw_a $w WHERE $w.id = 1")),
                ["iw_a"],
                "{w}"
            );
            assert_eq!(
                unconstrained(&with("SELECT $w.* FROM iw_a $w WHERE $w.ep_code = ?")),
                NONE,
                "{w}"
            );
            assert_eq!(
                unconstrained(&with(
                    "SELECT a.x $w FROM iw_a a JOIN iw_b $w ON $w.id = a.id WHERE a.ep_code = ?"
                )),
                ["iw_b"],
                "{w}"
            );
            assert_eq!(
                unconstrained(&with(
                    "SELECT a.x $w FROM iw_a a JOIN iw_b $w ON $w.id = a.id \
                     AND $w.ep_code = a.ep_code WHERE a.ep_code = ?"
                )),
                NONE,
                "{w}"
            );
            assert_eq!(
                unconstrained(&with(
                    "UPDATE iw_a $w SET $w.x = 1 WHERE $w.ep_code = ? AND $w.id = 2"
                )),
                NONE,
                "{w}"
            );
            assert_eq!(
                unconstrained(&with("DELETE $w.* FROM iw_a $w WHERE $w.id = 2")),
                ["iw_a"],
                "{w}"
            );
        }
        // `end` no longer ends the statement early (which dropped the WHERE / FROM).
        assert_eq!(
            unconstrained("SELECT * FROM iw_member end WHERE end.ep_code = ?"),
            NONE
        );
        assert_eq!(
            unconstrained("SELECT mb_id end FROM iw_member WHERE mb_id = ?"),
            ["iw_member"]
        );
        // `t1 full JOIN t2` is an inner join (MySQL has no FULL JOIN): its ON filters both sides.
        assert_eq!(
            unconstrained(
                "SELECT * FROM iw_a full JOIN iw_b b ON b.id = full.id \
                 AND b.ep_code = full.ep_code WHERE full.ep_code = ?"
            ),
            NONE
        );
    }

    #[test]
    fn alias_reported() {
        let f = facts("SELECT * FROM iw_a AS `x`, iw_b WHERE 1");
        let aliases: Vec<Option<String>> = f.refs.into_iter().map(|r| r.alias).collect();
        assert_eq!(aliases, [Some("x".to_string()), None]);
    }

    #[test]
    fn placeholder_helper() {
        assert!(is_placeholder("__tl_h0"));
        assert!(is_placeholder("__tl_h123"));
        assert!(!is_placeholder("__tl_h"));
        assert!(!is_placeholder("__tl_h1member"));
        assert!(!is_placeholder("ep_code"));
    }
}

#[cfg(test)]
mod more_tests {
    use super::*;
    use crate::sql::parse::parse_mysql;

    fn status(sql: &str) -> Vec<String> {
        let is_tenant = |t: &str| t.starts_with("iw_") && t != "iw_enterprise";
        let policy = TenantPolicy {
            column: "ep_code",
            is_tenant_table: &is_tenant,
        };
        let stmts = match parse_mysql(sql) {
            Ok(s) => s,
            Err(e) => panic!("parse error for {sql:?}: {e}"),
        };
        analyze(&stmts, sql, &policy)
            .refs
            .into_iter()
            .map(|r| format!("{}:{:?}", r.table, r.constrained))
            .collect()
    }

    #[test]
    fn using_the_tenant_column_equates_both_sides() {
        assert_eq!(
            status("SELECT * FROM iw_a a JOIN iw_b b USING (ep_code) WHERE a.ep_code = ?"),
            ["iw_a:Yes", "iw_b:Yes"]
        );
        assert_eq!(
            status("SELECT * FROM iw_a a JOIN iw_b b USING (mb_id) WHERE a.ep_code = ?"),
            ["iw_a:Yes", "iw_b:No"]
        );
        // LEFT JOIN: the joined side follows the kept one, not the other way round.
        assert_eq!(
            status("SELECT * FROM iw_a a LEFT JOIN iw_b b USING (ep_code) WHERE b.ep_code = ?"),
            ["iw_a:No", "iw_b:Yes"]
        );
    }

    #[test]
    fn outer_join_on_filters_only_the_nullable_side() {
        // RIGHT JOIN keeps every row of `b`: its ON filters `a` only.
        assert_eq!(
            status("SELECT * FROM iw_a a RIGHT JOIN iw_b b ON b.ep_code = ? AND a.ep_code = ?"),
            ["iw_a:Yes", "iw_b:No"]
        );
        // LEFT JOIN keeps every row of `a`: its ON filters `b` only.
        assert_eq!(
            status("SELECT * FROM iw_a a LEFT JOIN iw_b b ON b.ep_code = ? AND a.ep_code = ?"),
            ["iw_a:No", "iw_b:Yes"]
        );
        // FULL JOIN keeps both.
        assert_eq!(
            status(
                "SELECT * FROM iw_a a FULL OUTER JOIN iw_b b ON b.ep_code = ? AND a.ep_code = ?"
            ),
            ["iw_a:No", "iw_b:No"]
        );
    }

    #[test]
    fn correlated_unqualified_inner_column() {
        assert_eq!(
            status(
                "SELECT * FROM iw_member WHERE ep_code = ? AND mb_id IN \
                 (SELECT mb_id FROM iw_board WHERE ep_code = iw_member.ep_code)"
            ),
            ["iw_member:Yes", "iw_board:Yes"]
        );
        assert_eq!(
            status(
                "SELECT * FROM iw_member WHERE mb_id IN \
                 (SELECT mb_id FROM iw_board WHERE ep_code = iw_member.ep_code)"
            ),
            ["iw_member:No", "iw_board:No"]
        );
    }

    #[test]
    fn placeholder_from_item_only_in_table_names() {
        let sql = "SELECT * FROM __tl_h1 WHERE a = 1";
        let policy = TenantPolicy {
            column: "ep_code",
            is_tenant_table: &|t: &str| t.starts_with("iw_"),
        };
        let stmts = parse_mysql(sql).unwrap_or_default();
        let f = analyze(&stmts, sql, &policy);
        assert!(f.refs.is_empty());
        assert_eq!(f.table_names, [("__tl_h1".to_string(), 14..21)]);
    }

    #[test]
    fn scalar_subquery_in_update_where_checked_on_its_own() {
        assert_eq!(
            status(
                "UPDATE iw_member SET a = 1 WHERE ep_code = \
                 (SELECT ep_code FROM iw_group WHERE id = 3)"
            ),
            ["iw_member:Yes", "iw_group:No"]
        );
    }
}

//! The statement walk: splits statements into query scopes, registers each scope's table
//! references and collects the filters (WHERE, join ON / USING, opaque fragments) that apply
//! to them.

use std::collections::HashMap;
use std::ops::Range;

use sqlparser::ast::{
    Delete, Expr, FromTable, FunctionArg, FunctionArgExpr, GroupByExpr, Ident, Insert,
    JoinConstraint, JoinOperator, LimitClause, ObjectName, OnConflict, OnConflictAction, OnInsert,
    OrderByExpr, OrderByKind, Query, Select, SelectItem, SetExpr, Statement, TableAlias,
    TableFactor, TableObject, TableWithJoins, Update, UpdateTableFromKind,
};

use super::expr::expr_parts;
use super::names::{assignment_targets, last_ident, Positions};
use super::{InsertFacts, TenantPolicy};
use crate::sql::placeholder::is_placeholder;

pub(super) struct Scope {
    pub(super) parent: Option<usize>,
    pub(super) refs: Vec<usize>,
    /// Qualifiers (lowercased) of `q.col` column references written directly
    /// in this scope's expressions.
    pub(super) qualified_reads: Vec<String>,
    /// References joined with `USING (<tenant column>)`: the unqualified tenant column of
    /// the scope is their merged column.
    pub(super) using_merged: Vec<usize>,
}

pub(super) struct RefInfo {
    pub(super) scope: usize,
    /// Alias if any, else table / CTE name; lowercased.
    pub(super) qualifier: String,
    /// Alias as written, if any.
    pub(super) alias: Option<String>,
    /// `Some` for a real table (not a CTE / derived table / function).
    pub(super) table: Option<(String, Range<usize>)>,
    pub(super) tenant: bool,
    /// `false` for references inside `ON DUPLICATE KEY UPDATE` / `ON CONFLICT DO UPDATE`.
    pub(super) report: bool,
}

pub(super) enum Target {
    All,
    Only(Vec<usize>),
}

pub(super) enum Cond<'a> {
    Expr(&'a Expr),
    /// `JOIN … USING (ep_code)`: the target shares the tenant column with these references.
    Using(Vec<usize>),
    /// An opaque fragment (placeholder used as a table alias, i.e. text
    /// appended right after a table name, such as `FROM t $where`).
    Hole,
}

pub(super) struct Filter<'a> {
    pub(super) scope: usize,
    pub(super) cond: Cond<'a>,
    pub(super) target: Target,
}

pub(super) struct Walker<'a, 'p> {
    index: &'p Positions<'p>,
    pub(super) policy: &'p TenantPolicy<'p>,
    pub(super) scopes: Vec<Scope>,
    pub(super) refs: Vec<RefInfo>,
    pub(super) filters: Vec<Filter<'a>>,
    pub(super) inserts: Vec<InsertFacts>,
    pub(super) table_names: Vec<(String, Range<usize>)>,
    /// Visible CTE names (lowercased), innermost last.
    ctes: Vec<String>,
    /// > 0 while walking parts whose references are not reported.
    suppress: usize,
    /// Scope ids created while walking each subquery (by address).
    pub(super) query_scopes: HashMap<usize, Range<usize>>,
}

type Pending<'a> = Vec<(&'a Expr, Target)>;

impl<'a, 'p> Walker<'a, 'p> {
    pub(super) fn new(index: &'p Positions<'p>, policy: &'p TenantPolicy<'p>) -> Self {
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
            using_merged: Vec::new(),
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

    /// Records a table name as written and returns its byte range.
    fn table_name(&mut self, id: &Ident) -> Range<usize> {
        let range = self.index.ident_range(id);
        self.table_names.push((id.value.clone(), range.clone()));
        range
    }

    /// The reference a derived table or table function brings in under its alias (none
    /// without one).
    fn alias_ref(&mut self, sid: usize, alias: Option<&TableAlias>) -> Vec<usize> {
        match alias {
            Some(a) => {
                vec![self.add_ref(sid, a.name.value.clone(), Some(a.name.value.clone()), None)]
            }
            None => Vec::new(),
        }
    }

    // -- statements ---------------------------------------------------------

    pub(super) fn statement(&mut self, stmt: &'a Statement, parent: Option<usize>) {
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
                let range = self.table_name(id);
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
        // `ON DUPLICATE KEY UPDATE` and PostgreSQL's `ON CONFLICT … DO UPDATE SET … WHERE …`
        // update the conflicting row of the insert: not a site, only table names are
        // collected.
        let (assignments, selection) = match &ins.on {
            Some(OnInsert::DuplicateKeyUpdate(assignments)) => (&assignments[..], None),
            Some(OnInsert::OnConflict(OnConflict {
                action: OnConflictAction::DoUpdate(up),
                ..
            })) => (&up.assignments[..], up.selection.as_ref()),
            _ => (&[][..], None),
        };
        self.suppress += 1;
        for a in assignments {
            self.scan_expr(&a.value, parent);
        }
        if let Some(e) = selection {
            self.scan_expr(e, parent);
        }
        self.suppress -= 1;
        self.returning(ins.returning.as_deref(), parent);
    }

    /// Scans a `RETURNING` list (subqueries in it are sites of their own).
    fn returning(&mut self, items: Option<&'a [SelectItem]>, sid: Option<usize>) {
        for item in items.unwrap_or_default() {
            self.select_item(item, sid);
        }
    }

    fn select_item(&mut self, item: &'a SelectItem, sid: Option<usize>) {
        match item {
            SelectItem::UnnamedExpr(e)
            | SelectItem::ExprWithAlias { expr: e, .. }
            | SelectItem::ExprWithAliases { expr: e, .. } => self.scan_expr(e, sid),
            _ => {}
        }
    }

    fn update(&mut self, upd: &'a Update, parent: Option<usize>) {
        let sid = self.new_scope(parent);
        let mut pending = Pending::new();
        self.join_tree(&upd.table, sid, &mut pending);
        if let Some(UpdateTableFromKind::BeforeSet(f) | UpdateTableFromKind::AfterSet(f)) =
            &upd.from
        {
            self.join_trees(f, sid, &mut pending);
        }
        self.finish_scope(sid, pending, upd.selection.as_ref());
        for a in &upd.assignments {
            self.scan_expr(&a.value, Some(sid));
        }
        self.order_and_limit(&upd.order_by, upd.limit.as_ref(), sid);
        self.returning(upd.returning.as_deref(), Some(sid));
    }

    fn delete(&mut self, del: &'a Delete, parent: Option<usize>) {
        let sid = self.new_scope(parent);
        let mut pending = Pending::new();
        let from = match &del.from {
            FromTable::WithFromKeyword(v) | FromTable::WithoutKeyword(v) => v,
        };
        match &del.using {
            Some(using) => {
                self.join_trees(using, sid, &mut pending);
                // MySQL's `DELETE FROM a, b USING <refs>`: the FROM list names targets among
                // the USING references. PostgreSQL's `DELETE FROM t USING <refs>`: `t` is a
                // reference of its own, next to the USING ones.
                let own: Vec<&'a TableWithJoins> = from
                    .iter()
                    .filter(|twj| !self.names_a_ref_of(twj, sid))
                    .collect();
                for twj in own {
                    self.join_tree(twj, sid, &mut pending);
                }
            }
            None => self.join_trees(from, sid, &mut pending),
        }
        self.finish_scope(sid, pending, del.selection.as_ref());
        self.order_and_limit(&del.order_by, del.limit.as_ref(), sid);
        self.returning(del.returning.as_deref(), Some(sid));
    }

    /// Is `twj` a single table (without alias or join) that names a reference already in
    /// scope `sid`, i.e. a MySQL multi-table DELETE target?
    fn names_a_ref_of(&self, twj: &TableWithJoins, sid: usize) -> bool {
        let TableFactor::Table {
            name, alias: None, ..
        } = &twj.relation
        else {
            return false;
        };
        let Some(id) = last_ident(name) else {
            return false;
        };
        let q = id.value.to_lowercase();
        twj.joins.is_empty()
            && self.scopes[sid]
                .refs
                .iter()
                .any(|&r| self.refs[r].qualifier == q)
    }

    /// Scans the `ORDER BY` and `LIMIT` of an UPDATE or DELETE of scope `sid`.
    fn order_and_limit(
        &mut self,
        order_by: &'a [OrderByExpr],
        limit: Option<&'a Expr>,
        sid: usize,
    ) {
        for o in order_by {
            self.scan_expr(&o.expr, Some(sid));
        }
        if let Some(l) = limit {
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
                let range = self.table_name(id);
                self.add_ref(sid, id.value.clone(), None, Some((id.value.clone(), range)));
                Some(sid)
            }
            SetExpr::Merge(_) => None,
        }
    }

    fn select(&mut self, s: &'a Select, parent: Option<usize>) -> usize {
        let sid = self.new_scope(parent);
        let mut pending = Pending::new();
        self.join_trees(&s.from, sid, &mut pending);
        self.finish_scope(sid, pending, s.selection.as_ref());
        let ctx = Some(sid);
        for item in &s.projection {
            self.select_item(item, ctx);
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

    /// Registers the references of a list of FROM items.
    fn join_trees(&mut self, list: &'a [TableWithJoins], sid: usize, pending: &mut Pending<'a>) {
        for twj in list {
            self.join_tree(twj, sid, pending);
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
                self.scopes[sid]
                    .using_merged
                    .extend(all.iter().chain(&right));
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
                    let range = self.table_name(id);
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
                self.alias_ref(sid, alias.as_ref())
            }
            TableFactor::NestedJoin {
                table_with_joins, ..
            } => self.join_tree(table_with_joins, sid, pending),
            TableFactor::TableFunction { expr, alias } => {
                self.scan_expr(expr, Some(sid));
                self.alias_ref(sid, alias.as_ref())
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
                self.alias_ref(sid, alias.as_ref())
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

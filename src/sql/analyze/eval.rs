//! Predicate analysis: to which level the filters of each scope constrain each reference's
//! tenant column, solved as a fixpoint, and the facts that result.

use sqlparser::ast::{BinaryOperator, Expr, InTarget, Query};

use super::expr::{expr_parts, strip_casts, strip_nested, MAX_EXPR_DEPTH};
use super::walk::{Cond, Target, Walker};
use super::{Constraint, QueryFacts, TableRef};
use crate::sql::placeholder::is_placeholder;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    No,
    Hole,
    Yes,
}

impl<'a, 'p> Walker<'a, 'p> {
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
        match strip_casts(e) {
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
            // The unqualified column: the only tenant reference's, or the merged column of
            // the references joined `USING (<tenant column>)`.
            Ok(None) => {
                self.refs[r].tenant
                    && (self.scopes[sid].using_merged.contains(&r)
                        || self.scopes[sid]
                            .refs
                            .iter()
                            .filter(|&&x| self.refs[x].tenant)
                            .count()
                            == 1)
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
            } => match (strip_nested(left), strip_nested(right)) {
                // Row values `(tenant_id, id) = ($1, $2)`: the equality of each position.
                (Expr::Tuple(ls), Expr::Tuple(rs)) if ls.len() == rs.len() => ls
                    .iter()
                    .zip(rs)
                    .map(|(a, b)| {
                        self.eq_side(a, b, r, sid, st)
                            .max(self.eq_side(b, a, r, sid, st))
                    })
                    .max()
                    .unwrap_or(Level::No),
                _ => self
                    .eq_side(left, right, r, sid, st)
                    .max(self.eq_side(right, left, r, sid, st)),
            },
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
            // PostgreSQL `col = ANY(<array>)`, `col = ANY(SELECT …)`: like `IN`.
            Expr::AnyOp {
                left,
                compare_op: BinaryOperator::Eq,
                right,
                ..
            } if self.is_col_of(left, r, sid) => match strip_casts(right) {
                Expr::Subquery(_) => Level::Yes,
                Expr::Array(a) if a.elem.len() == 1 => self.eq_side(left, &a.elem[0], r, sid, st),
                Expr::Array(a)
                    if !a.elem.is_empty()
                        && a.elem.iter().all(|x| !self.reads_column(x, sid, depth + 1)) =>
                {
                    Level::Yes
                }
                Expr::Array(_) => Level::No,
                other if self.reads_column(other, sid, depth + 1) => Level::No,
                _ => Level::Yes,
            },
            Expr::IsNotDistinctFrom(left, right) => self
                .eq_side(left, right, r, sid, st)
                .max(self.eq_side(right, left, r, sid, st)),
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

    pub(super) fn finish(self, facts: &mut QueryFacts) {
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

//! The environment of the abstract interpretation, shared by the front-ends: what is known of
//! each variable on the paths reaching a point ([`VarState`], [`Env`], [`State`]), and how the
//! environments of two branches merge at a join. Nothing here knows a source language or
//! tree-sitter.

use std::collections::HashMap;
use std::sync::Arc;

use crate::facts::{FnKey, Taint};
use crate::lang::value::{add_taints, Value, Variant};

/// What the environment knows about one variable (or constant-keyed array element).
#[derive(Clone, Debug, Default)]
pub(crate) struct VarState {
    pub(crate) value: Value,
    /// On some path the variable holds a run-time value this front-end cannot know.
    pub(crate) unknown: bool,
    /// On some path the variable may not be assigned in this scope.
    pub(crate) maybe_unset: bool,
    /// The assignments that may have produced the current value.
    pub(crate) defs: Vec<usize>,
    /// Where the run-time value (`unknown`) may come from.
    pub(crate) unknown_taint: Vec<Taint>,
    /// A tenant request parameter that was compared with the resolved tenant, leaving on
    /// mismatch, on every path reaching here (TL004).
    pub(crate) checked: bool,
    /// Calls a request value was passed to (`check_ep($_GET['ep'])`): checks if the callee
    /// checks that parameter.
    pub(crate) guards: Vec<(FnKey, u32)>,
    /// The class of the object it holds on every path (`new Pdf`, a `Pdf $p` parameter),
    /// lower-case: `$p->m()` then calls that class's method.
    pub(crate) class: Option<Arc<str>>,
    /// Assigned an array literal: its keys and its values, each as one value with a variant
    /// per element (`foreach` over it binds them).
    pub(crate) array: Option<Arc<ArrayLiteral>>,
}

/// The keys and the values of an array literal, a variant per element.
#[derive(Debug, Default)]
pub(crate) struct ArrayLiteral {
    pub(crate) keys: Value,
    pub(crate) values: Value,
}

/// Entries are shared between the environments of different branches; cloning an environment
/// at a branch copies pointers, not values.
pub(crate) type Env = HashMap<Arc<str>, Arc<VarState>>;
/// `None` when the current path has left (return, exit, throw).
pub(crate) type State = Option<Env>;

pub(crate) fn merge_states(a: State, b: State) -> State {
    merge_states_on(a, b, None)
}

/// Merge the states after the two branches of `if (C)`; with `cond`, what each branch changed
/// is tagged with its outcome of C.
pub(crate) fn merge_states_on(a: State, b: State, cond: Option<u32>) -> State {
    match (a, b) {
        (None, x) | (x, None) => x,
        (Some(a), Some(b)) => Some(merge_envs(a, b, cond)),
    }
}

/// Keep, in every variable, only the variants consistent with C having outcome `taken`.
pub(crate) fn restrict(state: &mut State, cond: u32, taken: bool) {
    let Some(env) = state.as_mut() else {
        return;
    };
    for var in env.values_mut() {
        let contradicts = |v: &Variant| v.tags.iter().any(|(id, t)| *id == cond && *t != taken);
        let n = var.value.variants.iter().filter(|v| contradicts(v)).count();
        if n > 0 && n < var.value.variants.len() {
            Arc::make_mut(var)
                .value
                .variants
                .retain(|v| !contradicts(v));
        }
    }
}

fn merge_envs(mut a: Env, mut b: Env, cond: Option<u32>) -> Env {
    let tag = |v: &Value, taken: bool| match cond {
        Some(c) => v.clone().tagged((c, taken)),
        None => v.clone(),
    };
    for (k, x) in a.iter_mut() {
        match b.remove(k) {
            Some(y) if Arc::ptr_eq(x, &y) => {}
            Some(y) => {
                let mut defs = x.defs.clone();
                for d in &y.defs {
                    if !defs.contains(d) {
                        defs.push(*d);
                    }
                }
                let mut unknown_taint = x.unknown_taint.clone();
                add_taints(&mut unknown_taint, &y.unknown_taint);
                *x = Arc::new(VarState {
                    value: tag(&x.value, true).union(tag(&y.value, false)),
                    unknown: x.unknown || y.unknown,
                    maybe_unset: x.maybe_unset || y.maybe_unset,
                    defs,
                    unknown_taint,
                    checked: x.checked && y.checked,
                    guards: x
                        .guards
                        .iter()
                        .filter(|g| y.guards.contains(g))
                        .cloned()
                        .collect(),
                    class: if x.class == y.class {
                        x.class.clone()
                    } else {
                        None
                    },
                    array: match (&x.array, &y.array) {
                        (Some(a), Some(b)) if Arc::ptr_eq(a, b) => Some(a.clone()),
                        (Some(a), Some(b)) => Some(Arc::new(ArrayLiteral {
                            keys: a.keys.clone().union(b.keys.clone()),
                            values: a.values.clone().union(b.values.clone()),
                        })),
                        _ => None,
                    },
                });
            }
            None if !x.maybe_unset => {
                *x = Arc::new(VarState {
                    maybe_unset: true,
                    checked: false,
                    value: tag(&x.value, true),
                    ..(**x).clone()
                });
            }
            None => {}
        }
    }
    // Variables only the second side assigned may be unset on the first.
    for (k, y) in b {
        let state = if y.maybe_unset {
            y
        } else {
            Arc::new(VarState {
                maybe_unset: true,
                checked: false,
                value: tag(&y.value, false),
                ..(*y).clone()
            })
        };
        a.insert(k, state);
    }
    a
}

pub(crate) fn unknown_var() -> Arc<VarState> {
    Arc::new(VarState {
        unknown: true,
        ..VarState::default()
    })
}

/// After a call that checks its argument `guard.1` (the guard is decided by the callee's
/// summary in the project pass), the tenant-parameter taints of the variable passed carry the
/// guard.
pub(crate) fn guard_variable(var: &mut Arc<VarState>, guard: &(FnKey, u32)) {
    if !var
        .value
        .any_taint(crate::lang::value::may_carry_tenant_param)
        && !var
            .unknown_taint
            .iter()
            .any(crate::lang::value::may_carry_tenant_param)
    {
        return;
    }
    let var = Arc::make_mut(var);
    let add = |t: &mut Taint| {
        if t.guards.len() < crate::lang::value::MAX_STEPS && !t.guards.contains(guard) {
            t.guards.push(guard.clone());
        }
    };
    var.unknown_taint.iter_mut().for_each(add);
    for v in &mut var.value.variants {
        for p in &mut v.pieces {
            if let crate::facts::Piece::Hole(h) = p {
                if !h.taint.is_empty() {
                    h.taint.make_mut().iter_mut().for_each(add);
                }
            }
        }
    }
}

/// Which of a function's `params` are checked in `env` at one of its exits, and on every exit
/// seen before (`before`).
pub(crate) fn checked_at_exit(
    params: &[Arc<str>],
    env: &Env,
    before: Option<Vec<bool>>,
) -> Vec<bool> {
    let now = params.iter().map(|p| env.get(p).is_some_and(|v| v.checked));
    match before {
        Some(before) => before.iter().zip(now).map(|(a, b)| *a && b).collect(),
        None => now.collect(),
    }
}

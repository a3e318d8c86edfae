//! The project-wide summary step for request-derived values (TL003, TL004).
//!
//! Each front-end records, per function, the taints of what it returns, the parameters it
//! compares and leaves on mismatch, and the calls it makes with tainted arguments. This pass
//! merges them once for the whole project and answers, for any taint, whether it is a request
//! value: a helper in another file that returns `explode('.', $host)[0]` propagates the host, a
//! helper whose every return is escaped does not, and a function whose parameter reaches SQL
//! text makes that argument a sink for its callers.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::Arc;

use rayon::prelude::*;

use crate::facts::{FileFacts, FnKey, FnOwner, Piece, Span, Taint, TaintKind, TaintOrigin};

/// How deep `Call` taints are followed (they nest one level per call in the chain).
const MAX_CHAIN: usize = 32;

/// How many taints one resolution may visit (functions with many returns calling each other).
const MAX_VISITS: usize = 4096;

#[derive(Debug, Default)]
struct Summary {
    /// Taints of every returned value, with the index of the file the definition is in.
    returns: Vec<(usize, Taint)>,
    checked: HashSet<u32>,
}

/// Merged function summaries and what follows from them.
///
/// Definitions and calls are keyed by [`FnKey`]: a free function, a method of a class, or (for a
/// call) a method of a class the front-end cannot tell; [`Summaries::targets`] resolves a call
/// to the definitions it may run, and every question about a call is answered over them.
#[derive(Debug, Default)]
pub struct Summaries {
    functions: HashMap<FnKey, Summary>,
    /// Which definitions a call may run.
    calls: Arc<CallTargets>,
    /// `(function, param, kind)`: the function returns a value derived from that parameter.
    propagates: HashSet<(FnKey, u32, TaintKind)>,
    /// `(function, kind)`: the function returns a request value it reads itself.
    returns_source: HashSet<(FnKey, TaintKind)>,
    /// `(function, param)`: the parameter reaches SQL text unescaped in the function.
    sql_params: HashSet<(FnKey, u32)>,
    /// The names of the functions in `sql_params`: most calls are to none of them.
    sql_param_names: HashSet<Arc<str>>,
}

/// Which definitions a call may run: the project's functions and methods and its classes'
/// parents. Built before anything is solved, and shared with constant folding, which binds
/// parameters through calls too.
#[derive(Debug, Default)]
pub struct CallTargets {
    /// Every function and method the project defines.
    defined: HashSet<FnKey>,
    /// Method name → the keys of every method with that name.
    methods_by_name: HashMap<Arc<str>, Vec<FnKey>>,
    /// Class → the classes and traits it takes methods from.
    parents: HashMap<String, Vec<String>>,
    /// `cls::m` → the method found up `cls`'s chain of parents, if any: the walk is done once
    /// per call key (calls are resolved many times, in the fixpoints and per site).
    class_methods: std::sync::RwLock<HashMap<FnKey, Option<FnKey>>>,
}

impl CallTargets {
    /// The definitions a call may run. `f` is the function `f`; `cls::m` the method `m` of
    /// `cls` or of the nearest class or trait it takes methods from; when that finds none (the
    /// class is not the project's, or defines the method in a subclass) and for `*::m`, every
    /// method named `m`.
    pub fn targets(&self, callee: &FnKey) -> &[FnKey] {
        match callee.owner() {
            FnOwner::Free => {
                return self
                    .defined
                    .get(callee)
                    .map(std::slice::from_ref)
                    .unwrap_or_default();
            }
            FnOwner::Class(class) => {
                let memo = self
                    .class_methods
                    .read()
                    .ok()
                    .and_then(|m| m.get(callee).cloned());
                let found = match memo {
                    Some(found) => found,
                    None => {
                        let found = self.method_up_the_chain(class, callee.name());
                        if let Ok(mut m) = self.class_methods.write() {
                            m.insert(callee.clone(), found.clone());
                        }
                        found
                    }
                };
                if let Some(k) = found.and_then(|f| self.defined.get(&f)) {
                    return std::slice::from_ref(k);
                }
            }
            FnOwner::AnyClass => {}
        }
        self.methods_by_name
            .get(callee.name())
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// The method `name` of `class` or of the nearest class or trait it takes methods from.
    fn method_up_the_chain(&self, class: &Arc<str>, name: &Arc<str>) -> Option<FnKey> {
        let mut queue = std::collections::VecDeque::from([class.clone()]);
        let mut seen = HashSet::default();
        while let Some(c) = queue.pop_front() {
            if seen.len() > MAX_CHAIN || !seen.insert(c.clone()) {
                continue;
            }
            let key = FnKey::method(c.clone(), name.clone());
            if self.defined.contains(&key) {
                return Some(key);
            }
            if let Some(parents) = self.parents.get(&*c) {
                queue.extend(parents.iter().map(|p| Arc::from(p.as_str())));
            }
        }
        None
    }
}

/// A place in the run's files: the file's index and a byte span in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Located {
    pub file: usize,
    pub span: Span,
}

/// One step a request value went through on its way to a use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedStep {
    pub at: Located,
    /// Set on the first step after the value came back from a project function: the call
    /// that returned it.
    pub returned_by: Option<FnKey>,
}

/// A taint that resolved to a request value.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    /// The read of the request value, in whichever file it is (inside a project function
    /// whose result carries it, too).
    pub source: Option<Located>,
    /// Steps from the read to here, in order.
    pub steps: Vec<ResolvedStep>,
    /// The outermost project function the value came back from (`$sub = get_subdomain()`),
    /// when the read is not written where the taint was found.
    pub via: Option<FnKey>,
}

/// The names of the functions a taint came back from, along its whole chain.
fn chain_callees(t: &Taint, names: &mut HashSet<Arc<str>>) {
    if let TaintOrigin::Call { callee, inner, .. } = &t.origin {
        names.insert(callee.name().clone());
        if let Some(inner) = inner {
            chain_callees(inner, names);
        }
    }
}

impl Summaries {
    /// Merge the summaries of every file and solve them.
    pub fn build(files: &[FileFacts]) -> Self {
        let mut s = Summaries::index(files);
        s.solve(files);
        s
    }

    /// Merge the summaries of every file, without solving them yet: which definitions a call
    /// may run is known from here on ([`Summaries::call_targets`]).
    pub fn index(files: &[FileFacts]) -> Self {
        let mut s = Summaries::default();
        let definitions = files
            .iter()
            .enumerate()
            .flat_map(|(i, f)| f.functions.iter().map(move |d| (i, d)));
        for (file, f) in definitions {
            let returns = f.returns.iter().map(|r| (file, r.clone()));
            match s.functions.get_mut(&f.name) {
                Some(existing) => {
                    // Several definitions (methods of different classes): returns may come
                    // from any; a check counts only if every definition checks.
                    existing.returns.extend(returns);
                    existing.checked.retain(|p| f.checked_params.contains(p));
                }
                None => {
                    s.functions.insert(
                        f.name.clone(),
                        Summary {
                            returns: returns.collect(),
                            checked: f.checked_params.iter().copied().collect(),
                        },
                    );
                }
            }
        }
        let mut calls = CallTargets {
            defined: s.functions.keys().cloned().collect(),
            ..CallTargets::default()
        };
        for key in s.functions.keys().filter(|k| k.is_method()) {
            calls
                .methods_by_name
                .entry(key.name().clone())
                .or_default()
                .push(key.clone());
        }
        for list in calls.methods_by_name.values_mut() {
            list.sort();
        }
        for class in files.iter().flat_map(|f| &f.classes) {
            let entry = calls.parents.entry(class.name.clone()).or_default();
            for p in &class.parents {
                if !entry.contains(p) {
                    entry.push(p.clone());
                }
            }
        }
        s.calls = Arc::new(calls);
        s
    }

    /// Solve the summaries merged by [`Summaries::index`]: which functions pass which
    /// parameters on, return request values, or put parameters in SQL text.
    pub fn solve(&mut self, files: &[FileFacts]) {
        self.solve_returns();
        self.solve_sql_params(files);
    }

    /// Which definitions a call may run, to share.
    pub fn call_targets(&self) -> Arc<CallTargets> {
        self.calls.clone()
    }

    /// The definitions a call may run ([`CallTargets::targets`]).
    pub fn targets(&self, callee: &FnKey) -> &[FnKey] {
        self.calls.targets(callee)
    }

    /// `(callee, param, kind)` propagates for some definition the call may run.
    fn propagates_via(&self, callee: &FnKey, param: u32, kind: TaintKind) -> bool {
        self.targets(callee)
            .iter()
            .any(|t| self.propagates.contains(&(t.clone(), param, kind)))
    }

    /// Some definition the call may run returns a request value of `kind` it reads itself.
    fn returns_source_via(&self, callee: &FnKey, kind: TaintKind) -> bool {
        self.targets(callee)
            .iter()
            .any(|t| self.returns_source.contains(&(t.clone(), kind)))
    }

    /// Fixpoint over return summaries: which functions propagate which parameters, and which
    /// return request values of their own.
    fn solve_returns(&mut self) {
        // Functions that return tainted values (most return none), taken once: the fixpoint
        // only adds to `propagates` and `returns_source`.
        let work: Vec<(FnKey, Vec<(usize, Taint)>)> = self
            .functions
            .iter()
            .filter(|(_, s)| !s.returns.is_empty())
            .map(|(name, s)| (name.clone(), s.returns.clone()))
            .collect();
        // What a return value resolves to depends only on the summaries of the callees along
        // its chain, all found by name: after the first round, a function is looked at again
        // only when a callee of that name gained something in the round before.
        let callees: Vec<HashSet<Arc<str>>> = work
            .iter()
            .map(|(_, returns)| {
                let mut names = HashSet::default();
                for (_, r) in returns {
                    chain_callees(r, &mut names);
                }
                names
            })
            .collect();
        let mut changed_names: Option<HashSet<Arc<str>>> = None;
        loop {
            let mut changed: HashSet<Arc<str>> = HashSet::default();
            for ((name, returns), callees) in work.iter().zip(&callees) {
                if let Some(names) = &changed_names {
                    if !callees.iter().any(|c| names.contains(c)) {
                        continue;
                    }
                }
                let mut grew = false;
                for kind in [TaintKind::Host, TaintKind::TenantParam] {
                    for (file, r) in returns {
                        for p in self.params_of(r, kind, 0) {
                            grew |= self.propagates.insert((name.clone(), p, kind));
                        }
                        let mut budget = 0;
                        if self
                            .resolve_at(r, kind, *file, 0, false, &mut budget)
                            .is_some()
                            || self.reads_source_via_call(r, kind)
                        {
                            grew |= self.returns_source.insert((name.clone(), kind));
                        }
                    }
                }
                if grew {
                    changed.insert(name.name().clone());
                }
            }
            if changed.is_empty() {
                break;
            }
            changed_names = Some(changed);
        }
    }

    fn reads_source_via_call(&self, t: &Taint, kind: TaintKind) -> bool {
        if kind == TaintKind::Host && t.escaped {
            return false;
        }
        match &t.origin {
            TaintOrigin::Call {
                callee, arg: None, ..
            } => self.returns_source_via(callee, kind),
            _ => false,
        }
    }

    /// Parameters of the enclosing function a taint derives from.
    fn params_of(&self, t: &Taint, kind: TaintKind, depth: usize) -> Vec<u32> {
        if depth > MAX_CHAIN || (kind == TaintKind::Host && t.escaped) {
            return Vec::new();
        }
        match &t.origin {
            TaintOrigin::Param(i) => vec![*i],
            TaintOrigin::Call {
                callee,
                arg: Some(j),
                inner: Some(inner),
            } if self.propagates_via(callee, *j, kind) => self.params_of(inner, kind, depth + 1),
            _ => Vec::new(),
        }
    }

    /// Fixpoint over sinks: parameters that reach SQL text, directly or through a callee.
    fn solve_sql_params(&mut self, files: &[FileFacts]) {
        // Parameters in a function's own SQL text: each file's sites unpacked in parallel.
        let this = &*self;
        let seeds: Vec<(FnKey, u32)> = files
            .par_iter()
            .filter(|file| !file.no_param_sites)
            .flat_map_iter(|file| {
                let sites = file.sites.items().unwrap_or_default();
                let mut seeds = Vec::new();
                for site in sites.iter() {
                    let Some(func) = &site.function else {
                        continue;
                    };
                    for piece in site.variants.iter().flatten() {
                        if let Piece::Hole(h) = piece {
                            for t in &h.taint {
                                for p in this.params_of(t, TaintKind::Host, 0) {
                                    seeds.push((func.clone(), p));
                                }
                            }
                        }
                    }
                }
                seeds
            })
            .collect();
        for (func, p) in seeds {
            self.add_sql_param(&func, p);
        }
        // A call passes its caller's parameters on to SQL only through a callee's SQL
        // parameters, found by the callee's name: calls are looked at again only when a
        // function of their callee's name gained one.
        // Only calls inside functions with an argument derived from a parameter can add one
        // (what derives from a parameter is settled by now): the others are not kept. Each
        // file's calls are unpacked in parallel, and dropped as soon as they are filtered.
        let this = &*self;
        let relevant: Vec<crate::facts::CallFact> = files
            .par_iter()
            .filter(|f| !f.no_param_calls)
            .flat_map_iter(|f| {
                let calls = f.calls.items().unwrap_or_default();
                calls
                    .iter()
                    .filter(|call| {
                        call.in_function.is_some()
                            && call
                                .args
                                .iter()
                                .flatten()
                                .flat_map(|h| &h.taint)
                                .any(|t| !this.params_of(t, TaintKind::Host, 0).is_empty())
                    })
                    .cloned()
                    .collect::<Vec<_>>()
            })
            .collect();
        let mut calls_by_name: HashMap<&Arc<str>, Vec<&crate::facts::CallFact>> =
            HashMap::default();
        for call in &relevant {
            calls_by_name
                .entry(call.callee.name())
                .or_default()
                .push(call);
        }
        let mut pending: Vec<Arc<str>> = self.sql_param_names.iter().cloned().collect();
        let mut queued: HashSet<Arc<str>> = pending.iter().cloned().collect();
        while let Some(name) = pending.pop() {
            queued.remove(&name);
            for call in calls_by_name.get(&name).into_iter().flatten() {
                let Some(func) = &call.in_function else {
                    continue;
                };
                for (j, holes) in call.args.iter().enumerate() {
                    if !self.is_sql_param(&call.callee, j as u32) {
                        continue;
                    }
                    for t in holes.iter().flat_map(|h| &h.taint) {
                        for p in self.params_of(t, TaintKind::Host, 0) {
                            if self.add_sql_param(func, p) && queued.insert(func.name().clone()) {
                                pending.push(func.name().clone());
                            }
                        }
                    }
                }
            }
        }
    }

    fn add_sql_param(&mut self, function: &FnKey, param: u32) -> bool {
        self.sql_param_names.insert(function.name().clone());
        self.sql_params.insert((function.clone(), param))
    }

    /// Whether a call may run a function or method defined in the scanned project.
    pub fn is_project_function(&self, callee: &FnKey) -> bool {
        !self.targets(callee).is_empty()
    }

    /// Whether the call checks its parameter `index` (compares it with another value and
    /// leaves on mismatch, on every path) whichever definition runs.
    pub fn checks(&self, callee: &FnKey, index: u32) -> bool {
        let targets = self.targets(callee);
        !targets.is_empty()
            && targets.iter().all(|t| {
                self.functions
                    .get(t)
                    .is_some_and(|s| s.checked.contains(&index))
            })
    }

    /// Whether argument `index` of the call reaches SQL text unescaped in a definition it may
    /// run.
    pub fn is_sql_param(&self, callee: &FnKey, index: u32) -> bool {
        if !self.sql_param_names.contains(callee.name()) {
            return false;
        }
        self.targets(callee)
            .iter()
            .any(|t| self.sql_params.contains(&(t.clone(), index)))
    }

    /// A call key as users write it: `pdf::header()` → `pdf::header`, `*::m` → `->m`.
    pub fn display_callee(callee: &FnKey) -> String {
        callee.display()
    }

    /// Whether a taint found in `file` is a request value of `kind` (unescaped, for the host;
    /// unchecked, for the tenant parameter), and how it got there: the read, also inside the
    /// project function whose result carries it, and every step.
    pub fn resolve(&self, t: &Taint, kind: TaintKind, file: usize) -> Option<Resolved> {
        let mut budget = 0;
        self.resolve_at(t, kind, file, 0, true, &mut budget)
    }

    /// `follow`: look into the definitions of the functions a value came back from, for the
    /// read and the steps there (traces); without it, a call that returns a request value
    /// resolves with no source.
    fn resolve_at(
        &self,
        t: &Taint,
        kind: TaintKind,
        file: usize,
        depth: usize,
        follow: bool,
        budget: &mut usize,
    ) -> Option<Resolved> {
        *budget += 1;
        if depth > MAX_CHAIN || *budget > MAX_VISITS || (kind == TaintKind::Host && t.escaped) {
            return None;
        }
        if kind == TaintKind::TenantParam
            && t.guards.iter().any(|(callee, i)| self.checks(callee, *i))
        {
            return None;
        }
        let mut resolved = match &t.origin {
            TaintOrigin::Source { kind: k, span } if *k == kind => Resolved {
                source: Some(Located { file, span: *span }),
                ..Resolved::default()
            },
            TaintOrigin::Call {
                callee, arg: None, ..
            } if self.returns_source_via(callee, kind) => {
                let inner = if follow {
                    self.targets(callee)
                        .iter()
                        .filter_map(|target| self.functions.get(target))
                        .flat_map(|s| &s.returns)
                        .find_map(|(f, r)| self.resolve_at(r, kind, *f, depth + 1, true, budget))
                } else {
                    None
                };
                let mut resolved = inner.unwrap_or_default();
                resolved.via = Some(callee.clone());
                let first = resolved.steps.len();
                resolved
                    .steps
                    .extend(t.steps.iter().map(|span| ResolvedStep {
                        at: Located { file, span: *span },
                        returned_by: None,
                    }));
                if let Some(step) = resolved.steps.get_mut(first) {
                    step.returned_by = Some(callee.clone());
                }
                return Some(resolved);
            }
            TaintOrigin::Call {
                callee,
                arg: Some(j),
                inner: Some(inner),
            } if self.propagates_via(callee, *j, kind) => {
                self.resolve_at(inner, kind, file, depth + 1, follow, budget)?
            }
            _ => return None,
        };
        resolved
            .steps
            .extend(t.steps.iter().map(|span| ResolvedStep {
                at: Located { file, span: *span },
                returned_by: None,
            }));
        Some(resolved)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{FunctionSummary, Span};

    fn source(kind: TaintKind) -> Taint {
        Taint::new(TaintOrigin::Source {
            kind,
            span: Span::new(1, 2),
        })
    }

    fn call(callee: &str, arg: Option<u32>, inner: Option<Taint>) -> Taint {
        Taint::new(TaintOrigin::Call {
            callee: callee.into(),
            arg,
            inner: inner.map(Box::new),
        })
    }

    fn function(name: &str, returns: Vec<Taint>, checked: Vec<u32>) -> FunctionSummary {
        FunctionSummary {
            name: name.into(),
            returns,
            checked_params: checked,
        }
    }

    fn facts(functions: Vec<FunctionSummary>) -> Vec<FileFacts> {
        vec![FileFacts {
            functions,
            ..FileFacts::default()
        }]
    }

    #[test]
    fn helpers_propagate_through_chains_and_escaping_stops_the_host() {
        let mut escaped = Taint::new(TaintOrigin::Param(0));
        escaped.escaped = true;
        let files = facts(vec![
            function("lower", vec![Taint::new(TaintOrigin::Param(0))], vec![]),
            function(
                "wrap",
                vec![call(
                    "lower",
                    Some(0),
                    Some(Taint::new(TaintOrigin::Param(0))),
                )],
                vec![],
            ),
            function("esc", vec![escaped], vec![]),
            function("host", vec![source(TaintKind::Host)], vec![]),
        ]);
        let s = Summaries::build(&files);
        let host = source(TaintKind::Host);
        assert!(s
            .resolve(
                &call("wrap", Some(0), Some(host.clone())),
                TaintKind::Host,
                0
            )
            .is_some());
        assert!(s
            .resolve(
                &call("esc", Some(0), Some(host.clone())),
                TaintKind::Host,
                0
            )
            .is_none());
        // Escaping is not a check: the tenant parameter goes through.
        let ep = source(TaintKind::TenantParam);
        assert!(s
            .resolve(&call("esc", Some(0), Some(ep)), TaintKind::TenantParam, 0)
            .is_some());
        assert!(s
            .resolve(&call("host", None, None), TaintKind::Host, 0)
            .is_some());
        assert!(s
            .resolve(&call("strlen", Some(0), Some(host)), TaintKind::Host, 0)
            .is_none());
    }

    #[test]
    fn a_checking_function_clears_the_values_passed_to_it() {
        let files = facts(vec![function("check_ep", vec![], vec![0])]);
        let s = Summaries::build(&files);
        let mut ep = source(TaintKind::TenantParam);
        assert!(s.resolve(&ep, TaintKind::TenantParam, 0).is_some());
        ep.guards.push(("check_ep".into(), 0));
        assert!(s.resolve(&ep, TaintKind::TenantParam, 0).is_none());
        assert!(s.checks(&"check_ep".into(), 0) && !s.checks(&"check_ep".into(), 1));
    }

    /// `f0` returns the host; `f{n}` returns what `f{n-1}` returns; `g{n}` passes its
    /// parameter through `g{n-1}`, down to `g0`, which returns it. Listed deepest first, so
    /// that each link is learnt only after the one below it: every round must be taken.
    #[test]
    fn return_summaries_follow_chains_of_any_length_in_any_order() {
        let depth = 12;
        let mut functions = Vec::new();
        for n in (1..depth).rev() {
            functions.push(function(
                &format!("f{n}"),
                vec![call(&format!("f{}", n - 1), None, None)],
                vec![],
            ));
            functions.push(function(
                &format!("g{n}"),
                vec![call(
                    &format!("g{}", n - 1),
                    Some(0),
                    Some(Taint::new(TaintOrigin::Param(0))),
                )],
                vec![],
            ));
        }
        functions.push(function("f0", vec![source(TaintKind::Host)], vec![]));
        functions.push(function(
            "g0",
            vec![Taint::new(TaintOrigin::Param(0))],
            vec![],
        ));
        functions.push(function(
            "unrelated",
            vec![call("strlen", None, None)],
            vec![],
        ));
        let s = Summaries::build(&facts(functions));
        let top = format!("f{}", depth - 1);
        assert!(s
            .resolve(&call(&top, None, None), TaintKind::Host, 0)
            .is_some());
        let host = source(TaintKind::Host);
        let g_top = format!("g{}", depth - 1);
        assert!(s
            .resolve(
                &call(&g_top, Some(0), Some(host.clone())),
                TaintKind::Host,
                0
            )
            .is_some());
        assert!(s
            .resolve(&call("unrelated", None, None), TaintKind::Host, 0)
            .is_none());
        // The chain passes the tenant parameter too, but nothing returns one of its own.
        assert!(s
            .resolve(&call(&top, None, None), TaintKind::TenantParam, 0)
            .is_none());
    }

    /// `sink0` puts its parameter in SQL text; `sink{n}` hands its parameter to `sink{n-1}`;
    /// the calls are listed top first, so each caller is learnt a round after its callee.
    #[test]
    fn sql_parameters_climb_chains_of_callers_in_any_order() {
        let depth = 12;
        let param = |i| crate::facts::Hole {
            taint: vec![Taint::new(TaintOrigin::Param(i))].into(),
            ..crate::facts::Hole::new(Span::new(0, 1), crate::facts::HoleExpr::Opaque("$p".into()))
        };
        let mut calls = Vec::new();
        for n in (1..depth).rev() {
            calls.push(crate::facts::CallFact {
                callee: format!("sink{}", n - 1).as_str().into(),
                span: Span::new(n, n + 1),
                // The parameter goes second; the first argument is a constant.
                args: vec![vec![], vec![param(1)]],
                in_function: Some(format!("sink{n}").as_str().into()),
            });
        }
        let site = crate::facts::SqlSite {
            exec: Span::new(0, 1),
            variants: vec![vec![Piece::Hole(param(1))]],
            capped: false,
            function: Some("sink0".into()),
            dialect: Default::default(),
            params: Vec::new(),
        };
        let functions = (0..depth)
            .map(|n| function(&format!("sink{n}"), vec![], vec![]))
            .chain([function("other", vec![], vec![])])
            .collect();
        let mut files = vec![FileFacts {
            functions,
            calls: calls.into(),
            sites: vec![site].into(),
            ..FileFacts::default()
        }];
        // As the engine keeps them after lowering.
        files[0].pack();
        assert!(matches!(files[0].calls, crate::facts::PackedVec::Packed(_)));
        let s = Summaries::build(&files);
        for n in 0..depth {
            let key: FnKey = format!("sink{n}").as_str().into();
            assert!(s.is_sql_param(&key, 1), "sink{n}");
            assert!(!s.is_sql_param(&key, 0), "sink{n} argument 0");
        }
        assert!(!s.is_sql_param(&"other".into(), 1));
    }
}

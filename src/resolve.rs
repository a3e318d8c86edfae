//! The project-wide pass: fold the constant definitions of every file into known texts.
//!
//! `$iw['table_prefix'] = "iw_"; $iw['member_table'] = $iw['table_prefix'] . "member";` in one
//! file and `define('G5_TABLE_PREFIX', 'g5_')` in another make `{$iw['member_table']}` resolve
//! to `iw_member` everywhere. The `[tables]` config names what folding cannot, and wins over the
//! project's own definitions (a sample config file's `define('TABLE_PREFIX', '%')` does not
//! beat the configured prefix).
//!
//! A constant (a name without `$`: `define`d, `const`, a class constant) defined several ways
//! has each of them as a variant, and what is built from it folds once per variant; a query
//! using it is analysed once per variant ([`Constants::expand_variants`]). A variable, array
//! element or property whose definitions disagree stays unknown. A definition that depends on
//! a run-time value makes its path unknown.
//!
//! A definition inside a function that uses a parameter (`function defineTables($prefix) {
//! define('TICKET_TABLE', $prefix . 'ticket'); }`) folds with what the project's calls pass
//! for it (`defineTables(TABLE_PREFIX)`), or the parameter's default: each parameter is a
//! constant whose definitions are its callers' arguments.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use rayon::prelude::*;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::facts::{
    ConstCall, ConstDef, FileFacts, FnKey, FoldPiece, Hole, HoleExpr, Piece, Template,
};
use crate::names::{normalize_expr, VarPath};

/// At most this many texts are kept for one path; more are cut (and the cut is reported where
/// the path is used).
pub const MAX_TEXTS: usize = 8;
/// At most this many ways one query is analysed once its names with several texts are
/// expanded.
pub const MAX_EXPANDED_VARIANTS: usize = 64;

/// The texts a path folds to: empty when unknown.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Folded {
    texts: Vec<String>,
    /// More texts existed than [`MAX_TEXTS`].
    truncated: bool,
}

impl Folded {
    fn one(text: String) -> Self {
        Folded {
            texts: vec![text],
            truncated: false,
        }
    }
}

/// Known texts of hole expressions, built once per run.
#[derive(Debug, Default)]
pub struct Constants {
    defs: HashMap<VarPath, Vec<Vec<FoldPiece>>>,
    /// `None` while a path is being folded (a cycle resolves to unknown).
    folded: HashMap<VarPath, Option<Folded>>,
    /// For paths that do not fold: the text every non-empty definition starts with
    /// (`$write_table = $g5['write_prefix'] . $bo_table` → `g5_write_`).
    prefixes: HashMap<VarPath, String>,
    configured: HashMap<String, String>,
    /// The `[tables]` key each spelling of an expression asked about names, if any.
    configured_keys: RwLock<HashMap<Box<str>, Option<Arc<str>>>>,
    /// Files whose calls binding parameters could not be read back (facts from a cache file
    /// that decodes but whose packed list does not): not used, and reported.
    pub unreadable: Vec<usize>,
}

/// Values of one path compared one by one below this many; a set from there on.
const SEEN_FROM: usize = 8;

/// The name of parameter `index` of `function` as a path of its own, defined by the callers'
/// arguments. Never a PHP expression.
fn param_path(function: &FnKey, index: u32) -> VarPath {
    VarPath::new(None, &format!("({function})#{index}"), "")
}

impl Constants {
    /// Fold the definitions of every file of the project, with the calls that bind the
    /// parameters of definitions made inside functions. `configured` is the `[tables]` section.
    /// `targets` gives the definitions a call key may run (`Summaries::targets`).
    pub fn build_project(
        facts: &[FileFacts],
        configured: &BTreeMap<String, String>,
        targets: &dyn Fn(&FnKey) -> Vec<FnKey>,
    ) -> Self {
        let defaults = facts.iter().flat_map(|f| &f.param_defaults).map(|d| {
            let ways = d.value.iter().map(template_pieces).collect();
            (d.function.clone(), d.index, ways)
        });
        // Calls matter only to functions whose definitions use a parameter, found by name:
        // each file's packed calls are unpacked in parallel and only those calls kept.
        let names: HashSet<&std::sync::Arc<str>> = facts
            .iter()
            .flat_map(|f| &f.consts)
            .filter(|d| d.value.iter().any(|p| matches!(p, FoldPiece::Param(_))))
            .filter_map(|d| d.function.as_ref().map(FnKey::name))
            .collect();
        let per_file: Vec<Result<Vec<ConstCall>, usize>> = if names.is_empty() {
            Vec::new()
        } else {
            facts
                .par_iter()
                .enumerate()
                .map(|(file, f)| match f.const_calls.items() {
                    Ok(calls) => Ok(calls
                        .iter()
                        .filter(|c| names.contains(c.callee.name()))
                        .cloned()
                        .collect()),
                    Err(_) => Err(file),
                })
                .collect()
        };
        let mut calls = Vec::new();
        let mut unreadable = Vec::new();
        for result in per_file {
            match result {
                Ok(kept) => calls.extend(kept),
                Err(file) => unreadable.push(file),
            }
        }
        let mut constants = Self::build_with_calls(
            facts.iter().flat_map(|f| &f.consts),
            &calls,
            defaults,
            configured,
            targets,
        );
        constants.unreadable = unreadable;
        constants
    }

    /// Fold definitions alone (no calls bind parameters). `configured` is the `[tables]`
    /// section (source text → name).
    pub fn build<'a>(
        defs: impl IntoIterator<Item = &'a ConstDef>,
        configured: &BTreeMap<String, String>,
    ) -> Self {
        Self::build_with_calls(defs, [], std::iter::empty(), configured, &|c| {
            vec![c.clone()]
        })
    }

    fn build_with_calls<'a>(
        defs: impl IntoIterator<Item = &'a ConstDef>,
        calls: impl IntoIterator<Item = &'a ConstCall>,
        defaults: impl Iterator<Item = (FnKey, u32, Vec<Vec<FoldPiece>>)>,
        configured: &BTreeMap<String, String>,
        targets: &dyn Fn(&FnKey) -> Vec<FnKey>,
    ) -> Self {
        let mut by_path: HashMap<VarPath, Vec<Vec<FoldPiece>>> = HashMap::default();
        // Parameters used by definitions: (function key, index) → their path.
        let mut params: HashMap<(FnKey, u32), VarPath> = HashMap::default();
        // Each path's distinct values in the order first met. Most paths have a few, compared
        // in place; past [`SEEN_FROM`] a set keeps that linear (a path such as
        // `$form['#type']` may be assigned thousands of times).
        let mut seen: HashMap<VarPath, HashSet<Vec<FoldPiece>>> = HashMap::default();
        let mut add = |by_path: &mut HashMap<VarPath, Vec<Vec<FoldPiece>>>,
                       path: &VarPath,
                       value: &[FoldPiece]| {
            let values = match by_path.get_mut(path) {
                Some(values) => values,
                None => by_path.entry(path.clone()).or_default(),
            };
            if values.len() < SEEN_FROM {
                if !values.iter().any(|v| v.as_slice() == value) {
                    values.push(value.to_vec());
                }
                return;
            }
            let set = match seen.get_mut(path) {
                Some(set) => set,
                None => seen
                    .entry(path.clone())
                    .or_insert_with(|| values.iter().cloned().collect()),
            };
            if !set.contains(value) {
                set.insert(value.to_vec());
                values.push(value.to_vec());
            }
        };
        let mut roots: Vec<VarPath> = Vec::new();
        for d in defs {
            // Parameters become their paths; most values have none and are used as they are.
            let value: Cow<[FoldPiece]> =
                if d.value.iter().any(|p| matches!(p, FoldPiece::Param(_))) {
                    Cow::Owned(
                        d.value
                            .iter()
                            .map(|p| match (p, &d.function) {
                                (FoldPiece::Param(i), Some(f)) => {
                                    let key = (f.clone(), *i);
                                    let path = params
                                        .entry(key)
                                        .or_insert_with(|| param_path(f, *i))
                                        .clone();
                                    FoldPiece::Ref(path)
                                }
                                (FoldPiece::Param(_), None) => FoldPiece::Opaque,
                                (p, _) => p.clone(),
                            })
                            .collect(),
                    )
                } else {
                    Cow::Borrowed(&d.value)
                };
            if !by_path.contains_key(&d.path) {
                roots.push(d.path.clone());
            }
            add(&mut by_path, &d.path, &value);
        }
        if !params.is_empty() {
            let defaults: HashMap<(FnKey, u32), Vec<Vec<FoldPiece>>> = defaults
                .map(|(f, i, ways)| ((f, i), ways))
                .filter(|(k, _)| params.contains_key(k))
                .collect();
            let mut by_function: HashMap<&FnKey, Vec<(u32, &VarPath)>> = HashMap::default();
            for ((f, i), path) in &params {
                by_function.entry(f).or_default().push((*i, path));
            }
            // A call binds the parameters of each definition it may run, all of its name:
            // calls of other names are passed over without looking their definitions up.
            let names: HashSet<&std::sync::Arc<str>> =
                by_function.keys().map(|f| f.name()).collect();
            for (call, target) in calls
                .into_iter()
                .filter(|c| names.contains(c.callee.name()))
                .flat_map(|c| targets(&c.callee).into_iter().map(move |t| (c, t)))
            {
                let Some(bound) = by_function.get(&target) else {
                    continue;
                };
                for (i, path) in bound {
                    let key = (target.clone(), *i);
                    // An argument that does not fold is a run-time value; an omitted one is
                    // the default.
                    let opaque = [vec![FoldPiece::Opaque]];
                    let ways: &[Vec<FoldPiece>] = match call.args.get(*i as usize) {
                        Some(ways) if ways.is_empty() => &opaque,
                        Some(ways) => ways,
                        None => match defaults.get(&key) {
                            Some(d) if !d.is_empty() => d,
                            _ => &opaque,
                        },
                    };
                    for way in ways {
                        add(&mut by_path, path, way);
                    }
                }
            }
        }
        let mut constants = Constants {
            defs: by_path,
            folded: HashMap::default(),
            prefixes: HashMap::default(),
            configured: configured
                .iter()
                .map(|(k, v)| (normalize_expr(k), v.clone()))
                .collect(),
            configured_keys: Default::default(),
            unreadable: Vec::new(),
        };
        for p in &roots {
            constants.fold(p);
        }
        for p in roots {
            if constants.folded(&p).is_some() {
                continue;
            }
            if let Some(prefix) = constants.known_prefix(&p) {
                constants.prefixes.insert(p, prefix);
            }
        }
        constants.defs = HashMap::default();
        constants
    }

    /// The texts `path` folds to, when known.
    fn folded(&self, path: &str) -> Option<&Folded> {
        self.folded
            .get(path)
            .and_then(|f| f.as_ref())
            .filter(|f| !f.texts.is_empty())
    }

    /// The `[tables]` entry for an expression, in any spelling.
    fn configured_for(&self, expr: &str) -> Option<&String> {
        if self.configured.is_empty() {
            return None;
        }
        // Which entry a spelling names is asked again for every hole of every query: each
        // spelling is normalised once.
        let known = self
            .configured_keys
            .read()
            .ok()
            .and_then(|memo| memo.get(expr).cloned());
        let entry = match known {
            Some(entry) => entry,
            None => {
                let key = VarPath::php(expr);
                let entry = if self.configured.contains_key(key.as_str()) {
                    Some(Arc::<str>::from(key.as_str()))
                } else if key.class().is_some() && self.configured.contains_key(key.unqualified()) {
                    // `Member::$this->table` may be configured as `$this->table`.
                    Some(Arc::<str>::from(key.unqualified()))
                } else {
                    None
                };
                if let Ok(mut memo) = self.configured_keys.write() {
                    memo.insert(expr.into(), entry.clone());
                }
                entry
            }
        };
        self.configured.get(&*entry?)
    }

    /// Fold one path with an explicit work stack (definition chains can be long).
    fn fold(&mut self, root: &VarPath) {
        let mut stack: Vec<VarPath> = vec![root.clone()];
        while let Some(path) = stack.last().cloned() {
            if matches!(self.folded.get(&path), Some(Some(_))) {
                stack.pop();
                continue;
            }
            // `[tables]` wins over the project's definitions.
            if let Some(text) = self.configured_for(&path) {
                let folded = Folded::one(text.clone());
                self.folded.insert(path, Some(folded));
                stack.pop();
                continue;
            }
            let Some(defs) = self.defs.get(&path) else {
                self.folded.insert(path, Some(Folded::default()));
                stack.pop();
                continue;
            };
            let in_progress = self.folded.contains_key(&path);
            // Dependencies not folded yet are folded first (unless this is a cycle).
            let pending: Vec<VarPath> = defs
                .iter()
                .flatten()
                .filter_map(|p| match p {
                    FoldPiece::Ref(r) if !self.folded.contains_key(r) => Some(r.clone()),
                    _ => None,
                })
                .collect();
            if !pending.is_empty() && !in_progress {
                self.folded.insert(path.clone(), None);
                stack.extend(pending);
                continue;
            }
            let folded = self.combine(&path, defs);
            self.folded.insert(path, Some(folded));
            stack.pop();
        }
    }

    /// The texts of a path from those of its definitions.
    fn combine(&self, path: &VarPath, defs: &[Vec<FoldPiece>]) -> Folded {
        let mut out = Folded::default();
        for (n, def) in defs.iter().enumerate() {
            let (texts, complete, truncated) = self.def_texts(def);
            if !complete {
                return Folded::default();
            }
            if !path.is_constant() {
                // A variable: every definition must give the same texts.
                if n > 0 && texts != out.texts {
                    return Folded::default();
                }
                out.texts = texts;
                out.truncated |= truncated;
                continue;
            }
            out.truncated |= truncated;
            for t in texts {
                if out.texts.contains(&t) {
                    continue;
                }
                if out.texts.len() >= MAX_TEXTS {
                    out.truncated = true;
                    break;
                }
                out.texts.push(t);
            }
        }
        out
    }

    /// The texts a definition may have, up to its first unknown piece (one per combination of
    /// the texts of its references, at most [`MAX_TEXTS`]); whether that is all of it; whether
    /// texts were cut.
    fn def_texts(&self, def: &[FoldPiece]) -> (Vec<String>, bool, bool) {
        let mut texts = vec![String::new()];
        let mut truncated = false;
        for piece in def {
            match piece {
                FoldPiece::Text(t) => texts.iter_mut().for_each(|s| s.push_str(t)),
                FoldPiece::Ref(r) => match self.folded(r) {
                    Some(f) => {
                        truncated |= f.truncated;
                        let mut next = Vec::with_capacity(texts.len() * f.texts.len());
                        'product: for s in &texts {
                            for t in &f.texts {
                                let joined = format!("{s}{t}");
                                if next.contains(&joined) {
                                    continue;
                                }
                                if next.len() >= MAX_TEXTS {
                                    truncated = true;
                                    break 'product;
                                }
                                next.push(joined);
                            }
                        }
                        texts = next;
                    }
                    None => return (texts, false, truncated),
                },
                FoldPiece::Opaque | FoldPiece::Param(_) => return (texts, false, truncated),
            }
        }
        (texts, true, truncated)
    }

    /// The text all non-empty definitions of `path` start with, if any: the known literal
    /// text (and folded references) before the first unknown piece. Empty definitions are
    /// initialisations (`$t = ''`) and do not count.
    fn known_prefix(&self, path: &str) -> Option<String> {
        let defs = self.defs.get(path)?;
        let mut common: Option<String> = None;
        for def in defs {
            let (texts, complete, _) = self.def_texts(def);
            if complete && texts.iter().all(|t| t.is_empty()) {
                continue;
            }
            for text in texts {
                common = Some(match common {
                    None => text,
                    Some(c) => c
                        .chars()
                        .zip(text.chars())
                        .take_while(|(a, b)| a == b)
                        .map(|(a, _)| a)
                        .collect(),
                });
            }
        }
        common.filter(|c| !c.is_empty())
    }

    /// The text a hole expression is known to start with, when its whole text is not known.
    pub fn resolve_prefix(&self, expr: &HoleExpr) -> Option<String> {
        match expr {
            HoleExpr::Path(p) => self.prefixes.get(&**p).cloned(),
            HoleExpr::Opaque(_) | HoleExpr::Unassigned(_) => None,
        }
    }

    /// The known text of a hole expression when it has exactly one: `[tables]` first, then
    /// folded definitions.
    pub fn resolve(&self, expr: &HoleExpr) -> Option<String> {
        match self.texts_of(expr).0 {
            [text] => Some(text.clone()),
            _ => None,
        }
    }

    /// Every known text of a hole expression (empty when unknown): a constant defined several
    /// ways has several.
    pub fn resolve_all(&self, expr: &HoleExpr) -> Vec<String> {
        self.resolve_variants(expr).0
    }

    /// Every known text of a hole expression, and whether more existed than were kept.
    pub fn resolve_variants(&self, expr: &HoleExpr) -> (Vec<String>, bool) {
        let (texts, truncated) = self.texts_of(expr);
        (texts.to_vec(), truncated)
    }

    fn texts_of(&self, expr: &HoleExpr) -> (&[String], bool) {
        if let Some(text) = self.configured_for(expr.display()) {
            return (std::slice::from_ref(text), false);
        }
        match expr {
            HoleExpr::Path(p) => match self.folded(p) {
                Some(f) => (&f.texts, f.truncated),
                None => (&[], false),
            },
            HoleExpr::Opaque(_) | HoleExpr::Unassigned(_) => (&[], false),
        }
    }

    /// Each way a query may be built, once per combination of the texts of its names that have
    /// several (`TABLE_PREFIX` defined two ways: each variant twice). A name with several
    /// texts gets the same one wherever it occurs in a variant; its holes carry that text as
    /// `known`. Values inside quotes are left as they are. Returns whether ways were left out
    /// (more than [`MAX_EXPANDED_VARIANTS`], or names with more than [`MAX_TEXTS`] texts).
    pub fn expand_variants<'s>(
        &self,
        variants: Cow<'s, [Template]>,
    ) -> (Cow<'s, [Template]>, bool) {
        // Unquoted holes with several texts, per variant: (piece indexes, texts) per name.
        let mut truncated = false;
        let mut plans: Vec<Vec<(Vec<usize>, &[String])>> = Vec::with_capacity(variants.len());
        for t in variants.iter() {
            let mut multi: Vec<(&HoleExpr, Vec<usize>, &[String])> = Vec::new();
            let mut rendered: Option<crate::sql::template::RenderedSql> = None;
            let mut hole_index = 0usize;
            for (i, piece) in t.iter().enumerate() {
                let Piece::Hole(h) = piece else { continue };
                hole_index += 1;
                if h.known.is_some() {
                    continue;
                }
                if let Some((_, indexes, _)) = multi.iter_mut().find(|(e, _, _)| **e == h.expr) {
                    indexes.push(i);
                    continue;
                }
                let (texts, cut) = self.texts_of(&h.expr);
                if texts.len() < 2 && !cut {
                    continue;
                }
                // Inside quotes a hole is a value, not a name.
                let rendered = rendered
                    .get_or_insert_with(|| crate::sql::template::render(t, &|e| self.resolve(e)));
                if rendered
                    .holes
                    .get(hole_index - 1)
                    .is_none_or(|rh| rh.quoted)
                {
                    continue;
                }
                truncated |= cut;
                if texts.len() >= 2 {
                    multi.push((&h.expr, vec![i], texts));
                }
            }
            plans.push(multi.into_iter().map(|(_, i, t)| (i, t)).collect());
        }
        if plans.iter().all(|p| p.is_empty()) {
            return (variants, truncated);
        }
        let mut out: Vec<Template> = Vec::new();
        'variants: for (t, plan) in variants.iter().zip(&plans) {
            if plan.is_empty() {
                if out.len() >= MAX_EXPANDED_VARIANTS {
                    truncated = true;
                    break;
                }
                out.push(t.clone());
                continue;
            }
            // Odometer over the texts of each name.
            let mut choice = vec![0usize; plan.len()];
            loop {
                if out.len() >= MAX_EXPANDED_VARIANTS {
                    truncated = true;
                    break 'variants;
                }
                let mut expanded = t.clone();
                for ((indexes, texts), c) in plan.iter().zip(&choice) {
                    for i in indexes {
                        if let Piece::Hole(h) = &t[*i] {
                            expanded[*i] = Piece::Hole(Hole {
                                known: Some(texts[*c].as_str().into()),
                                ..h.clone()
                            });
                        }
                    }
                }
                out.push(expanded);
                let mut k = 0;
                loop {
                    if k == choice.len() {
                        continue 'variants;
                    }
                    choice[k] += 1;
                    if choice[k] < plan[k].1.len() {
                        break;
                    }
                    choice[k] = 0;
                    k += 1;
                }
            }
        }
        (Cow::Owned(out), truncated)
    }
}

/// A template (a parameter default) as fold pieces.
fn template_pieces(t: &Template) -> Vec<FoldPiece> {
    t.iter().map(FoldPiece::of).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(path: &str, value: Vec<FoldPiece>) -> ConstDef {
        ConstDef {
            path: path.into(),
            value,
            function: None,
        }
    }

    fn text(t: &str) -> FoldPiece {
        FoldPiece::Text(t.into())
    }

    fn path(p: &str) -> HoleExpr {
        HoleExpr::Path(p.into())
    }

    /// A path assigned many times keeps each distinct value once, in the order first met,
    /// whether few (compared one by one) or many (then kept in a set).
    #[test]
    fn repeated_definitions_count_once_in_first_met_order() {
        for distinct in [3, MAX_TEXTS] {
            let names: Vec<String> = (0..distinct).map(|i| format!("t{i}_")).collect();
            // Each value three times over, interleaved.
            let defs: Vec<ConstDef> = (0..3)
                .flat_map(|_| names.iter().map(|n| def("PREFIX", vec![text(n)])))
                .collect();
            let c = Constants::build(&defs, &BTreeMap::new());
            let (texts, truncated) = c.resolve_variants(&path("PREFIX"));
            assert_eq!(texts, names, "{distinct} values");
            assert!(!truncated);
        }
    }

    #[test]
    fn folds_chains_across_definitions() {
        let defs = vec![
            def(
                "$iw['member_table']",
                vec![FoldPiece::Ref("$iw['table_prefix']".into()), text("member")],
            ),
            def("$iw['table_prefix']", vec![FoldPiece::Ref("PREFIX".into())]),
            def("PREFIX", vec![text("iw_")]),
        ];
        let c = Constants::build(&defs, &BTreeMap::new());
        assert_eq!(
            c.resolve(&path("$iw['member_table']")).as_deref(),
            Some("iw_member")
        );
    }

    #[test]
    fn disagreeing_or_opaque_definitions_stay_unknown() {
        let defs = vec![
            def("$t", vec![text("iw_a")]),
            def("$t", vec![text("iw_b")]),
            def("$u", vec![FoldPiece::Opaque]),
            def("$same", vec![text("x")]),
            def("$same", vec![text("x")]),
        ];
        let c = Constants::build(&defs, &BTreeMap::new());
        assert_eq!(c.resolve(&path("$t")), None);
        assert_eq!(c.resolve(&path("$u")), None);
        assert_eq!(c.resolve(&path("$same")).as_deref(), Some("x"));
    }

    #[test]
    fn a_known_beginning_survives_an_unknown_end() {
        let defs = vec![
            def("$iw['write_prefix']", vec![text("iw_write_")]),
            def("$write_table", vec![]),
            def(
                "$write_table",
                vec![
                    FoldPiece::Ref("$iw['write_prefix']".into()),
                    FoldPiece::Opaque,
                ],
            ),
            def("$other", vec![FoldPiece::Opaque, text("x")]),
        ];
        let c = Constants::build(&defs, &BTreeMap::new());
        assert_eq!(c.resolve(&path("$write_table")), None);
        assert_eq!(
            c.resolve_prefix(&path("$write_table")).as_deref(),
            Some("iw_write_")
        );
        assert_eq!(c.resolve_prefix(&path("$other")), None);
    }

    #[test]
    fn cycles_resolve_to_unknown() {
        let defs = vec![
            def("$a", vec![FoldPiece::Ref("$b".into())]),
            def("$b", vec![FoldPiece::Ref("$a".into())]),
        ];
        let c = Constants::build(&defs, &BTreeMap::new());
        assert_eq!(c.resolve(&path("$a")), None);
    }

    #[test]
    fn config_names_any_spelling() {
        let mut cfg = BTreeMap::new();
        cfg.insert("$iw[\"member_table\"]".to_string(), "iw_member".to_string());
        let c = Constants::build(&[], &cfg);
        assert_eq!(
            c.resolve(&path("$iw['member_table']")).as_deref(),
            Some("iw_member")
        );
        assert_eq!(
            c.resolve(&HoleExpr::Opaque("{$iw[member_table]}".into()))
                .as_deref(),
            Some("iw_member")
        );
        // Asked again (each spelling is looked up once, then remembered): the same answers.
        for _ in 0..2 {
            assert_eq!(
                c.resolve(&HoleExpr::Opaque("{$iw[member_table]}".into()))
                    .as_deref(),
                Some("iw_member")
            );
            assert_eq!(c.resolve(&path("$iw['order_table']")), None);
        }
        // A property of a class's own table, configured without the class.
        let mut cfg = BTreeMap::new();
        cfg.insert("$this->table".to_string(), "iw_board".to_string());
        let c = Constants::build(&[], &cfg);
        for _ in 0..2 {
            assert_eq!(
                c.resolve(&path("Board::$this->table")).as_deref(),
                Some("iw_board")
            );
            assert_eq!(c.resolve(&path("Board::$this->other")), None);
        }
    }
    fn reference(r: &str) -> FoldPiece {
        FoldPiece::Ref(r.into())
    }

    #[test]
    fn constants_defined_several_ways_fold_per_variant() {
        let defs = vec![
            def("PREFIX", vec![text("iw_")]),
            def("PREFIX", vec![text("old_")]),
            def("PREFIX", vec![text("iw_")]),
            def("T", vec![reference("PREFIX"), text("member")]),
            def("U", vec![reference("T")]),
            def("$g5['t']", vec![reference("PREFIX"), text("x")]),
        ];
        let c = Constants::build(&defs, &BTreeMap::new());
        assert_eq!(c.resolve_all(&path("PREFIX")), ["iw_", "old_"]);
        assert_eq!(c.resolve_all(&path("U")), ["iw_member", "old_member"]);
        // A single value is asked for: there is none.
        assert_eq!(c.resolve(&path("U")), None);
        // A variable built from a constant takes its variants.
        assert_eq!(c.resolve_all(&path("$g5['t']")), ["iw_x", "old_x"]);
    }

    #[test]
    fn variants_multiply_and_are_bounded() {
        let mut defs = vec![
            def("A", vec![text("a1")]),
            def("A", vec![text("a2")]),
            def("A", vec![text("a3")]),
            def("B", vec![text("b1")]),
            def("B", vec![text("b2")]),
            def("B", vec![text("b3")]),
            def("AB", vec![reference("A"), text("_"), reference("B")]),
        ];
        let c = Constants::build(&defs, &BTreeMap::new());
        let (texts, truncated) = c.resolve_variants(&path("AB"));
        assert_eq!(texts.len(), MAX_TEXTS);
        assert_eq!(texts[0], "a1_b1");
        assert!(truncated);
        defs.truncate(5);
        defs.push(def("AB", vec![reference("A"), reference("B")]));
        let c = Constants::build(&defs, &BTreeMap::new());
        assert_eq!(
            c.resolve_variants(&path("AB")),
            (
                ["a1b1", "a1b2", "a2b1", "a2b2", "a3b1", "a3b2"]
                    .map(String::from)
                    .to_vec(),
                false
            )
        );
    }

    #[test]
    fn an_opaque_definition_makes_a_constant_unknown() {
        let defs = vec![
            def("PREFIX", vec![text("iw_")]),
            def("PREFIX", vec![FoldPiece::Opaque]),
            def("T", vec![reference("PREFIX"), text("member")]),
        ];
        let c = Constants::build(&defs, &BTreeMap::new());
        assert_eq!(c.resolve_all(&path("T")), Vec::<String>::new());
    }

    #[test]
    fn configured_names_win_over_definitions_and_in_chains() {
        let defs = vec![
            def("TABLE_PREFIX", vec![text("%")]),
            def(
                "TICKET_TABLE",
                vec![reference("TABLE_PREFIX"), text("ticket")],
            ),
            def("$this_prefix", vec![FoldPiece::Opaque]),
        ];
        let mut cfg = BTreeMap::new();
        cfg.insert("TABLE_PREFIX".to_string(), "ost_".to_string());
        let c = Constants::build(&defs, &cfg);
        assert_eq!(c.resolve(&path("TABLE_PREFIX")).as_deref(), Some("ost_"));
        assert_eq!(
            c.resolve(&path("TICKET_TABLE")).as_deref(),
            Some("ost_ticket")
        );
    }

    fn param_def(path: &str, function: &str, value: Vec<FoldPiece>) -> ConstDef {
        ConstDef {
            path: path.into(),
            value,
            function: Some(function.into()),
        }
    }

    fn call(callee: &str, args: Vec<Vec<Vec<FoldPiece>>>) -> ConstCall {
        ConstCall {
            callee: callee.into(),
            args,
        }
    }

    #[test]
    fn parameters_are_bound_by_the_callers_arguments() {
        let defs = vec![
            param_def(
                "TICKET_TABLE",
                "definetables",
                vec![FoldPiece::Param(0), text("ticket")],
            ),
            def("PRIORITY", vec![reference("TICKET_TABLE")]),
            def("PFX", vec![text("ost_")]),
            // Without a function, a parameter is a run-time value.
            def("LOST", vec![FoldPiece::Param(0)]),
        ];
        let calls = vec![
            call("definetables", vec![vec![vec![reference("PFX")]]]),
            call("definetables", vec![vec![vec![text("old_")]]]),
            // Another function's calls bind nothing here.
            call("other", vec![vec![vec![text("x_")]]]),
        ];
        let c =
            Constants::build_with_calls(&defs, &calls, std::iter::empty(), &BTreeMap::new(), &same);
        assert_eq!(
            c.resolve_all(&path("PRIORITY")),
            ["ost_ticket", "old_ticket"]
        );
        assert_eq!(c.resolve(&path("LOST")), None);
        // The parameter's own path is no expression a query can hold.
        assert_eq!(c.resolve(&path("definetables")), None);
    }

    #[test]
    fn omitted_arguments_take_the_default_and_run_time_ones_are_unknown() {
        let defs = vec![param_def(
            "T",
            "f",
            vec![FoldPiece::Param(0), FoldPiece::Param(1)],
        )];
        let calls = vec![call("f", vec![vec![vec![text("iw_")]]])];
        let defaults = vec![(FnKey::from("f"), 1, vec![vec![text("member")]])];
        let c = Constants::build_with_calls(
            &defs,
            &calls,
            defaults.clone().into_iter(),
            &BTreeMap::new(),
            &same,
        );
        assert_eq!(c.resolve(&path("T")).as_deref(), Some("iw_member"));
        // No default: unknown.
        let c =
            Constants::build_with_calls(&defs, &calls, std::iter::empty(), &BTreeMap::new(), &same);
        assert_eq!(c.resolve(&path("T")), None);
        // A caller whose argument does not fold.
        let calls = vec![
            call("f", vec![vec![vec![text("iw_")]], vec![vec![text("a")]]]),
            call("f", vec![vec![], vec![vec![text("a")]]]),
        ];
        let c = Constants::build_with_calls(
            &defs,
            &calls,
            defaults.into_iter(),
            &BTreeMap::new(),
            &same,
        );
        assert_eq!(c.resolve_all(&path("T")), Vec::<String>::new());
    }

    /// Calls run the definition of the same key.
    fn same(callee: &FnKey) -> Vec<FnKey> {
        vec![callee.clone()]
    }

    fn t(s: &str) -> Piece {
        Piece::Text {
            text: s.into(),
            src: 0,
            linear: false,
        }
    }

    fn h(p: &str) -> Piece {
        Piece::Hole(Hole::new(crate::facts::Span::new(0, 1), path(p)))
    }

    /// Each template as text, holes as their known text or `{expr}`.
    fn texts(ts: &[Template]) -> Vec<String> {
        ts.iter()
            .map(|t| {
                t.iter()
                    .map(|p| match p {
                        Piece::Text { text, .. } => text.to_string(),
                        Piece::Hole(Hole { known: Some(k), .. }) => k.to_string(),
                        Piece::Hole(h) => format!("{{{}}}", h.expr.display()),
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn queries_expand_once_per_text_of_each_name() {
        let defs = vec![
            def("T", vec![text("iw_a")]),
            def("T", vec![text("iw_b")]),
            def("ONE", vec![text("one")]),
        ];
        let c = Constants::build(&defs, &BTreeMap::new());
        let variants = vec![
            vec![t("SELECT * FROM "), h("T"), t(" JOIN "), h("T"), t(" x")],
            vec![
                t("SELECT * FROM "),
                h("ONE"),
                t(" WHERE a = '"),
                h("T"),
                t("'"),
            ],
        ];
        let (out, truncated) = c.expand_variants(Cow::Borrowed(&variants));
        assert!(!truncated);
        assert_eq!(
            texts(&out),
            [
                "SELECT * FROM iw_a JOIN iw_a x",
                "SELECT * FROM iw_b JOIN iw_b x",
                // Inside quotes the name is a value: left for the renderer.
                "SELECT * FROM {ONE} WHERE a = '{T}'",
            ]
        );
        let plain = vec![vec![t("SELECT * FROM "), h("ONE")]];
        let (out, truncated) = c.expand_variants(Cow::Borrowed(&plain));
        assert!(matches!(out, Cow::Borrowed(_)) && !truncated);
    }

    #[test]
    fn expansion_is_bounded_and_says_so() {
        let mut defs = Vec::new();
        for name in ["A", "B", "C"] {
            for i in 0..5 {
                defs.push(def(name, vec![text(&format!("{name}{i}"))]));
            }
        }
        let c = Constants::build(&defs, &BTreeMap::new());
        let variants = vec![vec![
            t("SELECT * FROM "),
            h("A"),
            t(", "),
            h("B"),
            t(", "),
            h("C"),
        ]];
        let (out, truncated) = c.expand_variants(Cow::Borrowed(&variants));
        assert_eq!(out.len(), MAX_EXPANDED_VARIANTS);
        assert!(truncated);
        // A name with more texts than are kept is flagged even when few ways remain.
        let many: Vec<ConstDef> = (0..MAX_TEXTS + 1)
            .map(|i| def("P", vec![text(&format!("p{i}"))]))
            .collect();
        let c = Constants::build(&many, &BTreeMap::new());
        let delete = vec![vec![t("DELETE FROM "), h("P")]];
        let (out, truncated) = c.expand_variants(Cow::Borrowed(&delete));
        assert_eq!(out.len(), MAX_TEXTS);
        assert!(truncated);
    }
}

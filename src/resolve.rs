//! The project-wide pass: fold the constant definitions of every file into known texts.
//!
//! `$iw['table_prefix'] = "iw_"; $iw['member_table'] = $iw['table_prefix'] . "member";` in one
//! file and `define('G5_TABLE_PREFIX', 'g5_')` in another make `{$iw['member_table']}` resolve
//! to `iw_member` everywhere. A path with definitions that disagree, or that depend on run-time
//! values, stays unknown. The `[tables]` config names what folding cannot.

use std::collections::{BTreeMap, HashMap};

use crate::facts::{ConstDef, FoldPiece, HoleExpr};

/// Known texts of hole expressions, built once per run.
#[derive(Debug, Default)]
pub struct Constants {
    defs: HashMap<String, Vec<Vec<FoldPiece>>>,
    folded: HashMap<String, Option<String>>,
    /// For paths that do not fold: the text every non-empty definition starts with
    /// (`$write_table = $g5['write_prefix'] . $bo_table` → `g5_write_`).
    prefixes: HashMap<String, String>,
    configured: HashMap<String, String>,
}

impl Constants {
    /// Fold every definition. `configured` is the `[tables]` section (source text → name).
    pub fn build<'a>(
        defs: impl IntoIterator<Item = &'a ConstDef>,
        configured: &BTreeMap<String, String>,
    ) -> Self {
        let mut by_path: HashMap<String, Vec<Vec<FoldPiece>>> = HashMap::new();
        for d in defs {
            let entry = by_path.entry(d.path.clone()).or_default();
            if !entry.contains(&d.value) {
                entry.push(d.value.clone());
            }
        }
        let mut constants = Constants {
            defs: by_path,
            folded: HashMap::new(),
            prefixes: HashMap::new(),
            configured: configured
                .iter()
                .map(|(k, v)| (normalize_expr(k), v.clone()))
                .collect(),
        };
        let paths: Vec<String> = constants.defs.keys().cloned().collect();
        for p in &paths {
            constants.fold(p);
        }
        for p in paths {
            if matches!(constants.folded.get(&p), Some(Some(_))) {
                continue;
            }
            if let Some(prefix) = constants.known_prefix(&p) {
                constants.prefixes.insert(p, prefix);
            }
        }
        constants.defs = HashMap::new();
        constants
    }

    /// Fold one path with an explicit work stack (definition chains can be long).
    fn fold(&mut self, root: &str) -> Option<String> {
        // `None` marks a path being folded: a cycle resolves to unknown.
        let mut stack: Vec<String> = vec![root.to_string()];
        while let Some(path) = stack.last().cloned() {
            if matches!(self.folded.get(&path), Some(Some(_))) {
                stack.pop();
                continue;
            }
            let Some(defs) = self.defs.get(&path) else {
                // Not defined in the project (a generated config file, say): `[tables]` may name it.
                let configured = self.configured.get(&normalize_expr(&path)).cloned();
                self.folded.insert(path, configured);
                stack.pop();
                continue;
            };
            let in_progress = self.folded.contains_key(&path);
            // Dependencies not folded yet are folded first (unless this is a cycle).
            let pending: Vec<String> = defs
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
            let mut result: Option<String> = None;
            let mut agree = true;
            for def in defs {
                let (text, known) = self.leading_text(def);
                if !known || result.as_ref().is_some_and(|r| *r != text) {
                    agree = false;
                    break;
                }
                result = Some(text);
            }
            self.folded
                .insert(path.clone(), if agree { result } else { None });
            stack.pop();
        }
        self.folded.get(root).cloned().flatten()
    }

    /// The text a definition starts with, up to its first unknown piece, and whether that is
    /// all of it.
    fn leading_text(&self, def: &[FoldPiece]) -> (String, bool) {
        let mut text = String::new();
        for piece in def {
            match piece {
                FoldPiece::Text(t) => text.push_str(t),
                FoldPiece::Ref(r) => match self.folded.get(r) {
                    Some(Some(t)) => text.push_str(t),
                    _ => return (text, false),
                },
                FoldPiece::Opaque => return (text, false),
            }
        }
        (text, true)
    }

    /// The text all non-empty definitions of `path` start with, if any: the known literal
    /// text (and folded references) before the first unknown piece. Empty definitions are
    /// initialisations (`$t = ''`) and do not count.
    fn known_prefix(&self, path: &str) -> Option<String> {
        let defs = self.defs.get(path)?;
        let mut common: Option<String> = None;
        for def in defs {
            let (text, complete) = self.leading_text(def);
            if complete && text.is_empty() {
                continue;
            }
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
        common.filter(|c| !c.is_empty())
    }

    /// The text a hole expression is known to start with, when its whole text is not known.
    pub fn resolve_prefix(&self, expr: &HoleExpr) -> Option<String> {
        match expr {
            HoleExpr::Path(p) => self.prefixes.get(&**p).cloned(),
            HoleExpr::Opaque(_) | HoleExpr::Unassigned(_) => None,
        }
    }

    /// The known text of a hole expression: folded definitions first, then `[tables]`.
    pub fn resolve(&self, expr: &HoleExpr) -> Option<String> {
        if let HoleExpr::Path(p) = expr {
            if let Some(Some(t)) = self.folded.get(&**p) {
                return Some(t.clone());
            }
        }
        let key = normalize_expr(expr.display());
        self.configured.get(&key).cloned().or_else(|| {
            // `Member::$this->table` may be configured as `$this->table`.
            let (_, member) = key.split_once("::")?;
            self.configured.get(member).cloned()
        })
    }
}

/// One spelling for a PHP expression: no braces or whitespace, array keys single-quoted
/// (`{$iw["member_table"]}`, `$iw[member_table]` → `$iw['member_table']`).
pub fn normalize_expr(text: &str) -> String {
    let compact: String = text
        .trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let mut out = String::with_capacity(compact.len());
    let mut rest = compact.as_str();
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find(']') else {
            out.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let key = after[..close].trim_matches(|c| c == '\'' || c == '"');
        if key.chars().all(|c| c.is_ascii_digit()) && !key.is_empty() {
            out.push_str(&format!("[{key}]"));
        } else {
            out.push_str(&format!("['{key}']"));
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(path: &str, value: Vec<FoldPiece>) -> ConstDef {
        ConstDef {
            path: path.into(),
            value,
        }
    }

    fn text(t: &str) -> FoldPiece {
        FoldPiece::Text(t.into())
    }

    fn path(p: &str) -> HoleExpr {
        HoleExpr::Path(p.into())
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
    }
}

//! The project-wide view of `include` / `require`: which file-scope variables something that
//! runs before a read may have set.
//!
//! PHP reads a variable that was never assigned as `""`. At file scope a front-end cannot tell
//! that alone: an included file (transitively), `extract()`, `$$name = …` or `parse_str()` may
//! have set it. The front-end marks such a read [`HoleExpr::Unassigned`]; this pass resolves
//! the includes of every file (literal paths, `__DIR__`, `dirname(__FILE__)` and constants,
//! relative to the including file) and answers, for each read, whether anything before it may
//! set the variable — and if so, what, for the message.

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

use crate::facts::{FileFacts, FoldPiece, HoleExpr, Piece, Template, VarPath};
use crate::resolve::Constants;

/// Where an include leads.
#[derive(Debug, Clone)]
enum Target {
    /// A scanned file (its index).
    File(usize),
    /// A path outside the scan (excluded, missing, or a generated file).
    Outside(String),
    /// A path only known at run time (the include's source text).
    Unknown(String),
}

#[derive(Debug, Default)]
struct FileIncludes {
    includes: Vec<(usize, Target)>,
    vars: HashSet<String>,
    dynamic: Vec<(usize, String)>,
}

/// The includes of every scanned file, resolved.
#[derive(Debug, Default)]
pub struct Includes {
    files: Vec<FileIncludes>,
    displays: Vec<String>,
}

/// `__DIR__` and `__FILE__` in a file's facts are its own directory and path: bind them before
/// constants fold, so `define('IW_PATH', dirname(__FILE__))` and `include __DIR__ . '/x.php'`
/// resolve.
pub fn bind_file_place(facts: &mut FileFacts, path: &Path) {
    let file = path.to_string_lossy().replace('\\', "/");
    let dir = path
        .parent()
        .map(|d| d.to_string_lossy().replace('\\', "/"))
        .unwrap_or_default();
    let bind = |pieces: &mut Vec<FoldPiece>| {
        for p in pieces.iter_mut() {
            if let FoldPiece::Ref(r) = p {
                match r.as_str() {
                    "__DIR__" => *p = FoldPiece::Text(dir.clone()),
                    "__FILE__" => *p = FoldPiece::Text(file.clone()),
                    _ => {}
                }
            }
        }
    };
    for c in &mut facts.consts {
        bind(&mut c.value);
    }
    for i in &mut facts.includes {
        if let Some(p) = i.path.as_mut() {
            bind(p);
        }
    }
}

/// `path` made absolute against `cwd` and with `.` and `..` removed, without touching the file
/// system (so links and missing files behave alike).
pub fn lexical_absolute(path: &Path, cwd: Option<&Path>) -> PathBuf {
    let joined = match cwd {
        Some(c) if !path.is_absolute() => c.join(path),
        _ => path.to_path_buf(),
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

impl Includes {
    /// Resolve every file's includes. `paths[i]` is file `i`'s absolute path (see
    /// [`lexical_absolute`]), `displays[i]` its name in messages.
    pub fn build(
        paths: &[PathBuf],
        displays: &[String],
        facts: &[FileFacts],
        constants: &Constants,
    ) -> Includes {
        let by_path: HashMap<&Path, usize> = paths
            .iter()
            .enumerate()
            .map(|(i, p)| (p.as_path(), i))
            .collect();
        let files = facts
            .iter()
            .zip(paths)
            .map(|(f, path)| {
                let dir = path.parent().unwrap_or(Path::new(""));
                let includes = f
                    .includes
                    .iter()
                    .map(|inc| {
                        let text = inc.path.as_deref().and_then(|pieces| {
                            pieces
                                .iter()
                                .map(|p| match p {
                                    FoldPiece::Text(t) => Some(t.clone()),
                                    FoldPiece::Ref(r) => {
                                        constants.resolve(&HoleExpr::Path(r.clone()))
                                    }
                                    FoldPiece::Opaque | FoldPiece::Param(_) => None,
                                })
                                .collect::<Option<String>>()
                        });
                        let target = match text {
                            None => Target::Unknown(inc.text.clone()),
                            Some(t) => {
                                let resolved = lexical_absolute(Path::new(&t), Some(dir));
                                match by_path.get(resolved.as_path()) {
                                    Some(i) => Target::File(*i),
                                    None => Target::Outside(t),
                                }
                            }
                        };
                        (inc.at, target)
                    })
                    .collect();
                FileIncludes {
                    includes,
                    vars: f.file_scope_vars.iter().cloned().collect(),
                    dynamic: f.dynamic_defs.clone(),
                }
            })
            .collect();
        Includes {
            files,
            displays: displays.to_vec(),
        }
    }

    /// Why the file-scope variable `path` (`$w`, `$w['a']`) may have been set before byte `at`
    /// of `file` by something other than the file's own assignments; `None` when nothing can
    /// have set it, so PHP reads it as `""`.
    pub fn may_set(&self, file: usize, path: &VarPath, at: usize) -> Option<String> {
        let base = path.root();
        let f = self.files.get(file)?;
        if let Some((_, what)) = f.dynamic.iter().find(|(pos, _)| *pos < at) {
            return Some(format!("{what} before it may set it"));
        }
        let before = f.includes.iter().filter(|(pos, _)| *pos < at);
        self.set_through(
            before.map(|(_, t)| t),
            base,
            &mut HashSet::new(),
            |text| {
                format!("an included file may set it (`include {text}` is only known at run time)")
            },
            |p| format!("an included file that is not scanned (`{p}`) may set it"),
        )
    }

    /// The first of `includes` that may set variable `base`: one only known at run time or
    /// outside the scan (worded by `unknown` and `outside`), or a scanned file that sets it.
    fn set_through<'t>(
        &self,
        includes: impl Iterator<Item = &'t Target>,
        base: &str,
        seen: &mut HashSet<usize>,
        unknown: impl Fn(&str) -> String,
        outside: impl Fn(&str) -> String,
    ) -> Option<String> {
        for target in includes {
            match target {
                Target::Unknown(text) => return Some(unknown(text)),
                Target::Outside(p) => return Some(outside(p)),
                Target::File(t) => {
                    if let Some(why) = self.sets(*t, base, seen) {
                        return Some(why);
                    }
                }
            }
        }
        None
    }

    /// Why the top level of `file`, with what it includes, may set variable `base`.
    fn sets(&self, file: usize, base: &str, seen: &mut HashSet<usize>) -> Option<String> {
        if !seen.insert(file) {
            return None;
        }
        let f = self.files.get(file)?;
        let name = self.displays.get(file).map(String::as_str).unwrap_or("?");
        if f.vars.contains(base) {
            return Some(format!("`{name}`, included before it, sets it"));
        }
        if let Some((_, what)) = f.dynamic.first() {
            return Some(format!("`{name}`, included before it, runs {what}"));
        }
        self.set_through(
            f.includes.iter().map(|(_, t)| t),
            base,
            seen,
            |text| {
                format!("`{name}`, included before it, includes a file only known at run time (`{text}`)")
            },
            |p| format!("`{name}`, included before it, includes a file that is not scanned (`{p}`)"),
        )
    }

    /// Replace each [`HoleExpr::Unassigned`] hole of a site's variants: removed (`""`) when
    /// nothing before the read can set the variable, else a value that is not known
    /// (`HoleExpr::Opaque`: never the file's own assignment on another path). Returns the variants and, for the first variable that stays
    /// unknown, its name and why.
    pub fn decide(
        &self,
        file: usize,
        variants: &[Template],
    ) -> (Vec<Template>, Option<(String, String)>) {
        let mut why: Option<(String, String)> = None;
        let out = variants
            .iter()
            .map(|t| {
                t.iter()
                    .filter_map(|p| match p {
                        Piece::Hole(h) => match &h.expr {
                            HoleExpr::Unassigned(path) => {
                                match self.may_set(file, path, h.span.start) {
                                    None => None,
                                    Some(reason) => {
                                        why.get_or_insert_with(|| (path.to_string(), reason));
                                        let mut h = h.clone();
                                        h.expr = HoleExpr::Opaque(path.as_str().into());
                                        Some(Piece::Hole(h))
                                    }
                                }
                            }
                            _ => Some(p.clone()),
                        },
                        Piece::Text { .. } => Some(p.clone()),
                    })
                    .collect()
            })
            .collect();
        (out, why)
    }
}

/// Whether any variant holds an [`HoleExpr::Unassigned`] hole.
pub fn has_unassigned(variants: &[Template]) -> bool {
    variants.iter().flatten().any(|p| {
        matches!(
            p,
            Piece::Hole(h) if matches!(h.expr, HoleExpr::Unassigned(_))
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_made_absolute_lexically() {
        assert_eq!(
            lexical_absolute(Path::new("../lib/./x.php"), Some(Path::new("/app/bbs"))),
            PathBuf::from("/app/lib/x.php")
        );
        assert_eq!(
            lexical_absolute(Path::new("/app/a/../b.php"), Some(Path::new("/cwd"))),
            PathBuf::from("/app/b.php")
        );
    }
}

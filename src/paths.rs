//! Paths as users see them: relative to the current directory for display, relative to the
//! configuration root for `[scan] exclude` globs and fingerprints, and the root within its git
//! work tree for SARIF.

use std::path::{Path, PathBuf};

use crate::discover;
use crate::include;
use crate::report::model::{IgnoredPath, Skipped};

/// `root` (canonical) relative to the top of its git work tree.
pub(crate) fn root_in_repo(root: &Path) -> Option<String> {
    let top = crate::git::toplevel(root)?;
    let top = std::fs::canonicalize(&top).unwrap_or(top);
    let rel = root.strip_prefix(&top).ok()?;
    Some(
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/"),
    )
}

/// The skipped paths as displayed, directories with a trailing `/`.
pub(crate) fn skipped_paths(
    default_dirs: &[PathBuf],
    excluded: &[discover::Excluded],
    ignored: &[discover::Ignored],
    cwd: Option<&Path>,
) -> Skipped {
    let dir = |p: &Path| {
        let shown = display_path(p, cwd);
        match shown.trim_end_matches('/') {
            "" => "./".to_string(),
            d => format!("{d}/"),
        }
    };
    Skipped {
        default_dirs: default_dirs.iter().map(|p| dir(p)).collect(),
        excluded_dirs: excluded
            .iter()
            .filter(|e| e.dir)
            .map(|e| dir(&e.path))
            .collect(),
        excluded_files: excluded
            .iter()
            .filter(|e| !e.dir)
            .map(|e| display_path(&e.path, cwd))
            .collect(),
        ignored: ignored
            .iter()
            .map(|i| IgnoredPath {
                path: if i.dir {
                    dir(&i.path)
                } else {
                    display_path(&i.path, cwd)
                },
                dir: i.dir,
                kind: i.kind,
                file: display_path(&i.file, cwd),
                pattern: i.pattern.clone(),
            })
            .collect(),
    }
}

/// A path relative to the configuration root `root` (absolute), with `/` separators; `None`
/// when it is not under it.
pub(crate) fn root_relative(path: &Path, cwd: Option<&Path>, root: &Path) -> Option<String> {
    // `..` and `.` lexically, as the user wrote them.
    let normal = include::lexical_absolute(path, cwd);
    let parts: Vec<String> = normal
        .strip_prefix(root)
        .ok()?
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// A path relative to the current directory when it is under it, with `/` separators.
pub fn display_path(path: &Path, cwd: Option<&Path>) -> String {
    let abs = match cwd {
        Some(c) if !path.is_absolute() => c.join(path),
        _ => path.to_path_buf(),
    };
    match cwd.and_then(|c| abs.strip_prefix(c).ok()) {
        Some(rel) => rel
            .components()
            .filter(|c| !matches!(c, std::path::Component::CurDir))
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/"),
        None => path.to_string_lossy().replace('\\', "/"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_relative_paths() {
        let root = Path::new("/p/app");
        let cwd = Some(Path::new("/p/app/web"));
        assert_eq!(
            root_relative(Path::new("../lib/a.php"), cwd, root).as_deref(),
            Some("lib/a.php")
        );
        assert_eq!(
            root_relative(Path::new("./x/b.php"), cwd, root).as_deref(),
            Some("web/x/b.php")
        );
        assert_eq!(
            root_relative(Path::new("/elsewhere/c.php"), cwd, root),
            None
        );
    }
}

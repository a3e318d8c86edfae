//! The few questions tenantlint asks `git`: where the work tree is, and which files changed.

use std::path::{Path, PathBuf};
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(err.trim().to_string());
    }
    Ok(out.stdout)
}

/// The top of the work tree holding `dir`, when it is in one.
pub fn toplevel(dir: &Path) -> Option<PathBuf> {
    let out = git(dir, &["rev-parse", "--show-toplevel"]).ok()?;
    let text = String::from_utf8(out).ok()?;
    Some(PathBuf::from(text.trim_end_matches(['\n', '\r'])))
}

/// Files changed since `reference` in the work tree holding `dir`: committed, staged and
/// unstaged changes, and untracked files that are not ignored. Absolute paths.
pub fn changed_since(dir: &Path, reference: &str) -> Result<Vec<PathBuf>, String> {
    let top = toplevel(dir).ok_or_else(|| {
        format!(
            "`--changed-since` needs a git repository, and {} is not in one",
            dir.display()
        )
    })?;
    // `--end-of-options`: a reference is never read as an option.
    git(
        &top,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &format!("{reference}^{{commit}}"),
        ],
    )
    .map_err(|_| format!("`{reference}` is not a commit in {}", top.display()))?;
    let diff = git(
        &top,
        &[
            "diff",
            "--name-only",
            "-z",
            "--no-renames",
            "--end-of-options",
            reference,
            "--",
        ],
    )?;
    let untracked = git(&top, &["ls-files", "-z", "--others", "--exclude-standard"])?;
    let mut files: Vec<PathBuf> = diff
        .split(|b| *b == 0)
        .chain(untracked.split(|b| *b == 0))
        .filter(|p| !p.is_empty())
        .map(|p| top.join(String::from_utf8_lossy(p).as_ref()))
        .collect();
    files.sort();
    files.dedup();
    Ok(files)
}

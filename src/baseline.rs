//! Baselines: adopt the tool on a codebase with existing findings. `--write-baseline FILE`
//! records the current findings by fingerprint (a readable JSON file, one entry per finding with
//! its rule, file and message for review); `--baseline FILE` reports only findings not in it and
//! says how many of its entries are fixed; `--baseline-strict` fails on fixed entries, so the
//! file can only shrink.
//!
//! Entries are matched by fingerprint, each entry at most once: two identical findings need two
//! entries. Editing a grandfathered query changes its fingerprint, so it becomes a new finding.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::engine::Report;
use crate::rules::Finding;

/// Bumped on an incompatible change of the file.
pub const BASELINE_VERSION: u32 = 1;

/// The file on disk.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    version: u32,
    /// A note for people reading the file.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    comment: String,
    findings: Vec<Entry>,
}

/// One grandfathered finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub fingerprint: String,
    pub rule: String,
    pub file: String,
    /// Where it was when recorded (for review only: matching ignores it).
    #[serde(default)]
    pub line: usize,
    pub message: String,
}

/// A loaded baseline.
#[derive(Debug, Clone)]
pub struct Baseline {
    pub path: PathBuf,
    pub entries: Vec<Entry>,
}

/// Why a baseline could not be read or written.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum BaselineError {
    #[error("cannot read the baseline {path}: {source}")]
    #[diagnostic(
        code(tenantlint::baseline),
        help("create it with `tenantlint check --write-baseline {path}`")
    )]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("the baseline {path} is not a tenantlint baseline: {message}")]
    #[diagnostic(
        code(tenantlint::baseline),
        help("write it again with `tenantlint check --write-baseline {path}`")
    )]
    Invalid { path: String, message: String },
    #[error("cannot write the baseline {path}: {source}")]
    #[diagnostic(code(tenantlint::io))]
    Write {
        path: String,
        source: std::io::Error,
    },
}

fn entry(report: &Report, f: &Finding) -> Entry {
    let file = &report.files[f.file];
    Entry {
        fingerprint: f.fingerprint.clone(),
        rule: f.rule.code().to_string(),
        file: file.display.clone(),
        line: file.line_col(f.span.start).line,
        message: f.message.clone(),
    }
}

/// Record every finding of `report` in `path`.
pub fn write(path: &Path, report: &Report) -> Result<usize, BaselineError> {
    let file = BaselineFile {
        version: BASELINE_VERSION,
        comment: "tenantlint baseline: findings accepted when it was written. Entries match by fingerprint; remove the ones you fix.".into(),
        findings: report.findings.iter().map(|f| entry(report, f)).collect(),
    };
    let mut text = serde_json::to_string_pretty(&file).map_err(|e| BaselineError::Write {
        path: path.display().to_string(),
        source: std::io::Error::other(e),
    })?;
    text.push('\n');
    std::fs::write(path, text).map_err(|source| BaselineError::Write {
        path: path.display().to_string(),
        source,
    })?;
    Ok(file.findings.len())
}

/// Read a baseline written by [`write()`].
pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Read {
        path: shown.clone(),
        source,
    })?;
    let file: BaselineFile = serde_json::from_str(&text).map_err(|e| BaselineError::Invalid {
        path: shown.clone(),
        message: e.to_string(),
    })?;
    if file.version != BASELINE_VERSION {
        return Err(BaselineError::Invalid {
            path: shown,
            message: format!(
                "version {} (this tenantlint reads version {BASELINE_VERSION})",
                file.version
            ),
        });
    }
    Ok(Baseline {
        path: path.to_path_buf(),
        entries: file.findings,
    })
}

/// What applying a baseline did.
#[derive(Debug, Clone, Default)]
pub struct Applied {
    /// Findings the baseline accepted (no longer reported).
    pub matched: usize,
    /// Entries that matched no finding: fixed since the baseline was written.
    pub fixed: Vec<Entry>,
}

/// Remove from `report` the findings the baseline records; return how many, and the entries
/// that are fixed.
pub fn apply(report: &mut Report, baseline: &Baseline) -> Applied {
    let mut available: HashMap<&str, Vec<&Entry>> = HashMap::new();
    for e in &baseline.entries {
        available.entry(&e.fingerprint).or_default().push(e);
    }
    let mut matched = 0;
    report.findings.retain(|f| {
        match available
            .get_mut(f.fingerprint.as_str())
            .and_then(|v| v.pop())
        {
            Some(_) => {
                matched += 1;
                false
            }
            None => true,
        }
    });
    let mut fixed: Vec<Entry> = available.into_values().flatten().cloned().collect();
    fixed.sort_by(|a, b| (&a.file, a.line, &a.rule).cmp(&(&b.file, b.line, &b.rule)));
    Applied { matched, fixed }
}

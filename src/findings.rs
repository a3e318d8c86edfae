//! Findings after the per-site checks: sorted and deduplicated so output is the same for any
//! thread count, and given fingerprints that survive unrelated edits.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use crate::facts::Span;
use crate::report::model::ScannedFile;
use crate::rules::{Finding, Rule};

/// A finding, with where the text of the query it was found in begins.
pub(crate) struct SiteFinding {
    pub(crate) finding: Finding,
    /// Source offset of the first piece of the query text (TL001, TL002).
    pub(crate) query_start: Option<usize>,
    /// The variant of the site's query it was found in (TL001, TL002).
    pub(crate) variant: Option<usize>,
}

impl From<Finding> for SiteFinding {
    fn from(finding: Finding) -> Self {
        SiteFinding {
            finding,
            query_start: None,
            variant: None,
        }
    }
}

/// Sort findings (so output is the same for any thread count) and keep one finding per
/// position and what it reports, however many paths or query sites reach it:
/// - one per rule, position and query site (a query built many ways reports once);
/// - TL001/TL002: one per rule, position and table within one query text, whichever call runs
///   it (a query run again after a loop or a `.=` append); two queries that share a fragment
///   holding the table (`$sql_common`) remain two findings, each with its own call;
/// - other rules: findings with the same message at the same position are one.
///
/// The first finding in the sorted order is kept.
pub(crate) fn sort_and_dedup(
    mut findings: Vec<SiteFinding>,
    files: &[ScannedFile],
) -> Vec<Finding> {
    findings.sort_by(|a, b| {
        let (a, b) = (&a.finding, &b.finding);
        (
            files[a.file].display.as_str(),
            a.span,
            a.rule,
            a.exec,
            &a.table,
        )
            .cmp(&(
                files[b.file].display.as_str(),
                b.span,
                b.rule,
                b.exec,
                &b.table,
            ))
    });
    // Variants of one site naming different tables at one position (`foreach (array('iw_a',
    // 'iw_b') as $t)`) are one finding per table.
    findings.dedup_by(|a, b| {
        let (a, b) = (&a.finding, &b.finding);
        a.file == b.file
            && a.span == b.span
            && a.rule == b.rule
            && a.exec == b.exec
            && a.table == b.table
    });
    /// What a finding reports besides its rule and position.
    #[derive(PartialEq, Eq, Hash)]
    enum What {
        Table(String, Option<usize>),
        Message(Option<String>, String),
    }
    let mut seen: std::collections::HashSet<(usize, Span, Rule, What)> =
        std::collections::HashSet::new();
    findings
        .into_iter()
        .filter(
            |SiteFinding {
                 finding: f,
                 query_start,
                 ..
             }| {
                let what = match (f.rule, &f.table) {
                    (Rule::MissingTenantFilter | Rule::InsertMissingTenant, Some(table)) => {
                        What::Table(table.clone(), *query_start)
                    }
                    _ => What::Message(f.table.clone(), f.message.clone()),
                };
                seen.insert((f.file, f.span, f.rule, what))
            },
        )
        .map(|f| f.finding)
        .collect()
}

/// Fingerprints hash rule, file, normalised SQL, table and the occurrence index among findings
/// sharing those, so they survive edits that only move lines.
/// A finding's fingerprint: what it is about, never where in the file, so that it survives
/// unrelated edits and runs from another directory (baselines, SARIF `partialFingerprints`).
///
/// It hashes the rule; the file's path relative to the configuration root (the config file's
/// directory, else the scanned root), or as shown when outside it; for TL001/TL002 the query
/// with whitespace collapsed and the table; for TL003/TL004 the source expression at fault and
/// the use it reaches (whitespace collapsed); for TL000 the message; and an index among
/// findings with the same key, in file order.
pub(crate) fn assign_fingerprints(findings: &mut [Finding], files: &[ScannedFile]) {
    let text_at = |file: usize, span: Span| -> String {
        let source = files[file].source();
        source
            .get(span.start..span.end)
            .unwrap_or("")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut seen: HashMap<Vec<String>, usize> = HashMap::new();
    for f in findings.iter_mut() {
        let file = &files[f.file];
        let path = file
            .root_relative
            .clone()
            .unwrap_or_else(|| file.display.clone());
        let what = match f.rule {
            Rule::MissingTenantFilter | Rule::InsertMissingTenant => {
                vec![
                    f.sql.clone().unwrap_or_default(),
                    f.table.clone().unwrap_or_default(),
                ]
            }
            Rule::UnescapedHostInSql | Rule::UncheckedTenantParam => {
                let used = f
                    .trace
                    .last()
                    .map(|s| text_at(s.file, s.span))
                    .unwrap_or_default();
                vec![text_at(f.file, f.span), used]
            }
            Rule::AnalysisError | Rule::InvalidSuppression => {
                vec![f.message.clone(), text_at(f.file, f.span)]
            }
        };
        let mut key = vec![f.rule.code().to_string(), path];
        key.extend(what);
        let n = seen.entry(key.clone()).or_default();
        let mut h = Sha256::new();
        for part in key
            .iter()
            .map(String::as_str)
            .chain([n.to_string().as_str()])
        {
            h.update(part.as_bytes());
            h.update([0]);
        }
        *n += 1;
        f.fingerprint = h.finalize()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
    }
}

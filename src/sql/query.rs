//! One rendered query, parsed and analysed: parsing recovers from placeholders that cannot
//! stand where they are, then [`analyze()`](analyze::analyze) extracts its tenant facts.

use crate::report::model::StatementKind;
use crate::sql::{analyze, parse, template};

/// A rendered query, parsed and analysed.
pub struct Parsed {
    pub facts: analyze::QueryFacts,
    /// A fragment whose text is unknown sat where a predicate could be.
    pub fragment_in_predicate: Option<String>,
    pub kind: StatementKind,
}

/// Parse (recovering from placeholders that cannot stand where they are) and analyse.
pub fn parse_and_analyze(
    rendered: &template::RenderedSql,
    policy: &analyze::TenantPolicy,
) -> Result<Parsed, String> {
    let mut text = rendered.clone();
    let (statements, fragment_in_predicate) = match parse_recovering(&mut text) {
        (Ok(s), f) => (s, f),
        (Err(e), _) => return Err(e),
    };
    let mut facts = analyze::analyze(&statements, &text.text, policy);
    if fragment_in_predicate.is_some() {
        // A fragment that cannot be known sat where a predicate could be: never guess it
        // empty.
        for r in &mut facts.refs {
            if matches!(r.constrained, analyze::Constraint::No) {
                r.constrained = analyze::Constraint::Unknown;
            }
        }
    }
    Ok(Parsed {
        facts,
        fragment_in_predicate,
        kind: StatementKind::of(&statements),
    })
}

/// Parse, and when sqlparser stops at a placeholder that cannot stand where it is (`ORDER BY x
/// $sod`, `WHERE (1) $sql_search`), blank it out and try again. Returns the first blanked hole
/// that sat where a predicate could be.
fn parse_recovering(
    rendered: &mut template::RenderedSql,
) -> (
    Result<Vec<sqlparser::ast::Statement>, String>,
    Option<String>,
) {
    const MAX_RETRIES: usize = 8;
    let mut in_predicate = None;
    for _ in 0..MAX_RETRIES {
        let err = match parse::parse_located(&rendered.text, rendered.dialect) {
            Ok(s) => return (Ok(s), in_predicate),
            Err(e) => e,
        };
        let Some(offset) = err.location.and_then(|(l, c)| rendered.offset_of(l, c)) else {
            return (Err(err.message), in_predicate);
        };
        let predicate = rendered.in_predicate_position(offset);
        match rendered.blank_placeholder_at(offset) {
            Some(hole) => {
                if predicate && in_predicate.is_none() {
                    in_predicate = Some(hole.hole.expr.display().to_string());
                }
            }
            None => return (Err(err.message), in_predicate),
        }
    }
    (
        parse::parse_located(&rendered.text, rendered.dialect).map_err(|e| e.message),
        in_predicate,
    )
}

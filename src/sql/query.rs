//! One rendered query, parsed and analysed: parsing recovers from placeholders that cannot
//! stand where they are, then [`analyze()`](analyze::analyze) extracts its tenant facts.

use crate::report::model::StatementKind;
use crate::sql::{analyze, parse, template};

/// A rendered query, parsed and analysed.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Parsed {
    pub facts: analyze::QueryFacts,
    /// A fragment whose text is unknown sat where a predicate could be: the position of its
    /// hole in [`RenderedSql::holes`](template::RenderedSql::holes).
    pub fragment_hole: Option<usize>,
    pub kind: StatementKind,
}

impl Parsed {
    /// The expression of the fragment whose text is unknown that sat where a predicate could
    /// be, as written in `rendered` (the query this was parsed from).
    pub fn fragment_in_predicate(&self, rendered: &template::RenderedSql) -> Option<String> {
        let hole = rendered.holes.get(self.fragment_hole?)?;
        Some(hole.hole.expr.display().to_string())
    }
}

/// What parsing and analysing a rendered query gave: its facts, or why it does not parse. A
/// function of [`memo_key`] alone (and of the tenant policy), so kept between runs.
pub type Analysed = Result<Parsed, String>;

/// Everything [`parse_and_analyze`] reads of a rendered query: its dialect, its text, and for
/// each placeholder whether it stands in a quoted string or for known text.
pub fn memo_key(rendered: &template::RenderedSql) -> u128 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(&[rendered.dialect as u8]);
    h.update(&(rendered.text.len() as u64).to_le_bytes());
    h.update(rendered.text.as_bytes());
    for hole in &rendered.holes {
        h.update(&[u8::from(hole.quoted) | (u8::from(hole.resolved) << 1)]);
    }
    h.digest128()
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
        fragment_hole: fragment_in_predicate,
        kind: StatementKind::of(&statements),
    })
}

/// Parse, and when sqlparser stops at a placeholder that cannot stand where it is (`ORDER BY x
/// $sod`, `WHERE (1) $sql_search`), blank it out and try again; when it stops just after an
/// unknown fragment in the SET list of an UPDATE (`SET {set} WHERE …`), read the fragment as an
/// assignment and try again. Returns the first blanked hole that sat where a predicate could
/// be.
fn parse_recovering(
    rendered: &mut template::RenderedSql,
) -> (
    Result<Vec<sqlparser::ast::Statement>, String>,
    Option<usize>,
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
                    in_predicate = Some(hole.index);
                }
            }
            // An unknown fragment ending where the parser stopped, in the SET list of an
            // UPDATE: assignments only, never a predicate.
            None if rendered.assign_placeholder_before(offset).is_some() => {}
            None => return (Err(err.message), in_predicate),
        }
    }
    (
        parse::parse_located(&rendered.text, rendered.dialect).map_err(|e| e.message),
        in_predicate,
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::facts::{Dialect, Hole, HoleExpr, Piece, Span, Template};
    use crate::sql::analyze::{Constraint, TenantPolicy};

    fn text(t: &str) -> Piece {
        Piece::Text {
            text: t.into(),
            src: 0,
            linear: true,
        }
    }

    fn hole(path: &str) -> Piece {
        Piece::Hole(Hole::new(Span::new(0, 1), HoleExpr::Path(path.into())))
    }

    /// Render `template` as PostgreSQL (`$table` is `users`), parse and analyse it.
    fn postgres(template: &Template) -> Parsed {
        let names = |e: &HoleExpr| match e {
            HoleExpr::Path(p) if &**p == "$table" => Some("users".to_string()),
            _ => None,
        };
        let rendered =
            template::render_with_prefixes(template, Dialect::Postgres, &names, &|_| None);
        let is_tenant = |t: &str| t != "tenants";
        let policy = TenantPolicy {
            column: "tenant_id",
            is_tenant_table: &is_tenant,
        };
        match parse_and_analyze(&rendered, &policy) {
            Ok(p) => p,
            Err(e) => panic!("{e}"),
        }
    }

    fn constraints(p: &Parsed) -> Vec<(String, Constraint)> {
        p.facts
            .refs
            .iter()
            .map(|r| (r.table.clone(), r.constrained))
            .collect()
    }

    /// An unknown fragment in an UPDATE's SET list holds assignments only: the statement is
    /// decided by its WHERE. In an INSERT's SET list it may set the tenant column: not decided.
    #[test]
    fn set_list_fragments_of_an_update_are_assignments() {
        let scoped = postgres(&vec![
            text("UPDATE users SET "),
            hole("$set"),
            text(" WHERE tenant_id = $1 AND id = 2"),
        ]);
        assert_eq!(constraints(&scoped), [("users".into(), Constraint::Yes)]);
        let unscoped = postgres(&vec![
            text("UPDATE users SET a = 1, "),
            hole("$set"),
            text(" WHERE id = 2"),
        ]);
        assert_eq!(constraints(&unscoped), [("users".into(), Constraint::No)]);
        let insert = template::render(&vec![text("INSERT INTO users SET "), hole("$set")], &|_| {
            None
        });
        let is_tenant = |_: &str| true;
        let policy = TenantPolicy {
            column: "tenant_id",
            is_tenant_table: &is_tenant,
        };
        assert!(parse_and_analyze(&insert, &policy).is_err());
    }

    /// A PostgreSQL site, from template to facts: a quoted table name from a constant, a cast
    /// bound parameter, `= ANY($1)`, and an unknown fragment where a predicate could be.
    #[test]
    fn postgres_site_end_to_end() {
        let scoped = postgres(&vec![
            text("SELECT * FROM \"public\".\""),
            hole("$table"),
            text("\" WHERE \"tenant_id\" = $1::uuid AND id = ANY($2)"),
        ]);
        assert_eq!(constraints(&scoped), [("users".into(), Constraint::Yes)]);
        assert_eq!(scoped.kind, StatementKind::Select);

        let unscoped = postgres(&vec![
            text("UPDATE "),
            hole("$table"),
            text(" SET name = $1 WHERE id = $2 RETURNING id"),
        ]);
        assert_eq!(constraints(&unscoped), [("users".into(), Constraint::No)]);
        assert_eq!(unscoped.kind, StatementKind::Update);

        let fragment = postgres(&vec![
            text("DELETE FROM users WHERE id = $1 AND "),
            hole("$filter"),
        ]);
        assert_eq!(
            constraints(&fragment),
            [("users".into(), Constraint::Unknown)]
        );

        let upsert = postgres(&vec![text(
            "INSERT INTO users (id, tenant_id) VALUES ($1, $2) \
             ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name",
        )]);
        assert!(upsert.facts.refs.is_empty());
        assert_eq!(upsert.facts.inserts.len(), 1);
        assert!(upsert.facts.inserts[0].sets_tenant_column);
        assert_eq!(upsert.kind, StatementKind::Insert);
    }

    /// The memo key changes with everything the analysis reads: the text, the dialect, and
    /// whether a placeholder stands in a quoted string; the same rendering keys the same. A
    /// fragment in a predicate is named from the query it is read back for.
    #[test]
    fn the_memo_key_follows_what_the_analysis_reads() {
        let none = |_: &HoleExpr| None;
        let key = |t: &Template, d: Dialect| {
            memo_key(&template::render_with_prefixes(t, d, &none, &|_| None))
        };
        let bare = vec![text("select * from users where 1 "), hole("$where")];
        let quoted = vec![
            text("select * from users where 1 '"),
            hole("$where"),
            text("'"),
        ];
        assert_eq!(
            key(&bare, Dialect::MySql),
            key(&bare.clone(), Dialect::MySql)
        );
        assert_ne!(key(&bare, Dialect::MySql), key(&bare, Dialect::Postgres));
        assert_ne!(key(&bare, Dialect::MySql), key(&quoted, Dialect::MySql));

        let fragment = vec![text("select * from users where (1) "), hole("$search")];
        let rendered = template::render_with_prefixes(&fragment, Dialect::MySql, &none, &|_| None);
        let is_tenant = |_: &str| true;
        let policy = TenantPolicy {
            column: "tenant_id",
            is_tenant_table: &is_tenant,
        };
        let parsed = parse_and_analyze(&rendered, &policy).expect("parses");
        let stored: Parsed =
            postcard::from_bytes(&postcard::to_stdvec(&parsed).expect("encodes")).expect("decodes");
        assert_eq!(format!("{:?}", stored.facts), format!("{:?}", parsed.facts));
        assert_eq!(
            stored.fragment_in_predicate(&rendered).as_deref(),
            Some("$search")
        );
    }
}

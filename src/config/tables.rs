//! Which table names are tenant tables: the `[tenant] tables` and `exempt` globs.

use std::sync::Arc;

use globset::GlobSet;

use super::{build_set, table_glob};

/// Decides whether a table name denotes a tenant table.
#[derive(Debug, Clone)]
pub struct TableMatcher {
    inner: Arc<MatcherInner>,
}

#[derive(Debug)]
struct MatcherInner {
    tenant: GlobSet,
    exempt: GlobSet,
    /// `(literal prefix, rest is exactly "*")` of each tenant glob, lower-case.
    tenant_prefixes: Vec<(String, bool)>,
    /// Literal prefixes of the exempt globs, lower-case.
    exempt_prefixes: Vec<String>,
}

/// The literal text a glob starts with, and whether the rest is a single `*`.
fn literal_prefix(glob: &str) -> (String, bool) {
    let end = glob.find(['*', '?', '[', '{']).unwrap_or(glob.len());
    (glob[..end].to_lowercase(), &glob[end..] == "*")
}

/// Whether two literal prefixes can start the same name.
fn compatible(a: &str, b: &str) -> bool {
    a.starts_with(b) || b.starts_with(a)
}

impl TableMatcher {
    /// Builds a matcher from tenant and exempt globs (case-insensitive).
    /// Patterns that do not compile are ignored.
    pub fn new(tables: &[String], exempt: &[String]) -> TableMatcher {
        TableMatcher {
            inner: Arc::new(MatcherInner {
                tenant: build_set(tables, table_glob),
                exempt: build_set(exempt, table_glob),
                tenant_prefixes: tables.iter().map(|g| literal_prefix(g)).collect(),
                exempt_prefixes: exempt.iter().map(|g| literal_prefix(g).0).collect(),
            }),
        }
    }

    /// True when `name` is a tenant table: it matches a tenant glob and no
    /// exempt glob. A schema prefix (`db.`) and backquotes / double quotes
    /// around identifiers are stripped first.
    pub fn is_tenant(&self, name: &str) -> bool {
        let bare = bare_table_name(name);
        if bare.is_empty() {
            return false;
        }
        self.inner.tenant.is_match(bare.as_str()) && !self.inner.exempt.is_match(bare.as_str())
    }

    /// For a table name known only by its beginning (`g5_write_` + a board name): `Some(true)`
    /// when every name with that beginning is a tenant table (`iw_` under `iw_*`, no exempt
    /// glob could match), `Some(false)` when none is, `None` when it depends on the rest.
    pub fn classify_prefix(&self, prefix: &str) -> Option<bool> {
        let prefix = bare_table_name(prefix).to_lowercase();
        let inner = &self.inner;
        if !inner
            .tenant_prefixes
            .iter()
            .any(|(p, _)| compatible(p, &prefix))
        {
            return Some(false);
        }
        let always_tenant = inner
            .tenant_prefixes
            .iter()
            .any(|(p, star)| *star && prefix.starts_with(p.as_str()));
        let maybe_exempt = inner.exempt_prefixes.iter().any(|p| compatible(p, &prefix));
        (always_tenant && !maybe_exempt).then_some(true)
    }
}

/// `db`.`iw_member` -> iw_member; `db.iw_member` -> iw_member; "iw_member" -> iw_member.
fn bare_table_name(name: &str) -> String {
    let name = name.trim();
    // Split on dots outside quotes; keep the last segment.
    let mut last = String::new();
    let mut quote: Option<char> = None;
    for c in name.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => last.push(c),
            None => match c {
                '`' | '"' => quote = Some(c),
                '[' => quote = Some(']'),
                '.' => last.clear(),
                c if c.is_whitespace() => {}
                c => last.push(c),
            },
        }
    }
    last
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

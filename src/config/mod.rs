//! Loading and validating `tenantlint.toml`.
//!
//! ```toml
//! [tenant]
//! column = "ep_code"           # the tenant column
//! tables = ["iw_*"]            # tenant tables (globs, case-insensitive)
//! exempt = ["iw_enterprise"]   # global tables, e.g. the tenant registry
//! [scan]
//! exclude = ["bbs/super/**"]   # globs relative to the config file's directory
//! [tables]                     # PHP source text -> table name
//! "$iw['member_table']" = "iw_member"
//! ```
//!
//! Every key is optional. Unknown keys are rejected. Every error that comes
//! from the file's contents carries the file text and a span pointing at the
//! offending text, so it renders as a `miette` diagnostic.

mod error;
mod sources;
mod tables;

use sources::{host_source, tenant_param, SourceError};

pub use error::ConfigError;
pub use tables::TableMatcher;

use crate::rules::Rule;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use miette::{NamedSource, SourceSpan};
use serde::Deserialize;
use toml::Spanned;

/// Name of the configuration file looked up by [`Config::discover`].
pub const CONFIG_FILE_NAME: &str = "tenantlint.toml";

/// Default tenant column.
pub const DEFAULT_COLUMN: &str = "ep_code";
/// Default tenant-table globs.
pub const DEFAULT_TABLES: &[&str] = &["iw_*"];
/// Default exempt (global) tables.
pub const DEFAULT_EXEMPT: &[&str] = &["iw_enterprise"];

/// A fully validated configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub tenant: TenantConfig,
    pub scan: ScanConfig,
    /// Explicit table names for table expressions: PHP source text -> table name.
    pub tables: BTreeMap<String, String>,
    /// Directory the config file lives in, or the start directory when there is none.
    pub root: PathBuf,
    /// The config file, when one was loaded.
    pub path: Option<PathBuf>,
    /// `[sources]`, `[sanitizers]` and `[checks]`: where request values come from and how
    /// they are made safe (TL003, TL004).
    pub taint: TaintConfig,
    /// `[rules]`: which rules report.
    pub rules: RuleSelection,
}

/// The `[rules]` section (and `--select` / `--ignore`): which rules report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleSelection {
    /// Only these rules, when set.
    pub select: Option<Vec<Rule>>,
    /// Never these rules (wins over `select`).
    pub ignore: Vec<Rule>,
}

impl RuleSelection {
    /// Whether `rule` reports.
    pub fn is_enabled(&self, rule: Rule) -> bool {
        !self.ignore.contains(&rule) && self.select.as_ref().is_none_or(|s| s.contains(&rule))
    }
}

/// The `[sources]`, `[sanitizers]` and `[checks]` sections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaintConfig {
    /// Expressions whose value is the request host.
    pub host: Vec<String>,
    /// Keys of the tenant request parameter in `$_GET`/`$_POST`/`$_REQUEST`/`$_COOKIE`.
    pub tenant_param: Vec<String>,
    /// Functions whose result is escaped for SQL.
    pub sanitizers: Vec<String>,
    /// Functions that never return.
    pub never_return: Vec<String>,
    /// Functions that verify their tenant argument or leave.
    pub guards: Vec<String>,
}

impl Default for TaintConfig {
    fn default() -> Self {
        let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        TaintConfig {
            host: strings(&[
                "$_SERVER['HTTP_HOST']",
                "$_SERVER['SERVER_NAME']",
                "$_SERVER['HTTP_X_FORWARDED_HOST']",
            ]),
            tenant_param: strings(&["ep"]),
            sanitizers: strings(&[
                "mysqli_real_escape_string",
                "mysql_real_escape_string",
                "sql_escape_string",
                "addslashes",
                "intval",
            ]),
            never_return: strings(&["alert", "goto_url"]),
            guards: Vec::new(),
        }
    }
}

/// The `[tenant]` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantConfig {
    /// The tenant column, a plain SQL identifier.
    pub column: String,
    /// Globs (case-insensitive) naming tenant tables.
    pub tables: Vec<String>,
    /// Globs (case-insensitive) naming global tables; these win over `tables`.
    pub exempt: Vec<String>,
}

impl Default for TenantConfig {
    fn default() -> Self {
        TenantConfig {
            column: DEFAULT_COLUMN.to_string(),
            tables: DEFAULT_TABLES.iter().map(|s| s.to_string()).collect(),
            exempt: DEFAULT_EXEMPT.iter().map(|s| s.to_string()).collect(),
        }
    }
}

/// The `[scan]` section.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanConfig {
    /// Globs matched against paths relative to [`Config::root`], with `/` separators.
    pub exclude: Vec<String>,
}

// ---------------------------------------------------------------------------
// Raw (file) representation
// ---------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    tenant: RawTenant,
    #[serde(default)]
    scan: RawScan,
    #[serde(default)]
    tables: BTreeMap<String, String>,
    #[serde(default)]
    sources: RawSources,
    #[serde(default)]
    sanitizers: RawSanitizers,
    #[serde(default)]
    checks: RawChecks,
    #[serde(default)]
    rules: RawRules,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    select: Option<Vec<Spanned<String>>>,
    ignore: Option<Vec<Spanned<String>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSources {
    host: Option<Vec<Spanned<String>>>,
    tenant_param: Option<Vec<Spanned<String>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSanitizers {
    functions: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChecks {
    never_return: Option<Vec<String>>,
    guards: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTenant {
    column: Option<Spanned<String>>,
    tables: Option<Vec<Spanned<String>>>,
    exempt: Option<Vec<Spanned<String>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScan {
    exclude: Option<Vec<Spanned<String>>>,
}

/// Context for building span-carrying errors about one file.
struct FileCtx<'a> {
    path: &'a Path,
    text: &'a str,
}

impl FileCtx<'_> {
    fn source(&self) -> Arc<NamedSource<String>> {
        Arc::new(NamedSource::new(
            self.path.display().to_string(),
            self.text.to_string(),
        ))
    }

    fn parse_error(&self, err: &toml::de::Error) -> ConfigError {
        ConfigError::Parse {
            path: self.path.to_path_buf(),
            message: err.message().trim().to_string(),
            src: self.source(),
            span: err.span().map(|r| SourceSpan::from(r.start..r.end)),
        }
    }

    fn glob_error(
        &self,
        key: &'static str,
        glob: &Spanned<String>,
        message: String,
    ) -> ConfigError {
        let r = glob.span();
        ConfigError::InvalidGlob {
            path: self.path.to_path_buf(),
            key,
            glob: glob.get_ref().clone(),
            message,
            src: self.source(),
            span: SourceSpan::from(r.start..r.end),
        }
    }
}

// ---------------------------------------------------------------------------
// Glob helpers (shared by validation and matching, so they agree)
// ---------------------------------------------------------------------------

fn table_glob(pattern: &str) -> Result<Glob, String> {
    let pattern = pattern.trim();
    if pattern.is_empty() {
        return Err("empty table pattern".to_string());
    }
    GlobBuilder::new(pattern)
        .case_insensitive(true)
        .build()
        .map_err(|e| e.kind().to_string())
}

/// Normalizes an exclude pattern: `./a/b` and `/a/b` are both relative to the root.
fn normalize_exclude(pattern: &str) -> &str {
    let mut p = pattern.trim();
    while let Some(rest) = p.strip_prefix("./") {
        p = rest;
    }
    p.trim_start_matches('/')
}

fn exclude_glob(pattern: &str) -> Result<Glob, String> {
    let pattern = normalize_exclude(pattern);
    if pattern.is_empty() {
        return Err("empty exclude pattern".to_string());
    }
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map_err(|e| e.kind().to_string())
}

/// Builds a set from the patterns that compile; invalid ones are ignored
/// (they are rejected at load time, so this only matters for hand-built configs).
fn build_set<'a>(
    patterns: impl IntoIterator<Item = &'a String>,
    compile: fn(&str) -> Result<Glob, String>,
) -> GlobSet {
    let mut builder = GlobSetBuilder::new();
    for p in patterns {
        if let Ok(g) = compile(p) {
            builder.add(g);
        }
    }
    builder.build().unwrap_or_else(|_| GlobSet::empty())
}

fn is_plain_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {}
        _ => return false,
    }
    chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The directory a config lookup for `start` begins in: `start` itself, or its parent when it
/// is a file (absolute, canonical).
fn start_dir(start: &Path) -> PathBuf {
    let abs = absolutize(start);
    if abs.is_file() {
        abs.parent().map(Path::to_path_buf).unwrap_or(abs)
    } else {
        abs
    }
}

/// Best-effort absolute, canonical form of `p` (falls back to the lexical
/// absolute path when `p` does not exist).
pub(crate) fn absolutize(p: &Path) -> PathBuf {
    if let Ok(c) = std::fs::canonicalize(p) {
        return c;
    }
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

// ---------------------------------------------------------------------------
// Config
// ---------------------------------------------------------------------------

impl Config {
    /// Loads an explicit config file (`--config FILE`).
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let abs = absolutize(path);
        let root = abs
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| abs.clone());
        Config::from_toml_str(&text, path, root)
    }

    /// Parses and validates config text. `path` is used for error messages and
    /// [`Config::path`]; `root` becomes [`Config::root`].
    pub fn from_toml_str(text: &str, path: &Path, root: PathBuf) -> Result<Config, ConfigError> {
        let ctx = FileCtx { path, text };
        let raw: RawConfig = toml::from_str(text).map_err(|e| ctx.parse_error(&e))?;

        let defaults = TenantConfig::default();

        let column = match raw.tenant.column {
            Some(col) => {
                if !is_plain_identifier(col.get_ref()) {
                    let r = col.span();
                    return Err(ConfigError::InvalidColumn {
                        path: path.to_path_buf(),
                        column: col.into_inner(),
                        src: ctx.source(),
                        span: SourceSpan::from(r.start..r.end),
                    });
                }
                col.into_inner()
            }
            None => defaults.column,
        };

        let tables = match raw.tenant.tables {
            Some(globs) => validate_globs(&ctx, "tenant.tables", globs, table_glob)?,
            None => defaults.tables,
        };
        let exempt = match raw.tenant.exempt {
            Some(globs) => validate_globs(&ctx, "tenant.exempt", globs, table_glob)?,
            None => defaults.exempt,
        };
        let exclude = match raw.scan.exclude {
            Some(globs) => validate_globs(&ctx, "scan.exclude", globs, exclude_glob)?,
            None => Vec::new(),
        };

        Ok(Config {
            tenant: TenantConfig {
                column,
                tables,
                exempt,
            },
            scan: ScanConfig { exclude },
            tables: raw.tables,
            root,
            path: Some(path.to_path_buf()),
            taint: {
                let d = TaintConfig::default();
                TaintConfig {
                    host: match raw.sources.host {
                        Some(hosts) => validate_sources(&ctx, "sources.host", hosts, host_source)?,
                        None => d.host,
                    },
                    tenant_param: match raw.sources.tenant_param {
                        Some(keys) => {
                            validate_sources(&ctx, "sources.tenant_param", keys, tenant_param)?
                        }
                        None => d.tenant_param,
                    },
                    sanitizers: raw.sanitizers.functions.unwrap_or(d.sanitizers),
                    never_return: raw.checks.never_return.unwrap_or(d.never_return),
                    guards: raw.checks.guards.unwrap_or(d.guards),
                }
            },
            rules: RuleSelection {
                select: raw
                    .rules
                    .select
                    .map(|codes| validate_rules(&ctx, "rules.select", codes))
                    .transpose()?,
                ignore: match raw.rules.ignore {
                    Some(codes) => validate_rules(&ctx, "rules.ignore", codes)?,
                    None => Vec::new(),
                },
            },
        })
    }

    /// Looks for `tenantlint.toml` in `start` (its directory if `start` is a
    /// file) and then in each parent directory. Without one, returns the
    /// default configuration rooted at the start directory.
    pub fn discover(start: &Path) -> Result<Config, ConfigError> {
        match Config::nearest(start) {
            Some(file) => Config::load(&file),
            None => Ok(Config::default_at(start_dir(start))),
        }
    }

    /// The `tenantlint.toml` that applies to `start`: the nearest one in `start` (its
    /// directory if `start` is a file) or a parent directory, as an absolute, canonical path.
    pub fn nearest(start: &Path) -> Option<PathBuf> {
        start_dir(start)
            .ancestors()
            .map(|dir| dir.join(CONFIG_FILE_NAME))
            .find(|candidate| candidate.is_file())
    }

    /// The default configuration, rooted at `root`.
    pub fn default_at(root: PathBuf) -> Config {
        Config {
            tenant: TenantConfig::default(),
            scan: ScanConfig::default(),
            tables: BTreeMap::new(),
            root,
            path: None,
            taint: TaintConfig::default(),
            rules: RuleSelection::default(),
        }
    }

    /// Matcher for tenant tables (cheap to clone; `Send + Sync`).
    pub fn tenant_tables(&self) -> TableMatcher {
        TableMatcher::new(&self.tenant.tables, &self.tenant.exempt)
    }

    /// The `scan.exclude` globs, to be matched against `/`-separated paths
    /// relative to [`Config::root`]. `*` does not cross `/`; use `**`.
    pub fn exclude_set(&self) -> GlobSet {
        build_set(&self.scan.exclude, exclude_glob)
    }
}

fn validate_globs(
    ctx: &FileCtx<'_>,
    key: &'static str,
    globs: Vec<Spanned<String>>,
    compile: fn(&str) -> Result<Glob, String>,
) -> Result<Vec<String>, ConfigError> {
    let mut out = Vec::with_capacity(globs.len());
    for g in globs {
        if let Err(message) = compile(g.get_ref()) {
            return Err(ctx.glob_error(key, &g, message));
        }
        out.push(g.into_inner());
    }
    Ok(out)
}

fn validate_rules(
    ctx: &FileCtx<'_>,
    key: &'static str,
    codes: Vec<Spanned<String>>,
) -> Result<Vec<Rule>, ConfigError> {
    let mut out = Vec::with_capacity(codes.len());
    for c in codes {
        let Some(rule) = Rule::from_code(c.get_ref()) else {
            let r = c.span();
            return Err(ConfigError::UnknownRule {
                path: ctx.path.to_path_buf(),
                key,
                code: c.into_inner(),
                src: ctx.source(),
                span: SourceSpan::from(r.start..r.end),
            });
        };
        if !out.contains(&rule) {
            out.push(rule);
        }
    }
    Ok(out)
}

fn validate_sources(
    ctx: &FileCtx<'_>,
    key: &'static str,
    entries: Vec<Spanned<String>>,
    check: fn(&str) -> Result<(), SourceError>,
) -> Result<Vec<String>, ConfigError> {
    let mut out = Vec::with_capacity(entries.len());
    for e in entries {
        if let Err(SourceError { message, help }) = check(e.get_ref()) {
            let r = e.span();
            return Err(ConfigError::InvalidSource {
                path: ctx.path.to_path_buf(),
                key,
                message,
                help,
                src: ctx.source(),
                span: SourceSpan::from(r.start..r.end),
            });
        }
        out.push(e.into_inner());
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// TableMatcher
// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests;

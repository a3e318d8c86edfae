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

use crate::rules::Rule;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use miette::{Diagnostic, NamedSource, SourceSpan};
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
        let d = crate::lang::FrontendOptions::default();
        TaintConfig {
            host: d.host_sources,
            tenant_param: d.tenant_params,
            sanitizers: d.sanitizers,
            never_return: d.never_return,
            guards: d.guards,
        }
    }
}

impl TaintConfig {
    /// The options the front-ends read.
    pub fn frontend_options(&self) -> crate::lang::FrontendOptions {
        let lower = |v: &[String]| v.iter().map(|f| f.to_ascii_lowercase()).collect();
        crate::lang::FrontendOptions {
            host_sources: self
                .host
                .iter()
                .map(|h| crate::resolve::normalize_expr(h))
                .collect(),
            tenant_params: self.tenant_param.clone(),
            sanitizers: lower(&self.sanitizers),
            never_return: lower(&self.never_return),
            guards: lower(&self.guards),
            project_functions: None,
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

/// Errors raised while loading a configuration file.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file `{}`: {source}", path.display())]
    #[diagnostic(code(tenantlint::config::io))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// TOML syntax error, unknown key, or a value of the wrong type.
    #[error("invalid config file `{}`: {message}", path.display())]
    #[diagnostic(
        code(tenantlint::config::parse),
        help(
            "see the `tenantlint.toml` reference (README, Configuration): sections [tenant], [scan], [tables], [sources], [sanitizers], [checks] and [rules]"
        )
    )]
    Parse {
        path: PathBuf,
        message: String,
        #[source_code]
        src: Arc<NamedSource<String>>,
        #[label("{message}")]
        span: Option<SourceSpan>,
    },

    /// A glob in `tenant.tables`, `tenant.exempt` or `scan.exclude` does not compile.
    #[error("invalid glob `{glob}` in `{key}` of `{}`: {message}", path.display())]
    #[diagnostic(code(tenantlint::config::glob))]
    InvalidGlob {
        path: PathBuf,
        /// Dotted key the glob belongs to, e.g. `tenant.tables`.
        key: &'static str,
        glob: String,
        message: String,
        #[source_code]
        src: Arc<NamedSource<String>>,
        #[label("{message}")]
        span: SourceSpan,
    },

    /// An entry of `[sources]` that can never match a request value.
    #[error("invalid `{key}` entry in `{}`: {message}", path.display())]
    #[diagnostic(code(tenantlint::config::sources), help("{help}"))]
    InvalidSource {
        path: PathBuf,
        /// Dotted key, e.g. `sources.host`.
        key: &'static str,
        message: String,
        help: &'static str,
        #[source_code]
        src: Arc<NamedSource<String>>,
        #[label("{message}")]
        span: SourceSpan,
    },

    /// A rule code in `[rules]` that names no rule.
    #[error("unknown rule `{code}` in `{key}` of `{}`", path.display())]
    #[diagnostic(
        code(tenantlint::config::rules),
        help("rules are named by code (`TL001`) or name (`missing-tenant-filter`); `tenantlint rule` lists them")
    )]
    UnknownRule {
        path: PathBuf,
        key: &'static str,
        code: String,
        #[source_code]
        src: Arc<NamedSource<String>>,
        #[label("not a rule")]
        span: SourceSpan,
    },

    /// `tenant.column` is not a plain SQL identifier.
    #[error("invalid tenant column `{column}` in `{}`", path.display())]
    #[diagnostic(
        code(tenantlint::config::column),
        help("the tenant column must be a plain SQL identifier matching [A-Za-z_][A-Za-z0-9_]*")
    )]
    InvalidColumn {
        path: PathBuf,
        column: String,
        #[source_code]
        src: Arc<NamedSource<String>>,
        #[label("not a plain SQL identifier")]
        span: SourceSpan,
    },
}

impl ConfigError {
    /// The config file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            ConfigError::Io { path, .. }
            | ConfigError::Parse { path, .. }
            | ConfigError::InvalidGlob { path, .. }
            | ConfigError::InvalidSource { path, .. }
            | ConfigError::UnknownRule { path, .. }
            | ConfigError::InvalidColumn { path, .. } => path,
        }
    }

    /// Byte range in the file of the offending text, when known.
    pub fn span(&self) -> Option<Range<usize>> {
        let span = match self {
            ConfigError::Io { .. } => None,
            ConfigError::Parse { span, .. } => *span,
            ConfigError::InvalidGlob { span, .. }
            | ConfigError::InvalidSource { span, .. }
            | ConfigError::UnknownRule { span, .. }
            | ConfigError::InvalidColumn { span, .. } => Some(*span),
        };
        span.map(|s| s.offset()..s.offset() + s.len())
    }
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

/// What an invalid `[sources]` entry is told: what is wrong, and what the key expects.
struct SourceError {
    message: String,
    help: &'static str,
}

const HOST_HELP: &str = "`[sources] host` lists the expressions whose value is the request host, as PHP reads them: a superglobal with its keys, e.g. \"$_SERVER['HTTP_HOST']\"";
const TENANT_PARAM_HELP: &str = "`[sources] tenant_param` lists the bare keys of the tenant request parameter in $_GET, $_POST, $_REQUEST and $_COOKIE, e.g. [\"ep\"] for $_GET['ep']";

/// A host source: a superglobal read (`$_SERVER['HTTP_HOST']`), optionally with further keys
/// or properties — the only expressions the front-end compares with host sources.
fn host_source(text: &str) -> Result<(), SourceError> {
    let err = |message: &str| SourceError {
        message: message.to_string(),
        help: HOST_HELP,
    };
    let normal = crate::resolve::normalize_expr(text);
    if normal.is_empty() {
        return Err(err("empty host source"));
    }
    let Some(rest) = normal.strip_prefix("$_") else {
        return Err(err(
            "not a superglobal read such as `$_SERVER['HTTP_HOST']`",
        ));
    };
    let ident_len = |s: &str| {
        s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(s.len())
    };
    let mut rest = &rest[ident_len(rest)..];
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("['") {
            // `normalize_expr` writes every string key as `['key']`.
            match after.find("']") {
                Some(0) => return Err(err("empty array key")),
                Some(end) if !after[..end].contains(['\'', '[', ']']) => rest = &after[end + 2..],
                _ => return Err(err("unbalanced or malformed `[…]` key")),
            }
        } else if let Some(after) = rest.strip_prefix('[') {
            let digits = after
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(after.len());
            match after[digits..].strip_prefix(']') {
                Some(tail) if digits > 0 => rest = tail,
                _ => return Err(err("unbalanced or malformed `[…]` key")),
            }
        } else if let Some(after) = rest.strip_prefix("->") {
            let n = ident_len(after);
            if n == 0 {
                return Err(err("`->` is not followed by a property name"));
            }
            rest = &after[n..];
        } else {
            return Err(err(
                "not a superglobal read such as `$_SERVER['HTTP_HOST']` (only `['key']` indexes and `->property` may follow)",
            ));
        }
    }
    Ok(())
}

/// A tenant parameter: the bare key (`ep`), compared with the keys of `$_GET['…']` & co.
fn tenant_param(text: &str) -> Result<(), SourceError> {
    let err = |message: &str| SourceError {
        message: message.to_string(),
        help: TENANT_PARAM_HELP,
    };
    if text.trim().is_empty() {
        return Err(err("empty tenant parameter name"));
    }
    if text.contains(|c: char| c.is_whitespace() || "$[]'\"".contains(c)) {
        return Err(err(
            "not a bare key: write `ep` for `$_GET['ep']`, without `$`, brackets, quotes or spaces",
        ));
    }
    Ok(())
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::from_toml_str(text, Path::new("tenantlint.toml"), PathBuf::from("/r"))
    }

    fn spanned_text<'a>(text: &'a str, err: &ConfigError) -> &'a str {
        let r = err.span().expect("error should carry a span");
        &text[r]
    }

    fn render(err: &ConfigError) -> String {
        let handler =
            miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
                .with_width(200);
        let mut out = String::new();
        handler.render_report(&mut out, err).unwrap();
        out
    }

    struct TempDir(PathBuf);
    impl TempDir {
        fn new(tag: &str) -> TempDir {
            static N: AtomicUsize = AtomicUsize::new(0);
            let p = std::env::temp_dir().join(format!(
                "tl-config-{}-{}-{}",
                std::process::id(),
                tag,
                N.fetch_add(1, Ordering::SeqCst)
            ));
            let _ = std::fs::remove_dir_all(&p);
            std::fs::create_dir_all(&p).unwrap();
            TempDir(p)
        }
    }
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn defaults_are_exact() {
        let c = Config::default_at(PathBuf::from("/x"));
        assert_eq!(c.tenant.column, "ep_code");
        assert_eq!(c.tenant.tables, vec!["iw_*".to_string()]);
        assert_eq!(c.tenant.exempt, vec!["iw_enterprise".to_string()]);
        assert!(c.scan.exclude.is_empty());
        assert!(c.tables.is_empty());
        assert_eq!(c.root, PathBuf::from("/x"));
        assert_eq!(c.path, None);
        // An empty file is the same as no file (apart from path/root).
        let e = parse("").unwrap();
        assert_eq!(e.tenant, c.tenant);
        assert_eq!(e.scan, c.scan);
        assert_eq!(e.tables, c.tables);
    }

    #[test]
    fn full_file() {
        let text = r#"
[tenant]
column = "ep_code"
tables = ["iw_*"]
exempt = ["iw_enterprise"]
[scan]
exclude = ["bbs/super/**"]
[tables]
"$iw['member_table']" = "iw_member"
"#;
        let c = parse(text).unwrap();
        assert_eq!(c.scan.exclude, vec!["bbs/super/**".to_string()]);
        assert_eq!(
            c.tables.get("$iw['member_table']").map(String::as_str),
            Some("iw_member")
        );
        assert_eq!(c.path.as_deref(), Some(Path::new("tenantlint.toml")));
        assert_eq!(c.root, PathBuf::from("/r"));
    }

    #[test]
    fn partial_file_keeps_other_defaults() {
        let c = parse("[tenant]\ncolumn = \"company_id\"\n").unwrap();
        assert_eq!(c.tenant.column, "company_id");
        assert_eq!(c.tenant.tables, vec!["iw_*".to_string()]);
        assert_eq!(c.tenant.exempt, vec!["iw_enterprise".to_string()]);
        assert!(c.scan.exclude.is_empty());

        let c = parse("[scan]\nexclude = [\"adm/**\"]\n").unwrap();
        assert_eq!(c.tenant, TenantConfig::default());
        assert_eq!(c.scan.exclude, vec!["adm/**".to_string()]);

        // Explicitly empty lists are honoured, not replaced by defaults.
        let c = parse("[tenant]\nexempt = []\n").unwrap();
        assert!(c.tenant.exempt.is_empty());
    }

    #[test]
    fn unknown_key_is_spanned() {
        let text = "[tenant]\ncolumn = \"ep_code\"\ncolumns = [\"x\"]\n";
        let err = parse(text).unwrap_err();
        assert!(matches!(err, ConfigError::Parse { .. }), "{err:?}");
        assert_eq!(spanned_text(text, &err), "columns");
        let code = miette::Diagnostic::code(&err).unwrap().to_string();
        assert_eq!(code, "tenantlint::config::parse");
    }

    #[test]
    fn unknown_section_and_top_level_key() {
        let text = "[tenant]\n[lint]\nlevel = 1\n";
        let err = parse(text).unwrap_err();
        assert_eq!(spanned_text(text, &err), "lint");

        let text = "verbose = true\n";
        let err = parse(text).unwrap_err();
        assert_eq!(spanned_text(text, &err), "verbose");
    }

    #[test]
    fn wrong_type_and_syntax_are_spanned() {
        let text = "[tenant]\ntables = \"iw_*\"\n";
        let err = parse(text).unwrap_err();
        assert!(matches!(err, ConfigError::Parse { .. }));
        assert_eq!(spanned_text(text, &err), "\"iw_*\"");

        let text = "[tenant\ncolumn = 1\n";
        let err = parse(text).unwrap_err();
        assert!(matches!(err, ConfigError::Parse { .. }));
        assert!(err.span().is_some());
    }

    #[test]
    fn bad_glob_is_spanned_on_the_glob() {
        let text = "[tenant]\ntables = [\"iw_*\", \"iw_[abc\"]\n";
        let err = parse(text).unwrap_err();
        match &err {
            ConfigError::InvalidGlob { key, glob, .. } => {
                assert_eq!(*key, "tenant.tables");
                assert_eq!(glob, "iw_[abc");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(spanned_text(text, &err), "\"iw_[abc\"");

        let text = "[tenant]\nexempt = [\"{iw_enterprise\"]\n";
        let err = parse(text).unwrap_err();
        assert_eq!(spanned_text(text, &err), "\"{iw_enterprise\"");

        let text = "[scan]\nexclude = [\"ok/**\", \"a/[z-\"]\n";
        let err = parse(text).unwrap_err();
        assert!(matches!(
            err,
            ConfigError::InvalidGlob {
                key: "scan.exclude",
                ..
            }
        ));
        assert_eq!(spanned_text(text, &err), "\"a/[z-\"");

        let text = "[tenant]\ntables = [\"\"]\n";
        let err = parse(text).unwrap_err();
        assert_eq!(spanned_text(text, &err), "\"\"");
    }

    #[test]
    fn bad_column_is_spanned() {
        for bad in ["ep-code", "1ep", "", "ep code", "t.ep_code", "`ep_code`"] {
            let text = format!("[tenant]\ncolumn = \"{bad}\"\n");
            let err = parse(&text).unwrap_err();
            assert!(matches!(err, ConfigError::InvalidColumn { .. }), "{bad}");
            assert_eq!(spanned_text(&text, &err), format!("\"{bad}\""));
        }
        for good in ["ep_code", "_tenant", "CompanyID2"] {
            let text = format!("[tenant]\ncolumn = \"{good}\"\n");
            assert_eq!(parse(&text).unwrap().tenant.column, good);
        }
    }

    #[test]
    fn malformed_sources_are_spanned() {
        for bad in [
            "",
            "HTTP_HOST",
            "getenv('HTTP_HOST')",
            "$_SERVER['HTTP_HOST'",
            "$_SERVER['']",
            "$_SERVER['HTTP_HOST'] . 'x'",
            "$host",
            "$_SERVER->",
        ] {
            let text = format!("[sources]\nhost = [\"$_SERVER['SERVER_NAME']\", \"{bad}\"]\n");
            let err = parse(&text).unwrap_err();
            assert!(
                matches!(
                    err,
                    ConfigError::InvalidSource {
                        key: "sources.host",
                        ..
                    }
                ),
                "{bad}: {err:?}"
            );
            assert_eq!(spanned_text(&text, &err), format!("\"{bad}\""), "{bad}");
        }
        for bad in ["", " ", "$_GET['ep']", "ep code", "'ep'", "ep]"] {
            let text = format!("[sources]\ntenant_param = [\"{bad}\"]\n");
            let err = parse(&text).unwrap_err();
            assert!(
                matches!(
                    err,
                    ConfigError::InvalidSource {
                        key: "sources.tenant_param",
                        ..
                    }
                ),
                "{bad}: {err:?}"
            );
            assert_eq!(spanned_text(&text, &err), format!("\"{bad}\""), "{bad}");
        }
        // What the front-end can match is accepted, in the spellings it normalises.
        let text = r#"[sources]
host = ["$_SERVER['HTTP_HOST']", "$_SERVER[\"SERVER_NAME\"]", "{$_SERVER['X'][0]}", "$_ENV['h']->name"]
tenant_param = ["ep", "store_id", "ep-code"]
"#;
        let c = parse(text).unwrap();
        assert_eq!(c.taint.host.len(), 4);
        assert_eq!(c.taint.tenant_param, vec!["ep", "store_id", "ep-code"]);
    }

    #[test]
    fn unknown_section_help_lists_every_section() {
        let err = parse("[source]\nhost = []\n").unwrap_err();
        let out = render(&err);
        for section in [
            "[tenant]",
            "[scan]",
            "[tables]",
            "[sources]",
            "[sanitizers]",
            "[checks]",
        ] {
            assert!(out.contains(section), "{section} missing from:\n{out}");
        }
    }

    #[test]
    fn rendered_error_points_at_the_offending_text() {
        let text = "[tenant]\ncolumn = \"ep-code\"\ntables = [\"iw_*\"]\n";
        let err = parse(text).unwrap_err();
        let out = render(&err);
        assert!(out.contains("not a plain SQL identifier"), "{out}");
        assert!(out.contains("column = \"ep-code\""), "{out}");
        assert!(out.contains("tenantlint::config::column"), "{out}");
        assert!(out.contains("tenantlint.toml:2:10"), "{out}");

        let text = "[scan]\nexclude = [\"bbs/super/**\"]\nexcludes = []\n";
        let err = parse(text).unwrap_err();
        let out = render(&err);
        assert!(out.contains("unknown field `excludes`"), "{out}");
        assert!(out.contains("excludes = []"), "{out}");
        assert!(out.contains("tenantlint.toml:3:1"), "{out}");
    }

    #[test]
    fn load_reports_io_error_with_path() {
        let dir = TempDir::new("io");
        let missing = dir.0.join("nope.toml");
        let err = Config::load(&missing).unwrap_err();
        match &err {
            ConfigError::Io { path, .. } => assert_eq!(path, &missing),
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(err.path(), missing.as_path());
    }

    #[test]
    fn load_sets_root_and_path() {
        let dir = TempDir::new("load");
        let file = dir.0.join("custom.toml");
        std::fs::write(&file, "[tenant]\ncolumn = \"tenant_id\"\n").unwrap();
        let c = Config::load(&file).unwrap();
        assert_eq!(c.tenant.column, "tenant_id");
        assert_eq!(c.root, std::fs::canonicalize(&dir.0).unwrap());
        assert_eq!(c.path.as_deref(), Some(file.as_path()));
    }

    #[test]
    fn discover_walks_up_to_parent_config() {
        let dir = TempDir::new("disc");
        let nested = dir.0.join("app/bbs/deep");
        std::fs::create_dir_all(&nested).unwrap();
        std::fs::write(
            dir.0.join("app").join(CONFIG_FILE_NAME),
            "[scan]\nexclude = [\"bbs/super/**\"]\n",
        )
        .unwrap();
        let file = nested.join("x.php");
        std::fs::write(&file, "<?php\n").unwrap();

        let app = std::fs::canonicalize(dir.0.join("app")).unwrap();
        for start in [nested.clone(), file] {
            let c = Config::discover(&start).unwrap();
            assert_eq!(c.scan.exclude, vec!["bbs/super/**".to_string()]);
            assert_eq!(c.root, app);
            assert_eq!(c.path, Some(app.join(CONFIG_FILE_NAME)));
        }
    }

    #[test]
    fn discover_without_file_gives_defaults_at_start() {
        let dir = TempDir::new("nodisc");
        let c = Config::discover(&dir.0).unwrap();
        // There could, in principle, be a tenantlint.toml in some ancestor of
        // the temp dir; only assert the defaults when none was found.
        if c.path.is_none() {
            assert_eq!(c.root, std::fs::canonicalize(&dir.0).unwrap());
            assert_eq!(c.tenant, TenantConfig::default());
        }
    }

    #[test]
    fn discover_propagates_errors() {
        let dir = TempDir::new("discerr");
        std::fs::write(dir.0.join(CONFIG_FILE_NAME), "[tenant]\nbogus = 1\n").unwrap();
        let err = Config::discover(&dir.0).unwrap_err();
        assert!(matches!(err, ConfigError::Parse { .. }));
    }

    #[test]
    fn table_matcher_classifies_name_prefixes() {
        let m = TableMatcher::new(&["iw_*".to_string()], &["iw_enterprise".to_string()]);
        assert_eq!(m.classify_prefix("g5_write_"), Some(false));
        assert_eq!(m.classify_prefix("IW_board_"), Some(true));
        // `iw_e…` could be the exempt registry.
        assert_eq!(m.classify_prefix("iw_e"), None);
        assert_eq!(m.classify_prefix("i"), None);
        assert_eq!(m.classify_prefix(""), None);
    }

    #[test]
    fn table_matcher() {
        let c = Config::default_at(PathBuf::from("/"));
        let m = c.tenant_tables();
        assert!(m.is_tenant("iw_member"));
        assert!(m.is_tenant("IW_MEMBER"));
        assert!(m.is_tenant("Iw_Board"));
        assert!(m.is_tenant("`iw_member`"));
        assert!(m.is_tenant("shop.iw_order"));
        assert!(m.is_tenant("`shop`.`iw_order`"));
        assert!(m.is_tenant("`my.db`.`iw_order`"));
        assert!(m.is_tenant("\"public\".\"iw_point\""));
        assert!(!m.is_tenant("iw_enterprise"));
        assert!(!m.is_tenant("IW_ENTERPRISE"));
        assert!(!m.is_tenant("db.`iw_enterprise`"));
        assert!(!m.is_tenant("g5_member"));
        assert!(!m.is_tenant("iw_member.x_log"));
        assert!(!m.is_tenant(""));
        assert!(!m.is_tenant("``"));

        let m = TableMatcher::new(
            &["iw_*".to_string(), "SHOP_*".to_string()],
            &["iw_enterprise".to_string(), "iw_config*".to_string()],
        );
        assert!(m.is_tenant("shop_cart"));
        assert!(!m.is_tenant("iw_config_site"));

        fn assert_send_sync<T: Send + Sync + Clone>(_: &T) {}
        assert_send_sync(&m);
        let m2 = m.clone();
        let h = std::thread::spawn(move || m2.is_tenant("iw_point"));
        assert!(h.join().unwrap());
    }

    #[test]
    fn exclude_set_matches_relative_paths() {
        let mut c = Config::default_at(PathBuf::from("/"));
        c.scan.exclude = vec!["bbs/super/**".into(), "./adm/*.php".into()];
        let set = c.exclude_set();
        assert!(set.is_match("bbs/super/list.php"));
        assert!(set.is_match("bbs/super/a/b.php"));
        assert!(!set.is_match("bbs/list.php"));
        assert!(set.is_match("adm/point_delete.php"));
        assert!(!set.is_match("adm/sub/point_delete.php"));
    }
}

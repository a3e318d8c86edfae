//! The errors loading a configuration file raises, each with the file text and a span.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::{Diagnostic, NamedSource, SourceSpan};

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

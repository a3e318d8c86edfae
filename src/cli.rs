//! Command-line interface: arguments, and the mapping from a run to an exit status.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::config::{Config, ConfigError};
use crate::engine;
use crate::report::{self, Format};
use crate::rules::{Rule, Severity};

/// Static analysis for tenant safety in multi-tenant PHP applications.
#[derive(Debug, Parser)]
#[command(name = "tenantlint", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan paths for tenant-safety problems.
    Check(CheckArgs),
    /// Print a rule's documentation (`tenantlint rule TL001`), or list the rules.
    Rule {
        /// Rule code or name; omit to list all rules.
        code: Option<String>,
    },
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Files or directories to scan.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Pretty)]
    pub format: Format,
    /// Configuration file (default: `tenantlint.toml` in the first path or its parents).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// List the queries that could not be checked, grouped by why.
    #[arg(long)]
    pub show_unanalyzed: bool,
    /// Worker threads (default: number of cores).
    #[arg(long)]
    pub threads: Option<usize>,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// No finding at error severity.
    Clean = 0,
    /// Findings at error severity.
    Findings = 1,
    /// Usage, configuration or I/O error.
    Error = 2,
}

/// Errors that stop a run before any scanning.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum RunError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(#[from] ConfigError),
    #[error("unknown rule `{0}`")]
    #[diagnostic(code(tenantlint::usage), help("`tenantlint rule` lists the rules"))]
    UnknownRule(String),
    #[error("nothing could be scanned: {0}")]
    #[diagnostic(code(tenantlint::io))]
    NothingScanned(String),
    #[error("could not write the output: {0}")]
    #[diagnostic(code(tenantlint::io))]
    Output(#[from] std::io::Error),
    #[error("could not start {0} worker threads")]
    #[diagnostic(code(tenantlint::usage))]
    Threads(usize),
}

/// Run the command line; the caller maps the result to the process exit code.
pub fn run(cli: Cli) -> Result<ExitStatus, RunError> {
    match cli.command {
        Command::Rule { code } => print_rule(code.as_deref()),
        Command::Check(args) => check(args),
    }
}

fn print_rule(code: Option<&str>) -> Result<ExitStatus, RunError> {
    let mut out = std::io::stdout().lock();
    match code {
        None => {
            for rule in Rule::ALL {
                writeln!(out, "{}  {}", rule.code(), rule.name())?;
            }
        }
        Some(code) => {
            let rule = Rule::from_code(code).ok_or_else(|| RunError::UnknownRule(code.into()))?;
            out.write_all(rule.doc().as_bytes())?;
        }
    }
    Ok(ExitStatus::Clean)
}

fn check(args: CheckArgs) -> Result<ExitStatus, RunError> {
    let config = match &args.config {
        Some(path) => Config::load(path)?,
        None => {
            let start = args
                .paths
                .first()
                .cloned()
                .unwrap_or_else(|| PathBuf::from("."));
            Config::discover(&start)?
        }
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        // The front-end's walks are bounded by a depth guard; this leaves room for the guard's
        // depth whatever the build profile's frame sizes.
        .stack_size(64 << 20)
        .build()
        .map_err(|_| RunError::Threads(args.threads.unwrap_or(0)))?;
    let report = pool.install(|| engine::scan(&args.paths, &config));
    if report.files.iter().all(|f| f.unreadable) && !report.discover_issues.is_empty() {
        let issues: Vec<String> = report
            .discover_issues
            .iter()
            .map(|i| i.to_string())
            .collect();
        return Err(RunError::NothingScanned(issues.join("; ")));
    }
    let text = match args.format {
        Format::Json => report::json::render(&report),
        Format::Pretty => report::pretty::render(
            &report,
            report::pretty::PrettyOptions {
                color: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
                show_unanalyzed: args.show_unanalyzed,
                hide_timing: false,
            },
        ),
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    if !text.ends_with('\n') {
        out.write_all(b"\n")?;
    }
    let has_errors = report
        .findings
        .iter()
        .any(|f| f.rule.severity() == Severity::Error);
    Ok(if has_errors {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    })
}

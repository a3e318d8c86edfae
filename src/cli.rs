//! Command-line interface: arguments, and the mapping from a run to an exit status.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};

use crate::config::{Config, ConfigError};
use crate::discover::DiscoverOptions;
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
    /// Output format [default: pretty; github when GITHUB_ACTIONS=true].
    #[arg(long, value_enum, env = "TENANTLINT_FORMAT")]
    pub format: Option<Format>,
    /// Configuration file for all paths. Without it, each path uses the nearest
    /// `tenantlint.toml` in its directory or a parent; paths that would use different files
    /// are an error.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// List the queries that could not be checked, grouped by why.
    #[arg(long)]
    pub show_unanalyzed: bool,
    /// Skip paths named on the command line that `[scan] exclude` matches (they are checked
    /// otherwise), e.g. in pre-commit hooks.
    #[arg(long)]
    pub force_exclude: bool,
    /// List the skipped paths (directories skipped by default, paths matched by `[scan]
    /// exclude`).
    #[arg(short, long)]
    pub verbose: bool,
    /// Worker threads, 1 to 256; 0 means one per core.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 0,
        value_parser = clap::value_parser!(u16).range(0..=MAX_THREADS)
    )]
    pub threads: u16,
}

/// The largest `--threads`.
pub const MAX_THREADS: i64 = 256;

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
    #[error("{}", missing_paths_message(.0))]
    #[diagnostic(
        code(tenantlint::usage),
        help("nothing was scanned; check the spelling of the paths")
    )]
    MissingPaths(Vec<String>),
    #[error("the paths use different configuration files:\n{0}")]
    #[diagnostic(
        code(tenantlint::config::conflict),
        help("check them in separate runs, or pass `--config FILE` to use one configuration for all of them")
    )]
    ConfigConflict(String),
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

fn missing_paths_message(paths: &[String]) -> String {
    let quoted: Vec<String> = paths.iter().map(|p| format!("`{p}`")).collect();
    format!("no such file or directory: {}", quoted.join(", "))
}

/// A path named on the command line that does not exist (or is a broken symlink).
fn is_missing(path: &Path) -> bool {
    std::fs::metadata(path).is_err_and(|e| {
        matches!(
            e.kind(),
            std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
        )
    })
}

/// Without `--config`: the `tenantlint.toml` nearest to each path, which must be the same for
/// all of them.
fn discover_config(paths: &[PathBuf]) -> Result<Config, RunError> {
    let Some(first) = paths.first() else {
        return Ok(Config::discover(Path::new("."))?);
    };
    let nearest: Vec<Option<PathBuf>> = paths.iter().map(|p| Config::nearest(p)).collect();
    let cwd = std::env::current_dir().ok();
    if nearest.iter().all(|n| *n == nearest[0]) {
        return Ok(match &nearest[0] {
            // Named relative to the current directory when under it, as in every message.
            Some(file) => Config::load(
                cwd.as_deref()
                    .and_then(|c| file.strip_prefix(c).ok())
                    .unwrap_or(file),
            )?,
            None => Config::discover(first)?,
        });
    }
    let lines: Vec<String> = paths
        .iter()
        .zip(&nearest)
        .map(|(path, config)| {
            let uses = match config {
                Some(c) => engine::display_path(c, cwd.as_deref()),
                None => "the defaults (no tenantlint.toml)".to_string(),
            };
            format!(
                "  {} uses {uses}",
                engine::display_path(path, cwd.as_deref())
            )
        })
        .collect();
    Err(RunError::ConfigConflict(lines.join("\n")))
}

/// With `--format github`, append the Markdown summary to the job summary file GitHub Actions
/// names in `GITHUB_STEP_SUMMARY`, if any. Failing to is a warning: the annotations are out.
fn write_job_summary(report: &engine::Report, options: &report::RenderOptions) {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return;
    };
    let path = PathBuf::from(path);
    if let Err(e) = report::github::append_step_summary(&path, report, options) {
        eprintln!(
            "warning: could not write the job summary to {}: {e}",
            path.display()
        );
    }
}

fn check(args: CheckArgs) -> Result<ExitStatus, RunError> {
    let missing: Vec<String> = args
        .paths
        .iter()
        .filter(|p| is_missing(p))
        .map(|p| p.display().to_string())
        .collect();
    if !missing.is_empty() {
        return Err(RunError::MissingPaths(missing));
    }
    let config = match &args.config {
        Some(path) => Config::load(path)?,
        None => discover_config(&args.paths)?,
    };
    let threads = usize::from(args.threads);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        // The front-end's walks are bounded by a depth guard; this leaves room for the guard's
        // depth whatever the build profile's frame sizes.
        .stack_size(64 << 20)
        .build()
        .map_err(|_| RunError::Threads(threads))?;
    let options = DiscoverOptions {
        force_exclude: args.force_exclude,
        explicit_config: args.config.is_some(),
    };
    let report = pool.install(|| engine::scan_with(&args.paths, &config, options));
    let format = args
        .format
        .unwrap_or_else(|| Format::default_for(std::env::var_os("GITHUB_ACTIONS").as_deref()));
    let render_options = report::RenderOptions {
        color: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        show_unanalyzed: args.show_unanalyzed,
        verbose: args.verbose,
        hide_timing: false,
        ..Default::default()
    };
    let text = report::render(format, &report, &render_options);
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    if !text.ends_with('\n') {
        out.write_all(b"\n")?;
    }
    if format == Format::Github {
        write_job_summary(&report, &render_options);
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

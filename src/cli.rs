//! Command-line interface: arguments, and the mapping from a run to an exit status.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};

use crate::config::{Config, ConfigError};
use crate::discover::DiscoverOptions;
use crate::engine;
use crate::report::audit::{self, AuditFormat};
use crate::report::{self, Format};
use crate::rules::{Rule, Severity};

/// Static analysis for tenant safety in multi-tenant PHP and Rust applications.
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
    /// Write an audit report of the scan (HTML or Markdown): the verdict, tenant-table
    /// coverage, every finding with its code, the suppressions and what was not checked.
    #[command(after_help = REPORT_HELP)]
    Report(ReportArgs),
    /// Print a rule's documentation (`tenantlint rule TL001`), or list the rules.
    Rule {
        /// Rule code or name; omit to list all rules.
        code: Option<String>,
    },
    /// Manage the result cache (`.tenantlint_cache/` beside the configuration).
    #[command(subcommand)]
    Cache(CacheCommand),
}

/// `tenantlint cache …`.
#[derive(Debug, Subcommand)]
pub enum CacheCommand {
    /// Remove the result cache of the project the path belongs to.
    Clean {
        /// A path in the project (the cache is beside its `tenantlint.toml`).
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Configuration file whose directory holds the cache.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Remove the cache kept in DIR instead (as `check --cache-dir` keeps it).
        #[arg(long, value_name = "DIR", env = "TENANTLINT_CACHE_DIR")]
        cache_dir: Option<PathBuf>,
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
    /// Skip paths named on the command line that `[scan] exclude` or an ignore file matches
    /// (they are checked otherwise), e.g. in pre-commit hooks.
    #[arg(long)]
    pub force_exclude: bool,
    /// Do not read `.gitignore`, `.ignore` and `.git/info/exclude`: scan what they would
    /// skip (they are honoured by default, in and out of git repositories).
    #[arg(long)]
    pub no_ignore: bool,
    /// List the skipped paths (directories skipped by default, paths matched by `[scan]
    /// exclude` or by `.gitignore`/`.ignore` files, with the rule).
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
    /// Report only these rules (codes or names, comma-separated); replaces `[rules] select`.
    #[arg(long, value_delimiter = ',', value_name = "RULES", value_parser = parse_rule)]
    pub select: Option<Vec<Rule>>,
    /// Never report these rules (codes or names, comma-separated); added to `[rules] ignore`.
    #[arg(long, value_delimiter = ',', value_name = "RULES", value_parser = parse_rule)]
    pub ignore: Vec<Rule>,
    /// Which findings make the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Error, value_name = "LEVEL")]
    pub fail_on: FailOn,
    /// Print how many findings each rule has instead of each finding (text formats).
    #[arg(long)]
    pub statistics: bool,
    /// Neither read nor write the result cache (`.tenantlint_cache/` beside the
    /// configuration, or `--cache-dir`): parse every file again.
    #[arg(long)]
    pub no_cache: bool,
    /// Keep the result cache in DIR instead of `.tenantlint_cache/` beside the configuration
    /// (CI caches restore it there).
    #[arg(long, value_name = "DIR", env = "TENANTLINT_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Print to stderr the time each phase took (discover and byte scan, open the cache, parse
    /// and lower, project pass, SQL and rules, report) and how many files were parsed, how many
    /// read from the cache and how many neither (binary files).
    #[arg(long)]
    pub stats: bool,
    /// Report only findings not recorded in this baseline file, and say how many of its
    /// entries are fixed.
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    pub baseline: Option<PathBuf>,
    /// With `--baseline`: fail (exit 1) when entries of the baseline are fixed, so that the
    /// file can only shrink.
    #[arg(long, requires = "baseline")]
    pub baseline_strict: bool,
    /// Record the current findings in this baseline file (and exit 0).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Report findings only in files changed since this git reference (committed, staged,
    /// unstaged or untracked); the whole project is still analysed.
    #[arg(long, value_name = "REF")]
    pub changed_since: Option<String>,
}

/// `--fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Findings at error severity (the default).
    Error,
    /// Any finding, warnings (TL900) included.
    Warning,
    /// Never: exit 0 whatever is found (2 still means the run failed).
    Never,
}

fn parse_rule(code: &str) -> Result<Rule, String> {
    Rule::from_code(code.trim()).ok_or_else(|| {
        format!("`{code}` is not a rule (a code such as TL001 or a name such as missing-tenant-filter; `tenantlint rule` lists them)")
    })
}

const REPORT_HELP: &str =
    "Exit status: 0 when the report was written, whatever it found: the report is \
a document, not a gate (use `tenantlint check` to fail a build on findings). 2 on a usage or \
configuration error, a missing path, or when the report cannot be written.

The date in the report is the current time (UTC), or the value of TENANTLINT_REPORT_DATE.";

/// `tenantlint report`: the same paths and configuration options as `check`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Files or directories to scan.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = AuditFormat::Html)]
    pub format: AuditFormat,
    /// Write the report to FILE; `-` (the default) writes it to standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Configuration file for all paths (as for `check`).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Skip paths named on the command line that `[scan] exclude` or an ignore file matches
    /// (as for `check`).
    #[arg(long)]
    pub force_exclude: bool,
    /// Neither read nor write the result cache (as for `check`).
    #[arg(long)]
    pub no_cache: bool,
    /// Keep the result cache in DIR (as for `check`).
    #[arg(long, value_name = "DIR", env = "TENANTLINT_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Do not read `.gitignore`, `.ignore` and `.git/info/exclude` (as for `check`).
    #[arg(long)]
    pub no_ignore: bool,
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
    #[error("could not write `{0}`: {1}")]
    #[diagnostic(code(tenantlint::io))]
    OutputFile(String, std::io::Error),
    #[error("could not start {0} worker threads")]
    #[diagnostic(code(tenantlint::usage))]
    Threads(usize),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Baseline(#[from] crate::baseline::BaselineError),
    #[error("{0}")]
    #[diagnostic(code(tenantlint::git))]
    Git(String),
}

/// Run the command line; the caller maps the result to the process exit code.
pub fn run(cli: Cli) -> Result<ExitStatus, RunError> {
    match cli.command {
        Command::Rule { code } => print_rule(code.as_deref()),
        Command::Check(args) => check(args),
        Command::Report(args) => write_report(args),
        Command::Cache(CacheCommand::Clean {
            path,
            config,
            cache_dir,
        }) => clean_cache(&path, config.as_deref(), cache_dir.as_deref()),
    }
}

/// `tenantlint cache clean`: remove the cache beside the configuration `path` uses.
fn clean_cache(
    path: &Path,
    config: Option<&Path>,
    cache_dir: Option<&Path>,
) -> Result<ExitStatus, RunError> {
    let dir = match cache_dir {
        Some(dir) => dir.to_path_buf(),
        None => {
            if config.is_none() && is_missing(path) {
                return Err(RunError::MissingPaths(vec![path.display().to_string()]));
            }
            let config = match config {
                Some(file) => Config::load(file)?,
                None => discover_config(std::slice::from_ref(&path.to_path_buf()))?,
            };
            crate::cache::dir_for(&config.root)
        }
    };
    let shown = engine::display_path(&dir, std::env::current_dir().ok().as_deref());
    if crate::cache::clean(&dir)? {
        eprintln!("tenantlint: removed {shown}");
    } else {
        eprintln!("tenantlint: no cache at {shown}");
    }
    Ok(ExitStatus::Clean)
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
    let quoted: Vec<String> = paths
        .iter()
        .map(|p| format!("`{}`", report::excerpt::escape_inline(p)))
        .collect();
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

/// What `check` and `report` scan, and how.
struct ScanRequest<'a> {
    paths: &'a [PathBuf],
    config: Option<&'a Path>,
    force_exclude: bool,
    /// `--no-ignore`: ignore files are not read.
    no_ignore: bool,
    threads: u16,
    /// `--select` (replaces `[rules] select`) and `--ignore` (added to `[rules] ignore`).
    select: Option<&'a [Rule]>,
    ignore: &'a [Rule],
    /// `--changed-since`: report on the files changed since this git reference.
    changed_since: Option<&'a str>,
    /// Show a progress bar when stderr is a terminal.
    progress: bool,
    /// Read and write the result cache.
    cache: bool,
    /// Where the result cache is kept, if not beside the configuration.
    cache_dir: Option<&'a Path>,
}

/// Refuse missing paths, load the configuration (`--config`, or the one the paths find) and
/// scan.
fn load_and_scan(request: ScanRequest) -> Result<(Config, engine::Report), RunError> {
    let missing: Vec<String> = request
        .paths
        .iter()
        .filter(|p| is_missing(p))
        .map(|p| p.display().to_string())
        .collect();
    if !missing.is_empty() {
        return Err(RunError::MissingPaths(missing));
    }
    let mut config = match request.config {
        Some(path) => Config::load(path)?,
        None => discover_config(request.paths)?,
    };
    if let Some(select) = request.select {
        config.rules.select = Some(select.to_vec());
    }
    config.rules.ignore.extend(request.ignore.iter().copied());
    let cwd = std::env::current_dir().unwrap_or_default();
    let changed = match request.changed_since {
        Some(reference) => {
            let dir = crate::include::lexical_absolute(&config.root, Some(&cwd));
            let files = crate::git::changed_since(&dir, reference).map_err(RunError::Git)?;
            Some((reference.to_string(), files))
        }
        None => None,
    };
    // Files named on their own (pre-commit passes the staged files): table names and function
    // summaries still come from the whole project, the configuration's directory.
    let named_files = config.path.is_some()
        && !request.paths.is_empty()
        && request.paths.iter().all(|p| p.is_file());
    let threads = usize::from(request.threads);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        // The front-end's walks are bounded by a depth guard; this leaves room for the guard's
        // depth whatever the build profile's frame sizes.
        .stack_size(64 << 20)
        .build()
        .map_err(|_| RunError::Threads(threads))?;
    let options = DiscoverOptions {
        force_exclude: request.force_exclude,
        explicit_config: request.config.is_some(),
        no_ignore: request.no_ignore,
    };
    // A progress bar on stderr for the human formats, when stderr is a terminal.
    let bar = BarProgress::new(request.progress && std::io::stderr().is_terminal());
    let cache_dir = request.cache.then(|| match request.cache_dir {
        Some(dir) => dir.to_path_buf(),
        None => crate::cache::dir_for(&config.root),
    });
    let cache = cache_dir.as_deref();
    let mut report = pool.install(|| {
        if named_files {
            engine::scan_in_project(request.paths, &config.root, &config, options, &bar, cache)
        } else {
            engine::scan_with_progress(request.paths, &config, options, &bar, cache)
        }
    });
    if let (Some(dir), Some(e)) = (&cache_dir, &report.stats.cache_error) {
        eprintln!(
            "tenantlint: warning: could not write the result cache in {}: {e} (--no-cache skips it)",
            engine::display_path(dir, Some(&cwd))
        );
    }
    if let Some((reference, files)) = &changed {
        let files: Vec<PathBuf> = files.iter().map(|p| canonical(p)).collect();
        report.restrict_to(
            |f| files.contains(&canonical(&f.absolute)),
            format!("changed since {reference}"),
        );
    }
    Ok((config, report))
}

fn check(args: CheckArgs) -> Result<ExitStatus, RunError> {
    let format = args
        .format
        .unwrap_or_else(|| Format::default_for(std::env::var_os("GITHUB_ACTIONS").as_deref()));
    let baseline = args
        .baseline
        .as_deref()
        .map(crate::baseline::load)
        .transpose()?;
    let (config, mut report) = load_and_scan(ScanRequest {
        paths: &args.paths,
        config: args.config.as_deref(),
        force_exclude: args.force_exclude,
        no_ignore: args.no_ignore,
        threads: args.threads,
        select: args.select.as_deref(),
        ignore: &args.ignore,
        changed_since: args.changed_since.as_deref(),
        progress: matches!(format, Format::Pretty),
        cache: !args.no_cache,
        cache_dir: args.cache_dir.as_deref(),
    })?;
    let cwd = std::env::current_dir().unwrap_or_default();
    if let Some(path) = &args.write_baseline {
        let n = crate::baseline::write(path, &report)?;
        eprintln!(
            "tenantlint: wrote {} to {}",
            report::scope::count(n, "finding", "findings"),
            path.display()
        );
    }
    let mut stale = 0;
    if let Some(b) = &baseline {
        let applied = crate::baseline::apply(&mut report, b);
        stale = applied.fixed.len();
        report.baseline = Some(engine::BaselineStatus {
            path: engine::display_path(&b.path, Some(&cwd)),
            matched: applied.matched,
            fixed: applied.fixed,
        });
        report.recount();
    }
    let render_options = report::RenderOptions {
        color: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        show_unanalyzed: args.show_unanalyzed,
        verbose: args.verbose,
        hide_timing: false,
        statistics: args.statistics,
        stamp: matches!(format, Format::Markdown | Format::Html)
            .then(|| report::audit::Stamp::collect(&config, &report, &args.paths)),
        ..Default::default()
    };
    let rendering = std::time::Instant::now();
    let text = report::render(format, &report, &render_options);
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    if !text.ends_with('\n') {
        out.write_all(b"\n")?;
    }
    out.flush()?;
    if format == Format::Github {
        write_job_summary(&report, &render_options);
    }
    if args.stats {
        eprint!(
            "{}",
            report::stats::render(&report.stats, rendering.elapsed(), report.started.elapsed())
        );
    }
    if args.write_baseline.is_some() {
        return Ok(ExitStatus::Clean);
    }
    if args.baseline_strict && stale > 0 {
        eprintln!(
            "tenantlint: {} of the baseline {} {} fixed (--baseline-strict): write it again with --write-baseline so that it only shrinks",
            report::scope::count(stale, "entry", "entries"),
            args.baseline.as_deref().unwrap_or(Path::new("")).display(),
            if stale == 1 { "is" } else { "are" }
        );
        return Ok(ExitStatus::Findings);
    }
    let fails = |f: &crate::rules::Finding| match args.fail_on {
        FailOn::Error => f.rule.severity() == Severity::Error,
        FailOn::Warning => true,
        FailOn::Never => false,
    };
    Ok(if report.findings.iter().any(fails) {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    })
}

/// A progress bar on stderr (indicatif), or nothing.
struct BarProgress {
    bar: Option<indicatif::ProgressBar>,
}

impl BarProgress {
    /// Scans of fewer files end before a bar would help.
    const MIN_FILES: usize = 200;

    fn new(enabled: bool) -> Self {
        BarProgress {
            bar: enabled.then(indicatif::ProgressBar::hidden),
        }
    }
}

impl engine::Progress for BarProgress {
    fn start(&self, files: usize) {
        let Some(bar) = &self.bar else { return };
        if files < Self::MIN_FILES {
            return;
        }
        bar.set_length(files as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} analysing {pos}/{len} files {wide_bar} {elapsed}",
        ) {
            bar.set_style(style);
        }
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    }

    fn file_done(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// A path resolved through symlinks when it exists, for comparing files named two ways.
fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// `tenantlint report`: scan as `check` does, write the audit report; exit 0 once written.
fn write_report(args: ReportArgs) -> Result<ExitStatus, RunError> {
    let (config, report) = load_and_scan(ScanRequest {
        paths: &args.paths,
        config: args.config.as_deref(),
        force_exclude: args.force_exclude,
        no_ignore: args.no_ignore,
        threads: args.threads,
        select: None,
        ignore: &[],
        changed_since: None,
        progress: false,
        cache: !args.no_cache,
        cache_dir: args.cache_dir.as_deref(),
    })?;
    let stamp = audit::Stamp::collect(&config, &report, &args.paths);
    let text = audit::render(args.format, &report, &stamp);
    match args.output.as_deref().filter(|p| *p != Path::new("-")) {
        None => std::io::stdout().lock().write_all(text.as_bytes())?,
        Some(path) => std::fs::write(path, text)
            .map_err(|e| RunError::OutputFile(path.display().to_string(), e))?,
    }
    Ok(ExitStatus::Clean)
}

//! Output formats. Every format reads the same [`Report`](crate::report::model::Report); only
//! `pretty` uses miette's graphical handler, and `json` is the stable machine contract.

use std::collections::HashSet;

pub mod audit;
pub mod concise;
pub mod escape;
pub mod excerpt;
pub mod github;
pub mod json;
pub mod model;
pub mod pretty;
pub mod sarif;
pub mod scope;
pub mod stats;
pub mod unanalyzed;

/// `--format` (or `TENANTLINT_FORMAT`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// miette diagnostics with source excerpts and a summary line.
    Pretty,
    /// `file:line:col: CODE message`, one finding per line, then the summary line.
    Concise,
    /// The versioned JSON contract.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands (annotations), and a job summary.
    Github,
    /// The audit report as Markdown (as `tenantlint report --format markdown`).
    Markdown,
    /// The audit report as one self-contained HTML page (as `tenantlint report`).
    Html,
}

impl Format {
    /// The format when neither `--format` nor `TENANTLINT_FORMAT` names one: `github` inside a
    /// GitHub Actions job (`GITHUB_ACTIONS=true`, `github_actions` being that variable), else
    /// `pretty`.
    pub fn default_for(github_actions: Option<&std::ffi::OsStr>) -> Format {
        if github_actions.is_some_and(|v| v == "true") {
            Format::Github
        } else {
            Format::Pretty
        }
    }
}

/// What every format may be asked besides the report itself.
#[derive(Clone, Debug, Default)]
pub struct RenderOptions {
    /// The audit report's stamp (configuration, commit, date) for `markdown` and `html`.
    pub stamp: Option<audit::Stamp>,
    /// Colour (pretty, on a terminal without `NO_COLOR`).
    pub color: bool,
    /// `--show-unanalyzed`.
    pub show_unanalyzed: bool,
    /// `-v`: list skipped paths.
    pub verbose: bool,
    /// Leave out the elapsed time (reproducible snapshots).
    pub hide_timing: bool,
    /// `--statistics`: counts per rule instead of each finding (text formats).
    pub statistics: bool,
    /// Files changed in the change under review (indexes into `Report::files`), when known:
    /// formats that can show only some findings (`github`) show the findings in these files
    /// first. `None` keeps the report's order.
    pub changed_files: Option<HashSet<usize>>,
}

/// Render `report` in `format`.
pub fn render(
    format: Format,
    report: &crate::report::model::Report,
    options: &RenderOptions,
) -> String {
    match format {
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Concise => concise::render(report, options),
        Format::Github => github::render(report, options),
        Format::Markdown | Format::Html => {
            let stamp = options.stamp.clone().unwrap_or_default();
            let audit_format = if format == Format::Html {
                audit::AuditFormat::Html
            } else {
                audit::AuditFormat::Markdown
            };
            audit::render(audit_format, report, &stamp)
        }
        Format::Pretty => pretty::render(
            report,
            pretty::PrettyOptions {
                color: options.color,
                show_unanalyzed: options.show_unanalyzed,
                hide_timing: options.hide_timing,
                verbose: options.verbose,
                statistics: options.statistics,
            },
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_is_the_default_only_inside_github_actions() {
        use std::ffi::OsStr;
        assert_eq!(Format::default_for(None), Format::Pretty);
        assert_eq!(
            Format::default_for(Some(OsStr::new("true"))),
            Format::Github
        );
        assert_eq!(
            Format::default_for(Some(OsStr::new("false"))),
            Format::Pretty
        );
        assert_eq!(Format::default_for(Some(OsStr::new(""))), Format::Pretty);
    }
}

//! Output formats. Every format reads the same [`Report`](crate::engine::Report); only
//! `pretty` uses miette's graphical handler, and `json` is the stable machine contract.

pub mod audit;
pub mod excerpt;
pub mod json;
pub mod pretty;
pub mod scope;
pub mod unanalyzed;

/// `--format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// miette diagnostics with source excerpts and a summary line.
    Pretty,
    /// The versioned JSON contract.
    Json,
}

/// What every format may be asked besides the report itself.
#[derive(Clone, Copy, Debug, Default)]
pub struct RenderOptions {
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
}

/// Render `report` in `format`.
pub fn render(format: Format, report: &crate::engine::Report, options: &RenderOptions) -> String {
    match format {
        Format::Json => json::render(report),
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

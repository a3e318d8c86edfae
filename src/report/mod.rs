//! Output formats. Every format reads the same [`Report`](crate::engine::Report); only
//! `pretty` uses miette's graphical handler, and `json` is the stable machine contract.

mod excerpt;
pub mod json;
pub mod pretty;
pub mod unanalyzed;

/// `--format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// miette diagnostics with source excerpts and a summary line.
    Pretty,
    /// The versioned JSON contract.
    Json,
}

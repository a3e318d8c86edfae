//! tenantlint finds tenant-isolation mistakes in multi-tenant applications before they ship.
//!
//! Many SaaS applications keep every tenant's rows in shared tables and rely on every query
//! carrying a tenant predicate (`WHERE ep_code = '…'`) and every INSERT setting the tenant
//! column. tenantlint runs a one-way pipeline (the repository's `ARCHITECTURE.md` has the table
//! of stages):
//!
//! 1. [`discover`] walks the paths, skips what the [`config`] excludes and gives each file its
//!    language.
//! 2. A front-end from [`lang`] (chosen by [`lang::frontend`]; PHP in [`lang::php`]) parses each
//!    file with tree-sitter, in parallel, and lowers it into language-neutral [`facts`]: SQL
//!    templates whose holes keep their source spans, constant definitions, calls, function
//!    summaries keyed by [`facts::FnKey`], variable paths ([`names::VarPath`]).
//! 3. The project pass ([`project`], with [`resolve`], [`taint`] and [`include`](mod@include))
//!    folds table-name expressions and summarises functions across files.
//! 4. Per query site, [`check`] has [`sql`] render each template to placeholder SQL, parse it
//!    with sqlparser and extract per-reference tenant constraints, then runs the [`rules`] from
//!    their registries.
//! 5. [`findings`] sorts and fingerprints the results so the output is identical for any thread
//!    count; [`suppress`] and [`baseline`] filter them; [`report`] prints them in every format.
//!
//! [`engine`] wires the stages together and never names a language; [`cli`] is the command line.

pub mod baseline;
pub mod cache;
pub mod check;
pub mod cli;
pub mod config;
pub mod discover;
pub mod engine;
pub mod facts;
pub mod findings;
pub mod git;
pub mod include;
pub mod lang;
pub mod lines;
pub mod memory;
pub mod names;
pub mod paths;
pub mod project;
pub mod report;
pub mod resolve;
pub mod rules;
pub mod source_text;
pub mod sql;
pub mod sql_files;
pub mod suppress;
pub mod taint;

pub use cli::{run, Cli, ExitStatus};

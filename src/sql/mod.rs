//! SQL handling: rendering templates to placeholder SQL ([`template`]), parsing it with the
//! MySQL dialect ([`parse`]) and extracting tenant-safety facts ([`analyze`](mod@analyze)).

pub mod analyze;
pub mod parse;
pub mod template;

pub use analyze::{analyze, Constraint, InsertFacts, QueryFacts, TableRef, TenantPolicy};
pub use parse::parse_mysql;

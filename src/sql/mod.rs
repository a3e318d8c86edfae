//! SQL handling: rendering templates to placeholder SQL ([`template`]), parsing it with the
//! MySQL dialect ([`parse`]) and extracting tenant-safety facts ([`analyze`](mod@analyze));
//! [`query`] parses one rendered query, recovering from misplaced placeholders, and analyses it.

pub mod analyze;
pub mod parse;
pub mod query;
pub mod template;

pub use analyze::{analyze, Constraint, InsertFacts, QueryFacts, TableRef, TenantPolicy};
pub use parse::parse_mysql;

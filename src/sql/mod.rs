//! SQL handling: rendering templates to placeholder SQL ([`template`]), parsing it in the site's
//! dialect — MySQL, PostgreSQL or SQLite — ([`parse`]) and extracting tenant-safety facts ([`analyze`](mod@analyze));
//! [`query`] parses one rendered query, recovering from misplaced placeholders, and analyses it;
//! [`placeholder`] makes and reads the placeholders holes render as.

pub mod analyze;
pub mod parse;
pub mod placeholder;
pub mod query;
pub mod template;

pub use analyze::{analyze, Constraint, InsertFacts, QueryFacts, TableRef, TenantPolicy};
pub use parse::parse_mysql;

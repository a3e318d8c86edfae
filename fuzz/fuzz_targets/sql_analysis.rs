//! SQL parsing (with the MySQL helpers) and tenant analysis on arbitrary text: nothing may
//! panic, and every reported byte range must lie inside the SQL text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tenantlint::sql::{analyze, parse};

fuzz_target!(|data: &[u8]| {
    let Ok(sql) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(stmts) = parse::parse_mysql(sql) else {
        return;
    };
    let is_tenant = |t: &str| t.starts_with("iw_") || t.starts_with('a');
    let policy = analyze::TenantPolicy {
        column: "ep_code",
        is_tenant_table: &is_tenant,
    };
    let q = analyze::analyze(&stmts, sql, &policy);
    for r in &q.refs {
        assert!(r.name_offset.start <= r.name_offset.end && r.name_offset.end <= sql.len());
    }
    for i in &q.inserts {
        assert!(i.name_offset.end <= sql.len());
    }
});

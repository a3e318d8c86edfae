//! The PHP front-end and SQL rebuilder on arbitrary input: lower the file, render every
//! variant of every query, parse and analyse it. Nothing may panic, and every span a finding
//! could point at must lie inside the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tenantlint::facts::Piece;
use tenantlint::lang::FrontendOptions;
use tenantlint::sql::{analyze, parse, template};

fuzz_target!(|data: &[u8]| {
    let source = String::from_utf8_lossy(data);
    let Some(mut parser) = tenantlint::lang::php_parser() else {
        return;
    };
    let facts = tenantlint::lang::php::analyze(&mut parser, &source, &FrontendOptions::default());
    let is_tenant = |t: &str| t.starts_with("iw_");
    let policy = analyze::TenantPolicy {
        column: "ep_code",
        is_tenant_table: &is_tenant,
    };
    for site in &facts.sites {
        assert!(site.exec.end <= source.len());
        for variant in &site.variants {
            for piece in variant {
                if let Piece::Hole(h) = piece {
                    assert!(h.span.start <= h.span.end && h.span.end <= source.len());
                }
            }
            let rendered = template::render(variant, &|_| None);
            if let Ok(stmts) = parse::parse_mysql(&rendered.text) {
                let q = analyze::analyze(&stmts, &rendered.text, &policy);
                for r in &q.refs {
                    if let Some(span) = rendered.source_span(r.name_offset.clone()) {
                        assert!(span.end <= source.len(), "span {span:?} outside the file");
                    }
                }
            }
        }
    }
});

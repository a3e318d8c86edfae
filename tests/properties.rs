//! Property tests: the hole/placeholder round trip and span mapping.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use tenantlint::facts::{Hole, HoleExpr, Piece, Span};
use tenantlint::lang::FrontendOptions;
use tenantlint::sql::{analyze, parse, template};

/// A template of literal SQL-ish text and holes, with made-up but increasing source offsets.
fn template_strategy() -> impl Strategy<Value = Vec<Piece>> {
    let piece = prop_oneof![
        "[a-z =,'()*]{0,12}".prop_map(|t| (Some(t), 0usize)),
        (1usize..30).prop_map(|len| (None, len)),
    ];
    proptest::collection::vec(piece, 0..12).prop_map(|raw| {
        let mut at = 0;
        raw.into_iter()
            .map(|(text, len)| match text {
                Some(t) => {
                    let p = Piece::Text {
                        src: at,
                        linear: true,
                        text: t.as_str().into(),
                    };
                    at += t.len() + 3;
                    p
                }
                None => {
                    let p = Piece::Hole(Hole::new(
                        Span::new(at, at + len),
                        HoleExpr::Path(format!("$v{at}").into()),
                    ));
                    at += len + 3;
                    p
                }
            })
            .collect()
    })
}

proptest! {
    #[test]
    fn every_hole_renders_to_its_own_placeholder_and_maps_back(t in template_strategy()) {
        let rendered = template::render(&t, &|_| None);
        let holes: Vec<&Hole> = t.iter().filter_map(|p| match p {
            Piece::Hole(h) => Some(h),
            Piece::Text { .. } => None,
        }).collect();
        prop_assert_eq!(rendered.holes.len(), holes.len());
        let mut search_from = 0;
        for (i, h) in holes.iter().enumerate() {
            let name = format!("{}{i}", template::PLACEHOLDER_PREFIX);
            let found = rendered.hole_named(&name).expect("placeholder resolves to its hole");
            prop_assert_eq!(&found.hole, *h);
            // The placeholder is in the text, in order, and maps back to the hole's span.
            let at = rendered.text[search_from..].find(&name).expect("placeholder in text") + search_from;
            prop_assert_eq!(rendered.source_span(at..at + name.len()), Some(h.span));
            search_from = at + name.len();
        }
        // Literal text maps byte for byte.
        let mut at = 0;
        for p in &t {
            match p {
                Piece::Text { text, src, .. } => {
                    if !text.is_empty() {
                        prop_assert_eq!(
                            rendered.source_span(at..at + text.len()),
                            Some(Span::new(*src, src + text.len()))
                        );
                    }
                    at += text.len();
                }
                Piece::Hole(_) => {
                    at = rendered.text[at..]
                        .find(template::PLACEHOLDER_PREFIX)
                        .map(|o| at + o)
                        .unwrap_or(at);
                    let digits = rendered.text[at + template::PLACEHOLDER_PREFIX.len()..]
                        .chars()
                        .take_while(char::is_ascii_digit)
                        .count();
                    at += template::PLACEHOLDER_PREFIX.len() + digits;
                }
            }
        }
        prop_assert_eq!(at, rendered.text.len());
    }
}

/// A PHP file with one query on a tenant table, written in one of several ways.
fn php_strategy() -> impl Strategy<Value = (String, &'static str)> {
    let ws = prop_oneof![
        Just(" "),
        Just("\n"),
        Just("\r\n"),
        Just("\n\t  "),
        Just(" \r ")
    ];
    let table = prop_oneof![
        Just(("iw_member", "iw_member")),
        Just(("{$iw['member_table']}", "$iw['member_table']")),
        Just(("$iw[member_table]", "$iw[member_table]")),
        Just(("`iw_member`", "iw_member")),
        Just(("infoway.iw_member", "iw_member")),
    ];
    let style = 0..4usize;
    let prefix = "[a-z ]{0,8}";
    (ws.clone(), ws, table, style, prefix).prop_map(|(w1, w2, (written, expected), style, prefix)| {
        let body = format!("SELECT *{w1}FROM {written}{w2}WHERE mb_id = '$id'");
        let query = match style {
            0 => format!("\"{body}\""),
            1 => format!("<<<SQL\n{body}\nSQL\n"),
            2 => {
                let (a, b) = body.split_at(body.find("FROM").unwrap_or(0));
                format!("\"{a}\" . \"{b}\"")
            }
            _ => format!("\"\n  {body}\""),
        };
        let src = format!(
            "<?php\n// {prefix}\n$iw['member_table'] = \"iw_member\";\n$sql = {query};\n$r = sql_query($sql);\n"
        );
        (src, expected)
    })
}

proptest! {
    #[test]
    fn reported_spans_lie_in_the_file_on_the_table_text((src, expected) in php_strategy()) {
        let mut parser = tenantlint::lang::php_parser().expect("grammar");
        let facts = tenantlint::lang::php::analyze(&mut parser, &src, &FrontendOptions::default());
        prop_assert_eq!(facts.sites.as_slice().len(), 1);
        let is_tenant = |t: &str| t == "iw_member";
        let policy = analyze::TenantPolicy { column: "ep_code", is_tenant_table: &is_tenant };
        let resolve = |e: &HoleExpr| match e {
            HoleExpr::Path(p) if &**p == "$iw['member_table']" => Some("iw_member".to_string()),
            _ => None,
        };
        for variant in &facts.sites.as_slice()[0].variants {
            let rendered = template::render(variant, &resolve);
            let stmts = parse::parse_mysql(&rendered.text).expect("parses");
            let q = analyze::analyze(&stmts, &rendered.text, &policy);
            prop_assert_eq!(q.refs.len(), 1);
            let span = rendered.source_span(q.refs[0].name_offset.clone()).expect("maps");
            prop_assert!(span.end <= src.len());
            prop_assert_eq!(&src[span.start..span.end], expected);
        }
    }
}

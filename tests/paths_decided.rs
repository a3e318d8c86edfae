//! Property: every SQL site ends decided (findings or clean) or counted unanalyzed with a
//! reason, whatever mix of paths assigns, unsets, appends to or never assigns the fragment
//! variables it is built from; and the summary's counts add up.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TempProject;
use proptest::prelude::*;

/// How the fragment variable `$wN` of query N is set before the query.
#[derive(Clone, Copy, Debug)]
enum Shape {
    /// Assigned the tenant predicate on every path: clean.
    Always,
    /// Assigned under `if` only: the other path runs without a predicate.
    IfOnly,
    /// Assigned a predicate on one branch and another condition on the other.
    IfElse,
    /// Assigned, then `unset()`.
    Unset,
    /// Appended to under `if`, never assigned before.
    AppendIfOnly,
    /// Never assigned in this file: its text is not known here.
    Never,
}

/// What the report must say about a query.
#[derive(Debug, PartialEq)]
enum Expect {
    Clean,
    Finding,
    Unanalyzed,
}

fn shape() -> impl Strategy<Value = Shape> {
    prop_oneof![
        Just(Shape::Always),
        Just(Shape::IfOnly),
        Just(Shape::IfElse),
        Just(Shape::Unset),
        Just(Shape::AppendIfOnly),
        Just(Shape::Never),
    ]
}

/// The PHP for query `n`, and what it must give when nothing before it can set `$wN`
/// (`settable == false`) or something can.
fn query(n: usize, shape: Shape, settable: bool) -> (String, Expect) {
    let w = format!("$w{n}");
    let pred = "where ep_code = '{$iw['store']}'";
    let (setup, expect) = match shape {
        Shape::Always => (format!("{w} = \"{pred}\";"), Expect::Clean),
        Shape::IfOnly => (
            format!("if ($c{n}) {{ {w} = \"{pred}\"; }}"),
            Expect::Finding,
        ),
        Shape::IfElse => (
            format!("if ($c{n}) {{ {w} = \"{pred}\"; }} else {{ {w} = \"where a = 1\"; }}"),
            Expect::Finding,
        ),
        Shape::Unset => (format!("{w} = \"{pred}\"; unset({w});"), Expect::Finding),
        Shape::AppendIfOnly => (
            format!("if ($c{n}) {{ {w} .= \"{pred}\"; }}"),
            Expect::Finding,
        ),
        Shape::Never => (String::new(), Expect::Unanalyzed),
    };
    // A variable no file assigns (the included `lib.php` assigns every `$wN`).
    let w = match shape {
        Shape::Never => format!("$never{n}"),
        _ => w,
    };
    // Where something before the query may set `$wN`, its unassigned path is not known.
    let expect = match (shape, expect) {
        (Shape::IfElse | Shape::Always, e) => e,
        (_, Expect::Finding) if settable => Expect::Unanalyzed,
        (_, e) => e,
    };
    (
        format!("{setup}\nsql_query(\"select * from iw_member {w}\");\n"),
        expect,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn every_site_is_decided_or_counted(
        shapes in proptest::collection::vec(shape(), 1..8),
        dynamic_at in proptest::option::of(0usize..8),
        include_sets in any::<bool>(),
    ) {
        // Optionally, before query `dynamic_at`: an include of a file that sets every `$wN`
        // (or sets nothing), or extract().
        let mut src = String::from("<?php\n");
        let mut expected = Vec::new();
        for (n, shape) in shapes.iter().enumerate() {
            let settable = match dynamic_at {
                Some(at) if n >= at => include_sets,
                _ => false,
            };
            if dynamic_at == Some(n) {
                src.push_str(if include_sets { "include './lib.php';\n" } else { "include './other.php';\n" });
            }
            let (php, expect) = query(n, *shape, settable);
            let line = src.lines().count() as u64 + php.lines().count() as u64;
            src.push_str(&php);
            expected.push((line, expect));
        }
        let lib: String = (0..8).map(|n| format!("$w{n} = 'where 1';\n")).collect();
        let p = TempProject::new(&[
            ("page.php", &src),
            ("lib.php", &format!("<?php\n{lib}")),
            ("other.php", "<?php\n$unrelated = 1;\n"),
        ]);
        let json = p.check_json();
        let summary = &json["summary"];
        let findings = json["findings"].as_array().expect("findings");
        let unanalyzed = json["unanalyzed"].as_array().expect("unanalyzed");
        // The counts add up.
        prop_assert_eq!(summary["sql_sites"].as_u64(), Some(shapes.len() as u64), "{}\n{:#}", src, json);
        prop_assert_eq!(summary["unanalyzed"].as_u64(), Some(unanalyzed.len() as u64));
        prop_assert_eq!(summary["findings"].as_u64(), Some(findings.len() as u64));
        let by_kind: u64 = summary["unanalyzed_by_kind"].as_object().expect("by kind").values().map(|v| v.as_u64().expect("count")).sum();
        prop_assert_eq!(by_kind, unanalyzed.len() as u64);
        let by_rule: u64 = summary["by_rule"].as_object().expect("by rule").values().map(|v| v.as_u64().expect("count")).sum();
        prop_assert_eq!(by_rule, findings.len() as u64);
        // Each query is decided as PHP would run it, or counted with a reason.
        for (line, expect) in expected {
            let at = |list: &Vec<serde_json::Value>| list.iter().filter(|e| e["file"] == "page.php" && e["line"].as_u64() == Some(line)).count();
            let got = match (at(findings), at(unanalyzed)) {
                (0, 0) => Expect::Clean,
                (1, 0) => Expect::Finding,
                (0, 1) => Expect::Unanalyzed,
                other => panic!("line {line}: {other:?}\n{src}\n{json:#}"),
            };
            prop_assert_eq!(&got, &expect, "line {}\n{}\n{:#}", line, src, json);
            if got == Expect::Unanalyzed {
                let entry = unanalyzed.iter().find(|e| e["line"].as_u64() == Some(line)).expect("entry");
                prop_assert!(!entry["reason"].as_str().unwrap_or("").is_empty());
            }
        }
    }
}

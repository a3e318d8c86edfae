//! Project-wide constants: `[tables]` precedence, constants defined several ways, `define()`
//! chains, `@define`, and `define`s inside functions bound by their callers' arguments.
//!
//! Each case is a small PHP project scanned with the default tenant tables (`iw_*`, column
//! `ep_code`); findings and unanalyzed counts are what a user sees.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{assert_clean, assert_findings, check_files, findings, summary};
use serde_json::Value;

/// The `table` of every finding, in report order.
fn tables(json: &Value) -> Vec<String> {
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["table"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// The reason of every unanalyzed query.
fn reasons(json: &Value) -> Vec<String> {
    json["unanalyzed"]
        .as_array()
        .expect("unanalyzed")
        .iter()
        .map(|u| u["reason"].as_str().expect("reason").to_string())
        .collect()
}

const TABLES_PREFIX_CONFIG: &str = "[tables]\n\"TABLE_PREFIX\" = \"iw_\"\n";

#[test]
fn configured_prefix_beats_a_sample_files_definition() {
    let files = [
        // A sample configuration shipped with the project, never used as is.
        (
            "include/sample-config.php",
            "<?php\ndefine('TABLE_PREFIX', '%');\n",
        ),
        (
            "bootstrap.php",
            "<?php\ndefine('MEMBER_TABLE', TABLE_PREFIX . 'member');\n",
        ),
        (
            "page.php",
            r#"<?php
$a = sql_query("SELECT * FROM " . TABLE_PREFIX . "member WHERE mb_id = 'x'");
$b = sql_query("SELECT * FROM " . MEMBER_TABLE . " WHERE mb_id = 'x'");
"#,
        ),
        ("tenantlint.toml", TABLES_PREFIX_CONFIG),
    ];
    let json = check_files(&files);
    // Both the direct use and the constant built from it fold with the configured prefix.
    assert_findings(&json, &[("TL001", "page.php", 2), ("TL001", "page.php", 3)]);
    assert_eq!(tables(&json), ["iw_member", "iw_member"]);

    // Without the configuration the sample's `%` is the project's only definition: no tenant
    // table is found.
    let json = check_files(&files[..3]);
    assert_eq!(findings(&json), vec![]);
}

#[test]
fn a_constant_defined_two_ways_is_analysed_with_each() {
    // One installation names its tables `legacy_…`, the other `iw_…`: the query reads a tenant
    // table on the second, whatever order the definitions are found in.
    let config_a = "<?php\ndefine('DB_PREFIX', 'legacy_');\n";
    let config_b = "<?php\ndefine('DB_PREFIX', 'iw_');\n";
    let models = "<?php\ndefine('MEMBER_TABLE', DB_PREFIX . 'member');\n";
    let page = r#"<?php
$a = sql_query("SELECT * FROM " . MEMBER_TABLE . " WHERE mb_id = 'x'");
$b = sql_query("SELECT * FROM " . DB_PREFIX . "board WHERE ep_code = 'e'");
"#;
    for (first, second) in [(config_a, config_b), (config_b, config_a)] {
        let json = check_files(&[
            ("a/config.php", first),
            ("b/config.php", second),
            ("models.php", models),
            ("page.php", page),
        ]);
        assert_findings(&json, &[("TL001", "page.php", 2)]);
        assert_eq!(tables(&json), ["iw_member"]);
        assert_eq!(summary(&json, "sql_sites"), 2);
    }
}

#[test]
fn a_name_defined_two_ways_takes_one_text_per_query() {
    // `T` is used twice in one query: it has the same text in both places, so the only ways
    // are "both iw_member" (filtered) and "both legacy_member".
    let json = check_files(&[
        (
            "config.php",
            "<?php\nif (PHP_SAPI == 'cli') { define('T', 'iw_member'); } else { define('T', 'legacy_member'); }\n",
        ),
        (
            "page.php",
            r#"<?php
$r = sql_query("SELECT a.mb_id FROM " . T . " a JOIN " . T . " b ON b.mb_id = a.mb_id
    WHERE a.ep_code = 'e' AND b.ep_code = 'e'");
"#,
        ),
    ]);
    assert_clean(&json, 1);
}

#[test]
fn variables_defined_two_ways_stay_unknown() {
    // Today's rule for `$` paths: disagreeing definitions are not variants.
    let json = check_files(&[
        ("a.php", "<?php\n$g5['member_table'] = 'iw_member';\n"),
        ("b.php", "<?php\n$g5['member_table'] = 'legacy_member';\n"),
        (
            "page.php",
            "<?php\n$r = sql_query(\"SELECT * FROM {$g5['member_table']} WHERE mb_id = 'x'\");\n",
        ),
    ]);
    assert_eq!(findings(&json), vec![]);
    assert_eq!(summary(&json, "unanalyzed"), 1);
}

#[test]
fn defines_in_a_method_fold_with_the_callers_argument() {
    let json = check_files(&[
        (
            "bootstrap.php",
            r#"<?php
class Boot {
    static function defineTables($prefix) {
        define('T', $prefix . 'member');
        define('BOARD_TABLE', "{$prefix}board");
        // A chain through a constant defined from the parameter.
        define('MEMBER_ALIAS', T);
    }
}
define('PFX', 'iw_');
Boot::defineTables(PFX);
"#,
        ),
        (
            "page.php",
            r#"<?php
$a = sql_query("SELECT * FROM " . T);
$b = sql_query("SELECT * FROM " . MEMBER_ALIAS . " WHERE mb_id = 'x'");
$c = sql_query("SELECT * FROM " . BOARD_TABLE . " WHERE ep_code = 'e'");
"#,
        ),
    ]);
    assert_findings(&json, &[("TL001", "page.php", 2), ("TL001", "page.php", 3)]);
    assert_eq!(tables(&json), ["iw_member", "iw_member"]);
    assert_eq!(summary(&json, "sql_sites"), 3);
}

#[test]
fn each_caller_of_a_defining_function_is_a_variant() {
    let json = check_files(&[
        (
            "tables.php",
            "<?php\nfunction define_tables($prefix, $suffix = 'member') {\n    define('MEMBER_TABLE', $prefix . $suffix);\n}\n",
        ),
        // One entry point passes a literal prefix, another a constant; one omits the suffix.
        ("cli.php", "<?php\ndefine_tables('legacy_', 'member');\n"),
        (
            "web.php",
            "<?php\ndefine('PREFIX', 'iw_');\ndefine_tables(PREFIX);\n",
        ),
        (
            "page.php",
            "<?php\n$r = sql_query(\"SELECT * FROM \" . MEMBER_TABLE . \" WHERE mb_id = 'x'\");\n",
        ),
    ]);
    assert_findings(&json, &[("TL001", "page.php", 2)]);
    assert_eq!(tables(&json), ["iw_member"]);
}

#[test]
fn a_caller_passing_a_run_time_value_makes_the_constant_unknown() {
    let json = check_files(&[
        (
            "tables.php",
            "<?php\nfunction define_tables($prefix, $other) {\n    define('MEMBER_TABLE', $prefix . 'member');\n}\n",
        ),
        ("cli.php", "<?php\ndefine_tables('iw_', 'x');\n"),
        ("web.php", "<?php\ndefine_tables(read_prefix(), 'x');\n"),
        (
            "page.php",
            "<?php\n$r = sql_query(\"SELECT * FROM \" . MEMBER_TABLE . \" WHERE mb_id = 'x'\");\n",
        ),
    ]);
    assert_eq!(findings(&json), vec![]);
    assert_eq!(summary(&json, "unanalyzed"), 1);
    assert!(reasons(&json)[0].contains("MEMBER_TABLE"), "{json:#}");
}

#[test]
fn a_transformed_parameter_is_not_the_callers_text() {
    let json = check_files(&[
        (
            "tables.php",
            "<?php\nfunction define_tables($prefix) {\n    define('MEMBER_TABLE', strtolower($prefix) . 'member');\n}\ndefine_tables('IW_');\n",
        ),
        (
            "page.php",
            "<?php\n$r = sql_query(\"SELECT * FROM \" . MEMBER_TABLE . \" WHERE mb_id = 'x'\");\n",
        ),
    ]);
    assert_eq!(findings(&json), vec![]);
    assert_eq!(summary(&json, "unanalyzed"), 1);
}

#[test]
fn error_suppressed_define_is_a_definition() {
    let json = check_files(&[
        (
            "config.php",
            r#"<?php
@define('PFX', 'iw_');
function boot() {
    if (!defined('MEMBER_TABLE')) @define('MEMBER_TABLE', PFX . 'member');
}
"#,
        ),
        (
            "page.php",
            "<?php\n$r = sql_query(\"SELECT * FROM \" . MEMBER_TABLE . \" WHERE mb_id = 'x'\");\n",
        ),
    ]);
    assert_findings(&json, &[("TL001", "page.php", 2)]);
    assert_eq!(tables(&json), ["iw_member"]);
}

#[test]
fn a_configured_name_wins_inside_a_chain() {
    // The project defines the prefix from a run-time value; `[tables]` names it, and what is
    // built from it folds.
    let json = check_files(&[
        (
            "config.php",
            "<?php\ndefine('TABLE_PREFIX', getenv('PREFIX'));\ndefine('BOARD', TABLE_PREFIX . 'board');\ndefine('BOARD_TABLE', BOARD);\n",
        ),
        (
            "page.php",
            "<?php\n$r = sql_query(\"SELECT * FROM \" . BOARD_TABLE);\n",
        ),
        ("tenantlint.toml", TABLES_PREFIX_CONFIG),
    ]);
    assert_findings(&json, &[("TL001", "page.php", 2)]);
    assert_eq!(tables(&json), ["iw_board"]);
}

#[test]
fn too_many_ways_are_reported_not_guessed() {
    // Ten definitions of the prefix: more than are kept for one name. The query is still
    // analysed with those kept, and says it was not analysed every way.
    let mut files: Vec<(String, String)> = (0..10)
        .map(|i| {
            (
                format!("site{i}/config.php"),
                format!("<?php\ndefine('PFX', 'iw_s{i}_');\n"),
            )
        })
        .collect();
    files.push((
        "page.php".to_string(),
        "<?php\n$r = sql_query(\"SELECT * FROM \" . PFX . \"member WHERE ep_code = 'a'\");\n"
            .to_string(),
    ));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let json = check_files(&refs);
    // Every way checked is filtered, but not every way was checked.
    assert_eq!(findings(&json), vec![], "{json:#}");
    assert_eq!(summary(&json, "unanalyzed"), 1);
    assert_eq!(
        json["unanalyzed"][0]["kind"], "too-many-variants",
        "{json:#}"
    );
    assert!(reasons(&json)[0].contains("too many ways"), "{json:#}");
}

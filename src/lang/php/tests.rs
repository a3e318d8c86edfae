//! Unit tests of the PHP front-end: PHP snippets lowered to facts.

use super::*;
use crate::facts::FoldPiece;

fn facts(src: &str) -> FileFacts {
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_php::LANGUAGE_PHP.into())
        .expect("php grammar");
    analyze(&mut parser, src, &crate::lang::FrontendOptions::default())
}

/// Each site's variants rendered as text with holes shown as `{expr}`.
fn sites(src: &str) -> Vec<Vec<String>> {
    facts(src)
        .sites
        .as_slice()
        .iter()
        .map(|s| {
            s.variants
                .iter()
                .map(|t| {
                    t.iter()
                        .map(|p| match p {
                            Piece::Text { text, .. } => text.to_string(),
                            Piece::Hole(h) => format!("{{{}}}", h.expr.display()),
                        })
                        .collect::<String>()
                })
                .collect()
        })
        .collect()
}

#[test]
fn interpolation_forms_become_holes() {
    let s = sites(
        r#"<?php sql_query("select * from {$iw['member_table']} where ep_code = '$iw[store]' and a = '{$o->p}' and b = $x");"#,
    );
    assert_eq!(
            s,
            vec![vec![
                "select * from {$iw['member_table']} where ep_code = '{$iw['store']}' and a = '{$o->p}' and b = {$x}"
                    .to_string()
            ]]
        );
}

#[test]
fn concatenation_and_single_quotes() {
    let s = sites(
        r#"<?php $db->query('SELECT * FROM ' . DB_PREFIX . "product WHERE store_id = '" . (int)$id . "'");"#,
    );
    assert_eq!(s.len(), 1);
    assert!(
        s[0][0].starts_with("SELECT * FROM {DB_PREFIX}product WHERE store_id = '{(int)$id}'"),
        "{s:?}"
    );
}

#[test]
fn append_under_if_yields_two_variants() {
    let s = sites(
        r#"<?php
            $sql = "select * from iw_member where 1";
            if ($x) { $sql .= " and ep_code = 'a'"; }
            sql_query($sql);"#,
    );
    let mut s = s;
    s[0].sort();
    assert_eq!(
        s,
        vec![vec![
            "select * from iw_member where 1".to_string(),
            "select * from iw_member where 1 and ep_code = 'a'".to_string()
        ]]
    );
}

#[test]
fn fragments_are_substituted_and_switch_branches_kept() {
    let s = sites(
        r#"<?php
            $sql_common = " from iw_member ";
            $sql_search = " where (1) ";
            switch ($sfl) {
                case 'a': $sql_search .= " and a = 1 "; break;
                default: $sql_search .= " and b = 2 "; break;
            }
            $sql = " select * {$sql_common} {$sql_search} ";
            $result = sql_query($sql);"#,
    );
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].len(), 2, "{s:?}");
    assert!(s[0][0].contains("from iw_member") && s[0][0].contains("a = 1"));
    assert!(s[0][1].contains("b = 2"));
}

#[test]
fn a_local_unset_on_one_path_is_empty_there() {
    let s = sites(
        r#"<?php function f($stx) {
            if ($stx) { $add = " and name = 'x'"; }
            sql_query("select * from iw_member where ep_code = 'a' $add");
            global $g;
            if ($stx) { $g = " and b = 1"; }
            sql_query("select * from iw_member where ep_code = 'a' $g"); }"#,
    );
    let mut first = s[0].clone();
    first.sort();
    assert_eq!(
        first,
        vec![
            "select * from iw_member where ep_code = 'a' ".to_string(),
            "select * from iw_member where ep_code = 'a'  and name = 'x'".to_string()
        ]
    );
    assert!(
        s[1].contains(&"select * from iw_member where ep_code = 'a' {$g}".to_string()),
        "{s:?}"
    );
}

#[test]
fn ifs_on_the_same_condition_take_the_same_branch() {
    let s = sites(
        r#"<?php function f($data) {
            $sql = "select * from t";
            if (isset($data['store'])) { $sql .= " join iw_x x on x.id = t.id"; }
            $sql .= " where 1";
            if (isset($data['store'])) { $sql .= " and x.ep_code = 'a'"; }
            if (!$data['flag']) { $sql .= " and a = 1"; } else { $sql .= " and b = 1"; }
            if ($data['flag']) { $sql .= " and c = 1"; }
            sql_query($sql); }"#,
    );
    let mut v = s[0].clone();
    v.sort();
    assert_eq!(
            v,
            vec![
                "select * from t join iw_x x on x.id = t.id where 1 and x.ep_code = 'a' and a = 1".to_string(),
                "select * from t join iw_x x on x.id = t.id where 1 and x.ep_code = 'a' and b = 1 and c = 1".to_string(),
                "select * from t where 1 and a = 1".to_string(),
                "select * from t where 1 and b = 1 and c = 1".to_string(),
            ]
        );
}

#[test]
fn hashing_or_logging_a_query_is_not_a_site() {
    let f = facts(
        r#"<?php $sql = "select * from iw_member"; $key = md5($sql); error_log($sql); $q = $db->query($sql);"#,
    );
    assert_eq!(f.sites.as_slice().len(), 1);
}

#[test]
fn class_constants_and_property_defaults_are_recorded() {
    let f = facts(
        r#"<?php class Member {
            const TABLE = 'iw_member';
            protected $table = 'iw_member';
            public static $tbl = "iw_point";
            function get() { return $this->db->query("SELECT * FROM " . self::TABLE . " JOIN {$this->table} JOIN " . static::$tbl); } }"#,
    );
    let paths: Vec<&str> = f.consts.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(
        paths,
        vec!["Member::TABLE", "Member::$this->table", "Member::$tbl"]
    );
    let holes: Vec<String> = f.sites.as_slice()[0].variants[0]
        .iter()
        .filter_map(|p| match p {
            Piece::Hole(h) => Some(h.expr.display().to_string()),
            Piece::Text { .. } => None,
        })
        .collect();
    assert_eq!(
        holes,
        vec!["Member::TABLE", "Member::$this->table", "Member::$tbl"]
    );
}

#[test]
fn a_verb_held_by_a_variable_starts_a_query() {
    let s = sites(r#"<?php $verb = "UPDATE"; sql_query($verb . " iw_member SET a = 1");"#);
    assert_eq!(s.len(), 1, "{s:?}");
}

#[test]
fn queries_kept_in_an_array_are_sites() {
    let s = sites(
        r#"<?php $queries = array("DELETE FROM iw_a", 'x' => "DELETE FROM iw_b", "not sql");
            foreach ($queries as $q) { sql_query($q); }"#,
    );
    assert_eq!(
        s,
        vec![
            vec!["DELETE FROM iw_a".to_string()],
            vec!["DELETE FROM iw_b".to_string()]
        ]
    );
}

#[test]
fn early_return_removes_a_path() {
    let s = sites(
        r#"<?php function f() {
            $sql = "select * from iw_member where 1";
            if (!$ep) { return; }
            $sql .= " and ep_code = 'a'";
            sql_query($sql); }"#,
    );
    assert_eq!(
        s,
        vec![vec![
            "select * from iw_member where 1 and ep_code = 'a'".to_string()
        ]]
    );
}

#[test]
fn heredoc_nowdoc_and_sprintf() {
    let s = sites(
            "<?php\n$q = <<<SQL\nSELECT * FROM iw_board WHERE bo = '{$b['k']}'\nSQL;\nsql_query($q);\n\
             sql_query(sprintf(\"SELECT * FROM %s WHERE ep_code = '%s' AND n = %d\", $t, $ep, $n));\n\
             $r = <<<'X'\nDELETE FROM iw_log\nX;\nsql_query($r);",
        );
    assert_eq!(
        s[0],
        vec!["SELECT * FROM iw_board WHERE bo = '{$b['k']}'".to_string()]
    );
    assert_eq!(
        s[1],
        vec!["SELECT * FROM {$t} WHERE ep_code = '{$ep}' AND n = {(int) $n}".to_string()]
    );
    assert_eq!(s[2], vec!["DELETE FROM iw_log".to_string()]);
}

#[test]
fn sql_in_comments_and_prose_is_not_a_site() {
    let s = sites(
        r#"<?php
            // sql_query("select * from iw_member");
            /* $sql = "delete from iw_member"; */
            echo "<select name='x'>";
            $msg = "Please select a member";
            alert("Selected items were deleted");"#,
    );
    assert!(s.is_empty(), "{s:?}");
}

#[test]
fn unused_query_is_analysed_where_it_is_assigned() {
    let f =
        facts("<?php\n$sql = \"select * from iw_member\";\n$sql = \"select 1\";\nsql_query($sql);");
    assert_eq!(f.sites.as_slice().len(), 2);
    let spans: Vec<usize> = f.sites.as_slice().iter().map(|s| s.exec.start).collect();
    assert!(spans.contains(&6), "{spans:?}");
}

#[test]
fn constants_are_recorded_for_folding() {
    let f = facts(
        r#"<?php
            define('G5_TABLE_PREFIX', 'g5_');
            $iw['table_prefix'] = "iw_";
            $iw['member_table'] = $iw['table_prefix'] . "member";
            function x() { $local = "a"; $GLOBALS_x['t'] = 'b'; }"#,
    );
    let paths: Vec<&str> = f.consts.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(
        paths,
        vec![
            "G5_TABLE_PREFIX",
            "$iw['table_prefix']",
            "$iw['member_table']",
            "$GLOBALS_x['t']"
        ]
    );
    // Known in the same file: folded on the spot.
    assert_eq!(
        f.consts[2].value,
        vec![
            FoldPiece::Text("iw_".into()),
            FoldPiece::Text("member".into())
        ]
    );
    // Defined elsewhere: kept as a reference for the project pass.
    let g = facts("<?php $g5['member_table'] = G5_TABLE_PREFIX . 'member';");
    assert_eq!(
        g.consts[0].value,
        vec![
            FoldPiece::Ref("G5_TABLE_PREFIX".into()),
            FoldPiece::Text("member".into())
        ]
    );
}

#[test]
fn text_spans_point_into_the_source() {
    let src = "<?php\nsql_query(\"select *\n  from iw_member\");";
    let f = facts(src);
    let Piece::Text {
        text,
        src: at,
        linear,
    } = &f.sites.as_slice()[0].variants[0][0]
    else {
        panic!("expected text");
    };
    assert!(*linear);
    assert_eq!(&src[*at..*at + text.len()], &**text);
}

#[test]
fn deep_concatenation_does_not_overflow() {
    let mut src = String::from("<?php sql_query(\"select * from iw_member where a = 1\"");
    for _ in 0..20_000 {
        src.push_str(" . 'x'");
    }
    src.push_str(");");
    let f = facts(&src);
    assert_eq!(f.sites.as_slice().len(), 1);
}

#[test]
fn kind_names_from_the_table_are_the_ones_tree_sitter_gives() {
    let src = "<p><?= $x ?></p><?php\nnamespace A\\B;\nuse C\\D as E;\n#[Attr]\nfinal class K extends P implements I {\n    use T;\n    const X = 1;\n    public function __construct(private readonly int $a = 2) {}\n    public static function m(?array &$b, string ...$c): static { return new static(); }\n}\nenum S: string { case A = 'a'; }\n$f = fn($x) => $x?->y ?? match ($x) { 1, 2 => 'a', default => \"b{$x['k']}\" };\n$q = <<<SQL\nSELECT * FROM t WHERE id = {$id}\nSQL;\nforeach ($rows as $k => [$a, $b]) { list('x' => $y) = $a; goto done; }\ndone:\ntry { throw new E(); } catch (A|B $e) { } finally { }\nswitch ($x) { case 1: break; default: continue 2; }\n$$name = `ls`; echo @$u[0], (int) $v, clone $w, print 1;\n";
    let mut parser = crate::lang::php_parser().expect("php grammar");
    let tree = parser.parse(src, None).expect("parses");
    let nodes = crate::lang::all_nodes(&tree);
    for node in &nodes {
        assert_eq!(node.kind_name(), node.kind(), "kind id {}", node.kind_id());
    }
    assert!(nodes.len() > 300, "{} nodes", nodes.len());
}

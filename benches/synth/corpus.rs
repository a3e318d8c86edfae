//! A reproducible synthetic corpus of multi-tenant PHP and Rust, in the shapes of real legacy
//! code: a gnuboard-style PHP shop (`sql_query`, `sql_fetch`, `$iw['store']`, `iw_*` tables,
//! fragment variables appended under `if`, HTML templates) and axum + sqlx services.
//!
//! Everything is derived from the seed with a small splitmix64 generator: the same seed and
//! number of files give a byte-identical tree. About one SQL site in twelve is unsafe on
//! purpose (a missing `ep_code` predicate or column, the request host pasted into SQL, `?ep=`
//! trusted), so a scan has findings of every rule.

use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

/// splitmix64: tiny, fast, and good enough for choosing shapes.
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `pct` percent.
    pub fn pct(&mut self, pct: usize) -> bool {
        self.below(100) < pct
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

/// What was written.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    pub php: usize,
    pub rust: usize,
    pub bytes: u64,
}

impl Written {
    pub fn files(&self) -> usize {
        self.php + self.rust
    }
}

/// A tenant table of the sample schema.
struct Table {
    /// `member` for `iw_member` and `$iw['member_table']`.
    key: &'static str,
    /// Column prefix (`mb` for `mb_id`).
    p: &'static str,
    /// Other columns, without the prefix.
    cols: &'static [&'static str],
    /// Korean label for templates.
    label: &'static str,
}

const TABLES: &[Table] = &[
    Table {
        key: "member",
        p: "mb",
        cols: &[
            "name",
            "nick",
            "email",
            "hp",
            "point",
            "level",
            "datetime",
            "leave_date",
        ],
        label: "회원",
    },
    Table {
        key: "board",
        p: "wr",
        cols: &["subject", "content", "hit", "name", "datetime", "is_notice"],
        label: "게시글",
    },
    Table {
        key: "comment",
        p: "co",
        cols: &["content", "name", "datetime", "parent"],
        label: "댓글",
    },
    Table {
        key: "order",
        p: "od",
        cols: &[
            "name",
            "tel",
            "addr",
            "price",
            "status",
            "datetime",
            "use_point",
        ],
        label: "주문",
    },
    Table {
        key: "cart",
        p: "ct",
        cols: &["price", "qty", "status", "option", "datetime"],
        label: "장바구니",
    },
    Table {
        key: "point",
        p: "po",
        cols: &["content", "point", "datetime", "rel_table", "rel_id"],
        label: "포인트",
    },
    Table {
        key: "item",
        p: "it",
        cols: &["name", "price", "stock", "use", "datetime", "category"],
        label: "상품",
    },
    Table {
        key: "coupon",
        p: "cp",
        cols: &["subject", "price", "start", "end", "used"],
        label: "쿠폰",
    },
    Table {
        key: "qa",
        p: "qa",
        cols: &["subject", "content", "status", "datetime", "answer"],
        label: "1:1문의",
    },
    Table {
        key: "faq",
        p: "fa",
        cols: &["subject", "content", "order", "category"],
        label: "FAQ",
    },
    Table {
        key: "banner",
        p: "bn",
        cols: &["alt", "url", "position", "order", "begin_time", "end_time"],
        label: "배너",
    },
    Table {
        key: "popup",
        p: "nw",
        cols: &["subject", "content", "begin_time", "end_time", "device"],
        label: "팝업",
    },
    Table {
        key: "visit",
        p: "vi",
        cols: &["ip", "date", "time", "referer", "agent"],
        label: "방문자",
    },
    Table {
        key: "mail",
        p: "ma",
        cols: &["subject", "content", "time", "count"],
        label: "메일",
    },
    Table {
        key: "sms_log",
        p: "sl",
        cols: &["hp", "message", "result", "datetime"],
        label: "문자",
    },
];

/// Tables that `config.php` also defines as constants (`IW_COUPON_TABLE`).
const CONST_TABLES: &[&str] = &["coupon", "qa", "faq", "banner", "popup", "mail", "sms_log"];

const ENTITY_WORDS: &[&str] = &[
    "member", "board", "order", "cart", "point", "item", "coupon", "qa", "faq", "banner", "popup",
    "visit", "mail", "sms", "config", "stats",
];
const ACTION_WORDS: &[&str] = &[
    "list", "form", "update", "view", "delete", "excel", "search", "write", "result", "popup",
];
const PHP_AREAS: &[&str] = &[
    "adm",
    "adm/shop_admin",
    "adm/sms_admin",
    "bbs",
    "shop",
    "shop/mypage",
    "mobile/shop",
    "mobile/bbs",
    "plugin/kcp",
    "plugin/editor",
    "theme/basic/shop",
];
const KO_WORDS: &[&str] = &[
    "검색",
    "목록",
    "수정",
    "삭제",
    "등록",
    "저장",
    "확인",
    "취소",
    "상세보기",
    "전체",
    "기간",
    "상태",
    "이름",
    "연락처",
    "금액",
    "합계",
    "선택",
    "처리",
];
const EN_WORDS: &[&str] = &[
    "list", "title", "wrap", "btn", "tbl", "head", "frm", "sch", "local", "anchor", "info", "box",
    "sub", "row", "col", "tab",
];

fn col(t: &Table, i: usize) -> String {
    format!("{}_{}", t.p, t.cols[i % t.cols.len()])
}

fn id_col(t: &Table) -> String {
    format!("{}_id", t.p)
}

/// How a PHP string names a table, inside a double-quoted string.
fn php_table_in_dq(rng: &mut Rng, t: &Table) -> String {
    match rng.below(10) {
        0..=5 => format!("{{$iw['{}_table']}}", t.key),
        6 => format!("$iw[{}_table]", t.key),
        7 if CONST_TABLES.contains(&t.key) => format!("\".IW_{}_TABLE.\"", t.key.to_uppercase()),
        _ => format!("iw_{}", t.key),
    }
}

/// How a PHP string reads the current store, inside single quotes of a double-quoted string.
fn php_store_in_dq(rng: &mut Rng) -> &'static str {
    rng.pick(&[
        "{$iw['store']}",
        "{$iw['store']}",
        "$iw[store]",
        "{$store}",
        "\" . $iw['store'] . \"",
    ])
}

fn words(rng: &mut Rng, list: &[&'static str], n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(rng.pick(list));
    }
    s
}

/// One PHP or Rust source under construction.
struct Src {
    text: String,
}

impl Src {
    fn new() -> Src {
        Src {
            text: String::with_capacity(16 * 1024),
        }
    }
    fn line(&mut self, s: &str) {
        self.text.push_str(s);
        self.text.push('\n');
    }
    fn len(&self) -> usize {
        self.text.len()
    }
}

// ------------------------------------------------------------------------------------------
// PHP
// ------------------------------------------------------------------------------------------

/// The fixed files every corpus has: configuration, bootstrap, the database helpers.
fn php_base(out: &mut Vec<(PathBuf, String)>) {
    let mut c = Src::new();
    c.line("<?php\n/*\n * 환경 설정: 테이블명은 여기서 정의한다.\n */\nif (!defined('_INFOWAY_')) exit;\n");
    c.line("define('IW_VERSION', '5.4.2');\ndefine('IW_CHARSET', 'utf-8');\n\n$iw = array();");
    c.line("$iw['mysql_host'] = 'localhost';\n$iw['mysql_user'] = 'infoway';\n$iw['mysql_password'] = 'changeme';\n$iw['mysql_db'] = 'infoway';\n");
    c.line("$iw['table_prefix'] = \"iw_\";");
    c.line("$iw['enterprise_table'] = $iw['table_prefix'] . \"enterprise\"; // 입점업체 (공통)");
    for t in TABLES {
        let _ = writeln!(
            c.text,
            "$iw['{}_table'] = $iw['table_prefix'] . \"{}\";",
            t.key, t.key
        );
    }
    c.line("");
    for k in CONST_TABLES {
        let _ = writeln!(
            c.text,
            "define('IW_{}_TABLE', 'iw_{}');",
            k.to_uppercase(),
            k
        );
    }
    out.push(("config.php".into(), c.text));

    let common = r#"<?php
/*
 * 공통 부트스트랩: 설정, DB 연결, 현재 업체(테넌트) 결정
 */
define('_INFOWAY_', true);
define('IW_PATH', dirname(__FILE__));

include_once(IW_PATH . '/config.php');
include_once(IW_PATH . '/lib/common.lib.php');

sql_connect($iw['mysql_host'], $iw['mysql_user'], $iw['mysql_password'], $iw['mysql_db']);
session_start();

// 서브도메인으로 업체를 찾는다.
$host = strtolower($_SERVER['HTTP_HOST']);
$subdomain = substr($host, 0, strpos($host, '.'));
$ep = sql_fetch(" select ep_code, ep_name, ep_status from {$iw['enterprise_table']} where ep_domain = '" . sql_escape_string($subdomain) . "' ");
if (!$ep['ep_code'] || $ep['ep_status'] != 'open') {
    header('HTTP/1.1 404 Not Found');
    die('존재하지 않는 상점입니다.');
}
$iw['store'] = $ep['ep_code'];
$iw['store_name'] = $ep['ep_name'];

$member = array('mb_id' => '', 'mb_level' => 1, 'mb_point' => 0);
$is_admin = '';
if (isset($_SESSION['ss_mb_id']) && $_SESSION['ss_mb_id']) {
    $ss_mb_id = sql_escape_string($_SESSION['ss_mb_id']);
    $member = sql_fetch(" select * from {$iw['member_table']} where mb_id = '{$ss_mb_id}' and ep_code = '{$iw['store']}' ");
    $is_admin = ($member['mb_level'] >= 10) ? 'manager' : '';
}
"#;
    out.push(("common.php".into(), common.to_string()));

    let lib = r#"<?php
if (!defined('_INFOWAY_')) exit;

function sql_connect($host, $user, $pass, $db)
{
    global $iw;
    $iw['link'] = mysqli_connect($host, $user, $pass, $db);
    if (!$iw['link']) {
        die('DB 접속 오류');
    }
    mysqli_set_charset($iw['link'], 'utf8mb4');
    return $iw['link'];
}

function sql_query($sql, $error = true)
{
    global $iw;
    $sql = trim($sql);
    $result = @mysqli_query($iw['link'], $sql);
    if (!$result && $error) {
        die("<p>$sql<p>" . mysqli_errno($iw['link']) . " : " . mysqli_error($iw['link']));
    }
    return $result;
}

function sql_fetch($sql, $error = true)
{
    $result = sql_query($sql, $error);
    return sql_fetch_array($result);
}

function sql_fetch_array($result)
{
    if (!$result) {
        return array();
    }
    return mysqli_fetch_assoc($result);
}

function sql_num_rows($result)
{
    return mysqli_num_rows($result);
}

function sql_insert_id()
{
    global $iw;
    return mysqli_insert_id($iw['link']);
}

function sql_escape_string($str)
{
    global $iw;
    return mysqli_real_escape_string($iw['link'], $str);
}

function alert($msg = '', $url = '')
{
    $msg = json_encode($msg, JSON_UNESCAPED_UNICODE);
    echo "<script>alert($msg);";
    echo $url ? "location.replace('" . addslashes($url) . "');" : "history.back();";
    echo "</script>";
    exit;
}

function goto_url($url)
{
    header('Location: ' . str_replace('&amp;', '&', $url));
    exit;
}

function get_paging($write_pages, $cur_page, $total_page, $url)
{
    $str = '';
    if ($cur_page > 1) {
        $str .= '<a href="' . $url . '1" class="pg_start">처음</a>';
    }
    $start_page = (((int)(($cur_page - 1) / $write_pages)) * $write_pages) + 1;
    $end_page = min($start_page + $write_pages - 1, $total_page);
    for ($k = $start_page; $k <= $end_page; $k++) {
        if ($cur_page != $k) {
            $str .= '<a href="' . $url . $k . '" class="pg_page">' . $k . '</a>';
        } else {
            $str .= '<strong class="pg_current">' . $k . '</strong>';
        }
    }
    return '<nav class="pg_wrap"><span class="pg">' . $str . '</span></nav>';
}

function check_store($ep)
{
    global $iw;
    if ($ep !== $iw['store']) {
        alert('다른 상점의 자료는 볼 수 없습니다.');
    }
}
"#;
    out.push(("lib/common.lib.php".into(), lib.to_string()));

    let head = r#"<?php
if (!defined('_INFOWAY_')) exit;
?>
<!doctype html>
<html lang="ko">
<head>
<meta charset="utf-8">
<title><?php echo htmlspecialchars($iw['store_name']); ?></title>
<link rel="stylesheet" href="/css/default.css">
</head>
<body>
<div id="hd">
    <h1 id="hd_h1"><?php echo htmlspecialchars($iw['store_name']); ?></h1>
    <ul class="hd_nav">
        <li><a href="/bbs/login.php">로그인</a></li>
        <li><a href="/shop/cart.php">장바구니</a></li>
        <li><a href="/shop/mypage/">마이페이지</a></li>
    </ul>
</div>
<div id="wrapper">
"#;
    out.push(("head.php".into(), head.to_string()));
}

/// Random HTML, the bulk of legacy pages.
fn html_block(rng: &mut Rng, s: &mut Src, var: &str, t: &Table) {
    let cls = words(rng, EN_WORDS, 1);
    match rng.below(4) {
        0 => {
            let _ = writeln!(s.text, "<div class=\"tbl_head01 tbl_wrap {cls}\">\n    <table>\n    <caption>{} {}</caption>\n    <thead>\n    <tr>", t.label, words(rng, KO_WORDS, 1));
            let n = rng.range(3, 8);
            for i in 0..n {
                let _ = writeln!(
                    s.text,
                    "        <th scope=\"col\">{}</th>",
                    words(rng, KO_WORDS, 1 + i % 2)
                );
            }
            s.line("    </tr>\n    </thead>\n    <tbody>");
            let _ = writeln!(s.text, "    <?php for ($i = 0; $row = sql_fetch_array(${var}); $i++) {{ ?>\n    <tr class=\"<?php echo $i % 2 ? 'bg1' : 'bg0'; ?>\">");
            for i in 0..n {
                let _ = writeln!(
                    s.text,
                    "        <td class=\"td_{}\"><?php echo htmlspecialchars($row['{}']); ?></td>",
                    words(rng, EN_WORDS, 1),
                    col(t, i)
                );
            }
            s.line("    </tr>\n    <?php } ?>");
            let _ = writeln!(s.text, "    <?php if ($i == 0) echo '<tr><td colspan=\"{n}\" class=\"empty_table\">자료가 없습니다.</td></tr>'; ?>\n    </tbody>\n    </table>\n</div>");
        }
        1 => {
            let _ = writeln!(s.text, "<form name=\"f{cls}\" id=\"f{cls}\" method=\"post\" action=\"./{}_update.php\" onsubmit=\"return f{cls}_submit(this);\">\n<input type=\"hidden\" name=\"token\" value=\"\">\n<div class=\"tbl_frm01 tbl_wrap\">\n    <table>\n    <tbody>", t.key);
            for i in 0..rng.range(3, 9) {
                let c = col(t, i);
                let _ = writeln!(s.text, "    <tr>\n        <th scope=\"row\"><label for=\"{c}\">{}</label></th>\n        <td><input type=\"text\" name=\"{c}\" value=\"<?php echo get_text(${var}['{c}']); ?>\" id=\"{c}\" class=\"frm_input\" size=\"{}\"></td>\n    </tr>", words(rng, KO_WORDS, 1), rng.range(10, 60));
            }
            let _ = writeln!(s.text, "    </tbody>\n    </table>\n</div>\n<div class=\"btn_confirm01 btn_confirm\">\n    <input type=\"submit\" value=\"{}\" class=\"btn_submit\" accesskey=\"s\">\n</div>\n</form>", words(rng, KO_WORDS, 1));
        }
        2 => {
            let _ = writeln!(s.text, "<script>\nfunction f{cls}_submit(f)\n{{\n    if (!confirm(\"{}하시겠습니까?\")) {{\n        return false;\n    }}\n    var chk = document.getElementsByName(\"chk[]\");\n    for (var i = 0; i < chk.length; i++) {{\n        if (chk[i].checked) return true;\n    }}\n    alert(\"{} 하나 이상 선택하세요.\");\n    return false;\n}}\n</script>", words(rng, KO_WORDS, 1), t.label);
        }
        _ => {
            let _ = writeln!(s.text, "<div class=\"local_ov01 local_ov\">\n    <span class=\"btn_ov01\"><span class=\"ov_txt\">{} </span><span class=\"ov_num\"> <?php echo number_format($total_count ?? 0); ?>건</span></span>\n</div>", words(rng, KO_WORDS, 2));
            let _ = writeln!(s.text, "<form id=\"fsearch\" name=\"fsearch\" class=\"local_sch01 local_sch\" method=\"get\">\n<select name=\"sfl\" id=\"sfl\">");
            for i in 0..rng.range(2, 5) {
                let _ = writeln!(s.text, "    <option value=\"{}\"<?php echo get_selected($sfl ?? '', \"{}\"); ?>>{}</option>", col(t, i), col(t, i), words(rng, KO_WORDS, 1));
            }
            s.line("</select>\n<input type=\"text\" name=\"stx\" value=\"<?php echo htmlspecialchars($stx ?? ''); ?>\" id=\"stx\" class=\"frm_input\">\n<input type=\"submit\" class=\"btn_submit\" value=\"검색\">\n</form>");
        }
    }
}

/// Counts of what a page's queries are meant to be, for the bounded share of unsafe ones.
fn unsafe_roll(rng: &mut Rng) -> bool {
    rng.pct(8)
}

/// A block of statements at top level of a page, querying `t`. `n` keeps variables unique.
fn php_query_block(rng: &mut Rng, s: &mut Src, t: &Table, n: usize) {
    let tbl = php_table_in_dq(rng, t);
    let st = php_store_in_dq(rng);
    let id = id_col(t);
    let bad = unsafe_roll(rng);
    let c0 = col(t, rng.below(8));
    let c1 = col(t, rng.below(8));
    match rng.below(13) {
        // gnuboard list: fragments, count, page
        0..=2 => {
            let _ = writeln!(s.text, "$sql_common = \" from {tbl} \";");
            if bad && rng.pct(50) {
                let _ = writeln!(s.text, "$sql_search = \" where (1) \";\nif ($is_admin != 'super') {{\n    $sql_search .= \" and ep_code = '{st}' \";\n}}");
            } else if bad {
                s.line("$sql_search = \" where (1) \";");
            } else {
                let _ = writeln!(s.text, "$sql_search = \" where ep_code = '{st}' \";");
            }
            let _ = writeln!(s.text, "if ($stx) {{\n    $sql_search .= \" and ( \";\n    switch ($sfl) {{\n        case '{id}':\n            $sql_search .= \" ({{$sfl}} = '{{$stx}}') \";\n            break;\n        default:\n            $sql_search .= \" ({{$sfl}} like '%{{$stx}}%') \";\n            break;\n    }}\n    $sql_search .= \" ) \";\n}}");
            if rng.pct(50) {
                let _ = writeln!(s.text, "if ($fr_date && $to_date) {{\n    $sql_search .= \" and {c0} between '{{$fr_date}} 00:00:00' and '{{$to_date}} 23:59:59' \";\n}}");
            }
            let _ = writeln!(s.text, "if (!$sst) {{\n    $sst = \"{id}\";\n    $sod = \"desc\";\n}}\n$sql_order = \" order by {{$sst}} {{$sod}} \";\n");
            s.line("$sql = \" select count(*) as cnt {$sql_common} {$sql_search} \";\n$row = sql_fetch($sql);\n$total_count = $row['cnt'];\n");
            s.line("$rows = 20;\n$total_page = ceil($total_count / $rows);\nif ($page < 1) $page = 1;\n$from_record = ($page - 1) * $rows;\n");
            let _ = writeln!(s.text, "$sql = \" select * {{$sql_common}} {{$sql_search}} {{$sql_order}} limit {{$from_record}}, {{$rows}} \";\n$result{n} = sql_query($sql);\n");
        }
        // single row view
        3 | 4 => {
            let _ = writeln!(
                s.text,
                "${id} = isset($_GET['{id}']) ? sql_escape_string($_GET['{id}']) : '';"
            );
            if bad {
                let _ = writeln!(
                    s.text,
                    "$view{n} = sql_fetch(\" select * from {tbl} where {id} = '${id}' \");"
                );
            } else {
                let _ = writeln!(s.text, "$view{n} = sql_fetch(\" select * from {tbl} where ep_code = '{st}' and {id} = '${id}' \");");
            }
            let _ = writeln!(
                s.text,
                "if (!$view{n}['{id}']) {{\n    alert('{} 자료가 존재하지 않습니다.');\n}}\n",
                t.label
            );
        }
        // sprintf
        5 => {
            let cols = format!("{id}, {c0}, {c1}");
            if bad {
                let _ = writeln!(s.text, "$sql = sprintf(\"select %s from %s where {c0} <> '' order by %s desc limit %d\", '{cols}', $iw['{}_table'], '{id}', 10);", t.key);
            } else {
                let _ = writeln!(s.text, "$sql = sprintf(\"select %s from %s where ep_code = '%s' and {c0} <> '' order by %s desc limit %d\", '{cols}', $iw['{}_table'], $iw['store'], '{id}', 10);", t.key);
            }
            let _ = writeln!(s.text, "$result{n} = sql_query($sql);\n$latest{n} = array();\nwhile ($row = sql_fetch_array($result{n})) {{\n    $latest{n}[] = $row;\n}}\n");
        }
        // concatenation
        6 => {
            if bad {
                let _ = writeln!(s.text, "$sql = \"select {id}, {c0} from \" . $iw['{}_table'] . \" where {c1} like '\" . $stx . \"%'\";", t.key);
            } else {
                let _ = writeln!(s.text, "$sql = \"select {id}, {c0} from \" . $iw['{}_table'] . \" where ep_code = '\" . $iw['store'] . \"'\";\nif ($stx) {{\n    $sql .= \" and {c1} like '\" . $stx . \"%'\";\n}}", t.key);
            }
            let _ = writeln!(
                s.text,
                "$sql .= \" order by {id} desc\";\n$result{n} = sql_query($sql);\n"
            );
        }
        // update / delete
        7 => {
            let _ = writeln!(
                s.text,
                "${id} = (int)$_POST['{id}'];\n${c0} = sql_escape_string(trim($_POST['{c0}']));"
            );
            let pred = if bad {
                String::new()
            } else {
                format!("ep_code = '{st}' and ")
            };
            if rng.pct(60) {
                let _ = writeln!(s.text, "$sql = \" update {tbl}\n            set {c0} = '${c0}',\n                {c1} = '{{$_POST['{c1}']}}'\n          where {pred}{id} = '${id}' \";\nsql_query($sql);\n");
            } else {
                let _ = writeln!(s.text, "if ($w == 'd') {{\n    sql_query(\" delete from {tbl} where {pred}{id} = '${id}' \");\n    goto_url('./{}_list.php');\n}}\n", t.key);
            }
        }
        // insert
        8 => {
            let _ = writeln!(s.text, "${c0} = sql_escape_string($_POST['{c0}']);\n${c1} = sql_escape_string($_POST['{c1}']);");
            if rng.pct(50) {
                let ep = if bad {
                    String::new()
                } else {
                    format!("ep_code = '{st}',\n                ")
                };
                let _ = writeln!(s.text, "$sql = \" insert into {tbl}\n            set {ep}{c0} = '${c0}',\n                {c1} = '${c1}',\n                {}_datetime = '\" . IW_TIME_YMDHIS . \"' \";\nsql_query($sql);\n${id} = sql_insert_id();\n", t.p);
            } else if bad {
                let _ = writeln!(
                    s.text,
                    "sql_query(\" insert into {tbl} ({c0}, {c1}) values ('${c0}', '${c1}') \");\n"
                );
            } else {
                let _ = writeln!(s.text, "sql_query(\" insert into {tbl} (ep_code, {c0}, {c1}) values ('{st}', '${c0}', '${c1}') \");\n");
            }
        }
        // join with the member table
        9 => {
            let m = &TABLES[0];
            let on = if bad {
                "a.mb_id = b.mb_id".to_string()
            } else {
                "a.mb_id = b.mb_id and b.ep_code = a.ep_code".to_string()
            };
            let _ = writeln!(s.text, "$sql = \" select a.*, b.mb_name, b.mb_nick\n           from {tbl} a\n           left join {{$iw['{}_table']}} b on ({on})\n          where a.ep_code = '{st}'\n          order by a.{id} desc\n          limit 0, 15 \";\n$result{n} = sql_query($sql);\n", m.key);
        }
        // subquery and heredoc
        10 => {
            let inner = if bad {
                "mb_level >= 2".to_string()
            } else {
                "ep_code = '{$iw['store']}' and mb_level >= 2".to_string()
            };
            let _ = writeln!(s.text, "$sql = <<<SQL\nselect {id}, {c0}, {c1}\n  from {{$iw['{}_table']}}\n where ep_code = '{{$iw['store']}}'\n   and mb_id in (select mb_id from {{$iw['member_table']}} where {inner})\n order by {id} desc\nSQL;\n$result{n} = sql_query($sql);\n", t.key);
        }
        // loop over tables
        11 => {
            let other = &TABLES[rng.below(TABLES.len())];
            let pred = if bad {
                ""
            } else {
                "ep_code = '{$iw['store']}' and "
            };
            let _ = writeln!(s.text, "$del_date = date('Y-m-d', strtotime('-' . (int)$config['cf_delete_days'] . ' days'));\nforeach (array('iw_{}', 'iw_{}') as $tmp_table) {{\n    sql_query(\" delete from {{$tmp_table}} where {pred}{c0} < '{{$del_date}}' \", false);\n}}\n", t.key, other.key);
        }
        // aggregate query in a loop
        _ => {
            let _ = writeln!(s.text, "$result{n} = sql_query(\" select {id}, {c0} from {tbl} where ep_code = '{st}' order by {id} desc limit 10 \");\n$sum{n} = 0;\nfor ($i = 0; $row = sql_fetch_array($result{n}); $i++) {{");
            let pred = if bad {
                String::new()
            } else {
                "ep_code = '{$iw['store']}' and ".to_string()
            };
            let _ = writeln!(s.text, "    $cnt = sql_fetch(\" select count(*) as cnt from {{$iw['comment_table']}} where {pred}co_parent = '{{$row['{id}']}}' \");\n    $sum{n} += (int)$cnt['cnt'];\n}}\n");
        }
    }
}

/// Request-value shapes: the host (TL003) and `?ep=` (TL004), mostly used safely.
fn php_request_block(rng: &mut Rng, s: &mut Src, n: usize) {
    let bad = rng.pct(30);
    match rng.below(4) {
        0 => {
            s.line("$req_host = strtolower($_SERVER['HTTP_HOST']);");
            if bad {
                let _ = writeln!(s.text, "$ep_row{n} = sql_fetch(\" select ep_code, ep_name from {{$iw['enterprise_table']}} where ep_domain = '$req_host' \");");
            } else {
                let _ = writeln!(s.text, "$ep_row{n} = sql_fetch(\" select ep_code, ep_name from {{$iw['enterprise_table']}} where ep_domain = '\" . sql_escape_string($req_host) . \"' \");");
            }
            let _ = writeln!(
                s.text,
                "$canonical = 'https://' . $req_host . $_SERVER['REQUEST_URI'];\n"
            );
        }
        1 => {
            s.line("$ep = isset($_GET['ep']) ? trim($_GET['ep']) : $iw['store'];");
            if !bad {
                s.line("if ($ep !== $iw['store']) {\n    alert('잘못된 접근입니다.');\n}");
            }
            let _ = writeln!(s.text, "$cfg{n} = sql_fetch(\" select * from {{$iw['member_table']}} where ep_code = '\" . sql_escape_string($ep) . \"' and mb_level = '10' limit 1 \");\n");
        }
        2 => {
            s.line("$target_ep = trim($_POST['ep'] ?? '');");
            if bad {
                s.line("$_SESSION['ss_ep'] = $target_ep;\n");
            } else {
                s.line("check_store($target_ep);\n$_SESSION['ss_ep'] = $target_ep;\n");
            }
        }
        _ => {
            s.line("$server_name = $_SERVER['SERVER_NAME'];");
            s.line("$mail_from = 'noreply@' . preg_replace('/^www\\./', '', $server_name);\n");
        }
    }
}

fn php_rel_common(depth: usize) -> String {
    if depth == 0 {
        "'./common.php'".to_string()
    } else {
        format!("'{}common.php'", "../".repeat(depth))
    }
}

fn php_page(rng: &mut Rng, area: &str, target: usize) -> String {
    let mut s = Src::new();
    let depth = area.split('/').count();
    s.line("<?php");
    if area.starts_with("adm") {
        let _ = writeln!(s.text, "$sub_menu = \"{}\";", rng.range(100100, 900900));
    }
    let _ = writeln!(s.text, "include_once({});", php_rel_common(depth));
    if area.starts_with("adm") {
        s.line("\nif (!$is_admin) {\n    alert('관리자만 접근 가능합니다.');\n}\n");
    }
    s.line("$store = $iw['store'];\n$sfl = isset($_GET['sfl']) ? preg_replace('/[^a-z0-9_]/i', '', $_GET['sfl']) : '';\n$stx = isset($_GET['stx']) ? sql_escape_string(trim($_GET['stx'])) : '';\n$sst = isset($_GET['sst']) ? preg_replace('/[^a-z0-9_]/i', '', $_GET['sst']) : '';\n$sod = (isset($_GET['sod']) && $_GET['sod'] == 'asc') ? 'asc' : 'desc';\n$page = isset($_GET['page']) ? (int)$_GET['page'] : 1;\n$fr_date = isset($_GET['fr_date']) ? preg_replace('/[^0-9-]/', '', $_GET['fr_date']) : '';\n$to_date = isset($_GET['to_date']) ? preg_replace('/[^0-9-]/', '', $_GET['to_date']) : '';\n$w = isset($_REQUEST['w']) ? $_REQUEST['w'] : '';\n");
    let t = &TABLES[rng.below(TABLES.len())];
    let mut n = 0;
    let blocks = rng.range(1, 4);
    for _ in 0..blocks {
        let tt = if rng.pct(60) {
            t
        } else {
            &TABLES[rng.below(TABLES.len())]
        };
        php_query_block(rng, &mut s, tt, n);
        n += 1;
    }
    if rng.pct(25) {
        php_request_block(rng, &mut s, n);
    }
    let _ = writeln!(
        s.text,
        "$iw['title'] = '{} {}';\ninclude_once(IW_PATH . '/head.php');\n?>",
        t.label,
        words(rng, KO_WORDS, 1)
    );
    let mut k = 0;
    while s.len() < target {
        let var = if n > 0 && rng.pct(40) {
            format!("result{}", rng.below(n))
        } else {
            "view0".to_string()
        };
        html_block(rng, &mut s, &var, t);
        k += 1;
        if k % 3 == 0 && s.len() < target {
            s.line("<?php");
            php_query_block(rng, &mut s, t, n);
            n += 1;
            s.line("?>");
        }
    }
    s.line("<?php\nif ($total_page ?? 0) {\n    echo get_paging(10, $page, $total_page, $_SERVER['SCRIPT_NAME'] . '?' . $qstr . '&amp;page=');\n}\n?>\n</div>\n</body>\n</html>");
    s.text
}

/// A library file of functions; some with SQL, using `global $iw`.
fn php_lib(rng: &mut Rng, idx: usize, target: usize) -> String {
    let mut s = Src::new();
    s.line("<?php\nif (!defined('_INFOWAY_')) exit; // 개별 페이지 접근 불가\n");
    let mut f = 0;
    while s.len() < target {
        let t = &TABLES[rng.below(TABLES.len())];
        let id = id_col(t);
        let c0 = col(t, rng.below(8));
        let tbl = php_table_in_dq(rng, t);
        let bad = unsafe_roll(rng);
        let name = format!(
            "{}_{}_{idx}_{f}",
            rng.pick(&["get", "count", "load", "find", "sum"]),
            t.key
        );
        let _ = writeln!(
            s.text,
            "// {} {}\nfunction {name}(${id}, $limit = 10)\n{{\n    global $iw;\n",
            t.label,
            words(rng, KO_WORDS, 2)
        );
        match rng.below(4) {
            0 => {
                let pred = if bad {
                    String::new()
                } else {
                    "ep_code = '{$iw['store']}' and ".to_string()
                };
                let _ = writeln!(s.text, "    ${id} = sql_escape_string(${id});\n    $row = sql_fetch(\" select count(*) as cnt from {tbl} where {pred}{id} = '${id}' \");\n    return (int)$row['cnt'];\n}}\n");
            }
            1 => {
                let _ = writeln!(s.text, "    $sql = \" select {id}, {c0} from {tbl} where ep_code = '{{$iw['store']}}' \";\n    if (${id}) {{\n        $sql .= \" and {id} = '\" . sql_escape_string(${id}) . \"' \";\n    }}\n    $sql .= \" order by {id} desc limit \" . (int)$limit;\n    $list = array();\n    $result = sql_query($sql);\n    while ($row = sql_fetch_array($result)) {{\n        $list[] = $row;\n    }}\n    return $list;\n}}\n");
            }
            2 => {
                let ep = if bad {
                    ""
                } else {
                    "ep_code = '{$iw['store']}', "
                };
                let _ = writeln!(s.text, "    sql_query(\" update {tbl} set {c0} = {c0} + 1 where ep_code = '{{$iw['store']}}' and {id} = '\" . (int)${id} . \"' \");\n    sql_query(\" insert into {{$iw['point_table']}} set {ep}mb_id = '\" . sql_escape_string(${id}) . \"', po_point = '\" . (int)$limit . \"', po_datetime = now() \");\n    return true;\n}}\n");
            }
            _ => {
                let _ = writeln!(s.text, "    $str = trim((string)${id});\n    if (mb_strlen($str, 'UTF-8') > $limit) {{\n        $str = mb_substr($str, 0, $limit, 'UTF-8') . '…';\n    }}\n    return htmlspecialchars($str, ENT_QUOTES, 'UTF-8');\n}}\n");
            }
        }
        f += 1;
    }
    s.text
}

/// Helpers with no SQL at all.
fn php_helpers(rng: &mut Rng, idx: usize, target: usize) -> String {
    let mut s = Src::new();
    s.line("<?php\nif (!defined('_INFOWAY_')) exit;\n");
    let mut f = 0;
    while s.len() < target {
        let w = words(rng, EN_WORDS, 1);
        match rng.below(4) {
            0 => {
                let _ = writeln!(s.text, "// 문자열 자르기\nfunction cut_{w}_{idx}_{f}($str, $len, $suffix = '…')\n{{\n    $arr_str = preg_split('//u', $str, -1, PREG_SPLIT_NO_EMPTY);\n    if (count($arr_str) <= $len) {{\n        return $str;\n    }}\n    return implode('', array_slice($arr_str, 0, $len)) . $suffix;\n}}\n");
            }
            1 => {
                let _ = writeln!(s.text, "// 날짜 형식\nfunction date_{w}_{idx}_{f}($datetime, $format = 'Y-m-d')\n{{\n    if (!$datetime || $datetime == '0000-00-00 00:00:00') {{\n        return '';\n    }}\n    $time = strtotime($datetime);\n    if (date('Y-m-d', $time) == date('Y-m-d')) {{\n        return date('H:i', $time);\n    }}\n    return date($format, $time);\n}}\n");
            }
            2 => {
                let _ = writeln!(s.text, "// 선택 옵션\nfunction option_{w}_{idx}_{f}($options, $selected = '')\n{{\n    $str = '';\n    foreach ($options as $key => $label) {{\n        $str .= '<option value=\"' . htmlspecialchars($key) . '\"' . ($key == $selected ? ' selected' : '') . '>' . htmlspecialchars($label) . '</option>' . PHP_EOL;\n    }}\n    return $str;\n}}\n");
            }
            _ => {
                let _ = writeln!(s.text, "class {}Helper{idx}_{f}\n{{\n    private $items = array();\n\n    public function add($key, $value)\n    {{\n        $this->items[$key] = $value;\n        return $this;\n    }}\n\n    public function toJson()\n    {{\n        return json_encode($this->items, JSON_UNESCAPED_UNICODE);\n    }}\n\n    public static function money($n)\n    {{\n        return number_format((int)$n) . '원';\n    }}\n}}\n", capitalize(&w));
            }
        }
        f += 1;
    }
    s.text
}

fn capitalize(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// A class whose methods query through `global $iw`.
fn php_class(rng: &mut Rng, idx: usize, target: usize) -> String {
    let mut s = Src::new();
    let t = &TABLES[rng.below(TABLES.len())];
    let id = id_col(t);
    let cls = format!("{}Repository{idx}", capitalize(t.key));
    let _ = writeln!(s.text, "<?php\nif (!defined('_INFOWAY_')) exit;\n\n/**\n * {} 저장소\n */\nclass {cls}\n{{\n    private $store;\n\n    public function __construct()\n    {{\n        global $iw;\n        $this->store = $iw['store'];\n    }}\n", t.label);
    let mut m = 0;
    while s.len() < target {
        let c0 = col(t, rng.below(8));
        let bad = unsafe_roll(rng);
        let pred = if bad {
            String::new()
        } else {
            "ep_code = '{$this->store}' and ".to_string()
        };
        match rng.below(3) {
            0 => {
                let _ = writeln!(s.text, "    public function find{m}(${id})\n    {{\n        global $iw;\n        ${id} = sql_escape_string(${id});\n        return sql_fetch(\" select * from {{$iw['{}_table']}} where {pred}{id} = '${id}' \");\n    }}\n", t.key);
            }
            1 => {
                let _ = writeln!(s.text, "    public function list{m}($page = 1, $rows = 20)\n    {{\n        global $iw;\n        $from = ((int)$page - 1) * (int)$rows;\n        $sql = \" select {id}, {c0} from {{$iw['{}_table']}} where ep_code = '{{$this->store}}' \";\n        $sql .= \" order by {id} desc limit {{$from}}, \" . (int)$rows;\n        $list = array();\n        $result = sql_query($sql);\n        while ($row = sql_fetch_array($result)) {{\n            $list[] = $row;\n        }}\n        return $list;\n    }}\n", t.key);
            }
            _ => {
                let _ = writeln!(s.text, "    public function update{m}(${id}, ${c0})\n    {{\n        global $iw;\n        ${c0} = sql_escape_string(${c0});\n        sql_query(\" update {{$iw['{}_table']}} set {c0} = '${c0}' where {pred}{id} = '\" . (int)${id} . \"' \");\n        return $this->find0(${id});\n    }}\n", t.key);
            }
        }
        m += 1;
    }
    if m == 0 || !s.text.contains("function find0") {
        let _ = writeln!(s.text, "    public function find0(${id})\n    {{\n        global $iw;\n        return sql_fetch(\" select * from {{$iw['{}_table']}} where ep_code = '{{$this->store}}' and {id} = '\" . sql_escape_string(${id}) . \"' \");\n    }}", t.key);
    }
    s.line("}");
    s.text
}

/// A skin file: HTML with echoes, no SQL.
fn php_template(rng: &mut Rng, target: usize) -> String {
    let mut s = Src::new();
    let t = &TABLES[rng.below(TABLES.len())];
    s.line("<?php\nif (!defined('_INFOWAY_')) exit; // 개별 페이지 접근 불가\n\nadd_stylesheet('<link rel=\"stylesheet\" href=\"' . $board_skin_url . '/style.css\">', 0);\n?>");
    let _ = writeln!(s.text, "<h2 id=\"container_title\">{}<span class=\"sound_only\"> 목록</span></h2>\n<div id=\"bo_list\" style=\"width:<?php echo $width; ?>\">", t.label);
    while s.len() < target {
        match rng.below(3) {
            0 => {
                let _ = writeln!(s.text, "    <ul class=\"{}_list\">\n    <?php for ($i = 0; $i < count($list); $i++) {{ ?>\n        <li class=\"<?php echo $list[$i]['is_notice'] ? 'bo_notice' : ''; ?>\">\n            <a href=\"<?php echo $list[$i]['href']; ?>\"><?php echo $list[$i]['subject']; ?></a>\n            <span class=\"{}\"><?php echo $list[$i]['{}']; ?></span>\n            <?php if ($list[$i]['comment_cnt']) {{ ?><span class=\"cnt_cmt\"><?php echo $list[$i]['comment_cnt']; ?></span><?php }} ?>\n        </li>\n    <?php }} ?>\n    <?php if (count($list) == 0) {{ echo '<li class=\"empty_list\">게시물이 없습니다.</li>'; }} ?>\n    </ul>", words(rng, EN_WORDS, 1), words(rng, EN_WORDS, 1), col(t, rng.below(8)));
            }
            1 => {
                let _ = writeln!(s.text, "    <div class=\"bo_fx\">\n        <?php if ($write_href) {{ ?><a href=\"<?php echo $write_href; ?>\" class=\"btn_b02\">{}</a><?php }} ?>\n        <?php if ($admin_href) {{ ?><a href=\"<?php echo $admin_href; ?>\" class=\"btn_admin\">관리자</a><?php }} ?>\n    </div>", words(rng, KO_WORDS, 1));
            }
            _ => {
                let nwords = rng.range(4, 14);
                let _ = writeln!(
                    s.text,
                    "    <!-- {} -->\n    <p class=\"{}\">{}</p>\n    <?php echo $write_pages; ?>",
                    words(rng, EN_WORDS, 3),
                    words(rng, EN_WORDS, 1),
                    words(rng, KO_WORDS, nwords)
                );
            }
        }
    }
    s.line("</div>");
    s.text
}

/// An extension configuration: table names and constants, no queries.
fn php_config(rng: &mut Rng, idx: usize) -> String {
    let mut s = Src::new();
    s.line("<?php\nif (!defined('_INFOWAY_')) exit;\n");
    let _ = writeln!(s.text, "// 확장 설정 {idx}");
    for k in 0..rng.range(3, 12) {
        let name = format!("ext{idx}_{}", words(rng, EN_WORDS, 1));
        match rng.below(3) {
            0 => {
                let _ = writeln!(s.text, "$iw['{name}_{k}_table'] = 'iw_{name}_{k}';");
            }
            1 => {
                let _ = writeln!(
                    s.text,
                    "define('IW_{}_{k}_DIR', '{}');",
                    name.to_uppercase(),
                    name
                );
            }
            _ => {
                let _ = writeln!(s.text, "$iw['{name}_{k}_use'] = {};", rng.below(2));
            }
        }
    }
    s.text
}

/// An ajax endpoint: JSON out, with request-value shapes.
fn php_ajax(rng: &mut Rng, target: usize) -> String {
    let mut s = Src::new();
    s.line("<?php\ninclude_once('../common.php');\n\nheader('Content-Type: application/json; charset=utf-8');\n$stx = isset($_GET['stx']) ? sql_escape_string(trim($_GET['stx'])) : '';\n$sfl = '';\n$sst = '';\n$sod = 'desc';\n$page = 1;\n$fr_date = '';\n$to_date = '';\n$w = '';\n$store = $iw['store'];\n");
    let mut n = 0;
    php_request_block(rng, &mut s, n);
    while s.len() < target {
        let t = &TABLES[rng.below(TABLES.len())];
        php_query_block(rng, &mut s, t, n);
        n += 1;
        if rng.pct(30) {
            php_request_block(rng, &mut s, n);
        }
    }
    s.line("echo json_encode(array('result' => true, 'store' => $iw['store']), JSON_UNESCAPED_UNICODE);");
    s.text
}

// ------------------------------------------------------------------------------------------
// Rust
// ------------------------------------------------------------------------------------------

const RUST_CRATES: &[&str] = &[
    "order_api",
    "member_api",
    "board_api",
    "billing",
    "notify",
    "admin_api",
];

fn rust_struct(rng: &mut Rng, s: &mut Src, t: &Table, name: &str) {
    let _ = writeln!(s.text, "#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow)]\npub struct {name} {{\n    pub {}: i64,", id_col(t));
    for i in 0..rng.range(2, t.cols.len()) {
        let ty = rng.pick(&["String", "i64", "Option<String>", "i32"]);
        let _ = writeln!(s.text, "    pub {}: {ty},", col(t, i));
    }
    s.line("}\n");
}

fn rust_handler(rng: &mut Rng, s: &mut Src, t: &Table, n: usize) {
    let id = id_col(t);
    let c0 = col(t, rng.below(8));
    let c1 = col(t, rng.below(8));
    let row = format!("{}Row", capitalize(t.key));
    let bad = unsafe_roll(rng);
    let tbl = format!("iw_{}", t.key);
    match rng.below(8) {
        0 => {
            let pred = if bad { "" } else { "ep_code = $1 AND " };
            let (first, second) = if bad {
                ("id", "")
            } else {
                ("store.ep_code", "\n        id,")
            };
            let _ = writeln!(s.text, "/// One {label} of the current store.\npub async fn get_{key}_{n}(\n    State(pool): State<PgPool>,\n    Extension(store): Extension<Store>,\n    Path(id): Path<i64>,\n) -> Result<Json<{row}>, StatusCode> {{\n    let row = sqlx::query_as!(\n        {row},\n        \"SELECT {id}, {c0}, {c1} FROM {tbl} WHERE {pred}{id} = ${}\",\n        {first},{second}\n    )\n    .fetch_optional(&pool)\n    .await\n    .map_err(internal)?\n    .ok_or(StatusCode::NOT_FOUND)?;\n    Ok(Json(row))\n}}\n", if bad { 1 } else { 2 }, label = t.label, key = t.key);
        }
        1 => {
            let _ = writeln!(s.text, "#[derive(Deserialize)]\npub struct Search{n} {{\n    pub q: Option<String>,\n    pub page: Option<i64>,\n}}\n\npub async fn search_{key}_{n}(\n    State(pool): State<PgPool>,\n    Extension(store): Extension<Store>,\n    Query(params): Query<Search{n}>,\n) -> Result<Json<Vec<{row}>>, StatusCode> {{\n    let mut qb = QueryBuilder::<Postgres>::new(\"SELECT {id}, {c0}, {c1} FROM {tbl} WHERE \");", key = t.key);
            if bad {
                s.line("    qb.push(\"1 = 1\");");
            } else {
                s.line("    qb.push(\"ep_code = \");\n    qb.push_bind(store.ep_code.clone());");
            }
            let _ = writeln!(s.text, "    if let Some(q) = params.q.as_deref().filter(|q| !q.is_empty()) {{\n        qb.push(\" AND {c0} ILIKE \");\n        qb.push_bind(format!(\"%{{q}}%\"));\n    }}\n    let page = params.page.unwrap_or(1).max(1);\n    qb.push(\" ORDER BY {id} DESC LIMIT 20 OFFSET \");\n    qb.push_bind((page - 1) * 20);\n    let rows = qb\n        .build_query_as::<{row}>()\n        .fetch_all(&pool)\n        .await\n        .map_err(internal)?;\n    Ok(Json(rows))\n}}\n");
        }
        2 => {
            let cols = if bad {
                format!("{c0}, {c1}")
            } else {
                format!("ep_code, {c0}, {c1}")
            };
            let vals = if bad { "$1, $2" } else { "$1, $2, $3" };
            let store_bind = if bad {
                ""
            } else {
                "\n        .bind(&store.ep_code)"
            };
            let _ = writeln!(s.text, "pub async fn create_{key}_{n}(\n    State(pool): State<PgPool>,\n    Extension(store): Extension<Store>,\n    Json(new): Json<{row}>,\n) -> Result<StatusCode, StatusCode> {{\n    let _ = &store;\n    sqlx::query(\"INSERT INTO {tbl} ({cols}) VALUES ({vals})\"){store_bind}\n        .bind(&new.{id})\n        .bind(&new.{id})\n        .execute(&pool)\n        .await\n        .map_err(internal)?;\n    Ok(StatusCode::CREATED)\n}}\n", key = t.key);
        }
        3 => {
            let order = rng.pick(&["DESC", "ASC"]);
            let pred = if bad {
                String::new()
            } else {
                "ep_code = $1 AND ".to_string()
            };
            let _ = writeln!(s.text, "pub async fn recent_{key}_{n}(\n    State(pool): State<PgPool>,\n    Extension(store): Extension<Store>,\n) -> Result<Json<Vec<{row}>>, StatusCode> {{\n    let columns = \"{id}, {c0}, {c1}\";\n    let order = \"{order}\";\n    let sql = format!(\n        \"SELECT {{columns}} FROM {tbl} WHERE {pred}{c0} IS NOT NULL ORDER BY {id} {{order}} LIMIT 50\"\n    );\n    let rows = sqlx::query_as::<_, {row}>(&sql)\n        .bind(&store.ep_code)\n        .fetch_all(&pool)\n        .await\n        .map_err(internal)?;\n    Ok(Json(rows))\n}}\n", key = t.key);
        }
        4 => {
            // The tenant id from the URL.
            let check = if bad {
                ""
            } else {
                "    if ep != store.ep_code {\n        return Err(StatusCode::FORBIDDEN);\n    }\n"
            };
            let _ = writeln!(s.text, "pub async fn store_{key}_{n}(\n    State(pool): State<PgPool>,\n    Extension(store): Extension<Store>,\n    Path(ep): Path<String>,\n) -> Result<Json<Vec<{row}>>, StatusCode> {{\n{check}    let rows = sqlx::query_as::<_, {row}>(\"SELECT {id}, {c0}, {c1} FROM {tbl} WHERE ep_code = $1\")\n        .bind(&ep)\n        .fetch_all(&pool)\n        .await\n        .map_err(internal)?;\n    Ok(Json(rows))\n}}\n", key = t.key);
        }
        5 => {
            // The host header.
            let lookup = if bad {
                "    let sql = format!(\"SELECT ep_code FROM iw_enterprise WHERE ep_domain = '{host}'\");\n    let ep_code: String = sqlx::query_scalar(&sql)".to_string()
            } else {
                "    let ep_code: String = sqlx::query_scalar(\"SELECT ep_code FROM iw_enterprise WHERE ep_domain = $1\")\n        .bind(&host)".to_string()
            };
            let _ = writeln!(s.text, "pub async fn by_host_{key}_{n}(\n    State(pool): State<PgPool>,\n    Host(host): Host,\n) -> Result<Json<i64>, StatusCode> {{\n{lookup}\n        .fetch_one(&pool)\n        .await\n        .map_err(|_| StatusCode::NOT_FOUND)?;\n    let count: i64 = sqlx::query_scalar(\"SELECT count(*) FROM {tbl} WHERE ep_code = $1\")\n        .bind(&ep_code)\n        .fetch_one(&pool)\n        .await\n        .map_err(internal)?;\n    Ok(Json(count))\n}}\n", key = t.key);
        }
        6 => {
            let pred = if bad { "" } else { " AND ep_code = $2" };
            let extra = if bad {
                ""
            } else {
                "\n        .bind(&store.ep_code)"
            };
            let _ = writeln!(s.text, "pub async fn delete_{key}_{n}(\n    State(pool): State<PgPool>,\n    Extension(store): Extension<Store>,\n    Path(id): Path<i64>,\n) -> Result<StatusCode, StatusCode> {{\n    let done = sqlx::query(\"DELETE FROM {tbl} WHERE {id} = $1{pred}\")\n        .bind(id){extra}\n        .execute(&pool)\n        .await\n        .map_err(internal)?;\n    if done.rows_affected() == 0 {{\n        return Err(StatusCode::NOT_FOUND);\n    }}\n    Ok(StatusCode::NO_CONTENT)\n}}\n", key = t.key);
        }
        _ => {
            let pred = if bad { "" } else { "o.ep_code = $1 AND " };
            let _ = writeln!(s.text, "pub async fn stats_{key}_{n}(\n    State(pool): State<PgPool>,\n    Extension(store): Extension<Store>,\n) -> Result<Json<Vec<(String, i64)>>, StatusCode> {{\n    let mut sql = String::from(\n        \"SELECT m.mb_name, count(*) FROM {tbl} o JOIN iw_member m ON m.mb_id = o.mb_id AND m.ep_code = o.ep_code\",\n    );\n    sql.push_str(\" WHERE {pred}o.{c0} IS NOT NULL\");\n    sql.push_str(\" GROUP BY m.mb_name ORDER BY 2 DESC\");\n    let rows = sqlx::query_as::<_, (String, i64)>(&sql)\n        .bind(&store.ep_code)\n        .fetch_all(&pool)\n        .await\n        .map_err(internal)?;\n    Ok(Json(rows))\n}}\n", key = t.key);
        }
    }
}

fn rust_handlers(rng: &mut Rng, target: usize) -> String {
    let mut s = Src::new();
    let t = &TABLES[rng.below(TABLES.len())];
    let _ = writeln!(s.text, "//! Handlers for the {} of the current store.\n\nuse axum::extract::{{Host, Path, Query, State}};\nuse axum::http::StatusCode;\nuse axum::{{Extension, Json}};\nuse serde::{{Deserialize, Serialize}};\nuse sqlx::{{PgPool, Postgres, QueryBuilder}};\n\nuse crate::store::Store;\n\nfn internal(e: sqlx::Error) -> StatusCode {{\n    tracing::error!(error = %e, \"database error\");\n    StatusCode::INTERNAL_SERVER_ERROR\n}}\n", t.key);
    rust_struct(rng, &mut s, t, &format!("{}Row", capitalize(t.key)));
    let mut n = 0;
    while s.len() < target {
        rust_handler(rng, &mut s, t, n);
        n += 1;
    }
    s.text
}

fn rust_repo(rng: &mut Rng, target: usize) -> String {
    let mut s = Src::new();
    let t = &TABLES[rng.below(TABLES.len())];
    let id = id_col(t);
    let _ = writeln!(s.text, "//! Storage of {} rows; every function takes the store it works for.\n\nuse sqlx::PgPool;\n\npub type DbResult<T> = Result<T, sqlx::Error>;\n", t.key);
    let mut n = 0;
    while s.len() < target {
        let c0 = col(t, rng.below(8));
        let bad = unsafe_roll(rng);
        match rng.below(3) {
            0 => {
                let pred = if bad { "" } else { " AND ep_code = $2" };
                let _ = writeln!(s.text, "pub async fn count_{n}(pool: &PgPool, ep_code: &str, value: &str) -> DbResult<i64> {{\n    let _ = ep_code;\n    sqlx::query_scalar(\"SELECT count(*) FROM iw_{} WHERE {c0} = $1{pred}\")\n        .bind(value)\n        .bind(ep_code)\n        .fetch_one(pool)\n        .await\n}}\n", t.key);
            }
            1 => {
                let cond = if bad { "if !ep_code.is_empty() " } else { "" };
                let _ = writeln!(s.text, "pub async fn touch_{n}(pool: &PgPool, ep_code: &str, id: i64) -> DbResult<u64> {{\n    let mut sql = String::from(\"UPDATE iw_{} SET {c0} = {c0} WHERE {id} = $1\");\n    {cond}{{\n        sql.push_str(\" AND ep_code = $2\");\n    }}\n    let done = sqlx::query(&sql).bind(id).bind(ep_code).execute(pool).await?;\n    Ok(done.rows_affected())\n}}\n", t.key);
            }
            _ => {
                let _ = writeln!(s.text, "pub async fn ids_{n}(pool: &PgPool, ep_code: &str) -> DbResult<Vec<i64>> {{\n    sqlx::query_scalar!(\"SELECT {id} FROM iw_{} WHERE ep_code = $1 ORDER BY {id}\", ep_code)\n        .fetch_all(pool)\n        .await\n}}\n", t.key);
            }
        }
        n += 1;
    }
    s.text
}

fn rust_plain(rng: &mut Rng, target: usize) -> String {
    let mut s = Src::new();
    s.line("//! Small helpers with no database access.\n\nuse std::collections::BTreeMap;\n");
    let mut n = 0;
    while s.len() < target {
        let w = words(rng, EN_WORDS, 1);
        match rng.below(3) {
            0 => {
                let t = &TABLES[rng.below(TABLES.len())];
                rust_struct(
                    rng,
                    &mut s,
                    t,
                    &format!("{}{}{n}", capitalize(&w), capitalize(t.key)),
                );
            }
            1 => {
                let _ = writeln!(s.text, "/// Truncates `s` to at most `max` characters.\npub fn truncate_{w}_{n}(s: &str, max: usize) -> String {{\n    match s.char_indices().nth(max) {{\n        Some((i, _)) => format!(\"{{}}…\", &s[..i]),\n        None => s.to_string(),\n    }}\n}}\n");
            }
            _ => {
                let _ = writeln!(s.text, "/// Counts words.\npub fn histogram_{w}_{n}(text: &str) -> BTreeMap<String, usize> {{\n    let mut counts = BTreeMap::new();\n    for word in text.split_whitespace() {{\n        *counts.entry(word.to_lowercase()).or_insert(0) += 1;\n    }}\n    counts\n}}\n\n#[cfg(test)]\nmod tests_{n} {{\n    #[test]\n    fn counts_words() {{\n        let h = super::histogram_{w}_{n}(\"a b a\");\n        assert_eq!(h[\"a\"], 2);\n    }}\n}}\n");
            }
        }
        n += 1;
    }
    s.text
}

fn rust_store() -> String {
    "//! The store (tenant) a request is for, resolved by middleware from the subdomain.\n\n#[derive(Debug, Clone)]\npub struct Store {\n    pub ep_code: String,\n    pub ep_name: String,\n}\n".to_string()
}

// ------------------------------------------------------------------------------------------
// The corpus
// ------------------------------------------------------------------------------------------

const CONFIG: &str = r#"# Synthetic multi-tenant corpus (generated).
[tenant]
column = "ep_code"
tables = ["iw_*"]
exempt = ["iw_enterprise"]
"#;

/// One file of the corpus: its path relative to the root and its text.
fn corpus_file(seed: u64, i: usize, fixed: usize) -> (PathBuf, String) {
    let mut rng = Rng::new(seed ^ (i as u64).wrapping_mul(0xA24B_AED4_963E_E407));
    // warm the stream so neighbouring indexes diverge
    rng.next_u64();
    let size = |rng: &mut Rng| -> usize {
        // mostly 3–10 KB, up to 20 KB
        if rng.pct(75) {
            rng.range(2_500, 10_000)
        } else {
            rng.range(10_000, 19_000)
        }
    };
    let k = i - fixed;
    // about 15% Rust, counting each crate's `store.rs`
    if rng.pct(10) {
        let krate = RUST_CRATES[(k / 7) % RUST_CRATES.len()];
        let group = k / 40;
        let root = format!("services/{krate}{group}/src");
        let roll = rng.below(100);
        let target = size(&mut rng).min(14_000);
        let (dir, name, text) = if roll < 45 {
            (
                "handlers",
                format!("{}_{k}.rs", rng.pick(ENTITY_WORDS)),
                rust_handlers(&mut rng, target),
            )
        } else if roll < 70 {
            (
                "db",
                format!("{}_repo_{k}.rs", rng.pick(ENTITY_WORDS)),
                rust_repo(&mut rng, target),
            )
        } else if roll < 85 {
            (
                "model",
                format!("{}_{k}.rs", rng.pick(ENTITY_WORDS)),
                rust_plain(&mut rng, target / 2),
            )
        } else if roll < 95 {
            (
                "util",
                format!("{}_{k}.rs", rng.pick(EN_WORDS)),
                rust_plain(&mut rng, target / 2),
            )
        } else {
            ("", format!("store_{k}.rs"), rust_store())
        };
        let path = if dir.is_empty() {
            format!("{root}/{name}")
        } else {
            format!("{root}/{dir}/{name}")
        };
        return (path.into(), text);
    }
    let roll = rng.below(100);
    let target = size(&mut rng);
    let area = rng.pick(PHP_AREAS);
    let base = format!(
        "{}_{}_{k:05}",
        rng.pick(ENTITY_WORDS),
        rng.pick(ACTION_WORDS)
    );
    let (path, text) = if roll < 45 {
        (
            format!("{area}/{base}.php"),
            php_page(&mut rng, area, target),
        )
    } else if roll < 55 {
        (
            format!("lib/{}_{k:05}.lib.php", rng.pick(ENTITY_WORDS)),
            php_lib(&mut rng, k, target),
        )
    } else if roll < 62 {
        (
            format!("lib/helper/{}_{k:05}.php", rng.pick(EN_WORDS)),
            php_helpers(&mut rng, k, target / 2),
        )
    } else if roll < 69 {
        (
            format!("lib/class/{}_{k:05}.class.php", rng.pick(ENTITY_WORDS)),
            php_class(&mut rng, k, target),
        )
    } else if roll < 82 {
        let skin = rng.pick(&["basic", "gallery", "webzine", "faq", "qa"]);
        (
            format!(
                "skin/board/{skin}/{}_{k:05}.skin.php",
                rng.pick(ACTION_WORDS)
            ),
            php_template(&mut rng, target),
        )
    } else if roll < 86 {
        (
            format!("extend/{}_{k:05}.extend.php", rng.pick(EN_WORDS)),
            php_config(&mut rng, k),
        )
    } else {
        (
            format!("ajax/{base}.php"),
            php_ajax(&mut rng, target.min(9_000)),
        )
    };
    (path.into(), text)
}

fn write_file(dir: &Path, rel: &Path, text: &str, written: &mut Written) -> io::Result<()> {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(&path, text)?;
    if rel.extension().is_some_and(|e| e == "rs") {
        written.rust += 1;
    } else {
        written.php += 1;
    }
    written.bytes += text.len() as u64;
    Ok(())
}

/// Writes a corpus of `files` source files into `dir` (created if needed) with a
/// `tenantlint.toml` at its root. The same `seed` and `files` write the same bytes.
pub fn generate(dir: &Path, files: usize, seed: u64) -> io::Result<Written> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("tenantlint.toml"), CONFIG)?;
    let mut base = Vec::new();
    php_base(&mut base);
    let fixed = base.len();
    let mut written = Written::default();
    for (rel, text) in base.iter().take(files) {
        write_file(dir, rel, text, &mut written)?;
    }
    // each Rust crate's shared `Store` type, written with the first file of the crate
    let mut crates = std::collections::BTreeSet::new();
    let mut i = fixed;
    while written.files() < files {
        let (rel, text) = corpus_file(seed, i, fixed);
        i += 1;
        if let Some(src) = rel.ancestors().find(|a| a.ends_with("src")) {
            let store = src.join("store.rs");
            if written.files() + 1 < files && crates.insert(store.clone()) {
                write_file(dir, &store, &rust_store(), &mut written)?;
            }
        }
        write_file(dir, &rel, &text, &mut written)?;
    }
    Ok(written)
}

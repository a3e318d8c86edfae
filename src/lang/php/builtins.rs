//! What the front-end knows of PHP built-ins: functions that pass taint through or only inspect
//! a string, translation functions, regex capture safety, `printf` formats, and class keys.

use crate::lang::value::FormatSegment;

/// PHP built-ins whose result is derived from their arguments (taint passes through).
pub(super) const PROPAGATING_BUILTINS: &[&str] = &[
    "explode",
    "str_split",
    "substr",
    "mb_substr",
    "strtolower",
    "strtoupper",
    "mb_strtolower",
    "mb_strtoupper",
    "str_replace",
    "str_ireplace",
    "preg_replace",
    "parse_url",
    "ucfirst",
    "lcfirst",
    "urldecode",
    "rawurldecode",
    "stripslashes",
    "strrev",
    "implode",
    "join",
    "array_shift",
    "array_pop",
    "current",
    "reset",
    "end",
    "strstr",
    "strrchr",
    "str_pad",
    "idn_to_ascii",
    "idn_to_utf8",
    "preg_split",
    "array_reverse",
    "array_slice",
];

/// Which parts of a regular expression can match a quote or a backslash.
pub(super) struct RegexSafety {
    /// The whole match cannot hold a quote or backslash.
    pub(super) whole: bool,
    /// For each capturing group, in order: it cannot hold a quote or backslash.
    pub(super) groups: Vec<bool>,
    /// Anchored at both ends (`^…$`).
    pub(super) anchored: bool,
}

/// Analyse a PHP regex literal (`'/^([a-z0-9-]+)\./i'`). Conservative: anything not
/// understood is unsafe.
pub(super) fn regex_capture_safety(literal: &str) -> RegexSafety {
    let unsafe_all = RegexSafety {
        whole: false,
        groups: Vec::new(),
        anchored: false,
    };
    let mut chars = literal.chars();
    let Some(open) = chars.next() else {
        return unsafe_all;
    };
    let close = match open {
        '(' => ')',
        '{' => '}',
        '[' => ']',
        '<' => '>',
        c if c.is_alphanumeric() || c == '\\' || c.is_whitespace() => return unsafe_all,
        c => c,
    };
    let rest = &literal[open.len_utf8()..];
    let Some(end) = rest.rfind(close) else {
        return unsafe_all;
    };
    let pattern = &rest[..end];
    let flags = &rest[end + close.len_utf8()..];
    let bytes: Vec<char> = pattern.chars().collect();
    // Stack of open groups: (is capturing, index in `groups`, safe so far).
    let mut groups: Vec<bool> = Vec::new();
    let mut open_groups: Vec<Option<usize>> = Vec::new();
    let mut whole = true;
    let mark_unsafe = |groups: &mut Vec<bool>, open: &[Option<usize>], whole: &mut bool| {
        *whole = false;
        for g in open.iter().flatten() {
            groups[*g] = false;
        }
    };
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            '\\' => {
                let next = bytes.get(i + 1).copied().unwrap_or('\\');
                if matches!(
                    next,
                    'D' | 'W'
                        | 'S'
                        | 'X'
                        | 'R'
                        | 'C'
                        | '\\'
                        | '\''
                        | '"'
                        | 'N'
                        | 'p'
                        | 'P'
                        | 'x'
                        | 'Q'
                ) {
                    mark_unsafe(&mut groups, &open_groups, &mut whole);
                }
                i += 2;
                continue;
            }
            '[' => {
                let mut j = i + 1;
                let negated = bytes.get(j) == Some(&'^');
                let mut bad = negated;
                if bytes.get(j) == Some(&']') {
                    j += 1;
                }
                while j < bytes.len() && bytes[j] != ']' {
                    if bytes[j] == '\\' {
                        let next = bytes.get(j + 1).copied().unwrap_or('\\');
                        if matches!(next, 'D' | 'W' | 'S' | '\\' | '\'' | '"' | 'x' | 'p' | 'P') {
                            bad = true;
                        }
                        j += 2;
                        continue;
                    }
                    if matches!(bytes[j], '\'' | '"') {
                        bad = true;
                    }
                    j += 1;
                }
                if bad {
                    mark_unsafe(&mut groups, &open_groups, &mut whole);
                }
                i = j + 1;
                continue;
            }
            '(' => {
                let capturing = bytes.get(i + 1) != Some(&'?')
                    || matches!(
                        (bytes.get(i + 2), bytes.get(i + 3)),
                        (Some('<'), Some(c)) if *c != '=' && *c != '!'
                    )
                    || bytes.get(i + 2) == Some(&'P');
                if capturing {
                    groups.push(true);
                    open_groups.push(Some(groups.len() - 1));
                } else {
                    open_groups.push(None);
                }
            }
            ')' => {
                open_groups.pop();
            }
            '.' | '\'' | '"' => mark_unsafe(&mut groups, &open_groups, &mut whole),
            _ => {}
        }
        i += 1;
    }
    // `.` in single-line mode, or extended syntax, are not worth modelling.
    if flags.contains('x') {
        return unsafe_all;
    }
    let anchored = pattern.starts_with('^')
        && (pattern.ends_with('$') && !pattern.ends_with("\\$") || pattern.ends_with("\\z"));
    RegexSafety {
        whole,
        groups,
        anchored,
    }
}

/// PHP built-ins that read a string without running it as a query.
pub(super) const INSPECTING_BUILTINS: &[&str] = &[
    "md5",
    "sha1",
    "crc32",
    "hash",
    "strlen",
    "mb_strlen",
    "strpos",
    "stripos",
    "strstr",
    "stristr",
    "substr_count",
    "preg_match",
    "preg_match_all",
    "htmlspecialchars",
    "htmlentities",
    "nl2br",
    "json_encode",
    "serialize",
    "base64_encode",
    "urlencode",
    "rawurlencode",
    "var_dump",
    "print_r",
    "var_export",
    "error_log",
    "printf",
    "is_string",
    "explode",
    "str_contains",
    "str_starts_with",
    "str_ends_with",
    "in_array",
    "array_key_exists",
];

/// Translation functions (gettext, WordPress, Drupal, osTicket and friends): their argument is
/// UI text (`__('Select from email address')`), not SQL.
pub(super) const TRANSLATION_FUNCTIONS: &[&str] = &[
    "__",
    "_",
    "_e",
    "_t",
    "_x",
    "_ex",
    "_n",
    "_nx",
    "_n_noop",
    "t",
    "gettext",
    "ngettext",
    "dgettext",
    "dngettext",
    "dcgettext",
    "pgettext",
    "npgettext",
    "esc_html__",
    "esc_html_e",
    "esc_attr__",
    "esc_attr_e",
    "translate",
];

/// A function or class name as a key: its last namespace segment, lower-case (PHP names are
/// case-insensitive).
pub(super) fn class_key(name: &str) -> String {
    let name = name.trim();
    name.rsplit('\\')
        .next()
        .unwrap_or(name)
        .to_ascii_lowercase()
}

/// A `printf` directive: the argument it takes (`%2$s`: the second; `None`: the next one), and
/// whether it converts that argument to a number (any conversion but `%s`).
pub(super) struct PrintfDirective {
    pub(super) position: Option<usize>,
    pub(super) numeric: bool,
}

/// Split a `printf` format into literal text (`%%` read as `%`) and directives.
pub(super) fn split_format(text: &str) -> Vec<FormatSegment<PrintfDirective>> {
    let literal = |range: std::ops::Range<usize>| {
        FormatSegment::Text(text[range.clone()].replace("%%", "%"), range)
    };
    let bytes = text.as_bytes();
    let mut parts = Vec::new();
    let mut lit_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'%' {
            i += 1;
            continue;
        }
        if bytes.get(i + 1) == Some(&b'%') {
            i += 2;
            continue;
        }
        // %[argnum$][flags][width][.precision]specifier
        let start = i;
        let mut j = i + 1;
        let mut position = None;
        let digits_start = j;
        while j < bytes.len() && bytes[j].is_ascii_digit() {
            j += 1;
        }
        if j < bytes.len() && bytes[j] == b'$' && j > digits_start {
            position = text[digits_start..j]
                .parse::<usize>()
                .ok()
                .and_then(|p| p.checked_sub(1));
            j += 1;
        } else {
            j = digits_start;
        }
        while j < bytes.len() && matches!(bytes[j], b'-' | b'+' | b' ' | b'0') {
            j += 1;
        }
        if j < bytes.len() && bytes[j] == b'\'' {
            j += 2;
        }
        while j < bytes.len() && (bytes[j].is_ascii_digit() || bytes[j] == b'.') {
            j += 1;
        }
        let Some(&spec) = bytes.get(j) else {
            break;
        };
        if !b"bcdeEfFgGhHosuxX".contains(&spec) {
            i += 1;
            continue;
        }
        if lit_start < start {
            parts.push(literal(lit_start..start));
        }
        parts.push(FormatSegment::Directive(
            PrintfDirective {
                position,
                numeric: spec != b's',
            },
            start..j + 1,
        ));
        i = j + 1;
        lit_start = i;
    }
    if lit_start < text.len() {
        parts.push(literal(lit_start..text.len()));
    }
    parts
}

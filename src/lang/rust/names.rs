//! The byte-level scan for the functions and methods a Rust source defines (no parse).

use crate::lang::ProjectNames;

/// The functions and methods a Rust source defines, found by a byte scan (no parse): cheap
/// enough to run over the whole project before the front-end. A small lexer skips comments
/// (nested block comments too), strings (raw, byte and C strings), character literals and
/// lifetimes, and counts braces, so that `fn NAME` directly inside an `impl` or `trait` body is
/// a method and anywhere else (including a function nested in a method) a function. Names keep
/// their case: Rust names are case-sensitive.
pub fn rust_project_names(source: &[u8]) -> ProjectNames {
    let mut out = ProjectNames::default();
    let s = source;
    let n = s.len();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80;
    let mut i = 0;
    let mut depth: usize = 0;
    // Brace depths of open `impl` / `trait` bodies.
    let mut impl_bodies: Vec<usize> = Vec::new();
    // An `impl` or `trait` keyword was seen: its body is the next `{`.
    let mut impl_pending = false;
    while i < n {
        let b = s[i];
        match b {
            b'/' if s.get(i + 1) == Some(&b'/') => {
                i = memchr::memchr(b'\n', &s[i..]).map_or(n, |at| i + at);
            }
            b'/' if s.get(i + 1) == Some(&b'*') => {
                // Block comments nest in Rust.
                let mut level = 1usize;
                i += 2;
                while i < n && level > 0 {
                    if s[i] == b'/' && s.get(i + 1) == Some(&b'*') {
                        level += 1;
                        i += 2;
                    } else if s[i] == b'*' && s.get(i + 1) == Some(&b'/') {
                        level -= 1;
                        i += 2;
                    } else {
                        i += 1;
                    }
                }
            }
            b'"' => i = skip_string(s, i + 1),
            b'\'' => {
                // A character literal (`'a'`, `'\''`, `'é'`) or a lifetime (`'a`, `'static`).
                if s.get(i + 1) == Some(&b'\\') {
                    i += 3;
                    while i < n && s[i] != b'\'' && s[i] != b'\n' {
                        i += 1;
                    }
                    i += 1;
                } else {
                    let width = s
                        .get(i + 1)
                        .map_or(1, |c| utf8_width(*c))
                        .min(n.saturating_sub(i + 1));
                    if s.get(i + 1 + width) == Some(&b'\'') {
                        i += width + 2;
                    } else {
                        i += 1;
                        while i < n && is_ident(s[i]) {
                            i += 1;
                        }
                    }
                }
            }
            b'{' => {
                depth += 1;
                if impl_pending {
                    impl_bodies.push(depth);
                    impl_pending = false;
                }
                i += 1;
            }
            b'}' => {
                if impl_bodies.last() == Some(&depth) {
                    impl_bodies.pop();
                }
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b';' => {
                // `trait Alias = Other;`, `impl Trait for X;` never open a body.
                impl_pending = false;
                i += 1;
            }
            _ if is_ident(b) && !b.is_ascii_digit() => {
                let start = i;
                while i < n && is_ident(s[i]) {
                    i += 1;
                }
                let word = &s[start..i];
                // Raw strings `r"…"`, `r#"…"#`, `br#"…"#`, `cr"…"`.
                if matches!(word, b"r" | b"br" | b"cr") && matches!(s.get(i), Some(b'"' | b'#')) {
                    let mut hashes = 0;
                    let mut j = i;
                    while j < n && s[j] == b'#' {
                        hashes += 1;
                        j += 1;
                    }
                    if s.get(j) == Some(&b'"') {
                        i = skip_raw_string(s, j + 1, hashes);
                    }
                    continue;
                }
                // (Byte and C strings `b"…"`, `c"…"` and byte characters `b'x'`: their quote
                // is handled next.) `r#ident` is a raw identifier, never a keyword.
                if start > 0 && s[start - 1] == b'#' && s.get(start.wrapping_sub(2)) == Some(&b'r')
                {
                    continue;
                }
                match word {
                    b"impl" | b"trait" => impl_pending = true,
                    b"fn" => {
                        let mut j = i;
                        while j < n && s[j].is_ascii_whitespace() {
                            j += 1;
                        }
                        if s[j..].starts_with(b"r#") {
                            j += 2;
                        }
                        let name_start = j;
                        while j < n && is_ident(s[j]) {
                            j += 1;
                        }
                        if j > name_start && !s[name_start].is_ascii_digit() {
                            let name = String::from_utf8_lossy(&s[name_start..j]).into_owned();
                            if impl_bodies.last() == Some(&depth) {
                                out.methods.insert(name);
                            } else {
                                out.functions.insert(name);
                            }
                            i = j;
                        }
                    }
                    _ => {}
                }
            }
            _ => i += 1,
        }
    }
    out
}

/// The length of the UTF-8 sequence a byte starts.
fn utf8_width(b: u8) -> usize {
    match b {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// The position after a `"…"` string whose body starts at `i`.
fn skip_string(s: &[u8], mut i: usize) -> usize {
    while i < s.len() && s[i] != b'"' {
        i += if s[i] == b'\\' { 2 } else { 1 };
    }
    i + 1
}

/// The position after a raw string whose body starts at `i`, closed by `"` and `hashes` `#`.
fn skip_raw_string(s: &[u8], mut i: usize, hashes: usize) -> usize {
    while i < s.len() {
        if s[i] == b'"'
            && s[i + 1..]
                .iter()
                .take(hashes)
                .filter(|c| **c == b'#')
                .count()
                == hashes
        {
            return i + 1 + hashes;
        }
        i += 1;
    }
    s.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn functions_and_methods_are_told_apart_without_parsing() {
        let src = br###"
//! fn doc_comment() {}
use sqlx::PgPool;
fn list_users(pool: &PgPool) -> Vec<User> { let s = "fn in_string() { }"; todo!() }
/* fn commented() { /* nested */ fn still_commented() {} } */
impl<'a> Repo<'a> {
    pub async fn find(&self, c: char) -> Option<u8> {
        let q = '}'; let r = '{'; let e = '\''; let l: &'static str = r#"fn raw() { "}" }"#;
        fn helper_inside_method() {}
        None
    }
    pub(crate) const fn r#type() {}
}
trait Store { fn get(&self); fn put(&self) {} }
impl Store for Repo<'_> where Self: Sized { fn get(&self) {} }
type Callback = fn(i32) -> i32;
extern "C" { fn c_abs(x: i32) -> i32; }
mod inner { pub fn nested_module_fn() -> &'static str { b"}"; br"{"; "\"}" } }
fn LAST() {}
"###;
        let names = rust_project_names(src);
        let mut functions: Vec<&str> = names.functions.iter().map(|s| s.as_str()).collect();
        functions.sort();
        let mut methods: Vec<&str> = names.methods.iter().map(|s| s.as_str()).collect();
        methods.sort();
        assert_eq!(
            functions,
            vec![
                "LAST",
                "c_abs",
                "helper_inside_method",
                "list_users",
                "nested_module_fn"
            ]
        );
        assert_eq!(methods, vec!["find", "get", "put", "type"]);
    }
}

//! The byte-level scan for the functions and methods a PHP source defines (no parse).

use crate::lang::ProjectNames;

/// Bytes of PHP names: ASCII letters, digits, `_`, and every byte of a non-ASCII character.
static IDENT: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80;
        b += 1;
    }
    table
};

/// The functions and methods a PHP source defines, found by a byte scan (no parse): cheap
/// enough to run over the whole project before the front-end, so that per-file analysis knows
/// which calls may be summarised. A small lexer skips inline HTML, strings, heredocs and
/// comments and counts braces, so that `function NAME` directly inside a `class`, `trait`,
/// `interface` or `enum` body is a method and anywhere else a function.
pub fn php_project_names(source: &[u8]) -> ProjectNames {
    let mut out = ProjectNames::default();
    let s = source;
    let n = s.len();
    let is_ident = |b: u8| IDENT[b as usize];
    let open_tag = memchr::memmem::Finder::new(b"<?");
    let comment_end = memchr::memmem::Finder::new(b"*/");
    let mut i = 0;
    // Inline HTML until the first `<?`.
    let mut in_php = false;
    let mut depth: usize = 0;
    // Brace depths of open class-like bodies.
    let mut class_bodies: Vec<usize> = Vec::new();
    // A class-like keyword was seen: its body is the next `{`.
    let mut class_pending = false;
    // The previous significant byte, to tell `Foo::class` and `$o->class` from declarations.
    let mut prev: u8 = b' ';
    while i < n {
        if !in_php {
            match open_tag.find(&s[i..]) {
                Some(at) => {
                    i += at + 2;
                    if s[i..].len() >= 3 && s[i..i + 3].eq_ignore_ascii_case(b"php") {
                        i += 3;
                    }
                    in_php = true;
                    continue;
                }
                None => break,
            }
        }
        let b = s[i];
        match b {
            b'?' if s.get(i + 1) == Some(&b'>') => {
                in_php = false;
                i += 2;
            }
            b'\'' | b'"' | b'`' => {
                // To the closing quote, escapes skipped.
                i += 1;
                while let Some(at) = memchr::memchr2(b, b'\\', &s[i.min(n)..]) {
                    i += at;
                    if s[i] == b {
                        break;
                    }
                    i += 2;
                }
                i = if i < n && s[i] == b { i + 1 } else { n };
                prev = b;
            }
            b'#' | b'/' if b == b'#' || s.get(i + 1) == Some(&b'/') => {
                // A line comment ends at the line break or at `?>`.
                while i < n && s[i] != b'\n' && !(s[i] == b'?' && s.get(i + 1) == Some(&b'>')) {
                    i += 1;
                }
            }
            b'/' if s.get(i + 1) == Some(&b'*') => {
                i = match comment_end.find(&s[i + 2..]) {
                    Some(at) => i + 2 + at + 2,
                    None => n,
                };
            }
            b'<' if s[i..].starts_with(b"<<<") => {
                // Heredoc / nowdoc: skip to the line that starts with the closing label.
                let mut j = i + 3;
                while j < n && matches!(s[j], b' ' | b'\t' | b'"' | b'\'') {
                    j += 1;
                }
                let label_start = j;
                while j < n && is_ident(s[j]) {
                    j += 1;
                }
                let label = &s[label_start..j];
                if label.is_empty() {
                    i += 3;
                    continue;
                }
                i = n;
                for line_at in memchr::memchr_iter(b'\n', &s[j..]) {
                    let line = &s[j + line_at + 1..];
                    let body = line.trim_ascii_start();
                    if body.starts_with(label)
                        && body.get(label.len()).is_none_or(|c| !is_ident(*c))
                    {
                        i = n - body.len() + label.len();
                        break;
                    }
                }
                prev = b'"';
            }
            b'{' => {
                depth += 1;
                if class_pending {
                    class_bodies.push(depth);
                    class_pending = false;
                }
                i += 1;
                prev = b;
            }
            b'}' => {
                if class_bodies.last() == Some(&depth) {
                    class_bodies.pop();
                }
                depth = depth.saturating_sub(1);
                i += 1;
                prev = b;
            }
            b';' => {
                // `use Foo\Bar as Baz;` and the like never open a class body.
                class_pending = false;
                i += 1;
                prev = b;
            }
            b'$' => {
                // A variable: its name is not a keyword.
                i += 1;
                while i < n && is_ident(s[i]) {
                    i += 1;
                }
                prev = b'$';
            }
            _ if is_ident(b) && !b.is_ascii_digit() => {
                let start = i;
                while i < n && is_ident(s[i]) {
                    i += 1;
                }
                let word = &s[start..i];
                let member = prev == b':' || prev == b'>';
                prev = b'a';
                if member {
                    continue;
                }
                // (Most words are none of these: their length rules them out first.)
                let class_like = match word.len() {
                    4 => word.eq_ignore_ascii_case(b"enum"),
                    5 => word.eq_ignore_ascii_case(b"class") || word.eq_ignore_ascii_case(b"trait"),
                    9 => word.eq_ignore_ascii_case(b"interface"),
                    _ => false,
                };
                if class_like {
                    class_pending = true;
                } else if word.len() == 8 && word.eq_ignore_ascii_case(b"function") {
                    let mut j = i;
                    while j < n && (s[j].is_ascii_whitespace() || s[j] == b'&') {
                        j += 1;
                    }
                    let name_start = j;
                    while j < n && is_ident(s[j]) {
                        j += 1;
                    }
                    if j > name_start && s.get(name_start).is_some_and(|c| !c.is_ascii_digit()) {
                        let name = String::from_utf8_lossy(&s[name_start..j]).to_ascii_lowercase();
                        if class_bodies.last() == Some(&depth) {
                            out.methods.insert(name);
                        } else {
                            out.functions.insert(name);
                        }
                        i = j;
                    }
                }
            }
            _ => {
                if !b.is_ascii_whitespace() {
                    prev = b;
                }
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn functions_and_methods_are_told_apart_without_parsing() {
        let src = br#"<html><script>function js() { if (a) { } }</script>
<?php
function get_sub() { $s = "}"; /* { */ return '{'; }
class Pdf extends Base { function Header() { function inner() {} } public static function &Make(){} }
$f = function() {};
my_function(1);
echo Foo::class; function after_class_constant() {}
$x = <<<EOT
  class Fake { function not_a_method() {} }
  EOT;
trait T { abstract protected function tmethod(); }
# function commented() {}
$o = new class { function anon_method() {} };
?>
<p>function html_text() {}</p>
<?php function LAST() {}"#;
        let names = php_project_names(src);
        let mut functions: Vec<&str> = names.functions.iter().map(|s| s.as_str()).collect();
        functions.sort();
        let mut methods: Vec<&str> = names.methods.iter().map(|s| s.as_str()).collect();
        methods.sort();
        assert_eq!(
            functions,
            vec!["after_class_constant", "get_sub", "inner", "last"]
        );
        assert_eq!(methods, vec!["anon_method", "header", "make", "tmethod"]);
    }

    /// Quotes inside strings are skipped with their backslash; a string left open runs to the
    /// end of the file (and the scan ends there, whatever the last byte).
    #[test]
    fn escaped_and_unterminated_strings() {
        let names = php_project_names(
            br#"<?php $a = 'it\'s { function not_one() {}'; $b = "a \\"; function after() {}
$c = "x\"y"; class K { function m() {} } $d = `ls \` function nor_this() {}`;"#,
        );
        let mut functions: Vec<&str> = names.functions.iter().map(|s| s.as_str()).collect();
        functions.sort();
        assert_eq!(functions, vec!["after"]);
        assert!(names.methods.contains("m"));
        for open in [
            &b"<?php $a = 'abc\\"[..],
            b"<?php $a = \"abc\\",
            b"<?php $a = 'abc",
        ] {
            let names = php_project_names(open);
            assert!(names.functions.is_empty() && names.methods.is_empty());
        }
    }
}

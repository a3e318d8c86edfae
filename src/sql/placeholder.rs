//! The placeholder a hole renders as in SQL text: `__tl_h` and the hole's index (`__tl_h3`).
//! Made, recognised and read back only here.

/// Prefix of hole placeholders in rendered SQL.
pub const PLACEHOLDER_PREFIX: &str = "__tl_h";

/// The placeholder of hole `index`.
pub fn placeholder(index: usize) -> String {
    format!("{PLACEHOLDER_PREFIX}{index}")
}

/// `true` for a caller placeholder identifier `__tl_h<digits>`.
pub fn is_placeholder(name: &str) -> bool {
    name.strip_prefix(PLACEHOLDER_PREFIX)
        .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
}

/// The hole index a placeholder name stands for (`__tl_h3` → 3).
pub fn placeholder_index(name: &str) -> Option<usize> {
    name.strip_prefix(PLACEHOLDER_PREFIX)?.parse().ok()
}

/// Length in bytes of the placeholder `text` starts with: the prefix and the digits after it
/// (none, for a bare prefix). `None` when `text` does not start with the prefix.
pub fn placeholder_len(text: &str) -> Option<usize> {
    let digits = text
        .strip_prefix(PLACEHOLDER_PREFIX)?
        .bytes()
        .take_while(u8::is_ascii_digit)
        .count();
    Some(PLACEHOLDER_PREFIX.len() + digits)
}

/// Each placeholder in `text`, in order (`g5_write___tl_h3` → `__tl_h3`).
pub fn placeholders_in(text: &str) -> impl Iterator<Item = &str> {
    text.match_indices(PLACEHOLDER_PREFIX)
        .filter_map(|(i, _)| placeholder_len(&text[i..]).map(|len| &text[i..i + len]))
}

/// The text of a name before its first placeholder (`g5_write_` for `g5_write___tl_h3`): the
/// known beginning of a name built with an unknown part; `None` when the name has none.
pub fn known_beginning(name: &str) -> Option<&str> {
    name.find(PLACEHOLDER_PREFIX).map(|at| &name[..at])
}

/// A name with each placeholder written as `?` (`g5_write_?`), as users read it.
pub fn with_question_marks(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(at) = rest.find(PLACEHOLDER_PREFIX) {
        out.push_str(&rest[..at]);
        out.push('?');
        rest = &rest[at + placeholder_len(&rest[at..]).unwrap_or(PLACEHOLDER_PREFIX.len())..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholder_helper() {
        assert!(is_placeholder("__tl_h0"));
        assert!(is_placeholder("__tl_h123"));
        assert!(!is_placeholder("__tl_h"));
        assert!(!is_placeholder("__tl_h1member"));
        assert!(!is_placeholder("ep_code"));
    }

    #[test]
    fn placeholders_round_trip() {
        assert_eq!(placeholder(7), "__tl_h7");
        assert!(is_placeholder(&placeholder(12)));
        assert_eq!(placeholder_index(&placeholder(12)), Some(12));
        assert_eq!(placeholder_index("__tl_h"), None);
        assert_eq!(placeholder_index("x__tl_h1"), None);
        assert_eq!(placeholder_len("__tl_h12member"), Some(8));
        assert_eq!(placeholder_len("__tl_h'"), Some(6));
        assert_eq!(placeholder_len("x__tl_h1"), None);
        let found: Vec<&str> = placeholders_in("g5___tl_h3_x__tl_h__tl_h12").collect();
        assert_eq!(found, ["__tl_h3", "__tl_h", "__tl_h12"]);
        assert_eq!(known_beginning("g5_write___tl_h3"), Some("g5_write_"));
        assert_eq!(known_beginning("g5_write"), None);
        assert_eq!(with_question_marks("g5___tl_h3_x__tl_h12"), "g5_?_x?");
    }
}

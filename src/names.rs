//! How names are spelt where the configuration and the facts meet: one canonical spelling for a
//! variable path (`$iw['member_table']`), whatever way the source or `tenantlint.toml` writes it.

/// One spelling for a PHP expression: no braces or whitespace, array keys single-quoted
/// (`{$iw["member_table"]}`, `$iw[member_table]` → `$iw['member_table']`).
pub fn normalize_expr(text: &str) -> String {
    let compact: String = text
        .trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let mut out = String::with_capacity(compact.len());
    let mut rest = compact.as_str();
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find(']') else {
            out.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let key = after[..close].trim_matches(|c| c == '\'' || c == '"');
        if key.chars().all(|c| c.is_ascii_digit()) && !key.is_empty() {
            out.push_str(&format!("[{key}]"));
        } else {
            out.push_str(&format!("['{key}']"));
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::normalize_expr;

    #[test]
    fn one_spelling_for_keys_braces_and_whitespace() {
        for text in [
            "{$iw[\"member_table\"]}",
            "$iw[member_table]",
            " $iw[ 'member_table' ] ",
        ] {
            assert_eq!(normalize_expr(text), "$iw['member_table']", "{text}");
        }
        assert_eq!(normalize_expr("$a[0]['b']"), "$a[0]['b']");
        assert_eq!(normalize_expr("$this->table"), "$this->table");
    }
}

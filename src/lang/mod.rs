//! Front-ends: one per source language, each lowering a tree-sitter tree to
//! [`crate::facts::FileFacts`].

pub mod php;

/// A tree-sitter parser for PHP (with its HTML text), or `None` if the grammar cannot be
/// loaded (a tree-sitter ABI mismatch; every file then counts as a parse error).
pub fn php_parser() -> Option<tree_sitter::Parser> {
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_php::LANGUAGE_PHP.into())
        .ok()?;
    Some(parser)
}

/// What the front-ends need to know from the configuration.
#[derive(Clone, Debug)]
pub struct FrontendOptions {
    /// Expressions whose value is the request host, canonical (`$_SERVER['HTTP_HOST']`).
    pub host_sources: Vec<String>,
    /// Keys of the tenant request parameter (`ep`).
    pub tenant_params: Vec<String>,
    /// Functions whose result is escaped for SQL (lower-case).
    pub sanitizers: Vec<String>,
    /// Functions that never return (lower-case), besides `exit`/`die`.
    pub never_return: Vec<String>,
    /// Functions that verify their tenant argument or leave (lower-case).
    pub guards: Vec<String>,
    /// Names (lower-case) of the functions and methods defined in the scanned project, when
    /// known: only calls to them can carry a request value through a summary. `None`: any
    /// call may.
    pub project_functions: Option<std::sync::Arc<std::collections::HashSet<String>>>,
}

impl Default for FrontendOptions {
    fn default() -> Self {
        FrontendOptions {
            host_sources: [
                "$_SERVER['HTTP_HOST']",
                "$_SERVER['SERVER_NAME']",
                "$_SERVER['HTTP_X_FORWARDED_HOST']",
            ]
            .map(String::from)
            .to_vec(),
            tenant_params: vec!["ep".to_string()],
            sanitizers: [
                "mysqli_real_escape_string",
                "mysql_real_escape_string",
                "sql_escape_string",
                "addslashes",
                "intval",
            ]
            .map(String::from)
            .to_vec(),
            never_return: vec!["alert".to_string(), "goto_url".to_string()],
            guards: Vec::new(),
            project_functions: None,
        }
    }
}

/// Names (lower-case) of the functions and methods a PHP source defines, found by a byte scan
/// for `function NAME` (no parse): cheap enough to run over the whole project before the
/// front-end, so that per-file analysis knows which calls may be summarised.
pub fn php_function_names(source: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    for at in memchr::memmem::find_iter(source, b"function") {
        // A keyword, not the tail of an identifier.
        if at > 0 && (source[at - 1].is_ascii_alphanumeric() || source[at - 1] == b'_') {
            continue;
        }
        let mut i = at + "function".len();
        let start_ws = i;
        while i < source.len() && (source[i].is_ascii_whitespace() || source[i] == b'&') {
            i += 1;
        }
        if i == start_ws {
            continue;
        }
        let name_start = i;
        while i < source.len()
            && (source[i].is_ascii_alphanumeric() || source[i] == b'_' || source[i] >= 0x80)
        {
            i += 1;
        }
        if i > name_start {
            out.push(String::from_utf8_lossy(&source[name_start..i]).to_ascii_lowercase());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_names_are_found_without_parsing() {
        let src = b"<?php\nfunction get_sub() {}\nclass A { public static function &Make(){} }\n$f = function() {};\nmy_function(1);";
        assert_eq!(php_function_names(src), vec!["get_sub", "make"]);
    }
}

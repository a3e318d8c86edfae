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
        }
    }
}

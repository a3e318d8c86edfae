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

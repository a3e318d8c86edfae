//! Suppression comments in Rust: line and block comments, and its statements.

use tree_sitter::Node;

use super::RustKind as _;

use crate::lang::suppressions::CommentSyntax;

/// Items and statements that hold no other statements.
fn is_simple(n: &Node) -> bool {
    matches!(
        n.kind_name(),
        "expression_statement" | "let_declaration" | "const_item" | "static_item"
    )
}

const SYNTAX: CommentSyntax = CommentSyntax {
    is_comment: |n| matches!(n.kind_name(), "line_comment" | "block_comment"),
    is_statement: is_simple,
    is_simple,
};

/// Comments holding a suppression directive, with the code each applies to.
pub(super) fn suppression_comments(root: Node, src: &str) -> Vec<crate::facts::SuppressionComment> {
    crate::lang::suppressions::suppression_comments(root, src, &SYNTAX)
}

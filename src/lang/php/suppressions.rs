//! Suppression comments in PHP: `#`, `//` and `/* */` comments, and its statements.

use tree_sitter::Node;

use super::PhpKind as _;

use crate::lang::suppressions::CommentSyntax;

const SYNTAX: CommentSyntax = CommentSyntax {
    is_comment: |n| n.kind_name() == "comment",
    is_statement: |n| n.kind_name().ends_with("_statement"),
    is_simple: |n| {
        matches!(
            n.kind_name(),
            "expression_statement" | "return_statement" | "echo_statement" | "unset_statement"
        )
    },
};

/// Comments holding a suppression directive, with the code each applies to.
pub(super) fn suppression_comments(root: Node, src: &str) -> Vec<crate::facts::SuppressionComment> {
    crate::lang::suppressions::suppression_comments(root, src, &SYNTAX)
}

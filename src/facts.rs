//! The language-neutral facts a front-end extracts from one source file.
//!
//! Front-ends (`crate::lang`) are the only code that knows tree-sitter node kinds; everything
//! after them works on these types.

use std::fmt;
use std::sync::Arc;

/// A byte range in one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(span: Span) -> Self {
        miette::SourceSpan::new(span.start.into(), span.len())
    }
}

/// One piece of a SQL template: literal text written in the source, or a hole.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Piece {
    /// Literal SQL text. `src` is the byte offset of its first character in the source file;
    /// when `linear` is true, the n-th byte of `text` sits at `src + n` (no escape sequences).
    Text {
        text: Arc<str>,
        src: usize,
        linear: bool,
    },
    /// An interpolated value or expression whose text is not known in this file.
    Hole(Hole),
}

/// An interpolated expression inside SQL text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Hole {
    /// Where the expression is written in the source.
    pub span: Span,
    pub expr: HoleExpr,
}

/// What an interpolated expression is.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum HoleExpr {
    /// A name whose value may be known project-wide: a variable, an array element with constant
    /// keys, a property or a constant, in canonical form (`$iw['member_table']`, `DB_PREFIX`).
    Path(Arc<str>),
    /// Anything else (a call, an expression with a variable key, a parameter bound at run time);
    /// the string is the source text, for messages.
    Opaque(Arc<str>),
}

impl HoleExpr {
    pub fn display(&self) -> &str {
        match self {
            HoleExpr::Path(p) | HoleExpr::Opaque(p) => p,
        }
    }
}

/// One way a query may be built: literal text and holes in order.
pub type Template = Vec<Piece>;

/// A place where a SQL string is used: passed to a call, returned, or stored and never read.
#[derive(Clone, Debug)]
pub struct SqlSite {
    /// The call (or statement) that runs or hands on the query.
    pub exec: Span,
    /// Every way the query text may be built on the paths reaching the use.
    pub variants: Vec<Template>,
    /// True when more paths existed than the front-end keeps; the variants are a subset.
    pub capped: bool,
}

/// A piece of a constant definition, for project-wide constant folding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FoldPiece {
    Text(String),
    /// A reference to another path (`$iw['table_prefix']`, `G5_TABLE_PREFIX`).
    Ref(String),
    /// A value that cannot be known statically.
    Opaque,
}

/// `path = value` as found in the source (`define('X', …)`, `$iw['x_table'] = …`).
#[derive(Clone, Debug)]
pub struct ConstDef {
    pub path: String,
    pub value: Vec<FoldPiece>,
}

/// Everything the rules need from one file.
#[derive(Debug, Default)]
pub struct FileFacts {
    pub sites: Vec<SqlSite>,
    pub consts: Vec<ConstDef>,
    /// The tree-sitter tree had error nodes (the rest was still analysed).
    pub parse_errors: bool,
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

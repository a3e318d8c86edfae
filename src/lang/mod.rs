//! Front-ends: one per source language, each lowering a tree-sitter tree to
//! [`crate::facts::FileFacts`].
//!
//! The engine reaches a front-end only through [`frontend`] (by the [`Lang`] discovery gave a
//! file) and the [`Frontend`] trait: a parser per thread ([`Parsers`]), the byte scan for the
//! functions a project defines ([`ProjectNames`]), and the lowering of one file.
//!
//! What the lowering of any language shares lives beside the front-ends: `value` (the set of
//! ways a string may be built, with its taints) and `env` (what is known of each variable, and
//! how branches merge).

mod env;
pub mod php;
pub mod rust;
pub(crate) mod suppressions;
mod value;

pub use php::php_project_names;

use crate::discover::Lang;
use crate::facts::FileFacts;

/// What the engine asks of the front-end for one language.
pub trait Frontend: Sync {
    /// The language's name, as told to the user ("PHP").
    fn name(&self) -> &'static str;
    /// A tree-sitter parser for the language, or `None` if the grammar cannot be loaded (a
    /// tree-sitter ABI mismatch; every file then counts as a parse error).
    fn parser(&self) -> Option<tree_sitter::Parser>;
    /// The functions and methods a source defines, found without parsing.
    fn project_names(&self, source: &[u8]) -> ProjectNames;
    /// Parse a source and lower it to facts. `parser` comes from [`Frontend::parser`].
    fn analyze(
        &self,
        parser: &mut tree_sitter::Parser,
        source: &str,
        options: &FrontendOptions,
    ) -> FileFacts;
}

/// The front-end for a language.
pub fn frontend(lang: Lang) -> &'static dyn Frontend {
    match lang {
        Lang::Php => &php::Php,
        Lang::Rust => &rust::Rust,
    }
}

/// The parsers of one thread, one per language, each created when the thread first meets a
/// file in that language.
#[derive(Default)]
pub struct Parsers {
    php: Option<Option<tree_sitter::Parser>>,
    rust: Option<Option<tree_sitter::Parser>>,
}

impl Parsers {
    /// The parser for `lang`, or `None` if its grammar cannot be loaded.
    pub fn get(&mut self, lang: Lang) -> Option<&mut tree_sitter::Parser> {
        let slot = match lang {
            Lang::Php => &mut self.php,
            Lang::Rust => &mut self.rust,
        };
        slot.get_or_insert_with(|| frontend(lang).parser()).as_mut()
    }
}

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
    /// The functions and methods defined in the scanned project, when known: only calls to
    /// them can carry a request value through a summary. `None`: any call may.
    pub project_functions: Option<std::sync::Arc<ProjectNames>>,
}

impl FrontendOptions {
    /// The options for the `[sources]`, `[sanitizers]` and `[checks]` of a configuration: host
    /// sources in their canonical spelling, function names lower-case.
    pub fn new(taint: &crate::config::TaintConfig) -> FrontendOptions {
        let lower = |v: &[String]| v.iter().map(|f| f.to_ascii_lowercase()).collect();
        FrontendOptions {
            host_sources: taint
                .host
                .iter()
                .map(|h| crate::names::normalize_expr(h))
                .collect(),
            tenant_params: taint.tenant_param.clone(),
            sanitizers: lower(&taint.sanitizers),
            never_return: lower(&taint.never_return),
            guards: lower(&taint.guards),
            project_functions: None,
        }
    }
}

impl Default for FrontendOptions {
    /// The options of the default configuration.
    fn default() -> Self {
        FrontendOptions::new(&crate::config::TaintConfig::default())
    }
}

/// The functions and methods a project defines, by kind (PHP names lower-case, since PHP names
/// are case-insensitive; Rust names as written). A plain call `f()` can only reach a function, `$o->m()` / `C::m()` only a
/// method: a class's `header()` method never makes the built-in `header()` a project function.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProjectNames {
    pub functions: rustc_hash::FxHashSet<String>,
    pub methods: rustc_hash::FxHashSet<String>,
}

impl ProjectNames {
    pub fn extend(&mut self, other: ProjectNames) {
        self.functions.extend(other.functions);
        self.methods.extend(other.methods);
    }

    /// Whether the project defines a method (`method`) or a function called `name`.
    pub fn defines(&self, method: bool, name: &str) -> bool {
        if method {
            self.methods.contains(name)
        } else {
            self.functions.contains(name)
        }
    }
}

/// Whether a callee key may name a function or method defined in the project, as a front-end
/// asks it: the answer is noted in `asked`, since the file's facts depend on it. Without
/// `names` (nothing was scanned) any call may.
pub(crate) fn ask_project_call(
    names: Option<&ProjectNames>,
    callee: &crate::facts::FnKey,
    asked: &mut Vec<crate::facts::NameAnswer>,
) -> bool {
    let Some(names) = names else {
        return true;
    };
    let method = callee.is_method();
    let defined = names.defines(method, callee.name());
    asked.push(crate::facts::NameAnswer {
        method,
        name: callee.name().clone(),
        defined,
    });
    defined
}

/// The byte range of a tree-sitter node.
/// The names of a grammar's node kinds, by kind id, read from the grammar once: `Node::kind`
/// measures the C string of the name and checks it is UTF-8 on every call, which was 2.6 % of
/// the instructions of a run on gnuboard5.
pub(crate) struct KindNames(std::sync::OnceLock<Box<[Box<str>]>>);

impl KindNames {
    pub(crate) const fn new() -> KindNames {
        KindNames(std::sync::OnceLock::new())
    }

    /// The kind of `node`, whose grammar is `language`, as `Node::kind` says it; `None` for
    /// a kind the grammar has no name for.
    #[inline]
    pub(crate) fn of(
        &'static self,
        node: &tree_sitter::Node,
        language: impl FnOnce() -> tree_sitter::Language,
    ) -> Option<&'static str> {
        let names = self.0.get_or_init(|| {
            let language = language();
            (0..language.node_kind_count())
                .map(|id| {
                    u16::try_from(id)
                        .ok()
                        .and_then(|id| language.node_kind_for_id(id))
                        .unwrap_or("")
                        .into()
                })
                .collect()
        });
        names
            .get(usize::from(node.kind_id()))
            .map(|name| &**name)
            .filter(|name| !name.is_empty())
    }
}

/// Every node of `tree`, depth first.
#[cfg(test)]
pub(crate) fn all_nodes(tree: &tree_sitter::Tree) -> Vec<tree_sitter::Node<'_>> {
    let mut nodes = Vec::new();
    let mut cursor = tree.walk();
    'walk: loop {
        nodes.push(cursor.node());
        if cursor.goto_first_child() || cursor.goto_next_sibling() {
            continue;
        }
        while cursor.goto_parent() {
            if cursor.goto_next_sibling() {
                continue 'walk;
            }
        }
        return nodes;
    }
}

pub(crate) fn span_of(n: tree_sitter::Node) -> crate::facts::Span {
    crate::facts::Span::new(n.start_byte(), n.end_byte())
}

/// The operands of a left-deep chain of one binary operator (`a . b . c`, `a + b + c`), in
/// order: the leftmost, then the rest. Walked iteratively (long chains would overflow a
/// recursive walk) and bounded; `is_op` tells the chain's operator.
pub(crate) fn operator_chain<'t>(
    left: tree_sitter::Node<'t>,
    right: tree_sitter::Node<'t>,
    is_op: impl Fn(tree_sitter::Node<'t>) -> bool,
) -> (tree_sitter::Node<'t>, Vec<tree_sitter::Node<'t>>) {
    let mut spine = vec![right];
    let mut left = left;
    while left.kind() == "binary_expression"
        && left.child_by_field_name("operator").is_some_and(&is_op)
        && spine.len() < 4096
    {
        match (
            left.child_by_field_name("left"),
            left.child_by_field_name("right"),
        ) {
            (Some(ll), Some(lr)) => {
                spine.push(lr);
                left = ll;
            }
            _ => break,
        }
    }
    spine.reverse();
    (left, spine)
}

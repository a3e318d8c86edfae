//! How names are spelt where the configuration and the facts meet: one canonical spelling for a
//! variable path (`$iw['member_table']`), whatever way the source or `tenantlint.toml` writes it.

use std::sync::Arc;

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

/// A name whose value the project may know: a variable, an array element or property reached
/// from it by constant keys, a class's property or constant, or a constant.
///
/// It keeps the front-end's canonical spelling (`$iw['member_table']`, `member::$this->table`,
/// `G5_TABLE_PREFIX`) — what users read and what `[tables]` keys are matched with — and where
/// its parts are: the class it is qualified by and its root name. Equal paths are equal
/// spellings.
#[derive(Clone)]
pub struct VarPath(Arc<PathParts>);

/// One pointer wide: facts hold a path per hole.
struct PathParts {
    text: Box<str>,
    /// The length of the class qualifier with its `::` (`member::`); 0 without one.
    class_len: u32,
    /// Where the root name ends (`$iw` in `$iw['x']`, `$this` in `$this->table`).
    root_end: u32,
}

impl VarPath {
    /// A path from its parts, as the front-end spells them: the class it belongs to, its root
    /// name, and the keys and properties after it (`['member_table']`, `->table`).
    pub fn new(class: Option<&str>, root: &str, accessors: &str) -> VarPath {
        let len = class.map_or(0, |c| c.len() + 2) + root.len() + accessors.len();
        let mut text = String::with_capacity(len);
        if let Some(class) = class {
            text.push_str(class);
            text.push_str("::");
        }
        let class_len = text.len();
        text.push_str(root);
        let root_end = text.len();
        text.push_str(accessors);
        VarPath(Arc::new(PathParts {
            text: text.into_boxed_str(),
            class_len: class_len as u32,
            root_end: root_end as u32,
        }))
    }

    /// A path in its canonical spelling (as the PHP front-end writes it): a leading `Class::`
    /// is the qualifier, and the root ends at the first `[` or `->`.
    pub fn parse(text: &str) -> VarPath {
        let (class, rest) = match text.split_once("::") {
            Some((class, rest)) if !class.is_empty() && !class.contains(['$', '[', '-', '(']) => {
                (Some(class), rest)
            }
            _ => (None, text),
        };
        let root_len = rest
            .find('[')
            .into_iter()
            .chain(rest.find("->"))
            .min()
            .unwrap_or(rest.len());
        VarPath::new(class, &rest[..root_len], &rest[root_len..])
    }

    /// A path as a user writes it in `tenantlint.toml` or PHP source, in any spelling
    /// (`{$iw["member_table"]}`): normalised ([`normalize_expr`]), then parsed.
    pub fn php(text: &str) -> VarPath {
        VarPath::parse(&normalize_expr(text))
    }

    /// The whole path, as spelt.
    pub fn as_str(&self) -> &str {
        &self.0.text
    }

    /// The class the path is qualified by (`member` in `member::$this->table`).
    pub fn class(&self) -> Option<&str> {
        let len = self.0.class_len as usize;
        (len > 0).then(|| &self.0.text[..len - 2])
    }

    /// The root name: the variable (`$iw`), `$this`, or the constant.
    pub fn root(&self) -> &str {
        &self.0.text[self.0.class_len as usize..self.0.root_end as usize]
    }

    /// The path without its class qualifier (`$this->table` for `member::$this->table`).
    pub fn unqualified(&self) -> &str {
        &self.0.text[self.0.class_len as usize..]
    }

    /// A constant (`define`d, `const`, a class constant): no variable in it, so several
    /// definitions are alternatives rather than a disagreement.
    pub fn is_constant(&self) -> bool {
        !self.root().starts_with('$')
    }
}

// Equality, order and hash are those of the spelling, so that maps keyed by paths can be
// looked up by `&str` ([`std::borrow::Borrow`]).
impl PartialEq for VarPath {
    fn eq(&self, other: &Self) -> bool {
        self.0.text == other.0.text
    }
}

impl Eq for VarPath {}

impl std::hash::Hash for VarPath {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.text.hash(state);
    }
}

impl Ord for VarPath {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.text.cmp(&other.0.text)
    }
}

impl PartialOrd for VarPath {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl std::ops::Deref for VarPath {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0.text
    }
}

impl std::borrow::Borrow<str> for VarPath {
    fn borrow(&self) -> &str {
        &self.0.text
    }
}

impl std::fmt::Display for VarPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.text)
    }
}

impl std::fmt::Debug for VarPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&*self.0.text, f)
    }
}

/// A path in its canonical spelling ([`VarPath::parse`]).
impl From<&str> for VarPath {
    fn from(text: &str) -> VarPath {
        VarPath::parse(text)
    }
}

/// A path in its canonical spelling ([`VarPath::parse`]).
impl From<String> for VarPath {
    fn from(text: String) -> VarPath {
        VarPath::parse(&text)
    }
}

/// A path in its canonical spelling ([`VarPath::parse`]).
impl From<&String> for VarPath {
    fn from(text: &String) -> VarPath {
        VarPath::parse(text)
    }
}

/// A path is stored (in the result cache) as its spelling and where its parts end.
impl serde::Serialize for VarPath {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeTuple;
        let mut t = s.serialize_tuple(3)?;
        t.serialize_element(self.as_str())?;
        t.serialize_element(&self.0.class_len)?;
        t.serialize_element(&self.0.root_end)?;
        t.end()
    }
}

/// Read back what [`VarPath`]'s `Serialize` wrote; parts that do not fit the text (a corrupt
/// cache) are an error, never a path that panics later.
impl<'de> serde::Deserialize<'de> for VarPath {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (text, class_len, root_end): (String, u32, u32) = serde::Deserialize::deserialize(d)?;
        let (c, r) = (class_len as usize, root_end as usize);
        let fits = c <= r
            && r <= text.len()
            && text.is_char_boundary(c)
            && text.is_char_boundary(r)
            && (c == 0 || (c >= 2 && text[..c].ends_with("::")));
        if !fits {
            return Err(serde::de::Error::custom(
                "a variable path whose parts do not fit",
            ));
        }
        Ok(VarPath(Arc::new(PathParts {
            text: text.into_boxed_str(),
            class_len,
            root_end,
        })))
    }
}

#[cfg(test)]
mod tests {
    use super::{normalize_expr, VarPath};

    #[test]
    fn a_path_knows_its_class_and_root() {
        let p = VarPath::php("{$iw[\"member_table\"]}");
        assert_eq!(p.as_str(), "$iw['member_table']");
        assert_eq!((p.class(), p.root()), (None, "$iw"));
        assert!(!p.is_constant());
        let p = VarPath::php("member::$this->table");
        assert_eq!((p.class(), p.root()), (Some("member"), "$this"));
        assert_eq!(p.unqualified(), "$this->table");
        let p = VarPath::php("Board::TABLE");
        assert_eq!((p.class(), p.root()), (Some("Board"), "TABLE"));
        assert!(p.is_constant());
        assert_eq!(
            VarPath::new(Some("c"), "$this", "->t"),
            VarPath::php("c::$this->t")
        );
        assert_eq!(VarPath::php("$o->p['k']").root(), "$o");
    }

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

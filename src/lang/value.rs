//! Values of the abstract interpretation, shared by the front-ends: a [`Value`] is the set of
//! ways a string may be built ([`Variant`]s: templates of literal text and holes, each with the
//! branch outcomes it was built under), with the limits that keep them bounded and the
//! helpers on taints and templates. Nothing here knows a source language or tree-sitter.

use crate::facts::{
    FoldPiece, Hole, HoleExpr, Piece, Span, Taint, TaintKind, TaintOrigin, Template,
};

/// At most this many ways of building one value are kept (cartesian products of branches).
const MAX_VARIANTS: usize = 32;
/// Trace steps kept per taint.
pub(crate) const MAX_STEPS: usize = 16;
/// Taints kept per value.
pub(crate) const MAX_TAINTS: usize = 16;

/// The branch outcomes a variant was built under: `(condition id, taken)`, sorted by id.
/// Two `if`s with the same condition take the same branch, so a join appended under
/// `if (C)` and its tenant predicate appended under a later `if (C)` are never split apart.
type Tags = Vec<(u32, bool)>;

/// One way a value may be built, and the conditions it was built under.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub(crate) struct Variant {
    pub(crate) pieces: Template,
    pub(crate) tags: Tags,
}

/// Combine the assumptions of two variants; `None` when they contradict each other.
fn join_tags(a: &Tags, b: &Tags) -> Option<Tags> {
    if b.is_empty() {
        return Some(a.clone());
    }
    let mut out = a.clone();
    for (id, taken) in b {
        match out.iter().find(|(i, _)| i == id) {
            Some((_, t)) if t != taken => return None,
            Some(_) => {}
            None => out.push((*id, *taken)),
        }
    }
    out.sort_unstable();
    Some(out)
}

/// A set of ways a value may be built.
#[derive(Clone, Debug, Default)]
pub(crate) struct Value {
    pub(crate) variants: Vec<Variant>,
    pub(crate) capped: bool,
}

impl Value {
    pub(crate) fn single(piece: Piece) -> Self {
        Value {
            variants: vec![Variant {
                pieces: vec![piece],
                tags: Tags::new(),
            }],
            capped: false,
        }
    }

    pub(crate) fn empty_string() -> Self {
        Value {
            variants: vec![Variant::default()],
            capped: false,
        }
    }

    pub(crate) fn concat(mut self, other: Value) -> Value {
        if other.variants.len() == 1 && other.variants[0].tags.is_empty() {
            // The common case (one unconditional way to build the right side): extend in place.
            for a in &mut self.variants {
                a.pieces.extend(other.variants[0].pieces.iter().cloned());
            }
            self.capped |= other.capped;
            return self;
        }
        let mut out = Vec::new();
        let mut capped = self.capped || other.capped;
        'outer: for a in &self.variants {
            for b in &other.variants {
                let Some(tags) = join_tags(&a.tags, &b.tags) else {
                    continue;
                };
                if out.len() >= MAX_VARIANTS {
                    capped = true;
                    break 'outer;
                }
                let mut pieces = a.pieces.clone();
                pieces.extend(b.pieces.iter().cloned());
                out.push(Variant { pieces, tags });
            }
        }
        Value {
            variants: out,
            capped,
        }
    }

    pub(crate) fn union(mut self, other: Value) -> Value {
        self.capped |= other.capped;
        for v in other.variants {
            if let Some(existing) = self.variants.iter_mut().find(|e| e.pieces == v.pieces) {
                // Built the same way under both assumptions: keep only what they share.
                existing.tags.retain(|t| v.tags.contains(t));
                continue;
            }
            if self.variants.len() >= MAX_VARIANTS {
                self.capped = true;
                break;
            }
            self.variants.push(v);
        }
        self
    }

    /// Whether any hole carries taint.
    pub(crate) fn has_taint(&self) -> bool {
        self.any_taint(|_| true)
    }

    /// Whether any hole carries a taint satisfying `f`.
    pub(crate) fn any_taint(&self, f: impl Fn(&Taint) -> bool) -> bool {
        self.variants.iter().any(|v| {
            v.pieces
                .iter()
                .any(|p| matches!(p, Piece::Hole(h) if h.taint.iter().any(&f)))
        })
    }

    /// Every taint carried by a hole of any variant.
    pub(crate) fn taints(&self) -> Vec<Taint> {
        let mut out = Vec::new();
        for v in &self.variants {
            for p in &v.pieces {
                if let Piece::Hole(h) = p {
                    add_taints(&mut out, &h.taint);
                }
            }
        }
        out
    }

    /// Record that every tainted hole passed through `step` (an assignment or a call).
    pub(crate) fn with_step(mut self, step: Span) -> Value {
        if !self.has_taint() {
            return self;
        }
        for v in &mut self.variants {
            for p in &mut v.pieces {
                if let Piece::Hole(h) = p {
                    if h.taint.is_empty() {
                        continue;
                    }
                    for t in h.taint.make_mut() {
                        if t.steps.last() != Some(&step) && t.steps.len() < MAX_STEPS {
                            t.steps.push(step);
                        }
                    }
                }
            }
        }
        self
    }

    /// Tag every variant with a branch outcome.
    pub(crate) fn tagged(mut self, tag: (u32, bool)) -> Value {
        for v in &mut self.variants {
            if let Some(tags) = join_tags(&v.tags, &vec![tag]) {
                v.tags = tags;
            }
        }
        self
    }
}

/// Does this template's leading literal text start with a SQL verb?
pub fn starts_with_sql_verb(t: &Template) -> bool {
    let mut lead = String::new();
    for p in t {
        match p {
            Piece::Text { text, .. } => lead.push_str(text),
            // A variable whose text is known here (`$verb = "UPDATE"`) counts as text.
            Piece::Hole(Hole {
                known: Some(text), ..
            }) => lead.push_str(text),
            Piece::Hole(_) => break,
        }
        if lead.len() > 256 {
            break;
        }
    }
    crate::sql::template::leading_verb(&lead).is_some()
}

/// Mark taints as passed through SQL escaping or a numeric conversion.
pub(crate) fn escaped(mut taint: Vec<Taint>) -> Vec<Taint> {
    for t in &mut taint {
        t.escaped = true;
    }
    taint
}

/// The holes of a value that carry taint.
pub(crate) fn tainted_holes(v: &Value) -> Vec<Hole> {
    let mut out = Vec::new();
    for variant in &v.variants {
        for p in &variant.pieces {
            if let Piece::Hole(h) = p {
                if !h.taint.is_empty() && !out.contains(h) {
                    out.push(h.clone());
                }
            }
        }
    }
    out
}

/// Whether a taint may stand for the tenant request parameter (decided for call results in
/// the project pass).
pub(crate) fn may_carry_tenant_param(t: &Taint) -> bool {
    match &t.origin {
        TaintOrigin::Source { kind, .. } => *kind == TaintKind::TenantParam,
        TaintOrigin::Param(_) => false,
        TaintOrigin::Call { inner, .. } => inner.as_deref().is_some_and(may_carry_tenant_param),
    }
}

/// A variant made only of holes, two or more (`$iw['write_prefix'] . $bo_table`).
pub(crate) fn is_composite_name(pieces: &[Piece]) -> bool {
    pieces.len() > 1 && pieces.iter().all(|p| matches!(p, Piece::Hole(_)))
}

/// The text of a variant made only of literal text that looks like one name or value (no
/// whitespace or quotes): `"iw_" . "member"`.
pub(crate) fn known_value(pieces: &[Piece]) -> Option<String> {
    let mut out = String::new();
    for p in pieces {
        match p {
            Piece::Text { text, .. } => out.push_str(text),
            Piece::Hole(_) => return None,
        }
    }
    let name_like = !out.is_empty()
        && out
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '$' | '-'));
    name_like.then_some(out)
}

/// A run-time value (not a SQL fragment, not a name to resolve): holes and short text with
/// no spaces or quotes, where some hole carries taint or none is a resolvable name, such as
/// `$sub . '.example.com'` or `date('Ymd') . rand()`.
pub(crate) fn is_tainted_value(pieces: &[Piece]) -> bool {
    let mut tainted = false;
    let mut names = false;
    let mut holes = 0;
    for p in pieces {
        match p {
            Piece::Text { text, .. } => {
                if text
                    .chars()
                    .any(|c| c.is_whitespace() || matches!(c, '\'' | '"' | '`'))
                {
                    return false;
                }
            }
            Piece::Hole(h) => {
                holes += 1;
                tainted |= !h.taint.is_empty();
                names |= matches!(h.expr, HoleExpr::Path(_)) && h.known.is_none();
            }
        }
    }
    tainted || (holes > 0 && !names && pieces.len() > 1)
}

/// A template as fold pieces when it is built of literal text and names only (`__DIR__ .
/// '/config.php'`, `IW_PATH . '/lib/x.php'`).
pub(crate) fn fold_pieces(pieces: &[Piece]) -> Option<Vec<FoldPiece>> {
    pieces
        .iter()
        .map(|p| Some(FoldPiece::of(p)).filter(|f| *f != FoldPiece::Opaque))
        .collect()
}

/// Add taints not already present (bounded).
pub(crate) fn add_taints(into: &mut Vec<Taint>, from: &[Taint]) {
    for t in from {
        if into.len() >= MAX_TAINTS {
            return;
        }
        if !into.iter().any(|x| x.origin == t.origin) {
            into.push(t.clone());
        }
    }
}

/// A template that is only whitespace (`""` is false in PHP).
pub(crate) fn is_blank(t: &Template) -> bool {
    t.iter().all(|p| match p {
        Piece::Text { text, .. } => text.trim().is_empty(),
        Piece::Hole(_) => false,
    })
}

pub(crate) fn single_text(v: &Value) -> Option<String> {
    if v.variants.len() != 1 {
        return None;
    }
    let mut s = String::new();
    for p in &v.variants[0].pieces {
        match p {
            Piece::Text { text, .. } => s.push_str(text),
            Piece::Hole(_) => return None,
        }
    }
    Some(s)
}

pub(crate) fn hole_label(v: &Value) -> String {
    v.variants
        .first()
        .and_then(|t| t.pieces.first())
        .map(|p| match p {
            Piece::Text { text, .. } => text.to_string(),
            Piece::Hole(h) => h.expr.display().to_string(),
        })
        .unwrap_or_default()
}

/// What a call to a project function makes of its arguments: the taints of its result (the
/// callee's own request values, and each argument's as the callee may return it, decided by its
/// summary in the project pass) and, when an argument carries taint, the [`CallFact`] for sinks
/// and checks inside the callee.
///
/// [`CallFact`]: crate::facts::CallFact
pub(crate) fn call_facts(
    callee: &crate::facts::FnKey,
    args: &[Value],
    span: Span,
    in_function: Option<crate::facts::FnKey>,
) -> (Vec<Taint>, Option<crate::facts::CallFact>) {
    let mut taint = vec![Taint::new(TaintOrigin::Call {
        callee: callee.clone(),
        arg: None,
        inner: None,
    })];
    let mut arg_holes = Vec::with_capacity(args.len());
    let mut any = false;
    for (i, v) in args.iter().enumerate() {
        let holes = tainted_holes(v);
        any |= !holes.is_empty();
        for t in v.taints() {
            if taint.len() >= MAX_TAINTS {
                break;
            }
            taint.push(Taint::new(TaintOrigin::Call {
                callee: callee.clone(),
                arg: Some(i as u32),
                inner: Some(Box::new(t)),
            }));
        }
        arg_holes.push(holes);
    }
    let call = any.then(|| crate::facts::CallFact {
        callee: callee.clone(),
        span,
        args: arg_holes,
        in_function,
    });
    (taint, call)
}

/// A part of the literal text of a format string (`sprintf`'s, `format!`'s), as the language's
/// own splitter reads it.
pub(crate) enum FormatSegment<D> {
    /// Literal text as it reads (escapes such as `%%` or `{{` undone), and the byte range of the
    /// piece's text it is written in.
    Text(String, std::ops::Range<usize>),
    /// A directive standing for an argument (`%s`, `{name}`), and the byte range it is written in.
    Directive(D, std::ops::Range<usize>),
}

/// Where a directive of a format string is written: the text of the piece it is in, its range
/// there, where that piece starts in the source, and whether the piece maps byte for byte.
pub(crate) struct DirectiveAt<'a> {
    pub(crate) text: &'a str,
    pub(crate) range: std::ops::Range<usize>,
    pub(crate) src: usize,
    pub(crate) linear: bool,
}

impl DirectiveAt<'_> {
    /// Where the directive starts in the source (the piece's start when it does not map byte
    /// for byte).
    pub(crate) fn start(&self) -> usize {
        if self.linear {
            self.src + self.range.start
        } else {
            self.src
        }
    }

    /// The directive as written.
    pub(crate) fn written(&self) -> &str {
        &self.text[self.range.clone()]
    }
}

/// A format string's value with its directives replaced: for each way the format may read, its
/// literal text is kept (located in the source while it maps byte for byte) and each directive
/// is replaced by what `expand` gives for it. `split` reads the literal text of a piece;
/// `expand` is given a counter of the arguments taken in order, from 0 for each way.
pub(crate) fn expand_format<D>(
    format: &Value,
    split: impl Fn(&str) -> Vec<FormatSegment<D>>,
    mut expand: impl FnMut(&D, &DirectiveAt<'_>, &mut usize) -> Value,
) -> Value {
    let mut out = Value::default();
    for variant in &format.variants {
        let mut built = Value {
            variants: vec![Variant {
                pieces: Vec::new(),
                tags: variant.tags.clone(),
            }],
            capped: false,
        };
        let mut next = 0usize;
        for piece in &variant.pieces {
            let Piece::Text { text, src, linear } = piece else {
                built = built.concat(Value::single(piece.clone()));
                continue;
            };
            let (text, src, linear) = (&**text, *src, *linear);
            for segment in split(text) {
                match segment {
                    FormatSegment::Text(literal, range) => {
                        let same = text.get(range.clone()) == Some(literal.as_str());
                        built = built.concat(Value::single(Piece::Text {
                            text: literal.into(),
                            src: if linear { src + range.start } else { src },
                            linear: linear && same,
                        }));
                    }
                    FormatSegment::Directive(directive, range) => {
                        let at = DirectiveAt {
                            text,
                            range,
                            src,
                            linear,
                        };
                        built = built.concat(expand(&directive, &at, &mut next));
                    }
                }
            }
        }
        out = out.union(built);
    }
    out
}

//! Conditions: interning them so that `if`s on the same condition are correlated, recording
//! branch arms, and refining the environment by what a condition proves (a tenant check that
//! leaves on mismatch, a validating regex, an emptiness test).

use std::sync::Arc;

use tree_sitter::Node;

use super::PhpKind as _;

use super::builtins::regex_capture_safety;
use super::{collapse_whitespace, span_of, Lowerer, FIELDS};
use crate::facts::{Piece, Taint, TaintKind, TaintOrigin};
use crate::lang::env::{Env, State, VarState};
use crate::lang::value::is_blank;

/// Whether two operands are the same text, whitespace aside.
fn same_operand(a: &str, b: &str) -> bool {
    a.chars()
        .filter(|c| !c.is_whitespace())
        .eq(b.chars().filter(|c| !c.is_whitespace()))
}

/// `exit`, `die(…)` and `throw` end the path that reaches them.
pub(super) fn ends_path(stmt: Node, src: &str, never_return: &[String]) -> bool {
    let Some(e) = stmt.named_child(0) else {
        return false;
    };
    match e.kind_name() {
        "throw_expression" | "exit_statement" => true,
        "function_call_expression" => e
            .child_by_field_id(FIELDS.function)
            .and_then(|f| src.get(f.start_byte()..f.end_byte()))
            .is_some_and(|name| {
                let name = name.trim_start_matches('\\').to_ascii_lowercase();
                matches!(name.as_str(), "die" | "exit") || never_return.contains(&name)
            }),
        _ => false,
    }
}

/// Whether the parentheses of a condition text balance (so `(a) && (b)` is not unwrapped).
fn balanced(text: &str) -> bool {
    let mut depth = 0i32;
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}

impl<'s> Lowerer<'s> {
    /// A condition as written, for messages: outer parentheses dropped, whitespace collapsed,
    /// long ones shortened.
    pub(super) fn condition_text(&self, n: Node) -> Arc<str> {
        let mut n = n;
        while n.kind_name() == "parenthesized_expression" && n.named_child_count() == 1 {
            match n.named_child(0) {
                Some(inner) => n = inner,
                None => break,
            }
        }
        collapse_whitespace(self.text(n), 60).into()
    }

    /// Remember that `body` runs only under `conditions` (once per arm, however often the
    /// lowering walks it).
    pub(super) fn record_branch(
        &mut self,
        group: Node,
        body: Node,
        conditions: Vec<(Arc<str>, bool)>,
    ) {
        let span = span_of(body);
        if self.branch_spans.insert((span.start, span.end)) {
            self.facts.branches.push(crate::facts::BranchArm {
                group: group.start_byte(),
                body: span,
                conditions,
            });
        }
    }

    /// Identity of a condition by its text (whitespace and outer negations stripped), and
    /// whether it is the positive form.
    pub(super) fn condition_id(&mut self, cond: Node) -> (u32, bool) {
        let mut text: String = self
            .text(cond)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let mut positive = true;
        loop {
            if let Some(inner) = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
                if balanced(inner) {
                    text = inner.to_string();
                    continue;
                }
            }
            if let Some(inner) = text.strip_prefix('!') {
                if !inner.starts_with('=') {
                    positive = !positive;
                    text = inner.to_string();
                    continue;
                }
            }
            break;
        }
        let next = self.conditions.len() as u32;
        (*self.conditions.entry(text).or_insert(next), positive)
    }

    /// Strip parentheses and `!` from a condition, flipping the branch outcome for each `!`.
    fn unwrap_condition(&self, cond: Node<'s>, truthy: bool) -> Option<(Node<'s>, bool)> {
        let mut node = cond;
        let mut truthy = truthy;
        loop {
            match node.kind_name() {
                "parenthesized_expression" => node = node.named_child(0)?,
                "unary_op_expression" if self.text(node).trim_start().starts_with('!') => {
                    node = node.named_child(0)?;
                    truthy = !truthy;
                }
                _ => return Some((node, truthy)),
            }
        }
    }

    /// What a branch of `if (cond)` proves about request values: on the branch where an
    /// anchored strict regex matched, the subject is safe in SQL (TL003); on the branch where
    /// a tenant parameter equals another value, it is checked (TL004).
    pub(super) fn validate(&mut self, cond: Node, truthy: bool, state: &mut State) {
        let Some(env) = state.as_mut() else {
            return;
        };
        // `a && b` true, or `a || b` false: both sides hold (with that outcome). Chains of
        // thousands of operands are walked with an explicit stack, not recursion.
        let mut pending = vec![(cond, truthy)];
        while let Some((cond, truthy)) = pending.pop() {
            let Some((node, truthy)) = self.unwrap_condition(cond, truthy) else {
                continue;
            };
            if node.kind_name() == "binary_expression" {
                let op = node
                    .child_by_field_id(FIELDS.operator)
                    .map(|o| self.text(o));
                let both = match op {
                    Some("&&" | "and") => truthy,
                    Some("||" | "or") => !truthy,
                    _ => false,
                };
                if both {
                    for side in [FIELDS.right, FIELDS.left] {
                        if let Some(side) = node.child_by_field_id(side) {
                            pending.push((side, truthy));
                        }
                    }
                    continue;
                }
            }
            for (operand, equal, regex) in self.comparisons(node) {
                // The branch where the operand equals another value (or matched the regex).
                // A strict regex makes a value safe in SQL text; it does not check a tenant.
                if equal == truthy {
                    let kinds: &[TaintKind] = if regex {
                        &[TaintKind::Host]
                    } else {
                        &[TaintKind::Host, TaintKind::TenantParam]
                    };
                    self.mark_checked(operand, env, kinds);
                }
            }
        }
    }

    /// The operands a condition compares with something else, and whether the condition is
    /// true when they are equal (`==`, `hash_equals`, `in_array`, strict regex) or when they
    /// differ (`!=`, `strcmp`).
    fn comparisons(&self, node: Node<'s>) -> Vec<(Node<'s>, bool, bool)> {
        let mut out = Vec::new();
        match node.kind_name() {
            "binary_expression" => {
                let (op, Some((l, r))) = self.operator_and_sides(node) else {
                    return out;
                };
                let equal = match op {
                    "==" | "===" => true,
                    "!=" | "!==" | "<>" => false,
                    _ => return out,
                };
                // `strcmp($a, $b) == 0` / `!= 0`.
                for (call, other) in [(l, r), (r, l)] {
                    if self.text(other).trim() == "0"
                        && self.call_name(call).as_deref() == Some("strcmp")
                    {
                        return self
                            .comparisons(call)
                            .into_iter()
                            .map(|(o, e, re)| (o, e != equal, re))
                            .collect();
                    }
                }
                if !same_operand(self.text(l), self.text(r)) {
                    out.push((l, equal, false));
                    out.push((r, equal, false));
                }
            }
            "function_call_expression" => {
                let name = self.call_name(node).unwrap_or_default();
                let args: Vec<Node> = node
                    .child_by_field_id(FIELDS.arguments)
                    .map(|a| {
                        let mut c = a.walk();
                        a.named_children(&mut c)
                            .filter(|x| x.kind_name() == "argument")
                            .filter_map(|x| x.named_child(0))
                            .collect()
                    })
                    .unwrap_or_default();
                match (name.as_str(), args.as_slice()) {
                    ("hash_equals", [a, b]) | ("strcmp", [a, b])
                        if !same_operand(self.text(*a), self.text(*b)) =>
                    {
                        let equal = name == "hash_equals";
                        out.push((*a, equal, false));
                        out.push((*b, equal, false));
                    }
                    ("in_array", [a, list, ..])
                        if list.kind_name() == "array_creation_expression"
                            || list.kind_name().ends_with("name")
                            || list.kind_name() == "variable_name" =>
                    {
                        out.push((*a, true, false));
                    }
                    ("preg_match", [pattern, subject, ..]) => {
                        let literal = match pattern.kind_name() {
                            "string" | "encapsed_string" => {
                                let mut c = pattern.walk();
                                let parts: Vec<Node> = pattern.named_children(&mut c).collect();
                                parts
                                    .iter()
                                    .all(|p| {
                                        matches!(
                                            p.kind_name(),
                                            "string_content" | "escape_sequence"
                                        )
                                    })
                                    .then(|| {
                                        parts.iter().map(|p| self.text(*p)).collect::<String>()
                                    })
                            }
                            _ => None,
                        };
                        if let Some(re) = literal {
                            let safety = regex_capture_safety(&re);
                            if safety.anchored && safety.whole {
                                out.push((*subject, true, true));
                            }
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
        out
    }

    fn call_name(&self, n: Node) -> Option<String> {
        (n.kind_name() == "function_call_expression")
            .then(|| n.child_by_field_id(FIELDS.function))
            .flatten()
            .map(|f| self.text(f).trim_start_matches('\\').to_ascii_lowercase())
    }

    /// After a check, the value of `operand` is safe: a request value read again is clean, a
    /// variable holding one no longer carries its taint.
    pub(super) fn mark_checked(&mut self, operand: Node, env: &mut Env, kinds: &[TaintKind]) {
        let Some(path) = self.path_of(operand) else {
            return;
        };
        if self.source_kind(&path).is_some_and(|k| kinds.contains(&k)) {
            self.note_parents(&path);
            env.insert(
                path.into(),
                Arc::new(VarState {
                    checked: true,
                    ..VarState::default()
                }),
            );
            return;
        }
        if let Some(var) = env.get_mut(path.as_str()) {
            // Only a variable carrying a tracked value changes; do not copy the others.
            if var.unknown_taint.is_empty() && !var.value.has_taint() {
                return;
            }
            let var = Arc::make_mut(var);
            let removable = |t: &Taint| match t.origin {
                TaintOrigin::Source { kind, .. } => kinds.contains(&kind),
                // A parameter compared and left on mismatch: the function checks it.
                TaintOrigin::Param(_) => kinds.contains(&TaintKind::TenantParam),
                TaintOrigin::Call { .. } => true,
            };
            // A strict regex makes any value safe in SQL text (a parameter of a helper such as
            // `db_input()` too) but checks no tenant: its taints are kept, as escaped. A
            // comparison checks the value: its taints go.
            let regex_only = !kinds.contains(&TaintKind::TenantParam);
            let apply = |taints: &mut Vec<Taint>| {
                if regex_only {
                    taints.iter_mut().for_each(|t| t.escaped = true);
                } else {
                    taints.retain(|t| !removable(t));
                }
            };
            if !regex_only {
                var.checked = true;
            }
            apply(&mut var.unknown_taint);
            for v in &mut var.value.variants {
                for p in &mut v.pieces {
                    if let Piece::Hole(h) = p {
                        if !h.taint.is_empty() {
                            apply(h.taint.make_mut());
                        }
                    }
                }
            }
        }
    }

    /// Narrow what a variable may hold on a branch of `if ($x)`, `if (!$x)`, `if (empty($x))`,
    /// `if (isset($x))`: on the branch where `$x` is truthy it is neither empty nor unset. This
    /// keeps `if (!$sst) $sst = "id";` from producing a query with an empty ORDER BY.
    pub(super) fn refine(&self, cond: Node, truthy: bool, state: &mut State) {
        let Some(env) = state.as_mut() else {
            return;
        };
        let mut node = cond;
        let mut truthy = truthy;
        loop {
            let Some((inner, t)) = self.unwrap_condition(node, truthy) else {
                return;
            };
            (node, truthy) = (inner, t);
            match node.kind_name() {
                "function_call_expression" => {
                    let name = node
                        .child_by_field_id(FIELDS.function)
                        .map(|f| self.text(f).to_ascii_lowercase())
                        .unwrap_or_default();
                    let arg = node
                        .child_by_field_id(FIELDS.arguments)
                        .and_then(|a| a.named_child(0))
                        .and_then(|a| a.named_child(0));
                    match (name.as_str(), arg) {
                        ("empty", Some(a)) => {
                            node = a;
                            truthy = !truthy;
                        }
                        ("isset", Some(a)) if truthy => node = a,
                        _ => return,
                    }
                }
                "isset_expression" | "empty_expression" => return,
                _ => break,
            }
        }
        if !truthy {
            return;
        }
        let Some(path) = self.path_of(node) else {
            return;
        };
        if let Some(var) = env.get_mut(path.as_str()) {
            let var = Arc::make_mut(var);
            var.maybe_unset = false;
            var.value.variants.retain(|v| !is_blank(&v.pieces));
        }
    }
}

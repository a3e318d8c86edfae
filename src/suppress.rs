//! Inline suppressions: `// tenantlint-ignore TL001: super-admin screen reads all tenants`.
//!
//! A directive names the rules it silences and must give a reason. A line directive applies to
//! a finding whose text or whose query's run is on the code it covers (its own line, the
//! statement it ends or that starts on its line, or — on a line of its own — the next line and
//! the statement starting there, whole); `tenantlint-ignore-file` applies to the whole file. A
//! directive without a reason or naming no known rule suppresses nothing, and it — like one
//! that matches no finding — is reported as TL900.

use crate::facts::{FileFacts, Span, SuppressionComment};
use crate::rules::{Finding, Rule};

/// The text that marks a directive.
pub const MARKER: &str = "tenantlint-ignore";

/// A directive, read from a comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// `tenantlint-ignore-file`: the whole file.
    pub file_level: bool,
    pub rules: Vec<Rule>,
    pub reason: String,
}

/// Read the directive in a comment: `None` when the comment holds none (`tenantlint-ignored`
/// is prose), `Err` with what is wrong when it is malformed.
pub fn parse(comment: &str) -> Option<Result<Directive, String>> {
    let at = comment.find(MARKER)?;
    let mut rest = &comment[at + MARKER.len()..];
    let file_level = match rest.strip_prefix("-file") {
        Some(r) => {
            rest = r;
            true
        }
        None => false,
    };
    if rest
        .chars()
        .next()
        .is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_')
    {
        return None;
    }
    let rest = rest.trim_end();
    let rest = rest.strip_suffix("*/").unwrap_or(rest);
    let (codes, reason) = match rest.split_once(':') {
        Some((codes, reason)) => (codes, Some(reason.trim())),
        None => (rest, None),
    };
    let mut rules = Vec::new();
    for code in codes.split([',', ' ', '\t']).filter(|c| !c.is_empty()) {
        match Rule::from_code(code) {
            Some(Rule::InvalidSuppression) | None => {
                return Some(Err(format!(
                    "`{code}` is not a rule that can be suppressed"
                )))
            }
            Some(rule) if !rules.contains(&rule) => rules.push(rule),
            Some(_) => {}
        }
    }
    if rules.is_empty() {
        return Some(Err(
            "the directive names no rule: write the codes it silences, e.g. `tenantlint-ignore TL001: why`"
                .into(),
        ));
    }
    match reason.filter(|r| r.chars().any(char::is_alphanumeric)) {
        Some(reason) => Some(Ok(Directive {
            file_level,
            rules,
            reason: reason.to_string(),
        })),
        None => Some(Err(
            "the directive gives no reason, so it suppresses nothing: write `tenantlint-ignore TL001: why`"
                .into(),
        )),
    }
}

/// A finding silenced by a directive.
#[derive(Debug, Clone)]
pub struct Suppressed {
    pub finding: Finding,
    pub reason: String,
    /// The comment holding the directive (in the finding's file).
    pub comment: Span,
}

/// What [`apply`] leaves.
#[derive(Debug, Default)]
pub struct Applied {
    pub findings: Vec<Finding>,
    pub suppressed: Vec<Suppressed>,
    /// TL900 findings: malformed directives and rules a directive names but matches nothing.
    pub invalid: Vec<Finding>,
}

/// Split `findings` into those that stay and those a directive of their file silences, and
/// report every directive that is malformed or silences nothing.
/// A rule `enabled` rejects never counts as a directive matching nothing.
pub fn apply(
    findings: Vec<Finding>,
    facts: &[FileFacts],
    enabled: &dyn Fn(Rule) -> bool,
) -> Applied {
    struct Parsed<'a> {
        comment: &'a SuppressionComment,
        directive: Directive,
        used: Vec<bool>,
    }
    let mut out = Applied::default();
    let mut directives: Vec<Vec<Parsed>> = Vec::with_capacity(facts.len());
    for (file, f) in facts.iter().enumerate() {
        let mut parsed = Vec::new();
        for comment in &f.suppressions {
            match parse(&comment.text) {
                None => {}
                Some(Ok(directive)) => parsed.push(Parsed {
                    comment,
                    used: vec![false; directive.rules.len()],
                    directive,
                }),
                Some(Err(why)) => out.invalid.push(invalid(file, comment.span, why)),
            }
        }
        directives.push(parsed);
    }
    for finding in findings {
        let covered = |d: &Parsed| {
            d.directive.file_level
                || d.comment.covers.iter().any(|c| {
                    std::iter::once(finding.span)
                        .chain(finding.exec)
                        .any(|s| c.start <= s.start && s.start < c.end.max(c.start + 1))
                })
        };
        let hit = directives[finding.file].iter_mut().find_map(|d| {
            let i = d.directive.rules.iter().position(|r| *r == finding.rule)?;
            covered(d).then_some((d, i))
        });
        match hit {
            Some((d, i)) => {
                d.used[i] = true;
                out.suppressed.push(Suppressed {
                    reason: d.directive.reason.clone(),
                    comment: d.comment.span,
                    finding,
                });
            }
            None => out.findings.push(finding),
        }
    }
    for (file, parsed) in directives.iter().enumerate() {
        for d in parsed {
            let unused: Vec<&str> = d
                .directive
                .rules
                .iter()
                .zip(&d.used)
                .filter(|(rule, used)| !**used && enabled(**rule))
                .map(|(r, _)| r.code())
                .collect();
            if !unused.is_empty() {
                out.invalid.push(invalid(
                    file,
                    d.comment.span,
                    format!(
                        "the suppression of {} matches no finding: remove it (or the rule code)",
                        unused.join(", ")
                    ),
                ));
            }
        }
    }
    out
}

fn invalid(file: usize, span: Span, message: String) -> Finding {
    Finding {
        rule: Rule::InvalidSuppression,
        file,
        span,
        exec: None,
        message,
        label: "this directive".into(),
        help: "`// tenantlint-ignore TL001: reason` on the finding's line or the line before; `tenantlint-ignore-file TL001: reason` for a whole file".into(),
        table: None,
        sql: None,
        fingerprint: String::new(),
        trace: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_codes_and_reason() {
        assert_eq!(
            parse("// tenantlint-ignore TL001, TL003: super-admin screen"),
            Some(Ok(Directive {
                file_level: false,
                rules: vec![Rule::MissingTenantFilter, Rule::UnescapedHostInSql],
                reason: "super-admin screen".into(),
            }))
        );
        assert_eq!(
            parse("/* tenantlint-ignore-file TL002: migration script */"),
            Some(Ok(Directive {
                file_level: true,
                rules: vec![Rule::InsertMissingTenant],
                reason: "migration script".into(),
            }))
        );
        assert_eq!(parse("# tenantlint-ignored by design"), None);
        assert_eq!(parse("// nothing here"), None);
    }

    #[test]
    fn malformed_directives_are_errors() {
        for text in [
            "// tenantlint-ignore TL001",
            "// tenantlint-ignore TL001:",
            "// tenantlint-ignore TL001: */",
            "// tenantlint-ignore: no code",
            "// tenantlint-ignore TL123: unknown",
            "// tenantlint-ignore TL900: itself",
        ] {
            assert!(matches!(parse(text), Some(Err(_))), "{text}");
        }
    }
}

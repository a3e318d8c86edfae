//! `--format sarif`: SARIF 2.1.0, as GitHub code scanning and other SARIF viewers read it.
//!
//! One run: the tool with a rule descriptor per [`Rule`] (built from its documentation), a
//! result per finding (suppressed findings too, marked as suppressed in source), and one
//! invocation whose notifications are the queries that could not be checked and the warnings
//! about the paths. File locations are relative to `%SRCROOT%`: the top of the git work tree
//! when the project is in one (code scanning reads them so), else the project root (the
//! directory of the configuration file, else the scanned directory). Columns count Unicode
//! code points, as in every tenantlint format. The output holds no time or machine path, so
//! the same project gives the same file.

use std::collections::BTreeMap;

use serde_json::Value;
use serde_sarif::sarif;

use crate::facts::Span;
use crate::report::model::{Report, ScannedFile};
use crate::rules::{Finding, Rule, Severity};

/// The `uriBaseId` of every file location: the repository root, else the project root.
pub const SRCROOT: &str = "%SRCROOT%";

/// The key of `partialFingerprints`; the value is the finding's fingerprint (see the JSON
/// format), which does not depend on line numbers.
pub const FINGERPRINT_KEY: &str = "tenantlint/v1";

/// Render the report as a SARIF 2.1.0 log (pretty-printed JSON).
pub fn render(report: &Report) -> String {
    let log = sarif::Sarif::builder()
        .schema(sarif::SCHEMA_URL)
        .version("2.1.0")
        .runs(vec![run(report)])
        .build();
    serde_json::to_string_pretty(&log).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

fn run(report: &Report) -> sarif::Run {
    let version = env!("CARGO_PKG_VERSION");
    let driver = sarif::ToolComponent::builder()
        .name(env!("CARGO_PKG_NAME"))
        .version(version)
        .semantic_version(version)
        .rules(Rule::ALL.into_iter().map(descriptor).collect::<Vec<_>>())
        .build();
    let mut results: Vec<sarif::Result> =
        report.findings.iter().map(|f| result(report, f)).collect();
    for s in &report.suppressed {
        let mut r = result(report, &s.finding);
        r.suppressions = Some(vec![sarif::Suppression::builder()
            .kind("inSource")
            .justification(s.reason.as_str())
            .location(location(report, s.finding.file, s.comment, None))
            .build()]);
        results.push(r);
    }
    let root = sarif::ArtifactLocation::builder()
        .description(message(
            "The top of the git work tree holding the project; outside git, the project root: the directory of the configuration file (tenantlint.toml), else the scanned directory.",
        ))
        .build();
    sarif::Run::builder()
        .tool(sarif::Tool::builder().driver(driver).build())
        .invocations(vec![invocation(report)])
        .original_uri_base_ids(BTreeMap::from([(SRCROOT.to_string(), root)]))
        .results(results)
        .column_kind("unicodeCodePoints")
        .build()
}

/// The run's invocation: successful (findings are results, not failures), with a note per
/// query that could not be checked and a warning per path warning.
fn invocation(report: &Report) -> sarif::Invocation {
    let mut notes: Vec<sarif::Notification> = report
        .unanalyzed
        .iter()
        .map(|u| {
            let mut kind = BTreeMap::new();
            kind.insert("kind".to_string(), Value::from(u.kind.as_str()));
            sarif::Notification::builder()
                .level("note")
                .message(message(&u.reason))
                .locations(vec![location(report, u.file, u.span, None)])
                .properties(
                    sarif::PropertyBag::builder()
                        .additional_properties(kind)
                        .build(),
                )
                .build()
        })
        .collect();
    notes.extend(report.warnings.iter().map(|w| {
        sarif::Notification::builder()
            .level("warning")
            .message(message(w))
            .build()
    }));
    let mut invocation = sarif::Invocation::builder()
        .execution_successful(true)
        .build();
    if !notes.is_empty() {
        invocation.tool_execution_notifications = Some(notes);
    }
    // The configuration in use (`null`: the defaults), relative to `%SRCROOT%` like every
    // file: it sits at the project root.
    let config = report.summary.config.as_deref().map(|shown| {
        let name = std::path::Path::new(shown)
            .file_name()
            .map_or_else(|| shown.to_string(), |n| n.to_string_lossy().into_owned());
        match report.root_in_repo.as_deref() {
            Some(prefix) if !prefix.is_empty() => format!("{prefix}/{name}"),
            _ => name,
        }
    });
    let mut properties = BTreeMap::new();
    properties.insert(
        "config".to_string(),
        config.map_or(Value::Null, Value::from),
    );
    invocation.properties = Some(
        sarif::PropertyBag::builder()
            .additional_properties(properties)
            .build(),
    );
    invocation
}

fn result(report: &Report, finding: &Finding) -> sarif::Result {
    let mut properties = BTreeMap::new();
    if let Some(table) = &finding.table {
        properties.insert("table".to_string(), Value::from(table.as_str()));
    }
    if let Some(sql) = &finding.sql {
        properties.insert("sql".to_string(), Value::from(sql.as_str()));
    }
    let mut result = sarif::Result::builder()
        .rule_id(finding.rule.code())
        .rule_index(rule_index(finding.rule))
        .level(match finding.rule.severity() {
            Severity::Error => sarif::ResultLevel::Error,
            Severity::Warning => sarif::ResultLevel::Warning,
        })
        .message(message(&finding.message))
        .locations(vec![location(report, finding.file, finding.span, None)])
        .partial_fingerprints(BTreeMap::from([(
            FINGERPRINT_KEY.to_string(),
            finding.fingerprint.clone(),
        )]))
        .build();
    if let Some(exec) = finding.exec.filter(|e| *e != finding.span) {
        let mut related = location(report, finding.file, exec, Some("query run here"));
        related.id = Some(1);
        result.related_locations = Some(vec![related]);
    }
    if !finding.trace.is_empty() {
        let steps = finding
            .trace
            .iter()
            .map(|step| {
                sarif::ThreadFlowLocation::builder()
                    .location(location(report, step.file, step.span, Some(&step.note)))
                    .build()
            })
            .collect::<Vec<_>>();
        result.code_flows = Some(vec![sarif::CodeFlow::builder()
            .thread_flows(vec![sarif::ThreadFlow::builder().locations(steps).build()])
            .build()]);
    }
    if !properties.is_empty() {
        result.properties = Some(
            sarif::PropertyBag::builder()
                .additional_properties(properties)
                .build(),
        );
    }
    result
}

/// The index of `rule` in `tool.driver.rules`.
fn rule_index(rule: Rule) -> i64 {
    Rule::ALL
        .iter()
        .position(|r| *r == rule)
        .and_then(|i| i64::try_from(i).ok())
        .unwrap_or(-1)
}

fn message(text: &str) -> sarif::Message {
    sarif::Message::builder().text(text).build()
}

/// A location in a scanned file, with a region from `span`.
fn location(report: &Report, file: usize, span: Span, note: Option<&str>) -> sarif::Location {
    let file = &report.files[file];
    let start = file.line_col(span.start);
    let end = file.line_col(span.end);
    let region = sarif::Region::builder()
        .start_line(as_i64(start.line))
        .start_column(as_i64(start.column))
        .end_line(as_i64(end.line))
        .end_column(as_i64(end.column))
        .build();
    let physical = sarif::PhysicalLocation::builder()
        .artifact_location(artifact(file, report.root_in_repo.as_deref()))
        .region(region)
        .build();
    let mut location = sarif::Location::builder()
        .physical_location(physical)
        .build();
    location.message = note.map(message);
    location
}

fn as_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A file relative to `%SRCROOT%` — the top of the git work tree when the project is in one
/// (`in_repo`: where the project root sits in it), else the project root; a file outside the
/// project root by the path shown elsewhere (a `file:` URI when that path is absolute).
fn artifact(file: &ScannedFile, in_repo: Option<&str>) -> sarif::ArtifactLocation {
    match &file.root_relative {
        Some(relative) => sarif::ArtifactLocation::builder()
            .uri(encode_uri_path(&match in_repo {
                Some(prefix) if !prefix.is_empty() => format!("{prefix}/{relative}"),
                _ => relative.clone(),
            }))
            .uri_base_id(SRCROOT)
            .build(),
        None => {
            let shown = &file.display;
            let uri = if shown.starts_with('/') {
                format!("file://{}", encode_uri_path(shown))
            } else if shown.as_bytes().get(1) == Some(&b':') {
                // `C:/…` as shown on Windows.
                format!("file:///{}", encode_uri_path(shown))
            } else {
                encode_uri_path(shown)
            };
            sarif::ArtifactLocation::builder().uri(uri).build()
        }
    }
}

/// A `/`-separated path as the path of a URI reference: every byte but the unreserved
/// characters, `/` and a few safe delimiters is percent-encoded (`:` too, so that a first
/// segment holding one is not read as a scheme).
pub fn encode_uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The rule's descriptor: names, descriptions and help from its documentation, the default
/// level, and the properties GitHub code scanning reads (`security-severity`, `precision`,
/// `tags`).
fn descriptor(rule: Rule) -> sarif::ReportingDescriptor {
    let doc = rule.doc();
    let what = section(doc, "What it does");
    let (security_severity, precision, extra_tags): (&str, &str, &[&str]) = match rule {
        Rule::AnalysisError => ("4.0", "high", &["analysis"]),
        Rule::MissingTenantFilter => ("8.0", "high", &["sql", "tenant-isolation"]),
        Rule::InsertMissingTenant => ("7.0", "high", &["sql", "tenant-isolation"]),
        Rule::UnescapedHostInSql => (
            "8.0",
            "high",
            &["sql", "injection", "taint", "external/cwe/cwe-089"],
        ),
        Rule::UncheckedTenantParam => (
            "7.0",
            "medium",
            &["tenant-isolation", "taint", "external/cwe/cwe-639"],
        ),
        Rule::InvalidSuppression => ("1.0", "high", &["suppression"]),
    };
    let level = rule.severity().as_str();
    let tags: Vec<String> = ["security", "multi-tenant"]
        .iter()
        .chain(extra_tags)
        .map(|t| t.to_string())
        .collect();
    let properties = BTreeMap::from([
        (
            "security-severity".to_string(),
            Value::from(security_severity),
        ),
        ("precision".to_string(), Value::from(precision)),
        ("problem.severity".to_string(), Value::from(level)),
    ]);
    sarif::ReportingDescriptor::builder()
        .id(rule.code())
        .name(rule.name())
        .short_description(
            sarif::MultiformatMessageString::builder()
                .text(first_sentence(what))
                .build(),
        )
        .full_description(
            sarif::MultiformatMessageString::builder()
                .text(what)
                .markdown(what)
                .build(),
        )
        .help(
            sarif::MultiformatMessageString::builder()
                .text(doc)
                .markdown(doc)
                .build(),
        )
        .default_configuration(
            sarif::ReportingConfiguration::builder()
                .level(level)
                .build(),
        )
        .properties(
            sarif::PropertyBag::builder()
                .tags(tags)
                .additional_properties(properties)
                .build(),
        )
        .build()
}

/// The text of the `## {heading}` section of a Markdown document, trimmed.
fn section<'a>(doc: &'a str, heading: &str) -> &'a str {
    let marker = format!("## {heading}\n");
    let Some(at) = doc.find(&marker) else {
        return "";
    };
    let body = &doc[at + marker.len()..];
    let end = body.find("\n## ").unwrap_or(body.len());
    body[..end].trim()
}

/// The first sentence of a Markdown text, on one line: up to the first `.` outside a code
/// span that ends a sentence, within the first paragraph. A paragraph that ends with `:`
/// (introducing a list) ends with `.` instead.
fn first_sentence(text: &str) -> String {
    let paragraph = text.split("\n\n").next().unwrap_or("");
    let joined = paragraph.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut in_code = false;
    let mut end = joined.len();
    let mut chars = joined.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '`' => in_code = !in_code,
            '.' if !in_code && chars.peek().is_none_or(|(_, n)| *n == ' ') => {
                end = i + 1;
                break;
            }
            _ => {}
        }
    }
    let sentence = &joined[..end];
    match sentence.strip_suffix(':') {
        Some(lead) => format!("{lead}."),
        None => sentence.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_descriptions_are_the_first_sentence_of_what_it_does() {
        assert_eq!(
            first_sentence("Reports a value. Then more.\nAnd more."),
            "Reports a value."
        );
        assert_eq!(
            first_sentence("Checks `a.b` and\nwraps (`x`).\n\nNext paragraph."),
            "Checks `a.b` and wraps (`x`)."
        );
        assert_eq!(
            first_sentence("Reports a directive that does not do what it says:\n\n- one"),
            "Reports a directive that does not do what it says."
        );
        for rule in Rule::ALL {
            let what = section(rule.doc(), "What it does");
            assert!(!what.is_empty(), "{rule}: no `What it does` section");
            let short = first_sentence(what);
            assert!(
                short.ends_with('.') && short.len() < what.len().max(2) + 1,
                "{rule}: {short}"
            );
            assert!(!short.contains('\n'), "{rule}: {short}");
        }
    }

    #[test]
    fn uri_paths_are_percent_encoded() {
        assert_eq!(
            encode_uri_path("adm/member list.php"),
            "adm/member%20list.php"
        );
        assert_eq!(encode_uri_path("a:b,c%.php"), "a%3Ab,c%25.php");
        assert_eq!(encode_uri_path("회원.php"), "%ED%9A%8C%EC%9B%90.php");
    }
}

//! Machine formats for CI systems: SARIF 2.1.0, GitHub Actions annotations and JUnit XML.

use crate::{Diagnostic, Severity};
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use std::fmt::Write as _;

/// What a SARIF report says about each rule.
#[derive(Debug, Clone)]
pub struct RuleInfo {
    /// Code (`FG101`).
    pub code: String,
    /// Kebab-case name.
    pub name: String,
    /// One line.
    pub summary: String,
    /// Markdown documentation.
    pub doc: String,
    /// Default severity.
    pub default_severity: Severity,
}

/// The producing tool.
#[derive(Debug, Clone)]
pub struct ToolInfo {
    /// Tool name.
    pub name: String,
    /// Tool version.
    pub version: String,
    /// Where to learn about it.
    pub information_uri: String,
}

fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn sarif_location(location: &crate::Location) -> serde_json::Value {
    serde_json::json!({
        "physicalLocation": {
            "artifactLocation": { "uri": location.path.replace('\\', "/"), "uriBaseId": "%SRCROOT%" },
            "region": {
                "startLine": location.start.line,
                "startColumn": location.start.column,
                "endLine": location.end.line,
                "endColumn": location.end.column.max(1),
                "charOffset": location.span.start,
                "charLength": location.span.end.saturating_sub(location.span.start),
            }
        }
    })
}

/// A SARIF 2.1.0 log with one run. Columns count Unicode code points (`columnKind`).
pub fn render_sarif(
    diagnostics: &[Diagnostic],
    rules: &[RuleInfo],
    tool: &ToolInfo,
) -> serde_json::Value {
    let rule_index = |code: &str| rules.iter().position(|r| r.code == code);
    let results: Vec<_> = crate::masked(diagnostics)
        .iter()
        .map(|d| {
            let mut result = serde_json::json!({
                "ruleId": d.code,
                "level": sarif_level(d.severity),
                "message": { "text": match &d.help {
                    Some(help) => format!("{}\n{help}", d.message),
                    None => d.message.clone(),
                } },
            });
            if let Some(index) = rule_index(&d.code) {
                result["ruleIndex"] = serde_json::json!(index);
            }
            if let Some(location) = &d.location {
                result["locations"] = serde_json::json!([sarif_location(location)]);
                result["partialFingerprints"] = serde_json::json!({
                    "flowgate/v1": format!("{}:{}:{}", d.code, location.path, d.message),
                });
            }
            if !d.related.is_empty() {
                let related: Vec<_> = d
                    .related
                    .iter()
                    .enumerate()
                    .map(|(i, r)| {
                        let mut value = sarif_location(&r.location);
                        value["id"] = serde_json::json!(i);
                        value["message"] = serde_json::json!({ "text": r.message });
                        value
                    })
                    .collect();
                result["relatedLocations"] = serde_json::json!(related);
            }
            result
        })
        .collect();
    let rules: Vec<_> = rules
        .iter()
        .map(|r| {
            serde_json::json!({
                "id": r.code,
                "name": r.name,
                "shortDescription": { "text": r.summary },
                "fullDescription": { "text": r.summary },
                "help": { "text": r.doc, "markdown": r.doc },
                "helpUri": format!("{}/blob/main/docs/rules.md#{}", tool.information_uri, r.code.to_lowercase()),
                "defaultConfiguration": { "level": sarif_level(r.default_severity) },
            })
        })
        .collect();
    serde_json::json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": tool.name,
                "version": tool.version,
                "informationUri": tool.information_uri,
                "rules": rules,
            } },
            "originalUriBaseIds": { "%SRCROOT%": { "uri": "./" } },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// GitHub Actions workflow commands (`::error file=…,line=…::message`), one per line.
pub fn render_github(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in &crate::masked(diagnostics) {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let title = match &d.label {
            Some(label) => format!("{} {label}", d.code),
            None => d.code.clone(),
        };
        let mut properties = Vec::new();
        if let Some(l) = &d.location {
            properties.push(format!("file={}", escape_property(&l.path)));
            properties.push(format!("line={}", l.start.line));
            properties.push(format!("col={}", l.start.column));
            properties.push(format!("endLine={}", l.end.line));
            properties.push(format!("endColumn={}", l.end.column));
        }
        properties.push(format!("title={}", escape_property(&title)));
        let message = match &d.help {
            Some(help) => format!("{}\n{help}", d.message),
            None => d.message.clone(),
        };
        let _ = writeln!(
            out,
            "::{command} {}::{}",
            properties.join(","),
            escape_data(&message)
        );
    }
    out
}

/// JUnit XML: one test suite per file, one test case per finding. Only errors are failures:
/// a warning or an info is a passing test case whose `system-out` holds the finding, so a CI
/// dashboard is red exactly when `flowgate check` fails on errors. Every file of `checked`
/// without findings is a passing test case too, and a report with no file at all has one
/// passing case, so dashboards show the check ran.
pub fn render_junit(diagnostics: &[Diagnostic], checked: &[String], suite: &str) -> String {
    let diagnostics = crate::masked(diagnostics);
    let mut files: Vec<(&str, Vec<&Diagnostic>)> = Vec::new();
    for d in &diagnostics {
        let path = d
            .location
            .as_ref()
            .map_or("(workspace)", |l| l.path.as_str());
        match files.iter_mut().find(|(p, _)| *p == path) {
            Some((_, list)) => list.push(d),
            None => files.push((path, vec![d])),
        }
    }
    let clean: Vec<&str> = checked
        .iter()
        .map(String::as_str)
        .filter(|path| !files.iter().any(|(p, _)| p == path))
        .collect();
    let mut report = Report::new(suite);
    if diagnostics.is_empty() && clean.is_empty() {
        report.add_test_suite(passing_suite(suite, &["no findings"]));
    }
    for (path, list) in files {
        report.add_test_suite(junit_suite(path, &list));
    }
    if !clean.is_empty() {
        report.add_test_suite(passing_suite(suite, &clean));
    }
    report.to_string().unwrap_or_default()
}

/// A suite of test cases that pass: the files without findings.
fn passing_suite(name: &str, cases: &[&str]) -> TestSuite {
    let mut suite = TestSuite::new(name);
    for case in cases {
        let mut test = TestCase::new(*case, TestCaseStatus::success());
        test.set_classname(*case);
        suite.add_test_case(test);
    }
    suite
}

/// One file's test suite: one case per finding, errors as failures, warnings and infos as
/// passing cases that carry the finding in their output.
fn junit_suite(path: &str, list: &[&Diagnostic]) -> TestSuite {
    let mut suite = TestSuite::new(path);
    for d in list {
        let position = d
            .location
            .as_ref()
            .map(|l| format!("{}:{}", l.start.line, l.start.column))
            .unwrap_or_default();
        let text = format!(
            "{position}: {}{}",
            d.message,
            d.help
                .as_ref()
                .map(|h| format!("\n{h}"))
                .unwrap_or_default()
        );
        let status = if d.severity == Severity::Error {
            let mut failure = TestCaseStatus::non_success(NonSuccessKind::Failure);
            failure.set_message(d.message.as_str());
            failure.set_type("error");
            failure.set_description(text.as_str());
            failure
        } else {
            TestCaseStatus::success()
        };
        let mut test = TestCase::new(format!("{} {position}", d.code), status);
        test.set_classname(path);
        if d.severity != Severity::Error {
            test.set_system_out(format!("{}[{}] {text}", d.severity, d.code));
        }
        suite.add_test_case(test);
    }
    suite
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{SourceText, Span};

    #[test]
    fn junit_counts_only_errors_as_failures() {
        let source = SourceText::new("a.yaml", "kind: Tag\nid: x\n");
        let info =
            Diagnostic::new("FG604", Severity::Info, "no owner").at(&source, Span::new(0, 4));
        let checked = vec!["a.yaml".to_owned(), "b.yaml".to_owned()];
        let xml = render_junit(std::slice::from_ref(&info), &checked, "flowgate check");
        assert!(
            xml.contains("<testsuites name=\"flowgate check\" tests=\"2\" failures=\"0\""),
            "{xml}"
        );
        assert!(!xml.contains("<failure"), "{xml}");
        assert!(
            xml.contains("<system-out>info[FG604] 1:1: no owner</system-out>"),
            "{xml}"
        );
        assert!(
            xml.contains("<testcase name=\"b.yaml\" classname=\"b.yaml\""),
            "{xml}"
        );
        let error = Diagnostic::error("FG008", "no Template").at(&source, Span::new(10, 12));
        let xml = render_junit(&[info, error], &checked, "flowgate check");
        assert!(xml.contains("tests=\"3\" failures=\"1\""), "{xml}");
        let suite = xml
            .lines()
            .find(|l| l.contains("<testsuite name=\"a.yaml\""))
            .unwrap_or_default();
        assert!(
            suite.contains("tests=\"2\"") && suite.contains("failures=\"1\""),
            "{xml}"
        );
        assert_eq!(xml.matches("<failure ").count(), 1, "{xml}");
        assert!(
            xml.contains("type=\"error\">2:1: no Template</failure>"),
            "{xml}"
        );
    }

    #[test]
    fn junit_is_well_formed_xml_whatever_the_message_holds() {
        let source = SourceText::new("a.yaml", "kind: Tag\nid: x\n");
        let hostile = "\u{1b}[2K<script>&\"'\u{0}";
        let error = Diagnostic::error("FG008", hostile)
            .at(&source, Span::new(0, 4))
            .with_help(hostile);
        let xml = render_junit(&[error], &[], "flowgate check");
        assert!(!xml.contains('\u{1b}') && !xml.contains('\u{0}'), "{xml:?}");
        assert!(!xml.contains("<script>"), "{xml}");
    }

    #[test]
    fn every_machine_format_masks_secrets() {
        let token = "sk_live_51HxYzAbCdEf0123456789";
        let source = SourceText::new("w.yaml", format!("secret: \"{token}\"\n"));
        let d = Diagnostic::error("FG012", format!("`{token}` is not a secret reference"))
            .at(&source, Span::new(9, 39))
            .with_label(format!("`{token}`"))
            .with_help(format!("rotate {token}"))
            .with_secret(token);
        let list = [d];
        let tool = ToolInfo {
            name: "flowgate".into(),
            version: "0".into(),
            information_uri: "https://example.invalid".into(),
        };
        let outputs = [
            render_github(&list),
            render_junit(&list, &[], "flowgate check"),
            render_sarif(&list, &[], &tool).to_string(),
            crate::render_json(&list).to_string(),
        ];
        for output in outputs {
            assert!(!output.contains(token), "{output}");
            assert!(output.contains("sk_l…"), "{output}");
        }
    }
}

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]
//! The Magento admin REST schemas (Swagger 2.0, about 1 MB each): the removals known from
//! the release notes are found, located in the older file.

use std::path::PathBuf;

use flowgate_contract::{diff_files, Level, Report};

fn schema(version: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/magento/openapi")
        .join(format!("admin-schema-{version}.yaml"))
}

fn diff(old: &str, new: &str) -> Report {
    let (a, b) = (schema(old), schema(new));
    let (a_name, b_name) = (format!("{old}.yaml"), format!("{new}.yaml"));
    diff_files((&a, &a_name), (&b, &b_name)).unwrap()
}

/// (method, path, old line) of every operation removed without deprecation.
fn removed(report: &Report) -> Vec<(String, String, u32)> {
    report
        .findings
        .iter()
        .filter(|f| f.id.starts_with("api-path-removed") || f.id.starts_with("api-removed"))
        .map(|f| {
            let op = f.operation.clone().unwrap();
            (op.method, op.path, f.old.as_ref().unwrap().start.line)
        })
        .collect()
}

#[test]
fn magento_2_4_7_removes_quick_checkout() {
    let report = diff("2.4.6", "2.4.7");
    let removed = removed(&report);
    assert_eq!(
        removed,
        [
            (
                "POST".to_owned(),
                "/V1/quick-checkout/account-details".to_owned(),
                18059
            ),
            (
                "POST".to_owned(),
                "/V1/quick-checkout/has-account".to_owned(),
                18081
            ),
            (
                "POST".to_owned(),
                "/V1/quick-checkout/storefront/has-account".to_owned(),
                18115
            ),
        ]
    );
    for finding in report.of("api-path-removed-without-deprecation") {
        assert_eq!(finding.level, Level::Breaking);
        let old = finding.old.as_ref().unwrap();
        assert_eq!(old.path, "2.4.6.yaml");
        assert_eq!(old.start.column, 5, "at the `post:` key");
        let new = finding.new.as_ref().unwrap();
        assert_eq!(
            (new.path.as_str(), new.start.line),
            ("2.4.7.yaml", 487),
            "`paths:` of the newer file"
        );
    }
    assert!(report.of("endpoint-added").count() > 40);
}

#[test]
fn magento_2_4_8_removes_the_duo_authentication_data_endpoint() {
    let report = diff("2.4.7", "2.4.8");
    let removed = removed(&report);
    assert_eq!(removed.len(), 1, "{removed:?}");
    let (method, path, line) = &removed[0];
    assert_eq!(method, "POST");
    assert_eq!(
        path,
        "/V1/tfa/provider/duo_security/get-authentication-data"
    );
    let text = std::fs::read_to_string(schema("2.4.7")).unwrap();
    let key_line = text.lines().nth(*line as usize - 2).unwrap();
    assert!(
        key_line.contains("/V1/tfa/provider/duo_security/get-authentication-data"),
        "{key_line}"
    );
}

#[test]
fn magento_pairs_compare_without_problems_and_a_schema_against_itself_is_silent() {
    assert!(diff("2.4.8", "2.4.9").worst().is_some());
    assert!(diff("2.4.9", "2.4.9").findings.is_empty());
}

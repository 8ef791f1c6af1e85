//! Credentials in environment values. A value of `[environments.<name>.values]` is rendered
//! into deployed files, so one that lands on a credential field (`auth.secret`, a `password`,
//! a `token`, an `Authorization` header, …) must be a secret reference (`env:NAME`,
//! `vault:path#key`, as assets must), and no value may hold a literal credential: the same
//! patterns as the check for literal secrets in assets (FG502) are run over every text value.

use flowgate_check::{check, CheckConfig, CheckOptions};
use flowgate_model::SecretRef;
use serde_json::Value;
use std::path::Path;

/// Field names that hold credentials: a field whose name (lower case, `-` read as `_`) ends
/// with one of these.
const CREDENTIAL_FIELDS: &[&str] = &[
    "secret",
    "password",
    "passwd",
    "token",
    "api_key",
    "apikey",
    "private_key",
    "credential",
    "credentials",
];

/// Words that make a header name (lower case, `-` read as `_`) a credential header, besides
/// [`CREDENTIAL_FIELDS`]: `Authorization`, `X-Auth-…`, `Cookie`.
const CREDENTIAL_HEADER_WORDS: &[&str] = &["authorization", "x_auth", "cookie"];

/// The code of the check whose patterns find literal credentials in text.
const LITERAL_SECRET: &str = "FG502";

/// Whether a dotted value path (`<asset-id>.<field>…`) lands on a credential: a field named
/// like one, or a credential header under `headers`.
pub(crate) fn is_credential_path(path: &str) -> bool {
    let fields: Vec<String> = path
        .split('.')
        .skip(1)
        .map(|f| f.to_ascii_lowercase().replace('-', "_"))
        .collect();
    let named = fields
        .last()
        .is_some_and(|last| CREDENTIAL_FIELDS.iter().any(|f| last.ends_with(f)));
    let header = fields.windows(2).any(|w| {
        w[0] == "headers"
            && CREDENTIAL_FIELDS
                .iter()
                .chain(CREDENTIAL_HEADER_WORDS)
                .any(|word| w[1].contains(word))
    });
    named || header
}

/// Whether a value is a secret reference (`env:NAME`, `vault:path#key`).
pub(crate) fn is_secret_reference(value: &Value) -> bool {
    value
        .as_str()
        .is_some_and(|text| SecretRef::parse(text.trim()).is_ok())
}

/// Every leaf of a value with its dotted path below `key` (a table value sets nested fields).
pub(crate) fn leaves<'v>(key: &str, value: &'v Value, out: &mut Vec<(String, &'v Value)>) {
    match value {
        Value::Object(map) => {
            for (field, inner) in map {
                leaves(&format!("{key}.{field}"), inner, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                leaves(key, item, out);
            }
        }
        _ => out.push((key.to_owned(), value)),
    }
}

/// For each text that holds a literal credential, its index and what it holds (`a literal
/// Stripe secret key (`sk_l…`)`, masked). The texts are checked by the literal-secret check
/// itself, each as the description of an in-memory asset, so that both find the same.
pub(crate) fn literal_credentials(texts: &[&str]) -> Vec<(usize, String)> {
    if texts.is_empty() {
        return Vec::new();
    }
    let documents: Vec<(String, String)> = texts
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let document = serde_json::json!({
                "kind": "Tag", "id": format!("value-{i}"), "name": "value", "description": text,
            });
            (format!("values/{i}.json"), document.to_string())
        })
        .collect();
    let loaded = flowgate_load::load_texts(Path::new("."), &documents);
    let config = CheckConfig {
        select: vec![LITERAL_SECRET.to_owned()],
        ..CheckConfig::default()
    };
    let options = CheckOptions {
        environment: None,
        environments: &[],
        only: None,
    };
    let report = check(&loaded.model, &loaded.sources, &config, &options);
    let mut found: Vec<(usize, String)> = report
        .diagnostics
        .iter()
        .filter(|d| d.code == LITERAL_SECRET)
        .filter_map(|d| {
            let path = &d.location.as_ref()?.path;
            let index = path.strip_prefix("values/")?.strip_suffix(".json")?;
            let what = d.message.split_once(" contains ").map(|(_, w)| w);
            Some((
                index.parse().ok()?,
                what.unwrap_or("a literal credential").to_owned(),
            ))
        })
        .collect();
    found.sort();
    found.dedup_by_key(|(i, _)| *i);
    found
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn credential_paths() {
        for path in [
            "crm.auth.secret",
            "crm.headers.Authorization",
            "crm.headers.X-Api-Key",
            "db.password",
            "svc.refresh-token",
            "svc.ApiKey",
        ] {
            assert!(is_credential_path(path), "{path}");
        }
        for path in [
            "welcome.from.address",
            "crm.endpoint",
            "secret.name",
            "x.headers",
        ] {
            assert!(!is_credential_path(path), "{path}");
        }
    }

    #[test]
    fn literal_credentials_are_found_as_the_check_finds_them() {
        let key = format!("sk_live_{}", "4eC39HqLyjWDarjt");
        let texts = [
            "stage@acme.example",
            key.as_str(),
            "https://admin:hunter22@crm.example/api",
        ];
        let found = literal_credentials(&texts);
        let indices: Vec<usize> = found.iter().map(|(i, _)| *i).collect();
        assert_eq!(indices, [1, 2], "{found:?}");
        assert!(found.iter().all(|(_, what)| !what.contains("hunter22")));
        assert!(!found[0].1.contains(&key), "{found:?}");
    }
}

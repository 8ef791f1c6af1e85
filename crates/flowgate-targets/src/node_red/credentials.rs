//! Credentials: a node's `credentials` object holds secret references (`env:NAME`) in the
//! flow files and the rendering; they are resolved only when a deployment goes live, into
//! the request that carries them to the runtime's credential store.

use crate::resolve_secret;
use flowgate_model::SecretRef;
use flowgate_release::{TargetError, TargetSpec};
use serde_json::Value;

/// A credential of `nodes` whose value is a literal, not a secret reference: (node id,
/// credential name). Empty strings are allowed (nothing is set).
pub(crate) fn literal(nodes: &[Value]) -> Option<(String, String)> {
    nodes.iter().find_map(|node| {
        let creds = node.get("credentials")?.as_object()?;
        let (name, _) = creds.iter().find(|(_, v)| !is_reference_or_empty(v))?;
        let id = node.get("id").and_then(Value::as_str).unwrap_or_default();
        Some((id.to_owned(), name.clone()))
    })
}

fn is_reference_or_empty(value: &Value) -> bool {
    match value {
        Value::String(s) => s.is_empty() || SecretRef::parse(s).is_ok(),
        Value::Null => true,
        _ => false,
    }
}

/// `nodes` with every secret reference in a `credentials` object replaced by its value; the
/// error names the reference, never a value.
pub(crate) fn resolve(nodes: &[Value], spec: &TargetSpec) -> Result<Vec<Value>, TargetError> {
    let mut out = nodes.to_vec();
    for node in &mut out {
        let Some(Value::Object(creds)) = node.get_mut("credentials") else {
            continue;
        };
        for value in creds.values_mut() {
            if let Some(reference) = value.as_str().filter(|s| !s.is_empty()) {
                *value = Value::from(resolve_secret(reference, spec)?);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use serde_json::json;

    fn spec() -> TargetSpec {
        TargetSpec::NodeRed {
            url: "http://h".into(),
            auth: None,
            full: false,
        }
    }

    #[test]
    fn references_resolve_and_literals_are_found() {
        std::env::set_var("FLOWGATE_NR_UNIT_SECRET", "s3cret");
        let nodes = vec![
            json!({ "id": "a", "credentials": { "password": "env:FLOWGATE_NR_UNIT_SECRET", "user": "" } }),
        ];
        assert_eq!(literal(&nodes), None);
        let resolved = resolve(&nodes, &spec()).unwrap();
        assert_eq!(resolved[0]["credentials"]["password"], "s3cret");
        let missing =
            vec![json!({ "id": "a", "credentials": { "password": "env:FLOWGATE_NR_UNIT_UNSET" } })];
        let error = resolve(&missing, &spec()).unwrap_err();
        assert!(error.message.contains("FLOWGATE_NR_UNIT_UNSET"));
        let plain = vec![json!({ "id": "b", "credentials": { "password": "hunter2" } })];
        assert_eq!(literal(&plain), Some(("b".into(), "password".into())));
        assert_eq!(literal(&[json!({ "id": "c", "credentials": 7 })]), None);
    }
}

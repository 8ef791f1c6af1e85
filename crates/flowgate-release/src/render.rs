//! Rendering a snapshot for one environment: its overlay (name prefix, per-environment values,
//! the webhook endpoint of that environment) and its guardrails (safe-mode sending, webhook
//! redirection, throttles, caps, audience allow-list, routing flag, campaign filter) written
//! into the assets themselves, so the deployed files show what will run.

use crate::policy::Environment;
use flowgate_store::{canonical_json, Snapshot};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// A snapshot rendered for an environment: file path (relative to the bundle's directory)
/// → bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The files.
    pub files: BTreeMap<String, Vec<u8>>,
    /// The rendered documents of the non-platform assets, by asset id (for diffs).
    pub documents: BTreeMap<String, Value>,
    /// What stops the rendering from being deployable (a webhook without an endpoint there).
    pub problems: Vec<String>,
    /// Values of the environment that matched no asset of the bundle.
    pub unused_values: Vec<String>,
}

impl Rendered {
    /// The BLAKE3 hash of every file, by path.
    pub fn file_hashes(&self) -> BTreeMap<String, String> {
        self.files
            .iter()
            .map(|(path, bytes)| (path.clone(), blake3::hash(bytes).to_hex().to_string()))
            .collect()
    }

    /// One hash over every path and file hash.
    pub fn digest(&self) -> String {
        let hashes = self.file_hashes();
        blake3::hash(&canonical_json(&json!(hashes)))
            .to_hex()
            .to_string()
    }
}

/// Renders `snapshot` (whose object bytes are given by asset id) for `env`.
pub fn render(
    snapshot: &Snapshot,
    objects: &BTreeMap<String, Vec<u8>>,
    env: &Environment,
) -> Rendered {
    let platform = snapshot.manifest.get("platform_flows");
    let mut files = BTreeMap::new();
    let mut documents = BTreeMap::new();
    let mut problems = Vec::new();
    let mut used = vec![false; env.values.len()];
    for entry in &snapshot.entries {
        let Some(bytes) = objects.get(&entry.id) else {
            problems.push(format!(
                "the object of `{}` is missing from the store",
                entry.id
            ));
            continue;
        };
        if let Some(dialect) = platform
            .and_then(|p| p.get(&entry.id))
            .and_then(Value::as_str)
        {
            // Platform files are deployed exactly as frozen: the platform's own deploy
            // tooling owns their names and endpoints.
            let name = entry
                .path
                .as_deref()
                .and_then(|p| p.rsplit('/').next())
                .unwrap_or(&entry.id);
            files.insert(format!("platform/{dialect}/{name}"), bytes.clone());
            continue;
        }
        let mut document: Value = match serde_json::from_slice(bytes) {
            Ok(d) => d,
            Err(e) => {
                problems.push(format!("`{}` is not a JSON document: {e}", entry.id));
                continue;
            }
        };
        overlay(&mut document, &entry.kind, &entry.id, env, &mut problems);
        for (index, (key, value)) in env.values.iter().enumerate() {
            if let Some(path) = key
                .strip_prefix(entry.id.as_str())
                .and_then(|rest| rest.strip_prefix('.'))
            {
                set_path(&mut document, path, value.clone());
                used[index] = true;
            }
        }
        let mut text = serde_json::to_vec_pretty(&document).unwrap_or_default();
        text.push(b'\n');
        files.insert(
            format!("assets/{}/{}.json", entry.kind.to_lowercase(), entry.id),
            text,
        );
        documents.insert(entry.id.clone(), document);
    }
    let unused_values = env
        .values
        .keys()
        .zip(used)
        .filter(|(_, used)| !used)
        .map(|(key, _)| key.clone())
        .collect();
    Rendered {
        files,
        documents,
        problems,
        unused_values,
    }
}

fn overlay(
    document: &mut Value,
    kind: &str,
    id: &str,
    env: &Environment,
    problems: &mut Vec<String>,
) {
    let Some(object) = document.as_object_mut() else {
        return;
    };
    if let (Some(prefix), Some(Value::String(name))) = (&env.name_prefix, object.get_mut("name")) {
        if !name.starts_with(prefix.as_str()) {
            *name = format!("{prefix}{name}");
        }
    }
    object.insert("environment".to_owned(), Value::from(env.name.clone()));
    let g = &env.guardrails;
    match kind {
        "Webhook" => {
            let own = object
                .get("endpoints")
                .and_then(|e| e.get(&env.name))
                .cloned();
            object.remove("endpoints");
            match (&g.webhook_redirect, own) {
                (Some(redirect), own) => {
                    object.insert("endpoint".to_owned(), Value::from(redirect.clone()));
                    let mut limits = Map::new();
                    limits.insert("redirected_from".to_owned(), own.unwrap_or(Value::Null));
                    add_guardrails(object, limits);
                }
                (None, Some(own)) => {
                    object.insert("endpoint".to_owned(), own);
                }
                (None, None) => problems.push(format!(
                    "webhook `{id}` has no endpoint for `{}`: add `endpoints.{}` to it, or a \
                     `webhook_redirect` guardrail to the environment",
                    env.name, env.name
                )),
            }
        }
        "Workflow" => {
            let mut limits = Map::new();
            if let Some(n) = g.throttle_per_minute {
                limits.insert("throttle_per_minute".to_owned(), Value::from(n));
            }
            if let Some(n) = g.daily_cap {
                limits.insert("daily_cap".to_owned(), Value::from(n));
            }
            if let Some(list) = &g.audience_allow_list {
                limits.insert("audience_allow_list".to_owned(), Value::from(list.clone()));
            }
            if let Some(flag) = &g.routing_flag {
                limits.insert("routing_flag".to_owned(), Value::from(flag.clone()));
            }
            if let Some(campaign) = &g.only_campaign {
                limits.insert(
                    "only_campaign".to_owned(),
                    json!({ "utm_campaign": campaign }),
                );
            }
            let safe_mode = g.safe_mode.as_ref().map(|s| {
                let mut rule = Map::new();
                if let Some(list) = &s.seed_list {
                    rule.insert("seed_list".to_owned(), Value::from(list.clone()));
                }
                if !s.internal_domains.is_empty() {
                    rule.insert("internal_domains".to_owned(), json!(s.internal_domains));
                }
                Value::Object(rule)
            });
            if let (Some(safe_mode), Some(Value::Array(steps))) =
                (&safe_mode, object.get_mut("steps"))
            {
                for step in steps.iter_mut().filter_map(Value::as_object_mut) {
                    let sends = matches!(
                        step.get("type").and_then(Value::as_str),
                        Some("send_email" | "send_sms")
                    );
                    if sends {
                        step.insert("recipients".to_owned(), safe_mode.clone());
                    }
                }
            }
            if let Some(safe_mode) = safe_mode {
                limits.insert("safe_mode".to_owned(), safe_mode);
            }
            if !limits.is_empty() {
                add_guardrails(object, limits);
            }
        }
        _ => {}
    }
}

fn add_guardrails(object: &mut Map<String, Value>, limits: Map<String, Value>) {
    let mut current = match object.remove("guardrails") {
        Some(Value::Object(map)) => map,
        _ => Map::new(),
    };
    current.extend(limits);
    object.insert("guardrails".to_owned(), Value::Object(current));
}

/// Sets `value` at a dotted `path`, creating objects on the way (an existing non-object on
/// the way is replaced).
fn set_path(document: &mut Value, path: &str, value: Value) {
    let mut here = document;
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        if !here.is_object() {
            *here = Value::Object(Map::new());
        }
        let Value::Object(map) = here else {
            return;
        };
        if parts.peek().is_none() {
            map.insert(part.to_owned(), value);
            return;
        }
        here = map
            .entry(part.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn dotted_paths_create_what_is_missing() {
        let mut doc = json!({ "from": { "name": "Acme" } });
        set_path(&mut doc, "from.address", json!("stage@acme.example"));
        set_path(&mut doc, "auth.secret", json!("env:X"));
        assert_eq!(
            doc,
            json!({ "from": { "name": "Acme", "address": "stage@acme.example" }, "auth": { "secret": "env:X" } })
        );
    }
}

//! Rendering a snapshot for one environment: its overlay (name prefix, per-environment values,
//! the webhook endpoint of that environment) and its guardrails (safe-mode sending, webhook
//! redirection, throttles, caps, audience allow-list, routing flag, campaign filter) written
//! into the assets themselves, so the deployed files show what will run.

use crate::dotted::set_path;
use crate::error::{Cap, ReleaseError, TooLarge};
use crate::paths::join_parts;
use crate::policy::Environment;
use flowgate_store::{canonical_json, Entry, Snapshot};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// The most files one rendering may hold. Real bundles hold hundreds of assets; a snapshot
/// with more entries than this is refused before anything is rendered.
pub const MAX_RENDERED_FILES: usize = 50_000;

/// The most bytes one rendering may hold (1 GiB), counted over every rendered file. The
/// stored objects are checked against it before rendering (a platform file is deployed once
/// per entry that names it, so a small snapshot could otherwise expand like a zip bomb), and
/// the rendered files while they are made.
pub const MAX_RENDERED_BYTES: u64 = 1 << 30;

/// A snapshot rendered for an environment: file path (relative to the bundle's directory)
/// → bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The files. Every path is relative, `/`-separated and made of plain names only; bytes
    /// deployed unchanged (platform files) share the stored object's allocation.
    pub files: BTreeMap<String, Arc<[u8]>>,
    /// The rendered documents of the non-platform assets, by asset id (for diffs).
    pub documents: BTreeMap<String, Value>,
    /// What stops the rendering from being deployable (a webhook without an endpoint there).
    pub problems: Vec<String>,
    /// Values of the environment that matched no asset of the bundle.
    pub unused_values: Vec<String>,
}

impl Rendered {
    /// The BLAKE3 hash of every file, by path (bytes shared by several files are hashed once).
    pub fn file_hashes(&self) -> BTreeMap<String, String> {
        let mut known: HashMap<*const u8, String> = HashMap::new();
        self.files
            .iter()
            .map(|(path, bytes)| {
                let hash = known
                    .entry(Arc::as_ptr(bytes).cast::<u8>())
                    .or_insert_with(|| blake3::hash(bytes).to_hex().to_string());
                (path.clone(), hash.clone())
            })
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
///
/// Refuses a snapshot that names a file outside the rendering (a kind, id, entry path or
/// platform dialect that is not a plain name: [`ReleaseError::UnsafePath`]) and one whose
/// rendering would exceed [`MAX_RENDERED_FILES`] or [`MAX_RENDERED_BYTES`]
/// ([`ReleaseError::TooLarge`]).
pub fn render(
    snapshot: &Snapshot,
    objects: &BTreeMap<String, Arc<[u8]>>,
    env: &Environment,
) -> Result<Rendered, ReleaseError> {
    check_caps(snapshot, objects)?;
    let platform = snapshot.manifest.get("platform_flows");
    let mut out = Builder::new(snapshot, env);
    for entry in &snapshot.entries {
        let Some(bytes) = objects.get(&entry.id) else {
            out.problems.push(format!(
                "the object of `{}` is missing from the store",
                entry.id
            ));
            continue;
        };
        let dialect = platform
            .and_then(|p| p.get(&entry.id))
            .and_then(Value::as_str);
        match dialect {
            // Platform files are deployed as frozen, except where a platform's overlay
            // applies the environment to them (Node-RED: `render_node_red`; n8n:
            // `render_n8n`: name prefix, node values, webhook redirect).
            Some(dialect) => {
                let path = out.platform_path(entry, dialect)?;
                let bytes = match dialect {
                    "node-red" => out.node_red(entry, bytes),
                    "n8n" => crate::render_n8n::render(
                        &entry.id,
                        bytes,
                        out.env,
                        &mut out.used,
                        &mut out.problems,
                    ),
                    _ => Arc::clone(bytes),
                };
                out.add(path, bytes)?;
            }
            None => out.native(entry, bytes)?,
        }
    }
    Ok(out.finish())
}

/// The rendered path of each platform file of `snapshot` → the workspace file it was frozen
/// from.
pub(crate) fn platform_sources(snapshot: &Snapshot) -> BTreeMap<String, String> {
    let platform = snapshot.manifest.get("platform_flows");
    snapshot
        .entries
        .iter()
        .filter_map(|entry| {
            let dialect = platform?.get(&entry.id)?.as_str()?;
            let source = entry.path.as_deref()?;
            let name = source.rsplit('/').next().unwrap_or(source);
            let rendered = join_parts(&["platform", dialect, name]).ok()?;
            Some((rendered, source.to_owned()))
        })
        .collect()
}

/// Refuses a snapshot whose rendering would exceed the caps, before anything is rendered.
fn check_caps(
    snapshot: &Snapshot,
    objects: &BTreeMap<String, Arc<[u8]>>,
) -> Result<(), ReleaseError> {
    if snapshot.entries.len() > MAX_RENDERED_FILES {
        return Err(too_large(
            snapshot,
            Cap::Files {
                files: snapshot.entries.len(),
                limit: MAX_RENDERED_FILES,
            },
        ));
    }
    let bytes: u64 = snapshot
        .entries
        .iter()
        .filter_map(|e| objects.get(&e.id))
        .map(|b| b.len() as u64)
        .sum();
    if bytes > MAX_RENDERED_BYTES {
        return Err(too_large(
            snapshot,
            Cap::Bytes {
                bytes,
                limit: MAX_RENDERED_BYTES,
            },
        ));
    }
    Ok(())
}

/// [`ReleaseError::TooLarge`] for `snapshot`.
fn too_large(snapshot: &Snapshot, cap: Cap) -> ReleaseError {
    ReleaseError::TooLarge(TooLarge {
        bundle: snapshot.bundle.clone(),
        version: snapshot.version.clone(),
        cap,
    })
}

/// A rendering being made: its files, documents and problems, the values used, and the bytes
/// rendered so far.
struct Builder<'a> {
    snapshot: &'a Snapshot,
    env: &'a Environment,
    files: BTreeMap<String, Arc<[u8]>>,
    documents: BTreeMap<String, Value>,
    problems: Vec<String>,
    used: Vec<bool>,
    bytes: u64,
}

impl<'a> Builder<'a> {
    fn new(snapshot: &'a Snapshot, env: &'a Environment) -> Self {
        Self {
            snapshot,
            env,
            files: BTreeMap::new(),
            documents: BTreeMap::new(),
            problems: Vec::new(),
            used: vec![false; env.values.len()],
            bytes: 0,
        }
    }

    /// `platform/<dialect>/<file name of the entry path, else the id>`, from checked names.
    fn platform_path(&self, entry: &Entry, dialect: &str) -> Result<String, ReleaseError> {
        let name = match entry.path.as_deref() {
            Some(path) => path.rsplit('/').next().unwrap_or(path),
            None => entry.id.as_str(),
        };
        join_parts(&["platform", dialect, name]).map_err(|path| self.unsafe_path(entry, path))
    }

    /// `assets/<kind>/<id>.json`, from checked names.
    fn asset_path(&self, entry: &Entry) -> Result<String, ReleaseError> {
        let kind = entry.kind.to_lowercase();
        let file = format!("{}.json", entry.id);
        join_parts(&["assets", &kind, &file]).map_err(|path| self.unsafe_path(entry, path))
    }

    fn unsafe_path(&self, entry: &Entry, path: crate::UnsafePath) -> ReleaseError {
        ReleaseError::UnsafePath {
            what: format!(
                "entry `{}` `{}` of {} {}: the file name",
                entry.kind.escape_debug(),
                entry.id.escape_debug(),
                self.snapshot.bundle.escape_debug(),
                self.snapshot.version.escape_debug()
            ),
            path,
        }
    }

    /// Adds one file, counting it against the caps; two assets rendering to one file is a
    /// problem (one would silently replace the other).
    fn add(&mut self, path: String, bytes: Arc<[u8]>) -> Result<(), ReleaseError> {
        self.bytes += bytes.len() as u64;
        if self.bytes > MAX_RENDERED_BYTES {
            return Err(too_large(
                self.snapshot,
                Cap::Bytes {
                    bytes: self.bytes,
                    limit: MAX_RENDERED_BYTES,
                },
            ));
        }
        if self.files.len() >= MAX_RENDERED_FILES {
            return Err(too_large(
                self.snapshot,
                Cap::Files {
                    files: self.files.len() + 1,
                    limit: MAX_RENDERED_FILES,
                },
            ));
        }
        if self.files.contains_key(&path) {
            self.problems.push(format!(
                "two assets render to `{path}`; give one of them another file name"
            ));
        }
        self.files.insert(path, bytes);
        Ok(())
    }

    /// A Node-RED flow file with the environment's overlay (see `render_node_red`).
    fn node_red(&mut self, entry: &Entry, bytes: &Arc<[u8]>) -> Arc<[u8]> {
        let (env, used, problems) = (self.env, &mut self.used, &mut self.problems);
        crate::render_node_red::render(bytes, &entry.id, env, used, problems)
    }

    /// Renders a native asset: the overlay, the guardrails and the environment's values.
    fn native(&mut self, entry: &Entry, bytes: &[u8]) -> Result<(), ReleaseError> {
        let path = self.asset_path(entry)?;
        let mut document: Value = match serde_json::from_slice(bytes) {
            Ok(d) => d,
            Err(e) => {
                self.problems
                    .push(format!("`{}` is not a JSON document: {e}", entry.id));
                return Ok(());
            }
        };
        overlay(
            &mut document,
            &entry.kind,
            &entry.id,
            self.env,
            &mut self.problems,
        );
        for (index, (key, value)) in self.env.values.iter().enumerate() {
            if let Some(path) = key
                .strip_prefix(entry.id.as_str())
                .and_then(|rest| rest.strip_prefix('.'))
            {
                set_path(&mut document, path, value.clone());
                self.used[index] = true;
            }
        }
        let mut text = serde_json::to_vec_pretty(&document).unwrap_or_default();
        text.push(b'\n');
        self.add(path, Arc::from(text))?;
        self.documents.insert(entry.id.clone(), document);
        Ok(())
    }

    fn finish(self) -> Rendered {
        let unused_values = self
            .env
            .values
            .keys()
            .zip(self.used)
            .filter(|(_, used)| !used)
            .map(|(key, _)| key.clone())
            .collect();
        Rendered {
            files: self.files,
            documents: self.documents,
            problems: self.problems,
            unused_values,
        }
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

//! Freezing a bundle: its resolved assets as content-addressed objects, and the manifest.

use crate::error::ReleaseError;
use flowgate_check::{check, CheckConfig, CheckOptions};
use flowgate_diagnostics::{render_json, Severity};
use flowgate_diff::Bump;
use flowgate_diff::Documents;
use flowgate_load::Loaded;
use flowgate_model::{AssetKind, AssetSpec, Bundle, Model};
use flowgate_store::{canonical_json, Entry, NewSnapshot, Object, Timestamp};
use rayon::prelude::*;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// What the caller knows about the release beyond the workspace.
#[derive(Debug, Clone, Default)]
pub struct FreezeOptions {
    /// Who freezes it.
    pub author: String,
    /// The source commit, when the workspace is a git checkout.
    pub commit: Option<String>,
    /// Whether the checkout had uncommitted changes; `None` when that is not known (outside
    /// git), written as `null` rather than a `false` nobody checked.
    pub dirty: Option<bool>,
    /// The environments, for the check run recorded in the manifest.
    pub environments: Vec<String>,
}

/// A frozen bundle, ready to be stored.
#[derive(Debug, Clone)]
pub struct Frozen {
    /// The bundle id.
    pub bundle: String,
    /// One object per asset: its canonical JSON document, or for a platform flow its
    /// original file, byte for byte.
    pub objects: Vec<Object>,
    /// Which object holds which asset.
    pub entries: Vec<Entry>,
    /// The documents a diff compares.
    pub documents: Documents,
    /// The manifest, without version, date and author (the caller adds those).
    pub manifest: Map<String, Value>,
    /// Check findings at error severity on the bundle's assets.
    pub check_errors: usize,
}

/// Freeze `bundle` from a loaded workspace.
pub fn freeze(
    root: &Path,
    loaded: &Loaded,
    config: &CheckConfig,
    bundle: &str,
    options: &FreezeOptions,
) -> Result<Frozen, ReleaseError> {
    if loaded.has_errors() {
        return Err(ReleaseError::NotReleasable);
    }
    let model = &loaded.model;
    let (bundle_asset, spec) = find_bundle(model, bundle)?;
    let mut members: BTreeSet<String> = model
        .bundle_members(spec)
        .into_iter()
        .map(|id| id.as_str().to_owned())
        .collect();
    members.insert(bundle.to_owned());

    // The check and the members' objects do not depend on each other: on two cores they
    // run side by side, and the objects of the members are built on every core.
    let (built, report) = rayon::join(
        || frozen_members(model, &members),
        || {
            check(
                &loaded.model,
                &loaded.sources,
                config,
                &CheckOptions {
                    environment: None,
                    environments: &options.environments,
                    only: None,
                },
            )
        },
    );
    let mut objects = Vec::with_capacity(built.len());
    let mut entries = Vec::with_capacity(built.len());
    let mut documents = BTreeMap::new();
    let mut platform = Map::new();
    let mut member_files = BTreeSet::new();
    for member in built {
        if let Some(path) = &member.entry.path {
            member_files.insert(path.clone());
        }
        if let Some(dialect) = member.dialect {
            platform.insert(member.entry.id.clone(), Value::from(dialect));
        }
        documents.insert(member.entry.id.clone(), member.document);
        entries.push(member.entry);
        objects.push(member.object);
    }

    let (check_digest, check_errors, check_warnings, check_findings, evidence) =
        check_digest(report, &member_files, &documents);
    let bundle_document = bundle_asset.document();
    let mut manifest = Map::new();
    manifest.insert(
        "release_prefix".to_owned(),
        Value::from(release_prefix(bundle, &bundle_document)),
    );
    manifest.insert(
        "description".to_owned(),
        bundle_document
            .get("description")
            .cloned()
            .unwrap_or(Value::Null),
    );
    manifest.insert(
        "source".to_owned(),
        json!({ "commit": options.commit, "dirty": options.dirty, "workspace": root.file_name().map(|n| n.to_string_lossy().into_owned()) }),
    );
    manifest.insert(
        "check".to_owned(),
        json!({ "digest": check_digest, "errors": check_errors, "warnings": check_warnings, "findings": check_findings,
                "rules": evidence.rules, "codes": evidence.codes, "excepted": evidence.excepted }),
    );
    manifest.insert(
        "externals".to_owned(),
        externals(&documents, &bundle_document),
    );
    manifest.insert("platform_flows".to_owned(), Value::Object(platform));
    Ok(Frozen {
        bundle: bundle.to_owned(),
        objects,
        entries,
        documents: Documents(documents),
        manifest,
        check_errors,
    })
}

/// One member of a frozen bundle: its entry, object and document, and for a platform flow
/// its dialect.
struct FrozenMember {
    entry: Entry,
    object: Object,
    document: Value,
    dialect: Option<&'static str>,
}

/// The members of `ids` that the model holds, in the order of `ids`, built on every core:
/// each asset's document, canonical encoding and hash depend on that asset only.
fn frozen_members(model: &Model, ids: &BTreeSet<String>) -> Vec<FrozenMember> {
    let ids: Vec<&String> = ids.iter().collect();
    ids.par_iter()
        .filter_map(|id| {
            model
                .get_str(id)
                .map(|asset| frozen_member(id, asset, model))
        })
        .collect()
}

fn frozen_member(id: &str, asset: &flowgate_model::Asset, model: &Model) -> FrozenMember {
    let path = model
        .file(asset.origin.file)
        .map(|f| f.path.to_string_lossy().replace('\\', "/"));
    let document = asset.document();
    let (object, dialect) = match &asset.spec {
        AssetSpec::Flow(flow) => (
            Object::new(flow.original.as_bytes().to_vec()),
            Some(flow.dialect.as_str()),
        ),
        _ => (Object::new(canonical_json(&document)), None),
    };
    FrozenMember {
        entry: Entry {
            kind: asset.kind().as_str().to_owned(),
            id: id.to_owned(),
            object: object.id(),
            path,
        },
        object,
        document,
        dialect,
    }
}

/// The version a frozen bundle is stored as.
#[derive(Debug, Clone)]
pub struct ReleaseVersion<'a> {
    /// The version (`2.4.1`).
    pub version: &'a str,
    /// Who freezes it.
    pub author: String,
    /// The version before it, if any.
    pub previous: Option<&'a str>,
    /// The bump the changes since `previous` require.
    pub required: Option<Bump>,
    /// Why a version below the required bump was accepted.
    pub override_reason: Option<&'a str>,
}

impl Frozen {
    /// The release id of `version` (`LI-2.4.1`).
    pub fn release_id(&self, version: &str) -> String {
        let prefix = self
            .manifest
            .get("release_prefix")
            .and_then(Value::as_str)
            .unwrap_or("R");
        format!("{prefix}-{version}")
    }

    /// The snapshot to store: the frozen assets with the manifest completed by the release
    /// id, the previous version, the required bump and any override reason.
    pub fn to_snapshot(&self, release: &ReleaseVersion<'_>, at: Timestamp) -> NewSnapshot {
        let mut manifest = self.manifest.clone();
        manifest.insert(
            "release_id".to_owned(),
            Value::from(self.release_id(release.version)),
        );
        manifest.insert("previous".to_owned(), json!(release.previous));
        manifest.insert(
            "required_bump".to_owned(),
            json!(release.required.map(Bump::as_str)),
        );
        if let Some(reason) = release.override_reason {
            manifest.insert("version_override".to_owned(), Value::from(reason));
        }
        NewSnapshot {
            bundle: self.bundle.clone(),
            version: release.version.to_owned(),
            created_at: at,
            author: release.author.clone(),
            manifest: Value::Object(manifest),
            entries: self.entries.clone(),
        }
    }
}

fn find_bundle<'m>(
    model: &'m Model,
    bundle: &str,
) -> Result<(&'m flowgate_model::Asset, &'m Bundle), ReleaseError> {
    if let Some(asset) = model.get_str(bundle) {
        if let AssetSpec::Bundle(spec) = &asset.spec {
            return Ok((asset, spec));
        }
    }
    let bundles: Vec<&str> = model
        .of_kind(AssetKind::Bundle)
        .map(|a| a.id.as_str())
        .collect();
    Err(ReleaseError::NoBundle {
        bundle: bundle.to_owned(),
        hint: if bundles.is_empty() {
            "; declare one with `kind: Bundle` (see docs/format.md)".to_owned()
        } else {
            format!("; bundles: {}", bundles.join(", "))
        },
    })
}

/// The release id prefix: the bundle's `release_prefix`, or the initials of its id
/// (`lead-intake` → `LI`).
fn release_prefix(bundle: &str, document: &Value) -> String {
    if let Some(prefix) = document.get("release_prefix").and_then(Value::as_str) {
        return prefix.to_owned();
    }
    let initials: String = bundle
        .split(['-', '_', '.'])
        .filter_map(|word| word.chars().next())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if initials.is_empty() {
        "R".to_owned()
    } else {
        initials
    }
}

/// A digest of the check findings on the bundle's files, with the error and warning counts.
/// What a check run proves about a bundle, for release checklists: which rules ran, which
/// of them found something in the bundle's files (any severity), and which were excepted.
struct Evidence {
    rules: Vec<&'static str>,
    codes: BTreeSet<String>,
    excepted: BTreeSet<String>,
}

fn check_digest(
    mut report: flowgate_check::CheckReport,
    member_files: &BTreeSet<String>,
    members: &BTreeMap<String, Value>,
) -> (String, usize, usize, Vec<Value>, Evidence) {
    let evidence_excepted = report
        .suppressed
        .iter()
        .filter(|(_, asset, _)| members.contains_key(asset))
        .map(|(code, _, _)| code.clone())
        .collect();
    let rules = std::mem::take(&mut report.rules);
    let ours: Vec<_> = report
        .diagnostics
        .into_iter()
        .filter(|d| {
            d.location
                .as_ref()
                .is_some_and(|l| member_files.contains(&l.path.replace('\\', "/")))
        })
        .collect();
    let errors = ours
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = ours
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count();
    let rendered = canonical_json(&render_json(&ours));
    let digest = blake3::hash(&rendered).to_hex().to_string();
    let evidence = Evidence {
        rules,
        codes: ours.iter().map(|d| d.code.clone()).collect(),
        excepted: evidence_excepted,
    };
    (digest, errors, warnings, blocking_findings(&ours), evidence)
}

/// Most findings a manifest names; the counts cover every one.
const NAMED_FINDINGS: usize = 100;

/// The errors and warnings of a frozen bundle, by code and place, so that the checks gate
/// can name what blocks: `{"code", "severity", "at": "path:line:column"}`.
fn blocking_findings(diagnostics: &[flowgate_diagnostics::Diagnostic]) -> Vec<Value> {
    diagnostics
        .iter()
        .filter(|d| d.severity >= Severity::Warning)
        .take(NAMED_FINDINGS)
        .map(|d| {
            let at = d.location.as_ref().map(|l| {
                format!(
                    "{}:{}:{}",
                    l.path.replace('\\', "/"),
                    l.start.line,
                    l.start.column
                )
            });
            json!({ "code": d.code, "severity": d.severity.as_str(), "at": at })
        })
        .collect()
}

/// Endpoints, secret names and declared externals the bundle reaches, listed explicitly.
fn externals(documents: &BTreeMap<String, Value>, bundle: &Value) -> Value {
    let mut endpoints = BTreeSet::new();
    let mut secrets = BTreeSet::new();
    for document in documents.values() {
        if let Some(endpoint) = document.get("endpoint").and_then(Value::as_str) {
            endpoints.insert(endpoint.to_owned());
        }
        if let Some(Value::Object(per_env)) = document.get("endpoints") {
            endpoints.extend(
                per_env
                    .values()
                    .filter_map(Value::as_str)
                    .map(str::to_owned),
            );
        }
        collect_secrets(document, &mut secrets);
    }
    json!({
        "endpoints": endpoints,
        "secrets": secrets,
        "declared": bundle.get("externals").cloned().unwrap_or(Value::Array(Vec::new())),
    })
}

/// Secret references (`env:CRM_TOKEN`, `vault:…`) anywhere in a document.
fn collect_secrets(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if key == "secret" {
                    if let Some(name) = child.as_str() {
                        out.insert(name.to_owned());
                    }
                }
                collect_secrets(child, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_secrets(v, out)),
        _ => {}
    }
}

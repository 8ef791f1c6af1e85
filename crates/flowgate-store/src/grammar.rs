//! The names a snapshot may carry.
//!
//! Bundle names, entry kinds, ids and paths, and the platform dialects of the manifest become
//! file and directory names when a release is rendered and deployed, so the store refuses any
//! snapshot whose names do not follow the workspace grammar, whichever route it comes by
//! (created from a workspace or imported from a file). The grammar is flowgate-model's: asset
//! ids follow [`validate_id`], kinds are the names of [`AssetKind`], dialects those of
//! [`Dialect`].

use flowgate_model::flow::Dialect;
use flowgate_model::{validate_id, AssetKind};
use serde_json::Value;

use crate::model::Entry;

/// The manifest member that maps asset ids to the platform dialect of their file.
pub const PLATFORM_FLOWS: &str = "platform_flows";

/// Longest entry path accepted, in bytes.
pub const MAX_PATH_BYTES: usize = 1024;

/// Longest version accepted, in bytes.
const MAX_VERSION_BYTES: usize = 128;

/// Every platform dialect (kept complete by [`dialect_listed`]).
const DIALECTS: [Dialect; 3] = [Dialect::Salesforce, Dialect::N8n, Dialect::NodeRed];

/// Fails to compile when a dialect is added to flowgate-model but not to [`DIALECTS`].
const fn dialect_listed(dialect: Dialect) -> bool {
    match dialect {
        Dialect::Salesforce | Dialect::N8n | Dialect::NodeRed => true,
    }
}

/// `value` for a message: control characters escaped, at most 80 characters.
pub(crate) fn shown(value: &str) -> String {
    let mut out: String = value.chars().take(80).collect::<String>();
    if out.len() < value.len() {
        out.push('…');
    }
    out.escape_debug().to_string()
}

/// Checks every name of a snapshot; the error names the field, its value and the rule it
/// breaks.
pub(crate) fn check_names(
    bundle: &str,
    version: &str,
    entries: &[Entry],
    manifest: &Value,
) -> Result<(), String> {
    check_id("bundle name", bundle)?;
    check_version(version)?;
    for entry in entries {
        // Written only for an entry that breaks a rule: most snapshots hold none.
        let at = |e: String| format!("entry `{}` `{}`: {e}", shown(&entry.kind), shown(&entry.id));
        check_kind(&entry.kind).map_err(at)?;
        check_id("asset id", &entry.id).map_err(at)?;
        if let Some(path) = &entry.path {
            check_path(path).map_err(at)?;
        }
    }
    check_platform_flows(manifest)
}

fn check_id(field: &str, value: &str) -> Result<(), String> {
    validate_id(value).map_err(|e| {
        let why = e.to_string().escape_debug().to_string();
        format!("the {field} `{}` is not an id: {why}", shown(value))
    })
}

fn check_version(version: &str) -> Result<(), String> {
    let bad = version.len() > MAX_VERSION_BYTES
        || version
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || matches!(c, '/' | '\\'));
    if bad {
        return Err(format!(
            "the version `{}` must be at most {MAX_VERSION_BYTES} bytes without spaces, control \
             characters, `/` or `\\` (for example 2.4.1)",
            shown(version)
        ));
    }
    Ok(())
}

fn check_kind(kind: &str) -> Result<(), String> {
    if AssetKind::ALL.iter().any(|k| k.as_str() == kind) {
        return Ok(());
    }
    let known: Vec<&str> = AssetKind::ALL.iter().map(|k| k.as_str()).collect();
    Err(format!(
        "the asset kind `{}` is not one of {}",
        shown(kind),
        known.join(", ")
    ))
}

/// A path relative to the workspace, `/`-separated, of normal components only.
fn check_path(path: &str) -> Result<(), String> {
    let rule = |why: &str| {
        Err(format!(
            "the path `{}` {why}; an entry path is relative to the workspace, separated by `/`, \
             with no empty, `.` or `..` component",
            shown(path)
        ))
    };
    if path.is_empty() || path.len() > MAX_PATH_BYTES {
        return rule(&format!("is empty or longer than {MAX_PATH_BYTES} bytes"));
    }
    if path.contains(['\0', '\\']) || path.chars().any(char::is_control) {
        return rule("holds a NUL, a control character or `\\`");
    }
    if path.starts_with('/') {
        return rule("is absolute");
    }
    if path
        .split('/')
        .any(|c| c.is_empty() || c == "." || c == "..")
    {
        return rule("has an empty, `.` or `..` component");
    }
    // What the platform would make of it (a drive prefix on Windows, for instance).
    let normal = std::path::Path::new(path)
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)));
    if !normal {
        return rule("is not a plain relative path on this platform");
    }
    Ok(())
}

/// `platform_flows`, when present, maps asset ids to dialect names.
fn check_platform_flows(manifest: &Value) -> Result<(), String> {
    let Some(flows) = manifest.get(PLATFORM_FLOWS) else {
        return Ok(());
    };
    let Some(flows) = flows.as_object() else {
        return Err(format!(
            "the manifest's `{PLATFORM_FLOWS}` must map asset ids to platform names"
        ));
    };
    for (id, dialect) in flows {
        check_id(&format!("{PLATFORM_FLOWS} asset id"), id)?;
        let name = dialect.as_str().unwrap_or_default();
        if !DIALECTS
            .iter()
            .any(|d| dialect_listed(*d) && d.as_str() == name)
        {
            let known: Vec<&str> = DIALECTS.iter().map(|d| d.as_str()).collect();
            return Err(format!(
                "the {PLATFORM_FLOWS} platform of `{}` is `{}`, not one of {}",
                shown(id),
                shown(&dialect.to_string()),
                known.join(", ")
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_must_be_plain_relative_paths() {
        for good in [
            "a.yaml",
            "assets/tags/vip.yaml",
            "force-app/x.flow-meta.xml",
        ] {
            assert_eq!(check_path(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../b",
            "a//b",
            "./a",
            "a/.",
            "a/",
            "a\\b",
            "a\0b",
            "a\nb",
        ] {
            assert!(check_path(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn kinds_and_dialects_are_the_models() {
        assert_eq!(check_kind("Workflow"), Ok(()));
        assert!(check_kind("workflow").is_err());
        assert!(check_kind("../x").is_err());
        let manifest = |d: &str| serde_json::json!({ PLATFORM_FLOWS: { "f": d } });
        for good in ["salesforce", "n8n", "node-red"] {
            assert_eq!(check_platform_flows(&manifest(good)), Ok(()), "{good}");
        }
        for bad in ["node_red", "../x", ""] {
            assert!(check_platform_flows(&manifest(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn shown_values_escape_control_characters() {
        assert_eq!(shown("a\u{1b}[31m"), "a\\u{1b}[31m");
        assert_eq!(shown(&"x".repeat(100)).chars().count(), 81);
    }
}

//! What a folder already holds: SFDX projects, n8n exports and Node-RED flow files, so that
//! `init` writes the globs that pick them up.

use std::collections::BTreeSet;
use std::path::Path;

/// How deep `init` looks for platform files.
const MAX_DEPTH: usize = 6;
/// JSON files larger than this are not opened while looking.
const MAX_JSON_BYTES: u64 = 8 * 1024 * 1024;
/// Folders never searched: tools' caches and builds, and flowgate's own store.
const SKIP_DIRS: &[&str] = &[
    "node_modules",
    "target",
    ".git",
    ".flowgate",
    ".sfdx",
    ".sf",
];

/// The platform files found, as globs relative to the folder.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Found {
    /// `sfdx-project.json` files (their folders).
    pub sfdx_projects: Vec<String>,
    /// Whether any `*.flow-meta.xml` is there.
    pub salesforce_flows: bool,
    /// Globs of the folders holding n8n workflow exports (`workflows/*.json`).
    pub n8n: Vec<String>,
    /// Globs of the folders holding Node-RED flow files.
    pub node_red: Vec<String>,
}

impl Found {
    /// Whether the folder holds any platform file.
    pub fn any(&self) -> bool {
        !self.sfdx_projects.is_empty()
            || self.salesforce_flows
            || !self.n8n.is_empty()
            || !self.node_red.is_empty()
    }
}

/// Look through `root` for platform files.
pub fn detect(root: &Path) -> Found {
    let mut found = Found::default();
    let (mut n8n, mut node_red) = (BTreeSet::new(), BTreeSet::new());
    let walker = walkdir::WalkDir::new(root)
        .max_depth(MAX_DEPTH)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !skipped(e));
    for entry in walker.filter_map(Result::ok) {
        if !entry.file_type().is_file() {
            continue;
        }
        let relative = entry.path().strip_prefix(root).unwrap_or(entry.path());
        let name = entry.file_name().to_string_lossy();
        if name == "sfdx-project.json" {
            found.sfdx_projects.push(folder_of(relative));
        } else if name.ends_with(".flow-meta.xml") {
            found.salesforce_flows = true;
        } else if name.ends_with(".json") {
            match json_platform(entry.path()) {
                Some(Platform::N8n) => n8n.insert(glob_of(relative)),
                Some(Platform::NodeRed) => node_red.insert(glob_of(relative)),
                None => false,
            };
        }
    }
    found.n8n = n8n.into_iter().collect();
    found.node_red = node_red.into_iter().collect();
    found
}

fn skipped(entry: &walkdir::DirEntry) -> bool {
    let name = entry.file_name().to_string_lossy();
    entry.file_type().is_dir() && (SKIP_DIRS.contains(&name.as_ref()) || name.starts_with('.'))
}

/// The folder of a relative path, `.` at the top.
fn folder_of(relative: &Path) -> String {
    match relative
        .parent()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
    {
        Some(folder) if !folder.is_empty() => folder,
        _ => ".".to_owned(),
    }
}

/// The glob of the JSON files beside `relative` (`workflows/*.json`).
fn glob_of(relative: &Path) -> String {
    match folder_of(relative).as_str() {
        "." => "*.json".to_owned(),
        folder => format!("{}/*.json", escape_glob(folder)),
    }
}

/// A folder name with glob metacharacters escaped.
fn escape_glob(folder: &str) -> String {
    folder
        .chars()
        .flat_map(|c| match c {
            '*' | '?' | '[' | ']' | '{' | '}' => vec!['[', c, ']'],
            c => vec![c],
        })
        .collect()
}

enum Platform {
    N8n,
    NodeRed,
}

/// Which platform a JSON file comes from, by its shape: an n8n workflow is an object with
/// `nodes` and `connections`; a Node-RED flow file is an array of nodes with `id` and `type`
/// (or an object whose `flows` is one).
fn json_platform(path: &Path) -> Option<Platform> {
    if std::fs::metadata(path).ok()?.len() > MAX_JSON_BYTES {
        return None;
    }
    let value: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    if value.get("nodes").is_some_and(|n| n.is_array())
        && value.get("connections").is_some_and(|c| c.is_object())
    {
        return Some(Platform::N8n);
    }
    let nodes = value
        .as_array()
        .or_else(|| value.get("flows").and_then(|f| f.as_array()))?;
    let is_node = |node: &serde_json::Value| {
        node.get("id").is_some_and(|i| i.is_string())
            && node.get("type").is_some_and(|t| t.is_string())
    };
    (!nodes.is_empty() && nodes.iter().all(is_node)).then_some(Platform::NodeRed)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn write(root: &Path, relative: &str, text: &str) {
        let path = root.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn platform_files_are_found_by_shape_and_package_files_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(
            root,
            "sfdx-project.json",
            r#"{"packageDirectories": [{"path": "force-app"}]}"#,
        );
        write(
            root,
            "force-app/main/default/flows/A.flow-meta.xml",
            "<Flow/>",
        );
        write(
            root,
            "automations/n8n/a.json",
            r#"{"nodes": [], "connections": {}}"#,
        );
        write(
            root,
            "nodered/flows.json",
            r#"[{"id": "1", "type": "tab"}]"#,
        );
        write(root, "package.json", r#"{"name": "x", "dependencies": {}}"#);
        write(
            root,
            "node_modules/x/w.json",
            r#"{"nodes": [], "connections": {}}"#,
        );
        let found = detect(root);
        assert_eq!(found.sfdx_projects, ["."]);
        assert!(found.salesforce_flows);
        assert_eq!(found.n8n, ["automations/n8n/*.json"]);
        assert_eq!(found.node_red, ["nodered/*.json"]);
    }

    #[test]
    fn an_empty_folder_holds_nothing() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!detect(dir.path()).any());
    }
}

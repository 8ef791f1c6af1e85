//! Importers for platform formats: each turns one platform file into a [`Flow`], keeping the
//! original text so that an export writes it back byte for byte.

pub mod n8n;
pub mod node_red;
pub mod salesforce;

use flowgate_diagnostics::{Diagnostic, SourceText};
use flowgate_model::flow::{Dialect, Flow};

/// What an importer produces from one file.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The asset id proposed for the flow (from the file name or the document), already a
    /// valid `AssetId` text.
    pub id: String,
    /// Display name (the platform's label or name).
    pub name: Option<String>,
    /// Description from the platform, if any.
    pub description: Option<String>,
    /// The flow.
    pub flow: Flow,
}

/// Import one file of `dialect`. Problems are located diagnostics (codes FG002 for syntax,
/// FG005/FG012 for structure); a file that is not a document of that dialect yields `None`.
pub fn import(dialect: Dialect, source: &SourceText) -> (Option<Imported>, Vec<Diagnostic>) {
    match dialect {
        Dialect::Salesforce => salesforce::import(source),
        Dialect::N8n => n8n::import(source),
        Dialect::NodeRed => node_red::import(source),
    }
}

/// The root value of a JSON platform file (shared, since the flow keeps it), with its
/// syntax errors as FG002 diagnostics; `None` when the text holds no value.
fn parse_json_root(
    source: &SourceText,
) -> (
    Option<std::sync::Arc<flowgate_syntax::Node>>,
    Vec<Diagnostic>,
) {
    let parsed = flowgate_syntax::parse_json(source.text());
    let diagnostics = parsed
        .errors
        .into_iter()
        .map(|e| crate::codes::syntax_error(source, e))
        .collect();
    let root = parsed.docs.into_iter().next().map(std::sync::Arc::new);
    (root, diagnostics)
}

/// An asset id from a file name: the stem up to the first `.`, with characters an id cannot
/// hold replaced by `-`, prefixed so it starts with a letter or digit.
pub fn id_from_path(path: &str) -> String {
    let name = std::path::Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name.split('.').next().unwrap_or_default();
    let mut id: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_') {
                c
            } else {
                '-'
            }
        })
        .collect();
    while id.contains("--") {
        id = id.replace("--", "-");
    }
    let id = id.trim_matches('-').to_owned();
    let id = if id.is_empty() { "flow".to_owned() } else { id };
    let id: String = id.chars().take(flowgate_model::AssetId::MAX_LEN).collect();
    if id.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        id
    } else {
        format!("f{id}")
            .chars()
            .take(flowgate_model::AssetId::MAX_LEN)
            .collect()
    }
}

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

/// The file-name suffixes of each dialect, dropped from a file name to make an asset id.
pub fn suffixes(dialect: Dialect) -> &'static [&'static str] {
    match dialect {
        Dialect::Salesforce => salesforce::SUFFIXES,
        Dialect::N8n | Dialect::NodeRed => &[".json"],
    }
}

/// An asset id from a file name: the name without the dialect's suffix (the first of
/// `suffixes` it ends with, ignoring case; without one, without its last extension), with
/// characters an id cannot hold replaced by `-`, runs of `-` made one, and no `-` or `.` at
/// either end; prefixed with `f` when it would not start with a letter or digit. Dots inside
/// the name stay (`Send data to A.I. and Baserow.json` is `Send-data-to-A.I.-and-Baserow`).
pub fn id_from_path(path: &str, suffixes: &[&str]) -> String {
    let name = std::path::Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let id = slug(strip_suffix(&name, suffixes), |c| c == '.');
    let id = if id.is_empty() { "flow".to_owned() } else { id };
    let id = if id.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        id
    } else {
        format!("f{id}")
    };
    truncate_id(&id)
}

/// `name` without the first of `suffixes` it ends with (ignoring ASCII case), else without
/// its last extension.
fn strip_suffix<'n>(name: &'n str, suffixes: &[&str]) -> &'n str {
    let known = suffixes.iter().find_map(|suffix| {
        let cut = name.len().checked_sub(suffix.len())?;
        let tail = name.get(cut..)?;
        tail.eq_ignore_ascii_case(suffix).then(|| &name[..cut])
    });
    known.unwrap_or_else(|| match name.rfind('.') {
        Some(dot) if dot > 0 => &name[..dot],
        _ => name,
    })
}

/// `text` with every character other than an ASCII letter, digit, `-`, `_` (or one `keep`
/// accepts) replaced by `-`, runs of `-` made one, and `-` and `.` trimmed from both ends.
pub(crate) fn slug(text: &str, keep: impl Fn(char) -> bool) -> String {
    let mut id = String::with_capacity(text.len());
    for c in text.chars() {
        let c = if c.is_ascii_alphanumeric() || matches!(c, '-' | '_') || keep(c) {
            c
        } else {
            '-'
        };
        if !(c == '-' && id.ends_with('-')) {
            id.push(c);
        }
    }
    id.trim_matches(['-', '.']).to_owned()
}

/// `id` cut to [`flowgate_model::AssetId::MAX_LEN`] characters.
pub(crate) fn truncate_id(id: &str) -> String {
    id.chars().take(flowgate_model::AssetId::MAX_LEN).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_drop_the_dialect_suffix_and_keep_inner_dots() {
        let n8n = suffixes(Dialect::N8n);
        let cases = [
            (
                "n8n/Send data to A.I. and Baserow.json",
                "Send-data-to-A.I.-and-Baserow",
            ),
            (
                "n8n/Summarize with A.I. (via Openrouter).json",
                "Summarize-with-A.I.-via-Openrouter",
            ),
            ("n8n/Lead intake v1.2.JSON", "Lead-intake-v1.2"),
            ("n8n/_private.json", "f_private"),
            ("n8n/.json", "flow"),
            ("n8n/...json", "flow"),
            ("n8n/Réponse ✓.json", "R-ponse"),
            ("n8n/notes.txt", "notes"),
            ("n8n/README", "README"),
        ];
        for (path, id) in cases {
            assert_eq!(id_from_path(path, n8n), id, "{path}");
            assert!(flowgate_model::AssetId::new(id).is_ok(), "{id}");
        }
        let sf = suffixes(Dialect::Salesforce);
        assert_eq!(
            id_from_path("flows/Order_Update.flow-meta.xml", sf),
            "Order_Update"
        );
        // Legacy versioned files keep their version in the id.
        assert_eq!(
            id_from_path("flows/Order_Update-2.flow-meta.xml", sf),
            "Order_Update-2"
        );
        // Metadata API (mdapi) format.
        assert_eq!(
            id_from_path("src/flows/Order_Update.flow", sf),
            "Order_Update"
        );
        let long = format!("n8n/{}.json", "a".repeat(300));
        assert_eq!(
            id_from_path(&long, n8n).len(),
            flowgate_model::AssetId::MAX_LEN
        );
    }
}

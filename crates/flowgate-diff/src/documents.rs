//! The assets being compared: one JSON document per asset id.

use flowgate_model::Model;
use serde_json::Value;
use std::collections::BTreeMap;

/// Asset documents by id: a working tree, a snapshot or an environment, reduced to what a
/// diff compares (see [`flowgate_model::Asset::document`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Documents(pub BTreeMap<String, Value>);

impl Documents {
    /// Every asset of a loaded model.
    pub fn from_model(model: &Model) -> Self {
        Self(
            model
                .assets()
                .iter()
                .map(|asset| (asset.id.as_str().to_owned(), asset.document()))
                .collect(),
        )
    }

    /// The assets of a model that `keep` selects (a bundle's members).
    pub fn from_model_where(model: &Model, keep: impl Fn(&str) -> bool) -> Self {
        Self(
            model
                .assets()
                .iter()
                .filter(|asset| keep(asset.id.as_str()))
                .map(|asset| (asset.id.as_str().to_owned(), asset.document()))
                .collect(),
        )
    }

    /// The document of `id`.
    pub fn get(&self, id: &str) -> Option<&Value> {
        self.0.get(id)
    }

    /// The kind of a document (`Workflow`), or `Asset` when it names none.
    pub fn kind_of(document: &Value) -> &str {
        document
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or("Asset")
    }
}

/// The identity a platform keeps for a flow inside the file (an n8n workflow's `id`).
pub fn platform_identity(document: &Value) -> Option<&str> {
    document.get("properties")?.get("id")?.as_str()
}

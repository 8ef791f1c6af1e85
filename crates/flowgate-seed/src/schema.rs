//! What the workspace declares that seed data must follow: its fields (the columns), its
//! consents (which fields record status, time and source) and its suppression lists.

use flowgate_model::{AssetSpec, DataObject, FieldType, Literal, Model};
use serde_json::Value;
use std::collections::BTreeSet;

/// One declared field.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldSpec {
    /// Its id, the column name.
    pub id: String,
    /// The record it belongs to.
    pub object: DataObject,
    /// Its type (text when the asset has none).
    pub field_type: FieldType,
    /// The stored values of an enum field.
    pub options: Vec<String>,
    /// The value new records get.
    pub default: Option<Value>,
    /// Whether it holds personal data.
    pub pii: bool,
}

/// The fields a consent records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentSpec {
    /// The consent's id (`marketing-email`).
    pub id: String,
    /// The field holding its status.
    pub status_field: String,
    /// The field holding when it was given or withdrawn.
    pub timestamp_field: Option<String>,
    /// The field holding where it was captured.
    pub source_field: Option<String>,
}

/// Everything seed generation reads from a workspace.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Schema {
    /// Declared fields, in the workspace's order.
    pub fields: Vec<FieldSpec>,
    /// Declared consents.
    pub consents: Vec<ConsentSpec>,
    /// Lists that workflows use as suppression lists.
    pub suppression_lists: Vec<String>,
    /// Forms, as consent sources.
    pub forms: Vec<String>,
}

impl Schema {
    /// The schema of a loaded workspace.
    pub fn of(model: &Model) -> Self {
        let mut schema = Self::default();
        let mut suppression = BTreeSet::new();
        for asset in model.assets() {
            let id = asset.id.value.as_str().to_owned();
            match &asset.spec {
                AssetSpec::Field(field) => schema.fields.push(FieldSpec {
                    id,
                    object: field.object,
                    field_type: field.field_type.unwrap_or(FieldType::String),
                    options: field.options.iter().map(|o| o.value.clone()).collect(),
                    default: field.default.as_ref().map(literal),
                    pii: field.pii,
                }),
                AssetSpec::Consent(consent) => schema.consents.push(ConsentSpec {
                    id,
                    status_field: consent.status_field.value.as_str().to_owned(),
                    timestamp_field: consent
                        .timestamp_field
                        .as_ref()
                        .map(|f| f.value.as_str().to_owned()),
                    source_field: consent
                        .source_field
                        .as_ref()
                        .map(|f| f.value.as_str().to_owned()),
                }),
                AssetSpec::Workflow(workflow) => {
                    for list in &workflow.settings.suppression {
                        suppression.insert(list.value.as_str().to_owned());
                    }
                }
                AssetSpec::Form(_) => schema.forms.push(id),
                _ => {}
            }
        }
        schema.suppression_lists = suppression.into_iter().collect();
        schema
    }

    /// The declared fields of one record.
    pub fn fields_of(&self, object: DataObject) -> impl Iterator<Item = &FieldSpec> {
        self.fields.iter().filter(move |f| f.object == object)
    }

    /// The consent whose status, timestamp or source `field` is, with the field's role.
    pub fn consent_role(&self, field: &str) -> Option<(&ConsentSpec, ConsentRole)> {
        self.consents.iter().find_map(|c| {
            if c.status_field == field {
                Some((c, ConsentRole::Status))
            } else if c.timestamp_field.as_deref() == Some(field) {
                Some((c, ConsentRole::Timestamp))
            } else if c.source_field.as_deref() == Some(field) {
                Some((c, ConsentRole::Source))
            } else {
                None
            }
        })
    }
}

/// What a field records of a consent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentRole {
    /// Granted, withdrawn or unknown.
    Status,
    /// When it was given or withdrawn.
    Timestamp,
    /// Where it was captured.
    Source,
}

fn literal(value: &Literal) -> Value {
    match value {
        Literal::Null => Value::Null,
        Literal::Bool(b) => Value::Bool(*b),
        Literal::Int(i) => Value::from(*i),
        Literal::Float(f) => Value::from(*f),
        Literal::String(s) => Value::from(s.clone()),
    }
}

//! Analysed text in other languages: CEL expressions and Jinja-style templates.

use crate::Located;
use serde::{Serialize, Serializer};

/// The object a data path is rooted at in expressions and templates.
pub const DATA_OBJECTS: &[&str] = &["contact", "company", "deal", "order", "cart", "event"];

/// A use of a data field, e.g. `contact.first_name`, inside an expression or template.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct FieldUse {
    /// The root object (`contact`, `company`, `deal`, `order`, …).
    pub object: String,
    /// The field key under that object.
    pub field: String,
}

/// A boolean condition in the Common Expression Language (CEL), e.g.
/// `contact.lifecycle_stage == "lead" && contact.country in ["DE", "AT"]`.
///
/// The loader parses it and records the data fields it reads so that references resolve.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Expression {
    /// The expression as written.
    pub source: String,
    /// Every `object.field` path it reads, with the span of each use in the asset file.
    pub fields: Vec<Located<FieldUse>>,
}

impl Serialize for Expression {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.source)
    }
}

/// A variable printed by a template, e.g. `{{ contact.first_name | default("there") }}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct TemplateVariable {
    /// The data path (`contact.first_name`) or bare name.
    pub path: Vec<String>,
    /// Whether a fallback is given (`default(...)` filter or an `if` guard).
    pub has_fallback: bool,
}

/// Text in the Jinja-style template language (MiniJinja), with its analysed variables.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TemplateText {
    /// The template source.
    pub source: String,
    /// Variables the template prints, in order of first use.
    pub variables: Vec<Located<TemplateVariable>>,
    /// The data fields among the variables (`contact.x`, `order.y`, …).
    pub fields: Vec<Located<FieldUse>>,
}

impl TemplateText {
    /// Build from source and analysed variables, deriving the data fields they read.
    pub fn new(source: String, variables: Vec<Located<TemplateVariable>>) -> Self {
        let fields = variables
            .iter()
            .filter_map(|v| match v.path.as_slice() {
                [object, field, ..] if DATA_OBJECTS.contains(&object.as_str()) => {
                    Some(Located::new(
                        FieldUse {
                            object: object.clone(),
                            field: field.clone(),
                        },
                        v.span,
                    ))
                }
                _ => None,
            })
            .collect();
        Self {
            source,
            variables,
            fields,
        }
    }
}

impl Serialize for TemplateText {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.source)
    }
}

//! Wire values that accept more than one shape.

use schemars::JsonSchema;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// A literal value: text, number, boolean or null.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum LiteralWire {
    /// `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A decimal number.
    Float(f64),
    /// Text.
    String(String),
}

impl<'de> Deserialize<'de> for LiteralWire {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct LiteralVisitor;
        impl<'de> Visitor<'de> for LiteralVisitor {
            type Value = LiteralWire;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a text, number, boolean or null")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(LiteralWire::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(LiteralWire::Null)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(LiteralWire::Bool(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(LiteralWire::Int(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(i64::try_from(v).map_or(LiteralWire::Float(v as f64), LiteralWire::Int))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(LiteralWire::Float(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(LiteralWire::String(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(LiteralWire::String(v))
            }
        }
        deserializer.deserialize_any(LiteralVisitor)
    }
}

/// One option of an enum field: `lead` or `{ value: lead, label: Lead }`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum EnumOptionWire {
    /// Just the value.
    Value(String),
    /// Value and label.
    Labelled {
        /// The stored value.
        value: String,
        /// What people see.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
}

impl<'de> Deserialize<'de> for EnumOptionWire {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OptionVisitor;
        impl<'de> Visitor<'de> for OptionVisitor {
            type Value = EnumOptionWire;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an option value, or a map with `value` and `label`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(EnumOptionWire::Value(v.to_owned()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(EnumOptionWire::Value(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(EnumOptionWire::Value(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut value = None;
                let mut label = None;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "value" => value = Some(map.next_value::<String>()?),
                        "label" => label = Some(map.next_value::<String>()?),
                        other => {
                            return Err(de::Error::unknown_field(other, &["value", "label"]));
                        }
                    }
                }
                let value = value.ok_or_else(|| de::Error::missing_field("value"))?;
                Ok(EnumOptionWire::Labelled { value, label })
            }
        }
        deserializer.deserialize_any(OptionVisitor)
    }
}

/// A bundle member: an asset id, or a selector.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum MemberWire {
    /// One asset by id.
    Id(flowgate_syntax::Spanned<String>),
    /// Every asset matching a selector.
    Selector(flowgate_syntax::Spanned<SelectorWire>),
}

/// Picks assets by kind, labels or id prefix; all given parts must match.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct SelectorWire {
    /// Only assets of this kind (`Workflow`, `Template`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<flowgate_syntax::Spanned<String>>,
    /// Only assets with all these labels.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub labels: std::collections::BTreeMap<String, String>,
    /// Only assets whose id starts with this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_prefix: Option<String>,
}

impl<'de> Deserialize<'de> for MemberWire {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // A member is a string (an id) or a map (a selector). Both shapes carry spans, so
        // the choice is made on the shape the span-aware deserializer reports.
        let spanned = flowgate_syntax::Spanned::<StringOrSelector>::deserialize(deserializer)?;
        let span = spanned.span;
        Ok(match spanned.value {
            StringOrSelector::Id(id) => {
                MemberWire::Id(flowgate_syntax::Spanned { span, value: id })
            }
            StringOrSelector::Selector(selector) => {
                MemberWire::Selector(flowgate_syntax::Spanned {
                    span,
                    value: selector,
                })
            }
        })
    }
}

enum StringOrSelector {
    Id(String),
    Selector(SelectorWire),
}

impl<'de> Deserialize<'de> for StringOrSelector {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MemberVisitor;
        impl<'de> Visitor<'de> for MemberVisitor {
            type Value = StringOrSelector;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an asset id, or a selector map with `kind`, `labels` or `id_prefix`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(StringOrSelector::Id(v.to_owned()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                SelectorWire::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(StringOrSelector::Selector)
            }
        }
        deserializer.deserialize_any(MemberVisitor)
    }
}

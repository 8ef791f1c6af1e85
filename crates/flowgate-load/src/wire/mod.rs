//! Wire types: the asset file format exactly as written, before validation.
//!
//! Every struct denies unknown fields; references and values whose location matters are
//! [`Spanned`]. The JSON Schema for asset files is generated from these types
//! (`schema/flowgate.schema.json`). Validation into domain types happens in `lower`.

mod assets;
mod integration;
mod scalars;
mod workflow;

pub use assets::*;
pub use integration::*;
pub use scalars::*;
pub use workflow::*;

/// Declares the wire struct of an asset kind: the common metadata fields (`id`, `name`,
/// `description`, `owner`, `labels`) followed by the kind's own fields.
macro_rules! asset_wire {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[$fmeta:meta])*
                pub $field:ident : $ty:ty,
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize, schemars::JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            /// Unique id across the workspace (letters, digits, `-`, `_`, `.`). Other assets refer to it.
            pub id: flowgate_syntax::Spanned<String>,
            /// Human-readable name.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub name: Option<String>,
            /// What the asset is for.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub description: Option<String>,
            /// Who is responsible for it (a person or team).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub owner: Option<String>,
            /// Free-form labels, used by bundle selectors (`program: nurture`).
            #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
            pub labels: std::collections::BTreeMap<String, String>,
            $(
                $(#[$fmeta])*
                pub $field: $ty,
            )*
        }
    };
}
pub(crate) use asset_wire;

/// Declares the wire struct of a workflow step: `id`, `name` and the step's own fields.
macro_rules! step_wire {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[$fmeta:meta])*
                pub $field:ident : $ty:ty,
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize, schemars::JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            /// Stable step id, unique in the workflow; diffs match steps by it.
            pub id: flowgate_syntax::Spanned<String>,
            /// Display name.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub name: Option<String>,
            $(
                $(#[$fmeta])*
                pub $field: $ty,
            )*
        }
    };
}
pub(crate) use step_wire;

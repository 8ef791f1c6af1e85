//! YAML and JSON documents in which every node carries its byte span, and a serde
//! deserializer over them that reports every error at the span of the offending node.
//!
//! ```
//! use flowgate_syntax::{from_node, parse_yaml, Spanned};
//!
//! #[derive(serde::Deserialize)]
//! #[serde(deny_unknown_fields)]
//! struct Asset {
//!     id: Spanned<String>,
//!     version: String,
//! }
//!
//! let src = "kind: template\nid: welcome\nversion: 1.10\n";
//! let parsed = parse_yaml(src);
//! assert!(parsed.errors.is_empty());
//! let asset: Asset = from_node(&parsed.docs[0], src, &["kind"]).unwrap();
//! assert_eq!(asset.id.value, "welcome");
//! assert_eq!(&src[asset.id.span.start as usize..asset.id.span.end as usize], "welcome");
//! // Plain scalars read as strings keep the text the author wrote.
//! assert_eq!(asset.version, "1.10");
//! ```
//!
//! Both parsers are hostile-input safe: they never panic, limit nesting to [`MAX_DEPTH`]
//! levels and YAML alias expansion to [`MAX_ALIAS_EXPANSION`] nodes and to
//! [`alias_byte_budget`] bytes (a budget that grows with the size of the file), and report
//! syntax errors as [`SyntaxError`]s with spans.
#![forbid(unsafe_code)]

// Lets `tagged_enum!` name this crate the same way inside and outside of it.
extern crate self as flowgate_syntax;

mod de;
mod json;
mod node;
mod scalar;
mod spanned;
mod tagged;
mod xml;
mod yaml;

pub use de::{from_node, from_node_partial, DeError, DeErrorKind, TAG_PREFIX};
pub use flowgate_diagnostics::Span;
pub use json::parse_json;
pub use node::{Entry, Node, Parsed, SyntaxError, Value, MAX_DEPTH};
pub use scalar::resolve_plain;
pub use spanned::Spanned;
pub use xml::{parse_xml, XmlDocument, XmlElement, MAX_ENTITY_EXPANSION, MAX_XML_DEPTH};
pub use yaml::{
    alias_byte_budget, parse_yaml, ALIAS_BYTES_BASE, ALIAS_BYTES_PER_SOURCE_BYTE,
    MAX_ALIAS_EXPANSION,
};

/// Support for [`tagged_enum!`]; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use schemars;
    pub use serde;
    pub use std::string::String;
}

//! Platform-flow rules (FG7xx): checks that apply to every imported dialect (Salesforce Flow,
//! n8n, Node-RED) wherever the concept exists: unreachable elements, work inside loops,
//! missing fault paths, unused variables, hard-coded URLs and secrets, complexity.

mod support;
mod unreachable_element;

pub use unreachable_element::UnreachableElement;

use crate::Rule;

/// The rules of this category.
pub const RULES: &[&dyn Rule] = &[&UnreachableElement];

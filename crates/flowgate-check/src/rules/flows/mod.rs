//! Platform-flow rules (FG7xx): checks that apply to every imported dialect (Salesforce Flow,
//! n8n, Node-RED) wherever the concept exists: unreachable elements, work inside loops,
//! missing fault paths, unused variables, hard-coded URLs and secrets, complexity.

mod action_in_loop;
mod cyclomatic_complexity;
mod dml_in_loop;
mod flow_literal_secret;
mod hardcoded_url;
mod missing_fault_path;
mod query_in_loop;
mod support;
mod unreachable_element;
mod unused_variable;

pub use action_in_loop::ActionInLoop;
pub use cyclomatic_complexity::CyclomaticComplexity;
pub use dml_in_loop::DmlInLoop;
pub use flow_literal_secret::FlowLiteralSecret;
pub use hardcoded_url::HardcodedUrl;
pub use missing_fault_path::MissingFaultPath;
pub use query_in_loop::QueryInLoop;
pub use unreachable_element::UnreachableElement;
pub use unused_variable::UnusedVariable;

use crate::Rule;

/// The rules of this category.
pub const RULES: &[&dyn Rule] = &[
    &UnreachableElement,
    &MissingFaultPath,
    &UnusedVariable,
    &DmlInLoop,
    &QueryInLoop,
    &ActionInLoop,
    &HardcodedUrl,
    &FlowLiteralSecret,
    &CyclomaticComplexity,
];

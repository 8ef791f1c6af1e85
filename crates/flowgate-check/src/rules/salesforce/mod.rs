//! Salesforce Flow rules (FG8xx): the Salesforce-specific checks of Lightning Flow Scanner
//! (API version, naming, running context, null handling, record-trigger recursion …) and the
//! ones it lacks (entry criteria, cross-flow recursion, hard-coded users and queues,
//! subflows doing DML without a fault path). They read the `<Flow>` XML the importer kept.

pub mod support;

use crate::Rule;

/// The rules of this category.
pub const RULES: &[&dyn Rule] = &[];

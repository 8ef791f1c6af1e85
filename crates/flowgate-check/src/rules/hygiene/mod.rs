//! Release hygiene rules (FG6xx): naming, orphan references, ownership, alert routing.

mod bundle_without_alert;
mod naming_convention;
mod orphan_reference;
mod workflow_without_description;
mod workflow_without_owner;

pub use bundle_without_alert::BundleWithoutAlert;
pub use naming_convention::NamingConvention;
pub use orphan_reference::OrphanReference;
pub use workflow_without_description::WorkflowWithoutDescription;
pub use workflow_without_owner::WorkflowWithoutOwner;

use crate::Rule;

/// The rules of this category.
pub const RULES: &[&dyn Rule] = &[
    &NamingConvention,
    &OrphanReference,
    &WorkflowWithoutOwner,
    &WorkflowWithoutDescription,
    &BundleWithoutAlert,
];

//! Logic rules (FG1xx): loops, unreachable steps, missing defaults, stranded contacts.

mod branch_without_default;

pub use branch_without_default::BranchWithoutDefault;

use crate::Rule;

/// The rules of this category.
pub const RULES: &[&dyn Rule] = &[&BranchWithoutDefault];

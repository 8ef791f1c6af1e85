//! compliance rules.

use crate::Rule;

/// The rules of this category.
pub const RULES: &[&dyn Rule] = &[];

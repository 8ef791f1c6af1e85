//! Logic rules (FG1xx): loops, unreachable steps, missing defaults, stranded contacts.

mod branch_without_default;
mod condition_never_true;
mod split_not_100;
mod stranding_wait;
mod support;
mod trigger_loop;
mod unreachable_step;

pub use branch_without_default::BranchWithoutDefault;
pub use condition_never_true::ConditionNeverTrue;
pub use split_not_100::SplitNot100;
pub use stranding_wait::StrandingWait;
pub use trigger_loop::TriggerLoop;
pub use unreachable_step::UnreachableStep;

use crate::Rule;

/// The rules of this category.
pub const RULES: &[&dyn Rule] = &[
    &TriggerLoop,
    &UnreachableStep,
    &BranchWithoutDefault,
    &StrandingWait,
    &SplitNot100,
    &ConditionNeverTrue,
];

use super::support::{flow_display_name, run_in_mode};
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};

/// The run mode that ignores sharing rules.
const WITHOUT_SHARING: &str = "SystemModeWithoutSharing";

declare_rule! {
    /// ## What it does
    /// Flags Salesforce flows that run in system mode without sharing
    /// (`<runInMode>SystemModeWithoutSharing</runInMode>`).
    ///
    /// ## Why is this bad?
    /// In that mode the flow ignores object permissions, field-level security and sharing
    /// rules: whoever runs it (a community user, a guest on a site, an agent calling it as an
    /// action) can read and change every record the flow touches, including records they could
    /// never open themselves. One screen or one input variable too many and the flow leaks or
    /// overwrites data across the whole org.
    ///
    /// ## Example
    /// ```xml
    /// <Flow xmlns="http://soap.sforce.com/2006/04/metadata">
    ///     <processType>AutoLaunchedFlow</processType>
    ///     <runInMode>SystemModeWithoutSharing</runInMode>
    /// </Flow>
    /// ```
    ///
    /// ## How to fix
    /// Run in the user's context (remove `<runInMode>`, or `DefaultMode`), or keep system
    /// permissions but respect sharing:
    /// ```xml
    ///     <runInMode>SystemModeWithSharing</runInMode>
    /// ```
    /// If the flow really must see every record, add an exception with the reason.
    pub struct UnsafeRunningContext {
        code: "FG814",
        name: "unsafe-running-context",
        category: Salesforce,
        severity: Error,
        summary: "a Salesforce flow runs in system mode without sharing",
        peer: "UnsafeRunningContext",
    }
}

impl Rule for UnsafeRunningContext {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, _, root) in ctx.salesforce_flows() {
            let Some(mode) = run_in_mode(root) else {
                continue;
            };
            if mode.value.trim() != WITHOUT_SHARING {
                continue;
            }
            sink.report(
                asset,
                mode.span,
                format!(
                    "flow `{}` runs in system mode without sharing: every user who runs it can read and change any record it touches",
                    flow_display_name(ctx, asset)
                ),
            )
            .help("use `SystemModeWithSharing` or remove `<runInMode>` to run in the user's context; if it must bypass sharing, add a check exception with the reason");
        }
    }
}

use super::support::{child_text, flow_display_name, flow_span};
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};

declare_rule! {
    /// ## What it does
    /// Flags Salesforce flows whose `<status>` is not `Active`: drafts (`Draft`), drafts that
    /// do not compile (`InvalidDraft`), deactivated versions (`Obsolete`), and files without
    /// a `<status>`.
    ///
    /// ## Why is this bad?
    /// An inactive flow in a release does nothing, yet it is deployed, reviewed and counted
    /// as if it did. Worse, it is still callable: another flow can run it as a subflow, Apex
    /// can start it, and someone testing it in production can delete or overwrite real
    /// records. Either it was meant to go live and the activation was forgotten, or it is
    /// left over and should be removed.
    ///
    /// ## Example
    /// ```xml
    /// <Flow xmlns="http://soap.sforce.com/2006/04/metadata">
    ///     <label>Close Stale Cases</label>
    ///     <status>Draft</status>
    /// </Flow>
    /// ```
    ///
    /// ## How to fix
    /// Activate it if it should run:
    /// ```xml
    ///     <status>Active</status>
    /// ```
    /// or delete it from the project (and the org) if it is no longer used.
    pub struct InactiveFlow {
        code: "FG815",
        name: "inactive-flow",
        category: Salesforce,
        severity: Warning,
        summary: "a Salesforce flow is not active",
        peer: "InactiveFlow",
    }
}

impl Rule for InactiveFlow {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, _, root) in ctx.salesforce_flows() {
            let name = flow_display_name(ctx, asset);
            let (span, state) = match child_text(root, "status") {
                Some(status) if status.value.trim() == "Active" => continue,
                Some(status) => (status.span, format!("status `{}`", status.value.trim())),
                None => (flow_span(root), "no `<status>`".to_owned()),
            };
            let message =
                format!("flow `{name}` is not active ({state}): it is deployed but does not run");
            sink.report(asset, span, message).help(
                "set `<status>Active</status>` if it should run, or delete the flow if it is no longer used",
            );
        }
    }
}

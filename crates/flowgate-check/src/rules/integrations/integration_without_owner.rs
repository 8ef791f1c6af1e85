use super::support::integrations;
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};

declare_rule! {
    /// ## What it does
    /// Flags an integration without an `owner`.
    ///
    /// ## Why is this bad?
    /// When it breaks during the upgrade weekend, nobody is called, nobody knows what it
    /// assumes, and nobody signs off on its tests. Unowned flows are the ones teams discover
    /// in production.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Integration
    /// id: order-export-erp
    /// purpose: Creates a sales order in the ERP for every paid web order.
    /// ```
    ///
    /// ## How to fix
    /// ```yaml
    /// owner: ecommerce
    /// escalation: servicedesk:erp-2nd-level
    /// ```
    pub struct IntegrationWithoutOwner {
        code: "FG509",
        name: "integration-without-owner",
        category: Integrations,
        severity: Error,
        summary: "an integration has no owner",
    }
}

impl Rule for IntegrationWithoutOwner {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, _) in integrations(ctx) {
            if asset.owner.as_deref().is_some_and(|o| !o.trim().is_empty()) {
                continue;
            }
            sink.report(
                asset,
                asset.id.span,
                format!("integration `{}` has no owner", asset.id.value),
            )
            .help("add `owner:` (the team answering for it) and `escalation:` (whom to call when they do not)");
        }
    }
}

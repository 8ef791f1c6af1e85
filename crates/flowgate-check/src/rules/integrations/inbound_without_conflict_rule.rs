use super::support::integrations;
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_model::Direction;

declare_rule! {
    /// ## What it does
    /// Flags an entity an integration writes into the system that is its source of truth,
    /// or carries both ways, without a `conflict_rule`: what wins when both sides changed
    /// the same record.
    ///
    /// ## Why is this bad?
    /// Two writers and no rule means last-write-wins by accident: a CRM import overwrites
    /// the address a customer just corrected in the shop, and nobody can say which value is
    /// right. After an upgrade the order of writes often changes, and with it the winner.
    ///
    /// ## Example
    /// ```yaml
    /// source: crm
    /// target: magento
    /// direction: inbound
    /// entities:
    ///   - entity: customer
    ///     source_of_truth: magento
    /// ```
    ///
    /// ## How to fix
    /// ```yaml
    ///     conflict_rule: Magento wins on e-mail and addresses; the CRM wins on account owner.
    /// ```
    pub struct InboundWithoutConflictRule {
        code: "FG513",
        name: "inbound-without-conflict-rule",
        category: Integrations,
        severity: Warning,
        summary: "an integration writes into a source of truth without a conflict rule",
    }
}

impl Rule for InboundWithoutConflictRule {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, integration) in integrations(ctx) {
            let both_ways = integration.direction.value == Direction::Bidirectional;
            for entity in &integration.entities {
                if entity
                    .conflict_rule
                    .as_deref()
                    .is_some_and(|r| !r.trim().is_empty())
                {
                    continue;
                }
                let into_truth = integration.direction.value == Direction::Inbound
                    && entity
                        .source_of_truth
                        .as_ref()
                        .is_some_and(|truth| truth.value == integration.target.value);
                let message = if into_truth {
                    format!(
                        "integration `{}` writes {} into `{}`, its source of truth, without a conflict rule",
                        asset.id.value,
                        entity.entity.value,
                        integration.target.as_str()
                    )
                } else if both_ways {
                    format!(
                        "integration `{}` carries {} both ways without a conflict rule",
                        asset.id.value, entity.entity.value
                    )
                } else {
                    continue;
                };
                sink.report(asset, entity.entity.span, message).help(
                    "add `conflict_rule:` to the entity: which side wins, per field if need be (e.g. `the shop wins on addresses; the CRM wins on account owner`)",
                );
            }
        }
    }
}

use super::support::{is_marketing, sends, sent_template};
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};

declare_rule! {
    /// ## What it does
    /// Flags a workflow that sends at least one marketing template (`category: marketing`,
    /// the default) but has no `settings.frequency_cap`. The finding points at the first step
    /// sending a marketing template.
    ///
    /// ## Why is this bad?
    /// Re-enrollment, overlapping triggers and short waits can stack messages: a contact who
    /// abandons three carts in a week gets six reminders. Over-mailing drives unsubscribes and
    /// spam complaints, and SMS programs often promise a maximum ("up to 4 messages a month")
    /// that only a cap enforces.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Workflow
    /// id: abandoned-cart
    /// enrollment: { reenroll: always }
    /// settings:
    ///   suppression: [global-suppression]
    ///   consent: { email: marketing-email }
    /// steps:
    ///   - { id: send-reminder, type: send_email, template: cart-reminder }
    /// ```
    ///
    /// ## How to fix
    /// Cap messages per contact:
    /// ```yaml
    /// settings:
    ///   frequency_cap: { max: 3, per: 7d }
    /// ```
    pub struct MarketingWithoutFrequencyCap {
        code: "FG207",
        name: "marketing-without-frequency-cap",
        category: Compliance,
        severity: Warning,
        summary: "a workflow sends marketing messages without a frequency cap",
    }
}

impl Rule for MarketingWithoutFrequencyCap {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, workflow) in ctx.workflows() {
            if workflow.settings.frequency_cap.is_some() {
                continue;
            }
            let first = sends(workflow).find(|send| {
                sent_template(ctx, send).is_some_and(|(_, template)| is_marketing(template))
            });
            let Some(first) = first else {
                continue;
            };
            sink.report(
                asset,
                first.step.id.span,
                format!(
                    "workflow `{}` sends marketing messages without a frequency cap (first: `{}`)",
                    asset.id.value, first.step.id.value
                ),
            )
            .help("add `frequency_cap: { max: 3, per: 7d }` under `settings` (at most 3 messages per contact per week)");
        }
    }
}

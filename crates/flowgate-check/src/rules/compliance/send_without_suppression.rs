use super::support::sends;
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};

declare_rule! {
    /// ## What it does
    /// Flags a workflow that sends email or SMS but has no suppression list in
    /// `settings.suppression`. The finding points at the first send step.
    ///
    /// ## Why is this bad?
    /// The suppression list is where unsubscribes from other channels, hard bounces, spam
    /// complaints and legal holds end up. A workflow that does not honour it will message
    /// people who asked you to stop, which costs sender reputation and, under GDPR, CAN-SPAM
    /// or TCPA, can cost fines.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Workflow
    /// id: spring-sale
    /// triggers: [{ type: tag_added, tag: spring-sale }]
    /// steps:
    ///   - { id: send-offer, type: send_email, template: spring-offer }
    /// ```
    ///
    /// ## How to fix
    /// Suppress your global suppression list in every workflow that sends:
    /// ```yaml
    /// settings:
    ///   suppression: [global-suppression]
    /// ```
    pub struct SendWithoutSuppression {
        code: "FG201",
        name: "send-without-suppression",
        category: Compliance,
        severity: Error,
        summary: "a workflow sends messages without a suppression list",
    }
}

impl Rule for SendWithoutSuppression {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, workflow) in ctx.workflows() {
            if !workflow.settings.suppression.is_empty() {
                continue;
            }
            let Some(first) = sends(workflow).next() else {
                continue;
            };
            sink.report(
                asset,
                first.step.id.span,
                format!(
                    "workflow `{}` sends messages without a suppression list (first send: `{}`)",
                    asset.id.value, first.step.id.value
                ),
            )
            .help("add `suppression: [<list id>]` under `settings`, naming the list of unsubscribed, bounced and complained contacts (e.g. `global-suppression`)");
        }
    }
}

use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_model::StepAction;

declare_rule! {
    /// ## What it does
    /// Flags a `call_webhook` step without `on_error`: the step to go to when the call
    /// still fails after the webhook's retries.
    ///
    /// ## Why is this bad?
    /// The contact either stops in the workflow or carries on as if the call had worked:
    /// the lead is marked "synced to CRM" while the CRM never heard of it, and nobody is
    /// told.
    ///
    /// ## Example
    /// ```yaml
    /// - id: sync-crm
    ///   type: call_webhook
    ///   webhook: crm-lead-sync
    ///   next: mark-synced
    /// ```
    ///
    /// ## How to fix
    /// Route failures somewhere visible, e.g. a tag and a notification:
    /// ```yaml
    /// - id: sync-crm
    ///   type: call_webhook
    ///   webhook: crm-lead-sync
    ///   next: mark-synced
    ///   on_error: mark-sync-failed
    /// ```
    pub struct WebhookStepWithoutErrorPath {
        code: "FG507",
        name: "webhook-step-without-error-path",
        category: Integrations,
        severity: Warning,
        summary: "a call_webhook step has no on_error path",
    }
}

impl Rule for WebhookStepWithoutErrorPath {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, workflow) in ctx.workflows() {
            for step in &workflow.steps {
                if let StepAction::CallWebhook {
                    webhook,
                    on_error: None,
                    ..
                } = &step.action
                {
                    sink.report(
                        asset,
                        step.id.span,
                        format!(
                            "step `{}` calls webhook `{}` without an error path",
                            step.id.value, webhook.value
                        ),
                    )
                    .help("add `on_error: <step id>`, e.g. a step that tags the contact and notifies the owner, so failed calls are handled");
                }
            }
        }
    }
}

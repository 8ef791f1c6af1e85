use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_model::AssetSpec;

declare_rule! {
    /// ## What it does
    /// Flags a webhook without a `dead_letter`: the place calls go when they still fail
    /// after every retry.
    ///
    /// ## Why is this bad?
    /// When the CRM is down for an afternoon, the calls of that afternoon are gone: there is
    /// nothing to replay once it is back, and nobody can say which leads are missing.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Webhook
    /// id: crm-lead-sync
    /// endpoint: https://acme-outdoor.crm.example/api/v2/leads/upsert
    /// retries: { max: 5, backoff: exponential, initial: 2s }
    /// ```
    ///
    /// ## How to fix
    /// ```yaml
    /// dead_letter: queue:crm-lead-sync-dlq
    /// ```
    pub struct WebhookWithoutDeadLetter {
        code: "FG505",
        name: "webhook-without-dead-letter",
        category: Integrations,
        severity: Warning,
        summary: "a webhook has no dead letter for calls that fail for good",
    }
}

impl Rule for WebhookWithoutDeadLetter {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for asset in ctx.model.assets() {
            let AssetSpec::Webhook(webhook) = &asset.spec else {
                continue;
            };
            if webhook
                .dead_letter
                .as_deref()
                .is_some_and(|d| !d.trim().is_empty())
            {
                continue;
            }
            sink.report(
                asset,
                asset.id.span,
                format!("webhook `{}` has no dead letter", asset.id.value),
            )
            .help(format!(
                "add `dead_letter: queue:{}-dlq` so calls that fail after every retry can be replayed",
                asset.id.value
            ));
        }
    }
}

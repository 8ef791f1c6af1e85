use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_model::AssetSpec;

declare_rule! {
    /// ## What it does
    /// Flags a webhook without a `retries` policy, or with `retries.max: 0`.
    ///
    /// ## Why is this bad?
    /// CRMs and review platforms answer `429 Too Many Requests` and `503` every day. Without
    /// retries each such blip is a lead that never reaches sales, or an order that never
    /// gets its review invitation.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Webhook
    /// id: crm-lead-sync
    /// endpoint: https://acme-outdoor.crm.example/api/v2/leads/upsert
    /// timeout: 10s
    /// ```
    ///
    /// ## How to fix
    /// ```yaml
    /// retries:
    ///   max: 5
    ///   backoff: exponential
    ///   initial: 2s
    ///   max_delay: 5m
    /// ```
    pub struct WebhookWithoutRetries {
        code: "FG504",
        name: "webhook-without-retries",
        category: Integrations,
        severity: Warning,
        summary: "a webhook does not retry failed calls",
    }
}

impl Rule for WebhookWithoutRetries {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for asset in ctx.model.assets() {
            let AssetSpec::Webhook(webhook) = &asset.spec else {
                continue;
            };
            let message = match &webhook.retries {
                None => format!("webhook `{}` has no retry policy", asset.id.value),
                Some(r) if r.max == 0 => format!(
                    "webhook `{}` retries 0 times (`retries.max: 0`)",
                    asset.id.value
                ),
                Some(_) => continue,
            };
            sink.report(asset, asset.id.span, message).help(
                "add `retries: { max: 5, backoff: exponential, initial: 2s, max_delay: 5m }` so rate limits and short outages do not lose calls",
            );
        }
    }
}

use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_model::AssetSpec;

declare_rule! {
    /// ## What it does
    /// Flags a webhook endpoint — the shared `endpoint` or any entry of `endpoints` — that
    /// uses `http://` instead of `https://`.
    ///
    /// ## Why is this bad?
    /// The request carries contact data (emails, phone numbers, consent state) and the
    /// credential from `auth` in clear text: anyone on the network path can read or change
    /// them. Many vendors also redirect http to https, turning a POST into a GET that
    /// silently drops the body.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Webhook
    /// id: crm-lead-sync
    /// endpoints:
    ///   dev: http://acme-outdoor--dev.sandbox.crm.example/api/v2/leads/upsert
    ///   prod: https://acme-outdoor.crm.example/api/v2/leads/upsert
    /// ```
    ///
    /// ## How to fix
    /// Use the vendor's https address in every environment:
    /// ```yaml
    /// endpoints:
    ///   dev: https://acme-outdoor--dev.sandbox.crm.example/api/v2/leads/upsert
    /// ```
    pub struct InsecureEndpoint {
        code: "FG503",
        name: "insecure-endpoint",
        category: Integrations,
        severity: Error,
        summary: "a webhook endpoint uses plain http",
    }
}

impl Rule for InsecureEndpoint {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for asset in ctx.model.assets() {
            let AssetSpec::Webhook(webhook) = &asset.spec else {
                continue;
            };
            let entries = webhook
                .endpoint
                .iter()
                .map(|e| (None, e))
                .chain(webhook.endpoints.iter().map(|(env, e)| (Some(env), e)));
            for (env, endpoint) in entries {
                let url = endpoint.value.trim();
                let Some(rest) = url
                    .get(..7)
                    .filter(|s| s.eq_ignore_ascii_case("http://"))
                    .and_then(|_| url.get(7..))
                else {
                    continue;
                };
                let message = match env {
                    Some(env) => format!(
                        "webhook `{}` calls `{url}` in `{env}` over plain http",
                        asset.id.value
                    ),
                    None => format!("webhook `{}` calls `{url}` over plain http", asset.id.value),
                };
                sink.report(asset, endpoint.span, message)
                    .help(format!("write `https://{rest}`"));
            }
        }
    }
}

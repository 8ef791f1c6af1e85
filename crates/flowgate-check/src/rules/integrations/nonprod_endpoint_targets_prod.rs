use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_diagnostics::Span;
use flowgate_model::{AssetSpec, Located};
use std::collections::BTreeMap;

declare_rule! {
    /// ## What it does
    /// For every environment other than production (`[check] production_environment`,
    /// default `prod`), looks up the endpoint a webhook calls there and flags it when its
    /// host is the production endpoint's host, or one of `[check] production_hosts`. A
    /// webhook with a single `endpoint` for every environment is flagged once.
    ///
    /// ## Why is this bad?
    /// Every test contact created in dev, and every masked contact run through stage, lands
    /// in the production CRM: sales reps call fake leads, and the real pipeline report is
    /// wrong until someone cleans it up by hand.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Webhook
    /// id: crm-lead-sync
    /// endpoint: https://acme-outdoor.crm.example/api/v2/leads/upsert
    /// ```
    ///
    /// ## How to fix
    /// Give the other environments the vendor's sandbox:
    /// ```yaml
    /// endpoints:
    ///   dev: https://acme-outdoor--dev.sandbox.crm.example/api/v2/leads/upsert
    ///   stage: https://acme-outdoor--stage.sandbox.crm.example/api/v2/leads/upsert
    ///   prod: https://acme-outdoor.crm.example/api/v2/leads/upsert
    /// ```
    pub struct NonprodEndpointTargetsProd {
        code: "FG501",
        name: "nonprod-endpoint-targets-prod",
        category: Integrations,
        severity: Error,
        summary: "a non-production environment calls a production endpoint",
    }
}

impl Rule for NonprodEndpointTargetsProd {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        let production = ctx.config.production_environment.as_str();
        if !ctx.environments.iter().any(|e| e == production) {
            // No environment is production: `[check] production_environment` names none of
            // the workspace's environments, and every comparison would be wrong.
            return;
        }
        let listed: Vec<String> = ctx
            .config
            .production_hosts
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect();
        for asset in ctx.model.assets() {
            let AssetSpec::Webhook(webhook) = &asset.spec else {
                continue;
            };
            let prod_host = webhook.endpoint_for(production).and_then(host);
            // Offending environments grouped by the endpoint entry they use.
            let mut offending: BTreeMap<Span, (&Located<String>, String, Vec<&str>)> =
                BTreeMap::new();
            for env in ctx.environments.iter().map(String::as_str) {
                if env == production {
                    continue;
                }
                let Some(endpoint) = webhook.endpoint_for(env) else {
                    continue;
                };
                let Some(env_host) = host(endpoint) else {
                    continue;
                };
                if prod_host.as_deref() != Some(env_host.as_str()) && !listed.contains(&env_host) {
                    continue;
                }
                offending
                    .entry(endpoint.span)
                    .or_insert_with(|| (endpoint, env_host, Vec::new()))
                    .2
                    .push(env);
            }
            for (span, (endpoint, env_host, envs)) in offending {
                let shared = !webhook.endpoints.values().any(|e| e.span == span);
                let names = join(&envs);
                let why = if prod_host.as_deref() == Some(env_host.as_str()) {
                    format!("the production host `{env_host}`")
                } else {
                    format!("the production host `{env_host}` (listed in `production_hosts`)")
                };
                let id = &asset.id.value;
                let message = if !shared {
                    format!("webhook `{id}` calls {why} from {names}")
                } else if webhook.endpoints.is_empty() {
                    format!(
                        "webhook `{id}` has one endpoint for every environment: {names} {} {why}",
                        if envs.len() == 1 { "calls" } else { "call" }
                    )
                } else {
                    format!(
                        "webhook `{id}` calls {why} from {names}, which {} no entry in `endpoints`",
                        if envs.len() == 1 { "has" } else { "have" }
                    )
                };
                let entries = envs
                    .iter()
                    .map(|e| format!("{e}: <sandbox url>"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let help = if shared && webhook.endpoints.is_empty() {
                    format!("add `endpoints: {{ {entries} }}` with the vendor's sandbox URLs")
                } else if shared {
                    format!("add `{entries}` under `endpoints`, with the vendor's sandbox URLs")
                } else {
                    format!(
                        "point `endpoints.{}` at the vendor's sandbox instead of `{}`",
                        envs.first().copied().unwrap_or_default(),
                        endpoint.value
                    )
                };
                sink.report(asset, span, message).help(help);
            }
        }
    }
}

fn host(endpoint: &Located<String>) -> Option<String> {
    url::Url::parse(&endpoint.value)
        .ok()?
        .host_str()
        .map(str::to_ascii_lowercase)
}

/// `dev`, `dev and stage`, `dev, qa and stage`.
fn join(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => format!("`{one}`"),
        [init @ .., last] => format!(
            "{} and `{last}`",
            init.iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

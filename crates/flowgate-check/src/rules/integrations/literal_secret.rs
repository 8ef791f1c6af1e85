use crate::secrets::{find_secrets, is_literal, may_contain_secret, redact, CREDENTIAL_HEADERS};
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_diagnostics::Span;
use flowgate_model::{AssetKind, AssetSpec, Body};

declare_rule! {
    /// ## What it does
    /// Looks for credentials written into an asset: API keys and tokens (Stripe `sk_live_…`,
    /// AWS `AKIA…`, Slack `xoxb-…`, GitHub `ghp_…`, Google `AIza…`), private keys, JSON Web
    /// Tokens, `Bearer …` values, passwords in URLs (`https://user:pass@host`), `api_key=`,
    /// `token=` or `password=` query parameters with a literal value, and webhook `headers`
    /// such as `Authorization` or `X-Api-Key` with a literal value. Every text of the asset
    /// is searched, including a template's `body_file`.
    ///
    /// ## Why is this bad?
    /// Asset files live in git: everyone with read access — and every fork, backup and CI
    /// log — has the key, and it stays in the history after it is deleted. A leaked CRM
    /// token exposes every contact.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Webhook
    /// id: review-invite
    /// endpoint: https://api.reviews.example/v1/invitations
    /// headers:
    ///   X-Api-Key: 3f9a27c1e8b44d6a9c0e5b7d2f1a8c6e
    /// ```
    ///
    /// ## How to fix
    /// Rotate the key at the provider (it is in the history now), keep the new one in the
    /// secret store, and reference it:
    /// ```yaml
    /// auth:
    ///   scheme: header
    ///   header: X-Api-Key
    ///   secret: env:REVIEWS_API_KEY
    /// ```
    pub struct LiteralSecret {
        code: "FG502",
        name: "literal-secret",
        category: Integrations,
        severity: Error,
        summary: "an asset contains a literal credential",
    }
}

impl Rule for LiteralSecret {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        // Platform flows are FG708's: it knows their documents' structure.
        for asset in ctx
            .model
            .assets()
            .iter()
            .filter(|a| a.kind() != AssetKind::Flow)
        {
            let mut hits: Vec<(Span, String, String)> = Vec::new();
            let mut add = |span: Span, message: String, secret: &str| {
                let overlaps = hits
                    .iter()
                    .any(|(s, ..)| *s == span || (s.start < span.end && span.start < s.end));
                if !overlaps {
                    hits.push((span, message, secret.to_owned()));
                }
            };
            let what = format!("{} `{}`", asset.kind().noun(), asset.id.value);

            // Webhook headers that carry credentials, at the header value.
            let mut skip_headers = Vec::new();
            if let AssetSpec::Webhook(webhook) = &asset.spec {
                for (name, value) in &webhook.headers {
                    let lower = name.to_ascii_lowercase();
                    if !CREDENTIAL_HEADERS.iter().any(|h| lower.contains(h)) {
                        continue;
                    }
                    skip_headers.push(name.as_str());
                    if is_literal(&value.value) {
                        add(
                            value.span,
                            format!(
                                "{what} sends a literal credential in header `{name}` (`{}`)",
                                redact(value.value.trim())
                            ),
                            value.value.trim(),
                        );
                    }
                }
            }

            // Every string of the asset, located by searching the document text. Most
            // documents cannot hold a credential at all: the cheap tests on the text as
            // written skip them before anything is serialized.
            let document = ctx.source(asset).and_then(|s| {
                s.text()
                    .get(asset.origin.span.start as usize..asset.origin.span.end as usize)
            });
            let mut strings = Vec::new();
            if document.is_none_or(may_contain_secret) {
                if let Ok(value) = serde_json::to_value(asset) {
                    collect_strings(&value, &mut Vec::new(), &mut strings);
                }
            }
            for (path, text) in &strings {
                if let [first, header] = path.as_slice() {
                    if first == "headers" && skip_headers.contains(&header.as_str()) {
                        continue;
                    }
                }
                for (kind, secret) in find_secrets(text) {
                    let message =
                        format!("{what} contains a literal {kind} (`{}`)", redact(secret));
                    let mut found = false;
                    if let Some(document) = document {
                        for (at, _) in document.match_indices(secret) {
                            let start = asset.origin.span.start as usize + at;
                            add(
                                Span::new(start, start + secret.len()),
                                message.clone(),
                                secret,
                            );
                            found = true;
                        }
                    }
                    if !found {
                        add(asset.id.span, message, secret);
                    }
                }
            }

            // Bodies read from files: at the `body_file` value.
            if let AssetSpec::Template(template) = &asset.spec {
                let bodies = std::iter::once(&template.content.body)
                    .chain(template.locales.values().map(|l| &l.value.body));
                for body in bodies {
                    let Body::File(file) = &body.value else {
                        continue;
                    };
                    for (kind, secret) in find_secrets(&file.text.source) {
                        add(
                            body.span,
                            format!(
                                "{what} contains a literal {kind} in `{}` (`{}`)",
                                file.path,
                                redact(secret)
                            ),
                            secret,
                        );
                    }
                }
            }

            hits.sort_by_key(|(span, ..)| *span);
            for (span, message, secret) in hits {
                sink.report(asset, span, message).secret(secret).help(
                    "delete it and rotate it at the provider: it stays in the repository history; webhooks take credentials from `auth.secret` (`env:NAME` or `vault:path#key`)",
                );
            }
        }
    }
}

/// Every string value with the object keys leading to it.
fn collect_strings(
    value: &serde_json::Value,
    path: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, String)>,
) {
    match value {
        serde_json::Value::String(s) => out.push((path.clone(), s.clone())),
        serde_json::Value::Array(items) => {
            for item in items {
                collect_strings(item, path, out);
            }
        }
        serde_json::Value::Object(map) => {
            for (key, item) in map {
                path.push(key.clone());
                collect_strings(item, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

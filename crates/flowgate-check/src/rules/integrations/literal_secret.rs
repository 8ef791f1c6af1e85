use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_diagnostics::Span;
use flowgate_model::{AssetSpec, Body, SecretRef};
use regex::Regex;
use std::sync::LazyLock;

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

/// A kind of credential and how to recognise it.
struct Pattern {
    /// What it is, for the message.
    kind: &'static str,
    /// Cheap test first: the text can only match when this holds.
    maybe: fn(&str) -> bool,
    regex: Regex,
    /// The capture group holding the secret itself (0: the whole match).
    group: usize,
}

/// `(kind, cheap test, regular expression, capture group of the secret)`.
type Spec = (&'static str, fn(&str) -> bool, &'static str, usize);

static PATTERNS: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
    let specs: [Spec; 10] = [
        (
            "private key",
            |t| t.contains("PRIVATE KEY"),
            r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----",
            0,
        ),
        (
            "Stripe secret key",
            |t| t.contains("k_live_") || t.contains("k_test_"),
            r"\b[sr]k_(?:live|test)_[0-9A-Za-z]{8,}",
            0,
        ),
        (
            "AWS access key id",
            |t| t.contains("AKIA"),
            r"\bAKIA[0-9A-Z]{16}\b",
            0,
        ),
        (
            "Slack token",
            |t| t.contains("xox"),
            r"\bxox[baprs]-[0-9A-Za-z-]{10,}",
            0,
        ),
        (
            "GitHub token",
            |t| t.contains("ghp_") || t.contains("github_pat_"),
            r"\b(?:ghp_[0-9A-Za-z]{20,}|github_pat_[0-9A-Za-z_]{20,})",
            0,
        ),
        (
            "Google API key",
            |t| t.contains("AIza"),
            r"\bAIza[0-9A-Za-z_-]{35}",
            0,
        ),
        (
            "JSON Web Token",
            |t| t.contains("eyJ"),
            r"\beyJ[0-9A-Za-z_-]{5,}\.eyJ[0-9A-Za-z_-]{5,}\.[0-9A-Za-z_-]*",
            0,
        ),
        (
            "bearer token",
            |t| t.contains("earer") || t.contains("EARER"),
            r"(?i)\bbearer\s+([0-9A-Za-z._~+/=-]{20,})",
            1,
        ),
        (
            "password in a URL",
            maybe_userinfo,
            r"\b[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@{}]+:([^/\s@{}]+)@",
            1,
        ),
        (
            "credential in a query parameter",
            maybe_credential_parameter,
            r#"(?i)[?&](?:api_?key|access_token|token|password)=([^&\s#"'<>{}%]+)"#,
            1,
        ),
    ];
    specs
        .into_iter()
        .filter_map(|(kind, maybe, pattern, group)| {
            Regex::new(pattern).ok().map(|regex| Pattern {
                kind,
                maybe,
                regex,
                group,
            })
        })
        .collect()
});

/// Header names that carry credentials (lower case; a name containing one matches).
const CREDENTIAL_HEADERS: &[&str] = &[
    "authorization",
    "api-key",
    "apikey",
    "api_key",
    "token",
    "secret",
    "password",
    "x-auth",
];

impl Rule for LiteralSecret {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for asset in ctx.model.assets() {
            let mut hits: Vec<(Span, String)> = Vec::new();
            let mut add = |span: Span, message: String| {
                let overlaps = hits
                    .iter()
                    .any(|(s, _)| *s == span || (s.start < span.end && span.start < s.end));
                if !overlaps {
                    hits.push((span, message));
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
            if document.is_none_or(|d| PATTERNS.iter().any(|p| (p.maybe)(d))) {
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
                            add(Span::new(start, start + secret.len()), message.clone());
                            found = true;
                        }
                    }
                    if !found {
                        add(asset.id.span, message);
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
                        );
                    }
                }
            }

            hits.sort_by_key(|(span, _)| *span);
            for (span, message) in hits {
                sink.report(asset, span, message).help(
                    "delete it and rotate it at the provider: it stays in the repository history; webhooks take credentials from `auth.secret` (`env:NAME` or `vault:path#key`)",
                );
            }
        }
    }
}

/// Every credential in a text: `(kind, secret)`.
fn find_secrets(text: &str) -> Vec<(&'static str, &str)> {
    let mut out = Vec::new();
    for pattern in PATTERNS.iter() {
        if !(pattern.maybe)(text) {
            continue;
        }
        for captures in pattern.regex.captures_iter(text) {
            if let Some(secret) = captures.get(pattern.group) {
                if !secret.as_str().is_empty() {
                    out.push((pattern.kind, secret.as_str()));
                }
            }
        }
    }
    out
}

/// Whether `://` is followed by an `@` before the next `/` or space somewhere in the text.
fn maybe_userinfo(text: &str) -> bool {
    text.match_indices("://").any(|(at, _)| {
        text[at + 3..]
            .bytes()
            .take_while(|b| *b != b'/' && !b.is_ascii_whitespace())
            .any(|b| b == b'@')
    })
}

/// Whether a `key=`, `token=` or `password=` (any case) occurs in the text.
fn maybe_credential_parameter(text: &str) -> bool {
    text.match_indices('=').any(|(at, _)| {
        let before = &text.as_bytes()[at.saturating_sub(8)..at];
        ["key", "token", "password"].iter().any(|name| {
            before.len() >= name.len()
                && before[before.len() - name.len()..].eq_ignore_ascii_case(name.as_bytes())
        })
    })
}

/// Whether a header value is a literal (not a secret reference or a template).
fn is_literal(value: &str) -> bool {
    let value = value.trim();
    !value.is_empty()
        && SecretRef::parse(value).is_err()
        && !value.contains("{{")
        && !value.contains("${")
}

/// The start of a secret, enough to recognise it and no more: `sk_l…`.
fn redact(secret: &str) -> String {
    let length = secret.chars().count();
    let keep = match length {
        0..=5 => 0,
        6..=11 => 2,
        _ => 4,
    };
    let mut out: String = secret.chars().take(keep).collect();
    out.push('…');
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(&'static str, String)> {
        find_secrets(text)
            .into_iter()
            .map(|(k, s)| (k, s.to_owned()))
            .collect()
    }

    #[test]
    fn finds_credentials() {
        let key = format!("sk_live_{}", "a1B2".repeat(6));
        assert_eq!(kinds(&key), vec![("Stripe secret key", key.clone())]);
        assert_eq!(kinds("AKIAIOSFODNN7EXAMPLE").len(), 1);
        assert_eq!(kinds("xoxb-1234567890-abcdef").len(), 1);
        assert_eq!(kinds(&format!("ghp_{}", "x".repeat(36))).len(), 1);
        assert_eq!(kinds(&format!("AIza{}", "x".repeat(35))).len(), 1);
        assert_eq!(kinds("-----BEGIN RSA PRIVATE KEY-----\nabc").len(), 1);
        assert_eq!(
            kinds("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abc")[0].0,
            "JSON Web Token"
        );
        assert_eq!(
            kinds("Bearer abcdefghijklmnopqrstuvwxyz")[0].1,
            "abcdefghijklmnopqrstuvwxyz"
        );
        assert_eq!(
            kinds("https://admin:hunter2@crm.example/api")[0].1,
            "hunter2"
        );
        assert_eq!(
            kinds("https://x.example/?a=1&API_KEY=abc123")[0].1,
            "abc123"
        );
    }

    #[test]
    fn leaves_references_and_templates_alone() {
        for text in [
            "env:CRM_TOKEN",
            "https://x.example/restore?token={{ contact.cart_restore_token | default('') }}",
            "https://x.example/?token=",
            "Bearer {{ token }}",
            "https://{{ user }}:{{ password }}@x.example",
            "mailto:ops@acme.example",
            "Never paste sk_live_ keys here",
            "slack:#ops-alerts",
        ] {
            assert!(kinds(text).is_empty(), "{text}");
        }
        assert!(!is_literal("env:CRM_TOKEN"));
        assert!(!is_literal("Bearer {{ token }}"));
        assert!(is_literal("Bearer abc"));
        assert_eq!(redact("sk_live_abcdefgh"), "sk_l…");
        assert_eq!(redact("abc"), "…");
    }
}

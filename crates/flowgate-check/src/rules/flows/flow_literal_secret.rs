use super::support::{describe_owner, document_texts, flow_noun, locate_part, DocText};
use crate::secrets::{find_secrets, is_literal, may_contain_secret, redact, CREDENTIAL_HEADERS};
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_diagnostics::Span;
use flowgate_model::flow::{Dialect, Flow};

declare_rule! {
    /// ## What it does
    /// Looks for credentials written into a platform flow, in any text of the document:
    ///
    /// - provider keys and tokens (Stripe, AWS, Slack, GitHub, Google), private keys, JSON
    ///   Web Tokens, `Bearer …` values, passwords in URLs (`https://user:pass@host`) and
    ///   `api_key=`, `token=` or `password=` query parameters, as FG502 finds them in
    ///   native assets;
    /// - literal values of headers, parameters and properties named like a credential
    ///   (`Authorization`, `X-Api-Key`, `apiKey`, `token`, `password`, `client_secret`, …):
    ///   n8n header and query parameters (`{ "name": "Authorization", "value": … }`),
    ///   Node-RED `http request` headers and node properties, Salesforce action inputs
    ///   (`<name>Authorization</name><value><stringValue>…`).
    ///
    /// Expressions and references are not secrets: n8n expressions (`={{ $credentials… }}`,
    /// `{{ $env.TOKEN }}`), Node-RED `${TOKEN}`, Salesforce merge fields (`{!$Credential…}`),
    /// `env:`/`vault:` references. Neither are placeholders (`YOUR_API_KEY`, `<token>`,
    /// `xxxx`, `sk_test_…EXAMPLE`) nor values too plain to be a key (a named value must
    /// have at least 8 characters, letters and digits, and no spaces).
    ///
    /// ## Why is this bad?
    /// Flow files are exported, committed, shared as templates and attached to tickets.
    /// Everyone who gets the file gets the key, and it stays in the repository history after
    /// it is deleted. n8n keeps credentials in its encrypted credential store and Node-RED
    /// in a separate, encrypted `flows_cred.json` precisely so that the flow file holds
    /// none: a literal in the flow is a leak.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "name": "Call CRM",
    ///   "type": "n8n-nodes-base.httpRequest",
    ///   "parameters": {
    ///     "url": "https://api.crm.example/v2/contacts",
    ///     "sendHeaders": true,
    ///     "headerParameters": {
    ///       "parameters": [{ "name": "Authorization", "value": "Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0" }]
    ///     }
    ///   }
    /// }
    /// ```
    ///
    /// ## How to fix
    /// Rotate the key at the provider (it is in the history now), then keep the new one
    /// where the platform keeps secrets: an n8n credential (Header Auth, or the app's own)
    /// selected on the node; Node-RED node credentials or an environment variable
    /// (`${CRM_TOKEN}`); a Salesforce Named Credential for the callout.
    pub struct FlowLiteralSecret {
        code: "FG708",
        name: "flow-literal-secret",
        category: Flows,
        severity: Error,
        summary: "a platform flow contains a literal credential",
    }
}

/// Words that mark a value as a placeholder rather than a credential (lower case).
const PLACEHOLDER_WORDS: &[&str] = &[
    "your",
    "example",
    "xxxx",
    "placeholder",
    "changeme",
    "change_me",
    "replace",
    "redacted",
    "censored",
    "dummy",
    "insert",
    "here",
    "undefined",
    "<",
    "[",
    "...",
    "…",
];

/// Names that contain a credential's name but hold something else: paging cursors, token
/// counts and types, token endpoints, request ids, examples (lower case).
const NOT_CREDENTIAL_NAMES: &[&str] = &[
    "postman",
    "page_token",
    "pagetoken",
    "next_token",
    "nexttoken",
    "continuation",
    "max_token",
    "maxtoken",
    "tokens",
    "token_type",
    "tokentype",
    "token_url",
    "tokenurl",
    "token_uri",
    "csrf",
    "example",
];

/// Schemes written before a credential in an `Authorization` value.
const SCHEMES: &[&str] = &["bearer ", "basic ", "token ", "bot ", "apikey ", "key "];

impl Rule for FlowLiteralSecret {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, flow) in ctx.flows() {
            let mut hits: Vec<(Span, String, Option<&str>, String)> = Vec::new();
            for text in document_texts(flow) {
                for (span, what, secret) in secrets_in(flow, &text) {
                    let overlaps = hits
                        .iter()
                        .any(|(s, ..)| s.start < span.end && span.start < s.end);
                    if !overlaps {
                        let place = describe_owner(flow, text.owner)
                            .map(|owner| format!("{owner} of {}", flow_noun(flow)))
                            .unwrap_or_else(|| flow_noun(flow).to_owned());
                        hits.push((
                            span,
                            format!("{place} `{}` contains {what}", asset.id.value),
                            text.owner,
                            secret,
                        ));
                    }
                }
            }
            let help = match flow.dialect {
                Dialect::Salesforce => {
                    "delete it and rotate it at the provider (it stays in the repository \
                     history); call the service through a Named Credential, which keeps the \
                     secret out of the flow"
                }
                Dialect::N8n => {
                    "delete it and rotate it at the provider (it stays in the repository \
                     history); store it in an n8n credential (Header Auth, or the app's own) and \
                     select that credential on the node"
                }
                Dialect::NodeRed => {
                    "delete it and rotate it at the provider (it stays in the repository \
                     history); keep it in the node's credentials (stored apart, in the encrypted \
                     flows_cred.json) or in an environment variable (`${API_TOKEN}`)"
                }
            };
            for (span, message, owner, secret) in hits {
                let finding = sink.report(asset, span, message);
                finding.help(help).secret(secret);
                if let Some(owner) = owner {
                    finding.element(owner);
                }
            }
        }
    }
}

/// The credentials in one text: `(where, "a literal … (`redacted`)", the credential)`.
fn secrets_in(flow: &Flow, text: &DocText<'_>) -> Vec<(Span, String, String)> {
    let mut out = Vec::new();
    if may_contain_secret(text.text) {
        for (kind, secret) in find_secrets(text.text) {
            if is_placeholder(secret) {
                continue;
            }
            out.push((
                locate_part(&flow.original, text, secret),
                format!("a literal {kind} (`{}`)", redact(secret)),
                secret.to_owned(),
            ));
        }
    }
    if !out.is_empty() {
        return out;
    }
    let name = text.pair_name.or(text.key).unwrap_or_default();
    // Most texts are not named like credentials: test without allocating first.
    let credential_name = CREDENTIAL_HEADERS
        .iter()
        .chain(&["client_secret", "clientsecret", "passwd", "private_key"])
        .any(|h| contains_ignoring_case(name, h))
        && {
            let normalized = name.to_ascii_lowercase().replace('-', "_");
            !NOT_CREDENTIAL_NAMES.iter().any(|n| normalized.contains(n))
        };
    if !credential_name || is_expression(text.text) {
        return out;
    }
    let value = strip_scheme(text.text.trim());
    if looks_like_key(value) {
        out.push((
            locate_part(&flow.original, text, value),
            format!("a literal credential in `{name}` (`{}`)", redact(value)),
            value.to_owned(),
        ));
    }
    out
}

/// Whether a value is computed rather than written: n8n expressions, Node-RED `${ENV}`
/// substitutions, Salesforce merge fields, `env:`/`vault:` references, `$VARIABLE`s.
/// Whether `haystack` contains `needle` (lower-case ASCII), ignoring ASCII case.
fn contains_ignoring_case(haystack: &str, needle: &str) -> bool {
    haystack
        .as_bytes()
        .windows(needle.len())
        .any(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
}

fn is_expression(value: &str) -> bool {
    let value = value.trim();
    !is_literal(value)
        || value.contains("{!")
        || value.starts_with('$')
        || value.starts_with('%')
        || (value.starts_with('=') && value.contains('$'))
}

/// The credential of an `Authorization` value, without its scheme word.
fn strip_scheme(value: &str) -> &str {
    let value = value.strip_prefix('=').unwrap_or(value).trim();
    SCHEMES
        .iter()
        .find_map(|scheme| {
            value
                .get(..scheme.len())
                .filter(|head| head.eq_ignore_ascii_case(scheme))
                .map(|_| value[scheme.len()..].trim_start())
        })
        .unwrap_or(value)
}

/// Whether a value written under a credential's name has the shape of one: 8 characters
/// or more, letters and digits, no spaces, not a placeholder.
fn looks_like_key(value: &str) -> bool {
    value.chars().count() >= 8
        && !value.chars().any(char::is_whitespace)
        && value.chars().any(|c| c.is_ascii_digit())
        && value.chars().any(|c| c.is_ascii_alphabetic())
        && !value.contains("://")
        && !is_placeholder(value)
}

/// Whether a value stands for a credential instead of being one: `YOUR_API_KEY`,
/// `<token>`, `sk_test_xxxx`, `AKIAIOSFODNN7EXAMPLE`, an environment variable's name.
fn is_placeholder(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    if PLACEHOLDER_WORDS.iter().any(|w| lower.contains(w)) {
        return true;
    }
    let mut chars = value.chars().filter(|c| c.is_ascii_alphanumeric());
    let first = chars.next();
    // One character repeated (`0000…`, `****`), or an environment variable's name.
    chars.all(|c| Some(c) == first)
        || value
            .chars()
            .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
            && value.contains('_')
            && value.chars().filter(char::is_ascii_digit).count() < 4
}

//! Recognising credentials written into text: provider key formats (Stripe, AWS, Slack,
//! GitHub, Google), private keys, JSON Web Tokens, `Bearer` values, passwords in URLs and
//! credential query parameters. Shared by the rules that look for literal secrets in native
//! assets (FG502) and in platform flows (FG708).

use flowgate_model::SecretRef;
use regex::Regex;
use std::sync::LazyLock;

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
pub(crate) const CREDENTIAL_HEADERS: &[&str] = &[
    "authorization",
    "api-key",
    "apikey",
    "api_key",
    "token",
    "secret",
    "password",
    "x-auth",
];

/// No pattern matches fewer characters: `a://b:c@` (a password in a URL) and `?token=x`.
const SHORTEST_SECRET: usize = 8;

/// Whether a text may hold a credential: a cheap test that rules out most texts before
/// [`find_secrets`] runs its expressions.
pub(crate) fn may_contain_secret(text: &str) -> bool {
    text.len() >= SHORTEST_SECRET
        && NEEDLES
            .as_ref()
            .is_none_or(|needles| needles.is_match(text))
        && PATTERNS.iter().any(|p| (p.maybe)(text))
}

/// Every literal the cheap tests of [`PATTERNS`] look for, as one expression: one pass over
/// a text (the regex engine searches many literals at once) rules out nearly all texts
/// before the tests run one by one.
static NEEDLES: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        "PRIVATE KEY|k_live_|k_test_|AKIA|xox|ghp_|github_pat_|AIza|eyJ|://|\
         (?i:earer|key=|token=|password=)",
    )
    .ok()
});

/// Every credential in a text: `(kind, secret)`.
pub(crate) fn find_secrets(text: &str) -> Vec<(&'static str, &str)> {
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
pub(crate) fn is_literal(value: &str) -> bool {
    let value = value.trim();
    !value.is_empty()
        && SecretRef::parse(value).is_err()
        && !value.contains("{{")
        && !value.contains("${")
}

/// The start of a secret, enough to recognise it and no more: `sk_l…`.
pub(crate) use flowgate_diagnostics::redact_secret as redact;

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
        // The shortest texts a pattern matches pass the length pre-test.
        for shortest in ["a://b:c@", "?token=x"] {
            assert_eq!(shortest.len(), SHORTEST_SECRET);
            assert!(may_contain_secret(shortest), "{shortest}");
            assert_eq!(kinds(shortest).len(), 1, "{shortest}");
        }
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

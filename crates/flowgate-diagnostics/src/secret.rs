//! Secrets that diagnostics quote or point at, and their masking.
//!
//! A diagnostic that concerns a credential (a pasted token in `auth.secret`, a key in a
//! header, a password in a URL) carries the credential in [`Diagnostic::secrets`]. That list is
//! never serialized; every renderer builds a [`Masker`] from all the diagnostics it renders
//! and masks each secret wherever it would appear: in messages, labels, help, related notes
//! and the quoted source lines. A secret flagged by one diagnostic is therefore masked in the
//! snippet of every other diagnostic on the same line too.

use crate::Diagnostic;
use std::borrow::Cow;

/// The start of a secret, enough to recognise it and no more: `sk_l…`.
pub fn redact_secret(secret: &str) -> String {
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

/// The secret with every character after the recognisable start replaced by `*`: the text
/// keeps its width, so carets under a masked source line still line up.
fn mask_same_width(secret: &str) -> String {
    let keep = redact_secret(secret).chars().count().saturating_sub(1);
    secret
        .chars()
        .enumerate()
        .map(|(i, c)| if i < keep { c } else { '*' })
        .collect()
}

/// Masks the secrets of a set of diagnostics in any text about them.
#[derive(Debug, Clone, Default)]
pub struct Masker {
    /// Secrets, longest first, so that a secret containing another is masked whole.
    secrets: Vec<String>,
}

impl Masker {
    /// A masker for every secret any of `diagnostics` carries.
    pub fn of(diagnostics: &[Diagnostic]) -> Self {
        let mut secrets: Vec<String> = diagnostics
            .iter()
            .flat_map(|d| d.secrets.iter())
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        secrets.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        secrets.dedup();
        Self { secrets }
    }

    /// Whether there is nothing to mask.
    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    fn replace<'a>(&self, text: &'a str, with: fn(&str) -> String) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(text);
        for secret in &self.secrets {
            if out.contains(secret.as_str()) {
                out = Cow::Owned(out.replace(secret.as_str(), &with(secret)));
            }
        }
        out
    }

    /// `text` with every secret shortened to its start (`sk_l…`).
    pub fn mask<'a>(&self, text: &'a str) -> Cow<'a, str> {
        self.replace(text, redact_secret)
    }

    /// A source line with every secret starred out at the same width (`sk_l*******`).
    pub fn mask_line<'a>(&self, line: &'a str) -> Cow<'a, str> {
        self.replace(line, mask_same_width)
    }

    /// A copy of `diagnostic` whose texts show no secret.
    pub fn diagnostic(&self, diagnostic: &Diagnostic) -> Diagnostic {
        let mut out = diagnostic.clone();
        if self.is_empty() {
            return out;
        }
        let mask = |text: &mut String| {
            if let Cow::Owned(masked) = self.mask(text) {
                *text = masked;
            }
        };
        mask(&mut out.message);
        out.label.iter_mut().for_each(mask);
        out.help.iter_mut().for_each(mask);
        out.related.iter_mut().for_each(|r| mask(&mut r.message));
        out
    }
}

/// The diagnostics with their secrets masked, ready for any renderer.
pub fn masked(diagnostics: &[Diagnostic]) -> Vec<Diagnostic> {
    let masker = Masker::of(diagnostics);
    diagnostics.iter().map(|d| masker.diagnostic(d)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_shortened_in_texts_and_starred_in_lines() {
        let token = "sk_live_51HxYzAbCdEf0123456789";
        let d = Diagnostic::error("FG012", format!("`{token}` is not a secret reference"))
            .with_help(format!("remove {token}"))
            .with_secret(token);
        let masker = Masker::of(std::slice::from_ref(&d));
        let out = masker.diagnostic(&d);
        assert_eq!(out.message, "`sk_l…` is not a secret reference");
        assert_eq!(out.help.as_deref(), Some("remove sk_l…"));
        let line = format!("  secret: \"{token}\"");
        let masked = masker.mask_line(&line);
        assert_eq!(masked.chars().count(), line.chars().count());
        assert!(
            !masked.contains(token) && masked.contains("sk_l****"),
            "{masked}"
        );
        assert_eq!(redact_secret("sk_live_abcdefgh"), "sk_l…");
        assert_eq!(redact_secret("abc"), "…");
    }

    #[test]
    fn secrets_are_never_serialized() {
        let d = Diagnostic::error("FG502", "a literal key").with_secret("sk_live_x1y2z3w4");
        let json = serde_json::to_string(&d).unwrap_or_default();
        assert!(!json.contains("sk_live_x1y2z3w4"), "{json}");
    }
}

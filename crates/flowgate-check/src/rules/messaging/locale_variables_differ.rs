use super::support;
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use std::collections::BTreeSet;

declare_rule! {
    /// ## What it does
    /// Compares the variables of each locale of a template (subject, preheader and body
    /// together) with those of the default content and flags a locale that misses some or
    /// uses others.
    ///
    /// ## Why is this bad?
    /// Translations are usually made from an older version of the text: the German email
    /// lacks the cart restore link the English one got last week, or still prints a field
    /// that was renamed.
    ///
    /// ## Example
    /// ```yaml
    /// body: |
    ///   <p>Hi {{ contact.first_name | default("there") }},</p>
    ///   <a href="https://www.acme-outdoor.example/cart?token={{ contact.cart_restore_token }}">Back to my cart</a>
    /// locales:
    ///   de:
    ///     body: |
    ///       <p>Hallo,</p>
    ///       <a href="https://www.acme-outdoor.example/de/cart">Zum Warenkorb</a>
    /// ```
    ///
    /// ## How to fix
    /// Use the same variables in every language:
    /// ```yaml
    /// locales:
    ///   de:
    ///     body: |
    ///       <p>Hallo {{ contact.first_name | default("zusammen") }},</p>
    ///       <a href="https://www.acme-outdoor.example/de/cart?token={{ contact.cart_restore_token }}">Zum Warenkorb</a>
    /// ```
    pub struct LocaleVariablesDiffer {
        code: "FG408",
        name: "locale-variables-differ",
        category: Messaging,
        severity: Warning,
        summary: "a locale of a template uses other variables than the default content",
    }
}

impl Rule for LocaleVariablesDiffer {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, template) in ctx.templates() {
            if template.locales.is_empty() {
                continue;
            }
            let variants = support::variants(template);
            let mut variants = variants.iter();
            let Some(default) = variants.next() else {
                continue;
            };
            let expected = variables(default);
            for variant in variants {
                let (Some(locale), Some(span)) = (variant.locale, variant.span) else {
                    continue;
                };
                let found = variables(variant);
                let missing: Vec<_> = expected.difference(&found).collect();
                let extra: Vec<_> = found.difference(&expected).collect();
                if missing.is_empty() && extra.is_empty() {
                    continue;
                }
                let list = |names: &[&String]| {
                    names
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let mut parts = Vec::new();
                if !missing.is_empty() {
                    parts.push(format!("lacks {}", list(&missing)));
                }
                if !extra.is_empty() {
                    parts.push(format!("adds {}", list(&extra)));
                }
                sink.report(
                    asset,
                    support::locale_key_span(ctx, asset, locale, span),
                    format!(
                        "the `{locale}` variant of template `{}` uses other variables than the default content: it {}",
                        asset.id.value,
                        parts.join("; it ")
                    ),
                )
                .help(format!(
                    "use the same variables in the `{locale}` subject, preheader and body as in the default content, so every language gets the same personalisation and links"
                ));
            }
        }
    }
}

/// The variable paths of a variant (`contact.first_name`).
fn variables(variant: &support::Variant<'_>) -> BTreeSet<String> {
    support::variant_sites(variant)
        .iter()
        .flat_map(|site| site.text.variables.iter().map(|v| v.path.join(".")))
        .collect()
}

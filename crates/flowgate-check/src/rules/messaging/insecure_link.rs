use super::support;
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};

declare_rule! {
    /// ## What it does
    /// Flags a link in a template that starts with `http://` instead of `https://`.
    ///
    /// ## Why is this bad?
    /// Browsers mark plain-http pages "Not secure", some mail clients warn before opening
    /// them, and the tracking parameters in the link (contact ids, restore tokens) travel in
    /// clear text over café Wi-Fi.
    ///
    /// ## Example
    /// ```yaml
    /// body: |
    ///   <a href="http://www.acme-outdoor.example/sale">Shop the sale</a>
    /// ```
    ///
    /// ## How to fix
    /// Use the https address (every modern site has one):
    /// ```yaml
    /// body: |
    ///   <a href="https://www.acme-outdoor.example/sale">Shop the sale</a>
    /// ```
    pub struct InsecureLink {
        code: "FG404",
        name: "insecure-link",
        category: Messaging,
        severity: Warning,
        summary: "a template link uses plain http",
    }
}

impl Rule for InsecureLink {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, template) in ctx.templates() {
            for site in support::sites(template) {
                for link in support::links(ctx, asset, &site) {
                    let text = link.text.trim_start();
                    let is_http = text
                        .get(..7)
                        .is_some_and(|s| s.eq_ignore_ascii_case("http://"));
                    if !is_http {
                        continue;
                    }
                    sink.report(
                        asset,
                        link.span,
                        format!(
                            "link `{}` in {} uses plain http",
                            support::shorten(text, 80),
                            site.describe(asset)
                        ),
                    )
                    .help(format!(
                        "write `https://{}`",
                        support::shorten(&text[7..], 60)
                    ));
                }
            }
        }
    }
}

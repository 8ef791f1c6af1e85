use super::support;
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_model::{Channel, MessageCategory};

/// Words in a link that mark it as an unsubscribe or preference link.
const OPT_OUT_WORDS: &[&str] = &["unsubscribe", "preference", "opt-out", "optout", "opt_out"];

declare_rule! {
    /// ## What it does
    /// Flags a web link in a marketing email that lacks one of the UTM parameters named in
    /// `[check] required_utm` (by default `utm_source`, `utm_medium` and `utm_campaign`).
    /// Unsubscribe and preference links, and links that start with a variable
    /// (`{{ view_in_browser_url }}`), are not checked.
    ///
    /// ## Why is this bad?
    /// Web analytics counts the visit as "direct" and the campaign's revenue disappears
    /// from the report that decides next quarter's budget.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Template
    /// id: welcome-email
    /// channel: email
    /// category: marketing
    /// body: |
    ///   <a href="https://www.acme-outdoor.example/new-arrivals?utm_source=acme">See what's new</a>
    /// ```
    ///
    /// ## How to fix
    /// Add the missing parameters:
    /// ```yaml
    /// body: |
    ///   <a href="https://www.acme-outdoor.example/new-arrivals?utm_source=acme&utm_medium=email&utm_campaign=welcome">See what's new</a>
    /// ```
    pub struct LinkWithoutUtm {
        code: "FG405",
        name: "link-without-utm",
        category: Messaging,
        severity: Warning,
        summary: "a link in a marketing email lacks UTM parameters",
    }
}

impl Rule for LinkWithoutUtm {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        let required = &ctx.config.required_utm;
        if required.is_empty() {
            return;
        }
        for (asset, template) in ctx.templates() {
            if template.channel != Channel::Email || template.category != MessageCategory::Marketing
            {
                continue;
            }
            for site in support::sites(template) {
                for link in support::links(ctx, asset, &site) {
                    let text = link.text.trim();
                    if !support::is_web(text) || support::starts_with_tag(text) {
                        continue;
                    }
                    let lower = text.to_ascii_lowercase();
                    if OPT_OUT_WORDS.iter().any(|w| lower.contains(w)) {
                        continue;
                    }
                    let Some(present) = parameters(text) else {
                        continue;
                    };
                    let missing: Vec<&str> = required
                        .iter()
                        .filter(|p| !present.iter().any(|q| q.eq_ignore_ascii_case(p)))
                        .map(String::as_str)
                        .collect();
                    if missing.is_empty() {
                        continue;
                    }
                    let names = missing
                        .iter()
                        .map(|m| format!("`{m}`"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let example = missing
                        .iter()
                        .map(|m| format!("{m}=…"))
                        .collect::<Vec<_>>()
                        .join("&");
                    let joiner = if text.contains('?') { '&' } else { '?' };
                    sink.report(
                        asset,
                        link.span,
                        format!(
                            "link `{}` in {} lacks {names}",
                            support::shorten(text, 80),
                            site.describe(asset)
                        ),
                    )
                    .help(format!(
                        "append `{joiner}{example}` so visits from this email are attributed to its campaign"
                    ));
                }
            }
        }
    }
}

/// The query parameter names of a link, or `None` when a name comes from a template
/// expression (then the parameters cannot be known).
fn parameters(link: &str) -> Option<Vec<String>> {
    let without_fragment = link.split('#').next().unwrap_or(link);
    let Some((_, query)) = without_fragment.split_once('?') else {
        return Some(Vec::new());
    };
    let query = query.replace("&amp;", "&");
    let mut names = Vec::new();
    for pair in query.split('&') {
        let name = pair.split('=').next().unwrap_or(pair);
        if name.contains("{{") || name.contains("{%") {
            return None;
        }
        if !name.is_empty() {
            names.push(name.to_owned());
        }
    }
    Some(names)
}

#[cfg(test)]
mod tests {
    use super::parameters;

    #[test]
    fn parameter_names() {
        assert_eq!(
            parameters("https://x/?a=1&amp;utm_source={{ s }}&b#c?d=1"),
            Some(vec!["a".into(), "utm_source".into(), "b".into()])
        );
        assert_eq!(parameters("https://x/"), Some(vec![]));
        assert_eq!(parameters("https://x/?{{ utm }}"), None);
    }
}

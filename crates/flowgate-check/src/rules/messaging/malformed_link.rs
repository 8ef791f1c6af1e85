use super::support;
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_diagnostics::suggest::edit_distance;

/// What stands in for a template expression when a link is checked: a valid host label,
/// path segment and query value.
const PLACEHOLDER: &str = "flowgate-var";

declare_rule! {
    /// ## What it does
    /// Flags a link in a template that is not a valid absolute address: a mistyped scheme
    /// (`htps://`, `https//`, `https:/`), no host (`https://`), spaces or backslashes inside,
    /// a relative address (`/sale`, `www.acme.example`). Template expressions are allowed
    /// anywhere after the scheme (`https://{{ shop_host }}/`); `mailto:`, `tel:` and `sms:`
    /// links, and links that start with a variable (`{{ unsubscribe_url }}`), are not checked.
    ///
    /// ## Why is this bad?
    /// A broken link is a dead call to action: the campaign goes out, the clicks go
    /// nowhere, and a relative link resolves against the recipient's webmail host.
    ///
    /// ## Example
    /// ```yaml
    /// body: |
    ///   <a href="htps://www.acme-outdoor.example/sale">Shop the sale</a>
    ///   <a href="www.acme-outdoor.example/fitting">Book a fitting</a>
    /// ```
    ///
    /// ## How to fix
    /// Write every link as a complete address:
    /// ```yaml
    /// body: |
    ///   <a href="https://www.acme-outdoor.example/sale?utm_source=acme&utm_medium=email&utm_campaign=sale">Shop the sale</a>
    /// ```
    pub struct MalformedLink {
        code: "FG403",
        name: "malformed-link",
        category: Messaging,
        severity: Error,
        summary: "a template link is not a valid absolute URL",
    }
}

impl Rule for MalformedLink {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, template) in ctx.templates() {
            for site in support::sites(template) {
                for link in support::links(ctx, asset, &site) {
                    let Some(problem) = problem(&link.text) else {
                        continue;
                    };
                    sink.report(
                        asset,
                        link.span,
                        format!(
                            "link `{}` in {} is malformed: {problem}",
                            support::shorten(&link.text, 80),
                            site.describe(asset)
                        ),
                    )
                    .help("write the complete address, e.g. `https://www.acme.example/page`, then test-send the message and click every link");
                }
            }
        }
    }
}

/// What is wrong with a link, if anything.
fn problem(link: &str) -> Option<String> {
    let link = link.trim();
    if link.is_empty() || support::starts_with_tag(link) {
        return None;
    }
    let concrete = support::estimate(link, |_| PLACEHOLDER.to_owned());
    let lower = concrete.to_ascii_lowercase();
    if ["mailto:", "tel:", "sms:"]
        .iter()
        .any(|s| lower.starts_with(s))
    {
        return None;
    }
    if concrete.chars().any(char::is_whitespace) {
        return Some("it contains a space (encode it as `%20`, or remove it)".into());
    }
    for scheme in ["https//", "http//"] {
        if lower.starts_with(scheme) {
            return Some(format!("`{}` lacks the `:`", &scheme[..scheme.len() - 2]));
        }
    }
    let scheme = concrete.find(':').map(|colon| &lower[..colon]).filter(|s| {
        s.starts_with(|c: char| c.is_ascii_alphabetic())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    let Some(scheme) = scheme else {
        return Some("it is not an absolute URL (it has no scheme such as `https://`)".into());
    };
    if scheme != "http" && scheme != "https" {
        // One edit only: here the distance decides whether the link is reported at all, so
        // other schemes two edits away (`ftps`) stay allowed.
        let typo = ["https", "http"]
            .into_iter()
            .find(|wanted| edit_distance(scheme, wanted) <= 1);
        return typo.map(|wanted| format!("unknown scheme `{scheme}` (did you mean `{wanted}`?)"));
    }
    let after = &concrete[scheme.len() + 1..];
    if !after.starts_with("//") {
        return Some(format!("`{scheme}:` must be followed by `//`"));
    }
    let rest = after[2..].to_ascii_lowercase();
    if rest.starts_with("http:") || rest.starts_with("https:") {
        return Some("the scheme is written twice".into());
    }
    if concrete.contains('\\') {
        return Some("it contains a backslash (write `/`)".into());
    }
    let url = match url::Url::parse(&concrete) {
        Ok(url) => url,
        Err(url::ParseError::EmptyHost) => return Some("it has no host".into()),
        Err(e) => return Some(e.to_string()),
    };
    match url.host() {
        None => Some("it has no host".into()),
        Some(url::Host::Domain(host))
            if !host.contains('.') && !host.contains(PLACEHOLDER) && host != "localhost" =>
        {
            Some(format!("host `{host}` is not a domain name"))
        }
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems() {
        for ok in [
            "https://www.acme.example/sale?a=1&b={{ contact.id }}",
            "https://{{ shop_host }}/cart",
            "http://{{ x }}.acme.example",
            "mailto:hi@acme.example",
            "tel:+49 89 1234",
            "{{ unsubscribe_url }}",
            "{{ base_url }}/x",
            "ftp://files.acme.example/x",
            "https://localhost:8080/",
            "https://192.168.0.1/",
        ] {
            assert_eq!(problem(ok), None, "{ok}");
        }
        for bad in [
            "htps://x.example",
            "httsp://x.example",
            "https//x.example",
            "https:/x.example",
            "https://",
            "https:// x.example",
            "https://x.example/a b",
            "/sale",
            "www.acme.example",
            "#",
            "https://https://x.example",
            "https://acme/x",
            "https:\\\\x.example",
            "https://x.example:99999/",
        ] {
            assert!(problem(bad).is_some(), "{bad}");
        }
    }
}

use super::support::{describe_owner, document_texts, flow_noun, locate_part, DocText};
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_model::flow::Flow;
use flowgate_model::Asset;
use regex::Regex;
use std::sync::LazyLock;

declare_rule! {
    /// ## What it does
    /// Flags Salesforce org URLs written into a Salesforce flow: a URL (or bare host name) of
    /// one org's My Domain (`*.my.salesforce.com`, `*.lightning.force.com`), its sites and
    /// content domains (`*.my.site.com`, `*.force.com`, `*.visualforce.com`,
    /// `*.salesforce-sites.com`, `*.documentforce.com`, …) or an instance
    /// (`na123.salesforce.com`, `cs42.salesforce.com`), in any text of the flow: a formula,
    /// a variable's value, a screen text. Descriptions are left alone: they document, they
    /// do not run.
    ///
    /// Only a whole host names an org. A piece of one that a formula completes at run time
    /// (`".lightning.force.com/lightning/r/Case/"` after the My Domain name taken from
    /// `{!$Api.Partner_Server_URL_260}`, or `"lightning.force.com/…"` after a `LEFT(…)` of
    /// it) is how a flow derives the URL of the org it runs in, and is not flagged; nor are
    /// Salesforce's public sites (`help.salesforce.com`, `developer.salesforce.com`,
    /// `login.salesforce.com`, …), which belong to no org.
    ///
    /// The rule applies to Salesforce flows only. A Salesforce flow is deployed from org to
    /// org (sandboxes, scratch orgs, production), so a URL of the org it was built in is
    /// wrong in every other one. An n8n workflow or a Node-RED flow is not deployed into an
    /// org: it calls or links to the org it is configured for, and a Salesforce URL in it is
    /// that configuration, not a leftover of another org.
    ///
    /// ## Why is this bad?
    /// The URL names one org. Deployed to another (a sandbox refreshed from production, a
    /// scratch org, production itself), the flow keeps sending users and requests to the
    /// org it was built in: links open the wrong org, callouts write into the wrong data. A
    /// My Domain rename breaks it everywhere.
    ///
    /// ## Example
    /// ```xml
    /// <formulas>
    ///     <name>Case_Link</name>
    ///     <dataType>String</dataType>
    ///     <expression>"https://acme.my.salesforce.com/" &amp; {!Case.Id}</expression>
    /// </formulas>
    /// ```
    ///
    /// ## How to fix
    /// Derive the URL from the org the flow runs in, or keep it per org:
    /// ```xml
    ///     <expression>LEFT({!$Api.Partner_Server_URL_260}, FIND('/services', {!$Api.Partner_Server_URL_260})) &amp; {!Case.Id}</expression>
    /// ```
    /// or read it from a custom label or custom metadata record.
    pub struct HardcodedUrl {
        code: "FG707",
        name: "hardcoded-url",
        category: Flows,
        severity: Error,
        summary: "a Salesforce flow contains the URL of one Salesforce org",
        peer: "HardcodedUrl",
    }
}

/// A URL or bare host name under one of Salesforce's domains; group 1 is the host.
static SALESFORCE_URL: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:\bhttps?://)?\b((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:salesforce|force|visualforce|salesforce-sites|site|cloudforce|documentforce|salesforce-experience)\.com)\b(?::[0-9]+)?(?:[/?#][^\s\x22'<>{}()\[\]|\\^`]*)?",
    )
    .ok()
});

/// Salesforce instance hosts: `na123`, `eu45`, `cs42`, `um5`, … optionally `-s`.
static INSTANCE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^(?:na|eu|ap|cs|um|gs|usa|can|aus|ind|jpn|sgp|fra|deu|gbr)[0-9]+(?:-s)?$").ok()
});

/// Labels of Salesforce's own domain layout (`sandbox.lightning.force.com`), which name no
/// org.
const LAYOUT_LABELS: &[&str] = &[
    "lightning",
    "sandbox",
    "scratch",
    "develop",
    "patch",
    "trailblaze",
    "my",
    "vf",
];

/// Whether `host` (lower case) belongs to one org rather than to Salesforce's public sites.
fn is_org_host(host: &str) -> bool {
    let under = |domain: &str| host.strip_suffix(domain).filter(|s| s.ends_with('.'));
    if let Some(sub) = under("salesforce.com") {
        let sub = sub.trim_end_matches('.');
        return sub.ends_with(".my")
            || INSTANCE
                .as_ref()
                .is_some_and(|r| r.is_match(sub.rsplit('.').next().unwrap_or(sub)));
    }
    if let Some(sub) = under("force.com") {
        let sub = sub.trim_end_matches('.');
        // `www.force.com` and `developer.force.com` are Salesforce's own sites, and
        // `lightning.force.com` alone is the tail of a host, not an org's.
        return !matches!(sub, "www" | "developer")
            && !sub.split('.').all(|label| LAYOUT_LABELS.contains(&label));
    }
    if let Some(sub) = under("site.com") {
        return sub.ends_with(".my.");
    }
    [
        "visualforce.com",
        "salesforce-sites.com",
        "cloudforce.com",
        "documentforce.com",
        "salesforce-experience.com",
    ]
    .iter()
    .any(|domain| under(domain).is_some())
}

/// Whether the host found at byte `start` of `text` continues a host name written before it
/// (`{!myDomain}.lightning.force.com`, `"https://" & name & "--c.vf.force.com"`): a piece
/// that a formula completes at run time, not a whole host.
fn continues_a_host(text: &str, start: usize) -> bool {
    text.get(..start)
        .and_then(|before| before.chars().next_back())
        .is_some_and(|c| c == '.' || c == '-')
}

/// The URLs and host names in `text` that name one org with a whole host.
fn org_urls(text: &str) -> Vec<&str> {
    let Some(url) = SALESFORCE_URL.as_ref() else {
        return Vec::new();
    };
    url.captures_iter(text)
        .filter_map(|found| {
            let (whole, host) = (found.get(0)?, found.get(1)?);
            let org = is_org_host(&host.as_str().to_ascii_lowercase())
                && !continues_a_host(text, whole.start());
            org.then_some(whole.as_str())
        })
        .collect()
}

impl Rule for HardcodedUrl {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, flow, _) in ctx.salesforce_flows() {
            // Cheap test on the file first: most flows never mention these domains.
            if !mentions_salesforce(&flow.original) {
                continue;
            }
            for text in document_texts(flow) {
                if text.documentation || text.data || !mentions_salesforce(text.text) {
                    continue;
                }
                for whole in org_urls(text.text) {
                    report(sink, asset, flow, &text, whole);
                }
            }
        }
    }
}

/// Whether `text` may hold a Salesforce host at all.
fn mentions_salesforce(text: &str) -> bool {
    text.contains("force.com") || text.contains("site.com")
}

fn report(sink: &mut Sink, asset: &Asset, flow: &Flow, text: &DocText<'_>, whole: &str) {
    let span = locate_part(&flow.original, text, whole);
    let place = describe_owner(flow, text.owner)
        .map(|owner| format!("{owner} of {}", flow_noun(flow)))
        .unwrap_or_else(|| flow_noun(flow).to_owned());
    let finding = sink.report(
        asset,
        span,
        format!(
            "{place} `{}` hard-codes the Salesforce org URL `{whole}`",
            asset.id.value
        ),
    );
    finding.help(
        "derive the URL from the running org (a formula on {!$Api.Partner_Server_URL_260}) or \
         read it from a custom label or custom metadata, so that every org uses its own",
    );
    if let Some(owner) = text.owner {
        finding.element(owner);
    }
}

#[cfg(test)]
mod tests {
    use super::org_urls;

    #[test]
    fn only_whole_hosts_of_one_org_are_urls() {
        assert_eq!(
            org_urls("\"https://acme.lightning.force.com/lightning/r/Case/\""),
            ["https://acme.lightning.force.com/lightning/r/Case/"]
        );
        assert_eq!(
            org_urls("see acme.my.salesforce.com"),
            ["acme.my.salesforce.com"]
        );
        // Pieces a formula completes with the running org's My Domain name.
        assert!(org_urls("{!Domain} & \".lightning.force.com/lightning/r/Case/\"").is_empty());
        assert!(org_urls("{!Domain}.my.salesforce.com").is_empty());
        assert!(
            org_urls("LEFT({!$Api.Partner_Server_URL_260}, 12) & \"lightning.force.com/\"")
                .is_empty()
        );
        assert!(org_urls("{!Name} & \"--c.visualforce.com/apex/Page\"").is_empty());
        assert!(org_urls("sandbox.lightning.force.com").is_empty());
        // Salesforce's public sites.
        assert!(org_urls("https://help.salesforce.com/s/").is_empty());
        assert!(org_urls("https://developer.force.com").is_empty());
    }
}

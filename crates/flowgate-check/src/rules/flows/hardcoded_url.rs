use super::support::{describe_owner, document_texts, flow_noun, locate_part};
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_model::flow::Dialect;
use regex::Regex;
use std::sync::LazyLock;

declare_rule! {
    /// ## What it does
    /// Flags Salesforce org URLs written into a flow, in any dialect: a URL (or bare host
    /// name) of one org's My Domain (`*.my.salesforce.com`, `*.lightning.force.com`), its
    /// sites and content domains (`*.my.site.com`, `*.force.com`, `*.visualforce.com`,
    /// `*.salesforce-sites.com`, `*.documentforce.com`, …) or an instance
    /// (`na123.salesforce.com`, `cs42.salesforce.com`), in any text of the flow: a formula,
    /// a variable's value, a screen text, an n8n node parameter, a Node-RED node property.
    /// Descriptions, sticky notes and comments are left alone: they document, they do not
    /// run.
    ///
    /// Salesforce's public sites (`help.salesforce.com`, `developer.salesforce.com`,
    /// `login.salesforce.com`, …) belong to no org and are not flagged.
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
    /// or read it from a custom label or custom metadata record. In n8n and Node-RED, keep
    /// the instance URL in the Salesforce credential or an environment variable.
    pub struct HardcodedUrl {
        code: "FG707",
        name: "hardcoded-url",
        category: Flows,
        severity: Error,
        summary: "a flow contains the URL of one Salesforce org",
        peer: "HardcodedUrl",
    }
}

/// A URL or bare host name under one of Salesforce's domains; group 1 is the host.
static SALESFORCE_URL: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:\bhttps?://)?\b((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:salesforce|force|visualforce|salesforce-sites|site|cloudforce|documentforce|salesforce-experience)\.com)\b(?::\d+)?(?:[/?#][^\s\x22'<>{}()\[\]|\\^`]*)?",
    )
    .ok()
});

/// Salesforce instance hosts: `na123`, `eu45`, `cs42`, `um5`, … optionally `-s`.
static INSTANCE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^(?:na|eu|ap|cs|um|gs|usa|can|aus|ind|jpn|sgp|fra|deu|gbr)\d+(?:-s)?$").ok()
});

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
        // `www.force.com` and `developer.force.com` are Salesforce's own sites.
        return !matches!(sub.trim_end_matches('.'), "www" | "developer");
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

impl Rule for HardcodedUrl {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        let Some(url) = SALESFORCE_URL.as_ref() else {
            return;
        };
        for (asset, flow) in ctx.flows() {
            // Cheap test on the file first: most flows never mention these domains.
            if !flow.original.contains("force.com") && !flow.original.contains("site.com") {
                continue;
            }
            for text in document_texts(flow) {
                if text.documentation
                    || text.data
                    || !(text.text.contains("force.com") || text.text.contains("site.com"))
                {
                    continue;
                }
                for found in url.captures_iter(text.text) {
                    let (Some(whole), Some(host)) = (found.get(0), found.get(1)) else {
                        continue;
                    };
                    if !is_org_host(&host.as_str().to_ascii_lowercase()) {
                        continue;
                    }
                    let span = locate_part(&flow.original, &text, whole.as_str());
                    let place = describe_owner(flow, text.owner)
                        .map(|owner| format!("{owner} of {}", flow_noun(flow)))
                        .unwrap_or_else(|| flow_noun(flow).to_owned());
                    let help = match flow.dialect {
                        Dialect::Salesforce => {
                            "derive the URL from the running org (a formula on \
                             {!$Api.Partner_Server_URL_260}) or read it from a custom label or \
                             custom metadata, so that every org uses its own"
                        }
                        Dialect::N8n => {
                            "take the instance URL from the Salesforce credential or from an \
                             environment variable (`{{ $env.SALESFORCE_URL }}`), so that every \
                             environment uses its own org"
                        }
                        Dialect::NodeRed => {
                            "take the instance URL from an environment variable \
                             (`${SALESFORCE_URL}`) or the connection's configuration node, so \
                             that every environment uses its own org"
                        }
                    };
                    let finding = sink.report(
                        asset,
                        span,
                        format!(
                            "{place} `{}` hard-codes the Salesforce org URL `{}`",
                            asset.id.value,
                            whole.as_str()
                        ),
                    );
                    finding.help(help);
                    if let Some(owner) = text.owner {
                        finding.element(owner);
                    }
                }
            }
        }
    }
}

use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_diagnostics::Span;
use flowgate_model::Asset;
use std::collections::BTreeSet;

declare_rule! {
    /// ## What it does
    /// Flags a template whose `from.address` is not in `[check] verified_senders`, and a
    /// template with no `from` at all. Email addresses match an entry exactly (ignoring case)
    /// or a `*@domain` pattern (`*@acme.example` matches `hello@acme.example`, not
    /// `hello@mail.acme.example`); SMS sender ids and numbers must match an entry exactly.
    ///
    /// The rule reports nothing while `verified_senders` is empty: list your verified
    /// senders in `flowgate.toml` to enable it.
    ///
    /// ## Why is this bad?
    /// Email from a domain without SPF, DKIM and DMARC set up for your sending platform is
    /// rejected or lands in spam (Gmail and Yahoo enforce this for bulk senders); a
    /// typo in the address (`helo@`) sends replies nowhere. Texts from an unregistered number
    /// or sender id are blocked by carriers. A template without a sender falls back to a
    /// platform default that nobody chose.
    ///
    /// ## Example
    /// ```toml
    /// [check]
    /// verified_senders = ["*@acme-outdoor.example", "+18885550134"]
    /// ```
    /// ```yaml
    /// kind: Template
    /// id: spring-offer
    /// channel: email
    /// from: { name: Acme Outdoor, address: offers@acme-outdoor-mail.example }
    /// ```
    ///
    /// ## How to fix
    /// Send from a verified address, domain or number:
    /// ```yaml
    /// from: { name: Acme Outdoor, address: hello@acme-outdoor.example }
    /// ```
    /// If the sender is new, verify it with your sending platform (domain authentication,
    /// number or sender id registration) first, then add it to `verified_senders`.
    pub struct UnverifiedSender {
        code: "FG208",
        name: "unverified-sender",
        category: Compliance,
        severity: Error,
        summary: "a template sends from an identity not in the verified senders",
    }
}

impl Rule for UnverifiedSender {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        if ctx.config.verified_senders.is_empty() {
            return;
        }
        let senders = Senders::new(&ctx.config.verified_senders);
        for (asset, template) in ctx.templates() {
            let Some(sender) = &template.sender else {
                sink.report(
                    asset,
                    asset.id.span,
                    format!("template `{}` has no sender identity (`from`)", asset.id.value),
                )
                .help("add `from: { name: <display name>, address: <verified address or sender id> }`");
                continue;
            };
            let address = sender.value.address.as_str();
            if senders.verified(address) {
                continue;
            }
            sink.report(
                asset,
                address_span(ctx, asset, sender.span, address),
                format!(
                    "template `{}` sends from `{address}`, which is not a verified sender",
                    asset.id.value
                ),
            )
            .help(format!(
                "use a sender listed in `[check] verified_senders`, or verify `{address}` with your sending platform and add it there"
            ));
        }
    }
}

/// The configured senders, split by how they match.
struct Senders {
    /// Email addresses, lower-cased.
    emails: BTreeSet<String>,
    /// Domains of `*@domain` patterns, lower-cased.
    domains: BTreeSet<String>,
    /// SMS sender ids and numbers, as written.
    exact: BTreeSet<String>,
}

impl Senders {
    fn new(entries: &[String]) -> Self {
        let mut senders = Self {
            emails: BTreeSet::new(),
            domains: BTreeSet::new(),
            exact: BTreeSet::new(),
        };
        for entry in entries {
            let entry = entry.trim();
            if let Some(domain) = entry.strip_prefix("*@") {
                senders.domains.insert(domain.to_lowercase());
            } else if entry.contains('@') {
                senders.emails.insert(entry.to_lowercase());
            } else {
                senders.exact.insert(entry.to_owned());
            }
        }
        senders
    }

    fn verified(&self, address: &str) -> bool {
        let address = address.trim();
        if address.contains('@') {
            let lower = address.to_lowercase();
            let domain = lower.rsplit_once('@').map(|(_, d)| d).unwrap_or_default();
            self.emails.contains(&lower) || self.domains.contains(domain)
        } else {
            self.exact.contains(address)
        }
    }
}

/// The span of the address inside the `from` value, or the whole `from` value.
fn address_span(ctx: &CheckContext<'_>, asset: &Asset, from: Span, address: &str) -> Span {
    let start = from.start as usize;
    let found = ctx
        .source(asset)
        .and_then(|source| source.text().get(start..from.end as usize))
        .and_then(|written| written.find(address));
    match found {
        Some(at) if !address.is_empty() => Span::new(start + at, start + at + address.len()),
        _ => from,
    }
}

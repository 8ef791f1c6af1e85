use super::support::{channel_label, is_marketing, sends, sent_template};
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_model::AssetSpec;
use std::collections::BTreeSet;

declare_rule! {
    /// ## What it does
    /// Flags a send step whose template is a marketing message (`category: marketing`, the
    /// default) on a channel for which the workflow requires no consent in
    /// `settings.consent`, or requires a Consent that covers another channel.
    /// Transactional templates (receipts, reminders the person booked) are exempt.
    ///
    /// ## Why is this bad?
    /// Marketing email and SMS need the person's permission for that channel (GDPR and
    /// ePrivacy in the EU, CASL in Canada, TCPA for texts in the US). Without a consent
    /// requirement the workflow sends to everyone who enters it, including contacts who never
    /// opted in or who withdrew.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Workflow
    /// id: winback
    /// settings:
    ///   suppression: [global-suppression]
    /// steps:
    ///   - { id: send-offer, type: send_email, template: winback-offer }   # a marketing template
    /// ```
    ///
    /// ## How to fix
    /// Require the consent for the channel; only contacts who granted it receive the message:
    /// ```yaml
    /// settings:
    ///   consent:
    ///     email: marketing-email
    /// ```
    /// If the message is a service message the person asked for, mark the template
    /// `category: transactional` instead.
    pub struct SendWithoutConsent {
        code: "FG203",
        name: "send-without-consent",
        category: Compliance,
        severity: Error,
        summary: "a marketing message is sent without requiring consent for its channel",
    }
}

impl Rule for SendWithoutConsent {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, workflow) in ctx.workflows() {
            // A consent entry for the wrong channel is reported once per workflow and channel.
            let mut mismatch_reported = BTreeSet::new();
            for send in sends(workflow) {
                let Some((template_asset, template)) = sent_template(ctx, &send) else {
                    continue;
                };
                if !is_marketing(template) {
                    continue;
                }
                let channel = template.channel;
                let label = channel_label(channel);
                match workflow.settings.consent.get(&channel) {
                    None => {
                        sink.report(
                            asset,
                            send.step.id.span,
                            format!(
                                "step `{}` sends marketing {label} `{}` without requiring {label} consent",
                                send.step.id.value, template_asset.id.value
                            ),
                        )
                        .help(format!(
                            "add `consent: {{ {}: <consent id> }}` under `settings`, or set `category: transactional` on `{}` if it is a service message the person asked for",
                            channel.as_str(),
                            template_asset.id.value
                        ))
                        .related(
                            template_asset,
                            template_asset.id.span,
                            "this template is marketing (the default category)",
                        );
                    }
                    Some(reference) => {
                        let Some(consent_asset) = ctx.model.get(&reference.value) else {
                            continue;
                        };
                        let AssetSpec::Consent(consent) = &consent_asset.spec else {
                            continue;
                        };
                        if consent.channel == channel || !mismatch_reported.insert(channel) {
                            continue;
                        }
                        sink.report(
                            asset,
                            reference.span,
                            format!(
                                "workflow `{}` requires consent `{}` for {label}, but it covers {}",
                                asset.id.value,
                                consent_asset.id.value,
                                channel_label(consent.channel)
                            ),
                        )
                        .help(format!(
                            "point `{}:` at a Consent with `channel: {}`",
                            channel.as_str(),
                            channel.as_str()
                        ))
                        .related(
                            consent_asset,
                            consent_asset.id.span,
                            format!("`{}` is declared here", consent_asset.id.value),
                        );
                    }
                }
            }
        }
    }
}

use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_model::AssetSpec;

declare_rule! {
    /// ## What it does
    /// Flags a Consent without `timestamp_field` (when consent was given or withdrawn) or
    /// without `source_field` (where it was captured), and says which is missing.
    ///
    /// ## Why is this bad?
    /// A status alone does not prove consent. When a contact, a carrier or a regulator asks
    /// ("when did I agree to this, and where?"), GDPR Art. 7(1) and TCPA disputes require you
    /// to show both. Without the fields, the proof is lost the moment the status changes.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Consent
    /// id: marketing-email
    /// purpose: Newsletters and offers by email
    /// channel: email
    /// status_field: email_consent_status
    /// ```
    ///
    /// ## How to fix
    /// Record when and where, in two fields of their own:
    /// ```yaml
    /// timestamp_field: email_consent_at      # type: datetime
    /// source_field: email_consent_source     # type: string (form id, checkout, import)
    /// ```
    pub struct ConsentWithoutAuditFields {
        code: "FG206",
        name: "consent-without-audit-fields",
        category: Compliance,
        severity: Warning,
        summary: "a consent does not record when or where it was given",
    }
}

impl Rule for ConsentWithoutAuditFields {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for asset in ctx.model.assets() {
            let AssetSpec::Consent(consent) = &asset.spec else {
                continue;
            };
            let (message, help) = match (&consent.timestamp_field, &consent.source_field) {
                (Some(_), Some(_)) => continue,
                (None, Some(_)) => (
                    "records no `timestamp_field` (when consent was given or withdrawn)",
                    "add `timestamp_field: <datetime field>`",
                ),
                (Some(_), None) => (
                    "records no `source_field` (where consent was captured)",
                    "add `source_field: <string field>` holding the form id, checkout or import batch",
                ),
                (None, None) => (
                    "records neither `timestamp_field` nor `source_field` (when and where consent was given)",
                    "add `timestamp_field: <datetime field>` and `source_field: <string field>`",
                ),
            };
            sink.report(
                asset,
                asset.id.span,
                format!("consent `{}` {message}", asset.id.value),
            )
            .help(help);
        }
    }
}

use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_model::{AssetId, AssetKind, AssetSpec, Trigger};
use std::collections::BTreeSet;

declare_rule! {
    /// ## What it does
    /// Flags Fields, Tags, Lists, Templates, Webhooks, Consents and Forms that no other asset
    /// uses. Being a member of a bundle does not count as a use; a field used only by a
    /// Consent (to store its status, timestamp or source) counts as used.
    ///
    /// A Form counts as used when a workflow triggers on it (`form_submitted`), or when it
    /// feeds one: it captures a consent that a workflow requires, or writes a field whose
    /// change triggers a workflow (`field_changed`).
    ///
    /// ## Why is this bad?
    /// Leftovers are released, reviewed and synced to every environment like everything
    /// else, and they mislead: a template nobody sends still gets "fixed", a tag nobody adds
    /// still gets used in a new segment that then never matches. Often an unused asset is the
    /// sign of a typo elsewhere (a workflow sending `welcome-email-v2` while the reviewed
    /// template is `welcome-email`).
    ///
    /// ## Example
    /// ```yaml
    /// kind: Tag
    /// id: webinar-2023
    /// description: Attended the 2023 webinar.
    /// ```
    /// and no workflow, list, form or scoring rule mentions `webinar-2023`.
    ///
    /// ## How to fix
    /// Delete the asset if it is left over. If it is used outside flowgate (a tag set by
    /// the CRM sync, a form embedded on a page that only collects data), switch the rule off
    /// for it with a reason:
    /// ```toml
    /// [[check.exceptions]]
    /// asset = "webinar-2023"
    /// rules = ["unused-asset"]
    /// reason = "Set by the webinar platform integration; used in sales reports."
    /// ```
    pub struct UnusedAsset {
        code: "FG308",
        name: "unused-asset",
        category: DataModel,
        severity: Info,
        summary: "an asset is not used by any other asset",
    }
}

impl Rule for UnusedAsset {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        let counts = ctx.reference_counts();
        let feeds = Feeds::new(ctx);
        for asset in ctx.model.assets() {
            let kind = asset.kind();
            if !matches!(
                kind,
                AssetKind::Field
                    | AssetKind::Tag
                    | AssetKind::List
                    | AssetKind::Template
                    | AssetKind::Webhook
                    | AssetKind::Consent
                    | AssetKind::Form
            ) {
                continue;
            }
            if counts.get(&asset.id.value).is_some_and(|n| *n > 0) {
                continue;
            }
            let id = &asset.id.value;
            let (message, help) = match &asset.spec {
                AssetSpec::Form(form) => {
                    let feeds_workflow = form
                        .consent
                        .iter()
                        .any(|c| feeds.consents.contains(&c.consent.value))
                        || form
                            .fields
                            .iter()
                            .map(|f| &f.field.value)
                            .chain(form.hidden.iter().map(|h| &h.field.value))
                            .any(|f| feeds.fields.contains(f));
                    if feeds_workflow {
                        continue;
                    }
                    (
                        format!("no workflow triggers on form `{id}` or uses what it captures"),
                        format!("trigger a workflow with `{{ type: form_submitted, form: {id} }}`, or delete the form if it is left over"),
                    )
                }
                _ => (
                    format!("{} `{id}` is not used by any other asset", kind.noun()),
                    "delete it if it is left over; if an asset should use it, check that asset for a misspelt id".to_owned(),
                ),
            };
            sink.report(asset, asset.id.span, message).help(help);
        }
    }
}

/// What workflows react to besides form triggers: required consents and triggering fields.
struct Feeds<'a> {
    consents: BTreeSet<&'a AssetId>,
    fields: BTreeSet<&'a AssetId>,
}

impl<'a> Feeds<'a> {
    fn new(ctx: &CheckContext<'a>) -> Self {
        let mut feeds = Self {
            consents: BTreeSet::new(),
            fields: BTreeSet::new(),
        };
        for (_, workflow) in ctx.workflows() {
            feeds
                .consents
                .extend(workflow.settings.consent.values().map(|c| &c.value));
            for trigger in &workflow.triggers {
                if let Trigger::FieldChanged { field, .. } = &trigger.value {
                    feeds.fields.insert(&field.value);
                }
            }
        }
        feeds
    }
}

use super::support::fields;
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};

declare_rule! {
    /// ## What it does
    /// Flags a Field without a `description` (or with an empty one).
    ///
    /// ## Why is this bad?
    /// Field ids are short and shared by every program: is `score` the lead score or the
    /// NPS score? Is `status` the order status or the CRM sync status? Without a sentence
    /// saying what the field holds and who fills it, people create a second field for the
    /// same thing or overwrite one another's data.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Field
    /// id: lead_score
    /// type: number
    /// ```
    ///
    /// ## How to fix
    /// Say what it holds, who writes it and what it is used for:
    /// ```yaml
    /// description: Sum of the lead-scoring rules; 60 or more makes a lead sales-ready.
    /// ```
    pub struct FieldWithoutDescription {
        code: "FG302",
        name: "field-without-description",
        category: DataModel,
        severity: Warning,
        summary: "a field has no description",
    }
}

impl Rule for FieldWithoutDescription {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, _) in fields(ctx) {
            if asset
                .description
                .as_deref()
                .is_some_and(|d| !d.trim().is_empty())
            {
                continue;
            }
            sink.report(
                asset,
                asset.id.span,
                format!("field `{}` has no description", asset.id.value),
            )
            .help(
                "add `description:` saying what the field holds, who writes it and what reads it",
            );
        }
    }
}

use super::support::fields;
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};

declare_rule! {
    /// ## What it does
    /// Flags a Field without `type`.
    ///
    /// ## Why is this bad?
    /// Without a type the platform stores whatever arrives as text: `"12"` and `12` compare
    /// differently, dates sort alphabetically, and a condition such as
    /// `contact.team_size >= 10` silently never matches. Imports and syncs cannot validate
    /// values either, so bad data spreads before anyone notices.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Field
    /// id: team_size
    /// description: How many people the contact wants to outfit.
    /// ```
    ///
    /// ## How to fix
    /// Declare the type: `string`, `number`, `bool`, `date`, `datetime`, `enum`, `email`,
    /// `phone` or `url`:
    /// ```yaml
    /// type: number
    /// ```
    pub struct FieldWithoutType {
        code: "FG301",
        name: "field-without-type",
        category: DataModel,
        severity: Error,
        summary: "a field has no type",
    }
}

impl Rule for FieldWithoutType {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, field) in fields(ctx) {
            if field.field_type.is_some() {
                continue;
            }
            sink.report(asset, asset.id.span, format!("field `{}` has no type", asset.id.value))
                .help("add `type:` with one of string, number, bool, date, datetime, enum, email, phone, url");
        }
    }
}

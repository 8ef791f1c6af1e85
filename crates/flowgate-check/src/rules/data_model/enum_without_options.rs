use super::support::fields;
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_model::FieldType;

declare_rule! {
    /// ## What it does
    /// Flags a Field with `type: enum` but no `options`.
    ///
    /// ## Why is this bad?
    /// An enum without options accepts nothing (or, on some platforms, anything): forms render
    /// an empty dropdown, imports fail, and conditions like `contact.country == "DE"` cannot
    /// be checked against the allowed values.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Field
    /// id: country
    /// type: enum
    /// ```
    ///
    /// ## How to fix
    /// List the allowed values, with labels where people see them:
    /// ```yaml
    /// options:
    ///   - { value: DE, label: Germany }
    ///   - { value: AT, label: Austria }
    ///   - { value: other, label: Other }
    /// ```
    pub struct EnumWithoutOptions {
        code: "FG304",
        name: "enum-without-options",
        category: DataModel,
        severity: Error,
        summary: "an enum field has no options",
    }
}

impl Rule for EnumWithoutOptions {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, field) in fields(ctx) {
            if field.field_type != Some(FieldType::Enum) || !field.options.is_empty() {
                continue;
            }
            sink.report(
                asset,
                asset.id.span,
                format!("enum field `{}` has no options", asset.id.value),
            )
            .help("list the allowed values under `options:`, e.g. `- { value: DE, label: Germany }` per option");
        }
    }
}

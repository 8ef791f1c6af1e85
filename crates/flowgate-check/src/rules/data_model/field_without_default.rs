use super::support::fields;
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_model::{Field, FieldType};

/// Enum option values that stand for "no answer yet" (compared lower-case, with `-` and
/// spaces read as `_`).
const PLACEHOLDER_OPTIONS: &[&str] = &[
    "unknown",
    "none",
    "not_set",
    "unset",
    "n_a",
    "na",
    "unspecified",
    "not_specified",
    "undefined",
    "null",
    "empty",
];

declare_rule! {
    /// ## What it does
    /// Flags fields whose empty state is ambiguous and that have no `default`:
    /// - `bool` fields: empty and `false` both read as "no";
    /// - `enum` fields with an option meaning "no answer yet" (`unknown`, `none`, `not_set`,
    ///   `unset`, `n_a`, `na`, `unspecified`, `not_specified`, `undefined`, `null`, `empty`):
    ///   empty and that option both mean "we don't know".
    ///
    /// Enum fields without such an option are not flagged: there, empty is the only way to
    /// say "not known", and any default would be a made-up answer.
    ///
    /// ## Why is this bad?
    /// Two values for the same state split every segment and report: `consent_status ==
    /// "unknown"` misses the contacts whose status is empty, `catalog_downloaded == false`
    /// misses those who were never set. Conditions written by different people pick different
    /// halves, and counts disagree.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Field
    /// id: email_consent_status
    /// type: enum
    /// options: [granted, withdrawn, unknown]
    /// ```
    ///
    /// ## How to fix
    /// Give new records the "no answer yet" value:
    /// ```yaml
    /// default: unknown      # or `default: false` for a bool
    /// ```
    pub struct FieldWithoutDefault {
        code: "FG303",
        name: "field-without-default",
        category: DataModel,
        severity: Info,
        summary: "a bool or enum field has no default, so empty is ambiguous",
    }
}

impl Rule for FieldWithoutDefault {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, field) in fields(ctx) {
            if field.default.is_some() {
                continue;
            }
            let id = &asset.id.value;
            match field.field_type {
                Some(FieldType::Bool) => {
                    sink.report(
                        asset,
                        asset.id.span,
                        format!(
                            "bool field `{id}` has no default, so empty and `false` both mean no"
                        ),
                    )
                    .help("add `default: false` (or `default: true`)");
                }
                Some(FieldType::Enum) => {
                    let Some(placeholder) = placeholder_option(field) else {
                        continue;
                    };
                    sink.report(
                        asset,
                        asset.id.span,
                        format!(
                            "enum field `{id}` has no default, so empty and `{placeholder}` both mean not known"
                        ),
                    )
                    .help(format!("add `default: {placeholder}`"));
                }
                _ => {}
            }
        }
    }
}

/// The first option meaning "no answer yet", if any.
fn placeholder_option(field: &Field) -> Option<&str> {
    field
        .options
        .iter()
        .map(|o| o.value.as_str())
        .find(|value| {
            let normalised = value
                .trim()
                .to_ascii_lowercase()
                .replace(['-', ' ', '/'], "_");
            PLACEHOLDER_OPTIONS.contains(&normalised.as_str())
        })
}

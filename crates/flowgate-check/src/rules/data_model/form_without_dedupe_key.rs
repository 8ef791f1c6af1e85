use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_model::{Asset, AssetId, AssetSpec, Field, FieldType, Form};

declare_rule! {
    /// ## What it does
    /// Flags a Form without `dedupe_key`, and a form whose dedupe key is not an identifier of
    /// a person: a field of `type: email` or `type: phone`, or an external id (a field whose id
    /// is `external_id` or ends in `_id`, such as `customer_id`).
    ///
    /// ## Why is this bad?
    /// The dedupe key decides whether a submission updates an existing contact or creates a
    /// new one. Without it every submission is a new contact: duplicates, split histories,
    /// consent recorded on the wrong record. Keying on a name or a company creates the
    /// opposite problem: two people called Anna Huber become one contact.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Form
    /// id: newsletter-signup
    /// fields:
    ///   - { field: email, required: true }
    ///   - { field: first_name }
    /// dedupe_key: first_name
    /// ```
    ///
    /// ## How to fix
    /// Key on the email address (or phone number, or your shop's customer id):
    /// ```yaml
    /// dedupe_key: email
    /// ```
    pub struct FormWithoutDedupeKey {
        code: "FG305",
        name: "form-without-dedupe-key",
        category: DataModel,
        severity: Warning,
        summary: "a form has no dedupe key, or dedupes on something that is not an identifier",
    }
}

impl Rule for FormWithoutDedupeKey {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for asset in ctx.model.assets() {
            let AssetSpec::Form(form) = &asset.spec else {
                continue;
            };
            let help = match candidate(ctx, form) {
                Some(id) => format!("set `dedupe_key: {id}`"),
                None => {
                    "add an email or phone field to the form and set `dedupe_key:` to it".to_owned()
                }
            };
            let Some(key) = &form.dedupe_key else {
                sink.report(
                    asset,
                    asset.id.span,
                    format!("form `{}` has no dedupe key", asset.id.value),
                )
                .help(help);
                continue;
            };
            let Some((field_asset, field)) = field(ctx, &key.value) else {
                continue;
            };
            if is_identifier(&key.value, field) {
                continue;
            }
            sink.report(
                asset,
                key.span,
                format!(
                    "form `{}` dedupes on `{}`, which is not an email, phone or external id field",
                    asset.id.value, key.value
                ),
            )
            .help(help)
            .related(
                field_asset,
                field_asset.id.span,
                format!("`{}` is declared here", key.value),
            );
        }
    }
}

/// The field with this id.
fn field<'a>(ctx: &CheckContext<'a>, id: &AssetId) -> Option<(&'a Asset, &'a Field)> {
    let asset = ctx.model.get(id)?;
    match &asset.spec {
        AssetSpec::Field(field) => Some((asset, field)),
        _ => None,
    }
}

/// Whether a field identifies one person.
fn is_identifier(id: &AssetId, field: &Field) -> bool {
    matches!(field.field_type, Some(FieldType::Email | FieldType::Phone))
        || is_external_id(id.as_str())
}

/// The first field of the form that would make a good dedupe key: email, then phone, then an
/// external id.
fn candidate<'a>(ctx: &CheckContext<'a>, form: &'a Form) -> Option<&'a AssetId> {
    let written: Vec<(&AssetId, &Field)> = form
        .fields
        .iter()
        .filter_map(|f| field(ctx, &f.field.value).map(|(_, field)| (&f.field.value, field)))
        .collect();
    let of_type = |wanted: FieldType| {
        written
            .iter()
            .find(|(_, f)| f.field_type == Some(wanted))
            .map(|(id, _)| *id)
    };
    of_type(FieldType::Email)
        .or_else(|| of_type(FieldType::Phone))
        .or_else(|| {
            written
                .iter()
                .find(|(id, _)| is_external_id(id.as_str()))
                .map(|(id, _)| *id)
        })
}

/// Whether a field id names an external identifier (`external_id`, `customer_id`).
fn is_external_id(id: &str) -> bool {
    let id = id.to_ascii_lowercase();
    id == "external_id" || id.ends_with("_id") || id.ends_with("-id")
}

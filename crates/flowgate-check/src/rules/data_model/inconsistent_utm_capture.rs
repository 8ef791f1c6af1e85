use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_model::{Asset, AssetId, AssetSpec, HiddenField};
use std::collections::BTreeMap;

declare_rule! {
    /// ## What it does
    /// Compares the UTM parameters that forms capture in `hidden` fields (parameters whose
    /// name starts with `utm_`) and flags:
    /// - a form that does not capture a UTM parameter that another form captures (naming the
    ///   missing parameters), including a form that captures none while others do;
    /// - a form that stores a UTM parameter in a different field than the other forms do
    ///   (the field most forms use is taken as the convention).
    ///
    /// ## Why is this bad?
    /// Attribution reports and lead scoring read one field per parameter. A form that skips
    /// `utm_campaign` makes its leads look like direct traffic; a form that writes
    /// `utm_source` into `lead_source` splits the channel report in two. Both are invisible
    /// until someone asks why a paid campaign "produced nothing".
    ///
    /// ## Example
    /// ```yaml
    /// kind: Form
    /// id: newsletter-signup
    /// fields: [{ field: email, required: true }]
    /// hidden:
    ///   - { field: utm_source, param: utm_source }
    /// dedupe_key: email
    /// ```
    /// while `contact-form` captures `utm_source`, `utm_medium` and `utm_campaign`.
    ///
    /// ## How to fix
    /// Capture the same parameters into the same fields on every form:
    /// ```yaml
    /// hidden:
    ///   - { field: utm_source, param: utm_source }
    ///   - { field: utm_medium, param: utm_medium }
    ///   - { field: utm_campaign, param: utm_campaign }
    /// ```
    pub struct InconsistentUtmCapture {
        code: "FG306",
        name: "inconsistent-utm-capture",
        category: DataModel,
        severity: Warning,
        summary: "forms capture different UTM parameters, or into different fields",
    }
}

/// The UTM capture of one form: parameter → its first hidden entry.
struct FormUtm<'a> {
    asset: &'a Asset,
    params: BTreeMap<&'a str, &'a HiddenField>,
}

/// How forms store one parameter: field → (number of forms, index of the first form).
type Mapping<'a> = BTreeMap<&'a AssetId, (usize, usize)>;

impl Rule for InconsistentUtmCapture {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        let forms: Vec<FormUtm<'_>> = ctx
            .model
            .assets()
            .iter()
            .filter_map(|asset| match &asset.spec {
                AssetSpec::Form(form) => {
                    let mut params = BTreeMap::new();
                    for hidden in &form.hidden {
                        if hidden.param.to_ascii_lowercase().starts_with("utm_") {
                            params.entry(hidden.param.as_str()).or_insert(hidden);
                        }
                    }
                    Some(FormUtm { asset, params })
                }
                _ => None,
            })
            .collect();
        // Every captured parameter, with how each field is used for it.
        let mut union: BTreeMap<&str, Mapping<'_>> = BTreeMap::new();
        for (index, form) in forms.iter().enumerate() {
            for (param, hidden) in &form.params {
                let entry = union
                    .entry(param)
                    .or_default()
                    .entry(&hidden.field.value)
                    .or_insert((0, index));
                entry.0 += 1;
            }
        }
        // The conventional field per parameter: most forms, then the first form.
        let convention: BTreeMap<&str, (&AssetId, usize)> = union
            .iter()
            .filter_map(|(param, mapping)| {
                mapping
                    .iter()
                    .min_by_key(|(_, (count, first))| (std::cmp::Reverse(*count), *first))
                    .map(|(field, (_, first))| (*param, (*field, *first)))
            })
            .collect();
        for form in &forms {
            missing_params(form, &forms, &convention, sink);
            for (param, hidden) in &form.params {
                let Some(&(field, first)) = convention.get(param) else {
                    continue;
                };
                if &hidden.field.value == field {
                    continue;
                }
                let Some(other) = forms.get(first) else {
                    continue;
                };
                let Some(other_entry) = other.params.get(param) else {
                    continue;
                };
                sink.report(
                    form.asset,
                    hidden.field.span,
                    format!(
                        "form `{}` stores `{param}` in `{}`, while other forms store it in `{field}`",
                        form.asset.id.value, hidden.field.value
                    ),
                )
                .help(format!("write `- {{ field: {field}, param: {param} }}` so every form fills the same field"))
                .related(
                    other.asset,
                    other_entry.field.span,
                    format!("`{}` stores `{param}` in `{field}` here", other.asset.id.value),
                );
            }
        }
    }
}

/// Report the parameters other forms capture and this one does not.
fn missing_params(
    form: &FormUtm<'_>,
    forms: &[FormUtm<'_>],
    convention: &BTreeMap<&str, (&AssetId, usize)>,
    sink: &mut Sink,
) {
    let missing: Vec<(&str, &AssetId, usize)> = convention
        .iter()
        .filter(|(param, _)| !form.params.contains_key(*param))
        .map(|(param, (field, first))| (*param, *field, *first))
        .collect();
    let Some(&(first_param, _, first_form)) = missing.first() else {
        return;
    };
    let names = missing
        .iter()
        .map(|(param, _, _)| format!("`{param}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let message = if form.params.is_empty() {
        format!(
            "form `{}` captures no UTM parameters, while other forms capture {names}",
            form.asset.id.value
        )
    } else {
        format!(
            "form `{}` does not capture {names}, which other forms capture",
            form.asset.id.value
        )
    };
    let lines = missing
        .iter()
        .map(|(param, field, _)| format!("`- {{ field: {field}, param: {param} }}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let finding = sink.report(form.asset, form.asset.id.span, message);
    finding.help(format!("add under `hidden:` {lines}"));
    if let Some((other, entry)) = forms
        .get(first_form)
        .and_then(|other| other.params.get(first_param).map(|entry| (other, entry)))
    {
        finding.related(
            other.asset,
            entry.field.span,
            format!("`{}` captures `{first_param}` here", other.asset.id.value),
        );
    }
}

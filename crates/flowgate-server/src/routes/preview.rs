//! Previews of the email and SMS templates a plan changes, per locale, before and after, as the
//! environment will send them (its overlay applied): once with sample contact values, once
//! with no contact data so that every fallback shows.

use crate::error::ApiError;
use crate::pages;
use flowgate_diff::Status;
use flowgate_release::{render, Environment, PlanReport};
use flowgate_store::{AnyStore, Snapshot, SnapshotKey, Store};
use maud::{html, Markup};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

/// One template's text in one locale, rendered.
#[derive(Debug, Clone, Serialize)]
pub struct Rendition {
    subject: Option<String>,
    with_samples: String,
    without_data: String,
    problem: Option<String>,
}

/// One locale of a template, before and after.
#[derive(Debug, Clone, Serialize)]
pub struct LocalePreview {
    locale: String,
    before: Option<Rendition>,
    after: Option<Rendition>,
}

/// The previews of one template.
#[derive(Debug, Clone, Serialize)]
pub struct TemplatePreview {
    id: String,
    name: String,
    channel: String,
    locales: Vec<LocalePreview>,
}

fn text(doc: &Value, key: &str) -> Option<String> {
    doc.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// The fields of `locale` over the template's defaults.
fn localized(doc: &Value, locale: Option<&str>) -> Value {
    let mut fields: Map<String, Value> = doc.as_object().cloned().unwrap_or_default();
    if let Some(over) = locale
        .and_then(|l| doc.pointer(&format!("/locales/{l}")))
        .and_then(Value::as_object)
    {
        for (key, value) in over {
            fields.insert(key.clone(), value.clone());
        }
    }
    Value::Object(fields)
}

fn rendition(doc: &Value) -> Rendition {
    let body = text(doc, "body").unwrap_or_default();
    let subject = text(doc, "subject");
    let all = format!("{}\n{body}", subject.clone().unwrap_or_default());
    let samples = flowgate_lang::sample_context(&all);
    let empty = Value::Object(Map::new());
    let render = |source: &str, context: &Value| flowgate_lang::render_preview(source, context);
    let (with_samples, without_data) = (render(&body, &samples), render(&body, &empty));
    Rendition {
        subject: subject.map(|s| render(&s, &samples).unwrap_or(s)),
        problem: with_samples
            .as_ref()
            .err()
            .or(without_data.as_ref().err())
            .cloned(),
        with_samples: with_samples.unwrap_or_default(),
        without_data: without_data.unwrap_or_default(),
    }
}

fn locales(before: Option<&Value>, after: Option<&Value>) -> Vec<String> {
    let mut names = vec![String::new()];
    for doc in [before, after].into_iter().flatten() {
        for name in doc
            .get("locales")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(k, _)| k)
        {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
    }
    names
}

fn preview(id: &str, before: Option<&Value>, after: Option<&Value>) -> TemplatePreview {
    let shown = after.or(before).cloned().unwrap_or(Value::Null);
    let locales = locales(before, after)
        .into_iter()
        .map(|name| {
            let locale = (!name.is_empty()).then_some(name.as_str());
            let has = |doc: &Value| {
                locale.is_none_or(|l| doc.pointer(&format!("/locales/{l}")).is_some())
            };
            LocalePreview {
                before: before
                    .filter(|d| has(d))
                    .map(|d| rendition(&localized(d, locale))),
                after: after
                    .filter(|d| has(d))
                    .map(|d| rendition(&localized(d, locale))),
                locale: if name.is_empty() {
                    "default".to_owned()
                } else {
                    name
                },
            }
        })
        .collect();
    TemplatePreview {
        id: id.to_owned(),
        name: text(&shown, "name").unwrap_or_else(|| id.to_owned()),
        channel: text(&shown, "channel").unwrap_or_default(),
        locales,
    }
}

/// What the environment sends of `base` now (its rendered documents), for the "before" side.
async fn base_documents(
    store: &AnyStore,
    base: &Snapshot,
    env: &Environment,
) -> Result<BTreeMap<String, Value>, ApiError> {
    let ids: Vec<_> = base.entries.iter().map(|e| e.object).collect();
    let objects: BTreeMap<_, Arc<[u8]>> = store
        .get_objects(&ids)
        .await?
        .into_iter()
        .map(|o| (o.id(), Arc::from(o.into_bytes())))
        .collect();
    let by_asset = base
        .entries
        .iter()
        .filter_map(|e| {
            objects
                .get(&e.object)
                .map(|b| (e.id.clone(), Arc::clone(b)))
        })
        .collect();
    Ok(render(base, &by_asset, env)?.documents)
}

/// The previews of every template the plan adds or changes.
pub async fn previews(
    store: &AnyStore,
    env: &Environment,
    report: &PlanReport,
) -> Result<Vec<TemplatePreview>, ApiError> {
    let templates: Vec<&str> = report
        .diff
        .assets
        .iter()
        .filter(|a| a.kind == "Template" && !matches!(a.status, Status::Removed))
        .map(|a| a.id.as_str())
        .collect();
    if templates.is_empty() {
        return Ok(Vec::new());
    }
    let before = match &report.plan.base {
        Some(base) => match store.get_snapshot(SnapshotKey::Id(&base.snapshot)).await? {
            Some(snapshot) => base_documents(store, &snapshot, env).await?,
            None => BTreeMap::new(),
        },
        None => BTreeMap::new(),
    };
    Ok(templates
        .into_iter()
        .map(|id| preview(id, before.get(id), report.rendered.documents.get(id)))
        .collect())
}

fn side(title: &str, channel: &str, rendition: Option<&Rendition>) -> Markup {
    html! {
        div {
            h4 { (title) }
            @match rendition {
                None => { p.muted { "Not sent in this locale." } }
                Some(r) => {
                    @if let Some(problem) = &r.problem { p.error { "Does not render: " (problem) } }
                    @if let Some(subject) = &r.subject { p { strong { "Subject: " } (subject) } }
                    @if channel == "email" {
                        iframe sandbox="" title={ (title) " preview" } srcdoc=(r.with_samples) style="width:100%;height:260px;border:1px solid #c9d1d9" {}
                    } @else {
                        pre { (r.with_samples) }
                    }
                    details { summary { "With no contact data (fallbacks)" } pre { (r.without_data) } }
                }
            }
        }
    }
}

/// The previews as a page section.
pub fn markup(previews: &[TemplatePreview]) -> Markup {
    html! {
        @if !previews.is_empty() {
            h2 { "Message previews" }
            p.muted { "Rendered as this environment sends them, with sample contact values; links and images load nothing." }
            @for template in previews {
                h3 { (template.name) " " span.muted { "(" (template.channel) ", " (template.id) ")" } }
                @for locale in &template.locales {
                    p { (pages::badge(true, &locale.locale)) }
                    div.side-by-side {
                        (side("Before", &template.channel, locale.before.as_ref()))
                        (side("After", &template.channel, locale.after.as_ref()))
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::preview;
    use serde_json::json;

    #[test]
    fn each_locale_is_rendered_over_the_defaults_and_a_missing_one_is_said() {
        let before = json!({ "name": "Cart", "channel": "email", "subject": "Your cart",
            "body": "<p>Hi {{ contact.first_name | default('there') }}</p>" });
        let after = json!({ "name": "Cart", "channel": "email", "subject": "Your cart",
            "body": "<p>Hi {{ contact.first_name | default('there') }}</p>",
            "locales": { "de": { "subject": "Dein Warenkorb", "body": "<p>Hallo {{ contact.first_name | default('zusammen') }}</p>" } } });
        let shown = preview("cart", Some(&before), Some(&after));
        assert_eq!(shown.locales.len(), 2);
        let de = &shown.locales[1];
        assert_eq!(de.locale, "de");
        assert!(de.before.is_none(), "the old version had no German text");
        let new = de.after.as_ref().unwrap();
        assert_eq!(new.subject.as_deref(), Some("Dein Warenkorb"));
        assert_eq!(new.with_samples, "<p>Hallo Alex</p>");
        assert_eq!(new.without_data, "<p>Hallo zusammen</p>");
    }
}

//! The value of a declared field for one generated record, from the field's type, options
//! and id (an `email` field gets the person's email, a `*_count` field a small count).

use crate::person::Person;
use crate::rng::Rng;
use crate::schema::FieldSpec;
use crate::table::ColumnKind;
use chrono::{DateTime, Duration, Utc};
use flowgate_model::FieldType;
use serde_json::Value;

/// What a record's fields may draw on.
#[derive(Debug)]
pub struct Context<'a> {
    /// The person the record belongs to.
    pub person: &'a Person,
    /// The person's company name, if any.
    pub company: Option<&'a str>,
    /// The person's time zone.
    pub zone: &'a str,
    /// When the record was created.
    pub created: DateTime<Utc>,
    /// The end of generated time.
    pub as_of: DateTime<Utc>,
}

/// The column type of a field.
pub fn column_kind(field: &FieldSpec) -> ColumnKind {
    match field.field_type {
        FieldType::Number if is_money(&field.id) => ColumnKind::Real,
        FieldType::Number => ColumnKind::Integer,
        FieldType::Bool => ColumnKind::Bool,
        FieldType::Date => ColumnKind::Date,
        FieldType::Datetime => ColumnKind::Timestamp,
        _ => ColumnKind::Text,
    }
}

/// The value of `field` for a record.
pub fn value(field: &FieldSpec, ctx: &Context<'_>, rng: &mut Rng) -> Value {
    let id = field.id.to_ascii_lowercase();
    match field.field_type {
        FieldType::Email => ctx.person.email.clone().into(),
        FieldType::Phone => ctx.person.phone.clone().into(),
        FieldType::Enum => enum_value(field, &id, ctx, rng),
        FieldType::Bool => rng.chance(0.3).into(),
        FieldType::Number => number(&id, rng),
        FieldType::Date => instant(ctx, rng).date_naive().to_string().into(),
        FieldType::Datetime if rng.chance(0.2) => Value::Null,
        FieldType::Datetime => timestamp(instant(ctx, rng)),
        FieldType::Url => format!(
            "https://www.example.com/{}/{}",
            id.replace('_', "-"),
            rng.below(10_000)
        )
        .into(),
        FieldType::String => text(&id, ctx, rng),
    }
}

/// An instant between the record's creation and the end of generated time.
pub fn instant(ctx: &Context<'_>, rng: &mut Rng) -> DateTime<Utc> {
    let span = (ctx.as_of - ctx.created).num_seconds().max(1);
    ctx.created + Duration::seconds(rng.between(0, span))
}

/// An instant as seed data writes it (`2026-03-29T01:00:00Z`).
pub fn timestamp(at: DateTime<Utc>) -> Value {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string().into()
}

fn is_money(id: &str) -> bool {
    ["value", "total", "amount", "price", "revenue", "spend"]
        .iter()
        .any(|w| id.contains(w))
}

fn number(id: &str, rng: &mut Rng) -> Value {
    if is_money(id) {
        return (rng.between(500, 60_000) as f64 / 100.0).into();
    }
    let high = if id.contains("score") {
        100
    } else if id.contains("count")
        || id.ends_with("_30d")
        || id.contains("views")
        || id.contains("clicks")
    {
        20
    } else if id.contains("size") || id.contains("employee") {
        500
    } else {
        1000
    };
    rng.between(0, high).into()
}

fn enum_value(field: &FieldSpec, id: &str, ctx: &Context<'_>, rng: &mut Rng) -> Value {
    if field.options.is_empty() {
        return Value::Null;
    }
    let wanted = if id.contains("country") {
        Some(ctx.person.locale.country)
    } else if id.contains("language") || id.contains("locale") {
        Some(ctx.person.locale.language)
    } else {
        None
    };
    if let Some(wanted) = wanted {
        let found = field
            .options
            .iter()
            .find(|o| o.eq_ignore_ascii_case(wanted));
        let fallback = field
            .options
            .iter()
            .find(|o| o.eq_ignore_ascii_case("other"))
            .or(field
                .default
                .as_ref()
                .and_then(Value::as_str)
                .and_then(|d| field.options.iter().find(|o| *o == d)));
        return found
            .or(fallback)
            .unwrap_or(&field.options[0])
            .clone()
            .into();
    }
    if id.contains("stage") || id.contains("lifecycle") {
        // Funnels narrow: each later stage half as likely as the one before.
        let mut index = 0;
        while index + 1 < field.options.len() && rng.chance(0.5) {
            index += 1;
        }
        return field.options[index].clone().into();
    }
    rng.pick(&field.options).clone().into()
}

const WORDS: &[&str] = &[
    "alpine", "summit", "trail", "river", "canyon", "harbor", "meadow", "ridge", "forest",
    "glacier", "valley", "coast",
];
const SOURCES: &[&str] = &[
    "google",
    "newsletter",
    "linkedin",
    "facebook",
    "partner",
    "direct",
];
const MEDIUMS: &[&str] = &["cpc", "email", "social", "referral", "organic"];

fn text(id: &str, ctx: &Context<'_>, rng: &mut Rng) -> Value {
    let p = ctx.person;
    let value = if id.contains("first") && id.contains("name") || id == "given_name" {
        p.first.clone()
    } else if (id.contains("last") && id.contains("name"))
        || id.contains("surname")
        || id.contains("family")
    {
        p.last.clone()
    } else if id.contains("company") {
        return ctx.company.map_or(Value::Null, |c| c.into());
    } else if id == "name" || id == "full_name" {
        format!("{} {}", p.first, p.last)
    } else if id.contains("city") {
        p.city.name.to_owned()
    } else if id.contains("postal") || id.contains("zip") {
        p.postal.clone()
    } else if id.contains("street") || id.contains("address") {
        p.street.clone()
    } else if id.contains("country") {
        p.locale.country.to_owned()
    } else if id.contains("zone") {
        ctx.zone.to_owned()
    } else if id.contains("language") || id.contains("locale") {
        p.locale.language.to_owned()
    } else if id.contains("utm_source") {
        (*rng.pick(SOURCES)).to_owned()
    } else if id.contains("utm_medium") {
        (*rng.pick(MEDIUMS)).to_owned()
    } else if id.contains("campaign") {
        format!("{}-{}", rng.pick(WORDS), rng.between(2024, 2026))
    } else if id.contains("token") || id.contains("hash") {
        (0..32)
            .map(|_| char::from_digit(rng.below(16) as u32, 16).unwrap_or('0'))
            .collect()
    } else if id.contains("message") || id.contains("note") || id.contains("comment") {
        let words: Vec<&str> = (0..rng.between(4, 14)).map(|_| *rng.pick(WORDS)).collect();
        format!("Synthetic note: {}.", words.join(" "))
    } else if id.contains("increment") || id.ends_with("_number") || id.ends_with("_id") {
        format!("{:09}", rng.below(1_000_000_000))
    } else {
        format!("{} {}", rng.pick(WORDS), rng.pick(WORDS))
    };
    value.into()
}

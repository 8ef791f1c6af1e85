//! Contacts: drawn per locale in turn, edge cases planted among them, and their table with
//! each declared consent's status, time and source.

use super::companies::Companies;
use super::{record, Drawn, Options};
use crate::consent::{self, ConsentState};
use crate::edge::EdgeCase;
use crate::person::Person;
use crate::rng::Rng;
use crate::schema::{ConsentRole, Schema};
use crate::table::{Column, ColumnKind, Table};
use crate::value::{timestamp, Context};
use crate::zones::{self, Gaps};
use chrono::{DateTime, Datelike, Duration, Utc};
use flowgate_model::DataObject;
use serde_json::Value;

/// The edge case of contact `index` of `count`: every case once among the first contacts
/// (spread over them), then a share of the rest; every tenth contact moves through the
/// IANA zones until each has one.
fn edge_for(
    rng: &mut Rng,
    index: usize,
    count: usize,
    share: f64,
    zone_cursor: &mut usize,
) -> Option<EdgeCase> {
    let kinds = EdgeCase::ALL.len();
    let stride = (count / kinds).clamp(1, 97);
    if index % stride == 0 && index / stride < kinds && share > 0.0 {
        return Some(EdgeCase::ALL[index / stride]);
    }
    if index % 10 == 9 && *zone_cursor < zones::all().len() && share > 0.0 {
        return Some(EdgeCase::EveryTimeZone);
    }
    rng.chance(share).then(|| *rng.pick(&EdgeCase::ALL))
}

/// The contacts: person, zone, sign-up time, company and edge case of each.
pub(super) fn draw(options: &Options, companies: &Companies) -> Vec<Drawn> {
    let mut rng = Rng::fork(options.seed, "contacts");
    let mut gaps = Gaps::default();
    let mut zone_cursor = 0;
    let mut out: Vec<Drawn> = Vec::with_capacity(options.contacts);
    for index in 0..options.contacts {
        let edge = edge_for(
            &mut rng,
            index,
            options.contacts,
            options.edge_share,
            &mut zone_cursor,
        );
        let locale = options.locales[index % options.locales.len()];
        let id = index as i64 + 1;
        let mut person = Person::draw(&mut rng, locale, id as u64, edge);
        let mut created = options.as_of - Duration::seconds(rng.between(3_600, 730 * 86_400));
        let mut zone = person.city.zone.to_owned();
        match edge {
            Some(EdgeCase::EveryTimeZone) => {
                zone = zones::all()[zone_cursor % zones::all().len()]
                    .name()
                    .to_owned();
                zone_cursor += 1;
            }
            Some(EdgeCase::DstGap) => {
                let (z, at) = dst_gap(&mut gaps, &zone, options.as_of.year() - 1);
                zone = z;
                created = at;
            }
            Some(EdgeCase::CaseDuplicate) if !out.is_empty() => {
                let earlier = &out[rng.below(out.len() as u64) as usize].person;
                person.first.clone_from(&earlier.first);
                person.last.clone_from(&earlier.last);
                person.email = recase(&earlier.email);
            }
            _ => {}
        }
        let company = companies.assign(&mut rng);
        out.push(Drawn {
            id,
            person,
            zone,
            created,
            company,
            edge,
        });
    }
    out
}

/// The start of the zone's first DST gap in `year`, else Berlin's.
fn dst_gap(gaps: &mut Gaps, zone: &str, year: i32) -> (String, DateTime<Utc>) {
    match gaps.first(zone, year) {
        Some(at) => (zone.to_owned(), at),
        None => {
            let at = gaps.first("Europe/Berlin", year).unwrap_or_default();
            ("Europe/Berlin".to_owned(), at)
        }
    }
}

/// The same address with its letters' case changed (`Anna.weber.3@EXAMPLE.COM`): one
/// mailbox for most mail systems, two distinct strings for a naive dedupe.
fn recase(email: &str) -> String {
    let (local, domain) = email.split_once('@').unwrap_or((email, ""));
    let mut chars = local.chars();
    let first = chars.next().map(|c| c.to_ascii_uppercase());
    format!(
        "{}{}@{}",
        first.map(String::from).unwrap_or_default(),
        chars.as_str(),
        domain.to_ascii_uppercase()
    )
}

/// The contacts table: built-in columns, declared fields, and each consent's fields.
pub(super) fn table(schema: &Schema, options: &Options, drawn: &[Drawn]) -> Table {
    let fields: Vec<_> = schema.fields_of(DataObject::Contact).collect();
    let base = [
        ("id", ColumnKind::Integer),
        ("created_at", ColumnKind::Timestamp),
        ("locale", ColumnKind::Text),
        ("time_zone", ColumnKind::Text),
        ("company_id", ColumnKind::Integer),
        ("edge_case", ColumnKind::Text),
    ];
    let mut table = Table::new("contacts", record::columns(&base, &fields));
    let mut rng = Rng::fork(options.seed, "consent");
    for d in drawn {
        let company = d.company.as_ref().map(|(_, n)| n.as_str());
        let ctx = Context {
            person: &d.person,
            company,
            zone: &d.zone,
            created: d.created,
            as_of: options.as_of,
        };
        let mut row = record::row(
            &table.columns,
            &fields,
            &ctx,
            options.seed,
            |column| match column {
                "id" => d.id.into(),
                "created_at" => timestamp(d.created),
                "locale" => d.person.locale.tag.into(),
                "time_zone" => d.zone.clone().into(),
                "company_id" => d
                    .company
                    .as_ref()
                    .map_or(Value::Null, |(id, _)| (*id).into()),
                "edge_case" => d.edge.map_or(Value::Null, |e| e.as_str().into()),
                _ => Value::Null,
            },
        );
        for spec in &schema.consents {
            let state = consent::draw(&mut rng, d.edge, &schema.forms, d.created, options.as_of);
            write_consent(&mut row, &table.columns, schema, &spec.id, &state);
        }
        table.rows.push(row);
    }
    table
}

/// Writes one consent's status, time and source into a contact row.
fn write_consent(
    row: &mut [Value],
    columns: &[Column],
    schema: &Schema,
    consent: &str,
    state: &ConsentState,
) {
    for (index, column) in columns.iter().enumerate() {
        let Some((spec, role)) = schema.consent_role(&column.name) else {
            continue;
        };
        if spec.id != consent {
            continue;
        }
        row[index] = match role {
            ConsentRole::Status => schema
                .fields
                .iter()
                .find(|f| f.id == column.name)
                .map_or_else(|| state.status.into(), |f| consent::status_value(f, state)),
            ConsentRole::Timestamp => state.at.map_or(Value::Null, timestamp),
            ConsentRole::Source => state.source.clone().map_or(Value::Null, Value::from),
        };
    }
}

/// Suppression-list members: every suppressed contact in every list the workflows use.
pub(super) fn suppressed(schema: &Schema, options: &Options, drawn: &[Drawn]) -> Table {
    let columns = [
        ("list", ColumnKind::Text),
        ("contact_id", ColumnKind::Integer),
        ("added_at", ColumnKind::Timestamp),
        ("reason", ColumnKind::Text),
    ]
    .iter()
    .map(|(n, k)| Column {
        name: (*n).to_owned(),
        kind: *k,
    })
    .collect();
    let mut table = Table::new("list_members", columns);
    let mut rng = Rng::fork(options.seed, "suppression");
    for d in drawn
        .iter()
        .filter(|d| d.edge == Some(EdgeCase::Suppressed))
    {
        for list in &schema.suppression_lists {
            let added = d.created
                + Duration::seconds(
                    rng.between(0, (options.as_of - d.created).num_seconds().max(1)),
                );
            let reason = *rng.pick(&["unsubscribed", "hard_bounce", "complaint", "legal_hold"]);
            table.rows.push(vec![
                list.clone().into(),
                d.id.into(),
                timestamp(added),
                reason.into(),
            ]);
        }
    }
    table
}

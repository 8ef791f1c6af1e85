//! Seed generation: determinism, formats (reserved domains, fiction phone ranges, IANA zones),
//! every edge case planted and counted, consent states that agree with their edge case, and
//! every declared field of every type and record becoming a typed column (proptest over
//! generated schemas).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use chrono::{DateTime, TimeZone, Utc};
use flowgate_model::{DataObject, FieldType};
use flowgate_seed::edge::EdgeCase;
use flowgate_seed::locale::LOCALES;
use flowgate_seed::schema::{ConsentSpec, FieldSpec, Schema};
use flowgate_seed::table::{ColumnKind, Table};
use flowgate_seed::{generate, Options, RESERVED_DOMAINS};
use proptest::prelude::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

fn field(id: &str, object: DataObject, field_type: FieldType, options: &[&str]) -> FieldSpec {
    FieldSpec {
        id: id.to_owned(),
        object,
        field_type,
        options: options.iter().map(|o| (*o).to_owned()).collect(),
        default: None,
        pii: false,
    }
}

/// A schema like a marketing stack's: contact identity, consent for two channels, an order
/// status, a company size, a suppression list.
fn stack() -> Schema {
    use DataObject::*;
    use FieldType::*;
    Schema {
        fields: vec![
            field("email", Contact, Email, &[]),
            field("phone", Contact, Phone, &[]),
            field("first_name", Contact, String, &[]),
            field(
                "email_consent_status",
                Contact,
                Enum,
                &["granted", "withdrawn", "unknown"],
            ),
            field("email_consent_at", Contact, Datetime, &[]),
            field("email_consent_source", Contact, String, &[]),
            field("sms_opt_in", Contact, Bool, &[]),
            field("sms_opt_in_at", Contact, Datetime, &[]),
            field("status", Order, Enum, &["pending", "complete"]),
            field("employee_count", Company, Number, &[]),
        ],
        consents: vec![
            ConsentSpec {
                id: "marketing-email".into(),
                status_field: "email_consent_status".into(),
                timestamp_field: Some("email_consent_at".into()),
                source_field: Some("email_consent_source".into()),
            },
            ConsentSpec {
                id: "sms".into(),
                status_field: "sms_opt_in".into(),
                timestamp_field: Some("sms_opt_in_at".into()),
                source_field: None,
            },
        ],
        suppression_lists: vec!["global-suppression".into()],
        forms: vec!["lead-capture".into()],
    }
}

fn as_of() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).single().unwrap()
}

fn options(contacts: usize, seed: u64) -> Options {
    Options {
        contacts,
        seed,
        locales: LOCALES.iter().collect(),
        as_of: as_of(),
        edge_share: 0.05,
    }
}

/// The values of `column` in `table`, with each row's edge case.
fn column<'t>(table: &'t Table, name: &str) -> Vec<(&'t Value, Option<&'t str>)> {
    let index = table
        .column(name)
        .unwrap_or_else(|| panic!("no column {name}"));
    let edge = table.column("edge_case");
    table
        .rows
        .iter()
        .map(|row| (&row[index], edge.and_then(|e| row[e].as_str())))
        .collect()
}

#[test]
fn the_same_seed_gives_the_same_data_and_another_seed_other_data() {
    let a = generate(&stack(), &options(500, 42));
    let b = generate(&stack(), &options(500, 42));
    let c = generate(&stack(), &options(500, 43));
    assert_eq!(a.tables, b.tables);
    assert_ne!(a.table("contacts"), c.table("contacts"));
}

#[test]
fn emails_are_on_reserved_domains_and_unique_but_for_planted_case_duplicates() {
    let data = generate(&stack(), &options(3000, 7));
    let contacts = data.table("contacts").unwrap();
    let mut lower = BTreeMap::new();
    for (email, _) in column(contacts, "email") {
        let email = email.as_str().unwrap();
        let domain = email.rsplit('@').next().unwrap().to_ascii_lowercase();
        assert!(RESERVED_DOMAINS.contains(&domain.as_str()), "{email}");
        *lower.entry(email.to_ascii_lowercase()).or_insert(0) += 1;
    }
    let exact: BTreeSet<&str> = column(contacts, "email")
        .iter()
        .map(|(e, _)| e.as_str().unwrap())
        .collect();
    assert_eq!(
        exact.len(),
        contacts.rows.len(),
        "two contacts share an exact address"
    );
    let duplicates: usize = lower.values().map(|n| n - 1).sum();
    assert_eq!(duplicates, data.edges[&EdgeCase::CaseDuplicate]);
    assert!(duplicates > 0);
}

#[test]
fn phones_are_in_fiction_ranges_unless_planted_invalid() {
    let data = generate(&stack(), &options(3000, 9));
    let contacts = data.table("contacts").unwrap();
    let ranges: Vec<_> = LOCALES.iter().flat_map(|l| l.phones.iter()).collect();
    let mut invalid = 0;
    for (phone, edge) in column(contacts, "phone") {
        let phone = phone.as_str().unwrap();
        let in_range = ranges.iter().any(|r| {
            phone.strip_prefix(r.prefix).is_some_and(|rest| {
                rest.len() == r.digits as usize
                    && rest
                        .parse::<u32>()
                        .is_ok_and(|n| (r.low..=r.high).contains(&n))
            })
        });
        if edge == Some("invalid_phone") {
            invalid += 1;
            assert!(!in_range, "{phone}");
        } else {
            assert!(
                in_range,
                "{phone} ({edge:?}) is in no range reserved for fiction"
            );
            assert!(phone.len() <= 16 && phone[1..].chars().all(|c| c.is_ascii_digit()));
        }
    }
    assert_eq!(invalid, data.edges[&EdgeCase::InvalidPhone]);
}

#[test]
fn every_edge_case_is_planted_counted_and_every_zone_covered() {
    let data = generate(&stack(), &options(6000, 1));
    let contacts = data.table("contacts").unwrap();
    let mut counted: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, edge) in column(contacts, "id") {
        if let Some(e) = edge {
            *counted.entry(e).or_insert(0) += 1;
        }
    }
    for case in EdgeCase::ALL {
        let n = data.edges.get(&case).copied().unwrap_or(0);
        assert!(n > 0, "{case:?} never planted");
        assert_eq!(
            counted.get(case.as_str()).copied().unwrap_or(0),
            n,
            "{case:?}"
        );
    }
    let zones: BTreeSet<&str> = column(contacts, "time_zone")
        .iter()
        .map(|(z, _)| z.as_str().unwrap())
        .collect();
    for zone in &zones {
        assert!(zone.parse::<chrono_tz::Tz>().is_ok(), "{zone}");
    }
    assert!(zones.len() >= 590, "only {} zones", zones.len());
    assert_eq!(zones.len(), data.zones_covered);
    // Suppressed contacts are members of every suppression list.
    let members = data.table("list_members").unwrap();
    assert_eq!(members.rows.len(), data.edges[&EdgeCase::Suppressed]);
}

#[test]
fn dst_gap_contacts_sign_up_when_their_clock_jumps() {
    let data = generate(&stack(), &options(2000, 3));
    let contacts = data.table("contacts").unwrap();
    let (created, zone) = (
        contacts.column("created_at").unwrap(),
        contacts.column("time_zone").unwrap(),
    );
    let edge = contacts.column("edge_case").unwrap();
    let mut seen = 0;
    for row in contacts.rows.iter().filter(|r| r[edge] == "dst_gap") {
        let at: DateTime<Utc> = row[created].as_str().unwrap().parse().unwrap();
        let tz: chrono_tz::Tz = row[zone].as_str().unwrap().parse().unwrap();
        let before = (at - chrono::Duration::minutes(1))
            .with_timezone(&tz)
            .naive_local();
        let after = at.with_timezone(&tz).naive_local();
        assert!(
            after - before > chrono::Duration::minutes(30),
            "{at} in {tz}: no gap"
        );
        seen += 1;
    }
    assert_eq!(seen, data.edges[&EdgeCase::DstGap]);
}

#[test]
fn consent_states_agree_with_their_edge_case_and_carry_proof() {
    let data = generate(&stack(), &options(4000, 5));
    let contacts = data.table("contacts").unwrap();
    let get = |row: &Vec<Value>, name: &str| row[contacts.column(name).unwrap()].clone();
    let mut granted = 0;
    for row in &contacts.rows {
        let edge = get(row, "edge_case");
        let status = get(row, "email_consent_status");
        let at = get(row, "email_consent_at");
        let source = get(row, "email_consent_source");
        let sms = get(row, "sms_opt_in");
        match edge.as_str() {
            Some("consent_missing") => {
                assert_eq!(status, "unknown");
                assert!(at.is_null() && source.is_null());
                assert_eq!(sms, false);
            }
            Some("consent_withdrawn") => {
                assert_eq!(status, "withdrawn");
                assert_eq!(sms, false);
            }
            _ => {}
        }
        if status == "unknown" {
            assert!(at.is_null() && source.is_null(), "{row:?}");
        } else {
            // Proof: when and where, never before the contact existed.
            let at: DateTime<Utc> = at.as_str().unwrap().parse().unwrap();
            let created: DateTime<Utc> = get(row, "created_at").as_str().unwrap().parse().unwrap();
            assert!(at >= created && at <= as_of(), "{row:?}");
            assert!(source.is_string());
        }
        granted += usize::from(status == "granted");
    }
    assert!(granted > contacts.rows.len() / 2, "{granted}");
}

#[test]
fn orders_and_carts_belong_to_contacts_and_carts_convert_to_their_own_orders() {
    let data = generate(&stack(), &options(1500, 11));
    let contacts = data.table("contacts").unwrap().rows.len() as i64;
    let orders = data.table("orders").unwrap();
    let owner: BTreeMap<i64, i64> = orders
        .rows
        .iter()
        .map(|r| {
            (
                r[orders.column("id").unwrap()].as_i64().unwrap(),
                r[orders.column("contact_id").unwrap()].as_i64().unwrap(),
            )
        })
        .collect();
    assert!(owner.values().all(|c| (1..=contacts).contains(c)));
    let carts = data.table("carts").unwrap();
    let (contact, converted) = (
        carts.column("contact_id").unwrap(),
        carts.column("converted_order_id").unwrap(),
    );
    let mut conversions = 0;
    for row in &carts.rows {
        if let Some(order) = row[converted].as_i64() {
            assert_eq!(owner[&order], row[contact].as_i64().unwrap());
            conversions += 1;
        }
    }
    assert!(conversions > 0);
    let status = column(orders, "status");
    assert!(status
        .iter()
        .all(|(s, _)| *s == "pending" || *s == "complete"));
}

fn field_type() -> impl Strategy<Value = FieldType> {
    prop_oneof![
        Just(FieldType::String),
        Just(FieldType::Number),
        Just(FieldType::Bool),
        Just(FieldType::Date),
        Just(FieldType::Datetime),
        Just(FieldType::Enum),
        Just(FieldType::Email),
        Just(FieldType::Phone),
        Just(FieldType::Url),
    ]
}

fn object() -> impl Strategy<Value = DataObject> {
    prop_oneof![
        Just(DataObject::Contact),
        Just(DataObject::Company),
        Just(DataObject::Order),
        Just(DataObject::Cart),
    ]
}

fn table_of(object: DataObject) -> &'static str {
    match object {
        DataObject::Company => "companies",
        DataObject::Order => "orders",
        DataObject::Cart => "carts",
        _ => "contacts",
    }
}

/// Whether a value fits its column's type.
fn fits(kind: ColumnKind, value: &Value) -> bool {
    match (kind, value) {
        (_, Value::Null) => true,
        (ColumnKind::Integer, v) => v.is_i64(),
        (ColumnKind::Real, v) => v.is_number(),
        (ColumnKind::Bool, v) => v.is_boolean(),
        (ColumnKind::Date, Value::String(s)) => {
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
        }
        (ColumnKind::Timestamp, Value::String(s)) => s.parse::<DateTime<Utc>>().is_ok(),
        (ColumnKind::Text, v) => v.is_string(),
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Every declared field of every type and record is a column of its record's table,
    /// typed by the field, every value fits the type, and enum values are the field's options.
    #[test]
    fn every_declared_field_is_a_typed_column(
        fields in prop::collection::btree_map("[a-z][a-z_]{0,12}", (object(), field_type(), prop::collection::vec("[a-z]{1,6}", 1..5)), 1..12),
        seed in any::<u64>(),
    ) {
        let schema = Schema {
            fields: fields
                .iter()
                .map(|(id, (object, kind, options))| FieldSpec {
                    id: format!("f_{id}"),
                    object: *object,
                    field_type: *kind,
                    options: if *kind == FieldType::Enum { options.clone() } else { Vec::new() },
                    default: None,
                    pii: true,
                })
                .collect(),
            ..Schema::default()
        };
        let data = generate(&schema, &Options { contacts: 60, ..options(60, seed) });
        for spec in &schema.fields {
            let table = data.table(table_of(spec.object)).unwrap();
            let index = table.column(&spec.id).unwrap();
            let kind = table.columns[index].kind;
            for row in &table.rows {
                prop_assert!(fits(kind, &row[index]), "{} {:?} = {}", spec.id, kind, row[index]);
                if spec.field_type == FieldType::Enum {
                    prop_assert!(row[index].as_str().is_some_and(|v| spec.options.iter().any(|o| o == v)), "{}", row[index]);
                }
            }
        }
        prop_assert_eq!(&data.tables, &generate(&schema, &options(60, seed)).tables);
    }
}

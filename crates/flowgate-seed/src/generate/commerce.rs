//! Orders and carts of the generated contacts: most contacts have none, some several; a
//! share of carts converted into one of their contact's orders, the rest abandoned.

use super::{record, Drawn, Options};
use crate::rng::Rng;
use crate::schema::Schema;
use crate::table::{ColumnKind, Table};
use crate::value::{timestamp, Context};
use chrono::{DateTime, Duration, Utc};
use flowgate_model::DataObject;
use serde_json::Value;
use std::collections::BTreeMap;

/// An instant between `from` and `to`.
fn after(rng: &mut Rng, from: DateTime<Utc>, to: DateTime<Utc>) -> DateTime<Utc> {
    from + Duration::seconds(rng.between(0, (to - from).num_seconds().max(1)))
}

/// The orders table, and each contact's order ids.
pub(super) fn orders(
    schema: &Schema,
    options: &Options,
    drawn: &[Drawn],
) -> (Table, BTreeMap<i64, Vec<i64>>) {
    let fields: Vec<_> = schema.fields_of(DataObject::Order).collect();
    let base = [
        ("id", ColumnKind::Integer),
        ("contact_id", ColumnKind::Integer),
        ("created_at", ColumnKind::Timestamp),
        ("currency", ColumnKind::Text),
        ("grand_total", ColumnKind::Real),
        ("items_count", ColumnKind::Integer),
    ];
    let mut table = Table::new("orders", record::columns(&base, &fields));
    let mut rng = Rng::fork(options.seed, "orders");
    let mut by_contact: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for d in drawn {
        let count = match rng.below(100) {
            0..=54 => 0,
            55..=79 => 1,
            _ => rng.between(2, 5),
        };
        for _ in 0..count {
            let id = table.rows.len() as i64 + 1;
            let created = after(&mut rng, d.created, options.as_of);
            let total = rng.between(1_500, 60_000) as f64 / 100.0;
            let items = rng.between(1, 6);
            let ctx = Context {
                person: &d.person,
                company: None,
                zone: &d.zone,
                created,
                as_of: options.as_of,
            };
            let row = record::row(
                &table.columns,
                &fields,
                &ctx,
                options.seed ^ id as u64,
                |column| match column {
                    "id" => id.into(),
                    "contact_id" => d.id.into(),
                    "created_at" => timestamp(created),
                    "currency" => d.person.locale.currency.into(),
                    "grand_total" => total.into(),
                    "items_count" => items.into(),
                    _ => Value::Null,
                },
            );
            table.rows.push(row);
            by_contact.entry(d.id).or_default().push(id);
        }
    }
    (table, by_contact)
}

/// The carts table; a converted cart names one of its contact's orders.
pub(super) fn carts(
    schema: &Schema,
    options: &Options,
    drawn: &[Drawn],
    orders: &BTreeMap<i64, Vec<i64>>,
) -> Table {
    let fields: Vec<_> = schema.fields_of(DataObject::Cart).collect();
    let base = [
        ("id", ColumnKind::Integer),
        ("contact_id", ColumnKind::Integer),
        ("created_at", ColumnKind::Timestamp),
        ("updated_at", ColumnKind::Timestamp),
        ("currency", ColumnKind::Text),
        ("value", ColumnKind::Real),
        ("items_count", ColumnKind::Integer),
        ("converted_order_id", ColumnKind::Integer),
    ];
    let mut table = Table::new("carts", record::columns(&base, &fields));
    let mut rng = Rng::fork(options.seed, "carts");
    for d in drawn {
        let count = match rng.below(100) {
            0..=69 => 0,
            70..=94 => 1,
            _ => 2,
        };
        for _ in 0..count {
            let id = table.rows.len() as i64 + 1;
            let created = after(&mut rng, d.created, options.as_of);
            let updated =
                (created + Duration::seconds(rng.between(60, 172_800))).min(options.as_of);
            let converted = orders
                .get(&d.id)
                .filter(|_| rng.chance(0.4))
                .map(|ids| *rng.pick(ids));
            let value = rng.between(900, 45_000) as f64 / 100.0;
            let items = rng.between(1, 8);
            let ctx = Context {
                person: &d.person,
                company: None,
                zone: &d.zone,
                created,
                as_of: options.as_of,
            };
            let seed = options.seed ^ ((id as u64) << 1);
            let row = record::row(&table.columns, &fields, &ctx, seed, |column| match column {
                "id" => id.into(),
                "contact_id" => d.id.into(),
                "created_at" => timestamp(created),
                "updated_at" => timestamp(updated),
                "currency" => d.person.locale.currency.into(),
                "value" => value.into(),
                "items_count" => items.into(),
                "converted_order_id" => converted.map_or(Value::Null, Value::from),
                _ => Value::Null,
            });
            table.rows.push(row);
        }
    }
    table
}

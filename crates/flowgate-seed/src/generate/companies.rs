//! Companies: a name in the locale's legal form, a domain under `.example`, the declared
//! company fields; contacts are assigned to them.

use super::record;
use super::Options;
use crate::person::Person;
use crate::rng::Rng;
use crate::schema::Schema;
use crate::table::{ColumnKind, Table};
use crate::value::{timestamp, Context};
use chrono::Duration;
use flowgate_model::DataObject;
use serde_json::Value;

/// The generated companies.
pub(super) struct Companies {
    /// Their table.
    pub table: Table,
    names: Vec<(i64, String)>,
}

impl Companies {
    /// A company for a contact (four in ten contacts have one).
    pub fn assign(&self, rng: &mut Rng) -> Option<(i64, String)> {
        if self.names.is_empty() || !rng.chance(0.4) {
            return None;
        }
        Some(rng.pick(&self.names).clone())
    }
}

const LEGAL_FORMS: &[(&str, &str)] = &[
    ("US", "Inc."),
    ("GB", "Ltd"),
    ("DE", "GmbH"),
    ("FR", "SARL"),
];
const TRADES: &[&str] = &[
    "Outfitters",
    "Logistics",
    "Sports",
    "Trading",
    "Works",
    "Partners",
];

/// One company for every eight contacts (at least one when there are contacts).
pub(super) fn generate(schema: &Schema, options: &Options) -> Companies {
    let mut rng = Rng::fork(options.seed, "companies");
    let count = (options.contacts / 8).max(usize::from(options.contacts > 0));
    let fields: Vec<_> = schema.fields_of(DataObject::Company).collect();
    let base = [
        ("id", ColumnKind::Integer),
        ("name", ColumnKind::Text),
        ("domain", ColumnKind::Text),
        ("country", ColumnKind::Text),
        ("created_at", ColumnKind::Timestamp),
    ];
    let mut table = Table::new("companies", record::columns(&base, &fields));
    let mut names = Vec::with_capacity(count);
    for index in 0..count {
        let id = index as i64 + 1;
        let locale = options.locales[index % options.locales.len()];
        let person = Person::draw(&mut rng, locale, id as u64, None);
        let form = LEGAL_FORMS
            .iter()
            .find(|(c, _)| *c == locale.country)
            .map_or("Ltd", |(_, f)| f);
        let name = format!("{} {} {form}", person.last, rng.pick(TRADES));
        let created = options.as_of - Duration::seconds(rng.between(86_400, 1_460 * 86_400));
        let ctx = Context {
            person: &person,
            company: Some(&name),
            zone: person.city.zone,
            created,
            as_of: options.as_of,
        };
        let row = record::row(
            &table.columns,
            &fields,
            &ctx,
            options.seed,
            |column| match column {
                "id" => id.into(),
                "name" => name.clone().into(),
                "domain" => format!("company-{id}.example").into(),
                "country" => locale.country.into(),
                "created_at" => timestamp(created),
                _ => Value::Null,
            },
        );
        table.rows.push(row);
        names.push((id, name));
    }
    Companies { table, names }
}

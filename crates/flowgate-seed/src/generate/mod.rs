//! Generation of a whole population: contacts, their companies, orders, carts and
//! suppression-list memberships, from a workspace's schema.

mod commerce;
mod companies;
mod contacts;
mod record;

use crate::edge::EdgeCase;
use crate::locale::Locale;
use crate::person::Person;
use crate::schema::Schema;
use crate::table::Table;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    /// How many contacts.
    pub contacts: usize,
    /// The seed: the same seed, options and schema give the same data.
    pub seed: u64,
    /// The locales contacts are drawn from, in turn weighted equally.
    pub locales: Vec<&'static Locale>,
    /// The end of generated time: every timestamp lies in the two years before it.
    pub as_of: DateTime<Utc>,
    /// The share of contacts generated as an edge case (0 to 1).
    pub edge_share: f64,
}

/// The generated tables and what was planted in them.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// `contacts`, `companies`, `orders`, `carts`, `list_members`.
    pub tables: Vec<Table>,
    /// How many contacts were generated as each edge case.
    pub edges: BTreeMap<EdgeCase, usize>,
    /// How many distinct time zones contacts are in.
    pub zones_covered: usize,
}

/// A report of a generation, as JSON and text print it.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Rows per table.
    pub rows: BTreeMap<String, usize>,
    /// Contacts per edge case (every case listed, zero included).
    pub edge_cases: BTreeMap<&'static str, usize>,
    /// Distinct time zones of contacts.
    pub zones_covered: usize,
}

impl Dataset {
    /// Rows per table and edge-case counts.
    pub fn summary(&self) -> Summary {
        Summary {
            rows: self
                .tables
                .iter()
                .map(|t| (t.name.to_owned(), t.rows.len()))
                .collect(),
            edge_cases: EdgeCase::ALL
                .iter()
                .map(|e| (e.as_str(), self.edges.get(e).copied().unwrap_or(0)))
                .collect(),
            zones_covered: self.zones_covered,
        }
    }

    /// The table `name`.
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }
}

/// One generated contact, kept for the tables that refer to it.
pub(crate) struct Drawn {
    pub id: i64,
    pub person: Person,
    pub zone: String,
    pub created: DateTime<Utc>,
    pub company: Option<(i64, String)>,
    pub edge: Option<EdgeCase>,
}

/// Generates the population `options` asks for, following `schema`.
pub fn generate(schema: &Schema, options: &Options) -> Dataset {
    let companies = companies::generate(schema, options);
    let drawn = contacts::draw(options, &companies);
    let mut edges = BTreeMap::new();
    for d in &drawn {
        if let Some(e) = d.edge {
            *edges.entry(e).or_insert(0) += 1;
        }
    }
    let zones_covered = drawn
        .iter()
        .map(|d| d.zone.as_str())
        .collect::<BTreeSet<_>>()
        .len();
    let contacts = contacts::table(schema, options, &drawn);
    let (orders, order_ids) = commerce::orders(schema, options, &drawn);
    let carts = commerce::carts(schema, options, &drawn, &order_ids);
    let members = contacts::suppressed(schema, options, &drawn);
    Dataset {
        tables: vec![contacts, companies.table, orders, carts, members],
        edges,
        zones_covered,
    }
}

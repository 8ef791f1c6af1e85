//! What every record table shares: built-in columns beside the declared fields, and rows
//! whose field values each come from a random stream of their own, so that declaring one
//! more field changes no other column.

use crate::rng::Rng;
use crate::schema::FieldSpec;
use crate::table::{Column, ColumnKind};
use crate::value::{self, Context};
use serde_json::Value;

/// A record table's columns: its built-in ones that no declared field names, then the fields.
pub(super) fn columns(base: &[(&str, ColumnKind)], fields: &[&FieldSpec]) -> Vec<Column> {
    let mut columns: Vec<Column> = base
        .iter()
        .filter(|(name, _)| !fields.iter().any(|f| f.id == *name))
        .map(|(name, kind)| Column {
            name: (*name).to_owned(),
            kind: *kind,
        })
        .collect();
    columns.extend(fields.iter().map(|f| Column {
        name: f.id.clone(),
        kind: value::column_kind(f),
    }));
    columns
}

/// One row: declared fields from their own streams keyed by `seed` and the record, the
/// built-in columns from `base`.
pub(super) fn row(
    columns: &[Column],
    fields: &[&FieldSpec],
    ctx: &Context<'_>,
    seed: u64,
    base: impl Fn(&str) -> Value,
) -> Vec<Value> {
    let record = seed ^ (ctx.created.timestamp() as u64) ^ fnv(&ctx.person.email);
    columns
        .iter()
        .map(|column| match fields.iter().find(|f| f.id == column.name) {
            Some(field) => value::value(field, ctx, &mut Rng::fork(record, &field.id)),
            None => base(&column.name),
        })
        .collect()
}

/// FNV-1a of text: a cheap, stable key for per-record streams.
fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

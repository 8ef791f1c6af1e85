//! What changed between two schemas, table by table and column by column, each change with a
//! stable check id, a level, and where it is declared in the old and the new tree.

use crate::model::{Column, Place, Schema, Table};
use serde::Serialize;

/// How much a change matters to an integration that reads or writes the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Queries or writes that worked may fail or lose data.
    Breaking,
    /// Worth checking: values may look different (wider, nullable) or performance may change.
    Warning,
    /// Additions.
    Info,
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchemaChange {
    /// The check id (`column-removed`, …).
    pub check: &'static str,
    /// Its level.
    pub level: Level,
    /// The table.
    pub table: String,
    /// The column, index or constraint, when the change is about one.
    pub item: Option<String>,
    /// In words.
    pub detail: String,
    /// Where it was declared in the old tree.
    pub old: Option<Place>,
    /// Where it is declared in the new tree.
    pub new: Option<Place>,
}

struct Out<'a> {
    table: &'a str,
    changes: Vec<SchemaChange>,
}

impl Out<'_> {
    fn push(
        &mut self,
        check: &'static str,
        level: Level,
        item: Option<&str>,
        detail: String,
        places: (Option<&Place>, Option<&Place>),
    ) {
        self.changes.push(SchemaChange {
            check,
            level,
            table: self.table.to_owned(),
            item: item.map(str::to_owned),
            detail,
            old: places.0.cloned(),
            new: places.1.cloned(),
        });
    }
}

/// The changes from `old` to `new`, by table.
pub fn diff(old: &Schema, new: &Schema) -> Vec<SchemaChange> {
    let mut all = Vec::new();
    for (name, before) in &old.tables {
        let mut out = Out {
            table: name,
            changes: Vec::new(),
        };
        match new.tables.get(name) {
            None => out.push(
                "table-removed",
                Level::Breaking,
                None,
                format!("table {name} is gone"),
                (Some(&before.place), None),
            ),
            Some(after) => table(before, after, &mut out),
        }
        all.extend(out.changes);
    }
    for (name, after) in new
        .tables
        .iter()
        .filter(|(n, _)| !old.tables.contains_key(*n))
    {
        let mut out = Out {
            table: name,
            changes: Vec::new(),
        };
        out.push(
            "table-added",
            Level::Info,
            None,
            format!("new table {name} ({} columns)", after.columns.len()),
            (None, Some(&after.place)),
        );
        all.extend(out.changes);
    }
    all
}

fn table(before: &Table, after: &Table, out: &mut Out<'_>) {
    for (name, old) in &before.columns {
        match after.columns.get(name) {
            Some(new) => column(old, new, out),
            None => removed_column(name, old, after, out),
        }
    }
    for (name, new) in after
        .columns
        .iter()
        .filter(|(n, _)| !before.columns.contains_key(*n))
    {
        let renamed = new.migrates_from.as_ref().is_some_and(|from| {
            before.columns.contains_key(from) && !after.columns.contains_key(from)
        });
        if renamed {
            continue;
        }
        let (level, how) = if !new.nullable && new.default.is_none() && !new.identity {
            (
                Level::Warning,
                "NOT NULL without a default: inserts that do not set it fail",
            )
        } else {
            (Level::Info, "existing inserts keep working")
        };
        out.push(
            "column-added",
            level,
            Some(name),
            format!("new column {name} {}: {how}", new.sql_type()),
            (None, Some(&new.place)),
        );
    }
    keyed(
        &before.indexes,
        &after.indexes,
        "index",
        out,
        |i| format!("{} ({})", i.kind, i.columns.join(", ")),
        |i| &i.place,
    );
    keyed(
        &before.constraints,
        &after.constraints,
        "constraint",
        out,
        |c| {
            format!(
                "{} ({}){}",
                c.kind,
                c.columns.join(", "),
                c.references
                    .as_ref()
                    .map(|r| format!(" → {r}"))
                    .unwrap_or_default()
            )
        },
        |c| &c.place,
    );
}

fn removed_column(name: &str, old: &Column, after: &Table, out: &mut Out<'_>) {
    let successor = after
        .columns
        .values()
        .find(|c| c.migrates_from.as_deref() == Some(name));
    match successor {
        Some(new) => out.push(
            "column-renamed",
            Level::Breaking,
            Some(name),
            format!("{name} renamed to {} (its data migrates)", new.name),
            (Some(&old.place), Some(&new.place)),
        ),
        None => out.push(
            "column-removed",
            Level::Breaking,
            Some(name),
            format!("{name} {} is gone", old.sql_type()),
            (Some(&old.place), None),
        ),
    }
}

fn column(old: &Column, new: &Column, out: &mut Out<'_>) {
    let name = old.name.as_str();
    let places = (Some(&old.place), Some(&new.place));
    if old.ty != new.ty {
        out.push(
            "column-type-changed",
            Level::Breaking,
            Some(name),
            format!("{name}: {} → {}", old.sql_type(), new.sql_type()),
            places,
        );
    } else if let Some((check, level)) = size_change(old, new) {
        out.push(
            check,
            level,
            Some(name),
            format!("{name}: {} → {}", old.sql_type(), new.sql_type()),
            places,
        );
    } else if old.unsigned != new.unsigned {
        out.push(
            "column-signedness-changed",
            Level::Warning,
            Some(name),
            format!("{name}: {} → {}", old.sql_type(), new.sql_type()),
            places,
        );
    }
    match (old.nullable, new.nullable) {
        (false, true) => out.push(
            "column-became-nullable",
            Level::Warning,
            Some(name),
            format!("{name} may now be NULL: readers that expect a value get none"),
            places,
        ),
        (true, false) if new.default.is_none() => out.push(
            "column-became-not-null",
            Level::Breaking,
            Some(name),
            format!("{name} is now NOT NULL without a default: writes that leave it out fail"),
            places,
        ),
        (true, false) => out.push(
            "column-became-not-null",
            Level::Warning,
            Some(name),
            format!(
                "{name} is now NOT NULL (default {})",
                new.default.as_deref().unwrap_or_default()
            ),
            places,
        ),
        _ => {}
    }
    if old.default != new.default {
        let show = |d: &Option<String>| d.clone().unwrap_or_else(|| "none".to_owned());
        out.push(
            "column-default-changed",
            Level::Info,
            Some(name),
            format!(
                "{name} default: {} → {}",
                show(&old.default),
                show(&new.default)
            ),
            places,
        );
    }
    if old.identity != new.identity {
        out.push(
            "column-identity-changed",
            Level::Warning,
            Some(name),
            format!("{name} auto-increment: {} → {}", old.identity, new.identity),
            places,
        );
    }
}

/// A change of length, precision or scale: widened (warning) or narrowed (breaking).
fn size_change(old: &Column, new: &Column) -> Option<(&'static str, Level)> {
    let pairs = [
        (old.length, new.length),
        (old.precision, new.precision),
        (old.scale, new.scale),
    ];
    let changed: Vec<(u64, u64)> = pairs
        .iter()
        .filter_map(|(a, b)| a.zip(*b))
        .filter(|(a, b)| a != b)
        .collect();
    if changed.is_empty() {
        return None;
    }
    if changed.iter().any(|(a, b)| b < a) {
        Some(("column-narrowed", Level::Breaking))
    } else {
        Some(("column-widened", Level::Warning))
    }
}

fn keyed<T: PartialEq>(
    before: &std::collections::BTreeMap<String, T>,
    after: &std::collections::BTreeMap<String, T>,
    what: &'static str,
    out: &mut Out<'_>,
    show: impl Fn(&T) -> String,
    place: impl Fn(&T) -> &Place,
) {
    let (removed, added, changed) = match what {
        "index" => ("index-removed", "index-added", "index-changed"),
        _ => (
            "constraint-removed",
            "constraint-added",
            "constraint-changed",
        ),
    };
    for (id, old) in before {
        match after.get(id) {
            None => out.push(
                removed,
                Level::Warning,
                Some(id),
                format!("{what} {id} {} is gone", show(old)),
                (Some(place(old)), None),
            ),
            Some(new) if show(old) != show(new) => out.push(
                changed,
                Level::Warning,
                Some(id),
                format!("{what} {id}: {} → {}", show(old), show(new)),
                (Some(place(old)), Some(place(new))),
            ),
            Some(_) => {}
        }
    }
    for (id, new) in after.iter().filter(|(id, _)| !before.contains_key(*id)) {
        out.push(
            added,
            Level::Info,
            Some(id),
            format!("new {what} {id} {}", show(new)),
            (None, Some(place(new))),
        );
    }
}

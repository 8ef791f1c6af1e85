//! What changed between two captures of an integration's payloads: fields that disappeared or
//! appeared (and whether a new one looks required), types that changed, fields that became
//! null, enum-like fields with new values, fields that stopped being always present; each
//! with its counts and the first record (line) showing it.

use crate::schema::enum_values;
use crate::shape::{Field, Kind, Shape};
use serde::Serialize;

/// What kind of change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// A field present before is absent after.
    FieldRemoved,
    /// A field's non-null type changed (a number became a string).
    TypeChanged,
    /// A field that was never null is null in some records after.
    BecameNullable,
    /// A field present in every record before is missing from some after.
    BecameOptional,
    /// An enum-like field has values after that it never had before.
    EnumValueAdded,
    /// A new field present in every record after.
    RequiredFieldAdded,
    /// A new field present in some records after.
    FieldAdded,
}

impl ChangeKind {
    /// Whether a consumer written against the old payloads may break.
    pub fn breaking(self) -> bool {
        matches!(
            self,
            Self::FieldRemoved | Self::TypeChanged | Self::BecameNullable | Self::BecameOptional
        )
    }
}

/// One change at one field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// What changed.
    pub kind: ChangeKind,
    /// Where: `order.items[].sku` (`$` is the record itself).
    pub path: String,
    /// In words, with the counts.
    pub detail: String,
    /// How many values or records after show it (before, for a removal).
    pub count: u64,
    /// The first record (line) showing it, in the capture it was seen in.
    pub example: Option<u64>,
}

/// The changes from `before` to `after`, in path order.
pub fn diff(before: &Shape, after: &Shape) -> Vec<Change> {
    let mut out = Vec::new();
    compare("$", before, after, &mut out);
    out
}

fn child(path: &str, name: &str) -> String {
    if path == "$" {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

fn compare(path: &str, before: &Shape, after: &Shape, out: &mut Vec<Change>) {
    kinds(path, before, after, out);
    enums(path, before, after, out);
    let (objects_before, objects_after) = (
        before.seen(Kind::Object).count,
        after.seen(Kind::Object).count,
    );
    if objects_before > 0 && objects_after > 0 {
        for (name, old) in &before.properties {
            let here = child(path, name);
            match after.properties.get(name) {
                None => out.push(removed(&here, old)),
                Some(new) => {
                    optional(&here, old, new, (objects_before, objects_after), out);
                    compare(&here, &old.shape, &new.shape, out);
                }
            }
        }
        for (name, new) in &after.properties {
            if !before.properties.contains_key(name) {
                out.push(added(&child(path, name), new, objects_after));
            }
        }
    }
    if let (Some(old), Some(new)) = (&before.items, &after.items) {
        compare(&format!("{path}[]"), old, new, out);
    }
}

fn removed(path: &str, old: &Field) -> Change {
    Change {
        kind: ChangeKind::FieldRemoved,
        path: path.to_owned(),
        detail: format!(
            "present in {} records before, in none after",
            old.present.count
        ),
        count: old.present.count,
        example: Some(old.present.first),
    }
}

fn added(path: &str, new: &Field, objects: u64) -> Change {
    let everywhere = new.present.count == objects;
    Change {
        kind: if everywhere {
            ChangeKind::RequiredFieldAdded
        } else {
            ChangeKind::FieldAdded
        },
        path: path.to_owned(),
        detail: format!(
            "new: present in {} of {} objects after{}",
            new.present.count,
            objects,
            if everywhere { " (every one)" } else { "" }
        ),
        count: new.present.count,
        example: Some(new.present.first),
    }
}

fn optional(path: &str, old: &Field, new: &Field, objects: (u64, u64), out: &mut Vec<Change>) {
    if old.present.count == objects.0 && new.present.count < objects.1 {
        let missing = objects.1 - new.present.count;
        out.push(Change {
            kind: ChangeKind::BecameOptional,
            path: path.to_owned(),
            detail: format!(
                "present in every object before, missing from {missing} of {} after",
                objects.1
            ),
            count: missing,
            example: None,
        });
    }
}

fn kinds(path: &str, before: &Shape, after: &Shape, out: &mut Vec<Change>) {
    let non_null = |s: &Shape| -> Vec<Kind> {
        let mut k: Vec<Kind> = s
            .kinds_seen()
            .into_iter()
            .filter(|k| *k != Kind::Null)
            .map(|k| if k == Kind::Integer { Kind::Number } else { k })
            .collect();
        k.dedup();
        k
    };
    let (old, new) = (non_null(before), non_null(after));
    let appeared: Vec<Kind> = new.iter().copied().filter(|k| !old.contains(k)).collect();
    if !old.is_empty() && !appeared.is_empty() {
        let seen = |k: Kind| match k {
            Kind::Number => {
                let (i, n) = (after.seen(Kind::Integer), after.seen(Kind::Number));
                (
                    i.count + n.count,
                    [i, n].iter().filter(|s| s.count > 0).map(|s| s.first).min(),
                )
            }
            other => (after.seen(other).count, Some(after.seen(other).first)),
        };
        let (count, example) = appeared.iter().fold((0, None), |(c, e), k| {
            let (n, first) = seen(*k);
            (c + n, [e, first].into_iter().flatten().min())
        });
        out.push(Change {
            kind: ChangeKind::TypeChanged,
            path: path.to_owned(),
            detail: format!(
                "{} before, {} after ({count} values of the new type)",
                names(&old),
                names(&new)
            ),
            count,
            example,
        });
    }
    let (nulls_before, nulls_after) = (before.seen(Kind::Null), after.seen(Kind::Null));
    if before.total() > 0 && nulls_before.count == 0 && nulls_after.count > 0 {
        out.push(Change {
            kind: ChangeKind::BecameNullable,
            path: path.to_owned(),
            detail: format!("never null before, null {} times after", nulls_after.count),
            count: nulls_after.count,
            example: Some(nulls_after.first),
        });
    }
}

fn names(kinds: &[Kind]) -> String {
    kinds
        .iter()
        .map(|k| k.as_str())
        .collect::<Vec<_>>()
        .join(" or ")
}

fn enums(path: &str, before: &Shape, after: &Shape, out: &mut Vec<Change>) {
    let Some(known) = enum_values(before) else {
        return;
    };
    let Some(values) = &after.values else {
        if after.seen(Kind::String).count > 0 {
            out.push(Change {
                kind: ChangeKind::EnumValueAdded,
                path: path.to_owned(),
                detail: format!(
                    "{} values before; more than {} distinct after",
                    known.len(),
                    crate::shape::ENUM_LIMIT
                ),
                count: after.seen(Kind::String).count,
                example: None,
            });
        }
        return;
    };
    for (value, seen) in values.iter().filter(|(v, _)| !known.contains(&v.as_str())) {
        out.push(Change {
            kind: ChangeKind::EnumValueAdded,
            path: path.to_owned(),
            detail: format!(
                "new value {value:?} ({} times after; before: {})",
                seen.count,
                known.join(", ")
            ),
            count: seen.count,
            example: Some(seen.first),
        });
    }
}

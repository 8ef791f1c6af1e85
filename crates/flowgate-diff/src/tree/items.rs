//! Arrays of identified items: matched by identity, renames paired, insertions placed, and
//! a reorder reported only when items present on both sides change their relative order.

use super::{walk, Change, Identity, Path, Segment};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// Fields that only name an item; an item whose other fields are unchanged was renamed.
const NAMING_KEYS: [&str; 2] = ["label", "name"];

/// The two sides of an identified array.
struct Sides<'a> {
    key: &'static str,
    a: &'a [Value],
    b: &'a [Value],
    old_ids: Vec<&'a str>,
    new_ids: Vec<&'a str>,
    new_index: HashMap<&'a str, usize>,
    old_set: HashSet<&'a str>,
}

impl<'a> Sides<'a> {
    fn new(key: &'static str, a: &'a [Value], b: &'a [Value]) -> Self {
        let ids = |items: &'a [Value]| -> Vec<&'a str> {
            items
                .iter()
                .filter_map(|item| identity(item, key))
                .collect()
        };
        let (old_ids, new_ids) = (ids(a), ids(b));
        let new_index = new_ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        let old_set = old_ids.iter().copied().collect();
        Self {
            key,
            a,
            b,
            old_ids,
            new_ids,
            new_index,
            old_set,
        }
    }

    fn item_path(&self, path: &Path, id: &str) -> Path {
        path.child(Segment::Item {
            key: self.key.to_owned(),
            value: id.to_owned(),
        })
    }

    /// Indexes into `b` of the items added on the new side.
    fn added(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.new_ids.len()).filter(|j| !self.old_set.contains(self.new_ids[*j]))
    }

    /// Indexes into `a` of the items gone from the new side.
    fn removed(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.old_ids.len()).filter(|i| !self.new_index.contains_key(self.old_ids[*i]))
    }
}

/// Compare two arrays whose items carry a unique `key`.
pub(super) fn walk_items(
    path: &Path,
    key: &'static str,
    (a, b): (&[Value], &[Value]),
    identity_keys: &Identity,
    out: &mut Vec<Change>,
) {
    let sides = Sides::new(key, a, b);
    let renames = renames(&sides, identity_keys.rename_key);
    let renamed_to: HashSet<usize> = renames.values().copied().collect();
    for (i, id) in sides.old_ids.iter().enumerate() {
        match (sides.new_index.get(id), renames.get(&i)) {
            (Some(&j), _) => walk(&sides.item_path(path, id), &a[i], &b[j], identity_keys, out),
            (None, Some(&j)) => rename(path, &sides, (i, j), identity_keys, out),
            (None, None) => out.push(Change::Set {
                path: sides.item_path(path, id),
                old: Some(a[i].clone()),
                new: None,
                at: None,
            }),
        }
    }
    for j in sides.added().filter(|j| !renamed_to.contains(j)) {
        out.push(Change::Set {
            path: sides.item_path(path, sides.new_ids[j]),
            old: None,
            new: Some(b[j].clone()),
            at: Some(j),
        });
    }
    if kept_order_changed(&sides) || !applies_in_order(&sides, &renames) {
        out.push(Change::Order {
            path: path.clone(),
            old: sides.old_ids.iter().map(|s| (*s).to_owned()).collect(),
            new: sides.new_ids.iter().map(|s| (*s).to_owned()).collect(),
            key: key.to_owned(),
        });
    }
}

/// An item under a new identity: its identity changes in place, then the rest of it is
/// compared under the new one.
fn rename(
    path: &Path,
    sides: &Sides,
    (i, j): (usize, usize),
    keys: &Identity,
    out: &mut Vec<Change>,
) {
    let (from, to) = (sides.old_ids[i], sides.new_ids[j]);
    out.push(Change::Set {
        path: sides
            .item_path(path, from)
            .child(Segment::Key(sides.key.to_owned())),
        old: Some(Value::from(from)),
        new: Some(Value::from(to)),
        at: None,
    });
    let mut before = sides.a[i].clone();
    if let Value::Object(map) = &mut before {
        map.insert(sides.key.to_owned(), Value::from(to));
    }
    walk(&sides.item_path(path, to), &before, &sides.b[j], keys, out);
}

/// Whether the items on both sides under the same identity come in another relative
/// order. Insertions, removals and renames alone are no reorder (a platform that sorts
/// elements by name moves a renamed one).
fn kept_order_changed(sides: &Sides) -> bool {
    let old_order: Vec<usize> = sides
        .old_ids
        .iter()
        .filter_map(|id| sides.new_index.get(id).copied())
        .collect();
    old_order.windows(2).any(|pair| pair[0] > pair[1])
}

/// Whether applying the renames, removals and insertions alone gives the new side's order: a
/// renamed item stays where it was, so when it moved (a platform sorting by name) the change
/// set carries the order too, while people are not told of a reorder (see the classifier).
fn applies_in_order(sides: &Sides, renames: &HashMap<usize, usize>) -> bool {
    let mut order: Vec<&str> = sides
        .old_ids
        .iter()
        .enumerate()
        .filter_map(
            |(i, id)| match (sides.new_index.contains_key(id), renames.get(&i)) {
                (true, _) => Some(*id),
                (false, Some(&j)) => Some(sides.new_ids[j]),
                (false, None) => None,
            },
        )
        .collect();
    let renamed_to: HashSet<usize> = renames.values().copied().collect();
    for j in sides.added().filter(|j| !renamed_to.contains(j)) {
        if j <= order.len() {
            order.insert(j, sides.new_ids[j]);
        } else {
            order.push(sides.new_ids[j]);
        }
    }
    order == sides.new_ids
}

/// Removed items (index into `a`) paired with added items (index into `b`), one to one:
/// first those that keep their platform identity (`rename_key`), then those equal but for
/// their identity and naming fields.
fn renames(sides: &Sides, rename_key: Option<&str>) -> HashMap<usize, usize> {
    let mut pairs = HashMap::new();
    let mut used = HashSet::new();
    if let Some(rename_key) = rename_key {
        let added: HashMap<&str, usize> = sides
            .added()
            .filter_map(|j| Some((identity(&sides.b[j], rename_key)?, j)))
            .collect();
        for i in sides.removed() {
            let platform = identity(&sides.a[i], rename_key);
            if let Some(&j) = platform.and_then(|p| added.get(p)) {
                if used.insert(j) {
                    pairs.insert(i, j);
                }
            }
        }
    }
    let stripped = |item: &Value| -> Value {
        let mut item = item.clone();
        if let Value::Object(map) = &mut item {
            map.shift_remove(sides.key);
            for naming in NAMING_KEYS {
                map.shift_remove(naming);
            }
        }
        item
    };
    let added: Vec<(usize, Value)> = sides
        .added()
        .filter(|j| !used.contains(j))
        .map(|j| (j, stripped(&sides.b[j])))
        .collect();
    let unpaired: Vec<usize> = sides.removed().filter(|i| !pairs.contains_key(i)).collect();
    for i in unpaired {
        let before = stripped(&sides.a[i]);
        let mut matches = added
            .iter()
            .filter(|(j, after)| !used.contains(j) && *after == before);
        if let (Some((j, _)), None) = (matches.next(), matches.next()) {
            used.insert(*j);
            pairs.insert(i, *j);
        }
    }
    pairs
}

/// The identity field, from `keys` in order, shared by every element of both arrays and
/// unique within each.
pub(super) fn identity_key(
    keys: &[&'static str],
    a: &[Value],
    b: &[Value],
) -> Option<&'static str> {
    if a.is_empty() && b.is_empty() {
        return None;
    }
    keys.iter().copied().find(|key| {
        [a, b].iter().all(|items| {
            let mut seen = HashSet::new();
            items
                .iter()
                .all(|item| identity(item, key).is_some_and(|id| seen.insert(id)))
        })
    })
}

/// The identity of an item under `key`.
pub(super) fn identity<'v>(item: &'v Value, key: &str) -> Option<&'v str> {
    item.as_object()?.get(key)?.as_str()
}

/// Whether `b` holds the items of `a` in another order.
pub(super) fn reordered(a: &[Value], b: &[Value]) -> bool {
    let sorted = |items: &[Value]| {
        let mut texts: Vec<String> = items.iter().map(Value::to_string).collect();
        texts.sort();
        texts
    };
    sorted(a) == sorted(b)
}

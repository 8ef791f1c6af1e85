//! Structural diff of JSON documents. Objects are compared key by key; arrays whose elements
//! all carry a unique identity (`platform_id`, `id`, `value` or `locale`) are matched by that
//! identity, so an inserted step is one addition rather than a shifted list; other arrays are
//! compared as whole values. The change list is complete: [`apply`] turns the old document
//! into the new one.

use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};
use std::fmt;

/// Fields that identify the elements of an array, in order of preference. `platform_id`
/// comes first so that an n8n node keeps its identity when it is renamed.
const IDENTITY_KEYS: [&str; 4] = ["platform_id", "id", "value", "locale"];

/// One step of a [`Path`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(untagged)]
pub enum Segment {
    /// An object member.
    Key(String),
    /// The element of an identified array whose `key` field is `value`.
    Item {
        /// The identifying field (`id`).
        key: String,
        /// Its value (`send-welcome`).
        value: String,
    },
}

/// Where a change is inside a document (`steps[send-welcome].template`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Path(pub Vec<Segment>);

impl Path {
    fn child(&self, segment: Segment) -> Self {
        let mut segments = self.0.clone();
        segments.push(segment);
        Self(segments)
    }

    /// The object keys along the path, with identified items written as `[]`:
    /// `steps[].template`. Classification matches on this shape.
    pub fn shape(&self) -> String {
        let mut out = String::new();
        for segment in &self.0 {
            match segment {
                Segment::Key(key) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(key);
                }
                Segment::Item { .. } => out.push_str("[]"),
            }
        }
        out
    }

    /// The identities of the items along the path (`["send-welcome"]`).
    pub fn items(&self) -> impl Iterator<Item = &str> {
        self.0.iter().filter_map(|s| match s {
            Segment::Item { value, .. } => Some(value.as_str()),
            Segment::Key(_) => None,
        })
    }

    /// The last object key on the path.
    pub fn last_key(&self) -> Option<&str> {
        self.0.iter().rev().find_map(|s| match s {
            Segment::Key(key) => Some(key.as_str()),
            Segment::Item { .. } => None,
        })
    }

    /// Whether the path ends on an identified item (the change adds or removes it whole).
    pub fn ends_on_item(&self) -> bool {
        matches!(self.0.last(), Some(Segment::Item { .. }))
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(key) if i == 0 => f.write_str(key)?,
                Segment::Key(key) => write!(f, ".{key}")?,
                Segment::Item { value, .. } => write!(f, "[{value}]")?,
            }
        }
        Ok(())
    }
}

impl Serialize for Path {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// One difference between two documents.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Change {
    /// A value added (`old` is `None`), removed (`new` is `None`) or replaced.
    Set {
        /// Where.
        path: Path,
        /// Before.
        #[serde(skip_serializing_if = "Option::is_none")]
        old: Option<Value>,
        /// After.
        #[serde(skip_serializing_if = "Option::is_none")]
        new: Option<Value>,
    },
    /// The items of the identified array at `path` come in a new order.
    Order {
        /// Where.
        path: Path,
        /// Identities before.
        old: Vec<String>,
        /// Identities after.
        new: Vec<String>,
    },
}

impl Change {
    /// Where the change is.
    pub fn path(&self) -> &Path {
        match self {
            Self::Set { path, .. } | Self::Order { path, .. } => path,
        }
    }
}

/// Every difference from `old` to `new`, in document order.
pub fn diff(old: &Value, new: &Value) -> Vec<Change> {
    let mut changes = Vec::new();
    walk(&Path::default(), old, new, &mut changes);
    changes
}

fn walk(path: &Path, old: &Value, new: &Value, out: &mut Vec<Change>) {
    if old == new {
        return;
    }
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, before) in a {
                let here = path.child(Segment::Key(key.clone()));
                match b.get(key) {
                    Some(after) => walk(&here, before, after, out),
                    None => out.push(Change::Set {
                        path: here,
                        old: Some(before.clone()),
                        new: None,
                    }),
                }
            }
            for (key, after) in b {
                if !a.contains_key(key) {
                    out.push(Change::Set {
                        path: path.child(Segment::Key(key.clone())),
                        old: None,
                        new: Some(after.clone()),
                    });
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => match identity_key(a, b) {
            Some(key) => walk_items(path, key, a, b, out),
            None => out.push(Change::Set {
                path: path.clone(),
                old: Some(old.clone()),
                new: Some(new.clone()),
            }),
        },
        _ => out.push(Change::Set {
            path: path.clone(),
            old: Some(old.clone()),
            new: Some(new.clone()),
        }),
    }
}

fn walk_items(path: &Path, key: &str, a: &[Value], b: &[Value], out: &mut Vec<Change>) {
    let ids = |items: &[Value]| -> Vec<String> {
        items
            .iter()
            .filter_map(|item| identity(item, key).map(str::to_owned))
            .collect()
    };
    let (old_ids, new_ids) = (ids(a), ids(b));
    let new_index: HashMap<&str, usize> = new_ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let old_set: HashSet<&str> = old_ids.iter().map(String::as_str).collect();
    let item_path = |id: &str| {
        path.child(Segment::Item {
            key: key.to_owned(),
            value: id.to_owned(),
        })
    };
    let renames = renamed_items(key, &old_ids, a, &new_ids, b, &old_set, &new_index);
    let renamed_to: HashSet<&str> = renames.values().map(|&j| new_ids[j].as_str()).collect();
    for (id, before) in old_ids.iter().zip(a) {
        match (new_index.get(id.as_str()), renames.get(id.as_str())) {
            (Some(&j), _) => walk(&item_path(id), before, &b[j], out),
            // Same content under a new identity: replaced in place, so the item keeps its
            // position and the change reads as a rename.
            (None, Some(&j)) => out.push(Change::Set {
                path: item_path(id),
                old: Some(before.clone()),
                new: Some(b[j].clone()),
            }),
            (None, None) => out.push(Change::Set {
                path: item_path(id),
                old: Some(before.clone()),
                new: None,
            }),
        }
    }
    for (id, after) in new_ids.iter().zip(b) {
        if !old_set.contains(id.as_str()) && !renamed_to.contains(id.as_str()) {
            out.push(Change::Set {
                path: item_path(id),
                old: None,
                new: Some(after.clone()),
            });
        }
    }
    // Removals drop out and additions are appended; anything else is a reorder.
    let expected: Vec<&String> = old_ids
        .iter()
        .filter_map(|id| match renames.get(id.as_str()) {
            Some(&j) => Some(&new_ids[j]),
            None => new_index.contains_key(id.as_str()).then_some(id),
        })
        .chain(
            new_ids
                .iter()
                .filter(|id| !old_set.contains(id.as_str()) && !renamed_to.contains(id.as_str())),
        )
        .collect();
    if expected.iter().copied().ne(new_ids.iter()) {
        out.push(Change::Order {
            path: path.clone(),
            old: old_ids,
            new: new_ids,
        });
    }
}

/// Fields that only name an item; an item whose other fields are unchanged was renamed.
const NAMING_KEYS: [&str; 2] = ["label", "name"];

/// Removed items paired with added items that are equal but for their identity and naming
/// fields (index into `b`), one to one: renamed items, such as an n8n node renamed in an
/// export without node ids.
fn renamed_items<'a>(
    key: &str,
    old_ids: &'a [String],
    a: &[Value],
    new_ids: &[String],
    b: &[Value],
    old_set: &HashSet<&str>,
    new_index: &HashMap<&str, usize>,
) -> HashMap<&'a str, usize> {
    let stripped = |item: &Value| -> Value {
        let mut item = item.clone();
        if let Value::Object(map) = &mut item {
            map.shift_remove(key);
            for naming in NAMING_KEYS {
                map.shift_remove(naming);
            }
        }
        item
    };
    let added: Vec<(usize, Value)> = new_ids
        .iter()
        .enumerate()
        .filter(|(_, id)| !old_set.contains(id.as_str()))
        .map(|(j, _)| (j, stripped(&b[j])))
        .collect();
    let mut used = HashSet::new();
    let mut renames = HashMap::new();
    if added.is_empty() {
        return renames;
    }
    for (id, before) in old_ids.iter().zip(a) {
        if new_index.contains_key(id.as_str()) {
            continue;
        }
        let before = stripped(before);
        let matches: Vec<usize> = added
            .iter()
            .filter(|(j, after)| !used.contains(j) && *after == before)
            .map(|(j, _)| *j)
            .collect();
        if let [j] = matches[..] {
            used.insert(j);
            renames.insert(id.as_str(), j);
        }
    }
    renames
}

/// The identity field shared by every element of both arrays, unique within each.
fn identity_key(a: &[Value], b: &[Value]) -> Option<&'static str> {
    if a.is_empty() && b.is_empty() {
        return None;
    }
    IDENTITY_KEYS.into_iter().find(|key| {
        [a, b].iter().all(|items| {
            let mut seen = HashSet::new();
            items
                .iter()
                .all(|item| identity(item, key).is_some_and(|id| seen.insert(id)))
        })
    })
}

fn identity<'v>(item: &'v Value, key: &str) -> Option<&'v str> {
    item.as_object()?.get(key)?.as_str()
}

/// Why a change list does not apply to a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplyError {
    /// The change's path.
    pub path: String,
    /// What was not found.
    pub reason: &'static str,
}

impl fmt::Display for ApplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot apply a change at `{}`: {}",
            self.path, self.reason
        )
    }
}

impl std::error::Error for ApplyError {}

/// Apply `changes` (from [`diff`]) to `document`.
pub fn apply(document: &mut Value, changes: &[Change]) -> Result<(), ApplyError> {
    for change in changes {
        let error = |reason| ApplyError {
            path: change.path().to_string(),
            reason,
        };
        match change {
            Change::Set { path, new, .. } => {
                let Some((last, parent)) = path.0.split_last() else {
                    *document = new.clone().unwrap_or(Value::Null);
                    continue;
                };
                let parent = navigate(document, parent).ok_or(error("no such place"))?;
                set(parent, last, new.clone()).ok_or(error("the container has another type"))?;
            }
            Change::Order { path, new, .. } => {
                let target = navigate(document, &path.0).ok_or(error("no such place"))?;
                let Value::Array(items) = target else {
                    return Err(error("not an array"));
                };
                let rank: HashMap<&str, usize> = new
                    .iter()
                    .enumerate()
                    .map(|(i, id)| (id.as_str(), i))
                    .collect();
                let key = identity_key(items, &[]).ok_or(error("items without identity"))?;
                items.sort_by_key(|item| {
                    identity(item, key)
                        .and_then(|id| rank.get(id))
                        .copied()
                        .unwrap_or(usize::MAX)
                });
            }
        }
    }
    Ok(())
}

fn navigate<'v>(mut value: &'v mut Value, segments: &[Segment]) -> Option<&'v mut Value> {
    for segment in segments {
        value = match (segment, value) {
            (Segment::Key(key), Value::Object(map)) => map.get_mut(key)?,
            (Segment::Item { key, value: id }, Value::Array(items)) => items
                .iter_mut()
                .find(|item| identity(item, key) == Some(id.as_str()))?,
            _ => return None,
        };
    }
    Some(value)
}

fn set(parent: &mut Value, last: &Segment, new: Option<Value>) -> Option<()> {
    match (last, parent) {
        (Segment::Key(key), Value::Object(map)) => {
            match new {
                Some(value) => {
                    map.insert(key.clone(), value);
                }
                None => {
                    map.shift_remove(key);
                }
            }
            Some(())
        }
        (Segment::Item { key, value: id }, Value::Array(items)) => {
            let at = items
                .iter()
                .position(|item| identity(item, key) == Some(id.as_str()));
            match (at, new) {
                (Some(i), Some(value)) => items[i] = value,
                (Some(i), None) => {
                    items.remove(i);
                }
                (None, Some(value)) => items.push(value),
                (None, None) => return None,
            }
            Some(())
        }
        _ => None,
    }
}

/// A sorted copy of an object's keys, for stable output.
pub fn sorted_keys(map: &Map<String, Value>) -> Vec<&String> {
    let mut keys: Vec<_> = map.keys().collect();
    keys.sort();
    keys
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    fn roundtrip(old: Value, new: Value) -> Vec<Change> {
        let changes = diff(&old, &new);
        let mut patched = old.clone();
        apply(&mut patched, &changes).unwrap();
        assert_eq!(patched, new, "changes: {changes:#?}");
        changes
    }

    #[test]
    fn equal_documents_have_no_changes() {
        let doc = json!({"a": [1, 2], "steps": [{"id": "x"}]});
        assert!(diff(&doc, &doc).is_empty());
    }

    #[test]
    fn identified_items_are_matched_by_id() {
        let changes = roundtrip(
            json!({"steps": [{"id": "a", "n": 1}, {"id": "b", "n": 2}]}),
            json!({"steps": [{"id": "new", "n": 0}, {"id": "a", "n": 1}, {"id": "b", "n": 3}]}),
        );
        let paths: Vec<String> = changes.iter().map(|c| c.path().to_string()).collect();
        assert_eq!(paths, ["steps[b].n", "steps[new]", "steps"]);
        assert!(matches!(changes[2], Change::Order { .. }));
    }

    #[test]
    fn an_appended_item_needs_no_reorder() {
        let changes = roundtrip(
            json!({"steps": [{"id": "a"}]}),
            json!({"steps": [{"id": "a"}, {"id": "b"}]}),
        );
        assert_eq!(changes.len(), 1);
    }

    #[test]
    fn platform_id_wins_over_id_so_renames_are_field_changes() {
        let changes = roundtrip(
            json!({"elements": [{"platform_id": "1", "id": "HTTP Request"}]}),
            json!({"elements": [{"platform_id": "1", "id": "Call CRM"}]}),
        );
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].path().to_string(), "elements[1].id");
    }

    #[test]
    fn plain_arrays_are_replaced_whole_and_removals_apply() {
        roundtrip(
            json!({"tags": ["a", "b"], "gone": true, "x": {"y": 1}}),
            json!({"tags": ["b"], "x": {"y": 2, "z": null}}),
        );
    }
}

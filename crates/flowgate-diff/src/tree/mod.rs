//! Structural diff of JSON documents. Objects are compared key by key; arrays whose elements
//! all carry a unique identity (an [`Identity`] key such as `id`) are matched by that
//! identity, so an inserted step is one addition rather than a shifted list; other arrays are
//! compared as whole values. The change list is complete: [`apply`] turns the old document
//! into the new one.

mod apply;
mod items;

pub use apply::{apply, ApplyError};
use serde::Serialize;
use serde_json::{Map, Value};
use std::fmt;

/// Which fields identify the items of an array, for one kind of document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identity {
    /// Fields that identify an item, in order of preference; the first that every item of
    /// both arrays carries, uniquely, is used.
    pub keys: &'static [&'static str],
    /// A field that keeps an item's identity across renames (an n8n node's `platform_id`):
    /// a removed and an added item that share it are one renamed item.
    pub rename_key: Option<&'static str>,
    /// Whether arrays without identities but of one length are compared item by item (a
    /// platform's lists of conditions or messages), rather than replaced whole.
    pub positional: bool,
}

impl Identity {
    /// flowgate's own asset documents: steps by `id`, options by `value`, locales by `locale`.
    pub const NATIVE: Self = Self {
        keys: &["id", "value", "locale"],
        rename_key: None,
        positional: false,
    };

    /// Platform flows: elements by `id` (their name), nested platform items by their `name`
    /// (Salesforce `<name>`) or the field they set; renames told by `platform_id`.
    pub const FLOW: Self = Self {
        keys: &[
            "id",
            "name",
            "field",
            "assignToReference",
            "value",
            "locale",
        ],
        rename_key: Some("platform_id"),
        positional: true,
    };

    /// The identity rules of documents of `kind`.
    pub fn of_kind(kind: &str) -> Self {
        if kind == "Flow" {
            Self::FLOW
        } else {
            Self::NATIVE
        }
    }
}

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
    /// The item at an index of an array without identities, compared place by place
    /// (both sides have as many items).
    Index(usize),
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
                Segment::Item { .. } | Segment::Index(_) => out.push_str("[]"),
            }
        }
        out
    }

    /// The identities of the items along the path (`["send-welcome"]`).
    pub fn items(&self) -> impl Iterator<Item = &str> {
        self.0.iter().filter_map(|s| match s {
            Segment::Item { value, .. } => Some(value.as_str()),
            Segment::Key(_) | Segment::Index(_) => None,
        })
    }

    /// The last object key on the path.
    pub fn last_key(&self) -> Option<&str> {
        self.0.iter().rev().find_map(|s| match s {
            Segment::Key(key) => Some(key.as_str()),
            Segment::Item { .. } | Segment::Index(_) => None,
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
                Segment::Item { value, .. } => write!(f, "[{}]", OneLine(value))?,
                Segment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// An identity on one line: control characters (a line break in an n8n column id) written
/// as escapes, so a path never spans lines.
pub(crate) struct OneLine<'a>(pub(crate) &'a str);

impl fmt::Display for OneLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            if c.is_control() {
                write!(f, "{}", c.escape_default())?;
            } else {
                f.write_fmt(format_args!("{c}"))?;
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
        /// For an item added to an identified array: its index in the new array.
        #[serde(skip_serializing_if = "Option::is_none")]
        at: Option<usize>,
    },
    /// The items of the identified array at `path` come in a new order.
    Order {
        /// Where.
        path: Path,
        /// Identities before.
        old: Vec<String>,
        /// Identities after.
        new: Vec<String>,
        /// The field that identifies the items.
        #[serde(skip)]
        key: String,
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

/// Every difference from `old` to `new` (native asset documents), in document order.
pub fn diff(old: &Value, new: &Value) -> Vec<Change> {
    diff_with(old, new, &Identity::NATIVE)
}

/// Every difference from `old` to `new`, items identified by `identity`, in document order.
pub fn diff_with(old: &Value, new: &Value, identity: &Identity) -> Vec<Change> {
    let mut changes = Vec::new();
    walk(&Path::default(), old, new, identity, &mut changes);
    changes
}

fn walk(path: &Path, old: &Value, new: &Value, identity: &Identity, out: &mut Vec<Change>) {
    if old == new {
        return;
    }
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, before) in a {
                let here = path.child(Segment::Key(key.clone()));
                match b.get(key) {
                    Some(after) => walk(&here, before, after, identity, out),
                    None => out.push(Change::Set {
                        path: here,
                        old: Some(before.clone()),
                        new: None,
                        at: None,
                    }),
                }
            }
            for (key, after) in b {
                if !a.contains_key(key) {
                    out.push(Change::Set {
                        path: path.child(Segment::Key(key.clone())),
                        old: None,
                        new: Some(after.clone()),
                        at: None,
                    });
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => match items::identity_key(identity.keys, a, b) {
            Some(key) => items::walk_items(path, key, (a, b), identity, out),
            None if identity.positional && a.len() == b.len() && !items::reordered(a, b) => {
                for (index, (before, after)) in a.iter().zip(b).enumerate() {
                    walk(
                        &path.child(Segment::Index(index)),
                        before,
                        after,
                        identity,
                        out,
                    );
                }
            }
            None => out.push(Change::Set {
                path: path.clone(),
                old: Some(old.clone()),
                new: Some(new.clone()),
                at: None,
            }),
        },
        _ => out.push(Change::Set {
            path: path.clone(),
            old: Some(old.clone()),
            new: Some(new.clone()),
            at: None,
        }),
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
        roundtrip_with(old, new, &Identity::NATIVE)
    }

    fn roundtrip_with(old: Value, new: Value, identity: &Identity) -> Vec<Change> {
        let changes = diff_with(&old, &new, identity);
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
        assert_eq!(paths, ["steps[b].n", "steps[new]"]);
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
    fn a_kept_platform_id_makes_a_rename_an_identity_change() {
        let changes = roundtrip_with(
            json!({"elements": [{"platform_id": "1", "id": "HTTP Request", "n": 1}]}),
            json!({"elements": [{"platform_id": "1", "id": "Call CRM", "n": 2}]}),
            &Identity::FLOW,
        );
        let paths: Vec<String> = changes.iter().map(|c| c.path().to_string()).collect();
        assert_eq!(paths, ["elements[HTTP Request].id", "elements[Call CRM].n"]);
    }

    #[test]
    fn insertions_and_removals_alone_are_no_reorder() {
        let changes = roundtrip(
            json!({"steps": [{"id": "a"}, {"id": "c"}, {"id": "d"}]}),
            json!({"steps": [{"id": "b"}, {"id": "a"}, {"id": "x"}, {"id": "d"}]}),
        );
        assert!(
            changes.iter().all(|c| matches!(c, Change::Set { .. })),
            "{changes:#?}"
        );
        assert_eq!(changes.len(), 3);
    }

    #[test]
    fn kept_items_in_another_order_are_a_reorder() {
        let changes = roundtrip(
            json!({"steps": [{"id": "a"}, {"id": "b"}, {"id": "c"}]}),
            json!({"steps": [{"id": "c"}, {"id": "new"}, {"id": "a"}]}),
        );
        assert!(
            matches!(changes.last(), Some(Change::Order { .. })),
            "{changes:#?}"
        );
    }

    #[test]
    fn plain_arrays_are_replaced_whole_and_removals_apply() {
        roundtrip(
            json!({"tags": ["a", "b"], "gone": true, "x": {"y": 1}}),
            json!({"tags": ["b"], "x": {"y": 2, "z": null}}),
        );
    }
}

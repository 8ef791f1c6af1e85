//! Applying a change list back to the document it was computed from.

use super::items::identity;
use super::{Change, Segment};
use serde_json::Value;
use std::collections::HashMap;
use std::fmt;

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
            Change::Set { path, new, at, .. } => {
                let Some((last, parent)) = path.0.split_last() else {
                    *document = new.clone().unwrap_or(Value::Null);
                    continue;
                };
                let parent = navigate(document, parent).ok_or(error("no such place"))?;
                set(parent, last, new.clone(), *at)
                    .ok_or(error("the container has another type"))?;
            }
            Change::Order { path, new, key, .. } => {
                let target = navigate(document, &path.0).ok_or(error("no such place"))?;
                let Value::Array(items) = target else {
                    return Err(error("not an array"));
                };
                let rank: HashMap<&str, usize> = new
                    .iter()
                    .enumerate()
                    .map(|(i, id)| (id.as_str(), i))
                    .collect();
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
            (Segment::Index(index), Value::Array(items)) => items.get_mut(*index)?,
            (Segment::Item { key, value: id }, Value::Array(items)) => items
                .iter_mut()
                .find(|item| identity(item, key) == Some(id.as_str()))?,
            _ => return None,
        };
    }
    Some(value)
}

fn set(parent: &mut Value, last: &Segment, new: Option<Value>, at: Option<usize>) -> Option<()> {
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
        (Segment::Index(index), Value::Array(items)) => {
            *items.get_mut(*index)? = new?;
            Some(())
        }
        (Segment::Item { key, value: id }, Value::Array(items)) => {
            let found = items
                .iter()
                .position(|item| identity(item, key) == Some(id.as_str()));
            match (found, new) {
                (Some(i), Some(value)) => items[i] = value,
                (Some(i), None) => {
                    items.remove(i);
                }
                (None, Some(value)) => match at {
                    Some(index) if index <= items.len() => items.insert(index, value),
                    _ => items.push(value),
                },
                (None, None) => return None,
            }
            Some(())
        }
        _ => None,
    }
}

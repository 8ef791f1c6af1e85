//! From raw changes to a reviewer's summary: each change described in words and given its
//! semver impact by what it means for the kind of asset it is in.

use crate::semver::Bump;
use crate::status::Status;
use crate::tree::{Change, Path};
use crate::words::WordRun;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

mod bump;
mod common;
mod describe;
mod flow;

use common::Context;

use describe::{describe, path_text};

/// One reviewer-facing line of a diff.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Detail {
    /// Where in the asset (`steps[send-welcome].template`); empty for the whole asset.
    pub path: Path,
    /// Semver impact.
    pub bump: Bump,
    /// What changed, in words.
    pub text: String,
    /// For changed texts: the word-level diff.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub words: Option<Vec<WordRun>>,
    /// Whether it touches an external system (webhook, HTTP call, platform action).
    pub touchpoint: bool,
}

/// Describe and classify the changes of one asset.
pub fn classify(
    kind: &str,
    status: &Status,
    before: &Value,
    after: &Value,
    changes: &[Change],
) -> Vec<Detail> {
    let noun = noun(kind);
    let touchpoint = matches!(kind, "Webhook" | "Integration");
    match status {
        Status::Added => {
            return vec![Detail {
                path: Path::default(),
                bump: Bump::Minor,
                text: format!("new {noun}"),
                words: None,
                touchpoint,
            }];
        }
        Status::Removed => {
            return vec![Detail {
                path: Path::default(),
                bump: Bump::Major,
                text: format!("{noun} removed: whatever refers to it by id breaks"),
                words: None,
                touchpoint,
            }];
        }
        Status::Changed | Status::Renamed { .. } => {}
    }
    let context = Context {
        kind,
        before,
        after,
        renamed_elements: element_renames(changes),
    };
    let mut details = Vec::new();
    if let Status::Renamed { from } = status {
        details.push(renamed(&noun, from, before, after, touchpoint));
    }
    for change in changes {
        let path = change.path();
        if path.0.is_empty()
            || (matches!(status, Status::Renamed { .. }) && path.to_string() == "id")
            || flow::restates(kind, change, changes)
        {
            continue;
        }
        if let Change::Order { old, new, .. } = change {
            if !kept_items_moved(old, new) {
                // Only a renamed item moved (a platform sorting by name): no reorder to tell.
                continue;
            }
        }
        let shape = path.shape();
        let (bump, text, words) = match change {
            Change::Order { .. } => (
                Bump::Patch,
                format!("{} reordered (order in the file only)", path_text(path)),
                None,
            ),
            Change::Set { old, new, .. } => {
                let bump = bump::bump_of(&context, &shape, path, (old.as_ref(), new.as_ref()));
                let (text, words) = describe(path, old.as_ref(), new.as_ref());
                (bump, text, words)
            }
        };
        details.push(Detail {
            path: path.clone(),
            bump,
            text,
            words,
            touchpoint: touchpoint || touches_outside(kind, path, before, after),
        });
    }
    details
}

/// The detail of a renamed asset. A platform flow whose file was renamed while the platform
/// still knows it by the same id is the same workflow there: only the file moved.
fn renamed(noun: &str, from: &str, before: &Value, after: &Value, touchpoint: bool) -> Detail {
    let kept = crate::documents::platform_identity(before)
        .filter(|id| crate::documents::platform_identity(after) == Some(*id));
    let (bump, text) = match kept {
        Some(id) => (
            Bump::Patch,
            format!(
                "{noun} file renamed from `{from}`; the platform's workflow id `{id}` is unchanged"
            ),
        ),
        None => (
            Bump::Major,
            format!("{noun} renamed from `{from}`: references by the old id must change"),
        ),
    };
    Detail {
        path: Path::default(),
        bump,
        text,
        words: None,
        touchpoint,
    }
}

/// The word used for an asset kind in messages.
fn noun(kind: &str) -> String {
    match kind {
        "ScoringRule" => "scoring rule".to_owned(),
        other => other.to_lowercase(),
    }
}

/// Flow elements renamed in this change: old name → new name (`elements[].id`).
fn element_renames(changes: &[Change]) -> BTreeMap<String, String> {
    changes
        .iter()
        .filter_map(|change| match change {
            Change::Set {
                path,
                old: Some(Value::String(old)),
                new: Some(Value::String(new)),
                ..
            } if path.shape() == "elements[].id" => Some((old.clone(), new.clone())),
            _ => None,
        })
        .collect()
}

/// Whether the changed place talks to an outside system: a webhook step or a platform
/// action, call or subflow.
fn touches_outside(kind: &str, path: &Path, before: &Value, after: &Value) -> bool {
    let Some(item) = path.items().next() else {
        return false;
    };
    let (array, field) = match kind {
        "Workflow" => ("steps", "type"),
        "Flow" => ("elements", "kind"),
        _ => return false,
    };
    [before, after].iter().any(|document| {
        document
            .get(array)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|element| {
                element.get("platform_id").and_then(Value::as_str) == Some(item)
                    || element.get("id").and_then(Value::as_str) == Some(item)
            })
            .filter_map(|element| element.get(field).and_then(Value::as_str))
            .any(|ty| {
                matches!(ty, "webhook" | "http_request" | "action" | "subflow")
                    || ty.contains("webhook")
            })
    })
}

/// Whether items present on both sides of a reorder change their relative order.
fn kept_items_moved(old: &[String], new: &[String]) -> bool {
    let rank: std::collections::HashMap<&str, usize> = new
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let kept: Vec<usize> = old
        .iter()
        .filter_map(|id| rank.get(id.as_str()).copied())
        .collect();
    kept.windows(2).any(|pair| pair[0] > pair[1])
}

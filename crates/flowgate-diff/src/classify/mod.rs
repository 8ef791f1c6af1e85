//! From raw changes to a reviewer's summary: each change described in words and given its
//! semver impact by what it means for the kind of asset it is in.

use crate::assets::Status;
use crate::semver::Bump;
use crate::tree::{Change, Path};
use crate::words::{word_diff, WordRun};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

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

/// Keys whose string values are prose: shown as word diffs, and cosmetic unless the
/// kind's table says otherwise.
const PROSE: &[&str] = &[
    "subject",
    "preheader",
    "body",
    "description",
    "purpose",
    "label",
    "name",
];

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
    let renamed_elements = element_renames(changes);
    let mut details = Vec::new();
    if let Status::Renamed { from } = status {
        details.push(Detail {
            path: Path::default(),
            bump: Bump::Major,
            text: format!("{noun} renamed from `{from}`: references by the old id must change"),
            words: None,
            touchpoint,
        });
    }
    for change in changes {
        let path = change.path();
        if path.0.is_empty()
            || (matches!(status, Status::Renamed { .. }) && path.to_string() == "id")
        {
            continue;
        }
        let shape = path.shape();
        let (bump, text, words) = match change {
            Change::Order { .. } => (
                Bump::Patch,
                format!("{} reordered (order in the file only)", path_text(path)),
                None,
            ),
            Change::Set { old, new, .. } => {
                let bump = bump_of(
                    kind,
                    &shape,
                    old.as_ref(),
                    new.as_ref(),
                    path,
                    &renamed_elements,
                );
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

/// The word used for an asset kind in messages.
fn noun(kind: &str) -> String {
    match kind {
        "ScoringRule" => "scoring rule".to_owned(),
        other => other.to_lowercase(),
    }
}

/// Flow elements renamed in this change: old name → new name. An element keeps its
/// platform id while its name changes (`elements[].id`), or, without platform ids, is
/// replaced in place by an equal element under a new name (`elements[]`).
fn element_renames(changes: &[Change]) -> BTreeMap<String, String> {
    changes
        .iter()
        .filter_map(|change| match change {
            Change::Set {
                path,
                old: Some(Value::String(old)),
                new: Some(Value::String(new)),
            } if path.shape() == "elements[].id" => Some((old.clone(), new.clone())),
            Change::Set {
                path,
                old: Some(old),
                new: Some(new),
            } if path.shape() == "elements[]" => Some((
                old.get("id")?.as_str()?.to_owned(),
                new.get("id")?.as_str()?.to_owned(),
            )),
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

fn bump_of(
    kind: &str,
    shape: &str,
    old: Option<&Value>,
    new: Option<&Value>,
    path: &Path,
    renamed_elements: &BTreeMap<String, String>,
) -> Bump {
    let added = old.is_none();
    let removed = new.is_none();
    let item = path.ends_on_item();
    let shrinks = || removes_items(old, new);
    if matches!(shape, "name" | "description" | "owner") || shape.starts_with("labels") {
        return Bump::Patch;
    }
    match kind {
        "Workflow" => match shape {
            "triggers" | "start" | "enrollment" | "enrollment.filter" => Bump::Major,
            "enrollment.reenroll" => Bump::Minor,
            "settings.suppression" if removed || shrinks() => Bump::Major,
            s if s.starts_with("settings.consent") && !added => Bump::Major,
            s if (s == "settings.quiet_hours" || s == "settings.frequency_cap") && removed => {
                Bump::Major
            }
            "steps[]" if item && removed => Bump::Major,
            "steps[]" if item => Bump::Minor,
            "steps[].type" | "steps[].next" | "steps[].default" | "steps[].on_error"
            | "steps[].condition" => Bump::Major,
            s if s.starts_with("steps[].branches") || s.starts_with("steps[].paths") => {
                if removed || shrinks() || !added {
                    Bump::Major
                } else {
                    Bump::Minor
                }
            }
            _ => Bump::Minor,
        },
        "Template" => match shape {
            "channel" | "category" => Bump::Major,
            s if s.starts_with("locales.") && s.matches('.').count() == 1 => {
                if removed {
                    Bump::Major
                } else {
                    Bump::Minor
                }
            }
            s if PROSE.contains(&last_key(s)) => Bump::Patch,
            _ => Bump::Minor,
        },
        "Field" => match shape {
            "type" | "object" => Bump::Major,
            "options[]" if item && removed => Bump::Major,
            "options[]" if item => Bump::Minor,
            "options" if shrinks() || removed => Bump::Major,
            s if s.starts_with("options[].") && PROSE.contains(&last_key(s)) => Bump::Patch,
            _ => Bump::Minor,
        },
        "List" => match shape {
            "filter" | "type" => Bump::Major,
            _ => Bump::Minor,
        },
        "Consent" => match shape {
            "purpose" => Bump::Patch,
            _ => Bump::Major,
        },
        "Webhook" => match shape {
            "endpoint" | "method" => Bump::Major,
            s if s.starts_with("auth") => Bump::Major,
            s if s.starts_with("retries") && removed => Bump::Major,
            _ => Bump::Minor,
        },
        // A flow's contract is where it reads and writes, how, and the data it carries;
        // its paperwork (volumes, observability, validation steps) changes nothing it does.
        "Integration" => match shape {
            "source" | "target" | "direction" | "hook" => Bump::Major,
            s if s.starts_with("trigger") => Bump::Major,
            "entities[]" if item && removed => Bump::Major,
            "entities" if shrinks() || removed => Bump::Major,
            "entities[].entity" | "entities[].source_of_truth" | "entities[].conflict_rule" => {
                Bump::Major
            }
            "entities[].fields[]" if item && removed => Bump::Major,
            "entities[].fields" if shrinks() || removed => Bump::Major,
            s if s.starts_with("entities[].fields[].") => Bump::Major,
            "safe_zone" | "lifecycle" | "criticality" | "customization" => Bump::Minor,
            s if s.starts_with("volume")
                || s.starts_with("observability")
                || s.starts_with("validation")
                || s.starts_with("platform")
                || s == "escalation" =>
            {
                Bump::Patch
            }
            _ => Bump::Minor,
        },
        "System" => match shape {
            "category" => Bump::Major,
            "version" | "product" => Bump::Minor,
            _ => Bump::Patch,
        },
        "Form" => match shape {
            "dedupe_key" => Bump::Major,
            "fields" | "hidden" if shrinks() || removed => Bump::Major,
            s if s.starts_with("consent") && removed => Bump::Major,
            _ => Bump::Minor,
        },
        "Reconciliation" => match shape {
            // What is compared with what: a different proof.
            s if s.starts_with("left") || s.starts_with("right") || s.starts_with("key") => {
                Bump::Major
            }
            // Dropping a column or aggregate, or loosening a tolerance, proves less.
            "columns[]" | "aggregates[]" if item && removed => Bump::Major,
            "columns" | "aggregates" if shrinks() || removed => Bump::Major,
            s if s.ends_with(".tolerance") || s.ends_with(".scale") => Bump::Major,
            s if s.starts_with("columns[].") || s.starts_with("aggregates[].") => Bump::Major,
            _ => Bump::Minor,
        },
        "Bundle" => match shape {
            "members" if shrinks() || removed => Bump::Major,
            "release_prefix" => Bump::Patch,
            _ => Bump::Minor,
        },
        "Flow" => match shape {
            "entries" if follows_renames(old, new, renamed_elements) => Bump::Patch,
            s if s.starts_with("trigger") => Bump::Major,
            "active" | "entries" | "dialect" => Bump::Major,
            "label" => Bump::Patch,
            "elements[]" if item && removed => Bump::Major,
            "elements[]" if item && added => Bump::Minor,
            "elements[]" => Bump::Patch,
            "elements[].id" | "elements[].label" => Bump::Patch,
            "elements[].kind" | "elements[].platform_type" => Bump::Major,
            "elements[].connections" => {
                if follows_renames(old, new, renamed_elements) {
                    Bump::Patch
                } else if shrinks() {
                    Bump::Major
                } else {
                    // Only new paths (an added fault connector, a new outcome).
                    Bump::Minor
                }
            }
            "elements[].disabled" => {
                if new == Some(&Value::Bool(true)) {
                    Bump::Major
                } else {
                    Bump::Minor
                }
            }
            "elements[].error_handling" => {
                if new.and_then(Value::as_str) == Some("stop") {
                    Bump::Major
                } else {
                    Bump::Minor
                }
            }
            "variables[]" if item && removed => Bump::Major,
            _ => Bump::Minor,
        },
        "Tag" => Bump::Patch,
        _ => Bump::Minor,
    }
}

fn last_key(shape: &str) -> &str {
    shape.rsplit('.').next().unwrap_or(shape)
}

/// Whether a replaced array lost any of its elements.
fn removes_items(old: Option<&Value>, new: Option<&Value>) -> bool {
    match (old, new) {
        (Some(Value::Array(a)), Some(Value::Array(b))) => a.iter().any(|item| !b.contains(item)),
        (Some(_), None) => true,
        _ => false,
    }
}

/// Whether `new` is `old` with renamed elements' names replaced: the change follows a
/// rename (connection targets, entry lists) and is not a rewiring.
fn follows_renames(
    old: Option<&Value>,
    new: Option<&Value>,
    renamed: &BTreeMap<String, String>,
) -> bool {
    let (Some(old), Some(new)) = (old, new) else {
        return false;
    };
    if renamed.is_empty() {
        return false;
    }
    let mut old = old.clone();
    rename_strings(&mut old, renamed);
    &old == new
}

fn rename_strings(value: &mut Value, renamed: &BTreeMap<String, String>) {
    match value {
        Value::String(text) => {
            if let Some(to) = renamed.get(text.as_str()) {
                *text = to.clone();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rename_strings(v, renamed)),
        Value::Object(map) => map.values_mut().for_each(|v| rename_strings(v, renamed)),
        _ => {}
    }
}

/// The change in words, and a word diff for prose.
fn describe(
    path: &Path,
    old: Option<&Value>,
    new: Option<&Value>,
) -> (String, Option<Vec<WordRun>>) {
    let place = path_text(path);
    if path.ends_on_item() {
        let item = path.items().last().unwrap_or_default();
        let value = new.or(old);
        let label = value
            .and_then(|v| v.get("id").or_else(|| v.get("value")))
            .and_then(Value::as_str)
            .unwrap_or(item);
        let of_type = value
            .and_then(|v| v.get("type").or_else(|| v.get("platform_type")))
            .and_then(Value::as_str)
            .map(|t| format!(" ({t})"))
            .unwrap_or_default();
        let noun = item_noun(path);
        let verb = if old.is_none() { "added" } else { "removed" };
        if let (Some(before), Some(_)) = (old, new) {
            let was = before
                .get("id")
                .or_else(|| before.get("value"))
                .and_then(Value::as_str)
                .unwrap_or(item);
            return (format!("{noun} `{was}` renamed to `{label}`"), None);
        }
        return (format!("{noun} `{label}`{of_type} {verb}"), None);
    }
    match (old, new) {
        (None, Some(value)) => (format!("{place} set to {}", show(value)), None),
        (Some(value), None) => (format!("{place} removed (was {})", show(value)), None),
        (Some(Value::String(a)), Some(Value::String(b)))
            if PROSE.contains(&path.last_key().unwrap_or_default()) || a.contains(' ') =>
        {
            (format!("{place} changed"), Some(word_diff(a, b)))
        }
        (Some(Value::Array(a)), Some(Value::Array(b))) => {
            let gone: Vec<String> = a.iter().filter(|v| !b.contains(v)).map(show).collect();
            let came: Vec<String> = b.iter().filter(|v| !a.contains(v)).map(show).collect();
            let mut parts = Vec::new();
            if !came.is_empty() {
                parts.push(format!("added {}", came.join(", ")));
            }
            if !gone.is_empty() {
                parts.push(format!("removed {}", gone.join(", ")));
            }
            if parts.is_empty() {
                parts.push("reordered".to_owned());
            }
            (format!("{place}: {}", parts.join("; ")), None)
        }
        (Some(a), Some(b)) => (format!("{place}: {} → {}", show(a), show(b)), None),
        (None, None) => (place, None),
    }
}

/// The singular noun for the items of the array a path ends in.
fn item_noun(path: &Path) -> &str {
    match path.last_key() {
        Some("steps") => "step",
        Some("elements") => "element",
        Some("options") => "option",
        Some("variables") => "variable",
        Some("connections") => "connection",
        Some("variants") => "variant",
        _ => "item",
    }
}

/// A path for people: `step send-welcome: template`.
fn path_text(path: &Path) -> String {
    let text = path.to_string();
    if text.is_empty() {
        "the asset".to_owned()
    } else {
        format!("`{text}`")
    }
}

/// A short rendering of a value.
pub fn show(value: &Value) -> String {
    const MAX: usize = 80;
    let text = match value {
        Value::String(s) => format!("`{s}`"),
        other => format!("`{other}`"),
    };
    if text.chars().count() > MAX {
        let cut: String = text.chars().take(MAX - 2).collect();
        format!("{cut}…`")
    } else {
        text
    }
}

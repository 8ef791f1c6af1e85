//! What a change to a platform flow means for those who run or call it.

use super::common::{follows_renames, last_key, removes_items, Context, PROSE};
use crate::semver::Bump;
use crate::tree::{Change, Path};
use serde_json::Value;

/// Flow fields that decide whether, how and as whom the flow runs.
const RUNTIME_PROPERTIES: &[&str] = &["status", "processType", "runInMode", "active"];
/// Flow fields that only name or describe it.
const PROSE_PROPERTIES: &[&str] = &["interviewLabel", "description", "tags"];
/// Element settings that only document it.
const NOTES: &[&str] = &["notes", "notesInFlow"];
/// n8n node settings that say what happens when it fails.
const ERROR_SETTINGS: &[&str] = &["onError", "continueOnFail", "retryOnFail"];
/// Variable attributes that callers depend on when it is an input or output.
const INTERFACE_ATTRIBUTES: &[&str] = &["dataType", "objectType", "isCollection", "name"];

/// The impact of a change to a flow at `path`.
pub(super) fn bump(
    context: &Context,
    shape: &str,
    path: &Path,
    (old, new): (Option<&Value>, Option<&Value>),
) -> Bump {
    let (added, removed, item) = (old.is_none(), new.is_none(), path.ends_on_item());
    match shape {
        "entries" if follows_renames(old, new, &context.renamed_elements) => Bump::Patch,
        s if s.starts_with("trigger") => Bump::Major,
        "active" | "entries" | "dialect" => Bump::Major,
        s if s.starts_with("properties.") => property(s),
        "elements[]" if item && removed => Bump::Major,
        "elements[]" if item && added => Bump::Minor,
        "elements[]" => Bump::Patch,
        "elements[].id" | "elements[].label" | "elements[].platform_id" => Bump::Patch,
        "elements[].kind" | "elements[].platform_type" => Bump::Major,
        "elements[].connections" => connections(context, old, new),
        // One wire's target or kind changed in place: a rewiring, unless it follows a rename.
        s if s.starts_with("elements[].connections[]") => {
            if follows_renames(old, new, &context.renamed_elements) {
                Bump::Patch
            } else {
                Bump::Major
            }
        }
        "elements[].disabled" => switched(new == Some(&Value::Bool(true))),
        "elements[].error_handling" => switched(new.and_then(Value::as_str) == Some("stop")),
        s if s.starts_with("elements[].settings") => setting(context, s, path, new),
        "variables[]" if item && removed => Bump::Major,
        s if s.starts_with("variables[].") => variable(context, s, path, (old, new)),
        _ => Bump::Minor,
    }
}

/// Major when a change takes something away (`true`), else minor.
fn switched(takes_away: bool) -> Bump {
    if takes_away {
        Bump::Major
    } else {
        Bump::Minor
    }
}

fn property(shape: &str) -> Bump {
    let field = shape
        .trim_start_matches("properties.")
        .split(['.', '['])
        .next()
        .unwrap_or_default();
    if RUNTIME_PROPERTIES.contains(&field) {
        Bump::Major
    } else if PROSE_PROPERTIES.contains(&field) {
        Bump::Patch
    } else {
        Bump::Minor
    }
}

fn connections(context: &Context, old: Option<&Value>, new: Option<&Value>) -> Bump {
    if follows_renames(old, new, &context.renamed_elements) {
        Bump::Patch
    } else if removes_items(old, new) {
        Bump::Major
    } else {
        // Only new paths (an added fault connector, a new outcome).
        Bump::Minor
    }
}

/// A change inside an element's settings: a trigger's settings decide who enters the flow
/// and when (a record-triggered flow's entry criteria, a schedule, a webhook path).
fn setting(context: &Context, shape: &str, path: &Path, new: Option<&Value>) -> Bump {
    let field = last_key(shape);
    if PROSE.contains(&field) || NOTES.contains(&field) {
        return Bump::Patch;
    }
    let element = path.items().next().unwrap_or_default();
    if element_kind(context, element) == Some("trigger") {
        return Bump::Major;
    }
    if ERROR_SETTINGS.contains(&field) {
        let stops = matches!(new, None | Some(Value::Bool(false)))
            || new.and_then(Value::as_str) == Some("stopWorkflow");
        return switched(stops);
    }
    Bump::Minor
}

/// A change to a variable, formula, constant, template or choice.
fn variable(
    context: &Context,
    shape: &str,
    path: &Path,
    (old, new): (Option<&Value>, Option<&Value>),
) -> Bump {
    let field = last_key(shape);
    let name = path.items().next().unwrap_or_default();
    let interface = is_interface(context.before, name) || is_interface(context.after, name);
    let was_true = old.and_then(Value::as_str) == Some("true");
    match field {
        "description" => Bump::Patch,
        "isInput" | "isOutput" => switched(was_true && new.and_then(Value::as_str) != Some("true")),
        f if INTERFACE_ATTRIBUTES.contains(&f) && interface => Bump::Major,
        "name" => Bump::Patch,
        _ => Bump::Minor,
    }
}

/// Whether a flow's variable `name` is an input or an output: callers see it.
fn is_interface(document: &Value, name: &str) -> bool {
    find(document, "variables", "name", name).is_some_and(|variable| {
        ["isInput", "isOutput"]
            .iter()
            .any(|flag| variable.get(*flag).and_then(Value::as_str) == Some("true"))
    })
}

/// The `kind` of element `id` in either document.
fn element_kind<'a>(context: &'a Context, id: &str) -> Option<&'a str> {
    [context.before, context.after]
        .into_iter()
        .find_map(|document| find(document, "elements", "id", id)?.get("kind")?.as_str())
}

fn find<'a>(document: &'a Value, array: &str, key: &str, id: &str) -> Option<&'a Value> {
    document
        .get(array)?
        .as_array()?
        .iter()
        .find(|item| item.get(key).and_then(Value::as_str) == Some(id))
}

/// Whether `change` only restates another change of the list: an element's `kind` follows
/// from its platform type, so a changed type is reported once.
pub(super) fn restates(kind: &str, change: &Change, changes: &[Change]) -> bool {
    let path = change.path();
    if kind != "Flow" || path.shape() != "elements[].kind" {
        return false;
    }
    let element: Vec<&str> = path.items().collect();
    changes.iter().any(|other| {
        other.path().shape() == "elements[].platform_type"
            && other.path().items().collect::<Vec<_>>() == element
    })
}

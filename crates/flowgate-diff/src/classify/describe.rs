//! A change in words. Values are never cut where they differ: short values print whole,
//! long texts as a word diff around the changed words, structured values by the keys that
//! changed, and lists by the items added and removed (duplicates counted).

use super::common::PROSE;
use crate::tree::{OneLine, Path, Segment};
use crate::words::{render_inline, word_diff, WordRun};
use serde_json::Value;

/// Longest value printed whole on one side of `→`; longer texts become word diffs.
const SHORT: usize = 60;
/// Longest value printed whole where only one side exists (`set to …`, `removed (was …)`).
const ONE_SIDED: usize = 160;

/// The change at `path` in words, with a word diff for texts.
pub(super) fn describe(
    path: &Path,
    old: Option<&Value>,
    new: Option<&Value>,
) -> (String, Option<Vec<WordRun>>) {
    let place = path_text(path);
    if path.ends_on_item() {
        return (item_change(path, old, new), None);
    }
    if let (Some(Value::String(from)), Some(Value::String(to)), true) =
        (old, new, renames_item(path))
    {
        let noun = item_noun_before_last(path);
        let parent = Path(path.0[..path.0.len() - 2].to_vec());
        let text = format!("{noun} `{}` renamed to `{}`", OneLine(from), OneLine(to));
        return (within(&parent, text), None);
    }
    match (old, new) {
        (None, Some(value)) => (format!("{place} set to {}", show(value, ONE_SIDED)), None),
        (Some(value), None) => (
            format!("{place} removed (was {})", show(value, ONE_SIDED)),
            None,
        ),
        (Some(Value::String(a)), Some(Value::String(b))) => texts(&place, path, a, b),
        (Some(a @ Value::Array(_)), Some(b)) | (Some(a), Some(b @ Value::Array(_))) => (
            format!("{place}: {}", list_change(&as_list(a), &as_list(b))),
            None,
        ),
        (Some(Value::Object(_)), Some(Value::Object(_))) => {
            (format!("{place}: {}", fields_change(old, new)), None)
        }
        (Some(a), Some(b)) => (
            format!("{place}: {} → {}", show(a, usize::MAX), show(b, usize::MAX)),
            None,
        ),
        (None, None) => (place, None),
    }
}

/// A changed text: `a → b` when both are short words, else a word diff.
fn texts(place: &str, path: &Path, a: &str, b: &str) -> (String, Option<Vec<WordRun>>) {
    let prose = PROSE.contains(&path.last_key().unwrap_or_default());
    let short = |t: &str| t.chars().count() <= SHORT && !t.contains(char::is_whitespace);
    if !prose && short(a) && short(b) {
        (format!("{place}: `{a}` → `{b}`"), None)
    } else {
        (format!("{place} changed"), Some(word_diff(a, b)))
    }
}

/// Whether the change renames an identified item: its identity field changed.
fn renames_item(path: &Path) -> bool {
    match path.0.as_slice() {
        [.., Segment::Item { key, .. }, Segment::Key(field)] => key == field,
        _ => false,
    }
}

/// An item added, removed or replaced whole.
fn item_change(path: &Path, old: Option<&Value>, new: Option<&Value>) -> String {
    let item = path.items().last().unwrap_or_default();
    let value = new.or(old);
    let of_type = value
        .and_then(|v| v.get("type").or_else(|| v.get("platform_type")))
        .and_then(Value::as_str)
        .map(|t| format!(" ({t})"))
        .unwrap_or_default();
    let noun = item_noun(path.last_key());
    let item = OneLine(item);
    let text = match (old, new) {
        (None, _) => format!("{noun} `{item}`{of_type} added"),
        (_, None) => format!("{noun} `{item}`{of_type} removed"),
        (Some(_), Some(_)) => format!("{noun} `{item}`: {}", fields_change(old, new)),
    };
    within(&Path(path.0[..path.0.len() - 1].to_vec()), text)
}

/// `text` about an item of the array at `array`: top-level arrays (`steps`, `elements`)
/// need no place, nested ones are named (`` `elements[a].settings.rules`: item … ``).
fn within(array: &Path, text: String) -> String {
    if array.0.len() <= 1 {
        text
    } else {
        format!("{}: {text}", path_text(array))
    }
}

/// The singular noun for the items of the array named `key`.
fn item_noun(key: Option<&str>) -> &'static str {
    match key {
        Some("steps") => "step",
        Some("elements") => "element",
        Some("options") => "option",
        Some("variables") => "variable",
        Some("connections") => "connection",
        Some("variants") => "variant",
        _ => "item",
    }
}

/// The noun for the item whose field is the last segment of `path`.
fn item_noun_before_last(path: &Path) -> &'static str {
    let parent = Path(path.0[..path.0.len().saturating_sub(1)].to_vec());
    item_noun(parent.last_key())
}

/// A value as a list: arrays as they are, anything else as its one item.
fn as_list(value: &Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    }
}

/// Items added and removed between two lists, each counted (a duplicate added is an item
/// added); "reordered" only when the same items come in another order.
fn list_change(a: &[Value], b: &[Value]) -> String {
    let keys = |items: &[Value]| items.iter().map(Value::to_string).collect::<Vec<_>>();
    let (old, new) = (keys(a), keys(b));
    let ops = similar::capture_diff_slices(similar::Algorithm::Myers, &old, &new);
    let mut parts = Vec::new();
    for op in ops {
        match op {
            similar::DiffOp::Equal { .. } => {}
            similar::DiffOp::Delete {
                old_index, old_len, ..
            } => {
                parts.push(listed("removed", &a[old_index..old_index + old_len]));
            }
            similar::DiffOp::Insert {
                new_index, new_len, ..
            } => {
                parts.push(listed("added", &b[new_index..new_index + new_len]));
            }
            similar::DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                parts.extend(replaced(
                    &a[old_index..old_index + old_len],
                    &b[new_index..new_index + new_len],
                ));
            }
        }
    }
    let mut sorted = (old.clone(), new.clone());
    sorted.0.sort();
    sorted.1.sort();
    if sorted.0 == sorted.1 {
        return "reordered".to_owned();
    }
    parts.join("; ")
}

/// Items replaced one for one: objects by the fields that changed, the rest listed.
fn replaced(gone: &[Value], came: &[Value]) -> Vec<String> {
    if gone.len() == came.len() && gone.iter().chain(came).all(Value::is_object) {
        return gone
            .iter()
            .zip(came)
            .map(|(a, b)| format!("item changed: {}", fields_change(Some(a), Some(b))))
            .collect();
    }
    vec![listed("removed", gone), listed("added", came)]
}

fn listed(verb: &str, items: &[Value]) -> String {
    let shown: Vec<String> = items.iter().map(|v| show(v, usize::MAX)).collect();
    format!("{verb} {}", shown.join(", "))
}

/// The leaves that differ between two values, `key.sub: a → b`, in document order.
fn fields_change(old: Option<&Value>, new: Option<&Value>) -> String {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    leaves("", old.unwrap_or(&Value::Null), &mut a);
    leaves("", new.unwrap_or(&Value::Null), &mut b);
    let mut parts = Vec::new();
    for (key, before) in &a {
        match b.iter().find(|(k, _)| k == key) {
            Some((_, after)) if after == before => {}
            Some((_, after)) => parts.push(format!("{key}: {}", pair(before, after))),
            None => parts.push(format!("{key} removed (was {})", show(before, usize::MAX))),
        }
    }
    for (key, after) in &b {
        if !a.iter().any(|(k, _)| k == key) {
            parts.push(format!("{key} set to {}", show(after, usize::MAX)));
        }
    }
    parts.join(", ")
}

/// Two values of one place: `a → b`, or a word diff of two long texts.
fn pair(before: &Value, after: &Value) -> String {
    match (before, after) {
        (Value::String(a), Value::String(b))
            if a.chars().count() > SHORT || b.chars().count() > SHORT || a.contains('\n') =>
        {
            render_inline(&word_diff(a, b), ("[-", "-]"), ("{+", "+}"))
        }
        _ => format!("{} → {}", show(before, usize::MAX), show(after, usize::MAX)),
    }
}

/// `(dotted path, scalar)` pairs of a value; arrays index their items (`fields.0.name`).
fn leaves(prefix: &str, value: &Value, out: &mut Vec<(String, Value)>) {
    let join = |key: &str| {
        if prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{prefix}.{key}")
        }
    };
    match value {
        Value::Object(map) => map.iter().for_each(|(k, v)| leaves(&join(k), v, out)),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .for_each(|(i, v)| leaves(&join(&i.to_string()), v, out)),
        scalar => out.push((
            if prefix.is_empty() {
                "value".to_owned()
            } else {
                prefix.to_owned()
            },
            scalar.clone(),
        )),
    }
}

/// A path for people: `` `steps[send-welcome].template` ``.
pub(super) fn path_text(path: &Path) -> String {
    let text = path.to_string();
    if text.is_empty() {
        "the asset".to_owned()
    } else {
        format!("`{text}`")
    }
}

/// A value in backticks, cut to `max` characters (only where nothing is compared with it).
pub fn show(value: &Value, max: usize) -> String {
    let text = match value {
        Value::String(s) => format!("`{}`", s.replace('\n', "⏎")),
        other => format!("`{other}`"),
    };
    if text.chars().count() > max {
        let cut: String = text.chars().take(max.saturating_sub(2)).collect();
        format!("{cut}…`")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_duplicate_added_is_an_addition_not_a_reorder() {
        let text = list_change(&[json!("a")], &[json!("a"), json!("a")]);
        assert_eq!(text, "added `a`");
        assert_eq!(
            list_change(&[json!("a"), json!("b")], &[json!("b"), json!("a")]),
            "reordered"
        );
    }

    #[test]
    fn long_values_are_never_cut_where_they_differ() {
        let base = "x".repeat(120);
        let (old, new) = (
            json!({"v": format!("{base} one")}),
            json!({"v": format!("{base} two")}),
        );
        let text = fields_change(Some(&old), Some(&new));
        assert!(text.contains("[-one-]{+two+}"), "{text}");
    }
}

//! Paths, webhooks and operations removed, added, deprecated.

use super::{Differ, Place};
use crate::model::{Operation, PathItem};

/// Compare the path items of both sides.
pub(super) fn paths(d: &mut Differ<'_>) {
    let (old, new) = (d.old, d.new);
    for (key, old_item) in &old.paths {
        match new.paths.get(key) {
            None => path_removed(d, old_item),
            Some(new_item) => path_kept(d, old_item, new_item),
        }
    }
    for (key, new_item) in &new.paths {
        if old.paths.contains_key(key) {
            continue;
        }
        for op in new_item.operations.values() {
            let place = Place {
                old: Some(old.paths_span),
                new: Some(op.key_span),
            };
            let message = format!("{} {} was added", op.method.to_ascii_uppercase(), op.path);
            d.emit("endpoint-added", Some(op), message, place);
        }
    }
}

/// Compare the webhooks (OpenAPI 3.1) of both sides: each removed or added as a whole, the
/// operations of those on both sides like a path's.
pub(super) fn webhooks(d: &mut Differ<'_>) {
    let (old, new) = (d.old, d.new);
    let anchor = |api: &crate::model::Api<'_>| api.webhooks_span.unwrap_or(api.paths_span);
    for (name, old_item) in &old.webhooks {
        match new.webhooks.get(name) {
            Some(new_item) => path_kept(d, old_item, new_item),
            None => {
                let place = Place::both(old_item.key_span, anchor(new));
                let message = format!("webhook `{name}` was removed");
                d.emit("webhook-removed", None, message, place);
            }
        }
    }
    for (name, new_item) in &new.webhooks {
        if !old.webhooks.contains_key(name) {
            let place = Place::both(anchor(old), new_item.key_span);
            let message = format!("webhook `{name}` was added");
            d.emit("webhook-added", None, message, place);
        }
    }
}

fn path_removed<'a>(d: &mut Differ<'a>, item: &PathItem<'a>) {
    for op in item.operations.values() {
        let id = if op.deprecated.is_some() {
            "api-path-removed-with-deprecation"
        } else {
            "api-path-removed-without-deprecation"
        };
        let place = Place {
            old: Some(op.key_span),
            new: Some(d.new.paths_span),
        };
        let message = format!(
            "{} {} was removed with its whole path",
            op.method.to_ascii_uppercase(),
            op.path
        );
        d.emit(id, Some(op), message, place);
    }
}

fn path_kept<'a>(d: &mut Differ<'a>, old_item: &PathItem<'a>, new_item: &PathItem<'a>) {
    for (method, old_op) in &old_item.operations {
        let Some(new_op) = new_item.operations.get(method) else {
            let id = if old_op.deprecated.is_some() {
                "api-removed-with-deprecation"
            } else {
                "api-removed-without-deprecation"
            };
            let place = Place::both(old_op.key_span, new_item.key_span);
            let message = format!(
                "{} {} was removed",
                method.to_ascii_uppercase(),
                old_op.path
            );
            d.emit(id, Some(old_op), message, place);
            continue;
        };
        d.operation(old_op, new_op);
    }
    for (method, new_op) in &new_item.operations {
        if !old_item.operations.contains_key(method) {
            let place = Place::both(old_item.key_span, new_op.key_span);
            let message = format!("{} {} was added", method.to_ascii_uppercase(), new_op.path);
            d.emit("endpoint-added", Some(new_op), message, place);
        }
    }
}

/// `deprecated` switched on or off.
pub(super) fn deprecation<'a>(d: &mut Differ<'a>, old: &Operation<'a>, new: &Operation<'a>) {
    let what = format!("{} {}", new.method.to_ascii_uppercase(), new.path);
    match (old.deprecated, new.deprecated) {
        (None, Some(flag)) => {
            let place = Place::both(old.key_span, flag.span);
            d.emit(
                "api-deprecated",
                Some(new),
                format!("{what} was deprecated"),
                place,
            );
        }
        (Some(flag), None) => {
            let place = Place::both(flag.span, new.key_span);
            let message = format!("{what} is no longer deprecated");
            d.emit("api-reactivated", Some(new), message, place);
        }
        _ => {}
    }
}

/// Callbacks of an operation on both sides: each removed or added as a whole, the operations
/// of those on both sides compared as a path's.
pub(super) fn callbacks<'a>(d: &mut Differ<'a>, old: &Operation<'a>, new: &Operation<'a>) {
    for (key, old_item) in &old.callbacks {
        match new.callbacks.get(key) {
            Some(new_item) => path_kept(d, old_item, new_item),
            None => {
                let place = Place::both(old_item.key_span, new.key_span);
                let message = format!("callback `{key}` was removed");
                d.emit("callback-removed", Some(new), message, place);
            }
        }
    }
    for (key, new_item) in &new.callbacks {
        if !old.callbacks.contains_key(key) {
            let place = Place::both(old.key_span, new_item.key_span);
            let message = format!("callback `{key}` was added");
            d.emit("callback-added", Some(new), message, place);
        }
    }
}

//! Parameters added, removed, moved, made required or optional, and their schemas.

use super::{schemas, Differ, Place};
use crate::checks::Subject;
use crate::model::{Operation, Param};

/// Compare the parameters of two versions of an operation.
pub(super) fn compare<'a>(d: &mut Differ<'a>, old: &Operation<'a>, new: &Operation<'a>) {
    for (key, old_param) in &old.params {
        match new.params.get(key) {
            Some(new_param) => changed(d, new, old_param, new_param),
            None => removed(d, new, old_param),
        }
    }
    for (key, param) in &new.params {
        if old.params.contains_key(key) || moved_from(old, param).is_some() {
            continue;
        }
        let (id, what) = if param.required {
            ("new-required-request-parameter", "required")
        } else {
            ("new-optional-request-parameter", "optional")
        };
        let message = format!("new {what} {} parameter `{}`", param.location, param.name);
        let place = Place {
            old: Some(old.key_span),
            new: Some(param.node.span),
        };
        d.emit(id, Some(new), message, place);
    }
}

/// The parameter of `op` with the same name as `param` in another location.
fn moved_from<'o, 'a>(op: &'o Operation<'a>, param: &Param<'a>) -> Option<&'o Param<'a>> {
    op.params.values().find(|p| {
        p.location != param.location
            && p.location != "path"
            && param.location != "path"
            && p.name.eq_ignore_ascii_case(param.name)
    })
}

fn removed<'a>(d: &mut Differ<'a>, new: &Operation<'a>, param: &Param<'a>) {
    if let Some(moved) = moved_from(new, param) {
        let message = format!(
            "parameter `{}` moved from {} to {}",
            param.name, param.location, moved.location
        );
        let place = Place::both(param.node.span, moved.node.span);
        d.emit(
            "request-parameter-location-changed",
            Some(new),
            message,
            place,
        );
        return;
    }
    let message = format!("{} parameter `{}` was removed", param.location, param.name);
    let place = Place {
        old: Some(param.node.span),
        new: Some(new.key_span),
    };
    d.emit("request-parameter-removed", Some(new), message, place);
}

fn changed<'a>(d: &mut Differ<'a>, op: &Operation<'a>, old: &Param<'a>, new: &Param<'a>) {
    let place = Place::both(old.node.span, new.node.span);
    let label = format!("{} parameter `{}`", new.location, new.name);
    let change = match (old.required, new.required) {
        (false, true) => Some(("request-parameter-became-required", "required")),
        (true, false) => Some(("request-parameter-became-optional", "optional")),
        _ => None,
    };
    if let Some((id, what)) = change {
        d.emit(id, Some(op), format!("{label} became {what}"), place);
    }
    let scope = schemas::Scope {
        op,
        subject: Subject::RequestParameter,
        what: label,
    };
    schemas::compare(d, &scope, old.schema, new.schema);
}

//! Request bodies and responses: presence, media types, statuses, and their schemas.

use std::collections::BTreeMap;

use super::{schemas, Differ, Place};
use crate::checks::Subject;
use crate::model::{Media, Operation, Response};

/// Compare the request bodies of two versions of an operation.
pub(super) fn request_body<'a>(d: &mut Differ<'a>, old: &Operation<'a>, new: &Operation<'a>) {
    match (&old.body, &new.body) {
        (None, Some(body)) => {
            let (id, what) = if body.required {
                ("request-body-added-required", "required")
            } else {
                ("request-body-added-optional", "optional")
            };
            let place = Place::both(old.key_span, body.node.span);
            d.emit(
                id,
                Some(new),
                format!("a {what} request body was added"),
                place,
            );
        }
        (Some(body), None) => {
            let place = Place::both(body.node.span, new.key_span);
            let message = "the request body was removed".to_owned();
            d.emit("request-body-removed", Some(new), message, place);
        }
        (Some(old_body), Some(new_body)) => {
            let place = Place::both(old_body.node.span, new_body.node.span);
            let change = match (old_body.required, new_body.required) {
                (false, true) => Some(("request-body-became-required", "required")),
                (true, false) => Some(("request-body-became-optional", "optional")),
                _ => None,
            };
            if let Some((id, what)) = change {
                let message = format!("the request body became {what}");
                d.emit(id, Some(new), message, place);
            }
            let ids = (
                "request-body-media-type-removed",
                "request-body-media-type-added",
            );
            let what = "the request body".to_owned();
            let subject = Subject::RequestBody;
            media(
                d,
                new,
                (&old_body.content, &new_body.content),
                ids,
                subject,
                &what,
            );
        }
        (None, None) => {}
    }
}

/// Compare media types and, for those on both sides, their schemas.
fn media<'a>(
    d: &mut Differ<'a>,
    op: &Operation<'a>,
    (old, new): (&BTreeMap<String, Media<'a>>, &BTreeMap<String, Media<'a>>),
    (removed, added): (&str, &str),
    subject: Subject,
    what: &str,
) {
    for (name, old_media) in old {
        let Some(new_media) = new.get(name) else {
            let place = Place {
                old: Some(old_media.span),
                new: new.values().next().map(|m| m.span),
            };
            let message = format!("{what} no longer has media type `{name}`");
            d.emit(removed, Some(op), message, place);
            continue;
        };
        if let (Some(old_schema), Some(new_schema)) = (old_media.schema, new_media.schema) {
            let scope = schemas::Scope {
                op,
                subject,
                what: what.to_owned(),
            };
            schemas::compare(d, &scope, old_schema, new_schema);
        }
    }
    for (name, new_media) in new {
        if !old.contains_key(name) {
            let place = Place {
                old: old.values().next().map(|m| m.span),
                new: Some(new_media.span),
            };
            d.emit(
                added,
                Some(op),
                format!("{what} has a new media type `{name}`"),
                place,
            );
        }
    }
}

fn is_success(status: &str) -> bool {
    status.starts_with('2')
}

/// Compare the responses of two versions of an operation.
pub(super) fn responses<'a>(d: &mut Differ<'a>, old: &Operation<'a>, new: &Operation<'a>) {
    for (status, old_response) in &old.responses {
        let Some(new_response) = new.responses.get(status) else {
            let id = if is_success(status) {
                "response-success-status-removed"
            } else {
                "response-non-success-status-removed"
            };
            let place = Place::both(old_response.key_span, new.key_span);
            d.emit(
                id,
                Some(new),
                format!("response {status} was removed"),
                place,
            );
            continue;
        };
        headers(d, new, status, (old_response, new_response));
        let ids = ("response-media-type-removed", "response-media-type-added");
        let what = format!("response {status}");
        let pair = (&old_response.content, &new_response.content);
        media(d, new, pair, ids, Subject::ResponseBody, &what);
    }
    for (status, response) in &new.responses {
        if old.responses.contains_key(status) {
            continue;
        }
        let id = if is_success(status) {
            "response-success-status-added"
        } else {
            "response-non-success-status-added"
        };
        let place = Place::both(old.key_span, response.key_span);
        d.emit(id, Some(new), format!("response {status} was added"), place);
    }
}

/// Compare the headers of two versions of a response.
fn headers<'a>(
    d: &mut Differ<'a>,
    op: &Operation<'a>,
    status: &str,
    (old, new): (&Response<'a>, &Response<'a>),
) {
    for (key, header) in &old.headers {
        let name = header.name;
        match new.headers.get(key) {
            None => {
                let id = if header.required {
                    "required-response-header-removed"
                } else {
                    "optional-response-header-removed"
                };
                let message = format!("header `{name}` of response {status} was removed");
                d.emit(
                    id,
                    Some(op),
                    message,
                    Place::both(header.key_span, new.key_span),
                );
            }
            Some(now) if header.required && !now.required => {
                let message = format!("header `{name}` of response {status} became optional");
                let place = Place::both(header.key_span, now.key_span);
                d.emit("response-header-became-optional", Some(op), message, place);
            }
            Some(_) => {}
        }
    }
    for (key, header) in &new.headers {
        if !old.headers.contains_key(key) {
            let message = format!("header `{}` of response {status} was added", header.name);
            let place = Place::both(old.key_span, header.key_span);
            d.emit("response-header-added", Some(op), message, place);
        }
    }
}

//! Schemas compared node by node: types, nullability, enums, bounds, patterns, defaults,
//! properties and items. Each pair of nodes is compared once per operation, so reference
//! cycles end and shared definitions are not walked again.

use std::collections::HashSet;

use flowgate_diagnostics::Span;
use flowgate_syntax::Node;

use super::{Differ, Place};
use crate::checks::{Level, Subject};
use crate::document::scalar_text;
use crate::model::Operation;
use crate::schema::{enum_value, View};

/// Deepest nesting of properties and items compared.
const MAX_DEPTH: usize = 64;

/// Where a comparison starts: the operation, the subject of the root schema and its name
/// in messages (`query parameter `sku``, `response 200`).
pub(super) struct Scope<'o, 'a> {
    pub op: &'o Operation<'a>,
    pub subject: Subject,
    pub what: String,
}

/// Compare two schemas of `scope`.
pub(super) fn compare<'a>(d: &mut Differ<'a>, scope: &Scope<'_, 'a>, old: &'a Node, new: &'a Node) {
    let mut walk = Walk {
        d,
        scope,
        seen: HashSet::new(),
        depth: 0,
    };
    walk.schema(old, new, scope.subject, "");
}

struct Walk<'s, 'o, 'a> {
    d: &'s mut Differ<'a>,
    scope: &'s Scope<'o, 'a>,
    seen: HashSet<(usize, usize, Subject)>,
    depth: usize,
}

/// Both nodes are the same reference to a definition that is unchanged.
fn same_unchanged_ref(unchanged: &HashSet<String>, old: &Node, new: &Node) -> bool {
    match (
        old.get("$ref").and_then(Node::as_str),
        new.get("$ref").and_then(Node::as_str),
    ) {
        (Some(a), Some(b)) => a == b && unchanged.contains(a),
        _ => false,
    }
}

/// Bounds: keyword, kind when it went down, kind when it went up, kind when it appeared.
const BOUNDS: &[(&str, &str, &str, Option<&str>)] = &[
    (
        "maxLength",
        "max-length-decreased",
        "max-length-increased",
        Some("max-length-set"),
    ),
    (
        "minLength",
        "min-length-decreased",
        "min-length-increased",
        None,
    ),
    ("maximum", "max-decreased", "max-increased", Some("max-set")),
    ("minimum", "min-decreased", "min-increased", Some("min-set")),
    (
        "maxItems",
        "max-items-decreased",
        "max-items-increased",
        None,
    ),
    (
        "minItems",
        "min-items-decreased",
        "min-items-increased",
        None,
    ),
];

impl<'a> Walk<'_, '_, 'a> {
    fn label(&self, path: &str) -> String {
        if path.is_empty() {
            self.scope.what.clone()
        } else {
            format!("property `{path}` of {}", self.scope.what)
        }
    }

    fn emit(
        &mut self,
        subject: Subject,
        kind: &str,
        message: String,
        spans: (Span, Span),
        path: &str,
    ) {
        let id = format!("{}-{kind}", subject.prefix());
        self.emit_id(&id, message, Place::both(spans.0, spans.1), path);
    }

    /// Emit `id` for the body field at `path` (none at the root of the schema, and none
    /// inside a parameter: a parameter is the operation's, not a field of its bodies).
    fn emit_id(&mut self, id: &str, message: String, place: Place, path: &str) {
        self.d.emit(id, Some(self.scope.op), message, place);
        let body = matches!(
            self.scope.subject,
            Subject::RequestBody | Subject::ResponseBody
        );
        if let Some(last) = self.d.findings.last_mut() {
            last.field = (body && !path.is_empty()).then(|| path.to_owned());
        }
    }

    /// [`emit`](Self::emit) at another level than the check's (a type dropped from a
    /// request, or added to a response, loosens rather than breaks).
    fn emit_at(
        &mut self,
        level: Level,
        subject: Subject,
        kind: &str,
        message: String,
        spans: (Span, Span),
        path: &str,
    ) {
        self.emit(subject, kind, message, spans, path);
        if let Some(last) = self.d.findings.last_mut() {
            last.level = level;
        }
    }

    /// Both schemas are written the same and refer to nothing: nothing inside can differ.
    fn same_self_contained_text(&self, old: &Node, new: &Node) -> bool {
        let old_text = old.source_text(self.d.old.doc.source.text());
        let new_text = new.source_text(self.d.new.doc.source.text());
        matches!((old_text, new_text), (Some(a), Some(b)) if a == b && !a.contains("$ref"))
    }

    fn schema(&mut self, old: &'a Node, new: &'a Node, subject: Subject, path: &str) {
        if self.depth >= MAX_DEPTH
            || same_unchanged_ref(&self.d.unchanged, old, new)
            || self.same_self_contained_text(old, new)
        {
            return;
        }
        let old_view = View::new(&self.d.old.resolver, old);
        let new_view = View::new(&self.d.new.resolver, new);
        let key = (
            std::ptr::from_ref(old_view.node) as usize,
            std::ptr::from_ref(new_view.node) as usize,
            subject,
        );
        if self.d.silent.contains(&key) || !self.seen.insert(key) {
            return;
        }
        let before = self.d.findings.len();
        self.depth += 1;
        let pair = (&old_view, &new_view);
        self.types(pair, subject, path);
        self.nullability(pair, subject, path);
        self.enums(pair, subject, path);
        self.bounds(pair, subject, path);
        self.pattern_and_default(pair, subject, path);
        self.properties(pair, subject, path);
        if let (Some(old_items), Some(new_items)) = (old_view.get("items"), new_view.get("items")) {
            self.schema(old_items, new_items, subject.nested(), &format!("{path}[]"));
        }
        let extra = |v: &View<'a>| {
            v.get("additionalProperties")
                .filter(|n| n.as_map().is_some())
        };
        if let (Some(old_extra), Some(new_extra)) = (extra(&old_view), extra(&new_view)) {
            self.schema(old_extra, new_extra, subject.nested(), &format!("{path}.*"));
        }
        self.alternatives(pair, subject, path);
        self.compositions(pair, subject, path);
        self.depth -= 1;
        if self.d.findings.len() == before {
            self.d.silent.insert(key);
        }
    }

    /// `oneOf` / `anyOf` members compared one by one when both sides have as many.
    fn alternatives(&mut self, (old, new): (&View<'a>, &View<'a>), subject: Subject, path: &str) {
        let same_shape = old.alternatives.len() == new.alternatives.len()
            && !old.alternatives_are_types()
            && !new.alternatives_are_types();
        if !same_shape {
            return;
        }
        for (a, b) in old.alternatives.iter().zip(&new.alternatives) {
            self.schema(a, b, subject, path);
        }
    }

    /// Members added to or removed from `oneOf`, `anyOf` and `allOf`, told apart by their
    /// `$ref` or their text.
    fn compositions(&mut self, (old, new): (&View<'a>, &View<'a>), subject: Subject, path: &str) {
        if old.alternatives_are_types() || new.alternatives_are_types() {
            return;
        }
        for (keyword, kind) in [
            ("oneOf", "one-of"),
            ("anyOf", "any-of"),
            ("allOf", "all-of"),
        ] {
            let (before, after) = (members(old, keyword), members(new, keyword));
            if before.is_empty() && after.is_empty() {
                continue;
            }
            let target = |v: &View<'a>| v.node.get(keyword).map_or(v.node.span, |n| n.span);
            let sides = [
                (&before, &after, "removed", "lost"),
                (&after, &before, "added", "gained"),
            ];
            for (from, to, change, verb) in sides {
                for (identity, span) in from
                    .iter()
                    .filter(|(id, _)| !to.iter().any(|(o, _)| o == id))
                {
                    let message = format!("{}: `{keyword}` {verb} {identity}", self.label(path));
                    let (a, b) = if change == "removed" {
                        (*span, target(new))
                    } else {
                        (target(old), *span)
                    };
                    self.emit(subject, &format!("{kind}-{change}"), message, (a, b), path);
                }
            }
        }
    }

    fn types(&mut self, (old, new): (&View<'a>, &View<'a>), subject: Subject, path: &str) {
        let (old_types, new_types) = (old.types(), new.types());
        let span = |v: &View<'a>, k: &str| v.get(k).map_or(v.node.span, |n| n.span);
        let (old_span, new_span) = (span(old, "type"), span(new, "type"));
        if !old_types.is_empty() && !new_types.is_empty() && old_types != new_types {
            let kind = if old_types.len() + new_types.len() <= 2 {
                "type-changed"
            } else if new_types.iter().all(|t| old_types.contains(t)) {
                "list-of-types-narrowed"
            } else if old_types.iter().all(|t| new_types.contains(t)) {
                "list-of-types-widened"
            } else {
                "type-changed"
            };
            let message = format!(
                "{}: type changed from `{}` to `{}`",
                self.label(path),
                old_types.join("|"),
                new_types.join("|")
            );
            self.emit(subject, kind, message, (old_span, new_span), path);
            return;
        }
        if old_types.is_empty() != new_types.is_empty() && old.is_bare() && new.is_bare() {
            let loosened = old_types.is_empty() != subject.is_request();
            let level = if loosened {
                Level::Info
            } else {
                Level::Breaking
            };
            let message = format!(
                "{}: type changed from `{}` to `{}`",
                self.label(path),
                old_types.first().unwrap_or(&"any"),
                new_types.first().unwrap_or(&"any"),
            );
            self.emit_at(
                level,
                subject,
                "type-changed",
                message,
                (old_span, new_span),
                path,
            );
            return;
        }
        if let (Some(a), Some(b)) = (old.get("format"), new.get("format")) {
            let (a_text, b_text) = (scalar_text(a), scalar_text(b));
            if a_text != b_text {
                let message = format!(
                    "{}: format changed from `{a_text}` to `{b_text}`",
                    self.label(path)
                );
                self.emit(subject, "type-changed", message, (a.span, b.span), path);
            }
        }
    }

    fn nullability(&mut self, (old, new): (&View<'a>, &View<'a>), subject: Subject, path: &str) {
        let (kind, what) = match (old.nullable(), new.nullable()) {
            (false, true) => ("became-nullable", "may now be null"),
            (true, false) => ("became-not-nullable", "may no longer be null"),
            _ => return,
        };
        let message = format!("{} {what}", self.label(path));
        let (old_span, new_span) = (old.nullable_span(), new.nullable_span());
        self.emit(subject, kind, message, (old_span, new_span), path);
    }

    fn enums(&mut self, (old, new): (&View<'a>, &View<'a>), subject: Subject, path: &str) {
        let values = |v: &View<'a>| v.get("enum").and_then(Node::as_seq);
        match (values(old), values(new)) {
            (None, Some(_)) => {
                let message = format!("{} is now restricted to an enum", self.label(path));
                let new_span = new.get("enum").map_or(new.node.span, |n| n.span);
                self.emit(
                    subject,
                    "became-enum",
                    message,
                    (old.node.span, new_span),
                    path,
                );
            }
            (Some(old_values), Some(new_values)) => {
                let old_texts: Vec<String> = old_values.iter().map(enum_value).collect();
                let new_texts: Vec<String> = new_values.iter().map(enum_value).collect();
                let new_span = new.get("enum").map_or(new.node.span, |n| n.span);
                let old_span = old.get("enum").map_or(old.node.span, |n| n.span);
                for (node, text) in old_values.iter().zip(&old_texts) {
                    if !new_texts.contains(text) {
                        let message =
                            format!("{}: enum value {text} was removed", self.label(path));
                        self.emit(
                            subject,
                            "enum-value-removed",
                            message,
                            (node.span, new_span),
                            path,
                        );
                    }
                }
                for (node, text) in new_values.iter().zip(&new_texts) {
                    if !old_texts.contains(text) {
                        let message = format!("{}: enum value {text} was added", self.label(path));
                        self.emit(
                            subject,
                            "enum-value-added",
                            message,
                            (old_span, node.span),
                            path,
                        );
                    }
                }
            }
            _ => {}
        }
    }

    fn bounds(&mut self, (old, new): (&View<'a>, &View<'a>), subject: Subject, path: &str) {
        for &(keyword, lower, higher, set) in BOUNDS {
            let (a, b) = (old.get(keyword), new.get(keyword));
            let number = |n: Option<&Node>| n.and_then(Node::as_f64);
            let kind = match (number(a), number(b)) {
                (Some(x), Some(y)) if y < x => lower,
                (Some(x), Some(y)) if y > x => higher,
                (None, Some(_)) => match set {
                    Some(kind) => kind,
                    None => continue,
                },
                _ => continue,
            };
            self.keyword_changed(subject, kind, keyword, (a, b), (old, new), path);
        }
    }

    /// Report that `keyword` went from `a` to `b`, located at each value (or its schema).
    fn keyword_changed(
        &mut self,
        subject: Subject,
        kind: &str,
        keyword: &str,
        (a, b): (Option<&'a Node>, Option<&'a Node>),
        (old, new): (&View<'a>, &View<'a>),
        path: &str,
    ) {
        let text = |n: Option<&Node>| n.map_or_else(|| "none".to_owned(), scalar_text);
        let message = format!(
            "{}: {keyword} changed from `{}` to `{}`",
            self.label(path),
            text(a),
            text(b)
        );
        let span = |n: Option<&Node>, v: &View<'a>| n.map_or(v.node.span, |n| n.span);
        self.emit(subject, kind, message, (span(a, old), span(b, new)), path);
    }

    fn pattern_and_default(
        &mut self,
        (old, new): (&View<'a>, &View<'a>),
        subject: Subject,
        path: &str,
    ) {
        for (keyword, changed, added, removed) in [
            (
                "pattern",
                Some("pattern-changed"),
                Some("pattern-added"),
                Some("pattern-removed"),
            ),
            ("default", Some("default-value-changed"), None, None),
        ] {
            let (a, b) = (old.get(keyword), new.get(keyword));
            let kind = match (a.map(scalar_text), b.map(scalar_text)) {
                (Some(x), Some(y)) if x != y => changed,
                (None, Some(_)) => added,
                (Some(_), None) => removed,
                _ => None,
            };
            if let Some(kind) = kind {
                self.keyword_changed(subject, kind, keyword, (a, b), (old, new), path);
            }
        }
    }

    fn properties(&mut self, (old, new): (&View<'a>, &View<'a>), subject: Subject, path: &str) {
        let (old_props, new_props) = (old.properties(), new.properties());
        if old_props.is_empty() && new_props.is_empty() {
            return;
        }
        let (old_required, new_required) = (old.required(), new.required());
        let nested = subject.nested();
        let structural = !matches!(nested, Subject::RequestParameterProperty);
        for (name, &(old_span, old_node)) in &old_props {
            let child = if path.is_empty() {
                (*name).to_owned()
            } else {
                format!("{path}.{name}")
            };
            let was_required = old_required.contains(name);
            match new_props.get(name) {
                None if structural => {
                    let ids = property_ids(subject.is_request());
                    let id = if was_required {
                        ids.removed_required
                    } else {
                        ids.removed
                    };
                    let message = format!("{} was removed", self.label(&child));
                    let place = Place::both(old_span, new.node.span);
                    self.emit_id(id, message, place, &child);
                }
                None => {}
                Some(&(new_span, new_node)) => {
                    let is_required = new_required.contains(name);
                    if structural && was_required != is_required && !self.skipped(new_node, subject)
                    {
                        let ids = property_ids(subject.is_request());
                        let (id, what) = if is_required {
                            (ids.became_required, "became required")
                        } else {
                            (ids.became_optional, "became optional")
                        };
                        let message = format!("{} {what}", self.label(&child));
                        self.emit_id(id, message, Place::both(old_span, new_span), &child);
                    }
                    self.schema(old_node, new_node, nested, &child);
                }
            }
        }
        if !structural {
            return;
        }
        for (name, &(new_span, new_node)) in &new_props {
            if old_props.contains_key(name) || self.skipped(new_node, subject) {
                continue;
            }
            let child = if path.is_empty() {
                (*name).to_owned()
            } else {
                format!("{path}.{name}")
            };
            let ids = property_ids(subject.is_request());
            let required = new_required.contains(name);
            let id = if required {
                ids.added_required
            } else {
                ids.added
            };
            let what = if required { "required" } else { "optional" };
            let message = format!("new {what} {}", self.label(&child));
            self.emit_id(id, message, Place::both(old.node.span, new_span), &child);
        }
    }

    /// A `readOnly` property in a request or a `writeOnly` one in a response: not part of
    /// what that side of the exchange carries.
    fn skipped(&self, node: &'a Node, subject: Subject) -> bool {
        let node = self.d.new.resolver.follow(node);
        let flag = if subject.is_request() {
            "readOnly"
        } else {
            "writeOnly"
        };
        node.get(flag).and_then(Node::as_bool) == Some(true)
    }
}

/// The ids of property changes on one side of the exchange.
struct PropertyIds {
    removed: &'static str,
    removed_required: &'static str,
    added: &'static str,
    added_required: &'static str,
    became_required: &'static str,
    became_optional: &'static str,
}

fn property_ids(request: bool) -> PropertyIds {
    if request {
        PropertyIds {
            removed: "request-property-removed",
            removed_required: "request-property-removed",
            added: "new-optional-request-property",
            added_required: "new-required-request-property",
            became_required: "request-property-became-required",
            became_optional: "request-property-became-optional",
        }
    } else {
        PropertyIds {
            removed: "response-property-removed",
            removed_required: "response-required-property-removed",
            added: "response-optional-property-added",
            added_required: "response-required-property-added",
            became_required: "response-property-became-required",
            became_optional: "response-property-became-optional",
        }
    }
}

/// The non-null members of a composition keyword, each with its identity.
fn members(view: &View<'_>, keyword: &str) -> Vec<(String, Span)> {
    let list = view
        .node
        .get(keyword)
        .and_then(Node::as_seq)
        .unwrap_or_default();
    list.iter()
        .filter(|m| m.get("type").and_then(Node::as_str) != Some("null"))
        .map(|m| (member_identity(m), m.span))
        .collect()
}

/// How a composition member is recognised on both sides: its `$ref`, else its content
/// written compactly (the same in YAML and JSON).
fn member_identity(node: &Node) -> String {
    if let Some(target) = node.get("$ref").and_then(Node::as_str) {
        // `#/definitions/Pet` (Swagger 2) and `#/components/schemas/Pet` (OpenAPI 3) are one.
        let name = ["#/definitions/", "#/components/schemas/"]
            .iter()
            .find_map(|prefix| target.strip_prefix(prefix))
            .unwrap_or(target);
        return format!("`{name}`");
    }
    let mut short = String::new();
    compact(node, &mut short, 0);
    if short.len() > 60 {
        let cut = (0..=60)
            .rev()
            .find(|&i| short.is_char_boundary(i))
            .unwrap_or(0);
        short.truncate(cut);
        short.push('…');
    }
    format!("`{short}`")
}

/// `node` as compact JSON-like text, cut off below a few levels.
fn compact(node: &Node, out: &mut String, depth: usize) {
    if depth > 8 {
        out.push('…');
        return;
    }
    match &node.value {
        flowgate_syntax::Value::Map(entries) => {
            out.push('{');
            for (i, e) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&e.key.value);
                out.push_str(": ");
                compact(&e.value, out, depth + 1);
            }
            out.push('}');
        }
        flowgate_syntax::Value::Seq(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                compact(item, out, depth + 1);
            }
            out.push(']');
        }
        _ => out.push_str(&scalar_text(node)),
    }
}

//! A schema seen through its `$ref`s and `allOf` members: the keywords that matter for
//! compatibility, looked up in the schema first and then in each member.

use std::collections::BTreeMap;

use flowgate_diagnostics::Span;
use flowgate_syntax::Node;

use crate::document::Resolver;

/// Deepest `allOf` nesting merged; deeper members are ignored.
const MAX_ALL_OF_DEPTH: usize = 16;

/// One schema, flattened.
pub struct View<'a> {
    /// The schema after `$ref` (where findings about it point).
    pub node: &'a Node,
    /// The schema followed by its `allOf` members, each after `$ref` (and the one
    /// non-null member of a `oneOf`/`anyOf` with `null`).
    parts: Vec<&'a Node>,
    /// `oneOf` / `anyOf` members (after `$ref`) that are not folded into `parts`.
    pub alternatives: Vec<&'a Node>,
    /// A `oneOf` / `anyOf` member allows `null`.
    null_member: bool,
}

/// Whether a schema is `type: 'null'`.
fn is_null_type(node: &Node) -> bool {
    node.get("type").and_then(Node::as_str) == Some("null")
}

/// The single type of a schema that says nothing else of interest (no properties, items,
/// enum or further alternatives), for folding `oneOf: [{type: string}, {type: integer}]`
/// into a list of types.
fn bare_type(node: &Node) -> Option<&str> {
    let busy = [
        "properties",
        "items",
        "enum",
        "oneOf",
        "anyOf",
        "allOf",
        "$ref",
        "const",
    ];
    if busy.iter().any(|k| node.get(k).is_some()) {
        return None;
    }
    node.get("type").and_then(Node::as_str)
}

impl<'a> View<'a> {
    /// Flatten `node`.
    pub fn new(resolver: &Resolver<'a>, node: &'a Node) -> Self {
        let node = resolver.follow(node);
        let mut parts = Vec::new();
        collect(resolver, node, 0, &mut parts);
        let members: Vec<&'a Node> = ["oneOf", "anyOf"]
            .iter()
            .filter_map(|k| node.get(k).and_then(Node::as_seq))
            .flatten()
            .map(|m| resolver.follow(m))
            .collect();
        let null_member = members.iter().any(|m| is_null_type(m));
        let mut alternatives: Vec<&'a Node> =
            members.into_iter().filter(|m| !is_null_type(m)).collect();
        if null_member && alternatives.len() == 1 {
            collect(resolver, alternatives[0], 1, &mut parts);
            alternatives.clear();
        }
        Self {
            node,
            parts,
            alternatives,
            null_member,
        }
    }

    /// Whether the schema says nothing of its shape (no properties, items or members):
    /// a missing type there means "anything".
    pub fn is_bare(&self) -> bool {
        self.alternatives.is_empty()
            && [
                "properties",
                "items",
                "additionalProperties",
                "$ref",
                "allOf",
            ]
            .iter()
            .all(|k| self.get(k).is_none())
    }

    /// The types of `oneOf` / `anyOf` members when each is a bare type.
    fn alternative_types(&self) -> Option<Vec<&'a str>> {
        if self.alternatives.len() < 2 {
            return None;
        }
        self.alternatives.iter().map(|m| bare_type(m)).collect()
    }

    /// Whether the `oneOf` / `anyOf` members are bare types (compared as a list of types,
    /// not member by member).
    pub fn alternatives_are_types(&self) -> bool {
        self.alternative_types().is_some()
    }

    /// The first value of `keyword` in the schema or its members.
    pub fn get(&self, keyword: &str) -> Option<&'a Node> {
        self.parts.iter().find_map(|part| part.get(keyword))
    }

    /// The declared types, `null` left out, sorted.
    pub fn types(&self) -> Vec<&'a str> {
        let mut types: Vec<&str> = match self.get("type") {
            Some(node) => match node.as_seq() {
                Some(items) => items.iter().filter_map(Node::as_str).collect(),
                None => node.as_str().into_iter().collect(),
            },
            None => self.alternative_types().unwrap_or_default(),
        };
        types.retain(|t| *t != "null");
        types.sort_unstable();
        types.dedup();
        types
    }

    /// Whether `null` is allowed (`nullable`, `x-nullable`, or `null` among the types).
    pub fn nullable(&self) -> bool {
        let flag = |k: &str| self.get(k).and_then(Node::as_bool) == Some(true);
        let null_type = self
            .get("type")
            .and_then(Node::as_seq)
            .is_some_and(|items| items.iter().any(|t| t.as_str() == Some("null")));
        flag("nullable") || flag("x-nullable") || null_type || self.null_member
    }

    /// Where nullability is said: the `nullable`, `x-nullable` or `type` value, else the
    /// schema.
    pub fn nullable_span(&self) -> Span {
        ["nullable", "x-nullable", "type"]
            .iter()
            .find_map(|k| self.get(k))
            .map_or(self.node.span, |n| n.span)
    }

    /// The properties of the schema and its members: name → (key span, schema).
    pub fn properties(&self) -> BTreeMap<&'a str, (Span, &'a Node)> {
        let mut properties = BTreeMap::new();
        for part in &self.parts {
            for entry in part
                .get("properties")
                .and_then(Node::as_map)
                .unwrap_or_default()
            {
                properties
                    .entry(entry.key.value.as_str())
                    .or_insert((entry.key.span, &entry.value));
            }
        }
        properties
    }

    /// The names listed under `required` in the schema or its members.
    pub fn required(&self) -> Vec<&'a str> {
        let mut names: Vec<&str> = self
            .parts
            .iter()
            .filter_map(|part| part.get("required").and_then(Node::as_seq))
            .flatten()
            .filter_map(Node::as_str)
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }
}

fn collect<'a>(resolver: &Resolver<'a>, node: &'a Node, depth: usize, parts: &mut Vec<&'a Node>) {
    if depth > MAX_ALL_OF_DEPTH || parts.iter().any(|p| std::ptr::eq(*p, node)) {
        return;
    }
    parts.push(node);
    for member in node.get("allOf").and_then(Node::as_seq).unwrap_or_default() {
        collect(resolver, resolver.follow(member), depth + 1, parts);
    }
}

/// A scalar as the text that identifies it in an `enum` (`"a"`, `1`, `true`, `null`).
pub fn enum_value(node: &Node) -> String {
    match &node.value {
        flowgate_syntax::Value::String(s) => format!("{s:?}"),
        _ => crate::document::scalar_text(node),
    }
}

//! The normalised model both dialects lower into: operations keyed by method and path
//! template (parameter names replaced by `{}`), parameters by location and name, request
//! bodies and responses per media type. Schemas stay nodes of the document.

use std::collections::{BTreeMap, BTreeSet};

use flowgate_diagnostics::Span;
use flowgate_syntax::Node;

use crate::document::{Dialect, Document, Resolver};

/// The HTTP methods a path item may hold, in the order they are reported.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// One contract, normalised.
pub struct Api<'a> {
    /// The document it was read from.
    pub doc: &'a Document,
    /// Follows the document's local `$ref`s.
    pub resolver: Resolver<'a>,
    /// The `paths` key (or the top of the file when there is none).
    pub paths_span: Span,
    /// Path items by normalised template (`/pets/{}`).
    pub paths: BTreeMap<String, PathItem<'a>>,
    /// The `webhooks` key (OpenAPI 3.1), when there is one.
    pub webhooks_span: Option<Span>,
    /// OpenAPI 3.1 webhooks: path items by name.
    pub webhooks: BTreeMap<String, PathItem<'a>>,
    /// Top-level `security`.
    pub global_security: Option<Security<'a>>,
}

/// One path of `paths`.
pub struct PathItem<'a> {
    /// The key's bytes.
    pub key_span: Span,
    /// The operations by method.
    pub operations: BTreeMap<&'static str, Operation<'a>>,
}

/// One operation (method + path).
pub struct Operation<'a> {
    /// `get`, `post`, ...
    pub method: &'static str,
    /// The template as written.
    pub path: &'a str,
    /// The method key's bytes.
    pub key_span: Span,
    /// `deprecated: true`.
    pub deprecated: Option<&'a Node>,
    /// Parameters by location and name (path parameters by position).
    pub params: BTreeMap<ParamKey, Param<'a>>,
    /// The request body.
    pub body: Option<Body<'a>>,
    /// Responses by status code (`200`, `4XX`, `default`).
    pub responses: BTreeMap<String, Response<'a>>,
    /// The operation's own `security`, when it has one.
    pub security: Option<Security<'a>>,
    /// Its callbacks (OpenAPI 3): path items by callback name and expression (`onPaid
    /// {$request.body#/url}`); callbacks of callbacks are not read.
    pub callbacks: BTreeMap<String, PathItem<'a>>,
}

/// How a parameter is identified across versions.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ParamKey {
    /// `path`, `query`, `header`, `cookie` or `formData`.
    pub location: String,
    /// The name (lower-cased for headers; `#N` for the N-th path parameter).
    pub name: String,
}

/// One parameter.
pub struct Param<'a> {
    /// Its name as written.
    pub name: &'a str,
    /// Where it goes.
    pub location: &'a str,
    /// `required: true`.
    pub required: bool,
    /// The schema (for Swagger 2 non-body parameters, the parameter itself).
    pub schema: &'a Node,
    /// The parameter's node (after `$ref`).
    pub node: &'a Node,
}

/// A request body.
pub struct Body<'a> {
    /// `required: true`.
    pub required: bool,
    /// The node (OpenAPI `requestBody`, Swagger 2 body parameter).
    pub node: &'a Node,
    /// Schemas by media type.
    pub content: BTreeMap<String, Media<'a>>,
}

/// One media type of a body or response.
pub struct Media<'a> {
    /// Where it is declared.
    pub span: Span,
    /// The schema, when there is one.
    pub schema: Option<&'a Node>,
}

/// One response.
pub struct Response<'a> {
    /// The status key's bytes.
    pub key_span: Span,
    /// Schemas by media type.
    pub content: BTreeMap<String, Media<'a>>,
    /// Headers by lower-cased name.
    pub headers: BTreeMap<String, Header<'a>>,
}

/// A response header.
pub struct Header<'a> {
    /// Its name as written.
    pub name: &'a str,
    /// The name key's bytes.
    pub key_span: Span,
    /// `required: true` (OpenAPI 3; Swagger 2 headers are never required).
    pub required: bool,
}

/// A `security` list: alternatives, each a set of schemes with their scopes.
pub struct Security<'a> {
    /// The list's node.
    pub node: &'a Node,
    /// Alternatives, each scheme name → scopes.
    pub alternatives: Vec<BTreeMap<String, BTreeSet<String>>>,
}

/// `/pets/{petId}` → `/pets/{}`.
pub fn normalise_path(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut depth = 0;
    for c in template.chars() {
        match c {
            '{' => {
                depth += 1;
                if depth == 1 {
                    out.push_str("{}");
                }
            }
            '}' if depth > 0 => depth -= 1,
            _ if depth > 0 => {}
            _ => out.push(c),
        }
    }
    out.trim_end_matches('/').to_owned()
}

impl<'a> Api<'a> {
    /// Lower a parsed document.
    pub fn build(doc: &'a Document) -> Self {
        let resolver = Resolver::new(doc);
        let root = &doc.root;
        let mut api = Self {
            doc,
            paths_span: root
                .entry("paths")
                .map_or(Span::point(root.span.start as usize), |e| e.key.span),
            paths: BTreeMap::new(),
            webhooks_span: root.entry("webhooks").map(|e| e.key.span),
            webhooks: BTreeMap::new(),
            global_security: root.get("security").map(security),
            resolver,
        };
        let entries = root.get("paths").and_then(Node::as_map).unwrap_or_default();
        for entry in entries {
            if entry.key.value.starts_with("x-") {
                continue;
            }
            let item = api.path_item(&entry.key.value, entry.key.span, &entry.value, true);
            // `/orders/{id}` and `/orders/{parent_id}`, or `/invoices` and `/invoices/`, are
            // one path: their operations are merged, the first written of a method kept.
            match api.paths.entry(normalise_path(&entry.key.value)) {
                std::collections::btree_map::Entry::Vacant(slot) => {
                    slot.insert(item);
                }
                std::collections::btree_map::Entry::Occupied(mut slot) => {
                    for (method, op) in item.operations {
                        slot.get_mut().operations.entry(method).or_insert(op);
                    }
                }
            }
        }
        let hooks = root
            .get("webhooks")
            .and_then(Node::as_map)
            .unwrap_or_default();
        for entry in hooks {
            if !entry.key.value.starts_with("x-") {
                let item = api.path_item(&entry.key.value, entry.key.span, &entry.value, true);
                api.webhooks.insert(entry.key.value.clone(), item);
            }
        }
        api
    }

    /// A path item; `with_callbacks`: its operations' callbacks are read too.
    fn path_item(
        &self,
        template: &'a str,
        key_span: Span,
        node: &'a Node,
        with_callbacks: bool,
    ) -> PathItem<'a> {
        let node = self.resolver.follow(node);
        let shared = node.get("parameters");
        let mut operations = BTreeMap::new();
        for method in METHODS {
            let Some(entry) = node.entry(method) else {
                continue;
            };
            let op = &entry.value;
            let mut params = BTreeMap::new();
            let mut body = None;
            for list in [shared, op.get("parameters")].into_iter().flatten() {
                self.add_params(list, template, op, &mut params, &mut body);
            }
            if let Some(request) = op.get("requestBody") {
                body = Some(self.request_body(request));
            }
            operations.insert(
                method,
                Operation {
                    method,
                    path: template,
                    key_span: entry.key.span,
                    deprecated: op.get("deprecated").filter(|d| d.as_bool() == Some(true)),
                    params,
                    body,
                    responses: self.responses(op),
                    security: op.get("security").map(security),
                    callbacks: if with_callbacks {
                        self.callbacks(op)
                    } else {
                        BTreeMap::new()
                    },
                },
            );
        }
        PathItem {
            key_span,
            operations,
        }
    }

    fn add_params(
        &self,
        list: &'a Node,
        template: &str,
        op: &'a Node,
        params: &mut BTreeMap<ParamKey, Param<'a>>,
        body: &mut Option<Body<'a>>,
    ) {
        for item in list.as_seq().unwrap_or_default() {
            let node = self.resolver.follow(item);
            let (Some(name), Some(location)) = (
                node.get("name").and_then(Node::as_str),
                node.get("in").and_then(Node::as_str),
            ) else {
                continue;
            };
            let required = node.get("required").and_then(Node::as_bool) == Some(true);
            if location == "body" {
                *body = Some(self.swagger_body(node, op, required));
                continue;
            }
            let schema = match self.doc.dialect {
                Dialect::Swagger2 => node,
                _ => node.get("schema").unwrap_or(node),
            };
            params.insert(
                param_key(location, name, template),
                Param {
                    name,
                    location,
                    required: required || location == "path",
                    schema,
                    node,
                },
            );
        }
    }

    fn swagger_body(&self, node: &'a Node, op: &'a Node, required: bool) -> Body<'a> {
        let schema = node.get("schema");
        let content = self
            .media_types(op, "consumes")
            .into_iter()
            .map(|media| {
                (
                    media,
                    Media {
                        span: node.span,
                        schema,
                    },
                )
            })
            .collect();
        Body {
            required,
            node,
            content,
        }
    }

    /// Swagger 2 `consumes` / `produces` of an operation, else of the document.
    fn media_types(&self, op: &'a Node, key: &str) -> Vec<String> {
        let list = op.get(key).or_else(|| self.doc.root.get(key));
        let types: Vec<String> = list
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(|n| n.as_str().map(str::to_owned))
            .collect();
        if types.is_empty() {
            vec!["application/json".to_owned()]
        } else {
            types
        }
    }

    fn request_body(&self, node: &'a Node) -> Body<'a> {
        let node = self.resolver.follow(node);
        Body {
            required: node.get("required").and_then(Node::as_bool) == Some(true),
            node,
            content: self.content(node),
        }
    }

    fn content(&self, node: &'a Node) -> BTreeMap<String, Media<'a>> {
        let entries = node
            .get("content")
            .and_then(Node::as_map)
            .unwrap_or_default();
        entries
            .iter()
            .map(|e| {
                let media = Media {
                    span: e.key.span,
                    schema: e.value.get("schema"),
                };
                (e.key.value.to_ascii_lowercase(), media)
            })
            .collect()
    }

    fn responses(&self, op: &'a Node) -> BTreeMap<String, Response<'a>> {
        let entries = op
            .get("responses")
            .and_then(Node::as_map)
            .unwrap_or_default();
        let mut responses = BTreeMap::new();
        for entry in entries {
            if entry.key.value.starts_with("x-") {
                continue;
            }
            let node = self.resolver.follow(&entry.value);
            let content = match self.doc.dialect {
                Dialect::Swagger2 => match node.get("schema") {
                    Some(schema) => self
                        .media_types(op, "produces")
                        .into_iter()
                        .map(|m| {
                            (
                                m,
                                Media {
                                    span: entry.key.span,
                                    schema: Some(schema),
                                },
                            )
                        })
                        .collect(),
                    None => BTreeMap::new(),
                },
                _ => self.content(node),
            };
            let status = match entry.key.value.as_str() {
                key if key.eq_ignore_ascii_case("default") => "default".to_owned(),
                key => key.to_ascii_uppercase(),
            };
            responses.insert(
                status,
                Response {
                    key_span: entry.key.span,
                    content,
                    headers: self.headers(node),
                },
            );
        }
        responses
    }
}

impl<'a> Api<'a> {
    /// The `callbacks` of an operation, each callback and path item after `$ref`.
    fn callbacks(&self, op: &'a Node) -> BTreeMap<String, PathItem<'a>> {
        let mut found = BTreeMap::new();
        for callback in op
            .get("callbacks")
            .and_then(Node::as_map)
            .unwrap_or_default()
        {
            let node = self.resolver.follow(&callback.value);
            for entry in node.as_map().unwrap_or_default() {
                if entry.key.value.starts_with("x-") {
                    continue;
                }
                let item = self.path_item(&entry.key.value, entry.key.span, &entry.value, false);
                found.insert(format!("{} {}", callback.key.value, entry.key.value), item);
            }
        }
        found
    }

    /// The `headers` of a response, each after `$ref`.
    fn headers(&self, response: &'a Node) -> BTreeMap<String, Header<'a>> {
        let entries = response
            .get("headers")
            .and_then(Node::as_map)
            .unwrap_or_default();
        // Header names are compared ignoring case; `X-…` names are headers, not extensions.
        entries
            .iter()
            .map(|e| {
                let node = self.resolver.follow(&e.value);
                let header = Header {
                    name: &e.key.value,
                    key_span: e.key.span,
                    required: node.get("required").and_then(Node::as_bool) == Some(true),
                };
                (e.key.value.to_ascii_lowercase(), header)
            })
            .collect()
    }
}

fn param_key(location: &str, name: &str, template: &str) -> ParamKey {
    let name = match location {
        "header" => name.to_ascii_lowercase(),
        "path" => {
            let marker = format!("{{{name}}}");
            match template.find(&marker) {
                Some(at) => format!("#{}", template[..at].matches('{').count()),
                None => name.to_owned(),
            }
        }
        _ => name.to_owned(),
    };
    ParamKey {
        location: location.to_owned(),
        name,
    }
}

fn security(node: &Node) -> Security<'_> {
    let alternatives = node
        .as_seq()
        .unwrap_or_default()
        .iter()
        .map(|alt| {
            alt.as_map()
                .unwrap_or_default()
                .iter()
                .map(|e| {
                    let scopes = e.value.as_seq().unwrap_or_default();
                    let scopes = scopes.iter().filter_map(|s| s.as_str().map(str::to_owned));
                    (e.key.value.clone(), scopes.collect())
                })
                .collect()
        })
        .collect();
    Security { node, alternatives }
}

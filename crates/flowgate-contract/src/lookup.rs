//! What a contract offers, looked up by name: an operation given as `GET /V1/orders/{id}`
//! (parameter names do not matter), and a field of its request or response bodies given as a
//! dotted path (`items[].sku`), through `$ref`s and `allOf` members.

use flowgate_syntax::Node;

use crate::document::Document;
use crate::model::{normalise_path, Api, Operation, METHODS};
use crate::schema::View;

/// Deepest field path followed.
const MAX_SEGMENTS: usize = 32;

/// A contract, ready for lookups.
pub struct Contract<'a> {
    api: Api<'a>,
}

/// Why an operation text names no operation of the contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OperationLookup {
    /// The text is not `METHOD /path`.
    Malformed,
    /// No such operation; the operations whose paths are nearest, as `METHOD /path`.
    Missing(Vec<String>),
}

/// Why a field path names nothing in an operation's bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingField {
    /// The longest leading part of the path that exists (empty: none).
    pub found: String,
    /// The names available where the path stops.
    pub names: Vec<String>,
}

/// `GET /V1/orders/{id}` → (`get`, `/V1/orders/{}`).
pub fn parse_operation(text: &str) -> Option<(&'static str, String)> {
    let (method, path) = text.trim().split_once(char::is_whitespace)?;
    let method = METHODS.iter().find(|m| m.eq_ignore_ascii_case(method))?;
    let path = path.trim();
    path.starts_with('/')
        .then(|| (*method, normalise_path(path)))
}

impl<'a> Contract<'a> {
    /// Lower a parsed document for lookups.
    pub fn new(doc: &'a Document) -> Self {
        Self {
            api: Api::build(doc),
        }
    }

    /// Every operation as `METHOD /path` (the path as written), in path order.
    pub fn operations(&self) -> Vec<String> {
        self.api
            .paths
            .values()
            .flat_map(|item| item.operations.values())
            .map(|op| format!("{} {}", op.method.to_ascii_uppercase(), op.path))
            .collect()
    }

    /// The operation `text` names (`GET /V1/orders/{orderId}` matches `/V1/orders/{id}`).
    pub fn operation(&self, text: &str) -> Result<OperationShape<'_, 'a>, OperationLookup> {
        let (method, path) = parse_operation(text).ok_or(OperationLookup::Malformed)?;
        let found = self
            .api
            .paths
            .get(&path)
            .and_then(|item| item.operations.get(method));
        match found {
            Some(op) => Ok(OperationShape { api: &self.api, op }),
            None => Err(OperationLookup::Missing(self.nearest_operations(&path))),
        }
    }

    /// The five operations whose normalised paths share the longest prefix with `path`.
    fn nearest_operations(&self, path: &str) -> Vec<String> {
        let common = |other: &str| {
            path.chars()
                .zip(other.chars())
                .take_while(|(a, b)| a == b)
                .count()
        };
        let mut ranked: Vec<(usize, String)> = self
            .api
            .paths
            .iter()
            .flat_map(|(key, item)| {
                item.operations.values().map(move |op| {
                    let text = format!("{} {}", op.method.to_ascii_uppercase(), op.path);
                    (common(key), text)
                })
            })
            .collect();
        ranked.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.len().cmp(&b.1.len())));
        ranked.into_iter().take(5).map(|(_, text)| text).collect()
    }
}

/// One operation of a [`Contract`].
pub struct OperationShape<'c, 'a> {
    api: &'c Api<'a>,
    op: &'c Operation<'a>,
}

/// One step of a field path: a property, then as many `[]` (array items) as written.
fn segments(field: &str) -> Option<Vec<(&str, usize)>> {
    let mut out = Vec::new();
    for part in field.split('.') {
        let name = part.trim_end_matches("[]");
        let items = (part.len() - name.len()) / 2;
        if name.contains(['[', ']']) || (name.is_empty() && items == 0) {
            return None;
        }
        out.push((name, items));
    }
    (out.len() <= MAX_SEGMENTS).then_some(out)
}

impl<'a> OperationShape<'_, 'a> {
    /// The method and path as written in the contract.
    pub fn name(&self) -> String {
        format!("{} {}", self.op.method.to_ascii_uppercase(), self.op.path)
    }

    /// The request body's and the responses' schemas (every media type and status).
    fn roots(&self) -> Vec<&'a Node> {
        let request = self.op.body.iter().flat_map(|b| b.content.values());
        let responses = self.op.responses.values().flat_map(|r| r.content.values());
        request
            .chain(responses)
            .filter_map(|media| media.schema)
            .collect()
    }

    /// Whether `field` (a dotted path, `[]` for array items, or a parameter's name) is in
    /// the request body, a response or the parameters; else how far it gets.
    pub fn field(&self, field: &str) -> Result<(), MissingField> {
        let field = field.trim();
        if self.op.params.values().any(|p| p.name == field) {
            return Ok(());
        }
        let Some(steps) = segments(field) else {
            return Err(MissingField {
                found: String::new(),
                names: Vec::new(),
            });
        };
        // The furthest any body gets, with the names there (of every body that gets as far).
        let mut best: (usize, Vec<String>) = (0, Vec::new());
        for root in self.roots() {
            let (depth, names) = match self.walk(root, &steps) {
                Ok(()) => return Ok(()),
                Err(stopped) => stopped,
            };
            if depth > best.0 {
                best = (depth, names);
            } else if depth == best.0 {
                best.1.extend(names);
            }
        }
        let (depth, mut names) = best;
        names.sort();
        names.dedup();
        let found = field.split('.').take(depth).collect::<Vec<_>>().join(".");
        Err(MissingField { found, names })
    }

    /// Follow `steps` from `node`: `Err` with the number of steps that matched and the
    /// property names where it stopped.
    fn walk(&self, node: &'a Node, steps: &[(&str, usize)]) -> Result<(), (usize, Vec<String>)> {
        let resolver = &self.api.resolver;
        let mut node = node;
        for (depth, (name, items)) in steps.iter().enumerate() {
            if !name.is_empty() {
                let view = View::new(resolver, node);
                let properties = view.properties();
                match properties.get(name) {
                    Some((_, child)) => node = child,
                    None => {
                        let names = properties.keys().map(|k| (*k).to_owned()).collect();
                        return Err((depth, names));
                    }
                }
            }
            for _ in 0..*items {
                match View::new(resolver, node).get("items") {
                    Some(child) => node = child,
                    None => return Err((depth, Vec::new())),
                }
            }
        }
        Ok(())
    }
}

//! Importer for Node-RED flow files: a JSON array of node objects (`id`, `type`, `z`, `name`,
//! `wires`, …) as the editor exports them and `flows.json` stores them. Also read: the
//! `{ "rev": …, "flows": [ … ] }` form of the admin API, and a subflow module (one `subflow`
//! object whose `flow` lists its nodes, as `RED.nodes.registerSubflow` loads it).
//!
//! The whole file is one [`Flow`]:
//!
//! | Node-RED | flowgate |
//! |---|---|
//! | first `tab`'s `label` and `info` (else the subflow module's `name`, else the file stem) | [`Flow::label`], [`Flow::description`] |
//! | tabs | not elements; the flow is active unless every tab is `disabled` |
//! | `subflow` definitions, `group`s, config nodes (no `x` and no `wires`) | not elements |
//! | every other node | [`Element`]: id = `id`, label = `name` (when not empty), platform type = `type`, disabled by `d: true` or a disabled tab |
//! | `inject`, `http in`, `complete`, `mqtt in`, `tcp in`, `udp in`, `websocket in`, `watch`, `e-mail in`, `serial in` | [`ElementKind::Trigger`] |
//! | `catch`, `status` | [`ElementKind::ErrorHandler`] |
//! | `switch`, `rbe`, `filter` | [`ElementKind::Decision`] |
//! | `function`, `exec` | [`ElementKind::Code`] |
//! | `change`, `template`, `json`, `xml`, `yaml`, `csv`, `html`, `split`, `join`, `sort`, `batch`, `range` | [`ElementKind::Assignment`] |
//! | `http request`, `http response`, `mqtt out`, `tcp out`, `tcp request`, `udp out`, `websocket out`, `file`, `file in` | [`ElementKind::Action`] |
//! | `e-mail`, `email` | [`ElementKind::Message`] |
//! | `delay`, `trigger` | [`ElementKind::Wait`] |
//! | `link in`, `link out`, `link call` | [`ElementKind::Link`] |
//! | `subflow:<id>` instances | [`ElementKind::Subflow`] |
//! | `comment` | [`ElementKind::Note`] |
//! | `debug`, `junction`, anything else | [`ElementKind::Other`] |
//! | `wires[i]` | [`ConnectionKind::Output`]`(i)` |
//! | `link out` `links` (not in `return` mode) | [`ConnectionKind::Auxiliary`]`("link")` to the `link in` nodes |
//! | `link call` `links` | [`ConnectionKind::Auxiliary`]`("link call")` to the `link in` nodes |
//! | nodes watched by an enabled `catch` (its `scope` list; `null`: its tab or subflow; `"group"`: its group) | [`ErrorHandling::Path`] |
//! | `env` of tabs and subflows | [`Variable`]s, declaration `env` |
//!
//! Entries are the trigger and error-handler elements plus the nodes a subflow's input is
//! wired to. The flow's trigger comes from the first enabled trigger, preferring real ones
//! over `catch`/`status`/`complete` and over manual ones: `http in` → webhook, `inject` with
//! `repeat` or `crontab` → schedule, `inject` with `once` → event `startup`, other `inject` →
//! manual, other triggers → event of their type, none → invoked.
//!
//! References to ids that are not in the file (wires, `links`, `scope`, subflow ports) are
//! FG013 at the reference. A node's `z` is not checked: exported examples routinely omit the
//! tab their nodes live on.

use super::{id_from_path, Imported};
use crate::codes;
use flowgate_diagnostics::{Diagnostic, SourceText, Span};
use flowgate_model::flow::{
    Connection, ConnectionKind, Dialect, Element, ElementKind, ErrorHandling, Flow, FlowDocument,
    FlowTrigger, Variable,
};
use flowgate_model::Located;
use flowgate_syntax::Node;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Import one Node-RED flow file.
///
/// JSON syntax errors are FG002; a document that is not a flow (a package.json, settings, a
/// single node) is FG005 and yields `None`. Inside a flow, broken nodes are reported (FG004,
/// FG005) and skipped, and references to ids that are not in the file are FG013; the rest
/// of the flow is still imported.
pub fn import(source: &SourceText) -> (Option<Imported>, Vec<Diagnostic>) {
    let (root, mut diagnostics) = super::parse_json_root(source);
    let Some(root) = root else {
        return (None, diagnostics);
    };
    let Some(shape) = shape(&root, source, &mut diagnostics) else {
        return (None, diagnostics);
    };
    let mut reader = Reader {
        source,
        diagnostics,
    };
    let flow = reader.flow(&root, &shape);
    let imported = Imported {
        id: id_from_path(source.path(), super::suffixes(Dialect::NodeRed)),
        name: flow.label.clone(),
        description: flow.description.clone(),
        flow,
    };
    (Some(imported), reader.diagnostics)
}

/// What kind of flow document a file holds.
enum Shape<'a> {
    /// An array of nodes (or the `flows` array of `{ rev, flows }`).
    Nodes(&'a [Node]),
    /// A subflow module: the `subflow` object and the nodes of its `flow`.
    Module(&'a Node, &'a [Node]),
}

/// Whether `node` looks like a Node-RED node: an object with a string `id` and `type`.
fn is_node_like(node: &Node) -> bool {
    node.get("id").and_then(Node::as_str).is_some()
        && node.get("type").and_then(Node::as_str).is_some()
}

/// Recognise the document, or FG005 when it is not a flow.
fn shape<'a>(
    root: &'a Node,
    source: &SourceText,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Shape<'a>> {
    const HELP: &str = "a Node-RED flow file is a JSON array of nodes, each an object with \
                        `id`, `type` and `wires`, as the editor's Export produces it";
    let opening = Span::new(root.span.start as usize, root.span.start as usize + 1);
    let not_a_flow = |what: String, span: Span| {
        Diagnostic::error(codes::WRONG_TYPE, format!("not a Node-RED flow: {what}"))
            .at(source, span)
            .with_help(HELP)
    };
    if let Some(items) = root.as_seq() {
        if !items.is_empty() && !items.iter().any(is_node_like) {
            diagnostics.push(not_a_flow(
                "none of the array's items is a node with a string `id` and `type`".to_owned(),
                opening,
            ));
            return None;
        }
        return Some(Shape::Nodes(items));
    }
    if root.as_map().is_none() {
        diagnostics.push(not_a_flow(
            format!(
                "the document is {}, not an array of nodes",
                root.type_name()
            ),
            opening,
        ));
        return None;
    }
    if let Some(flows) = root.get("flows") {
        if let Some(items) = flows.as_seq() {
            return Some(Shape::Nodes(items));
        }
    }
    let ty = root.get("type").and_then(Node::as_str);
    if ty == Some("subflow") {
        if let Some(flow) = root.get("flow").and_then(Node::as_seq) {
            return Some(Shape::Module(root, flow));
        }
    }
    let (what, span) = if let Some(ty) = ty {
        (
            format!("a single `{ty}` node, not an array of nodes"),
            root.get("type").map_or(opening, |t| t.span),
        )
    } else if root.get("name").is_some()
        && root.get("version").is_some()
        && root.get("dependencies").is_some()
    {
        (
            "this object looks like an npm package.json".to_owned(),
            opening,
        )
    } else {
        (
            "the document is an object, not an array of nodes".to_owned(),
            opening,
        )
    };
    diagnostics.push(not_a_flow(what, span));
    None
}

/// The element kind of a node type.
fn element_kind(ty: &str) -> ElementKind {
    use ElementKind::*;
    match ty {
        "inject" | "http in" | "complete" | "mqtt in" | "tcp in" | "udp in" | "websocket in"
        | "watch" | "e-mail in" | "serial in" => Trigger,
        "catch" | "status" => ErrorHandler,
        "switch" | "rbe" | "filter" => Decision,
        "function" | "exec" => Code,
        "change" | "template" | "json" | "xml" | "yaml" | "csv" | "html" | "split" | "join"
        | "sort" | "batch" | "range" => Assignment,
        "http request" | "http response" | "mqtt out" | "tcp out" | "tcp request" | "udp out"
        | "websocket out" | "file" | "file in" => Action,
        "e-mail" | "email" => Message,
        "delay" | "trigger" => Wait,
        "link in" | "link out" | "link call" => Link,
        "comment" => Note,
        _ if ty.starts_with("subflow:") => Subflow,
        _ => Other,
    }
}

/// Whether a text or number field holds a non-empty, non-zero value (`repeat: ""`, `"0"`).
fn is_set(value: Option<&Node>) -> bool {
    match value {
        Some(node) => match node.as_str() {
            Some(text) => {
                let text = text.trim();
                !text.is_empty() && text.parse::<f64>() != Ok(0.0)
            }
            None => node.as_f64().is_some_and(|n| n != 0.0),
        },
        None => false,
    }
}

/// How a trigger node starts the flow, and how strongly it says so: real triggers (0)
/// before `catch`/`status`/`complete` (1) before manual injects (2).
fn flow_trigger(ty: &str, node: &Node) -> (u8, FlowTrigger) {
    match ty {
        "http in" => (0, FlowTrigger::Webhook),
        "inject" if is_set(node.get("repeat")) || is_set(node.get("crontab")) => {
            (0, FlowTrigger::Schedule)
        }
        "inject" if node.get("once").and_then(Node::as_bool) == Some(true) => {
            (0, FlowTrigger::Event("startup".to_owned()))
        }
        "inject" => (2, FlowTrigger::Manual),
        "catch" | "status" | "complete" => (1, FlowTrigger::Event(ty.to_owned())),
        _ => (0, FlowTrigger::Event(ty.to_owned())),
    }
}

/// A node of the file that became an element, with what is needed after the first pass.
struct Pending<'a> {
    node: &'a Node,
    id: &'a str,
    ty: &'a str,
    element: Element,
}

/// The nodes of a flow file after the first pass.
struct Sorted<'a> {
    tabs: Vec<&'a Node>,
    subflows: Vec<&'a Node>,
    pending: Vec<Pending<'a>>,
}

impl<'a> Pending<'a> {
    /// A node that becomes an element, before its connections are read.
    fn new(item: &'a Node, id: &'a str, id_node: &Node, ty: &'a str) -> Self {
        let label = item
            .get("name")
            .and_then(Node::as_str)
            .filter(|name| !name.is_empty())
            .map(str::to_owned);
        Pending {
            node: item,
            id,
            ty,
            element: Element {
                id: Located::new(id.to_owned(), id_node.span),
                label,
                kind: element_kind(ty),
                platform_type: ty.to_owned(),
                platform_id: None,
                connections: Vec::new(),
                disabled: item.get("d").and_then(Node::as_bool) == Some(true),
                error_handling: ErrorHandling::Stop,
                span: item.span,
            },
        }
    }
}

/// Adds the trigger and error-handler elements to `entries`, and picks the flow's trigger:
/// enabled before disabled, then by [`flow_trigger`]'s rank, the first of equals.
fn trigger_and_entries(pending: &[Pending<'_>], entries: &mut Vec<Located<String>>) -> FlowTrigger {
    let mut trigger: Option<((bool, u8), FlowTrigger)> = None;
    for p in pending {
        let element = &p.element;
        if !matches!(
            element.kind,
            ElementKind::Trigger | ElementKind::ErrorHandler
        ) {
            continue;
        }
        if !entries.contains(&element.id) {
            entries.push(element.id.clone());
        }
        let (rank, how) = flow_trigger(p.ty, p.node);
        let key = (element.disabled, rank);
        if trigger.as_ref().is_none_or(|(best, _)| key < *best) {
            trigger = Some((key, how));
        }
    }
    trigger.map(|(_, how)| how).unwrap_or_default()
}

/// The non-empty text of `node`'s `key`.
fn non_empty_text(node: Option<&Node>, key: &str) -> Option<String> {
    node.and_then(|n| n.get(key))
        .and_then(Node::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Reads one flow file, collecting diagnostics.
struct Reader<'s> {
    source: &'s SourceText,
    diagnostics: Vec<Diagnostic>,
}

impl Reader<'_> {
    fn error(&mut self, code: &str, message: String, span: Span, help: &str) {
        self.diagnostics.push(
            Diagnostic::error(code, message)
                .at(self.source, span)
                .with_help(help),
        );
    }

    fn flow(&mut self, root: &Arc<Node>, shape: &Shape<'_>) -> Flow {
        let (items, module) = match *shape {
            Shape::Nodes(items) => (items, None),
            Shape::Module(module, items) => (items, Some(module)),
        };
        let Sorted {
            tabs,
            subflows,
            mut pending,
        } = self.sort(items, module);
        let elements_by_id: HashSet<&str> = pending.iter().map(|p| p.id).collect();
        let disabled_tabs: HashSet<&str> = tabs
            .iter()
            .filter(|tab| tab.get("disabled").and_then(Node::as_bool) == Some(true))
            .filter_map(|tab| tab.get("id").and_then(Node::as_str))
            .collect();
        for p in &mut pending {
            self.connect(p, &elements_by_id, &disabled_tabs);
        }
        // Failures of the nodes an enabled `catch` node watches are handled by its path.
        let covered = caught(&pending);
        for p in &mut pending {
            if covered.contains(p.id) {
                p.element.error_handling = ErrorHandling::Path;
            }
        }
        let mut entries = self.subflow_entries(&subflows, &elements_by_id);
        let mut variables = Vec::new();
        for scope in subflows.iter().chain(&tabs) {
            self.env(scope, &mut variables);
        }
        let trigger = trigger_and_entries(&pending, &mut entries);
        let first_tab = tabs.first().copied();
        Flow {
            dialect: Dialect::NodeRed,
            label: non_empty_text(first_tab, "label")
                .or_else(|| non_empty_text(module, "name"))
                .or_else(|| file_stem(self.source.path())),
            description: non_empty_text(first_tab, "info")
                .or_else(|| non_empty_text(module, "info")),
            trigger,
            active: tabs.is_empty() || tabs.len() > disabled_tabs.len(),
            elements: pending.into_iter().map(|p| p.element).collect(),
            entries,
            variables,
            original: self.source.shared_text(),
            document: FlowDocument::Json(Arc::clone(root)),
        }
    }

    /// First pass: ids (a repeated id is FG013 and its node dropped), then tabs, subflow
    /// definitions and the nodes that become elements.
    fn sort<'a>(&mut self, items: &'a [Node], module: Option<&'a Node>) -> Sorted<'a> {
        let mut seen: HashMap<&str, Span> = HashMap::new();
        let mut sorted = Sorted {
            tabs: Vec::new(),
            subflows: module.into_iter().collect(),
            pending: Vec::new(),
        };
        for item in items {
            let Some((id, id_node, ty)) = self.identify(item) else {
                continue;
            };
            if let Some(&first) = seen.get(id) {
                self.duplicate(id, id_node, first);
                continue;
            }
            seen.insert(id, id_node.span);
            match ty {
                "tab" => sorted.tabs.push(item),
                "subflow" => sorted.subflows.push(item),
                "group" => {}
                _ if item.get("x").is_none() && item.get("wires").is_none() => {} // config node
                _ => sorted.pending.push(Pending::new(item, id, id_node, ty)),
            }
        }
        sorted
    }

    /// A node whose id repeats that of the node at `first`.
    fn duplicate(&mut self, id: &str, id_node: &Node, first: Span) {
        let first_line = self.source.locate(first).start.line;
        self.error(
            codes::STEP_GRAPH,
            format!("two nodes have the id `{id}`"),
            id_node.span,
            &format!(
                "node ids must be unique in a flow; this one repeats the node on line \
                 {first_line} and is ignored"
            ),
        );
    }

    /// Second pass, for one element: disabled by its tab, its connections (wires and
    /// `links`), and the references it makes (`links` of other nodes, `scope`).
    fn connect(
        &mut self,
        p: &mut Pending<'_>,
        elements_by_id: &HashSet<&str>,
        disabled_tabs: &HashSet<&str>,
    ) {
        if let Some(z) = p.node.get("z").and_then(Node::as_str) {
            if disabled_tabs.contains(z) {
                p.element.disabled = true;
            }
        }
        let mut connections = Vec::new();
        self.wires(p.node, elements_by_id, &mut connections);
        let link_kind = match p.ty {
            "link out" if p.node.get("mode").and_then(Node::as_str) != Some("return") => {
                Some("link")
            }
            "link call" => Some("link call"),
            _ => None,
        };
        if let Some(kind) = link_kind {
            for target in self.ids(p.node, "links", elements_by_id) {
                connections.push(Connection {
                    kind: ConnectionKind::Auxiliary(kind.to_owned()),
                    target,
                });
            }
        } else {
            // `link in` lists the `link out`s that reach it; `catch`, `status` and
            // `complete` list the nodes they watch. References, not connections.
            self.ids(p.node, "links", elements_by_id);
        }
        self.ids(p.node, "scope", elements_by_id);
        p.element.connections = connections;
    }

    /// The nodes the subflows' inputs are wired to (their output ports are checked too).
    fn subflow_entries(
        &mut self,
        subflows: &[&Node],
        elements_by_id: &HashSet<&str>,
    ) -> Vec<Located<String>> {
        let mut entries: Vec<Located<String>> = Vec::new();
        for subflow in subflows {
            for port in ["in", "out"] {
                for target in self.port_ids(subflow, port, elements_by_id) {
                    if port == "in" && !entries.contains(&target) {
                        entries.push(target);
                    }
                }
            }
        }
        entries
    }

    /// The id and type of a node, or `None` (reported) when it has none.
    fn identify<'n>(&mut self, item: &'n Node) -> Option<(&'n str, &'n Node, &'n str)> {
        const HELP: &str = "every node of a flow is an object with a string `id` and `type`";
        if item.as_map().is_none() {
            self.error(
                codes::WRONG_TYPE,
                format!("a Node-RED node is an object, found {}", item.type_name()),
                item.span,
                HELP,
            );
            return None;
        }
        let mut field = |key: &str| match item.get(key) {
            None => {
                self.error(
                    codes::MISSING_FIELD,
                    format!("node without `{key}`"),
                    Span::point(item.span.start as usize),
                    HELP,
                );
                None
            }
            Some(value) => match value.as_str() {
                Some(text) => Some((text, value)),
                None => {
                    self.error(
                        codes::WRONG_TYPE,
                        format!("`{key}` must be a string, found {}", value.type_name()),
                        value.span,
                        HELP,
                    );
                    None
                }
            },
        };
        let id = field("id");
        let ty = field("type");
        let ((id, id_node), (ty, _)) = (id?, ty?);
        Some((id, id_node, ty))
    }

    /// Outgoing wires of a node as numbered outputs; dangling targets are FG013.
    fn wires(&mut self, node: &Node, elements: &HashSet<&str>, out: &mut Vec<Connection>) {
        const HELP: &str = "`wires` is a list with one list of target node ids per output, \
                            e.g. `[[\"a1\", \"b2\"], []]`";
        let Some(wires) = node.get("wires") else {
            return;
        };
        let Some(ports) = wires.as_seq() else {
            if !wires.is_null() {
                self.error(
                    codes::WRONG_TYPE,
                    format!("`wires` must be a list, found {}", wires.type_name()),
                    wires.span,
                    HELP,
                );
            }
            return;
        };
        for (port, targets) in ports.iter().enumerate() {
            let Some(targets) = targets.as_seq() else {
                if !targets.is_null() {
                    self.error(
                        codes::WRONG_TYPE,
                        format!(
                            "output {port} in `wires` must be a list of node ids, found {}",
                            targets.type_name()
                        ),
                        targets.span,
                        HELP,
                    );
                }
                continue;
            };
            for target in targets {
                if let Some(target) = self.reference(target, "wires", elements) {
                    out.push(Connection {
                        kind: ConnectionKind::Output(u32::try_from(port).unwrap_or(u32::MAX)),
                        target,
                    });
                }
            }
        }
    }

    /// The ids listed in `key` (`links`, `scope`) that name elements; others are reported.
    fn ids(&mut self, node: &Node, key: &str, elements: &HashSet<&str>) -> Vec<Located<String>> {
        let Some(value) = node.get(key) else {
            return Vec::new();
        };
        let Some(items) = value.as_seq() else {
            // `scope: null` (all nodes) and `scope: "group"` are valid; only a list names ids.
            if !value.is_null() && value.as_str().is_none() {
                self.error(
                    codes::WRONG_TYPE,
                    format!(
                        "`{key}` must be a list of node ids, found {}",
                        value.type_name()
                    ),
                    value.span,
                    "write a list of node ids, e.g. `[\"a1\", \"b2\"]`",
                );
            }
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|item| self.reference(item, key, elements))
            .collect()
    }

    /// The node ids a subflow's `in` or `out` ports are wired to (`[{ "wires": [{ "id" }] }]`).
    fn port_ids(
        &mut self,
        subflow: &Node,
        key: &str,
        elements: &HashSet<&str>,
    ) -> Vec<Located<String>> {
        let mut found = Vec::new();
        let ports = subflow.get(key).and_then(Node::as_seq).unwrap_or_default();
        for port in ports {
            let wires = port.get("wires").and_then(Node::as_seq).unwrap_or_default();
            for wire in wires {
                if let Some(id) = wire.get("id") {
                    if let Some(target) = self.reference(id, key, elements) {
                        found.push(target);
                    }
                }
            }
        }
        found
    }

    /// One id reference: a string naming an element of the file, else reported.
    fn reference(
        &mut self,
        id: &Node,
        key: &str,
        elements: &HashSet<&str>,
    ) -> Option<Located<String>> {
        let Some(text) = id.as_str() else {
            self.error(
                codes::WRONG_TYPE,
                format!(
                    "a node id in `{key}` must be a string, found {}",
                    id.type_name()
                ),
                id.span,
                "node ids are strings such as `\"f51b8a1a.95b448\"`",
            );
            return None;
        };
        if !elements.contains(text) {
            self.error(
                codes::STEP_GRAPH,
                format!("`{key}` refers to `{text}`, which is not a node of this flow"),
                id.span,
                "the node was deleted or not exported with this flow: export it too, or \
                 remove the reference",
            );
            return None;
        }
        Some(Located::new(text.to_owned(), id.span))
    }

    /// `env` entries of a tab or subflow as variables.
    fn env(&mut self, scope: &Node, variables: &mut Vec<Variable>) {
        let entries = scope.get("env").and_then(Node::as_seq).unwrap_or_default();
        for entry in entries {
            let Some(name) = entry.get("name") else {
                continue;
            };
            let Some(text) = name.as_str() else {
                continue;
            };
            variables.push(Variable {
                name: Located::new(text.to_owned(), name.span),
                data_type: entry.get("type").and_then(Node::as_str).map(str::to_owned),
                declaration: "env".to_owned(),
                span: entry.span,
            });
        }
    }
}

/// The ids of the nodes an enabled `catch` node watches: those in its `scope` list, or with
/// `scope: null` every node of its tab or subflow, or with `scope: "group"` every node of its
/// group.
fn caught<'a>(pending: &[Pending<'a>]) -> HashSet<&'a str> {
    let text = |node: &'a Node, key: &str| node.get(key).and_then(Node::as_str);
    let mut covered = HashSet::new();
    for catcher in pending {
        if catcher.ty != "catch" || catcher.element.disabled {
            continue;
        }
        let scope = catcher.node.get("scope");
        if let Some(ids) = scope.and_then(Node::as_seq) {
            covered.extend(ids.iter().filter_map(Node::as_str));
            continue;
        }
        let same = match scope.and_then(Node::as_str) {
            Some("group") => "g",
            Some(_) => continue,
            None => "z",
        };
        let home = text(catcher.node, same);
        if same == "g" && home.is_none() {
            continue;
        }
        covered.extend(
            pending
                .iter()
                .filter(|p| p.ty != "catch" && text(p.node, same) == home)
                .map(|p| p.id),
        );
    }
    covered
}

/// The file name without its extension.
fn file_stem(path: &str) -> Option<String> {
    std::path::Path::new(path)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn run(text: &str) -> (Option<Imported>, Vec<Diagnostic>) {
        import(&SourceText::new(
            "examples/01 - Link within a tab.json",
            text,
        ))
    }

    fn flow(text: &str) -> Flow {
        let (imported, diagnostics) = run(text);
        assert!(diagnostics.is_empty(), "{diagnostics:#?}");
        imported.expect("a flow").flow
    }

    fn line_of(d: &Diagnostic) -> u32 {
        d.location.as_ref().expect("located").start.line
    }

    fn kinds(element: &Element) -> Vec<(ConnectionKind, &str)> {
        element
            .connections
            .iter()
            .map(|c| (c.kind.clone(), c.target.value.as_str()))
            .collect()
    }

    #[test]
    fn a_flow_file_is_one_flow() {
        let text = r#"[
  {"id": "t1", "type": "tab", "label": "Orders", "disabled": false, "info": "Sync orders"},
  {"id": "n1", "type": "inject", "z": "t1", "name": "tick", "repeat": "", "crontab": "", "once": false, "x": 1, "y": 2, "wires": [["n2"]]},
  {"id": "n2", "type": "debug", "z": "t1", "name": "", "x": 3, "y": 4, "wires": []},
  {"id": "b1", "type": "mqtt-broker", "name": "broker", "broker": "localhost"}
]"#;
        let (imported, diagnostics) = run(text);
        assert!(diagnostics.is_empty());
        let imported = imported.unwrap();
        assert_eq!(imported.id, "01-Link-within-a-tab");
        assert_eq!(imported.name.as_deref(), Some("Orders"));
        assert_eq!(imported.description.as_deref(), Some("Sync orders"));
        let flow = imported.flow;
        assert_eq!(flow.dialect, Dialect::NodeRed);
        assert!(flow.active);
        assert_eq!(
            flow.elements.len(),
            2,
            "tab and config node are not elements"
        );
        let n1 = &flow.elements[0];
        assert_eq!(n1.id.value, "n1");
        assert_eq!(
            &text[n1.id.span.start as usize..n1.id.span.end as usize],
            "\"n1\""
        );
        assert_eq!(n1.label.as_deref(), Some("tick"));
        assert_eq!(n1.platform_type, "inject");
        assert_eq!(n1.kind, ElementKind::Trigger);
        assert_eq!(kinds(n1), vec![(ConnectionKind::Output(0), "n2")]);
        let whole = &text[n1.span.start as usize..n1.span.end as usize];
        assert!(whole.starts_with("{\"id\": \"n1\"") && whole.ends_with("]]}"));
        assert_eq!(flow.elements[1].label, None, "empty names are no label");
        assert_eq!(flow.entries.len(), 1);
        assert_eq!(flow.trigger, FlowTrigger::Manual);
        assert_eq!(&*flow.original, text);
    }

    #[test]
    fn without_a_tab_the_label_is_the_file_stem() {
        let flow =
            flow(r#"[{"id": "a", "type": "debug", "z": "gone", "x": 1, "y": 1, "wires": []}]"#);
        assert_eq!(flow.label.as_deref(), Some("01 - Link within a tab"));
        assert!(flow.active);
        assert_eq!(flow.trigger, FlowTrigger::Invoked);
    }

    #[test]
    fn disabled_tabs_and_nodes() {
        let flow = flow(
            r#"[{"id": "t1", "type": "tab", "label": "A", "disabled": true},
                {"id": "t2", "type": "tab", "label": "B", "disabled": false},
                {"id": "a", "type": "function", "z": "t1", "x": 1, "wires": []},
                {"id": "b", "type": "function", "z": "t2", "x": 1, "wires": [], "d": true},
                {"id": "c", "type": "function", "z": "t2", "x": 1, "wires": []}]"#,
        );
        let disabled: Vec<bool> = flow.elements.iter().map(|e| e.disabled).collect();
        assert_eq!(disabled, vec![true, true, false]);
        assert!(flow.active);
        let all_off = super::tests::flow(
            r#"[{"id": "t1", "type": "tab", "label": "A", "disabled": true},
                {"id": "a", "type": "function", "z": "t1", "x": 1, "wires": []}]"#,
        );
        assert!(!all_off.active);
    }

    #[test]
    fn element_kinds_by_type() {
        use ElementKind::*;
        let cases = [
            ("inject", Trigger),
            ("http in", Trigger),
            ("mqtt in", Trigger),
            ("complete", Trigger),
            ("catch", ErrorHandler),
            ("status", ErrorHandler),
            ("switch", Decision),
            ("function", Code),
            ("change", Assignment),
            ("template", Assignment),
            ("json", Assignment),
            ("xml", Assignment),
            ("csv", Assignment),
            ("split", Assignment),
            ("join", Assignment),
            ("http request", Action),
            ("mqtt out", Action),
            ("tcp out", Action),
            ("e-mail", Message),
            ("delay", Wait),
            ("trigger", Wait),
            ("link in", Link),
            ("link out", Link),
            ("link call", Link),
            ("subflow:abc", Subflow),
            ("comment", Note),
            ("debug", Other),
            ("ui_button", Other),
        ];
        for (ty, kind) in cases {
            let text = format!(r#"[{{"id": "a", "type": "{ty}", "x": 1, "y": 1, "wires": []}}]"#);
            assert_eq!(flow(&text).elements[0].kind, kind, "{ty}");
        }
    }

    #[test]
    fn wires_are_numbered_outputs() {
        let flow = flow(
            r#"[{"id": "s", "type": "switch", "x": 1, "wires": [["a", "b"], [], ["a"]]},
                {"id": "a", "type": "debug", "x": 1, "wires": []},
                {"id": "b", "type": "debug", "x": 1, "wires": []}]"#,
        );
        assert_eq!(
            kinds(&flow.elements[0]),
            vec![
                (ConnectionKind::Output(0), "a"),
                (ConnectionKind::Output(0), "b"),
                (ConnectionKind::Output(2), "a"),
            ]
        );
    }

    #[test]
    fn link_nodes_connect_through_their_links() {
        let flow = flow(
            r#"[{"id": "out", "type": "link out", "links": ["in"], "x": 1, "wires": []},
                {"id": "ret", "type": "link out", "mode": "return", "links": [], "x": 1, "wires": []},
                {"id": "call", "type": "link call", "links": ["in"], "x": 1, "wires": [["d"]]},
                {"id": "in", "type": "link in", "links": ["out"], "x": 1, "wires": [["ret"]]},
                {"id": "d", "type": "debug", "x": 1, "wires": []}]"#,
        );
        assert_eq!(
            kinds(flow.element("out").unwrap()),
            vec![(ConnectionKind::Auxiliary("link".into()), "in")]
        );
        assert!(flow.element("ret").unwrap().connections.is_empty());
        assert_eq!(
            kinds(flow.element("call").unwrap()),
            vec![
                (ConnectionKind::Output(0), "d"),
                (ConnectionKind::Auxiliary("link call".into()), "in")
            ]
        );
        assert_eq!(
            kinds(flow.element("in").unwrap()),
            vec![(ConnectionKind::Output(0), "ret")],
            "a link in's back-references are not connections"
        );
        assert!(flow.entries.is_empty());
    }

    #[test]
    fn nodes_watched_by_a_catch_node_handle_errors_through_it() {
        let flow = flow(
            r#"[{"id": "a", "type": "function", "z": "t1", "x": 1, "wires": []},
                {"id": "b", "type": "function", "z": "t1", "g": "g1", "x": 1, "wires": []},
                {"id": "c", "type": "function", "z": "t2", "g": "g1", "x": 1, "wires": []},
                {"id": "d", "type": "function", "z": "t3", "x": 1, "wires": []},
                {"id": "e", "type": "function", "z": "t4", "x": 1, "wires": []},
                {"id": "c1", "type": "catch", "z": "t1", "scope": null, "x": 1, "wires": []},
                {"id": "c2", "type": "catch", "z": "t2", "g": "g1", "scope": "group", "x": 1, "wires": []},
                {"id": "c3", "type": "catch", "z": "t9", "scope": ["d"], "x": 1, "wires": []},
                {"id": "c4", "type": "catch", "z": "t4", "d": true, "x": 1, "wires": []}]"#,
        );
        let handled: Vec<(&str, ErrorHandling)> = flow
            .elements
            .iter()
            .take(5)
            .map(|e| (e.id.value.as_str(), e.error_handling))
            .collect();
        assert_eq!(
            handled,
            vec![
                ("a", ErrorHandling::Path),
                ("b", ErrorHandling::Path),
                ("c", ErrorHandling::Path),
                ("d", ErrorHandling::Path),
                ("e", ErrorHandling::Stop),
            ]
        );
    }

    #[test]
    fn flow_triggers() {
        let trigger_of = |nodes: &str| flow(&format!("[{nodes}]")).trigger;
        assert_eq!(
            trigger_of(r#"{"id": "a", "type": "http in", "x": 1, "wires": []}"#),
            FlowTrigger::Webhook
        );
        assert_eq!(
            trigger_of(
                r#"{"id": "a", "type": "inject", "repeat": "5", "crontab": "", "x": 1, "wires": []}"#
            ),
            FlowTrigger::Schedule
        );
        assert_eq!(
            trigger_of(
                r#"{"id": "a", "type": "inject", "repeat": "", "crontab": "00 12 * * *", "x": 1, "wires": []}"#
            ),
            FlowTrigger::Schedule
        );
        assert_eq!(
            trigger_of(
                r#"{"id": "a", "type": "inject", "repeat": "", "crontab": "", "once": true, "x": 1, "wires": []}"#
            ),
            FlowTrigger::Event("startup".into())
        );
        assert_eq!(
            trigger_of(
                r#"{"id": "a", "type": "inject", "repeat": "", "crontab": "", "x": 1, "wires": []}"#
            ),
            FlowTrigger::Manual
        );
        assert_eq!(
            trigger_of(r#"{"id": "a", "type": "mqtt in", "x": 1, "wires": []}"#),
            FlowTrigger::Event("mqtt in".into())
        );
        assert_eq!(
            trigger_of(
                r#"{"id": "c", "type": "catch", "scope": null, "x": 1, "wires": []},
                   {"id": "a", "type": "inject", "repeat": "", "x": 1, "wires": []},
                   {"id": "h", "type": "http in", "x": 1, "wires": []}"#
            ),
            FlowTrigger::Webhook
        );
        assert_eq!(
            trigger_of(r#"{"id": "c", "type": "catch", "scope": null, "x": 1, "wires": []}"#),
            FlowTrigger::Event("catch".into())
        );
    }

    #[test]
    fn entries_are_triggers_and_error_handlers() {
        let flow = flow(
            r#"[{"id": "i", "type": "inject", "x": 1, "wires": [["f"]]},
                {"id": "f", "type": "function", "x": 1, "wires": [[]]},
                {"id": "c", "type": "catch", "scope": ["f"], "x": 1, "wires": [["f"]]},
                {"id": "s", "type": "status", "scope": null, "x": 1, "wires": []}]"#,
        );
        let entries: Vec<&str> = flow.entries.iter().map(|e| e.value.as_str()).collect();
        assert_eq!(entries, vec!["i", "c", "s"]);
    }

    #[test]
    fn subflows_are_not_elements_and_their_input_is_an_entry() {
        let flow = flow(
            r#"[{"id": "sf", "type": "subflow", "name": "Helper",
                 "in": [{"x": 1, "y": 1, "wires": [{"id": "f"}]}],
                 "out": [{"x": 1, "y": 1, "wires": [{"id": "f", "port": 0}]}],
                 "env": [{"name": "API_URL", "type": "str", "value": "x"}]},
                {"id": "f", "type": "function", "z": "sf", "x": 1, "wires": [[]]},
                {"id": "use", "type": "subflow:sf", "z": "t", "x": 1, "wires": [[]]},
                {"id": "g", "type": "group", "z": "t", "nodes": ["use"], "x": 1, "y": 1, "w": 9, "h": 9}]"#,
        );
        let ids: Vec<&str> = flow.elements.iter().map(|e| e.id.value.as_str()).collect();
        assert_eq!(ids, vec!["f", "use"]);
        assert_eq!(flow.elements[1].kind, ElementKind::Subflow);
        assert_eq!(flow.entries.len(), 1);
        assert_eq!(flow.entries[0].value, "f");
        assert_eq!(flow.variables.len(), 1);
        assert_eq!(flow.variables[0].name.value, "API_URL");
        assert_eq!(flow.variables[0].data_type.as_deref(), Some("str"));
    }

    #[test]
    fn a_subflow_module_is_a_flow() {
        let flow = flow(
            r#"{"id": "sf", "type": "subflow", "name": "Module", "info": "does things",
                "in": [{"wires": [{"id": "f"}]}], "out": [],
                "flow": [{"id": "f", "type": "function", "z": "sf", "x": 1, "wires": [["c"]]},
                         {"id": "c", "type": "change", "z": "sf", "x": 1, "wires": [[]]}]}"#,
        );
        assert_eq!(flow.label.as_deref(), Some("Module"));
        assert_eq!(flow.description.as_deref(), Some("does things"));
        assert_eq!(flow.elements.len(), 2);
        assert_eq!(flow.entries[0].value, "f");
    }

    #[test]
    fn the_admin_api_form_is_read() {
        let flow =
            flow(r#"{"rev": "abc", "flows": [{"id": "a", "type": "debug", "x": 1, "wires": []}]}"#);
        assert_eq!(flow.elements.len(), 1);
    }

    #[test]
    fn dangling_references_are_fg013_at_the_reference() {
        let text = "[{\"id\": \"a\", \"type\": \"inject\", \"x\": 1,\n\
                    \"wires\": [[\"gone\"]]},\n\
                    {\"id\": \"o\", \"type\": \"link out\", \"links\": [\"a\", \"lost\"], \"x\": 1, \"wires\": []},\n\
                    {\"id\": \"c\", \"type\": \"catch\", \"scope\": [\"missing\"], \"x\": 1, \"wires\": []}]";
        let (imported, diagnostics) = run(text);
        let flow = imported.unwrap().flow;
        assert!(flow.elements[0].connections.is_empty());
        assert_eq!(flow.elements[1].connections.len(), 1);
        let got: Vec<(&str, u32)> = diagnostics
            .iter()
            .map(|d| (d.code.as_str(), line_of(d)))
            .collect();
        assert_eq!(got, vec![("FG013", 2), ("FG013", 3), ("FG013", 4)]);
        let span = diagnostics[0].location.as_ref().unwrap().span;
        assert_eq!(&text[span.start as usize..span.end as usize], "\"gone\"");
    }

    #[test]
    fn duplicate_ids_are_fg013_and_the_second_is_dropped() {
        let text = "[{\"id\": \"a\", \"type\": \"debug\", \"x\": 1, \"wires\": []},\n\
                    {\"id\": \"a\", \"type\": \"function\", \"x\": 1, \"wires\": []}]";
        let (imported, diagnostics) = run(text);
        let flow = imported.unwrap().flow;
        assert_eq!(flow.elements.len(), 1);
        assert_eq!(flow.elements[0].kind, ElementKind::Other);
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].code, "FG013");
        assert_eq!(line_of(&diagnostics[0]), 2);
    }

    #[test]
    fn broken_nodes_are_reported_and_skipped() {
        let text = r#"[7, {"type": "debug"}, {"id": 3, "type": "debug"},
            {"id": "a", "type": "debug", "x": 1, "wires": "b"},
            {"id": "b", "type": "debug", "x": 1, "wires": [["a", 5], "c"]},
            {"id": "c", "type": "catch", "x": 1, "scope": 4, "wires": []}]"#;
        let (imported, diagnostics) = run(text);
        let flow = imported.unwrap().flow;
        assert_eq!(flow.elements.len(), 3);
        assert_eq!(flow.elements[1].connections.len(), 1);
        let codes: Vec<&str> = diagnostics.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(
            codes,
            vec!["FG005", "FG004", "FG005", "FG005", "FG005", "FG005", "FG005"]
        );
        assert!(diagnostics.iter().all(|d| d.location.is_some()));
    }

    #[test]
    fn syntax_errors_are_fg002() {
        let (imported, diagnostics) = run("[{\"id\": \"a\",\n \"type\": }]");
        assert!(imported.is_none());
        assert_eq!(diagnostics[0].code, "FG002");
        assert_eq!(line_of(&diagnostics[0]), 2);
    }

    #[test]
    fn documents_that_are_not_flows_are_fg005() {
        for (text, message) in [
            ("42", "the document is an integer"),
            (
                r#"{"name": "x", "version": "1.0.0", "dependencies": {}}"#,
                "package.json",
            ),
            (r#"{"uiPort": 1880}"#, "the document is an object"),
            (r#"{"id": "a", "type": "inject"}"#, "a single `inject` node"),
            (r#"[1, {"a": 2}]"#, "none of the array's items"),
        ] {
            let (imported, diagnostics) = run(text);
            assert!(imported.is_none(), "{text}");
            assert_eq!(diagnostics.len(), 1, "{text}");
            assert_eq!(diagnostics[0].code, "FG005");
            assert!(
                diagnostics[0].message.contains(message),
                "{text}: {diagnostics:?}"
            );
            assert!(diagnostics[0].location.is_some());
        }
        let (imported, diagnostics) = run("[]");
        assert!(imported.unwrap().flow.elements.is_empty());
        assert!(diagnostics.is_empty());
    }
}

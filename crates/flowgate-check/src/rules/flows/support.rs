//! The flow graph as the platform-flow rules see it: which elements execution can reach from
//! the flow's entries, and which elements run once per item of a loop.
//!
//! Connections are followed as the platform runs them, with two dialect details:
//!
//! - n8n AI sub-nodes (a chat model, a memory, a tool) are wired *to* the agent or chain that
//!   uses them with an [`ConnectionKind::Auxiliary`] connection; they run when that node
//!   runs, so an auxiliary connection makes its *source* reachable from its target.
//! - Node-RED `link out` and `link call` nodes pass messages to `link in` nodes; the loader
//!   lowers those links to auxiliary connections, followed forwards like wires.

use crate::{CheckContext, Sink};
use flowgate_diagnostics::Span;
use flowgate_model::flow::{ConnectionKind, Dialect, Element, ElementKind, Flow};
use flowgate_syntax::{Node, XmlElement};
use std::collections::{HashMap, HashSet};

/// A flow's elements with their connections resolved to indices.
pub struct FlowGraph<'f> {
    /// The flow.
    pub flow: &'f Flow,
    /// `(connection kind, target index)` of each element's outgoing connections.
    outgoing: Vec<Vec<(&'f ConnectionKind, usize)>>,
    index: HashMap<&'f str, usize>,
}

impl<'f> FlowGraph<'f> {
    /// The graph of `flow`. Connections to elements that do not exist are left out (the
    /// loader reports them).
    pub fn new(flow: &'f Flow) -> Self {
        let mut index = HashMap::with_capacity(flow.elements.len());
        for (i, element) in flow.elements.iter().enumerate() {
            // Duplicate ids are reported by the loader; the first one wins, as there.
            index.entry(element.id.value.as_str()).or_insert(i);
        }
        let outgoing = flow
            .elements
            .iter()
            .map(|element| {
                element
                    .connections
                    .iter()
                    .filter_map(|c| Some((&c.kind, *index.get(c.target.value.as_str())?)))
                    .collect()
            })
            .collect();
        Self {
            flow,
            outgoing,
            index,
        }
    }

    /// The element at `i`.
    pub fn element(&self, i: usize) -> &'f Element {
        &self.flow.elements[i]
    }

    /// The index of the element with this id.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// How many connections lead to each element.
    fn incoming_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.flow.elements.len()];
        for edges in &self.outgoing {
            for (_, target) in edges {
                counts[*target] += 1;
            }
        }
        counts
    }

    /// Where execution can start: the flow's entries, and for Node-RED also the nodes that
    /// produce messages on their own (see [`node_red_sources`]).
    pub fn starts(&self) -> Vec<usize> {
        let mut starts: Vec<usize> = self
            .flow
            .entries
            .iter()
            .filter_map(|e| self.index_of(&e.value))
            .collect();
        if self.flow.dialect == Dialect::NodeRed {
            starts.extend(node_red_sources(self));
        }
        starts.sort_unstable();
        starts.dedup();
        starts
    }

    /// The elements reachable from `starts` through connections `follow` accepts. The
    /// starts themselves are reachable.
    pub fn reachable_from(
        &self,
        starts: &[usize],
        follow: impl Fn(&ConnectionKind) -> bool,
    ) -> Vec<bool> {
        let n = self.flow.elements.len();
        // n8n sub-nodes run when the node they are attached to runs.
        let mut users: Vec<Vec<usize>> = Vec::new();
        if self.flow.dialect == Dialect::N8n {
            users = vec![Vec::new(); n];
            for (source, edges) in self.outgoing.iter().enumerate() {
                for (kind, target) in edges {
                    if matches!(kind, ConnectionKind::Auxiliary(_)) {
                        users[*target].push(source);
                    }
                }
            }
        }
        let mut seen = vec![false; n];
        let mut stack: Vec<usize> = starts.to_vec();
        while let Some(i) = stack.pop() {
            if std::mem::replace(&mut seen[i], true) {
                continue;
            }
            for (kind, target) in &self.outgoing[i] {
                let backwards_only = self.flow.dialect == Dialect::N8n
                    && matches!(kind, ConnectionKind::Auxiliary(_));
                if !backwards_only && follow(kind) && !seen[*target] {
                    stack.push(*target);
                }
            }
            if let Some(sub_nodes) = users.get(i) {
                stack.extend(sub_nodes.iter().copied().filter(|s| !seen[*s]));
            }
        }
        seen
    }

    /// The loops of the flow with the elements that run once per item: `(loop index,
    /// membership by element index)`.
    ///
    /// An element is in a loop's body when execution can go from the loop into the element
    /// and from there back to the loop. Into the element: for a loop with
    /// [`ConnectionKind::LoopBody`] connections (Salesforce `loops`, n8n "Loop Over Items"),
    /// through them, not passing the loop again nor where its [`ConnectionKind::LoopDone`]
    /// connection leads; for a loop without them (n8n `splitInBatches` before version 3,
    /// whose one output feeds the batch), through any connection. Back to the loop: an
    /// element from which every path ends the flow (a fault path that ends, a branch
    /// without a connector back) runs at most once per run of the loop, so it is not in the
    /// body.
    pub fn loop_bodies(&self) -> Vec<(usize, Vec<bool>)> {
        let n = self.flow.elements.len();
        let mut bodies = Vec::new();
        for (l, element) in self.flow.elements.iter().enumerate() {
            if element.kind != ElementKind::Loop {
                continue;
            }
            let edges = &self.outgoing[l];
            let explicit = edges
                .iter()
                .any(|(kind, _)| **kind == ConnectionKind::LoopBody);
            let mut stop = vec![false; n];
            stop[l] = true;
            let mut stack = Vec::new();
            for (kind, target) in edges {
                match kind {
                    ConnectionKind::LoopBody => stack.push(*target),
                    ConnectionKind::LoopDone => stop[*target] = true,
                    _ if !explicit => stack.push(*target),
                    _ => {}
                }
            }
            let mut into = vec![false; n];
            while let Some(i) = stack.pop() {
                if stop[i] || std::mem::replace(&mut into[i], true) {
                    continue;
                }
                stack.extend(self.outgoing[i].iter().map(|(_, t)| *t));
            }
            let back = self.reaching(l);
            let members = into.iter().zip(&back).map(|(a, b)| *a && *b).collect();
            bodies.push((l, members));
        }
        bodies
    }

    /// The elements from which a path leads to `to` (`to` itself only when it is on a
    /// cycle).
    fn reaching(&self, to: usize) -> Vec<bool> {
        let n = self.flow.elements.len();
        let mut incoming: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (source, edges) in self.outgoing.iter().enumerate() {
            for (_, target) in edges {
                incoming[*target].push(source);
            }
        }
        let mut seen = vec![false; n];
        let mut stack = incoming[to].clone();
        while let Some(i) = stack.pop() {
            if std::mem::replace(&mut seen[i], true) {
                continue;
            }
            stack.extend(incoming[i].iter().copied());
        }
        seen
    }

    /// For each element inside a loop body, the innermost loop it belongs to (the loop with
    /// the smallest body containing it).
    pub fn enclosing_loops(&self) -> HashMap<usize, usize> {
        let bodies = self.loop_bodies();
        let mut out: HashMap<usize, (usize, usize)> = HashMap::new();
        for (l, members) in &bodies {
            let size = members.iter().filter(|m| **m).count();
            for (i, member) in members.iter().enumerate() {
                if !member {
                    continue;
                }
                let better = out.get(&i).is_none_or(|(_, best)| size < *best);
                if better {
                    out.insert(i, (*l, size));
                }
            }
        }
        out.into_iter().map(|(i, (l, _))| (i, l)).collect()
    }
}

/// Node-RED nodes that produce messages without an incoming wire, beyond the triggers the
/// loader lists as entries, among the nodes no wire or link leads to:
///
/// - nodes of types that are not Node-RED core nodes with an input port: contributed nodes
///   (`ui_button`, `rpi-gpio in`, …) cannot be told apart from sources by their type, and
///   the editor offers no port to wire into a source, so an unwired one is taken as one;
/// - instances of subflows that have no input port;
/// - `link in` nodes when a `link call` of the file picks its target at run time
///   (`linkType: "dynamic"`).
fn node_red_sources(graph: &FlowGraph<'_>) -> Vec<usize> {
    let Some(root) = graph.flow.document.json() else {
        return Vec::new();
    };
    let nodes = node_red_nodes(root);
    let inputless_subflows: HashSet<&str> = nodes
        .iter()
        .filter(|n| n.get("type").and_then(Node::as_str) == Some("subflow"))
        .filter(|n| {
            n.get("in")
                .and_then(Node::as_seq)
                .is_none_or(<[Node]>::is_empty)
        })
        .filter_map(|n| n.get("id").and_then(Node::as_str))
        .collect();
    let dynamic_links = nodes.iter().any(|n| {
        n.get("type").and_then(Node::as_str) == Some("link call")
            && n.get("linkType").and_then(Node::as_str) == Some("dynamic")
    });
    let incoming = graph.incoming_counts();
    graph
        .flow
        .elements
        .iter()
        .enumerate()
        .filter(|(i, element)| incoming[*i] == 0 && element.kind != ElementKind::Note)
        .filter(|(_, element)| {
            let ty = element.platform_type.as_str();
            match ty.strip_prefix("subflow:") {
                Some(id) => inputless_subflows.contains(id),
                None if ty == "link in" => dynamic_links,
                None => !NODE_RED_CORE_WITH_INPUT.contains(&ty),
            }
        })
        .map(|(i, _)| i)
        .collect()
}

/// Every node object of a Node-RED document (an array, `{ "flows": [...] }`, or a subflow
/// module whose `flow` lists its nodes, the module itself included).
pub fn node_red_nodes(root: &Node) -> Vec<&Node> {
    if let Some(items) = root.as_seq() {
        return items.iter().collect();
    }
    if let Some(items) = root.get("flows").and_then(Node::as_seq) {
        return items.iter().collect();
    }
    let mut out = vec![root];
    if let Some(items) = root.get("flow").and_then(Node::as_seq) {
        out.extend(items);
    }
    out
}

/// Core Node-RED node types that have an input port: unwired, they never run.
const NODE_RED_CORE_WITH_INPUT: &[&str] = &[
    "debug",
    "function",
    "change",
    "switch",
    "range",
    "template",
    "delay",
    "trigger",
    "exec",
    "rbe",
    "filter",
    "http request",
    "http response",
    "mqtt out",
    "tcp out",
    "tcp request",
    "udp out",
    "websocket out",
    "file",
    "file in",
    "split",
    "join",
    "sort",
    "batch",
    "csv",
    "html",
    "json",
    "xml",
    "yaml",
    "link out",
    "link call",
    "junction",
    "e-mail",
];

/// How messages name an element, with its platform type: "element `Create_Case`
/// (recordCreates)", "node `Fetch orders` (n8n-nodes-base.httpRequest)", and for Node-RED,
/// whose ids mean nothing to readers, "node `Fetch orders` (http request, id `a1b2`)" or
/// "node `a1b2` (http request)" when it has no name.
pub fn describe(flow: &Flow, element: &Element) -> String {
    let noun = element_noun(flow);
    let id = &element.id.value;
    let ty = &element.platform_type;
    match (flow.dialect, &element.label) {
        (Dialect::NodeRed, Some(label)) => format!("{noun} `{label}` ({ty}, id `{id}`)"),
        _ => format!("{noun} `{id}` ({ty})"),
    }
}

/// What the platform calls a flow, for messages: "flow", or "workflow" for n8n.
pub fn flow_noun(flow: &Flow) -> &'static str {
    match flow.dialect {
        Dialect::N8n => "workflow",
        Dialect::Salesforce | Dialect::NodeRed => "flow",
    }
}

/// What the platform calls an element, for messages: "element", or "node" for n8n and
/// Node-RED.
pub fn element_noun(flow: &Flow) -> &'static str {
    match flow.dialect {
        Dialect::Salesforce => "element",
        Dialect::N8n | Dialect::NodeRed => "node",
    }
}

/// What a rule about work inside loops looks for and says.
pub struct LoopWork {
    /// Whether an element is such work.
    pub applies: fn(&Flow, &Element) -> bool,
    /// What each item costs in a Salesforce flow: completes "… runs once per item of loop
    /// `X`: ".
    pub salesforce_cost: &'static str,
    /// The same for the other dialects.
    pub cost: &'static str,
    /// What to do.
    pub help: &'static str,
}

/// Report every element `work` applies to that runs once per item of a loop (see
/// [`FlowGraph::loop_bodies`]), at the element, with the innermost loop as related place.
pub fn report_work_in_loops(ctx: &CheckContext<'_>, sink: &mut Sink, work: &LoopWork) {
    for (asset, flow) in ctx.flows() {
        if !flow.elements.iter().any(|e| e.kind == ElementKind::Loop) {
            continue;
        }
        let graph = FlowGraph::new(flow);
        let mut inside: Vec<(usize, usize)> = graph.enclosing_loops().into_iter().collect();
        inside.sort_unstable();
        for (i, l) in inside {
            let element = graph.element(i);
            if !(work.applies)(flow, element) {
                continue;
            }
            let the_loop = graph.element(l);
            let cost = match flow.dialect {
                Dialect::Salesforce => work.salesforce_cost,
                Dialect::N8n | Dialect::NodeRed => work.cost,
            };
            sink.report(
                asset,
                element.id.span,
                format!(
                    "{} of {} `{}` runs once per item of loop `{}`: {cost}",
                    describe(flow, element),
                    flow_noun(flow),
                    asset.id.value,
                    the_loop.id.value,
                ),
            )
            .help(work.help)
            .element(element.id.value.clone())
            .related(
                asset,
                the_loop.id.span,
                format!("loop `{}`", the_loop.id.value),
            );
        }
    }
}

/// One text value of a flow document: an XML element's text, or a JSON string.
#[derive(Debug, Clone)]
pub struct DocText<'a> {
    /// The text, with entities and escapes resolved.
    pub text: &'a str,
    /// Where it is written: an XML text's characters, a JSON string's content (quotes
    /// excluded).
    pub span: Span,
    /// The XML tag or JSON key it is the value of (for items of a JSON list, the list's key).
    pub key: Option<&'a str>,
    /// For the value of a name/value pair (n8n `{ "name": "Authorization", "value": … }`,
    /// Node-RED `{ "keyValue": …, "valueValue": … }`, Salesforce
    /// `<name>…</name><value><stringValue>…</stringValue></value>`), the name.
    pub pair_name: Option<&'a str>,
    /// The id of the element or resource it belongs to (Salesforce API name, n8n node name,
    /// Node-RED node id).
    pub owner: Option<&'a str>,
    /// Documentation rather than behaviour: Salesforce descriptions, n8n sticky notes and
    /// node notes, Node-RED comments and `info` texts.
    pub documentation: bool,
    /// Data kept with the workflow rather than configuration (n8n `pinData`).
    pub data: bool,
}

/// Every text value of a flow's document, in document order.
pub fn document_texts(flow: &Flow) -> Vec<DocText<'_>> {
    let mut out = Vec::new();
    if let Some(root) = flow.document.xml() {
        for child in &root.children {
            let owner = match child.name.value.as_str() {
                "start" => Some(START_NAME),
                _ => child.child_text("name"),
            };
            xml_texts(child, None, owner, false, &mut out);
        }
    } else if let Some(root) = flow.document.json() {
        let context = JsonContext {
            key: None,
            pair_name: None,
            owner: None,
            documentation: false,
            data: false,
        };
        match flow.dialect {
            Dialect::N8n => {
                for entry in root.as_map().unwrap_or_default() {
                    let key = entry.key.value.as_str();
                    let context = JsonContext {
                        key: Some(key),
                        data: key == "pinData",
                        ..context
                    };
                    if key == "nodes" {
                        for node in entry.value.as_seq().unwrap_or_default() {
                            let sticky = node
                                .get("type")
                                .and_then(Node::as_str)
                                .is_some_and(|t| t.ends_with(".stickyNote"));
                            let context = JsonContext {
                                owner: node.get("name").and_then(Node::as_str),
                                documentation: sticky,
                                ..context
                            };
                            json_texts(node, context, &mut out);
                        }
                    } else {
                        json_texts(&entry.value, context, &mut out);
                    }
                }
            }
            Dialect::NodeRed | Dialect::Salesforce => {
                for node in node_red_nodes(root) {
                    let comment = node.get("type").and_then(Node::as_str) == Some("comment");
                    let context = JsonContext {
                        owner: node.get("id").and_then(Node::as_str),
                        documentation: comment,
                        ..context
                    };
                    if node.get("flow").is_some() {
                        // A subflow module: its own fields only, the nodes come next.
                        for entry in node.as_map().unwrap_or_default() {
                            if entry.key.value != "flow" {
                                let key = Some(entry.key.value.as_str());
                                json_texts(&entry.value, JsonContext { key, ..context }, &mut out);
                            }
                        }
                    } else {
                        json_texts(node, context, &mut out);
                    }
                }
            }
        }
    }
    out
}

/// What [`document_texts`] calls the `start` element of a Salesforce flow.
const START_NAME: &str = "$start";

fn xml_texts<'a>(
    element: &'a XmlElement,
    pair_name: Option<&'a str>,
    owner: Option<&'a str>,
    documentation: bool,
    out: &mut Vec<DocText<'a>>,
) {
    let tag = element.name.value.as_str();
    let documentation = documentation || tag == "description";
    if let Some(text) = &element.text {
        out.push(DocText {
            text: &text.value,
            span: text.span,
            key: Some(tag),
            pair_name,
            owner,
            documentation,
            data: false,
        });
    }
    // `<inputParameters><name>Authorization</name><value><stringValue>…` : the name applies
    // to what is inside `value`.
    let name = element.child_text("name");
    for child in &element.children {
        let pair = if child.name.value == "value" {
            name
        } else if tag == "value" {
            pair_name
        } else {
            None
        };
        xml_texts(child, pair, owner, documentation, out);
    }
}

/// Where a JSON value sits, for [`json_texts`].
#[derive(Clone, Copy)]
struct JsonContext<'a> {
    key: Option<&'a str>,
    pair_name: Option<&'a str>,
    owner: Option<&'a str>,
    documentation: bool,
    data: bool,
}

fn json_texts<'a>(node: &'a Node, context: JsonContext<'a>, out: &mut Vec<DocText<'a>>) {
    if let Some(text) = node.as_str() {
        let inner = Span::new(
            (node.span.start as usize + 1).min(node.span.end as usize),
            (node.span.end as usize)
                .saturating_sub(1)
                .max(node.span.start as usize),
        );
        out.push(DocText {
            text,
            span: inner,
            key: context.key,
            pair_name: context.pair_name,
            owner: context.owner,
            documentation: context.documentation,
            data: context.data,
        });
    } else if let Some(items) = node.as_seq() {
        for item in items {
            json_texts(
                item,
                JsonContext {
                    pair_name: None,
                    ..context
                },
                out,
            );
        }
    } else if let Some(entries) = node.as_map() {
        let name = ["name", "keyValue", "key"]
            .iter()
            .find_map(|k| node.get(k).and_then(Node::as_str));
        for entry in entries {
            let key = entry.key.value.as_str();
            let pair_name = matches!(key, "value" | "valueValue")
                .then_some(name)
                .flatten();
            let documentation = context.documentation || matches!(key, "notes" | "info");
            json_texts(
                &entry.value,
                JsonContext {
                    key: Some(key),
                    pair_name,
                    documentation,
                    ..context
                },
                out,
            );
        }
    }
}

/// The span of `part` (a slice of `text.text`) in the file `source`: exact when the text is
/// written as it reads (no entities or escapes), else where `part` is written verbatim in
/// the text, else the whole text.
pub fn locate_part(source: &str, text: &DocText<'_>, part: &str) -> Span {
    let raw = source
        .get(text.span.start as usize..text.span.end as usize)
        .unwrap_or_default();
    let offset = (part.as_ptr() as usize).checked_sub(text.text.as_ptr() as usize);
    let exact = raw == text.text;
    let at = match offset {
        Some(offset) if exact && offset + part.len() <= raw.len() => Some(offset),
        _ => {
            let mut found = raw.match_indices(part).map(|(at, _)| at);
            match (found.next(), found.next()) {
                (Some(at), None) => Some(at),
                _ => None,
            }
        }
    };
    match at {
        Some(at) => {
            let start = text.span.start as usize + at;
            Span::new(start, start + part.len())
        }
        None => text.span,
    }
}

/// How messages name the owner of a text: the element (see [`describe`]), or, for a
/// Node-RED configuration node or anything else outside the elements, its id.
pub fn describe_owner(flow: &Flow, owner: Option<&str>) -> Option<String> {
    let owner = owner?;
    Some(match flow.element(owner) {
        Some(element) => describe(flow, element),
        None if flow.dialect == Dialect::Salesforce => {
            let declaration = flow
                .variables
                .iter()
                .find(|v| v.name.value == owner)
                .map(|v| v.declaration.as_str());
            format!("{} `{owner}`", resource_noun(declaration.unwrap_or("")))
        }
        None => format!("node `{owner}`"),
    })
}

/// What messages call a Salesforce resource declared with `tag`.
pub fn resource_noun(tag: &str) -> &'static str {
    match tag {
        "variables" => "variable",
        "formulas" => "formula",
        "constants" => "constant",
        "textTemplates" => "text template",
        "choices" => "choice",
        "dynamicChoiceSets" => "record choice set",
        _ => "resource",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flowgate_model::AssetSpec;

    fn flow(dialect: Dialect, path: &str, text: &str) -> Flow {
        let texts = [(path.to_owned(), text.to_owned())];
        let loaded = flowgate_load::load_platform_texts(std::path::Path::new("."), dialect, &texts);
        assert!(!loaded.has_errors(), "{:#?}", loaded.diagnostics);
        match &loaded.model.assets()[0].spec {
            AssetSpec::Flow(flow) => flow.clone(),
            other => panic!("not a flow: {other:?}"),
        }
    }

    fn body<'f>(graph: &FlowGraph<'f>) -> Vec<(&'f str, &'f str)> {
        let mut out: Vec<_> = graph
            .enclosing_loops()
            .into_iter()
            .map(|(i, l)| {
                (
                    graph.element(i).id.value.as_str(),
                    graph.element(l).id.value.as_str(),
                )
            })
            .collect();
        out.sort_unstable();
        out
    }

    #[test]
    fn a_loop_without_body_connections_has_the_elements_that_lead_back_to_it() {
        // n8n `splitInBatches` v1: one output feeds the batch; an IF ends the loop.
        let f = flow(
            Dialect::N8n,
            "batches.json",
            r#"{ "nodes": [
              { "name": "Start", "type": "n8n-nodes-base.manualTrigger", "parameters": {} },
              { "name": "Batches", "type": "n8n-nodes-base.splitInBatches", "typeVersion": 1, "parameters": {} },
              { "name": "Call", "type": "n8n-nodes-base.httpRequest", "parameters": {} },
              { "name": "More?", "type": "n8n-nodes-base.if", "parameters": {} },
              { "name": "After", "type": "n8n-nodes-base.set", "parameters": {} }
            ], "connections": {
              "Start": { "main": [[{ "node": "Batches", "type": "main", "index": 0 }]] },
              "Batches": { "main": [[{ "node": "Call", "type": "main", "index": 0 }]] },
              "Call": { "main": [[{ "node": "More?", "type": "main", "index": 0 }]] },
              "More?": { "main": [[{ "node": "After", "type": "main", "index": 0 }],
                                  [{ "node": "Batches", "type": "main", "index": 0 }]] }
            } }"#,
        );
        let graph = FlowGraph::new(&f);
        assert_eq!(body(&graph), [("Call", "Batches"), ("More?", "Batches")]);
    }

    #[test]
    fn nested_loops_give_the_innermost_one() {
        let f = flow(
            Dialect::Salesforce,
            "Nested.flow-meta.xml",
            "<Flow>\
             <loops><name>Outer</name><nextValueConnector><targetReference>Inner</targetReference>\
             </nextValueConnector><noMoreValuesConnector><targetReference>Done</targetReference>\
             </noMoreValuesConnector></loops>\
             <loops><name>Inner</name><nextValueConnector><targetReference>Write</targetReference>\
             </nextValueConnector><noMoreValuesConnector><targetReference>Outer</targetReference>\
             </noMoreValuesConnector></loops>\
             <recordUpdates><name>Write</name><connector><targetReference>Inner</targetReference>\
             </connector></recordUpdates>\
             <assignments><name>Done</name></assignments>\
             <start><connector><targetReference>Outer</targetReference></connector></start>\
             </Flow>",
        );
        let graph = FlowGraph::new(&f);
        assert_eq!(body(&graph), [("Inner", "Outer"), ("Write", "Inner")]);
    }
}

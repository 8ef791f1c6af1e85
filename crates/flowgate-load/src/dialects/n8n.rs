//! Importer for n8n workflow exports: the JSON object n8n downloads for one workflow
//! (`name`, `nodes`, `connections`, `active`, `settings`, …).
//!
//! | n8n | flowgate |
//! |---|---|
//! | workflow `name` / `active` (default `false`; `"true"` and `"false"` as strings are read as booleans with an FG005 warning, as n8n imports them) | [`Flow::label`] / [`Flow::active`] |
//! | node | [`Element`]: id and label = node `name` (connections are keyed by name), platform type = `type` |
//! | `*Trigger`, `webhook`, `cron`, `interval`, `start`, `emailReadImap` | [`ElementKind::Trigger`] |
//! | `errorTrigger` | [`ElementKind::ErrorHandler`] |
//! | `if`, `switch`, `filter` | [`ElementKind::Decision`] |
//! | `splitInBatches` | [`ElementKind::Loop`] |
//! | `set`, `merge`, `itemLists`, `aggregate`, `splitOut`, `renameKeys`, `sort`, `limit`, `removeDuplicates`, `summarize` | [`ElementKind::Assignment`] |
//! | `code`, `function`, `functionItem` | [`ElementKind::Code`] |
//! | `wait` | [`ElementKind::Wait`] |
//! | `executeWorkflow`, `toolWorkflow` | [`ElementKind::Subflow`] |
//! | `stickyNote` | [`ElementKind::Note`] |
//! | `emailSend`, `mailgun`, `mailjet`; `gmail`, `slack`, `telegram`, `discord`, … whose operation sends | [`ElementKind::Message`] |
//! | `noOp`, `stopAndError`, nodes of community packages | [`ElementKind::Other`] |
//! | any other `n8n-nodes-base.*` or `@n8n/n8n-nodes-langchain.*` node | [`ElementKind::Action`] |
//! | `main[i]` | [`ConnectionKind::Output`]`(i)`; `if`: `Outcome("true")` / `Outcome("false")`; `splitInBatches` v3: `LoopDone` / `LoopBody` |
//! | error output of a node with `onError: continueErrorOutput` | [`ConnectionKind::Fault`] |
//! | `ai_tool`, `ai_languageModel`, … | [`ConnectionKind::Auxiliary`]`(type)` |
//! | `onError: continueErrorOutput` / `continueRegularOutput` or `continueOnFail` / `retryOnFail` | [`ErrorHandling::Path`] / `Continue` / `Retry` |
//!
//! n8n indexes nodes by name: of nodes that share a name it keeps the last, and so does the
//! importer (each earlier one is an FG013 error at its name). Connections *from* a name that
//! is no node are never run by n8n: they are dropped with an FG013 warning. Connections *to*
//! a name that is no node make n8n fail the run when the source node finishes: FG013 error.
//!
//! Entries are the trigger and error-trigger elements. The flow's trigger comes from the first
//! enabled trigger, preferring real triggers over `executeWorkflowTrigger` (invoked) and over
//! manual ones: `webhook` → webhook, `scheduleTrigger`/`cron`/`interval` → schedule,
//! `manualTrigger`/`start` → manual, other triggers → event of their type, none → invoked.
//!
//! Credentials are never read: nodes name them in `credentials`, which stays in
//! [`Flow::original`] only. n8n node `id`s (UUIDs, absent from old exports) are not part of
//! the model either; a rename keeps the `id`, so a differ that needs to tell a rename from a
//! rewiring reads it from `original` at the element's span.

use super::{id_from_path, Imported};
use crate::codes;
use flowgate_diagnostics::{Diagnostic, SourceText, Span};
use flowgate_model::flow::{
    Connection, ConnectionKind, Dialect, Element, ElementKind, ErrorHandling, Flow, FlowDocument,
    FlowTrigger,
};
use flowgate_model::Located;
use flowgate_syntax::Node;
use std::collections::HashMap;
use std::sync::Arc;

/// The package of n8n's built-in nodes.
const BASE: &str = "n8n-nodes-base";
/// The package of n8n's AI (LangChain) nodes.
const LANGCHAIN: &str = "@n8n/n8n-nodes-langchain";

/// Import one n8n workflow export.
///
/// JSON syntax errors are FG002; a document that is not a workflow object with a `nodes`
/// list is FG005 and yields `None`. Inside a workflow, broken nodes are reported (FG004,
/// FG005, FG012) and skipped, connections to node names that do not exist and nodes that a
/// later node of the same name replaces are FG013 errors, and connections from node names
/// that do not exist are FG013 warnings; the rest of the flow is still imported.
pub fn import(source: &SourceText) -> (Option<Imported>, Vec<Diagnostic>) {
    let (root, mut diagnostics) = super::parse_json_root(source);
    let Some(root) = root else {
        return (None, diagnostics);
    };
    let Some(nodes) = workflow_nodes(&root, source, &mut diagnostics) else {
        return (None, diagnostics);
    };
    let mut reader = Reader {
        source,
        diagnostics,
    };
    let flow = reader.flow(&root, nodes);
    let imported = Imported {
        id: id_from_path(source.path(), super::suffixes(Dialect::N8n)),
        name: flow.label.clone(),
        description: flow.description.clone(),
        flow,
    };
    (Some(imported), reader.diagnostics)
}

/// The `nodes` list of a workflow export, or FG005 when `root` is not one.
fn workflow_nodes<'a>(
    root: &'a Node,
    source: &SourceText,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<&'a [Node]> {
    const HELP: &str = "an n8n workflow export is one JSON object with `nodes` (a list) and \
                        `connections` (an object); export the workflow again from n8n (Download)";
    let opening = Span::new(root.span.start as usize, root.span.start as usize + 1);
    let Some(entries) = root.as_map() else {
        diagnostics.push(
            Diagnostic::error(
                codes::WRONG_TYPE,
                format!(
                    "not an n8n workflow export: the document is {}, not an object",
                    root.type_name()
                ),
            )
            .at(source, opening)
            .with_help(HELP),
        );
        return None;
    };
    if let Some(nodes) = root.get("nodes") {
        return match nodes.as_seq() {
            Some(items) => Some(items),
            None => {
                diagnostics.push(
                    Diagnostic::error(
                        codes::WRONG_TYPE,
                        format!(
                            "not an n8n workflow export: `nodes` is {}, not a list",
                            nodes.type_name()
                        ),
                    )
                    .at(source, nodes.span)
                    .with_help(HELP),
                );
                None
            }
        };
    }
    // A known way exports get mangled: every line of the original turned into a key/value
    // pair, so the keys carry their own quotes (`"\"nodes\""`).
    if let Some(entry) = entries.iter().find(|e| e.key.value == "\"nodes\"") {
        diagnostics.push(
            Diagnostic::error(
                codes::WRONG_TYPE,
                "not an n8n workflow export: the keys carry their own quotes (`\"nodes\"`)",
            )
            .at(source, entry.key.span)
            .with_label("a line of the original export turned into a key")
            .with_help(
                "this file is an n8n export that a tool rewrote line by line into an object \
                 of text fragments; export the workflow again from n8n (Download)",
            ),
        );
        return None;
    }
    diagnostics.push(
        Diagnostic::error(
            codes::WRONG_TYPE,
            "not an n8n workflow export: the object has no `nodes` list",
        )
        .at(source, opening)
        .with_help(HELP),
    );
    None
}

/// How a node's failures are routed (`onError`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OnError {
    StopWorkflow,
    ContinueRegularOutput,
    ContinueErrorOutput,
}

/// What connections need to know about their source node beyond the element.
struct NodeMeta<'a> {
    /// The package part of the type (`n8n-nodes-base`).
    package: &'a str,
    /// The node name part of the type (`httpRequest`).
    short: &'a str,
    /// `typeVersion`, 1 when absent.
    version: f64,
    /// Whether `onError` is `continueErrorOutput`, so that the node has an error output.
    error_output: bool,
}

impl NodeMeta<'_> {
    fn is_builtin(&self) -> bool {
        self.package == BASE || self.package == LANGCHAIN
    }

    /// How many regular (non-error) main outputs the node has, when that is known from its
    /// type alone.
    fn regular_outputs(&self) -> Option<usize> {
        if !self.is_builtin() {
            return None;
        }
        match self.short {
            "if" => Some(2),
            "splitInBatches" => Some(if self.version >= 3.0 { 2 } else { 1 }),
            // Their number of outputs depends on their rules or options.
            "switch" | "filter" | "compareDatasets" | "textClassifier" | "sentimentAnalysis" => {
                None
            }
            _ => Some(1),
        }
    }

    /// The kind of a connection from main output `index` of a node whose `main` list has
    /// `ports` entries.
    fn main_kind(&self, index: usize, ports: usize) -> ConnectionKind {
        if self.error_output {
            let error_index = self
                .regular_outputs()
                .unwrap_or_else(|| ports.saturating_sub(1));
            if index == error_index {
                return ConnectionKind::Fault;
            }
        }
        if self.package == BASE {
            match (self.short, index) {
                ("if", 0) => return ConnectionKind::Outcome("true".to_owned()),
                ("if", 1) => return ConnectionKind::Outcome("false".to_owned()),
                ("splitInBatches", 0) if self.version >= 3.0 => return ConnectionKind::LoopDone,
                ("splitInBatches", 1) if self.version >= 3.0 => return ConnectionKind::LoopBody,
                _ => {}
            }
        }
        ConnectionKind::Output(u32::try_from(index).unwrap_or(u32::MAX))
    }
}

/// Split `n8n-nodes-base.httpRequest` into package and node name.
fn split_type(ty: &str) -> (&str, &str) {
    ty.rsplit_once('.').unwrap_or(("", ty))
}

/// The element kind of a node type.
fn element_kind(ty: &str, parameters: Option<&Node>) -> ElementKind {
    let (package, short) = split_type(ty);
    if short == "errorTrigger" {
        return ElementKind::ErrorHandler;
    }
    if short.ends_with("Trigger") {
        return ElementKind::Trigger;
    }
    if package != BASE && package != LANGCHAIN {
        return ElementKind::Other;
    }
    match short {
        "webhook" | "cron" | "interval" | "start" | "emailReadImap" if package == BASE => {
            ElementKind::Trigger
        }
        "if" | "switch" | "filter" => ElementKind::Decision,
        "splitInBatches" => ElementKind::Loop,
        "set" | "merge" | "itemLists" | "aggregate" | "splitOut" | "renameKeys" | "sort"
        | "limit" | "removeDuplicates" | "summarize" => ElementKind::Assignment,
        "code" | "function" | "functionItem" => ElementKind::Code,
        "wait" => ElementKind::Wait,
        "executeWorkflow" | "toolWorkflow" => ElementKind::Subflow,
        "stickyNote" => ElementKind::Note,
        "noOp" | "stopAndError" => ElementKind::Other,
        _ if sends_message(short, parameters) => ElementKind::Message,
        _ => ElementKind::Action,
    }
}

/// Whether an app node sends a message: e-mail senders always; chat and SMS apps when their
/// resource is a message and their operation (or its default, when omitted) sends one.
fn sends_message(short: &str, parameters: Option<&Node>) -> bool {
    let app = short.strip_suffix("Tool").unwrap_or(short);
    let text = |key: &str| parameters.and_then(|p| p.get(key)).and_then(Node::as_str);
    let resource = text("resource");
    let operation = text("operation");
    let sending = |op: &str| op.starts_with("send") || matches!(op, "post" | "reply");
    match app {
        "emailSend" | "mailgun" | "mailjet" => resource.is_none_or(|r| r == "email"),
        "gmail" | "telegram" | "slack" | "mattermost" | "discord" | "twilio" | "vonage"
        | "pushover" | "rocketchat" | "matrix" | "microsoftOutlook" | "whatsApp" | "googleChat"
        | "messageBird" | "plivo" => {
            resource.is_none_or(|r| matches!(r, "message" | "sms")) && operation.is_none_or(sending)
        }
        "microsoftTeams" => {
            matches!(resource, Some("chatMessage" | "channelMessage"))
                && operation.is_none_or(|op| op == "create" || sending(op))
        }
        _ => false,
    }
}

/// How a trigger node starts the workflow, and how strongly it says so: real triggers (0)
/// before `executeWorkflowTrigger` (1) before manual ones (2).
fn flow_trigger(ty: &str) -> (u8, FlowTrigger) {
    match split_type(ty).1 {
        "webhook" => (0, FlowTrigger::Webhook),
        "scheduleTrigger" | "cron" | "interval" => (0, FlowTrigger::Schedule),
        "executeWorkflowTrigger" => (1, FlowTrigger::Invoked),
        "manualTrigger" | "start" => (2, FlowTrigger::Manual),
        _ => (0, FlowTrigger::Event(ty.to_owned())),
    }
}

/// Reads one workflow, collecting diagnostics.
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

    /// A boolean field of an object; absent or `null` is `false`.
    fn flag(&mut self, object: &Node, key: &str) -> bool {
        match object.get(key) {
            None => false,
            Some(value) if value.is_null() => false,
            Some(value) => match value.as_bool() {
                Some(b) => b,
                None => {
                    self.error(
                        codes::WRONG_TYPE,
                        format!("`{key}` must be true or false, found {}", value.type_name()),
                        value.span,
                        "write `true` or `false` without quotes",
                    );
                    false
                }
            },
        }
    }

    /// The workflow's `active`. n8n imports `"true"` and `"false"` written as strings: they
    /// are read as the boolean, with an FG005 warning.
    fn active(&mut self, root: &Node) -> bool {
        let Some(value) = root.get("active") else {
            return false;
        };
        let parsed = match value.as_str() {
            Some("true") => true,
            Some("false") => false,
            _ => return self.flag(root, "active"),
        };
        self.diagnostics.push(
            Diagnostic::warning(
                codes::WRONG_TYPE,
                format!("`active` is the string \"{parsed}\", not a boolean"),
            )
            .at(self.source, value.span)
            .with_help(format!(
                "n8n imports it as {parsed}, and so does flowgate; write `{parsed}` without quotes"
            )),
        );
        parsed
    }

    /// An optional string field of an object.
    fn text<'n>(&mut self, object: &'n Node, key: &str) -> Option<&'n str> {
        let value = object.get(key)?;
        if value.is_null() {
            return None;
        }
        let text = value.as_str();
        if text.is_none() {
            self.error(
                codes::WRONG_TYPE,
                format!("`{key}` must be a string, found {}", value.type_name()),
                value.span,
                "write the value in double quotes",
            );
        }
        text
    }

    fn flow(&mut self, root: &Arc<Node>, nodes: &[Node]) -> Flow {
        let label = self.text(root, "name").map(str::to_owned);
        let description = self.text(root, "description").map(str::to_owned);
        let active = self.active(root);

        let (mut elements, metas, by_name) = self.nodes(nodes);
        if let Some(connections) = root.get("connections") {
            self.connections(connections, &by_name, &metas, &mut elements);
        }

        let mut entries = Vec::new();
        let mut trigger: Option<((bool, u8), FlowTrigger)> = None;
        for element in &elements {
            if !matches!(
                element.kind,
                ElementKind::Trigger | ElementKind::ErrorHandler
            ) {
                continue;
            }
            entries.push(element.id.clone());
            let (rank, how) = flow_trigger(&element.platform_type);
            let key = (element.disabled, rank);
            if trigger.as_ref().is_none_or(|(best, _)| key < *best) {
                trigger = Some((key, how));
            }
        }

        Flow {
            dialect: Dialect::N8n,
            label,
            description,
            trigger: trigger.map(|(_, how)| how).unwrap_or_default(),
            active,
            elements,
            entries,
            variables: Vec::new(),
            original: self.source.shared_text(),
            document: FlowDocument::Json(Arc::clone(root)),
        }
    }

    /// The nodes that are elements, with their metadata and their index by name. Of nodes
    /// that share a name, n8n keeps the last one (it indexes nodes by name, in file order):
    /// so does flowgate, and every earlier one is FG013 at its name.
    fn nodes<'n>(
        &mut self,
        nodes: &'n [Node],
    ) -> (Vec<Element>, Vec<NodeMeta<'n>>, HashMap<&'n str, usize>) {
        let read: Vec<_> = nodes.iter().filter_map(|item| self.node(item)).collect();
        let mut last: HashMap<&str, usize> = HashMap::with_capacity(read.len());
        for (index, (_, _, name)) in read.iter().enumerate() {
            last.insert(name, index);
        }
        for (index, (element, _, name)) in read.iter().enumerate() {
            if let Some(&kept) = last.get(name).filter(|&&kept| kept != index) {
                self.duplicate_name(element, &read[kept].0);
            }
        }
        let mut elements = Vec::with_capacity(last.len());
        let mut metas = Vec::with_capacity(last.len());
        let mut by_name = HashMap::with_capacity(last.len());
        for (index, (element, meta, name)) in read.into_iter().enumerate() {
            if last.get(name) == Some(&index) {
                by_name.insert(name, elements.len());
                elements.push(element);
                metas.push(meta);
            }
        }
        (elements, metas, by_name)
    }

    /// FG013 at a node that a later node of the same name replaces.
    fn duplicate_name(&mut self, dropped: &Element, kept: &Element) {
        let name = &dropped.id.value;
        let kept_at = self.source.locate(kept.id.span);
        let line = kept_at.start.line;
        self.diagnostics.push(
            Diagnostic::error(codes::STEP_GRAPH, format!("two nodes are named `{name}`"))
                .at(self.source, dropped.id.span)
                .with_label("n8n drops this node")
                .with_related(kept_at, "n8n keeps this one")
                .with_help(format!(
                    "n8n connects nodes by name and keeps the last node of a name (line \
                     {line}), so this one is dropped on import; rename it if both are needed, \
                     or remove it"
                )),
        );
    }

    /// One node, or `None` (reported) when it cannot be an element.
    fn node<'n>(&mut self, item: &'n Node) -> Option<(Element, NodeMeta<'n>, &'n str)> {
        let start = Span::point(item.span.start as usize);
        if item.as_map().is_none() {
            self.error(
                codes::WRONG_TYPE,
                format!("an n8n node is an object, found {}", item.type_name()),
                item.span,
                "each item of `nodes` is an object with `name`, `type` and `parameters`",
            );
            return None;
        }
        let Some(name_node) = item.get("name") else {
            self.error(
                codes::MISSING_FIELD,
                "n8n node without `name`".to_owned(),
                start,
                "every node needs a unique `name`: connections refer to nodes by name",
            );
            return None;
        };
        let Some(name) = name_node.as_str() else {
            self.error(
                codes::WRONG_TYPE,
                format!("`name` must be a string, found {}", name_node.type_name()),
                name_node.span,
                "write the node name in double quotes",
            );
            return None;
        };
        let ty = match item.get("type") {
            None => {
                self.error(
                    codes::MISSING_FIELD,
                    format!("node `{name}` has no `type`"),
                    name_node.span,
                    "every node has a `type` such as `n8n-nodes-base.httpRequest`",
                );
                ""
            }
            Some(_) => self.text(item, "type").unwrap_or(""),
        };
        let version = item
            .get("typeVersion")
            .and_then(Node::as_f64)
            .unwrap_or(1.0);
        let parameters = item.get("parameters").filter(|p| p.as_map().is_some());
        let disabled = self.flag(item, "disabled");
        let continue_on_fail = self.flag(item, "continueOnFail");
        let retry = self.flag(item, "retryOnFail");
        let on_error = match item.get("onError") {
            Some(value) => match self.text(item, "onError") {
                Some("stopWorkflow") => Some(OnError::StopWorkflow),
                Some("continueRegularOutput") => Some(OnError::ContinueRegularOutput),
                Some("continueErrorOutput") => Some(OnError::ContinueErrorOutput),
                Some(other) => {
                    self.error(
                        codes::INVALID_VALUE,
                        format!("unknown `onError` value `{other}` on node `{name}`"),
                        value.span,
                        "use `stopWorkflow`, `continueRegularOutput` or `continueErrorOutput`",
                    );
                    None
                }
                None => None,
            },
            None => None,
        };
        let error_handling = match on_error {
            Some(OnError::ContinueErrorOutput) => ErrorHandling::Path,
            Some(OnError::ContinueRegularOutput) => ErrorHandling::Continue,
            None if continue_on_fail => ErrorHandling::Continue,
            _ if retry => ErrorHandling::Retry,
            _ => ErrorHandling::Stop,
        };
        let (package, short) = split_type(ty);
        let element = Element {
            id: Located::new(name.to_owned(), name_node.span),
            label: Some(name.to_owned()),
            kind: element_kind(ty, parameters),
            platform_type: ty.to_owned(),
            platform_id: self.text(item, "id").map(str::to_owned),
            connections: Vec::new(),
            disabled,
            error_handling,
            span: item.span,
        };
        let meta = NodeMeta {
            package,
            short,
            version,
            error_output: on_error == Some(OnError::ContinueErrorOutput),
        };
        Some((element, meta, name))
    }

    /// Read `connections` into the elements' outgoing connections.
    fn connections(
        &mut self,
        connections: &Node,
        by_name: &HashMap<&str, usize>,
        metas: &[NodeMeta<'_>],
        elements: &mut [Element],
    ) {
        if connections.is_null() {
            return;
        }
        let Some(sources) = connections.as_map() else {
            self.error(
                codes::WRONG_TYPE,
                format!(
                    "`connections` must be an object, found {}",
                    connections.type_name()
                ),
                connections.span,
                "`connections` maps each source node name to its outputs",
            );
            return;
        };
        for source in sources {
            let name = source.key.value.as_str();
            let Some(&index) = by_name.get(name) else {
                // n8n never runs connections of a node it does not have: they are ignored.
                self.diagnostics.push(
                    Diagnostic::warning(
                        codes::STEP_GRAPH,
                        format!("connections from `{name}`, which is not a node of this workflow"),
                    )
                    .at(self.source, source.key.span)
                    .with_help(
                        "n8n ignores them, and so does flowgate; rename the key to an existing \
                         node's name, or remove these connections",
                    ),
                );
                continue;
            };
            let Some(outputs) = source.value.as_map() else {
                self.error(
                    codes::WRONG_TYPE,
                    format!(
                        "the connections of `{name}` must be an object, found {}",
                        source.value.type_name()
                    ),
                    source.value.span,
                    "write `{ \"main\": [[{ \"node\": \"…\", \"type\": \"main\", \"index\": 0 }]] }`",
                );
                continue;
            };
            let mut found = Vec::new();
            for output in outputs {
                let output_type = output.key.value.as_str();
                let Some(ports) = output.value.as_seq() else {
                    if !output.value.is_null() {
                        self.error(
                            codes::WRONG_TYPE,
                            format!(
                                "`{output_type}` connections must be a list of outputs, found {}",
                                output.value.type_name()
                            ),
                            output.value.span,
                            "each output is a list of `{ \"node\": …, \"type\": …, \"index\": … }`",
                        );
                    }
                    continue;
                };
                for (port, targets) in ports.iter().enumerate() {
                    if targets.is_null() {
                        continue;
                    }
                    let Some(targets) = targets.as_seq() else {
                        self.error(
                            codes::WRONG_TYPE,
                            format!(
                                "output {port} of `{name}` must be a list of targets, found {}",
                                targets.type_name()
                            ),
                            targets.span,
                            "each output is a list of `{ \"node\": …, \"type\": …, \"index\": … }`",
                        );
                        continue;
                    };
                    for target in targets {
                        let Some(target) = self.target(target, by_name) else {
                            continue;
                        };
                        let kind = if output_type == "main" {
                            metas[index].main_kind(port, ports.len())
                        } else {
                            ConnectionKind::Auxiliary(output_type.to_owned())
                        };
                        found.push(Connection { kind, target });
                    }
                }
            }
            elements[index].connections.extend(found);
        }
    }

    /// The target node of one connection, located at its `node` value; `None` (reported)
    /// when it is malformed or names no node.
    fn target(&mut self, target: &Node, by_name: &HashMap<&str, usize>) -> Option<Located<String>> {
        const HELP: &str =
            "a connection is `{ \"node\": \"<node name>\", \"type\": \"main\", \"index\": 0 }`";
        if target.as_map().is_none() {
            self.error(
                codes::WRONG_TYPE,
                format!("a connection is an object, found {}", target.type_name()),
                target.span,
                HELP,
            );
            return None;
        }
        let Some(node) = target.get("node") else {
            self.error(
                codes::MISSING_FIELD,
                "connection without `node`".to_owned(),
                Span::point(target.span.start as usize),
                HELP,
            );
            return None;
        };
        let name = self.text(target, "node")?;
        if !by_name.contains_key(name) {
            self.error(
                codes::STEP_GRAPH,
                format!("connection to `{name}`, which is not a node of this workflow"),
                node.span,
                "connect to an existing node's name (names are case-sensitive), or remove \
                 the connection",
            );
            return None;
        }
        Some(Located::new(name.to_owned(), node.span))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use flowgate_diagnostics::Severity;

    fn run(text: &str) -> (Option<Imported>, Vec<Diagnostic>) {
        import(&SourceText::new("flows/My Flow.json", text))
    }

    fn flow(text: &str) -> Flow {
        let (imported, diagnostics) = run(text);
        assert!(diagnostics.is_empty(), "{diagnostics:#?}");
        imported.expect("a flow").flow
    }

    /// A workflow with the given nodes (JSON objects) and connections object.
    fn workflow(nodes: &[&str], connections: &str) -> String {
        format!(
            r#"{{"name": "WF", "nodes": [{}], "connections": {connections}}}"#,
            nodes.join(",")
        )
    }

    fn node(name: &str, ty: &str) -> String {
        format!(
            r#"{{"name": "{name}", "type": "{ty}", "typeVersion": 1, "position": [0, 0], "parameters": {{}}}}"#
        )
    }

    fn kind_of(ty: &str) -> ElementKind {
        flow(&workflow(&[&node("N", ty)], "{}")).elements[0].kind
    }

    fn kind_with(ty: &str, parameters: &str) -> ElementKind {
        let n = format!(r#"{{"name": "N", "type": "{ty}", "parameters": {parameters}}}"#);
        flow(&workflow(&[&n], "{}")).elements[0].kind
    }

    fn line_of(d: &Diagnostic) -> u32 {
        d.location.as_ref().expect("located").start.line
    }

    #[test]
    fn workflow_fields_map_onto_the_flow() {
        let text = r#"{"name": "Lead intake", "active": true, "id": "abc", "tags": [],
            "nodes": [], "connections": {}, "settings": {}}"#;
        let (imported, diagnostics) = run(text);
        assert!(diagnostics.is_empty());
        let imported = imported.unwrap();
        assert_eq!(imported.id, "My-Flow");
        assert_eq!(imported.name.as_deref(), Some("Lead intake"));
        let flow = imported.flow;
        assert_eq!(flow.dialect, Dialect::N8n);
        assert_eq!(flow.label.as_deref(), Some("Lead intake"));
        assert!(flow.active);
        assert_eq!(flow.trigger, FlowTrigger::Invoked);
        assert_eq!(&*flow.original, text);
    }

    #[test]
    fn active_defaults_to_false_and_name_is_optional() {
        let flow = flow(r#"{"nodes": [], "connections": {}}"#);
        assert!(!flow.active);
        assert_eq!(flow.label, None);
    }

    #[test]
    fn nodes_become_elements_named_and_located() {
        let text = workflow(
            &[
                r#"{"id": "8f0c", "name": "Fetch", "type": "n8n-nodes-base.httpRequest",
                 "typeVersion": 4.2, "position": [1, 2], "parameters": {},
                 "credentials": {"httpBasicAuth": {"id": "SECRET-ID", "name": "Basic"}},
                 "disabled": true}"#,
            ],
            "{}",
        );
        let flow = flow(&text);
        let e = &flow.elements[0];
        assert_eq!(e.id.value, "Fetch");
        assert_eq!(
            &text[e.id.span.start as usize..e.id.span.end as usize],
            "\"Fetch\""
        );
        assert_eq!(e.label.as_deref(), Some("Fetch"));
        assert_eq!(e.platform_type, "n8n-nodes-base.httpRequest");
        assert_eq!(e.kind, ElementKind::Action);
        assert!(e.disabled);
        assert_eq!(e.error_handling, ErrorHandling::Stop);
        let whole = &text[e.span.start as usize..e.span.end as usize];
        assert!(whole.starts_with("{\"id\": \"8f0c\"") && whole.ends_with("true}"));
    }

    #[test]
    fn element_kinds_by_type() {
        use ElementKind::*;
        let cases = [
            ("n8n-nodes-base.manualTrigger", Trigger),
            ("n8n-nodes-base.scheduleTrigger", Trigger),
            ("n8n-nodes-base.cron", Trigger),
            ("n8n-nodes-base.webhook", Trigger),
            ("n8n-nodes-base.telegramTrigger", Trigger),
            ("@n8n/n8n-nodes-langchain.chatTrigger", Trigger),
            ("n8n-nodes-acme.acmeTrigger", Trigger),
            ("n8n-nodes-base.errorTrigger", ErrorHandler),
            ("n8n-nodes-base.if", Decision),
            ("n8n-nodes-base.switch", Decision),
            ("n8n-nodes-base.filter", Decision),
            ("n8n-nodes-base.splitInBatches", Loop),
            ("n8n-nodes-base.set", Assignment),
            ("n8n-nodes-base.merge", Assignment),
            ("n8n-nodes-base.itemLists", Assignment),
            ("n8n-nodes-base.aggregate", Assignment),
            ("n8n-nodes-base.splitOut", Assignment),
            ("n8n-nodes-base.renameKeys", Assignment),
            ("n8n-nodes-base.code", Code),
            ("n8n-nodes-base.function", Code),
            ("n8n-nodes-base.functionItem", Code),
            ("n8n-nodes-base.wait", Wait),
            ("n8n-nodes-base.executeWorkflow", Subflow),
            ("@n8n/n8n-nodes-langchain.toolWorkflow", Subflow),
            ("n8n-nodes-base.httpRequest", Action),
            ("n8n-nodes-base.googleSheets", Action),
            ("@n8n/n8n-nodes-langchain.agent", Action),
            ("n8n-nodes-base.stickyNote", Note),
            ("n8n-nodes-base.emailSend", Message),
            ("n8n-nodes-base.gmail", Message),
            ("n8n-nodes-base.slack", Message),
            ("n8n-nodes-base.telegram", Message),
            ("n8n-nodes-base.noOp", Other),
            ("n8n-nodes-acme.widget", Other),
            ("", Other),
        ];
        for (ty, kind) in cases {
            assert_eq!(kind_of(ty), kind, "{ty}");
        }
    }

    #[test]
    fn messengers_are_messages_only_when_they_send() {
        use ElementKind::*;
        let cases = [
            ("n8n-nodes-base.telegram", r#"{"text": "hi"}"#, Message),
            (
                "n8n-nodes-base.telegram",
                r#"{"operation": "sendPhoto"}"#,
                Message,
            ),
            ("n8n-nodes-base.telegram", r#"{"resource": "file"}"#, Action),
            ("n8n-nodes-base.gmail", r#"{"operation": "getAll"}"#, Action),
            ("n8n-nodes-base.gmail", r#"{"operation": "reply"}"#, Message),
            (
                "n8n-nodes-base.gmailTool",
                r#"{"sendTo": "a@b.c"}"#,
                Message,
            ),
            ("n8n-nodes-base.slack", r#"{"operation": "search"}"#, Action),
            (
                "n8n-nodes-base.slack",
                r#"{"resource": "message", "operation": "post"}"#,
                Message,
            ),
            (
                "n8n-nodes-base.microsoftTeams",
                r#"{"resource": "chatMessage"}"#,
                Message,
            ),
            ("n8n-nodes-base.microsoftTeams", r#"{"name": "x"}"#, Action),
            ("n8n-nodes-base.twilio", r#"{"message": "x"}"#, Message),
            (
                "n8n-nodes-base.emailSend",
                r#"{"toEmail": "a@b.c"}"#,
                Message,
            ),
        ];
        for (ty, parameters, kind) in cases {
            assert_eq!(kind_with(ty, parameters), kind, "{ty} {parameters}");
        }
    }

    #[test]
    fn main_outputs_are_numbered_ports() {
        let text = workflow(
            &[
                &node("A", "n8n-nodes-base.switch"),
                &node("B", "n8n-nodes-base.set"),
                &node("C", "n8n-nodes-base.set"),
            ],
            r#"{"A": {"main": [[{"node": "B", "type": "main", "index": 0}],
                                [{"node": "C", "type": "main", "index": 0},
                                 {"node": "B", "type": "main", "index": 1}]]}}"#,
        );
        let flow = flow(&text);
        let a = flow.element("A").unwrap();
        let got: Vec<(ConnectionKind, &str)> = a
            .connections
            .iter()
            .map(|c| (c.kind.clone(), c.target.value.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (ConnectionKind::Output(0), "B"),
                (ConnectionKind::Output(1), "C"),
                (ConnectionKind::Output(1), "B"),
            ]
        );
        let c = &a.connections[1].target;
        assert_eq!(&text[c.span.start as usize..c.span.end as usize], "\"C\"");
    }

    #[test]
    fn if_outputs_are_true_and_false() {
        let text = workflow(
            &[
                &node("If", "n8n-nodes-base.if"),
                &node("Yes", "n8n-nodes-base.noOp"),
                &node("No", "n8n-nodes-base.noOp"),
            ],
            r#"{"If": {"main": [[{"node": "Yes"}], [{"node": "No"}]]}}"#,
        );
        let kinds: Vec<ConnectionKind> = flow(&text).elements[0]
            .connections
            .iter()
            .map(|c| c.kind.clone())
            .collect();
        assert_eq!(
            kinds,
            vec![
                ConnectionKind::Outcome("true".into()),
                ConnectionKind::Outcome("false".into())
            ]
        );
    }

    #[test]
    fn split_in_batches_v3_has_done_and_loop_outputs() {
        let text = workflow(
            &[
                r#"{"name": "Loop", "type": "n8n-nodes-base.splitInBatches", "typeVersion": 3}"#,
                &node("Done", "n8n-nodes-base.noOp"),
                &node("Body", "n8n-nodes-base.noOp"),
            ],
            r#"{"Loop": {"main": [[{"node": "Done"}], [{"node": "Body"}]]}}"#,
        );
        let kinds: Vec<ConnectionKind> = flow(&text).elements[0]
            .connections
            .iter()
            .map(|c| c.kind.clone())
            .collect();
        assert_eq!(
            kinds,
            vec![ConnectionKind::LoopDone, ConnectionKind::LoopBody]
        );
    }

    #[test]
    fn the_error_output_is_a_fault_connection() {
        let text = workflow(
            &[
                r#"{"name": "Call", "type": "n8n-nodes-base.httpRequest", "onError": "continueErrorOutput"}"#,
                r#"{"name": "Check", "type": "n8n-nodes-base.if", "onError": "continueErrorOutput"}"#,
                &node("Ok", "n8n-nodes-base.noOp"),
                &node("Failed", "n8n-nodes-base.noOp"),
            ],
            r#"{"Call": {"main": [[{"node": "Ok"}], [{"node": "Failed"}]]},
                "Check": {"main": [[{"node": "Ok"}], [], [{"node": "Failed"}]]}}"#,
        );
        let flow = flow(&text);
        let call = flow.element("Call").unwrap();
        assert_eq!(call.error_handling, ErrorHandling::Path);
        assert_eq!(call.connections[0].kind, ConnectionKind::Output(0));
        assert_eq!(call.connections[1].kind, ConnectionKind::Fault);
        let check = flow.element("Check").unwrap();
        assert_eq!(
            check.connections[0].kind,
            ConnectionKind::Outcome("true".into())
        );
        assert_eq!(check.connections[1].kind, ConnectionKind::Fault);
    }

    #[test]
    fn an_unconnected_error_output_does_not_turn_the_success_output_into_a_fault() {
        let text = workflow(
            &[
                r#"{"name": "Call", "type": "n8n-nodes-base.httpRequest", "onError": "continueErrorOutput"}"#,
                &node("Ok", "n8n-nodes-base.noOp"),
            ],
            r#"{"Call": {"main": [[{"node": "Ok"}]]}}"#,
        );
        let flow = flow(&text);
        assert_eq!(
            flow.elements[0].connections[0].kind,
            ConnectionKind::Output(0)
        );
    }

    #[test]
    fn with_unknown_output_counts_the_last_main_output_is_the_error_output() {
        let text = workflow(
            &[
                r#"{"name": "Route", "type": "n8n-nodes-base.switch", "onError": "continueErrorOutput"}"#,
                &node("X", "n8n-nodes-base.noOp"),
            ],
            r#"{"Route": {"main": [[{"node": "X"}], [{"node": "X"}], [{"node": "X"}]]}}"#,
        );
        let kinds: Vec<ConnectionKind> = flow(&text).elements[0]
            .connections
            .iter()
            .map(|c| c.kind.clone())
            .collect();
        assert_eq!(
            kinds,
            vec![
                ConnectionKind::Output(0),
                ConnectionKind::Output(1),
                ConnectionKind::Fault
            ]
        );
    }

    #[test]
    fn ai_ports_are_auxiliary_and_null_outputs_are_skipped() {
        let text = workflow(
            &[
                &node("Model", "@n8n/n8n-nodes-langchain.lmChatOpenAi"),
                &node("Agent", "@n8n/n8n-nodes-langchain.agent"),
                &node("Switch", "n8n-nodes-base.switch"),
            ],
            r#"{"Model": {"ai_languageModel": [[{"node": "Agent", "type": "ai_languageModel", "index": 0}]]},
                "Switch": {"main": [null, [{"node": "Agent"}]]}}"#,
        );
        let flow = flow(&text);
        assert_eq!(
            flow.element("Model").unwrap().connections[0].kind,
            ConnectionKind::Auxiliary("ai_languageModel".into())
        );
        assert_eq!(
            flow.element("Switch").unwrap().connections[0].kind,
            ConnectionKind::Output(1)
        );
    }

    #[test]
    fn error_handling_settings() {
        let cases = [
            (r#""continueOnFail": true"#, ErrorHandling::Continue),
            (
                r#""onError": "continueRegularOutput""#,
                ErrorHandling::Continue,
            ),
            (r#""onError": "continueErrorOutput""#, ErrorHandling::Path),
            (r#""retryOnFail": true"#, ErrorHandling::Retry),
            (
                r#""onError": "stopWorkflow", "retryOnFail": true"#,
                ErrorHandling::Retry,
            ),
            (
                r#""onError": "stopWorkflow", "continueOnFail": true"#,
                ErrorHandling::Stop,
            ),
            (r#""retryOnFail": false"#, ErrorHandling::Stop),
        ];
        for (fields, expected) in cases {
            let n = format!(r#"{{"name": "N", "type": "n8n-nodes-base.httpRequest", {fields}}}"#);
            let flow = flow(&workflow(&[&n], "{}"));
            assert_eq!(flow.elements[0].error_handling, expected, "{fields}");
        }
    }

    #[test]
    fn entries_and_flow_trigger() {
        let trigger_of = |types: &[&str]| {
            let nodes: Vec<String> = types
                .iter()
                .enumerate()
                .map(|(i, ty)| node(&format!("N{i}"), ty))
                .collect();
            let refs: Vec<&str> = nodes.iter().map(String::as_str).collect();
            let flow = flow(&workflow(&refs, "{}"));
            (flow.trigger, flow.entries.len())
        };
        assert_eq!(
            trigger_of(&["n8n-nodes-base.webhook", "n8n-nodes-base.set"]),
            (FlowTrigger::Webhook, 1)
        );
        assert_eq!(
            trigger_of(&[
                "n8n-nodes-base.manualTrigger",
                "n8n-nodes-base.scheduleTrigger"
            ]),
            (FlowTrigger::Schedule, 2)
        );
        assert_eq!(
            trigger_of(&["n8n-nodes-base.cron"]),
            (FlowTrigger::Schedule, 1)
        );
        assert_eq!(
            trigger_of(&["n8n-nodes-base.manualTrigger"]),
            (FlowTrigger::Manual, 1)
        );
        assert_eq!(
            trigger_of(&[
                "n8n-nodes-base.manualTrigger",
                "n8n-nodes-base.executeWorkflowTrigger"
            ]),
            (FlowTrigger::Invoked, 2)
        );
        assert_eq!(
            trigger_of(&["n8n-nodes-base.gmailTrigger"]),
            (FlowTrigger::Event("n8n-nodes-base.gmailTrigger".into()), 1)
        );
        assert_eq!(
            trigger_of(&["n8n-nodes-base.errorTrigger"]),
            (FlowTrigger::Event("n8n-nodes-base.errorTrigger".into()), 1)
        );
        assert_eq!(
            trigger_of(&["n8n-nodes-base.set"]),
            (FlowTrigger::Invoked, 0)
        );
    }

    #[test]
    fn a_disabled_trigger_gives_way_to_an_enabled_one() {
        let text = workflow(
            &[
                r#"{"name": "Hook", "type": "n8n-nodes-base.webhook", "disabled": true}"#,
                &node("Go", "n8n-nodes-base.manualTrigger"),
            ],
            "{}",
        );
        assert_eq!(flow(&text).trigger, FlowTrigger::Manual);
    }

    #[test]
    fn dangling_connections_are_fg013_at_the_reference() {
        let text = "{\"nodes\": [{\"name\": \"A\", \"type\": \"n8n-nodes-base.set\"}],\n\
                    \"connections\": {\"A\": {\"main\": [[{\"node\": \"B\"}]]},\n\
                    \"Ghost\": {\"main\": [[{\"node\": \"A\"}]]}}}";
        let (imported, diagnostics) = run(text);
        let flow = imported.unwrap().flow;
        assert!(flow.elements[0].connections.is_empty());
        let codes: Vec<(&str, u32)> = diagnostics
            .iter()
            .map(|d| (d.code.as_str(), line_of(d)))
            .collect();
        assert_eq!(codes, vec![("FG013", 2), ("FG013", 3)]);
        assert!(diagnostics[0].message.contains("`B`"));
        let span = diagnostics[0].location.as_ref().unwrap().span;
        assert_eq!(&text[span.start as usize..span.end as usize], "\"B\"");
        // A connection to a missing node fails the run in n8n: an error.
        assert_eq!(diagnostics[0].severity, Severity::Error);
        assert!(diagnostics[1].message.contains("`Ghost`"));
    }

    #[test]
    fn connections_from_a_missing_node_are_ignored_with_a_warning() {
        let text = "{\"nodes\": [{\"name\": \"A\", \"type\": \"n8n-nodes-base.set\"}],\n\
                    \"connections\": {\"Ghost\": {\"main\": [[{\"node\": \"A\"}]]}}}";
        let (imported, diagnostics) = run(text);
        assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
        let d = &diagnostics[0];
        assert_eq!((d.code.as_str(), d.severity), ("FG013", Severity::Warning));
        assert_eq!(line_of(d), 2);
        assert!(d.help.as_deref().unwrap().starts_with("n8n ignores them"));
        let flow = imported.unwrap().flow;
        assert!(flow.elements.iter().all(|e| e.connections.is_empty()));
    }

    #[test]
    fn of_nodes_sharing_a_name_the_last_is_kept_as_n8n_does() {
        let text = "{\"nodes\": [{\"name\": \"A\", \"type\": \"n8n-nodes-base.set\"},\n\
                    {\"name\": \"B\", \"type\": \"n8n-nodes-base.noOp\"},\n\
                    {\"name\": \"A\", \"type\": \"n8n-nodes-base.code\"}],\n\
                    \"connections\": {\"A\": {\"main\": [[{\"node\": \"B\"}]]}}}";
        let (imported, diagnostics) = run(text);
        let flow = imported.unwrap().flow;
        let ids: Vec<&str> = flow.elements.iter().map(|e| e.id.value.as_str()).collect();
        assert_eq!(ids, ["B", "A"]);
        let a = flow.element("A").unwrap();
        assert_eq!(a.kind, ElementKind::Code);
        assert_eq!(a.connections[0].target.value, "B");
        assert_eq!(diagnostics.len(), 1);
        let d = &diagnostics[0];
        assert_eq!((d.code.as_str(), d.severity), ("FG013", Severity::Error));
        // Located at the node n8n drops, pointing at the one it keeps.
        assert_eq!(line_of(d), 1);
        assert_eq!(d.related[0].location.start.line, 3);
        let help = d.help.as_deref().unwrap();
        assert!(
            help.contains("keeps the last node of a name (line 3)"),
            "{help}"
        );
    }

    #[test]
    fn active_written_as_a_string_is_read_with_a_warning() {
        for (value, active) in [("true", true), ("false", false)] {
            let text = format!("{{\"active\": \"{value}\", \"nodes\": [], \"connections\": {{}}}}");
            let (imported, diagnostics) = run(&text);
            assert_eq!(imported.unwrap().flow.active, active, "{value}");
            assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
            let d = &diagnostics[0];
            assert_eq!((d.code.as_str(), d.severity), ("FG005", Severity::Warning));
            let span = d.location.as_ref().unwrap().span;
            assert_eq!(
                &text[span.start as usize..span.end as usize],
                format!("\"{value}\"")
            );
            assert!(d
                .help
                .as_deref()
                .unwrap()
                .contains(&format!("`{value}` without quotes")));
        }
        // Other strings are still an error.
        let (_, diagnostics) = run(r#"{"active": "yes", "nodes": [], "connections": {}}"#);
        assert_eq!(diagnostics[0].code, "FG005");
        assert_eq!(diagnostics[0].severity, Severity::Error);
    }

    #[test]
    fn syntax_errors_are_fg002_at_the_location() {
        let (imported, diagnostics) =
            run("{\"nodes\": [\n  {\"name\": \"A\"}\n  {\"name\": \"B\"}]}");
        assert!(imported.is_none());
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        assert_eq!(diagnostics[0].code, "FG002");
        assert_eq!(line_of(&diagnostics[0]), 3);
    }

    #[test]
    fn trailing_text_after_the_workflow_is_fg002_with_a_hint_to_remove_it() {
        let text = "{\"nodes\": [], \"connections\": {}}\n}\n";
        let (_, diagnostics) = run(text);
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        let d = &diagnostics[0];
        assert_eq!(d.code, "FG002");
        assert_eq!(line_of(d), 2);
        assert_eq!(
            d.help.as_deref(),
            Some("remove the text after the end of the JSON value at line 1, column 32")
        );
    }

    #[test]
    fn documents_that_are_not_workflows_are_fg005() {
        for (text, message) in [
            ("[1, 2]", "the document is a list"),
            ("{}", "no `nodes` list"),
            ("{\"nodes\": {}}", "`nodes` is a map"),
            ("{\"\\\"nodes\\\"\": \"[\"}", "carry their own quotes"),
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
    }

    #[test]
    fn broken_nodes_are_reported_and_skipped() {
        let text = r#"{"nodes": [7, {"type": "n8n-nodes-base.set"}, {"name": 3},
            {"name": "A", "disabled": "yes", "onError": "explode"},
            {"name": "B", "type": "n8n-nodes-base.set"}],
            "connections": {"B": {"main": [[{"node": "A"}, {"nodes": "A"}, "A"]]}, "A": []}}"#;
        let (imported, diagnostics) = run(text);
        let flow = imported.unwrap().flow;
        let ids: Vec<&str> = flow.elements.iter().map(|e| e.id.value.as_str()).collect();
        assert_eq!(ids, vec!["A", "B"]);
        assert_eq!(flow.elements[0].platform_type, "");
        assert!(!flow.elements[0].disabled);
        assert_eq!(flow.elements[1].connections.len(), 1);
        let codes: Vec<&str> = diagnostics.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(
            codes,
            vec!["FG005", "FG004", "FG005", "FG004", "FG005", "FG012", "FG004", "FG005", "FG005"]
        );
        assert!(diagnostics.iter().all(|d| d.location.is_some()));
    }

    #[test]
    fn credentials_never_reach_messages() {
        let text = r#"{"nodes": [{"name": "A", "type": "n8n-nodes-base.slack",
            "credentials": {"slackApi": {"id": "cred-id-123", "name": "Prod Slack"}}, "disabled": 1}],
            "connections": {"A": {"main": [[{"node": "cred-id-123"}]]}}}"#;
        let (_, diagnostics) = run(text);
        assert_eq!(diagnostics.len(), 2);
        // The only message that can quote text is the dangling target, which is the author's.
        assert!(diagnostics[0].message.contains("`disabled`"));
        assert!(!diagnostics[0].message.contains("Prod Slack"));
    }
}

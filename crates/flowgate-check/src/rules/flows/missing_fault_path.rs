use super::support::{describe, flow_noun, node_red_nodes, FlowGraph};
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_model::flow::{
    ConnectionKind, Dialect, Element, ElementKind, ErrorHandling, Flow, FlowTrigger,
};
use flowgate_syntax::{Node, XmlElement};
use std::collections::HashSet;

declare_rule! {
    /// ## What it does
    /// Flags flow elements that talk to a database or another system and whose failure
    /// nothing handles:
    ///
    /// - Salesforce: Get, Create, Update and Delete Records, Action and Pause (wait for an
    ///   event) elements without a fault connector. Update Records in a before-save flow
    ///   (which can only change the triggering record), pauses for a duration or until a
    ///   date, and Process Builder processes (which cannot have fault paths) are left out.
    /// - n8n: nodes that call a service (HTTP Request, app nodes, AI agents and chains, Send
    ///   Email, Execute Workflow) whose On Error setting stops the workflow, in a workflow
    ///   without an error workflow (`settings.errorWorkflow`). Nodes that only transform
    ///   data locally (Date & Time, HTML, Convert to File, Respond to Webhook, …), code
    ///   nodes and AI sub-nodes (their failures are their root node's) are left out.
    /// - Node-RED: nodes that send a message to another system and report its failure
    ///   (`http request`, `tcp request`, `udp out`, `e-mail`) that no enabled `catch` node
    ///   watches (one on their tab or group, or, inside a subflow, one watching an instance
    ///   of the subflow).
    ///
    /// Elements that are themselves error handling (the target of a fault connector, or
    /// reached only through fault paths or from an error trigger) and elements no path
    /// reaches (see FG701) are not flagged.
    ///
    /// ## Why is this bad?
    /// Records are locked, validation rules reject values, APIs time out and tokens
    /// expire. Without a fault path, a Salesforce screen flow shows the user "An unhandled
    /// fault has occurred" and a record-triggered flow rolls back the user's save; an n8n
    /// execution stops and, without an error workflow, only its execution log knows; a
    /// Node-RED message is dropped with a line in the log. Nobody learns that the order was
    /// not synced or the email was not sent.
    ///
    /// ## Example
    /// ```xml
    /// <recordCreates>
    ///     <name>Create_Case</name>
    ///     <connector><targetReference>Confirm</targetReference></connector>
    ///     <inputReference>NewCase</inputReference>
    ///     <!-- no faultConnector -->
    /// </recordCreates>
    /// ```
    ///
    /// ## How to fix
    /// Give the element a fault path that records or reports the error:
    /// ```xml
    /// <recordCreates>
    ///     <name>Create_Case</name>
    ///     <connector><targetReference>Confirm</targetReference></connector>
    ///     <faultConnector><targetReference>Log_Error</targetReference></faultConnector>
    ///     <inputReference>NewCase</inputReference>
    /// </recordCreates>
    /// ```
    /// In n8n, set an error workflow in the workflow settings (it covers every node), or set
    /// the node's On Error to "Continue (using error output)" and handle that output. In
    /// Node-RED, add a `catch` node to the tab and wire it to the handling.
    pub struct MissingFaultPath {
        code: "FG702",
        name: "missing-fault-path",
        category: Flows,
        severity: Warning,
        summary: "a flow element that reads or writes data or calls a service has no fault path",
        peer: "MissingFaultPath",
    }
}

/// Salesforce elements that can fail on data or a service and accept a fault connector.
const SALESFORCE_TYPES: &[&str] = &[
    "recordLookups",
    "recordCreates",
    "recordUpdates",
    "recordDeletes",
    "waits",
    "actionCalls",
];

/// Salesforce pauses that only wait for time to pass, and cannot fail.
const TIMED_WAITS: &[&str] = &["WaitDuration", "WaitDate"];

/// n8n nodes (of `n8n-nodes-base` and `@n8n/n8n-nodes-langchain`) that only work on data
/// inside n8n: no service is called, so there is nothing to fail beyond the data itself.
const N8N_LOCAL_NODES: &[&str] = &[
    "chat",
    "code",
    "compareDatasets",
    "compression",
    "convertToFile",
    "crypto",
    "dateTime",
    "debugHelper",
    "editImage",
    "executeCommand",
    "executionData",
    "extractFromFile",
    "form",
    "html",
    "htmlExtract",
    "iCal",
    "jwt",
    "markdown",
    "moveBinaryData",
    "readBinaryFile",
    "readBinaryFiles",
    "readPDF",
    "readWriteFile",
    "respondToWebhook",
    "spreadsheetFile",
    "totp",
    "writeBinaryFile",
    "xml",
];

/// Node-RED nodes that send one message to another system and report its failure to catch
/// nodes. Connection-oriented outputs (`mqtt out`, `tcp out`, `websocket out`) report a lost
/// connection through their status instead, and `http response` answers a local request.
const NODE_RED_CALLS: &[&str] = &["http request", "tcp request", "udp out", "e-mail", "email"];

impl Rule for MissingFaultPath {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, flow) in ctx.flows() {
            let Some(applies) = applicability(flow) else {
                continue;
            };
            let graph = FlowGraph::new(flow);
            let starts = graph.starts();
            let reachable = graph.reachable_from(&starts, |_| true);
            // Error handling: what only fault paths or error triggers lead to.
            let normal_starts: Vec<usize> = starts
                .iter()
                .copied()
                .filter(|i| graph.element(*i).kind != ElementKind::ErrorHandler)
                .collect();
            let normal = graph.reachable_from(&normal_starts, |k| *k != ConnectionKind::Fault);
            let fault_targets: HashSet<&str> = flow
                .elements
                .iter()
                .flat_map(|e| &e.connections)
                .filter(|c| c.kind == ConnectionKind::Fault)
                .map(|c| c.target.value.as_str())
                .collect();
            let node_red_caught = node_red_caught_through_subflows(flow);
            for (i, element) in flow.elements.iter().enumerate() {
                if !reachable[i]
                    || !normal[i]
                    || element.disabled
                    || element.error_handling != ErrorHandling::Stop
                    || fault_targets.contains(element.id.value.as_str())
                    || node_red_caught.contains(element.id.value.as_str())
                    || !applies(element)
                {
                    continue;
                }
                let (consequence, help) = match flow.dialect {
                    Dialect::Salesforce => (
                        "if it fails, the whole flow fails with an unhandled fault",
                        "add a fault connector to elements that record or report the error (for \
                         example a screen or log record showing {!$Flow.FaultMessage})",
                    ),
                    Dialect::N8n => (
                        "if it fails, the execution stops, and with no error workflow set nobody \
                         is told",
                        "set an error workflow in the workflow settings (it covers every node), \
                         or set the node's On Error to \"Continue (using error output)\" and \
                         handle that output",
                    ),
                    Dialect::NodeRed => (
                        "if it fails, the error is only logged and the message is dropped",
                        "add a catch node to its tab (watching all nodes, or this one) and wire \
                         it to the handling: a retry, an alert, an error response",
                    ),
                };
                let handled = match flow.dialect {
                    Dialect::Salesforce => "it has no fault connector",
                    Dialect::N8n => "its On Error setting stops the workflow",
                    Dialect::NodeRed => "no catch node watches it",
                };
                sink.report(
                    asset,
                    element.id.span,
                    format!(
                        "{} of {} `{}`: {handled}; {consequence}",
                        describe(flow, element),
                        flow_noun(flow),
                        asset.id.value
                    ),
                )
                .help(help)
                .element(element.id.value.clone());
            }
        }
    }
}

/// Whether an element of a flow needs a fault path.
type Applies<'a> = Box<dyn Fn(&Element) -> bool + 'a>;

/// Which elements of `flow` need a fault path, or `None` when the flow as a whole is
/// exempt (a Process Builder process, an n8n workflow with an error workflow).
fn applicability(flow: &Flow) -> Option<Applies<'_>> {
    match flow.dialect {
        Dialect::Salesforce => {
            let root = flow.document.xml()?;
            if root.child_text("processType") == Some("Workflow") {
                return None;
            }
            let before_save = matches!(
                &flow.trigger,
                FlowTrigger::Record { timing, .. } if timing == "RecordBeforeSave"
            );
            Some(Box::new(move |element: &Element| {
                let tag = element.platform_type.as_str();
                if !SALESFORCE_TYPES.contains(&tag) || (before_save && tag == "recordUpdates") {
                    return false;
                }
                tag != "waits"
                    || xml_of(root, element)
                        .and_then(|xml| xml.child_text("elementSubtype"))
                        .is_none_or(|subtype| !TIMED_WAITS.contains(&subtype))
            }))
        }
        Dialect::N8n => {
            let root = flow.document.json()?;
            let error_workflow = root
                .get("settings")
                .and_then(|s| s.get("errorWorkflow"))
                .and_then(Node::as_str)
                .is_some_and(|w| !w.trim().is_empty());
            if error_workflow {
                return None;
            }
            Some(Box::new(|element: &Element| {
                let short = element
                    .platform_type
                    .rsplit_once('.')
                    .map_or(element.platform_type.as_str(), |(_, s)| s);
                let sub_node = !element.connections.is_empty()
                    && element
                        .connections
                        .iter()
                        .all(|c| matches!(c.kind, ConnectionKind::Auxiliary(_)));
                matches!(
                    element.kind,
                    ElementKind::Action | ElementKind::Message | ElementKind::Subflow
                ) && !sub_node
                    && !N8N_LOCAL_NODES.contains(&short)
            }))
        }
        Dialect::NodeRed => Some(Box::new(|element: &Element| {
            NODE_RED_CALLS.contains(&element.platform_type.as_str())
        })),
    }
}

/// The XML element a Salesforce flow element was lowered from.
fn xml_of<'a>(root: &'a XmlElement, element: &Element) -> Option<&'a XmlElement> {
    root.children
        .iter()
        .find(|child| child.span == element.span)
}

/// Node-RED nodes inside a subflow that no catch node of the subflow watches, but whose
/// errors reach a catch node through an instance of the subflow: Node-RED hands an
/// uncaught error inside a subflow to the catch nodes watching the instance.
fn node_red_caught_through_subflows(flow: &Flow) -> HashSet<&str> {
    let mut covered = HashSet::new();
    if flow.dialect != Dialect::NodeRed {
        return covered;
    }
    let Some(root) = flow.document.json() else {
        return covered;
    };
    let home: Vec<(&str, &str)> = node_red_nodes(root)
        .into_iter()
        .filter_map(|n| {
            let id = n.get("id").and_then(Node::as_str)?;
            let z = n.get("z").and_then(Node::as_str)?;
            Some((id, z))
        })
        .collect();
    // Subflows with an instance whose errors are handled; nested subflows pass it on.
    let mut handled: HashSet<&str> = HashSet::new();
    loop {
        let before = handled.len();
        for element in &flow.elements {
            let Some(subflow) = element.platform_type.strip_prefix("subflow:") else {
                continue;
            };
            let instance_handled = element.error_handling != ErrorHandling::Stop
                || home
                    .iter()
                    .any(|(id, z)| *id == element.id.value && handled.contains(z));
            if instance_handled {
                handled.insert(subflow);
            }
        }
        if handled.len() == before {
            break;
        }
    }
    for (id, z) in home {
        if handled.contains(z) {
            covered.insert(id);
        }
    }
    covered
}

//! Flows imported from automation platforms (Salesforce Flow, n8n, Node-RED), lowered into
//! one graph shape so that generic rules (unreachable elements, loops, missing error paths,
//! hard-coded secrets) work on all of them, while the original document is kept verbatim for
//! export and for dialect-specific rules.

use crate::Located;
use flowgate_diagnostics::Span;
use flowgate_syntax::{Node, XmlElement};
use serde::Serialize;
use std::sync::Arc;

/// The platform format a flow was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dialect {
    /// Salesforce Flow metadata (`*.flow-meta.xml`).
    Salesforce,
    /// n8n workflow export (JSON).
    N8n,
    /// Node-RED flow file (JSON).
    NodeRed,
}

impl Dialect {
    /// Short name used in messages and file patterns.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Salesforce => "salesforce",
            Self::N8n => "n8n",
            Self::NodeRed => "node-red",
        }
    }
}

/// What kind of work a flow element does, across platforms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ElementKind {
    /// Where execution begins (Salesforce `start`, n8n trigger nodes, Node-RED inject/http in).
    Trigger,
    /// A conditional branch (decision, IF, switch).
    Decision,
    /// Iteration over a collection (loop, splitInBatches).
    Loop,
    /// Variable assignment or data mapping (assignment, Set, change).
    Assignment,
    /// Reads records (Get Records, database query).
    RecordRead,
    /// Creates records.
    RecordCreate,
    /// Updates records.
    RecordUpdate,
    /// Deletes records.
    RecordDelete,
    /// Calls an action, API or app integration.
    Action,
    /// Calls another flow or workflow.
    Subflow,
    /// A screen shown to a user.
    Screen,
    /// Pauses until a time or event.
    Wait,
    /// Runs user code (function, code node, Apex).
    Code,
    /// Sends a message or notification.
    Message,
    /// Catches errors or status events (Node-RED catch/status, n8n error trigger).
    ErrorHandler,
    /// Connects to another part of the flow by name (Node-RED link nodes).
    Link,
    /// Documentation only (comments, sticky notes).
    Note,
    /// Anything else.
    Other,
}

/// The kind of a connection between elements.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionKind {
    /// The normal continuation.
    Next,
    /// Taken when the element fails (Salesforce fault connector, n8n error output).
    Fault,
    /// A named outcome of a decision.
    Outcome(String),
    /// The default outcome of a decision.
    Default,
    /// Into the body of a loop, once per item.
    LoopBody,
    /// After the last item of a loop.
    LoopDone,
    /// A scheduled path of a record-triggered flow.
    Scheduled(String),
    /// A numbered output port (n8n `main[i]`, Node-RED `wires[i]`).
    Output(u32),
    /// A non-data connection (n8n AI sub-node ports, Node-RED link wires).
    Auxiliary(String),
}

/// A connection to another element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Connection {
    /// The kind.
    pub kind: ConnectionKind,
    /// The target element's id, where the connection was written.
    pub target: Located<String>,
}

/// How an element's failure is handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorHandling {
    /// Failures stop the flow (the platform default).
    #[default]
    Stop,
    /// A fault path or error output handles them.
    Path,
    /// Failures are ignored and execution continues (n8n `continueOnFail`).
    Continue,
    /// Retried before failing (n8n `retryOnFail`).
    Retry,
}

/// One element of a flow.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Element {
    /// Unique name inside the flow (Salesforce API name, n8n node name, Node-RED node id).
    pub id: Located<String>,
    /// What people see.
    pub label: Option<String>,
    /// What it does.
    pub kind: ElementKind,
    /// The platform's own type name (`recordLookups`, `n8n-nodes-base.httpRequest`, `http request`).
    pub platform_type: String,
    /// A stable identity the platform keeps when the element is renamed (the n8n node `id`),
    /// when it differs from `id`; lets a diff tell a rename from a rewiring.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform_id: Option<String>,
    /// Outgoing connections.
    pub connections: Vec<Connection>,
    /// Switched off in the platform.
    pub disabled: bool,
    /// How failures are handled.
    pub error_handling: ErrorHandling,
    /// The whole element in the file.
    #[serde(skip)]
    pub span: Span,
}

/// A variable, formula or constant a flow declares.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Variable {
    /// Its name.
    pub name: Located<String>,
    /// Declared data type.
    pub data_type: Option<String>,
    /// What it is (`variables`, `formulas`, `constants`, `textTemplates`, `choices`).
    pub declaration: String,
    /// The whole declaration in the file.
    #[serde(skip)]
    pub span: Span,
}

/// How a flow starts.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowTrigger {
    /// Runs when a record is saved or deleted.
    Record {
        /// The object (`Account`).
        object: Option<String>,
        /// `RecordBeforeSave`, `RecordAfterSave` or `RecordBeforeDelete`.
        timing: String,
        /// `Create`, `Update`, `CreateAndUpdate` or `Delete`.
        event: Option<String>,
        /// Whether entry conditions narrow which records start it.
        has_entry_criteria: bool,
    },
    /// On a schedule.
    Schedule,
    /// On a platform event or app event.
    Event(String),
    /// Through an inbound HTTP call.
    Webhook,
    /// Started by a person (screen flows, manual trigger).
    Manual,
    /// Started by another flow, process or code.
    #[default]
    Invoked,
}

/// A flow imported from a platform file.
/// Serialized as a summary (dialect, trigger, elements and connections); the original
/// document is exported as it was read, never re-serialized.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flow {
    /// The source format.
    pub dialect: Dialect,
    /// The platform's label or name.
    pub label: Option<String>,
    /// The platform's description.
    pub description: Option<String>,
    /// How it starts.
    pub trigger: FlowTrigger,
    /// Whether the platform runs it (Salesforce `Active`, n8n `active`, Node-RED not disabled).
    pub active: bool,
    /// The elements, in file order.
    pub elements: Vec<Element>,
    /// Elements execution starts at.
    pub entries: Vec<Located<String>>,
    /// Declared variables.
    pub variables: Vec<Variable>,
    /// The document exactly as read, for export.
    #[serde(skip)]
    pub original: Arc<str>,
    /// The parsed document, with spans, for dialect-specific rules.
    #[serde(skip)]
    pub document: FlowDocument,
}

/// The parsed platform document a flow was lowered from. Rules that need what the common
/// model does not carry (a Salesforce `apiVersion`, an n8n node's parameters) read it here
/// instead of parsing the file again.
#[derive(Debug, Clone)]
pub enum FlowDocument {
    /// The `<Flow>` root element of a Salesforce file.
    Xml(Arc<XmlElement>),
    /// The root value of an n8n or Node-RED file.
    Json(Arc<Node>),
}

impl FlowDocument {
    /// The XML root, for XML dialects.
    pub fn xml(&self) -> Option<&XmlElement> {
        match self {
            Self::Xml(root) => Some(root),
            Self::Json(_) => None,
        }
    }

    /// The JSON root, for JSON dialects.
    pub fn json(&self) -> Option<&Node> {
        match self {
            Self::Json(root) => Some(root),
            Self::Xml(_) => None,
        }
    }
}

/// The tree is derived from `Flow::original`, which is compared; two trees of equal
/// originals are equal.
impl PartialEq for FlowDocument {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Flow {
    /// Look an element up by id.
    pub fn element(&self, id: &str) -> Option<&Element> {
        self.elements.iter().find(|e| e.id.value == id)
    }
}

//! The flowgate asset model: typed ids, validated asset kinds, analysed expressions and
//! templates, references between assets, and the graphs they form.
//!
//! Types here are built by `flowgate-load` from files and read by every other crate.
#![forbid(unsafe_code)]

mod asset;
mod bundle;
mod expr;
pub mod flow;
mod flow_document;
mod graph;
mod id;
mod integration;
mod kinds;
mod located;
pub mod markdown;
mod model;
mod reconciliation;
mod references;
mod values;
mod watch;
mod workflow;

pub use asset::{Asset, AssetKind, AssetSpec, FileId, Origin};
pub use bundle::{Bundle, Member, Selector};
pub use expr::{Expression, FieldUse, TemplateText, TemplateVariable, DATA_OBJECTS};
pub use graph::{
    asset_graph_json, dot_escape, mermaid_escape, render_asset_graph, render_step_graphs,
    AssetGraph, GraphFormat,
};
pub use id::{validate_id, AssetId, IdError, StepId};
pub use integration::{
    ApiCall, Constraints, Criticality, Customization, DeprecatedApi, Direction, EntityFlow,
    ErrorHandling, FieldMapping, HookType, Integration, IntegrationRetries, IntegrationTrigger,
    Lifecycle, Observability, PartialFailure, PlatformConstraint, RecordFailure, System,
    SystemCategory, TableAccess, TableUse, Volume,
};
pub use kinds::{
    AssetRef, AuthScheme, Backoff, Body, BodyFile, Channel, Consent, ConsentCapture, DataObject,
    EnumOption, Field, FieldType, Form, FormField, HiddenField, HttpMethod, List, ListType,
    Literal, MessageCategory, MessageContent, RetryPolicy, ScoreDecay, ScoringRule, Sender,
    StepRef, Tag, Template, Webhook, WebhookAuth,
};
pub use located::Located;
pub use model::{Model, SourceFile};
pub use reconciliation::{
    AggregateCheck, AggregateColumn, Case, ColumnMapping, DriftPolicy, KeyPart, ReconcileSource,
    Reconciliation, SegmentBy, SideColumn, ValueType,
};
pub use references::{Reference, Relation, Target};
pub use values::{Duration, DurationError, SecretRef, SecretRefError, TimeOfDay, TimeOfDayError};
pub use watch::{
    parse_file_filter, BadDirection, Comparison, FileCondition, FileFilterError, Holdout, Kpi,
    KpiUnit, NamedSource, OnFail, Thresholds, UrlRef, Watch, WatchSource, DEFAULT_MAX_SAMPLES,
};
pub use workflow::{
    AssignStrategy, BranchArm, EdgeKind, Enrollment, FrequencyCap, Goal, Reenrollment, Settings,
    SplitPath, Step, StepAction, TimeWindow, Trigger, Weekday, Workflow,
};

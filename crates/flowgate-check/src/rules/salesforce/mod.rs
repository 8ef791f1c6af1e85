//! Salesforce Flow rules (FG8xx): the Salesforce-specific checks of Lightning Flow Scanner
//! (API version, naming, running context, null handling, record-trigger recursion …) and the
//! ones it lacks (entry criteria, cross-flow recursion, hard-coded users and queues,
//! subflows doing DML without a fault path). They read the `<Flow>` XML the importer kept.

pub mod support;

mod api_version;
mod auto_layout;
mod copy_api_name;
mod cross_flow;
mod cross_flow_recursion;
mod duplicate_dml_operation;
mod entry_conditions;
mod flow_description;
mod flow_name;
mod get_record_all_fields;
mod hardcoded_id;
mod hardcoded_user_or_queue;
mod inactive_flow;
mod missing_null_handler;
mod process_builder;
mod record_trigger;
mod record_trigger_without_entry_criteria;
mod recursive_after_update;
mod same_record_field_updates;
mod subflow_dml_without_fault_path;
mod trigger_order;
mod unsafe_running_context;
pub use api_version::ApiVersion;
pub use auto_layout::AutoLayout;
pub use copy_api_name::CopyApiName;
pub use cross_flow_recursion::CrossFlowRecursion;
pub use duplicate_dml_operation::DuplicateDmlOperation;
pub use flow_description::FlowDescription;
pub use flow_name::FlowName;
pub use get_record_all_fields::GetRecordAllFields;
pub use hardcoded_id::HardcodedId;
pub use hardcoded_user_or_queue::HardcodedUserOrQueue;
pub use inactive_flow::InactiveFlow;
pub use missing_null_handler::MissingNullHandler;
pub use process_builder::ProcessBuilder;
pub use record_trigger_without_entry_criteria::RecordTriggerWithoutEntryCriteria;
pub use recursive_after_update::RecursiveAfterUpdate;
pub use same_record_field_updates::SameRecordFieldUpdates;
pub use subflow_dml_without_fault_path::SubflowDmlWithoutFaultPath;
pub use trigger_order::TriggerOrder;
pub use unsafe_running_context::UnsafeRunningContext;

use crate::Rule;

/// The rules of this category.
pub const RULES: &[&dyn Rule] = &[
    &ApiVersion,
    &AutoLayout,
    &CopyApiName,
    &FlowDescription,
    &FlowName,
    &GetRecordAllFields,
    &HardcodedId,
    &DuplicateDmlOperation,
    &MissingNullHandler,
    &ProcessBuilder,
    &RecursiveAfterUpdate,
    &SameRecordFieldUpdates,
    &TriggerOrder,
    &UnsafeRunningContext,
    &InactiveFlow,
    &RecordTriggerWithoutEntryCriteria,
    &CrossFlowRecursion,
    &HardcodedUserOrQueue,
    &SubflowDmlWithoutFaultPath,
];

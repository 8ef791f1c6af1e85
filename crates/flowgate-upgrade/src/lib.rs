//! Upgrade impact. The contracts of a system's versions live in the workspace
//! (`contracts/<system>/<version>/`, with a `db_schema` tree of Magento modules and API
//! contracts beside it); [`uses`] works out which tables and columns each integration relies
//! on (declared `tables`, and entity field mappings such as `from: sales_order.grand_total`)
//! and which of them the system's current version does not have; [`api`] does the same for
//! the operations and fields of its `api_calls`; [`plan()`] names, per integration, the schema
//! and API changes of an upgrade that touch what it uses, and orders the integrations into
//! phases.
#![forbid(unsafe_code)]

pub mod api;
pub mod contracts;
pub mod markdown;
pub mod plan;
pub mod uses;

pub use api::{ApiChange, ApiUse};
pub use contracts::{version_dir, Contracts, ContractsError};
pub use plan::{plan, Impact, Phase, UpgradePlan};
pub use uses::{column_uses, ColumnUse, Problem, UseKind};

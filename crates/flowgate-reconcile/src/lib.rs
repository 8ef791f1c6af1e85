//! Reconciliation of two databases: prove that orders, revenue and stock agree between a
//! shop's MySQL/MariaDB and an ERP's PostgreSQL, at scale, and track drift over runs.
//!
//! - [`engine`]: checksum bisection pushed into each database, exact classification.
//! - [`drift`]: EWMA level and CUSUM over the mismatch rate of recorded runs.
//! - [`generate`]: a Magento-shaped MariaDB and an ERP-shaped PostgreSQL with planted
//!   differences of every class.
#![forbid(unsafe_code)]

pub mod checkpoint;
mod classify;
pub mod db;
pub mod drift;
pub mod engine;
mod error;
mod fragment;
pub mod generate;
mod local;
pub mod normalise;
pub mod report;
mod side;
pub mod sql;
mod sql_side;
mod types;
mod zone;

pub use engine::{
    connection_variable, current_workspace, resolve_url, run, run_in, NoProgress, Progress,
    RunOptions, Tuning,
};
pub use error::{ConnectionProblem, Error, Invalid, NotConnectionVariable, Result, RowPlace};
pub use report::{Counts, Report};

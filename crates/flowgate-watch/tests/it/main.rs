//! The watch's integration tests, one binary with a module per suite.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[rustfmt::skip]
#[allow(clippy::type_complexity)]
mod reference_values;
mod common;
mod hostile;
mod prometheus;
mod scenarios;
mod stats;

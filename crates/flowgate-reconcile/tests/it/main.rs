//! Reconciliation's integration tests, one binary with a module per suite (so they link
//! once): `cargo test -p flowgate-reconcile --test it transforms::` runs one suite.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

mod failure;
mod incremental;
mod landscape;
mod local;
mod normalise;
mod security;
mod transforms;

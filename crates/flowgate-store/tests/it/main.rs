//! The store's integration tests, one binary with a module per suite (so they link once):
//! `cargo test -p flowgate-store --test it canonical::` runs one suite.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;
mod suite;

mod canonical;
mod open;
mod security;
mod store;

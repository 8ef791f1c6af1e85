//! The loader's integration tests, one binary with a module per suite (so they link once):
//! `cargo test -p flowgate-load --test it n8n_corpus::` runs one suite.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

mod corpus;
mod discovery;
mod integration_kinds;
mod kinds;
mod malformed;
mod n8n_corpus;
mod node_red_corpus;
mod platform_workspaces;
mod roundtrip;
mod salesforce_corpus;
mod schema;
mod security;
mod watch_kind;

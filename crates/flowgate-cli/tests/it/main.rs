//! The `flowgate` binary end to end. One test binary holds every suite (a module each), so
//! the tests link once; `cargo test -p flowgate-cli --test it promotion::` runs one suite.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

mod check;
mod cli;
mod contract;
mod demo;
mod errors;
mod export;
mod incidents;
mod init;
mod integrations;
mod json_contracts;
mod live;
mod n8n;
mod node_red;
mod payload;
mod promotion;
mod reconcile;
mod reconcile_incremental;
mod reference;
mod sarif;
mod security;
mod seed;
mod serve;
mod snapshot;
mod store_config;
mod upgrade;
mod upgrade_api;
mod watch;

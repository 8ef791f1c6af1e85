//! The release crate's integration tests, one binary with a module per suite (so they link
//! once): `cargo test -p flowgate-release --test it promotion::` runs one suite.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod promotion;
mod security;
mod targets;
mod versions;
mod watching;

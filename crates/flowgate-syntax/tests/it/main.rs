//! The syntax layer's integration tests, one binary with a module per suite (so they link
//! once): `cargo test -p flowgate-syntax --test it xml::` runs one suite.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod deserialize;
mod no_panic;
mod security;
mod xml;

//! The check crate's integration tests, one binary with a module per suite (so they link
//! once): `cargo test -p flowgate-check --test it lfs_parity::` runs one suite, and
//! `cargo test -p flowgate-check -- FG101` one rule's cases.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod lfs_parity;
mod reference;
mod rules;

//! The diff's integration tests, one binary with a module per suite (so they link once):
//! `cargo test -p flowgate-diff --test it real_edits::` runs one suite.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod mutation;

mod flow_changes;
mod mutations;
mod properties;
mod real_edits;

//! The server against a real store: authentication (invitations, passwords, sessions, API
//! tokens, CSRF, rate limits), every route × role, and the pages' escaping.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod after_release;
mod authorization;
mod checklist;
mod common;
mod login;
mod notify;
mod oidc;
mod pages;
#[path = "../support/policy.rs"]
mod policy;
mod postgres;
mod workspace_pages;

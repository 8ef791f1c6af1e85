//! The pages in a real headless Chromium, driven through WebDriver against a real server on a
//! loopback port: what a person sees, clicks and types, and what the browser refuses to run.
//! Needs `chromium` and `chromedriver` (skipped with a note without them, failed under CI).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod approval;
mod chrome;
mod common;
mod escaping;
mod keyboard;
#[path = "../support/policy.rs"]
mod policy;
mod refusals;
mod screenshots;

//! `flowgate serve`: the team's system of record over one store.
//!
//! The server authenticates people (passwords set through one-time invitations, hashed with
//! argon2id; personal API tokens for the CLI and CI; browser sessions in HttpOnly, SameSite
//! cookies with a CSRF token on every form), takes the time from its own clock, and enforces
//! the roles of `[people]` by calling the same release library the CLI calls: the server never
//! re-implements a gate. Every page is rendered on the server (maud, no scripts from a CDN)
//! and has a JSON twin on the same route (`Accept: application/json` or `?format=json`).
//!
//! People may also log in through an OpenID Connect provider (`[server.oidc]`, module
//! [`oidc`]): the provider's verified claim names a person of `[people]`.
//!
//! Everything a request changes lives in the store's database (sessions, tokens, login
//! failures, the operation log and the refs moved by compare-and-swap), so several servers on
//! one PostgreSQL behave as one.
#![forbid(unsafe_code)]

mod app;
mod auth;
mod blocking;
pub mod drift;
mod error;
mod negotiate;
pub mod notify;
pub mod oidc;
mod pages;
pub mod password;
pub(crate) mod routes;
pub mod secret;
pub mod timebox;
mod views;

pub use app::{router, serve, AppState, ServeError, ServeOptions};
pub use auth::{
    invite, Invitation, INVITE_PREFIX, LOCKOUT_MINUTES, MAX_FAILURES, SESSION_COOKIE, TOKEN_PREFIX,
};
pub use drift::DEFAULT_DRIFT_CHECK;

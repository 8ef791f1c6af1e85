//! Logging in through the OpenID Connect provider of `[server.oidc]`.
//!
//! `GET /login/oidc` records the login (hashes of its `state` and of a binding secret) in the
//! store, sets the binding secret in an HttpOnly cookie (SameSite=Lax, so that the browser
//! sends it when the provider sends it back) and redirects to the provider. `GET
//! /login/oidc/callback` uses the recorded login once, only from the browser that started it,
//! exchanges the code, verifies the ID token and starts the same session a password login
//! starts, for the person of `[people]` the verified claim names. Anyone else is refused
//! (403) and nothing is created.

use super::session::{anonymous, local_path, Next};
use crate::auth;
use crate::error::ApiError;
use crate::oidc::{OidcError, Provider};
use crate::pages::page;
use crate::{secret, AppState};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use chrono::Duration;
use flowgate_store::Timestamp;
use maud::html;
use serde::Deserialize;

/// The cookie binding a login in progress to the browser that started it.
pub const OIDC_COOKIE: &str = "flowgate_oidc";
/// The prefix of that cookie's secret.
const BINDING_PREFIX: &str = "fgo_";
/// How long the provider has to send the person back.
const LOGIN_MINUTES: i64 = 10;
/// The path of the callback, below the public URL.
const CALLBACK: &str = "/login/oidc/callback";

fn provider(state: &AppState) -> Result<Provider, ApiError> {
    state.oidc().cloned().ok_or_else(|| {
        ApiError::not_found("this server has no OpenID Connect login; log in with a password")
    })
}

fn redirect_uri(state: &AppState) -> String {
    format!("{}{CALLBACK}", state.public_url().trim_end_matches('/'))
}

/// SameSite=Lax: the browser must send it when the provider sends the person back.
fn binding_cookie(state: &AppState, value: String) -> Cookie<'static> {
    auth::cookie_for(state, OIDC_COOKIE, value, SameSite::Lax, "/login/oidc")
}

fn from_provider(error: OidcError) -> ApiError {
    tracing::warn!(error = %error, "OpenID Connect login failed");
    let status = match error {
        OidcError::Unavailable(_) => StatusCode::BAD_GATEWAY,
        OidcError::Refused(_) => StatusCode::FORBIDDEN,
    };
    ApiError::new(status, format!("{error}; try again from the login page"))
}

/// Runs blocking provider work off the async workers.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, OidcError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(ApiError::internal)?
        .map_err(from_provider)
}

/// `GET /login/oidc`: to the provider.
pub async fn start(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(next): Query<Next>,
) -> Result<Response, ApiError> {
    let provider = provider(&state)?;
    let binding = secret::generate(BINDING_PREFIX).map_err(ApiError::internal)?;
    let login = secret::generate("").map_err(ApiError::internal)?;
    let (redirect, key, id) = (redirect_uri(&state), binding.clone(), login.clone());
    let url = blocking(move || provider.authorization_url(&redirect, &id, &key)).await?;
    let accounts = state.store().accounts();
    let end = accounts.now().datetime() + Duration::minutes(LOGIN_MINUTES);
    accounts
        .begin_oidc_login(
            &secret::hash(&login),
            &secret::hash(&binding),
            local_path(next.next.as_deref()),
            Timestamp::from_datetime(end),
        )
        .await?;
    let jar = jar.add(binding_cookie(&state, binding));
    Ok((jar, Redirect::to(&url)).into_response())
}

/// What the provider sends back.
#[derive(Deserialize)]
pub struct Callback {
    #[serde(default)]
    state: String,
    code: Option<String>,
    error: Option<String>,
    iss: Option<String>,
}

fn refused(message: impl Into<String>) -> ApiError {
    ApiError::forbidden(message)
}

/// Uses the login `state` names, once, if this browser started it; where to go next.
async fn take_login(
    state: &AppState,
    jar: &CookieJar,
    callback: &Callback,
) -> Result<(String, String), ApiError> {
    let binding = jar
        .get(OIDC_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|b| secret::looks_like(b, BINDING_PREFIX));
    let unknown = || {
        refused(
            "this sign-in is unknown, used, expired or was started in another browser; \
             start again from the login page",
        )
    };
    let Some(binding) = binding else {
        return Err(unknown());
    };
    if !secret::looks_like(&callback.state, "") {
        return Err(unknown());
    }
    let accounts = state.store().accounts();
    let next = accounts
        .take_oidc_login(&secret::hash(&callback.state), &secret::hash(&binding))
        .await?
        .ok_or_else(unknown)?;
    Ok((binding, next))
}

/// `GET /login/oidc/callback`: a session for the person the provider vouches for.
pub async fn callback(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(callback): Query<Callback>,
) -> Result<Response, ApiError> {
    let provider = provider(&state)?;
    let (binding, next) = take_login(&state, &jar, &callback).await?;
    let jar = jar.remove(binding_cookie(&state, String::new()));
    if callback
        .iss
        .as_deref()
        .is_some_and(|iss| !provider.is_issuer(iss))
    {
        return Err(refused("the answer comes from another provider (`iss`)"));
    }
    let code = match (&callback.error, &callback.code) {
        (None, Some(code)) if !code.is_empty() => code.clone(),
        (error, _) => {
            return Err(refused(format!(
                "the sign-in provider did not sign you in ({})",
                error.as_deref().unwrap_or("no code")
            )))
        }
    };
    let (redirect, settings) = (redirect_uri(&state), provider.settings().clone());
    let identity = blocking(move || provider.identify(&redirect, &code, &binding)).await?;
    let person = crate::oidc::person(state.policy(), settings.claim, &identity).map_err(|why| {
        tracing::warn!(subject = %identity.subject, "OpenID Connect login refused: {why}");
        refused(format!("{why}; ask an administrator to add you"))
    })?;
    let session = auth::start_session(&state, &person).await?;
    tracing::info!(person, "logged in through OpenID Connect");
    Ok((jar.add(session), signed_in(&state, &person, &next)).into_response())
}

/// The page after a login: it moves on by itself (`Refresh`). A redirect would not do: the
/// browser came from the provider's site, and does not send a SameSite=Strict cookie along a
/// redirect chain that started on another site.
fn signed_in(state: &AppState, person: &str, next: &str) -> Response {
    let body = html! {
        p { "Signed in as " strong { (person) } ". " a href=(next) { "Continue" } }
    };
    let mut response = page("Signed in", &anonymous(state), body).into_response();
    if let Ok(value) = format!("0;url={next}").parse() {
        response.headers_mut().insert("refresh", value);
    }
    response
}

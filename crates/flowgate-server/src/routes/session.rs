//! Logging in and out in the browser, and setting a password from an invitation link. The
//! login and setup forms are protected by a double-submit CSRF cookie (a session does not
//! exist yet); the session cookie is HttpOnly and SameSite=Strict.

use super::input::Input;
use crate::auth::{self, Caller, FORM_COOKIE, INVITE_PREFIX, SESSION_COOKIE};
use crate::error::ApiError;
use crate::negotiate::Want;
use crate::pages::{page, Viewer};
use crate::{password, secret, AppState};
use axum::extract::{ConnectInfo, FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar};
use maud::{html, Markup};
use serde::Deserialize;
use std::convert::Infallible;
use std::net::SocketAddr;

/// The client's address, when the server knows it (rate limits count per address too).
pub struct ClientAddr(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|info| info.0.ip().to_string()),
        ))
    }
}

/// `?next=` of the login page.
#[derive(Deserialize)]
pub struct Next {
    pub(super) next: Option<String>,
}

/// Only a path on this site (never `//host` or `https://…`): no open redirect.
pub(super) fn local_path(next: Option<&str>) -> &str {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => {
            path
        }
        _ => "/",
    }
}

pub(super) fn anonymous(state: &AppState) -> Viewer<'_> {
    Viewer {
        workspace: state.workspace(),
        person: None,
        csrf: None,
    }
}

/// A fresh form token and the cookie carrying it.
fn form_token(state: &AppState, jar: CookieJar) -> Result<(CookieJar, String), ApiError> {
    let token = secret::generate("").map_err(ApiError::internal)?;
    let jar = jar.add(auth::cookie(state, FORM_COOKIE, token.clone()));
    Ok((jar, token))
}

/// Refuses a login or setup form whose token does not match its cookie.
fn check_form_token(jar: &CookieJar, given: &str) -> Result<(), ApiError> {
    match jar.get(FORM_COOKIE) {
        Some(cookie) if !given.is_empty() && secret::same(cookie.value(), given) => Ok(()),
        _ => Err(ApiError::forbidden(
            "the form's CSRF token is missing or wrong; reload the page and try again",
        )),
    }
}

fn login_markup(state: &AppState, csrf: &str, next: &str, error: Option<&str>) -> Markup {
    let provider = state.oidc().map(|p| p.settings().name.as_str());
    html! {
        @if let Some(error) = error { p.error role="alert" { (error) } }
        @if let Some(name) = provider {
            p { a.button href=(format!("/login/oidc?next={}", auth::encode(next))) { "Sign in with " (name) } }
        }
        form.stacked method="post" action="/login" {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="next" value=(next);
            label for="person" { "Person id" }
            input id="person" name="person" autocomplete="username" required;
            label for="password" { "Password" }
            input id="password" name="password" type="password" autocomplete="current-password" required;
            button type="submit" { "Log in" }
        }
        p.muted { "No password yet? Ask for an invitation: " code { "flowgate people invite YOUR-ID" } }
    }
}

/// `GET /login`.
pub async fn login_form(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(next): Query<Next>,
) -> Result<Response, ApiError> {
    let (jar, csrf) = form_token(&state, jar)?;
    let next = local_path(next.next.as_deref()).to_owned();
    let body = login_markup(&state, &csrf, &next, None);
    Ok((jar, page("Log in", &anonymous(&state), body)).into_response())
}

/// The login form.
#[derive(Deserialize)]
pub struct LoginForm {
    person: String,
    password: String,
    #[serde(default)]
    csrf: String,
    next: Option<String>,
}

/// `POST /login`: a session cookie and a redirect, or the form again with the reason.
pub async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    jar: CookieJar,
    Input(form): Input<LoginForm>,
) -> Result<Response, ApiError> {
    check_form_token(&jar, &form.csrf)?;
    let person = form.person.trim();
    if let Err(error) =
        auth::check_password(&state, person, &form.password, client.as_deref()).await
    {
        let (jar, csrf) = form_token(&state, jar)?;
        let next = local_path(form.next.as_deref()).to_owned();
        let body = login_markup(&state, &csrf, &next, Some(&error.message));
        return Ok((error.status, jar, page("Log in", &anonymous(&state), body)).into_response());
    }
    let session = auth::start_session(&state, person).await?;
    tracing::info!(person, "logged in");
    let jar = jar.remove(Cookie::from(FORM_COOKIE)).add(session);
    Ok((jar, Redirect::to(local_path(form.next.as_deref()))).into_response())
}

/// A form that only carries its CSRF token.
#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

impl CsrfForm {
    /// The token the form carried.
    pub fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /logout`.
pub async fn logout(
    State(state): State<AppState>,
    caller: Caller,
    jar: CookieJar,
    Input(form): Input<CsrfForm>,
) -> Result<Response, ApiError> {
    caller.check_csrf(Some(&form.csrf))?;
    if let Some(cookie) = jar.get(SESSION_COOKIE) {
        state
            .store()
            .accounts()
            .end_session(&secret::hash(cookie.value()))
            .await?;
    }
    let jar = jar.remove(Cookie::from(SESSION_COOKIE));
    Ok((jar, Redirect::to("/login")).into_response())
}

async fn invited(state: &AppState, invite: &str) -> Result<String, ApiError> {
    let unknown = || {
        ApiError::not_found(
            "this invitation link is unknown, used or expired; ask for a new one \
             (`flowgate people invite PERSON`)",
        )
    };
    if !secret::looks_like(invite, INVITE_PREFIX) {
        return Err(unknown());
    }
    let person = state
        .store()
        .accounts()
        .invite(&secret::hash(invite))
        .await?;
    person
        .filter(|p| state.policy().people.contains_key(p))
        .ok_or_else(unknown)
}

fn setup_markup(person: &str, csrf: &str, action: &str, error: Option<&str>) -> Markup {
    html! {
        p { "Choose a password for " strong { (person) } ". It needs at least "
            (password::MIN_LENGTH) " characters." }
        @if let Some(error) = error { p.error role="alert" { (error) } }
        form.stacked method="post" action=(action) {
            input type="hidden" name="csrf" value=(csrf);
            label for="password" { "New password" }
            input id="password" name="password" type="password" autocomplete="new-password" required;
            label for="confirm" { "The same password again" }
            input id="confirm" name="confirm" type="password" autocomplete="new-password" required;
            button type="submit" { "Set password and log in" }
        }
    }
}

/// `GET /setup/{secret}`.
pub async fn setup_form(
    State(state): State<AppState>,
    want: Want,
    jar: CookieJar,
    Path(invite): Path<String>,
) -> Result<Response, ApiError> {
    let person = invited(&state, &invite).await.map_err(|e| e.to(want))?;
    let (jar, csrf) = form_token(&state, jar)?;
    let body = setup_markup(&person, &csrf, &format!("/setup/{invite}"), None);
    Ok((jar, page("Set your password", &anonymous(&state), body)).into_response())
}

/// The setup form.
#[derive(Deserialize)]
pub struct SetupForm {
    password: String,
    confirm: String,
    #[serde(default)]
    csrf: String,
}

/// `POST /setup/{secret}`: sets the password, uses the invitation, starts a session.
pub async fn setup(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(invite): Path<String>,
    Input(form): Input<SetupForm>,
) -> Result<Response, ApiError> {
    check_form_token(&jar, &form.csrf)?;
    let person = invited(&state, &invite).await?;
    let problem = if form.password != form.confirm {
        Some("the two passwords differ".to_owned())
    } else {
        password::weakness(&form.password, &person)
    };
    if let Some(problem) = problem {
        let (jar, csrf) = form_token(&state, jar)?;
        let body = setup_markup(&person, &csrf, &format!("/setup/{invite}"), Some(&problem));
        let status = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        return Ok((
            status,
            jar,
            page("Set your password", &anonymous(&state), body),
        )
            .into_response());
    }
    let phc = password::hash(&form.password).map_err(ApiError::internal)?;
    let accounts = state.store().accounts();
    if accounts
        .redeem_invite(&secret::hash(&invite), &phc)
        .await?
        .is_none()
    {
        return Err(ApiError::not_found(
            "this invitation was used a moment ago; ask for a new one",
        ));
    }
    tracing::info!(person, "password set from an invitation");
    let session = auth::start_session(&state, &person).await?;
    let jar = jar.remove(Cookie::from(FORM_COOKIE)).add(session);
    Ok((jar, Redirect::to("/")).into_response())
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn redirects_stay_on_this_site() {
        assert_eq!(local_path(Some("/inbox")), "/inbox");
        assert_eq!(local_path(Some("//evil.example/")), "/");
        assert_eq!(local_path(Some("https://evil.example/")), "/");
        assert_eq!(local_path(Some("/\\evil.example")), "/");
        assert_eq!(local_path(None), "/");
    }
}

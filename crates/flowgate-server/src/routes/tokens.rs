//! Personal API tokens: created in the browser or by `flowgate login` (person and password),
//! listed and revoked by their owner. A token's secret is shown once, at creation; the store
//! keeps only its hash.

use super::input::Input;
use super::session::ClientAddr;
use crate::auth::{self, Caller};
use crate::error::ApiError;
use crate::negotiate::Want;
use crate::pages::{page, Viewer};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use maud::html;
use serde::Deserialize;
use serde_json::json;

/// The longest a token may live.
const MAX_DAYS: u32 = 366;

/// `GET /api/me`: who the credential belongs to.
pub async fn me(State(state): State<AppState>, caller: Caller) -> Json<serde_json::Value> {
    let roles = state
        .policy()
        .people
        .get(&caller.person)
        .map(|p| p.roles.clone())
        .unwrap_or_default();
    Json(json!({
        "flowgate_me": 1,
        "person": caller.person,
        "roles": roles,
        "credential": caller.credential_label(),
    }))
}

/// `GET /api/tokens`: the caller's tokens.
pub async fn list(
    State(state): State<AppState>,
    want: Want,
    caller: Caller,
) -> Result<Response, ApiError> {
    let tokens = state
        .store()
        .accounts()
        .tokens(&caller.person)
        .await
        .map_err(|e| ApiError::from(e).to(want))?;
    if want == Want::Json {
        return Ok(Json(json!({ "flowgate_tokens": 1, "tokens": tokens })).into_response());
    }
    let csrf = caller.csrf().unwrap_or_default();
    let now = state.store().accounts().now();
    let body = html! {
        table {
            thead { tr { th { "Name" } th { "Id" } th { "Created" } th { "Expires" } th { "Last used" } th { "State" } th {} } }
            tbody {
                @for token in &tokens {
                    tr {
                        td { (token.name) } td { code { (token.id) } }
                        td { (token.created_at.to_human()) }
                        td { (token.expires_at.map_or("never".to_owned(), |t| t.to_human())) }
                        td { (token.last_used_at.map_or("never".to_owned(), |t| t.to_human())) }
                        td { (crate::pages::badge(token.is_valid_at(now), if token.revoked_at.is_some() { "revoked" } else if token.is_valid_at(now) { "active" } else { "expired" })) }
                        td {
                            @if token.revoked_at.is_none() {
                                form method="post" action={ "/api/tokens/" (token.id) "/revoke" } {
                                    input type="hidden" name="csrf" value=(csrf);
                                    button.danger type="submit" aria-label={ "Revoke " (token.name) } { "Revoke" }
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 { "New token" }
        form.stacked method="post" action="/api/tokens" {
            input type="hidden" name="csrf" value=(csrf);
            label for="name" { "Name (where it is used)" }
            input id="name" name="name" required placeholder="ci";
            label for="days" { "Valid for days (empty: " (MAX_DAYS) ")" }
            input id="days" name="days" type="number" min="1" max=(MAX_DAYS);
            button type="submit" { "Create token" }
        }
    };
    let viewer = Viewer {
        workspace: state.workspace(),
        person: Some(&caller.person),
        csrf: caller.csrf(),
    };
    Ok(page("API tokens", &viewer, body).into_response())
}

/// A request for a new token.
#[derive(Deserialize)]
pub struct NewTokenRequest {
    name: String,
    #[serde(default, deserialize_with = "empty_as_none")]
    days: Option<u32>,
    person: Option<String>,
    password: Option<String>,
    #[serde(default)]
    csrf: String,
}

/// A number field left empty in a form is absent.
fn empty_as_none<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Days {
        Number(u32),
        Text(String),
    }
    match Option::<Days>::deserialize(d)? {
        None => Ok(None),
        Some(Days::Number(n)) => Ok(Some(n)),
        Some(Days::Text(t)) if t.trim().is_empty() => Ok(None),
        Some(Days::Text(t)) => t.trim().parse().map(Some).map_err(serde::de::Error::custom),
    }
}

/// `POST /api/tokens`: a new token for the caller, or for `person` proving their password
/// (how `flowgate login` gets one). The secret is in the answer, once.
pub async fn create(
    State(state): State<AppState>,
    want: Want,
    ClientAddr(client): ClientAddr,
    caller: Result<Caller, Response>,
    Input(request): Input<NewTokenRequest>,
) -> Result<Response, ApiError> {
    let fail = |e: ApiError| e.to(want);
    let person = match (&caller, &request.person, &request.password) {
        (Ok(caller), _, _) => {
            caller.check_csrf(Some(&request.csrf)).map_err(fail)?;
            caller.person.clone()
        }
        (Err(_), Some(person), Some(password)) => {
            auth::check_password(&state, person.trim(), password, client.as_deref())
                .await
                .map_err(fail)?;
            person.trim().to_owned()
        }
        (Err(rejection), _, _) => {
            return Err(fail(ApiError::new(
                StatusCode::UNAUTHORIZED,
                format!(
                    "log in, or give person and password ({})",
                    rejection.status()
                ),
            )))
        }
    };
    let name = request.name.trim();
    if name.is_empty() || name.len() > 100 || name.chars().any(char::is_control) {
        return Err(fail(ApiError::bad_request(
            "name the token in 1 to 100 printable characters",
        )));
    }
    let days = request.days.unwrap_or(MAX_DAYS);
    if days == 0 || days > MAX_DAYS {
        return Err(fail(ApiError::bad_request(format!(
            "a token lives 1 to {MAX_DAYS} days"
        ))));
    }
    let (record, secret) = auth::issue_token(&state, &person, name, Some(days))
        .await
        .map_err(fail)?;
    tracing::info!(person, token = record.id, "API token created");
    if want == Want::Json || caller.is_err() {
        let body = json!({ "flowgate_token": 1, "token": secret, "record": record });
        return Ok((StatusCode::CREATED, Json(body)).into_response());
    }
    let body = html! {
        p.notice role="status" { "Copy this token now: it is not shown again." }
        pre { code { (secret) } }
        p { a href="/api/tokens" { "Back to your tokens" } }
    };
    let viewer = Viewer {
        workspace: state.workspace(),
        person: Some(&person),
        csrf: caller.as_ref().ok().and_then(Caller::csrf),
    };
    Ok((StatusCode::CREATED, page("Token created", &viewer, body)).into_response())
}

/// `POST /api/tokens/{id}/revoke`: the caller revokes one of their own tokens.
pub async fn revoke(
    State(state): State<AppState>,
    want: Want,
    caller: Caller,
    Path(id): Path<String>,
    Input(form): Input<super::session::CsrfForm>,
) -> Result<Response, ApiError> {
    caller
        .check_csrf(Some(form.csrf()))
        .map_err(|e| e.to(want))?;
    let revoked = state
        .store()
        .accounts()
        .revoke_token(&caller.person, &id)
        .await
        .map_err(|e| ApiError::from(e).to(want))?;
    if !revoked {
        return Err(ApiError::not_found(format!("you have no active token `{id}`")).to(want));
    }
    tracing::info!(person = caller.person, token = id, "API token revoked");
    if want == Want::Json {
        return Ok(Json(json!({ "flowgate_token_revoked": 1, "id": id })).into_response());
    }
    Ok(Redirect::to("/api/tokens").into_response())
}

//! Who is asking. A request authenticates with a personal API token (`Authorization: Bearer
//! fgt_…`, for the CLI and CI) or a browser session cookie; either way the person must still be
//! listed under `[people]`. A session's forms carry its CSRF token, which is compared in
//! constant time. Failed logins are counted in the store per person and per client address.

use crate::error::ApiError;
use crate::negotiate::Want;
use crate::{password, secret, AppState, ServeError};
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use chrono::Duration;
use flowgate_store::{AnyStore, NewToken, Timestamp, TokenRecord};

/// The cookie holding a browser session id.
pub const SESSION_COOKIE: &str = "flowgate_session";
/// The cookie holding the CSRF token of the login and setup forms (before a session exists).
pub const FORM_COOKIE: &str = "flowgate_form";
/// The prefix of personal API tokens.
pub const TOKEN_PREFIX: &str = "fgt_";
/// The prefix of invitation secrets.
pub const INVITE_PREFIX: &str = "fgi_";
/// The prefix of session ids.
const SESSION_PREFIX: &str = "fgs_";

/// How long a browser session lasts.
const SESSION_HOURS: i64 = 12;
/// Failed logins allowed per person or client address within [`LOCKOUT_MINUTES`].
pub const MAX_FAILURES: u64 = 5;
/// The window over which failed logins are counted.
pub const LOCKOUT_MINUTES: i64 = 15;

/// How the caller authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A personal API token, by its public id.
    Token(String),
    /// A browser session, with its CSRF token.
    Session {
        /// The token every form of this session must carry.
        csrf: String,
    },
}

/// An authenticated person.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Their id in `[people]`.
    pub person: String,
    /// How they authenticated.
    pub credential: Credential,
}

impl Caller {
    /// What the operation log records as the credential (`token tok_…` or `session`).
    pub fn credential_label(&self) -> String {
        match &self.credential {
            Credential::Token(id) => format!("token {id}"),
            Credential::Session { .. } => "browser session".to_owned(),
        }
    }

    /// The store, recording this caller's credential with every operation.
    pub fn store(&self, state: &AppState) -> AnyStore {
        state.store().clone().acting_with(self.credential_label())
    }

    /// The CSRF token of a session (`None` for a token, which needs none: it is never sent
    /// by a browser on its own).
    pub fn csrf(&self) -> Option<&str> {
        match &self.credential {
            Credential::Session { csrf } => Some(csrf),
            Credential::Token(_) => None,
        }
    }

    /// Refuses a state-changing request of a session whose form did not carry its CSRF token.
    pub fn check_csrf(&self, given: Option<&str>) -> Result<(), ApiError> {
        match (&self.credential, given) {
            (Credential::Token(_), _) => Ok(()),
            (Credential::Session { csrf }, Some(given)) if secret::same(csrf, given) => Ok(()),
            (Credential::Session { .. }, _) => Err(ApiError::forbidden(
                "the form's CSRF token is missing or wrong; reload the page and try again",
            )),
        }
    }
}

/// Why a request is not authenticated: a page asks the person to log in, JSON gets 401.
pub struct Unauthenticated {
    want: Want,
    next: String,
    message: String,
}

impl IntoResponse for Unauthenticated {
    fn into_response(self) -> Response {
        match self.want {
            Want::Html => {
                Redirect::to(&format!("/login?next={}", encode(&self.next))).into_response()
            }
            Want::Json => {
                let mut response = ApiError::new(StatusCode::UNAUTHORIZED, self.message)
                    .to(Want::Json)
                    .into_response();
                if let Ok(value) = "Bearer realm=\"flowgate\"".parse() {
                    response
                        .headers_mut()
                        .insert(axum::http::header::WWW_AUTHENTICATE, value);
                }
                response
            }
        }
    }
}

/// `text` percent-encoded for a query value (only unreserved characters stay).
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let want = Want::of(parts);
        let reject = |message: &str| {
            Unauthenticated {
                want,
                next: parts
                    .uri
                    .path_and_query()
                    .map_or("/".to_owned(), |p| p.as_str().to_owned()),
                message: message.to_owned(),
            }
            .into_response()
        };
        if let Some(header) = parts.headers.get(AUTHORIZATION) {
            let token = header
                .to_str()
                .ok()
                .and_then(|h| h.strip_prefix("Bearer "))
                .map(str::trim)
                .unwrap_or_default();
            return match by_token(state, token).await {
                Ok(Some(caller)) => Ok(caller),
                Ok(None) => Err(reject(
                    "the API token is unknown, revoked or expired; create one with `flowgate login`",
                )),
                Err(e) => Err(e.to(want).into_response()),
            };
        }
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(cookie) = jar.get(SESSION_COOKIE) else {
            return Err(reject(
                "log in first: send `Authorization: Bearer <token>` or log in in the browser",
            ));
        };
        match by_session(state, cookie.value()).await {
            Ok(Some(caller)) => Ok(caller),
            Ok(None) => Err(reject("the session has ended; log in again")),
            Err(e) => Err(e.to(want).into_response()),
        }
    }
}

async fn by_token(state: &AppState, token: &str) -> Result<Option<Caller>, ApiError> {
    if !secret::looks_like(token, TOKEN_PREFIX) {
        return Ok(None);
    }
    let accounts = state.store().accounts();
    let Some(record) = accounts.use_token(&secret::hash(token)).await? else {
        return Ok(None);
    };
    if !record.is_valid_at(accounts.now()) || !state.policy().people.contains_key(&record.person) {
        return Ok(None);
    }
    Ok(Some(Caller {
        person: record.person,
        credential: Credential::Token(record.id),
    }))
}

async fn by_session(state: &AppState, id: &str) -> Result<Option<Caller>, ApiError> {
    if !secret::looks_like(id, SESSION_PREFIX) {
        return Ok(None);
    }
    let session = state.store().accounts().session(&secret::hash(id)).await?;
    Ok(session
        .filter(|s| state.policy().people.contains_key(&s.person))
        .map(|s| Caller {
            person: s.person,
            credential: Credential::Session { csrf: s.csrf },
        }))
}

/// Checks `person`'s password, counting failures per person and per client address: after
/// [`MAX_FAILURES`] within [`LOCKOUT_MINUTES`] every attempt is refused (429) until the
/// window passes, right password or not.
pub async fn check_password(
    state: &AppState,
    person: &str,
    given: &str,
    client: Option<&str>,
) -> Result<(), ApiError> {
    let accounts = state.store().accounts();
    let now = accounts.now().datetime();
    let since = Timestamp::from_datetime(now - Duration::minutes(LOCKOUT_MINUTES));
    let subjects: Vec<String> = std::iter::once(format!("person:{person}"))
        .chain(client.map(|c| format!("client:{c}")))
        .collect();
    for subject in &subjects {
        if accounts.login_failures_since(subject, since).await? >= MAX_FAILURES {
            let mut error = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "too many failed logins; wait {LOCKOUT_MINUTES} minutes, or ask an \
                     administrator for a new invitation"
                ),
            );
            error.retry_after = Some(u64::try_from(LOCKOUT_MINUTES * 60).unwrap_or(900));
            return Err(error);
        }
    }
    let stored = if state.policy().people.contains_key(person) {
        accounts.password(person).await?
    } else {
        None
    };
    // A person without a password is checked against a fixed hash, so the answer takes as
    // long whether the person exists or not.
    let matches =
        password::verify(given, stored.as_deref().unwrap_or(&DUMMY_HASH)) && stored.is_some();
    if matches {
        accounts.clear_login_failures(&subjects[0], since).await?;
        return Ok(());
    }
    for subject in &subjects {
        accounts.record_login_failure(subject).await?;
    }
    Err(ApiError::new(
        StatusCode::UNAUTHORIZED,
        "the person or the password is wrong",
    ))
}

/// An argon2id hash of a random password nobody knows, verified against when the person has
/// no password, so a login for an unknown person costs what a real one costs.
static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let unknown = secret::generate("").unwrap_or_else(|_| "no randomness".to_owned());
    password::hash(&unknown).unwrap_or_default()
});

/// Starts a browser session for `person`; the cookie to set.
pub async fn start_session(state: &AppState, person: &str) -> Result<Cookie<'static>, ApiError> {
    let id = secret::generate(SESSION_PREFIX).map_err(ApiError::internal)?;
    let csrf = secret::generate("").map_err(ApiError::internal)?;
    let accounts = state.store().accounts();
    let end = Timestamp::from_datetime(accounts.now().datetime() + Duration::hours(SESSION_HOURS));
    accounts
        .create_session(&secret::hash(&id), person, &csrf, end)
        .await?;
    Ok(cookie(state, SESSION_COOKIE, id))
}

/// A cookie only this site's pages send: HttpOnly, SameSite=Strict, and Secure unless the
/// server runs on plain HTTP for one machine.
pub fn cookie(state: &AppState, name: &'static str, value: String) -> Cookie<'static> {
    cookie_for(state, name, value, SameSite::Strict, "/")
}

/// An HttpOnly cookie for `path` only, sent as `same_site` says (Secure as [`cookie`] is).
pub fn cookie_for(
    state: &AppState,
    name: &'static str,
    value: String,
    same_site: SameSite,
    path: &'static str,
) -> Cookie<'static> {
    Cookie::build((name, value))
        .http_only(true)
        .same_site(same_site)
        .secure(state.secure_cookies())
        .path(path)
        .build()
}

/// A new personal API token for `person`: its record and its secret (shown once).
pub async fn issue_token(
    state: &AppState,
    person: &str,
    name: &str,
    days: Option<u32>,
) -> Result<(TokenRecord, String), ApiError> {
    let secret = secret::generate(TOKEN_PREFIX).map_err(ApiError::internal)?;
    let id = format!("tok_{}", &secret::hash(&secret)[..12]);
    let accounts = state.store().accounts();
    let expires_at = days.map(|d| {
        Timestamp::from_datetime(accounts.now().datetime() + Duration::days(i64::from(d)))
    });
    accounts
        .create_token(&NewToken {
            id: &id,
            hash: &secret::hash(&secret),
            person,
            name,
            expires_at,
        })
        .await?;
    let record = accounts
        .tokens(person)
        .await?
        .into_iter()
        .find(|t| t.id == id)
        .ok_or_else(|| ApiError::internal("a token just stored is not found"))?;
    Ok((record, secret))
}

/// A one-time invitation to set a password.
#[derive(Debug, Clone)]
pub struct Invitation {
    /// Who it is for.
    pub person: String,
    /// The secret of the setup link (`/setup/<secret>`), shown once.
    pub secret: String,
    /// When it stops working.
    pub expires_at: Timestamp,
}

/// Records an invitation for `person` (who must be listed under `[people]`, which the caller
/// checks), valid for `hours`, made by `by`.
pub async fn invite(
    store: &AnyStore,
    person: &str,
    by: &str,
    hours: u32,
) -> Result<Invitation, ServeError> {
    let secret = secret::generate(INVITE_PREFIX).map_err(|e| ServeError::Random(e.to_string()))?;
    let accounts = store.accounts();
    let expires_at =
        Timestamp::from_datetime(accounts.now().datetime() + Duration::hours(i64::from(hours)));
    accounts
        .create_invite(&secret::hash(&secret), person, by, expires_at)
        .await?;
    Ok(Invitation {
        person: person.to_owned(),
        secret,
        expires_at,
    })
}

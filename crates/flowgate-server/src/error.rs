//! A request that failed, with the HTTP status that says why and a sentence that says what to
//! do; rendered as a page or as JSON, as the request asked.

use crate::negotiate::Want;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use flowgate_release::{Refusal, ReleaseError};
use serde_json::json;

/// A failed request.
#[derive(Debug)]
pub struct ApiError {
    /// The status.
    pub status: StatusCode,
    /// What went wrong and what to do.
    pub message: String,
    /// How to render it.
    pub want: Want,
    /// Seconds to wait before retrying (429).
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// An error with `status` and `message`.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            want: Want::Html,
            retry_after: None,
        }
    }

    /// Rendered as `want`.
    pub fn to(mut self, want: Want) -> Self {
        self.want = want;
        self
    }

    /// 400: the request is malformed.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// 403: the person may not do this.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }

    /// 404: nothing by that name.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    /// 500: the server failed; the detail goes to the log, not to the client.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "request failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the server failed to handle this request; its log says why",
        )
    }

    /// The machine-readable name of the status, for JSON clients.
    fn code(&self) -> &'static str {
        match self.status {
            StatusCode::BAD_REQUEST => "bad_request",
            StatusCode::UNAUTHORIZED => "unauthenticated",
            StatusCode::FORBIDDEN => "forbidden",
            StatusCode::NOT_FOUND => "not_found",
            StatusCode::CONFLICT => "conflict",
            StatusCode::UNPROCESSABLE_ENTITY => "blocked",
            StatusCode::TOO_MANY_REQUESTS => "rate_limited",
            StatusCode::SERVICE_UNAVAILABLE => "unavailable",
            _ => "internal",
        }
    }
}

impl From<flowgate_store::Error> for ApiError {
    fn from(error: flowgate_store::Error) -> Self {
        match error {
            flowgate_store::Error::Conflict { .. } => {
                Self::new(StatusCode::CONFLICT, error.to_string())
            }
            other => Self::internal(other),
        }
    }
}

impl From<ReleaseError> for ApiError {
    /// Each kind of release error to the status that says why: the policy says no (403), a
    /// name or id that matches nothing (404), a lost race (409), a stale plan or blocking gates
    /// (422, with every gate's reason), a bad request (400), a platform that did not answer or
    /// refused the credential (502); store and other target failures are 500.
    fn from(error: ReleaseError) -> Self {
        let status = match &error {
            ReleaseError::Refused(refusal) => refusal_status(refusal),
            ReleaseError::Conflict(_) => StatusCode::CONFLICT,
            ReleaseError::Blocked(gates) if actor_may_not(gates) => StatusCode::FORBIDDEN,
            ReleaseError::Blocked(_)
            | ReleaseError::Stale(_)
            | ReleaseError::NotReleasable
            | ReleaseError::VersionTooSmall(_)
            | ReleaseError::TooLarge(_)
            | ReleaseError::UnsafePath { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ReleaseError::NoBundle { .. } => StatusCode::NOT_FOUND,
            ReleaseError::BadVersion(_) => StatusCode::BAD_REQUEST,
            ReleaseError::Target(target) => match target.failure {
                flowgate_release::TargetFailure::Conflict => StatusCode::CONFLICT,
                flowgate_release::TargetFailure::Unreachable
                | flowgate_release::TargetFailure::Denied => StatusCode::BAD_GATEWAY,
                flowgate_release::TargetFailure::Failed => return Self::internal(error),
            },
            ReleaseError::Unreadable { .. } | ReleaseError::Store(_) => {
                return Self::internal(error)
            }
        };
        let message = match &error {
            ReleaseError::Blocked(gates) => gates
                .iter()
                .filter(|g| !g.passed)
                .map(|g| format!("{}: {}", g.gate, g.reason))
                .collect::<Vec<_>>()
                .join("; "),
            other => other.to_string(),
        };
        Self::new(status, message)
    }
}

/// Who may not (403), what does not exist (404), what is asked wrongly (400), and what the
/// state of the environments does not allow now (422; 409 is kept for a lost race, so that
/// the command line's exit codes through a server are those it gives locally).
fn refusal_status(refusal: &Refusal) -> StatusCode {
    match refusal {
        Refusal::UnknownApprover { .. }
        | Refusal::CannotApproveAs { .. }
        | Refusal::NotAnApprover { .. }
        | Refusal::UnknownActor { .. }
        | Refusal::NotAPromoter { .. } => StatusCode::FORBIDDEN,
        Refusal::UnknownEnvironment { .. }
        | Refusal::UnknownSnapshot { .. }
        | Refusal::UnknownVersion { .. } => StatusCode::NOT_FOUND,
        Refusal::BadEnvironmentName { .. }
        | Refusal::PlanIdTooShort { .. }
        | Refusal::AmbiguousPlan { .. }
        | Refusal::WhichRole { .. } => StatusCode::BAD_REQUEST,
        Refusal::Pinned { .. }
        | Refusal::NothingToRollBack { .. }
        | Refusal::NoEarlierVersion { .. }
        | Refusal::WouldStrand { .. }
        | Refusal::NoTarget { .. }
        | Refusal::NothingToSync { .. }
        | Refusal::DoesNotRender { .. } => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// Whether the gate about who acts (the person's role) blocks: then the person may not do
/// this at all, whatever the other gates say, which is a 403 rather than a 422.
fn actor_may_not(gates: &[flowgate_release::GateResult]) -> bool {
    gates.iter().any(|g| !g.passed && g.gate == "promoter")
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = match self.want {
            Want::Json => (
                self.status,
                axum::Json(json!({
                    "flowgate_error": 1,
                    "status": self.status.as_u16(),
                    "error": self.code(),
                    "message": self.message,
                })),
            )
                .into_response(),
            Want::Html => (
                self.status,
                crate::pages::error_page(self.status, &self.message),
            )
                .into_response(),
        };
        if let Some(seconds) = self.retry_after {
            if let Ok(value) = seconds.to_string().parse() {
                response
                    .headers_mut()
                    .insert(axum::http::header::RETRY_AFTER, value);
            }
        }
        response
    }
}

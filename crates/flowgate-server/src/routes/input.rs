//! A request body as a form (from a page) or JSON (from the CLI), chosen by its content type.

use crate::error::ApiError;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use axum::{Form, Json};
use serde::de::DeserializeOwned;

/// A request without a content type: only an empty body is accepted, read as no fields.
async fn empty_body<S: Send + Sync, T: DeserializeOwned>(
    request: Request,
    state: &S,
) -> Result<T, String> {
    let bytes = axum::body::Bytes::from_request(request, state)
        .await
        .map_err(|e| e.body_text())?;
    if !bytes.is_empty() {
        return Err("send it as application/json or application/x-www-form-urlencoded".to_owned());
    }
    serde_json::from_value(serde_json::json!({})).map_err(|e| e.to_string())
}

/// The body, deserialized from a form or from JSON.
pub struct Input<T>(pub T);

impl<S, T> FromRequest<S> for Input<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let want = crate::negotiate::Want::from_request(request.uri(), request.headers());
        let content_type = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let is_json = content_type
            .as_deref()
            .is_some_and(|v| v.starts_with("application/json"));
        let result = if content_type.is_none() {
            empty_body(request, state).await
        } else if is_json {
            Json::<T>::from_request(request, state)
                .await
                .map(|Json(v)| v)
                .map_err(|e| e.body_text())
        } else {
            Form::<T>::from_request(request, state)
                .await
                .map(|Form(v)| v)
                .map_err(|e| e.body_text())
        };
        result.map(Input).map_err(|why| {
            ApiError::bad_request(format!("the request body is not valid: {why}")).to(want)
        })
    }
}

//! Every page has a JSON twin on the same route: a request gets JSON when it asks with
//! `Accept: application/json` (and not for HTML first) or with `?format=json`.

use axum::extract::FromRequestParts;
use axum::http::header::ACCEPT;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Uri};
use std::convert::Infallible;

/// What the client wants back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// A page.
    Html,
    /// The JSON twin.
    Json,
}

impl Want {
    /// What the request asks for.
    pub fn of(parts: &Parts) -> Self {
        Self::from_request(&parts.uri, &parts.headers)
    }

    /// What a request for `uri` with `headers` asks for.
    pub fn from_request(uri: &Uri, headers: &HeaderMap) -> Self {
        let query = uri.query().unwrap_or_default();
        if query.split('&').any(|pair| pair == "format=json") {
            return Want::Json;
        }
        let accept = headers
            .get(ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let json = accept.find("application/json");
        let html = accept.find("text/html");
        match (json, html) {
            (Some(j), Some(h)) if j < h => Want::Json,
            (Some(_), None) => Want::Json,
            _ => Want::Html,
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Want {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Want::of(parts))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use axum::http::Request;

    fn want(uri: &str, accept: Option<&str>) -> Want {
        let mut request = Request::builder().uri(uri);
        if let Some(accept) = accept {
            request = request.header(ACCEPT, accept);
        }
        let (parts, ()) = request.body(()).unwrap().into_parts();
        Want::of(&parts)
    }

    #[test]
    fn json_is_asked_for_by_header_or_query() {
        assert_eq!(want("/", None), Want::Html);
        assert_eq!(want("/?format=json", None), Want::Json);
        assert_eq!(want("/", Some("application/json")), Want::Json);
        assert_eq!(
            want("/", Some("text/html,application/json;q=0.9")),
            Want::Html
        );
        assert_eq!(want("/", Some("*/*")), Want::Html);
    }
}

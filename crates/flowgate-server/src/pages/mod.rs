//! The page frame, the stylesheet (embedded in the binary: no CDN, no scripts), and small
//! pieces every page uses. maud escapes every interpolated value, so a name holding `<script>`
//! is shown as text.

pub mod markdown;

use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use maud::{html, Markup, DOCTYPE};

/// The stylesheet, served at `/assets/style.css`.
const STYLE: &str = include_str!("style.css");

/// `GET /assets/style.css`.
pub async fn stylesheet() -> impl IntoResponse {
    ([(CONTENT_TYPE, "text/css; charset=utf-8")], STYLE)
}

/// Who is looking at a page, for its header.
pub struct Viewer<'a> {
    /// The workspace's name.
    pub workspace: &'a str,
    /// The person, when logged in.
    pub person: Option<&'a str>,
    /// The session's CSRF token, for the logout form.
    pub csrf: Option<&'a str>,
}

/// A whole page: header with navigation, the main content, and the person's logout button.
pub fn page(title: &str, viewer: &Viewer<'_>, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · flowgate · " (viewer.workspace) }
                link rel="stylesheet" href="/assets/style.css";
            }
            body {
                a.skip href="#main" { "Skip to content" }
                header {
                    span.brand { "flowgate · " (viewer.workspace) }
                    @if let Some(person) = viewer.person {
                        nav aria-label="Main" {
                            a href="/" { "Environments" }
                            a href="/inbox" { "Approvals" }
                            a href="/audit" { "Audit log" }
                            a href="/integrations" { "Integrations" }
                            a href="/reconciliations" { "Reconciliations" }
                            a href="/watch" { "Watch" }
                            a href="/incidents" { "Incidents" }
                            a href="/delivery" { "Delivery" }
                            a href="/api/tokens" { "API tokens" }
                        }
                        form.logout method="post" action="/logout" {
                            @if let Some(csrf) = viewer.csrf {
                                input type="hidden" name="csrf" value=(csrf);
                            }
                            span { "Signed in as " strong { (person) } }
                            button type="submit" { "Log out" }
                        }
                    }
                }
                main id="main" {
                    h1 { (title) }
                    (content)
                }
            }
        }
    }
}

/// The page for a failed request.
pub fn error_page(status: StatusCode, message: &str) -> Markup {
    let viewer = Viewer {
        workspace: "",
        person: None,
        csrf: None,
    };
    page(
        status.canonical_reason().unwrap_or("Error"),
        &viewer,
        html! {
            p.error role="alert" { (message) }
            p { a href="/" { "Back to the environments" } }
        },
    )
}

/// A status badge (`passed`, `blocked`, …) with its text, so colour is never the only cue.
pub fn badge(ok: bool, text: &str) -> Markup {
    html! {
        span class=(if ok { "badge ok" } else { "badge bad" }) { (if ok { "✔ " } else { "✖ " }) (text) }
    }
}

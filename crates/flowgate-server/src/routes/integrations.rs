//! The integrations of the workspace the server runs in: the risk table, the data-flow map
//! (an SVG served as an image, so nothing in it runs), and the generated page of each
//! integration, as `flowgate integrations docs` writes them.

use super::viewer;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::negotiate::Want;
use crate::pages::{markdown, page};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::Json;
use flowgate_integrations::risk::{assess_all, RiskAssessment};
use flowgate_integrations::{docs, map, parse_risk_config, Inventory, ListRow};
use flowgate_load::{load_workspace, Workspace};
use maud::html;
use serde_json::json;
use std::collections::BTreeMap;

/// The inventory as the pages show it.
pub struct Inventoried {
    rows: Vec<ListRow>,
    risks: Vec<RiskAssessment>,
    svg: String,
    pages: BTreeMap<String, String>,
    /// Assets that failed to load, left out of the inventory.
    unloaded: usize,
}

fn read_inventory(root: &std::path::Path, title: &str) -> Result<Inventoried, ApiError> {
    let workspace = Workspace::discover(root).map_err(|d| {
        ApiError::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the server cannot read its workspace ({}); start `flowgate serve` in the workspace or pass -C",
                d.message
            ),
        )
    })?;
    let config = parse_risk_config(&workspace.config_text)
        .map_err(|d| ApiError::internal(format!("flowgate.toml [integrations]: {}", d.message)))?;
    let loaded = load_workspace(&workspace);
    let inventory = Inventory::new(&loaded.model);
    let risks = assess_all(&inventory, &config);
    let pages = docs::pages(&loaded.model, &inventory, &risks)
        .into_iter()
        .filter_map(|p| Some((p.file.strip_suffix(".md")?.to_owned(), p.text)))
        .collect();
    Ok(Inventoried {
        rows: inventory.rows(),
        svg: map::svg(&inventory, &risks, title),
        risks,
        pages,
        unloaded: loaded
            .diagnostics
            .iter()
            .filter(|d| d.severity == flowgate_diagnostics::Severity::Error)
            .count(),
    })
}

/// Reads the workspace's integrations (off the async workers: it reads files).
async fn inventory(state: &AppState) -> Result<Inventoried, ApiError> {
    let root = state.root().to_owned();
    let title = format!("{} integrations", state.workspace());
    tokio::task::spawn_blocking(move || read_inventory(&root, &title))
        .await
        .map_err(ApiError::internal)?
}

/// `GET /integrations`.
pub async fn list(
    State(state): State<AppState>,
    want: Want,
    caller: Caller,
) -> Result<Response, ApiError> {
    let found = inventory(&state).await.map_err(|e| e.to(want))?;
    let risk: BTreeMap<&str, &RiskAssessment> =
        found.risks.iter().map(|r| (r.id.as_str(), r)).collect();
    if want == Want::Json {
        return Ok(Json(json!({
            "flowgate_integrations": 1,
            "integrations": found.rows,
            "risks": found.risks,
            "unloaded": found.unloaded,
        }))
        .into_response());
    }
    let body = html! {
        @if found.unloaded > 0 {
            p.notice role="status" { (found.unloaded) " problems kept assets from loading; those assets are left out. Run " code { "flowgate check" } " in the workspace." }
        }
        @if found.rows.is_empty() {
            p { "The workspace declares no integrations." }
        } @else {
            table {
                caption.muted { "Riskiest first: the class, its score out of 100, and who owns each." }
                thead { tr { th scope="col" { "Integration" } th scope="col" { "From → to" } th scope="col" { "Hook" } th scope="col" { "Entities" } th scope="col" { "Owner" } th scope="col" { "Risk" } } }
                tbody {
                    @for row in sorted(&found.rows, &risk) {
                        tr {
                            th scope="row" { a href={ "/integrations/" (row.id) } { (row.name) } br; code { (row.id) } }
                            td { (row.source) " → " (row.target) " (" (row.direction) ")" }
                            td { (row.hook) }
                            td { (row.entities.join(", ")) }
                            td { (row.owner.as_deref().unwrap_or("(none)")) }
                            td {
                                @match risk.get(row.id.as_str()) {
                                    Some(r) => { strong { (format!("{:?}", r.class).to_lowercase()) } " " (r.score) @if row.safe_zone { br; span.muted { "safe zone" } } }
                                    None => { span.muted { "not assessed" } }
                                }
                            }
                        }
                    }
                }
            }
            h2 { "Data-flow map" }
            p { img src="/integrations/map.svg" alt="Systems and the integrations between them, coloured by risk class. The table above lists the same integrations."; }
            p { a href="/integrations/index" { "The generated overview page" } }
        }
    };
    Ok(page("Integrations", &viewer(&state, &caller), body).into_response())
}

/// Rows riskiest first, then by id.
fn sorted<'a>(rows: &'a [ListRow], risk: &BTreeMap<&str, &RiskAssessment>) -> Vec<&'a ListRow> {
    let mut out: Vec<&ListRow> = rows.iter().collect();
    let score = |row: &ListRow| risk.get(row.id.as_str()).map_or(0, |r| r.score);
    out.sort_by(|a, b| score(b).cmp(&score(a)).then(a.id.cmp(&b.id)));
    out
}

/// `GET /integrations/map.svg`.
pub async fn map_svg(State(state): State<AppState>, _caller: Caller) -> Result<Response, ApiError> {
    let found = inventory(&state).await?;
    Ok(([(CONTENT_TYPE, "image/svg+xml")], found.svg).into_response())
}

/// `GET /integrations/{id}`: the generated page of one integration (`index` for the
/// overview), as HTML or, with `?format=markdown`, as the Markdown file.
pub async fn show(
    State(state): State<AppState>,
    want: Want,
    caller: Caller,
    Path(id): Path<String>,
    Query(format): Query<super::checklist::Format>,
) -> Result<Response, ApiError> {
    let found = inventory(&state).await.map_err(|e| e.to(want))?;
    let Some(text) = found.pages.get(&id) else {
        return Err(ApiError::not_found(format!(
            "no integration `{id}` in the workspace; /integrations lists them"
        ))
        .to(want));
    };
    if format.markdown() {
        let kind = [(CONTENT_TYPE, "text/markdown; charset=utf-8")];
        return Ok((kind, text.clone()).into_response());
    }
    if want == Want::Json {
        let document = json!({ "flowgate_integration_page": 1, "id": id, "markdown": text });
        return Ok(Json(document).into_response());
    }
    let title = found
        .rows
        .iter()
        .find(|r| r.id == id)
        .map_or("Integrations overview", |r| r.name.as_str());
    let body = html! {
        p { a href={ "/integrations/" (id) "?format=markdown" } { "As Markdown" } }
        (markdown::to_html(text, "/integrations"))
    };
    Ok(page(title, &viewer(&state, &caller), body).into_response())
}

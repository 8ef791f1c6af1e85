//! Every route. Pages and their JSON twins share a route; state-changing routes take a form
//! (with the session's CSRF token) or JSON (with an API token).

mod audit;
mod board;
mod bundles;
pub use bundles::BundleView;
mod checklist;
mod delivery;
mod environments;
mod health;
mod inbox;
mod incidents;
pub use inbox::Waiting;
pub use incidents::with_advice as incidents_with_advice;
mod input;
mod integrations;
mod lookup;
mod oidc;
mod plans;
pub use plans::PlanView;
mod preview;
mod reconciliations;
mod session;
mod tokens;
mod watches;

use crate::AppState;
use axum::routing::{get, post};
use axum::Router;

/// The router, before state and layers.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(health::live))
        .route("/readyz", get(health::ready))
        .route("/assets/style.css", get(crate::pages::stylesheet))
        .route("/login", get(session::login_form).post(session::login))
        .route("/login/oidc", get(oidc::start))
        .route("/login/oidc/callback", get(oidc::callback))
        .route("/logout", post(session::logout))
        .route(
            "/setup/{secret}",
            get(session::setup_form).post(session::setup),
        )
        .route("/api/tokens", get(tokens::list).post(tokens::create))
        .route("/api/tokens/{id}/revoke", post(tokens::revoke))
        .route("/api/me", get(tokens::me))
        .route("/", get(board::board))
        .route("/inbox", get(inbox::inbox))
        .route("/audit", get(audit::audit))
        .route("/bundles/{bundle}", get(bundles::bundle))
        .route("/bundles/{bundle}/diff", get(bundles::diff))
        .route("/integrations", get(integrations::list))
        .route("/integrations/map.svg", get(integrations::map_svg))
        .route("/integrations/{id}", get(integrations::show))
        .route("/incidents", get(incidents::list))
        .route("/incidents/{id}", get(incidents::show))
        .route("/watch", get(watches::list))
        .route("/delivery", get(delivery::show))
        .route("/delivery/metrics", get(delivery::exposition))
        .route("/reconciliations", get(reconciliations::list))
        .route("/reconciliations/{name}", get(reconciliations::show))
        .route("/plans", post(plans::create))
        .route("/plans/{id}", get(plans::show))
        .route("/plans/{id}/approve", post(plans::approve))
        .route("/plans/{id}/checklist", get(checklist::show))
        .route(
            "/plans/{id}/checklist/{item}/confirm",
            post(checklist::confirm),
        )
        .route("/plans/{id}/reject", post(plans::reject))
        .route("/plans/{id}/apply", post(plans::apply))
        .route("/environments/{env}/rollback", post(environments::rollback))
        .route("/environments/{env}/pin", post(environments::pin))
        .route("/environments/{env}/unpin", post(environments::unpin))
}

/// Promotion against `store` at the server's clock: the time is never the client's.
pub fn promotions<'a>(
    store: &'a flowgate_store::AnyStore,
    policy: &'a flowgate_release::Policy,
) -> flowgate_release::Promotions<'a, flowgate_store::AnyStore> {
    flowgate_release::Promotions::new(store, policy, chrono::Utc::now())
        .with_targets(&crate::blocking::BlockingPlatforms)
}

/// The page header's view of `caller`.
pub fn viewer<'a>(
    state: &'a AppState,
    caller: &'a crate::auth::Caller,
) -> crate::pages::Viewer<'a> {
    crate::pages::Viewer {
        workspace: state.workspace(),
        person: Some(&caller.person),
        csrf: caller.csrf(),
    }
}

/// The page of plan `id` on this server, for messages.
pub fn link(state: &AppState, id: &str) -> String {
    format!("{}/plans/{id}", state.public_url().trim_end_matches('/'))
}

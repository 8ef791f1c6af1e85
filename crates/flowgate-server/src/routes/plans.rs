//! Plans: made (`POST /plans`), shown with their gates, diff and approvals (`GET /plans/{id}`),
//! approved, rejected and applied. Every decision is the release library's: the server only
//! says who asks (from the credential) and when (its own clock).

use super::input::Input;
use super::lookup::{load, recorded, recorded_for, snapshot_named};
use super::promotions;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::negotiate::Want;
use crate::notify::Event;
use crate::pages::{self, page, Viewer};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use flowgate_release::{Outcome, Plan, PlanReport};
use flowgate_store::{AnyStore, NewOperation, Operation, OperationFilter, OperationKind, Store};
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::{json, Value};

/// A request for a plan.
#[derive(Deserialize)]
pub struct PlanRequest {
    /// `BUNDLE@VERSION`, or a snapshot id (8 or more hex digits).
    snapshot: String,
    /// The environment to promote into.
    env: String,
    #[serde(default)]
    csrf: String,
}

/// `POST /plans`: plans the promotion and records the plan.
pub async fn create(
    State(state): State<AppState>,
    want: Want,
    caller: Caller,
    Input(request): Input<PlanRequest>,
) -> Result<Response, ApiError> {
    let fail = |e: ApiError| e.to(want);
    caller.check_csrf(Some(&request.csrf)).map_err(fail)?;
    let store = caller.store(&state);
    let snapshot = snapshot_named(&store, request.snapshot.trim())
        .await
        .map_err(fail)?;
    let promotions = promotions(&store, state.policy());
    let report = promotions
        .plan(&snapshot, request.env.trim(), Some(&caller.person))
        .await
        .map_err(|e| fail(e.into()))?;
    promotions
        .record_plan(&report, &caller.person)
        .await
        .map_err(|e| fail(e.into()))?;
    notify_waiting(&state, &caller.person, &report).await;
    if want == Want::Json {
        return Ok((StatusCode::CREATED, Json(plan_json(&report, &[]))).into_response());
    }
    Ok(Redirect::to(&format!("/plans/{}", report.id)).into_response())
}

/// Tells the notification targets whom a new plan waits for, when approvals block it.
async fn notify_waiting(state: &AppState, by: &str, report: &PlanReport) {
    let Some(env) = state.policy().environment(&report.plan.environment) else {
        return;
    };
    let waiting: Vec<String> = env
        .raci
        .approvers()
        .into_iter()
        .filter(|role| !report.approvals.iter().any(|a| &a.role == role))
        .collect();
    if waiting.is_empty() {
        return;
    }
    let plan = &report.plan;
    let text = format!(
        "{by} planned {} {} into {}; it waits for approval by {}: {}",
        plan.bundle,
        plan.version,
        plan.environment,
        waiting.join(", "),
        super::link(state, &report.id)
    );
    let data = json!({ "plan": report.id, "bundle": plan.bundle, "version": plan.version, "env": plan.environment, "by": by, "waiting_for": waiting });
    state.notifier().send(Event::PlanWaiting, text, data).await;
}

/// Tells the notification targets that `person` did `event` to `plan`.
async fn notify_plan(state: &AppState, event: Event, person: &str, plan: &Plan, outcome: &Outcome) {
    if !matches!(outcome, Outcome::Done(_)) {
        return;
    }
    let verb = match event {
        Event::PlanApproved => "approved",
        Event::PlanRejected => "rejected",
        _ => "applied",
    };
    let text = format!(
        "{person} {verb} {} {} into {}: {}",
        plan.bundle,
        plan.version,
        plan.environment,
        super::link(state, &plan.id())
    );
    let data = json!({ "plan": plan.id(), "bundle": plan.bundle, "version": plan.version, "env": plan.environment, "by": person });
    state.notifier().send(event, text, data).await;
}

/// The plan as JSON: the release library's document, with the rendered diff and the
/// rejections recorded against it.
fn plan_json(report: &PlanReport, rejections: &[Rejection]) -> Value {
    let mut value = report.to_json();
    if let Some(fields) = value.as_object_mut() {
        fields.insert(
            "diff_text".to_owned(),
            json!(flowgate_diff::render_human(&report.diff)),
        );
        fields.insert("rejections".to_owned(), json!(rejections));
    }
    value
}

/// A recorded rejection.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Rejection {
    person: String,
    at: String,
    comment: Option<String>,
}

/// The operations of `kind` recorded against `plan`, oldest first.
async fn on_plan(
    store: &AnyStore,
    kind: OperationKind,
    plan: &str,
) -> Result<Vec<Operation>, ApiError> {
    // A plan's rejections are few and read from the whole log, so that an edited index
    // column can never hide one; its apply is found through the plan index.
    let narrow = (kind != OperationKind::Reject).then(|| plan.to_owned());
    let ops: Vec<Operation> = store
        .operations(&OperationFilter {
            kind: Some(kind),
            plan_prefix: narrow,
            ..OperationFilter::default()
        })
        .await?;
    Ok(ops
        .into_iter()
        .filter(|op| op.payload.get("plan").and_then(Value::as_str) == Some(plan))
        .collect())
}

/// Who applied the plan and when, once it is applied.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Applied {
    person: String,
    at: String,
}

async fn applied(store: &AnyStore, plan: &str) -> Result<Option<Applied>, ApiError> {
    let ops = on_plan(store, OperationKind::Apply, plan).await?;
    Ok(ops.into_iter().next().map(|op| Applied {
        person: op.actor,
        at: op.at.to_human(),
    }))
}

async fn rejections(store: &AnyStore, plan: &str) -> Result<Vec<Rejection>, ApiError> {
    Ok(on_plan(store, OperationKind::Reject, plan)
        .await?
        .into_iter()
        .map(|op| Rejection {
            person: op.actor,
            at: op.at.to_human(),
            comment: op
                .payload
                .get("comment")
                .and_then(Value::as_str)
                .map(str::to_owned),
        })
        .collect())
}

/// The roles in which `person` could still approve `report`'s plan.
fn open_roles(state: &AppState, person: &str, report: &PlanReport) -> Vec<String> {
    let Some(env) = state.policy().environment(&report.plan.environment) else {
        return Vec::new();
    };
    let approvers = env.raci.approvers();
    state
        .policy()
        .people
        .get(person)
        .map(|p| {
            p.roles
                .iter()
                .filter(|r| approvers.contains(r))
                .filter(|r| {
                    !report
                        .approvals
                        .iter()
                        .any(|a| a.person == person && &a.role == *r)
                })
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

/// What the plan page shows, worked out once per log head (see `views.rs`).
#[derive(Debug)]
pub struct PlanView {
    plan: Plan,
    report: PlanReport,
    rejected: Vec<Rejection>,
    applied: Option<Applied>,
    items: Vec<flowgate_release::ChecklistItem>,
    previews: Vec<super::preview::TemplatePreview>,
}

impl PlanView {
    /// Whether a plan made now differs from the recorded one.
    fn stale(&self) -> bool {
        self.report.id != self.plan.id()
    }
}

/// Works out the page of plan `id` as `person` sees it.
async fn plan_view(state: &AppState, id: &str, person: &str) -> Result<PlanView, ApiError> {
    let store = state.store();
    let (plan, report, snapshot) = load(state, store, id, Some(person)).await?;
    let rejected = rejections(store, &plan.id()).await?;
    let applied = applied(store, &plan.id()).await?;
    let items =
        flowgate_release::plan_checklist(store, state.policy(), &report, &snapshot.manifest)
            .await?;
    let env = recorded_for(state, &plan)?;
    let previews = super::preview::previews(store, env, &report).await?;
    Ok(PlanView {
        plan,
        report,
        rejected,
        applied,
        items,
        previews,
    })
}

fn plan_view_json(state: &AppState, person: &str, view: &PlanView) -> Value {
    let mut value = plan_json(&view.report, &view.rejected);
    if let Some(fields) = value.as_object_mut() {
        fields.insert("requested".to_owned(), json!(view.plan.id()));
        fields.insert("stale".to_owned(), json!(view.stale()));
        fields.insert("applied".to_owned(), json!(view.applied));
        fields.insert("checklist".to_owned(), json!(view.items));
        fields.insert("previews".to_owned(), json!(view.previews));
        fields.insert(
            "can_approve_as".to_owned(),
            json!(open_roles(state, person, &view.report)),
        );
    }
    value
}

/// `GET /plans/{id}`.
pub async fn show(
    State(state): State<AppState>,
    want: Want,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let fail = |e: ApiError| e.to(want);
    let head = state.store().log_head().await.map_err(|e| fail(e.into()))?;
    let key = (id.clone(), caller.person.clone());
    let view = state
        .views()
        .plans
        .get(&key, &head, || plan_view(&state, &id, &caller.person))
        .await
        .map_err(fail)?;
    if want == Want::Json {
        return Ok(Json(plan_view_json(&state, &caller.person, &view)).into_response());
    }
    let (plan, report) = (&view.plan, &view.report);
    let roles = if view.stale() {
        Vec::new()
    } else {
        open_roles(&state, &caller.person, report)
    };
    let confirmer = {
        let env = recorded_for(&state, plan).map_err(fail)?;
        let roles = flowgate_release::confirming_roles(env);
        state
            .policy()
            .people
            .get(&caller.person)
            .is_some_and(|p| p.roles.iter().any(|r| roles.contains(r)))
    };
    let mut body = plan_markup(
        plan,
        report,
        &view.rejected,
        &roles,
        view.stale(),
        view.applied.as_ref(),
        caller.csrf(),
    );
    body.0.push_str(&super::preview::markup(&view.previews).0);
    body.0
        .push_str(&checklist_markup(&plan.id(), &view.items, confirmer, caller.csrf()).0);
    let viewer = Viewer {
        workspace: state.workspace(),
        person: Some(&caller.person),
        csrf: caller.csrf(),
    };
    let title = format!(
        "Plan {} — {} {} → {}",
        &plan.id()[..12],
        plan.bundle,
        plan.version,
        plan.environment
    );
    Ok(page(&title, &viewer, body).into_response())
}

fn plan_markup(
    plan: &Plan,
    report: &PlanReport,
    rejected: &[Rejection],
    roles: &[String],
    stale: bool,
    applied: Option<&Applied>,
    csrf: Option<&str>,
) -> Markup {
    let id = plan.id();
    html! {
        @if let Some(applied) = applied {
            p.notice role="status" { "Applied to " (plan.environment) " by " (applied.person) " at " (applied.at) ". The gates and the diff below are those of planning it again now." }
        } @else if stale {
            p.notice role="status" { "This plan is stale: a plan made now differs (the environment moved, or its files or gates changed). Make a new plan; approvals of this one do not count for it." }
        }
        p {
            "Bundle " strong { (plan.bundle) } " version " strong { (plan.version) }
            @if let Some(release) = &plan.release_id { " (" (release) ")" }
            " into " strong { (plan.environment) } ", frozen by " (plan.author) ". "
            @match &report.plan.base {
                Some(base) => { (plan.environment) " holds " (base.version) " now." }
                None => { (plan.environment) " holds nothing of this bundle yet." }
            }
        }
        h2 { "Gates" }
        table {
            thead { tr { th scope="col" { "Gate" } th scope="col" { "Verdict" } th scope="col" { "Why" } } }
            tbody {
                @for gate in &report.gates {
                    tr { td { (gate.gate) } td { (pages::badge(gate.passed, if gate.passed { "passes" } else { "blocks" })) } td { (gate.reason) } }
                }
            }
        }
        h2 { "What changes" }
        @if report.diff.is_empty() {
            p { "No changes to the rendered assets." }
        } @else {
            pre.diff { (flowgate_diff::render_human(&report.diff)) }
        }
        h2 { "Approvals" }
        @if report.approvals.is_empty() && rejected.is_empty() {
            p { "None yet." }
        }
        ul {
            @for approval in &report.approvals {
                li { (pages::badge(true, "approved")) " " (approval.person) " as " (approval.role) " at " (approval.at)
                     @if let Some(comment) = &approval.comment { ": “" (comment) "”" } }
            }
            @for rejection in rejected {
                li { (pages::badge(false, "rejected")) " " (rejection.person) " at " (rejection.at)
                     @if let Some(comment) = &rejection.comment { ": “" (comment) "”" } }
            }
        }
        @if !roles.is_empty() {
            h2 { "Your decision" }
            form.stacked method="post" action={ "/plans/" (id) "/approve" } {
                input type="hidden" name="csrf" value=(csrf.unwrap_or_default());
                @if roles.len() > 1 {
                    label for="role" { "Approve as" }
                    select id="role" name="role" { @for role in roles { option value=(role) { (role) } } }
                } @else {
                    input type="hidden" name="role" value=(roles[0]);
                }
                label for="comment" { "Comment (optional)" }
                textarea id="comment" name="comment" rows="3" {}
                button type="submit" { "Approve as " (roles.join(" or ")) }
                button.danger type="submit" formaction={ "/plans/" (id) "/reject" } { "Reject" }
            }
        }
        @if !stale && report.passes() && plan.base.as_ref().map(|b| b.snapshot) != Some(plan.snapshot) {
            h2 { "Apply" }
            form method="post" action={ "/plans/" (id) "/apply" } {
                input type="hidden" name="csrf" value=(csrf.unwrap_or_default());
                button type="submit" { "Apply to " (plan.environment) }
            }
        }
    }
}

fn checklist_markup(
    plan: &str,
    items: &[flowgate_release::ChecklistItem],
    confirmer: bool,
    csrf: Option<&str>,
) -> Markup {
    use flowgate_release::ItemState;
    html! {
        h2 id="checklist" { "Release checklist" }
        p { a href={ "/plans/" (plan) "/checklist?format=markdown" } { "As Markdown" } " (to paste into a PM tool)" }
        table {
            thead { tr { th scope="col" { "Section" } th scope="col" { "Item" } th scope="col" { "State" } th scope="col" { "Evidence" } } }
            tbody {
                @for item in items {
                    tr {
                        td { (item.section) } td { (item.text) }
                        @match &item.state {
                            ItemState::Verified { evidence } => { td { (pages::badge(true, "verified")) } td { (evidence) } }
                            ItemState::Failed { evidence } => { td { (pages::badge(false, "fails")) } td { (evidence) } }
                            ItemState::Confirmed { by, at, note } => { td { (pages::badge(true, "confirmed")) } td { (by) " at " (at) @if let Some(n) = note { ": " (n) } } }
                            ItemState::ToConfirm { why } => {
                                td { (pages::badge(false, "to confirm")) }
                                td {
                                    (why)
                                    @if confirmer && !item.id.starts_with("signoff.") {
                                        form method="post" action={ "/plans/" (plan) "/checklist/" (item.id) "/confirm" } {
                                            input type="hidden" name="csrf" value=(csrf.unwrap_or_default());
                                            label { "Note " input name="note"; }
                                            button type="submit" aria-label={ "Confirm: " (item.text) } { "Confirm" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// An approval or rejection.
#[derive(Deserialize)]
pub struct Decision {
    role: Option<String>,
    comment: Option<String>,
    #[serde(default)]
    csrf: String,
}

impl Decision {
    fn comment(&self) -> Option<&str> {
        self.comment
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
    }

    fn role(&self) -> Option<&str> {
        self.role
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
    }
}

fn outcome_json(action: &str, plan: &str, outcome: &Outcome) -> Value {
    match outcome {
        Outcome::Done(seq) => {
            json!({ "flowgate_outcome": 1, "action": action, "plan": plan, "changed": true, "operation": seq })
        }
        Outcome::Unchanged(why) => {
            json!({ "flowgate_outcome": 1, "action": action, "plan": plan, "changed": false, "reason": why })
        }
    }
}

fn answer(want: Want, action: &str, plan: &str, outcome: &Outcome) -> Response {
    match want {
        Want::Json => Json(outcome_json(action, plan, outcome)).into_response(),
        Want::Html => Redirect::to(&format!("/plans/{plan}")).into_response(),
    }
}

/// `POST /plans/{id}/approve`: the release library refuses (403) anyone whose roles cannot
/// approve into the plan's environment.
pub async fn approve(
    State(state): State<AppState>,
    want: Want,
    caller: Caller,
    Path(id): Path<String>,
    Input(decision): Input<Decision>,
) -> Result<Response, ApiError> {
    let fail = |e: ApiError| e.to(want);
    caller.check_csrf(Some(&decision.csrf)).map_err(fail)?;
    let store = caller.store(&state);
    let promotions = promotions(&store, state.policy());
    let plan = recorded(&promotions, &id).await.map_err(fail)?;
    let outcome = promotions
        .approve(&plan, &caller.person, decision.role(), decision.comment())
        .await
        .map_err(|e| fail(e.into()))?;
    tracing::info!(person = caller.person, plan = plan.id(), "plan approved");
    notify_plan(&state, Event::PlanApproved, &caller.person, &plan, &outcome).await;
    Ok(answer(want, "approve", &plan.id(), &outcome))
}

/// `POST /plans/{id}/reject`: only someone who could approve the plan may reject it; the
/// rejection and its comment go into the log.
pub async fn reject(
    State(state): State<AppState>,
    want: Want,
    caller: Caller,
    Path(id): Path<String>,
    Input(decision): Input<Decision>,
) -> Result<Response, ApiError> {
    let fail = |e: ApiError| e.to(want);
    caller.check_csrf(Some(&decision.csrf)).map_err(fail)?;
    let store = caller.store(&state);
    let (plan, report, _) = load(&state, &store, &id, None).await.map_err(fail)?;
    let env = state.policy().environment(&plan.environment);
    let approvers = env.map(|e| e.raci.approvers()).unwrap_or_default();
    let holds = state
        .policy()
        .people
        .get(&caller.person)
        .map(|p| p.roles.clone())
        .unwrap_or_default();
    if !holds.iter().any(|r| approvers.contains(r)) {
        return Err(fail(ApiError::forbidden(format!(
            "{} cannot reject plans into {}: approvals there come from {}",
            caller.person,
            plan.environment,
            if approvers.is_empty() {
                "nobody".to_owned()
            } else {
                approvers.join(", ")
            }
        ))));
    }
    let op = store
        .append_operation(&NewOperation::new(
            &caller.person,
            OperationKind::Reject,
            json!({
                "plan": plan.id(),
                "env": plan.environment,
                "bundle": plan.bundle,
                "version": plan.version,
                "snapshot": plan.snapshot,
                "comment": decision.comment(),
                "stale": report.id != plan.id(),
            }),
        ))
        .await
        .map_err(|e| fail(e.into()))?;
    tracing::info!(person = caller.person, plan = plan.id(), "plan rejected");
    let outcome = Outcome::Done(op.seq);
    notify_plan(&state, Event::PlanRejected, &caller.person, &plan, &outcome).await;
    Ok(answer(want, "reject", &plan.id(), &outcome))
}

/// `POST /plans/{id}/apply`: the library re-plans, checks every gate for the caller (a role
/// that may not promote is 403, other blocking gates 422), and moves the environment by
/// compare-and-swap (409 when it moved since the plan).
pub async fn apply(
    State(state): State<AppState>,
    want: Want,
    caller: Caller,
    Path(id): Path<String>,
    Input(form): Input<super::session::CsrfForm>,
) -> Result<Response, ApiError> {
    let fail = |e: ApiError| e.to(want);
    caller.check_csrf(Some(form.csrf())).map_err(fail)?;
    let store = caller.store(&state);
    let promotions = promotions(&store, state.policy());
    let plan = recorded(&promotions, &id).await.map_err(fail)?;
    if !rejections(&store, &plan.id())
        .await
        .map_err(fail)?
        .is_empty()
    {
        return Err(fail(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "this plan was rejected; address the rejection and make a new plan",
        )));
    }
    let outcome = promotions
        .apply(&plan, &caller.person)
        .await
        .map_err(|e| fail(e.into()))?;
    tracing::info!(person = caller.person, plan = plan.id(), "plan applied");
    notify_plan(&state, Event::PlanApplied, &caller.person, &plan, &outcome).await;
    Ok(answer(want, "apply", &plan.id(), &outcome))
}

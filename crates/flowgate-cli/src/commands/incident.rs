//! `flowgate incident …`: incidents recorded in the store's operation log, by the person
//! `--as` (or git) names, checked against the clock (`FLOWGATE_NOW` only in rehearsal stores).

use super::incident_view::{action_lines, incident_text, list_line, proposals_text};
use super::store::{with_promotions, PromotionSession};
use crate::cli::GlobalArgs;
use crate::error::{CommandError, CommandResult, ErrorKind};
use crate::exit::Exit;
use crate::incident_args::{
    ActionCommand, ActionsArgs, FieldArgs, IncidentCommand, LinkArgs, ListArgs, OpenArgs,
    UpdateArgs,
};
use crate::output::emit;
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use flowgate_incidents::{
    recommend, Incident, IncidentError, Incidents, NewAction, Patch, Remediation, Severity,
};
use flowgate_store::AnyStore;
use serde_json::{json, Value};

/// How long an incident may stay open unmitigated before the rollback-first advice:
/// `[incidents] timebox` in flowgate.toml, 30 minutes by default.
pub fn timebox(session: &PromotionSession) -> Duration {
    flowgate_incidents::timebox::limit(session.policy.incident_timebox)
}

/// `flowgate incident …`.
pub fn run(command: &IncidentCommand, global: &GlobalArgs) -> CommandResult {
    refuse_remote(global, "incident")?;
    with_promotions(global, |session| async move {
        let result = dispatch(command, &session, global).await;
        (session, result)
    })
}

/// Incident and watch commands record in the store this machine opens: with a server
/// configured they would bypass its authentication, so they refuse. `what` names the
/// commands (`incident`).
pub fn refuse_remote(global: &GlobalArgs, what: &str) -> Result<(), CommandError> {
    if let Some(url) = crate::remote::server_url(global) {
        return Err(CommandError::usage(
            format!("{what} commands do not go through the server at {url} yet"),
            "run them against the team's store directly: --server \"\" --store URL",
        ));
    }
    Ok(())
}

async fn dispatch(
    command: &IncidentCommand,
    session: &PromotionSession,
    global: &GlobalArgs,
) -> CommandResult {
    let incidents = Incidents::new(&session.store, session.now);
    match command {
        IncidentCommand::Open(args) => open(session, &incidents, args, global).await,
        IncidentCommand::Update(args) => update(session, &incidents, args, global).await,
        IncidentCommand::Link(args) => link(session, &incidents, args, global).await,
        IncidentCommand::Resolve(args) => {
            let actor = session.person(args.actor.person.as_deref())?;
            let at = args
                .at
                .as_deref()
                .map(|t| time(t, session.now))
                .transpose()?;
            let done = incidents
                .resolve(&actor, &args.incident, at, args.note.as_deref())
                .await
                .map_err(incident_error)?;
            show(&done, session, global, "resolved");
            Ok(Exit::Success)
        }
        IncidentCommand::Show(args) => {
            let found = incidents
                .get(&args.incident)
                .await
                .map_err(incident_error)?;
            show(&found, session, global, "show");
            Ok(Exit::Success)
        }
        IncidentCommand::List(args) => list(session, &incidents, args, global).await,
        IncidentCommand::Actions(args) => actions(&incidents, args, global).await,
        IncidentCommand::Action(ActionCommand::Add(args)) => {
            let actor = session.person(args.actor.person.as_deref())?;
            let action = NewAction {
                text: args.text.clone(),
                owner: args.owner.clone(),
                due: date(&args.due, "--due")?,
                remediation: remediation(&args.remediation)?,
            };
            let changed = incidents
                .add_action(&actor, &args.incident, action)
                .await
                .map_err(incident_error)?;
            show(&changed, session, global, "action added");
            Ok(Exit::Success)
        }
        IncidentCommand::Action(ActionCommand::Done(args)) => {
            let actor = session.person(args.actor.person.as_deref())?;
            let changed = incidents
                .complete_action(&actor, &args.incident, &args.action)
                .await
                .map_err(incident_error)?;
            show(&changed, session, global, "action done");
            Ok(Exit::Success)
        }
    }
}

async fn open(
    session: &PromotionSession,
    incidents: &Incidents<'_, AnyStore>,
    args: &OpenArgs,
    global: &GlobalArgs,
) -> CommandResult {
    let actor = session.person(args.actor.person.as_deref())?;
    let env = session.environment(&args.env)?;
    let patch = patch(&args.fields, session.now)?;
    let opened = incidents
        .open(&actor, env, severity(&args.severity)?, &args.summary, patch)
        .await
        .map_err(incident_error)?;
    show(&opened, session, global, "opened");
    Ok(Exit::Success)
}

async fn update(
    session: &PromotionSession,
    incidents: &Incidents<'_, AnyStore>,
    args: &UpdateArgs,
    global: &GlobalArgs,
) -> CommandResult {
    let actor = session.person(args.actor.person.as_deref())?;
    let mut patch = patch(&args.fields, session.now)?;
    patch.severity = args.severity.as_deref().map(severity).transpose()?;
    patch.summary.clone_from(&args.summary);
    patch.cause.clone_from(&args.cause);
    patch.note.clone_from(&args.note);
    let changed = incidents
        .update(&actor, &args.incident, patch)
        .await
        .map_err(incident_error)?;
    show(&changed, session, global, "updated");
    Ok(Exit::Success)
}

async fn link(
    session: &PromotionSession,
    incidents: &Incidents<'_, AnyStore>,
    args: &LinkArgs,
    global: &GlobalArgs,
) -> CommandResult {
    let changed = match (&args.release, &args.unlink) {
        (None, None) => {
            let found = incidents
                .proposals(&args.incident)
                .await
                .map_err(incident_error)?;
            let incident = flowgate_incidents::service::normalise_id(&args.incident);
            emit(
                global,
                &proposals_text(&incident, &found),
                json!({ "incident": incident, "proposals": found }),
            );
            return Ok(Exit::Success);
        }
        (Some(release), _) => {
            let actor = session.person(args.actor.person.as_deref())?;
            incidents.link(&actor, &args.incident, release).await
        }
        (None, Some(release)) => {
            let actor = session.person(args.actor.person.as_deref())?;
            incidents.unlink(&actor, &args.incident, release).await
        }
    };
    let changed = changed.map_err(incident_error)?;
    show(&changed, session, global, "linked");
    Ok(Exit::Success)
}

async fn list(
    session: &PromotionSession,
    incidents: &Incidents<'_, AnyStore>,
    args: &ListArgs,
    global: &GlobalArgs,
) -> CommandResult {
    let folded = incidents.all().await?;
    let mut shown: Vec<&Incident> = folded
        .incidents
        .values()
        .filter(|i| !args.open || i.is_open())
        .filter(|i| args.env.as_ref().is_none_or(|e| &i.env == e))
        .collect();
    shown.sort_by_key(|i| std::cmp::Reverse(i.opened_at));
    let now = incidents.now();
    let mut text: String = shown
        .iter()
        .map(|i| list_line(i, now, timebox(session)))
        .collect();
    if shown.is_empty() {
        text.push_str("No incidents.\n");
    }
    for (seq, why) in &folded.problems {
        text.push_str(&format!("warning: log record #{seq} {why}\n"));
    }
    let items: Vec<Value> = shown
        .iter()
        .map(|i| with_advice(i, now, timebox(session)))
        .collect();
    let problems: Vec<Value> = folded
        .problems
        .iter()
        .map(|(seq, why)| json!({ "seq": seq, "problem": why }))
        .collect();
    emit(
        global,
        &text,
        json!({ "incidents": items, "problems": problems }),
    );
    Ok(Exit::Success)
}

async fn actions(
    incidents: &Incidents<'_, AnyStore>,
    args: &ActionsArgs,
    global: &GlobalArgs,
) -> CommandResult {
    let folded = incidents.all().await?;
    let today = incidents.now().date_naive();
    let mut rows = Vec::new();
    for incident in folded.incidents.values() {
        for action in &incident.actions {
            let keep = (args.all || action.done.is_none())
                && (!args.overdue || action.overdue(today))
                && args.owner.as_ref().is_none_or(|o| &action.owner == o);
            if keep {
                rows.push((incident, action));
            }
        }
    }
    rows.sort_by_key(|(i, a)| (a.due, i.id.clone(), a.id.clone()));
    let text = action_lines(&rows, today);
    let json_rows: Vec<Value> = rows
        .iter()
        .map(|(i, a)| json!({ "incident": i.id, "env": i.env, "action": a, "overdue": a.overdue(today) }))
        .collect();
    emit(global, &text, json!({ "actions": json_rows }));
    Ok(Exit::Success)
}

/// Prints an incident (and its time-box advice) after `what` happened to it.
fn show(incident: &Incident, session: &PromotionSession, global: &GlobalArgs, what: &str) {
    let text = incident_text(incident, session.now, timebox(session), what);
    emit(
        global,
        &text,
        json!({ "incident": with_advice(incident, session.now, timebox(session)) }),
    );
}

/// The incident as JSON with the time box's advice (`null` when none).
fn with_advice(incident: &Incident, now: DateTime<Utc>, timebox: Duration) -> Value {
    let mut value = serde_json::to_value(incident).unwrap_or(Value::Null);
    value["advice"] = serde_json::to_value(recommend(incident, timebox, now)).unwrap_or_default();
    value["overdue_actions"] = json!(incident.overdue_actions(now.date_naive()).len());
    value
}

/// The patch `fields` describe, times read at `now`.
fn patch(fields: &FieldArgs, now: DateTime<Utc>) -> Result<Patch, CommandError> {
    let mut patch = Patch::default();
    let named = [
        ("impact_start", &fields.impact_start),
        ("detected", &fields.detected),
        ("notified", &fields.notified),
        ("mitigation_start", &fields.mitigation_start),
        ("mitigated", &fields.mitigated),
        ("rolled_back", &fields.rolled_back),
    ];
    for (name, text) in named {
        if let Some(text) = text {
            patch.times.insert(name.to_owned(), time(text, now)?);
        }
    }
    patch.assets.clone_from(&fields.assets);
    patch.channels.clone_from(&fields.channels);
    patch.workflow_ids.clone_from(&fields.workflow_ids);
    patch.endpoints.clone_from(&fields.endpoints);
    patch.error_codes.clone_from(&fields.error_codes);
    patch.duplicate_sends = fields.duplicate_sends;
    patch.missed_slas = fields.missed_slas;
    patch.compliance.clone_from(&fields.compliance);
    patch.revenue_at_risk.clone_from(&fields.revenue_at_risk);
    Ok(patch)
}

/// A time: RFC 3339, `YYYY-MM-DD HH:MM` (UTC), or `now`.
pub fn time(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, CommandError> {
    let text = text.trim();
    if text == "now" {
        return Ok(now);
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M")
        .map(|t| t.and_utc())
        .map_err(|_| {
            CommandError::usage(
                format!("`{text}` is not a time"),
                "write RFC 3339 (2026-03-06T11:00:00Z), `YYYY-MM-DD HH:MM` in UTC, or `now`",
            )
        })
}

/// A date `YYYY-MM-DD`.
pub fn date(text: &str, flag: &str) -> Result<NaiveDate, CommandError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        CommandError::usage(
            format!("{flag} `{text}` is not a date"),
            "write it as YYYY-MM-DD",
        )
    })
}

fn severity(text: &str) -> Result<Severity, CommandError> {
    Severity::parse(text).ok_or_else(|| {
        CommandError::usage(
            format!("--severity `{text}` is not a severity"),
            "use sev1 (worst), sev2, sev3 or sev4",
        )
    })
}

fn remediation(text: &str) -> Result<Remediation, CommandError> {
    Remediation::parse(text).ok_or_else(|| {
        let names: Vec<&str> = Remediation::ALL.iter().map(|r| r.as_str()).collect();
        CommandError::usage(
            format!("--type `{text}` is not a remediation type"),
            format!("use one of {}", names.join(", ")),
        )
    })
}

/// An incident error as a command error: an unknown id or a bad change is exit 2.
pub fn incident_error(error: IncidentError) -> CommandError {
    match error {
        IncidentError::Store(e) => e.into(),
        IncidentError::Unknown(_) => CommandError::new(
            ErrorKind::Usage,
            error.to_string(),
            "`flowgate incident list` shows the incidents",
        ),
        IncidentError::Invalid(why) => CommandError::usage(why, "nothing was recorded"),
    }
}

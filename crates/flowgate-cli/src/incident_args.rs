//! The arguments of `flowgate incident …`, `flowgate postmortem` and `flowgate metrics`.

use crate::actor_args::ActorArgs;
use clap::{Args, Subcommand};
use std::path::PathBuf;

/// `flowgate incident …`.
#[derive(Debug, Subcommand)]
pub enum IncidentCommand {
    /// Open an incident in an environment (detection defaults to now).
    Open(OpenArgs),
    /// Change an incident: times, severity, impact, details, a root cause or a note.
    Update(UpdateArgs),
    /// Propose the releases that may have caused an incident, or link one a person confirms.
    Link(LinkArgs),
    /// Resolve an incident.
    Resolve(ResolveArgs),
    /// One incident: facts, impact, links, actions, history, and the rollback time box.
    Show(IncidentRef),
    /// Incidents, newest first.
    List(ListArgs),
    /// Action items of every incident: open and overdue.
    Actions(ActionsArgs),
    /// Add an action item to an incident, or mark one done.
    #[command(subcommand)]
    Action(ActionCommand),
}

/// An incident id.
#[derive(Debug, Args)]
pub struct IncidentRef {
    /// The incident: `INC-12` or `12`.
    pub incident: String,
}

/// Fields an incident can be opened or updated with.
#[derive(Debug, Args, Default)]
pub struct FieldArgs {
    /// When the impact began (RFC 3339, `YYYY-MM-DD HH:MM` in UTC, or `now`).
    #[arg(long, value_name = "TIME")]
    pub impact_start: Option<String>,
    /// When it was detected (default when opening: now).
    #[arg(long, value_name = "TIME")]
    pub detected: Option<String>,
    /// When stakeholders were told.
    #[arg(long, value_name = "TIME")]
    pub notified: Option<String>,
    /// When mitigation began.
    #[arg(long, value_name = "TIME")]
    pub mitigation_start: Option<String>,
    /// When the harm stopped.
    #[arg(long, value_name = "TIME")]
    pub mitigated: Option<String>,
    /// When a release was rolled back for it.
    #[arg(long, value_name = "TIME")]
    pub rolled_back: Option<String>,
    /// An affected asset id (repeatable): a workflow, segment, template, integration …
    #[arg(long = "asset", value_name = "ID")]
    pub assets: Vec<String>,
    /// An affected channel (repeatable): email, sms, webhook …
    #[arg(long = "channel", value_name = "NAME")]
    pub channels: Vec<String>,
    /// A platform workflow id involved (repeatable).
    #[arg(long = "workflow-id", value_name = "ID")]
    pub workflow_ids: Vec<String>,
    /// An endpoint involved (repeatable).
    #[arg(long = "endpoint", value_name = "URL")]
    pub endpoints: Vec<String>,
    /// An error code seen (repeatable).
    #[arg(long = "error-code", value_name = "CODE")]
    pub error_codes: Vec<String>,
    /// Messages sent twice.
    #[arg(long, value_name = "N")]
    pub duplicate_sends: Option<u64>,
    /// Service levels missed.
    #[arg(long, value_name = "N")]
    pub missed_slas: Option<u64>,
    /// Compliance exposure, in words.
    #[arg(long, value_name = "TEXT")]
    pub compliance: Option<String>,
    /// Revenue at risk, as written (`EUR 12000`).
    #[arg(long, value_name = "AMOUNT")]
    pub revenue_at_risk: Option<String>,
}

/// `flowgate incident open`.
#[derive(Debug, Args)]
pub struct OpenArgs {
    /// The environment it happens in.
    #[arg(long)]
    pub env: String,
    /// sev1 (worst) to sev4.
    #[arg(long, default_value = "sev3")]
    pub severity: String,
    /// One line on what happens.
    #[arg(long)]
    pub summary: String,
    /// The first facts.
    #[command(flatten)]
    pub fields: FieldArgs,
    /// Who opens it.
    #[command(flatten)]
    pub actor: ActorArgs,
}

/// `flowgate incident update`.
#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// The incident: `INC-12` or `12`.
    pub incident: String,
    /// A new severity.
    #[arg(long)]
    pub severity: Option<String>,
    /// A new summary.
    #[arg(long)]
    pub summary: Option<String>,
    /// A root cause.
    #[arg(long)]
    pub cause: Option<String>,
    /// A note.
    #[arg(long)]
    pub note: Option<String>,
    /// Times, impact and details.
    #[command(flatten)]
    pub fields: FieldArgs,
    /// Who changes it.
    #[command(flatten)]
    pub actor: ActorArgs,
}

/// `flowgate incident link`.
#[derive(Debug, Args)]
pub struct LinkArgs {
    /// The incident: `INC-12` or `12`.
    pub incident: String,
    /// The release to link (its release id, or the log number of its apply), confirmed by
    /// you; without it, the candidates are listed.
    pub release: Option<String>,
    /// List the candidates and their evidence (the default without RELEASE).
    #[arg(long, conflicts_with_all = ["release", "unlink"])]
    pub propose: bool,
    /// Remove the link to this release instead.
    #[arg(long, value_name = "RELEASE", conflicts_with = "release")]
    pub unlink: Option<String>,
    /// Who confirms.
    #[command(flatten)]
    pub actor: ActorArgs,
}

/// `flowgate incident resolve`.
#[derive(Debug, Args)]
pub struct ResolveArgs {
    /// The incident: `INC-12` or `12`.
    pub incident: String,
    /// When it was resolved (default: now).
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// A closing note.
    #[arg(long)]
    pub note: Option<String>,
    /// Who resolves it.
    #[command(flatten)]
    pub actor: ActorArgs,
}

/// `flowgate incident list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only open incidents.
    #[arg(long)]
    pub open: bool,
    /// Only this environment's.
    #[arg(long)]
    pub env: Option<String>,
}

/// `flowgate incident actions`.
#[derive(Debug, Args)]
pub struct ActionsArgs {
    /// Only overdue items.
    #[arg(long)]
    pub overdue: bool,
    /// Only this owner's.
    #[arg(long)]
    pub owner: Option<String>,
    /// Done items too.
    #[arg(long)]
    pub all: bool,
}

/// `flowgate incident action …`.
#[derive(Debug, Subcommand)]
pub enum ActionCommand {
    /// Add an action item with an owner, a due date and a remediation type.
    Add(ActionAddArgs),
    /// Mark an action item done.
    Done(ActionDoneArgs),
}

/// `flowgate incident action add`.
#[derive(Debug, Args)]
pub struct ActionAddArgs {
    /// The incident: `INC-12` or `12`.
    pub incident: String,
    /// What is to be done.
    #[arg(long)]
    pub text: String,
    /// Who owns it.
    #[arg(long)]
    pub owner: String,
    /// When it is due (`YYYY-MM-DD`).
    #[arg(long)]
    pub due: String,
    /// preflight-rule, monitor, access-control, rollout-strategy or other.
    #[arg(long = "type", value_name = "TYPE")]
    pub remediation: String,
    /// Who adds it.
    #[command(flatten)]
    pub actor: ActorArgs,
}

/// `flowgate incident action done`.
#[derive(Debug, Args)]
pub struct ActionDoneArgs {
    /// The incident: `INC-12` or `12`.
    pub incident: String,
    /// The action item (`A1`).
    pub action: String,
    /// Who marks it done.
    #[command(flatten)]
    pub actor: ActorArgs,
}

/// `flowgate postmortem`.
#[derive(Debug, Args)]
pub struct PostmortemArgs {
    /// The incident: `INC-12` or `12`.
    pub incident: String,
    /// Write it to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// `flowgate metrics`.
#[derive(Debug, Args)]
pub struct MetricsArgs {
    /// The environment measured.
    #[arg(long, default_value = "prod")]
    pub env: String,
    /// The start of the period (`YYYY-MM-DD` or RFC 3339; default: 90 days ago).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
}

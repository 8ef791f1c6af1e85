//! The arguments of `flowgate watch …`.

use crate::actor_args::ActorArgs;
use clap::{Args, Subcommand};

/// `flowgate watch ENV`, or one of its subcommands.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct WatchArgs {
    /// Show results or write event data instead of evaluating.
    #[command(subcommand)]
    pub command: Option<WatchCommand>,
    /// The environment whose releases are watched.
    #[arg(required = true)]
    pub env: Option<String>,
    /// Only the releases of this bundle.
    #[arg(long)]
    pub bundle: Option<String>,
    /// Keep running: evaluate each checkpoint as it falls due, until none is left.
    #[arg(long, conflicts_with = "dry_run")]
    pub follow: bool,
    /// Evaluate what is due and print it, without recording it or acting on it.
    #[arg(long)]
    pub dry_run: bool,
    /// Who records the results (and pins or rolls back on a failure).
    #[command(flatten)]
    pub actor: ActorArgs,
}

/// `flowgate watch results|generate`.
#[derive(Debug, Subcommand)]
pub enum WatchCommand {
    /// The checkpoint results recorded for an environment's releases, newest first.
    Results(ResultsArgs),
    /// Write realistic lead-intake event data (email sends, bounces, spam complaints, SMS
    /// sends, carrier rejections, STOP replies, routed leads, MQLs) around a release into a
    /// database table, with a regression planted after the release if asked.
    Generate(GenerateArgs),
}

/// `flowgate watch results`.
#[derive(Debug, Args)]
pub struct ResultsArgs {
    /// The environment.
    pub env: String,
    /// Only this bundle's releases.
    #[arg(long)]
    pub bundle: Option<String>,
}

/// `flowgate watch generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// The database: `postgres://…`, `mysql://…` (MariaDB too) or `sqlite://…`, or
    /// `env:NAME` naming a variable that holds it.
    #[arg(long, value_name = "URL")]
    pub url: String,
    /// The table to (re)create.
    #[arg(long, default_value = "events")]
    pub table: String,
    /// The release: RFC 3339 or `YYYY-MM-DD HH:MM` in UTC.
    #[arg(long, value_name = "TIME")]
    pub release_at: String,
    /// How long after the release to generate, e.g. `24h` or `3d`.
    #[arg(long, default_value = "72h", value_name = "DURATION")]
    pub hours: String,
    /// Weeks of history before the release (the control).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=12))]
    pub weeks: u32,
    /// Plant a regression after the release: bounce rate ×3 and routing latency ×2.
    #[arg(long)]
    pub regression: bool,
    /// Volume factor (1: about 120 email sends, 40 SMS and 12 leads per business hour).
    #[arg(long, default_value_t = 1.0)]
    pub scale: f64,
    /// The seed: the same seed writes the same events.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

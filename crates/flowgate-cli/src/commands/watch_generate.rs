//! `flowgate watch generate`: realistic lead-intake event data around a release, written into
//! a database table, for trying a watch (and for its tests).

use crate::cli::GlobalArgs;
use crate::error::{CommandError, CommandResult, ErrorKind};
use crate::exit::Exit;
use crate::output::emit;
use crate::watch_args::GenerateArgs;
use chrono::Utc;
use flowgate_watch::generate::{self, GenerateError, Plan, Regression};
use serde_json::json;
use std::collections::BTreeMap;

/// `flowgate watch generate`.
pub fn run(args: &GenerateArgs, global: &GlobalArgs) -> CommandResult {
    let url = database_url(&args.url, global)?;
    let release_at = super::incident::time(&args.release_at, Utc::now())?;
    let after = flowgate_model::Duration::parse(&args.hours).map_err(|_| {
        CommandError::usage(
            format!("--hours {} is not a duration", args.hours),
            "write a duration such as 24h, 72h or 3d",
        )
    })?;
    if !(args.scale > 0.0 && args.scale <= 100.0) {
        return Err(CommandError::usage(
            format!("--scale {} is out of range", args.scale),
            "give a volume factor above 0 and at most 100",
        ));
    }
    let seconds = i64::try_from(after.as_seconds()).unwrap_or(i64::MAX);
    let until = release_at + chrono::Duration::seconds(seconds.clamp(3600, 14 * 86_400));
    let mut plan = Plan::around_release(args.seed, release_at, until, args.weeks);
    plan.scale = args.scale;
    plan.regression = args.regression.then_some(Regression::TYPICAL);
    let events = generate::events(&plan);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CommandError::internal(format!("cannot start the async runtime: {e}")))?;
    runtime
        .block_on(generate::write(&url, &args.table, &events))
        .map_err(write_error)?;
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for event in &events {
        *counts.entry(event.kind).or_default() += 1;
    }
    let listed: Vec<String> = counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
    emit(
        global,
        &format!(
            "Wrote {} events into {}: {} weeks of control and {} after the release at {}{}.\n{}\n",
            events.len(),
            args.table,
            args.weeks,
            args.hours,
            release_at.format("%Y-%m-%d %H:%M UTC"),
            if args.regression {
                ", with a regression after it (bounce rate ×3, routing latency ×2)"
            } else {
                ", a normal week"
            },
            listed.join(", ")
        ),
        json!({
            "version": 1,
            "table": args.table,
            "events": events.len(),
            "by_kind": counts,
            "release_at": release_at,
            "until": until,
            "weeks": args.weeks,
            "regression": args.regression,
            "seed": args.seed,
        }),
    );
    Ok(Exit::Success)
}

/// `--url`, or the variable `env:NAME` names; a relative SQLite path is taken from the
/// workspace root, as a watch's `sqlite` source is.
pub(super) fn database_url(given: &str, global: &GlobalArgs) -> Result<String, CommandError> {
    let url = match given.strip_prefix("env:") {
        Some(name) => std::env::var(name).map_err(|_| {
            CommandError::usage(
                format!("--url names the variable {name}, which is not set"),
                format!("set {name} to the database URL"),
            )
        })?,
        None => given.to_owned(),
    };
    let Some(path) = url.strip_prefix("sqlite://") else {
        return Ok(url);
    };
    let relative = !path.starts_with('/') && !path.starts_with(':');
    match super::discover(global) {
        Ok(workspace) if relative => Ok(format!(
            "sqlite://{}",
            workspace.root.join(path).to_string_lossy()
        )),
        _ => Ok(url),
    }
}

fn write_error(error: GenerateError) -> CommandError {
    match error {
        GenerateError::Database(e) => CommandError::new(
            ErrorKind::Unavailable,
            format!("cannot write the events: {e}"),
            "check that the database runs and the URL's user may create tables",
        ),
        other => CommandError::usage(
            other.to_string(),
            "use a postgres://, mysql:// or sqlite:// URL and a plain table name",
        ),
    }
}

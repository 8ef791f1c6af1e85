//! `flowgate changelog`: Keep-a-Changelog Markdown from a bundle's snapshots.

use super::store::with_store;
use crate::cli::{ChangelogArgs, Format, GlobalArgs};
use crate::error::{CommandError, CommandResult};
use crate::exit::Exit;
use crate::output;
use flowgate_diff::{changelog, Release};
use flowgate_release::bundle_history;
use flowgate_store::{AnyStore, Store};

/// Run the command.
pub fn run(args: &ChangelogArgs, global: &GlobalArgs) -> CommandResult {
    with_store(global, |store| async move {
        let result = changelog_of(&store, args, global).await;
        (store, result)
    })
}

async fn changelog_of(
    store: &AnyStore,
    args: &ChangelogArgs,
    global: &GlobalArgs,
) -> CommandResult {
    let history = bundle_history(store, &args.bundle, args.since.as_deref())
        .await
        .map_err(super::promote::release_error)?;
    if history.is_empty() && store.list_snapshots(Some(&args.bundle)).await?.is_empty() {
        return Err(CommandError::usage(
            format!("bundle `{}` has no snapshots", args.bundle),
            "freeze one with `flowgate snapshot create BUNDLE --version X.Y.Z`",
        ));
    }
    let releases: Vec<Release<'_>> = history
        .iter()
        .map(|change| Release {
            version: change.version.clone(),
            release_id: change.release_id.clone(),
            date: change.created_at.to_rfc3339().chars().take(10).collect(),
            diff: &change.diff,
        })
        .collect();
    if global.format == Format::Json {
        output::out(&format!("{:#}\n", changelog_json(&args.bundle, &releases)));
    } else {
        output::out(&changelog(&args.bundle, &releases));
    }
    Ok(Exit::Success)
}

/// The changelog as data: each release, newest first, with its bump and its diff.
fn changelog_json(bundle: &str, releases: &[Release<'_>]) -> serde_json::Value {
    let releases: Vec<serde_json::Value> = releases
        .iter()
        .rev()
        .map(|release| {
            serde_json::json!({
                "version": release.version,
                "release_id": release.release_id,
                "date": release.date,
                "bump": release.diff.bump,
                "diff": release.diff,
            })
        })
        .collect();
    serde_json::json!({"version": 1, "bundle": bundle, "releases": releases})
}

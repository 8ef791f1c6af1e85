//! `flowgate changelog`: Keep-a-Changelog Markdown from a bundle's snapshots.

use super::snapshot::release_id;
use super::store::with_store;
use crate::cli::{ChangelogArgs, Format, GlobalArgs};
use crate::error::{CommandError, CommandResult};
use crate::exit::Exit;
use crate::output;
use flowgate_diff::{changelog, diff_documents, Diff, Documents, Release};
use flowgate_release::snapshot_documents;
use flowgate_store::{compare_versions, AnyStore, SnapshotKey, Store};
use std::cmp::Ordering;

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
    let entries = entries(store, args).await?;
    let releases: Vec<Release<'_>> = entries
        .iter()
        .map(|(version, release_id, date, diff)| Release {
            version: version.clone(),
            release_id: release_id.clone(),
            date: date.clone(),
            diff,
        })
        .collect();
    if global.format == Format::Json {
        output::out(&format!("{:#}\n", changelog_json(&args.bundle, &releases)));
    } else {
        output::out(&changelog(&args.bundle, &releases));
    }
    Ok(Exit::Success)
}

/// Each release since `--since`: version, release id, date and the diff from its predecessor.
async fn entries(
    store: &AnyStore,
    args: &ChangelogArgs,
) -> Result<Vec<(String, String, String, Diff)>, CommandError> {
    let mut list = store.list_snapshots(Some(&args.bundle)).await?;
    if list.is_empty() {
        return Err(CommandError::usage(
            format!("bundle `{}` has no snapshots", args.bundle),
            "freeze one with `flowgate snapshot create BUNDLE --version X.Y.Z`",
        ));
    }
    list.sort_by(|a, b| compare_versions(&a.version, &b.version));
    let mut previous = Documents::default();
    let mut entries = Vec::new();
    for summary in &list {
        let Some(snapshot) = store.get_snapshot(SnapshotKey::Id(&summary.id)).await? else {
            continue;
        };
        let documents = snapshot_documents(store, &snapshot).await?;
        let diff = diff_documents(&previous, &documents);
        previous = documents;
        let after_since = args
            .since
            .as_deref()
            .is_none_or(|since| compare_versions(&snapshot.version, since) == Ordering::Greater);
        if after_since {
            let date: String = snapshot.created_at.to_rfc3339().chars().take(10).collect();
            let release = release_id(&snapshot.manifest, &snapshot.version);
            entries.push((snapshot.version.clone(), release, date, diff));
        }
    }
    Ok(entries)
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

//! `flowgate changelog`: Keep-a-Changelog Markdown from a bundle's snapshots.

use super::snapshot::release_id;
use super::store::{fail, with_store};
use crate::cli::{ChangelogArgs, Format, GlobalArgs};
use crate::exit::Exit;
use crate::output;
use flowgate_diff::{changelog, diff_documents, Documents, Release};
use flowgate_release::snapshot_documents;
use flowgate_store::{compare_versions, SnapshotKey, Store};
use std::cmp::Ordering;

/// Run the command.
pub fn run(args: &ChangelogArgs, global: &GlobalArgs) -> Exit {
    with_store(global, |store| async move {
        let mut list = match store.list_snapshots(Some(&args.bundle)).await {
            Ok(list) => list,
            Err(e) => {
                fail(global, &e.to_string(), "check --store");
                return (store, Exit::BadInput);
            }
        };
        if list.is_empty() {
            fail(
                global,
                &format!("bundle `{}` has no snapshots", args.bundle),
                "freeze one with `flowgate snapshot create BUNDLE --version X.Y.Z`",
            );
            return (store, Exit::BadInput);
        }
        list.sort_by(|a, b| compare_versions(&a.version, &b.version));
        let mut previous = Documents::default();
        let mut entries = Vec::new();
        for summary in &list {
            let snapshot = match store.get_snapshot(SnapshotKey::Id(&summary.id)).await {
                Ok(Some(snapshot)) => snapshot,
                Ok(None) => continue,
                Err(e) => {
                    fail(
                        global,
                        &e.to_string(),
                        "`flowgate snapshot verify` checks the store",
                    );
                    return (store, Exit::BadInput);
                }
            };
            let documents = match snapshot_documents(&store, &snapshot).await {
                Ok(documents) => documents,
                Err(e) => {
                    fail(
                        global,
                        &e.to_string(),
                        "`flowgate snapshot verify` checks the store",
                    );
                    return (store, Exit::BadInput);
                }
            };
            let diff = diff_documents(&previous, &documents);
            previous = documents;
            let after_since = args.since.as_deref().is_none_or(|since| {
                compare_versions(&snapshot.version, since) == Ordering::Greater
            });
            if after_since {
                entries.push((
                    snapshot.version.clone(),
                    release_id(&snapshot.manifest, &snapshot.version),
                    snapshot
                        .created_at
                        .to_rfc3339()
                        .chars()
                        .take(10)
                        .collect::<String>(),
                    diff,
                ));
            }
        }
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
        (store, Exit::Success)
    })
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

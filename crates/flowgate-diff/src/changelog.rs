//! Keep-a-Changelog Markdown from the diffs between consecutive releases.

use crate::assets::{Diff, Status};
use crate::render::{md_line, migration_lines};
use std::fmt::Write as _;

/// One release of a bundle and what changed since the one before.
#[derive(Debug, Clone)]
pub struct Release<'a> {
    /// Its version (`2.4.1`).
    pub version: String,
    /// Its release id (`LI-2.4.1`).
    pub release_id: String,
    /// The date it was frozen (`2026-11-22`).
    pub date: String,
    /// Changes since the previous release (against nothing for the first).
    pub diff: &'a Diff,
}

/// The changelog of `bundle`, newest release first.
pub fn changelog(bundle: &str, releases: &[Release<'_>]) -> String {
    let mut out = format!(
        "# Changelog: {bundle}\n\nAll notable changes to this bundle. The format follows \
         [Keep a Changelog](https://keepachangelog.com/en/1.1.0/) and versions follow \
         [Semantic Versioning](https://semver.org/); flowgate derives both from the snapshots.\n"
    );
    for release in releases.iter().rev() {
        let _ = writeln!(
            out,
            "\n## [{}] - {} ({})",
            release.version, release.date, release.release_id
        );
        let diff = release.diff;
        let mut section = |title: &str, lines: Vec<String>| {
            if !lines.is_empty() {
                let _ = writeln!(out, "\n### {title}\n");
                for line in lines {
                    let _ = writeln!(out, "- {line}");
                }
            }
        };
        let of = |wanted: fn(&Status) -> bool| -> Vec<String> {
            diff.assets
                .iter()
                .filter(|a| wanted(&a.status))
                .map(|a| match &a.status {
                    Status::Changed | Status::Renamed { .. } => format!(
                        "{} `{}`: {}",
                        a.kind,
                        a.id,
                        a.details.iter().map(md_line).collect::<Vec<_>>().join("; ")
                    ),
                    _ => format!("{} `{}`", a.kind, a.id),
                })
                .collect()
        };
        section("Added", of(|s| *s == Status::Added));
        section(
            "Changed",
            of(|s| matches!(s, Status::Changed | Status::Renamed { .. })),
        );
        section("Removed", of(|s| *s == Status::Removed));
        section(
            "Fields, tags and segments",
            diff.assets
                .iter()
                .filter(|a| matches!(a.kind.as_str(), "Field" | "Tag" | "List"))
                .map(|a| format!("{} `{}` {}", a.kind, a.id, status_word(&a.status)))
                .collect(),
        );
        section(
            "Integration touchpoints",
            diff.assets
                .iter()
                .flat_map(|a| a.details.iter().map(move |d| (a, d)))
                .filter(|(_, d)| d.touchpoint)
                .map(|(a, d)| format!("{} `{}`: {}", a.kind, a.id, d.text))
                .collect(),
        );
        section("Migration notes", migration_lines(diff));
        if diff.is_empty() {
            out.push_str("\nNo changes to assets.\n");
        }
    }
    out
}

fn status_word(status: &Status) -> String {
    match status {
        Status::Added => "added".to_owned(),
        Status::Removed => "removed".to_owned(),
        Status::Changed => "changed".to_owned(),
        Status::Renamed { from } => format!("renamed from `{from}`"),
    }
}

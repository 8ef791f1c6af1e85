//! A diff for people: a terminal summary and Markdown for a pull request.

use crate::assets::{AssetDiff, Diff, Status};
use crate::classify::Detail;
use crate::markdown::{self, Place};
use crate::words::render_inline;
use std::fmt::Write as _;

/// Kinds listed in the "fields, tags and segments" section.
const DATA_KINDS: &[&str] = &["Field", "Tag", "List"];

/// Plain text for a terminal: one line per asset, its details indented, with the bump of
/// each line.
pub fn render_human(diff: &Diff) -> String {
    if diff.is_empty() {
        return "No changes.\n".to_owned();
    }
    let mut out = String::new();
    let _ = writeln!(out, "{} — required bump: {}", counts_line(diff), diff.bump);
    for asset in &diff.assets {
        let _ = writeln!(out, "\n{} {}", sigil(&asset.status), heading(asset));
        for detail in &asset.details {
            if detail.path.0.is_empty() && !matches!(asset.status, Status::Renamed { .. }) {
                continue;
            }
            let _ = writeln!(
                out,
                "    {:<5}  {}",
                detail.bump.as_str(),
                line(detail, ("[-", "-]"), ("{+", "+}"))
            );
        }
    }
    if !diff.migrations.is_empty() {
        out.push_str("\nMigration notes:\n");
        for note in migration_lines(diff) {
            let _ = writeln!(out, "  - {note}");
        }
    }
    out
}

/// Markdown for a pull request: a summary, the reasons for the bump, sections for data
/// model and integration changes, then every asset.
pub fn render_markdown(diff: &Diff) -> String {
    let mut out = String::from("## flowgate diff\n\n");
    if diff.is_empty() {
        out.push_str("No changes.\n");
        return out;
    }
    let _ = writeln!(
        out,
        "{} — **required bump: {}**\n",
        counts_line(diff),
        diff.bump
    );
    let reasons = diff.reasons();
    if diff.bump > crate::Bump::Patch && !reasons.is_empty() {
        let _ = writeln!(out, "### Why {}\n", diff.bump);
        for (asset, detail) in reasons {
            let _ = writeln!(out, "- {} `{}`: {}", asset.kind, asset.id, md_line(detail));
        }
        out.push('\n');
    }
    let data: Vec<&AssetDiff> = diff
        .assets
        .iter()
        .filter(|a| DATA_KINDS.contains(&a.kind.as_str()))
        .collect();
    if !data.is_empty() {
        out.push_str("### Fields, tags and segments\n\n");
        for asset in data {
            let _ = writeln!(out, "- {} {}", sigil(&asset.status), md_heading(asset));
        }
        out.push('\n');
    }
    let touchpoints: Vec<(&AssetDiff, &Detail)> = diff
        .assets
        .iter()
        .flat_map(|a| a.details.iter().map(move |d| (a, d)))
        .filter(|(_, d)| d.touchpoint)
        .collect();
    if !touchpoints.is_empty() {
        out.push_str("### Integration touchpoints\n\n");
        for (asset, detail) in touchpoints {
            let _ = writeln!(out, "- {} `{}`: {}", asset.kind, asset.id, md_line(detail));
        }
        out.push('\n');
    }
    if !diff.migrations.is_empty() {
        out.push_str("### Migration notes\n\n");
        for note in migration_lines(diff) {
            let _ = writeln!(out, "- {note}");
        }
        out.push('\n');
    }
    out.push_str("### All changes\n\n| | asset | bump | change |\n|---|---|---|---|\n");
    for asset in &diff.assets {
        for detail in &asset.details {
            let _ = writeln!(
                out,
                "| {} | {} `{}` | {} | {} |",
                sigil(&asset.status),
                asset.kind,
                asset.id,
                detail.bump,
                md_cell(detail)
            );
        }
    }
    out
}

fn counts_line(diff: &Diff) -> String {
    let [added, removed, changed, renamed] = diff.counts();
    format!("{added} added, {removed} removed, {changed} changed, {renamed} renamed")
}

fn sigil(status: &Status) -> &'static str {
    match status {
        Status::Added => "+",
        Status::Removed => "-",
        Status::Changed => "~",
        Status::Renamed { .. } => ">",
    }
}

fn heading(asset: &AssetDiff) -> String {
    match &asset.status {
        Status::Renamed { from } => format!("{} {from} → {}", asset.kind, asset.id),
        Status::Added => format!("{} {} (new, {})", asset.kind, asset.id, asset.bump),
        Status::Removed => format!("{} {} (removed, {})", asset.kind, asset.id, asset.bump),
        Status::Changed => format!("{} {} ({})", asset.kind, asset.id, asset.bump),
    }
}

fn md_heading(asset: &AssetDiff) -> String {
    match &asset.status {
        Status::Renamed { from } => format!("{} `{from}` → `{}`", asset.kind, asset.id),
        _ => format!("{} `{}`: {}", asset.kind, asset.id, summary(asset)),
    }
}

/// The details of an asset in one line.
fn summary(asset: &AssetDiff) -> String {
    asset
        .details
        .iter()
        .map(md_line)
        .collect::<Vec<_>>()
        .join("; ")
}

fn line(detail: &Detail, removed: (&str, &str), inserted: (&str, &str)) -> String {
    match &detail.words {
        Some(runs) => format!(
            "{}: {}",
            detail.text,
            render_inline(runs, removed, inserted)
        ),
        None => detail.text.clone(),
    }
}

/// A detail as one Markdown line, its word diff marked `~~removed~~` / `**inserted**`, and
/// every value escaped so that it shows as written.
pub(crate) fn md_line(detail: &Detail) -> String {
    md_detail(detail, Place::Line)
}

/// A detail in a Markdown table cell.
fn md_cell(detail: &Detail) -> String {
    md_detail(detail, Place::Cell)
}

fn md_detail(detail: &Detail, place: Place) -> String {
    let text = markdown::with_code_spans(&detail.text, place);
    match &detail.words {
        Some(runs) => format!(
            "{text}: {}",
            markdown::word_marks(runs, crate::words::CONTEXT)
        ),
        None => text,
    }
}

/// "Tag `a` replaced by `b`": renames and replacements, for changelogs and reviews.
pub fn migration_lines(diff: &Diff) -> Vec<String> {
    diff.migrations
        .iter()
        .map(|m| {
            let moved = match m.references_moved {
                0 => String::new(),
                1 => " (1 reference moved)".to_owned(),
                n => format!(" ({n} references moved)"),
            };
            format!(
                "{} `{}` {} `{}`{moved}: update anything outside this bundle that uses `{}`",
                m.kind,
                m.from,
                if m.how == "renamed" {
                    "renamed to"
                } else {
                    "replaced by"
                },
                m.to,
                m.from
            )
        })
        .collect()
}

//! The page of one integration, one function per section.

use super::{
    cell_or_not_documented, customization_words, direction_words, hook_words, FOOTER, NOT_ASSESSED,
    NOT_DOCUMENTED,
};
use crate::impact::{impact_with, Couplings, Link};
use crate::markdown::{cell, code, code_cell, inline, page_link};
use crate::risk::RiskAssessment;
use crate::{Flow, Inventory};
use flowgate_model::{
    mermaid_escape, Backoff, Direction, EntityFlow, ErrorHandling, HookType, Lifecycle, Model,
    PartialFailure, PlatformConstraint, RecordFailure, SystemCategory, Volume,
};
use std::fmt::Write as _;

/// What a page is about and what it needs to say it.
pub(super) struct Context<'a, 'm> {
    pub(super) model: &'m Model,
    pub(super) inventory: &'m Inventory<'a>,
    pub(super) couplings: &'m Couplings<'a>,
    pub(super) flow: Flow<'a>,
    pub(super) risk: Option<&'m RiskAssessment>,
}

impl Context<'_, '_> {
    fn source(&self) -> &str {
        self.inventory.system_name(self.flow.spec.source.as_str())
    }

    fn target(&self) -> &str {
        self.inventory.system_name(self.flow.spec.target.as_str())
    }

    /// A link to another integration's page, by its display name.
    fn link(&self, id: &str) -> String {
        page_link(self.name_of(id), id)
    }

    /// An integration's display name.
    fn name_of<'s>(&'s self, id: &'s str) -> &'s str {
        self.inventory
            .flow(id)
            .map(|f| f.asset.display_name())
            .unwrap_or(id)
    }
}

/// The Markdown page of the integration in `c`.
pub(super) fn page(c: &Context<'_, '_>) -> String {
    let mut out = String::new();
    heading(&mut out, c);
    at_a_glance(&mut out, c);
    flow_diagram(&mut out, c);
    trigger(&mut out, c);
    data(&mut out, c);
    limits(&mut out, c);
    failures(&mut out, c);
    observability(&mut out, c);
    couplings(&mut out, c);
    upgrade_notes(&mut out, c);
    risk_breakdown(&mut out, c);
    validation(&mut out, c);
    out.push_str(FOOTER);
    out
}

fn heading(out: &mut String, c: &Context<'_, '_>) {
    let _ = writeln!(out, "# {}\n", inline(c.flow.asset.display_name()));
    if c.flow.spec.lifecycle.value == Lifecycle::Deprecated {
        out.push_str(
            "> **Deprecated.** Still running, to be replaced; do not build anything new on it.\n\n",
        );
    }
    let _ = writeln!(out, "{}\n", inline(&c.flow.spec.purpose));
    if let Some(description) = &c.flow.asset.description {
        let _ = writeln!(out, "{}\n", inline(description));
    }
}

/// The at-a-glance table: every row is always there, missing information says so.
fn at_a_glance(out: &mut String, c: &Context<'_, '_>) {
    let (asset, spec) = (c.flow.asset, c.flow.spec);
    out.push_str("## At a glance\n\n| | |\n|---|---|\n");
    let mut row = |key: &str, value: String| {
        let _ = writeln!(out, "| {key} | {value} |");
    };
    row("Id", code_cell(asset.id.as_str()));
    row(
        "From → to",
        cell(&format!("{} → {}", c.source(), c.target())),
    );
    row(
        "Direction",
        direction_words(spec.direction.value).to_owned(),
    );
    row("Hook", hook_words(spec.hook.value).to_owned());
    row(
        "Owner",
        asset.owner.as_deref().map_or_else(
            || "**nobody** — find one before the upgrade".to_owned(),
            cell,
        ),
    );
    row("Escalation", escalation(c));
    let volume = spec.volume.as_ref();
    row(
        "Runs",
        cell_or_not_documented(volume.and_then(|v| v.frequency.as_deref())),
    );
    row(
        "Volume",
        cell_or_not_documented(volume.and_then(amounts).as_deref()),
    );
    let criticality = if spec.safe_zone {
        format!("{}, **safe zone**: must never break", spec.criticality)
    } else {
        spec.criticality.to_string()
    };
    row("Criticality", criticality);
    row(
        "Built as",
        customization_words(spec.customization).to_owned(),
    );
    row(
        "Risk",
        c.risk.map_or_else(|| NOT_ASSESSED.to_owned(), risk_summary),
    );
    let platform = spec.platform.as_ref().map(platform_range);
    row("Works with", cell_or_not_documented(platform.as_deref()));
    let file = c.model.file(asset.origin.file);
    let file = file.map(|f| f.path.display().to_string());
    row(
        "Defined in",
        file.map_or_else(|| NOT_DOCUMENTED.to_owned(), |f| code_cell(&f)),
    );
    out.push('\n');
}

/// Whom to call: the flow's escalation, else its systems', else "not documented".
fn escalation(c: &Context<'_, '_>) -> String {
    if let Some(escalation) = &c.flow.spec.escalation {
        return cell(escalation);
    }
    let mut systems: Vec<String> = Vec::new();
    for end in [&c.flow.spec.source, &c.flow.spec.target] {
        if let Some((asset, system)) = c.inventory.system(&end.value) {
            if let Some(escalation) = &system.escalation {
                systems.push(format!("{}: {escalation}", asset.display_name()));
            }
        }
    }
    systems.dedup();
    if systems.is_empty() {
        NOT_DOCUMENTED.to_owned()
    } else {
        format!(
            "{NOT_DOCUMENTED} for this flow; {}",
            cell(&systems.join(", "))
        )
    }
}

/// Average, peak and seasonal peaks, when any is recorded.
fn amounts(volume: &Volume) -> Option<String> {
    let mut amounts = Vec::new();
    if let Some(avg) = volume.average_per_hour {
        amounts.push(format!("{avg} records/hour on average"));
    }
    if let Some(peak) = volume.peak_per_hour {
        amounts.push(format!("{peak} at peak"));
    }
    if !volume.seasonal_peaks.is_empty() {
        amounts.push(format!("peaks: {}", volume.seasonal_peaks.join(", ")));
    }
    (!amounts.is_empty()).then(|| amounts.join("; "))
}

fn risk_summary(r: &RiskAssessment) -> String {
    match &r.raised {
        Some(raised) => format!(
            "**{}** ({}/100; {}), see below",
            r.class,
            r.score,
            cell(raised)
        ),
        None => format!("**{}** ({}/100), see below", r.class, r.score),
    }
}

fn platform_range(platform: &PlatformConstraint) -> String {
    let name = platform.name.as_deref().unwrap_or("platform");
    match (&platform.min, &platform.max_verified) {
        (Some(min), Some(max)) => format!("{name} {min} to {max} (verified)"),
        (Some(min), None) => format!("{name} {min} or later"),
        (None, Some(max)) => format!("{name} up to {max} (verified)"),
        (None, None) => name.to_owned(),
    }
}

/// A Mermaid diagram of the flow, what it needs first and what it feeds.
fn flow_diagram(out: &mut String, c: &Context<'_, '_>) {
    let spec = c.flow.spec;
    out.push_str("## Flow\n\n```mermaid\nflowchart LR\n");
    let entities: Vec<&str> = spec.entity_names().collect();
    let carried = if entities.is_empty() {
        "data".to_owned()
    } else {
        entities.join(", ")
    };
    let arrow = if spec.direction.value == Direction::Bidirectional {
        "<-->"
    } else {
        "-->"
    };
    let _ = writeln!(
        out,
        "  src[(\"{}\")] {arrow} this[[\"{}\"]]",
        mermaid_escape(c.source()),
        mermaid_escape(c.flow.asset.display_name())
    );
    let _ = writeln!(
        out,
        "  this {arrow}|\"{}\"| tgt[(\"{}\")]",
        mermaid_escape(&carried),
        mermaid_escape(c.target())
    );
    for (i, dependency) in spec.depends_on.iter().enumerate() {
        let name = mermaid_escape(c.name_of(dependency.as_str()));
        let _ = writeln!(out, "  up{i}[\"{name}\"] -.->|needed first| this");
    }
    for (i, (next, _)) in c.couplings.direct_effects(c.flow).iter().enumerate() {
        let name = mermaid_escape(next.asset.display_name());
        let _ = writeln!(out, "  this -.->|feeds| down{i}[\"{name}\"]");
    }
    out.push_str("```\n\n");
}

fn trigger(out: &mut String, c: &Context<'_, '_>) {
    out.push_str("## Trigger and timing assumptions\n\n");
    match &c.flow.spec.trigger {
        Some(trigger) => {
            let _ = writeln!(out, "- **Starts on:** {}", inline(&trigger.event.value));
            match &trigger.timing {
                Some(timing) => {
                    let _ = writeln!(out, "- **Assumes:** {}", inline(&timing.value));
                }
                None => out.push_str("- **Assumes:** _not documented._ Write down what the flow takes for granted about the data at this moment (for example \"the order is final when state = processing\").\n"),
            }
        }
        None => out.push_str("_Not documented._ Record what starts this flow and what it assumes about the data at that moment.\n"),
    }
    out.push('\n');
}

fn data(out: &mut String, c: &Context<'_, '_>) {
    out.push_str("## Data and field mappings\n\n");
    if c.flow.spec.entities.is_empty() {
        out.push_str("_No entities recorded._\n\n");
    }
    for entity in &c.flow.spec.entities {
        entity_section(out, c, entity);
    }
}

/// One entity: its source of truth, conflict rule and field mappings.
fn entity_section(out: &mut String, c: &Context<'_, '_>, entity: &EntityFlow) {
    let _ = writeln!(out, "### {}\n", inline(&entity.entity.value));
    match &entity.source_of_truth {
        Some(truth) => {
            let name = c.inventory.system_name(truth.as_str());
            let _ = writeln!(out, "Source of truth: **{}**.", inline(name));
        }
        None => out.push_str("Source of truth: not stated.\n"),
    }
    if let Some(rule) = &entity.conflict_rule {
        let _ = writeln!(out, "When both sides changed a record: {}", inline(rule));
    }
    out.push('\n');
    if entity.fields.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "| {} | {} | Transform | Default when empty |\n|---|---|---|---|",
        cell(c.source()),
        cell(c.target())
    );
    for f in &entity.fields {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            code_cell(&f.from),
            code_cell(&f.to),
            cell(f.transform.as_deref().unwrap_or("")),
            cell(f.default.as_deref().unwrap_or(""))
        );
    }
    out.push('\n');
}

/// The limits of the other side, when any is recorded.
fn limits(out: &mut String, c: &Context<'_, '_>) {
    let limits = &c.flow.spec.constraints;
    if limits.is_empty() {
        return;
    }
    out.push_str("## Limits of the other side\n\n");
    let timeout = limits.timeout.map(|t| t.to_string());
    for (what, value) in [
        ("Rate limit", limits.rate_limit.as_deref()),
        ("Timeout", timeout.as_deref()),
        ("Payload limit", limits.payload_limit.as_deref()),
    ] {
        if let Some(value) = value {
            let _ = writeln!(out, "- {what}: {}", inline(value));
        }
    }
    if !limits.required_fields.is_empty() {
        let fields: Vec<String> = limits.required_fields.iter().map(|f| code(f)).collect();
        let _ = writeln!(out, "- Rejects records without: {}", fields.join(", "));
    }
    if let Some(auth) = &limits.auth {
        let _ = writeln!(out, "- Authentication: {}", inline(auth));
    }
    out.push('\n');
}

/// Failure modes: retries, dead letter, who is told, and what stops if this flow stops.
fn failures(out: &mut String, c: &Context<'_, '_>) {
    out.push_str("## When it fails\n\n");
    match &c.flow.spec.errors {
        None => out.push_str("_Error handling is not documented._ Until it is, assume a failure is silent: nobody is told and nothing is retried.\n"),
        Some(errors) => error_handling(out, &errors.value),
    }
    if_it_stops(out, c);
    out.push('\n');
}

fn error_handling(out: &mut String, e: &ErrorHandling) {
    match &e.retries {
        Some(r) => {
            let backoff = match r.backoff {
                Backoff::Fixed => "at a fixed interval",
                Backoff::Exponential => "backing off exponentially",
            };
            let _ = writeln!(
                out,
                "- **Retries:** up to {} more time{}, {backoff}{}.",
                r.max,
                if r.max == 1 { "" } else { "s" },
                r.initial.map(|d| format!(" from {d}")).unwrap_or_default()
            );
        }
        None => out.push_str("- **Retries:** none.\n"),
    }
    let _ = writeln!(
        out,
        "- **Records that fail for good go to:** {}",
        e.dead_letter.as_deref().map_or_else(
            || "nowhere (no dead letter): they are lost".to_owned(),
            inline
        )
    );
    let _ = writeln!(
        out,
        "- **Who is told:** {}",
        e.alert
            .as_deref()
            .map_or_else(|| "nobody (no alert)".to_owned(), inline)
    );
    if let Some(log) = &e.log {
        let _ = writeln!(out, "- **Errors are logged to:** {}", inline(log));
    }
    if let Some(r) = &e.on_record_failure {
        let what = match r.value {
            RecordFailure::Retry => "it is retried",
            RecordFailure::DeadLetter => "it is parked in the dead letter for replay",
            RecordFailure::Halt => "the run stops and is reported",
            RecordFailure::Skip => "it is **skipped** and the run goes on",
        };
        let _ = writeln!(out, "- **One record fails:** {what}");
    }
    if let Some(p) = &e.partial_failure {
        let what = match p.value {
            PartialFailure::Rollback => "the whole run is rolled back",
            PartialFailure::Fail => "the run is reported as failed",
            PartialFailure::Succeed => "the run is **reported as a success**",
        };
        let _ = writeln!(out, "- **Some records failed:** {what}");
    }
}

fn if_it_stops(out: &mut String, c: &Context<'_, '_>) {
    let Some(effect) = impact_with(c.inventory, c.couplings, c.flow.id()) else {
        return;
    };
    let count = effect.affected.len();
    if count == 0 {
        out.push_str("- **If it stops:** no other integration depends on it.\n");
        return;
    }
    let links: Vec<String> = effect.affected.iter().map(|a| c.link(&a.id)).collect();
    let _ = writeln!(
        out,
        "- **If it stops:** {count} other integration{} {} affected: {}.",
        if count == 1 { "" } else { "s" },
        if count == 1 { "is" } else { "are" },
        links.join(", ")
    );
}

fn observability(out: &mut String, c: &Context<'_, '_>) {
    out.push_str("## Observability\n\n");
    match &c.flow.spec.observability {
        None => out.push_str("_Nothing recorded._ There is no known way to see whether it runs.\n"),
        Some(o) => {
            if !o.metrics.is_empty() {
                let metrics: Vec<String> = o.metrics.iter().map(|m| code(m)).collect();
                let _ = writeln!(out, "- Metrics: {}", metrics.join(", "));
            }
            if let Some(logs) = &o.logs {
                let _ = writeln!(out, "- Logs: {}", inline(logs));
            }
            if !o.alerts.is_empty() {
                let _ = writeln!(out, "- Alerts: {}", inline(&o.alerts.join("; ")));
            }
            if let Some(d) = &o.dashboard {
                let _ = writeln!(out, "- Dashboard: {}", inline(d));
            }
        }
    }
    out.push('\n');
}

/// What this flow needs and what depends on it, when anything does.
fn couplings(out: &mut String, c: &Context<'_, '_>) {
    let depends_on = &c.flow.spec.depends_on;
    let dependents = c.couplings.direct_effects(c.flow);
    if depends_on.is_empty() && dependents.is_empty() {
        return;
    }
    out.push_str("## Couplings\n\n");
    for d in depends_on {
        let _ = writeln!(out, "- Needs {} to have run.", c.link(d.as_str()));
    }
    for (next, via) in &dependents {
        let why = match via {
            Link::DependsOn => "declares that it depends on this flow".to_owned(),
            Link::Data { entity, system } => format!(
                "reads the {} this flow writes into {}",
                inline(entity),
                inline(c.inventory.system_name(system))
            ),
        };
        let _ = writeln!(out, "- {} {why}.", c.link(next.id()));
    }
    out.push('\n');
}

/// Refactoring notes before the next platform upgrade, when there are any.
fn upgrade_notes(out: &mut String, c: &Context<'_, '_>) {
    let spec = c.flow.spec;
    let mut notes = Vec::new();
    if spec.hook.value == HookType::DirectDatabase {
        notes.push("- Reads or writes database tables directly: table layouts change between releases, and direct writes skip validation, events and indexers. Rebuild it on the platform's API.".to_owned());
    }
    notes.extend(unverified_versions(c));
    for api in &spec.deprecated_apis {
        let replacement = api.replacement.as_deref().map(inline);
        let removed = api.removed_in.as_deref().map(inline);
        notes.push(format!(
            "- Uses the deprecated **{}**{}{}.",
            inline(&api.api.value),
            replacement
                .map(|r| format!("; replace it with {r}"))
                .unwrap_or_default(),
            removed
                .map(|r| format!(" (removed in {r})"))
                .unwrap_or_default()
        ));
    }
    if let Some(native) = &spec.duplicates_native {
        notes.push(format!(
            "- Re-implements what the platform already offers: {}.",
            inline(&native.value)
        ));
    }
    if notes.is_empty() {
        return;
    }
    out.push_str("## Before the next upgrade\n\n");
    for note in &notes {
        let _ = writeln!(out, "{note}");
    }
    out.push('\n');
}

/// A note for each commerce system the flow touches that runs another version than the one
/// the flow is verified up to.
fn unverified_versions(c: &Context<'_, '_>) -> Vec<String> {
    let spec = c.flow.spec;
    let Some(verified) = spec
        .platform
        .as_ref()
        .and_then(|p| p.max_verified.as_deref())
    else {
        return Vec::new();
    };
    let mut notes = Vec::new();
    for end in [&spec.source, &spec.target] {
        let Some((system_asset, system)) = c.inventory.system(&end.value) else {
            continue;
        };
        if system.category != SystemCategory::Commerce {
            continue;
        }
        if let Some(running) = system.version.as_deref().filter(|v| *v != verified) {
            notes.push(format!(
                "- Verified up to {}, but {} runs {}: test it on the new version first.",
                inline(verified),
                inline(system_asset.display_name()),
                inline(running)
            ));
        }
    }
    notes
}

fn risk_breakdown(out: &mut String, c: &Context<'_, '_>) {
    let Some(r) = c.risk else {
        return;
    };
    let _ = writeln!(
        out,
        "## Risk: {} ({}/100)\n\n{}Each factor is scored from 0 (no risk) to 100; the score is their weighted average.\n\n| Factor | Weight | Score | Why |\n|---|---|---|---|",
        r.class,
        r.score,
        r.raised
            .as_ref()
            .map(|raised| format!("The class is raised: {}.\n\n", inline(raised)))
            .unwrap_or_default()
    );
    for f in &r.factors {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            f.factor.title(),
            f.weight,
            f.score,
            cell(&f.reason)
        );
    }
    out.push('\n');
}

/// Numbered validation steps: dependencies first, then the recorded steps, then the dead
/// letter.
fn validation(out: &mut String, c: &Context<'_, '_>) {
    out.push_str("## Checking it after a change\n\n");
    let spec = c.flow.spec;
    let mut steps: Vec<String> = spec
        .depends_on
        .iter()
        .map(|d| {
            format!(
                "First make sure {} works (see its page): this flow needs it.",
                c.link(d.as_str())
            )
        })
        .collect();
    steps.extend(spec.validation.iter().map(|v| inline(v)));
    let dead_letter = spec
        .errors
        .as_ref()
        .and_then(|e| e.value.dead_letter.as_deref());
    if let Some(dead_letter) = dead_letter {
        steps.push(format!(
            "Check that the dead letter ({}) holds nothing new after the test.",
            inline(dead_letter)
        ));
    }
    if steps.is_empty() {
        out.push_str("_No validation steps recorded._ Add `validation:` steps to the asset.\n");
    }
    for (i, step) in steps.iter().enumerate() {
        let _ = writeln!(out, "{}. {step}", i + 1);
    }
    out.push('\n');
}

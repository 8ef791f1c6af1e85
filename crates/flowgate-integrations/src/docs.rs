//! Generated documentation: one Markdown page per integration, plus an index, written for
//! someone who has never seen the landscape.

use crate::impact::{impact_with, Couplings, Link};
use crate::map;
use crate::risk::RiskAssessment;
use crate::{Flow, Inventory};
use flowgate_model::{Direction, HookType, Lifecycle, Model, PartialFailure, RecordFailure};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// One generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// File name (`order-export-erp.md`, `index.md`).
    pub file: String,
    /// Markdown text.
    pub text: String,
}

/// Every page: the index first, then one per integration by id.
pub fn pages(model: &Model, inventory: &Inventory<'_>, risks: &[RiskAssessment]) -> Vec<Page> {
    let risk: BTreeMap<&str, &RiskAssessment> = risks.iter().map(|r| (r.id.as_str(), r)).collect();
    let couplings = Couplings::new(inventory);
    let mut out = vec![Page {
        file: "index.md".to_owned(),
        text: index(inventory, risks),
    }];
    for flow in &inventory.flows {
        out.push(Page {
            file: format!("{}.md", flow.id()),
            text: page(
                model,
                inventory,
                &couplings,
                *flow,
                risk.get(flow.id()).copied(),
            ),
        });
    }
    out
}

fn hook_words(hook: HookType) -> &'static str {
    match hook {
        HookType::Rest => "REST API",
        HookType::Graphql => "GraphQL API",
        HookType::Soap => "SOAP API",
        HookType::EventObserver => "event observer",
        HookType::Plugin => "plugin (interceptor)",
        HookType::Cron => "scheduled job",
        HookType::MessageQueue => "message queue",
        HookType::DirectDatabase => "direct database access",
        HookType::FileExchange => "file exchange",
        HookType::Webhook => "webhook",
        HookType::FrontendCall => "call from the browser",
    }
}

fn direction_words(direction: Direction) -> &'static str {
    match direction {
        Direction::Outbound => "outbound: data leaves the shop",
        Direction::Inbound => "inbound: data enters the shop",
        Direction::Bidirectional => "both ways: data flows to the target and back",
    }
}

/// Escape a table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// A Markdown link to an integration's page, by its display name.
fn link(inventory: &Inventory<'_>, id: &str) -> String {
    let name = inventory
        .flow(id)
        .map(|f| f.asset.display_name())
        .unwrap_or(id);
    format!("[{}]({id}.md)", cell(name))
}

/// An integration's display name.
fn name_of<'a>(inventory: &Inventory<'a>, id: &'a str) -> &'a str {
    inventory
        .flow(id)
        .map(|f| f.asset.display_name())
        .unwrap_or(id)
}

fn customization_words(c: flowgate_model::Customization) -> &'static str {
    match c {
        flowgate_model::Customization::Native => {
            "the vendor's connector or a platform feature, unchanged"
        }
        flowgate_model::Customization::Configured => "the vendor's connector, configured",
        flowgate_model::Customization::Extended => {
            "the vendor's connector with custom code around it"
        }
        flowgate_model::Customization::Custom => "built in-house",
    }
}

fn index(inventory: &Inventory<'_>, risks: &[RiskAssessment]) -> String {
    let risk: BTreeMap<&str, &RiskAssessment> = risks.iter().map(|r| (r.id.as_str(), r)).collect();
    let mut out = String::from("# Integrations\n\n");
    let _ = writeln!(
        out,
        "{} integrations between {} systems. Each page says what a flow is for, who owns it, what it assumes, how its data is mapped, what happens when it fails and how to check it after a change.\n",
        inventory.flows.len(),
        inventory.systems.len()
    );
    out.push_str("| Integration | From → to | Hook | Owner | Risk | Safe zone |\n|---|---|---|---|---|---|\n");
    for flow in &inventory.flows {
        let r = risk.get(flow.id());
        let _ = writeln!(
            out,
            "| [{}]({}.md){} | {} → {} | {} | {} | {} | {} |",
            cell(flow.asset.display_name()),
            flow.id(),
            if flow.spec.lifecycle.value == Lifecycle::Deprecated {
                " (deprecated)"
            } else {
                ""
            },
            cell(inventory.system_name(flow.spec.source.as_str())),
            cell(inventory.system_name(flow.spec.target.as_str())),
            hook_words(flow.spec.hook.value),
            cell(flow.asset.owner.as_deref().unwrap_or("**none**")),
            r.map(|r| format!("{} ({})", r.class, r.score))
                .unwrap_or_default(),
            if flow.spec.safe_zone { "yes" } else { "" },
        );
    }
    out.push_str(
        "\n## Systems\n\n| System | Role | Product | Owner | Escalation |\n|---|---|---|---|---|\n",
    );
    for (asset, system) in inventory.systems.values() {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            cell(asset.display_name()),
            system.category,
            cell(
                &[system.product.as_deref(), system.version.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
            cell(asset.owner.as_deref().unwrap_or("")),
            cell(system.escalation.as_deref().unwrap_or("")),
        );
    }
    out.push_str("\n## Map\n\nEdges are coloured by risk class: red high, orange medium, green low; dotted edges are deprecated.\n\n```mermaid\n");
    out.push_str(&map::mermaid(inventory, risks));
    out.push_str("```\n\n");
    out.push_str(FOOTER);
    out
}

const FOOTER: &str =
    "_Generated by `flowgate integrations docs`; edit the asset files, not these pages._\n";

fn page<'a>(
    model: &Model,
    inventory: &Inventory<'a>,
    couplings: &Couplings<'a>,
    flow: Flow<'a>,
    risk: Option<&RiskAssessment>,
) -> String {
    let spec = flow.spec;
    let asset = flow.asset;
    let source = inventory.system_name(spec.source.as_str());
    let target = inventory.system_name(spec.target.as_str());
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", asset.display_name());
    if spec.lifecycle.value == Lifecycle::Deprecated {
        out.push_str(
            "> **Deprecated.** Still running, to be replaced; do not build anything new on it.\n\n",
        );
    }
    let _ = writeln!(out, "{}\n", spec.purpose);
    if let Some(description) = &asset.description {
        let _ = writeln!(out, "{description}\n");
    }

    out.push_str("## At a glance\n\n| | |\n|---|---|\n");
    let mut row = |key: &str, value: String| {
        let _ = writeln!(out, "| {key} | {} |", cell(&value));
    };
    row("Id", format!("`{}`", asset.id.as_str()));
    row("From → to", format!("{source} → {target}"));
    row(
        "Direction",
        direction_words(spec.direction.value).to_owned(),
    );
    row("Hook", hook_words(spec.hook.value).to_owned());
    row(
        "Owner",
        asset
            .owner
            .clone()
            .unwrap_or_else(|| "**nobody** — find one before the upgrade".to_owned()),
    );
    if let Some(escalation) = &spec.escalation {
        row("Escalation", escalation.clone());
    }
    if let Some(volume) = &spec.volume {
        if let Some(frequency) = &volume.frequency {
            row("Runs", frequency.clone());
        }
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
        if !amounts.is_empty() {
            row("Volume", amounts.join("; "));
        }
    }
    row(
        "Criticality",
        if spec.safe_zone {
            format!("{}, **safe zone**: must never break", spec.criticality)
        } else {
            spec.criticality.to_string()
        },
    );
    row(
        "Built as",
        customization_words(spec.customization).to_owned(),
    );
    if let Some(r) = risk {
        row(
            "Risk",
            match &r.raised {
                Some(raised) => format!("**{}** ({}/100; {raised}), see below", r.class, r.score),
                None => format!("**{}** ({}/100), see below", r.class, r.score),
            },
        );
    }
    if let Some(platform) = &spec.platform {
        let name = platform.name.as_deref().unwrap_or("platform");
        let range = match (&platform.min, &platform.max_verified) {
            (Some(min), Some(max)) => format!("{name} {min} to {max} (verified)"),
            (Some(min), None) => format!("{name} {min} or later"),
            (None, Some(max)) => format!("{name} up to {max} (verified)"),
            (None, None) => name.to_owned(),
        };
        row("Works with", range);
    }
    if let Some(file) = model.file(asset.origin.file) {
        row("Defined in", format!("`{}`", file.path.display()));
    }
    out.push('\n');

    // Flow diagram.
    out.push_str("## Flow\n\n```mermaid\nflowchart LR\n");
    let entities: Vec<&str> = spec.entity_names().collect();
    let arrow = if spec.direction.value == Direction::Bidirectional {
        "<-->"
    } else {
        "-->"
    };
    let _ = writeln!(
        out,
        "  src[(\"{}\")] {arrow} this[[\"{}\"]]",
        source.replace('"', "'"),
        asset.display_name().replace('"', "'")
    );
    let _ = writeln!(
        out,
        "  this {arrow}|\"{}\"| tgt[(\"{}\")]",
        if entities.is_empty() {
            "data".to_owned()
        } else {
            entities.join(", ")
        },
        target.replace('"', "'")
    );
    for (i, dependency) in spec.depends_on.iter().enumerate() {
        let _ = writeln!(
            out,
            "  up{i}[\"{}\"] -.->|needed first| this",
            name_of(inventory, dependency.as_str()).replace('"', "'")
        );
    }
    for (i, (next, _)) in couplings.direct_effects(flow).iter().enumerate() {
        let _ = writeln!(
            out,
            "  this -.->|feeds| down{i}[\"{}\"]",
            next.asset.display_name().replace('"', "'")
        );
    }
    out.push_str("```\n\n");

    // Trigger and timing.
    out.push_str("## Trigger and timing assumptions\n\n");
    match &spec.trigger {
        Some(trigger) => {
            let _ = writeln!(out, "- **Starts on:** {}", trigger.event.value);
            match &trigger.timing {
                Some(timing) => {
                    let _ = writeln!(out, "- **Assumes:** {}", timing.value);
                }
                None => out.push_str("- **Assumes:** _not documented._ Write down what the flow takes for granted about the data at this moment (for example \"the order is final when state = processing\").\n"),
            }
        }
        None => out.push_str("_Not documented._ Record what starts this flow and what it assumes about the data at that moment.\n"),
    }
    out.push('\n');

    // Data.
    out.push_str("## Data and field mappings\n\n");
    if spec.entities.is_empty() {
        out.push_str("_No entities recorded._\n\n");
    }
    for entity in &spec.entities {
        let _ = writeln!(out, "### {}\n", entity.entity.value);
        match &entity.source_of_truth {
            Some(truth) => {
                let _ = writeln!(
                    out,
                    "Source of truth: **{}**.",
                    inventory.system_name(truth.as_str())
                );
            }
            None => out.push_str("Source of truth: not stated.\n"),
        }
        if let Some(rule) = &entity.conflict_rule {
            let _ = writeln!(out, "When both sides changed a record: {rule}");
        }
        out.push('\n');
        if !entity.fields.is_empty() {
            let _ = writeln!(
                out,
                "| {source} | {target} | Transform | Default when empty |\n|---|---|---|---|"
            );
            for f in &entity.fields {
                let _ = writeln!(
                    out,
                    "| `{}` | `{}` | {} | {} |",
                    cell(&f.from),
                    cell(&f.to),
                    cell(f.transform.as_deref().unwrap_or("")),
                    cell(f.default.as_deref().unwrap_or(""))
                );
            }
            out.push('\n');
        }
    }

    // Constraints.
    let c = &spec.constraints;
    if !c.is_empty() {
        out.push_str("## Limits of the other side\n\n");
        if let Some(v) = &c.rate_limit {
            let _ = writeln!(out, "- Rate limit: {v}");
        }
        if let Some(v) = &c.timeout {
            let _ = writeln!(out, "- Timeout: {v}");
        }
        if let Some(v) = &c.payload_limit {
            let _ = writeln!(out, "- Payload limit: {v}");
        }
        if !c.required_fields.is_empty() {
            let _ = writeln!(
                out,
                "- Rejects records without: {}",
                c.required_fields
                    .iter()
                    .map(|f| format!("`{f}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        if let Some(v) = &c.auth {
            let _ = writeln!(out, "- Authentication: {v}");
        }
        out.push('\n');
    }

    // Failure modes.
    out.push_str("## When it fails\n\n");
    match &spec.errors {
        None => out.push_str("_Error handling is not documented._ Until it is, assume a failure is silent: nobody is told and nothing is retried.\n"),
        Some(errors) => {
            let e = &errors.value;
            match &e.retries {
                Some(r) => {
                    let _ = writeln!(
                        out,
                        "- **Retries:** up to {} more time{}, {}{}.",
                        r.max,
                        if r.max == 1 { "" } else { "s" },
                        match r.backoff {
                            flowgate_model::Backoff::Fixed => "at a fixed interval",
                            flowgate_model::Backoff::Exponential => "backing off exponentially",
                        },
                        r.initial.map(|d| format!(" from {d}")).unwrap_or_default()
                    );
                }
                None => out.push_str("- **Retries:** none.\n"),
            }
            let _ = writeln!(
                out,
                "- **Records that fail for good go to:** {}",
                e.dead_letter.as_deref().unwrap_or("nowhere (no dead letter): they are lost")
            );
            let _ = writeln!(
                out,
                "- **Who is told:** {}",
                e.alert.as_deref().unwrap_or("nobody (no alert)")
            );
            if let Some(log) = &e.log {
                let _ = writeln!(out, "- **Errors are logged to:** {log}");
            }
            if let Some(r) = &e.on_record_failure {
                let _ = writeln!(
                    out,
                    "- **One record fails:** {}",
                    match r.value {
                        RecordFailure::Retry => "it is retried",
                        RecordFailure::DeadLetter => "it is parked in the dead letter for replay",
                        RecordFailure::Halt => "the run stops and is reported",
                        RecordFailure::Skip => "it is **skipped** and the run goes on",
                    }
                );
            }
            if let Some(p) = &e.partial_failure {
                let _ = writeln!(
                    out,
                    "- **Some records failed:** {}",
                    match p.value {
                        PartialFailure::Rollback => "the whole run is rolled back",
                        PartialFailure::Fail => "the run is reported as failed",
                        PartialFailure::Succeed => "the run is **reported as a success**",
                    }
                );
            }
        }
    }
    if let Some(effect) = impact_with(inventory, couplings, flow.id()) {
        if effect.affected.is_empty() {
            out.push_str("- **If it stops:** no other integration depends on it.\n");
        } else {
            let _ = writeln!(
                out,
                "- **If it stops:** {} other integration{} {} affected: {}.",
                effect.affected.len(),
                if effect.affected.len() == 1 { "" } else { "s" },
                if effect.affected.len() == 1 {
                    "is"
                } else {
                    "are"
                },
                effect
                    .affected
                    .iter()
                    .map(|a| link(inventory, &a.id))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    out.push('\n');

    // Observability.
    out.push_str("## Observability\n\n");
    match &spec.observability {
        None => out.push_str("_Nothing recorded._ There is no known way to see whether it runs.\n"),
        Some(o) => {
            if !o.metrics.is_empty() {
                let _ = writeln!(
                    out,
                    "- Metrics: {}",
                    o.metrics
                        .iter()
                        .map(|m| format!("`{m}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            if let Some(logs) = &o.logs {
                let _ = writeln!(out, "- Logs: {logs}");
            }
            if !o.alerts.is_empty() {
                let _ = writeln!(out, "- Alerts: {}", o.alerts.join("; "));
            }
            if let Some(d) = &o.dashboard {
                let _ = writeln!(out, "- Dashboard: {d}");
            }
        }
    }
    out.push('\n');

    // Couplings.
    let dependents = couplings.direct_effects(flow);
    if !spec.depends_on.is_empty() || !dependents.is_empty() {
        out.push_str("## Couplings\n\n");
        for d in &spec.depends_on {
            let _ = writeln!(out, "- Needs {} to have run.", link(inventory, d.as_str()));
        }
        for (next, via) in &dependents {
            let why = match via {
                Link::DependsOn => "declares that it depends on this flow".to_owned(),
                Link::Data { entity, system } => format!(
                    "reads the {entity} this flow writes into {}",
                    inventory.system_name(system)
                ),
            };
            let _ = writeln!(out, "- {} {why}.", link(inventory, next.id()));
        }
        out.push('\n');
    }

    // Refactoring notes.
    let mut notes = Vec::new();
    if spec.hook.value == HookType::DirectDatabase {
        notes.push("- Reads or writes database tables directly: table layouts change between releases, and direct writes skip validation, events and indexers. Rebuild it on the platform's API.".to_owned());
    }
    if let Some(verified) = spec
        .platform
        .as_ref()
        .and_then(|p| p.max_verified.as_deref())
    {
        for end in [&spec.source, &spec.target] {
            let Some((system_asset, system)) = inventory.system(&end.value) else {
                continue;
            };
            if system.category != flowgate_model::SystemCategory::Commerce {
                continue;
            }
            if let Some(running) = system.version.as_deref().filter(|v| *v != verified) {
                notes.push(format!(
                    "- Verified up to {verified}, but {} runs {running}: test it on the new version first.",
                    system_asset.display_name()
                ));
            }
        }
    }
    if !spec.deprecated_apis.is_empty() || spec.duplicates_native.is_some() || !notes.is_empty() {
        out.push_str("## Before the next upgrade\n\n");
        for note in &notes {
            let _ = writeln!(out, "{note}");
        }
        for api in &spec.deprecated_apis {
            let _ = writeln!(
                out,
                "- Uses the deprecated **{}**{}{}.",
                api.api.value,
                api.replacement
                    .as_ref()
                    .map(|r| format!("; replace it with {r}"))
                    .unwrap_or_default(),
                api.removed_in
                    .as_ref()
                    .map(|r| format!(" (removed in {r})"))
                    .unwrap_or_default()
            );
        }
        if let Some(native) = &spec.duplicates_native {
            let _ = writeln!(
                out,
                "- Re-implements what the platform already offers: {}.",
                native.value
            );
        }
        out.push('\n');
    }

    // Risk.
    if let Some(r) = risk {
        let _ = writeln!(
            out,
            "## Risk: {} ({}/100)\n\n{}Each factor is scored from 0 (no risk) to 100; the score is their weighted average.\n\n| Factor | Weight | Score | Why |\n|---|---|---|---|",
            r.class,
            r.score,
            r.raised
                .as_ref()
                .map(|raised| format!("The class is raised: {raised}.\n\n"))
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

    // Validation.
    out.push_str("## Checking it after a change\n\n");
    let mut step = 1;
    for d in &spec.depends_on {
        let _ = writeln!(
            out,
            "{step}. First make sure {} works (see its page): this flow needs it.",
            link(inventory, d.as_str())
        );
        step += 1;
    }
    for v in &spec.validation {
        let _ = writeln!(out, "{step}. {v}");
        step += 1;
    }
    if let Some(dead_letter) = spec
        .errors
        .as_ref()
        .and_then(|e| e.value.dead_letter.as_deref())
    {
        let _ = writeln!(
            out,
            "{step}. Check that the dead letter ({dead_letter}) holds nothing new after the test."
        );
        step += 1;
    }
    if step == 1 {
        out.push_str("_No validation steps recorded._ Add `validation:` steps to the asset.\n");
    }
    out.push('\n');
    out.push_str(FOOTER);
    out
}

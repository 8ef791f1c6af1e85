//! Generated documentation: one Markdown page per integration, plus an index, written for
//! someone who has never seen the landscape.
//!
//! Every piece of asset text goes through [`crate::markdown`], so what a file says is shown
//! as written and never becomes HTML, a link or page structure; missing information is said
//! plainly ([`NOT_DOCUMENTED`]), never left out.

mod page;

use crate::impact::Couplings;
use crate::map;
use crate::markdown::{cell, page_link};
use crate::risk::RiskAssessment;
use crate::Inventory;
use flowgate_model::{Customization, Direction, HookType, Lifecycle, Model};
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

/// What a page says where an asset leaves a piece of information out.
pub const NOT_DOCUMENTED: &str = "_not documented_";

/// What a page says where an integration has no risk assessment.
const NOT_ASSESSED: &str = "_not assessed_";

/// Every page: the index first, then one per integration by id.
pub fn pages(model: &Model, inventory: &Inventory<'_>, risks: &[RiskAssessment]) -> Vec<Page> {
    let risk: BTreeMap<&str, &RiskAssessment> = risks.iter().map(|r| (r.id.as_str(), r)).collect();
    let couplings = Couplings::new(inventory);
    let mut out = vec![Page {
        file: "index.md".to_owned(),
        text: index(inventory, risks),
    }];
    for flow in &inventory.flows {
        let context = page::Context {
            model,
            inventory,
            couplings: &couplings,
            flow: *flow,
            risk: risk.get(flow.id()).copied(),
        };
        out.push(Page {
            file: format!("{}.md", flow.id()),
            text: page::page(&context),
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

fn customization_words(c: Customization) -> &'static str {
    match c {
        Customization::Native => "the vendor's connector or a platform feature, unchanged",
        Customization::Configured => "the vendor's connector, configured",
        Customization::Extended => "the vendor's connector with custom code around it",
        Customization::Custom => "built in-house",
    }
}

/// A table cell for an optional value: the value escaped, or [`NOT_DOCUMENTED`].
fn cell_or_not_documented(value: Option<&str>) -> String {
    value
        .filter(|v| !v.trim().is_empty())
        .map_or_else(|| NOT_DOCUMENTED.to_owned(), cell)
}

fn index(inventory: &Inventory<'_>, risks: &[RiskAssessment]) -> String {
    let mut out = String::from("# Integrations\n\n");
    let _ = writeln!(
        out,
        "{} integrations between {} systems. Each page says what a flow is for, who owns it, what it assumes, how its data is mapped, what happens when it fails and how to check it after a change.\n",
        inventory.flows.len(),
        inventory.systems.len()
    );
    index_flows(&mut out, inventory, risks);
    index_systems(&mut out, inventory);
    out.push_str("\n## Map\n\nEdges are coloured by risk class: red high, orange medium, green low; dotted edges are deprecated.\n\n```mermaid\n");
    out.push_str(&map::mermaid(inventory, risks));
    out.push_str("```\n\n");
    out.push_str(FOOTER);
    out
}

/// The table of flows, each linked to its page.
fn index_flows(out: &mut String, inventory: &Inventory<'_>, risks: &[RiskAssessment]) {
    let risk: BTreeMap<&str, &RiskAssessment> = risks.iter().map(|r| (r.id.as_str(), r)).collect();
    out.push_str("| Integration | From → to | Hook | Owner | Risk | Safe zone |\n|---|---|---|---|---|---|\n");
    for flow in &inventory.flows {
        let deprecated = if flow.spec.lifecycle.value == Lifecycle::Deprecated {
            " (deprecated)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "| {}{deprecated} | {} → {} | {} | {} | {} | {} |",
            page_link(flow.asset.display_name(), flow.id()),
            cell(inventory.system_name(flow.spec.source.as_str())),
            cell(inventory.system_name(flow.spec.target.as_str())),
            hook_words(flow.spec.hook.value),
            flow.asset
                .owner
                .as_deref()
                .map_or_else(|| "**none**".to_owned(), cell),
            risk.get(flow.id()).map_or_else(
                || NOT_ASSESSED.to_owned(),
                |r| format!("{} ({})", r.class, r.score)
            ),
            if flow.spec.safe_zone { "yes" } else { "" },
        );
    }
}

/// The table of systems.
fn index_systems(out: &mut String, inventory: &Inventory<'_>) {
    out.push_str(
        "\n## Systems\n\n| System | Role | Product | Owner | Escalation |\n|---|---|---|---|---|\n",
    );
    for (asset, system) in inventory.systems.values() {
        let product = [system.product.as_deref(), system.version.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            cell(asset.display_name()),
            system.category,
            cell_or_not_documented(Some(&product)),
            cell_or_not_documented(asset.owner.as_deref()),
            cell_or_not_documented(system.escalation.as_deref()),
        );
    }
}

const FOOTER: &str =
    "_Generated by `flowgate integrations docs`; edit the asset files, not these pages._\n";

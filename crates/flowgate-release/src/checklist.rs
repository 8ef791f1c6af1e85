//! The release checklist of a plan: the seed checklist's items, each ticked from evidence
//! where flowgate can verify it (the rules that ran when the snapshot was frozen and what they
//! found, the environment's prefix and guardrails, the approvals recorded) and otherwise left
//! for a person holding one of the environment's RACI roles to confirm.

use crate::error::ReleaseError;
use crate::gates::Approval;
use crate::policy::{Environment, Policy};
use crate::promote::PlanReport;
use flowgate_store::{OperationFilter, OperationKind, Store};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeSet;

/// Where an item stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ItemState {
    /// Verified from evidence.
    Verified {
        /// The evidence.
        evidence: String,
    },
    /// The evidence shows a problem.
    Failed {
        /// What was found.
        evidence: String,
    },
    /// A person must confirm it.
    ToConfirm {
        /// Why flowgate cannot verify it.
        why: String,
    },
    /// A person confirmed it.
    Confirmed {
        /// Who.
        by: String,
        /// When (RFC 3339).
        at: String,
        /// Their note.
        note: Option<String>,
    },
}

impl ItemState {
    /// Whether the item is ticked.
    pub fn is_done(&self) -> bool {
        matches!(self, Self::Verified { .. } | Self::Confirmed { .. })
    }
}

/// One item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChecklistItem {
    /// Its stable id (`logic.loops`), used to confirm it.
    pub id: String,
    /// Its section.
    pub section: &'static str,
    /// What it asks.
    pub text: String,
    /// Where it stands.
    #[serde(flatten)]
    pub state: ItemState,
}

/// A recorded confirmation of an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation {
    /// The item id.
    pub item: String,
    /// Who confirmed it.
    pub by: String,
    /// When (RFC 3339).
    pub at: String,
    /// Their note.
    pub note: Option<String>,
}

/// The items the rules can verify: id, section, text, and the rule codes whose absence is the
/// evidence.
const RULE_ITEMS: [(&str, &str, &str, &[&str]); 13] = [
    (
        "naming.orphans",
        "Naming & foldering",
        "Orphan check: no assets reference out-of-bundle items",
        &["FG602"],
    ),
    (
        "logic.loops",
        "Logic integrity",
        "No loops (entry/exit conditions validated)",
        &["FG101", "FG104", "FG811", "FG817"],
    ),
    (
        "logic.suppression",
        "Logic integrity",
        "Suppression and quiet hours enforced",
        &["FG201", "FG202", "FG207"],
    ),
    (
        "logic.duplicates",
        "Logic integrity",
        "Duplicate-prevention rules in place (email, phone, external ID)",
        &["FG305"],
    ),
    (
        "data.fields",
        "Data model",
        "New fields documented (name, type, options, default)",
        &["FG301", "FG302", "FG304"],
    ),
    (
        "data.consent",
        "Data model",
        "Consent flags and timestamps mapped (opt-in/out, source, proof)",
        &["FG203", "FG206"],
    ),
    (
        "data.utm",
        "Data model",
        "UTM/campaign attribution handled consistently",
        &["FG306", "FG405"],
    ),
    (
        "messaging.lint",
        "Messaging",
        "Templates proofread and linted (links, variables, fallbacks)",
        &[
            "FG401", "FG402", "FG403", "FG404", "FG406", "FG407", "FG408",
        ],
    ),
    (
        "messaging.unsubscribe",
        "Messaging",
        "Unsubscribe/STOP/HELP compliant for SMS; one-click unsubscribe for email",
        &["FG204", "FG205"],
    ),
    (
        "messaging.sender",
        "Messaging",
        "From names/domains and sender IDs verified",
        &["FG208"],
    ),
    (
        "integrations.secrets",
        "Integrations",
        "No literal credentials; endpoints use HTTPS",
        &["FG502", "FG503", "FG708"],
    ),
    (
        "integrations.errors",
        "Integrations",
        "Error handling defined (retries, DLQs, alerts)",
        &["FG504", "FG505", "FG507", "FG511", "FG512", "FG702"],
    ),
    (
        "monitoring.alerts",
        "Monitoring",
        "Failures announced; alerts routed to the right channel",
        &["FG506", "FG605"],
    ),
];

/// Items no rule can verify.
const MANUAL_ITEMS: [(&str, &str, &str); 3] = [
    (
        "integrations.fields",
        "Integrations",
        "CRM/op tools receive expected fields",
    ),
    (
        "monitoring.events",
        "Monitoring",
        "Test events visible in logs",
    ),
    (
        "monitoring.kpis",
        "Monitoring",
        "Early-warning KPIs defined",
    ),
];

fn strings(manifest: &Value, key: &str) -> Option<BTreeSet<String>> {
    manifest
        .pointer(&format!("/check/{key}"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
}

/// The state of an item whose evidence is that none of `codes` found anything.
fn from_rules(manifest: &Value, codes: &[&str]) -> ItemState {
    let (Some(ran), Some(found)) = (strings(manifest, "rules"), strings(manifest, "codes")) else {
        return ItemState::ToConfirm {
            why: "the snapshot was frozen before flowgate recorded which rules ran".to_owned(),
        };
    };
    let excepted = strings(manifest, "excepted").unwrap_or_default();
    let hits: Vec<&str> = codes
        .iter()
        .copied()
        .filter(|c| found.contains(*c))
        .collect();
    if !hits.is_empty() {
        return ItemState::Failed {
            evidence: format!("{} found in the bundle when frozen", hits.join(", ")),
        };
    }
    let off: Vec<&str> = codes
        .iter()
        .copied()
        .filter(|c| !ran.contains(*c))
        .collect();
    if !off.is_empty() {
        return ItemState::ToConfirm {
            why: format!("{} did not run (switched off in [check])", off.join(", ")),
        };
    }
    let waived: Vec<&str> = codes
        .iter()
        .copied()
        .filter(|c| excepted.contains(*c))
        .collect();
    if !waived.is_empty() {
        return ItemState::ToConfirm {
            why: format!(
                "{} has a recorded exception for an asset of the bundle",
                waived.join(", ")
            ),
        };
    }
    ItemState::Verified {
        evidence: format!("{} ran and found nothing", codes.join(", ")),
    }
}

fn confirmed_or(item: &str, confirmations: &[Confirmation], state: ItemState) -> ItemState {
    if state.is_done() {
        return state;
    }
    match confirmations.iter().rev().find(|c| c.item == item) {
        Some(c) => ItemState::Confirmed {
            by: c.by.clone(),
            at: c.at.clone(),
            note: c.note.clone(),
        },
        None => state,
    }
}

fn prefix_item(env: &Environment) -> ItemState {
    match &env.name_prefix {
        Some(prefix) => ItemState::Verified {
            evidence: format!("{} renders every name with the prefix `{prefix}`", env.name),
        },
        None => ItemState::ToConfirm {
            why: format!("{} sets no name_prefix", env.name),
        },
    }
}

fn endpoints_item(manifest: &Value, env: &Environment, production: bool) -> ItemState {
    if production {
        return from_rules(manifest, &["FG501"]);
    }
    match (&env.guardrails.webhook_redirect, from_rules(manifest, &["FG501"])) {
        (Some(url), ItemState::Verified { .. }) => ItemState::Verified {
            evidence: format!("FG501 found no production endpoint, and every webhook of {} is redirected to {url}", env.name),
        },
        (_, state) => state,
    }
}

/// The checklist of promoting a snapshot with `manifest` into `env` (`production` when no
/// environment comes after it), given the plan's approvals and the confirmations recorded.
pub fn checklist(
    manifest: &Value,
    env: &Environment,
    production: bool,
    approvals: &[Approval],
    confirmations: &[Confirmation],
) -> Vec<ChecklistItem> {
    let mut items = vec![item(
        "naming.prefix",
        "Naming & foldering",
        "All assets prefixed by environment and release ID",
        prefix_item(env),
    )];
    for (id, section, text, codes) in RULE_ITEMS {
        items.push(item(id, section, text, from_rules(manifest, codes)));
    }
    items.push(item(
        "integrations.endpoints",
        "Integrations",
        "Webhooks and API keys point to the environment's endpoints (staging outside prod)",
        endpoints_item(manifest, env, production),
    ));
    for (id, section, text) in MANUAL_ITEMS {
        items.push(item(
            id,
            section,
            text,
            ItemState::ToConfirm {
                why: "no rule can see this; a person must".to_owned(),
            },
        ));
    }
    for role in env.raci.approvers() {
        let state = match approvals.iter().find(|a| a.role == role) {
            Some(a) => ItemState::Verified {
                evidence: format!("approved by {} at {}", a.person, a.at),
            },
            None => ItemState::ToConfirm {
                why: format!("waiting for an approval by {role}"),
            },
        };
        items.push(ChecklistItem {
            id: format!("signoff.{role}"),
            section: "Stakeholder sign-off",
            text: format!("{role} approved the plan"),
            state,
        });
    }
    for role in &env.raci.consulted {
        let id = format!("consulted.{role}");
        let state = ItemState::ToConfirm {
            why: format!("{role} is consulted; someone holding it confirms"),
        };
        items.push(ChecklistItem {
            state: confirmed_or(&id, confirmations, state),
            id,
            section: "Stakeholder sign-off",
            text: format!("{role} reviewed the change"),
        });
    }
    for entry in &mut items {
        if !entry.id.starts_with("signoff.") {
            entry.state = confirmed_or(&entry.id, confirmations, entry.state.clone());
        }
    }
    items
}

fn item(id: &str, section: &'static str, text: &str, state: ItemState) -> ChecklistItem {
    ChecklistItem {
        id: id.to_owned(),
        section,
        text: text.to_owned(),
        state,
    }
}

/// The confirmations recorded for plan `plan`, oldest first.
pub async fn confirmations(
    store: &impl Store,
    plan: &str,
) -> Result<Vec<Confirmation>, ReleaseError> {
    let filter = OperationFilter {
        kind: Some(OperationKind::ChecklistConfirm),
        ..OperationFilter::default()
    };
    let text = |op: &flowgate_store::Operation, key: &str| {
        op.payload
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    Ok(store
        .operations(&filter)
        .await?
        .iter()
        .filter(|op| text(op, "plan").as_deref() == Some(plan))
        .filter_map(|op| {
            Some(Confirmation {
                item: text(op, "item")?,
                by: op.actor.clone(),
                at: op.at.to_human(),
                note: text(op, "note"),
            })
        })
        .collect())
}

/// The checklist of a planned promotion as it stands: evidence from the snapshot's
/// `manifest`, the plan's approvals, and the confirmations recorded in `store`. The
/// environment is production when it is the last one of the policy.
pub async fn plan_checklist(
    store: &impl Store,
    policy: &Policy,
    report: &PlanReport,
    manifest: &Value,
) -> Result<Vec<ChecklistItem>, ReleaseError> {
    let env = policy
        .require_environment(&report.plan.environment)
        .map_err(ReleaseError::Refused)?;
    let production = policy
        .environments
        .last()
        .is_some_and(|last| last.name == env.name);
    let confirmed = confirmations(store, &report.plan.id()).await?;
    Ok(checklist(
        manifest,
        env,
        production,
        &report.approvals,
        &confirmed,
    ))
}

/// The roles that may confirm items by hand: the environment's RACI roles (A, R and C).
pub fn confirming_roles(env: &Environment) -> Vec<String> {
    let mut roles = env.raci.approvers();
    for role in &env.raci.consulted {
        if !roles.contains(role) {
            roles.push(role.clone());
        }
    }
    roles
}

/// The checklist as Markdown task lists, to paste into a PM tool.
pub fn checklist_markdown(title: &str, items: &[ChecklistItem]) -> String {
    let mut out = format!(
        "## Release checklist: {}\n",
        flowgate_model::markdown::escape(title)
    );
    let mut section = "";
    for entry in items {
        if entry.section != section {
            section = entry.section;
            out.push_str(&format!("\n### {section}\n\n"));
        }
        let escape = flowgate_model::markdown::escape;
        let (mark, why) = match &entry.state {
            ItemState::Verified { evidence } => ("x", format!("verified: {}", escape(evidence))),
            ItemState::Failed { evidence } => (" ", format!("**fails**: {}", escape(evidence))),
            ItemState::ToConfirm { why } => (" ", format!("to confirm: {}", escape(why))),
            ItemState::Confirmed { by, at, note } => (
                "x",
                format!(
                    "confirmed by {} at {at}{}",
                    escape(by),
                    note.as_ref()
                        .map(|n| format!(": {}", escape(n)))
                        .unwrap_or_default()
                ),
            ),
        };
        out.push_str(&format!("- [{mark}] {} — {why}\n", escape(&entry.text)));
    }
    out
}

//! Risk of an integration: a weighted average of eight factors, each scored 0–100 with the
//! reason written out, so that a reviewer can disagree with a number and see why it is so.

use crate::config::RiskConfig;
pub use crate::factor::{Factor, RiskClass};
use crate::{Flow, Inventory};
use flowgate_model::{Criticality, Customization, HookType, PartialFailure, RecordFailure};
use serde::Serialize;
use std::collections::BTreeSet;

/// One factor's contribution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FactorScore {
    /// The factor.
    pub factor: Factor,
    /// 0 (no risk) to 100.
    pub score: u32,
    /// Its weight.
    pub weight: u32,
    /// Why it scored so.
    pub reason: String,
}

/// The risk of one integration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskAssessment {
    /// Integration id.
    pub id: String,
    /// Weighted average of the factor scores, 0–100.
    pub score: u32,
    /// The class: the one the score falls in, or the safe zone's floor when higher.
    pub class: RiskClass,
    /// Why the class is above what the score gives, if it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raised: Option<String>,
    /// Every factor, in [`Factor::ALL`] order.
    pub factors: Vec<FactorScore>,
}

impl RiskAssessment {
    /// The factors that add most to the score (weight × score), highest first.
    pub fn top_factors(&self, n: usize) -> Vec<&FactorScore> {
        let mut factors: Vec<&FactorScore> = self
            .factors
            .iter()
            .filter(|f| f.score * f.weight > 0)
            .collect();
        factors.sort_by(|a, b| {
            (b.score * b.weight)
                .cmp(&(a.score * a.weight))
                .then(a.factor.cmp(&b.factor))
        });
        factors.truncate(n);
        factors
    }
}

/// Assess every integration of an inventory, by id.
pub fn assess_all(inventory: &Inventory<'_>, config: &RiskConfig) -> Vec<RiskAssessment> {
    inventory
        .flows
        .iter()
        .map(|flow| assess(inventory, *flow, config))
        .collect()
}

/// Assess one integration.
pub fn assess(inventory: &Inventory<'_>, flow: Flow<'_>, config: &RiskConfig) -> RiskAssessment {
    let factors: Vec<FactorScore> = Factor::ALL
        .into_iter()
        .map(|factor| {
            let (score, reason) = score(inventory, flow, factor);
            FactorScore {
                factor,
                score: score.min(100),
                weight: config.weight(factor),
                reason,
            }
        })
        .collect();
    let total_weight: u32 = factors.iter().map(|f| f.weight).sum();
    let weighted: u32 = factors.iter().map(|f| f.score * f.weight).sum();
    let score = (weighted + total_weight / 2)
        .checked_div(total_weight)
        .unwrap_or(0);
    let scored = config.class(score);
    let (class, raised) = if flow.spec.safe_zone && scored < config.safe_zone {
        (
            config.safe_zone,
            Some(format!(
                "safe zone: never below {} (the score alone gives {scored})",
                config.safe_zone
            )),
        )
    } else {
        (scored, None)
    };
    RiskAssessment {
        id: flow.id().to_owned(),
        score,
        class,
        raised,
        factors,
    }
}

/// How easily a hook breaks on a platform upgrade, 0–100.
pub fn hook_fragility(hook: HookType) -> u32 {
    match hook {
        HookType::DirectDatabase => 100,
        HookType::FileExchange => 75,
        HookType::Plugin => 70,
        HookType::FrontendCall => 60,
        HookType::EventObserver => 55,
        HookType::Soap => 50,
        HookType::Cron => 45,
        HookType::Webhook => 35,
        HookType::MessageQueue => 25,
        HookType::Rest | HookType::Graphql => 20,
    }
}

fn score(inventory: &Inventory<'_>, flow: Flow<'_>, factor: Factor) -> (u32, String) {
    match factor {
        Factor::BusinessCriticality => business_criticality(flow),
        Factor::OwnershipComplexity => ownership_complexity(inventory, flow),
        Factor::TimingSensitivity => timing_sensitivity(flow),
        Factor::Customization => customization(flow),
        Factor::ExternalRigidity => external_rigidity(flow),
        Factor::ErrorHandling => error_handling(flow),
        Factor::Observability => observability(flow),
        Factor::HookFragility => hook_fragility_of(flow),
    }
}

/// What breaks for the business when the flow breaks.
fn business_criticality(flow: Flow<'_>) -> (u32, String) {
    let spec = flow.spec;
    let base = match spec.criticality {
        Criticality::Low => 15,
        Criticality::Medium => 40,
        Criticality::High => 70,
        Criticality::Critical => 90,
    };
    if spec.safe_zone {
        (100, format!("safe zone; rated {}", spec.criticality))
    } else {
        (base, format!("rated {}", spec.criticality))
    }
}

/// How many teams own the flow and its systems, and whether anyone is escalated to.
fn ownership_complexity(inventory: &Inventory<'_>, flow: Flow<'_>) -> (u32, String) {
    let spec = flow.spec;
    let Some(owner) = flow.asset.owner.as_deref() else {
        return (100, "no owner".to_owned());
    };
    let mut teams = BTreeSet::from([owner]);
    let mut escalation = spec.escalation.is_some();
    for system in [&spec.source.value, &spec.target.value] {
        if let Some((asset, system)) = inventory.system(system) {
            if let Some(owner) = asset.owner.as_deref() {
                teams.insert(owner);
            }
            escalation |= system.escalation.is_some();
        }
    }
    let mut score = 20 * teams.len() as u32;
    let mut reason = format!(
        "{} team{} involved ({})",
        teams.len(),
        if teams.len() == 1 { "" } else { "s" },
        teams.iter().copied().collect::<Vec<_>>().join(", ")
    );
    if !escalation {
        score += 30;
        reason.push_str("; no escalation path");
    }
    (score, reason)
}

/// Whether the flow reacts to events, and whether its timing assumption is written down.
fn timing_sensitivity(flow: Flow<'_>) -> (u32, String) {
    let spec = flow.spec;
    let event_driven =
        spec.hook.value.is_event_driven() || spec.hook.value == HookType::FrontendCall;
    let documented = spec.trigger.as_ref().is_some_and(|t| t.timing.is_some());
    let (mut score, mut reason) = match (event_driven, documented) {
        (true, true) => (60, "event-driven, timing assumption documented".to_owned()),
        (true, false) => (
            100,
            "event-driven, timing assumption NOT documented".to_owned(),
        ),
        (false, true) => (25, "scheduled, timing assumption documented".to_owned()),
        (false, false) => (45, "scheduled, timing assumption not documented".to_owned()),
    };
    if let Some(volume) = &spec.volume {
        if let (Some(avg), Some(peak)) = (volume.average_per_hour, volume.peak_per_hour) {
            if avg > 0 && peak >= avg * 5 {
                score += 15;
                reason.push_str(&format!("; peak {peak}/h is {}× the average", peak / avg));
            }
        }
    }
    (score, reason)
}

/// How much of the flow is built in-house.
fn customization(flow: Flow<'_>) -> (u32, String) {
    let spec = flow.spec;
    let (mut score, mut reason) = match spec.customization {
        Customization::Native => (0, "vendor connector or platform feature".to_owned()),
        Customization::Configured => (25, "configured vendor connector".to_owned()),
        Customization::Extended => (60, "vendor connector with custom code".to_owned()),
        Customization::Custom => (85, "built in-house".to_owned()),
    };
    if let Some(native) = &spec.duplicates_native {
        score += 15;
        reason.push_str(&format!("; re-implements {}", native.value));
    }
    (score, reason)
}

/// The limits the other side imposes.
fn external_rigidity(flow: Flow<'_>) -> (u32, String) {
    let spec = flow.spec;
    let c = &spec.constraints;
    let mut parts = Vec::new();
    let mut score = 0;
    if let Some(rate) = &c.rate_limit {
        score += 25;
        parts.push(format!("rate limit {rate}"));
    }
    if let Some(limit) = &c.payload_limit {
        score += 20;
        parts.push(format!("payload limit {limit}"));
    }
    if !c.required_fields.is_empty() {
        score += (5 * c.required_fields.len() as u32).min(25);
        parts.push(format!("{} required fields", c.required_fields.len()));
    }
    if let Some(timeout) = c.timeout {
        if timeout.as_seconds() <= 10 {
            score += 20;
            parts.push(format!("short timeout {timeout}"));
        } else {
            score += 5;
            parts.push(format!("timeout {timeout}"));
        }
    }
    if parts.is_empty() {
        (0, "no external constraints recorded".to_owned())
    } else {
        (score, parts.join(", "))
    }
}

/// What happens to failures: retries, dead letters, alerts, partial failures.
fn error_handling(flow: Flow<'_>) -> (u32, String) {
    let spec = flow.spec;
    let Some(errors) = &spec.errors else {
        return (100, "error handling not documented".to_owned());
    };
    let errors = &errors.value;
    let mut score: i32 = 100;
    let mut have = Vec::new();
    let mut gaps = Vec::new();
    let mut check = |present: bool, points: i32, name: &str| {
        if present {
            score -= points;
            have.push(name.to_owned());
        } else {
            gaps.push(format!("no {name}"));
        }
    };
    check(errors.retries.is_some(), 30, "retries");
    check(
        errors.dead_letter.is_some()
            || errors
                .on_record_failure
                .as_ref()
                .is_some_and(|r| r.value == RecordFailure::DeadLetter),
        25,
        "dead letter",
    );
    check(errors.alert.is_some(), 30, "alerting");
    check(
        errors
            .partial_failure
            .as_ref()
            .is_some_and(|p| p.value != PartialFailure::Succeed),
        15,
        "partial-failure reporting",
    );
    if errors
        .on_record_failure
        .as_ref()
        .is_some_and(|r| r.value == RecordFailure::Skip)
    {
        score += 20;
        gaps.push("failed records are skipped".to_owned());
    }
    if errors
        .partial_failure
        .as_ref()
        .is_some_and(|p| p.value == PartialFailure::Succeed)
    {
        score += 20;
        gaps.push("partial failure reported as success".to_owned());
    }
    let reason = if gaps.is_empty() {
        format!("has {}", have.join(", "))
    } else {
        gaps.join(", ")
    };
    (score.clamp(0, 100) as u32, reason)
}

/// What can be seen of the flow running.
fn observability(flow: Flow<'_>) -> (u32, String) {
    let spec = flow.spec;
    let Some(o) = &spec.observability else {
        return (100, "nothing observable recorded".to_owned());
    };
    let mut score: u32 = 100;
    let mut gaps = Vec::new();
    let mut check = |present: bool, points: u32, name: &str| {
        if present {
            score -= points;
        } else {
            gaps.push(format!("no {name}"));
        }
    };
    check(o.logs.is_some(), 20, "logs");
    check(!o.metrics.is_empty(), 30, "metrics");
    check(!o.alerts.is_empty(), 35, "alerts");
    check(o.dashboard.is_some(), 15, "dashboard");
    let reason = if gaps.is_empty() {
        "logs, metrics, alerts and a dashboard".to_owned()
    } else {
        gaps.join(", ")
    };
    (score, reason)
}

/// How easily the hook breaks on a platform upgrade.
fn hook_fragility_of(flow: Flow<'_>) -> (u32, String) {
    let spec = flow.spec;
    let mut score = hook_fragility(spec.hook.value);
    let mut reason = format!("hook: {}", spec.hook.value);
    if !spec.deprecated_apis.is_empty() {
        score += 15 * spec.deprecated_apis.len() as u32;
        reason.push_str(&format!(
            "; {} deprecated API{} in use",
            spec.deprecated_apis.len(),
            if spec.deprecated_apis.len() == 1 {
                ""
            } else {
                "s"
            }
        ));
    }
    (score, reason)
}

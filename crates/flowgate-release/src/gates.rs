//! The promotion gates. Each gate is a pure function of the facts gathered for a plan, so that
//! every gate can be tested on its own, with a pinned clock.

use crate::policy::{BlockOn, Checkpoint, Environment, Policy};
use crate::watch_record::RecordedCheckpoint;
use chrono::{DateTime, Utc};
use flowgate_store::SnapshotId;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// One approval recorded in the operation log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Approval {
    /// Who approved.
    pub person: String,
    /// In which role.
    pub role: String,
    /// The plan approved.
    pub plan: String,
    /// When (RFC 3339).
    pub at: String,
    /// The comment given.
    pub comment: Option<String>,
}

/// Who holds an environment pinned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pin {
    /// Who pinned it.
    pub by: String,
    /// When (RFC 3339).
    pub at: String,
    /// Why.
    pub reason: String,
}

/// Everything the gates look at.
#[derive(Debug, Clone)]
pub struct Facts<'a> {
    /// The workspace policy.
    pub policy: &'a Policy,
    /// The environment promoted into.
    pub env: &'a Environment,
    /// The plan's id.
    pub plan: &'a str,
    /// The snapshot promoted.
    pub snapshot: SnapshotId,
    /// Its version.
    pub version: &'a str,
    /// Its manifest (check counts).
    pub manifest: &'a Value,
    /// Whether the snapshot was imported from a file: its manifest's check counts are then
    /// the file's claim, not a check run by this installation.
    pub imported: bool,
    /// Who took the snapshot.
    pub author: &'a str,
    /// The version the environment holds now.
    pub current_version: Option<&'a str>,
    /// Who asks to apply (`None` when only planning).
    pub actor: Option<&'a str>,
    /// Now.
    pub now: DateTime<Utc>,
    /// The pin on the environment, if any.
    pub pinned: Option<&'a Pin>,
    /// Approvals of this plan.
    pub approvals: &'a [Approval],
    /// Approvals of other plans of the same bundle and environment (stale).
    pub stale_approvals: usize,
    /// What the `from` environment holds now.
    pub from_current: Option<SnapshotId>,
    /// Since when the `from` environment holds it.
    pub from_since: Option<DateTime<Utc>>,
    /// Why the rendering cannot be deployed.
    pub render_problems: &'a [String],
    /// Overdue action items of incidents linked to releases of the bundle, described
    /// (gathered only when the environment blocks on them).
    pub overdue_actions: &'a [String],
    /// Watch results that hold the snapshot: the latest checkpoint of a watch in an
    /// environment, when it did not pass.
    pub watch_holds: &'a [String],
    /// The watch checkpoints recorded for the `from` environment's release of the snapshot.
    pub from_checkpoints: &'a [RecordedCheckpoint],
}

/// One gate's verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GateResult {
    /// The gate (`approvals`, `freeze`, …).
    pub gate: &'static str,
    /// Whether it lets the promotion through.
    pub passed: bool,
    /// Why, in a sentence that says what to do when it blocks.
    pub reason: String,
}

impl GateResult {
    fn pass(gate: &'static str, reason: impl Into<String>) -> Self {
        Self {
            gate,
            passed: true,
            reason: reason.into(),
        }
    }

    fn block(gate: &'static str, reason: impl Into<String>) -> Self {
        Self {
            gate,
            passed: false,
            reason: reason.into(),
        }
    }
}

/// Every gate's verdict, in a fixed order.
pub fn evaluate(facts: &Facts<'_>) -> Vec<GateResult> {
    vec![
        render(facts),
        pinned(facts),
        source(facts),
        soak(facts),
        checks(facts),
        downgrade(facts),
        approvals(facts),
        separation(facts),
        freeze(facts),
        promoter(facts),
        actions(facts),
        watch(facts),
    ]
}

fn watch(f: &Facts<'_>) -> GateResult {
    match f.watch_holds {
        [] => GateResult::pass("watch", format!("no watch result holds {}", f.version)),
        [first, rest @ ..] => GateResult::block(
            "watch",
            format!(
                "{first}{}; {} may move on once a later checkpoint passes (`flowgate watch ENV`), \
                 or roll it back",
                match rest.len() {
                    0 => String::new(),
                    n => format!(" (and {n} more)"),
                },
                f.version
            ),
        ),
    }
}

fn actions(f: &Facts<'_>) -> GateResult {
    if !f.env.gates.block_on_overdue_actions {
        return GateResult::pass("actions", "overdue incident actions do not block here");
    }
    match f.overdue_actions {
        [] => GateResult::pass(
            "actions",
            "no overdue action item from an incident linked to this bundle",
        ),
        [first, rest @ ..] => GateResult::block(
            "actions",
            format!(
                "overdue action item {first}{}; finish it (`flowgate incident action done`) \
                 before promoting into {}",
                match rest.len() {
                    0 => String::new(),
                    n => format!(" (and {n} more)"),
                },
                f.env.name
            ),
        ),
    }
}

fn render(f: &Facts<'_>) -> GateResult {
    match f.render_problems.first() {
        None => GateResult::pass("render", "every asset renders for this environment"),
        Some(first) => GateResult::block(
            "render",
            format!(
                "{first}{}",
                match f.render_problems.len() {
                    1 => String::new(),
                    n => format!(" (and {} more)", n - 1),
                }
            ),
        ),
    }
}

fn pinned(f: &Facts<'_>) -> GateResult {
    match f.pinned {
        None => GateResult::pass("pinned", format!("{} is not pinned", f.env.name)),
        Some(pin) => GateResult::block(
            "pinned",
            format!(
                "{} is pinned by {} since {}: {}; run `flowgate unpin {} --reason …` when it may \
                 move again",
                f.env.name, pin.by, pin.at, pin.reason, f.env.name
            ),
        ),
    }
}

fn source(f: &Facts<'_>) -> GateResult {
    let Some(from) = &f.env.gates.from else {
        return GateResult::pass("source", "no source environment required");
    };
    if f.from_current == Some(f.snapshot) {
        GateResult::pass("source", format!("{from} holds {}", f.version))
    } else {
        GateResult::block(
            "source",
            format!(
                "{} takes only what {from} holds, and {from} does not hold {}; promote it to \
                 {from} first",
                f.env.name, f.version
            ),
        )
    }
}

fn soak(f: &Facts<'_>) -> GateResult {
    let Some(from) = &f.env.gates.from else {
        return GateResult::pass("soak", "no soak time required");
    };
    let time = match f.env.gates.soak {
        Some(soak) => soak_time(f, from, soak),
        None if f.env.gates.soak_requires_watch => {
            GateResult::pass("soak", "no soak time required")
        }
        None => return GateResult::pass("soak", "no soak time required"),
    };
    if time.passed && f.env.gates.soak_requires_watch {
        soak_watch(f, from, &time.reason)
    } else {
        time
    }
}

fn soak_time(f: &Facts<'_>, from: &str, soak: flowgate_model::Duration) -> GateResult {
    let needed = chrono::Duration::seconds(i64::try_from(soak.as_seconds()).unwrap_or(i64::MAX));
    match (f.from_current == Some(f.snapshot), f.from_since) {
        (true, Some(since)) => {
            let ran = f.now.signed_duration_since(since);
            if ran >= needed {
                GateResult::pass(
                    "soak",
                    format!("{} ran in {from} for {}", f.version, human_duration(ran)),
                )
            } else {
                GateResult::block(
                    "soak",
                    format!(
                        "{} has run in {from} for {}, {} required; it may be promoted from {}",
                        f.version,
                        human_duration(ran),
                        human_duration(needed),
                        (since + needed).format("%Y-%m-%d %H:%M UTC")
                    ),
                )
            }
        }
        _ => GateResult::block(
            "soak",
            format!(
                "{} has not run in {from}; it needs {} there first",
                f.version,
                human_duration(needed)
            ),
        ),
    }
}

/// The checkpoints of `from` the soak needs: those within the soak time, or the first one
/// when none is.
fn soak_checkpoints<'p>(f: &Facts<'p>, from: &str) -> Vec<&'p Checkpoint> {
    let Some(env) = f.policy.environments.iter().find(|e| e.name == from) else {
        return Vec::new();
    };
    let within: Vec<&Checkpoint> = env
        .watch_checkpoints
        .iter()
        .filter(|c| f.env.gates.soak.is_none_or(|soak| c.after <= soak))
        .collect();
    if within.is_empty() {
        env.watch_checkpoints.iter().take(1).collect()
    } else {
        within
    }
}

fn soak_watch(f: &Facts<'_>, from: &str, time: &str) -> GateResult {
    if f.from_current != Some(f.snapshot) {
        return GateResult::block(
            "soak",
            format!(
                "{} has not run in {from}; its watch must pass there first",
                f.version
            ),
        );
    }
    let needed = soak_checkpoints(f, from);
    let mut missing = Vec::new();
    for checkpoint in &needed {
        let results: Vec<&RecordedCheckpoint> = f
            .from_checkpoints
            .iter()
            .filter(|r| r.checkpoint == checkpoint.label)
            .collect();
        if results.is_empty() || results.iter().any(|r| !r.passed()) {
            missing.push(checkpoint.label.as_str());
        }
    }
    let labels: Vec<&str> = needed.iter().map(|c| c.label.as_str()).collect();
    if needed.is_empty() {
        GateResult::block(
            "soak",
            format!("the soak needs {from}'s watch, and {from} has no watch checkpoints"),
        )
    } else if missing.is_empty() {
        GateResult::pass(
            "soak",
            format!(
                "{time}, and its watch passed there at {}",
                labels.join(", ")
            ),
        )
    } else {
        GateResult::block(
            "soak",
            format!(
                "{} has not passed the watch in {from} at {} (needed: {}); run `flowgate watch \
                 {from}` when the checkpoints are due, and see `flowgate watch {from} --results`",
                f.version,
                missing.join(", "),
                labels.join(", ")
            ),
        )
    }
}

/// A duration as people read it on gates and the board: `45m`, `3h05m`, `2d4h`.
pub fn human_duration(d: chrono::Duration) -> String {
    let minutes = d.num_minutes();
    if minutes < 60 {
        format!("{minutes}m")
    } else if minutes < 48 * 60 {
        format!("{}h{:02}m", minutes / 60, minutes % 60)
    } else {
        format!("{}d{}h", minutes / 1440, (minutes % 1440) / 60)
    }
}

fn checks(f: &Facts<'_>) -> GateResult {
    if f.imported && f.env.gates.block_on != BlockOn::Off {
        return GateResult::block(
            "checks",
            format!(
                "{} ({}) was imported from a file: its check counts are the file's claim (an \
                 export's digest is not a signature), not a check run here, and {} blocks on {}; \
                 check the content in a workspace and freeze it there with `flowgate snapshot \
                 create` under a new version, then promote that version",
                f.version,
                f.snapshot.short(),
                f.env.name,
                f.env.gates.block_on.as_str()
            ),
        );
    }
    let count = |key: &str| {
        f.manifest
            .get("check")
            .and_then(|c| c.get(key))
            .and_then(Value::as_u64)
            .unwrap_or(0)
    };
    let (errors, warnings) = (count("errors"), count("warnings"));
    let blocking = match f.env.gates.block_on {
        BlockOn::Off => 0,
        BlockOn::Error => errors,
        BlockOn::Warning => errors + warnings,
    };
    let found = format!("{errors} error(s), {warnings} warning(s) when frozen");
    if blocking == 0 {
        GateResult::pass(
            "checks",
            format!(
                "{found}; {} blocks on {}",
                f.env.name,
                f.env.gates.block_on.as_str()
            ),
        )
    } else {
        GateResult::block(
            "checks",
            format!(
                "{found}, and {} blocks on {}{}; fix them and freeze a new version",
                f.env.name,
                f.env.gates.block_on.as_str(),
                named_findings(f.manifest, f.env.gates.block_on)
            ),
        )
    }
}

/// The blocking findings a manifest names, a count per code with its first places:
/// `: FG402 ×3 (assets/a.yaml:11:12, …), FG207 ×1 (assets/b.yaml:4:3)`.
fn named_findings(manifest: &Value, block_on: BlockOn) -> String {
    let blocks = |severity: &str| match block_on {
        BlockOn::Off => false,
        BlockOn::Error => severity == "error",
        BlockOn::Warning => severity == "error" || severity == "warning",
    };
    let mut by_code: std::collections::BTreeMap<&str, (usize, Vec<&str>)> = Default::default();
    let findings = manifest
        .pointer("/check/findings")
        .and_then(Value::as_array);
    for finding in findings.into_iter().flatten() {
        let field = |key: &str| finding.get(key).and_then(Value::as_str);
        if let (Some(code), true) = (field("code"), field("severity").is_some_and(blocks)) {
            let (count, places) = by_code.entry(code).or_default();
            *count += 1;
            places.extend(field("at"));
        }
    }
    let named: Vec<String> = by_code
        .iter()
        .map(|(code, (count, places))| {
            let mut shown: Vec<&str> = places.iter().copied().take(3).collect();
            if places.len() > 3 {
                shown.push("…");
            }
            match shown.is_empty() {
                true => format!("{code} ×{count}"),
                false => format!("{code} ×{count} ({})", shown.join(", ")),
            }
        })
        .collect();
    match named.is_empty() {
        true => String::new(),
        false => format!(": {}", named.join(", ")),
    }
}

fn downgrade(f: &Facts<'_>) -> GateResult {
    let parse = |v: &str| semver::Version::parse(v).ok();
    match (f.current_version.and_then(parse), parse(f.version)) {
        (Some(current), Some(new)) if new < current => GateResult::block(
            "version",
            format!(
                "{} holds {current}, newer than {new}; to go back use `flowgate rollback {} --to {new}`",
                f.env.name, f.env.name
            ),
        ),
        (Some(current), _) => GateResult::pass("version", format!("{current} → {}", f.version)),
        (None, _) => GateResult::pass("version", format!("first release into {}", f.env.name)),
    }
}

/// Which approval counts for which required role: each role needs one approval from a
/// person who holds it, and each person counts for one role only, so two required roles
/// always take two people (a person who holds both cannot sign twice). The assignment fills
/// as many roles as any assignment can (a bipartite matching of roles to people).
pub fn approvals_by_role<'a>(
    policy: &Policy,
    env: &Environment,
    approvals: &'a [Approval],
) -> Vec<(String, Option<&'a Approval>)> {
    let roles = env.raci.approvers();
    let eligible: Vec<Vec<&'a Approval>> = roles
        .iter()
        .map(|role| {
            approvals
                .iter()
                .filter(|a| {
                    &a.role == role
                        && policy
                            .people
                            .get(&a.person)
                            .is_some_and(|p| p.roles.contains(role))
                })
                .collect()
        })
        .collect();
    let mut signer: BTreeMap<&str, usize> = BTreeMap::new();
    for role in 0..roles.len() {
        let mut seen = BTreeSet::new();
        augment(&eligible, role, &mut seen, &mut signer);
    }
    let mut by_role: Vec<Option<&'a Approval>> = vec![None; roles.len()];
    for (person, role) in &signer {
        by_role[*role] = eligible[*role]
            .iter()
            .copied()
            .find(|a| a.person == *person);
    }
    roles.into_iter().zip(by_role).collect()
}

/// Kuhn's augmenting path: gives `role` a person who approved it, moving the role that person
/// signs for to another of its approvers when that frees them. `signer` maps each person to
/// the role they count for.
fn augment<'a>(
    eligible: &[Vec<&'a Approval>],
    role: usize,
    seen: &mut BTreeSet<&'a str>,
    signer: &mut BTreeMap<&'a str, usize>,
) -> bool {
    for approval in &eligible[role] {
        let person = approval.person.as_str();
        if !seen.insert(person) {
            continue;
        }
        let free = match signer.get(person).copied() {
            None => true,
            Some(other) => augment(eligible, other, seen, signer),
        };
        if free {
            signer.insert(person, role);
            return true;
        }
    }
    false
}

fn approvals(f: &Facts<'_>) -> GateResult {
    let roles = approvals_by_role(f.policy, f.env, f.approvals);
    if roles.is_empty() {
        return GateResult::pass("approvals", "no approvals required");
    }
    let missing: Vec<&str> = roles
        .iter()
        .filter(|(_, a)| a.is_none())
        .map(|(role, _)| role.as_str())
        .collect();
    let given: Vec<String> = roles
        .iter()
        .filter_map(|(role, a)| a.map(|a| format!("{role}: {}", a.person)))
        .collect();
    if missing.is_empty() {
        return GateResult::pass("approvals", given.join(", "));
    }
    let stale = match f.stale_approvals {
        0 => String::new(),
        n => format!("; {n} approval(s) of an earlier plan do not count, because the plan changed"),
    };
    GateResult::block(
        "approvals",
        format!(
            "waiting for {}{}{stale}; run `flowgate approve {} --as PERSON`",
            missing
                .iter()
                .map(|r| format!("{r} ({})", holders(f.policy, r)))
                .collect::<Vec<_>>()
                .join(", "),
            if given.is_empty() {
                String::new()
            } else {
                format!(" (have {})", given.join(", "))
            },
            &f.plan[..f.plan.len().min(12)]
        ),
    )
}

fn holders(policy: &Policy, role: &str) -> String {
    let people: Vec<&str> = policy
        .people
        .values()
        .filter(|p| p.roles.iter().any(|r| r == role))
        .map(|p| p.id.as_str())
        .collect();
    if people.is_empty() {
        "nobody holds it".to_owned()
    } else {
        people.join(" or ")
    }
}

fn separation(f: &Facts<'_>) -> GateResult {
    if f.env.raci.approvers().is_empty() {
        return GateResult::pass("separation", "no approvals required");
    }
    if f.env.gates.author_may_approve_alone {
        return GateResult::pass("separation", "the author may approve alone here");
    }
    if !f.policy.people.contains_key(f.author) {
        return GateResult::block(
            "separation",
            format!(
                "the author `{}` is not a person id under [people], so who froze this version \
                 is unknown and separation of duties cannot be checked; freeze a new version \
                 with `flowgate snapshot create … --as PERSON`",
                f.author
            ),
        );
    }
    let others = f.approvals.iter().any(|a| a.person != f.author);
    if others {
        GateResult::pass(
            "separation",
            format!("approved by someone other than the author ({})", f.author),
        )
    } else if f.approvals.is_empty() {
        GateResult::block(
            "separation",
            format!(
                "no approval yet from someone other than the author ({})",
                f.author
            ),
        )
    } else {
        GateResult::block(
            "separation",
            format!(
                "{} authored this version and is its only approver; someone else must approve",
                f.author
            ),
        )
    }
}

fn freeze(f: &Facts<'_>) -> GateResult {
    match f.env.gates.freeze.iter().find(|w| w.contains(f.now)) {
        None => GateResult::pass(
            "freeze",
            format!(
                "{} is outside every freeze window",
                f.now.format("%Y-%m-%d %H:%M UTC")
            ),
        ),
        Some(window) => GateResult::block(
            "freeze",
            format!(
                "{} is frozen: {}; apply after the window, or roll back if production is broken",
                f.env.name,
                window.describe()
            ),
        ),
    }
}

fn promoter(f: &Facts<'_>) -> GateResult {
    let Some(actor) = f.actor else {
        return GateResult::pass("promoter", "checked when the plan is applied");
    };
    let person = f.policy.people.get(actor);
    if f.policy.people.is_empty() {
        return GateResult::pass("promoter", format!("{actor} (no [people] configured)"));
    }
    let Some(person) = person else {
        return GateResult::block(
            "promoter",
            format!("`{actor}` is not listed under [people] in flowgate.toml"),
        );
    };
    let allowed = &f.env.gates.promoters;
    if allowed.is_empty() || person.roles.iter().any(|r| allowed.contains(r)) {
        GateResult::pass(
            "promoter",
            format!("{actor} may promote into {}", f.env.name),
        )
    } else {
        GateResult::block(
            "promoter",
            format!(
                "{actor} ({}) may not promote into {}; promoters there hold {}",
                person.roles.join(", "),
                f.env.name,
                allowed.join(" or ")
            ),
        )
    }
}

//! The release part of `flowgate demo`: one bundle walked through dev → stage → prod with its
//! gates and approvals, a bad release and its rollback, on a rehearsal store and a simulated
//! calendar, so that every run tells the same story.

use crate::output;
use chrono::{DateTime, Utc};
use flowgate_diff::Bump;
use flowgate_load::Workspace;
use flowgate_release::{
    Frozen, Outcome, PlanReport, Policy, Promotions, ReleaseError, ReleaseVersion, TargetSpec,
};
use flowgate_store::{
    AnyStore, ManualClock, Object, Snapshot, SnapshotKey, SqliteStore, Store, Timestamp,
};
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;

/// The simulated calendar: Monday 23 November 2026, 09:00 UTC, onwards.
const START: &str = "2026-11-23T09:00:00Z";

/// The people of the story (they must be listed in the workspace's `[people]`).
pub const BUILDER: &str = "tom";
const MARKETING_OPS: &str = "mara";
const REVOPS: &str = "jonas";

struct Rehearsal<'a> {
    store: AnyStore,
    policy: &'a Policy,
    clock: Arc<ManualClock>,
    start: DateTime<Utc>,
}

fn failed(step: &str, error: &dyn std::fmt::Display) -> String {
    format!("{step}: {error}")
}

impl Rehearsal<'_> {
    fn at(&self, hours: f64) -> DateTime<Utc> {
        let at = self.start + chrono::Duration::minutes((hours * 60.0) as i64);
        self.clock.set(Timestamp::from_datetime(at));
        at
    }

    fn promotions(&self) -> Promotions<'_, AnyStore> {
        Promotions::new(&self.store, self.policy, self.clock_now())
    }

    fn clock_now(&self) -> DateTime<Utc> {
        flowgate_store::Clock::now(self.clock.as_ref()).datetime()
    }

    fn say(&self, text: &str) {
        output::out(&format!(
            "   {}  {text}\n",
            self.clock_now().format("%a %H:%M")
        ));
    }

    async fn plan(
        &self,
        snapshot: &Snapshot,
        env: &str,
        actor: &str,
    ) -> Result<PlanReport, String> {
        let promotions = self.promotions();
        let report = promotions
            .plan(snapshot, env, Some(actor))
            .await
            .map_err(|e| failed("plan", &e))?;
        promotions
            .record_plan(&report, actor)
            .await
            .map_err(|e| failed("plan", &e))?;
        Ok(report)
    }

    fn blocked(&self, who: &str, what: &str, report: &PlanReport) {
        let reasons: Vec<String> = report
            .gates
            .iter()
            .filter(|g| !g.passed)
            .map(|g| format!("{}: {}", g.gate, g.reason))
            .collect();
        self.say(&format!("{who} {what}: blocked"));
        for reason in reasons {
            output::out(&format!("              ✗ {reason}\n"));
        }
    }

    async fn approve(
        &self,
        report: &PlanReport,
        person: &str,
        comment: &str,
    ) -> Result<(), String> {
        self.promotions()
            .approve(&report.plan, person, None, Some(comment))
            .await
            .map_err(|e| failed("approve", &e))?;
        self.say(&format!(
            "{person} approves plan {} ({comment})",
            &report.id[..12]
        ));
        Ok(())
    }

    async fn apply(&self, report: &PlanReport, actor: &str) -> Result<(), String> {
        match self.promotions().apply(&report.plan, actor).await {
            Ok(Outcome::Done(seq)) => {
                self.say(&format!(
                    "{actor} applies: {} holds {} {} (operation #{seq})",
                    report.plan.environment, report.plan.bundle, report.plan.version
                ));
                Ok(())
            }
            Ok(Outcome::Unchanged(why)) => {
                self.say(&format!("{actor} applies: nothing to do, {why}"));
                Ok(())
            }
            Err(ReleaseError::Blocked(gates)) => {
                let report = PlanReport {
                    gates,
                    ..report.clone()
                };
                self.blocked(
                    actor,
                    &format!("applies to {}", report.plan.environment),
                    &report,
                );
                Ok(())
            }
            Err(e) => Err(failed("apply", &e)),
        }
    }

    /// Plans, collects the approvals the environment requires and applies.
    async fn promote(
        &self,
        snapshot: &Snapshot,
        env: &str,
        actor: &str,
        approvers: &[(&str, &str)],
    ) -> Result<(), String> {
        let report = self.plan(snapshot, env, actor).await?;
        if !report.passes() {
            self.blocked(
                actor,
                &format!("plans {} {} → {env}", snapshot.bundle, snapshot.version),
                &report,
            );
            for (person, comment) in approvers {
                self.approve(&report, person, comment).await?;
            }
        }
        let report = self.plan(snapshot, env, actor).await?;
        self.apply(&report, actor).await
    }
}

/// Walks `frozen` (the first bundle) through the example's environments and prints each step;
/// the rehearsal's store and deployed files are made afresh in `dir`.
pub async fn run(workspace: &Workspace, frozen: &Frozen, dir: &Path) -> Result<(), String> {
    let mut policy = Policy::from_workspace(workspace).map_err(|problems| {
        problems
            .iter()
            .map(|p| p.message.clone())
            .collect::<Vec<_>>()
            .join("; ")
    })?;
    for person in [BUILDER, MARKETING_OPS, REVOPS] {
        if !policy.people.contains_key(person) {
            return Err(format!(
                "the rehearsal needs `{person}` under [people] in flowgate.toml"
            ));
        }
    }
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).map_err(|e| failed(&dir.display().to_string(), &e))?;
    for env in &mut policy.environments {
        env.target = Some(TargetSpec::Directory(dir.join("deploy").join(&env.name)));
    }
    let start: DateTime<Utc> = START.parse().map_err(|e| failed("calendar", &e))?;
    let clock = Arc::new(ManualClock::new(Timestamp::from_datetime(start)));
    let store = SqliteStore::open(dir.join("store.db"))
        .await
        .map_err(|e| failed("rehearsal store", &e))?;
    store
        .mark_rehearsal()
        .await
        .map_err(|e| failed("rehearsal store", &e))?;
    let store = AnyStore::Sqlite(store).with_clock(clock.clone());
    let rehearsal = Rehearsal {
        store,
        policy: &policy,
        clock,
        start,
    };
    let result = walk(&rehearsal, frozen, dir).await;
    rehearsal.store.close().await;
    result
}

async fn store_version(
    r: &Rehearsal<'_>,
    frozen: &Frozen,
    version: &str,
    previous: Option<&str>,
) -> Result<Snapshot, String> {
    let snapshot = frozen.to_snapshot(
        &ReleaseVersion {
            version,
            author: BUILDER.to_owned(),
            previous,
            required: previous.map(|_| Bump::Patch),
            override_reason: None,
        },
        Timestamp::from_datetime(r.clock_now()),
    );
    let created = r
        .store
        .create_snapshot(&snapshot, &frozen.objects)
        .await
        .map_err(|e| failed("snapshot", &e))?;
    r.store
        .get_snapshot(SnapshotKey::Id(&created.id))
        .await
        .map_err(|e| failed("snapshot", &e))?
        .ok_or_else(|| "the snapshot just stored cannot be read".to_owned())
}

/// The bad release: the welcome email's discount code loses a digit.
fn with_broken_code(frozen: &Frozen) -> Option<Frozen> {
    let mut bad = frozen.clone();
    let index = bad.entries.iter().position(|e| e.id == "welcome-email")?;
    let object = bad
        .objects
        .iter()
        .position(|o| o.id() == bad.entries[index].object)?;
    let mut document: Value = serde_json::from_slice(bad.objects[object].bytes()).ok()?;
    let body = document.get_mut("body")?;
    let text = body.as_str()?.replace("WELCOME10", "WELCOME01");
    *body = Value::from(text);
    let replaced = Object::from_json(&document);
    bad.entries[index].object = replaced.id();
    bad.objects[object] = replaced;
    Some(bad)
}

async fn walk(r: &Rehearsal<'_>, frozen: &Frozen, dir: &Path) -> Result<(), String> {
    output::out(&format!(
        "   {} through dev → stage → prod on a rehearsal store ({}) and a simulated calendar\n",
        frozen.bundle,
        dir.display()
    ));
    r.at(0.0);
    let v1 = store_version(r, frozen, "1.0.0", None).await?;
    r.say(&format!(
        "{BUILDER} freezes {} 1.0.0 ({})",
        v1.bundle,
        frozen.release_id("1.0.0")
    ));
    r.promote(&v1, "dev", BUILDER, &[]).await?;
    r.at(0.5);
    r.promote(
        &v1,
        "stage",
        BUILDER,
        &[(MARKETING_OPS, "seed-list sends checked")],
    )
    .await?;
    for env in &r.policy.environments {
        let guardrails = env.guardrails.summary();
        if !guardrails.is_empty() {
            output::out(&format!(
                "              {} renders: {}\n",
                env.name,
                guardrails.join("; ")
            ));
        }
    }
    r.at(1.0);
    let early = r.plan(&v1, "prod", MARKETING_OPS).await?;
    r.blocked(MARKETING_OPS, "plans 1.0.0 → prod", &early);
    r.at(25.0);
    let report = r.plan(&v1, "prod", BUILDER).await?;
    r.approve(&report, MARKETING_OPS, "copy and consent reviewed")
        .await?;
    r.approve(&report, REVOPS, "CRM sync verified in stage")
        .await?;
    r.apply(&report, BUILDER).await?;
    r.apply(&report, MARKETING_OPS).await?;

    let Some(bad) = with_broken_code(frozen) else {
        output::out("   (no welcome-email in this bundle: the bad-release part is skipped)\n");
        return Ok(());
    };
    r.at(26.0);
    let v2 = store_version(r, &bad, "1.0.1", Some("1.0.0")).await?;
    r.say(&format!("{BUILDER} freezes 1.0.1: the welcome email's code WELCOME10 becomes WELCOME01 (a typo no check can know)"));
    r.promote(&v2, "dev", BUILDER, &[]).await?;
    r.promote(&v2, "stage", BUILDER, &[(MARKETING_OPS, "looks fine")])
        .await?;
    r.at(51.0);
    r.promote(
        &v2,
        "prod",
        MARKETING_OPS,
        &[(MARKETING_OPS, "ship it"), (REVOPS, "ok")],
    )
    .await?;
    r.at(52.5);
    r.say("support: new subscribers say the welcome code does not work");
    match r
        .promotions()
        .rollback("prod", &v2.bundle, None, MARKETING_OPS, "welcome code broken in 1.0.1", false)
        .await
    {
        Ok(Outcome::Done(seq)) => r.say(&format!(
            "{MARKETING_OPS} rolls prod back: the whole bundle at 1.0.0 again, prod pinned (operation #{seq})"
        )),
        Ok(Outcome::Unchanged(why)) => r.say(&format!("rollback: {why}")),
        Err(e) => return Err(failed("rollback", &e)),
    }
    match r
        .promotions()
        .rollback("prod", &v2.bundle, None, MARKETING_OPS, "again", false)
        .await
    {
        Ok(Outcome::Unchanged(why)) => r.say(&format!("rollback again: nothing to do ({why})")),
        Ok(Outcome::Done(_)) => return Err("a second rollback changed something".to_owned()),
        Err(e) => return Err(failed("rollback", &e)),
    }
    let again = r.plan(&v2, "prod", MARKETING_OPS).await?;
    r.blocked(MARKETING_OPS, "plans 1.0.1 → prod again", &again);

    output::out("   status:\n");
    for s in r
        .promotions()
        .status()
        .await
        .map_err(|e| failed("status", &e))?
    {
        output::out(&format!(
            "     {:<6} {} {} ({})  {} by {}{}{}\n",
            s.env,
            s.bundle,
            s.version,
            s.release_id.as_deref().unwrap_or("-"),
            s.by_operation.as_deref().unwrap_or("set"),
            s.by.as_deref().unwrap_or("?"),
            if s.pinned.is_some() { ", pinned" } else { "" },
            if s.drift.is_empty() {
                ", files in sync"
            } else {
                ", DRIFT"
            }
        ));
    }
    let log = r
        .store
        .verify_log()
        .await
        .map_err(|e| failed("audit", &e))?;
    output::out(&format!(
        "   audit: {} operations, hash chain {}; `flowgate log --store {}` lists them\n",
        log.records,
        if log.is_intact() { "intact" } else { "BROKEN" },
        dir.join("store.db").display()
    ));
    if log.is_intact() {
        Ok(())
    } else {
        Err("the rehearsal's log does not verify".to_owned())
    }
}

//! Incidents against a real SQLite store on a hand-moved clock: releases applied through the
//! store's compare-and-swap (as promotion does), an incident opened, links proposed from what
//! each apply changed and confirmed by a person, actions, the time box, the post-mortem and
//! the delivery metrics.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use flowgate_incidents::metrics::{metrics, prometheus, Inputs};
use flowgate_incidents::{
    postmortem, recommend, IncidentError, Incidents, NewAction, Patch, Remediation, Severity,
};
use flowgate_store::{
    Entry, ManualClock, NewOperation, NewSnapshot, Object, OperationFilter, OperationKind,
    SnapshotId, SqliteStore, Store, Timestamp,
};
use serde_json::json;
use std::collections::BTreeSet;
use std::sync::Arc;

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, hour, 0, 0).unwrap()
}

struct World {
    _dir: tempfile::TempDir,
    store: SqliteStore,
    clock: Arc<ManualClock>,
}

impl World {
    async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(Timestamp::from_datetime(at(1, 9))));
        let store = SqliteStore::open(dir.path().join("store.db"))
            .await
            .unwrap()
            .with_clock(clock.clone());
        Self {
            _dir: dir,
            store,
            clock,
        }
    }

    fn set(&self, now: DateTime<Utc>) {
        self.clock.set(Timestamp::from_datetime(now));
    }

    /// Freezes `version` of lead-intake with the router's and template's contents.
    async fn freeze(&self, version: &str, router: &str, template: &str) -> SnapshotId {
        let objects = [Object::new(router), Object::new(template)];
        let entries = vec![
            entry("Workflow", "lead-router", &objects[0]),
            entry("Template", "welcome-sms", &objects[1]),
        ];
        let snapshot = NewSnapshot {
            bundle: "lead-intake".into(),
            version: version.into(),
            created_at: Timestamp::from_datetime(self.clock_now()),
            author: "ana".into(),
            manifest: json!({ "release_id": format!("LI-{version}") }),
            entries,
        };
        self.store
            .create_snapshot(&snapshot, &objects)
            .await
            .unwrap()
            .id
    }

    fn clock_now(&self) -> DateTime<Utc> {
        use flowgate_store::Clock;
        self.clock.now().datetime()
    }

    /// Moves env's pointer as an apply (or rollback) does.
    async fn deploy(
        &self,
        kind: OperationKind,
        env: &str,
        version: &str,
        from: Option<&SnapshotId>,
        to: &SnapshotId,
    ) -> u64 {
        let payload = json!({
            "env": env, "bundle": "lead-intake", "version": version,
            "release_id": format!("LI-{version}"), "snapshot": to.to_string(),
        });
        let op = NewOperation::new("ana", kind, payload);
        let name = format!("env/{env}/lead-intake");
        self.store
            .compare_and_swap_ref(&name, from, to, &op)
            .await
            .unwrap();
        let ops = self
            .store
            .operations(&OperationFilter {
                newest_first: true,
                limit: Some(1),
                ..OperationFilter::default()
            })
            .await
            .unwrap();
        ops[0].seq
    }

    fn incidents(&self) -> Incidents<'_, SqliteStore> {
        Incidents::new(&self.store, self.clock_now())
    }
}

fn entry(kind: &str, id: &str, object: &Object) -> Entry {
    Entry {
        kind: kind.into(),
        id: id.into(),
        object: object.id(),
        path: None,
    }
}

fn times(pairs: &[(&str, DateTime<Utc>)]) -> Patch {
    Patch {
        times: pairs.iter().map(|(n, t)| ((*n).to_owned(), *t)).collect(),
        ..Patch::default()
    }
}

#[tokio::test]
async fn an_incident_is_opened_linked_from_evidence_timeboxed_written_up_and_measured() {
    let w = World::new().await;
    let v1 = w.freeze("1.0.0", "route by region", "Hi {{name}}").await;
    w.set(at(1, 10));
    w.deploy(OperationKind::Apply, "stage", "1.0.0", None, &v1)
        .await;
    w.set(at(2, 10));
    let first = w
        .deploy(OperationKind::Apply, "prod", "1.0.0", None, &v1)
        .await;
    // 1.1.0 changes only the SMS template; 1.2.0 changes the router.
    w.set(at(3, 9));
    let v2 = w.freeze("1.1.0", "route by region", "Hi {{name}}!").await;
    w.set(at(3, 10));
    w.deploy(OperationKind::Apply, "stage", "1.1.0", Some(&v1), &v2)
        .await;
    w.set(at(4, 10));
    let sms = w
        .deploy(OperationKind::Apply, "prod", "1.1.0", Some(&v1), &v2)
        .await;
    let v3 = w.freeze("1.2.0", "route by score", "Hi {{name}}!").await;
    w.set(at(5, 10));
    w.deploy(OperationKind::Apply, "stage", "1.2.0", Some(&v2), &v3)
        .await;
    w.set(at(6, 10));
    let router = w
        .deploy(OperationKind::Apply, "prod", "1.2.0", Some(&v2), &v3)
        .await;

    // Leads stop being routed at 11:00; someone notices at 12:00 and opens the incident.
    w.set(at(6, 12));
    let patch = Patch {
        assets: vec!["lead-router".into()],
        channels: vec!["crm".into()],
        missed_slas: Some(41),
        ..times(&[("impact_start", at(6, 11))])
    };
    let incident = w
        .incidents()
        .open("ben", "prod", Severity::Sev2, "Leads not routed", patch)
        .await
        .unwrap();
    assert_eq!(
        incident.times.detected,
        Some(at(6, 12)),
        "detection defaults to now"
    );
    assert!(
        incident.links.is_empty(),
        "nothing is linked without a person"
    );

    // The apply that changed the affected router comes first; the SMS-only one is weaker.
    let proposals = w.incidents().proposals(&incident.id).await.unwrap();
    assert_eq!(proposals[0].apply_seq, router, "{proposals:#?}");
    assert_eq!(proposals[0].touched_affected, vec!["Workflow:lead-router"]);
    assert!(proposals[0].last_before_impact);
    let weaker = proposals.iter().find(|p| p.apply_seq == sms).unwrap();
    assert!(!weaker.strong());
    assert!(proposals.iter().any(|p| p.apply_seq == first));
    assert!(proposals.iter().all(|p| p.at <= at(6, 11)));

    // A release applied elsewhere, or after the impact, cannot be linked.
    let refused = w.incidents().link("ben", &incident.id, "LI-9.9.9").await;
    assert!(
        matches!(refused, Err(IncidentError::Invalid(_))),
        "{refused:?}"
    );
    // Not mitigated after 30 minutes: roll back first.
    w.set(at(6, 12) + Duration::minutes(45));
    let linked = w
        .incidents()
        .link("ben", &incident.id, "LI-1.2.0")
        .await
        .unwrap();
    assert_eq!(linked.links[0].apply_seq, router);
    let advice = recommend(&linked, Duration::minutes(30), w.clock_now()).unwrap();
    assert_eq!(advice.minutes_open, 45);
    assert!(
        advice.text.contains("roll back LI-1.2.0 first"),
        "{}",
        advice.text
    );
    assert_eq!(
        advice.rollbacks,
        vec![
            "flowgate rollback prod --bundle lead-intake --reason \"INC-".to_owned()
                + &linked.id[4..]
                + "\""
        ]
    );

    // Mitigation starts: no more advice. Times out of order are refused.
    let wrong = w
        .incidents()
        .update("ben", &incident.id, times(&[("mitigated", at(6, 10))]))
        .await;
    assert!(matches!(wrong, Err(IncidentError::Invalid(m)) if m.contains("after")));
    let now = w.clock_now();
    w.deploy(OperationKind::Rollback, "prod", "1.1.0", Some(&v3), &v2)
        .await;
    let mitigating = w
        .incidents()
        .update(
            "ben",
            &incident.id,
            Patch {
                cause: Some("The score threshold sent every lead to the empty queue".into()),
                ..times(&[("mitigation_start", now), ("rolled_back", now)])
            },
        )
        .await
        .unwrap();
    assert!(recommend(&mitigating, Duration::minutes(30), now).is_none());

    let action = NewAction {
        text: "FG rule: a router branch must have an owner queue".into(),
        owner: "ana".into(),
        due: NaiveDate::from_ymd_opt(2026, 3, 13).unwrap(),
        remediation: Remediation::PreflightRule,
    };
    w.incidents()
        .add_action("ben", &incident.id, action)
        .await
        .unwrap();
    w.set(at(6, 14));
    let resolved = w
        .incidents()
        .resolve("ben", &incident.id, None, Some("routing restored"))
        .await
        .unwrap();
    assert!(!resolved.is_open());
    assert!(w
        .incidents()
        .resolve("ben", &incident.id, None, None)
        .await
        .is_err());

    // Overdue a week later, then done.
    let later = NaiveDate::from_ymd_opt(2026, 3, 20).unwrap();
    assert_eq!(resolved.overdue_actions(later).len(), 1);
    let done = w
        .incidents()
        .complete_action("ana", &incident.id, "a1")
        .await
        .unwrap();
    assert!(done.overdue_actions(later).is_empty());

    // The post-mortem: facts, the linked release, the merged timeline, causes, actions.
    let log = w
        .store
        .operations(&OperationFilter::default())
        .await
        .unwrap();
    let text = postmortem(&done, &log, later);
    for expected in [
        "# Post-mortem: INC-",
        "| Severity | sev2 |",
        "| Time to detect | 1 h 0 min |",
        "| Time to resolve | 3 h 0 min |",
        "- Missed SLAs: 41",
        "LI-1.2.0 (lead-intake 1.2.0 in prod",
        "2026-03-06 10:00 lead-intake 1.2.0 applied",
        "2026-03-06 11:00 **impact started**",
        "lead-intake rolled back from",
        "The score threshold",
        "preflight-rule",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    let timeline = &text[text.find("## Timeline").unwrap()..text.find("## Root causes").unwrap()];
    let apply = timeline.find("1.2.0 applied").unwrap();
    let impact = timeline.find("impact started").unwrap();
    assert!(apply < impact, "the timeline is in time order:\n{timeline}");

    // Metrics over March: 3 prod deployments, 1 failed (linked and rolled back), 1 incident.
    let all = w.incidents().all().await.unwrap();
    let incidents: Vec<_> = all.incidents.into_values().collect();
    let failing = BTreeSet::new();
    let m = metrics(&Inputs {
        env: "prod",
        since: at(1, 0),
        until: at(31, 0),
        log: &log,
        incidents: &incidents,
        caught: &failing,
    });
    assert_eq!(m.deployments, 3);
    assert_eq!(m.change_failure_rate.count, 1);
    assert_eq!(m.incidents, 1);
    assert_eq!(m.time_to_restore.as_ref().unwrap().median, 3.0);
    assert_eq!(m.time_to_detect.as_ref().unwrap().median, 1.0);
    assert_eq!(
        m.escaped_defect_rate.count, 1,
        "1.2.0 passed stage with a clean check"
    );
    let lead = m.lead_time.as_ref().unwrap();
    assert_eq!(lead.count, 3);
    assert_eq!(m.months.len(), 1);
    let text = prometheus(&m);
    assert!(
        text.contains("flowgate_deployments{env=\"prod\"} 3"),
        "{text}"
    );
    assert!(
        text.contains("# TYPE flowgate_change_failure_rate gauge"),
        "{text}"
    );
    // A snapshot whose check failed is not an escaped defect: the check caught it.
    let caught: BTreeSet<String> = [v3.to_string()].into_iter().collect();
    let m = metrics(&Inputs {
        caught: &caught,
        ..Inputs {
            env: "prod",
            since: at(1, 0),
            until: at(31, 0),
            log: &log,
            incidents: &incidents,
            caught: &failing,
        }
    });
    assert_eq!(m.escaped_defect_rate.count, 0);
}

#[tokio::test]
async fn bad_changes_are_refused_and_nothing_is_written() {
    let w = World::new().await;
    w.set(at(2, 12));
    let inc = w.incidents();
    let future = inc
        .open(
            "ben",
            "prod",
            Severity::Sev3,
            "x",
            times(&[("impact_start", at(3, 0))]),
        )
        .await;
    assert!(matches!(future, Err(IncidentError::Invalid(m)) if m.contains("future")));
    let empty = inc
        .open("ben", "prod", Severity::Sev3, " ", Patch::default())
        .await;
    assert!(empty.is_err());
    let unknown = inc.update("ben", "INC-999", Patch::default()).await;
    assert!(matches!(unknown, Err(IncidentError::Unknown(id)) if id == "INC-999"));
    let log = w
        .store
        .operations(&OperationFilter::default())
        .await
        .unwrap();
    assert!(log.is_empty(), "refused changes write nothing: {log:?}");

    let opened = inc
        .open(
            "ben",
            "prod",
            Severity::Sev4,
            "Typo in footer",
            Patch::default(),
        )
        .await
        .unwrap();
    assert!(inc
        .update("ben", &opened.id, Patch::default())
        .await
        .is_err());
    assert!(inc.complete_action("ben", &opened.id, "A1").await.is_err());
    assert!(inc.unlink("ben", &opened.id, "LI-1").await.is_err());
    let same = inc.get(opened.id.trim_start_matches("INC-")).await.unwrap();
    assert_eq!(same, opened, "`12` names INC-12");
}

#[tokio::test]
async fn a_record_this_version_cannot_read_is_reported_not_guessed() {
    let w = World::new().await;
    let bad = NewOperation::new(
        "ben",
        OperationKind::IncidentUpdate,
        json!({ "incident": "INC-1", "severity": "sev9" }),
    );
    w.store.append_operation(&bad).await.unwrap();
    let folded = w.incidents().all().await.unwrap();
    assert!(folded.incidents.is_empty());
    assert_eq!(folded.problems.len(), 1, "{:?}", folded.problems);
}

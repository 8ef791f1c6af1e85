//! The after-release pages: incidents with the rollback-first advice once the time box has
//! passed (also on the board), an incident as its post-mortem, the watch results and what they
//! hold, and the delivery metrics as a page, JSON and the Prometheus text format.

use crate::common::TestServer;
use axum::http::{Method, StatusCode};
use chrono::{Duration, Utc};
use flowgate_incidents::{Incidents, Patch, Severity};
use flowgate_store::{NewOperation, OperationKind, Store};
use serde_json::json;

use crate::common::get_ok as get;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_incident_past_its_time_box_is_flagged_on_the_board_and_its_page() {
    let server = TestServer::start().await;
    let tom = server.token("tom").await;
    let listed = get(&server, &tom, "/incidents?format=json").await.json();
    assert_eq!(listed["incidents"], json!([]));

    let earlier = Utc::now() - Duration::hours(2);
    let opened = Incidents::new(&server.store, earlier)
        .open(
            "mara",
            "prod",
            Severity::Sev2,
            "Leads <b>not</b> routed",
            Patch::default(),
        )
        .await
        .unwrap();
    let listed = get(&server, &tom, "/incidents?format=json").await.json();
    assert_eq!(listed["flowgate_incidents"], 1);
    let first = &listed["incidents"][0];
    assert_eq!(first["incident"]["id"], opened.id.as_str());
    assert!(
        first["advice"]["minutes_open"].as_i64().unwrap() >= 119,
        "{first}"
    );

    let html = get(&server, &tom, "/incidents").await.body;
    assert!(html.contains("roll back first"), "{html}");
    assert!(
        html.contains("Leads &lt;b&gt;not&lt;/b&gt; routed"),
        "escaped: {html}"
    );
    let board = get(&server, &tom, "/?format=json").await.json();
    assert_eq!(
        board["roll_back_first"][0]["incident"],
        opened.id.as_str(),
        "{board}"
    );
    let page = get(&server, &tom, &format!("/incidents/{}", opened.id))
        .await
        .body;
    assert!(
        page.contains("Timeline") && page.contains("roll back first"),
        "{page}"
    );
    assert!(!page.contains("<b>not</b>"), "a summary is never markup");
    let missing = server
        .send(
            Method::GET,
            "/incidents/INC-999",
            &[("authorization", &format!("Bearer {tom}"))],
            "",
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_results_show_what_holds_a_version_and_delivery_metrics_are_served() {
    let server = TestServer::start().await;
    let tom = server.token("tom").await;
    let html = get(&server, &tom, "/watch").await.body;
    assert!(html.contains("No watch result is recorded yet"), "{html}");
    let snapshot = "ab".repeat(32);
    for (checkpoint, verdict) in [("1h", "pass"), ("4h", "marginal")] {
        let payload = json!({
            "env": "stage", "bundle": "lead-intake", "version": "1.2.0", "snapshot": snapshot,
            "release_at": "2026-03-03T09:00:00.000000Z", "watch": "lead-intake-watch",
            "checkpoint": checkpoint, "verdict": verdict, "action": "hold",
            "summary": format!("bounce-rate {verdict}"), "report": { "version": 1 },
        });
        server
            .store
            .append_operation(&NewOperation::new(
                "mara",
                OperationKind::WatchCheckpoint,
                payload,
            ))
            .await
            .unwrap();
    }
    let watch = get(&server, &tom, "/watch?format=json").await.json();
    assert_eq!(watch["flowgate_watch"], 1);
    assert_eq!(watch["results"].as_array().unwrap().len(), 2);
    assert_eq!(watch["holding"][0]["checkpoint"], "4h", "{watch}");
    let html = get(&server, &tom, "/watch").await.body;
    assert!(html.contains("Its next promotion is held"), "{html}");

    let delivery = get(&server, &tom, "/delivery?env=prod&format=json")
        .await
        .json();
    assert_eq!(delivery["flowgate_delivery"], 1);
    assert_eq!(delivery["metrics"]["env"], "prod");
    assert_eq!(delivery["metrics"]["deployments"], 0);
    let text = get(&server, &tom, "/delivery/metrics?env=stage").await;
    assert!(text.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    assert!(text.body.contains("env=\"stage\""), "{}", text.body);
    let unknown = server
        .send(
            Method::GET,
            "/delivery?env=qa",
            &[("authorization", &format!("Bearer {tom}"))],
            "",
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let anonymous = server.send(Method::GET, "/delivery/metrics", &[], "").await;
    assert_ne!(
        anonymous.status,
        StatusCode::OK,
        "the metrics need a credential"
    );
}

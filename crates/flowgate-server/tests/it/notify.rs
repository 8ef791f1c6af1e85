//! Outgoing webhooks against a real receiver: a plan waiting for roles, its approval and its
//! apply each arrive as Slack-compatible JSON signed with HMAC-SHA256; a receiver that fails
//! the first attempt gets the same delivery again; targets get only the events they take.

use crate::common::TestServer;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode};
use flowgate_server::notify::{signature, Event, Retry, Target};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Default)]
struct Received {
    attempts: usize,
    accepted: Vec<(HeaderMap, Value)>,
}

/// A receiver on a free port that answers 500 to its first request and 200 after.
async fn receiver() -> (String, Arc<Mutex<Received>>) {
    let seen: Arc<Mutex<Received>> = Arc::default();
    let state = Arc::clone(&seen);
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let state = Arc::clone(&state);
            async move {
                let mut seen = state.lock().unwrap();
                seen.attempts += 1;
                if seen.attempts == 1 {
                    return StatusCode::INTERNAL_SERVER_ERROR;
                }
                let ts = headers["x-flowgate-timestamp"].to_str().unwrap().to_owned();
                let signed = headers["x-flowgate-signature"].to_str().unwrap().to_owned();
                assert_eq!(
                    signed,
                    signature("s3cret", &ts, &body),
                    "signature over timestamp.body"
                );
                seen.accepted
                    .push((headers, serde_json::from_slice(&body).unwrap()));
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

async fn wait_for(seen: &Arc<Mutex<Received>>, count: usize) {
    for _ in 0..200 {
        if seen.lock().unwrap().accepted.len() >= count {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!(
        "only {} deliveries arrived",
        seen.lock().unwrap().accepted.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_arrive_signed_retried_and_filtered() {
    let (url, seen) = receiver().await;
    let (other_url, other) = receiver().await;
    let dir = tempfile::tempdir().unwrap();
    let store = flowgate_store::open_store(dir.path().join("store.db").to_str().unwrap())
        .await
        .unwrap();
    let targets = vec![
        Target::new(url, Some("s3cret".to_owned()), &[]),
        Target::new(other_url, Some("s3cret".to_owned()), &[Event::PlanApplied]),
    ];
    let retry = Retry {
        attempts: 3,
        first_wait: Duration::from_millis(50),
    };
    let server = TestServer::notifying(store, dir, targets, retry);
    server.snapshot("welcome", "1.0.0", "Hello").await;
    let (mara, jonas) = (server.token("mara").await, server.token("jonas").await);
    let plan = server.plan(&mara, "welcome@1.0.0", "prod").await;
    wait_for(&seen, 1).await;
    {
        let seen = seen.lock().unwrap();
        assert_eq!(seen.attempts, 2, "the first attempt failed and was retried");
        let (headers, body) = &seen.accepted[0];
        assert_eq!(headers["x-flowgate-event"], "plan.waiting");
        assert_eq!(body["event"], "plan.waiting");
        assert_eq!(
            body["data"]["waiting_for"],
            json!(["marketing-ops", "revops"])
        );
        let text = body["text"].as_str().unwrap();
        assert!(
            text.contains("waits for approval by marketing-ops, revops") && text.contains(&plan),
            "{text}"
        );
    }
    server.approve(&plan, &[&mara, &jonas]).await;
    let applied = server
        .api(
            Method::POST,
            &format!("/plans/{plan}/apply"),
            Some(&mara),
            Value::Null,
        )
        .await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.body);
    wait_for(&seen, 4).await;
    let mut events: Vec<String> = seen
        .lock()
        .unwrap()
        .accepted
        .iter()
        .map(|(_, b)| b["event"].as_str().unwrap().to_owned())
        .collect();
    events.sort();
    assert_eq!(
        events,
        [
            "plan.applied",
            "plan.approved",
            "plan.approved",
            "plan.waiting"
        ]
    );
    wait_for(&other, 1).await;
    let other = other.lock().unwrap();
    assert_eq!(
        other.accepted.len(),
        1,
        "a target gets only the events it takes"
    );
    assert_eq!(other.accepted[0].1["event"], "plan.applied");
    assert_eq!(other.accepted[0].1["data"]["by"], "mara");
}

/// The test policy with a directory target for stage, under `root`.
fn policy_with_target(root: &std::path::Path) -> flowgate_release::Policy {
    let text = crate::policy::POLICY.replace(
        "[environments.stage]\n",
        "[environments.stage]\ntarget = { type = \"directory\", path = \"deploy/stage\" }\n",
    );
    let config = flowgate_load::parse_config(&text).unwrap();
    let source = flowgate_diagnostics::SourceText::new("flowgate.toml", text.as_str());
    flowgate_release::Policy::from_config(&config, &source, root).unwrap()
}

/// Every file under `dir`.
fn files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drift_is_told_once_when_it_appears_and_once_when_it_ends() {
    let (url, seen) = receiver().await;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_owned();
    let store = flowgate_store::open_store(root.join("store.db").to_str().unwrap())
        .await
        .unwrap();
    let targets = vec![Target::new(
        url,
        Some("s3cret".to_owned()),
        &[Event::Drift, Event::DriftEnded],
    )];
    let retry = Retry {
        attempts: 3,
        first_wait: Duration::from_millis(50),
    };
    let server = TestServer::with_policy(store, dir, policy_with_target(&root), targets, retry);
    let (asset, original) = applied_then_edited(&server, &root).await;
    let tom = server.token("tom").await;
    for _ in 0..3 {
        flowgate_server::drift::check(&server.state).await.unwrap();
    }
    wait_for(&seen, 1).await;
    let board = server.api(Method::GET, "/", Some(&tom), Value::Null).await;
    let cell = &board.json()["bundles"]["welcome"]["stage"];
    assert!(!cell["drift"].as_array().unwrap().is_empty(), "{cell}");

    std::fs::write(&asset, original).unwrap();
    flowgate_server::drift::check(&server.state).await.unwrap();
    flowgate_server::drift::check(&server.state).await.unwrap();
    wait_for(&seen, 2).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let seen = seen.lock().unwrap();
    let events: Vec<&str> = seen
        .accepted
        .iter()
        .map(|(_, b)| b["event"].as_str().unwrap())
        .collect();
    assert_eq!(events, ["drift", "drift.ended"], "each told once, in order");
    let first = &seen.accepted[0].1;
    assert_eq!(first["data"]["env"], "stage");
    assert_eq!(first["data"]["bundle"], "welcome");
    assert!(first["text"]
        .as_str()
        .unwrap()
        .contains("changed outside flowgate"));
}

/// Applies `welcome@1.0.0` to stage through `server` and edits the deployed template under
/// `root`: the target now drifts. The template's path and its bytes as deployed.
async fn applied_then_edited(
    server: &TestServer,
    root: &std::path::Path,
) -> (std::path::PathBuf, Vec<u8>) {
    server.snapshot("welcome", "1.0.0", "Hello").await;
    let tom = server.token("tom").await;
    let plan = server.plan(&tom, "welcome@1.0.0", "stage").await;
    let path = format!("/plans/{plan}/apply");
    let applied = server
        .api(Method::POST, &path, Some(&tom), Value::Null)
        .await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.body);
    // A check of the clean target tells nothing.
    flowgate_server::drift::check(&server.state).await.unwrap();
    let deployed = files(&root.join("deploy/stage"));
    let asset = deployed
        .iter()
        .find(|p| {
            p.to_string_lossy().contains("welcome") && !p.ends_with(flowgate_release::MANIFEST_FILE)
        })
        .unwrap_or_else(|| panic!("no deployed template in {deployed:?}"))
        .clone();
    let original = std::fs::read(&asset).unwrap();
    std::fs::write(&asset, b"edited in production\n").unwrap();
    (asset, original)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_postgres_tell_drift_once() {
    let schema = format!("fg_drift_{}", std::process::id());
    crate::postgres::drop_schema(&schema).await;
    let Some((a, b)) = crate::postgres::two_stores(&schema).await else {
        return;
    };
    let (url, seen) = receiver().await;
    let shared = tempfile::tempdir().unwrap();
    let retry = Retry {
        attempts: 3,
        first_wait: Duration::from_millis(50),
    };
    let server = |store| {
        let targets = vec![Target::new(url.clone(), Some("s3cret".to_owned()), &[])];
        let policy = policy_with_target(shared.path());
        TestServer::with_policy(store, tempfile::tempdir().unwrap(), policy, targets, retry)
    };
    let (first, second) = (server(a), server(b));
    applied_then_edited(&first, shared.path()).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = seen.lock().unwrap().accepted.len();
    for _ in 0..3 {
        let (x, y) = tokio::join!(
            flowgate_server::drift::check(&first.state),
            flowgate_server::drift::check(&second.state)
        );
        x.unwrap();
        y.unwrap();
    }
    wait_for(&seen, before + 1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let drift: Vec<Value> = seen
        .lock()
        .unwrap()
        .accepted
        .iter()
        .map(|(_, body)| body.clone())
        .filter(|body| body["event"] == "drift")
        .collect();
    assert_eq!(drift.len(), 1, "one notice across both servers: {drift:?}");
    crate::postgres::drop_schema(&schema).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queued_notification_outlives_its_server_and_arrives_once() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/hook");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let store = flowgate_store::open_store(path.to_str().unwrap())
        .await
        .unwrap();
    let retry = Retry {
        attempts: 50,
        first_wait: Duration::from_millis(100),
    };
    let target = || vec![Target::new(url.clone(), None, &[Event::PlanWaiting])];
    let first = TestServer::notifying(store, dir, target(), retry);
    first.snapshot("welcome", "1.0.0", "Hello").await;
    let mara = first.token("mara").await;
    first.plan(&mara, "welcome@1.0.0", "prod").await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let reopened = flowgate_store::open_store(path.to_str().unwrap())
        .await
        .unwrap();
    assert_eq!(
        reopened.outbox().pending().await.unwrap(),
        1,
        "the receiver is down: the delivery waits in the store"
    );

    let ids: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = Arc::clone(&ids);
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap| {
            let seen = Arc::clone(&seen);
            async move {
                let id = headers["x-flowgate-delivery"].to_str().unwrap().to_owned();
                seen.lock().unwrap().push(id);
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let dir = tempfile::tempdir().unwrap();
    let _second = TestServer::notifying(reopened.clone(), dir, target(), retry);
    for _ in 0..200 {
        if reopened.outbox().pending().await.unwrap() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let ids = ids.lock().unwrap().clone();
    assert_eq!(
        ids.len(),
        1,
        "delivered once between the two servers: {ids:?}"
    );
    assert!(ids[0].starts_with("dlv_"), "{ids:?}");
    assert_eq!(reopened.outbox().pending().await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_incident_past_its_time_box_is_told_once() {
    let (url, seen) = receiver().await;
    let dir = tempfile::tempdir().unwrap();
    let store = flowgate_store::open_store(dir.path().join("store.db").to_str().unwrap())
        .await
        .unwrap();
    let targets = vec![Target::new(
        url,
        Some("s3cret".to_owned()),
        &[Event::IncidentTimebox],
    )];
    let retry = Retry {
        attempts: 3,
        first_wait: Duration::from_millis(50),
    };
    let server = TestServer::notifying(store, dir, targets, retry);
    let now = chrono::Utc::now();
    let incidents =
        flowgate_incidents::Incidents::new(&server.store, now - chrono::Duration::minutes(10));
    let patch = flowgate_incidents::Patch::default;
    incidents
        .open(
            "mara",
            "prod",
            flowgate_incidents::Severity::Sev2,
            "Inside the box",
            patch(),
        )
        .await
        .unwrap();
    let late = flowgate_incidents::Incidents::new(&server.store, now - chrono::Duration::hours(1))
        .open(
            "mara",
            "prod",
            flowgate_incidents::Severity::Sev1,
            "Past the box",
            patch(),
        )
        .await
        .unwrap();
    for _ in 0..3 {
        flowgate_server::timebox::notify_overdue(&server.state)
            .await
            .unwrap();
    }
    wait_for(&seen, 1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let seen = seen.lock().unwrap();
    assert_eq!(seen.accepted.len(), 1, "told once, and only the late one");
    let body = &seen.accepted[0].1;
    assert_eq!(body["event"], "incident.timebox");
    assert_eq!(body["data"]["incident"], late.id.as_str());
    assert!(
        body["text"]
            .as_str()
            .unwrap()
            .contains("roll it back first"),
        "{body}"
    );
}

//! The HTTP target against a real receiver on a local port: signed deployments with an
//! idempotency key, retried after a failed first attempt; what the receiver holds read back
//! for drift and pull; a refused signature and a closed port.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use flowgate_release::{DeployTarget, Rendered, TargetFailure};
use flowgate_targets::{sign, HttpTarget};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

const SECRET: &str = "receiver-shared-secret";

#[derive(Default)]
struct Seen {
    /// Every POST, signed or not.
    requests: u32,
    /// POSTs with a valid signature.
    attempts: u32,
    keys: Vec<String>,
    held: HashMap<String, Value>,
}

type Shared = Arc<Mutex<Seen>>;

async fn take(State(seen): State<Shared>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let mut seen = seen.lock().unwrap();
    seen.requests += 1;
    let expected = sign(SECRET, &header("x-flowgate-timestamp"), &body);
    if header("x-flowgate-signature") != expected {
        return StatusCode::UNAUTHORIZED;
    }
    seen.attempts += 1;
    seen.keys.push(header("idempotency-key"));
    if seen.attempts == 1 {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let document: Value = serde_json::from_slice(&body).unwrap();
    let bundle = document["bundle"].as_str().unwrap().to_owned();
    seen.held.insert(bundle, document);
    StatusCode::NO_CONTENT
}

async fn held(
    State(seen): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
) -> (StatusCode, String) {
    let seen = seen.lock().unwrap();
    match query.get("bundle").and_then(|b| seen.held.get(b)) {
        Some(document) => (StatusCode::OK, document.to_string()),
        None => (StatusCode::NOT_FOUND, String::new()),
    }
}

/// A receiver on a free port; its URL and what it saw.
fn receiver() -> (String, Shared) {
    let seen = Shared::default();
    let app = Router::new()
        .route("/deploy", post(take).get(held))
        .with_state(Arc::clone(&seen));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}/deploy", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    (url, seen)
}

fn rendering() -> Rendered {
    let files: BTreeMap<String, Arc<[u8]>> = [
        (
            "assets/webhook/crm.json",
            r#"{"endpoint":"https://crm.example/in"}"#,
        ),
        (
            "platform/node-red/orders.json",
            r#"[{"id":"n1","type":"inject"}]"#,
        ),
    ]
    .into_iter()
    .map(|(p, t)| (p.to_owned(), Arc::from(t.as_bytes())))
    .collect();
    Rendered {
        files,
        documents: BTreeMap::new(),
        problems: Vec::new(),
        unused_values: Vec::new(),
    }
}

fn manifest() -> Value {
    json!({ "environment": "stage", "bundle": "orders", "version": "1.0.0", "snapshot": "abc" })
}

#[test]
fn a_deployment_is_signed_retried_with_one_key_and_read_back() {
    let (url, seen) = receiver();
    let target = HttpTarget::new(&url, SECRET);
    assert!(target.shared());
    assert!(target.inspect("orders").unwrap().is_none());

    let staged = target.stage("orders", &rendering(), &manifest()).unwrap();
    target.activate(&staged).unwrap();
    {
        let seen = seen.lock().unwrap();
        assert_eq!(seen.attempts, 2, "the first attempt failed and was retried");
        assert_eq!(
            seen.keys[0], seen.keys[1],
            "one idempotency key for both attempts"
        );
        assert_eq!(seen.keys[0].len(), 32);
    }

    let deployed = target.inspect("orders").unwrap().unwrap();
    assert_eq!(deployed.manifest["snapshot"], "abc");
    assert!(deployed.drift.is_empty(), "{:?}", deployed.drift);
    let pulled = target.pull("orders").unwrap().unwrap();
    assert_eq!(
        pulled.files["platform/node-red/orders.json"],
        br#"[{"id":"n1","type":"inject"}]"#.to_vec()
    );

    // The middleware changes what it holds: that is drift.
    seen.lock().unwrap().held.get_mut("orders").unwrap()["files"]["assets/webhook/crm.json"]
        ["text"] = json!("{}");
    let drift = target.inspect("orders").unwrap().unwrap().drift;
    assert_eq!(drift, vec!["modified: assets/webhook/crm.json".to_owned()]);

    // The same rendering again carries the same key, so the receiver can tell a repeat.
    let again = target.stage("orders", &rendering(), &manifest()).unwrap();
    assert_eq!(again.state["key"], staged.state["key"]);
}

#[test]
fn a_wrong_secret_is_denied_and_a_closed_port_unreachable() {
    let (url, seen) = receiver();
    let wrong = HttpTarget::new(&url, "not-the-secret");
    let staged = wrong.stage("orders", &rendering(), &manifest()).unwrap();
    let error = wrong.activate(&staged).unwrap_err();
    assert_eq!(error.failure, TargetFailure::Denied, "{error}");
    assert_eq!(seen.lock().unwrap().requests, 1, "a refusal is not retried");
    assert!(!error.to_string().contains("not-the-secret"), "{error}");

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let closed = HttpTarget::new(&format!("http://127.0.0.1:{port}/deploy"), SECRET);
    let staged = closed.stage("orders", &rendering(), &manifest()).unwrap();
    let error = closed.activate(&staged).unwrap_err();
    assert_eq!(error.failure, TargetFailure::Unreachable, "{error}");
    assert_eq!(
        closed.inspect("orders").unwrap_err().failure,
        TargetFailure::Unreachable
    );
}

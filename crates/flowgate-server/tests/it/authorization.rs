//! Every route × every role, asserted: reading needs any listed person; approving and
//! rejecting a prod plan need an approving role; applying, pinning and rolling back need a
//! promoter role; nothing but health and login answers without a credential.

use crate::common::TestServer;
use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

const PEOPLE: [&str; 4] = ["mara", "jonas", "priya", "tom"];

/// `(method, path, body)` of each route that needs a person, with `{plan}` for a prod plan.
fn routes() -> Vec<(Method, &'static str, Value)> {
    vec![
        (Method::GET, "/", Value::Null),
        (Method::GET, "/inbox", Value::Null),
        (Method::GET, "/audit", Value::Null),
        (Method::GET, "/bundles/welcome", Value::Null),
        (
            Method::GET,
            "/bundles/welcome/diff?from=1.0.0&to=1.1.0",
            Value::Null,
        ),
        (Method::GET, "/integrations", Value::Null),
        (Method::GET, "/integrations/index", Value::Null),
        (Method::GET, "/integrations/map.svg", Value::Null),
        (Method::GET, "/reconciliations", Value::Null),
        (Method::GET, "/incidents", Value::Null),
        (Method::GET, "/watch", Value::Null),
        (Method::GET, "/delivery", Value::Null),
        (Method::GET, "/delivery/metrics", Value::Null),
        (Method::GET, "/plans/{plan}", Value::Null),
        (Method::GET, "/api/tokens", Value::Null),
        (Method::GET, "/api/me", Value::Null),
        (
            Method::POST,
            "/plans",
            json!({ "snapshot": "welcome@1.0.0", "env": "stage" }),
        ),
        (Method::POST, "/plans/{plan}/approve", json!({})),
        (
            Method::POST,
            "/plans/{plan}/reject",
            json!({ "comment": "no" }),
        ),
        (Method::POST, "/plans/{plan}/apply", Value::Null),
        (
            Method::POST,
            "/environments/prod/pin",
            json!({ "reason": "audit" }),
        ),
        (
            Method::POST,
            "/environments/prod/unpin",
            json!({ "reason": "audit over" }),
        ),
        (
            Method::POST,
            "/environments/prod/rollback",
            json!({ "bundle": "welcome", "reason": "bad" }),
        ),
        (Method::POST, "/api/tokens", json!({ "name": "ci" })),
    ]
}

/// The status each person gets on a fresh server (one server per cell: no cell depends on
/// another's effects).
fn expected(method: &Method, path: &str, person: &str) -> StatusCode {
    let approver = matches!(person, "mara" | "jonas");
    match (method, path) {
        (&Method::GET, _) => StatusCode::OK,
        (_, "/plans") | (_, "/api/tokens") => StatusCode::CREATED,
        (_, "/plans/{plan}/approve" | "/plans/{plan}/reject") if approver => StatusCode::OK,
        // Applying needs approvals first: for a promoter the gates block (422); for anyone else
        // the promoter gate is what blocks (403).
        (_, "/plans/{plan}/apply") if approver => StatusCode::UNPROCESSABLE_ENTITY,
        (_, "/environments/prod/pin" | "/environments/prod/unpin") if approver => StatusCode::OK,
        (_, "/environments/prod/rollback") if approver => StatusCode::OK,
        _ => StatusCode::FORBIDDEN,
    }
}

async fn server_with_prod_plan() -> (TestServer, String) {
    let server = TestServer::start().await;
    let mara = server.token("mara").await;
    let jonas = server.token("jonas").await;
    for version in ["1.0.0", "1.1.0"] {
        server
            .snapshot("welcome", version, &format!("Hello {version}"))
            .await;
        let plan = server
            .plan(&mara, &format!("welcome@{version}"), "prod")
            .await;
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
    }
    server.snapshot("welcome", "1.2.0", "Hello 1.2.0").await;
    let plan = server.plan(&mara, "welcome@1.2.0", "prod").await;
    (server, plan)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_each_role_as_the_policy_says() {
    let mut failures = Vec::new();
    for (method, path, body) in routes() {
        for person in PEOPLE {
            let (server, plan) = server_with_prod_plan().await;
            let token = server.token(person).await;
            let uri = path.replace("{plan}", &plan);
            let answer = server
                .api(method.clone(), &uri, Some(&token), body.clone())
                .await;
            let want = expected(&method, path, person);
            if answer.status != want {
                failures.push(format!(
                    "{method} {path} as {person}: {} (wanted {want}): {}",
                    answer.status, answer.body
                ));
            }
            let anonymous = server.api(method.clone(), &uri, None, body.clone()).await;
            if anonymous.status != StatusCode::UNAUTHORIZED {
                failures.push(format!(
                    "{method} {path} without a credential: {}",
                    anonymous.status
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn health_and_login_answer_without_a_credential() {
    let server = TestServer::start().await;
    for path in ["/healthz", "/readyz", "/login", "/assets/style.css"] {
        let answer = server.send(Method::GET, path, &[], "").await;
        assert_eq!(answer.status, StatusCode::OK, "{path}");
    }
    let page = server.send(Method::GET, "/", &[], "").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.headers["location"], "/login?next=/");
}

#[tokio::test]
async fn a_token_of_someone_no_longer_listed_or_revoked_does_not_authenticate() {
    let server = TestServer::start().await;
    let stranger = server.token("eve").await;
    let me = server
        .api(Method::GET, "/api/me", Some(&stranger), Value::Null)
        .await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    let mara = server.token("mara").await;
    let me = server
        .api(Method::GET, "/api/me", Some(&mara), Value::Null)
        .await;
    assert_eq!(me.json()["person"], "mara");
    let id = me.json()["credential"]
        .as_str()
        .unwrap()
        .trim_start_matches("token ")
        .to_owned();
    let revoked = server
        .api(
            Method::POST,
            &format!("/api/tokens/{id}/revoke"),
            Some(&mara),
            Value::Null,
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    let me = server
        .api(Method::GET, "/api/me", Some(&mara), Value::Null)
        .await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    let garbage = server
        .api(Method::GET, "/api/me", Some("fgt_not-a-token"), Value::Null)
        .await;
    assert_eq!(garbage.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_log_records_the_authenticated_person_and_credential() {
    let (server, plan) = server_with_prod_plan().await;
    let jonas = server.token("jonas").await;
    let answer = server
        .api(
            Method::POST,
            &format!("/plans/{plan}/approve"),
            Some(&jonas),
            json!({ "comment": "ok" }),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let ops = flowgate_store::Store::operations(
        &server.store,
        &flowgate_store::OperationFilter::default(),
    )
    .await
    .unwrap();
    let last = ops.last().unwrap();
    assert_eq!(last.actor, "jonas");
    assert_eq!(last.kind, "approve");
    assert!(
        last.payload["credential"]
            .as_str()
            .unwrap()
            .starts_with("token tok_"),
        "{}",
        last.payload
    );
    let apply = ops.iter().find(|op| op.kind == "apply").unwrap();
    assert_eq!(apply.actor, "mara");
}

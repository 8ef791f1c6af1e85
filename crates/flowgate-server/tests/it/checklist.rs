//! The release checklist of a plan: items ticked from the check run recorded when the
//! snapshot was frozen, failing where a rule found something, confirmed by hand only by a RACI
//! role of the environment, and exported as Markdown.

use crate::common::TestServer;
use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

fn item<'a>(items: &'a Value, id: &str) -> &'a Value {
    items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("no item {id}"))
}

#[tokio::test]
async fn items_are_ticked_from_evidence_and_confirmed_only_by_raci_roles() {
    let server = TestServer::start().await;
    let every_rule: Vec<String> = (101..=106)
        .chain(201..=208)
        .chain(301..=308)
        .chain(401..=408)
        .chain(501..=515)
        .chain(601..=605)
        .chain(701..=709)
        .map(|n| format!("FG{n}"))
        .collect();
    let check = json!({ "errors": 1, "warnings": 0, "rules": every_rule, "codes": ["FG201"], "excepted": [] });
    server
        .snapshot_checked("welcome", "1.0.0", "Hello", check)
        .await;
    let (mara, tom) = (server.token("mara").await, server.token("tom").await);
    let plan = server.plan(&tom, "welcome@1.0.0", "prod").await;
    let path = format!("/plans/{plan}/checklist");
    let items = server
        .api(Method::GET, &path, Some(&tom), Value::Null)
        .await
        .json()["items"]
        .clone();
    assert_eq!(
        item(&items, "logic.suppression")["state"],
        "failed",
        "{items}"
    );
    assert_eq!(item(&items, "messaging.lint")["state"], "verified");
    assert_eq!(item(&items, "naming.prefix")["state"], "verified");
    assert_eq!(item(&items, "monitoring.kpis")["state"], "to_confirm");
    assert_eq!(item(&items, "signoff.marketing-ops")["state"], "to_confirm");

    let confirm = |item: &str| format!("/plans/{plan}/checklist/{item}/confirm");
    let refused = server
        .api(
            Method::POST,
            &confirm("monitoring.kpis"),
            Some(&tom),
            json!({}),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::FORBIDDEN,
        "a builder holds no RACI role of prod"
    );
    let done = server
        .api(
            Method::POST,
            &confirm("monitoring.kpis"),
            Some(&mara),
            json!({ "note": "lead-to-MQL speed" }),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let verified = server
        .api(
            Method::POST,
            &confirm("messaging.lint"),
            Some(&mara),
            json!({}),
        )
        .await;
    assert_eq!(
        verified.status,
        StatusCode::CONFLICT,
        "evidence is not overridden by hand"
    );
    let failing = server
        .api(
            Method::POST,
            &confirm("logic.suppression"),
            Some(&mara),
            json!({}),
        )
        .await;
    assert_eq!(
        failing.status,
        StatusCode::CONFLICT,
        "a failing item is not confirmed away"
    );
    let approved = server
        .api(
            Method::POST,
            &format!("/plans/{plan}/approve"),
            Some(&mara),
            json!({}),
        )
        .await;
    assert_eq!(approved.status, StatusCode::OK);

    let items = server
        .api(Method::GET, &path, Some(&tom), Value::Null)
        .await
        .json()["items"]
        .clone();
    assert_eq!(item(&items, "monitoring.kpis")["state"], "confirmed");
    assert_eq!(item(&items, "monitoring.kpis")["by"], "mara");
    assert_eq!(item(&items, "signoff.marketing-ops")["state"], "verified");
    let bearer = format!("Bearer {tom}");
    let markdown = server
        .send(
            Method::GET,
            &format!("{path}?format=markdown"),
            &[("authorization", &bearer)],
            "",
        )
        .await;
    assert!(
        markdown
            .body
            .contains("- [x] Early-warning KPIs defined — confirmed by mara"),
        "{}",
        markdown.body
    );
    assert!(
        markdown
            .body
            .contains("- [ ] Suppression and quiet hours enforced — **fails**: FG201"),
        "{}",
        markdown.body
    );
}

#[tokio::test]
async fn a_snapshot_that_does_not_say_which_rules_ran_proves_nothing() {
    let server = TestServer::start().await;
    server.snapshot("welcome", "1.0.0", "Hello").await;
    let tom = server.token("tom").await;
    let plan = server.plan(&tom, "welcome@1.0.0", "prod").await;
    let items = server
        .api(
            Method::GET,
            &format!("/plans/{plan}/checklist"),
            Some(&tom),
            Value::Null,
        )
        .await
        .json()["items"]
        .clone();
    for id in ["logic.loops", "messaging.lint", "integrations.errors"] {
        assert_eq!(item(&items, id)["state"], "to_confirm", "{id}");
    }
    let disabled =
        json!({ "errors": 0, "warnings": 0, "rules": ["FG101"], "codes": [], "excepted": [] });
    server
        .snapshot_checked("welcome", "1.1.0", "Hi", disabled)
        .await;
    let plan = server.plan(&tom, "welcome@1.1.0", "prod").await;
    let items = server
        .api(
            Method::GET,
            &format!("/plans/{plan}/checklist"),
            Some(&tom),
            Value::Null,
        )
        .await
        .json()["items"]
        .clone();
    assert!(
        item(&items, "logic.loops")["why"]
            .as_str()
            .unwrap()
            .contains("did not run"),
        "{items}"
    );
}

//! What the pages show: the board after an apply, the inbox of an approver, the plan page
//! with its gates and diff, no approve button for someone who cannot sign, and every value
//! from the store or a person escaped.

use crate::common::TestServer;
use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

async fn page(server: &TestServer, token: &str, path: &str) -> String {
    let bearer = format!("Bearer {token}");
    let answer = server
        .send(Method::GET, path, &[("authorization", &bearer)], "")
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.body);
    answer.body
}

#[tokio::test]
async fn an_approver_finds_the_plan_reads_it_approves_and_the_board_shows_the_apply() {
    let server = TestServer::start().await;
    server
        .snapshot("welcome", "1.0.0", "Hello <b>friend</b>")
        .await;
    let (mara, jonas, tom) = (
        server.token("mara").await,
        server.token("jonas").await,
        server.token("tom").await,
    );
    let plan = server.plan(&tom, "welcome@1.0.0", "prod").await;
    let inbox = page(&server, &mara, "/inbox").await;
    assert!(inbox.contains(&plan[..12]), "{inbox}");
    assert!(page(&server, &tom, "/inbox")
        .await
        .contains("Nothing waits"));
    let shown = page(&server, &mara, &format!("/plans/{plan}")).await;
    assert!(shown.contains("Approve as marketing-ops"), "{shown}");
    assert!(
        shown.contains("welcome") && shown.contains("Gates"),
        "{shown}"
    );
    assert!(!page(&server, &tom, &format!("/plans/{plan}"))
        .await
        .contains("Approve as"));
    server.approve(&plan, &[&mara, &jonas]).await;
    assert!(page(&server, &mara, "/inbox")
        .await
        .contains("Nothing waits"));
    let applied = server
        .api(
            Method::POST,
            &format!("/plans/{plan}/apply"),
            Some(&mara),
            Value::Null,
        )
        .await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.body);
    let board = server
        .api(Method::GET, "/", Some(&mara), Value::Null)
        .await
        .json();
    assert_eq!(board["bundles"]["welcome"]["prod"]["version"], "1.0.0");
    assert_eq!(board["bundles"]["welcome"]["prod"]["by"], "mara");
    assert!(page(&server, &mara, "/").await.contains("LI-1.0.0"));
    let bundle = server
        .api(Method::GET, "/bundles/welcome", Some(&mara), Value::Null)
        .await
        .json();
    assert_eq!(bundle["versions"][0]["version"], "1.0.0");
    assert_eq!(bundle["moves"][0]["kind"], "apply");
    assert!(page(&server, &mara, "/bundles/welcome")
        .await
        .contains("Deployments"));
    let audit = server
        .api(Method::GET, "/audit", Some(&mara), Value::Null)
        .await
        .json();
    assert_eq!(audit["intact"], true);
    let kinds: Vec<&str> = audit["operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|op| op["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["apply", "approve", "approve", "plan", "snapshot.create"]
    );
    assert!(page(&server, &mara, "/audit")
        .await
        .contains("chain intact"));
}

#[tokio::test]
async fn markup_from_people_and_the_store_is_escaped() {
    let server = TestServer::start().await;
    server
        .snapshot("welcome", "1.0.0", "<script>alert(1)</script>")
        .await;
    let mara = server.token("mara").await;
    let plan = server.plan(&mara, "welcome@1.0.0", "prod").await;
    let rejected = server
        .api(
            Method::POST,
            &format!("/plans/{plan}/reject"),
            Some(&mara),
            json!({ "comment": "<script>alert('x')</script>" }),
        )
        .await;
    assert_eq!(rejected.status, StatusCode::OK, "{}", rejected.body);
    let shown = page(&server, &mara, &format!("/plans/{plan}")).await;
    assert!(!shown.contains("<script>"), "{shown}");
    assert!(
        shown.contains("&lt;script&gt;alert('x')&lt;/script&gt;")
            || shown.contains("&lt;script&gt;alert(&#39;x&#39;)"),
        "{shown}"
    );
    let applied = server
        .api(
            Method::POST,
            &format!("/plans/{plan}/apply"),
            Some(&mara),
            Value::Null,
        )
        .await;
    assert_eq!(
        applied.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a rejected plan is not applied"
    );
}

#[tokio::test]
async fn every_page_has_a_json_twin_and_security_headers() {
    let server = TestServer::start().await;
    server.snapshot("welcome", "1.0.0", "Hello").await;
    let mara = server.token("mara").await;
    let plan = server.plan(&mara, "welcome@1.0.0", "prod").await;
    for (path, key) in [
        ("/", "flowgate_board"),
        ("/inbox", "flowgate_inbox"),
        (&format!("/plans/{plan}") as &str, "flowgate_plan"),
        ("/api/tokens", "flowgate_tokens"),
    ] {
        let answer = server
            .api(Method::GET, path, Some(&mara), Value::Null)
            .await;
        assert_eq!(answer.json()[key], 1, "{path}: {}", answer.body);
        let bearer = format!("Bearer {mara}");
        let query = server
            .send(
                Method::GET,
                &format!("{path}?format=json"),
                &[("authorization", &bearer)],
                "",
            )
            .await;
        assert_eq!(query.json()[key], 1, "{path}?format=json");
        assert!(answer.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'self'"));
        assert_eq!(answer.headers["x-frame-options"], "DENY");
    }
}

#[tokio::test]
async fn a_changed_template_is_previewed_per_locale_before_and_after_with_fallbacks() {
    let server = TestServer::start().await;
    let mara = server.token("mara").await;
    let jonas = server.token("jonas").await;
    server.snapshot("welcome", "1.0.0", "Hello").await;
    let first = server.plan(&mara, "welcome@1.0.0", "prod").await;
    server.approve(&first, &[&mara, &jonas]).await;
    let applied = server
        .api(
            Method::POST,
            &format!("/plans/{first}/apply"),
            Some(&mara),
            Value::Null,
        )
        .await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.body);
    server
        .snapshot(
            "welcome",
            "1.1.0",
            "Hello {{ contact.first_name | default('friend') }}",
        )
        .await;
    let plan = server.plan(&mara, "welcome@1.1.0", "prod").await;
    let shown = server
        .api(
            Method::GET,
            &format!("/plans/{plan}"),
            Some(&mara),
            Value::Null,
        )
        .await
        .json();
    let preview = &shown["previews"][0];
    assert_eq!(preview["id"], "welcome");
    let locale = &preview["locales"][0];
    assert_eq!(locale["locale"], "default");
    assert_eq!(locale["before"]["subject"], "Hello");
    assert_eq!(
        locale["after"]["subject"], "Hello Alex",
        "sample values fill the variables"
    );
    let html = page(&server, &mara, &format!("/plans/{plan}")).await;
    assert!(
        html.contains("Message previews") && html.contains("Hello Alex"),
        "{html}"
    );
    assert!(
        html.contains("sandbox=\"\""),
        "email bodies render in a sandboxed frame"
    );
}

#[tokio::test]
async fn the_diff_of_two_versions_names_what_changed_and_unknown_versions_are_404() {
    let server = TestServer::start().await;
    server.snapshot("welcome", "1.0.0", "Hello").await;
    server
        .snapshot("welcome", "1.1.0", "Hello <i>again</i>")
        .await;
    let tom = server.token("tom").await;
    let path = "/bundles/welcome/diff?from=1.0.0&to=1.1.0";
    let answer = server.api(Method::GET, path, Some(&tom), Value::Null).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let document = answer.json();
    assert_eq!(document["flowgate_diff"], 1);
    assert_ne!(document["diff"]["bump"], "none", "{document}");
    let html = page(&server, &tom, path).await;
    assert!(html.contains("subject"), "{html}");
    assert!(html.contains("&lt;i&gt;again&lt;/i&gt;"), "{html}");
    let bundle = page(&server, &tom, "/bundles/welcome").await;
    assert!(
        bundle.contains(r#"action="/bundles/welcome/diff""#),
        "{bundle}"
    );
    let unknown = server
        .api(
            Method::GET,
            "/bundles/welcome/diff?from=0.9.0&to=1.1.0",
            Some(&tom),
            Value::Null,
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{}", unknown.body);
}

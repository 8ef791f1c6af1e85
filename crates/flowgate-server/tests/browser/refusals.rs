//! What the server refuses however the browser is made to ask: a builder gets no approve
//! button and a forged approval from their session is 403; a form without its CSRF token is
//! 403 and changes nothing.

use crate::chrome::{logged_in, Browser};
use crate::common::{Server, PASSWORD};
use flowgate_server::SESSION_COOKIE;
use serde_json::{json, Value};

/// Builds a form posting `fields` to `action` into the page and submits it: a request the page
/// never offers, sent from the person's own session (the script runs through WebDriver,
/// outside the page's content security policy).
const FORGE: &str = "
    const [action, fields] = arguments;
    const form = document.createElement('form');
    form.method = 'post';
    form.action = action;
    for (const [name, value] of Object.entries(fields)) {
        const input = document.createElement('input');
        input.type = 'hidden';
        input.name = name;
        input.value = value;
        form.appendChild(input);
    }
    document.body.appendChild(form);
    form.submit();
";

/// The approvals recorded on `plan`.
async fn approvals(server: &Server, plan: &str) -> Vec<Value> {
    let mara = server.token("mara").await;
    let shown = server
        .api("GET", &format!("/plans/{plan}"), &mara, Value::Null)
        .await;
    assert_eq!(shown.status, 200, "{}", shown.body);
    shown.json()["approvals"].as_array().unwrap().clone()
}

/// A form posted over plain HTTP with the browser's session cookie; the status.
async fn post_as(server: &Server, browser: &Browser, path: &str, form: &str) -> u16 {
    let cookie = format!("{SESSION_COOKIE}={}", browser.cookie(SESSION_COOKIE).await);
    let body = Some(("application/x-www-form-urlencoded", form.to_owned()));
    server
        .request("POST", path, &[("cookie", &cookie)], body)
        .await
        .status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_builder_sees_no_approve_button_and_a_forged_approval_is_refused() {
    let (server, plan) = Server::with_plan("Welcome email", "Hello, friend").await;
    logged_in(server, "tom", |browser, server| async move {
        let page = format!("/plans/{plan}");
        browser.open(&page).await;
        assert!(browser
            .text("main h1")
            .await
            .contains("welcome 1.1.0 → prod"));
        assert!(browser.all("form[action$='/approve']").await.is_empty());
        assert!(browser.all("form[action$='/reject']").await.is_empty());
        assert!(!browser.text("main").await.contains("Approve as"));

        let csrf = browser.find("header form.logout input[name=csrf]").await;
        let csrf = csrf.prop("value").await.unwrap().unwrap();
        let form = format!("csrf={csrf}&role=marketing-ops");
        assert_eq!(
            post_as(&server, &browser, &format!("{page}/approve"), &form).await,
            403
        );

        let fields = json!({ "csrf": csrf, "role": "marketing-ops" });
        browser
            .script(FORGE, vec![json!(format!("{page}/approve")), fields])
            .await;
        browser.wait_for_text("main h1", "Forbidden").await;
        let why = browser.text("main p.error[role=alert]").await;
        assert!(why.contains("tom"), "{why}");
        assert!(approvals(&server, &plan).await.is_empty());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_without_its_csrf_token_is_refused() {
    let (server, plan) = Server::with_plan("Welcome email", "Hello, friend").await;
    logged_in(server, "mara", |browser, server| async move {
        let page = format!("/plans/{plan}");
        let form = "role=marketing-ops";
        assert_eq!(
            post_as(&server, &browser, &format!("{page}/approve"), form).await,
            403
        );
        let wrong = "role=marketing-ops&csrf=00000000";
        assert_eq!(
            post_as(&server, &browser, &format!("{page}/approve"), wrong).await,
            403
        );

        browser.open(&page).await;
        let approve = "form[action$='/approve']";
        browser
            .script(
                "document.querySelector(arguments[0]).elements.csrf.remove()",
                vec![json!(approve)],
            )
            .await;
        browser
            .click(&format!("{approve} button:not(.danger)"))
            .await;
        browser.wait_for_text("main h1", "Forbidden").await;
        assert!(browser.text("main p.error").await.contains("CSRF token"));
        assert!(approvals(&server, &plan).await.is_empty());

        let login = server
            .request(
                "POST",
                "/login",
                &[],
                Some((
                    "application/x-www-form-urlencoded",
                    format!("person=mara&password={PASSWORD}"),
                )),
            )
            .await;
        assert_eq!(
            login.status, 403,
            "a login form without its token: {}",
            login.body
        );
    })
    .await;
}

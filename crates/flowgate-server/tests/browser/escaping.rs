//! Markup in what people and the store hold (an asset's name, its subject, a rejection's
//! comment) reaches the page as text: the DOM holds no script element and none ran.

use crate::chrome::logged_in;
use crate::common::Server;
use serde_json::json;

const NAME: &str = "Welcome <script>window.flowgateInjected = 'name'</script>";
const SUBJECT: &str = "<script>window.flowgateInjected = 'subject'</script>Hi";
const COMMENT: &str = "<script>window.flowgateInjected = 'comment'</script> not yet";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn markup_in_names_and_comments_is_shown_as_text_and_never_runs() {
    let (server, plan) = Server::with_plan(NAME, SUBJECT).await;
    logged_in(server, "mara", |browser, _| async move {
        browser.open(&format!("/plans/{plan}")).await;
        browser.fill("#comment", COMMENT).await;
        browser
            .click("form[action$='/approve'] button.danger")
            .await;
        browser.wait_for_text("main ul", "rejected").await;

        assert!(
            browser.all("script").await.is_empty(),
            "a script element is in the DOM"
        );
        let diff = browser.text("main pre.diff").await;
        assert!(
            diff.contains("<script>window.flowgateInjected = 'subject'</script>"),
            "{diff}"
        );
        assert!(
            diff.contains("<script>window.flowgateInjected = 'name'</script>"),
            "{diff}"
        );
        let decisions = browser.text("main ul").await;
        assert!(decisions.contains(&format!("“{COMMENT}”")), "{decisions}");
        let injected = browser
            .script("return window.flowgateInjected === undefined", vec![])
            .await;
        assert_eq!(injected, json!(true), "an injected script ran");

        browser.open("/inbox").await;
        assert!(browser.all("script").await.is_empty());
        browser.open("/audit").await;
        assert!(browser.all("script").await.is_empty());
        assert!(browser.text("main").await.contains("reject"));
    })
    .await;
}

//! An approver from invitation to applied change: sets a password from the invitation link,
//! logs in through the login form, finds the plan in the inbox, reads the diff and the gates,
//! approves, applies, and sees the new version on the board.

use crate::chrome::{in_browser, Browser};
use crate::common::{Server, PASSWORD};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approver_logs_in_approves_in_the_browser_and_the_board_shows_the_new_version() {
    let (server, plan) = Server::with_plan("Welcome email", "Hello, friend").await;
    let invitation = flowgate_server::invite(&server.store, "mara", "admin", 1)
        .await
        .unwrap();
    in_browser(&server.url.clone(), |browser| async move {
        set_password_and_log_in_again(&browser, &invitation.secret).await;
        let link = format!("main a[href='/plans/{plan}']");
        assert!(browser
            .text("main table")
            .await
            .contains("welcome 1.0.0 → 1.1.0 into prod"));
        browser.click(&link).await;
        browser.wait_for_path(&format!("/plans/{plan}")).await;

        let diff = browser.text("main pre.diff").await;
        assert!(diff.contains("Hello") && diff.contains("friend"), "{diff}");
        let gates = browser.text("main table").await;
        assert!(
            gates.contains("Verdict") && gates.contains("✖ blocks"),
            "{gates}"
        );
        browser.fill("#comment", "Subject reads well").await;
        browser
            .click("form[action$='/approve'] button:not(.danger)")
            .await;
        let approvals = browser
            .wait_for_text("main ul", "mara as marketing-ops")
            .await;
        assert!(approvals.contains("Subject reads well"), "{approvals}");
        assert!(browser.all("form[action$='/approve']").await.is_empty());
        assert!(
            browser.all("form[action$='/apply']").await.is_empty(),
            "revops still has to approve"
        );

        let jonas = server.token("jonas").await;
        server.act(&jonas, &plan, "approve").await;
        browser.open(&format!("/plans/{plan}")).await;
        browser.click("form[action$='/apply'] button").await;
        let applied = browser
            .wait_for_text("main p.notice", "Applied to prod")
            .await;
        assert!(applied.contains("by mara"), "{applied}");
        assert!(browser.text("main").await.contains("prod holds 1.1.0 now"));
        browser.open("/").await;
        let board = browser.text("main table tbody").await;
        assert!(
            board.contains("1.1.0 · LI-1.1.0") && board.contains("apply by mara"),
            "{board}"
        );
        browser.open("/inbox").await;
        assert!(browser
            .text("main")
            .await
            .contains("Nothing waits for your approval"));
    })
    .await;
}

/// Chooses the password on the invitation's page (which logs in), logs out, opens the inbox
/// and logs in again through the login form it is sent to.
async fn set_password_and_log_in_again(browser: &Browser, secret: &str) {
    browser.open(&format!("/setup/{secret}")).await;
    assert!(browser
        .text("main")
        .await
        .contains("Choose a password for mara"));
    browser.fill("#password", PASSWORD).await;
    browser.fill("#confirm", PASSWORD).await;
    browser.click("main form button[type=submit]").await;
    browser.wait_for_path("/").await;
    assert_eq!(browser.text("header form.logout strong").await, "mara");
    browser.click("header form.logout button").await;
    browser.wait_for_path("/login").await;

    browser.open("/inbox").await;
    browser.wait_for_path("/login?next=/inbox").await;
    browser.fill("#person", "mara").await;
    browser.fill("#password", PASSWORD).await;
    browser.click("main form button[type=submit]").await;
    browser.wait_for_path("/inbox").await;
}

//! Pictures of the board and of a plan page, kept under `target/browser-artefacts/` for a
//! person to look at after a run.

use crate::chrome::logged_in;
use crate::common::Server;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn screenshots_of_the_board_and_a_plan_page_are_saved() {
    let (server, plan) = Server::with_plan("Welcome email", "Hello, friend").await;
    logged_in(server, "mara", |browser, _| async move {
        browser.find("main table").await;
        let board = browser.screenshot("board.png").await;
        browser.open(&format!("/plans/{plan}")).await;
        browser.find("main pre.diff").await;
        let page = browser.screenshot("plan.png").await;
        for path in [board, page] {
            let size = std::fs::metadata(&path).unwrap().len();
            assert!(size > 10_000, "{} holds {size} bytes only", path.display());
        }
    })
    .await;
}

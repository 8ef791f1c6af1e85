//! The plan page by keyboard alone: the skip link comes first and leads into the content,
//! every control of the decision form has a label, and Tab then Enter approves.

use crate::chrome::logged_in;
use crate::common::Server;
use fantoccini::key::Key;
use serde_json::{json, Value};

/// The controls of the form `arguments[0]` that have no label: neither a `<label>` (by `for`
/// or around it), nor `aria-label`, nor (for a button) text of its own.
const UNLABELLED: &str = "
    const form = document.querySelector(arguments[0]);
    return Array.from(form.querySelectorAll('input, select, textarea, button'))
        .filter(c => c.type !== 'hidden')
        .filter(c => !(c.labels && c.labels.length > 0))
        .filter(c => !(c.getAttribute('aria-label') || '').trim())
        .filter(c => !(c.tagName === 'BUTTON' && c.textContent.trim()))
        .map(c => c.outerHTML);
";

/// The first element that Tab can reach, in document order.
const FIRST_FOCUSABLE: &str = "
    const all = document.querySelectorAll(
        'a[href], button, input:not([type=hidden]), select, textarea, [tabindex]');
    const first = Array.from(all).find(e => e.tabIndex >= 0 && !e.disabled);
    return first ? first.outerHTML : null;
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_skip_link_comes_first_and_the_decision_form_is_labelled_and_works_by_keyboard() {
    let (server, plan) = Server::with_plan("Welcome email", "Hello, friend").await;
    logged_in(server, "mara", |browser, _| async move {
        browser.open(&format!("/plans/{plan}")).await;
        let first = browser.script(FIRST_FOCUSABLE, vec![]).await;
        assert!(
            first
                .as_str()
                .unwrap()
                .starts_with("<a class=\"skip\" href=\"#main\">"),
            "{first}"
        );
        browser.press(Key::Tab).await;
        assert_eq!(
            browser.focused().await,
            ("a".to_owned(), "Skip to content".to_owned())
        );
        browser.press(Key::Enter).await;
        browser.press(Key::Tab).await;
        let inside = browser
            .script(
                "return document.querySelector('main').contains(document.activeElement)",
                vec![],
            )
            .await;
        assert_eq!(
            inside,
            json!(true),
            "the skip link does not lead into the content"
        );

        let approve = "form[action$='/approve']";
        let unlabelled = browser.script(UNLABELLED, vec![json!(approve)]).await;
        assert_eq!(unlabelled, Value::Array(vec![]), "controls without a label");
        let label = browser.text("label[for=comment]").await;
        assert_eq!(label, "Comment (optional)");

        browser.fill("#comment", "by keyboard").await;
        browser.press(Key::Tab).await;
        let (tag, text) = browser.focused().await;
        assert_eq!(
            (tag.as_str(), text.as_str()),
            ("button", "Approve as marketing-ops")
        );
        browser.press(Key::Enter).await;
        let approvals = browser
            .wait_for_text("main ul", "mara as marketing-ops")
            .await;
        assert!(approvals.contains("by keyboard"), "{approvals}");
    })
    .await;
}

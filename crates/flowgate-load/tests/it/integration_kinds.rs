//! Hostile `Integration` and `System` documents: every mistake is a located diagnostic with
//! a hint, and nothing panics.

use flowgate_load::{codes, load_texts, Loaded};
use std::path::Path;

const SYSTEMS: &str =
    "kind: System\nid: magento\ncategory: commerce\n---\nkind: System\nid: erp\ncategory: erp\n";

fn load(integration: &str) -> Loaded {
    let texts = vec![
        ("systems.yaml".to_owned(), SYSTEMS.to_owned()),
        ("flow.yaml".to_owned(), integration.to_owned()),
    ];
    load_texts(Path::new("/workspace"), &texts)
}

const VALID: &str = "kind: Integration
id: order-export
owner: ecommerce
purpose: Creates an ERP sales order for every paid web order.
source: magento
target: erp
direction: outbound
hook: message_queue
";

/// The one diagnostic of a load: its code, line, column, message and help.
fn only(loaded: &Loaded) -> (String, u32, u32, String, String) {
    assert_eq!(loaded.diagnostics.len(), 1, "{:#?}", loaded.diagnostics);
    let d = &loaded.diagnostics[0];
    let location = d.location.as_ref().expect("located");
    (
        d.code.clone(),
        location.start.line,
        location.start.column,
        d.message.clone(),
        d.help.clone().unwrap_or_default(),
    )
}

#[test]
fn a_valid_integration_loads() {
    let loaded = load(VALID);
    assert!(loaded.diagnostics.is_empty(), "{:#?}", loaded.diagnostics);
    assert!(loaded.model.get_str("order-export").is_some());
}

#[test]
fn unknown_hook_suggests_the_closest() {
    let (code, line, _, message, help) = only(&load(
        &VALID.replace("hook: message_queue", "hook: message_queu"),
    ));
    assert_eq!(code, codes::UNKNOWN_VARIANT);
    assert_eq!(line, 8);
    assert!(
        format!("{message} {help}").contains("message_queue"),
        "{message} / {help}"
    );
}

#[test]
fn misspelt_field_suggests_the_field() {
    let text = format!("{VALID}entities:\n  - entity: order\n    sourceoftruth: magento\n");
    let (code, line, column, message, help) = only(&load(&text));
    assert_eq!(code, codes::UNKNOWN_FIELD);
    assert_eq!((line, column), (11, 5));
    assert!(
        format!("{message} {help}").contains("source_of_truth"),
        "{message} / {help}"
    );
}

#[test]
fn bad_duration_is_located() {
    let text = format!("{VALID}constraints:\n  timeout: 30 seconds\n");
    let (code, line, column, message, _) = only(&load(&text));
    assert_eq!(code, codes::INVALID_VALUE);
    assert_eq!((line, column), (10, 12));
    assert!(message.contains("not a duration"), "{message}");
}

#[test]
fn dangling_system_suggests_the_id() {
    let (code, line, column, message, help) =
        only(&load(&VALID.replace("source: magento", "source: magent")));
    assert_eq!(code, codes::DANGLING_REFERENCE);
    assert_eq!((line, column), (5, 9));
    assert!(
        format!("{message} {help}").contains("`magento`"),
        "{message} / {help}"
    );
}

#[test]
fn depending_on_a_system_is_a_kind_error() {
    let text = format!("{VALID}depends_on: [erp]\n");
    let (code, line, _, _, _) = only(&load(&text));
    assert_eq!(code, codes::WRONG_KIND);
    assert_eq!(line, 9);
}

#[test]
fn direction_is_required() {
    let (code, _, _, message, _) = only(&load(&VALID.replace("direction: outbound\n", "")));
    assert_eq!(code, codes::MISSING_FIELD);
    assert!(message.contains("direction"), "{message}");
}

#[test]
fn empty_purpose_is_refused() {
    let (code, line, _, _, help) = only(&load(&VALID.replace(
        "purpose: Creates an ERP sales order for every paid web order.",
        "purpose: \"  \"",
    )));
    assert_eq!(code, codes::MISSING_FIELD);
    assert_eq!(line, 4);
    assert!(help.contains("one sentence"), "{help}");
}

#[test]
fn wrong_types_do_not_panic() {
    for text in [
        format!("{VALID}volume:\n  peak_per_hour: lots\n"),
        format!("{VALID}errors: [retry]\n"),
        format!("{VALID}entities: order\n"),
        format!("{VALID}safe_zone: maybe\n"),
        "kind: Integration\nid: x\n".to_owned(),
    ] {
        let loaded = load(&text);
        assert!(loaded.has_errors(), "{text}");
        assert!(
            loaded.diagnostics.iter().all(|d| d.location.is_some()),
            "{text}"
        );
    }
}

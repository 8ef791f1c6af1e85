//! docs/rules.md is generated from the rules; this test fails when it is stale.

use std::path::Path;

#[test]
fn rules_reference_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(flowgate_check::REFERENCE_PATH);
    let generated = flowgate_check::rules_reference();
    if std::env::var_os("FLOWGATE_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/rules.md is stale: run `FLOWGATE_UPDATE_DOCS=1 cargo test -p flowgate-check --test it reference::` and commit it"
    );
}

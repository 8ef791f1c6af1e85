//! Fixture tests: one workspace using every asset kind and every field of each kind loads
//! without a diagnostic, and the model it produces is pinned by a snapshot.

use flowgate_load::{load_workspace, Workspace};
use flowgate_model::{AssetKind, AssetSpec, StepAction};
use std::path::Path;

fn fixture() -> flowgate_load::Loaded {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kinds");
    load_workspace(&Workspace::open(&root).unwrap())
}

#[test]
fn every_kind_loads_cleanly() {
    let loaded = fixture();
    assert!(loaded.diagnostics.is_empty(), "{:#?}", loaded.diagnostics);
    for kind in AssetKind::NATIVE {
        assert!(
            loaded.model.of_kind(kind).next().is_some(),
            "the fixture has no {kind}"
        );
    }
}

#[test]
fn every_step_type_and_trigger_is_exercised() {
    let loaded = fixture();
    let workflow = loaded.model.get_str("every-step").unwrap();
    let AssetSpec::Workflow(workflow) = &workflow.spec else {
        panic!("not a workflow")
    };
    let mut types: Vec<_> = workflow
        .steps
        .iter()
        .map(|s| s.action.type_name())
        .collect();
    types.sort_unstable();
    types.dedup();
    assert_eq!(types.len(), 16, "{types:?}");
    assert_eq!(workflow.triggers.len(), 12);
    assert!(workflow.steps.iter().any(|s| matches!(
        s.action,
        StepAction::Wait {
            until_window: Some(_),
            ..
        }
    )));
}

#[test]
fn body_files_are_read_relative_to_the_asset() {
    let loaded = fixture();
    let AssetSpec::Template(template) = &loaded.model.get_str("welcome").unwrap().spec else {
        panic!("not a template")
    };
    assert!(template.content.body.text().source.contains("Hello"));
    assert_eq!(template.content.body.text().fields.len(), 1);
}

#[test]
fn bundle_selectors_pick_members() {
    let loaded = fixture();
    let AssetSpec::Bundle(bundle) = &loaded.model.get_str("release").unwrap().spec else {
        panic!("not a bundle")
    };
    let members: Vec<_> = loaded
        .model
        .bundle_members(bundle)
        .into_iter()
        .map(|id| id.to_string())
        .collect();
    assert_eq!(
        members,
        [
            "every-step",
            "hot-leads",
            "lifecycle_stage",
            "reminder-sms",
            "welcome"
        ]
    );
}

#[test]
fn the_model_is_pinned() {
    let loaded = fixture();
    insta::assert_json_snapshot!("kinds_model", loaded.model.assets());
}

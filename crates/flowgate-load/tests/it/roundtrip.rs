//! Round trip: serializing the model back into the file format and loading it again gives
//! the same model (load ∘ serialize = identity), on real and generated workspaces; and the
//! loader never panics, whatever the text.

use flowgate_load::{load_texts, load_workspace, synthetic, Loaded, Workspace};
use proptest::prelude::*;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Serialize every asset as a JSON document in a file beside its original (so `body_file`
/// paths still resolve) and load the result.
fn reload(root: &Path, loaded: &Loaded) -> Loaded {
    let texts: Vec<(String, String)> = loaded
        .model
        .assets()
        .iter()
        .enumerate()
        .map(|(i, asset)| {
            let original = loaded.model.file(asset.origin.file).unwrap().path.clone();
            let dir = original.parent().unwrap_or(Path::new(""));
            let path = dir.join(format!("roundtrip-{i}.json"));
            (
                path.to_string_lossy().into_owned(),
                serde_json::to_string_pretty(asset).unwrap(),
            )
        })
        .collect();
    load_texts(root, &texts)
}

fn assert_round_trip(root: &Path, loaded: &Loaded) {
    assert!(loaded.diagnostics.is_empty(), "{:#?}", loaded.diagnostics);
    let again = reload(root, loaded);
    assert!(again.diagnostics.is_empty(), "{:#?}", again.diagnostics);
    assert_eq!(loaded.model.assets().len(), again.model.assets().len());
    for (a, b) in loaded.model.assets().iter().zip(again.model.assets()) {
        assert_eq!(a, b, "asset `{}` changed in the round trip", a.id.value);
    }
}

#[test]
fn the_example_round_trips() {
    let root = repo().join("examples/acme");
    let loaded = load_workspace(&Workspace::open(&root).unwrap());
    assert_round_trip(&root, &loaded);
}

#[test]
fn the_kinds_fixture_round_trips() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kinds");
    let loaded = load_workspace(&Workspace::open(&root).unwrap());
    assert_round_trip(&root, &loaded);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn generated_workspaces_round_trip(workflows in 1usize..40, seed in any::<u64>()) {
        let root = Path::new("/nonexistent-root");
        let loaded = load_texts(root, &synthetic::workspace(workflows, seed));
        assert_round_trip(root, &loaded);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn the_loader_never_panics_on_any_text(text in ".{0,400}", json in any::<bool>()) {
        let path = if json { "a.json" } else { "a.yaml" };
        let loaded = load_texts(Path::new("/x"), &[(path.to_owned(), text)]);
        for d in &loaded.diagnostics {
            prop_assert!(d.location.is_some() || d.code == "FG016");
        }
    }

    #[test]
    fn the_loader_never_panics_on_mutated_assets(
        cut in 0usize..2000,
        insert in proptest::collection::vec(any::<char>(), 0..8),
        json in any::<bool>(),
    ) {
        // Take a real, valid asset file and damage it: truncate and splice in junk.
        let files = synthetic::workspace(1, 7);
        let (path, text) = files.iter().find(|(p, _)| p.contains("workflows")).unwrap();
        let text = if json {
            let loaded = load_texts(Path::new("/x"), &files);
            serde_json::to_string(&loaded.model.assets()).unwrap()
        } else {
            text.clone()
        };
        let mut at = cut.min(text.len());
        while !text.is_char_boundary(at) { at -= 1; }
        let damaged: String = text[..at].chars().chain(insert).chain(text[at..].chars().skip(3)).collect();
        let name = if json { path.replace(".yaml", ".json") } else { path.clone() };
        let loaded = load_texts(Path::new("/x"), &[(name, damaged)]);
        for d in &loaded.diagnostics {
            prop_assert!(d.location.is_some(), "unlocated: {:?}", d);
        }
    }
}

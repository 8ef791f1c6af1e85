//! The Node-RED importer against the real corpus: every `*.json` under
//! `shared/corpus/node-red` (the examples shipped with Node-RED and a test resource; see
//! `shared/corpus/SOURCES.md`).
//!
//! Every file imports without a panic, every diagnostic is located, the original text is kept
//! byte for byte, and the corpus-wide figures are pinned so that a change in the mapping shows
//! up here as a deliberate edit.

use crate::common;
use flowgate_diagnostics::{Diagnostic, SourceText};
use flowgate_load::dialects::{node_red, Imported};
use flowgate_model::flow::{ConnectionKind, ElementKind, ErrorHandling, FlowTrigger};
use proptest::prelude::*;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/corpus/node-red"
);

/// The corpus's JSON files, sorted by path. Fails (never skips) when the corpus is missing.
fn corpus_files() -> Vec<PathBuf> {
    let dir = Path::new(CORPUS);
    assert!(
        dir.is_dir(),
        "the Node-RED corpus is missing: expected {} (see shared/corpus/SOURCES.md)",
        dir.display()
    );
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|entry| entry.expect("walk the corpus").into_path())
        .filter(|path| path.is_file() && path.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

struct Outcome {
    /// Path relative to the corpus folder.
    name: String,
    bytes: Vec<u8>,
    imported: Option<Imported>,
    diagnostics: Vec<Diagnostic>,
}

/// Every corpus file imported once, shared by the tests.
fn import_all() -> &'static [Outcome] {
    static OUTCOMES: OnceLock<Vec<Outcome>> = OnceLock::new();
    OUTCOMES.get_or_init(|| {
        corpus_files()
            .into_iter()
            .map(|path| {
                let bytes = std::fs::read(&path).expect("read a corpus file");
                let text = String::from_utf8(bytes.clone()).expect("corpus files are UTF-8");
                let name = path
                    .strip_prefix(CORPUS)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                let (imported, diagnostics) =
                    node_red::import(&SourceText::new(name.clone(), text));
                Outcome {
                    name,
                    bytes,
                    imported,
                    diagnostics,
                }
            })
            .collect()
    })
}

#[derive(Debug, Default, PartialEq, Eq)]
struct Figures {
    files: usize,
    flows: usize,
    active: usize,
    elements: usize,
    connections: usize,
    output_connections: usize,
    link_connections: usize,
    link_call_connections: usize,
    disabled: usize,
    path_error_handling: usize,
    entries: usize,
    triggers: usize,
    error_handlers: usize,
    subflow_instances: usize,
    notes: usize,
    other: usize,
    manual_flows: usize,
    schedule_flows: usize,
    webhook_flows: usize,
    event_flows: usize,
    invoked_flows: usize,
    variables: usize,
    dangling_references: usize,
    labels_not_from_the_file_stem: usize,
}

fn figures(outcomes: &[Outcome]) -> Figures {
    let mut f = Figures {
        files: outcomes.len(),
        ..Figures::default()
    };
    for outcome in outcomes {
        f.dangling_references += outcome
            .diagnostics
            .iter()
            .filter(|d| d.code == "FG013")
            .count();
        let Some(imported) = &outcome.imported else {
            continue;
        };
        let flow = &imported.flow;
        f.flows += 1;
        f.active += usize::from(flow.active);
        f.entries += flow.entries.len();
        f.variables += flow.variables.len();
        let stem = Path::new(&outcome.name)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned());
        f.labels_not_from_the_file_stem += usize::from(flow.label != stem);
        match flow.trigger {
            FlowTrigger::Webhook => f.webhook_flows += 1,
            FlowTrigger::Schedule => f.schedule_flows += 1,
            FlowTrigger::Manual => f.manual_flows += 1,
            FlowTrigger::Invoked => f.invoked_flows += 1,
            FlowTrigger::Event(_) => f.event_flows += 1,
            FlowTrigger::Record { .. } => unreachable!("Node-RED has no record triggers"),
        }
        for element in &flow.elements {
            f.elements += 1;
            f.disabled += usize::from(element.disabled);
            f.path_error_handling += usize::from(element.error_handling == ErrorHandling::Path);
            match element.kind {
                ElementKind::Trigger => f.triggers += 1,
                ElementKind::ErrorHandler => f.error_handlers += 1,
                ElementKind::Subflow => f.subflow_instances += 1,
                ElementKind::Note => f.notes += 1,
                ElementKind::Other => f.other += 1,
                _ => {}
            }
            for connection in &element.connections {
                f.connections += 1;
                match &connection.kind {
                    ConnectionKind::Output(_) => f.output_connections += 1,
                    ConnectionKind::Auxiliary(kind) if kind == "link" => f.link_connections += 1,
                    ConnectionKind::Auxiliary(kind) if kind == "link call" => {
                        f.link_call_connections += 1;
                    }
                    other => panic!("{}: unexpected connection kind {other:?}", outcome.name),
                }
            }
        }
    }
    f
}

#[test]
fn the_whole_corpus_imports_with_pinned_figures() {
    assert_eq!(
        figures(import_all()),
        Figures {
            files: 115,
            // All but package.json; the subflow module counts.
            flows: 114,
            active: 114,
            // Tabs, the group and the four websocket config nodes are not elements.
            elements: 942,
            connections: 504,
            output_connections: 500,
            // One of the three `links` of the link-out nodes dangles.
            link_connections: 2,
            link_call_connections: 2,
            disabled: 0,
            // One node each in the two catch examples; the three the subflow module's catch covers.
            path_error_handling: 5,
            // 195 triggers, 4 catch/status nodes and the subflow module's input.
            entries: 200,
            triggers: 195,
            error_handlers: 4,
            subflow_instances: 1,
            notes: 277,
            other: 165,
            manual_flows: 90,
            schedule_flows: 2,
            webhook_flows: 7,
            event_flows: 15,
            invoked_flows: 0,
            variables: 10,
            dangling_references: 1,
            // "TAB: 1st" and the subflow module's "Test Subflow"; the rest are file stems.
            labels_not_from_the_file_stem: 2,
        }
    );
}

#[test]
fn exactly_the_known_files_are_not_flows() {
    let invalid: Vec<(&str, &str, u32, &str)> = import_all()
        .iter()
        .filter(|o| o.imported.is_none())
        .map(|o| {
            assert_eq!(o.diagnostics.len(), 1, "{}: {:#?}", o.name, o.diagnostics);
            let d = &o.diagnostics[0];
            let line = d.location.as_ref().expect("located").start.line;
            (o.name.as_str(), d.code.as_str(), line, d.message.as_str())
        })
        .collect();
    assert_eq!(
        invalid,
        vec![(
            "test/resources/subflow/package/package.json",
            "FG005",
            1,
            "not a Node-RED flow: this object looks like an npm package.json"
        )]
    );
}

#[test]
fn the_subflow_module_is_read_as_a_flow() {
    let outcome = import_all()
        .iter()
        .find(|o| o.name == "test/resources/subflow/package/subflow.json")
        .expect("the subflow module is in the corpus");
    assert!(outcome.diagnostics.is_empty(), "{:#?}", outcome.diagnostics);
    let flow = &outcome.imported.as_ref().expect("a flow").flow;
    assert_eq!(flow.label.as_deref(), Some("Test Subflow"));
    let ids: Vec<&str> = flow.elements.iter().map(|e| e.id.value.as_str()).collect();
    assert_eq!(ids.len(), 5);
    let entries: Vec<&str> = flow.entries.iter().map(|e| e.value.as_str()).collect();
    // The node the subflow's input is wired to, then the catch node.
    assert_eq!(entries, vec!["2f1d674f.a02d28", "f4334f5f.4905c"]);
    assert_eq!(flow.trigger, FlowTrigger::Event("catch".into()));
}

#[test]
fn dangling_references_are_pinned() {
    let mut dangling: BTreeMap<&str, Vec<(u32, &str)>> = BTreeMap::new();
    for outcome in import_all() {
        for d in &outcome.diagnostics {
            if d.code == "FG013" {
                let line = d.location.as_ref().expect("located").start.line;
                dangling
                    .entry(outcome.name.as_str())
                    .or_default()
                    .push((line, d.message.as_str()));
            }
        }
    }
    // The link-out node on the first tab links to a second link-in node that was not exported.
    let expected: BTreeMap<&str, Vec<(u32, &str)>> = [(
        "packages/node_modules/@node-red/nodes/examples/common/link/02 - Link across tabs.json",
        vec![(
            1,
            "`links` refers to `f5fead9.12cdf5`, which is not a node of this flow",
        )],
    )]
    .into_iter()
    .collect();
    assert_eq!(dangling, expected);
}

#[test]
fn every_diagnostic_is_located() {
    for outcome in import_all() {
        for d in &outcome.diagnostics {
            let location = d.location.as_ref().unwrap_or_else(|| {
                panic!("{}: unlocated diagnostic {d:?}", outcome.name);
            });
            assert!(location.span.end as usize <= outcome.bytes.len());
        }
    }
}

#[test]
fn the_original_is_kept_byte_for_byte() {
    for outcome in import_all() {
        if let Some(imported) = &outcome.imported {
            assert_eq!(
                imported.flow.original.as_bytes(),
                outcome.bytes.as_slice(),
                "{}",
                outcome.name
            );
        }
    }
}

#[test]
fn element_ids_are_unique_and_connections_point_at_elements() {
    for outcome in import_all() {
        let Some(imported) = &outcome.imported else {
            continue;
        };
        let flow = &imported.flow;
        let mut ids = HashSet::new();
        for element in &flow.elements {
            assert!(ids.insert(element.id.value.as_str()), "{}", outcome.name);
        }
        for element in &flow.elements {
            for connection in &element.connections {
                assert!(
                    ids.contains(connection.target.value.as_str()),
                    "{}",
                    outcome.name
                );
            }
        }
    }
}

/// A real flow with two tabs and link nodes.
const MUTATED: &str =
    "packages/node_modules/@node-red/nodes/examples/common/link/02 - Link across tabs.json";

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn a_mutated_corpus_file_gives_located_diagnostics(
        cut in 0usize..100_000,
        len in 0usize..64,
        insert in proptest::collection::vec(any::<char>(), 0..6),
        truncate in any::<bool>(),
    ) {
        let path = Path::new(CORPUS).join(MUTATED);
        let original = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("the Node-RED corpus is missing: {}: {e}", path.display()));
        let text = common::mutate(&original, cut, len, &insert, truncate);
        let (imported, diagnostics) = node_red::import(&SourceText::new(MUTATED, text.clone()));
        if imported.is_none() {
            prop_assert!(!diagnostics.is_empty());
        }
        for d in &diagnostics {
            let location = d.location.as_ref();
            prop_assert!(location.is_some(), "unlocated: {d:?}");
            prop_assert!(location.is_some_and(|l| l.span.end as usize <= text.len()));
        }
        if let Some(imported) = imported {
            prop_assert_eq!(&*imported.flow.original, text.as_str());
        }
    }
}

//! The n8n importer against the real corpus: 2,050 community workflow exports
//! (`shared/corpus/n8n/zie619/workflows`, see `shared/corpus/SOURCES.md`).
//!
//! Every file imports without a panic, every diagnostic is located, the original text is kept
//! byte for byte, and the corpus-wide figures are pinned so that a change in the mapping shows
//! up here as a deliberate edit.

use crate::common;
use flowgate_diagnostics::{Diagnostic, Severity, SourceText};
use flowgate_load::dialects::{n8n, Imported};
use flowgate_model::flow::{ConnectionKind, ElementKind, ErrorHandling, FlowTrigger};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/corpus/n8n/zie619/workflows"
);

/// The corpus files, sorted by name. Fails (never skips) when the corpus is missing.
fn corpus_files() -> Vec<PathBuf> {
    let dir = Path::new(CORPUS);
    assert!(
        dir.is_dir(),
        "the n8n corpus is missing: expected {} (see shared/corpus/SOURCES.md)",
        dir.display()
    );
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read the corpus directory")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

struct Outcome {
    name: String,
    bytes: Vec<u8>,
    imported: Option<Imported>,
    diagnostics: Vec<Diagnostic>,
}

/// Every corpus file imported once, shared by the tests.
fn import_all() -> &'static [Outcome] {
    static OUTCOMES: OnceLock<Vec<Outcome>> = OnceLock::new();
    OUTCOMES.get_or_init(import_corpus)
}

fn import_corpus() -> Vec<Outcome> {
    corpus_files()
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).expect("read a corpus file");
            let text = String::from_utf8(bytes.clone()).expect("corpus files are UTF-8");
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let (imported, diagnostics) = n8n::import(&SourceText::new(name.clone(), text));
            Outcome {
                name,
                bytes,
                imported,
                diagnostics,
            }
        })
        .collect()
}

/// The ten files that are not workflow exports, with the code and line of their diagnostic.
/// Nine were rewritten by a tool into objects whose keys are lines of the original export
/// (`"\"nodes\""`); `ALL_unique_nodes.json` is `{}`.
const INVALID: &[(&str, &str, u32)] = &[
    (
        "AI Agent to chat with Airtable and analyze data.json",
        "FG005",
        2,
    ),
    (
        "AI-Driven Lead Management and Inquiry Automation with ERPNext & n8n.json",
        "FG005",
        4,
    ),
    ("ALL_unique_nodes.json", "FG005", 1),
    (
        "Automate Competitor Research with Exa.ai, Notion and AI Agents.json",
        "FG005",
        4,
    ),
    (
        "Detect toxic language in Telegram messages.json",
        "FG005",
        2,
    ),
    (
        "Host Your Own AI Deep Research Agent with n8n, Apify and OpenAI o3.json",
        "FG005",
        5,
    ),
    (
        "Parse PDF with LlamaParse and save to Airtable.json",
        "FG005",
        2,
    ),
    (
        "Recipe Recommendations with Qdrant and Mistral.json",
        "FG005",
        4,
    ),
    (
        "lemlist __ GPT-3_ Supercharge your sales workflows.json",
        "FG005",
        4,
    ),
    (
        "🔍 Perplexity Research to HTML_ AI-Powered Content Creation.json",
        "FG005",
        8,
    ),
];

#[derive(Debug, Default, PartialEq, Eq)]
struct Figures {
    files: usize,
    flows: usize,
    active: usize,
    elements: usize,
    connections: usize,
    disabled: usize,
    fault_connections: usize,
    auxiliary_connections: usize,
    path_error_handling: usize,
    entries: usize,
    webhook_flows: usize,
    schedule_flows: usize,
    manual_flows: usize,
    invoked_flows: usize,
    event_flows: usize,
    messages: usize,
    dangling_references: usize,
    duplicate_names: usize,
    syntax_errors: usize,
}

fn figures(outcomes: &[Outcome]) -> Figures {
    let mut f = Figures {
        files: outcomes.len(),
        ..Figures::default()
    };
    for outcome in outcomes {
        for d in &outcome.diagnostics {
            match d.code.as_str() {
                "FG002" => f.syntax_errors += 1,
                "FG013" if d.message.starts_with("two nodes") => f.duplicate_names += 1,
                "FG013" => f.dangling_references += 1,
                _ => {}
            }
        }
        let Some(imported) = &outcome.imported else {
            continue;
        };
        let flow = &imported.flow;
        f.flows += 1;
        f.active += usize::from(flow.active);
        f.entries += flow.entries.len();
        match flow.trigger {
            FlowTrigger::Webhook => f.webhook_flows += 1,
            FlowTrigger::Schedule => f.schedule_flows += 1,
            FlowTrigger::Manual => f.manual_flows += 1,
            FlowTrigger::Invoked => f.invoked_flows += 1,
            FlowTrigger::Event(_) => f.event_flows += 1,
            FlowTrigger::Record { .. } => unreachable!("n8n has no record triggers"),
        }
        for element in &flow.elements {
            f.elements += 1;
            f.disabled += usize::from(element.disabled);
            f.messages += usize::from(element.kind == ElementKind::Message);
            f.path_error_handling += usize::from(element.error_handling == ErrorHandling::Path);
            for connection in &element.connections {
                f.connections += 1;
                match connection.kind {
                    ConnectionKind::Fault => f.fault_connections += 1,
                    ConnectionKind::Auxiliary(_) => f.auxiliary_connections += 1,
                    _ => {}
                }
            }
        }
    }
    f
}

#[test]
fn the_whole_corpus_imports_with_pinned_figures() {
    let figures = figures(import_all());
    assert_eq!(
        figures,
        Figures {
            files: 2050,
            flows: 2040,
            active: 214,
            // 29,363 nodes less the earlier node of 4 duplicated names (n8n keeps the last).
            elements: 29_359,
            connections: 21_376,
            disabled: 179,
            fault_connections: 175,
            auxiliary_connections: 2_661,
            path_error_handling: 215,
            entries: 2_586,
            webhook_flows: 272,
            schedule_flows: 397,
            manual_flows: 541,
            invoked_flows: 109,
            event_flows: 721,
            messages: 960,
            dangling_references: 19,
            duplicate_names: 4,
            syntax_errors: 0,
        }
    );
}

#[test]
fn exactly_the_known_files_are_not_workflows() {
    let invalid: Vec<(&str, &str, u32)> = import_all()
        .iter()
        .filter(|o| o.imported.is_none())
        .map(|o| {
            assert_eq!(o.diagnostics.len(), 1, "{}: {:#?}", o.name, o.diagnostics);
            let d = &o.diagnostics[0];
            let expected = if o.name == "ALL_unique_nodes.json" {
                "the object has no `nodes` list"
            } else {
                "the keys carry their own quotes"
            };
            assert!(d.message.contains(expected), "{}: {d:?}", o.name);
            let line = d.location.as_ref().expect("located").start.line;
            (o.name.as_str(), d.code.as_str(), line)
        })
        .collect();
    assert_eq!(invalid, INVALID);
}

#[test]
fn files_with_broken_graphs_are_pinned() {
    // Warnings are marked with a negative line number.
    let mut broken: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for outcome in import_all() {
        for d in &outcome.diagnostics {
            if d.code == "FG013" {
                let line = i64::from(d.location.as_ref().expect("located").start.line);
                let line = match d.severity {
                    Severity::Warning => -line,
                    _ => line,
                };
                broken.entry(outcome.name.as_str()).or_default().push(line);
            }
        }
    }
    // Duplicate node names (1068, 1122, 1274, 636: at the earlier node, which n8n drops),
    // connections to node names that are not in the workflow (errors, at the reference) and
    // connections from such names (warnings, at the key).
    let expected: BTreeMap<&str, Vec<i64>> = [
        ("1068_workflow_1068.json", vec![4]),
        ("1122_workflow_1122.json", vec![4]),
        ("1274_workflow_1274.json", vec![4]),
        ("1349_workflow_1349.json", vec![112, -119, -157]),
        ("2383_workflow_2383.json", vec![-996]),
        ("2523_workflow_2523.json", vec![109, -134]),
        ("636_workflow_636.json", vec![4]),
        (
            "CCcz1G4G2yPwk1me_💥workflow_n8n_d'Auto-Post_sur_les_réseaux_sociaux_-_vide.json",
            vec![530],
        ),
        ("JJKkNnO4PQ12gQdE_Retry_Execution_Hourly.json", vec![-388, 415]),
        (
            "Xfz2YRxH6qFfpqHw_SEO_Blog_Generator_with_GPT-4o,_Perplexity,_and_Telegram_Integration.json",
            vec![449, 476, 498, 509, -549, -570, -581, 596, -603],
        ),
        ("mqindLlOy0A0e5aA_Outlook.json", vec![-218]),
    ]
    .into_iter()
    .collect();
    assert_eq!(broken, expected);
}

#[test]
fn every_diagnostic_is_located_and_free_of_credential_ids() {
    for outcome in import_all() {
        let text = std::str::from_utf8(&outcome.bytes).unwrap();
        let parsed: serde_json::Value = serde_json::from_str(text).unwrap();
        let mut credential_ids = Vec::new();
        if let Some(nodes) = parsed.get("nodes").and_then(|n| n.as_array()) {
            for node in nodes {
                if let Some(credentials) = node.get("credentials").and_then(|c| c.as_object()) {
                    for credential in credentials.values() {
                        if let Some(id) = credential.get("id").and_then(|i| i.as_str()) {
                            credential_ids.push(id.to_owned());
                        }
                    }
                }
            }
        }
        for d in &outcome.diagnostics {
            let location = d.location.as_ref().unwrap_or_else(|| {
                panic!("{}: unlocated diagnostic {d:?}", outcome.name);
            });
            assert!(location.span.end as usize <= text.len(), "{}", outcome.name);
            for id in &credential_ids {
                assert!(
                    id.len() < 4
                        || !(d.message.contains(id.as_str())
                            || d.help.as_deref().is_some_and(|h| h.contains(id.as_str()))),
                    "{}: a credential id leaked into {d:?}",
                    outcome.name
                );
            }
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
        let mut ids = std::collections::HashSet::new();
        for element in &flow.elements {
            assert!(ids.insert(element.id.value.as_str()), "{}", outcome.name);
        }
        for element in &flow.elements {
            for connection in &element.connections {
                assert!(
                    ids.contains(connection.target.value.as_str()),
                    "{}: {} → {}",
                    outcome.name,
                    element.id.value,
                    connection.target.value
                );
            }
        }
        for entry in &flow.entries {
            assert!(ids.contains(entry.value.as_str()), "{}", outcome.name);
        }
    }
}

/// A real, mid-sized workflow with an error output, AI ports and an `if`.
const MUTATED: &str = "1455_workflow_1455.json";

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
            .unwrap_or_else(|e| panic!("the n8n corpus is missing: {}: {e}", path.display()));
        let text = common::mutate(&original, cut, len, &insert, truncate);
        let (imported, diagnostics) = n8n::import(&SourceText::new(MUTATED, text.clone()));
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

//! The Salesforce Flow importer against the real corpus in `../shared/corpus/salesforce-flows`:
//! the 40 Lightning Flow Scanner example flows and the 13 trailheadapps samples.
//!
//! Every file imports without a panic and without an error, keeps its text byte for byte, and
//! lowers to pinned totals; two files are checked element by element against their XML (the
//! expected values were read off the files by hand). Broken variants (truncated, dangling
//! connector) are built in memory from corpus files: the corpus itself is never modified.

use flowgate_diagnostics::{Diagnostic, Severity, SourceText};
use flowgate_load::codes;
use flowgate_load::dialects::salesforce::{self, START_ID};
use flowgate_load::dialects::{self, Imported};
use flowgate_model::flow::{
    ConnectionKind, Dialect, ElementKind, ErrorHandling, Flow, FlowTrigger,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/corpus/salesforce-flows"
);
const LFS_FLOWS: &str = "lfs-core/force-app/main/default/flows";
const TRAILHEAD: &str = "trailheadapps";

fn corpus_dir(relative: &str) -> PathBuf {
    let dir = Path::new(CORPUS).join(relative);
    assert!(
        dir.is_dir(),
        "the Salesforce flow corpus is missing: {} does not exist. The tests read the shared \
         corpus (../shared/corpus, see its SOURCES.md) next to the project checkout; restore it \
         there rather than skipping these tests",
        dir.display()
    );
    dir
}

/// Every `*.flow-meta.xml` of the corpus, sorted by path.
fn corpus_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![corpus_dir(LFS_FLOWS)];
    let trailhead = corpus_dir(TRAILHEAD);
    for entry in std::fs::read_dir(&trailhead).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            dirs.push(path);
        }
    }
    for dir in dirs {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(".flow-meta.xml"))
            {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn display(path: &Path) -> String {
    path.strip_prefix(CORPUS)
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned()
}

fn import(path: &str, text: &str) -> (Option<Imported>, Vec<Diagnostic>) {
    dialects::import(Dialect::Salesforce, &SourceText::new(path, text))
}

/// Import one corpus file by name, expecting no diagnostic at all.
fn import_corpus(dir: &str, name: &str) -> Flow {
    let path = corpus_dir(dir).join(name);
    let (imported, diagnostics) = import(&display(&path), &read(&path));
    assert!(diagnostics.is_empty(), "{name}: {diagnostics:#?}");
    imported.unwrap().flow
}

fn trigger_name(trigger: &FlowTrigger) -> &'static str {
    match trigger {
        FlowTrigger::Record { .. } => "record",
        FlowTrigger::Schedule => "schedule",
        FlowTrigger::Event(_) => "event",
        FlowTrigger::Webhook => "webhook",
        FlowTrigger::Manual => "manual",
        FlowTrigger::Invoked => "invoked",
    }
}

fn connections(flow: &Flow, id: &str) -> Vec<(ConnectionKind, String)> {
    flow.element(id)
        .unwrap_or_else(|| panic!("no element {id}"))
        .connections
        .iter()
        .map(|c| (c.kind.clone(), c.target.value.clone()))
        .collect()
}

#[test]
fn whole_corpus_imports_cleanly_with_pinned_totals() {
    let files = corpus_files();
    let started = std::time::Instant::now();
    let mut flows = Vec::new();
    for path in &files {
        let text = read(path);
        let (imported, diagnostics) = import(&display(path), &text);
        let errors: Vec<&Diagnostic> = diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", display(path));
        assert!(
            diagnostics.is_empty(),
            "{}: {diagnostics:#?}",
            display(path)
        );
        let imported = imported.unwrap_or_else(|| panic!("{} did not import", display(path)));
        flows.push((path.clone(), text, imported));
    }
    let elapsed = started.elapsed();
    eprintln!("imported {} Salesforce flows in {elapsed:?}", files.len());

    assert_eq!(files.len(), 53, "40 LFS flows and 13 trailheadapps flows");
    let in_lfs = files
        .iter()
        .filter(|p| p.starts_with(corpus_dir(LFS_FLOWS)))
        .count();
    assert_eq!(in_lfs, 40);

    let mut elements = 0;
    let mut connections = 0;
    let mut variables = 0;
    let mut by_trigger: BTreeMap<&str, usize> = BTreeMap::new();
    let mut by_kind: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_connection: BTreeMap<String, usize> = BTreeMap::new();
    let mut with_fault_path = 0;
    let mut active = 0;
    for (path, text, imported) in &flows {
        let flow = &imported.flow;
        let name = display(path);
        // Round trip: the original is the file, byte for byte.
        assert_eq!(
            flow.original.as_bytes(),
            std::fs::read(path).unwrap().as_slice(),
            "{name}"
        );
        assert_eq!(&*flow.original, text.as_str());
        assert_eq!(flow.dialect, Dialect::Salesforce);
        // The id comes from the file name.
        let stem = path.file_name().unwrap().to_str().unwrap();
        assert_eq!(
            imported.id,
            stem.trim_end_matches(".flow-meta.xml"),
            "{name}"
        );
        assert_eq!(imported.name, flow.label);
        assert!(flow.label.is_some(), "{name} has a label");
        // Every flow of the corpus has a <start>: one Trigger element, the only entry.
        assert_eq!(flow.entries.len(), 1, "{name}");
        assert_eq!(flow.entries[0].value, START_ID);
        let triggers: Vec<_> = flow
            .elements
            .iter()
            .filter(|e| e.kind == ElementKind::Trigger)
            .collect();
        assert_eq!(triggers.len(), 1, "{name}");
        assert_eq!(triggers[0].platform_type, "start");
        for element in &flow.elements {
            // Spans point at the element and at its name.
            let whole = &text[element.span.start as usize..element.span.end as usize];
            assert!(
                whole.starts_with(&format!("<{}", element.platform_type)),
                "{name}"
            );
            if element.id.value != START_ID {
                let id = &text[element.id.span.start as usize..element.id.span.end as usize];
                assert_eq!(id, element.id.value, "{name}");
                assert_eq!(
                    salesforce::element_kind(&element.platform_type),
                    Some(element.kind)
                );
            }
            for connection in &element.connections {
                let target = &connection.target;
                assert_eq!(
                    &text[target.span.start as usize..target.span.end as usize],
                    target.value,
                    "{name}"
                );
                assert!(
                    flow.element(&target.value).is_some(),
                    "{name}: {}",
                    target.value
                );
                *by_connection
                    .entry(
                        format!("{:?}", connection.kind)
                            .split('(')
                            .next()
                            .unwrap()
                            .to_owned(),
                    )
                    .or_default() += 1;
            }
            *by_kind.entry(format!("{:?}", element.kind)).or_default() += 1;
            if element.error_handling == ErrorHandling::Path {
                with_fault_path += 1;
            }
        }
        elements += flow.elements.len();
        connections += flow
            .elements
            .iter()
            .map(|e| e.connections.len())
            .sum::<usize>();
        variables += flow.variables.len();
        *by_trigger.entry(trigger_name(&flow.trigger)).or_default() += 1;
        active += usize::from(flow.active);
    }
    // Totals, cross-checked with grep over the corpus: 171 elements (`^    <tag>` lines of
    // the element tags, `transforms` included) plus 53 starts; 210 connectors and 210
    // `<targetReference`s; 109 resources (`variables`, `formulas`, `constants`,
    // `textTemplates`, `choices`, `dynamicChoiceSets`); 24 `faultConnector`s; 9 flows in
    // `Draft` or `InvalidDraft`.
    assert_eq!(elements, 224);
    assert_eq!(connections, 210);
    assert_eq!(variables, 109);
    assert_eq!(with_fault_path, 24);
    assert_eq!(active, 44);
    // 15 LFS and 4 trailheadapps flows have processType `Flow`; 4 have a record trigger
    // (Make_Recursive, OCR_Flow, Same_Record_Field_Updates, Unconnected_Element_Async).
    let expected: BTreeMap<&str, usize> = [("invoked", 30), ("manual", 19), ("record", 4)]
        .into_iter()
        .collect();
    assert_eq!(by_trigger, expected);
    let expected: BTreeMap<String, usize> = [
        ("Action", 25),
        ("Assignment", 39),
        ("Decision", 18),
        ("Loop", 6),
        ("RecordCreate", 17),
        ("RecordRead", 25),
        ("RecordUpdate", 8),
        ("Screen", 33),
        ("Trigger", 53),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    assert_eq!(by_kind, expected);
    let expected: BTreeMap<String, usize> = [
        ("Default", 10),
        ("Fault", 24),
        ("LoopBody", 5),
        ("LoopDone", 4),
        ("Next", 124),
        ("Outcome", 42),
        ("Scheduled", 1),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    assert_eq!(by_connection, expected);
}

/// Read off the file: one quick action without a fault connector, started by `start`.
#[test]
fn missing_error_handler_by_hand() {
    let flow = import_corpus(LFS_FLOWS, "Missing_Error_Handler.flow-meta.xml");
    assert_eq!(flow.label.as_deref(), Some("Missing Error Handler"));
    assert_eq!(
        flow.description.as_deref(),
        Some("This flow demonstrates a violation of the rule \"Missing Error Handler\".")
    );
    assert!(flow.active);
    assert_eq!(flow.trigger, FlowTrigger::Invoked);
    let ids: Vec<&str> = flow.elements.iter().map(|e| e.id.value.as_str()).collect();
    assert_eq!(ids, ["log_call", START_ID]);
    let call = flow.element("log_call").unwrap();
    assert_eq!(call.kind, ElementKind::Action);
    assert_eq!(call.platform_type, "actionCalls");
    assert_eq!(call.label.as_deref(), Some("log call"));
    assert!(call.connections.is_empty());
    assert_eq!(call.error_handling, ErrorHandling::Stop);
    assert_eq!(
        connections(&flow, START_ID),
        [(ConnectionKind::Next, "log_call".to_owned())]
    );
    assert_eq!(flow.entries[0].value, START_ID);
    assert!(flow.variables.is_empty());
    // The one non-trigger element.
    let work = flow
        .elements
        .iter()
        .filter(|e| e.kind != ElementKind::Trigger)
        .count();
    assert_eq!(work, 1);
}

/// Read off the file: a loop whose body assigns and whose end inserts, with a fault path.
#[test]
fn loop_flow_by_hand() {
    let flow = import_corpus(LFS_FLOWS, "DML_Statement_In_A_Loop_Fixed.flow-meta.xml");
    let ids: Vec<(&str, ElementKind)> = flow
        .elements
        .iter()
        .map(|e| (e.id.value.as_str(), e.kind))
        .collect();
    assert_eq!(
        ids,
        [
            ("create_case_manually", ElementKind::Action),
            ("createNewCaseAssignment", ElementKind::Assignment),
            ("aLoop", ElementKind::Loop),
            ("insert_cases", ElementKind::RecordCreate),
            (START_ID, ElementKind::Trigger),
        ]
    );
    let owned = |kind: ConnectionKind, target: &str| (kind, target.to_owned());
    assert_eq!(
        connections(&flow, "aLoop"),
        [
            owned(ConnectionKind::LoopBody, "createNewCaseAssignment"),
            owned(ConnectionKind::LoopDone, "insert_cases"),
        ]
    );
    assert_eq!(
        connections(&flow, "createNewCaseAssignment"),
        [owned(ConnectionKind::Next, "aLoop")]
    );
    assert_eq!(
        connections(&flow, "insert_cases"),
        [owned(ConnectionKind::Fault, "create_case_manually")]
    );
    assert_eq!(
        flow.element("insert_cases").unwrap().error_handling,
        ErrorHandling::Path
    );
    assert!(connections(&flow, "create_case_manually").is_empty());
    assert_eq!(
        connections(&flow, START_ID),
        [owned(ConnectionKind::Next, "aLoop")]
    );
    let variables: Vec<(&str, Option<&str>)> = flow
        .variables
        .iter()
        .map(|v| (v.name.value.as_str(), v.data_type.as_deref()))
        .collect();
    assert_eq!(
        variables,
        [
            ("Accounts", Some("SObject")),
            ("newCase", Some("SObject")),
            ("newCases", Some("SObject")),
            ("task", Some("SObject")),
        ]
    );
    assert!(flow.variables.iter().all(|v| v.declaration == "variables"));
}

/// Read off the file: a record-triggered flow whose only path is the asynchronous one, with
/// a decision outcome and a fault path.
#[test]
fn record_triggered_scheduled_path_by_hand() {
    let flow = import_corpus(LFS_FLOWS, "Unconnected_Element_Async.flow-meta.xml");
    assert_eq!(
        flow.trigger,
        FlowTrigger::Record {
            object: Some("User".to_owned()),
            timing: "RecordAfterSave".to_owned(),
            event: Some("Update".to_owned()),
            has_entry_criteria: false,
        }
    );
    assert!(!flow.active, "InvalidDraft");
    let owned = |kind: ConnectionKind, target: &str| (kind, target.to_owned());
    assert_eq!(
        connections(&flow, START_ID),
        [owned(
            ConnectionKind::Scheduled("AsyncAfterCommit".to_owned()),
            "Get_Standard_User"
        )]
    );
    assert_eq!(
        connections(&flow, "Get_Standard_User"),
        [
            owned(ConnectionKind::Next, "Validate_User_is_Inactive"),
            owned(ConnectionKind::Fault, "Error"),
        ]
    );
    assert_eq!(
        connections(&flow, "Validate_User_is_Inactive"),
        [owned(
            ConnectionKind::Outcome("User_is_Inactive".to_owned()),
            "Update_User_Information"
        )]
    );
    // The element the scanner flags: nothing connects to it.
    let targets: Vec<&str> = flow
        .elements
        .iter()
        .flat_map(|e| e.connections.iter().map(|c| c.target.value.as_str()))
        .collect();
    assert!(!targets.contains(&"UnconnectedElementTestOnAsync"));
    assert!(flow.element("UnconnectedElementTestOnAsync").is_some());
}

#[test]
fn truncated_corpus_files_are_located_syntax_errors() {
    for path in corpus_files() {
        let text = read(&path);
        let name = display(&path);
        let mut cuts = vec![text.len() / 2, text.len().saturating_sub(3)];
        if let Some(at) = text.find("<targetReference>") {
            cuts.push(at + "<targetRef".len());
        }
        for cut in cuts {
            let Some(prefix) = (0..=cut).rev().find_map(|end| text.get(..end)) else {
                continue;
            };
            let (imported, diagnostics) = import(&name, prefix);
            assert!(imported.is_none(), "{name} cut at {cut}");
            assert!(!diagnostics.is_empty(), "{name} cut at {cut}");
            for d in &diagnostics {
                assert_eq!(d.code, codes::SYNTAX, "{name} cut at {cut}: {d:#?}");
                let location = d.location.as_ref().expect("located");
                assert_eq!(location.path, name);
                assert!(location.start.line >= 1);
                assert!(location.span.end as usize <= prefix.len());
            }
        }
    }

    // One cut pinned by hand: Missing_Error_Handler.flow-meta.xml ends on line 45 at
    // `    <status>Act`, leaving `<status>` (line 45, column 6) and `<Flow>` unclosed.
    let path = corpus_dir(LFS_FLOWS).join("Missing_Error_Handler.flow-meta.xml");
    let text = read(&path);
    let cut = text.find("<status>Act").unwrap() + "<status>Act".len();
    let (imported, diagnostics) = import("Missing_Error_Handler.flow-meta.xml", &text[..cut]);
    assert!(imported.is_none());
    let first = &diagnostics[0];
    assert_eq!(first.code, codes::SYNTAX);
    let location = first.location.as_ref().unwrap();
    assert_eq!(
        (location.start.line, location.start.column),
        (45, 6),
        "{diagnostics:#?}"
    );
    assert!(first.message.contains("<status>"), "{}", first.message);

    // Every prefix of one whole file: never a panic, always a located error.
    let complete = text.rfind("</Flow>").unwrap() + "</Flow>".len();
    for end in (0..complete).filter(|&end| text.is_char_boundary(end)) {
        let (imported, diagnostics) = import("cut.flow-meta.xml", &text[..end]);
        assert!(imported.is_none(), "cut at {end}");
        assert!(
            diagnostics
                .iter()
                .any(|d| d.code == codes::SYNTAX && d.location.is_some()),
            "cut at {end}"
        );
    }
}

#[test]
fn dangling_connector_in_a_corpus_flow_is_located() {
    // Missing_Error_Handler.flow-meta.xml, line 42: `            <targetReference>log_call`
    // (12 spaces, then 17 characters of tag: the name starts at column 30).
    let path = corpus_dir(LFS_FLOWS).join("Missing_Error_Handler.flow-meta.xml");
    let text = read(&path).replace(
        "<targetReference>log_call</targetReference>",
        "<targetReference>log_cal</targetReference>",
    );
    let (imported, diagnostics) = import("Missing_Error_Handler.flow-meta.xml", &text);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    let d = &diagnostics[0];
    assert_eq!(d.code, codes::STEP_GRAPH);
    assert_eq!(d.severity, Severity::Error);
    let location = d.location.as_ref().unwrap();
    assert_eq!((location.start.line, location.start.column), (42, 30));
    assert_eq!((location.end.line, location.end.column), (42, 37));
    assert_eq!(d.help.as_deref(), Some("did you mean `log_call`?"));
    // The flow still imports, with the connection as written.
    let flow = imported.unwrap().flow;
    assert_eq!(
        connections(&flow, START_ID),
        [(ConnectionKind::Next, "log_cal".to_owned())]
    );
}

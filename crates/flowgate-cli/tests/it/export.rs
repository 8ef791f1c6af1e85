//! `flowgate export` writes imported platform files back byte for byte.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A workspace with default globs and an SFDX flows folder; returns it and that folder.
fn salesforce_workspace() -> (tempfile::TempDir, PathBuf) {
    let workspace = tempfile::tempdir().unwrap();
    std::fs::write(
        workspace.path().join("flowgate.toml"),
        "[workspace]\nname = \"sf\"\n",
    )
    .unwrap();
    let flows = workspace.path().join("force-app/main/default/flows");
    std::fs::create_dir_all(&flows).unwrap();
    (workspace, flows)
}

/// `flowgate -C <workspace> export <target>`.
fn export(workspace: &Path, target: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flowgate"))
        .arg("-C")
        .arg(workspace)
        .arg("export")
        .arg(target)
        .output()
        .unwrap()
}

#[test]
fn salesforce_flows_round_trip_through_import_and_export() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/salesforce-flows/lfs-core/force-app/main/default/flows");
    assert!(corpus.is_dir(), "corpus missing: {}", corpus.display());
    let (workspace, flows) = salesforce_workspace();
    let mut count = 0;
    for entry in std::fs::read_dir(&corpus).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), flows.join(entry.file_name())).unwrap();
        count += 1;
    }
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("export");
    let run = export(workspace.path(), &target);
    assert!(run.status.success(), "{run:?}");
    assert_eq!(
        String::from_utf8_lossy(&run.stdout).trim(),
        format!("exported {count} flows to {}", target.display())
    );
    for entry in std::fs::read_dir(&corpus).unwrap() {
        let entry = entry.unwrap();
        let exported = std::fs::read(
            target
                .join("force-app/main/default/flows")
                .join(entry.file_name()),
        )
        .unwrap();
        assert_eq!(
            exported,
            std::fs::read(entry.path()).unwrap(),
            "{:?}",
            entry.file_name()
        );
    }
    // A second export into the same, now non-empty directory is refused.
    let again = export(workspace.path(), &target);
    assert_eq!(again.status.code(), Some(2));
}

/// A flow with element types flowgate does not know (an API 51 orchestration's
/// `steppedStages`, a made-up later one) is read by their shape and exported unchanged.
#[test]
fn unknown_salesforce_element_types_do_not_block_export() {
    let (workspace, flows) = salesforce_workspace();
    let text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
        <Flow xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n\
        <apiVersion>51.0</apiVersion>\n<label>Onboarding</label>\n\
        <processType>Orchestrator</processType>\n\
        <start><connector><targetReference>Collect</targetReference></connector></start>\n\
        <status>Active</status>\n\
        <steppedStages><name>Collect</name><locationX>0</locationX><locationY>0</locationY>\
        <connector><targetReference>Approve</targetReference></connector>\
        <steps><name>Collect_Documents</name><actionName>Collect_Docs</actionName>\
        <actionType>stepInteractive</actionType></steps></steppedStages>\n\
        <quorumGates><name>Approve</name><locationX>0</locationX><locationY>200</locationY>\
        <quorum>2</quorum></quorumGates>\n</Flow>\n";
    std::fs::write(flows.join("Onboarding.flow-meta.xml"), text).unwrap();
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("export");
    let run = export(workspace.path(), &target);
    assert!(run.status.success(), "{run:?}");
    let exported = target.join("force-app/main/default/flows/Onboarding.flow-meta.xml");
    assert_eq!(std::fs::read_to_string(exported).unwrap(), text);
}

//! `flowgate export` writes imported platform files back byte for byte.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::Path;
use std::process::Command;

#[test]
fn salesforce_flows_round_trip_through_import_and_export() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/salesforce-flows/lfs-core/force-app/main/default/flows");
    assert!(corpus.is_dir(), "corpus missing: {}", corpus.display());
    let workspace = tempfile::tempdir().unwrap();
    std::fs::write(
        workspace.path().join("flowgate.toml"),
        "[workspace]\nname = \"sf\"\n",
    )
    .unwrap();
    let flows = workspace.path().join("force-app/main/default/flows");
    std::fs::create_dir_all(&flows).unwrap();
    let mut count = 0;
    for entry in std::fs::read_dir(&corpus).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), flows.join(entry.file_name())).unwrap();
        count += 1;
    }
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("export");
    let run = Command::new(env!("CARGO_BIN_EXE_flowgate"))
        .arg("-C")
        .arg(workspace.path())
        .arg("export")
        .arg(&target)
        .output()
        .unwrap();
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
    let again = Command::new(env!("CARGO_BIN_EXE_flowgate"))
        .arg("-C")
        .arg(workspace.path())
        .arg("export")
        .arg(&target)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
}

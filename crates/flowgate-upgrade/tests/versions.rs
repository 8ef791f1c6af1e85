//! Finding a version's contracts folder: the exact version, else the longest folder the
//! version starts with at a separator.
#![allow(clippy::unwrap_used, missing_docs)]

use flowgate_upgrade::version_dir;

#[test]
fn a_patch_version_uses_its_release_folder() {
    let dir = tempfile::tempdir().unwrap();
    for v in ["2.4", "2.4.6", "2.4.60", "2.4.8"] {
        std::fs::create_dir_all(dir.path().join("contracts/magento").join(v)).unwrap();
    }
    let found = |v: &str| {
        version_dir(dir.path(), "magento", v)
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
    };
    assert_eq!(found("2.4.6-p4").as_deref(), Some("2.4.6"));
    assert_eq!(found("2.4.8").as_deref(), Some("2.4.8"));
    assert_eq!(found("2.4.60-p1").as_deref(), Some("2.4.60"));
    assert_eq!(
        found("2.4.7").as_deref(),
        Some("2.4"),
        "2.4.7 falls back to the 2.4 folder"
    );
    assert_eq!(found("3.0.0"), None);
    assert_eq!(version_dir(dir.path(), "erp", "1.0"), None);
}

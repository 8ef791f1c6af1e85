//! Workspace discovery: globs, exclusions, skipped directories and the editor schema file.

use flowgate_load::{asset_files, load_workspace, Workspace};
use std::path::{Path, PathBuf};

fn workspace(config: &str, files: &[&str]) -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("flowgate.toml"), config).unwrap();
    for (i, file) in files.iter().enumerate() {
        let path = dir.path().join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, format!("kind: Tag\nid: t{i}\n")).unwrap();
    }
    let ws = Workspace::open(dir.path()).unwrap();
    (dir, ws)
}

fn names(ws: &Workspace) -> Vec<PathBuf> {
    asset_files(ws)
        .unwrap()
        .into_iter()
        .map(|f| f.path)
        .collect()
}

#[test]
fn a_single_star_does_not_cross_directories() {
    let (_dir, ws) = workspace(
        "[workspace]\nname = \"t\"\nassets = [\"assets/*.yaml\"]\n",
        &["assets/a.yaml", "assets/forms/b.yaml"],
    );
    assert_eq!(names(&ws), [Path::new("assets/a.yaml")]);
}

#[test]
fn hidden_build_and_dependency_directories_are_skipped() {
    let (_dir, ws) = workspace(
        "[workspace]\nname = \"t\"\n",
        &[
            "a.yaml",
            ".git/x.yaml",
            ".flowgate/y.yaml",
            "target/z.yaml",
            "node_modules/m/w.yaml",
            "sub/b.yml",
        ],
    );
    assert_eq!(names(&ws), [Path::new("a.yaml"), Path::new("sub/b.yml")]);
}

#[test]
fn excludes_apply_and_the_editor_schema_is_never_an_asset() {
    let (dir, ws) = workspace(
        "[workspace]\nname = \"t\"\nexclude = [\"drafts/**\"]\n",
        &["a.yaml", "drafts/b.yaml"],
    );
    std::fs::write(
        dir.path().join("flowgate.schema.json"),
        flowgate_load::schema::asset_schema_text(),
    )
    .unwrap();
    assert_eq!(names(&ws), [Path::new("a.yaml")]);
    assert!(load_workspace(&ws).diagnostics.is_empty());
}

#[test]
fn json_assets_may_name_the_schema() {
    let (dir, ws) = workspace("[workspace]\nname = \"t\"\n", &[]);
    std::fs::write(
        dir.path().join("tags.json"),
        r#"{"$schema": "flowgate.schema.json", "kind": "Tag", "id": "vip"}"#,
    )
    .unwrap();
    let loaded = load_workspace(&ws);
    assert!(loaded.diagnostics.is_empty(), "{:#?}", loaded.diagnostics);
    assert_eq!(loaded.model.assets().len(), 1);
}

#[test]
fn discovery_walks_up_to_the_nearest_flowgate_toml() {
    let (dir, _) = workspace("[workspace]\nname = \"up\"\n", &["deep/er/a.yaml"]);
    let found = Workspace::discover(&dir.path().join("deep/er")).unwrap();
    assert_eq!(found.config.workspace.name, "up");
    assert!(Workspace::discover(Path::new("/")).is_err());
}

#[test]
fn platform_globs_win_over_native_globs() {
    let (dir, ws) = workspace(
        "[workspace]\nname = \"t\"\nn8n = [\"n8n/**/*.json\"]\nnode_red = [\"node-red/*.json\"]\n",
        &["a.yaml"],
    );
    for (path, text) in [
        ("n8n/w.json", r#"{"name": "W", "nodes": [], "connections": {}}"#),
        ("node-red/f.json", r#"[{"id": "t", "type": "tab", "label": "Main"}]"#),
        ("force-app/main/default/flows/F.flow-meta.xml", "<?xml version=\"1.0\"?>\n<Flow xmlns=\"http://soap.sforce.com/2006/04/metadata\"><label>F</label><status>Active</status></Flow>\n"),
    ] {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let files = asset_files(&ws).unwrap();
    let formats: Vec<_> = files
        .iter()
        .map(|f| (f.path.to_string_lossy().into_owned(), f.format))
        .collect();
    use flowgate_load::FileFormat::*;
    use flowgate_model::flow::Dialect::*;
    assert_eq!(
        formats,
        [
            ("a.yaml".to_owned(), Native),
            (
                "force-app/main/default/flows/F.flow-meta.xml".to_owned(),
                Platform(Salesforce)
            ),
            ("n8n/w.json".to_owned(), Platform(N8n)),
            ("node-red/f.json".to_owned(), Platform(NodeRed)),
        ]
    );
    let loaded = load_workspace(&ws);
    assert!(!loaded.has_errors(), "{:#?}", loaded.diagnostics);
    let kinds: Vec<_> = loaded
        .model
        .of_kind(flowgate_model::AssetKind::Flow)
        .map(|a| a.id.as_str().to_owned())
        .collect();
    assert_eq!(kinds, ["F", "f", "w"]);
}

#[test]
fn sfdx_project_files_are_found_but_never_assets() {
    let (dir, ws) = workspace(
        "[workspace]\nname = \"t\"\nexclude = [\"old/**\"]\n",
        &["a.yaml"],
    );
    for path in [
        "sfdx-project.json",
        "sub/sfdx-project.json",
        "old/sfdx-project.json",
    ] {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, r#"{"packageDirectories": [{"path": "force-app"}]}"#).unwrap();
    }
    let found = flowgate_load::discover(&ws).unwrap();
    assert_eq!(names(&ws), [Path::new("a.yaml")]);
    assert_eq!(
        found.sfdx_projects,
        [
            Path::new("sfdx-project.json"),
            Path::new("sub/sfdx-project.json")
        ]
    );
    assert!(load_workspace(&ws).diagnostics.is_empty());
}

#[test]
fn other_tools_files_are_never_assets_even_under_the_default_globs() {
    let (_dir, ws) = workspace(
        "[workspace]\nname = \"t\"\n",
        &[
            "a.json",
            "package.json",
            "package-lock.json",
            "tsconfig.json",
            "config/project-scratch-def.json",
            ".eslintrc.json",
            "force-app/lwc/.eslintrc.json",
            "sub/.prettierrc.yaml",
        ],
    );
    assert_eq!(names(&ws), [Path::new("a.json")]);
}

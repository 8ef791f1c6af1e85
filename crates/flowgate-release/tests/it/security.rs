//! Security of rendering and deploying: a snapshot whose names would lead outside the deploy
//! target is refused with nothing written, rendering is capped and shares object bytes,
//! environment values may not hold credentials, deployed files are private, `status` never
//! follows links in a live release, and an imported snapshot's claimed check counts are not
//! trusted.

use flowgate_diagnostics::SourceText;
use flowgate_release::{
    render, DeployTarget, DirectoryTarget, Policy, Promotions, ReleaseError, Rendered,
    MAX_RENDERED_BYTES, MAX_RENDERED_FILES,
};
use flowgate_store::{snapshot_id, AnyStore, Entry, Object, Snapshot, SnapshotOrigin, Store};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

// ---- fixtures ---------------------------------------------------------------------------------

const CONFIG: &str = r#"
[workspace]
name = "acme"

[people.tom]
roles = ["builder"]

[environments.dev]
target = { type = "directory", path = "ws/deploy/dev" }
"#;

fn policy_from(text: &str, root: &Path) -> Result<Policy, Vec<flowgate_diagnostics::Diagnostic>> {
    let config = flowgate_load::parse_config(text).unwrap();
    let source = SourceText::new("flowgate.toml", text);
    Policy::from_config(&config, &source, root)
}

struct World {
    dir: tempfile::TempDir,
    store: AnyStore,
    policy: Policy,
}

impl World {
    async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = flowgate_store::open_store(dir.path().join("store.db").to_str().unwrap())
            .await
            .unwrap();
        let policy = policy_from(CONFIG, dir.path()).unwrap();
        Self { dir, store, policy }
    }

    fn promotions(&self) -> Promotions<'_, AnyStore> {
        Promotions::new(&self.store, &self.policy, chrono::Utc::now())
    }

    fn target(&self) -> PathBuf {
        self.dir.path().join("ws/deploy/dev")
    }
}

/// A snapshot built in memory, as a crafted export or an altered database would hand it
/// over: the store's own checks are not in the way, so these tests hold the release crate
/// to its own.
fn crafted(bundle: &str, entries: Vec<Entry>, manifest: Value) -> Snapshot {
    Snapshot {
        id: snapshot_id(bundle, "1.0.0", &entries),
        bundle: bundle.to_owned(),
        version: "1.0.0".to_owned(),
        created_at: "2026-11-20T09:00:00Z".parse().unwrap(),
        author: "tom".to_owned(),
        manifest,
        entries,
        origin: SnapshotOrigin::Local,
    }
}

fn entry(kind: &str, id: &str, object: &Object, path: Option<&str>) -> Entry {
    Entry {
        kind: kind.to_owned(),
        id: id.to_owned(),
        object: object.id(),
        path: path.map(str::to_owned),
    }
}

/// Every path under `root`, links not followed.
fn tree(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = e.path();
            if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
                stack.push(path.clone());
            }
            out.push(path);
        }
    }
    out.sort();
    out
}

/// The store's files only (SQLite may add -wal and -shm).
fn only_store_files(root: &Path) -> bool {
    tree(root).iter().all(|p| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("store.db"))
    })
}

const UP: &str = "../../../../../../../../../../../..";

// ---- paths (nothing written outside the target) -----------------------------------------------

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn traversal_in_kind_id_path_dialect_or_bundle_is_refused_and_nothing_is_written() {
    runtime().block_on(traversal_is_refused());
}

async fn traversal_is_refused() {
    let world = World::new().await;
    let doc = Object::from_json(&json!({ "kind": "Tag", "id": "x", "name": "X" }));
    let flow = Object::new(b"<Flow/>".to_vec());
    world
        .store
        .put_objects(&[doc.clone(), flow.clone()])
        .await
        .unwrap();
    let outside = world.dir.path().join("OUTSIDE");
    let escape = format!("{UP}{}", outside.display());
    let cases = vec![
        (
            "kind",
            crafted("pwn", vec![entry(&escape, "k", &doc, None)], json!({})),
        ),
        (
            "id",
            crafted("pwn", vec![entry("Tag", &escape, &doc, None)], json!({})),
        ),
        (
            "path",
            crafted(
                "pwn",
                vec![entry("Flow", "evil", &flow, Some("flows/.."))],
                json!({ "platform_flows": { "evil": "salesforce" } }),
            ),
        ),
        (
            "backslash path",
            crafted(
                "pwn",
                vec![entry("Flow", "evil", &flow, Some("flows/..\\..\\x.xml"))],
                json!({ "platform_flows": { "evil": "salesforce" } }),
            ),
        ),
        (
            "dialect",
            crafted(
                "pwn",
                vec![entry("Flow", "evil", &flow, Some("flows/a.flow-meta.xml"))],
                json!({ "platform_flows": { "evil": escape } }),
            ),
        ),
        (
            "bundle",
            crafted(&escape, vec![entry("Tag", "x", &doc, None)], json!({})),
        ),
    ];
    for (what, snapshot) in cases {
        let planned = world.promotions().plan(&snapshot, "dev", Some("tom")).await;
        match planned {
            Err(ReleaseError::UnsafePath { what: holder, path }) => {
                let message = format!("{holder} {path}");
                assert!(message.contains(".."), "{what}: {message}");
            }
            other => panic!("{what}: expected UnsafePath, got {:?}", other.map(|r| r.id)),
        }
        assert!(
            only_store_files(world.dir.path()),
            "{what}: {:?}",
            tree(world.dir.path())
        );
        assert!(!world.target().exists(), "{what}");
    }
}

#[test]
fn render_refuses_a_traversing_entry_naming_it() {
    let policy = policy_from(CONFIG, Path::new("/ws")).unwrap();
    let env = policy.environment("dev").unwrap();
    let doc = Object::from_json(&json!({ "kind": "Tag", "id": "x" }));
    let snapshot = crafted(
        "pwn",
        vec![entry("Tag", "../../etc/cron.d/x", &doc, None)],
        json!({}),
    );
    let objects = BTreeMap::from([(
        "../../etc/cron.d/x".to_owned(),
        Arc::<[u8]>::from(doc.bytes()),
    )]);
    let error = render(&snapshot, &objects, env).unwrap_err();
    let text = error.to_string();
    assert!(text.contains("../../etc/cron.d/x.json"), "{text}");
    assert!(text.contains("nothing was rendered or written"), "{text}");
}

fn rendered_with(files: &[(&str, &[u8])]) -> Rendered {
    Rendered {
        files: files
            .iter()
            .map(|(p, b)| ((*p).to_owned(), Arc::<[u8]>::from(*b)))
            .collect(),
        documents: BTreeMap::new(),
        problems: Vec::new(),
        unused_values: Vec::new(),
    }
}

#[test]
fn stage_refuses_unsafe_files_and_bundles_before_making_anything() {
    let dir = tempfile::tempdir().unwrap();
    let target = DirectoryTarget::new(dir.path().join("deploy"));
    for bad in [
        "../../escape.json",
        "/tmp/escape.json",
        "assets/../../x",
        "a\\..\\x",
        "",
    ] {
        let rendered = rendered_with(&[("assets/tag/ok.json", b"{}"), (bad, b"pwned")]);
        let error = target.stage("ok", &rendered, &json!({})).unwrap_err();
        assert!(error.to_string().contains("refuses"), "{bad:?}: {error}");
        assert!(
            tree(dir.path()).is_empty(),
            "{bad:?}: {:?}",
            tree(dir.path())
        );
    }
    let rendered = rendered_with(&[("assets/tag/ok.json", b"{}")]);
    for bad in ["../../BUNDLE_ESCAPE", ".releases", "a/b", "", "."] {
        let error = target.stage(bad, &rendered, &json!({})).unwrap_err();
        assert!(
            error.to_string().contains("bundle name"),
            "{bad:?}: {error}"
        );
        assert!(
            tree(dir.path()).is_empty(),
            "{bad:?}: {:?}",
            tree(dir.path())
        );
        assert!(target.inspect(bad).is_err(), "{bad:?}");
    }
}

// ---- amplification ----------------------------------------------------------------------------

fn platform_snapshot(entries: usize, object: &Object) -> Snapshot {
    let list: Vec<Entry> = (0..entries)
        .map(|i| {
            let id = format!("f{i}");
            entry(
                "Flow",
                &id,
                object,
                Some(&format!("flows/{id}.flow-meta.xml")),
            )
        })
        .collect();
    let flows: serde_json::Map<String, Value> = list
        .iter()
        .map(|e| (e.id.clone(), json!("salesforce")))
        .collect();
    crafted("bomb", list, json!({ "platform_flows": flows }))
}

fn shared(snapshot: &Snapshot, bytes: &Arc<[u8]>) -> BTreeMap<String, Arc<[u8]>> {
    snapshot
        .entries
        .iter()
        .map(|e| (e.id.clone(), Arc::clone(bytes)))
        .collect()
}

#[test]
fn rendering_shares_object_bytes_between_entries() {
    let policy = policy_from(CONFIG, Path::new("/ws")).unwrap();
    let env = policy.environment("dev").unwrap();
    let object = Object::new(vec![b'x'; 1 << 16]);
    let bytes = Arc::<[u8]>::from(object.bytes());
    let snapshot = platform_snapshot(100, &object);
    let rendered = render(&snapshot, &shared(&snapshot, &bytes), env).unwrap();
    assert_eq!(rendered.files.len(), 100);
    assert!(rendered.files.values().all(|b| Arc::ptr_eq(b, &bytes)));
}

#[test]
fn rendering_is_capped_in_bytes_and_files_before_anything_is_rendered() {
    let policy = policy_from(CONFIG, Path::new("/ws")).unwrap();
    let env = policy.environment("dev").unwrap();
    // 1025 entries naming one 1 MiB object: more than 1 GiB once deployed.
    let object = Object::new(vec![b'x'; 1 << 20]);
    let bytes = Arc::<[u8]>::from(object.bytes());
    let entries = usize::try_from(MAX_RENDERED_BYTES >> 20).unwrap() + 1;
    let snapshot = platform_snapshot(entries, &object);
    let started = std::time::Instant::now();
    let error = render(&snapshot, &shared(&snapshot, &bytes), env).unwrap_err();
    assert!(matches!(error, ReleaseError::TooLarge(_)), "{error}");
    assert!(error.to_string().contains("1024 MiB"), "{error}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));

    let tiny = Object::new(b"<Flow/>".to_vec());
    let snapshot = platform_snapshot(MAX_RENDERED_FILES + 1, &tiny);
    let error = render(&snapshot, &shared(&snapshot, &Arc::from(tiny.bytes())), env).unwrap_err();
    assert!(error.to_string().contains("50000"), "{error}");
}

// ---- environment values -----------------------------------------------------------------------

const STRIPE: &str = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";
const BEARER: &str = "Bearer abcdefghijklmnopqrstuvwxyz0123456789";

#[test]
fn literal_secrets_in_environment_values_are_refused_masked_and_located() {
    let text = format!(
        "{CONFIG}[environments.dev.values]\n\
         \"crm-lead-sync.auth.secret\" = \"{STRIPE}\"\n\
         \"crm-lead-sync.headers.Authorization\" = \"{BEARER}\"\n\
         \"crm-lead-sync.auth\" = {{ password = 12345 }}\n\
         \"welcome.footer\" = \"see https://admin:hunter22secret@crm.example/x\"\n\
         \"welcome.from.address\" = \"stage@acme.example\"\n\
         \"other-hook.auth.secret\" = \"env:CRM_TOKEN_STAGE\"\n\
         \"vaulted.auth.token\" = \"vault:crm/stage#token\"\n"
    );
    let problems = policy_from(&text, Path::new("/ws")).unwrap_err();
    assert_eq!(problems.len(), 4, "{problems:#?}");
    assert!(problems.iter().all(|d| d.code == "FG015"));
    assert!(problems.iter().all(|d| d
        .location
        .as_ref()
        .is_some_and(|l| l.path == "flowgate.toml")));
    let messages: Vec<&str> = problems.iter().map(|d| d.message.as_str()).collect();
    assert!(
        messages[0].contains("crm-lead-sync.auth.secret"),
        "{messages:?}"
    );
    assert!(messages[0].contains("sk_l…"), "{messages:?}");
    assert!(messages
        .iter()
        .any(|m| m.contains("crm-lead-sync.auth.password")));
    assert!(messages.iter().any(|m| m.contains("welcome.footer")));
    let reported = flowgate_diagnostics::render_json(&problems).to_string();
    for secret in [
        STRIPE,
        "abcdefghijklmnopqrstuvwxyz0123456789",
        "hunter22secret",
    ] {
        assert!(!reported.contains(secret), "{secret} shown: {reported}");
    }
}

#[test]
fn secret_references_in_environment_values_are_accepted() {
    let text = format!(
        "{CONFIG}[environments.dev.values]\n\
         \"crm-lead-sync.auth.secret\" = \"env:CRM_TOKEN_DEV\"\n\
         \"crm-lead-sync.headers.Authorization\" = \"vault:crm/dev#bearer\"\n\
         \"welcome.from.address\" = \"dev@acme.example\"\n"
    );
    assert!(policy_from(&text, Path::new("/ws")).is_ok());
}

// ---- deploying: file modes and links in a live release ----------------------------------------

/// Deploys lead-intake 1.0.0 to dev; the live release directory.
async fn deployed(world: &World) -> PathBuf {
    let doc = json!({ "kind": "Tag", "id": "vip", "name": "VIP" });
    let object = Object::from_json(&doc);
    let created = world
        .store
        .create_snapshot(
            &flowgate_store::NewSnapshot {
                bundle: "lead-intake".to_owned(),
                version: "1.0.0".to_owned(),
                created_at: "2026-11-20T09:00:00Z".parse().unwrap(),
                author: "tom".to_owned(),
                manifest: json!({ "check": { "errors": 0, "warnings": 0 } }),
                entries: vec![entry("Tag", "vip", &object, None)],
            },
            &[object],
        )
        .await
        .unwrap();
    let snapshot = world
        .store
        .get_snapshot(flowgate_store::SnapshotKey::Id(&created.id))
        .await
        .unwrap()
        .unwrap();
    let promotions = world.promotions();
    let report = promotions
        .plan(&snapshot, "dev", Some("tom"))
        .await
        .unwrap();
    promotions.record_plan(&report, "tom").await.unwrap();
    promotions.apply(&report.plan, "tom").await.unwrap();
    std::fs::canonicalize(world.target().join("lead-intake")).unwrap()
}

#[cfg(unix)]
#[test]
fn deployed_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    runtime().block_on(async {
        let world = World::new().await;
        let live = deployed(&world).await;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&live), 0o700);
        assert_eq!(mode(&world.target().join(".releases")), 0o700);
        for path in tree(&live) {
            let expected = if path.is_dir() { 0o700 } else { 0o600 };
            assert_eq!(mode(&path), expected, "{}", path.display());
        }
    });
}

#[cfg(unix)]
#[test]
fn links_in_a_live_release_are_drift_and_never_followed() {
    runtime().block_on(async {
        let world = World::new().await;
        let live = deployed(&world).await;
        std::os::unix::fs::symlink(".", live.join("a")).unwrap();
        std::os::unix::fs::symlink(".", live.join("b")).unwrap();
        std::os::unix::fs::symlink("/etc", live.join("etc-link")).unwrap();
        let deployed_file = live.join("assets/tag/vip.json");
        std::fs::remove_file(&deployed_file).unwrap();
        std::os::unix::fs::symlink("/etc/hostname", &deployed_file).unwrap();

        let target = DirectoryTarget::new(world.target());
        let started = std::time::Instant::now();
        let drift = target.inspect("lead-intake").unwrap().unwrap().drift;
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        let link = "(a symbolic link, not a deployed file)";
        assert!(drift.contains(&format!("added: a {link}")), "{drift:?}");
        assert!(
            drift.contains(&format!("added: etc-link {link}")),
            "{drift:?}"
        );
        assert!(
            drift.contains(&format!("modified: assets/tag/vip.json {link}")),
            "{drift:?}"
        );
        assert_eq!(drift.len(), 4, "{drift:?}");

        let status = world.promotions().status().await.unwrap();
        assert!(status[0].drift.iter().any(|d| d.contains("etc-link")));
    });
}

// ---- imported snapshots -----------------------------------------------------------------------

#[test]
fn the_checks_gate_does_not_trust_an_imported_snapshots_counts() {
    runtime().block_on(async {
        let source = World::new().await;
        deployed(&source).await;
        let local = source
            .store
            .get_snapshot(flowgate_store::SnapshotKey::Version {
                bundle: "lead-intake",
                version: "1.0.0",
            })
            .await
            .unwrap()
            .unwrap();
        let file = source.store.export_snapshot(&local.id).await.unwrap();

        let world = World::new().await;
        let imported = world.store.import_snapshot_as(&file, "tom").await.unwrap();
        let snapshot = world
            .store
            .get_snapshot(flowgate_store::SnapshotKey::Id(&imported.id))
            .await
            .unwrap()
            .unwrap();
        assert!(snapshot.is_imported());
        let report = world
            .promotions()
            .plan(&snapshot, "dev", Some("tom"))
            .await
            .unwrap();
        let checks = report.gates.iter().find(|g| g.gate == "checks").unwrap();
        assert!(!checks.passed, "{checks:?}");
        assert!(checks.reason.contains("imported"), "{}", checks.reason);
        assert!(
            checks.reason.contains("snapshot create"),
            "{}",
            checks.reason
        );

        // The locally frozen original passes the same gate.
        let report = source
            .promotions()
            .plan(&local, "dev", Some("tom"))
            .await
            .unwrap();
        assert!(report.gates.iter().any(|g| g.gate == "checks" && g.passed));
    });
}

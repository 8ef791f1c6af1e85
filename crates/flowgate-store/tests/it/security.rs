//! The store against hostile input: crafted export files, files and databases altered behind
//! its back, and stores that must stay private or apart.
//!
//! Export files are crafted here the way an attacker would: a valid frame, header and digest
//! around names that break the workspace grammar.

use crate::common::{self, runtime};
use flowgate_store::canonical::{canonical_json, EXPORT_DOMAIN};
use flowgate_store::{
    read_export, snapshot_id, Entry, Error, NewSnapshot, Object, OperationFilter, OperationKind,
    ProblemKind, SnapshotCreated, SnapshotId, SnapshotKey, SnapshotOrigin, SqliteStore, Store,
    TreeId, EXPORT_MAGIC, MAX_EXPORT_BYTES, MAX_IMPORT_ENTRIES, MAX_IMPORT_OBJECT_BYTES,
    UNNAMED_IMPORTER,
};
use serde_json::{json, Value};

/// A fresh SQLite store in a temporary directory.
async fn sqlite() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join(".flowgate/store.db"))
        .await
        .unwrap();
    (dir, store)
}

/// What a crafted file holds: a snapshot's parts, with any names at all.
#[derive(Clone)]
struct Craft {
    bundle: String,
    version: String,
    author: String,
    created_at: String,
    manifest: Value,
    entries: Vec<Entry>,
    objects: Vec<Object>,
}

/// A well-formed file of one workflow and one platform flow, as flowgate would export it.
fn honest() -> Craft {
    let workflow = Object::new(b"{\"id\":\"welcome\",\"kind\":\"Workflow\"}".to_vec());
    let flow = Object::new(b"<Flow/>".to_vec());
    Craft {
        bundle: "lead-intake".into(),
        version: "1.0.0".into(),
        author: "mara".into(),
        created_at: "2020-01-01T00:00:00Z".into(),
        manifest: json!({
            "check": {"errors": 0, "warnings": 0},
            "platform_flows": {"lead-flow": "salesforce"},
        }),
        entries: vec![
            Entry {
                kind: "Workflow".into(),
                id: "welcome".into(),
                object: workflow.id(),
                path: Some("assets/workflows/welcome.yaml".into()),
            },
            Entry {
                kind: "Flow".into(),
                id: "lead-flow".into(),
                object: flow.id(),
                path: Some("force-app/flows/Lead.flow-meta.xml".into()),
            },
        ],
        objects: vec![workflow, flow],
    }
}

impl Craft {
    /// The export file: frame, canonical header, objects and a correct (unkeyed) digest.
    fn file(&self) -> Vec<u8> {
        let mut entries = self.entries.clone();
        entries.sort();
        let id = snapshot_id(&self.bundle, &self.version, &entries);
        let mut objects = self.objects.clone();
        objects.sort_by_key(Object::id);
        let header = json!({
            "objects": objects.iter().map(|o| json!({"id": o.id(), "size": o.bytes().len()})).collect::<Vec<_>>(),
            "snapshot": {
                "id": id, "bundle": self.bundle, "version": self.version,
                "created_at": self.created_at, "author": self.author,
                "manifest": self.manifest, "entries": entries,
            },
        });
        let header = canonical_json(&header);
        let mut out = EXPORT_MAGIC.to_vec();
        out.extend_from_slice(&(header.len() as u64).to_be_bytes());
        out.extend_from_slice(&header);
        for object in &objects {
            out.extend_from_slice(object.bytes());
        }
        let mut hasher = blake3::Hasher::new();
        hasher.update(EXPORT_DOMAIN);
        hasher.update(&out);
        out.extend_from_slice(hasher.finalize().as_bytes());
        out
    }

    fn new_snapshot(&self) -> NewSnapshot {
        NewSnapshot {
            bundle: self.bundle.clone(),
            version: self.version.clone(),
            created_at: self.created_at.parse().unwrap(),
            author: self.author.clone(),
            manifest: self.manifest.clone(),
            entries: self.entries.clone(),
        }
    }
}

const TRAVERSAL: &str = "../../../../../../tmp/OUTSIDE";

/// Files with traversal in each name, and the field each error must name.
fn traversals() -> Vec<(Craft, &'static str)> {
    let mut cases = Vec::new();
    let mut bundle = honest();
    bundle.bundle = TRAVERSAL.into();
    cases.push((bundle, "bundle name"));
    let mut kind = honest();
    kind.entries[0].kind = TRAVERSAL.into();
    cases.push((kind, "asset kind"));
    let mut id = honest();
    id.entries[0].id = TRAVERSAL.into();
    cases.push((id, "asset id"));
    for path in [
        TRAVERSAL,
        "/etc/passwd",
        "flows/../../x",
        "a\\b",
        "a//b",
        "./a",
        "a\0b",
    ] {
        let mut craft = honest();
        craft.entries[1].path = Some(path.into());
        cases.push((craft, "path"));
    }
    let mut dialect = honest();
    dialect.manifest["platform_flows"]["lead-flow"] = json!(TRAVERSAL);
    cases.push((dialect, "platform_flows platform"));
    let mut flow_id = honest();
    flow_id.manifest["platform_flows"] = json!({ TRAVERSAL: "salesforce" });
    cases.push((flow_id, "platform_flows asset id"));
    let mut version = honest();
    version.version = "1.0.0/../../x".into();
    cases.push((version, "version"));
    cases
}

#[test]
fn crafted_names_are_refused_on_import_and_nothing_is_stored() {
    runtime().block_on(async {
        let (_dir, store) = sqlite().await;
        for (craft, field) in traversals() {
            let err = store.import_snapshot(&craft.file()).await.unwrap_err();
            assert!(
                matches!(err, Error::InvalidSnapshot { .. }),
                "{field}: {err:?}"
            );
            let text = err.to_string();
            assert!(text.contains(field), "`{text}` should name the {field}");
            let ids: Vec<_> = craft.objects.iter().map(Object::id).collect();
            assert_eq!(store.missing_objects(&ids).await.unwrap(), ids, "{field}");
        }
        assert!(store.list_snapshots(None).await.unwrap().is_empty());
        assert_eq!(store.verify_log().await.unwrap().records, 0);
        // The honest file goes in.
        assert!(
            store
                .import_snapshot(&honest().file())
                .await
                .unwrap()
                .created
        );
    });
}

#[test]
fn crafted_names_are_refused_when_created_directly() {
    runtime().block_on(async {
        let (_dir, store) = sqlite().await;
        for (craft, field) in traversals() {
            let err = store
                .create_snapshot(&craft.new_snapshot(), &craft.objects)
                .await
                .unwrap_err();
            assert!(err.to_string().contains(field), "{field}: {err}");
        }
        assert!(store.list_snapshots(None).await.unwrap().is_empty());
        let honest = honest();
        let created = store
            .create_snapshot(&honest.new_snapshot(), &honest.objects)
            .await
            .unwrap();
        let key = SnapshotKey::Id(&created.id);
        assert!(store.get_snapshot(key).await.unwrap().is_some());
    });
}

#[test]
fn error_values_are_escaped_for_terminals() {
    runtime().block_on(async {
        let (_dir, store) = sqlite().await;
        let mut craft = honest();
        craft.entries[0].id = "x\u{1b}]0;owned\u{7}".into();
        let err = store.import_snapshot(&craft.file()).await.unwrap_err();
        let text = err.to_string();
        assert!(!text.contains('\u{1b}'), "{text}");
        assert!(text.contains("\\u{1b}"), "{text}");
    });
}

/// Runs `sql` on the SQLite file directly, behind the store's back.
async fn raw_sql(path: &std::path::Path, sql: &str) {
    use sqlx::{ConnectOptions as _, Connection as _};
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .connect()
        .await
        .unwrap();
    sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
}

// ---- import trust ---------------------------------------------------------------------------

#[test]
fn import_records_the_importer_and_keeps_the_claims_apart() {
    runtime().block_on(async {
        let (_dir, store) = sqlite().await;
        let craft = honest();
        let created = store
            .import_snapshot_as(&craft.file(), "tom")
            .await
            .unwrap();
        let log = store.operations(&OperationFilter::default()).await.unwrap();
        let op = log.last().unwrap();
        assert_eq!(
            (op.kind.as_str(), op.actor.as_str()),
            (OperationKind::SnapshotImport.as_str(), "tom")
        );
        assert_eq!(op.payload["claimed_author"], json!("mara"));
        assert_eq!(
            op.payload["claimed_created_at"],
            json!("2020-01-01T00:00:00.000000Z")
        );
        let snapshot = store
            .get_snapshot(SnapshotKey::Id(&created.id))
            .await
            .unwrap()
            .unwrap();
        assert!(snapshot.is_imported());
        assert_eq!(snapshot.origin, SnapshotOrigin::Imported);
        assert_eq!(
            snapshot.author, "mara",
            "the snapshot keeps the file's claim"
        );
        let listed = store.list_snapshots(None).await.unwrap();
        assert_eq!(listed[0].origin, SnapshotOrigin::Imported);
        assert!(store.verify().await.unwrap().is_clean());

        // Without a named importer, the file's author is still not taken as the actor.
        let (_dir2, other) = sqlite().await;
        other.import_snapshot(&craft.file()).await.unwrap();
        let log = other.operations(&OperationFilter::default()).await.unwrap();
        assert_eq!(log[0].actor, UNNAMED_IMPORTER);
        let err = other
            .import_snapshot_as(&craft.file(), " ")
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidOperation(_)), "{err:?}");
    });
}

/// The honest snapshot created at 1.0.0 and imported (by tom) at 1.1.0: their ids.
async fn local_and_imported(store: &SqliteStore) -> (SnapshotId, SnapshotId) {
    let craft = honest();
    let local = store
        .create_snapshot(&craft.new_snapshot(), &craft.objects)
        .await
        .unwrap();
    let mut other = honest();
    other.version = "1.1.0".into();
    let imported = store
        .import_snapshot_as(&other.file(), "tom")
        .await
        .unwrap();
    (local.id, imported.id)
}

#[test]
fn created_snapshots_are_local_and_a_forged_origin_is_reported() {
    runtime().block_on(async {
        let (dir, store) = sqlite().await;
        let (local, imported) = local_and_imported(&store).await;
        let get = |id| {
            let store = store.clone();
            async move {
                store
                    .get_snapshot(SnapshotKey::Id(&id))
                    .await
                    .unwrap()
                    .unwrap()
            }
        };
        assert!(!get(local).await.is_imported());
        assert!(get(imported).await.is_imported());
        let path = dir.path().join(".flowgate/store.db");
        raw_sql(&path, "UPDATE flowgate_snapshots SET origin = 'local'").await;
        assert!(!get(imported).await.is_imported());
        let report = store.verify().await.unwrap();
        let origin: Vec<_> = report
            .problems
            .iter()
            .filter(|p| p.kind == ProblemKind::Origin)
            .collect();
        assert_eq!(origin.len(), 1, "{:#?}", report.problems);
        assert!(origin[0].message.contains("marked local"), "{}", origin[0]);
    });
}

#[test]
fn stores_from_before_the_origin_column_learn_which_snapshots_were_imported() {
    runtime().block_on(async {
        let (dir, store) = sqlite().await;
        let (local, imported) = local_and_imported(&store).await;
        let mut rows = String::new();
        for id in [local, imported] {
            for e in store
                .get_snapshot(SnapshotKey::Id(&id))
                .await
                .unwrap()
                .unwrap()
                .entries
            {
                let path = e.path.map_or("NULL".to_owned(), |p| format!("'{p}'"));
                rows.push_str(&format!(
                    "INSERT INTO flowgate_snapshot_entries VALUES ('{id}', '{}', '{}', '{}', \
                     {path});",
                    e.kind, e.id, e.object
                ));
            }
        }
        store.close().await;
        let path = dir.path().join(".flowgate/store.db");
        // Schema versions 8, 7 and 6 undone: no outbox, no OpenID Connect logins; entries one
        // row each, no trees.
        raw_sql(
            &path,
            &format!(
                "CREATE TABLE flowgate_snapshot_entries (snapshot_id TEXT NOT NULL, \
                 asset_kind TEXT NOT NULL, asset_id TEXT NOT NULL, object_id TEXT NOT NULL, \
                 path TEXT, PRIMARY KEY (snapshot_id, asset_kind, asset_id)); \
                 CREATE INDEX flowgate_snapshot_entries_object ON flowgate_snapshot_entries \
                 (object_id); {rows} DROP TABLE flowgate_outbox; DROP TABLE flowgate_oidc_logins; DROP TABLE flowgate_trees; \
                 ALTER TABLE flowgate_snapshots DROP COLUMN tree; \
                 ALTER TABLE flowgate_snapshots DROP COLUMN entry_count; \
                 ALTER TABLE flowgate_objects DROP COLUMN added_at;"
            ),
        )
        .await;
        raw_sql(
            &path,
            "ALTER TABLE flowgate_snapshots DROP COLUMN origin; \
             DROP TABLE flowgate_passwords; DROP TABLE flowgate_invites; \
             DROP TABLE flowgate_tokens; DROP TABLE flowgate_sessions; \
             DROP TABLE flowgate_login_failures; \
             DROP INDEX flowgate_operations_kind; DROP INDEX flowgate_operations_plan; \
             DROP INDEX flowgate_operations_snapshot; \
             ALTER TABLE flowgate_operations DROP COLUMN plan; \
             ALTER TABLE flowgate_operations DROP COLUMN snapshot; \
             DELETE FROM flowgate_migrations WHERE version >= 3;",
        )
        .await;
        let store = SqliteStore::open(&path).await.unwrap();
        let listed = store.list_snapshots(None).await.unwrap();
        let origins: Vec<_> = listed.iter().map(|s| (s.id, s.origin)).collect();
        assert!(origins.contains(&(imported, SnapshotOrigin::Imported)));
        assert_eq!(
            origins
                .iter()
                .filter(|(_, o)| *o == SnapshotOrigin::Local)
                .count(),
            1
        );
        assert!(store.verify().await.unwrap().is_clean());
    });
}

// ---- size limits ----------------------------------------------------------------------------

fn assert_too_large(result: flowgate_store::Result<SnapshotCreated>, what: &str) {
    match result {
        Err(Error::ExportTooLarge { what: found, .. }) => {
            assert!(found.contains(what), "`{found}` should name {what}");
        }
        other => panic!("expected ExportTooLarge naming {what}, got {other:?}"),
    }
}

/// A file of `count` templates that all share `object`.
fn sharing(object: Object, count: u64) -> Craft {
    let mut craft = honest();
    craft.manifest = json!({});
    craft.entries = (0..count)
        .map(|i| Entry {
            kind: "Template".into(),
            id: format!("t{i}"),
            object: object.id(),
            path: None,
        })
        .collect();
    craft.objects = vec![object];
    craft
}

#[test]
fn a_file_over_the_size_limit_is_refused_before_it_is_read() {
    runtime().block_on(async {
        let (_dir, store) = sqlite().await;
        // Zeroed pages are not touched until written, so this costs no real memory.
        let huge = vec![0u8; usize::try_from(MAX_EXPORT_BYTES).unwrap() + 1];
        assert_too_large(store.import_snapshot(&huge).await, "the file");
    });
}

#[test]
fn too_many_entries_are_refused() {
    runtime().block_on(async {
        let (_dir, store) = sqlite().await;
        let craft = sharing(Object::new(b"{}".to_vec()), MAX_IMPORT_ENTRIES + 1);
        assert_too_large(store.import_snapshot(&craft.file()).await, "entry count");
        assert!(store.list_snapshots(None).await.unwrap().is_empty());
    });
}

#[test]
fn an_object_over_the_size_limit_is_refused() {
    runtime().block_on(async {
        let (_dir, store) = sqlite().await;
        let size = usize::try_from(MAX_IMPORT_OBJECT_BYTES).unwrap() + 1;
        let mut craft = honest();
        craft.objects[0] = Object::new(vec![b'x'; size]);
        craft.entries[0].object = craft.objects[0].id();
        assert_too_large(store.import_snapshot(&craft.file()).await, "object");
        let missing = store.missing_objects(&[craft.objects[0].id()]).await;
        assert_eq!(missing.unwrap().len(), 1);
    });
}

#[test]
fn many_entries_sharing_one_large_object_are_refused() {
    runtime().block_on(async {
        let (_dir, store) = sqlite().await;
        // A 2 MiB object used by 600 entries: a 2 MiB file that would render 1.2 GB.
        let file = sharing(Object::new(vec![b'x'; 2 << 20]), 600).file();
        assert!(file.len() < 3 << 20);
        assert_too_large(store.import_snapshot(&file).await, "each entry");
    });
}

#[test]
fn an_object_no_entry_uses_is_refused() {
    runtime().block_on(async {
        let (_dir, store) = sqlite().await;
        let mut craft = honest();
        craft.objects.push(Object::new(b"stowaway".to_vec()));
        let err = store.import_snapshot(&craft.file()).await.unwrap_err();
        assert!(err.to_string().contains("no entry uses it"), "{err}");
    });
}

#[test]
fn read_export_reads_a_file_within_the_limit() {
    let file = honest().file();
    assert_eq!(read_export(&file[..]).unwrap(), file);
}

// ---- the store file -------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn a_new_store_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt as _;
    runtime().block_on(async {
        let (dir, store) = sqlite().await;
        let craft = honest();
        store
            .create_snapshot(&craft.new_snapshot(), &craft.objects)
            .await
            .unwrap();
        let mode =
            |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        let flowgate = dir.path().join(".flowgate");
        assert_eq!(mode(&flowgate), 0o700);
        for name in ["store.db", "store.db-wal", "store.db-shm"] {
            let path = flowgate.join(name);
            if path.exists() {
                assert_eq!(mode(&path), 0o600, "{name}");
            }
        }
        assert!(flowgate.join("store.db").exists());
    });
}

// ---- a doctored database --------------------------------------------------------------------

#[test]
fn verify_reports_triggers_and_tables_that_are_not_flowgates() {
    runtime().block_on(async {
        let (dir, store) = sqlite().await;
        assert!(store.verify().await.unwrap().is_clean());
        raw_sql(
            &dir.path().join(".flowgate/store.db"),
            "CREATE TABLE sec_trigger_fired (at TEXT, kind TEXT, actor TEXT); \
             CREATE TRIGGER sec_t1 AFTER INSERT ON flowgate_operations BEGIN \
               INSERT INTO sec_trigger_fired VALUES (datetime('now'), NEW.kind, NEW.actor); END; \
             CREATE VIEW flowgate_view AS SELECT * FROM flowgate_refs; \
             CREATE INDEX sec_idx ON flowgate_objects (size);",
        )
        .await;
        let report = store.verify().await.unwrap();
        let schema: Vec<&str> = report
            .problems
            .iter()
            .filter(|p| p.kind == ProblemKind::Schema)
            .map(|p| p.subject.as_str())
            .collect();
        assert_eq!(
            schema,
            [
                "index sec_idx",
                "table sec_trigger_fired",
                "trigger sec_t1",
                "view flowgate_view"
            ],
            "{:#?}",
            report.problems
        );
    });
}

#[test]
fn a_snapshot_whose_entries_were_rewritten_in_the_database_is_refused_on_read() {
    runtime().block_on(async {
        let (dir, store) = sqlite().await;
        let craft = honest();
        let created = store
            .create_snapshot(&craft.new_snapshot(), &craft.objects)
            .await
            .unwrap();
        let evil = Object::new(b"{\"endpoint\":\"https://attacker.example/collect\"}".to_vec());
        store
            .put_objects(std::slice::from_ref(&evil))
            .await
            .unwrap();
        // The snapshot's tree (one leaf) rewritten with the entry pointing at `evil`, under a
        // new id that matches its bytes, and the snapshot pointed at it.
        let mut rows: Vec<Value> = Vec::new();
        let mut entries = craft.new_snapshot().sorted_entries();
        for e in &mut entries {
            if e.id == "welcome" {
                e.object = evil.id();
            }
            rows.push(json!([e.kind, e.id, e.object, e.path]));
        }
        let bytes = canonical_json(&json!({ "entries": rows }));
        let tree = TreeId::of(&bytes);
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        raw_sql(
            &dir.path().join(".flowgate/store.db"),
            &format!(
                "INSERT INTO flowgate_trees (id, size, bytes, added_at) \
                 VALUES ('{tree}', {}, X'{hex}', ''); \
                 UPDATE flowgate_snapshots SET tree = '{tree}' WHERE id = '{}'",
                bytes.len(),
                created.id
            ),
        )
        .await;
        let err = store
            .get_snapshot(SnapshotKey::Id(&created.id))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::SnapshotAltered { id, .. } if *id == created.id),
            "{err:?}"
        );
        assert!(err.to_string().contains("will not be used"), "{err}");
        let key = SnapshotKey::Version {
            bundle: "lead-intake",
            version: "1.0.0",
        };
        assert!(store.get_snapshot(key).await.is_err());
        assert!(store.export_snapshot(&created.id).await.is_err());
    });
}

// ---- PostgreSQL schemas ---------------------------------------------------------------------

/// An admin connection to the test PostgreSQL, or `None` (with a notice) when it is
/// unreachable outside CI; under CI an unreachable server fails the test.
async fn postgres_admin(test: &str) -> Option<sqlx::PgPool> {
    use sqlx::Connection as _;
    let url = common::postgres_url();
    let probe = async {
        sqlx::PgConnection::connect(&url).await?.close().await?;
        sqlx::postgres::PgPoolOptions::new()
            .max_connections(2)
            .connect(&url)
            .await
    };
    let why = match tokio::time::timeout(std::time::Duration::from_secs(10), probe).await {
        Ok(Ok(admin)) => return Some(admin),
        Ok(Err(error)) => error.to_string(),
        Err(_) => "no answer within 10 s".to_owned(),
    };
    assert!(
        !common::in_ci(),
        "PostgreSQL at {url} is unreachable ({why}); under CI the security suite must run \
         against it: start it (.ci/run does) or set FLOWGATE_TEST_POSTGRES"
    );
    use std::io::Write as _;
    let _ = writeln!(
        std::io::stderr(),
        "skipping {test}: PostgreSQL at {url} is unreachable ({why}); with CI set this is an error"
    );
    None
}

/// `url` with `?schema=NAME` (or `&schema=NAME`) added.
fn with_schema(url: &str, schema: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}schema={schema}")
}

#[test]
fn stores_in_two_schemas_of_one_database_are_independent() {
    let rt = runtime();
    let test = "stores_in_two_schemas_of_one_database_are_independent";
    let Some(admin) = rt.block_on(postgres_admin(test)) else {
        return;
    };
    let url = common::postgres_url();
    let tag = format!("{}_{}", std::process::id(), rand_suffix());
    let (a, b) = (format!("fg_sec_a_{tag}"), format!("fg_sec_b_{tag}"));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(two_schemas(&url, &a, &b, &admin));
    }));
    rt.block_on(async {
        for schema in [&a, &b] {
            sqlx::raw_sql(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
                .execute(&admin)
                .await
                .unwrap();
        }
        admin.close().await;
    });
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// A number that differs between runs, for schema names.
fn rand_suffix() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos())
}

async fn two_schemas(url: &str, a: &str, b: &str, admin: &sqlx::PgPool) {
    let first = flowgate_store::open_store(&with_schema(url, a))
        .await
        .unwrap();
    let second = flowgate_store::open_store(&with_schema(url, b))
        .await
        .unwrap();
    assert!(
        first.location().contains(&format!("(schema {a})")),
        "{}",
        first.location()
    );
    let craft = honest();
    first
        .create_snapshot(&craft.new_snapshot(), &craft.objects)
        .await
        .unwrap();
    assert!(second.list_snapshots(None).await.unwrap().is_empty());
    // The same bundle and version with other content: no conflict across schemas.
    let mut other = honest();
    other.entries.pop();
    other.manifest = json!({});
    second
        .create_snapshot(&other.new_snapshot(), &other.objects[..1])
        .await
        .unwrap();
    for (schema, store) in [(a, &first), (b, &second)] {
        let count: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM \"{schema}\".flowgate_snapshots"
        ))
        .fetch_one(admin)
        .await
        .unwrap();
        assert_eq!(count, 1, "{schema}");
        assert_eq!(store.verify_log().await.unwrap().records, 1);
        assert!(store.verify().await.unwrap().is_clean(), "{schema}");
    }
    // A trigger added to one store's tables is reported by that store only.
    sqlx::raw_sql(&format!(
        "CREATE FUNCTION \"{a}\".sec_f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$; \
         CREATE TRIGGER sec_t1 AFTER INSERT ON \"{a}\".flowgate_operations \
         FOR EACH ROW EXECUTE FUNCTION \"{a}\".sec_f();"
    ))
    .execute(admin)
    .await
    .unwrap();
    let report = first.verify().await.unwrap();
    let subjects: Vec<&str> = report.problems.iter().map(|p| p.subject.as_str()).collect();
    assert_eq!(subjects, ["trigger sec_t1"], "{:#?}", report.problems);
    assert!(second.verify().await.unwrap().is_clean());
    first.close().await;
    second.close().await;
    // Names that are not plain lower-case identifiers are refused before anything is created.
    for bad in ["Team", "a;drop", "x\"y", ""] {
        let err = flowgate_store::open_store(&with_schema(url, bad))
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::InvalidLocation { .. }),
            "{bad}: {err:?}"
        );
    }
}

//! Versioned schema migrations, one SQL script per version for both backends.
//!
//! Scripts are written once with `{int}` and `{blob}` standing for the backend's 64-bit integer
//! and byte-string types. Each pending migration runs in one transaction together with its row
//! in `flowgate_migrations`, so a failed upgrade leaves the store as it was.

use crate::db::{Arg, Backend, Pool, Tx};
use crate::error::{Error, Result};
use crate::tree::{self, RawEntry};

/// One schema version.
pub(crate) struct Migration {
    pub(crate) version: i64,
    pub(crate) name: &'static str,
    sql: &'static str,
    /// Work done in Rust after `sql` (what SQL cannot compute, such as hashes).
    step: Option<Step>,
    /// SQL run after `step`.
    after: &'static str,
}

/// A migration step written in Rust.
#[derive(Debug, Clone, Copy)]
enum Step {
    /// Every snapshot's entries into a tree (schema version 6).
    SnapshotTrees,
}

/// Every schema version, oldest first. Append only: never edit a released entry.
pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "objects, snapshots, operation log, refs",
        sql: r#"
CREATE TABLE flowgate_objects (
    id TEXT PRIMARY KEY NOT NULL,
    size {int} NOT NULL,
    bytes {blob} NOT NULL
);
CREATE TABLE flowgate_snapshots (
    id TEXT PRIMARY KEY NOT NULL,
    bundle TEXT NOT NULL,
    version TEXT NOT NULL,
    version_major {int},
    version_minor {int},
    version_patch {int},
    version_pre TEXT,
    created_at TEXT NOT NULL,
    author TEXT NOT NULL,
    manifest TEXT NOT NULL,
    UNIQUE (bundle, version)
);
CREATE TABLE flowgate_snapshot_entries (
    snapshot_id TEXT NOT NULL REFERENCES flowgate_snapshots (id),
    asset_kind TEXT NOT NULL,
    asset_id TEXT NOT NULL,
    object_id TEXT NOT NULL REFERENCES flowgate_objects (id),
    path TEXT,
    PRIMARY KEY (snapshot_id, asset_kind, asset_id)
);
CREATE INDEX flowgate_snapshot_entries_object ON flowgate_snapshot_entries (object_id);
CREATE TABLE flowgate_operations (
    seq {int} PRIMARY KEY NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    ref_name TEXT,
    ref_from TEXT,
    ref_to TEXT,
    ref_version {int},
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX flowgate_operations_ref ON flowgate_operations (ref_name, seq);
CREATE TABLE flowgate_log_head (
    id {int} PRIMARY KEY NOT NULL CHECK (id = 1),
    seq {int} NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO flowgate_log_head (id, seq, hash)
    VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
CREATE TABLE flowgate_refs (
    name TEXT PRIMARY KEY NOT NULL,
    snapshot_id TEXT NOT NULL REFERENCES flowgate_snapshots (id),
    version {int} NOT NULL,
    updated_at TEXT NOT NULL
);
"#,
        step: None,
        after: "",
    },
    Migration {
        version: 2,
        name: "store metadata (the rehearsal marker)",
        sql: r#"
CREATE TABLE flowgate_meta (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
"#,
        step: None,
        after: "",
    },
    Migration {
        version: 3,
        name: "snapshot origin (local or imported)",
        // Snapshots imported before this version are found through their operation, whose
        // payload is canonical JSON text holding `"snapshot":"<id>"`.
        sql: r#"
ALTER TABLE flowgate_snapshots ADD COLUMN origin TEXT NOT NULL DEFAULT 'local';
UPDATE flowgate_snapshots SET origin = 'imported' WHERE EXISTS (
    SELECT 1 FROM flowgate_operations o
    WHERE o.kind = 'snapshot.import'
    AND o.payload LIKE '%"snapshot":"' || flowgate_snapshots.id || '"%'
);
"#,
        step: None,
        after: "",
    },
    Migration {
        version: 4,
        name: "accounts: passwords, invitations, API tokens, sessions, login failures",
        // Secrets are never stored: passwords as argon2id PHC strings, invitation links,
        // tokens and session ids as BLAKE3 hashes of their random bytes.
        sql: r#"
CREATE TABLE flowgate_passwords (
    person TEXT PRIMARY KEY NOT NULL,
    hash TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE flowgate_invites (
    token_hash TEXT PRIMARY KEY NOT NULL,
    person TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE TABLE flowgate_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    person TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT,
    revoked_at TEXT,
    last_used_at TEXT
);
CREATE TABLE flowgate_sessions (
    id_hash TEXT PRIMARY KEY NOT NULL,
    person TEXT NOT NULL,
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE TABLE flowgate_login_failures (
    subject TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX flowgate_login_failures_subject ON flowgate_login_failures (subject, at);
"#,
        step: None,
        after: "",
    },
    Migration {
        version: 5,
        name: "operations indexed by kind, plan and snapshot",
        // The plan and snapshot an operation names, copied from its payload (which the hash
        // chain covers) so that a plan's approvals are found without reading the whole log.
        sql: r#"
ALTER TABLE flowgate_operations ADD COLUMN plan TEXT;
ALTER TABLE flowgate_operations ADD COLUMN snapshot TEXT;
UPDATE flowgate_operations SET plan = {payload_plan}, snapshot = {payload_snapshot};
CREATE INDEX flowgate_operations_kind ON flowgate_operations (kind, seq);
CREATE INDEX flowgate_operations_plan ON flowgate_operations (plan, seq);
CREATE INDEX flowgate_operations_snapshot ON flowgate_operations (snapshot, kind);
"#,
        step: None,
        after: "",
    },
    Migration {
        version: 6,
        name: "snapshot entries as trees; object insertion times",
        // Each snapshot's entries move into a tree of content-addressed nodes (`crate::tree`),
        // built in Rust, and the per-entry table goes. Objects stored before this version get
        // an empty insertion time: they count as old to garbage collection.
        sql: r#"
CREATE TABLE flowgate_trees (
    id TEXT PRIMARY KEY NOT NULL,
    size {int} NOT NULL,
    bytes {blob} NOT NULL,
    added_at TEXT NOT NULL
);
ALTER TABLE flowgate_objects ADD COLUMN added_at TEXT NOT NULL DEFAULT '';
ALTER TABLE flowgate_snapshots ADD COLUMN tree TEXT;
ALTER TABLE flowgate_snapshots ADD COLUMN entry_count {int};
"#,
        step: Some(Step::SnapshotTrees),
        after: "DROP TABLE flowgate_snapshot_entries;",
    },
    Migration {
        version: 7,
        name: "OpenID Connect logins in progress",
        // One row per login sent to the provider and not yet back: the hashes of its `state`
        // and of the browser's binding cookie (from which the PKCE verifier and the nonce are
        // derived, so that the database holds nothing a login can be finished with).
        sql: r#"
CREATE TABLE flowgate_oidc_logins (
    state_hash TEXT PRIMARY KEY NOT NULL,
    browser_hash TEXT NOT NULL,
    next TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
"#,
        step: None,
        after: "",
    },
    Migration {
        version: 8,
        name: "notifications waiting to be delivered",
        // Times are RFC 3339 text in UTC to the microsecond; an empty `claimed_until` is
        // unclaimed.
        sql: r#"
CREATE TABLE flowgate_outbox (
    id TEXT PRIMARY KEY NOT NULL,
    target TEXT NOT NULL,
    event TEXT NOT NULL,
    body {blob} NOT NULL,
    attempts {int} NOT NULL,
    due_at TEXT NOT NULL,
    claimed_until TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX flowgate_outbox_due ON flowgate_outbox (due_at);
"#,
        step: None,
        after: "",
    },
];

/// The tables of the current schema, `flowgate_migrations` included.
const TABLES: [&str; 15] = [
    "flowgate_migrations",
    "flowgate_objects",
    "flowgate_snapshots",
    "flowgate_trees",
    "flowgate_operations",
    "flowgate_log_head",
    "flowgate_refs",
    "flowgate_meta",
    "flowgate_passwords",
    "flowgate_invites",
    "flowgate_tokens",
    "flowgate_sessions",
    "flowgate_login_failures",
    "flowgate_oidc_logins",
    "flowgate_outbox",
];

/// The indexes of the current schema, by name.
const INDEXES: [&str; 6] = [
    "flowgate_outbox_due",
    "flowgate_operations_ref",
    "flowgate_login_failures_subject",
    "flowgate_operations_kind",
    "flowgate_operations_plan",
    "flowgate_operations_snapshot",
];

/// True when `(kind, name)` is a schema object the migrations create on `backend`: a table, a
/// named index, or (PostgreSQL) the index of a primary key or unique constraint. Anything else
/// (a trigger, a view, a rule, another table or index) was added by someone else.
pub(crate) fn is_own_schema_object(backend: Backend, kind: &str, name: &str) -> bool {
    match kind {
        "table" => TABLES.contains(&name),
        "index" => {
            INDEXES.contains(&name)
                || (backend == Backend::Postgres
                    && (name == "flowgate_snapshots_bundle_version_key"
                        || name == "flowgate_tokens_token_hash_key"
                        || name
                            .strip_suffix("_pkey")
                            .is_some_and(|table| TABLES.contains(&table))))
        }
        _ => false,
    }
}

/// The newest schema version this build knows.
pub(crate) fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

fn render(backend: Backend, sql: &str) -> String {
    let (int, blob, plan, snapshot) = match backend {
        Backend::Sqlite => (
            "INTEGER",
            "BLOB",
            "json_extract(payload, '$.plan')",
            "json_extract(payload, '$.snapshot')",
        ),
        Backend::Postgres => (
            "BIGINT",
            "BYTEA",
            "(payload::jsonb ->> 'plan')",
            "(payload::jsonb ->> 'snapshot')",
        ),
    };
    sql.replace("{int}", int)
        .replace("{blob}", blob)
        .replace("{payload_plan}", plan)
        .replace("{payload_snapshot}", snapshot)
}

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS flowgate_migrations (
    version {int} PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
)";

/// Brings the store's schema up to date, or fails if the store is newer than this build.
pub(crate) async fn migrate(pool: &Pool, location: &str, now: &str) -> Result<()> {
    let db_error = |action| {
        move |source| Error::Database {
            location: location.to_owned(),
            action,
            source,
        }
    };
    let mut tx = pool
        .begin_write()
        .await
        .map_err(db_error("begin the schema upgrade"))?;
    lock_for_migration(&mut tx)
        .await
        .map_err(db_error("lock the schema"))?;
    tx.script(&render(tx.backend(), CREATE_TABLE))
        .await
        .map_err(db_error("create flowgate_migrations"))?;
    let found = tx
        .fetch_optional("SELECT MAX(version) FROM flowgate_migrations", &[])
        .await
        .and_then(|row| row.map_or(Ok(None), |row| row.opt_int(0)))
        .map_err(db_error("read the schema version"))?
        .unwrap_or(0);
    let supported = latest_version();
    if found > supported {
        return Err(Error::StoreTooNew {
            location: location.to_owned(),
            found,
            supported,
        });
    }
    for migration in MIGRATIONS.iter().filter(|m| m.version > found) {
        let failed = |source| Error::Migration {
            location: location.to_owned(),
            version: migration.version,
            name: migration.name,
            source,
        };
        tx.script(&render(tx.backend(), migration.sql))
            .await
            .map_err(failed)?;
        if let Some(step) = migration.step {
            run_step(&mut tx, step, now).await.map_err(failed)?;
        }
        if !migration.after.is_empty() {
            tx.script(&render(tx.backend(), migration.after))
                .await
                .map_err(failed)?;
        }
        tx.execute(
            "INSERT INTO flowgate_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            &[
                Arg::Int(migration.version),
                Arg::Text(migration.name),
                Arg::Text(now),
            ],
        )
        .await
        .map_err(failed)?;
    }
    tx.commit()
        .await
        .map_err(db_error("commit the schema upgrade"))
}

/// Serialises concurrent first opens. SQLite already holds the write lock (`BEGIN IMMEDIATE`);
/// PostgreSQL takes a transaction-scoped advisory lock, because `CREATE TABLE IF NOT EXISTS`
/// alone races.
async fn lock_for_migration(tx: &mut Tx) -> sqlx::Result<()> {
    if tx.backend() == Backend::Postgres {
        tx.fetch_optional("SELECT pg_advisory_xact_lock(4641263001672148)", &[])
            .await?;
    }
    Ok(())
}

async fn run_step(tx: &mut Tx, step: Step, now: &str) -> sqlx::Result<()> {
    match step {
        Step::SnapshotTrees => snapshot_trees(tx, now).await,
    }
}

/// Gives every snapshot the tree of its rows in `flowgate_snapshot_entries`, copied as they
/// are (whatever they hold is checked when read, as before), and its entry count.
async fn snapshot_trees(tx: &mut Tx, now: &str) -> sqlx::Result<()> {
    let ids = tx
        .fetch_all("SELECT id FROM flowgate_snapshots", &[])
        .await?
        .iter()
        .map(|row| row.text(0))
        .collect::<sqlx::Result<Vec<_>>>()?;
    for id in &ids {
        let rows = tx
            .fetch_all(
                "SELECT asset_kind, asset_id, object_id, path FROM flowgate_snapshot_entries \
                 WHERE snapshot_id = $1",
                &[Arg::Text(id)],
            )
            .await?;
        let entries = rows
            .iter()
            .map(|r| {
                Ok(RawEntry {
                    kind: r.text(0)?,
                    id: r.text(1)?,
                    object: r.text(2)?,
                    path: r.opt_text(3)?,
                })
            })
            .collect::<sqlx::Result<Vec<_>>>()?;
        let built = tree::build(&entries);
        let new = tree::unstored(tx, &built).await?;
        tree::insert(tx, &new, now).await?;
        let root = built.root.to_string();
        let count = i64::try_from(entries.len()).unwrap_or(i64::MAX);
        tx.execute(
            "UPDATE flowgate_snapshots SET tree = $1, entry_count = $2 WHERE id = $3",
            &[Arg::Text(&root), Arg::Int(count), Arg::Text(id)],
        )
        .await?;
    }
    Ok(())
}

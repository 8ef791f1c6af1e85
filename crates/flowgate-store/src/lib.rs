//! The flowgate versioned store: content-addressed objects, immutable snapshots, refs moved only
//! by compare-and-swap, and an append-only, hash-chained operation log, on SQLite (embedded,
//! `.flowgate/store.db`) or PostgreSQL.
//!
//! The store knows nothing of assets: it keeps bytes, JSON manifests and ids. Everything it
//! hashes is encoded with [`canonical_json`] and hashed with BLAKE3 under a domain prefix; the
//! encoding is specified in `docs/store.md`.
//!
//! ```no_run
//! # async fn demo() -> flowgate_store::Result<()> {
//! use flowgate_store::{open_store, Entry, NewSnapshot, Object, Store};
//!
//! let store = open_store(".flowgate/store.db").await?;
//! let object = Object::new(b"kind: Tag\nid: vip\n".to_vec());
//! let snapshot = NewSnapshot {
//!     bundle: "lead-intake".into(),
//!     version: "2.4.1".into(),
//!     created_at: "2025-09-17T08:30:00Z".parse().expect("valid date"),
//!     author: "ana".into(),
//!     manifest: serde_json::json!({"commit": "3fa4c1"}),
//!     entries: vec![Entry {
//!         kind: "Tag".into(),
//!         id: "vip".into(),
//!         object: object.id(),
//!         path: Some("tags/vip.yaml".into()),
//!     }],
//! };
//! let created = store.create_snapshot(&snapshot, &[object]).await?;
//! println!("snapshot {}", created.id);
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]

mod accounts;
pub mod canonical;
mod db;
mod engine;
mod error;
mod export;
mod gc;
mod grammar;
mod id;
mod migrations;
mod model;
mod operation_kind;
mod outbox;
mod store;
mod tree;
mod watch;

pub use accounts::{Accounts, NewToken, SessionRecord, TokenRecord};
pub use canonical::{canonical_json, canonical_json_string};
pub use error::{Error, Result};
pub use export::{
    read_export, EXPORT_MAGIC, MAX_EXPORT_BYTES, MAX_EXPORT_HEADER_BYTES, MAX_IMPORT_CONTENT_BYTES,
    MAX_IMPORT_ENTRIES, MAX_IMPORT_OBJECT_BYTES,
};
pub use grammar::{MAX_PATH_BYTES, PLATFORM_FLOWS};
pub use id::{ObjectId, OpHash, ParseIdError, SnapshotId, TreeId};
pub use model::{
    compare_versions, snapshot_id, validate_ref_name, Clock, Entry, FixedClock, GcCount, GcOptions,
    GcReport, LogBreak, LogReport, ManualClock, NewOperation, NewSnapshot, Object, Operation,
    OperationFilter, ParseTimestampError, Problem, ProblemKind, PutReport, RefChange, RefRecord,
    Snapshot, SnapshotComparison, SnapshotCreated, SnapshotKey, SnapshotOrigin, SnapshotSummary,
    SystemClock, TimeReversal, Timestamp, VerifyReport, VersionKey, DEFAULT_GC_GRACE,
};
pub use operation_kind::OperationKind;
pub use outbox::{Delivery, Outbox};
pub use store::{
    open_store, redact_url, AnyStore, PgStore, SqliteStore, Store, DEFAULT_STORE_PATH,
    UNNAMED_IMPORTER,
};
pub use watch::{LogHead, Notices};

//! The store's errors.

use crate::id::{ObjectId, SnapshotId};

/// Anything that can go wrong in the store. Each message says what failed, where, and what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The SQLite file could not be opened or created.
    #[error("cannot open store at {path}: {source} — run from the workspace root or pass --store")]
    Open {
        /// The file.
        path: String,
        /// The cause.
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    /// The PostgreSQL server could not be reached or refused the connection.
    #[error(
        "cannot connect to the store at {url}: {source} — check that PostgreSQL is running and \
         that --store / FLOWGATE_STORE holds the right URL"
    )]
    Connect {
        /// The URL, password removed.
        url: String,
        /// The cause.
        source: sqlx::Error,
    },

    /// A `--store` value that names no usable store.
    #[error("invalid store location `{spec}`: {reason}")]
    InvalidLocation {
        /// The value given.
        spec: String,
        /// Why it is unusable.
        reason: String,
    },

    /// The store was written by a newer flowgate.
    #[error(
        "the store at {location} has schema version {found}, but this flowgate knows only up to \
         {supported} — upgrade flowgate before using this store"
    )]
    StoreTooNew {
        /// The store location.
        location: String,
        /// The store's schema version.
        found: i64,
        /// The newest version this build knows.
        supported: i64,
    },

    /// A store with a history cannot become a rehearsal store.
    #[error(
        "the store at {location} already holds {operations} operation(s); only a new, empty \
         store can be made a rehearsal store"
    )]
    NotEmpty {
        /// The store location.
        location: String,
        /// How many operations its log holds.
        operations: u64,
    },

    /// Bringing the schema up to date failed; the store is left as it was.
    #[error(
        "cannot upgrade the store at {location} to schema version {version} ({name}): {source}"
    )]
    Migration {
        /// The store location.
        location: String,
        /// The migration's version.
        version: i64,
        /// The migration's name.
        name: &'static str,
        /// The cause.
        source: sqlx::Error,
    },

    /// A database call failed.
    #[error("store {location}: {action} failed: {source}")]
    Database {
        /// The store location.
        location: String,
        /// What was being done.
        action: &'static str,
        /// The cause.
        source: sqlx::Error,
    },

    /// The bundle already has this version with other content.
    #[error(
        "bundle `{bundle}` already has version {version} (snapshot {existing}) with different \
         content (this content would be snapshot {attempted}) — give the new content a new version"
    )]
    VersionExists {
        /// The bundle.
        bundle: String,
        /// The version.
        version: String,
        /// The stored snapshot's id.
        existing: SnapshotId,
        /// The id of the rejected content.
        attempted: SnapshotId,
    },

    /// A snapshot's entries name objects that are neither stored nor supplied.
    #[error(
        "snapshot `{bundle}` {version} refers to {} object(s) that are neither stored nor supplied, \
         first {} — pass every entry's object to create_snapshot",
        missing.len(),
        missing.first().map(ToString::to_string).unwrap_or_default()
    )]
    MissingObjects {
        /// The bundle.
        bundle: String,
        /// The version.
        version: String,
        /// The missing object ids.
        missing: Vec<ObjectId>,
    },

    /// A snapshot that breaks the store's rules (empty names, duplicate entries, …).
    #[error(
        "invalid snapshot `{bundle}` {version}: {reason} — nothing was stored; snapshots are \
         made from a workspace by `flowgate snapshot create`, so fix the workspace, or ask for \
         a file that flowgate exported"
    )]
    InvalidSnapshot {
        /// The bundle.
        bundle: String,
        /// The version.
        version: String,
        /// What is wrong.
        reason: String,
    },

    /// An operation that breaks the store's rules.
    #[error("invalid operation: {0}")]
    InvalidOperation(String),

    /// A ref name that breaks the naming rules.
    #[error("invalid ref name `{name}`: {reason}")]
    InvalidRefName {
        /// The name.
        name: String,
        /// What is wrong.
        reason: String,
    },

    /// A snapshot that is not in the store.
    #[error("no snapshot {0} in the store — check the id against the store's snapshot list")]
    UnknownSnapshot(SnapshotId),

    /// A compare-and-swap lost: the ref was not what the caller expected.
    #[error(
        "ref `{name}` was changed by someone else: expected {}, found {} — re-read it and retry",
        describe(expected.as_ref()),
        describe(actual.as_ref())
    )]
    Conflict {
        /// The ref.
        name: String,
        /// What the caller expected.
        expected: Option<SnapshotId>,
        /// What the ref holds.
        actual: Option<SnapshotId>,
    },

    /// An export file that fails verification; nothing was imported.
    #[error("export file rejected, nothing imported: {0}")]
    TamperedExport(String),

    /// An export file over one of the import limits (see `MAX_EXPORT_BYTES` and its
    /// neighbours); nothing was imported.
    #[error(
        "export file rejected, nothing imported: {what} is {found}, over the limit of {limit} — \
         flowgate writes no such file for a real workspace; ask where the file comes from"
    )]
    ExportTooLarge {
        /// What is too large (`the file (bytes)`, `the entry count`, …).
        what: String,
        /// Its size.
        found: u64,
        /// The limit.
        limit: u64,
    },

    /// An export file that could not be read.
    #[error("cannot read the export file: {source} — check the path and its permissions")]
    ExportUnreadable {
        /// The cause.
        source: std::io::Error,
    },

    /// An export file that could not be written.
    #[error("cannot write the export file: {source} — check the path, its permissions and the free space")]
    ExportUnwritable {
        /// The cause.
        source: std::io::Error,
    },

    /// A stored snapshot whose content no longer hashes to its id: its entries (or its bundle
    /// or version) were changed in the database behind the store's back.
    #[error(
        "the store at {location} holds snapshot {id}, whose bundle, version and entries hash to \
         {computed}: it was altered in the database and will not be used — run `flowgate \
         snapshot verify` and restore the store from a backup"
    )]
    SnapshotAltered {
        /// The store location.
        location: String,
        /// The id the snapshot is stored under.
        id: SnapshotId,
        /// The id its content hashes to.
        computed: SnapshotId,
    },

    /// Stored data that cannot be read back (malformed id, negative size, …).
    #[error(
        "the store at {location} holds unreadable data: {detail} — verify the store to find \
         everything that was altered"
    )]
    Corrupt {
        /// The store location.
        location: String,
        /// What is unreadable.
        detail: String,
    },
}

fn describe(target: Option<&SnapshotId>) -> String {
    target.map_or_else(|| "no ref".to_owned(), |id| format!("snapshot {id}"))
}

impl Error {
    /// True for a lost compare-and-swap (the CLI's exit code 3).
    pub fn is_conflict(&self) -> bool {
        matches!(self, Error::Conflict { .. })
    }
}

/// The store's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

//! The [`Store`] trait and its backends.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::ConnectOptions as _;
use sqlx::Connection as _;

use crate::db::Pool;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::id::{ObjectId, SnapshotId};
use crate::model::{
    Clock, Entry, GcOptions, GcReport, LogReport, NewOperation, NewSnapshot, Object, Operation,
    OperationFilter, PutReport, RefRecord, Snapshot, SnapshotComparison, SnapshotCreated,
    SnapshotKey, SnapshotSummary, SystemClock, VerifyReport,
};

/// Where a workspace keeps its embedded store, relative to the workspace root.
pub const DEFAULT_STORE_PATH: &str = ".flowgate/store.db";

/// How long a SQLite writer waits for another one before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// A versioned, content-addressed store of snapshots, with refs and an operation log.
///
/// Every method that writes does so in one transaction: it happens completely or not at all,
/// also when the process is killed half way. Implementations: [`SqliteStore`], [`PgStore`] and
/// [`AnyStore`] (either, chosen at run time).
pub trait Store: Send + Sync {
    /// Stores `objects` (in one transaction); already stored ones are left alone.
    fn put_objects(&self, objects: &[Object]) -> impl Future<Output = Result<PutReport>> + Send;

    /// The bytes of object `id`, if stored. Reads check content against ids: bytes that no
    /// longer hash to their id are refused with [`Error::Corrupt`], never returned.
    fn get_object(&self, id: &ObjectId) -> impl Future<Output = Result<Option<Vec<u8>>>> + Send;

    /// The stored objects among `ids`, in the order given, each once; ids that are not stored
    /// are left out. One round trip per few hundred objects, for callers that need many.
    fn get_objects(&self, ids: &[ObjectId]) -> impl Future<Output = Result<Vec<Object>>> + Send;

    /// The ids among `ids` that are not stored (each once, in the order given), so that callers
    /// can send only new content.
    fn missing_objects(
        &self,
        ids: &[ObjectId],
    ) -> impl Future<Output = Result<Vec<ObjectId>>> + Send;

    /// Records a snapshot: stores `objects`, the snapshot and its entries, and appends a
    /// `snapshot.create` operation (actor: the author; payload: id, bundle, version, entry
    /// count, manifest), all in one transaction. Every entry's object must be in `objects` or
    /// already stored.
    ///
    /// Creating a bundle version again with the same content returns the existing id and writes
    /// nothing (`created: false`); with other content it fails with [`Error::VersionExists`].
    fn create_snapshot(
        &self,
        snapshot: &NewSnapshot,
        objects: &[Object],
    ) -> impl Future<Output = Result<SnapshotCreated>> + Send;

    /// A snapshot by id or by bundle and version.
    fn get_snapshot(
        &self,
        key: SnapshotKey<'_>,
    ) -> impl Future<Output = Result<Option<Snapshot>>> + Send;

    /// The snapshot `key` names compared with `entries`: its manifest and the entries on either
    /// side that the other lacks. Only the nodes of its tree whose ids differ from the tree
    /// `entries` build are read (each checked against its id), so the cost grows with the
    /// difference, not with the snapshot. Unlike [`Store::get_snapshot`] this does not
    /// recompute the snapshot id, which needs every entry; [`Store::verify`] does.
    fn compare_snapshot(
        &self,
        key: SnapshotKey<'_>,
        entries: &[Entry],
    ) -> impl Future<Output = Result<Option<SnapshotComparison>>> + Send;

    /// All snapshots, or those of one bundle: by bundle, then version (semver precedence), then
    /// date.
    fn list_snapshots(
        &self,
        bundle: Option<&str>,
    ) -> impl Future<Output = Result<Vec<SnapshotSummary>>> + Send;

    /// Rechecks everything: every object's hash and size, every snapshot's id, manifest and
    /// objects against the log, every ref against the log, and the log's hash chain.
    fn verify(&self) -> impl Future<Output = Result<VerifyReport>> + Send;

    /// Appends an operation to the log.
    fn append_operation(&self, op: &NewOperation)
        -> impl Future<Output = Result<Operation>> + Send;

    /// Operations matching `filter`, oldest first.
    fn operations(
        &self,
        filter: &OperationFilter,
    ) -> impl Future<Output = Result<Vec<Operation>>> + Send;

    /// Walks the log's hash chain and reports the first broken record, and every record
    /// dated before the one preceding it.
    fn verify_log(&self) -> impl Future<Output = Result<LogReport>> + Send;

    /// Whether this is a rehearsal store (the demo's, or one made with
    /// [`Store::mark_rehearsal`]): the only kind whose clock may be set by hand.
    fn is_rehearsal(&self) -> impl Future<Output = Result<bool>> + Send;

    /// Marks a new store as a rehearsal store, for good. A store whose log already holds
    /// operations is refused with [`Error::NotEmpty`]; marking twice changes nothing.
    fn mark_rehearsal(&self) -> impl Future<Output = Result<()>> + Send;

    /// A ref, if it exists.
    fn get_ref(&self, name: &str) -> impl Future<Output = Result<Option<RefRecord>>> + Send;

    /// All refs, or those whose name starts with `prefix`, sorted by name.
    fn list_refs(
        &self,
        prefix: Option<&str>,
    ) -> impl Future<Output = Result<Vec<RefRecord>>> + Send;

    /// Points ref `name` at `new` if it currently points at `expected` (`None`: if it does not
    /// exist yet), and appends `op` with the change, in one transaction. Of concurrent calls
    /// with the same `expected`, exactly one succeeds; the others get [`Error::Conflict`] and
    /// change nothing.
    fn compare_and_swap_ref(
        &self,
        name: &str,
        expected: Option<&SnapshotId>,
        new: &SnapshotId,
        op: &NewOperation,
    ) -> impl Future<Output = Result<RefRecord>> + Send;

    /// One self-verifying file holding the snapshot and all its objects (see `docs/store.md`),
    /// in memory; [`Store::export_snapshot_to`] writes the same bytes to a file as it goes.
    fn export_snapshot(&self, id: &SnapshotId) -> impl Future<Output = Result<Vec<u8>>> + Send;

    /// Writes the export file of snapshot `id` to `out` while reading the store, objects a few
    /// megabytes at a time, and returns its length: the same bytes as
    /// [`Store::export_snapshot`], without holding them all in memory. On an error `out` holds
    /// an incomplete file, to be discarded ([`Error::ExportUnwritable`] when writing failed).
    fn export_snapshot_to<W: std::io::Write + Send>(
        &self,
        id: &SnapshotId,
        out: &mut W,
    ) -> impl Future<Output = Result<u64>> + Send;

    /// Removes the objects and snapshot-tree nodes that no snapshot, ref, plan, checkpoint or
    /// other operation reaches and that were added before the grace period (see
    /// [`GcOptions`]); with `dry_run`, only counts them. Snapshots are never removed. Safe
    /// against concurrent writers: collection and snapshot writes exclude each other, and what
    /// is reached is never removed. A snapshot whose tree cannot be read stops it before
    /// anything is removed ([`Error::Corrupt`]).
    fn collect_garbage(&self, options: &GcOptions)
        -> impl Future<Output = Result<GcReport>> + Send;

    /// Verifies an export file completely, then creates its snapshot as
    /// [`crate::SnapshotOrigin::Imported`] (idempotent; the operation kind is `snapshot.import`, its
    /// actor is `actor`, the person importing, and the file's author and date are kept in the
    /// payload as `claimed_author` and `claimed_created_at`). A file that fails any check is
    /// refused, naming the mismatch ([`Error::TamperedExport`], [`Error::ExportTooLarge`],
    /// [`Error::InvalidSnapshot`]), and nothing is written.
    fn import_snapshot_as(
        &self,
        bytes: &[u8],
        actor: &str,
    ) -> impl Future<Output = Result<SnapshotCreated>> + Send;

    /// [`Store::import_snapshot_as`] by [`UNNAMED_IMPORTER`], for callers that do not know who
    /// imports. The file's claimed author is never taken as the actor.
    fn import_snapshot(
        &self,
        bytes: &[u8],
    ) -> impl Future<Output = Result<SnapshotCreated>> + Send {
        self.import_snapshot_as(bytes, UNNAMED_IMPORTER)
    }
}

/// The actor [`Store::import_snapshot`] records: the caller did not say who imports.
pub const UNNAMED_IMPORTER: &str = "unnamed-importer";

macro_rules! delegate_store {
    ($ty:ty, $this:ident => $engine:expr) => {
        impl Store for $ty {
            async fn put_objects(&self, objects: &[Object]) -> Result<PutReport> {
                let $this = self;
                $engine.put_objects(objects).await
            }
            async fn get_object(&self, id: &ObjectId) -> Result<Option<Vec<u8>>> {
                let $this = self;
                $engine.get_object(id).await
            }
            async fn get_objects(&self, ids: &[ObjectId]) -> Result<Vec<Object>> {
                let $this = self;
                $engine.get_objects(ids).await
            }
            async fn missing_objects(&self, ids: &[ObjectId]) -> Result<Vec<ObjectId>> {
                let $this = self;
                $engine.missing_objects(ids).await
            }
            async fn create_snapshot(
                &self,
                snapshot: &NewSnapshot,
                objects: &[Object],
            ) -> Result<SnapshotCreated> {
                let $this = self;
                $engine.create_snapshot(snapshot, objects).await
            }
            async fn get_snapshot(&self, key: SnapshotKey<'_>) -> Result<Option<Snapshot>> {
                let $this = self;
                $engine.get_snapshot(key).await
            }
            async fn compare_snapshot(
                &self,
                key: SnapshotKey<'_>,
                entries: &[Entry],
            ) -> Result<Option<SnapshotComparison>> {
                let $this = self;
                $engine.compare_snapshot(key, entries).await
            }
            async fn list_snapshots(&self, bundle: Option<&str>) -> Result<Vec<SnapshotSummary>> {
                let $this = self;
                $engine.list_snapshots(bundle).await
            }
            async fn verify(&self) -> Result<VerifyReport> {
                let $this = self;
                $engine.verify().await
            }
            async fn append_operation(&self, op: &NewOperation) -> Result<Operation> {
                let $this = self;
                $engine.append_operation(op).await
            }
            async fn operations(&self, filter: &OperationFilter) -> Result<Vec<Operation>> {
                let $this = self;
                $engine.operations(filter).await
            }
            async fn verify_log(&self) -> Result<LogReport> {
                let $this = self;
                $engine.verify_log().await
            }
            async fn is_rehearsal(&self) -> Result<bool> {
                let $this = self;
                $engine.is_rehearsal().await
            }
            async fn mark_rehearsal(&self) -> Result<()> {
                let $this = self;
                $engine.mark_rehearsal().await
            }
            async fn get_ref(&self, name: &str) -> Result<Option<RefRecord>> {
                let $this = self;
                $engine.get_ref(name).await
            }
            async fn list_refs(&self, prefix: Option<&str>) -> Result<Vec<RefRecord>> {
                let $this = self;
                $engine.list_refs(prefix).await
            }
            async fn compare_and_swap_ref(
                &self,
                name: &str,
                expected: Option<&SnapshotId>,
                new: &SnapshotId,
                op: &NewOperation,
            ) -> Result<RefRecord> {
                let $this = self;
                $engine.compare_and_swap_ref(name, expected, new, op).await
            }
            async fn export_snapshot(&self, id: &SnapshotId) -> Result<Vec<u8>> {
                let $this = self;
                $engine.export_snapshot(id).await
            }
            async fn export_snapshot_to<W: std::io::Write + Send>(
                &self,
                id: &SnapshotId,
                out: &mut W,
            ) -> Result<u64> {
                let $this = self;
                $engine.export_snapshot_to(id, out).await
            }
            async fn collect_garbage(&self, options: &GcOptions) -> Result<GcReport> {
                let $this = self;
                $engine.collect_garbage(options).await
            }
            async fn import_snapshot_as(
                &self,
                bytes: &[u8],
                actor: &str,
            ) -> Result<SnapshotCreated> {
                let $this = self;
                $engine.import_snapshot(bytes, actor).await
            }
        }
    };
}

/// Creates `path` as an empty file readable by its owner only, with its missing directories
/// (owner only too), unless it exists. SQLite takes an empty file for a new database.
fn create_private_file(path: &Path) -> std::io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        if !parent.is_dir() {
            private_dir_builder().create(parent)?;
        }
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// A recursive directory builder that makes directories readable by their owner only.
fn private_dir_builder() -> std::fs::DirBuilder {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
}

/// The embedded store: one SQLite file (WAL mode, 30 s busy timeout, full sync).
#[derive(Debug, Clone)]
pub struct SqliteStore {
    engine: Engine,
    path: PathBuf,
}

impl SqliteStore {
    /// Opens or creates the store file at `path`, creating missing directories, and brings its
    /// schema up to date. On unix a new file is created readable by its owner only (0600), as
    /// are the directories it creates (0700); SQLite gives its journal files the same mode.
    ///
    /// Connections run with `trusted_schema = OFF`, so that triggers and views a doctored file
    /// carries cannot call functions with side effects; `verify` reports them.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let shown = path.display().to_string();
        let open_error = |source: Box<dyn std::error::Error + Send + Sync>| Error::Open {
            path: shown.clone(),
            source,
        };
        create_private_file(&path).map_err(|e| open_error(Box::new(e)))?;
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .busy_timeout(SQLITE_BUSY_TIMEOUT)
            .foreign_keys(true)
            .pragma("trusted_schema", "OFF");
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|e| open_error(Box::new(e)))?;
        let engine = Engine::start(Pool::Sqlite(pool), shown, Arc::new(SystemClock)).await?;
        Ok(Self { engine, path })
    }

    /// The store file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Uses `clock` for operation and ref timestamps.
    pub fn with_clock(self, clock: Arc<dyn Clock>) -> Self {
        Self {
            engine: self.engine.with_clock(clock),
            path: self.path,
        }
    }

    /// Closes every connection (waiting for those in use).
    pub async fn close(&self) {
        self.engine.close().await;
    }
}

delegate_store!(SqliteStore, this => this.engine);

/// The shared store on a PostgreSQL server.
#[derive(Debug, Clone)]
pub struct PgStore {
    engine: Engine,
    schema: Option<String>,
}

/// `url` with any password replaced by `***`, for messages: the values of password query
/// parameters (`password`, `sslpassword`, …) and the password of the user information,
/// wherever its last `@` is (a password may hold an unencoded `/`, `?` or `@`).
pub fn redact_url(url: &str) -> String {
    let url = redact_query(url);
    let Some((scheme, rest)) = url.split_once("://") else {
        return url;
    };
    match rest.rsplit_once('@') {
        Some((user_info, host)) => match user_info.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
            None => url.clone(),
        },
        None => url.clone(),
    }
}

/// `text` with the value of every `?key=` or `&key=` parameter whose key names a password
/// replaced by `***`.
fn redact_query(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(['?', '&']) {
        out.push_str(&rest[..=at]);
        rest = &rest[at + 1..];
        let key_end = rest.find(['=', '&', '?', '/', '@']).unwrap_or(rest.len());
        if rest[key_end..].starts_with('=') && is_password_key(&rest[..key_end]) {
            out.push_str(&rest[..=key_end]);
            out.push_str("***");
            rest = &rest[key_end + 1..];
            rest = &rest[rest.find('&').unwrap_or(rest.len())..];
        }
    }
    out.push_str(rest);
    out
}

fn is_password_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["password", "passwd", "pwd", "pass", "secret", "token"]
        .iter()
        .any(|word| key.ends_with(word))
}

/// A schema name flowgate accepts: an unquoted PostgreSQL identifier in lower case, so that
/// it means the same quoted (as flowgate writes it) and unquoted (as people type it).
fn check_schema_name(schema: &str) -> Result<()> {
    let ok = !schema.is_empty()
        && schema.len() <= 63
        && schema
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !schema.as_bytes()[0].is_ascii_digit();
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidLocation {
            spec: schema.to_owned(),
            reason: "a schema name is 1 to 63 characters of a-z, 0-9 and `_`, not starting with \
                     a digit"
                .to_owned(),
        })
    }
}

/// Splits the `schema` parameter off a PostgreSQL URL (`postgres://u@h/db?schema=team`):
/// the URL without it, for the driver, and its value.
fn split_schema_param(url: &str) -> Result<(String, Option<String>)> {
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_owned(), None));
    };
    let mut schema = None;
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let value = match pair.split_once('=') {
            Some(("schema", value)) => value,
            None if pair == "schema" => "",
            _ => {
                kept.push(pair);
                continue;
            }
        };
        if schema.replace(value.to_owned()).is_some() {
            return Err(Error::InvalidLocation {
                spec: redact_url(url),
                reason: "it names `schema` twice; give one schema per store".to_owned(),
            });
        }
    }
    let url = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok((url, schema))
}

/// The schema a store uses: the one passed to [`PgStore::connect`] or the one in its URL,
/// which must agree when both are given.
fn choose_schema(url: &str, given: Option<&str>, in_url: Option<String>) -> Result<Option<String>> {
    match (given, in_url) {
        (Some(given), Some(in_url)) if given != in_url => Err(Error::InvalidLocation {
            spec: redact_url(url),
            reason: format!(
                "its `schema={in_url}` disagrees with the schema `{given}` asked for; name one"
            ),
        }),
        (Some(given), _) => Ok(Some(given.to_owned())),
        (None, in_url) => Ok(in_url),
    }
}

impl PgStore {
    /// Connects to the PostgreSQL database at `url` (`postgres://user@host:port/db`) and brings
    /// the schema up to date. With `schema`, or a `schema=NAME` parameter in the URL (taken off
    /// before the URL reaches the driver), the store's tables live in that schema, created if
    /// missing, and every pooled connection's `search_path` is set to it; otherwise they live
    /// in the connection's default schema (usually `public`). Two stores in two schemas of one
    /// database are independent.
    pub async fn connect(url: &str, schema: Option<&str>) -> Result<Self> {
        let (url, in_url) = split_schema_param(url)?;
        let schema = choose_schema(&url, schema, in_url)?;
        let schema = schema.as_deref();
        let url = url.as_str();
        let shown = redact_url(url);
        let connect_error = |source| Error::Connect {
            url: shown.clone(),
            source,
        };
        let mut options: PgConnectOptions = url.parse().map_err(connect_error)?;
        options = options.application_name("flowgate");
        if let Some(schema) = schema {
            check_schema_name(schema)?;
        }
        // One direct connection first: a pool would retry an unreachable server until its
        // acquire timeout, where this fails at once with the server's own reason.
        let mut conn = options.connect().await.map_err(connect_error)?;
        if let Some(schema) = schema {
            sqlx::raw_sql(&format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\""))
                .execute(&mut conn)
                .await
                .map_err(connect_error)?;
            options = options.options([("search_path", schema)]);
        }
        conn.close().await.map_err(connect_error)?;
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await
            .map_err(connect_error)?;
        let location = match schema {
            Some(schema) => format!("{shown} (schema {schema})"),
            None => shown.clone(),
        };
        let engine = Engine::start(Pool::Pg(pool), location, Arc::new(SystemClock)).await?;
        Ok(Self {
            engine,
            schema: schema.map(str::to_owned),
        })
    }

    /// The schema given to [`PgStore::connect`], if any.
    pub fn schema(&self) -> Option<&str> {
        self.schema.as_deref()
    }

    /// Uses `clock` for operation and ref timestamps.
    pub fn with_clock(self, clock: Arc<dyn Clock>) -> Self {
        Self {
            engine: self.engine.with_clock(clock),
            schema: self.schema,
        }
    }

    /// Closes every connection (waiting for those in use).
    pub async fn close(&self) {
        self.engine.close().await;
    }
}

delegate_store!(PgStore, this => this.engine);

/// Either backend, chosen at run time (see [`open_store`]).
#[derive(Debug, Clone)]
pub enum AnyStore {
    /// An embedded SQLite store.
    Sqlite(SqliteStore),
    /// A PostgreSQL store.
    Postgres(PgStore),
}

impl AnyStore {
    fn engine(&self) -> &Engine {
        match self {
            AnyStore::Sqlite(store) => &store.engine,
            AnyStore::Postgres(store) => &store.engine,
        }
    }

    /// Where the store is, for messages (file path, or URL without password).
    pub fn location(&self) -> &str {
        self.engine().location()
    }

    /// Uses `clock` for operation and ref timestamps.
    pub fn with_clock(self, clock: Arc<dyn Clock>) -> Self {
        match self {
            AnyStore::Sqlite(store) => AnyStore::Sqlite(store.with_clock(clock)),
            AnyStore::Postgres(store) => AnyStore::Postgres(store.with_clock(clock)),
        }
    }

    /// Closes every connection (waiting for those in use).
    pub async fn close(&self) {
        self.engine().close().await;
    }

    /// This store, recording `credential` (such as `token tok_3f9a…` or `session`) in the
    /// payload of every operation appended through the returned handle, beside the actor: the
    /// log then says how the acting person was authenticated.
    pub fn acting_with(self, credential: impl Into<String>) -> Self {
        let credential = credential.into();
        match self {
            AnyStore::Sqlite(mut store) => {
                store.engine = store.engine.with_credential(credential);
                AnyStore::Sqlite(store)
            }
            AnyStore::Postgres(mut store) => {
                store.engine = store.engine.with_credential(credential);
                AnyStore::Postgres(store)
            }
        }
    }

    /// The people's accounts kept in this store.
    pub fn accounts(&self) -> crate::Accounts<'_> {
        crate::Accounts {
            engine: self.engine(),
        }
    }

    /// The head of the operation log: it moves with every operation and every ref move, so
    /// a view of the log is current while the head is unchanged.
    pub async fn log_head(&self) -> Result<crate::LogHead> {
        self.engine().log_head().await
    }

    /// The notifications waiting to be delivered, shared by every server on this store.
    pub fn outbox(&self) -> crate::Outbox<'_> {
        crate::Outbox {
            engine: self.engine(),
        }
    }

    /// The notices sent about lasting conditions, shared by every server on this store.
    pub fn notices(&self) -> crate::Notices<'_> {
        crate::Notices {
            engine: self.engine(),
        }
    }
}

delegate_store!(AnyStore, this => this.engine());

/// Opens the store `spec` names: `postgres://…` or `postgresql://…` for PostgreSQL (with an
/// optional `?schema=NAME`, see [`PgStore::connect`]), `sqlite://PATH` or a plain path for
/// SQLite.
pub async fn open_store(spec: &str) -> Result<AnyStore> {
    let trimmed = spec.trim();
    if trimmed.is_empty() {
        return Err(Error::InvalidLocation {
            spec: spec.to_owned(),
            reason: format!(
                "it is empty; pass a file path (default {DEFAULT_STORE_PATH}) or a postgres:// URL"
            ),
        });
    }
    if trimmed.starts_with("postgres://") || trimmed.starts_with("postgresql://") {
        // A `schema=NAME` parameter in the URL is handled by `connect`.
        return PgStore::connect(trimmed, None)
            .await
            .map(AnyStore::Postgres);
    }
    let path = trimmed.strip_prefix("sqlite://").unwrap_or(trimmed);
    if let Some((scheme, _)) = path.split_once("://") {
        return Err(Error::InvalidLocation {
            spec: spec.to_owned(),
            reason: format!(
                "unknown scheme `{scheme}`; use postgres://, sqlite:// or a plain file path"
            ),
        });
    }
    SqliteStore::open(path).await.map(AnyStore::Sqlite)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_schema_parameter_is_taken_off_the_url() {
        let split = |url: &str| split_schema_param(url).unwrap();
        assert_eq!(
            split("postgres://u@h/db"),
            ("postgres://u@h/db".into(), None)
        );
        assert_eq!(
            split("postgres://u@h/db?schema=team"),
            ("postgres://u@h/db".into(), Some("team".into()))
        );
        assert_eq!(
            split("postgres://u@h/db?sslmode=disable&schema=team&application_name=x"),
            (
                "postgres://u@h/db?sslmode=disable&application_name=x".into(),
                Some("team".into())
            )
        );
        assert_eq!(
            split("postgres://u@h/db?schema"),
            ("postgres://u@h/db".into(), Some(String::new()))
        );
        assert!(split_schema_param("postgres://u@h/db?schema=a&schema=b").is_err());
        assert!(choose_schema("u", Some("a"), Some("b".into())).is_err());
        assert_eq!(
            choose_schema("u", Some("a"), Some("a".into())).unwrap(),
            Some("a".into())
        );
        for bad in ["", "Team", "1team", "te-am", "team;drop", "t\"x"] {
            assert!(check_schema_name(bad).is_err(), "{bad}");
        }
        assert!(check_schema_name("flowgate_team").is_ok());
    }

    #[test]
    fn urls_lose_their_password() {
        assert_eq!(
            redact_url("postgres://u:secret@db:5432/x?sslmode=disable"),
            "postgres://u:***@db:5432/x?sslmode=disable"
        );
        assert_eq!(redact_url("postgres://u@db/x"), "postgres://u@db/x");
        assert_eq!(
            redact_url("postgres://u@db/x?sslmode=require&password=top&application_name=a"),
            "postgres://u@db/x?sslmode=require&password=***&application_name=a"
        );
        assert_eq!(
            redact_url("postgres://postgres:top/secretpw@127.0.0.1:5432/test"),
            "postgres://postgres:***@127.0.0.1:5432/test"
        );
        assert_eq!(
            redact_url("postgres://postgres:top?secretpw@127.0.0.1:5432/test"),
            "postgres://postgres:***@127.0.0.1:5432/test"
        );
        assert_eq!(
            redact_url("postgres://u@db/x?sslpassword=abc@def"),
            "postgres://u@db/x?sslpassword=***"
        );
        assert_eq!(redact_url("postgres://db/x"), "postgres://db/x");
    }
}

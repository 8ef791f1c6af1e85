//! The store's logic, written once for both backends over [`crate::db`].

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;
use std::sync::Arc;

use serde_json::{json, Value};

use crate::canonical::canonical_json_string;
use crate::db::{
    batches, is_unique_violation, multi_row_insert, placeholders, Arg, Backend, Pool, Row, Tx,
};
use crate::error::{Error, Result};
use crate::export;
use crate::grammar;
use crate::id::{ObjectId, OpHash, ParseIdError, SnapshotId, TreeId};
use crate::migrations;
use crate::model::{
    compare_versions, snapshot_id, validate_ref_name, Clock, Entry, LogBreak, LogReport,
    NewOperation, NewSnapshot, Object, Operation, OperationFilter, Problem, ProblemKind, PutReport,
    RefChange, RefRecord, Snapshot, SnapshotComparison, SnapshotCreated, SnapshotKey,
    SnapshotOrigin, SnapshotSummary, TimeReversal, Timestamp, VerifyReport, VersionKey,
};
use crate::tree::{self, RawEntry, WalkError};
use crate::OperationKind;

/// The `flowgate_meta` key that marks a rehearsal store.
const REHEARSAL_KEY: &str = "rehearsal";

/// Rows passed as one JSON array to a bulk statement.
const JSON_BATCH: usize = 5000;
/// Objects read per page by `verify`.
const VERIFY_PAGE: i64 = 128;
/// Operation records read per page.
const LOG_PAGE: i64 = 1000;

const SNAPSHOT_CREATE: &str = OperationKind::SnapshotCreate.as_str();
const SNAPSHOT_IMPORT: &str = OperationKind::SnapshotImport.as_str();

/// The ids in `$1`, a JSON array of object ids, that are not stored.
fn sql_missing_objects(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "SELECT e.value FROM json_each($1) AS e \
             WHERE NOT EXISTS (SELECT 1 FROM flowgate_objects o WHERE o.id = e.value)"
        }
        Backend::Postgres => {
            "SELECT e FROM jsonb_array_elements_text($1::jsonb) AS e \
             WHERE NOT EXISTS (SELECT 1 FROM flowgate_objects o WHERE o.id = e)"
        }
    }
}

/// The `(kind, name)` of every schema object that could be flowgate's or act on flowgate's
/// tables. SQLite: everything in the file but SQLite's own `sqlite_…` objects. PostgreSQL
/// (whose schema may be shared with other applications): in the store's schema, the relations
/// named `flowgate_…`, the indexes on them, and the triggers and rules on them.
fn sql_schema_objects(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
        }
        Backend::Postgres => {
            "WITH ns AS (SELECT oid FROM pg_namespace WHERE nspname = current_schema()), \
             own AS (SELECT c.oid, c.relname FROM pg_class c, ns \
                     WHERE c.relnamespace = ns.oid AND c.relname LIKE 'flowgate\\_%') \
             SELECT CASE c.relkind WHEN 'i' THEN 'index' WHEN 'I' THEN 'index' \
                    WHEN 'r' THEN 'table' WHEN 'p' THEN 'table' ELSE 'view' END::text, \
                    c.relname::text \
             FROM pg_class c, ns WHERE c.relnamespace = ns.oid AND c.relkind <> 'c' AND \
             (c.relname LIKE 'flowgate\\_%' \
              OR c.oid IN (SELECT i.indexrelid FROM pg_index i JOIN own ON own.oid = i.indrelid)) \
             UNION ALL SELECT 'trigger', t.tgname::text FROM pg_trigger t \
             JOIN own ON own.oid = t.tgrelid WHERE NOT t.tgisinternal \
             UNION ALL SELECT 'rule', r.rulename::text FROM pg_rewrite r \
             JOIN own ON own.oid = r.ev_class WHERE r.rulename <> '_RETURN'"
        }
    }
}

const OPERATION_COLUMNS: &str =
    "seq, at, actor, kind, payload, ref_name, ref_from, ref_to, ref_version, prev_hash, hash";

/// The query for `filter`, with only the conditions it sets (so each can use its index), and
/// its arguments. Rows come oldest first, or newest first with `newest_first`.
fn operations_query(filter: &OperationFilter) -> (String, Vec<Arg<'_>>) {
    // Only the conditions asked for: `seq > 0` alone would make SQLite walk the table by
    // rowid instead of using the index of a more selective condition.
    let mut conditions = vec!["1 = 1".to_owned()];
    let mut args = Vec::new();
    if let Some(after) = filter.after_seq {
        conditions.push("seq > $1".to_owned());
        args.push(Arg::Int(to_i64(after)));
    }
    // With a plan or a snapshot to narrow by, `kind || ''` keeps the planner off the kind
    // index, whose equality it would otherwise prefer to the far more selective one.
    let narrowed = filter.plan_prefix.is_some() || filter.snapshot.is_some();
    let kind_column = if narrowed { "(kind || '')" } else { "kind" };
    if let Some(kind) = filter.kind {
        let n = args.len() + 1;
        match kind.legacy_name() {
            Some(old) => {
                conditions.push(format!("{kind_column} IN (${n}, ${})", n + 1));
                args.push(Arg::Text(kind.as_str()));
                args.push(Arg::Text(old));
            }
            None => {
                conditions.push(format!("{kind_column} = ${n}"));
                args.push(Arg::Text(kind.as_str()));
            }
        }
    }
    if let Some(actor) = &filter.actor {
        conditions.push(format!("actor = ${}", args.len() + 1));
        args.push(Arg::Text(actor));
    }
    if let Some(name) = &filter.ref_name {
        conditions.push(format!("ref_name = ${}", args.len() + 1));
        args.push(Arg::Text(name));
    }
    if let Some(prefix) = &filter.plan_prefix {
        let n = args.len() + 1;
        conditions.push(format!("plan >= ${n} AND plan < ${n} || '~'"));
        args.push(Arg::Text(prefix));
    }
    if let Some(snapshot) = &filter.snapshot {
        conditions.push(format!("snapshot = ${}", args.len() + 1));
        args.push(Arg::Text(snapshot));
    }
    let order = if filter.newest_first { "DESC" } else { "ASC" };
    let limit = to_i64(filter.limit.unwrap_or(u64::MAX));
    let sql = format!(
        "SELECT {OPERATION_COLUMNS} FROM flowgate_operations WHERE {} ORDER BY seq {order} LIMIT {limit}",
        conditions.join(" AND ")
    );
    (sql, args)
}

/// The backend-independent store.
#[derive(Debug, Clone)]
pub(crate) struct Engine {
    pool: Pool,
    clock: Arc<dyn Clock>,
    location: String,
    /// The credential the acting person authenticated with, recorded in every operation
    /// appended through this handle (see [`crate::AnyStore::acting_with`]).
    credential: Option<String>,
}

/// A snapshot row as stored, before its text columns are parsed.
struct RawSnapshot {
    id: String,
    bundle: String,
    version: String,
    created_at: String,
    author: String,
    manifest: String,
    origin: String,
    /// The root of the snapshot's tree (the `tree` column).
    tree: Option<String>,
    /// The entry count recorded beside the tree.
    entry_count: Option<i64>,
    /// The entries, once read from the tree ([`Engine::load_entries`]).
    entries: Vec<RawEntry>,
}

impl RawSnapshot {
    /// Parses the row, or says what in it is unreadable.
    fn parse(self) -> Result<Snapshot, String> {
        let id = parse_text::<SnapshotId>(&self.id)?;
        let created_at = Timestamp::from_str(&self.created_at).map_err(|e| e.to_string())?;
        let manifest: Value = serde_json::from_str(&self.manifest)
            .map_err(|e| format!("manifest is not JSON: {e}"))?;
        let mut entries = parse_entries(self.entries)?;
        // Sorted here, not in SQL: PostgreSQL would order text by its collation.
        entries.sort();
        let origin = SnapshotOrigin::parse(&self.origin)?;
        Ok(Snapshot {
            id,
            bundle: self.bundle,
            version: self.version,
            created_at,
            author: self.author,
            manifest,
            entries,
            origin,
        })
    }
}

/// Entries as the tree holds them, parsed for use.
fn parse_entries(raw: Vec<RawEntry>) -> Result<Vec<Entry>, String> {
    raw.into_iter()
        .map(|e| {
            Ok(Entry {
                object: parse_text(&e.object)?,
                kind: e.kind,
                id: e.id,
                path: e.path,
            })
        })
        .collect()
}

fn parse_text<T: FromStr<Err = ParseIdError>>(text: &str) -> Result<T, String> {
    text.parse().map_err(|e: ParseIdError| e.to_string())
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn to_u64(n: i64, what: &str) -> Result<u64, String> {
    u64::try_from(n).map_err(|_| format!("{what} is negative ({n})"))
}

fn check_operation(op: &NewOperation) -> Result<()> {
    if op.actor.trim().is_empty() {
        return Err(Error::InvalidOperation(
            "the actor is empty; say who is doing this".to_owned(),
        ));
    }
    Ok(())
}

/// Checks `new` against the store's rules and the workspace grammar (see [`grammar`]) and
/// returns its entries in canonical order.
fn check_snapshot(new: &NewSnapshot) -> Result<Vec<Entry>> {
    let invalid = |reason: String| Error::InvalidSnapshot {
        bundle: grammar::shown(&new.bundle),
        version: grammar::shown(&new.version),
        reason,
    };
    for (what, value) in [
        ("bundle name", &new.bundle),
        ("version", &new.version),
        ("author", &new.author),
    ] {
        if value.trim().is_empty() {
            return Err(invalid(format!("the {what} is empty")));
        }
    }
    grammar::check_names(&new.bundle, &new.version, &new.entries, &new.manifest)
        .map_err(invalid)?;
    let entries = new.sorted_entries();
    if let Some(pair) = entries
        .windows(2)
        .find(|w| w[0].kind == w[1].kind && w[0].id == w[1].id)
    {
        return Err(invalid(format!(
            "asset {} `{}` appears twice; a snapshot holds each asset once",
            pair[0].kind, pair[0].id
        )));
    }
    if let Some(entry) = entries
        .iter()
        .find(|e| e.kind.is_empty() || e.id.is_empty())
    {
        return Err(invalid(format!(
            "an entry has an empty asset kind or id (object {})",
            entry.object
        )));
    }
    Ok(entries)
}

/// How a snapshot is being recorded: under which operation kind, by whom, from where.
struct Recording<'a> {
    kind: OperationKind,
    actor: &'a str,
    origin: SnapshotOrigin,
}

/// The payload of the operation that records `new`. An import keeps the file's claimed author
/// and date apart from the operation's actor and time.
fn snapshot_payload(
    new: &NewSnapshot,
    id: SnapshotId,
    entries: usize,
    origin: SnapshotOrigin,
) -> Value {
    let mut payload = json!({
        "snapshot": id,
        "bundle": new.bundle,
        "version": new.version,
        "entries": entries,
        "manifest": new.manifest,
    });
    if origin == SnapshotOrigin::Imported {
        payload["claimed_author"] = json!(new.author);
        payload["claimed_created_at"] = json!(new.created_at);
    }
    payload
}

/// The supplied objects a snapshot write stores: those of entries in leaves not stored yet,
/// and those no entry names (stored as before, for whoever supplied them). The objects of
/// entries in stored leaves are stored already, so writing them again (30,000 objects for a
/// 30,000-asset bundle with one change) would only rewrite what is there.
fn objects_to_store<'o>(
    objects: &'o [Object],
    entries: &[Entry],
    in_new_leaves: &BTreeSet<ObjectId>,
) -> Vec<&'o Object> {
    let named: BTreeSet<ObjectId> = entries.iter().map(|e| e.object).collect();
    objects
        .iter()
        .filter(|o| {
            let id = o.id();
            in_new_leaves.contains(&id) || !named.contains(&id)
        })
        .collect()
}

/// Inserts the `flowgate_snapshots` row of `new`.
/// The root of its tree and its entry count are `tree`.
async fn insert_snapshot_row(
    tx: &mut Tx,
    new: &NewSnapshot,
    id: &str,
    origin: SnapshotOrigin,
    tree: (TreeId, usize),
) -> sqlx::Result<u64> {
    let manifest = canonical_json_string(&new.manifest);
    let key = VersionKey::parse(&new.version);
    let created_at = new.created_at.to_rfc3339();
    let root = tree.0.to_string();
    tx.execute(
        "INSERT INTO flowgate_snapshots (id, bundle, version, version_major, version_minor, \
         version_patch, version_pre, created_at, author, manifest, origin, tree, entry_count) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        &[
            Arg::Text(id),
            Arg::Text(&new.bundle),
            Arg::Text(&new.version),
            Arg::OptInt(key.as_ref().map(|k| to_i64(k.major))),
            Arg::OptInt(key.as_ref().map(|k| to_i64(k.minor))),
            Arg::OptInt(key.as_ref().map(|k| to_i64(k.patch))),
            Arg::OptText(key.as_ref().map(|k| k.pre.as_str())),
            Arg::Text(&created_at),
            Arg::Text(&new.author),
            Arg::Text(&manifest),
            Arg::Text(origin.as_str()),
            Arg::Text(&root),
            Arg::Int(to_i64(tree.1 as u64)),
        ],
    )
    .await
}

/// A content-addressed table.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Content {
    Objects,
    Trees,
}

impl Content {
    pub(crate) fn table(self) -> &'static str {
        match self {
            Content::Objects => "flowgate_objects",
            Content::Trees => "flowgate_trees",
        }
    }
}

/// What the log recorded when a snapshot was created or imported.
struct Logged {
    seq: u64,
    manifest: Value,
    origin: SnapshotOrigin,
}

/// What is wrong with a stored snapshot by itself and against the log (`logged`).
fn snapshot_findings(
    snapshot: &Snapshot,
    manifest_text: &str,
    logged: Option<&Logged>,
) -> Vec<(ProblemKind, String)> {
    let mut found = Vec::new();
    let computed = snapshot.computed_id();
    if computed != snapshot.id {
        found.push((
            ProblemKind::SnapshotId,
            format!("its bundle, version and entries hash to {computed}: it was altered"),
        ));
    }
    if canonical_json_string(&snapshot.manifest) != manifest_text {
        found.push((
            ProblemKind::Manifest,
            "the stored manifest is not in canonical form: it was edited".to_owned(),
        ));
    }
    let Some(logged) = logged else {
        found.push((
            ProblemKind::SnapshotId,
            "no operation in the log created it".to_owned(),
        ));
        return found;
    };
    let seq = logged.seq;
    if logged.manifest != snapshot.manifest {
        found.push((
            ProblemKind::Manifest,
            format!("the manifest differs from the one logged by operation {seq}"),
        ));
    }
    if logged.origin != snapshot.origin {
        found.push((
            ProblemKind::Origin,
            format!(
                "it is marked {}, but operation {seq} recorded it as {}: the mark was changed \
                 outside flowgate",
                snapshot.origin.as_str(),
                logged.origin.as_str()
            ),
        ));
    }
    found
}

/// What is wrong with the shape of a snapshot's tree, whose entries were read: it must be the
/// tree those entries build (so that equal snapshots share nodes), and the entry count stored
/// beside it must be theirs.
fn tree_findings(raw: &RawSnapshot) -> Vec<(ProblemKind, String)> {
    let mut found = Vec::new();
    let built = tree::build(&raw.entries);
    if raw.tree.as_deref() != Some(built.root.to_string().as_str()) {
        found.push((
            ProblemKind::Tree,
            format!(
                "its tree holds its entries but is not the tree they build ({}): it was \
                 rewritten outside flowgate",
                built.root
            ),
        ));
    }
    let count = raw.entries.len() as u64;
    if raw.entry_count.and_then(|n| u64::try_from(n).ok()) != Some(count) {
        found.push((
            ProblemKind::Tree,
            format!(
                "its recorded entry count {} is not the {count} entries its tree holds",
                raw.entry_count
                    .map_or_else(|| "(none)".to_owned(), |n| n.to_string())
            ),
        ));
    }
    found
}

impl Engine {
    /// Wraps an open pool, bringing its schema up to date.
    pub(crate) async fn start(pool: Pool, location: String, clock: Arc<dyn Clock>) -> Result<Self> {
        let now = clock.now().to_rfc3339();
        if let Err(error) = migrations::migrate(&pool, &location, &now).await {
            pool.close().await;
            return Err(error);
        }
        Ok(Self {
            pool,
            clock,
            location,
            credential: None,
        })
    }

    /// The store clock's time now.
    pub(crate) fn now(&self) -> Timestamp {
        self.clock.now()
    }

    pub(crate) fn location(&self) -> &str {
        &self.location
    }

    pub(crate) fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    pub(crate) fn with_credential(mut self, credential: String) -> Self {
        self.credential = Some(credential);
        self
    }

    /// `payload` with the acting credential under `credential`, when this handle has one.
    fn stamped(&self, payload: &Value) -> Value {
        let mut payload = payload.clone();
        if let (Some(credential), Some(fields)) = (&self.credential, payload.as_object_mut()) {
            fields.insert("credential".to_owned(), Value::String(credential.clone()));
        }
        payload
    }

    pub(crate) async fn close(&self) {
        self.pool.close().await;
    }

    pub(crate) fn db(&self, action: &'static str) -> impl Fn(sqlx::Error) -> Error + '_ {
        move |source| Error::Database {
            location: self.location.clone(),
            action,
            source,
        }
    }

    pub(crate) fn corrupt(&self, detail: impl Into<String>) -> Error {
        Error::Corrupt {
            location: self.location.clone(),
            detail: detail.into(),
        }
    }

    pub(crate) async fn write(&self) -> Result<Tx> {
        self.pool
            .begin_write()
            .await
            .map_err(self.db("begin a write transaction"))
    }

    pub(crate) async fn read(&self) -> Result<Tx> {
        self.pool
            .begin_read()
            .await
            .map_err(self.db("begin a read transaction"))
    }

    pub(crate) async fn commit(&self, tx: Tx) -> Result<()> {
        tx.commit().await.map_err(self.db("commit"))
    }

    pub(crate) async fn rollback(&self, tx: Tx) -> Result<()> {
        tx.rollback().await.map_err(self.db("roll back"))
    }

    /// Runs one statement in its own write transaction; the rows it changed.
    pub(crate) async fn run_one(
        &self,
        action: &'static str,
        sql: &str,
        args: &[Arg<'_>],
    ) -> Result<u64> {
        let mut tx = self.write().await?;
        let changed = tx.execute(sql, args).await.map_err(self.db(action))?;
        self.commit(tx).await?;
        Ok(changed)
    }

    // ---- objects -------------------------------------------------------------------------

    /// Inserts the objects that are not stored yet, stamped with the time now; returns how
    /// many were new. With `refresh`, objects already stored get the time now too, when
    /// theirs is older: garbage collection spares recently added objects, and a caller that
    /// stores an object to refer to it later (a checkpoint named by an operation appended
    /// next) must get that grace whether or not the object was there before.
    ///
    /// Objects go in id order (each once), so that concurrent writers sharing objects take
    /// PostgreSQL's row locks in one order and cannot deadlock.
    async fn insert_objects(&self, tx: &mut Tx, objects: &[&Object], refresh: bool) -> Result<u64> {
        let mut sorted: Vec<&Object> = objects.to_vec();
        sorted.sort_unstable_by_key(|o| o.id());
        sorted.dedup_by_key(|o| o.id());
        let now = self.clock.now().to_rfc3339();
        let mut inserted = 0;
        for batch in batches(&sorted, |o| o.bytes().len()) {
            let ids: Vec<String> = batch.iter().map(|o| o.id().to_string()).collect();
            let mut args = Vec::with_capacity(batch.len() * 4);
            for (object, id) in batch.iter().zip(&ids) {
                args.push(Arg::Text(id));
                args.push(Arg::Int(to_i64(object.bytes().len() as u64)));
                args.push(Arg::Bytes(object.bytes()));
                args.push(Arg::Text(&now));
            }
            let sql = multi_row_insert(
                "INSERT INTO flowgate_objects (id, size, bytes, added_at)",
                4,
                batch.len(),
                "ON CONFLICT (id) DO NOTHING",
            );
            inserted += tx
                .execute(&sql, &args)
                .await
                .map_err(self.db("store objects"))?;
            if refresh {
                let mut args = vec![Arg::Text(&now)];
                args.extend(ids.iter().map(|id| Arg::Text(id)));
                let sql = format!(
                    "UPDATE flowgate_objects SET added_at = $1 WHERE added_at < $1 AND id IN ({})",
                    placeholders(2, ids.len())
                );
                tx.execute(&sql, &args)
                    .await
                    .map_err(self.db("store objects"))?;
            }
        }
        Ok(inserted)
    }

    /// The ids among `ids` (deduplicated, first occurrence order) that are not stored.
    async fn missing_in(&self, tx: &mut Tx, ids: &[ObjectId]) -> Result<Vec<ObjectId>> {
        let mut seen = BTreeSet::new();
        let unique: Vec<ObjectId> = ids.iter().copied().filter(|id| seen.insert(*id)).collect();
        let mut missing = BTreeSet::new();
        for batch in unique.chunks(JSON_BATCH) {
            let list = serde_json::to_string(batch)
                .map_err(|e| self.corrupt(format!("cannot encode object ids: {e}")))?;
            for row in tx
                .fetch_all(sql_missing_objects(tx.backend()), &[Arg::Text(&list)])
                .await
                .map_err(self.db("look up objects"))?
            {
                missing.insert(row.text(0).map_err(self.db("read object ids"))?);
            }
        }
        Ok(unique
            .into_iter()
            .filter(|id| missing.contains(&id.to_string()))
            .collect())
    }

    pub(crate) async fn put_objects(&self, objects: &[Object]) -> Result<PutReport> {
        let unique = objects
            .iter()
            .map(Object::id)
            .collect::<BTreeSet<_>>()
            .len() as u64;
        if unique == 0 {
            return Ok(PutReport::default());
        }
        let mut tx = self.write().await?;
        tx.lock_shared()
            .await
            .map_err(self.db("lock the store against collection"))?;
        let all: Vec<&Object> = objects.iter().collect();
        let inserted = self.insert_objects(&mut tx, &all, true).await?;
        self.commit(tx).await?;
        Ok(PutReport {
            inserted,
            existing: unique - inserted,
        })
    }

    /// The stored objects among `ids`, each checked against its id: content that no longer
    /// hashes to its id is never handed out.
    async fn read_objects(
        &self,
        tx: &mut Tx,
        ids: &[ObjectId],
    ) -> Result<BTreeMap<ObjectId, Object>> {
        let unique: Vec<ObjectId> = ids
            .iter()
            .copied()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut found = BTreeMap::new();
        for batch in batches(&unique, |_| 0) {
            let texts: Vec<String> = batch.iter().map(ToString::to_string).collect();
            let args: Vec<Arg<'_>> = texts.iter().map(|t| Arg::Text(t)).collect();
            let sql = format!(
                "SELECT id, bytes FROM flowgate_objects WHERE id IN ({})",
                placeholders(1, batch.len())
            );
            for row in tx
                .fetch_all(&sql, &args)
                .await
                .map_err(self.db("read objects"))?
            {
                let (id, bytes) =
                    (|| Ok((row.text(0)?, row.bytes(1)?)))().map_err(self.db("read objects"))?;
                let object = Object::new(bytes);
                if object.id().to_string() != id {
                    return Err(self.corrupt(format!(
                        "object {id} does not match its content (it hashes to {})",
                        object.id()
                    )));
                }
                found.insert(object.id(), object);
            }
        }
        Ok(found)
    }

    pub(crate) async fn get_object(&self, id: &ObjectId) -> Result<Option<Vec<u8>>> {
        let mut tx = self.read().await?;
        let mut found = self.read_objects(&mut tx, &[*id]).await?;
        self.rollback(tx).await?;
        Ok(found.remove(id).map(Object::into_bytes))
    }

    pub(crate) async fn get_objects(&self, ids: &[ObjectId]) -> Result<Vec<Object>> {
        let mut tx = self.read().await?;
        let mut found = self.read_objects(&mut tx, ids).await?;
        self.rollback(tx).await?;
        Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
    }

    pub(crate) async fn missing_objects(&self, ids: &[ObjectId]) -> Result<Vec<ObjectId>> {
        let mut tx = self.read().await?;
        let missing = self.missing_in(&mut tx, ids).await?;
        self.rollback(tx).await?;
        Ok(missing)
    }

    // ---- snapshots -----------------------------------------------------------------------

    pub(crate) async fn create_snapshot(
        &self,
        new: &NewSnapshot,
        objects: &[Object],
    ) -> Result<SnapshotCreated> {
        let how = Recording {
            kind: OperationKind::SnapshotCreate,
            actor: &new.author,
            origin: SnapshotOrigin::Local,
        };
        self.create_snapshot_as(new, objects, &how).await
    }

    async fn create_snapshot_as(
        &self,
        new: &NewSnapshot,
        objects: &[Object],
        how: &Recording<'_>,
    ) -> Result<SnapshotCreated> {
        let entries = check_snapshot(new)?;
        let id = snapshot_id(&new.bundle, &new.version, &entries);
        let payload = snapshot_payload(new, id, entries.len(), how.origin);
        let op = NewOperation::new(how.actor, how.kind, payload);
        check_operation(&op)?;
        let raw: Vec<RawEntry> = entries.iter().map(RawEntry::from_entry).collect();
        let built = tree::build(&raw);
        let mut tx = self.write().await?;
        tx.lock_shared()
            .await
            .map_err(self.db("lock the store against collection"))?;
        if let Some(existing) = self.version_id(&mut tx, &new.bundle, &new.version).await? {
            self.rollback(tx).await?;
            return self.existing_version(new, id, existing);
        }
        let new_nodes = tree::unstored(&mut tx, &built)
            .await
            .map_err(self.db("look up tree nodes"))?;
        // A stored node's objects are stored (collection removes an object only with every
        // node that reaches it, and holds back snapshot writes while it runs), so only the
        // entries of new leaves need looking up, and only their objects need writing.
        let in_new_leaves: BTreeSet<ObjectId> = new_nodes
            .iter()
            .flat_map(|node| &node.objects)
            .filter_map(|text| text.parse().ok())
            .collect();
        let to_store = objects_to_store(objects, &entries, &in_new_leaves);
        let new_objects = self.insert_objects(&mut tx, &to_store, false).await?;
        let wanted: Vec<ObjectId> = entries
            .iter()
            .map(|e| e.object)
            .filter(|object| in_new_leaves.contains(object))
            .collect();
        let missing = self.missing_in(&mut tx, &wanted).await?;
        if !missing.is_empty() {
            self.rollback(tx).await?;
            return Err(Error::MissingObjects {
                bundle: new.bundle.clone(),
                version: new.version.clone(),
                missing,
            });
        }
        let now = self.clock.now().to_rfc3339();
        tree::insert(&mut tx, &new_nodes, &now)
            .await
            .map_err(self.db("record the snapshot's tree"))?;
        let id_text = id.to_string();
        let root = (built.root, entries.len());
        if let Err(error) = insert_snapshot_row(&mut tx, new, &id_text, how.origin, root).await {
            drop(tx);
            return self.lost_race(new, id, error).await;
        }
        let op = self.append_in(&mut tx, &op, None).await?;
        self.commit(tx).await?;
        Ok(SnapshotCreated {
            id,
            created: true,
            new_objects,
            operation: Some(op.seq),
        })
    }

    /// After inserting the snapshot row failed: when a concurrent writer created this version
    /// first (PostgreSQL), answers as if it had been there when we looked.
    async fn lost_race(
        &self,
        new: &NewSnapshot,
        id: SnapshotId,
        error: sqlx::Error,
    ) -> Result<SnapshotCreated> {
        if !is_unique_violation(&error) {
            return Err(self.db("record the snapshot")(error));
        }
        let mut tx = self.read().await?;
        let existing = self.version_id(&mut tx, &new.bundle, &new.version).await?;
        self.rollback(tx).await?;
        match existing {
            Some(existing) => self.existing_version(new, id, existing),
            None => Err(self.db("record the snapshot")(error)),
        }
    }

    fn existing_version(
        &self,
        new: &NewSnapshot,
        attempted: SnapshotId,
        existing: SnapshotId,
    ) -> Result<SnapshotCreated> {
        if existing == attempted {
            Ok(SnapshotCreated {
                id: existing,
                created: false,
                new_objects: 0,
                operation: None,
            })
        } else {
            Err(Error::VersionExists {
                bundle: new.bundle.clone(),
                version: new.version.clone(),
                existing,
                attempted,
            })
        }
    }

    async fn version_id(
        &self,
        tx: &mut Tx,
        bundle: &str,
        version: &str,
    ) -> Result<Option<SnapshotId>> {
        let row = tx
            .fetch_optional(
                "SELECT id FROM flowgate_snapshots WHERE bundle = $1 AND version = $2",
                &[Arg::Text(bundle), Arg::Text(version)],
            )
            .await
            .map_err(self.db("look up a snapshot version"))?;
        match row {
            Some(row) => {
                let text = row.text(0).map_err(self.db("read a snapshot id"))?;
                parse_text(&text).map(Some).map_err(|e| self.corrupt(e))
            }
            None => Ok(None),
        }
    }

    /// The snapshot row `key` names, without its entries.
    async fn snapshot_row(&self, tx: &mut Tx, key: SnapshotKey<'_>) -> Result<Option<RawSnapshot>> {
        const COLUMNS: &str = "SELECT id, bundle, version, created_at, author, manifest, \
                               origin, tree, entry_count FROM flowgate_snapshots";
        let id_text;
        let row = match key {
            SnapshotKey::Id(id) => {
                id_text = id.to_string();
                tx.fetch_optional(&format!("{COLUMNS} WHERE id = $1"), &[Arg::Text(&id_text)])
                    .await
            }
            SnapshotKey::Version { bundle, version } => {
                tx.fetch_optional(
                    &format!("{COLUMNS} WHERE bundle = $1 AND version = $2"),
                    &[Arg::Text(bundle), Arg::Text(version)],
                )
                .await
            }
        }
        .map_err(self.db("read a snapshot"))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let read = |row: &Row| -> sqlx::Result<RawSnapshot> {
            Ok(RawSnapshot {
                id: row.text(0)?,
                bundle: row.text(1)?,
                version: row.text(2)?,
                created_at: row.text(3)?,
                author: row.text(4)?,
                manifest: row.text(5)?,
                origin: row.text(6)?,
                tree: row.opt_text(7)?,
                entry_count: row.opt_int(8)?,
                entries: Vec::new(),
            })
        };
        read(&row).map(Some).map_err(self.db("read a snapshot"))
    }

    /// Reads the entries of `raw` from its tree. The outer error is the database's; the inner
    /// one says what is wrong with the tree (missing, altered or malformed nodes).
    async fn load_entries(&self, tx: &mut Tx, raw: &mut RawSnapshot) -> Result<Result<(), String>> {
        let root = match raw.tree.as_deref().map(parse_text::<TreeId>) {
            Some(Ok(root)) => root,
            Some(Err(e)) => return Ok(Err(format!("its tree root is unreadable: {e}"))),
            None => return Ok(Err("it has no tree".to_owned())),
        };
        match tree::entries(tx, root).await {
            Ok(entries) => {
                raw.entries = entries;
                Ok(Ok(()))
            }
            Err(WalkError::Db(e)) => Err(self.db("read a snapshot's tree")(e)),
            Err(WalkError::Bad(problem)) => Ok(Err(problem)),
        }
    }

    /// The snapshot `key` names, with its entries; a tree that cannot be read is
    /// [`Error::Corrupt`], naming the snapshot and the node.
    async fn raw_snapshot(&self, tx: &mut Tx, key: SnapshotKey<'_>) -> Result<Option<RawSnapshot>> {
        let Some(mut raw) = self.snapshot_row(tx, key).await? else {
            return Ok(None);
        };
        if let Err(problem) = self.load_entries(tx, &mut raw).await? {
            return Err(self.corrupt(format!("snapshot {}: {problem}", raw.id)));
        }
        Ok(Some(raw))
    }

    /// Reads a snapshot for use: its id is recomputed from its bundle, version and entries,
    /// and its names checked against the workspace grammar, so that a snapshot altered in the
    /// database is refused ([`Error::SnapshotAltered`], [`Error::Corrupt`]) instead of deployed.
    pub(crate) async fn get_snapshot(&self, key: SnapshotKey<'_>) -> Result<Option<Snapshot>> {
        let mut tx = self.read().await?;
        let raw = self.raw_snapshot(&mut tx, key).await?;
        self.rollback(tx).await?;
        raw.map(|raw| self.checked(raw)).transpose()
    }

    /// The snapshot `key` names compared with `entries`, reading only the nodes of its tree
    /// that differ from the tree of `entries` (see [`tree::difference`]). Every node read is
    /// checked against its id, and the entries and manifest read against the workspace
    /// grammar; the snapshot id is not recomputed (that needs every entry).
    pub(crate) async fn compare_snapshot(
        &self,
        key: SnapshotKey<'_>,
        entries: &[Entry],
    ) -> Result<Option<SnapshotComparison>> {
        let new: Vec<RawEntry> = entries.iter().map(RawEntry::from_entry).collect();
        let mut tx = self.read().await?;
        let Some(mut raw) = self.snapshot_row(&mut tx, key).await? else {
            self.rollback(tx).await?;
            return Ok(None);
        };
        let root = match raw.tree.as_deref().map(parse_text::<TreeId>) {
            Some(Ok(root)) => root,
            Some(Err(e)) => {
                return Err(self.corrupt(format!(
                    "snapshot {}: its tree root is unreadable: {e}",
                    raw.id
                )))
            }
            None => return Err(self.corrupt(format!("snapshot {}: it has no tree", raw.id))),
        };
        let difference = match tree::difference(&mut tx, root, &new).await {
            Ok(difference) => difference,
            Err(WalkError::Db(e)) => return Err(self.db("read a snapshot's tree")(e)),
            Err(WalkError::Bad(problem)) => {
                return Err(self.corrupt(format!("snapshot {}: {problem}", raw.id)))
            }
        };
        self.rollback(tx).await?;
        let id = raw.id.clone();
        raw.entries = difference.removed;
        let snapshot = raw
            .parse()
            .map_err(|e| self.corrupt(format!("snapshot {id}: {e}")))?;
        self.check_grammar(&snapshot)?;
        let added = parse_entries(difference.added).map_err(|e| self.corrupt(e))?;
        Ok(Some(SnapshotComparison { snapshot, added }))
    }

    /// Refuses a stored snapshot whose names break the workspace grammar.
    fn check_grammar(&self, snapshot: &Snapshot) -> Result<()> {
        grammar::check_names(
            &snapshot.bundle,
            &snapshot.version,
            &snapshot.entries,
            &snapshot.manifest,
        )
        .map_err(|e| self.corrupt(format!("snapshot {}: {e}", snapshot.id)))
    }

    /// Parses a stored snapshot and refuses it unless its content still hashes to its id and
    /// its names follow the workspace grammar.
    fn checked(&self, raw: RawSnapshot) -> Result<Snapshot> {
        let id = raw.id.clone();
        let snapshot = raw
            .parse()
            .map_err(|e| self.corrupt(format!("snapshot {id}: {e}")))?;
        let computed = snapshot.computed_id();
        if computed != snapshot.id {
            return Err(Error::SnapshotAltered {
                location: self.location.clone(),
                id: snapshot.id,
                computed,
            });
        }
        self.check_grammar(&snapshot)?;
        Ok(snapshot)
    }

    pub(crate) async fn list_snapshots(
        &self,
        bundle: Option<&str>,
    ) -> Result<Vec<SnapshotSummary>> {
        let mut tx = self.read().await?;
        let rows = tx
            .fetch_all(
                "SELECT s.id, s.bundle, s.version, s.created_at, s.author, s.entry_count, \
                 s.origin FROM flowgate_snapshots s WHERE ($1 IS NULL OR s.bundle = $1)",
                &[Arg::OptText(bundle)],
            )
            .await
            .map_err(self.db("list snapshots"))?;
        self.rollback(tx).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let read = || -> sqlx::Result<_> {
                Ok((
                    row.text(0)?,
                    row.text(1)?,
                    row.text(2)?,
                    row.text(3)?,
                    row.text(4)?,
                    row.opt_int(5)?,
                    row.text(6)?,
                ))
            };
            let (id, bundle, version, created_at, author, count, origin) =
                read().map_err(self.db("list snapshots"))?;
            let parsed = || -> Result<SnapshotSummary, String> {
                Ok(SnapshotSummary {
                    id: parse_text(&id)?,
                    created_at: created_at.parse().map_err(|e| format!("{e}"))?,
                    entries: to_u64(count.ok_or("it has no entry count")?, "entry count")?,
                    origin: SnapshotOrigin::parse(&origin)?,
                    bundle,
                    version,
                    author,
                })
            };
            out.push(parsed().map_err(|e| self.corrupt(format!("snapshot {id}: {e}")))?);
        }
        out.sort_by(|a, b| {
            a.bundle
                .cmp(&b.bundle)
                .then_with(|| compare_versions(&a.version, &b.version))
                .then_with(|| a.created_at.cmp(&b.created_at))
        });
        Ok(out)
    }

    // ---- operation log -------------------------------------------------------------------

    /// Appends `op` inside `tx`, chained to the current head of the log.
    async fn append_in(
        &self,
        tx: &mut Tx,
        op: &NewOperation,
        ref_change: Option<RefChange>,
    ) -> Result<Operation> {
        check_operation(op)?;
        // Taking the head row first serialises appends (a row lock on PostgreSQL; SQLite's
        // write transactions are already serial).
        let head = tx
            .fetch_optional(
                "UPDATE flowgate_log_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash",
                &[],
            )
            .await
            .map_err(self.db("lock the operation log"))?
            .ok_or_else(|| self.corrupt("the operation log head row is missing"))?;
        let seq = head
            .int(0)
            .map_err(self.db("read the operation log head"))?;
        let prev = head
            .text(1)
            .map_err(self.db("read the operation log head"))?;
        let mut record = Operation {
            seq: to_u64(seq, "log head seq").map_err(|e| self.corrupt(e))?,
            at: self.clock.now(),
            actor: op.actor.clone(),
            kind: op.kind.as_str().to_owned(),
            payload: self.stamped(&op.payload),
            ref_change,
            prev_hash: parse_text(&prev).map_err(|e| self.corrupt(format!("log head: {e}")))?,
            hash: OpHash::GENESIS,
        };
        record.hash = record.computed_hash();
        let at = record.at.to_rfc3339();
        let payload = canonical_json_string(&record.payload);
        let change = record.ref_change.as_ref();
        let from = change.and_then(|c| c.from.map(|f| f.to_string()));
        let to = change.map(|c| c.to.to_string());
        let hash = record.hash.to_string();
        let named = |key: &str| record.payload.get(key).and_then(Value::as_str);
        tx.execute(
            &format!(
                "INSERT INTO flowgate_operations ({OPERATION_COLUMNS}, plan, snapshot) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
            ),
            &[
                Arg::Int(seq),
                Arg::Text(&at),
                Arg::Text(&record.actor),
                Arg::Text(&record.kind),
                Arg::Text(&payload),
                Arg::OptText(change.map(|c| c.name.as_str())),
                Arg::OptText(from.as_deref()),
                Arg::OptText(to.as_deref()),
                Arg::OptInt(change.map(|c| to_i64(c.version))),
                Arg::Text(&prev),
                Arg::Text(&hash),
                Arg::OptText(named("plan")),
                Arg::OptText(named("snapshot")),
            ],
        )
        .await
        .map_err(self.db("append to the operation log"))?;
        tx.execute(
            "UPDATE flowgate_log_head SET hash = $1 WHERE id = 1",
            &[Arg::Text(&hash)],
        )
        .await
        .map_err(self.db("advance the operation log head"))?;
        Ok(record)
    }

    pub(crate) async fn append_operation(&self, op: &NewOperation) -> Result<Operation> {
        check_operation(op)?;
        let mut tx = self.write().await?;
        let record = self.append_in(&mut tx, op, None).await?;
        self.commit(tx).await?;
        Ok(record)
    }

    fn operation_from_row(row: &Row) -> sqlx::Result<Result<Operation, String>> {
        let seq = row.int(0)?;
        let (at, actor, kind, payload) = (row.text(1)?, row.text(2)?, row.text(3)?, row.text(4)?);
        let (ref_name, ref_from, ref_to) = (row.opt_text(5)?, row.opt_text(6)?, row.opt_text(7)?);
        let ref_version = row.opt_int(8)?;
        let (prev_hash, hash) = (row.text(9)?, row.text(10)?);
        let parse = || -> Result<Operation, String> {
            let ref_change = match (ref_name, ref_to, ref_version) {
                (Some(name), Some(to), Some(version)) => Some(RefChange {
                    name,
                    from: ref_from.as_deref().map(parse_text).transpose()?,
                    to: parse_text(&to)?,
                    version: to_u64(version, "ref version")?,
                }),
                (None, None, None) if ref_from.is_none() => None,
                _ => return Err("ref change columns are only partly filled".to_owned()),
            };
            Ok(Operation {
                seq: to_u64(seq, "seq")?,
                at: at.parse().map_err(|e| format!("{e}"))?,
                actor,
                kind,
                payload: serde_json::from_str(&payload)
                    .map_err(|e| format!("payload is not JSON: {e}"))?,
                ref_change,
                prev_hash: parse_text(&prev_hash)?,
                hash: parse_text(&hash)?,
            })
        };
        Ok(parse())
    }

    pub(crate) async fn operations(&self, filter: &OperationFilter) -> Result<Vec<Operation>> {
        let (sql, args) = operations_query(filter);
        let mut tx = self.read().await?;
        let rows = tx
            .fetch_all(&sql, &args)
            .await
            .map_err(self.db("read the operation log"))?;
        self.rollback(tx).await?;
        rows.iter()
            .map(|row| {
                Self::operation_from_row(row)
                    .map_err(self.db("read the operation log"))?
                    .map_err(|e| self.corrupt(format!("operation log: {e}")))
            })
            .collect()
    }

    async fn verify_log_in(&self, tx: &mut Tx) -> Result<LogReport> {
        let head = tx
            .fetch_optional("SELECT seq, hash FROM flowgate_log_head WHERE id = 1", &[])
            .await
            .map_err(self.db("read the operation log head"))?
            .ok_or_else(|| self.corrupt("the operation log head row is missing"))?;
        let head_seq = head
            .int(0)
            .map_err(self.db("read the operation log head"))?;
        let head_hash = head
            .text(1)
            .map_err(self.db("read the operation log head"))?;
        let mut prev = OpHash::GENESIS;
        let mut records: u64 = 0;
        let mut last_at: Option<Timestamp> = None;
        let mut time_reversals = Vec::new();
        let broken = |seq: u64, reason: String| Some(LogBreak { seq, reason });
        loop {
            let rows = tx
                .fetch_all(
                    &format!(
                        "SELECT {OPERATION_COLUMNS} FROM flowgate_operations \
                         WHERE seq > $1 ORDER BY seq LIMIT $2"
                    ),
                    &[Arg::Int(to_i64(records)), Arg::Int(LOG_PAGE)],
                )
                .await
                .map_err(self.db("read the operation log"))?;
            let page_len = rows.len();
            for row in rows {
                let expected = records + 1;
                let report = |reason| LogReport {
                    records,
                    head: prev,
                    broken: broken(expected, reason),
                    time_reversals: time_reversals.clone(),
                };
                let op = match Self::operation_from_row(&row)
                    .map_err(self.db("read the operation log"))?
                {
                    Ok(op) => op,
                    Err(e) => return Ok(report(format!("record is unreadable: {e}"))),
                };
                if op.seq != expected {
                    return Ok(report(format!(
                        "record {expected} is missing (the next stored record is {})",
                        op.seq
                    )));
                }
                if op.prev_hash != prev {
                    return Ok(report(format!(
                        "prev_hash {} is not the hash of record {} ({prev})",
                        op.prev_hash, records
                    )));
                }
                let computed = op.computed_hash();
                if computed != op.hash {
                    return Ok(report(format!(
                        "content does not match its hash {} (it hashes to {computed}): the \
                         record was edited",
                        op.hash
                    )));
                }
                if let Some(previous_at) = last_at.filter(|last| op.at < *last) {
                    time_reversals.push(TimeReversal {
                        seq: op.seq,
                        at: op.at,
                        previous_seq: records,
                        previous_at,
                    });
                }
                last_at = Some(op.at);
                prev = op.hash;
                records = expected;
            }
            if page_len < usize::try_from(LOG_PAGE).unwrap_or(usize::MAX) {
                break;
            }
        }
        let head_matches = u64::try_from(head_seq) == Ok(records) && head_hash == prev.to_string();
        Ok(LogReport {
            records,
            head: prev,
            time_reversals,
            broken: if head_matches {
                None
            } else {
                broken(
                    records + 1,
                    format!(
                        "the log head records {head_seq} operations ending in {head_hash}, but \
                         the log holds {records} ending in {prev}: records were removed"
                    ),
                )
            },
        })
    }

    // ---- metadata ------------------------------------------------------------------------

    async fn rehearsal_in(&self, tx: &mut Tx) -> Result<bool> {
        let row = tx
            .fetch_optional(
                "SELECT value FROM flowgate_meta WHERE key = $1",
                &[Arg::Text(REHEARSAL_KEY)],
            )
            .await
            .map_err(self.db("read the store's metadata"))?;
        let value = row
            .map(|row| row.text(0))
            .transpose()
            .map_err(self.db("read the store's metadata"))?;
        Ok(value.as_deref() == Some("true"))
    }

    pub(crate) async fn is_rehearsal(&self) -> Result<bool> {
        let mut tx = self.read().await?;
        let marked = self.rehearsal_in(&mut tx).await?;
        self.rollback(tx).await?;
        Ok(marked)
    }

    pub(crate) async fn mark_rehearsal(&self) -> Result<()> {
        let mut tx = self.write().await?;
        let head = tx
            .fetch_optional("SELECT seq FROM flowgate_log_head WHERE id = 1", &[])
            .await
            .map_err(self.db("read the operation log head"))?
            .map(|row| row.int(0))
            .transpose()
            .map_err(self.db("read the operation log head"))?
            .unwrap_or(0);
        let marked = self.rehearsal_in(&mut tx).await?;
        if head > 0 && !marked {
            self.rollback(tx).await?;
            return Err(Error::NotEmpty {
                location: self.location.clone(),
                operations: u64::try_from(head).unwrap_or(0),
            });
        }
        tx.execute(
            "INSERT INTO flowgate_meta (key, value) VALUES ($1, 'true') ON CONFLICT (key) DO NOTHING",
            &[Arg::Text(REHEARSAL_KEY)],
        )
        .await
        .map_err(self.db("mark the store as a rehearsal store"))?;
        self.commit(tx).await
    }

    pub(crate) async fn verify_log(&self) -> Result<LogReport> {
        let mut tx = self.read().await?;
        let report = self.verify_log_in(&mut tx).await?;
        self.rollback(tx).await?;
        Ok(report)
    }

    // ---- refs ----------------------------------------------------------------------------

    fn ref_from_row(row: &Row) -> sqlx::Result<Result<RefRecord, String>> {
        let (name, target, version, updated_at) =
            (row.text(0)?, row.text(1)?, row.int(2)?, row.text(3)?);
        Ok((|| {
            Ok(RefRecord {
                target: parse_text(&target)?,
                version: to_u64(version, "ref version")?,
                updated_at: updated_at.parse().map_err(|e| format!("{e}"))?,
                name,
            })
        })())
    }

    async fn all_refs(&self, tx: &mut Tx) -> Result<Vec<RefRecord>> {
        let rows = tx
            .fetch_all(
                "SELECT name, snapshot_id, version, updated_at FROM flowgate_refs",
                &[],
            )
            .await
            .map_err(self.db("read refs"))?;
        let mut refs = rows
            .iter()
            .map(|row| {
                Self::ref_from_row(row)
                    .map_err(self.db("read refs"))?
                    .map_err(|e| self.corrupt(format!("refs: {e}")))
            })
            .collect::<Result<Vec<_>>>()?;
        refs.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(refs)
    }

    pub(crate) async fn get_ref(&self, name: &str) -> Result<Option<RefRecord>> {
        let mut tx = self.read().await?;
        let row = tx
            .fetch_optional(
                "SELECT name, snapshot_id, version, updated_at FROM flowgate_refs WHERE name = $1",
                &[Arg::Text(name)],
            )
            .await
            .map_err(self.db("read a ref"))?;
        self.rollback(tx).await?;
        row.map(|row| {
            Self::ref_from_row(&row)
                .map_err(self.db("read a ref"))?
                .map_err(|e| self.corrupt(format!("ref {name}: {e}")))
        })
        .transpose()
    }

    pub(crate) async fn list_refs(&self, prefix: Option<&str>) -> Result<Vec<RefRecord>> {
        let mut tx = self.read().await?;
        let mut refs = self.all_refs(&mut tx).await?;
        self.rollback(tx).await?;
        if let Some(prefix) = prefix {
            refs.retain(|r| r.name.starts_with(prefix));
        }
        Ok(refs)
    }

    pub(crate) async fn compare_and_swap_ref(
        &self,
        name: &str,
        expected: Option<&SnapshotId>,
        new: &SnapshotId,
        op: &NewOperation,
    ) -> Result<RefRecord> {
        validate_ref_name(name).map_err(|reason| Error::InvalidRefName {
            name: name.to_owned(),
            reason,
        })?;
        check_operation(op)?;
        let mut tx = self.write().await?;
        let new_text = new.to_string();
        let exists = tx
            .fetch_optional(
                "SELECT 1 FROM flowgate_snapshots WHERE id = $1",
                &[Arg::Text(&new_text)],
            )
            .await
            .map_err(self.db("look up a snapshot"))?
            .is_some();
        if !exists {
            self.rollback(tx).await?;
            return Err(Error::UnknownSnapshot(*new));
        }
        let now = self.clock.now();
        let now_text = now.to_rfc3339();
        let row = match expected {
            Some(expected) => {
                let expected_text = expected.to_string();
                tx.fetch_optional(
                    "UPDATE flowgate_refs SET snapshot_id = $1, version = version + 1, \
                     updated_at = $2 WHERE name = $3 AND snapshot_id = $4 RETURNING version",
                    &[
                        Arg::Text(&new_text),
                        Arg::Text(&now_text),
                        Arg::Text(name),
                        Arg::Text(&expected_text),
                    ],
                )
                .await
            }
            None => {
                tx.fetch_optional(
                    "INSERT INTO flowgate_refs (name, snapshot_id, version, updated_at) \
                     VALUES ($1, $2, 1, $3) ON CONFLICT (name) DO NOTHING RETURNING version",
                    &[Arg::Text(name), Arg::Text(&new_text), Arg::Text(&now_text)],
                )
                .await
            }
        }
        .map_err(self.db("update a ref"))?;
        let Some(row) = row else {
            let actual = tx
                .fetch_optional(
                    "SELECT snapshot_id FROM flowgate_refs WHERE name = $1",
                    &[Arg::Text(name)],
                )
                .await
                .map_err(self.db("read a ref"))?
                .map(|row| row.text(0))
                .transpose()
                .map_err(self.db("read a ref"))?;
            self.rollback(tx).await?;
            return Err(Error::Conflict {
                name: name.to_owned(),
                expected: expected.copied(),
                actual: actual.and_then(|a| a.parse().ok()),
            });
        };
        let version = row.int(0).map_err(self.db("read a ref version"))?;
        let version = to_u64(version, "ref version").map_err(|e| self.corrupt(e))?;
        let change = RefChange {
            name: name.to_owned(),
            from: expected.copied(),
            to: *new,
            version,
        };
        self.append_in(&mut tx, op, Some(change)).await?;
        self.commit(tx).await?;
        Ok(RefRecord {
            name: name.to_owned(),
            target: *new,
            version,
            updated_at: now,
        })
    }

    // ---- verification --------------------------------------------------------------------

    pub(crate) async fn verify(&self) -> Result<VerifyReport> {
        let mut tx = self.read().await?;
        let mut problems = Vec::new();
        let objects = self.verify_objects(&mut tx, &mut problems).await?;
        self.verify_trees(&mut tx, &mut problems).await?;
        let snapshots = self.verify_snapshots(&mut tx, &mut problems).await?;
        let refs = self.verify_refs(&mut tx, &mut problems).await?;
        let log = self.verify_log_in(&mut tx).await?;
        problems.extend(self.foreign_schema_objects(&mut tx).await?);
        self.rollback(tx).await?;
        if let Some(broken) = &log.broken {
            problems.push(Problem {
                kind: ProblemKind::Log,
                subject: format!("operation {}", broken.seq),
                message: broken.reason.clone(),
            });
        }
        Ok(VerifyReport {
            objects,
            snapshots,
            refs,
            log,
            problems,
        })
    }

    async fn verify_objects(&self, tx: &mut Tx, problems: &mut Vec<Problem>) -> Result<u64> {
        self.verify_content(tx, Content::Objects, problems).await
    }

    async fn verify_trees(&self, tx: &mut Tx, problems: &mut Vec<Problem>) -> Result<u64> {
        self.verify_content(tx, Content::Trees, problems).await
    }

    /// Checks every row of a content-addressed table: its bytes must hash to its id and its
    /// recorded size must be their length.
    async fn verify_content(
        &self,
        tx: &mut Tx,
        content: Content,
        problems: &mut Vec<Problem>,
    ) -> Result<u64> {
        let table = content.table();
        let (what, hash_kind, size_kind) = match content {
            Content::Objects => ("object", ProblemKind::ObjectHash, ProblemKind::ObjectSize),
            Content::Trees => ("tree node", ProblemKind::Tree, ProblemKind::Tree),
        };
        let sql = format!("SELECT id, size, bytes FROM {table} WHERE id > $1 ORDER BY id LIMIT $2");
        let mut after = String::new();
        let mut count = 0;
        loop {
            let rows = tx
                .fetch_all(&sql, &[Arg::Text(&after), Arg::Int(VERIFY_PAGE)])
                .await
                .map_err(self.db("read stored content"))?;
            let Some(last) = rows.last() else {
                break;
            };
            after = last.text(0).map_err(self.db("read stored content"))?;
            for row in &rows {
                let (id, size, bytes) = (|| Ok((row.text(0)?, row.int(1)?, row.bytes(2)?)))()
                    .map_err(self.db("read stored content"))?;
                count += 1;
                let actual = match content {
                    Content::Objects => ObjectId::of(&bytes).to_string(),
                    Content::Trees => TreeId::of(&bytes).to_string(),
                };
                let subject = format!("{what} {id}");
                if actual != id {
                    problems.push(Problem {
                        kind: hash_kind,
                        subject: subject.clone(),
                        message: format!("its bytes hash to {actual}: the content was altered"),
                    });
                }
                if u64::try_from(size).ok() != Some(bytes.len() as u64) {
                    problems.push(Problem {
                        kind: size_kind,
                        subject,
                        message: format!("recorded size {size} but holds {} bytes", bytes.len()),
                    });
                }
            }
        }
        Ok(count)
    }

    /// The tables, views, indexes, triggers and rules in the store's database that flowgate's
    /// migrations did not create.
    async fn foreign_schema_objects(&self, tx: &mut Tx) -> Result<Vec<Problem>> {
        let backend = tx.backend();
        let rows = tx
            .fetch_all(sql_schema_objects(backend), &[])
            .await
            .map_err(self.db("list the schema"))?;
        let mut found = Vec::new();
        for row in rows {
            let (kind, name) =
                (|| Ok((row.text(0)?, row.text(1)?)))().map_err(self.db("list the schema"))?;
            if migrations::is_own_schema_object(backend, &kind, &name) {
                continue;
            }
            found.push(Problem {
                kind: ProblemKind::Schema,
                subject: format!("{kind} {}", grammar::shown(&name)),
                message: format!(
                    "is not one of flowgate's own schema objects: a {kind} added to the store \
                     can act on every write; find out who added it, and drop it if nobody needs \
                     it"
                ),
            });
        }
        found.sort_by(|a, b| a.subject.cmp(&b.subject));
        Ok(found)
    }

    /// What the log says of each snapshot it recorded, by snapshot id.
    async fn logged_snapshots(&self, tx: &mut Tx) -> Result<BTreeMap<String, Logged>> {
        let mut logged = BTreeMap::new();
        let rows = tx
            .fetch_all(
                "SELECT seq, payload, kind FROM flowgate_operations WHERE kind = $1 OR kind = $2",
                &[Arg::Text(SNAPSHOT_CREATE), Arg::Text(SNAPSHOT_IMPORT)],
            )
            .await
            .map_err(self.db("read the operation log"))?;
        for row in rows {
            let (seq, payload, kind) = (|| Ok((row.int(0)?, row.text(1)?, row.text(2)?)))()
                .map_err(self.db("read the operation log"))?;
            let mut payload: Value = serde_json::from_str(&payload).unwrap_or(Value::Null);
            if let Some(id) = payload.get("snapshot").and_then(Value::as_str) {
                let id = id.to_owned();
                let manifest = payload.get_mut("manifest").map(Value::take);
                let origin = if kind == SNAPSHOT_IMPORT {
                    SnapshotOrigin::Imported
                } else {
                    SnapshotOrigin::Local
                };
                let seq = to_u64(seq, "seq").unwrap_or(0);
                let manifest = manifest.unwrap_or_default();
                logged.insert(
                    id,
                    Logged {
                        seq,
                        manifest,
                        origin,
                    },
                );
            }
        }
        Ok(logged)
    }

    async fn verify_snapshots(&self, tx: &mut Tx, problems: &mut Vec<Problem>) -> Result<u64> {
        let logged = self.logged_snapshots(tx).await?;
        let ids = tx
            .fetch_all("SELECT id FROM flowgate_snapshots", &[])
            .await
            .map_err(self.db("list snapshots"))?
            .iter()
            .map(|row| row.text(0))
            .collect::<sqlx::Result<Vec<_>>>()
            .map_err(self.db("list snapshots"))?;
        for id_text in &ids {
            let found = self.verify_snapshot(tx, id_text, &logged).await?;
            problems.extend(found);
        }
        Ok(ids.len() as u64)
    }

    /// The problems of one stored snapshot.
    async fn verify_snapshot(
        &self,
        tx: &mut Tx,
        id_text: &str,
        logged: &BTreeMap<String, Logged>,
    ) -> Result<Vec<Problem>> {
        let problem = |subject: &str, kind, message| Problem {
            kind,
            subject: subject.to_owned(),
            message,
        };
        let subject = format!("snapshot {id_text}");
        let id = match SnapshotId::from_str(id_text) {
            Ok(id) => id,
            Err(e) => {
                return Ok(vec![problem(
                    &subject,
                    ProblemKind::SnapshotId,
                    e.to_string(),
                )])
            }
        };
        let Some(mut raw) = self.snapshot_row(tx, SnapshotKey::Id(&id)).await? else {
            return Ok(Vec::new());
        };
        if let Err(e) = self.load_entries(tx, &mut raw).await? {
            return Ok(vec![problem(&subject, ProblemKind::Tree, e)]);
        }
        let tree_found = tree_findings(&raw);
        let manifest_text = raw.manifest.clone();
        let snapshot = match raw.parse() {
            Ok(snapshot) => snapshot,
            Err(e) => return Ok(vec![problem(&subject, ProblemKind::SnapshotId, e)]),
        };
        let subject = format!(
            "snapshot {} `{}` {}",
            id.short(),
            grammar::shown(&snapshot.bundle),
            grammar::shown(&snapshot.version)
        );
        let mut found = snapshot_findings(&snapshot, &manifest_text, logged.get(id_text));
        found.extend(tree_found);
        let wanted: Vec<ObjectId> = snapshot.entries.iter().map(|e| e.object).collect();
        for missing in self.missing_in(tx, &wanted).await? {
            found.push((
                ProblemKind::MissingObject,
                format!("an entry refers to object {missing}, which is not stored"),
            ));
        }
        Ok(found
            .into_iter()
            .map(|(kind, message)| problem(&subject, kind, message))
            .collect())
    }

    async fn verify_refs(&self, tx: &mut Tx, problems: &mut Vec<Problem>) -> Result<u64> {
        let refs = self.all_refs(tx).await?;
        let changes = tx
            .fetch_all(
                "SELECT ref_name, ref_to, ref_version, seq FROM flowgate_operations \
                 WHERE ref_name IS NOT NULL ORDER BY seq",
                &[],
            )
            .await
            .map_err(self.db("read the operation log"))?;
        let mut last: BTreeMap<String, (String, Option<i64>, i64)> = BTreeMap::new();
        for row in changes {
            let (name, to, version, seq) =
                (|| Ok((row.text(0)?, row.opt_text(1)?, row.opt_int(2)?, row.int(3)?)))()
                    .map_err(self.db("read the operation log"))?;
            last.insert(name, (to.unwrap_or_default(), version, seq));
        }
        for record in &refs {
            let subject = format!("ref {}", record.name);
            let exists = tx
                .fetch_optional(
                    "SELECT 1 FROM flowgate_snapshots WHERE id = $1",
                    &[Arg::Text(&record.target.to_string())],
                )
                .await
                .map_err(self.db("look up a snapshot"))?
                .is_some();
            if !exists {
                problems.push(Problem {
                    kind: ProblemKind::Ref,
                    subject: subject.clone(),
                    message: format!("points at snapshot {}, which is not stored", record.target),
                });
            }
            let target = record.target.to_string();
            let version = Some(to_i64(record.version));
            match last.remove(&record.name) {
                Some((to, v, _)) if to == target && v == version => {}
                Some((to, v, seq)) => problems.push(Problem {
                    kind: ProblemKind::Ref,
                    subject,
                    message: format!(
                        "points at {target} (version {}), but operation {seq} last set it to \
                         {to} (version {}): it was changed outside flowgate",
                        record.version,
                        v.unwrap_or_default()
                    ),
                }),
                None => problems.push(Problem {
                    kind: ProblemKind::Ref,
                    subject,
                    message: "no operation in the log set it: it was changed outside flowgate"
                        .to_owned(),
                }),
            }
        }
        for (name, (_, _, seq)) in last {
            problems.push(Problem {
                kind: ProblemKind::Ref,
                subject: format!("ref {name}"),
                message: format!("operation {seq} set it, but it is gone: it was deleted"),
            });
        }
        Ok(refs.len() as u64)
    }

    // ---- export / import -----------------------------------------------------------------

    pub(crate) async fn export_snapshot(&self, id: &SnapshotId) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.export_snapshot_to(id, &mut out).await?;
        Ok(out)
    }

    /// Writes the export file of snapshot `id` to `out` as it reads the store: the header,
    /// then the objects a few megabytes at a time, each checked against its id, then the
    /// digest. Returns the file's length. On an error `out` holds an incomplete file.
    pub(crate) async fn export_snapshot_to<W: std::io::Write + Send>(
        &self,
        id: &SnapshotId,
        out: &mut W,
    ) -> Result<u64> {
        let mut tx = self.read().await?;
        let raw = self
            .raw_snapshot(&mut tx, SnapshotKey::Id(id))
            .await?
            .ok_or(Error::UnknownSnapshot(*id))?;
        let snapshot = self.checked(raw)?;
        let sizes = self.object_sizes(&mut tx, &snapshot.object_ids()).await?;
        if let Some(entry) = snapshot
            .entries
            .iter()
            .find(|e| !sizes.contains_key(&e.object))
        {
            return Err(self.corrupt(format!(
                "object {} of entry {} `{}` is not stored",
                entry.object, entry.kind, entry.id
            )));
        }
        let listed: Vec<(ObjectId, u64)> = sizes.into_iter().collect();
        let mut writer = export::ExportWriter::start(out, &snapshot, &listed)?;
        for batch in batches(&listed, |(_, size)| {
            usize::try_from(*size).unwrap_or(usize::MAX)
        }) {
            let ids: Vec<ObjectId> = batch.iter().map(|(id, _)| *id).collect();
            let found = self.read_objects(&mut tx, &ids).await?;
            for (id, _) in batch {
                let object = found
                    .get(id)
                    .ok_or_else(|| self.corrupt(format!("object {id} vanished while exported")))?;
                writer.object(object)?;
            }
        }
        let written = writer.finish()?;
        self.rollback(tx).await?;
        Ok(written)
    }

    /// The length of each stored object among `ids` (the length of its bytes, not the recorded
    /// size, which `verify` checks), by id.
    async fn object_sizes(&self, tx: &mut Tx, ids: &[ObjectId]) -> Result<BTreeMap<ObjectId, u64>> {
        let sql = match tx.backend() {
            Backend::Sqlite => {
                "SELECT o.id, length(o.bytes) FROM json_each($1) AS e \
                 JOIN flowgate_objects o ON o.id = e.value"
            }
            Backend::Postgres => {
                "SELECT o.id, octet_length(o.bytes)::bigint FROM jsonb_array_elements_text($1::jsonb) \
                 AS e JOIN flowgate_objects o ON o.id = e"
            }
        };
        let mut sizes = BTreeMap::new();
        for batch in ids.chunks(JSON_BATCH) {
            let list = serde_json::to_string(batch)
                .map_err(|e| self.corrupt(format!("cannot encode object ids: {e}")))?;
            for row in tx
                .fetch_all(sql, &[Arg::Text(&list)])
                .await
                .map_err(self.db("read object sizes"))?
            {
                let (id, size) =
                    (|| Ok((row.text(0)?, row.int(1)?)))().map_err(self.db("read object sizes"))?;
                let id = parse_text::<ObjectId>(&id).map_err(|e| self.corrupt(e))?;
                let size = to_u64(size, "object size").map_err(|e| self.corrupt(e))?;
                sizes.insert(id, size);
            }
        }
        Ok(sizes)
    }

    pub(crate) async fn import_snapshot(
        &self,
        bytes: &[u8],
        actor: &str,
    ) -> Result<SnapshotCreated> {
        let (snapshot, new, objects) = export::decode(bytes)?;
        let how = Recording {
            kind: OperationKind::SnapshotImport,
            actor,
            origin: SnapshotOrigin::Imported,
        };
        let created = self.create_snapshot_as(&new, &objects, &how).await?;
        if created.id != snapshot.id {
            return Err(Error::TamperedExport(format!(
                "the store computed snapshot id {} where the file says {}",
                created.id, snapshot.id
            )));
        }
        Ok(created)
    }
}

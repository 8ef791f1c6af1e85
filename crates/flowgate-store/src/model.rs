//! The records the store keeps and the reports it gives back.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{json, Value};

use crate::canonical::{
    canonical_json, domain_hash, write_string, OPERATION_DOMAIN, SNAPSHOT_DOMAIN,
};
use crate::id::{ObjectId, OpHash, SnapshotId};

/// A point in time, UTC, with microsecond precision; written as RFC 3339 with six fraction
/// digits and `Z` (`2025-09-17T08:30:00.000000Z`), so that text order is time order.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<Utc>);

/// Text that is not an RFC 3339 timestamp.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid timestamp `{text}`: expected RFC 3339, e.g. 2025-09-17T08:30:00Z")]
pub struct ParseTimestampError {
    /// The rejected text.
    pub text: String,
}

impl Timestamp {
    /// Wraps a date-time, dropping anything finer than a microsecond.
    pub fn from_datetime(at: DateTime<Utc>) -> Self {
        Self(at.trunc_subsecs(6))
    }

    /// The wrapped date-time.
    pub fn datetime(&self) -> DateTime<Utc> {
        self.0
    }

    /// The canonical text form (RFC 3339, six fraction digits, `Z`).
    pub fn to_rfc3339(&self) -> String {
        self.0.to_rfc3339_opts(SecondsFormat::Micros, true)
    }

    /// The form for people: RFC 3339 to the second (`2026-12-09T11:00:00Z`).
    pub fn to_human(&self) -> String {
        self.0.to_rfc3339_opts(SecondsFormat::Secs, true)
    }
}

impl FromStr for Timestamp {
    type Err = ParseTimestampError;

    /// Parses any RFC 3339 timestamp; offsets are converted to UTC.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DateTime::parse_from_rfc3339(s)
            .map(|at| Self::from_datetime(at.with_timezone(&Utc)))
            .map_err(|_| ParseTimestampError { text: s.to_owned() })
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({self})")
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Where the store gets the time for operation records and ref updates. Injected so that tests
/// can pin it.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> Timestamp;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_datetime(Utc::now())
    }
}

/// A clock that always says the same time.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub Timestamp);

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        self.0
    }
}

/// A clock moved by hand, for rehearsals on a simulated calendar and for tests.
#[derive(Debug)]
pub struct ManualClock(std::sync::Mutex<Timestamp>);

impl ManualClock {
    /// A clock showing `at`.
    pub fn new(at: Timestamp) -> Self {
        Self(std::sync::Mutex::new(at))
    }

    /// Moves the clock to `at`.
    pub fn set(&self, at: Timestamp) {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = at;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Bytes together with their [`ObjectId`]; the id is computed on construction, so it always
/// matches.
#[derive(Clone, PartialEq, Eq)]
pub struct Object {
    id: ObjectId,
    bytes: Vec<u8>,
}

impl Object {
    /// Hashes `bytes` into an object.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        let bytes = bytes.into();
        Self {
            id: ObjectId::of(&bytes),
            bytes,
        }
    }

    /// An object holding the canonical JSON encoding of `value`.
    pub fn from_json(value: &Value) -> Self {
        Self::new(canonical_json(value))
    }

    /// The object's id.
    pub fn id(&self) -> ObjectId {
        self.id
    }

    /// The object's bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Takes the bytes out.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

impl fmt::Debug for Object {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Object({}, {} bytes)", self.id, self.bytes.len())
    }
}

/// One asset of a snapshot: which asset (kind + id), which object holds its content, and where
/// it came from. Entries sort by kind, then id; a snapshot holds each (kind, id) once.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The asset kind (`workflow`, `template`, …).
    pub kind: String,
    /// The asset id, unique within its kind.
    pub id: String,
    /// The object holding the asset's content.
    pub object: ObjectId,
    /// The file the asset was read from, relative to the workspace (a hint, but part of the
    /// snapshot's identity).
    pub path: Option<String>,
}

/// The sort key of a semver version string: `[v]MAJOR.MINOR.PATCH[-PRE][+BUILD]`.
///
/// Ordered by semver precedence (a pre-release before its release, numeric pre-release
/// identifiers numerically, …); build metadata is ignored.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct VersionKey {
    /// Major version.
    pub major: u64,
    /// Minor version.
    pub minor: u64,
    /// Patch version.
    pub patch: u64,
    /// Pre-release text without the `-`; empty for a release.
    pub pre: String,
}

impl VersionKey {
    /// Parses the key of `version` (semver, with an optional leading `v`), or `None` when it is
    /// not semver (such versions sort after all others, by text). Numbers must fit an `i64`,
    /// so that both databases can store them.
    pub fn parse(version: &str) -> Option<Self> {
        let parsed = semver::Version::parse(version.strip_prefix('v').unwrap_or(version)).ok()?;
        let fits = |n: u64| i64::try_from(n).is_ok();
        if !(fits(parsed.major) && fits(parsed.minor) && fits(parsed.patch)) {
            return None;
        }
        Some(Self {
            major: parsed.major,
            minor: parsed.minor,
            patch: parsed.patch,
            pre: parsed.pre.as_str().to_owned(),
        })
    }
}

impl Ord for VersionKey {
    fn cmp(&self, other: &Self) -> Ordering {
        let pre = match (
            semver::Prerelease::new(&self.pre),
            semver::Prerelease::new(&other.pre),
        ) {
            (Ok(a), Ok(b)) => a.cmp(&b),
            _ => self.pre.cmp(&other.pre),
        };
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then(pre)
    }
}

impl PartialOrd for VersionKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Orders two versions of one bundle: by [`VersionKey`] where both have one, versions without
/// a key after those with one, then by text.
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    match (VersionKey::parse(a), VersionKey::parse(b)) {
        (Some(x), Some(y)) => x.cmp(&y).then_with(|| a.cmp(b)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

/// The id a snapshot of `bundle` at `version` with `entries` has. `entries` must be sorted
/// (as [`NewSnapshot::sorted_entries`] and stored snapshots are).
///
/// This hashes the canonical JSON of
/// `{"bundle": …, "entries": [{"id", "kind", "object", "path"}, …], "version": …}`, written
/// directly rather than through a `serde_json::Value` (the golden test pins that both agree).
pub fn snapshot_id(bundle: &str, version: &str, entries: &[Entry]) -> SnapshotId {
    let mut text = String::with_capacity(64 + entries.len() * 160);
    text.push_str("{\"bundle\":");
    write_string(&mut text, bundle);
    text.push_str(",\"entries\":[");
    for (i, entry) in entries.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        text.push_str("{\"id\":");
        write_string(&mut text, &entry.id);
        text.push_str(",\"kind\":");
        write_string(&mut text, &entry.kind);
        text.push_str(",\"object\":\"");
        text.push_str(&entry.object.to_string());
        text.push_str("\",\"path\":");
        match &entry.path {
            Some(path) => write_string(&mut text, path),
            None => text.push_str("null"),
        }
        text.push('}');
    }
    text.push_str("],\"version\":");
    write_string(&mut text, version);
    text.push('}');
    SnapshotId::from_bytes(domain_hash(SNAPSHOT_DOMAIN, text.as_bytes()))
}

/// [`snapshot_id`] the slow, obviously right way: through a `serde_json::Value`.
#[cfg(test)]
pub(crate) fn snapshot_id_via_value(bundle: &str, version: &str, entries: &[Entry]) -> SnapshotId {
    let identity = json!({"bundle": bundle, "version": version, "entries": entries});
    SnapshotId::from_bytes(domain_hash(SNAPSHOT_DOMAIN, &canonical_json(&identity)))
}

/// What a caller asks the store to record as a snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSnapshot {
    /// The bundle name (`lead-intake`).
    pub bundle: String,
    /// The version (`2.4.1`); unique within the bundle.
    pub version: String,
    /// When the snapshot was taken.
    pub created_at: Timestamp,
    /// Who took it.
    pub author: String,
    /// Free-form JSON: release id, source commit, check-report digest, external references…
    /// Stored canonically; not part of the snapshot id.
    pub manifest: Value,
    /// The assets, in any order.
    pub entries: Vec<Entry>,
}

impl NewSnapshot {
    /// The entries in canonical order.
    pub fn sorted_entries(&self) -> Vec<Entry> {
        let mut entries = self.entries.clone();
        entries.sort();
        entries
    }

    /// The id this snapshot will have: same bundle, version and entries give the same id.
    pub fn id(&self) -> SnapshotId {
        snapshot_id(&self.bundle, &self.version, &self.sorted_entries())
    }
}

/// How a snapshot came into this store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SnapshotOrigin {
    /// Created here by [`crate::Store::create_snapshot`]: flowgate froze it from a workspace,
    /// and its manifest (check counts included) was written by this installation.
    #[default]
    Local,
    /// Read from an export file by [`crate::Store::import_snapshot_as`]. Its author, date and
    /// manifest (check counts included) are the file's claims: the file's digest is unkeyed, so
    /// anyone can re-seal an edited file. Gates must re-check such a snapshot locally.
    Imported,
}

impl SnapshotOrigin {
    /// True for [`SnapshotOrigin::Local`].
    pub fn is_local(&self) -> bool {
        *self == SnapshotOrigin::Local
    }

    /// The text stored in the `origin` column.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            SnapshotOrigin::Local => "local",
            SnapshotOrigin::Imported => "imported",
        }
    }

    /// Reads the `origin` column.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        match text {
            "local" => Ok(SnapshotOrigin::Local),
            "imported" => Ok(SnapshotOrigin::Imported),
            other => Err(format!(
                "origin `{other}` is neither `local` nor `imported`"
            )),
        }
    }
}

/// A stored snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// The snapshot id.
    pub id: SnapshotId,
    /// The bundle name.
    pub bundle: String,
    /// The version text as given.
    pub version: String,
    /// When the snapshot was taken.
    pub created_at: Timestamp,
    /// Who took it.
    pub author: String,
    /// The manifest.
    pub manifest: Value,
    /// The entries, sorted by kind and id.
    pub entries: Vec<Entry>,
    /// How it came into this store (written only when imported; never part of an export).
    #[serde(default, skip_serializing_if = "SnapshotOrigin::is_local")]
    pub origin: SnapshotOrigin,
}

impl Snapshot {
    /// The snapshot as a caller would describe it to [`crate::Store::create_snapshot`].
    pub fn to_new(&self) -> NewSnapshot {
        NewSnapshot {
            bundle: self.bundle.clone(),
            version: self.version.clone(),
            created_at: self.created_at,
            author: self.author.clone(),
            manifest: self.manifest.clone(),
            entries: self.entries.clone(),
        }
    }

    /// The ids of its entries' objects, each once, in id order.
    pub fn object_ids(&self) -> Vec<ObjectId> {
        let ids: std::collections::BTreeSet<ObjectId> =
            self.entries.iter().map(|e| e.object).collect();
        ids.into_iter().collect()
    }

    /// The id recomputed from the content; differs from `id` only if the record was altered.
    pub fn computed_id(&self) -> SnapshotId {
        snapshot_id(&self.bundle, &self.version, &self.entries)
    }

    /// The version's sort key, when it has one.
    pub fn version_key(&self) -> Option<VersionKey> {
        VersionKey::parse(&self.version)
    }

    /// True when the snapshot was imported from a file: its author, date and manifest (check
    /// counts included) are unverified claims, so a gate must re-check it locally.
    pub fn is_imported(&self) -> bool {
        self.origin == SnapshotOrigin::Imported
    }
}

/// One line of a snapshot listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SnapshotSummary {
    /// The snapshot id.
    pub id: SnapshotId,
    /// The bundle name.
    pub bundle: String,
    /// The version text.
    pub version: String,
    /// When the snapshot was taken.
    pub created_at: Timestamp,
    /// Who took it.
    pub author: String,
    /// How many entries it has.
    pub entries: u64,
    /// How it came into this store (written only when imported).
    #[serde(skip_serializing_if = "SnapshotOrigin::is_local")]
    pub origin: SnapshotOrigin,
}

/// How to find a snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnapshotKey<'a> {
    /// By id.
    Id(&'a SnapshotId),
    /// By bundle and version.
    Version {
        /// The bundle name.
        bundle: &'a str,
        /// The version text.
        version: &'a str,
    },
}

impl<'a> From<&'a SnapshotId> for SnapshotKey<'a> {
    fn from(id: &'a SnapshotId) -> Self {
        SnapshotKey::Id(id)
    }
}

/// A stored snapshot compared with another set of entries (the next version's, say), read
/// without the entries both share ([`crate::Store::compare_snapshot`]).
#[derive(Debug, Clone, PartialEq)]
pub struct SnapshotComparison {
    /// The stored snapshot; its `entries` hold only those of its entries that the other set
    /// lacks (removed, or changed in object or path), sorted.
    pub snapshot: Snapshot,
    /// The entries of the other set that the stored snapshot lacks (added, or changed), sorted.
    pub added: Vec<Entry>,
}

/// The outcome of creating (or importing) a snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SnapshotCreated {
    /// The snapshot id.
    pub id: SnapshotId,
    /// False when the same snapshot already existed and nothing was written.
    pub created: bool,
    /// How many objects were not stored before.
    pub new_objects: u64,
    /// The sequence number of the `snapshot.create` (or `snapshot.import`) operation, when one
    /// was written.
    pub operation: Option<u64>,
}

/// The outcome of storing a batch of objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct PutReport {
    /// Objects that were not stored before.
    pub inserted: u64,
    /// Objects that were already there.
    pub existing: u64,
}

/// An operation for the log, as a caller describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOperation {
    /// Who did it.
    pub actor: String,
    /// What it is.
    pub kind: crate::OperationKind,
    /// Details, as JSON.
    pub payload: Value,
}

impl NewOperation {
    /// Builds an operation.
    pub fn new(actor: impl Into<String>, kind: crate::OperationKind, payload: Value) -> Self {
        Self {
            actor: actor.into(),
            kind,
            payload,
        }
    }
}

/// A ref update recorded with the operation that made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefChange {
    /// The ref name.
    pub name: String,
    /// The target before (`None` when the ref was created).
    pub from: Option<SnapshotId>,
    /// The target after.
    pub to: SnapshotId,
    /// The ref's version after the change (1 for a new ref).
    pub version: u64,
}

/// One record of the append-only operation log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Operation {
    /// Position in the log, from 1 with no gaps.
    pub seq: u64,
    /// When it was recorded (the store's clock).
    pub at: Timestamp,
    /// Who did it.
    pub actor: String,
    /// What it is, as the log stores it (see [`Operation::kind_of`]).
    pub kind: String,
    /// Details.
    pub payload: Value,
    /// The ref update made in the same transaction, if any.
    pub ref_change: Option<RefChange>,
    /// The previous record's hash ([`OpHash::GENESIS`] for the first).
    pub prev_hash: OpHash,
    /// This record's hash.
    pub hash: OpHash,
}

impl Operation {
    /// The kind of this record, when this flowgate knows it.
    pub fn kind_of(&self) -> Option<crate::OperationKind> {
        crate::OperationKind::parse(&self.kind)
    }

    /// The hash of this record's content and `prev_hash` (everything but `hash`).
    pub fn computed_hash(&self) -> OpHash {
        let record = json!({
            "seq": self.seq,
            "at": self.at,
            "actor": self.actor,
            "kind": self.kind,
            "payload": self.payload,
            "ref_change": self.ref_change,
            "prev_hash": self.prev_hash,
        });
        OpHash::from_bytes(domain_hash(OPERATION_DOMAIN, &canonical_json(&record)))
    }
}

/// Which operations to list. The default lists all, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OperationFilter {
    /// Only this kind (stored under its current or its legacy name).
    pub kind: Option<crate::OperationKind>,
    /// Only this actor.
    pub actor: Option<String>,
    /// Only operations that changed this ref.
    pub ref_name: Option<String>,
    /// Only operations after this sequence number.
    pub after_seq: Option<u64>,
    /// At most this many.
    pub limit: Option<u64>,
    /// Only operations whose payload names a plan id starting with this (a plan, its
    /// approvals, its apply). Narrowed through an indexed column; callers that must not be
    /// misled by an edited column check the payload too.
    pub plan_prefix: Option<String>,
    /// Only operations whose payload names this snapshot (through an indexed column, as
    /// `plan_prefix`).
    pub snapshot: Option<String>,
    /// Newest first (with `limit`, the last N).
    pub newest_first: bool,
}

/// A named pointer to a snapshot (`env/prod`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefRecord {
    /// The ref name.
    pub name: String,
    /// The snapshot it points to.
    pub target: SnapshotId,
    /// Incremented by every change, 1 after creation.
    pub version: u64,
    /// When it last changed.
    pub updated_at: Timestamp,
}

/// Checks a ref name: 1 to 200 characters of `A-Z a-z 0-9 . _ - /`, segments separated by
/// single slashes, none empty or starting with a dot.
pub fn validate_ref_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 200 {
        return Err("must be 1 to 200 characters long".to_owned());
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/')))
    {
        return Err(format!(
            "contains `{c}`; use letters, digits, `.`, `_`, `-` and `/`"
        ));
    }
    if name.split('/').any(|s| s.is_empty() || s.starts_with('.')) {
        return Err("has an empty segment or one starting with `.`".to_owned());
    }
    Ok(())
}

/// What [`crate::Store::verify`] found wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemKind {
    /// An object's bytes do not hash to its id.
    ObjectHash,
    /// An object's recorded size is not its length.
    ObjectSize,
    /// A snapshot's content does not hash to its id.
    SnapshotId,
    /// A snapshot entry names an object that is not stored.
    MissingObject,
    /// A node of a snapshot's tree is missing, altered or malformed, or a snapshot's tree is
    /// not the one its entries build.
    Tree,
    /// A snapshot's manifest is not canonical JSON.
    Manifest,
    /// A snapshot's origin (local or imported) disagrees with the operation that recorded it.
    Origin,
    /// The database holds a table, view, index or trigger that is not flowgate's own.
    Schema,
    /// A ref points at a missing snapshot or disagrees with the log.
    Ref,
    /// The operation log's hash chain is broken.
    Log,
}

/// One finding of [`crate::Store::verify`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// What kind of problem.
    pub kind: ProblemKind,
    /// What it is about (`object 3fa4…`, `snapshot lead-intake 2.4.1`, `ref env/prod`).
    pub subject: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.subject, self.message)
    }
}

/// The first place where the operation log's chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogBreak {
    /// The sequence number of the first bad record.
    pub seq: u64,
    /// What does not match.
    pub reason: String,
}

/// The result of walking the operation log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogReport {
    /// How many records were read.
    pub records: u64,
    /// The hash of the last record read ([`OpHash::GENESIS`] for an empty log).
    pub head: OpHash,
    /// The first break, if any.
    pub broken: Option<LogBreak>,
    /// Records whose time is earlier than the record before them (a clock set back, or
    /// forged), in log order.
    pub time_reversals: Vec<TimeReversal>,
}

impl LogReport {
    /// True when every link holds.
    pub fn is_intact(&self) -> bool {
        self.broken.is_none()
    }
}

/// A record of the operation log that is dated before the record preceding it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimeReversal {
    /// The record that goes back in time.
    pub seq: u64,
    /// Its time.
    pub at: Timestamp,
    /// The record before it.
    pub previous_seq: u64,
    /// The (later) time of the record before it.
    pub previous_at: Timestamp,
}

/// How long garbage collection spares what nothing reaches, by default: an hour.
pub const DEFAULT_GC_GRACE: std::time::Duration = std::time::Duration::from_secs(3600);

/// How [`crate::Store::collect_garbage`] runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GcOptions {
    /// Only find what would be removed; remove nothing.
    pub dry_run: bool,
    /// Objects and tree nodes added less than this long ago are kept even when nothing reaches
    /// them: a writer may have stored them to refer to them next (a checkpoint before the
    /// operation naming it, objects before the snapshot).
    pub grace: std::time::Duration,
}

impl Default for GcOptions {
    fn default() -> Self {
        Self {
            dry_run: false,
            grace: DEFAULT_GC_GRACE,
        }
    }
}

/// What garbage collection found in one content-addressed table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct GcCount {
    /// Rows something reaches (kept).
    pub reachable: u64,
    /// Rows nothing reaches but added within the grace period (kept).
    pub recent: u64,
    /// Rows nothing reaches, older than the grace period: removed (or, in a dry run, to be).
    pub removed: u64,
    /// The bytes of the removed rows.
    pub removed_bytes: u64,
}

/// The result of [`crate::Store::collect_garbage`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct GcReport {
    /// True when nothing was removed because only a dry run was asked for.
    pub dry_run: bool,
    /// Snapshots whose trees were walked (every snapshot: none is ever removed).
    pub snapshots: u64,
    /// Objects.
    pub objects: GcCount,
    /// Nodes of snapshot trees.
    pub trees: GcCount,
}

/// The result of [`crate::Store::verify`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// Objects checked.
    pub objects: u64,
    /// Snapshots checked.
    pub snapshots: u64,
    /// Refs checked.
    pub refs: u64,
    /// The operation log walk.
    pub log: LogReport,
    /// Everything found wrong, in a stable order.
    pub problems: Vec<Problem>,
}

impl VerifyReport {
    /// True when nothing is wrong.
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn version_keys_follow_semver_precedence() {
        let mut versions = vec![
            "1.0.0",
            "1.0.0-rc.1",
            "1.0.0-alpha.beta",
            "1.0.0-alpha",
            "1.0.0-beta.11",
            "1.0.0-beta.2",
            "1.0.0-alpha.1",
            "1.0.0-beta",
            "0.9.12",
            "1.10.0",
            "1.9.0",
            "v2.0.0+build.5",
            "weekly",
        ];
        versions.sort_by(|a, b| compare_versions(a, b));
        assert_eq!(
            versions,
            [
                "0.9.12",
                "1.0.0-alpha",
                "1.0.0-alpha.1",
                "1.0.0-alpha.beta",
                "1.0.0-beta",
                "1.0.0-beta.2",
                "1.0.0-beta.11",
                "1.0.0-rc.1",
                "1.0.0",
                "1.9.0",
                "1.10.0",
                "v2.0.0+build.5",
                "weekly",
            ]
        );
        assert_eq!(VersionKey::parse("1.2"), None);
        assert_eq!(VersionKey::parse("1.2.3-"), None);
        assert_eq!(VersionKey::parse("01.2.3"), None);
        assert_eq!(VersionKey::parse("1.2.99999999999999999999"), None);
    }

    #[test]
    fn timestamps_are_utc_micros_text() {
        let t: Timestamp = "2025-09-17T10:30:00.1234567+02:00".parse().unwrap();
        assert_eq!(t.to_string(), "2025-09-17T08:30:00.123456Z");
        assert_eq!(t.to_string().parse::<Timestamp>().unwrap(), t);
        assert!("yesterday".parse::<Timestamp>().is_err());
    }

    #[test]
    fn snapshot_id_written_directly_matches_the_value_encoding() {
        let object = ObjectId::of(b"x");
        let entries = [
            Entry {
                kind: "t\"ag".into(),
                id: "é\n1".into(),
                object,
                path: None,
            },
            Entry {
                kind: "workflow".into(),
                id: "w".into(),
                object,
                path: Some("a\\b.yaml".into()),
            },
        ];
        for entries in [&entries[..], &entries[..1], &[]] {
            assert_eq!(
                snapshot_id("b\u{1}", "1.0.0", entries),
                snapshot_id_via_value("b\u{1}", "1.0.0", entries)
            );
        }
    }

    #[test]
    fn ref_names_are_checked() {
        assert!(validate_ref_name("env/prod").is_ok());
        assert!(validate_ref_name("env//prod").is_err());
        assert!(validate_ref_name("env/.x").is_err());
        assert!(validate_ref_name("env prod").is_err());
        assert!(validate_ref_name("").is_err());
    }
}

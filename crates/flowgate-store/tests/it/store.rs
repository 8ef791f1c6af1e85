//! The store suite (`tests/it/suite`) on each backend: SQLite in a temporary directory, and
//! PostgreSQL in a schema of its own per test (dropped afterwards).
//!
//! PostgreSQL is found at `FLOWGATE_TEST_POSTGRES` (or `FLOWGATE_TEST_POSTGRES_URL`), default
//! `postgres://postgres@127.0.0.1:5432/test`. When it is unreachable the PostgreSQL tests fail
//! under CI (`CI` set) and are skipped with a notice on stderr otherwise.

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::common::{in_ci, postgres_url, runtime};
use crate::suite::{self, Harness, KILL_CHILD_ENV};
use flowgate_store::{AnyStore, Clock, FixedClock, PgStore, SqliteStore};
use sqlx::postgres::{PgConnection, PgPool, PgPoolOptions};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions as _, Connection as _};

fn clock() -> Arc<dyn Clock> {
    Arc::new(FixedClock("2025-09-17T08:30:00Z".parse().unwrap()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

// ---- SQLite ---------------------------------------------------------------------------------

struct SqliteHarness {
    _dir: tempfile::TempDir,
    path: PathBuf,
    store: SqliteStore,
}

impl Harness for SqliteHarness {
    type Store = SqliteStore;

    async fn start(_test: &str) -> Option<Self> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".flowgate").join("store.db");
        let store = SqliteStore::open(&path).await.unwrap().with_clock(clock());
        Some(Self {
            _dir: dir,
            path,
            store,
        })
    }

    fn store(&self) -> &SqliteStore {
        &self.store
    }

    async fn reopen(&self) -> flowgate_store::Result<SqliteStore> {
        Ok(SqliteStore::open(&self.path).await?.with_clock(clock()))
    }

    fn clocked(&self, clock: Arc<dyn Clock>) -> SqliteStore {
        self.store.clone().with_clock(clock)
    }

    async fn sql(&self, sql: &str) {
        let mut conn = SqliteConnectOptions::new()
            .filename(&self.path)
            .busy_timeout(Duration::from_secs(30))
            .connect()
            .await
            .unwrap();
        sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
        conn.close().await.unwrap();
    }

    fn child_target(&self) -> String {
        format!("sqlite:{}", self.path.display())
    }

    fn blob(&self, bytes: &[u8]) -> String {
        format!("X'{}'", hex(bytes))
    }

    async fn write_in_progress(&self) -> bool {
        // Uncommitted pages spill into the write-ahead log as the transaction grows.
        let mut wal = self.path.clone().into_os_string();
        wal.push("-wal");
        std::fs::metadata(wal).is_ok_and(|m| m.len() > 16 << 20)
    }

    async fn finish(self) {
        self.store.close().await;
    }
}

// ---- PostgreSQL -----------------------------------------------------------------------------

struct PgHarness {
    url: String,
    schema: String,
    admin: PgPool,
    store: PgStore,
}

fn unique_schema(test: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let name: String = test.chars().take(28).collect();
    format!(
        "fg_{name}_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

impl Harness for PgHarness {
    type Store = PgStore;

    async fn start(test: &str) -> Option<Self> {
        let url = postgres_url();
        // A direct connection fails at once when nothing listens (a pool would retry).
        let probe = async {
            PgConnection::connect(&url).await?.close().await?;
            PgPoolOptions::new().max_connections(2).connect(&url).await
        };
        let why = match tokio::time::timeout(Duration::from_secs(10), probe).await {
            Ok(Ok(admin)) => {
                let schema = unique_schema(test);
                let store = PgStore::connect(&url, Some(&schema))
                    .await
                    .unwrap()
                    .with_clock(clock());
                return Some(Self {
                    url,
                    schema,
                    admin,
                    store,
                });
            }
            Ok(Err(error)) => error.to_string(),
            Err(_) => "no answer within 10 s".to_owned(),
        };
        assert!(
            !in_ci(),
            "PostgreSQL at {url} is unreachable ({why}); under CI the store suite must run \
             against it: start it (.ci/run does) or set FLOWGATE_TEST_POSTGRES"
        );
        // Straight to the process's stderr: the test harness captures `eprintln!`.
        let _ = writeln!(
            std::io::stderr(),
            "skipping postgres::{test}: PostgreSQL at {url} is unreachable ({why}); with CI set \
             this is an error"
        );
        None
    }

    fn store(&self) -> &PgStore {
        &self.store
    }

    async fn reopen(&self) -> flowgate_store::Result<PgStore> {
        Ok(PgStore::connect(&self.url, Some(&self.schema))
            .await?
            .with_clock(clock()))
    }

    fn clocked(&self, clock: Arc<dyn Clock>) -> PgStore {
        self.store.clone().with_clock(clock)
    }

    async fn sql(&self, sql: &str) {
        let script = format!(
            "BEGIN; SET LOCAL search_path TO \"{}\"; {sql}; COMMIT;",
            self.schema
        );
        sqlx::raw_sql(&script).execute(&self.admin).await.unwrap();
    }

    fn child_target(&self) -> String {
        format!("postgres|{}|{}", self.schema, self.url)
    }

    fn blob(&self, bytes: &[u8]) -> String {
        format!("'\\x{}'::bytea", hex(bytes))
    }

    async fn write_in_progress(&self) -> bool {
        let held: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = $1 AND c.relname = 'flowgate_objects' \
             AND l.mode = 'RowExclusiveLock' AND l.granted AND l.pid <> pg_backend_pid()",
        )
        .bind(&self.schema)
        .fetch_one(&self.admin)
        .await
        .unwrap();
        held > 0
    }

    async fn finish(self) {
        self.store.close().await;
        sqlx::raw_sql(&format!(
            "DROP SCHEMA IF EXISTS \"{}\" CASCADE",
            self.schema
        ))
        .execute(&self.admin)
        .await
        .unwrap();
        self.admin.close().await;
    }
}

// ---- the suite on each backend ----------------------------------------------------------------

/// Runs one suite case on fresh stores (one per name after the case), cleaning them up even
/// when the case panics.
macro_rules! run_case {
    ($harness:ty, $case:ident, $($store:ident),+) => {{
        let rt = runtime();
        $(
            let Some($store) = rt.block_on(<$harness>::start(concat!(
                stringify!($case),
                "_",
                stringify!($store)
            ))) else {
                return;
            };
        )+
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            rt.block_on(suite::$case($(&$store),+))
        }));
        $(rt.block_on($store.finish());)+
        if let Err(panic) = outcome {
            std::panic::resume_unwind(panic);
        }
    }};
}

macro_rules! suite_on {
    ($module:ident, $harness:ty) => {
        mod $module {
            use super::*;
            suite_on!(@cases $harness:
                put_is_idempotent,
                identical_content_gives_identical_snapshot,
                supplying_every_object_stores_only_new_ones,
                version_conflict_and_missing_objects_change_nothing,
                snapshots_list_in_version_order,
                verify_detects_tampering,
                operation_log_chain_detects_edits,
                compare_and_swap_moves_refs,
                concurrent_compare_and_swap_has_one_winner,
                concurrent_snapshots_do_not_interfere,
                newer_store_is_refused,
                rehearsal_marker_is_kept_and_only_for_new_stores,
                a_store_with_history_cannot_become_a_rehearsal,
                verify_log_names_records_that_go_back_in_time,
                killed_writer_leaves_no_partial_snapshot,
                verify_detects_tampered_trees,
                comparing_a_snapshot_reads_only_what_differs,
                stores_from_before_trees_are_converted,
                collection_removes_only_what_nothing_reaches,
                collection_never_removes_what_concurrent_writers_reach,
                streamed_export_equals_the_file_built_in_memory,
            );

            #[test]
            fn export_import_round_trip_and_tamper() {
                run_case!($harness, export_import_round_trip_and_tamper, source, target)
            }
        }
    };
    (@cases $harness:ty: $($case:ident),* $(,)?) => {
        $(
            #[test]
            fn $case() {
                run_case!($harness, $case, store)
            }
        )*
    };
}

suite_on!(sqlite, SqliteHarness);
suite_on!(postgres, PgHarness);

/// Not a test of its own: the child process of `killed_writer_leaves_no_partial_snapshot`,
/// active only when [`KILL_CHILD_ENV`] names the store to write to.
#[test]
fn kill_child_writer() {
    let Ok(target) = std::env::var(KILL_CHILD_ENV) else {
        return;
    };
    runtime().block_on(async {
        let store = match target.strip_prefix("sqlite:") {
            Some(path) => AnyStore::Sqlite(SqliteStore::open(path).await.unwrap()),
            None => {
                let mut parts = target.splitn(3, '|').skip(1);
                let (schema, url) = (parts.next().unwrap(), parts.next().unwrap());
                AnyStore::Postgres(PgStore::connect(url, Some(schema)).await.unwrap())
            }
        };
        suite::write_big_snapshot(&store).await;
    });
}

//! The few database primitives the store needs, over either backend.
//!
//! All store logic is written once against [`Pool`], [`Tx`] and [`Row`]; only this module knows
//! which driver is underneath. SQL text is shared: both SQLite and PostgreSQL accept `$1`-style
//! numbered parameters, `ON CONFLICT … DO NOTHING` and `RETURNING`.

use sqlx::postgres::{PgPool, PgRow, Postgres};
use sqlx::sqlite::{Sqlite, SqlitePool, SqliteRow};
use sqlx::{Database, Encode, Row as _, Transaction, Type};

/// The PostgreSQL advisory lock key that serialises garbage collection against snapshot
/// writes (see [`Tx::lock_shared`]).
const GC_LOCK: i64 = 4_641_263_001_672_149;

/// Which database is underneath.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backend {
    Sqlite,
    Postgres,
}

/// A connection pool.
#[derive(Debug, Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Pg(PgPool),
}

/// An open transaction; dropped without [`Tx::commit`] it rolls back.
pub(crate) enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Pg(Transaction<'static, Postgres>),
}

/// One result row.
pub(crate) enum Row {
    Sqlite(SqliteRow),
    Pg(PgRow),
}

/// A bind parameter.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Arg<'a> {
    Int(i64),
    OptInt(Option<i64>),
    Text(&'a str),
    OptText(Option<&'a str>),
    Bytes(&'a [u8]),
}

impl Pool {
    /// Starts a transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so that waiting for another writer goes through the busy timeout
    /// instead of failing when the transaction first writes.
    pub(crate) async fn begin_write(&self) -> sqlx::Result<Tx> {
        Ok(match self {
            Pool::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Pg(pool) => Tx::Pg(pool.begin().await?),
        })
    }

    /// Starts a read-only transaction that sees one consistent state of the store.
    pub(crate) async fn begin_read(&self) -> sqlx::Result<Tx> {
        Ok(match self {
            Pool::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
            Pool::Pg(pool) => Tx::Pg(
                pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await?,
            ),
        })
    }

    pub(crate) async fn close(&self) {
        match self {
            Pool::Sqlite(pool) => pool.close().await,
            Pool::Pg(pool) => pool.close().await,
        }
    }
}

fn bind<'q, DB: Database>(
    mut query: sqlx::query::Query<'q, DB, <DB as Database>::Arguments<'q>>,
    args: &[Arg<'q>],
) -> sqlx::query::Query<'q, DB, <DB as Database>::Arguments<'q>>
where
    i64: Encode<'q, DB> + Type<DB>,
    Option<i64>: Encode<'q, DB> + Type<DB>,
    &'q str: Encode<'q, DB> + Type<DB>,
    Option<&'q str>: Encode<'q, DB> + Type<DB>,
    &'q [u8]: Encode<'q, DB> + Type<DB>,
{
    for arg in args {
        query = match *arg {
            Arg::Int(v) => query.bind(v),
            Arg::OptInt(v) => query.bind(v),
            Arg::Text(v) => query.bind(v),
            Arg::OptText(v) => query.bind(v),
            Arg::Bytes(v) => query.bind(v),
        };
    }
    query
}

impl Tx {
    pub(crate) fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Pg(_) => Backend::Postgres,
        }
    }

    /// Runs one statement; returns the number of rows it changed.
    pub(crate) async fn execute(&mut self, sql: &str, args: &[Arg<'_>]) -> sqlx::Result<u64> {
        Ok(match self {
            Tx::Sqlite(tx) => bind(sqlx::query(sql), args)
                .execute(&mut **tx)
                .await?
                .rows_affected(),
            Tx::Pg(tx) => bind(sqlx::query(sql), args)
                .execute(&mut **tx)
                .await?
                .rows_affected(),
        })
    }

    /// Runs one query and returns every row.
    pub(crate) async fn fetch_all(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
    ) -> sqlx::Result<Vec<Row>> {
        Ok(match self {
            Tx::Sqlite(tx) => bind(sqlx::query(sql), args)
                .fetch_all(&mut **tx)
                .await?
                .into_iter()
                .map(Row::Sqlite)
                .collect(),
            Tx::Pg(tx) => bind(sqlx::query(sql), args)
                .fetch_all(&mut **tx)
                .await?
                .into_iter()
                .map(Row::Pg)
                .collect(),
        })
    }

    /// Runs one query and returns its first row, if any.
    pub(crate) async fn fetch_optional(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
    ) -> sqlx::Result<Option<Row>> {
        Ok(match self {
            Tx::Sqlite(tx) => bind(sqlx::query(sql), args)
                .fetch_optional(&mut **tx)
                .await?
                .map(Row::Sqlite),
            Tx::Pg(tx) => bind(sqlx::query(sql), args)
                .fetch_optional(&mut **tx)
                .await?
                .map(Row::Pg),
        })
    }

    /// Runs a script of several statements without parameters.
    pub(crate) async fn script(&mut self, sql: &str) -> sqlx::Result<()> {
        match self {
            Tx::Sqlite(tx) => sqlx::raw_sql(sql).execute(&mut **tx).await.map(drop),
            Tx::Pg(tx) => sqlx::raw_sql(sql).execute(&mut **tx).await.map(drop),
        }
    }

    /// Takes the collection lock shared, for the rest of the transaction: writers that rely
    /// on stored objects and tree nodes staying stored until they commit (snapshot writes)
    /// take it shared, garbage collection takes it exclusively ([`Tx::lock_exclusive`]).
    /// PostgreSQL uses a transaction-scoped advisory lock; on SQLite write transactions are
    /// already serial (`BEGIN IMMEDIATE`), so there is nothing to take.
    pub(crate) async fn lock_shared(&mut self) -> sqlx::Result<()> {
        if self.backend() == Backend::Postgres {
            self.fetch_optional(
                "SELECT pg_advisory_xact_lock_shared($1)",
                &[Arg::Int(GC_LOCK)],
            )
            .await?;
        }
        Ok(())
    }

    /// Takes the collection lock exclusively (see [`Tx::lock_shared`]): waits for every
    /// snapshot write in progress, and holds back new ones until the transaction ends.
    pub(crate) async fn lock_exclusive(&mut self) -> sqlx::Result<()> {
        if self.backend() == Backend::Postgres {
            self.fetch_optional("SELECT pg_advisory_xact_lock($1)", &[Arg::Int(GC_LOCK)])
                .await?;
        }
        Ok(())
    }

    pub(crate) async fn commit(self) -> sqlx::Result<()> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await,
            Tx::Pg(tx) => tx.commit().await,
        }
    }

    pub(crate) async fn rollback(self) -> sqlx::Result<()> {
        match self {
            Tx::Sqlite(tx) => tx.rollback().await,
            Tx::Pg(tx) => tx.rollback().await,
        }
    }
}

impl Row {
    pub(crate) fn int(&self, index: usize) -> sqlx::Result<i64> {
        match self {
            Row::Sqlite(row) => row.try_get(index),
            Row::Pg(row) => row.try_get(index),
        }
    }

    pub(crate) fn opt_int(&self, index: usize) -> sqlx::Result<Option<i64>> {
        match self {
            Row::Sqlite(row) => row.try_get(index),
            Row::Pg(row) => row.try_get(index),
        }
    }

    pub(crate) fn text(&self, index: usize) -> sqlx::Result<String> {
        match self {
            Row::Sqlite(row) => row.try_get(index),
            Row::Pg(row) => row.try_get(index),
        }
    }

    pub(crate) fn opt_text(&self, index: usize) -> sqlx::Result<Option<String>> {
        match self {
            Row::Sqlite(row) => row.try_get(index),
            Row::Pg(row) => row.try_get(index),
        }
    }

    pub(crate) fn bytes(&self, index: usize) -> sqlx::Result<Vec<u8>> {
        match self {
            Row::Sqlite(row) => row.try_get(index),
            Row::Pg(row) => row.try_get(index),
        }
    }
}

/// True when `error` is a unique-constraint violation (a concurrent insert won).
pub(crate) fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// `$first, $first+1, …` for `count` parameters, comma-separated.
pub(crate) fn placeholders(first: usize, count: usize) -> String {
    let mut out = String::with_capacity(count * 5);
    for n in first..first + count {
        if n > first {
            out.push_str(", ");
        }
        out.push('$');
        out.push_str(&n.to_string());
    }
    out
}

/// Most rows in one multi-row `INSERT` or `VALUES` list (measured: SQLite statements get
/// slower per row well before its parameter limit; 100 rows is near the best).
pub(crate) const MAX_ROWS_PER_STATEMENT: usize = 100;
/// Most object bytes in one `INSERT` (keeps PostgreSQL messages and SQLite memory modest).
pub(crate) const MAX_BYTES_PER_STATEMENT: usize = 8 << 20;

/// Splits `items` into runs of at most [`MAX_ROWS_PER_STATEMENT`] items and, where `size`
/// says so, [`MAX_BYTES_PER_STATEMENT`] bytes (a single larger item gets a run of its own).
pub(crate) fn batches<T>(items: &[T], size: impl Fn(&T) -> usize) -> Vec<&[T]> {
    let mut out = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, item) in items.iter().enumerate() {
        let n = size(item);
        if i > start && (i - start == MAX_ROWS_PER_STATEMENT || bytes + n > MAX_BYTES_PER_STATEMENT)
        {
            out.push(&items[start..i]);
            (start, bytes) = (i, 0);
        }
        bytes += n;
    }
    if start < items.len() {
        out.push(&items[start..]);
    }
    out
}

/// `INSERT INTO … VALUES (…), (…) <suffix>` for `args.len() / columns` rows.
pub(crate) fn multi_row_insert(prefix: &str, columns: usize, rows: usize, suffix: &str) -> String {
    let mut sql = String::with_capacity(prefix.len() + rows * columns * 6 + suffix.len() + 16);
    sql.push_str(prefix);
    sql.push_str(" VALUES ");
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        sql.push_str(&placeholders(row * columns + 1, columns));
        sql.push(')');
    }
    sql.push(' ');
    sql.push_str(suffix);
    sql
}

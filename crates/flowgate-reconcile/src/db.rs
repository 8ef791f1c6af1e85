//! Connections: one pool per side, every result column read as text.

use crate::error::{ConnectionProblem, Error, Invalid, Result};
use crate::sql::Dialect;
use sqlx::mysql::{MySqlPool, MySqlPoolOptions};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::{Executor, Row};
use std::time::Duration;

/// A row of text values.
pub type TextRow = Vec<Option<String>>;

/// A connection pool to one database.
#[derive(Debug, Clone)]
pub struct Db {
    side: String,
    pool: Pool,
    read_only: bool,
}

#[derive(Debug, Clone)]
enum Pool {
    MySql(MySqlPool),
    Postgres(PgPool),
}

/// How a read-only query is planned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// As the database chooses.
    Default,
    /// Group by hashing (PostgreSQL: `enable_sort` off for the query): PostgreSQL cannot
    /// estimate how many segments a division makes and would sort millions of rows to group
    /// them; hashing the few segments costs a fraction.
    HashGroups,
}

/// MySQL session settings of a read-only session: UTC, UTF-8, the lexical rules the engine
/// writes and checks SQL with (backslash escapes, `"` quotes text) and read-only transactions.
const MYSQL_READ_ONLY: [&str; 2] = [
    "SET time_zone = '+00:00', NAMES utf8mb4, SESSION sql_mode = TRIM(BOTH ',' FROM \
     REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(CONCAT(',', @@sql_mode, ','), \
     ',NO_BACKSLASH_ESCAPES,', ','), ',ANSI_QUOTES,', ','), ',ANSI,', ','), ',DB2,', ','), \
     ',MAXDB,', ','), ',MSSQL,', ','), ',ORACLE,', ','), ',POSTGRESQL,', ','))",
    "SET SESSION TRANSACTION READ ONLY",
];

/// PostgreSQL session settings of a read-only session.
const POSTGRES_READ_ONLY: &str = "SET TIME ZONE 'UTC'; SET standard_conforming_strings = on; \
     SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY";

impl Db {
    /// Connect for writing (the test-landscape generator). Sessions run in UTC (MySQL
    /// `TIMESTAMP` columns are read in the session's zone) with UTF-8 text.
    pub async fn connect(side: &str, url: &str) -> Result<Self> {
        Self::open(side, url, false).await
    }

    /// Connect for a reconciliation: every session is read-only (MySQL `SET SESSION
    /// TRANSACTION READ ONLY`, PostgreSQL `default_transaction_read_only`) and every query
    /// runs alone in a `READ ONLY` transaction, as one prepared statement (see [`Db::read`]).
    pub async fn connect_read_only(side: &str, url: &str) -> Result<Self> {
        Self::open(side, url, true).await
    }

    async fn open(side: &str, url: &str, read_only: bool) -> Result<Self> {
        let dialect = Dialect::from_url(url).ok_or_else(|| Error::Connection {
            side: side.to_owned(),
            problem: ConnectionProblem::UnknownScheme,
        })?;
        let err = |source| Error::Database {
            side: side.to_owned(),
            source,
        };
        let pool = match dialect {
            Dialect::MySql => Pool::MySql(mysql_pool(url, read_only).await.map_err(err)?),
            Dialect::Postgres => Pool::Postgres(postgres_pool(url, read_only).await.map_err(err)?),
        };
        Ok(Self {
            side: side.to_owned(),
            pool,
            read_only,
        })
    }

    /// The dialect.
    pub fn dialect(&self) -> Dialect {
        match self.pool {
            Pool::MySql(_) => Dialect::MySql,
            Pool::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Which side this is (`left`, `right`).
    pub fn side(&self) -> &str {
        &self.side
    }

    fn err(&self, source: sqlx::Error) -> Error {
        Error::Database {
            side: self.side.clone(),
            source,
        }
    }

    /// Run a query whose every column is text (or NULL). On a read-only connection this is
    /// [`Db::read`] with the default plan; otherwise the text may hold several statements.
    pub async fn rows(&self, sql: &str) -> Result<Vec<TextRow>> {
        if self.read_only {
            return self.read(sql, Plan::Default).await;
        }
        match &self.pool {
            Pool::MySql(pool) => sqlx::raw_sql(sql).fetch_all(pool).await.and_then(text_rows),
            Pool::Postgres(pool) => sqlx::raw_sql(sql).fetch_all(pool).await.and_then(text_rows),
        }
        .map_err(|e| self.err(e))
    }

    /// Run one query, every column text (or NULL), as a single prepared statement (the
    /// databases refuse a second statement there) in a transaction of its own that is
    /// `READ ONLY` and rolled back.
    pub async fn read(&self, sql: &str, plan: Plan) -> Result<Vec<TextRow>> {
        match &self.pool {
            Pool::MySql(pool) => read_only(pool, "START TRANSACTION READ ONLY", None, sql).await,
            Pool::Postgres(pool) => {
                let setup = (plan == Plan::HashGroups).then_some("SET LOCAL enable_sort = off");
                read_only(pool, "BEGIN READ ONLY", setup, sql).await
            }
        }
        .map_err(|e| self.err(e))
    }

    /// Run statements (several, separated by `;`). Refused on a read-only connection.
    pub async fn execute(&self, sql: &str) -> Result<()> {
        if self.read_only {
            return Err(Invalid::ReadOnly {
                side: self.side.clone(),
            }
            .into());
        }
        match &self.pool {
            Pool::MySql(pool) => sqlx::raw_sql(sql).execute(pool).await.map(drop),
            Pool::Postgres(pool) => sqlx::raw_sql(sql).execute(pool).await.map(drop),
        }
        .map_err(|e| self.err(e))
    }

    /// Close the pool.
    pub async fn close(&self) {
        match &self.pool {
            Pool::MySql(pool) => pool.close().await,
            Pool::Postgres(pool) => pool.close().await,
        }
    }
}

/// A MySQL/MariaDB pool whose sessions run in UTC with UTF-8 text (and read-only).
async fn mysql_pool(url: &str, read_only: bool) -> std::result::Result<MySqlPool, sqlx::Error> {
    let url = url.replacen("mariadb://", "mysql://", 1);
    MySqlPoolOptions::new()
        .max_connections(4)
        .acquire_timeout(Duration::from_secs(10))
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if read_only {
                    for statement in MYSQL_READ_ONLY {
                        conn.execute(statement).await?;
                    }
                } else {
                    conn.execute("SET time_zone = '+00:00', NAMES utf8mb4")
                        .await?;
                }
                Ok(())
            })
        })
        .connect(&url)
        .await
}

/// A PostgreSQL pool whose sessions run in UTC (and read-only).
async fn postgres_pool(url: &str, read_only: bool) -> std::result::Result<PgPool, sqlx::Error> {
    PgPoolOptions::new()
        .max_connections(4)
        .acquire_timeout(Duration::from_secs(10))
        .after_connect(move |conn, _| {
            Box::pin(async move {
                let setup = if read_only {
                    POSTGRES_READ_ONLY
                } else {
                    "SET TIME ZONE 'UTC'"
                };
                conn.execute(setup).await?;
                Ok(())
            })
        })
        .connect(url)
        .await
}

fn text_rows<R: Row>(rows: Vec<R>) -> std::result::Result<Vec<TextRow>, sqlx::Error>
where
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    usize: sqlx::ColumnIndex<R>,
{
    rows.iter()
        .map(|row| (0..row.len()).map(|i| row.try_get(i)).collect())
        .collect()
}

/// `sql` as one prepared statement in a transaction opened by `begin` (after `setup`),
/// rolled back after.
async fn read_only<DB>(
    pool: &sqlx::Pool<DB>,
    begin: &'static str,
    setup: Option<&'static str>,
    sql: &str,
) -> std::result::Result<Vec<TextRow>, sqlx::Error>
where
    DB: sqlx::Database + sqlx::database::HasStatementCache,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'r> Option<String>: sqlx::Decode<'r, DB> + sqlx::Type<DB>,
    usize: sqlx::ColumnIndex<DB::Row>,
{
    let mut tx = pool.begin_with(begin).await?;
    if let Some(setup) = setup {
        sqlx::query::<DB>(setup).execute(&mut *tx).await?;
    }
    let rows = sqlx::query::<DB>(sql)
        .persistent(false)
        .fetch_all(&mut *tx)
        .await?;
    tx.rollback().await?;
    text_rows(rows)
}

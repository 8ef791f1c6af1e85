//! Connections: one pool per side, every result column read as text.

use crate::error::{Error, Result};
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
}

#[derive(Debug, Clone)]
enum Pool {
    MySql(MySqlPool),
    Postgres(PgPool),
}

impl Db {
    /// Connect. Sessions run in UTC (MySQL `TIMESTAMP` columns are read in the session's
    /// zone) with UTF-8 text.
    pub async fn connect(side: &str, url: &str) -> Result<Self> {
        let dialect = Dialect::from_url(url).ok_or_else(|| Error::Connection {
            side: side.to_owned(),
            message: "the connection URL must start with mysql://, mariadb://, postgres://, sqlite:, csv: or parquet:".to_owned(),
        })?;
        let err = |source| Error::Database {
            side: side.to_owned(),
            source,
        };
        let pool = match dialect {
            Dialect::MySql => {
                let url = url.replacen("mariadb://", "mysql://", 1);
                Pool::MySql(
                    MySqlPoolOptions::new()
                        .max_connections(4)
                        .acquire_timeout(Duration::from_secs(10))
                        .after_connect(|conn, _| {
                            Box::pin(async move {
                                conn.execute("SET time_zone = '+00:00', NAMES utf8mb4")
                                    .await?;
                                Ok(())
                            })
                        })
                        .connect(&url)
                        .await
                        .map_err(err)?,
                )
            }
            Dialect::Postgres => Pool::Postgres(
                PgPoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(Duration::from_secs(10))
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            conn.execute("SET TIME ZONE 'UTC'").await?;
                            Ok(())
                        })
                    })
                    .connect(url)
                    .await
                    .map_err(err)?,
            ),
        };
        Ok(Self {
            side: side.to_owned(),
            pool,
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

    /// Run a query whose every column is text (or NULL).
    pub async fn rows(&self, sql: &str) -> Result<Vec<TextRow>> {
        fn collect<R: Row>(rows: Vec<R>) -> std::result::Result<Vec<TextRow>, sqlx::Error>
        where
            for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
            usize: sqlx::ColumnIndex<R>,
        {
            rows.iter()
                .map(|row| (0..row.len()).map(|i| row.try_get(i)).collect())
                .collect()
        }
        match &self.pool {
            Pool::MySql(pool) => sqlx::raw_sql(sql)
                .fetch_all(pool)
                .await
                .and_then(collect)
                .map_err(|e| self.err(e)),
            Pool::Postgres(pool) => sqlx::raw_sql(sql)
                .fetch_all(pool)
                .await
                .and_then(collect)
                .map_err(|e| self.err(e)),
        }
    }

    /// Run statements (several, separated by `;`).
    pub async fn execute(&self, sql: &str) -> Result<()> {
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

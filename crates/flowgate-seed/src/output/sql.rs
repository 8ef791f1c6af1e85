//! Tables in a database: created, filled with bound parameters in batches, one transaction
//! per table, so that a failure leaves no half-written table behind.

use super::{Dialect, OutputError};
use crate::table::{ColumnKind, Table};
use serde_json::Value;

/// A connection pool to one of the supported databases.
pub(super) enum Pool {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
    MySql(sqlx::MySqlPool),
}

impl Pool {
    pub(super) async fn close(&self) {
        match self {
            Self::Sqlite(p) => p.close().await,
            Self::Postgres(p) => p.close().await,
            Self::MySql(p) => p.close().await,
        }
    }
}

/// Bound parameters per statement, under every supported database's limit.
const PARAMETERS: usize = 30_000;

/// Creates `name` (dropping it first when `replace`) and writes `table`'s rows into it.
pub(super) async fn write_table(
    pool: &Pool,
    dialect: Dialect,
    name: &str,
    table: &Table,
    replace: bool,
) -> Result<(), OutputError> {
    let quoted = dialect.quote(name);
    let columns: Vec<String> = table
        .columns
        .iter()
        .map(|c| format!("{} {}", dialect.quote(&c.name), dialect.column_type(c.kind)))
        .collect();
    let charset = if dialect == Dialect::MySql {
        " DEFAULT CHARSET=utf8mb4"
    } else {
        ""
    };
    let create = format!("CREATE TABLE {quoted} ({}){charset}", columns.join(", "));
    let names: Vec<String> = table
        .columns
        .iter()
        .map(|c| dialect.quote(&c.name))
        .collect();
    let insert = format!("INSERT INTO {quoted} ({}) ", names.join(", "));
    let count = format!("SELECT COUNT(*) FROM {quoted}");
    let drop = format!("DROP TABLE IF EXISTS {quoted}");
    let batch = (PARAMETERS / table.columns.len().max(1)).max(1);
    macro_rules! write {
        ($pool:expr, $db:ty) => {{
            let existing: Result<i64, sqlx::Error> = sqlx::query_scalar(&count).fetch_one($pool).await;
            if matches!(existing, Ok(n) if n > 0) && !replace {
                return Err(OutputError::NotEmpty(name.to_owned()));
            }
            let mut tx = $pool.begin().await?;
            sqlx::query(&drop).execute(&mut *tx).await?;
            sqlx::query(&create).execute(&mut *tx).await?;
            for rows in table.rows.chunks(batch) {
                let mut query = sqlx::QueryBuilder::<$db>::new(&insert);
                query.push_values(rows, |mut b, row| {
                    for (column, value) in table.columns.iter().zip(row) {
                        match column.kind {
                            ColumnKind::Integer => { b.push_bind(value.as_i64()); }
                            ColumnKind::Real => { b.push_bind(value.as_f64()); }
                            ColumnKind::Bool => { b.push_bind(value.as_bool()); }
                            ColumnKind::Text => { b.push_bind(text(value)); }
                            ColumnKind::Date | ColumnKind::Timestamp => {
                                let (open, close) = cast(dialect, column.kind);
                                b.push(open);
                                b.push_bind_unseparated(time(dialect, value));
                                b.push_unseparated(close);
                            }
                        }
                    }
                });
                query.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
        }};
    }
    match pool {
        Pool::Sqlite(p) => write!(p, sqlx::Sqlite),
        Pool::Postgres(p) => write!(p, sqlx::Postgres),
        Pool::MySql(p) => write!(p, sqlx::MySql),
    }
    Ok(())
}

/// Text as bound: strings as they are, other values as JSON, null as NULL.
fn text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// A date or instant as the database reads it (MySQL's DATETIME takes no `T` or `Z`).
fn time(dialect: Dialect, value: &Value) -> Option<String> {
    let text = value.as_str()?;
    Some(match dialect {
        Dialect::MySql => text.replace('T', " ").trim_end_matches('Z').to_owned(),
        _ => text.to_owned(),
    })
}

/// What surrounds a bound date or instant: PostgreSQL needs a cast from text.
fn cast(dialect: Dialect, kind: ColumnKind) -> (&'static str, &'static str) {
    match (dialect, kind) {
        (Dialect::Postgres, ColumnKind::Timestamp) => ("CAST(", " AS TIMESTAMPTZ)"),
        (Dialect::Postgres, _) => ("CAST(", " AS DATE)"),
        _ => ("", ""),
    }
}

//! Writing generated tables: CSV or JSON Lines files in a directory, or tables in SQLite,
//! PostgreSQL or MariaDB/MySQL.

use crate::table::{ColumnKind, Table};
use serde_json::{Map, Value};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Why writing failed.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// A file could not be written.
    #[error("cannot write {path}: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The table prefix is not a plain identifier.
    #[error("`{0}` is not a table prefix (lower-case letters, digits, `_`)")]
    Prefix(String),
    /// The database URL's scheme is not one flowgate writes to.
    #[error("unsupported database URL: use sqlite://, postgres:// or mysql://")]
    Scheme,
    /// A table exists and holds rows.
    #[error("table `{0}` already holds rows; pass --replace to drop and write it again")]
    NotEmpty(String),
    /// The database refused.
    #[error("the database refused: {0}")]
    Database(#[from] sqlx::Error),
}

/// A file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON object per line.
    Jsonl,
}

/// Writes each table as `<dir>/<name>.csv` or `.jsonl`, through a temporary file renamed into
/// place; the paths written.
pub fn write_files(
    dir: &Path,
    tables: &[Table],
    format: FileFormat,
) -> Result<Vec<PathBuf>, OutputError> {
    let fail = |path: &Path| {
        let path = path.to_path_buf();
        move |source| OutputError::File { path, source }
    };
    std::fs::create_dir_all(dir).map_err(fail(dir))?;
    let mut written = Vec::new();
    for table in tables {
        let extension = match format {
            FileFormat::Csv => "csv",
            FileFormat::Jsonl => "jsonl",
        };
        let path = dir.join(format!("{}.{extension}", table.name));
        let partial = dir.join(format!(".{}.{extension}.partial", table.name));
        let file = std::fs::File::create(&partial).map_err(fail(&partial))?;
        let mut out = std::io::BufWriter::new(file);
        match format {
            FileFormat::Csv => write_csv(&mut out, table),
            FileFormat::Jsonl => write_jsonl(&mut out, table),
        }
        .and_then(|()| out.flush())
        .map_err(fail(&path))?;
        std::fs::rename(&partial, &path).map_err(fail(&path))?;
        written.push(path);
    }
    Ok(written)
}

fn write_csv(out: &mut impl Write, table: &Table) -> std::io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    let header: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
    writer.write_record(&header)?;
    for row in &table.rows {
        writer.write_record(row.iter().map(cell))?;
    }
    writer.flush()
}

/// A value as a CSV cell: text as is, null empty.
fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn write_jsonl(out: &mut impl Write, table: &Table) -> std::io::Result<()> {
    for row in &table.rows {
        let object: Map<String, Value> = table
            .columns
            .iter()
            .zip(row)
            .map(|(c, v)| (c.name.clone(), v.clone()))
            .collect();
        serde_json::to_writer(&mut *out, &object)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// The SQL dialect of a database URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Sqlite,
    Postgres,
    MySql,
}

impl Dialect {
    fn of(url: &str) -> Result<Self, OutputError> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else if url.starts_with("mysql://") || url.starts_with("mariadb://") {
            Ok(Self::MySql)
        } else {
            Err(OutputError::Scheme)
        }
    }

    fn column_type(self, kind: ColumnKind) -> &'static str {
        match (self, kind) {
            (_, ColumnKind::Integer) => "BIGINT",
            (Self::Postgres, ColumnKind::Real) => "DOUBLE PRECISION",
            (_, ColumnKind::Real) => "DOUBLE",
            (Self::Sqlite, ColumnKind::Bool) => "INTEGER",
            (_, ColumnKind::Bool) => "BOOLEAN",
            (Self::Sqlite, ColumnKind::Text | ColumnKind::Date | ColumnKind::Timestamp) => "TEXT",
            (_, ColumnKind::Date) => "DATE",
            (Self::Postgres, ColumnKind::Timestamp) => "TIMESTAMPTZ",
            (Self::MySql, ColumnKind::Timestamp) => "DATETIME",
            (_, ColumnKind::Text) => "TEXT",
        }
    }

    fn quote(self, name: &str) -> String {
        match self {
            Self::MySql => format!("`{name}`"),
            _ => format!("\"{}\"", name.replace('"', "\"\"")),
        }
    }
}

/// Creates `<prefix><table>` for each table in the database at `url` and writes the rows in
/// one transaction per table. A table that exists and holds rows is refused unless `replace`.
pub async fn write_database(
    url: &str,
    prefix: &str,
    tables: &[Table],
    replace: bool,
) -> Result<(), OutputError> {
    if !prefix
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(OutputError::Prefix(prefix.to_owned()));
    }
    let dialect = Dialect::of(url)?;
    let url = url.replacen("mariadb://", "mysql://", 1);
    let pool = match dialect {
        Dialect::Sqlite => {
            let options: sqlx::sqlite::SqliteConnectOptions = url.parse()?;
            let pool = sqlx::SqlitePool::connect_with(options.create_if_missing(true)).await?;
            sql::Pool::Sqlite(pool)
        }
        Dialect::Postgres => sql::Pool::Postgres(sqlx::PgPool::connect(&url).await?),
        Dialect::MySql => sql::Pool::MySql(sqlx::MySqlPool::connect(&url).await?),
    };
    for table in tables {
        let name = format!("{prefix}{}", table.name);
        sql::write_table(&pool, dialect, &name, table, replace).await?;
    }
    pool.close().await;
    Ok(())
}

mod sql;

//! A side read into memory: a SQLite database (`sqlite:PATH`), a CSV file (`csv:PATH`) or a
//! Parquet file (`parquet:PATH`); files are loaded into an in-memory SQLite database first, so `table`, `query`, `filter` and
//! aggregate checks are SQLite SQL either way. SQLite has no MD5: rows are normalised and
//! hashed here (see `normalise.rs`) exactly as MySQL/MariaDB and PostgreSQL do it, so a local
//! side compares with a database side segment by segment.

use crate::db::TextRow;
use crate::error::{ConnectionProblem, Error, Invalid, Result, RowPlace};
use crate::normalise::{self, BadValue};
use crate::types::{checksum_scale, Pick, Scope, Segments, DEFAULT_SCALE};
use flowgate_model::{AggregateCheck, ReconcileSource, Reconciliation, SideColumn, ValueType};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Rows per `INSERT` while loading a CSV file.
const INSERT_ROWS: usize = 200;

/// Where a local side's rows come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LocalSource {
    /// A SQLite database file.
    Sqlite(PathBuf),
    /// A CSV file with a header row.
    Csv(PathBuf),
    /// A Parquet file.
    Parquet(PathBuf),
}

impl LocalSource {
    /// The local source a URL names, if it is one (`sqlite:PATH`, `csv:PATH`, with or
    /// without `//`).
    pub(crate) fn from_url(url: &str) -> Option<Self> {
        let (scheme, rest) = url.split_once(':')?;
        let path = PathBuf::from(rest.strip_prefix("//").unwrap_or(rest));
        match scheme {
            "sqlite" => Some(Self::Sqlite(path)),
            "csv" => Some(Self::Csv(path)),
            "parquet" => Some(Self::Parquet(path)),
            _ => None,
        }
    }

    /// The same source at its real path (links followed), which must lie inside
    /// `workspace`: an asset reads only the workspace's files. A missing file is left for
    /// [`LocalSide::open`] to report.
    pub(crate) fn inside(self, side: &str, workspace: &Path) -> Result<Self> {
        let Ok(real) = std::fs::canonicalize(self.path()) else {
            return Ok(self);
        };
        let root = std::fs::canonicalize(workspace).map_err(|e| Error::Io {
            path: workspace.display().to_string(),
            source: e,
        })?;
        if !real.starts_with(&root) {
            return Err(Invalid::OutsideWorkspace {
                side: side.to_owned(),
                path: self.path().to_path_buf(),
                workspace: root,
                real,
            }
            .into());
        }
        Ok(match self {
            Self::Sqlite(_) => Self::Sqlite(real),
            Self::Csv(_) => Self::Csv(real),
            Self::Parquet(_) => Self::Parquet(real),
        })
    }

    fn path(&self) -> &Path {
        match self {
            Self::Sqlite(p) | Self::Csv(p) | Self::Parquet(p) => p,
        }
    }
}

struct LocalRow {
    line: u64,
    hash: u64,
    fetched: TextRow,
}

/// A side held in memory, sorted along the line.
pub(crate) struct LocalSide {
    pool: SqlitePool,
    rows: Vec<LocalRow>,
    passes: AtomicU64,
}

fn ident(name: &str) -> String {
    name.split('.')
        .map(|part| format!("\"{}\"", part.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(".")
}

fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

impl LocalSide {
    /// Open (or load) the source and normalise every row.
    pub(crate) async fn open(
        name: &str,
        source: &LocalSource,
        spec: &Reconciliation,
        pick: Pick,
    ) -> Result<Self> {
        let path = source.path();
        let shown = path.display().to_string();
        if !path.is_file() {
            return Err(Error::Connection {
                side: name.to_owned(),
                problem: ConnectionProblem::NoSuchFile {
                    path: path.to_path_buf(),
                    kind: match source {
                        LocalSource::Sqlite(_) => "SQLite database",
                        LocalSource::Csv(_) => "CSV",
                        LocalSource::Parquet(_) => "Parquet",
                    },
                },
            });
        }
        let db_err = |e: sqlx::Error| Error::Database {
            side: format!("{name} ({shown})"),
            source: e,
        };
        let side_source = (pick.source)(spec);
        let (pool, table) = match source {
            LocalSource::Sqlite(p) => {
                let options = SqliteConnectOptions::new().filename(p).read_only(true);
                let pool = SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect_with(options)
                    .await
                    .map_err(db_err)?;
                (pool, None)
            }
            LocalSource::Csv(p) | LocalSource::Parquet(p) => {
                let pool = SqlitePoolOptions::new()
                    .max_connections(1)
                    .idle_timeout(None)
                    .max_lifetime(None)
                    .connect("sqlite::memory:")
                    .await
                    .map_err(db_err)?;
                let table = side_source
                    .table
                    .clone()
                    .unwrap_or_else(|| "source".to_owned());
                let loaded = match source {
                    LocalSource::Parquet(_) => load_parquet(&pool, p, &table).await,
                    _ => load_csv(&pool, p, &table).await,
                };
                loaded.map_err(|e| match e {
                    Error::Database { source, .. } => db_err(source),
                    other => other,
                })?;
                (pool, Some(table))
            }
        };
        let rows = match read_rows(&pool, source, side_source, table.as_deref(), spec, pick).await {
            Ok(rows) => rows,
            Err(e) => {
                pool.close().await;
                return Err(match e {
                    Error::Database { source, .. } => db_err(source),
                    other => other,
                });
            }
        };
        Ok(Self {
            pool,
            rows,
            passes: AtomicU64::new(1),
        })
    }

    /// The smallest and largest value of the line.
    pub(crate) fn bounds(&self) -> (Option<i128>, Option<i128>) {
        (
            self.rows.first().map(|r| i128::from(r.line)),
            self.rows.last().map(|r| i128::from(r.line)),
        )
    }

    /// Rows held.
    pub(crate) fn estimate(&self) -> u64 {
        self.rows.len() as u64
    }

    /// Count and checksum per segment.
    pub(crate) fn level(&self, lo: u64, width: u64, scope: &Scope<'_>) -> Segments {
        self.passes.fetch_add(1, Ordering::Relaxed);
        let within: Option<(u64, BTreeSet<u64>)> = match scope {
            Scope::All { .. } => None,
            Scope::Within { width, segments } => Some((*width, segments.iter().copied().collect())),
        };
        let mut sums: BTreeMap<u64, (u64, u128)> = BTreeMap::new();
        for row in &self.rows {
            let offset = row.line.saturating_sub(lo);
            if let Some((prev, segments)) = &within {
                if !segments.contains(&(offset / prev.max(&1))) {
                    continue;
                }
            }
            let entry = sums.entry(offset / width.max(1)).or_default();
            entry.0 += 1;
            entry.1 += u128::from(row.hash);
        }
        sums.into_iter()
            .map(|(seg, (n, sum))| (seg, (n, sum.to_string())))
            .collect()
    }

    /// The normalised rows of these segments.
    pub(crate) fn fetch(&self, lo: u64, width: u64, segments: &[u64]) -> Vec<TextRow> {
        self.passes.fetch_add(1, Ordering::Relaxed);
        let wanted: BTreeSet<u64> = segments.iter().copied().collect();
        self.rows
            .iter()
            .filter(|r| wanted.contains(&(r.line.saturating_sub(lo) / width.max(1))))
            .map(|r| r.fetched.clone())
            .collect()
    }

    /// An aggregate check's groups and measures, normalised here.
    pub(crate) async fn aggregate(
        &self,
        check: &AggregateCheck,
        query: &str,
        cutoff: Option<&str>,
    ) -> Result<Vec<TextRow>> {
        self.passes.fetch_add(1, Ordering::Relaxed);
        let query = query.replace(":cutoff", &literal(cutoff.unwrap_or("9999-12-31 23:59:59")));
        let columns: Vec<&flowgate_model::AggregateColumn> =
            check.group_by.iter().chain(&check.measures).collect();
        let select: Vec<String> = columns
            .iter()
            .map(|c| format!("CAST({} AS TEXT)", ident(&c.name)))
            .collect();
        let sql = format!(
            "SELECT {} FROM ({query}\n) AS flowgate_aggregate",
            select.join(", ")
        );
        let raw = text_rows(&self.pool, &sql).await?;
        raw.into_iter()
            .map(|row| {
                columns
                    .iter()
                    .zip(row)
                    .map(|(c, v)| {
                        let side = SideColumn {
                            column: c.name.clone(),
                            ..SideColumn::default()
                        };
                        normalise::normalise(
                            &side,
                            c.value_type,
                            c.scale.unwrap_or(DEFAULT_SCALE),
                            None,
                            v.as_deref(),
                            None,
                        )
                        .map_err(|bad| {
                            Error::from(Invalid::AggregateValue {
                                check: check.name.clone(),
                                column: c.name.clone(),
                                found: bad.found,
                                expected: bad.expected,
                            })
                        })
                    })
                    .collect()
            })
            .collect()
    }

    /// Passes over the rows so far.
    pub(crate) fn queries(&self) -> u64 {
        self.passes.load(Ordering::Relaxed)
    }

    /// Close the SQLite connection.
    pub(crate) async fn close(&self) {
        self.pool.close().await;
    }
}

async fn text_rows(pool: &SqlitePool, sql: &str) -> Result<Vec<TextRow>> {
    // One prepared statement: the fragments in it were checked to hold no `;`.
    let rows = sqlx::query(sql)
        .persistent(false)
        .fetch_all(pool)
        .await
        .map_err(|source| Error::Database {
            side: String::new(),
            source,
        })?;
    rows.iter()
        .map(|row| {
            (0..row.len())
                .map(|i| row.try_get::<Option<String>, _>(i))
                .collect::<std::result::Result<TextRow, _>>()
                .map_err(|source| Error::Database {
                    side: String::new(),
                    source,
                })
        })
        .collect()
}

/// Load a CSV file (header row, comma-separated, UTF-8) into `table`, every column TEXT; an
/// empty cell or `\N` is NULL. The file's line of each row is kept in `flowgate_line`.
async fn load_csv(pool: &SqlitePool, path: &Path, table: &str) -> Result<()> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(path)
        .map_err(|source| Invalid::Csv {
            path: path.to_path_buf(),
            source,
        })?;
    let headers: Vec<String> = reader
        .headers()
        .map_err(|source| Invalid::CsvHeader {
            path: path.to_path_buf(),
            source,
        })?
        .iter()
        .map(str::to_owned)
        .collect();
    if headers.is_empty() || headers.iter().any(String::is_empty) {
        return Err(Invalid::CsvUnnamedColumn {
            path: path.to_path_buf(),
        }
        .into());
    }
    let width = headers.len();
    let rows = reader.into_records().map(|record| {
        let record = record.map_err(|source| Invalid::CsvRow {
            path: path.to_path_buf(),
            line: source.position().map_or(0, |p| p.line()),
            width,
            source,
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let cells = record
            .iter()
            .map(|c| (!c.is_empty() && c != "\\N").then(|| c.to_owned()))
            .collect();
        Ok((line, cells))
    });
    load_rows(pool, table, &headers, rows).await
}

/// Load a Parquet file's rows into `table`, every column as text (numbers and decimals as
/// written, dates as `YYYY-MM-DD`, timestamps in UTC); the row number is kept in
/// `flowgate_line`.
async fn load_parquet(pool: &SqlitePool, path: &Path, table: &str) -> Result<()> {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let shown = path.display().to_string();
    let bad = |e: parquet::errors::ParquetError| {
        Error::from(Invalid::Parquet {
            path: path.to_path_buf(),
            source: e,
        })
    };
    let file = std::fs::File::open(path).map_err(|e| Error::Io {
        path: shown.clone(),
        source: e,
    })?;
    let reader = SerializedFileReader::new(file).map_err(bad)?;
    let headers: Vec<String> = reader
        .metadata()
        .file_metadata()
        .schema_descr()
        .root_schema()
        .get_fields()
        .iter()
        .map(|f| f.name().to_owned())
        .collect();
    let rows = reader.get_row_iter(None).map_err(bad)?;
    let rows = rows.enumerate().map(|(i, row)| {
        let row = row.map_err(|source| Invalid::ParquetRow {
            path: path.to_path_buf(),
            row: i + 1,
            source,
        })?;
        let cells = row
            .get_column_iter()
            .map(|(_, field)| parquet_text(field))
            .collect();
        Ok((i as u64 + 1, cells))
    });
    load_rows(pool, table, &headers, rows).await
}

/// A Parquet value as the text a database would print.
fn parquet_text(field: &parquet::record::Field) -> Option<String> {
    use parquet::record::Field;
    let micros = |us: i64| {
        chrono::DateTime::from_timestamp_micros(us)
            .map(|t| t.naive_utc().format("%Y-%m-%d %H:%M:%S%.f").to_string())
    };
    Some(match field {
        Field::Null => return None,
        Field::Bool(b) => u8::from(*b).to_string(),
        Field::Byte(v) => v.to_string(),
        Field::Short(v) => v.to_string(),
        Field::Int(v) => v.to_string(),
        Field::Long(v) => v.to_string(),
        Field::UByte(v) => v.to_string(),
        Field::UShort(v) => v.to_string(),
        Field::UInt(v) => v.to_string(),
        Field::ULong(v) => v.to_string(),
        Field::Float(v) => v.to_string(),
        Field::Double(v) => v.to_string(),
        Field::Str(v) => v.clone(),
        Field::Decimal(d) => decimal_text(d)?,
        Field::Date(days) => (chrono::NaiveDate::from_ymd_opt(1970, 1, 1)?
            + chrono::Duration::days(i64::from(*days)))
        .format("%Y-%m-%d")
        .to_string(),
        Field::TimestampMillis(ms) => micros(ms.checked_mul(1000)?)?,
        Field::TimestampMicros(us) => micros(*us)?,
        other => other.to_string(),
    })
}

/// A Parquet decimal (big-endian two's complement unscaled value) as text.
fn decimal_text(d: &parquet::data_type::Decimal) -> Option<String> {
    let bytes = d.data();
    if bytes.is_empty() || bytes.len() > 16 {
        return None;
    }
    let mut value: i128 = if bytes[0] & 0x80 != 0 { -1 } else { 0 };
    for b in bytes {
        value = (value << 8) | i128::from(*b);
    }
    let scale = u32::try_from(d.scale()).ok()?;
    Some(normalise::print_units(value, scale))
}

/// Create `table` with a TEXT column per header (and `flowgate_line`) and insert the rows.
async fn load_rows(
    pool: &SqlitePool,
    table: &str,
    headers: &[String],
    rows: impl Iterator<Item = Result<(u64, Vec<Option<String>>)>>,
) -> Result<()> {
    let mut columns = vec![format!("{} INTEGER", ident("flowgate_line"))];
    columns.extend(headers.iter().map(|h| format!("{} TEXT", ident(h))));
    let db = |source| Error::Database {
        side: String::new(),
        source,
    };
    sqlx::raw_sql(&format!(
        "CREATE TABLE {} ({})",
        ident(table),
        columns.join(", ")
    ))
    .execute(pool)
    .await
    .map_err(db)?;
    let mut tx = pool.begin().await.map_err(db)?;
    let mut batch: Vec<(u64, Vec<Option<String>>)> = Vec::new();
    let width = headers.len();
    for row in rows {
        batch.push(row?);
        if batch.len() == INSERT_ROWS {
            insert(&mut tx, table, width, &batch).await?;
            batch.clear();
        }
    }
    insert(&mut tx, table, width, &batch).await?;
    tx.commit().await.map_err(db)
}

async fn insert(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    table: &str,
    width: usize,
    rows: &[(u64, Vec<Option<String>>)],
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let one = format!("({})", vec!["?"; width + 1].join(", "));
    let sql = format!(
        "INSERT INTO {} VALUES {}",
        ident(table),
        vec![one; rows.len()].join(", ")
    );
    let mut query = sqlx::query(&sql);
    for (line, cells) in rows {
        query = query.bind(*line as i64);
        for cell in cells {
            query = query.bind(cell.clone());
        }
    }
    query
        .execute(&mut **tx)
        .await
        .map_err(|source| Error::Database {
            side: String::new(),
            source,
        })?;
    Ok(())
}

/// One value a local side reads per row: a key part or a column.
struct Part<'a> {
    side: &'a SideColumn,
    value_type: ValueType,
    /// The scale the value is shown (and compared row by row) at.
    fetch_scale: u32,
    /// The scale the value is hashed at (see [`checksum_scale`]).
    hash_scale: u32,
    name: String,
    /// Where the value is in the raw row.
    value: usize,
    /// Where its `multiply_by` column is in the raw row.
    factor: Option<usize>,
}

/// How a local side reads its rows: the distinct raw columns selected, and where each part
/// of a normalised row comes from among them.
struct Layout<'a> {
    /// The source's file.
    path: PathBuf,
    csv: bool,
    zone: Option<&'a str>,
    raw: Vec<String>,
    /// The key parts, then the columns.
    parts: Vec<Part<'a>>,
    keys: usize,
    watermark: Option<(&'a str, usize)>,
    segment: Option<usize>,
    /// The file's line (CSV) or row (Parquet) of each row.
    line_column: Option<usize>,
}

/// Where `name` is among the raw columns, adding it when it is not yet there.
fn column_index(raw: &mut Vec<String>, name: &str) -> usize {
    match raw.iter().position(|c| c == name) {
        Some(i) => i,
        None => {
            raw.push(name.to_owned());
            raw.len() - 1
        }
    }
}

impl<'a> Layout<'a> {
    fn new(
        source: &LocalSource,
        side: &'a ReconcileSource,
        spec: &'a Reconciliation,
        pick: Pick,
    ) -> Self {
        let mut raw: Vec<String> = Vec::new();
        let mut part = |s: &'a SideColumn, value_type, fetch_scale, hash_scale| Part {
            side: s,
            value_type,
            fetch_scale,
            hash_scale,
            name: s.column.clone(),
            value: column_index(&mut raw, &s.column),
            factor: s.multiply_by.as_deref().map(|f| column_index(&mut raw, f)),
        };
        let mut parts: Vec<Part<'a>> = Vec::new();
        for k in &spec.key {
            let scale = normalise::KEY_SCALE;
            parts.push(part((pick.key)(k), k.value_type, scale, scale));
        }
        for c in &spec.columns {
            let scale = c.scale.unwrap_or(DEFAULT_SCALE);
            let hash_scale = checksum_scale(scale, c.tolerance.as_deref());
            parts.push(part((pick.column)(c), c.value_type, scale, hash_scale));
        }
        let watermark = side
            .watermark
            .as_deref()
            .map(|w| (w, column_index(&mut raw, w)));
        let segment = spec
            .segment_by
            .as_ref()
            .map(|s| column_index(&mut raw, (pick.segment)(s)));
        let line_column = matches!(source, LocalSource::Csv(_) | LocalSource::Parquet(_))
            .then(|| column_index(&mut raw, "flowgate_line"));
        Self {
            path: source.path().to_path_buf(),
            csv: matches!(source, LocalSource::Csv(_)),
            zone: side.timezone.as_deref(),
            raw,
            parts,
            keys: spec.key.len(),
            watermark,
            segment,
            line_column,
        }
    }

    /// The query that reads the raw columns, as text.
    fn select(&self, side: &ReconcileSource, table: Option<&str>) -> Result<String> {
        let from = match (&side.table, &side.query, table) {
            (_, _, Some(loaded)) if side.query.is_none() => ident(loaded),
            (Some(t), None, _) => ident(t),
            (_, Some(q), _) => format!("({q}\n) AS flowgate_source"),
            (None, None, _) => {
                return Err(Invalid::NoTableOrQuery {
                    path: self.path.clone(),
                }
                .into())
            }
        };
        let select: Vec<String> = self
            .raw
            .iter()
            .map(|c| format!("CAST({} AS TEXT)", ident(c)))
            .collect();
        let filter = side
            .filter
            .as_ref()
            .map(|f| format!(" WHERE ({f}\n)"))
            .unwrap_or_default();
        Ok(format!("SELECT {} FROM {from}{filter}", select.join(", ")))
    }

    /// Where the `n`th row read (from 0) is, for messages: its CSV line or its row.
    fn place(&self, n: usize, row: &TextRow) -> RowPlace {
        let path = self.path.clone();
        let line = self.line_column.and_then(|i| row.get(i).cloned().flatten());
        match (line, self.csv) {
            (Some(line), true) => RowPlace::Line { path, line },
            (Some(row), false) => RowPlace::Row { path, row },
            (None, _) => RowPlace::Row {
                path,
                row: (n + 1).to_string(),
            },
        }
    }

    /// The `n`th row read (from 0), normalised and hashed.
    fn row(&self, n: usize, row: &TextRow) -> Result<LocalRow> {
        let get = |i: usize| row.get(i).cloned().flatten();
        let bad = |column: &str, b: BadValue| {
            Error::from(Invalid::Value {
                place: self.place(n, row),
                column: column.to_owned(),
                found: b.found,
                expected: b.expected,
            })
        };
        let mut fetched: TextRow = Vec::with_capacity(self.parts.len() + 1);
        let mut hashed = String::new();
        let mut key_text = String::new();
        for (i, p) in self.parts.iter().enumerate() {
            let (shown_value, hash_value) = self.part(p, row).map_err(|b| bad(&p.name, b))?;
            normalise::encode(&mut hashed, hash_value.as_deref(), p.value_type);
            if i < self.keys {
                normalise::encode(&mut key_text, hash_value.as_deref(), p.value_type);
            }
            fetched.push(shown_value);
        }
        let mark = match self.watermark {
            Some((name, w)) => normalise::normalise(
                &SideColumn::default(),
                ValueType::Timestamp,
                0,
                self.zone,
                get(w).as_deref(),
                None,
            )
            .map_err(|b| bad(name, b))?,
            None => None,
        };
        fetched.push(mark);
        let line = match self.segment {
            Some(s) => self.segment_value(n, row, s)?,
            None => normalise::key_hash(&key_text),
        };
        Ok(LocalRow {
            line,
            hash: normalise::row_hash(&hashed),
            fetched,
        })
    }

    /// One part of a row, normalised as shown and as hashed (the same text unless the
    /// tolerance makes the hash coarser).
    fn part(
        &self,
        p: &Part<'_>,
        row: &TextRow,
    ) -> std::result::Result<(Option<String>, Option<String>), BadValue> {
        let get = |i: usize| row.get(i).cloned().flatten();
        let value = get(p.value);
        let factor = p.factor.map(get);
        let factor = factor.as_ref().map(|f| f.as_deref());
        let at = |scale| {
            normalise::normalise(
                p.side,
                p.value_type,
                scale,
                self.zone,
                value.as_deref(),
                factor,
            )
        };
        let shown_value = at(p.fetch_scale)?;
        let hash_value = if p.hash_scale == p.fetch_scale {
            shown_value.clone()
        } else {
            at(p.hash_scale)?
        };
        Ok((shown_value, hash_value))
    }

    /// The row's place on the line: its `segment_by` value.
    fn segment_value(&self, n: usize, row: &TextRow, s: usize) -> Result<u64> {
        let text = row.get(s).cloned().flatten().unwrap_or_default();
        text.trim().parse::<u64>().map_err(|_| {
            Error::from(Invalid::SegmentValue {
                place: self.place(n, row),
                column: self.raw[s].clone(),
                found: text.clone(),
            })
        })
    }
}

/// Read the side's columns and normalise and hash every row, sorted along the line.
async fn read_rows(
    pool: &SqlitePool,
    source: &LocalSource,
    side: &ReconcileSource,
    table: Option<&str>,
    spec: &Reconciliation,
    pick: Pick,
) -> Result<Vec<LocalRow>> {
    let layout = Layout::new(source, side, spec, pick);
    let sql = layout.select(side, table)?;
    let values = text_rows(pool, &sql).await?;
    let mut rows = values
        .iter()
        .enumerate()
        .map(|(n, row)| layout.row(n, row))
        .collect::<Result<Vec<LocalRow>>>()?;
    rows.sort_by_key(|r| r.line);
    Ok(rows)
}

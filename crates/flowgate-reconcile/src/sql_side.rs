//! A side served by MySQL/MariaDB or PostgreSQL: every checksum is computed by the database,
//! in as many concurrent range queries as the tuning allows.

use crate::db::{Db, Plan, TextRow};
use crate::error::{Error, Invalid, Result};
use crate::sql::Dialect;
use crate::types::{checksum_scale, Pick, Scope, Segments, Tally, Tuning, DEFAULT_SCALE};
use crate::zone::in_zone;
use flowgate_model::{AggregateCheck, ReconcileSource, Reconciliation, SideColumn, ValueType};
use futures_util::stream::{FuturesUnordered, StreamExt};
use std::sync::atomic::{AtomicU64, Ordering};

/// The SQL pieces of one side.
pub(crate) struct SideSql {
    dialect: Dialect,
    from: String,
    filter: Option<String>,
    /// The line rows are placed on (`s`).
    line: String,
    /// Normalised key parts.
    keys: Vec<String>,
    /// Normalised columns at their compare scale.
    columns: Vec<String>,
    /// The 60-bit row hash.
    hash: String,
    /// Normalised watermark.
    watermark: Option<String>,
}

impl SideSql {
    pub(crate) fn new(
        dialect: Dialect,
        source: &ReconcileSource,
        spec: &Reconciliation,
        pick: fn(&flowgate_model::KeyPart) -> &SideColumn,
        pick_col: fn(&flowgate_model::ColumnMapping) -> &SideColumn,
        segment: Option<&str>,
    ) -> Self {
        let tz = source.timezone.as_deref();
        let from = match (&source.table, &source.query) {
            (Some(table), _) => dialect.ident(table),
            (None, Some(query)) => format!("({query}\n) AS flowgate_source"),
            (None, None) => String::from("(SELECT 1) AS flowgate_empty"),
        };
        let keys: Vec<String> = spec
            .key
            .iter()
            .map(|k| dialect.normalise(pick(k), k.value_type, DEFAULT_SCALE, tz))
            .collect();
        let columns: Vec<String> = spec
            .columns
            .iter()
            .map(|c| {
                dialect.normalise(
                    pick_col(c),
                    c.value_type,
                    c.scale.unwrap_or(DEFAULT_SCALE),
                    tz,
                )
            })
            .collect();
        let mut hashed: Vec<String> = keys
            .iter()
            .zip(&spec.key)
            .map(|(k, part)| dialect.encode(k, part.value_type))
            .collect();
        for c in &spec.columns {
            let scale = c.scale.unwrap_or(DEFAULT_SCALE);
            let at = checksum_scale(scale, c.tolerance.as_deref());
            hashed.push(dialect.encode(
                &dialect.normalise(pick_col(c), c.value_type, at, tz),
                c.value_type,
            ));
        }
        let key_text = dialect.concat(&hashed[..keys.len()]);
        let line = match segment {
            Some(column) => dialect.ident(column),
            None => dialect.key_hash(&key_text),
        };
        let watermark = source.watermark.as_ref().map(|w| {
            dialect.normalise(
                &SideColumn {
                    column: w.clone(),
                    ..SideColumn::default()
                },
                ValueType::Timestamp,
                0,
                tz,
            )
        });
        Self {
            dialect,
            from,
            filter: source.filter.clone(),
            line,
            keys,
            columns,
            hash: dialect.row_hash(&dialect.concat(&hashed)),
            watermark,
        }
    }

    fn where_clause(&self, restriction: Option<&str>) -> String {
        let parts: Vec<String> = self
            .filter
            .iter()
            .map(|f| format!("({f}\n)"))
            .chain(restriction.map(str::to_owned))
            .collect();
        if parts.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", parts.join(" AND "))
        }
    }

    fn segment_expr(&self, lo: u64, width: u64) -> String {
        let offset = if lo == 0 {
            self.line.clone()
        } else {
            format!("{} - {lo}", self.line)
        };
        self.dialect.div(&offset, width)
    }

    fn level_sql(&self, lo: u64, width: u64, restriction: Option<&str>) -> String {
        let d = self.dialect;
        format!(
            "SELECT {}, {}, {} FROM (SELECT {} AS seg, {} AS h FROM {}{}) AS flowgate_rows GROUP BY seg",
            d.text("seg"),
            d.text("COUNT(*)"),
            d.sum_text("h"),
            self.segment_expr(lo, width),
            self.hash,
            self.from,
            self.where_clause(restriction)
        )
    }

    fn fetch_sql(&self, restriction: &str) -> String {
        let mut select: Vec<String> = self.keys.clone();
        select.extend(self.columns.iter().cloned());
        select.push(self.watermark.clone().unwrap_or_else(|| "NULL".to_owned()));
        format!(
            "SELECT {} FROM {}{}",
            select.join(", "),
            self.from,
            self.where_clause(Some(restriction))
        )
    }

    /// Rows in the given segments of one width.
    fn restriction(&self, lo: u64, width: u64, segments: &[u64], numeric: bool) -> String {
        if numeric {
            // Key ranges, so an index on the column serves them.
            let mut ranges: Vec<(u64, u64)> = Vec::new();
            for &seg in segments {
                let a = lo + seg * width;
                let b = a + width - 1;
                match ranges.last_mut() {
                    Some(last) if last.1 + 1 == a => last.1 = b,
                    _ => ranges.push((a, b)),
                }
            }
            let ors: Vec<String> = ranges
                .iter()
                .map(|(a, b)| format!("{} BETWEEN {a} AND {b}", self.line))
                .collect();
            format!("({})", ors.join(" OR "))
        } else {
            let list: Vec<String> = segments.iter().map(u64::to_string).collect();
            format!("{} IN ({})", self.segment_expr(lo, width), list.join(", "))
        }
    }
}

/// Segments per query, by key range (see [`SqlSide::per_query`]).
const RANGES_PER_QUERY: usize = 48;

/// A database side: its pool and its SQL.
pub(crate) struct SqlSide {
    db: Db,
    sql: SideSql,
    source: ReconcileSource,
    numeric: bool,
    tuning: Tuning,
    queries: AtomicU64,
}

impl SqlSide {
    /// Connect and prepare the SQL of this side.
    pub(crate) async fn connect(
        name: &str,
        url: &str,
        spec: &Reconciliation,
        pick: Pick,
        tuning: Tuning,
    ) -> Result<Self> {
        let db = Db::connect_read_only(name, url).await?;
        let source = (pick.source)(spec).clone();
        let sql = SideSql::new(
            db.dialect(),
            &source,
            spec,
            pick.key,
            pick.column,
            spec.segment_by.as_ref().map(pick.segment),
        );
        let side = Self {
            db,
            sql,
            source,
            numeric: spec.segment_by.is_some(),
            tuning,
            queries: AtomicU64::new(0),
        };
        if let Err(e) = side.check_timezone().await {
            side.db.close().await;
            return Err(e);
        }
        Ok(side)
    }

    async fn rows(&self, sql: &str) -> Result<Vec<TextRow>> {
        self.planned_rows(sql, Plan::Default).await
    }

    async fn planned_rows(&self, sql: &str, plan: Plan) -> Result<Vec<TextRow>> {
        self.queries.fetch_add(1, Ordering::Relaxed);
        self.db.read(sql, plan).await
    }

    /// Run queries, at most `tuning.parallel` at a time, a new one as soon as one ends;
    /// results in the order of `queries`. Each query counts towards `tally`.
    async fn rows_concurrently(
        &self,
        queries: Vec<String>,
        plan: Plan,
        tally: &Tally<'_>,
    ) -> Result<Vec<Vec<TextRow>>> {
        tally.add(queries.len() as u64);
        let mut results: Vec<Vec<TextRow>> = vec![Vec::new(); queries.len()];
        let mut running = FuturesUnordered::new();
        let mut pending = queries.iter().enumerate();
        loop {
            while running.len() < self.tuning.parallel.max(1) {
                let Some((i, query)) = pending.next() else {
                    break;
                };
                running.push(self.indexed_rows(i, query, plan));
            }
            let Some(done) = running.next().await else {
                break;
            };
            let (i, rows) = done?;
            results[i] = rows;
            tally.tick();
        }
        Ok(results)
    }

    async fn indexed_rows(&self, i: usize, sql: &str, plan: Plan) -> Result<(usize, Vec<TextRow>)> {
        Ok((i, self.planned_rows(sql, plan).await?))
    }

    async fn scalar(&self, sql: &str) -> Result<TextRow> {
        Ok(self.rows(sql).await?.into_iter().next().unwrap_or_default())
    }

    async fn check_timezone(&self) -> Result<()> {
        let (Some(zone), Dialect::MySql) = (&self.source.timezone, self.db.dialect()) else {
            return Ok(());
        };
        let sql = format!(
            "SELECT CAST(CONVERT_TZ('2000-01-01 00:00:00', {}, '+00:00') AS CHAR)",
            self.db.dialect().literal(zone)
        );
        if self
            .scalar(&sql)
            .await?
            .first()
            .cloned()
            .flatten()
            .is_none()
        {
            return Err(Invalid::MySqlZone {
                side: self.db.side().to_owned(),
                zone: zone.to_owned(),
            }
            .into());
        }
        Ok(())
    }

    /// The smallest and largest value of the line (`segment_by`), if any row exists.
    pub(crate) async fn bounds(&self) -> Result<(Option<i128>, Option<i128>)> {
        let s = &self.sql;
        let row = self
            .scalar(&format!(
                "SELECT {}, {} FROM {}{}",
                s.dialect.text(&format!("MIN({})", s.line)),
                s.dialect.text(&format!("MAX({})", s.line)),
                s.from,
                s.where_clause(None)
            ))
            .await?;
        Ok((num(&row, 0), num(&row, 1)))
    }

    /// Rows, estimated from the catalogue when it knows; counted otherwise.
    pub(crate) async fn estimate(&self) -> Result<u64> {
        if let Some(sql) = estimate_sql(self.db.dialect(), &self.source) {
            let n = num(&self.scalar(&sql).await?, 0).unwrap_or(0);
            if n > 0 {
                return Ok(n as u64);
            }
        }
        self.count().await
    }

    /// Rows in the source (after its filter), counted.
    pub(crate) async fn count(&self) -> Result<u64> {
        let s = &self.sql;
        let row = self
            .scalar(&format!(
                "SELECT {} FROM {}{}",
                s.dialect.text("COUNT(*)"),
                s.from,
                s.where_clause(None)
            ))
            .await?;
        Ok(num(&row, 0).unwrap_or(0).max(0) as u64)
    }

    /// Count and checksum per segment of `width` along the line, within `scope`.
    pub(crate) async fn level(
        &self,
        lo: u64,
        width: u64,
        scope: &Scope<'_>,
        tally: &Tally<'_>,
    ) -> Result<Segments> {
        let restrictions: Vec<Option<String>> = match scope {
            Scope::All { span } => self.ranges(lo, width, *span),
            Scope::Within {
                width: prev,
                segments,
            } => segments
                .chunks(self.per_query())
                .map(|chunk| Some(self.sql.restriction(lo, *prev, chunk, self.numeric)))
                .collect(),
        };
        let queries = restrictions
            .iter()
            .map(|r| self.sql.level_sql(lo, width, r.as_deref()))
            .collect();
        let mut out = Segments::new();
        for rows in self
            .rows_concurrently(queries, Plan::HashGroups, tally)
            .await?
        {
            out.extend(parse_segments(self.db.side(), rows)?);
        }
        Ok(out)
    }

    /// Segments per query when refining or fetching. Key ranges go a few dozen to a query:
    /// both databases evaluate a long `OR` of ranges against every row they read, so the cost
    /// of one query grows with the square of its ranges (1,000 ranges: 5 s in MariaDB, 22 s in
    /// PostgreSQL, against 0.04 s and 0.06 s for 50). A hashed `IN` list costs the same per row
    /// whatever its length, and every such query scans the table: as few as possible.
    fn per_query(&self) -> usize {
        if self.numeric {
            RANGES_PER_QUERY
        } else {
            self.tuning.batch.max(1)
        }
    }

    /// The whole line as contiguous key ranges of whole segments (with `segment_by`), a few
    /// per connection, so a slow range does not hold the others back and the progress display
    /// moves; one scan without it.
    fn ranges(&self, lo: u64, width: u64, span: u64) -> Vec<Option<String>> {
        if !self.numeric {
            return vec![None];
        }
        let segments = span.div_ceil(width).max(1);
        let ranges = (self.tuning.parallel as u64 * 4).clamp(1, segments);
        let per = segments.div_ceil(ranges).max(1);
        (0..segments)
            .step_by(per as usize)
            .map(|first| {
                let a = lo + first * width;
                let b = lo + (first + per).min(segments) * width - 1;
                Some(format!("{} BETWEEN {a} AND {b}", self.sql.line))
            })
            .collect()
    }

    /// The database's clock, UTC `YYYY-MM-DD HH:MM:SS`.
    pub(crate) async fn clock(&self) -> Result<String> {
        let sql = match self.db.dialect() {
            Dialect::MySql => "SELECT DATE_FORMAT(UTC_TIMESTAMP(), '%Y-%m-%d %H:%i:%s')",
            Dialect::Postgres => {
                "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"
            }
        };
        self.scalar(sql)
            .await?
            .first()
            .cloned()
            .flatten()
            .ok_or_else(|| {
                Error::from(Invalid::NoClock {
                    side: self.db.side().to_owned(),
                })
            })
    }

    /// Segments holding a row whose watermark is at or after `since` (UTC); `None` without a
    /// watermark. The comparison is on the column itself, so an index on it serves it.
    pub(crate) async fn changed(
        &self,
        lo: u64,
        width: u64,
        since: chrono::NaiveDateTime,
    ) -> Result<Option<Vec<u64>>> {
        let Some(watermark) = &self.source.watermark else {
            return Ok(None);
        };
        let local = in_zone(since, self.source.timezone.as_deref()).ok_or_else(|| {
            Error::from(Invalid::UnknownZone {
                side: self.db.side().to_owned(),
                zone: self.source.timezone.clone().unwrap_or_default(),
            })
        })?;
        let d = self.db.dialect();
        let predicate = format!(
            "{} >= {}",
            d.ident(watermark),
            d.literal(&local.format("%Y-%m-%d %H:%M:%S").to_string())
        );
        let sql = format!(
            "SELECT DISTINCT {} FROM {}{}",
            d.text(&self.sql.segment_expr(lo, width)),
            self.sql.from,
            self.sql.where_clause(Some(&predicate))
        );
        let rows = self.rows(&sql).await?;
        Ok(Some(
            rows.iter()
                .filter_map(|r| r.first().cloned().flatten()?.parse().ok())
                .collect(),
        ))
    }

    /// Rows per segment along the whole line, without hashing.
    pub(crate) async fn counts(
        &self,
        lo: u64,
        width: u64,
        span: u64,
        tally: &Tally<'_>,
    ) -> Result<std::collections::BTreeMap<u64, u64>> {
        let d = self.db.dialect();
        let queries = self
            .ranges(lo, width, span)
            .iter()
            .map(|r| {
                format!(
                    "SELECT {}, {} FROM (SELECT {} AS seg FROM {}{}) AS flowgate_rows GROUP BY seg",
                    d.text("seg"),
                    d.text("COUNT(*)"),
                    self.sql.segment_expr(lo, width),
                    self.sql.from,
                    self.sql.where_clause(r.as_deref())
                )
            })
            .collect();
        let mut out = std::collections::BTreeMap::new();
        for rows in self
            .rows_concurrently(queries, Plan::HashGroups, tally)
            .await?
        {
            for row in rows {
                let field = |i: usize| row.get(i).cloned().flatten()?.parse::<u64>().ok();
                if let (Some(seg), Some(n)) = (field(0), field(1)) {
                    out.insert(seg, n);
                }
            }
        }
        Ok(out)
    }

    /// The normalised rows of the given segments: key parts, columns, watermark.
    pub(crate) async fn fetch(
        &self,
        lo: u64,
        width: u64,
        segments: &[u64],
        tally: &Tally<'_>,
    ) -> Result<Vec<TextRow>> {
        let queries = segments
            .chunks(self.per_query())
            .map(|chunk| {
                self.sql
                    .fetch_sql(&self.sql.restriction(lo, width, chunk, self.numeric))
            })
            .collect();
        Ok(self
            .rows_concurrently(queries, Plan::Default, tally)
            .await?
            .into_iter()
            .flatten()
            .collect())
    }

    /// The groups and measures of an aggregate check, normalised.
    pub(crate) async fn aggregate(
        &self,
        check: &AggregateCheck,
        query: &str,
        cutoff: Option<&str>,
    ) -> Result<Vec<TextRow>> {
        self.rows(&aggregate_sql(self.db.dialect(), check, query, cutoff))
            .await
    }

    /// Queries run so far.
    pub(crate) fn queries(&self) -> u64 {
        self.queries.load(Ordering::Relaxed)
    }

    /// Close the pool.
    pub(crate) async fn close(&self) {
        self.db.close().await;
    }
}

fn num(row: &TextRow, i: usize) -> Option<i128> {
    row.get(i)?.as_deref()?.parse::<i128>().ok()
}

/// Estimated rows of a source from the catalogue; 0 when unknown.
fn estimate_sql(dialect: Dialect, source: &ReconcileSource) -> Option<String> {
    let table = source.table.as_ref()?;
    let (schema, name) = match table.split_once('.') {
        Some((s, n)) => (Some(s), n),
        None => (None, table.as_str()),
    };
    Some(match dialect {
        Dialect::MySql => format!(
            "SELECT CAST(TABLE_ROWS AS CHAR) FROM information_schema.TABLES WHERE TABLE_SCHEMA = {} AND TABLE_NAME = {}",
            schema.map_or("DATABASE()".to_owned(), |s| dialect.literal(s)),
            dialect.literal(name)
        ),
        Dialect::Postgres => format!(
            "SELECT (GREATEST(reltuples, 0)::bigint)::text FROM pg_class WHERE oid = to_regclass({})",
            dialect.literal(table)
        ),
    })
}

fn parse_segments(side: &str, rows: Vec<TextRow>) -> Result<Segments> {
    let mut out = Segments::new();
    for row in rows {
        let field = |i: usize| row.get(i).cloned().flatten();
        let seg = field(0).and_then(|s| s.parse::<u64>().ok());
        let count = field(1).and_then(|s| s.parse::<u64>().ok());
        match (seg, count, field(2)) {
            (Some(seg), Some(count), Some(sum)) => {
                out.insert(seg, (count, sum));
            }
            _ => {
                return Err(Invalid::UnreadableChecksums {
                    side: side.to_owned(),
                }
                .into())
            }
        }
    }
    Ok(out)
}

fn aggregate_sql(
    dialect: Dialect,
    check: &flowgate_model::AggregateCheck,
    query: &str,
    cutoff: Option<&str>,
) -> String {
    let cutoff_literal = dialect.timestamp_literal(cutoff.unwrap_or("9999-12-31 23:59:59"));
    let query = query.replace(":cutoff", &cutoff_literal);
    let select: Vec<String> = check
        .group_by
        .iter()
        .chain(&check.measures)
        .map(|c| {
            let side = SideColumn {
                column: c.name.clone(),
                ..SideColumn::default()
            };
            dialect.normalise(&side, c.value_type, c.scale.unwrap_or(DEFAULT_SCALE), None)
        })
        .collect();
    format!(
        "SELECT {} FROM ({query}\n) AS flowgate_aggregate",
        select.join(", ")
    )
}

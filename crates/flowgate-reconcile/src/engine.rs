//! The engine: checksum bisection pushed into each database, then a row-by-row comparison
//! of the few rows in segments whose checksums differ.
//!
//! Rows are placed on a line `s`: the shared numeric column (`segment_by`, served by an
//! index) or 32 bits of the MD5 of the normalised key. A level groups rows into segments of
//! width `w` along `s` and asks each side for `COUNT(*)` and the exact sum of 60-bit row
//! hashes per segment, in one query. Segments that agree are done; segments that differ are
//! split finer in the next level, until they hold few enough rows to fetch.

use crate::db::{Db, TextRow};
use crate::error::{Error, Result};
use crate::report::{AggregateResult, ColumnDiff, Duplicate, Key, Mismatch, Report, Work};
use crate::sql::Dialect;
use flowgate_model::{ReconcileSource, Reconciliation, SideColumn, ValueType};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

/// Receives progress while a run goes on (the CLI draws a bar on a terminal).
pub trait Progress: Send + Sync {
    /// One step done: a short description of where the run is.
    fn step(&self, message: &str);
}

/// Progress that goes nowhere.
pub struct NoProgress;

impl Progress for NoProgress {
    fn step(&self, _message: &str) {}
}

/// Tuning knobs of the bisection.
#[derive(Debug, Clone, Copy)]
pub struct Tuning {
    /// Rows per segment aimed at in the first level.
    pub first_level_rows: u64,
    /// Rows per segment aimed at when a differing segment is split.
    pub split_rows: u64,
    /// Segments with at most this many rows (on the larger side) are fetched.
    pub fetch_rows: u64,
    /// Segments per query when refining or fetching.
    pub batch: usize,
}

impl Default for Tuning {
    fn default() -> Self {
        Self {
            first_level_rows: 256,
            split_rows: 16,
            fetch_rows: 64,
            batch: 2000,
        }
    }
}

/// Options of a run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The reconciliation's id (for the report).
    pub name: String,
    /// The left connection URL (resolved from its secret reference).
    pub left_url: String,
    /// The right connection URL.
    pub right_url: String,
    /// Engine tuning.
    pub tuning: Tuning,
    /// "Now", for the grace window (default: the clock).
    pub now: Option<chrono::DateTime<chrono::Utc>>,
}

/// Resolve a secret reference to a connection URL.
pub fn resolve_url(side: &str, secret: &flowgate_model::SecretRef) -> Result<String> {
    match secret.provider.as_str() {
        "env" => std::env::var(&secret.name).map_err(|_| Error::Connection {
            side: side.to_owned(),
            message: format!(
                "environment variable {} is not set; export it with the connection URL (mysql://… or postgres://…)",
                secret.name
            ),
        }),
        other => Err(Error::Connection {
            side: side.to_owned(),
            message: format!("`{other}:` secret references are not supported for reconciliation connections yet; use `env:NAME`"),
        }),
    }
}

/// The SQL pieces of one side.
struct SideSql {
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

fn checksum_scale(scale: u32, tolerance: Option<&str>) -> u32 {
    let Some(units) = tolerance.and_then(|t| parse_decimal(t, scale)) else {
        return scale;
    };
    if units <= 0 {
        return scale;
    }
    // Equal after rounding to s decimals implies a difference below 10^-s <= tolerance.
    let digits = units.to_string().len() as u32 - 1;
    scale.saturating_sub(digits)
}

const DEFAULT_SCALE: u32 = 4;

impl SideSql {
    fn new(
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
            (None, Some(query)) => format!("({query}) AS flowgate_source"),
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
            .map(|f| format!("({f})"))
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

type Segments = BTreeMap<u64, (u64, String)>;

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
                return Err(Error::Invalid(format!(
                    "{side}: a checksum query returned an unreadable row; is `segment_by` a non-negative integer column?"
                )))
            }
        }
    }
    Ok(out)
}

struct Sides<'a> {
    left: &'a Db,
    right: &'a Db,
    lsql: SideSql,
    rsql: SideSql,
    work: Work,
    progress: &'a dyn Progress,
}

impl Sides<'_> {
    async fn both(&mut self, lq: String, rq: String) -> Result<(Vec<TextRow>, Vec<TextRow>)> {
        self.work.queries += 2;
        let (l, r) = tokio::join!(self.left.rows(&lq), self.right.rows(&rq));
        Ok((l?, r?))
    }

    async fn scalar_pair(&mut self, lq: String, rq: String) -> Result<(TextRow, TextRow)> {
        let (l, r) = self.both(lq, rq).await?;
        Ok((
            l.into_iter().next().unwrap_or_default(),
            r.into_iter().next().unwrap_or_default(),
        ))
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

/// Run a reconciliation. Any database error (a dropped connection included) fails the run:
/// a report is only returned when every segment was compared.
pub async fn run(
    spec: &Reconciliation,
    options: &RunOptions,
    progress: &dyn Progress,
) -> Result<Report> {
    let started = Instant::now();
    let now = options.now.unwrap_or_else(chrono::Utc::now);
    let cutoff = spec.grace.map(|g| {
        (now - chrono::Duration::seconds(g.as_seconds() as i64))
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    });
    progress.step("connecting");
    let (left, right) = tokio::join!(
        Db::connect("left", &options.left_url),
        Db::connect("right", &options.right_url)
    );
    let (left, right) = (left?, right?);
    let result = run_on(spec, options, progress, &left, &right, cutoff.clone()).await;
    left.close().await;
    right.close().await;
    let mut report = result?;
    report.reconciliation = options.name.clone();
    report.started_at = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    report.cutoff = cutoff;
    report.duration_ms = started.elapsed().as_millis() as u64;
    Ok(report)
}

async fn check_timezones(db: &Db, source: &ReconcileSource) -> Result<()> {
    let (Some(zone), Dialect::MySql) = (&source.timezone, db.dialect()) else {
        return Ok(());
    };
    let sql = format!(
        "SELECT CAST(CONVERT_TZ('2000-01-01 00:00:00', {}, '+00:00') AS CHAR)",
        db.dialect().literal(zone)
    );
    let rows = db.rows(&sql).await?;
    if rows
        .first()
        .and_then(|r| r.first())
        .cloned()
        .flatten()
        .is_none()
    {
        return Err(Error::Invalid(format!(
            "{}: MySQL does not know the time zone `{zone}`; load the zone tables (mysql_tzinfo_to_sql) or write an offset such as `+01:00`",
            db.side()
        )));
    }
    Ok(())
}

async fn run_on(
    spec: &Reconciliation,
    options: &RunOptions,
    progress: &dyn Progress,
    left: &Db,
    right: &Db,
    cutoff: Option<String>,
) -> Result<Report> {
    check_timezones(left, &spec.left).await?;
    check_timezones(right, &spec.right).await?;
    let tuning = options.tuning;
    let numeric = spec.segment_by.is_some();
    let lsql = SideSql::new(
        left.dialect(),
        &spec.left,
        spec,
        |k| &k.left,
        |c| &c.left,
        spec.segment_by.as_ref().map(|s| s.left.as_str()),
    );
    let rsql = SideSql::new(
        right.dialect(),
        &spec.right,
        spec,
        |k| &k.right,
        |c| &c.right,
        spec.segment_by.as_ref().map(|s| s.right.as_str()),
    );
    let mut sides = Sides {
        left,
        right,
        lsql,
        rsql,
        work: Work {
            segmented_by: if numeric { "segment_by" } else { "key hash" },
            ..Work::default()
        },
        progress,
    };

    // The line's extent and the first level's width.
    let (lo, span) = if numeric {
        let bounds = |s: &SideSql| {
            format!(
                "SELECT {}, {} FROM {}{}",
                s.dialect.text(&format!("MIN({})", s.line)),
                s.dialect.text(&format!("MAX({})", s.line)),
                s.from,
                s.where_clause(None)
            )
        };
        let (l, r) = sides
            .scalar_pair(bounds(&sides.lsql), bounds(&sides.rsql))
            .await?;
        let mins: Vec<i128> = [num(&l, 0), num(&r, 0)].into_iter().flatten().collect();
        let maxs: Vec<i128> = [num(&l, 1), num(&r, 1)].into_iter().flatten().collect();
        match (mins.iter().min(), maxs.iter().max()) {
            (Some(&min), Some(&max)) if min >= 0 => (min as u64, (max - min + 1) as u64),
            (Some(_), _) => {
                return Err(Error::Invalid(
                    "`segment_by` must be a non-negative integer column on both sides".to_owned(),
                ))
            }
            _ => (0, 1),
        }
    } else {
        (0, 1u64 << 32)
    };
    let estimate = {
        let (lq, rq) = (
            estimate_sql(left.dialect(), &spec.left),
            estimate_sql(right.dialect(), &spec.right),
        );
        let mut n = 0;
        if let (Some(lq), Some(rq)) = (lq, rq) {
            let (l, r) = sides.scalar_pair(lq, rq).await?;
            n = num(&l, 0).unwrap_or(0).max(num(&r, 0).unwrap_or(0));
        }
        if n <= 0 {
            // No statistics: count (once, cheaply, without hashing).
            let count = |s: &SideSql| {
                format!(
                    "SELECT {} FROM {}{}",
                    s.dialect.text("COUNT(*)"),
                    s.from,
                    s.where_clause(None)
                )
            };
            let (l, r) = sides
                .scalar_pair(count(&sides.lsql), count(&sides.rsql))
                .await?;
            n = num(&l, 0).unwrap_or(0).max(num(&r, 0).unwrap_or(0));
        }
        n.max(1) as u64
    };
    let segments_wanted = (estimate / tuning.first_level_rows.max(1)).max(1);
    // Widths are powers of two, so every segment of a level lies inside one segment of the
    // level before: a row is fetched at most once.
    let mut width = span.div_ceil(segments_wanted).max(1).next_power_of_two();

    // Level by level.
    let mut rows_left = 0;
    let mut rows_right = 0;
    let mut leaves: BTreeMap<u64, Vec<u64>> = BTreeMap::new(); // width -> segments to fetch
    let mut pending: Option<(u64, Vec<u64>)> = None; // (previous width, its differing segments)
    loop {
        sides.work.levels += 1;
        let level = sides.work.levels;
        let mut lmap = Segments::new();
        let mut rmap = Segments::new();
        let batches: Vec<Option<String>> = match &pending {
            None => vec![None],
            Some((prev, segs)) => segs
                .chunks(tuning.batch.max(1))
                .map(|chunk| Some(sides.lsql.restriction(lo, *prev, chunk, numeric)))
                .collect(),
        };
        let rbatches: Vec<Option<String>> = match &pending {
            None => vec![None],
            Some((prev, segs)) => segs
                .chunks(tuning.batch.max(1))
                .map(|chunk| Some(sides.rsql.restriction(lo, *prev, chunk, numeric)))
                .collect(),
        };
        for (i, (lr, rr)) in batches.iter().zip(&rbatches).enumerate() {
            sides.progress.step(&format!(
                "level {level}: checksums of segments of width {width} (batch {}/{})",
                i + 1,
                batches.len()
            ));
            let lq = sides.lsql.level_sql(lo, width, lr.as_deref());
            let rq = sides.rsql.level_sql(lo, width, rr.as_deref());
            let (l, r) = sides.both(lq, rq).await?;
            lmap.extend(parse_segments("left", l)?);
            rmap.extend(parse_segments("right", r)?);
        }
        if level == 1 {
            rows_left = lmap.values().map(|v| v.0).sum();
            rows_right = rmap.values().map(|v| v.0).sum();
        }
        let all: BTreeSet<u64> = lmap.keys().chain(rmap.keys()).copied().collect();
        sides.work.segments_compared += (lmap.len() + rmap.len()) as u64;
        let mut refine: Vec<(u64, u64)> = Vec::new();
        for seg in all {
            let (l, r) = (lmap.get(&seg), rmap.get(&seg));
            if l == r {
                continue;
            }
            let rows = l.map_or(0, |v| v.0).max(r.map_or(0, |v| v.0));
            if rows <= tuning.fetch_rows || width == 1 {
                leaves.entry(width).or_default().push(seg);
            } else {
                refine.push((seg, rows));
            }
        }
        sides.progress.step(&format!(
            "level {level}: {} segments to split, {} to fetch",
            refine.len(),
            leaves.values().map(Vec::len).sum::<usize>()
        ));
        if refine.is_empty() {
            break;
        }
        let densest = refine.iter().map(|r| r.1).max().unwrap_or(1).max(1);
        let next = prev_power_of_two(
            (width.saturating_mul(tuning.split_rows) / densest).clamp(1, (width / 2).max(1)),
        );
        pending = Some((width, refine.into_iter().map(|r| r.0).collect()));
        width = next;
    }

    // Fetch the rows of differing leaves and compare them.
    let mut lrows: Vec<TextRow> = Vec::new();
    let mut rrows: Vec<TextRow> = Vec::new();
    for (w, segs) in &leaves {
        for chunk in segs.chunks(tuning.batch.max(1)) {
            sides.progress.step(&format!(
                "fetching rows of {} differing segments",
                chunk.len()
            ));
            let lq = sides
                .lsql
                .fetch_sql(&sides.lsql.restriction(lo, *w, chunk, numeric));
            let rq = sides
                .rsql
                .fetch_sql(&sides.rsql.restriction(lo, *w, chunk, numeric));
            let (l, r) = sides.both(lq, rq).await?;
            sides.work.rows_fetched += (l.len() + r.len()) as u64;
            lrows.extend(l);
            rrows.extend(r);
        }
    }
    let mut report = classify_rows(spec, lrows, rrows, cutoff.as_deref());
    report.rows_left = rows_left;
    report.rows_right = rows_right;

    for check in &spec.aggregates {
        sides
            .progress
            .step(&format!("aggregate check {}", check.name));
        let lq = aggregate_sql(left.dialect(), check, &check.left, cutoff.as_deref());
        let rq = aggregate_sql(right.dialect(), check, &check.right, cutoff.as_deref());
        let (l, r) = sides.both(lq, rq).await?;
        report.aggregates.push(compare_aggregate(check, l, r));
    }
    report.work = sides.work;
    Ok(report)
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
        "SELECT {} FROM ({query}) AS flowgate_aggregate",
        select.join(", ")
    )
}

fn compare_aggregate(
    check: &flowgate_model::AggregateCheck,
    left: Vec<TextRow>,
    right: Vec<TextRow>,
) -> AggregateResult {
    let g = check.group_by.len();
    let split = |rows: Vec<TextRow>| -> BTreeMap<Key, TextRow> {
        rows.into_iter()
            .map(|mut row| {
                let measures = row.split_off(g.min(row.len()));
                (row, measures)
            })
            .collect()
    };
    let (l, r) = (split(left), split(right));
    let mut result = AggregateResult {
        name: check.name.clone(),
        groups_left: l.len() as u64,
        groups_right: r.len() as u64,
        ..AggregateResult::default()
    };
    for (key, lm) in &l {
        let Some(rm) = r.get(key) else {
            result.missing_right.push(key.clone());
            continue;
        };
        let columns: Vec<ColumnDiff> = check
            .measures
            .iter()
            .enumerate()
            .filter_map(|(i, m)| {
                let (a, b) = (lm.get(i).cloned().flatten(), rm.get(i).cloned().flatten());
                let scale = m.scale.unwrap_or(DEFAULT_SCALE);
                (!values_equal(m.value_type, scale, m.tolerance.as_deref(), &a, &b)).then(|| {
                    ColumnDiff {
                        column: m.name.clone(),
                        left: a,
                        right: b,
                    }
                })
            })
            .collect();
        if !columns.is_empty() {
            result.mismatches.push(Mismatch {
                key: key.clone(),
                columns,
            });
        }
    }
    result.missing_left = r.keys().filter(|k| !l.contains_key(*k)).cloned().collect();
    result
}

fn prev_power_of_two(x: u64) -> u64 {
    1u64 << (63 - x.max(1).leading_zeros())
}

/// A decimal text as an integer count of `10^-scale` units (`"12.345"` at scale 4 is 123450).
pub fn parse_decimal(text: &str, scale: u32) -> Option<i128> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() && frac.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let mut units: i128 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let frac_digits: Vec<u32> = frac.chars().filter_map(|c| c.to_digit(10)).collect();
    for i in 0..scale as usize {
        units = units.checked_mul(10)? + i128::from(*frac_digits.get(i).unwrap_or(&0));
    }
    // Round half away from zero on the first dropped digit.
    if frac_digits.get(scale as usize).is_some_and(|&d| d >= 5) {
        units += 1;
    }
    Some(if negative { -units } else { units })
}

fn values_equal(
    value_type: ValueType,
    scale: u32,
    tolerance: Option<&str>,
    a: &Option<String>,
    b: &Option<String>,
) -> bool {
    if a == b {
        return true;
    }
    let (Some(a), Some(b)) = (a, b) else {
        return false;
    };
    match value_type {
        ValueType::Decimal | ValueType::Integer => {
            let scale = if value_type == ValueType::Integer {
                0
            } else {
                scale
            };
            let tol = tolerance.and_then(|t| parse_decimal(t, scale)).unwrap_or(0);
            match (parse_decimal(a, scale), parse_decimal(b, scale)) {
                (Some(x), Some(y)) => (x - y).abs() <= tol,
                _ => false,
            }
        }
        _ => false,
    }
}

/// Classify fetched rows: keys on one side only, duplicates, value mismatches; keys whose
/// rows changed at or after the cutoff are in flight. Each row is the normalised key parts,
/// then the columns, then the watermark (UTC text or NULL).
pub fn classify_rows(
    spec: &Reconciliation,
    left: Vec<TextRow>,
    right: Vec<TextRow>,
    cutoff: Option<&str>,
) -> Report {
    let k = spec.key.len();
    let group = |rows: Vec<TextRow>| -> BTreeMap<Key, Vec<TextRow>> {
        let mut map: BTreeMap<Key, Vec<TextRow>> = BTreeMap::new();
        for mut row in rows {
            let rest = row.split_off(k.min(row.len()));
            map.entry(row).or_default().push(rest);
        }
        map
    };
    let (l, r) = (group(left), group(right));
    let n = spec.columns.len();
    let recent = |rows: Option<&Vec<TextRow>>| {
        rows.is_some_and(|rows| {
            rows.iter().any(|row| {
                matches!((row.get(n).cloned().flatten(), cutoff), (Some(w), Some(c)) if w.as_str() >= c)
            })
        })
    };
    let mut report = Report::default();
    let keys: BTreeSet<&Key> = l.keys().chain(r.keys()).collect();
    for key in keys {
        let (lr, rr) = (l.get(key), r.get(key));
        let in_flight = recent(lr) || recent(rr);
        let mut differs = false;
        let mut duplicates = Vec::new();
        for (side, rows) in [("left", lr), ("right", rr)] {
            if let Some(rows) = rows.filter(|rows| rows.len() > 1) {
                duplicates.push(Duplicate {
                    key: key.clone(),
                    side,
                    count: rows.len() as u64,
                });
            }
        }
        let mut mismatch = None;
        match (lr.and_then(|v| v.first()), rr.and_then(|v| v.first())) {
            (Some(_), None) => differs = true,
            (None, Some(_)) => differs = true,
            (Some(a), Some(b)) => {
                let columns: Vec<ColumnDiff> =
                    spec.columns
                        .iter()
                        .enumerate()
                        .filter_map(|(i, c)| {
                            let (x, y) = (a.get(i).cloned().flatten(), b.get(i).cloned().flatten());
                            let scale = c.scale.unwrap_or(DEFAULT_SCALE);
                            (!values_equal(c.value_type, scale, c.tolerance.as_deref(), &x, &y))
                                .then(|| ColumnDiff {
                                    column: c.name.clone(),
                                    left: x,
                                    right: y,
                                })
                        })
                        .collect();
                if !columns.is_empty() {
                    differs = true;
                    mismatch = Some(Mismatch {
                        key: key.clone(),
                        columns,
                    });
                }
            }
            (None, None) => {}
        }
        differs |= !duplicates.is_empty();
        if !differs {
            continue;
        }
        if in_flight {
            report.in_flight += 1;
            continue;
        }
        report.duplicates.extend(duplicates);
        match (lr, rr) {
            (Some(_), None) => report.missing_right.push(key.clone()),
            (None, Some(_)) => report.missing_left.push(key.clone()),
            _ => {}
        }
        if let Some(m) = mismatch {
            for c in &m.columns {
                *report.per_column.entry(c.column.clone()).or_default() += 1;
            }
            report.mismatches.push(m);
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_parse_into_units() {
        assert_eq!(parse_decimal("12.345", 4), Some(123_450));
        assert_eq!(parse_decimal("-0.01", 2), Some(-1));
        assert_eq!(parse_decimal("7", 2), Some(700));
        assert_eq!(parse_decimal("1.005", 2), Some(101));
        assert_eq!(parse_decimal("abc", 2), None);
        assert_eq!(parse_decimal(".", 2), None);
    }

    #[test]
    fn checksum_scale_follows_the_tolerance() {
        assert_eq!(checksum_scale(4, Some("0.01")), 2);
        assert_eq!(checksum_scale(4, Some("0.005")), 3);
        assert_eq!(checksum_scale(4, None), 4);
        assert_eq!(checksum_scale(4, Some("0")), 4);
        assert_eq!(checksum_scale(2, Some("5")), 0);
    }

    #[test]
    fn tolerance_is_inclusive_and_nulls_differ() {
        let t = Some("0.01");
        let s = |x: &str| Some(x.to_owned());
        assert!(values_equal(
            ValueType::Decimal,
            4,
            t,
            &s("1.0000"),
            &s("1.0100")
        ));
        assert!(!values_equal(
            ValueType::Decimal,
            4,
            t,
            &s("1.0000"),
            &s("1.0101")
        ));
        assert!(!values_equal(ValueType::Decimal, 4, t, &None, &s("1.0000")));
        assert!(values_equal(ValueType::Text, 4, None, &None, &None));
    }
}

//! The engine: checksum bisection pushed into each database, then a row-by-row comparison
//! of the few rows in segments whose checksums differ.
//!
//! Rows are placed on a line `s`: the shared numeric column (`segment_by`, served by an
//! index) or 32 bits of the MD5 of the normalised key. A level groups rows into segments of
//! width `w` along `s` and asks each side for `COUNT(*)` and the exact sum of 60-bit row
//! hashes per segment, in one query. Segments that agree are done; segments that differ are
//! split finer in the next level, until they hold few enough rows to fetch.

use crate::checkpoint::{Checkpoint, Incremental, SideCheckpoint, FORMAT};
use crate::db::TextRow;
use crate::error::{Error, Result};
use crate::report::{AggregateResult, ColumnDiff, Duplicate, Key, Mismatch, Report, Work};
use crate::side::Side;
pub use crate::types::{parse_decimal, NoProgress, Progress, Tuning};
use crate::types::{Scope, Segments, Tally, DEFAULT_SCALE, LEFT, RIGHT};
use flowgate_model::{Reconciliation, ValueType};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Most segments the first level aims at, per side.
const MAX_FIRST_LEVEL_SEGMENTS: u64 = 1 << 20;

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
    /// What the asset says, as a content hash: checkpoints of another fingerprint are not
    /// continued from.
    pub fingerprint: String,
    /// Continue from this checkpoint: re-check only segments changed since (see
    /// [`crate::checkpoint`]). A full run when it does not fit.
    pub resume_from: Option<Checkpoint>,
}

/// Resolve a secret reference to a connection URL. Only variables named as connection URLs
/// are read (see [`connection_variable`]): an asset cannot pick another credential of the
/// runner's environment.
pub fn resolve_url(side: &str, secret: &flowgate_model::SecretRef) -> Result<String> {
    let connection = |message: String| Error::Connection {
        side: side.to_owned(),
        message,
    };
    match secret.provider.as_str() {
        "env" => {
            connection_variable(&secret.name)
                .map_err(|message| Error::Invalid(format!("{side}: {message}")))?;
            std::env::var(&secret.name).map_err(|_| {
                connection(format!(
                    "environment variable {} is not set; export it with the connection URL (mysql://… or postgres://…)",
                    secret.name
                ))
            })
        }
        other => Err(connection(format!(
            "`{other}:` secret references are not supported for reconciliation connections yet; use `env:NAME`"
        ))),
    }
}

/// Whether a reconciliation may read the environment variable `name`: its name ends in
/// `_URL` or `_DSN` (`MAGENTO_DB_URL`, `ERP_DSN`) and does not start with `FLOWGATE_`
/// (flowgate's own settings, such as the store's URL). The error says what to do.
pub fn connection_variable(name: &str) -> std::result::Result<(), String> {
    let named = name.ends_with("_URL") || name.ends_with("_DSN");
    if named && !name.starts_with("FLOWGATE_") {
        return Ok(());
    }
    Err(format!(
        "`env:{name}` is not a connection variable: a reconciliation reads only variables whose name ends in `_URL` or `_DSN` and does not start with `FLOWGATE_` (flowgate's own settings); export the connection URL as, for example, `{}` and write `url: env:{}`",
        suggestion(name),
        suggestion(name)
    ))
}

fn suggestion(name: &str) -> String {
    let base = name.strip_prefix("FLOWGATE_").unwrap_or(name);
    let base = base
        .strip_suffix("_URL")
        .or_else(|| base.strip_suffix("_DSN"))
        .unwrap_or(base);
    format!("{base}_DB_URL")
}

/// Run a reconciliation whose local files must lie inside the workspace of the current
/// directory (see [`current_workspace`] and [`run_in`]).
pub async fn run(
    spec: &Reconciliation,
    options: &RunOptions,
    progress: &dyn Progress,
) -> Result<Report> {
    run_in(spec, options, &current_workspace()?, progress).await
}

/// The workspace of the current directory: the nearest directory, from the current one up,
/// that holds `flowgate.toml`; the current directory when none does.
pub fn current_workspace() -> Result<PathBuf> {
    let cwd = std::env::current_dir().map_err(|source| Error::Io {
        path: ".".to_owned(),
        source,
    })?;
    let root = cwd
        .ancestors()
        .find(|dir| dir.join("flowgate.toml").is_file())
        .unwrap_or(&cwd);
    Ok(root.to_path_buf())
}

/// Run a reconciliation. A local source (`sqlite:`, `csv:`, `parquet:`) must be a file inside
/// `workspace` once links are followed. Any database error (a dropped connection included)
/// fails the run: a report is only returned when every segment was compared.
pub async fn run_in(
    spec: &Reconciliation,
    options: &RunOptions,
    workspace: &Path,
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
        Side::open(
            "left",
            &options.left_url,
            spec,
            LEFT,
            options.tuning,
            workspace
        ),
        Side::open(
            "right",
            &options.right_url,
            spec,
            RIGHT,
            options.tuning,
            workspace
        )
    );
    let (left, right) = match (left, right) {
        (Ok(l), Ok(r)) => (l, r),
        (Err(e), Ok(opened)) | (Ok(opened), Err(e)) => {
            opened.close().await;
            return Err(e);
        }
        (Err(e), Err(_)) => return Err(e),
    };
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

async fn run_on(
    spec: &Reconciliation,
    options: &RunOptions,
    progress: &dyn Progress,
    left: &Side,
    right: &Side,
    cutoff: Option<String>,
) -> Result<Report> {
    let tuning = options.tuning;
    let numeric = spec.segment_by.is_some();
    let mut work = Work {
        segmented_by: if numeric { "segment_by" } else { "key hash" },
        ..Work::default()
    };

    // The line's extent and the first level's width.
    let (lo, span) = if numeric {
        let (l, r) = tokio::join!(left.bounds(), right.bounds());
        let (l, r) = (l?, r?);
        let mins: Vec<i128> = [l.0, r.0].into_iter().flatten().collect();
        let maxs: Vec<i128> = [l.1, r.1].into_iter().flatten().collect();
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
        let (l, r) = tokio::join!(left.estimate(), right.estimate());
        l?.max(r?).max(1)
    };
    // At most about a million segments a side: the first level's result and its checkpoint
    // stay a few tens of megabytes however large the tables.
    let segments_wanted =
        (estimate / tuning.first_level_rows.max(1)).clamp(1, MAX_FIRST_LEVEL_SEGMENTS);
    // Widths are powers of two, so every segment of a level lies inside one segment of the
    // level before: a row is fetched at most once.
    let mut width = span.div_ceil(segments_wanted).max(1).next_power_of_two();

    // The clocks before anything is read: the next incremental run looks for changes from
    // there.
    let (clock_left, clock_right) = tokio::join!(left.clock(), right.clock());
    let clocks = match (clock_left?, clock_right?) {
        (Some(l), Some(r)) => Some((l, r)),
        _ => None,
    };
    let mut first = None;
    let mut lo = lo;
    if let Some(cp) = &options.resume_from {
        if let Some((l, r, info)) = resume(cp, options, left, right, (lo, span), progress).await? {
            lo = cp.lo;
            width = cp.width;
            work.incremental = Some(info);
            first = Some((l, r));
        }
    }
    let mut checkpoint = None;

    // Level by level.
    let mut rows_left = 0;
    let mut rows_right = 0;
    let mut leaves: BTreeMap<u64, Vec<u64>> = BTreeMap::new(); // width -> segments to fetch
    let mut pending: Option<(u64, Vec<u64>)> = None; // (previous width, its differing segments)
    loop {
        work.levels += 1;
        let level = work.levels;
        let scope = match &pending {
            None => Scope::All { span },
            Some((prev, segments)) => Scope::Within {
                width: *prev,
                segments,
            },
        };
        let segments_in_scope = match &scope {
            Scope::All { span } => span.div_ceil(width),
            Scope::Within { segments, .. } => segments.len() as u64,
        };
        let (lmap, rmap) = match first.take() {
            Some(maps) => maps,
            None => {
                let tally = Tally::new(
                    progress,
                    format!(
                        "level {level}: checksums of {segments_in_scope} {} of width {width}",
                        if pending.is_none() {
                            "segments"
                        } else {
                            "differing segments, split"
                        }
                    ),
                );
                let (lmap, rmap) = tokio::join!(
                    left.level(lo, width, &scope, &tally),
                    right.level(lo, width, &scope, &tally)
                );
                (lmap?, rmap?)
            }
        };
        if level == 1 {
            rows_left = lmap.values().map(|v| v.0).sum();
            rows_right = rmap.values().map(|v| v.0).sum();
            checkpoint = clocks.as_ref().map(|(l, r)| Checkpoint {
                format: FORMAT,
                fingerprint: options.fingerprint.clone(),
                lo,
                width,
                left: SideCheckpoint::new(l.clone(), &lmap),
                right: SideCheckpoint::new(r.clone(), &rmap),
            });
        }
        let all: BTreeSet<u64> = lmap.keys().chain(rmap.keys()).copied().collect();
        work.segments_compared += (lmap.len() + rmap.len()) as u64;
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
        progress.step(&format!(
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
        let tally = Tally::new(
            progress,
            format!("fetching the rows of {} differing segments", segs.len()),
        );
        let (l, r) = tokio::join!(
            left.fetch(lo, *w, segs, &tally),
            right.fetch(lo, *w, segs, &tally)
        );
        let (l, r) = (l?, r?);
        work.rows_fetched += (l.len() + r.len()) as u64;
        lrows.extend(l);
        rrows.extend(r);
    }
    let mut report = classify_rows(spec, lrows, rrows, cutoff.as_deref());
    report.rows_left = rows_left;
    report.rows_right = rows_right;

    for check in &spec.aggregates {
        progress.step(&format!("aggregate check {}", check.name));
        let (l, r) = tokio::join!(
            left.aggregate(check, &check.left, cutoff.as_deref()),
            right.aggregate(check, &check.right, cutoff.as_deref())
        );
        report.aggregates.push(compare_aggregate(check, l?, r?));
    }
    work.queries = left.queries() + right.queries();
    report.work = work;
    report.checkpoint = checkpoint;
    Ok(report)
}

/// Checksum `segments` of the checkpoint's width again on both sides, replacing them in the
/// maps (a segment now empty leaves them).
async fn recheck(
    cp: &Checkpoint,
    (left, right): (&Side, &Side),
    segments: Vec<u64>,
    (lmap, rmap): (&mut Segments, &mut Segments),
    progress: &dyn Progress,
) -> Result<()> {
    if segments.is_empty() {
        return Ok(());
    }
    let tally = Tally::new(
        progress,
        format!(
            "incremental: checksums of {} changed segments",
            segments.len()
        ),
    );
    let scope = Scope::Within {
        width: cp.width,
        segments: &segments,
    };
    let (fresh_left, fresh_right) = tokio::join!(
        left.level(cp.lo, cp.width, &scope, &tally),
        right.level(cp.lo, cp.width, &scope, &tally)
    );
    for seg in &segments {
        lmap.remove(seg);
        rmap.remove(seg);
    }
    lmap.extend(fresh_left?);
    rmap.extend(fresh_right?);
    Ok(())
}

/// The first level from a checkpoint, re-checking only segments that changed on either side
/// since it was taken; `None` when it does not fit (another asset, the line grew below its
/// start, a side without watermark or clock) or when so much changed that a full pass is
/// cheaper.
async fn resume(
    cp: &Checkpoint,
    options: &RunOptions,
    left: &Side,
    right: &Side,
    (lo, span): (u64, u64),
    progress: &dyn Progress,
) -> Result<Option<(Segments, Segments, Incremental)>> {
    if cp.fingerprint != options.fingerprint || lo < cp.lo || cp.width == 0 {
        return Ok(None);
    }
    let (Some(since_left), Some(since_right)) = (cp.left.since(), cp.right.since()) else {
        return Ok(None);
    };
    progress.step("incremental: rows changed since the last run");
    let (changed_left, changed_right) = tokio::join!(
        left.changed(cp.lo, cp.width, since_left),
        right.changed(cp.lo, cp.width, since_right)
    );
    let (Some(changed_left), Some(changed_right)) = (changed_left?, changed_right?) else {
        return Ok(None);
    };
    let line = (lo + span).saturating_sub(cp.lo);
    let segments_on_line = line.div_ceil(cp.width).max(1);
    let (mut lmap, mut rmap) = (cp.left.to_segments(), cp.right.to_segments());
    let mut dirty: BTreeSet<u64> = changed_left.into_iter().chain(changed_right).collect();
    let changed = dirty.len() as u64;
    if changed * 2 > segments_on_line {
        return Ok(None);
    }
    // Deleted rows leave no watermark. Each side's row count (taken while the changed
    // segments are checksummed) shows whether rows went or came outside them; only then are
    // rows counted per segment to find where.
    let (rechecked, total_left, total_right) = tokio::join!(
        recheck(
            cp,
            (left, right),
            dirty.iter().copied().collect(),
            (&mut lmap, &mut rmap),
            progress,
        ),
        left.count(),
        right.count()
    );
    rechecked?;
    let (Some(total_left), Some(total_right)) = (total_left?, total_right?) else {
        return Ok(None);
    };
    let rows = |map: &Segments| map.values().map(|v| v.0).sum::<u64>();
    let mut recounted = 0;
    if rows(&lmap) != total_left || rows(&rmap) != total_right {
        let tally = Tally::new(
            progress,
            "incremental: rows per segment (rows went or came without a watermark)".to_owned(),
        );
        let (counts_left, counts_right) = tokio::join!(
            left.counts(cp.lo, cp.width, line, &tally),
            right.counts(cp.lo, cp.width, line, &tally)
        );
        let (Some(counts_left), Some(counts_right)) = (counts_left?, counts_right?) else {
            return Ok(None);
        };
        let mut moved = BTreeSet::new();
        for (counts, map) in [(&counts_left, &lmap), (&counts_right, &rmap)] {
            let segments: BTreeSet<&u64> = counts.keys().chain(map.keys()).collect();
            for seg in segments {
                if counts.get(seg).copied() != map.get(seg).map(|v| v.0) {
                    moved.insert(*seg);
                }
            }
        }
        recounted = moved.len() as u64;
        dirty.extend(moved.iter().copied());
        if dirty.len() as u64 * 2 > segments_on_line {
            return Ok(None);
        }
        recheck(
            cp,
            (left, right),
            moved.into_iter().collect(),
            (&mut lmap, &mut rmap),
            progress,
        )
        .await?;
    }
    Ok(Some((
        lmap,
        rmap,
        Incremental {
            since_left: cp.left.as_of.clone(),
            since_right: cp.right.as_of.clone(),
            changed_segments: changed,
            recounted_segments: recounted,
            rechecked_segments: dirty.len() as u64,
        },
    )))
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

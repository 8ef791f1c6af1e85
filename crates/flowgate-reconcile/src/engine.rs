//! The engine: checksum bisection pushed into each database, then a row-by-row comparison
//! of the few rows in segments whose checksums differ.
//!
//! Rows are placed on a line `s`: the shared numeric column (`segment_by`, served by an
//! index) or 32 bits of the MD5 of the normalised key. A level groups rows into segments of
//! width `w` along `s` and asks each side for `COUNT(*)` and the exact sum of 60-bit row
//! hashes per segment, in one query. Segments that agree are done; segments that differ are
//! split finer in the next level, until they hold few enough rows to fetch.

use crate::checkpoint::{Checkpoint, Incremental, SideCheckpoint, FORMAT};
pub use crate::classify::classify_rows;
use crate::classify::compare_aggregate;
use crate::db::TextRow;
use crate::error::{ConnectionProblem, Error, Invalid, NotConnectionVariable, Result};
use crate::report::{Report, Work};
use crate::side::Side;
pub use crate::types::{parse_decimal, NoProgress, Progress, Tuning};
use crate::types::{Scope, Segments, Tally, LEFT, RIGHT};
use flowgate_model::Reconciliation;
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
    let connection = |problem| Error::Connection {
        side: side.to_owned(),
        problem,
    };
    match secret.provider.as_str() {
        "env" => {
            connection_variable(&secret.name).map_err(|source| Invalid::Variable {
                side: side.to_owned(),
                source,
            })?;
            std::env::var(&secret.name).map_err(|_| {
                connection(ConnectionProblem::UnsetVariable {
                    variable: secret.name.clone(),
                })
            })
        }
        other => Err(connection(ConnectionProblem::UnsupportedSecret {
            provider: other.to_owned(),
        })),
    }
}

/// Whether a reconciliation may read the environment variable `name`: its name ends in
/// `_URL` or `_DSN` (`MAGENTO_DB_URL`, `ERP_DSN`) and does not start with `FLOWGATE_`
/// (flowgate's own settings, such as the store's URL). The error says what to do.
pub fn connection_variable(name: &str) -> std::result::Result<(), NotConnectionVariable> {
    let named = name.ends_with("_URL") || name.ends_with("_DSN");
    if named && !name.starts_with("FLOWGATE_") {
        return Ok(());
    }
    Err(NotConnectionVariable {
        variable: name.to_owned(),
        suggestion: suggestion(name),
    })
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
    let run = Run {
        spec,
        options,
        progress,
        left: &left,
        right: &right,
    };
    let result = run_on(&run, cutoff.clone()).await;
    left.close().await;
    right.close().await;
    let mut report = result?;
    report.reconciliation = options.name.clone();
    report.started_at = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    report.cutoff = cutoff;
    report.duration_ms = started.elapsed().as_millis() as u64;
    Ok(report)
}

/// One run under way: what it was asked and both opened sides.
struct Run<'a> {
    spec: &'a Reconciliation,
    options: &'a RunOptions,
    progress: &'a dyn Progress,
    left: &'a Side,
    right: &'a Side,
}

/// Where the first level starts: the line's lower bound and span, the first width, and the
/// first level's checksums when they come from a checkpoint.
struct Start {
    lo: u64,
    span: u64,
    width: u64,
    first: Option<(Segments, Segments)>,
}

/// What the bisection found: the rows on each side (from the first level), the differing
/// segments to fetch by width, and the first level as a checkpoint.
#[derive(Default)]
struct Bisection {
    rows_left: u64,
    rows_right: u64,
    leaves: BTreeMap<u64, Vec<u64>>,
    checkpoint: Option<Checkpoint>,
}

/// Both databases' clocks, UTC text, when both have one.
type Clocks = Option<(String, String)>;

async fn run_on(run: &Run<'_>, cutoff: Option<String>) -> Result<Report> {
    let mut work = Work {
        segmented_by: if run.spec.segment_by.is_some() {
            "segment_by"
        } else {
            "key hash"
        },
        ..Work::default()
    };
    let mut start = run.start().await?;
    // The clocks before anything is read: the next incremental run looks for changes from
    // there.
    let clocks = run.clocks().await?;
    if let Some(cp) = &run.options.resume_from {
        if let Some((l, r, info)) = resume(run, cp, (start.lo, start.span)).await? {
            start.lo = cp.lo;
            start.width = cp.width;
            work.incremental = Some(info);
            start.first = Some((l, r));
        }
    }
    let lo = start.lo;
    let found = run.bisect(&mut work, start, &clocks).await?;
    let (lrows, rrows) = run.fetch_leaves(&mut work, lo, &found.leaves).await?;
    let mut report = classify_rows(run.spec, lrows, rrows, cutoff.as_deref());
    report.rows_left = found.rows_left;
    report.rows_right = found.rows_right;
    run.aggregates(&mut report, cutoff.as_deref()).await?;
    work.queries = run.left.queries() + run.right.queries();
    report.work = work;
    report.checkpoint = found.checkpoint;
    Ok(report)
}

impl Run<'_> {
    /// The line's extent and the first level's width.
    async fn start(&self) -> Result<Start> {
        let (lo, span) = self.extent().await?;
        let estimate = {
            let (l, r) = tokio::join!(self.left.estimate(), self.right.estimate());
            l?.max(r?).max(1)
        };
        // At most about a million segments a side: the first level's result and its
        // checkpoint stay a few tens of megabytes however large the tables.
        let segments_wanted = (estimate / self.options.tuning.first_level_rows.max(1))
            .clamp(1, MAX_FIRST_LEVEL_SEGMENTS);
        // Widths are powers of two, so every segment of a level lies inside one segment of
        // the level before: a row is fetched at most once.
        let width = span.div_ceil(segments_wanted).max(1).next_power_of_two();
        Ok(Start {
            lo,
            span,
            width,
            first: None,
        })
    }

    /// Where the line starts and how many values it spans: the range of `segment_by` on
    /// both sides, or the 32-bit key hash.
    async fn extent(&self) -> Result<(u64, u64)> {
        if self.spec.segment_by.is_none() {
            return Ok((0, 1u64 << 32));
        }
        let (l, r) = tokio::join!(self.left.bounds(), self.right.bounds());
        let (l, r) = (l?, r?);
        let mins: Vec<i128> = [l.0, r.0].into_iter().flatten().collect();
        let maxs: Vec<i128> = [l.1, r.1].into_iter().flatten().collect();
        match (mins.iter().min(), maxs.iter().max()) {
            (Some(&min), Some(&max)) if min >= 0 => Ok((min as u64, (max - min + 1) as u64)),
            (Some(&min), _) => Err(Invalid::NegativeSegmentBy { min }.into()),
            _ => Ok((0, 1)),
        }
    }

    /// Both databases' clocks; `None` unless both sides have one.
    async fn clocks(&self) -> Result<Clocks> {
        let (clock_left, clock_right) = tokio::join!(self.left.clock(), self.right.clock());
        Ok(match (clock_left?, clock_right?) {
            (Some(l), Some(r)) => Some((l, r)),
            _ => None,
        })
    }

    /// Level by level: checksum the segments in scope, keep the differing ones that are
    /// small enough to fetch, and split the others finer for the next level.
    async fn bisect(&self, work: &mut Work, start: Start, clocks: &Clocks) -> Result<Bisection> {
        let Start {
            lo,
            span,
            mut width,
            mut first,
        } = start;
        let mut found = Bisection::default();
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
            let (lmap, rmap) = match first.take() {
                Some(maps) => maps,
                None => self.checksums(level, lo, width, &scope).await?,
            };
            if level == 1 {
                found.rows_left = lmap.values().map(|v| v.0).sum();
                found.rows_right = rmap.values().map(|v| v.0).sum();
                found.checkpoint = self.checkpoint(clocks, lo, width, (&lmap, &rmap));
            }
            work.segments_compared += (lmap.len() + rmap.len()) as u64;
            let fetch_rows = self.options.tuning.fetch_rows;
            let refine = sort_segments((&lmap, &rmap), width, fetch_rows, &mut found.leaves);
            self.progress.step(&format!(
                "level {level}: {} segments to split, {} to fetch",
                refine.len(),
                found.leaves.values().map(Vec::len).sum::<usize>()
            ));
            if refine.is_empty() {
                break;
            }
            let next = next_width(width, &refine, self.options.tuning.split_rows);
            pending = Some((width, refine.into_iter().map(|r| r.0).collect()));
            width = next;
        }
        Ok(found)
    }

    /// One level's checksums on both sides.
    async fn checksums(
        &self,
        level: u32,
        lo: u64,
        width: u64,
        scope: &Scope<'_>,
    ) -> Result<(Segments, Segments)> {
        let (segments_in_scope, what) = match scope {
            Scope::All { span } => (span.div_ceil(width), "segments"),
            Scope::Within { segments, .. } => (segments.len() as u64, "differing segments, split"),
        };
        let tally = Tally::new(
            self.progress,
            format!("level {level}: checksums of {segments_in_scope} {what} of width {width}"),
        );
        let (lmap, rmap) = tokio::join!(
            self.left.level(lo, width, scope, &tally),
            self.right.level(lo, width, scope, &tally)
        );
        Ok((lmap?, rmap?))
    }

    /// The first level as a checkpoint, when both sides have a clock.
    fn checkpoint(
        &self,
        clocks: &Clocks,
        lo: u64,
        width: u64,
        (lmap, rmap): (&Segments, &Segments),
    ) -> Option<Checkpoint> {
        clocks.as_ref().map(|(l, r)| Checkpoint {
            format: FORMAT,
            fingerprint: self.options.fingerprint.clone(),
            lo,
            width,
            left: SideCheckpoint::new(l.clone(), lmap),
            right: SideCheckpoint::new(r.clone(), rmap),
        })
    }

    /// Fetch the rows of the differing leaves on both sides.
    async fn fetch_leaves(
        &self,
        work: &mut Work,
        lo: u64,
        leaves: &BTreeMap<u64, Vec<u64>>,
    ) -> Result<(Vec<TextRow>, Vec<TextRow>)> {
        let mut lrows: Vec<TextRow> = Vec::new();
        let mut rrows: Vec<TextRow> = Vec::new();
        for (w, segs) in leaves {
            let tally = Tally::new(
                self.progress,
                format!("fetching the rows of {} differing segments", segs.len()),
            );
            let (l, r) = tokio::join!(
                self.left.fetch(lo, *w, segs, &tally),
                self.right.fetch(lo, *w, segs, &tally)
            );
            let (l, r) = (l?, r?);
            work.rows_fetched += (l.len() + r.len()) as u64;
            lrows.extend(l);
            rrows.extend(r);
        }
        Ok((lrows, rrows))
    }

    /// Run and compare every aggregate check.
    async fn aggregates(&self, report: &mut Report, cutoff: Option<&str>) -> Result<()> {
        for check in &self.spec.aggregates {
            self.progress
                .step(&format!("aggregate check {}", check.name));
            let (l, r) = tokio::join!(
                self.left.aggregate(check, &check.left, cutoff),
                self.right.aggregate(check, &check.right, cutoff)
            );
            report.aggregates.push(compare_aggregate(check, l?, r?));
        }
        Ok(())
    }
}

/// Sort a level's differing segments: those with few enough rows (or of width 1) go to
/// `leaves` to be fetched; the others are returned, with their rows, to be split.
fn sort_segments(
    (lmap, rmap): (&Segments, &Segments),
    width: u64,
    fetch_rows: u64,
    leaves: &mut BTreeMap<u64, Vec<u64>>,
) -> Vec<(u64, u64)> {
    let all: BTreeSet<u64> = lmap.keys().chain(rmap.keys()).copied().collect();
    let mut refine: Vec<(u64, u64)> = Vec::new();
    for seg in all {
        let (l, r) = (lmap.get(&seg), rmap.get(&seg));
        if l == r {
            continue;
        }
        let rows = l.map_or(0, |v| v.0).max(r.map_or(0, |v| v.0));
        if rows <= fetch_rows || width == 1 {
            leaves.entry(width).or_default().push(seg);
        } else {
            refine.push((seg, rows));
        }
    }
    refine
}

/// The width of the next level: the densest segment to split should hold about
/// `split_rows` rows per segment, and every segment is at least halved.
fn next_width(width: u64, refine: &[(u64, u64)], split_rows: u64) -> u64 {
    let densest = refine.iter().map(|r| r.1).max().unwrap_or(1).max(1);
    prev_power_of_two((width.saturating_mul(split_rows) / densest).clamp(1, (width / 2).max(1)))
}

/// Checksum `segments` of the checkpoint's width again on both sides, replacing them in the
/// maps (a segment now empty leaves them).
async fn recheck(
    run: &Run<'_>,
    cp: &Checkpoint,
    segments: Vec<u64>,
    (lmap, rmap): (&mut Segments, &mut Segments),
) -> Result<()> {
    if segments.is_empty() {
        return Ok(());
    }
    let tally = Tally::new(
        run.progress,
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
        run.left.level(cp.lo, cp.width, &scope, &tally),
        run.right.level(cp.lo, cp.width, &scope, &tally)
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
    run: &Run<'_>,
    cp: &Checkpoint,
    (lo, span): (u64, u64),
) -> Result<Option<(Segments, Segments, Incremental)>> {
    if cp.fingerprint != run.options.fingerprint || lo < cp.lo || cp.width == 0 {
        return Ok(None);
    }
    let (Some(since_left), Some(since_right)) = (cp.left.since(), cp.right.since()) else {
        return Ok(None);
    };
    run.progress
        .step("incremental: rows changed since the last run");
    let (changed_left, changed_right) = tokio::join!(
        run.left.changed(cp.lo, cp.width, since_left),
        run.right.changed(cp.lo, cp.width, since_right)
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
            run,
            cp,
            dirty.iter().copied().collect(),
            (&mut lmap, &mut rmap)
        ),
        run.left.count(),
        run.right.count()
    );
    rechecked?;
    let (Some(total_left), Some(total_right)) = (total_left?, total_right?) else {
        return Ok(None);
    };
    let rows = |map: &Segments| map.values().map(|v| v.0).sum::<u64>();
    let mut recounted = 0;
    if rows(&lmap) != total_left || rows(&rmap) != total_right {
        let Some(moved) = moved(run, cp, line, (&lmap, &rmap)).await? else {
            return Ok(None);
        };
        recounted = moved.len() as u64;
        dirty.extend(moved.iter().copied());
        if dirty.len() as u64 * 2 > segments_on_line {
            return Ok(None);
        }
        let moved = moved.into_iter().collect();
        recheck(run, cp, moved, (&mut lmap, &mut rmap)).await?;
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

/// Segments whose row count on either side differs from the maps' (rows went or came
/// without moving a watermark); `None` when a side cannot count per segment.
async fn moved(
    run: &Run<'_>,
    cp: &Checkpoint,
    line: u64,
    (lmap, rmap): (&Segments, &Segments),
) -> Result<Option<BTreeSet<u64>>> {
    let tally = Tally::new(
        run.progress,
        "incremental: rows per segment (rows went or came without a watermark)".to_owned(),
    );
    let (counts_left, counts_right) = tokio::join!(
        run.left.counts(cp.lo, cp.width, line, &tally),
        run.right.counts(cp.lo, cp.width, line, &tally)
    );
    let (Some(counts_left), Some(counts_right)) = (counts_left?, counts_right?) else {
        return Ok(None);
    };
    let mut moved = BTreeSet::new();
    for (counts, map) in [(&counts_left, lmap), (&counts_right, rmap)] {
        let segments: BTreeSet<&u64> = counts.keys().chain(map.keys()).collect();
        for seg in segments {
            if counts.get(seg).copied() != map.get(seg).map(|v| v.0) {
                moved.insert(*seg);
            }
        }
    }
    Ok(Some(moved))
}

fn prev_power_of_two(x: u64) -> u64 {
    1u64 << (63 - x.max(1).leading_zeros())
}

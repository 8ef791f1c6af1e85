//! One side of a reconciliation, whatever serves it: the engine asks each side for
//! checksums per segment, for the rows of differing segments and for aggregate groups.

use crate::db::TextRow;
use crate::error::Result;
use crate::fragment::{self, Lexis};
use crate::local::{LocalSide, LocalSource};
use crate::sql::Dialect;
use crate::sql_side::SqlSide;
use crate::types::{Pick, Scope, Segments, Tally, Tuning};
use flowgate_model::{AggregateCheck, Reconciliation};
use std::collections::BTreeMap;
use std::path::Path;

/// A side of the comparison.
pub(crate) enum Side {
    /// MySQL/MariaDB or PostgreSQL, with the work pushed into the database.
    Sql(Box<SqlSide>),
    /// SQLite or a CSV file, normalised and hashed in memory.
    Local(LocalSide),
}

impl Side {
    /// Open the side `name` (`left`, `right`) at `url`; a local file must lie inside
    /// `workspace`. The side's SQL fragments are checked before anything is opened.
    pub(crate) async fn open(
        name: &str,
        url: &str,
        spec: &Reconciliation,
        pick: Pick,
        tuning: Tuning,
        workspace: &Path,
    ) -> Result<Self> {
        match LocalSource::from_url(url) {
            Some(local) => {
                check_fragments(name, Lexis::Sqlite, spec, pick)?;
                let local = local.inside(name, workspace)?;
                Ok(Self::Local(
                    LocalSide::open(name, &local, spec, pick).await?,
                ))
            }
            None => {
                match Dialect::from_url(url) {
                    Some(Dialect::MySql) => check_fragments(name, Lexis::MySql, spec, pick)?,
                    Some(Dialect::Postgres) => check_fragments(name, Lexis::Postgres, spec, pick)?,
                    // Refused with advice when connecting.
                    None => {}
                }
                Ok(Self::Sql(Box::new(
                    SqlSide::connect(name, url, spec, pick, tuning).await?,
                )))
            }
        }
    }

    /// The smallest and largest value of `segment_by`, if any row exists.
    pub(crate) async fn bounds(&self) -> Result<(Option<i128>, Option<i128>)> {
        match self {
            Self::Sql(s) => s.bounds().await,
            Self::Local(s) => Ok(s.bounds()),
        }
    }

    /// About how many rows the side holds.
    pub(crate) async fn estimate(&self) -> Result<u64> {
        match self {
            Self::Sql(s) => s.estimate().await,
            Self::Local(s) => Ok(s.estimate()),
        }
    }

    /// Count and checksum per segment of `width`, from `lo`, within `scope`.
    pub(crate) async fn level(
        &self,
        lo: u64,
        width: u64,
        scope: &Scope<'_>,
        tally: &Tally<'_>,
    ) -> Result<Segments> {
        match self {
            Self::Sql(s) => s.level(lo, width, scope, tally).await,
            Self::Local(s) => Ok(s.level(lo, width, scope)),
        }
    }

    /// The normalised rows of these segments: key parts, columns, then the watermark.
    pub(crate) async fn fetch(
        &self,
        lo: u64,
        width: u64,
        segments: &[u64],
        tally: &Tally<'_>,
    ) -> Result<Vec<TextRow>> {
        match self {
            Self::Sql(s) => s.fetch(lo, width, segments, tally).await,
            Self::Local(s) => Ok(s.fetch(lo, width, segments)),
        }
    }

    /// The groups and measures of an aggregate check (`query` is this side's).
    pub(crate) async fn aggregate(
        &self,
        check: &AggregateCheck,
        query: &str,
        cutoff: Option<&str>,
    ) -> Result<Vec<TextRow>> {
        match self {
            Self::Sql(s) => s.aggregate(check, query, cutoff).await,
            Self::Local(s) => s.aggregate(check, query, cutoff).await,
        }
    }

    /// The database's clock (UTC text); `None` where incremental runs are not supported.
    pub(crate) async fn clock(&self) -> Result<Option<String>> {
        match self {
            Self::Sql(s) => s.clock().await.map(Some),
            Self::Local(_) => Ok(None),
        }
    }

    /// Segments with rows changed at or after `since` (UTC); `None` when unknown.
    pub(crate) async fn changed(
        &self,
        lo: u64,
        width: u64,
        since: chrono::NaiveDateTime,
    ) -> Result<Option<Vec<u64>>> {
        match self {
            Self::Sql(s) => s.changed(lo, width, since).await,
            Self::Local(_) => Ok(None),
        }
    }

    /// Rows in the source; `None` when unknown.
    pub(crate) async fn count(&self) -> Result<Option<u64>> {
        match self {
            Self::Sql(s) => s.count().await.map(Some),
            Self::Local(_) => Ok(None),
        }
    }

    /// Rows per segment, without hashing; `None` when unknown.
    pub(crate) async fn counts(
        &self,
        lo: u64,
        width: u64,
        span: u64,
        tally: &Tally<'_>,
    ) -> Result<Option<BTreeMap<u64, u64>>> {
        match self {
            Self::Sql(s) => s.counts(lo, width, span, tally).await.map(Some),
            Self::Local(_) => Ok(None),
        }
    }

    /// Queries (or passes) run so far.
    pub(crate) fn queries(&self) -> u64 {
        match self {
            Self::Sql(s) => s.queries(),
            Self::Local(s) => s.queries(),
        }
    }

    /// Release connections.
    pub(crate) async fn close(&self) {
        match self {
            Self::Sql(s) => s.close().await,
            Self::Local(s) => s.close().await,
        }
    }
}

/// Check the side's `query`, `filter` and aggregate queries (see [`crate::fragment`]).
fn check_fragments(name: &str, lexis: Lexis, spec: &Reconciliation, pick: Pick) -> Result<()> {
    let source = (pick.source)(spec);
    if let Some(query) = &source.query {
        fragment::check(lexis, &format!("{name}.query"), query)?;
    }
    if let Some(filter) = &source.filter {
        fragment::check(lexis, &format!("{name}.filter"), filter)?;
    }
    for check in &spec.aggregates {
        let field = format!("aggregates `{}`: {name}", check.name);
        fragment::check(lexis, &field, (pick.aggregate)(check))?;
    }
    Ok(())
}

//! SQL sources: the KPI's query wrapped so that the database returns its columns as text,
//! the window bound as parameters, durations streamed into a bounded sample.

use super::params::{bind_names, NamedParameters};
use super::{columns_of, parse_count, parse_duration, Measure, Request, Reservoir, SourceError};
use crate::window::Window;
use chrono::NaiveDateTime;
use flowgate_model::{KpiUnit, WatchSource};
use futures_util::TryStreamExt;
use sqlx::{Executor, Row};
use std::time::Duration;

/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// An open database.
#[derive(Debug, Clone)]
pub(crate) enum Pool {
    Postgres(sqlx::PgPool),
    MySql(sqlx::MySqlPool),
    Sqlite(sqlx::SqlitePool),
}

impl Pool {
    /// Connect; every session is read-only and runs in UTC.
    pub(crate) async fn connect(source: &WatchSource, url: &str) -> Result<Self, String> {
        let e = |e: sqlx::Error| e.to_string();
        Ok(match source {
            WatchSource::Postgres { .. } => Self::Postgres(
                sqlx::postgres::PgPoolOptions::new()
                    .max_connections(2)
                    .acquire_timeout(CONNECT_TIMEOUT)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            conn.execute("SET TIME ZONE 'UTC'; SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY").await?;
                            Ok(())
                        })
                    })
                    .connect(url)
                    .await
                    .map_err(e)?,
            ),
            WatchSource::Mysql { .. } => Self::MySql(
                sqlx::mysql::MySqlPoolOptions::new()
                    .max_connections(2)
                    .acquire_timeout(CONNECT_TIMEOUT)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            conn.execute("SET time_zone = '+00:00'").await?;
                            conn.execute("SET SESSION TRANSACTION READ ONLY").await?;
                            Ok(())
                        })
                    })
                    .connect(url)
                    .await
                    .map_err(e)?,
            ),
            _ => Self::Sqlite(
                sqlx::sqlite::SqlitePoolOptions::new()
                    .max_connections(1)
                    .acquire_timeout(CONNECT_TIMEOUT)
                    .connect(url)
                    .await
                    .map_err(e)?,
            ),
        })
    }

    pub(crate) async fn close(&self) {
        match self {
            Self::Postgres(p) => p.close().await,
            Self::MySql(p) => p.close().await,
            Self::Sqlite(p) => p.close().await,
        }
    }

    fn text_type(&self) -> &'static str {
        match self {
            Self::MySql(_) => "CHAR",
            _ => "TEXT",
        }
    }
}

/// The KPI's query as a derived table whose needed columns are cast to text.
fn wrapped(pool: &Pool, query: &str, unit: KpiUnit) -> NamedParameters {
    let inner = query.trim().trim_end_matches(';').trim_end();
    let t = pool.text_type();
    let columns = match unit {
        KpiUnit::Count => format!("CAST(fg_kpi.events AS {t})"),
        KpiUnit::Rate => format!("CAST(fg_kpi.events AS {t}), CAST(fg_kpi.trials AS {t})"),
        KpiUnit::Duration => format!("CAST(fg_kpi.value AS {t})"),
    };
    bind_names(
        &format!("SELECT {columns} FROM (\n{inner}\n) AS fg_kpi"),
        matches!(pool, Pool::Postgres(_)),
    )
}

/// Measure each window.
pub(crate) async fn fetch(
    pool: &Pool,
    source: &str,
    request: &Request<'_>,
) -> Result<Vec<Measure>, SourceError> {
    let kpi = request.kpi;
    let query = wrapped(pool, &kpi.query.value, kpi.unit);
    let mut out = Vec::with_capacity(request.windows.len());
    for window in request.windows {
        let measure = match kpi.unit {
            KpiUnit::Duration => {
                let mut reservoir = Reservoir::new(kpi.max_samples, &kpi.id.value);
                stream_durations(pool, &query, window, request, &mut reservoir)
                    .await
                    .map_err(|(m, h)| request.error(source, m, h))?;
                Measure::Durations(reservoir.values)
            }
            unit => {
                let rows = all_rows(pool, &query, window, request)
                    .await
                    .map_err(|(m, h)| request.error(source, m, h))?;
                aggregate(unit, &rows, window).map_err(|(m, h)| request.error(source, m, h))?
            }
        };
        out.push(measure);
    }
    Ok(out)
}

type Problem = (String, String);

fn database_problem(e: &sqlx::Error, unit: KpiUnit) -> Problem {
    let text = match e {
        sqlx::Error::Database(db) => db.message().to_owned(),
        other => other.to_string(),
    };
    (
        format!("the database refused the query: {text}"),
        format!(
            "run the query by hand with :from and :to set; it must return {}",
            columns_of(unit)
        ),
    )
}

fn aggregate(
    unit: KpiUnit,
    rows: &[Vec<Option<String>>],
    window: &Window,
) -> Result<Measure, Problem> {
    let [row] = rows else {
        return Err((
            format!(
                "the query returned {} rows for {} – {}",
                rows.len(),
                window.from,
                window.to
            ),
            format!(
                "aggregate in the query: it must return {}",
                columns_of(unit)
            ),
        ));
    };
    let cell = |i: usize| row.get(i).and_then(|c| c.as_deref());
    let events = parse_count(cell(0), "events")?;
    if unit == KpiUnit::Count {
        return Ok(Measure::Count(events));
    }
    let trials = parse_count(cell(1), "trials")?;
    if events > trials {
        return Err((
            format!("{events} events out of {trials} trials: a rate's events are a part of its trials"),
            "count the trials (e.g. sends) as `trials` and the events among them (e.g. bounces) as `events`".to_owned(),
        ));
    }
    Ok(Measure::Rate { events, trials })
}

macro_rules! bound {
    ($query:expr, $params:expr, $window:expr, $request:expr, $sqlite:expr) => {{
        let mut q = sqlx::query($query);
        for name in $params {
            q = match *name {
                "from" | "to" => {
                    let at = if *name == "from" {
                        $window.from
                    } else {
                        $window.to
                    };
                    let naive: NaiveDateTime = at.naive_utc();
                    if $sqlite {
                        q.bind(naive.format("%Y-%m-%d %H:%M:%S").to_string())
                    } else {
                        q.bind(naive)
                    }
                }
                _ => q.bind($request.cohort.unwrap_or_default().to_owned()),
            };
        }
        q
    }};
}

async fn all_rows(
    pool: &Pool,
    query: &NamedParameters,
    window: &Window,
    request: &Request<'_>,
) -> Result<Vec<Vec<Option<String>>>, Problem> {
    let unit = request.kpi.unit;
    let width = if unit == KpiUnit::Rate { 2 } else { 1 };
    let text = |row: &dyn Fn(usize) -> Result<Option<String>, sqlx::Error>| {
        (0..width).map(row).collect::<Result<Vec<_>, _>>()
    };
    let order = &query.order;
    let result = match pool {
        Pool::Postgres(p) => bound!(&query.sql, order, window, request, false)
            .fetch_all(p)
            .await
            .and_then(|rows| rows.iter().map(|r| text(&|i| r.try_get(i))).collect()),
        Pool::MySql(p) => bound!(&query.sql, order, window, request, false)
            .fetch_all(p)
            .await
            .and_then(|rows| rows.iter().map(|r| text(&|i| r.try_get(i))).collect()),
        Pool::Sqlite(p) => bound!(&query.sql, order, window, request, true)
            .fetch_all(p)
            .await
            .and_then(|rows| rows.iter().map(|r| text(&|i| r.try_get(i))).collect()),
    };
    result.map_err(|e| database_problem(&e, unit))
}

async fn stream_durations(
    pool: &Pool,
    query: &NamedParameters,
    window: &Window,
    request: &Request<'_>,
    reservoir: &mut Reservoir,
) -> Result<(), Problem> {
    let order = &query.order;
    let unit = request.kpi.unit;
    macro_rules! drain {
        ($stream:expr) => {{
            let mut stream = $stream;
            while let Some(row) = stream
                .try_next()
                .await
                .map_err(|e| database_problem(&e, unit))?
            {
                let value: Option<String> =
                    row.try_get(0).map_err(|e| database_problem(&e, unit))?;
                reservoir.push(parse_duration(value.as_deref())?);
            }
        }};
    }
    match pool {
        Pool::Postgres(p) => drain!(bound!(&query.sql, order, window, request, false).fetch(p)),
        Pool::MySql(p) => drain!(bound!(&query.sql, order, window, request, false).fetch(p)),
        Pool::Sqlite(p) => drain!(bound!(&query.sql, order, window, request, true).fetch(p)),
    }
    Ok(())
}

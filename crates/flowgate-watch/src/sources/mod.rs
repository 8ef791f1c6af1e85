//! Reading a KPI's measure for a set of windows from its source: SQL databases (the
//! aggregation runs in the database), Prometheus's HTTP API, and CSV/JSONL files (streamed).
//!
//! A source is opened once per evaluation ([`Connections`]) and asked for every window of a
//! KPI in one call, so a file is read once whatever the number of windows.

mod files;
mod params;
mod prometheus;
mod sql;

pub use params::{bind_names, NamedParameters};

use crate::window::Window;
use flowgate_model::{Kpi, KpiUnit, NamedSource, SecretRef, WatchSource};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// What a KPI measured in one window.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Events (a `count` KPI).
    Count(u64),
    /// Events out of trials (a `rate` KPI).
    Rate {
        /// Events.
        events: u64,
        /// Trials.
        trials: u64,
    },
    /// Observed durations in seconds (a `duration` KPI), possibly a uniform sample.
    Durations(Vec<f64>),
}

/// Why a source could not give a KPI's measure. The message never holds a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("KPI `{kpi}` (source `{source_name}`): {message}")]
pub struct SourceError {
    /// The KPI.
    pub kpi: String,
    /// The source's name.
    pub source_name: String,
    /// What went wrong.
    pub message: String,
    /// What to do.
    pub help: String,
}

/// How secrets are resolved: by default from environment variables.
pub type SecretResolver = dyn Fn(&SecretRef) -> Option<String> + Send + Sync;

/// Resolve `env:NAME` from the process environment; other providers are not available here.
pub fn env_secrets(secret: &SecretRef) -> Option<String> {
    match secret.provider.as_str() {
        "env" => std::env::var(&secret.name).ok().filter(|v| !v.is_empty()),
        _ => None,
    }
}

/// What evaluation needs from its surroundings.
pub struct SourceContext {
    /// The workspace root (file sources are relative to it).
    pub workspace_root: PathBuf,
    /// The secret resolver.
    pub secrets: Box<SecretResolver>,
}

impl std::fmt::Debug for SourceContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceContext")
            .field("workspace_root", &self.workspace_root)
            .finish_non_exhaustive()
    }
}

impl SourceContext {
    /// Secrets from the environment, files under `workspace_root`.
    pub fn new(workspace_root: impl Into<PathBuf>) -> Self {
        Self {
            workspace_root: workspace_root.into(),
            secrets: Box::new(env_secrets),
        }
    }
}

/// The sources opened during one evaluation.
#[derive(Debug, Default)]
pub struct Connections {
    sql: BTreeMap<String, sql::Pool>,
    /// Sources that could not be opened, with why: later KPIs fail at once.
    failed: BTreeMap<String, String>,
}

impl Connections {
    /// Close every open database pool.
    pub async fn close(self) {
        for (_, pool) in self.sql {
            pool.close().await;
        }
    }
}

/// A KPI's request: which windows, and which cohort for a holdout comparison.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The KPI.
    pub kpi: &'a Kpi,
    /// The windows, each measured separately.
    pub windows: &'a [Window],
    /// The cohort bound as `:cohort` / `$cohort`.
    pub cohort: Option<&'a str>,
}

impl Request<'_> {
    pub(crate) fn error(
        &self,
        source: &str,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> SourceError {
        SourceError {
            kpi: self.kpi.id.value.clone(),
            source_name: source.to_owned(),
            message: message.into(),
            help: help.into(),
        }
    }
}

/// Measure a KPI in each window of the request, from its source.
pub async fn fetch(
    connections: &mut Connections,
    context: &SourceContext,
    source: &NamedSource,
    request: Request<'_>,
) -> Result<Vec<Measure>, SourceError> {
    let name = source.name.value.as_str();
    match &source.source {
        WatchSource::Postgres { url } | WatchSource::Mysql { url } => {
            let Some(resolved) = (context.secrets)(&url.value) else {
                return Err(request.error(
                    name,
                    format!("the secret `{}` is not set", url.value),
                    format!(
                        "set the environment variable {} to the database URL",
                        url.value.name
                    ),
                ));
            };
            let pool = connections
                .open(name, &source.source, &resolved, request)
                .await?;
            sql::fetch(pool, name, &request).await
        }
        WatchSource::Sqlite { path } => {
            let file = context.workspace_root.join(&path.value);
            let url = format!("sqlite://{}?mode=ro", file.display());
            let pool = connections
                .open(name, &source.source, &url, request)
                .await?;
            sql::fetch(pool, name, &request).await
        }
        WatchSource::Prometheus { url } => {
            let base = match &url.value {
                flowgate_model::UrlRef::Literal(text) => text.clone(),
                flowgate_model::UrlRef::Secret(secret) => {
                    (context.secrets)(secret).ok_or_else(|| {
                        request.error(
                            name,
                            format!("the secret `{secret}` is not set"),
                            format!(
                                "set the environment variable {} to the Prometheus URL",
                                secret.name
                            ),
                        )
                    })?
                }
            };
            prometheus::fetch(base, name.to_owned(), request).await
        }
        WatchSource::Csv { path, time_field } | WatchSource::Jsonl { path, time_field } => {
            let csv = matches!(source.source, WatchSource::Csv { .. });
            let file = context.workspace_root.join(&path.value);
            files::fetch(&file, csv, time_field, name, &request)
        }
    }
}

impl Connections {
    async fn open(
        &mut self,
        name: &str,
        source: &WatchSource,
        url: &str,
        request: Request<'_>,
    ) -> Result<&sql::Pool, SourceError> {
        let failed = |message: &str| {
            request.error(
                name,
                format!("cannot connect: {message}"),
                "check that the database is running and reachable, and that the URL in the secret is right",
            )
        };
        if let Some(message) = self.failed.get(name) {
            return Err(failed(message));
        }
        if !self.sql.contains_key(name) {
            match sql::Pool::connect(source, url).await {
                Ok(pool) => {
                    self.sql.insert(name.to_owned(), pool);
                }
                Err(message) => {
                    let message = redact(&message, url);
                    let error = failed(&message);
                    self.failed.insert(name.to_owned(), message);
                    return Err(error);
                }
            }
        }
        self.sql
            .get(name)
            .ok_or_else(|| request.error(name, "the connection was lost", "run the watch again"))
    }
}

/// `message` with the URL and its password replaced by `***`.
pub(crate) fn redact(message: &str, url: &str) -> String {
    let mut out = message.replace(url, "***");
    if let Some(password) = password_of(url) {
        if !password.is_empty() {
            out = out.replace(password, "***");
        }
    }
    out
}

fn password_of(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split('/').next()?;
    let userinfo = authority.rsplit_once('@')?.0;
    userinfo.split_once(':').map(|(_, p)| p)
}

/// The unit's expected result columns, for messages.
pub(crate) fn columns_of(unit: KpiUnit) -> &'static str {
    match unit {
        KpiUnit::Count => "one row with the column `events`",
        KpiUnit::Rate => "one row with the columns `events` and `trials`",
        KpiUnit::Duration => "one row per observation with the column `value` (seconds)",
    }
}

/// A uniform sample of at most `capacity` values, deterministic (Algorithm R with a fixed
/// SplitMix64 stream seeded by the KPI id).
pub(crate) struct Reservoir {
    capacity: usize,
    seen: u64,
    state: u64,
    /// The sample.
    pub values: Vec<f64>,
}

impl Reservoir {
    pub(crate) fn new(capacity: u32, seed: &str) -> Self {
        let state = seed.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
        Self {
            capacity: capacity as usize,
            seen: 0,
            state,
            values: Vec::new(),
        }
    }

    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub(crate) fn push(&mut self, value: f64) {
        self.seen += 1;
        if self.values.len() < self.capacity {
            self.values.push(value);
            return;
        }
        let j = self.next() % self.seen;
        if let Ok(j) = usize::try_from(j) {
            if j < self.capacity {
                self.values[j] = value;
            }
        }
    }
}

/// Parse one measured number (text from a database, a file or Prometheus) as a
/// non-negative whole count.
pub(crate) fn parse_count(text: Option<&str>, column: &str) -> Result<u64, (String, String)> {
    let Some(text) = text else {
        return Err((
            format!("`{column}` is NULL"),
            format!("return 0 when nothing happened, e.g. `COALESCE(SUM(…), 0) AS {column}`"),
        ));
    };
    let value: f64 = text.trim().parse().map_err(|_| {
        (
            format!("`{column}` is `{text}`, not a number"),
            format!("return a whole number as `{column}`"),
        )
    })?;
    if !value.is_finite() || value < 0.0 {
        return Err((
            format!("`{column}` is {text}: a count is never negative"),
            "check the query: a count is a number of events".to_owned(),
        ));
    }
    if value.fract() != 0.0 {
        return Err((
            format!("`{column}` is {text}, not a whole number"),
            "count events, do not average them".to_owned(),
        ));
    }
    Ok(value as u64)
}

/// Parse one duration in seconds.
pub(crate) fn parse_duration(text: Option<&str>) -> Result<f64, (String, String)> {
    let Some(text) = text else {
        return Err((
            "a `value` is NULL".to_owned(),
            "leave out observations without a duration: `WHERE … IS NOT NULL`".to_owned(),
        ));
    };
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err((
            format!("`value` is `{text}`: a duration is a non-negative number of seconds"),
            "return the duration in seconds, e.g. `EXTRACT(EPOCH FROM mql_at - created_at) AS value`".to_owned(),
        )),
    }
}

//! `kind: Watch`: the KPIs watched after a release of a bundle or into an environment, where
//! their data comes from, how the current window is compared with a control, and what happens
//! when a KPI fails.
//!
//! The enums written as plain words (`unit`, `bad`, `on_fail`, source `type`) are read
//! straight from the file by serde; the loader validates the rest (secret references, paths,
//! query placeholders, threshold ranges) and fills in the documented defaults, so a `Watch`
//! here is complete: `flowgate-watch` never guesses a default.

use crate::kinds::AssetRef;
use crate::values::SecretRef;
use crate::Located;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What a KPI measures, and therefore which test judges it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum KpiUnit {
    /// Events per unit of time (spam complaints, STOP replies): the query gives a count; the
    /// exposure is the window's length (or the cohort's share). Judged by the exact
    /// conditional test of two Poisson rates.
    Count,
    /// Events out of trials (bounces per send, carrier rejections per SMS): the query gives
    /// `events` and `trials`. Judged by Fisher's exact test.
    Rate,
    /// A duration per observation, in seconds (lead → MQL, routing latency). Judged by the
    /// Mann–Whitney U test.
    Duration,
}

impl KpiUnit {
    /// The word written in `unit:`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Count => "count",
            Self::Rate => "rate",
            Self::Duration => "duration",
        }
    }
}

/// Which way a KPI gets worse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BadDirection {
    /// Higher is worse (bounces, latency).
    Up,
    /// Lower is worse (sends, conversions).
    Down,
}

/// What a failed KPI does to the environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnFail {
    /// Pin the environment (no promotion into or out of it) and recommend a rollback.
    #[default]
    Pin,
    /// Roll the release back automatically.
    Rollback,
}

/// A URL written either as a secret reference or, where it carries no credentials, literally.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum UrlRef {
    /// `env:PROMETHEUS_URL`.
    Secret(SecretRef),
    /// `http://prometheus:9090` (no user or password).
    Literal(String),
}

/// Where a watch reads its data.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum WatchSource {
    /// A PostgreSQL database.
    Postgres {
        /// The connection URL, by secret reference only.
        url: Located<SecretRef>,
    },
    /// A MySQL or MariaDB database.
    Mysql {
        /// The connection URL, by secret reference only.
        url: Located<SecretRef>,
    },
    /// An SQLite database file.
    Sqlite {
        /// The file, relative to the workspace root.
        path: Located<String>,
    },
    /// A Prometheus HTTP API.
    Prometheus {
        /// The base URL (`http://prometheus:9090`).
        url: Located<UrlRef>,
    },
    /// A CSV file with a header row.
    Csv {
        /// The file, relative to the workspace root.
        path: Located<String>,
        /// The column holding each row's time (RFC 3339, or `YYYY-MM-DD HH:MM:SS` in UTC).
        time_field: String,
    },
    /// A JSON Lines file: one object per line.
    Jsonl {
        /// The file, relative to the workspace root.
        path: Located<String>,
        /// The member holding each row's time.
        time_field: String,
    },
}

impl WatchSource {
    /// The source type as written (`postgres`, `prometheus`, …).
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Postgres { .. } => "postgres",
            Self::Mysql { .. } => "mysql",
            Self::Sqlite { .. } => "sqlite",
            Self::Prometheus { .. } => "prometheus",
            Self::Csv { .. } => "csv",
            Self::Jsonl { .. } => "jsonl",
        }
    }

    /// Whether queries against this source are SQL.
    pub fn is_sql(&self) -> bool {
        matches!(
            self,
            Self::Postgres { .. } | Self::Mysql { .. } | Self::Sqlite { .. }
        )
    }

    /// Whether queries against this source are filters over rows of a file.
    pub fn is_file(&self) -> bool {
        matches!(self, Self::Csv { .. } | Self::Jsonl { .. })
    }
}

/// A named source of a watch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NamedSource {
    /// The name KPIs use (`events`).
    pub name: Located<String>,
    /// The source.
    #[serde(flatten)]
    pub source: WatchSource,
}

/// What the current window is compared with.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    /// The same weekday and hours in each of the previous N weeks, pooled.
    Weeks(u32),
    /// A holdout cohort in the same window: the query is run once per cohort.
    Holdout(Holdout),
}

/// A holdout comparison: who got the release and who did not.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Holdout {
    /// The cohort value of those who got the release (bound as `:cohort` / `$cohort`).
    pub treatment: String,
    /// The cohort value of the holdout.
    pub control: String,
    /// The holdout's share of the audience (0 < share < 1): the exposure ratio of `count`
    /// KPIs; rates and durations carry their own denominators.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub control_share: Option<f64>,
}

/// The judgement thresholds of one KPI, defaults filled in.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Thresholds {
    /// One-sided p-value below which a material worsening fails (default 0.01).
    pub alpha: f64,
    /// One-sided p-value below which a material worsening is marginal (default 0.05).
    pub marginal: f64,
    /// Smallest relative worsening that matters (default 0.2 = 20 %): a significant change
    /// smaller than this passes, with the reason said.
    pub min_effect: f64,
    /// Fewest events (current and control together) a count or rate needs (default 20).
    pub min_events: u64,
    /// Fewest trials per side a rate needs (default 200).
    pub min_trials: u64,
    /// Fewest observations per side a duration needs (default 30).
    pub min_observations: u64,
}

impl Thresholds {
    /// The documented defaults.
    pub const DEFAULT: Thresholds = Thresholds {
        alpha: 0.01,
        marginal: 0.05,
        min_effect: 0.2,
        min_events: 20,
        min_trials: 200,
        min_observations: 30,
    };
}

impl Default for Thresholds {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Most observations of a duration KPI read per window by default; a larger result is
/// reduced to a uniform sample of this size.
pub const DEFAULT_MAX_SAMPLES: u32 = 100_000;

/// One watched KPI.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Kpi {
    /// The KPI's id, unique in the watch (`bounce-rate`).
    pub id: Located<String>,
    /// A human-readable name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The name of the source it reads.
    pub source: Located<String>,
    /// What is measured.
    pub unit: KpiUnit,
    /// What a rate's trials are (`send`), for reports.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per: Option<String>,
    /// Which way is worse.
    pub bad: BadDirection,
    /// The query: SQL (`:from`, `:to`, `:cohort` are bound parameters), PromQL (`$window`,
    /// `$cohort` are substituted) or a file filter (`type = bounce and channel = email`).
    pub query: Located<String>,
    /// The trials of a rate for PromQL and file sources (SQL returns `events` and `trials`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub denominator: Option<Located<String>>,
    /// The field holding a duration, for file sources.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The comparison.
    pub compare: Comparison,
    /// The thresholds, defaults filled in.
    pub thresholds: Thresholds,
    /// Most duration observations read per window.
    pub max_samples: u32,
    /// What a failure does.
    pub on_fail: OnFail,
}

impl Kpi {
    /// The display name, or the id.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id.value)
    }
}

/// The KPIs watched after a release.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Watch {
    /// The bundle whose releases are watched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bundle: Option<AssetRef>,
    /// The environment watched (every release into it, or only the bundle's when both are
    /// given). Checked against `flowgate.toml` by the commands that run the watch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<Located<String>>,
    /// The sources, by name (serialized as a map, as written).
    #[serde(serialize_with = "sources_as_map")]
    pub sources: Vec<NamedSource>,
    /// The KPIs, in the order written.
    pub kpis: Vec<Kpi>,
}

fn sources_as_map<S: serde::Serializer>(
    sources: &[NamedSource],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_map(sources.iter().map(|s| (&s.name.value, &s.source)))
}

impl Watch {
    /// The source a KPI reads.
    pub fn source_of(&self, kpi: &Kpi) -> Option<&NamedSource> {
        self.sources
            .iter()
            .find(|s| s.name.value == kpi.source.value)
    }
}

/// One condition of a file filter: `field = value` or `field != value`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileCondition {
    /// The column or member.
    pub field: String,
    /// `=` (true) or `!=` (false).
    pub equals: bool,
    /// The compared text (`$cohort` is replaced by the cohort value).
    pub value: String,
}

/// Why a file filter does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a file filter: write `*` for every row, or conditions like `type = bounce and channel != sms`")]
pub struct FileFilterError {
    /// The rejected text.
    pub text: String,
}

/// Parse a file filter: `*` (every row), or `field = value` / `field != value` conditions
/// joined by `and`. Values may be quoted (`'a b'`, `"a b"`).
pub fn parse_file_filter(text: &str) -> Result<Vec<FileCondition>, FileFilterError> {
    let err = || FileFilterError {
        text: text.to_owned(),
    };
    let trimmed = text.trim();
    if trimmed == "*" {
        return Ok(Vec::new());
    }
    if trimmed.is_empty() {
        return Err(err());
    }
    let mut conditions = Vec::new();
    for part in trimmed.split(" and ") {
        let (field, equals, value) = if let Some((f, v)) = part.split_once("!=") {
            (f, false, v)
        } else if let Some((f, v)) = part.split_once('=') {
            (f, true, v)
        } else {
            return Err(err());
        };
        let field = field.trim();
        let valid_field = !field.is_empty()
            && field
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
        if !valid_field {
            return Err(err());
        }
        let value = unquote(value.trim()).ok_or_else(err)?;
        conditions.push(FileCondition {
            field: field.to_owned(),
            equals,
            value,
        });
    }
    Ok(conditions)
}

fn unquote(value: &str) -> Option<String> {
    for quote in ['\'', '"'] {
        if let Some(inner) = value.strip_prefix(quote) {
            let inner = inner.strip_suffix(quote)?;
            return (!inner.contains(quote)).then(|| inner.to_owned());
        }
    }
    let bare = !value.is_empty() && !value.contains(char::is_whitespace);
    bare.then(|| value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_filters_parse() {
        assert_eq!(parse_file_filter("*"), Ok(Vec::new()));
        let parsed = parse_file_filter("type = bounce and channel != 'sms x'").unwrap_or_default();
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed[1].value, "sms x");
        assert!(!parsed[1].equals);
        for bad in ["", "type", "= x", "a = b c", "a = 'b", "a b = c"] {
            assert!(parse_file_filter(bad).is_err(), "{bad}");
        }
    }
}

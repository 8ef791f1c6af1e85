//! Prometheus sources: counts by an instant query at the window's end
//! (`increase(…[$window])`), durations as the points of a range query over the window.

use super::{redact, Measure, Request, SourceError};
use crate::window::Window;
use flowgate_model::KpiUnit;
use serde_json::Value;
use std::time::Duration;

/// How long one HTTP call may take.
const TIMEOUT: Duration = Duration::from_secs(30);
/// Prometheus refuses range queries of more than 11 000 points per series.
const MAX_POINTS: i64 = 10_000;
/// The smallest step of a range query, in seconds.
const MIN_STEP: i64 = 15;

type Problem = (String, String);

/// Measure each window (the HTTP calls run off the async runtime).
pub(crate) async fn fetch(
    base: String,
    source: String,
    request: Request<'_>,
) -> Result<Vec<Measure>, SourceError> {
    let kpi = request.kpi;
    let query = fill(&kpi.query.value, request.cohort);
    let denominator = kpi
        .denominator
        .as_ref()
        .map(|d| fill(&d.value, request.cohort));
    let windows = request.windows.to_vec();
    let unit = kpi.unit;
    let max = kpi.max_samples as usize;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(TIMEOUT))
        .build()
        .into();
    let base_for_redaction = base.clone();
    let job = move || -> Result<Vec<Measure>, Problem> {
        let client = Client {
            agent,
            base: base.trim_end_matches('/').to_owned(),
        };
        windows
            .iter()
            .map(|w| client.measure(unit, &query, denominator.as_deref(), w, max))
            .collect()
    };
    let outcome = tokio::task::spawn_blocking(job)
        .await
        .map_err(|e| ("the query was interrupted".to_owned(), e.to_string()))
        .and_then(|r| r);
    outcome.map_err(|(m, h)| request.error(&source, redact(&m, &base_for_redaction), h))
}

/// `$cohort` filled in (`$window` is filled per window).
fn fill(query: &str, cohort: Option<&str>) -> String {
    match cohort {
        Some(c) => query.replace("$cohort", c),
        None => query.to_owned(),
    }
}

struct Client {
    agent: ureq::Agent,
    base: String,
}

impl Client {
    fn measure(
        &self,
        unit: KpiUnit,
        query: &str,
        denominator: Option<&str>,
        window: &Window,
        max: usize,
    ) -> Result<Measure, Problem> {
        let range = format!("{}s", window.seconds());
        let at = window.to.timestamp().to_string();
        let instant = |q: &str| -> Result<u64, Problem> {
            let q = q.replace("$window", &range);
            let data = self.call("query", &[("query", q.as_str()), ("time", at.as_str())])?;
            count_of(&data)
        };
        Ok(match unit {
            KpiUnit::Count => Measure::Count(instant(query)?),
            KpiUnit::Rate => {
                let events = instant(query)?;
                let trials = instant(denominator.unwrap_or_default())?;
                if events > trials {
                    return Err((
                        format!("{events} events out of {trials} trials"),
                        "the denominator must count the trials the events are a part of".to_owned(),
                    ));
                }
                Measure::Rate { events, trials }
            }
            KpiUnit::Duration => Measure::Durations(self.range(query, window, max)?),
        })
    }

    fn range(&self, query: &str, window: &Window, max: usize) -> Result<Vec<f64>, Problem> {
        let step = (window.seconds() / MAX_POINTS).max(MIN_STEP).to_string();
        let start = window.from.timestamp().to_string();
        let end = (window.to.timestamp() - 1).to_string();
        let q = query.replace("$window", &format!("{}s", window.seconds()));
        let data = self.call(
            "query_range",
            &[
                ("query", q.as_str()),
                ("start", &start),
                ("end", &end),
                ("step", &step),
            ],
        )?;
        let mut values = Vec::new();
        for series in data["result"].as_array().into_iter().flatten() {
            for point in series["values"].as_array().into_iter().flatten() {
                let v = sample(&point[1])?;
                if v.is_nan() {
                    continue;
                }
                if v < 0.0 || v.is_infinite() {
                    return Err((
                        format!("a duration of {v}"),
                        "durations are non-negative seconds".to_owned(),
                    ));
                }
                if values.len() < max {
                    values.push(v);
                }
            }
        }
        Ok(values)
    }

    fn call(&self, endpoint: &str, params: &[(&str, &str)]) -> Result<Value, Problem> {
        let url = format!("{}/api/v1/{endpoint}", self.base);
        let mut request = self.agent.get(&url);
        for (k, v) in params {
            request = request.query(*k, *v);
        }
        let unreachable = |e: String| {
            (
                format!("Prometheus did not answer: {e}"),
                "check that Prometheus is running and that the source's URL is right".to_owned(),
            )
        };
        let mut response = request.call().map_err(|e| unreachable(e.to_string()))?;
        let body: Value = response
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_json()
            .map_err(|e| unreachable(e.to_string()))?;
        if body["status"] != "success" {
            let said = body["error"].as_str().unwrap_or("no reason given");
            return Err((
                format!("Prometheus refused the query: {said}"),
                "try the PromQL in Prometheus's own query page; `$window` and `$cohort` are filled in by flowgate".to_owned(),
            ));
        }
        Ok(body["data"].clone())
    }
}

fn sample(value: &Value) -> Result<f64, Problem> {
    value
        .as_str()
        .and_then(|s| s.parse::<f64>().ok())
        .ok_or_else(|| {
            (
                format!("the sample `{value}` is not a number"),
                "query a numeric series".to_owned(),
            )
        })
}

/// The sum over every series of an instant vector (or a scalar), rounded to a whole count:
/// `increase()` extrapolates to the window's edges.
fn count_of(data: &Value) -> Result<u64, Problem> {
    let values: Vec<Value> = match data["resultType"].as_str() {
        Some("vector") => data["result"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|s| s["value"][1].clone())
            .collect(),
        Some("scalar") => vec![data["result"][1].clone()],
        other => return Err((
            format!(
                "the query gives a {}, not a number per series",
                other.unwrap_or("nothing")
            ),
            "count over the window with an instant vector, e.g. `sum(increase(x_total[$window]))`"
                .to_owned(),
        )),
    };
    let mut total = 0.0;
    for v in &values {
        let v = sample(v)?;
        if v.is_nan() {
            continue;
        }
        if v < 0.0 || v.is_infinite() {
            return Err((
                format!("a count of {v}"),
                "a count is never negative: use `increase()` on a counter".to_owned(),
            ));
        }
        total += v;
    }
    Ok(total.round() as u64)
}

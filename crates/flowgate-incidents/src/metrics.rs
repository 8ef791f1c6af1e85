//! Delivery metrics of one environment from the operation log and the incidents: deployment
//! frequency, lead time for changes, change failure rate, time to restore, time to detect,
//! escaped defects, and their monthly trend. The definitions, and where they differ from
//! DORA's and DevLake's, are in docs/incidents.md.

use crate::record::Incident;
use chrono::{DateTime, Datelike, Duration, Utc};
use flowgate_store::{Operation, OperationKind};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// The version of the metrics JSON.
pub const METRICS_VERSION: u64 = 1;

/// What the metrics are computed from.
pub struct Inputs<'a> {
    /// The environment measured (production, usually).
    pub env: &'a str,
    /// The start of the period (inclusive).
    pub since: DateTime<Utc>,
    /// The end of the period (inclusive): now.
    pub until: DateTime<Utc>,
    /// Every apply, rollback and snapshot.create operation (any order, any environment).
    pub log: &'a [Operation],
    /// Every incident.
    pub incidents: &'a [Incident],
    /// Snapshot ids the pre-release net caught (for escaped defects): their check found
    /// errors when frozen, or a watch checkpoint of theirs failed or was marginal.
    pub caught: &'a BTreeSet<String>,
}

/// A distribution of durations, in hours.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hours {
    /// How many durations.
    pub count: usize,
    /// Their median.
    pub median: f64,
    /// Their mean.
    pub mean: f64,
    /// Their 90th percentile (nearest rank).
    pub p90: f64,
}

impl Hours {
    /// As people read it: `median 3.2 h, p90 9.0 h (12 samples)`; `no data` when absent.
    pub fn describe(hours: Option<&Self>) -> String {
        hours.map_or("no data".to_owned(), |h| {
            format!(
                "median {:.1} h, p90 {:.1} h ({} samples)",
                h.median, h.p90, h.count
            )
        })
    }
}

/// A share of a whole.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ratio {
    /// The part.
    pub count: usize,
    /// The whole.
    pub of: usize,
    /// `count / of`, absent when `of` is 0.
    pub rate: Option<f64>,
}

impl Ratio {
    /// As people read it: `12.5 % (1 of 8)`, or `no deployments`.
    pub fn describe(&self) -> String {
        match self.rate {
            Some(rate) => format!("{:.1} % ({} of {})", rate * 100.0, self.count, self.of),
            None => "no deployments".to_owned(),
        }
    }
}

/// One calendar month (UTC).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Month {
    /// `YYYY-MM`.
    pub month: String,
    /// Deployments.
    pub deployments: usize,
    /// Deployments that failed (linked to an incident or rolled back).
    pub failed: usize,
    /// Median lead time in hours.
    pub lead_time_median_hours: Option<f64>,
    /// Incidents whose impact started in the month.
    pub incidents: usize,
    /// Median time to restore, hours, of those resolved.
    pub restore_median_hours: Option<f64>,
}

/// The delivery metrics of one environment over one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    /// The JSON version ([`METRICS_VERSION`]).
    pub version: u64,
    /// The environment.
    pub env: String,
    /// The period's start.
    pub since: DateTime<Utc>,
    /// The period's end.
    pub until: DateTime<Utc>,
    /// Deployments (applies) into the environment.
    pub deployments: usize,
    /// Deployments per week over the period.
    pub deployments_per_week: f64,
    /// Snapshot → apply, hours.
    pub lead_time: Option<Hours>,
    /// Deployments linked to an incident or rolled back, over deployments.
    pub change_failure_rate: Ratio,
    /// Impact start → resolved, hours, of resolved incidents.
    pub time_to_restore: Option<Hours>,
    /// Impact start → detection, hours.
    pub time_to_detect: Option<Hours>,
    /// Incidents from releases that passed an earlier environment with a clean check, over
    /// deployments.
    pub escaped_defect_rate: Ratio,
    /// Incidents whose impact started in the period.
    pub incidents: usize,
    /// The monthly trend, oldest first.
    pub months: Vec<Month>,
}

/// One deployment, with whether it failed.
struct Deployment<'a> {
    op: &'a Operation,
    failed: bool,
    lead: Option<Duration>,
}

/// The metrics of `inputs`.
pub fn metrics(inputs: &Inputs<'_>) -> Metrics {
    let deployments = deployments(inputs);
    let incidents: Vec<&Incident> = inputs
        .incidents
        .iter()
        .filter(|i| i.env == inputs.env && in_period(inputs, start_of(i)))
        .collect();
    let failed = deployments.iter().filter(|d| d.failed).count();
    let weeks = (inputs.until - inputs.since).num_seconds() as f64 / (7.0 * 86_400.0);
    let escaped = incidents.iter().filter(|i| escaped(inputs, i)).count();
    Metrics {
        version: METRICS_VERSION,
        env: inputs.env.to_owned(),
        since: inputs.since,
        until: inputs.until,
        deployments: deployments.len(),
        deployments_per_week: if weeks > 0.0 {
            deployments.len() as f64 / weeks
        } else {
            0.0
        },
        lead_time: hours(deployments.iter().filter_map(|d| d.lead)),
        change_failure_rate: ratio(failed, deployments.len()),
        time_to_restore: hours(incidents.iter().filter_map(|i| restore(i))),
        time_to_detect: hours(incidents.iter().filter_map(|i| detect(i))),
        escaped_defect_rate: ratio(escaped, deployments.len()),
        incidents: incidents.len(),
        months: months(&deployments, &incidents),
    }
}

fn in_period(inputs: &Inputs<'_>, at: DateTime<Utc>) -> bool {
    at >= inputs.since && at <= inputs.until
}

fn start_of(incident: &Incident) -> DateTime<Utc> {
    crate::evidence::anchor(incident)
}

fn restore(incident: &Incident) -> Option<Duration> {
    Some(incident.times.resolved? - start_of(incident))
}

fn detect(incident: &Incident) -> Option<Duration> {
    Some(incident.times.detected? - incident.times.impact_start?)
}

fn text<'v>(op: &'v Operation, key: &str) -> &'v str {
    op.payload
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// The applies into the environment in the period, each with its lead time and whether it
/// failed.
fn deployments<'a>(inputs: &Inputs<'a>) -> Vec<Deployment<'a>> {
    let created: BTreeMap<&str, DateTime<Utc>> = inputs
        .log
        .iter()
        .filter(|op| op.kind_of() == Some(OperationKind::SnapshotCreate))
        .map(|op| (text(op, "snapshot"), op.at.datetime()))
        .collect();
    let linked: BTreeSet<u64> = inputs
        .incidents
        .iter()
        .flat_map(|i| i.links.iter().map(|l| l.apply_seq))
        .collect();
    let rolled_back = rolled_back(inputs);
    let mut applies: Vec<&Operation> = inputs
        .log
        .iter()
        .filter(|op| op.kind_of() == Some(OperationKind::Apply) && text(op, "env") == inputs.env)
        .filter(|op| in_period(inputs, op.at.datetime()))
        .collect();
    applies.sort_by_key(|op| op.seq);
    applies
        .into_iter()
        .map(|op| Deployment {
            op,
            failed: linked.contains(&op.seq) || rolled_back.contains(&op.seq),
            lead: created
                .get(text(op, "snapshot"))
                .map(|at| op.at.datetime() - *at),
        })
        .collect()
}

/// The applies that a rollback undid: for each rollback, the last apply of its bundle into
/// its environment before it.
fn rolled_back(inputs: &Inputs<'_>) -> BTreeSet<u64> {
    let mut ops: Vec<&Operation> = inputs
        .log
        .iter()
        .filter(|op| text(op, "env") == inputs.env)
        .collect();
    ops.sort_by_key(|op| op.seq);
    let mut last_apply: BTreeMap<&str, u64> = BTreeMap::new();
    let mut undone = BTreeSet::new();
    for op in ops {
        match op.kind_of() {
            Some(OperationKind::Apply) => {
                last_apply.insert(text(op, "bundle"), op.seq);
            }
            Some(OperationKind::Rollback) => {
                if let Some(seq) = last_apply.remove(text(op, "bundle")) {
                    undone.insert(seq);
                }
            }
            _ => {}
        }
    }
    undone
}

/// Whether an incident escaped: a linked release's snapshot was applied to another
/// environment before this one, and its check found no errors.
fn escaped(inputs: &Inputs<'_>, incident: &Incident) -> bool {
    incident.links.iter().any(|link| {
        let Some(apply) = inputs.log.iter().find(|op| op.seq == link.apply_seq) else {
            return false;
        };
        let snapshot = text(apply, "snapshot");
        let passed_earlier = inputs.log.iter().any(|op| {
            op.kind_of() == Some(OperationKind::Apply)
                && op.seq < apply.seq
                && text(op, "env") != inputs.env
                && text(op, "snapshot") == snapshot
        });
        passed_earlier && !inputs.caught.contains(snapshot)
    })
}

fn ratio(count: usize, of: usize) -> Ratio {
    Ratio {
        count,
        of,
        rate: (of > 0).then(|| count as f64 / of as f64),
    }
}

/// The distribution of `durations` in hours; `None` when there are none.
fn hours(durations: impl Iterator<Item = Duration>) -> Option<Hours> {
    let mut values: Vec<f64> = durations.map(|d| d.num_seconds() as f64 / 3600.0).collect();
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    let median = if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    };
    let rank = ((0.9 * n as f64).ceil() as usize).clamp(1, n);
    Some(Hours {
        count: n,
        median,
        mean: values.iter().sum::<f64>() / n as f64,
        p90: values[rank - 1],
    })
}

fn month_of(at: DateTime<Utc>) -> String {
    format!("{:04}-{:02}", at.year(), at.month())
}

fn months(deployments: &[Deployment<'_>], incidents: &[&Incident]) -> Vec<Month> {
    let mut by_month: BTreeMap<String, (Vec<&Deployment<'_>>, Vec<&Incident>)> = BTreeMap::new();
    for d in deployments {
        by_month
            .entry(month_of(d.op.at.datetime()))
            .or_default()
            .0
            .push(d);
    }
    for i in incidents {
        by_month.entry(month_of(start_of(i))).or_default().1.push(i);
    }
    by_month
        .into_iter()
        .map(|(month, (ds, is))| Month {
            month,
            deployments: ds.len(),
            failed: ds.iter().filter(|d| d.failed).count(),
            lead_time_median_hours: hours(ds.iter().filter_map(|d| d.lead)).map(|h| h.median),
            incidents: is.len(),
            restore_median_hours: hours(is.iter().filter_map(|i| restore(i))).map(|h| h.median),
        })
        .collect()
}

/// The metrics in Prometheus' text exposition format.
pub fn prometheus(m: &Metrics) -> String {
    let env = m
        .env
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n");
    let mut out = String::new();
    let mut gauge = |name: &str, help: &str, samples: Vec<(String, f64)>| {
        out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} gauge\n"));
        for (labels, value) in samples {
            out.push_str(&format!("{name}{{env=\"{env}\"{labels}}} {value}\n"));
        }
    };
    let quantiles = |h: &Option<Hours>| -> Vec<(String, f64)> {
        h.iter()
            .flat_map(|h| {
                [("0.5", h.median), ("0.9", h.p90)]
                    .map(|(q, v)| (format!(",quantile=\"{q}\""), v * 3600.0))
            })
            .collect()
    };
    gauge(
        "flowgate_deployments",
        "Deployments into the environment in the period.",
        vec![(String::new(), m.deployments as f64)],
    );
    gauge(
        "flowgate_deployments_per_week",
        "Deployments per week over the period.",
        vec![(String::new(), m.deployments_per_week)],
    );
    gauge(
        "flowgate_lead_time_seconds",
        "Snapshot to deployment, by quantile.",
        quantiles(&m.lead_time),
    );
    gauge(
        "flowgate_change_failure_rate",
        "Deployments linked to an incident or rolled back, over deployments.",
        m.change_failure_rate
            .rate
            .map(|r| (String::new(), r))
            .into_iter()
            .collect(),
    );
    gauge(
        "flowgate_time_to_restore_seconds",
        "Impact start to resolution, by quantile.",
        quantiles(&m.time_to_restore),
    );
    gauge(
        "flowgate_time_to_detect_seconds",
        "Impact start to detection, by quantile.",
        quantiles(&m.time_to_detect),
    );
    gauge(
        "flowgate_escaped_defect_rate",
        "Incidents from releases that passed an earlier environment cleanly, over deployments.",
        m.escaped_defect_rate
            .rate
            .map(|r| (String::new(), r))
            .into_iter()
            .collect(),
    );
    gauge(
        "flowgate_incidents",
        "Incidents whose impact started in the period.",
        vec![(String::new(), m.incidents as f64)],
    );
    out
}

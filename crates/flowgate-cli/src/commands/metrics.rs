//! `flowgate metrics [--env prod] [--since DATE] [--format human|json|prometheus]`: delivery
//! metrics from the operation log and the incidents (definitions in docs/incidents.md).

use super::incident::{refuse_remote, time};
use super::store::with_promotions;
use crate::cli::{Format, GlobalArgs};
use crate::error::CommandError;
use crate::exit::Exit;
use crate::incident_args::MetricsArgs;
use crate::output::{emit, out};
use chrono::{DateTime, Duration, Utc};
use flowgate_incidents::collect::collect;
use flowgate_incidents::metrics::{prometheus, Hours, Metrics, Ratio};
use serde_json::Value;
use std::fmt::Write as _;

/// The period when `--since` is not given.
const DEFAULT_DAYS: i64 = 90;

/// `flowgate metrics`.
pub fn run(args: &MetricsArgs, global: &GlobalArgs) -> crate::error::CommandResult {
    refuse_remote(global, "metrics")?;
    with_promotions(global, |session| async move {
        let result = async {
            let env = session.environment(&args.env)?;
            let since = since(args.since.as_deref(), session.now)?;
            let m = collect(&session.store, env, since, session.now).await?;
            match global.format {
                Format::Prometheus => out(&prometheus(&m)),
                _ => emit(
                    global,
                    &text(&m),
                    serde_json::to_value(&m).unwrap_or(Value::Null),
                ),
            }
            Ok(Exit::Success)
        }
        .await;
        (session, result)
    })
}

fn since(given: Option<&str>, now: DateTime<Utc>) -> Result<DateTime<Utc>, CommandError> {
    let Some(text) = given else {
        return Ok(now - Duration::days(DEFAULT_DAYS));
    };
    match chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
        Ok(day) => Ok(day.and_time(chrono::NaiveTime::MIN).and_utc()),
        Err(_) => time(text, now),
    }
}

fn text(m: &Metrics) -> String {
    let mut out = String::new();
    let hours = |h: &Option<Hours>| Hours::describe(h.as_ref());
    let ratio = Ratio::describe;
    let _ = writeln!(
        out,
        "Delivery metrics of {} from {} to {}",
        m.env,
        m.since.format("%Y-%m-%d"),
        m.until.format("%Y-%m-%d")
    );
    let _ = writeln!(
        out,
        "  deployment frequency  {} ({:.2} per week)",
        m.deployments, m.deployments_per_week
    );
    let _ = writeln!(out, "  lead time for changes {}", hours(&m.lead_time));
    let _ = writeln!(
        out,
        "  change failure rate   {}",
        ratio(&m.change_failure_rate)
    );
    let _ = writeln!(out, "  time to restore       {}", hours(&m.time_to_restore));
    let _ = writeln!(out, "  time to detect        {}", hours(&m.time_to_detect));
    let _ = writeln!(
        out,
        "  escaped defect rate   {}",
        ratio(&m.escaped_defect_rate)
    );
    let _ = writeln!(out, "  incidents             {}", m.incidents);
    if !m.months.is_empty() {
        let _ = writeln!(
            out,
            "  month    deploys failed lead(h) incidents restore(h)"
        );
        for month in &m.months {
            let num = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{v:.1}"));
            let _ = writeln!(
                out,
                "  {}  {:>7} {:>6} {:>7} {:>9} {:>10}",
                month.month,
                month.deployments,
                month.failed,
                num(month.lead_time_median_hours),
                month.incidents,
                num(month.restore_median_hours)
            );
        }
    }
    out
}

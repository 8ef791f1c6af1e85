//! CSV and JSON Lines sources: rows streamed once, each counted into the windows it falls in.

use super::{Measure, Request, Reservoir, SourceError};
use chrono::{DateTime, NaiveDateTime, Utc};
use flowgate_model::{parse_file_filter, FileCondition, KpiUnit};
use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::Path;

type Problem = (String, String);

/// One row as field → text.
type Record = BTreeMap<String, String>;

/// Measure each window by reading the file once.
pub(crate) fn fetch(
    file: &Path,
    csv: bool,
    time_field: &str,
    source: &str,
    request: &Request<'_>,
) -> Result<Vec<Measure>, SourceError> {
    let err = |(m, h): Problem| request.error(source, m, h);
    let kpi = request.kpi;
    let cohort = request.cohort.unwrap_or_default();
    let filter = |text: &str| -> Result<Vec<FileCondition>, Problem> {
        let mut conditions =
            parse_file_filter(text).map_err(|e| (e.to_string(), "fix the filter".to_owned()))?;
        for c in &mut conditions {
            c.value = c.value.replace("$cohort", cohort);
        }
        Ok(conditions)
    };
    let events = filter(&kpi.query.value).map_err(err)?;
    let trials = match &kpi.denominator {
        Some(d) => Some(filter(&d.value).map_err(err)?),
        None => None,
    };
    let mut tally = Tally::new(request, kpi.max_samples);
    let mut visit = |line: usize, record: &Record| -> Result<(), Problem> {
        let Some(at) = record.get(time_field) else {
            return Err((
                format!("line {line} has no `{time_field}`"),
                "give every row its time".to_owned(),
            ));
        };
        let at = parse_time(at).ok_or_else(|| {
            (
                format!("line {line}: `{at}` is not a time"),
                "write RFC 3339 (`2026-03-02T09:15:00Z`) or `YYYY-MM-DD HH:MM:SS` in UTC"
                    .to_owned(),
            )
        })?;
        tally.add(
            at,
            record,
            &events,
            trials.as_deref(),
            kpi.value.as_deref(),
            line,
        )
    };
    let read = if csv {
        read_csv(file, &mut visit)
    } else {
        read_jsonl(file, &mut visit)
    };
    read.map_err(err)?;
    Ok(tally.finish(kpi.unit))
}

fn matches(record: &Record, conditions: &[FileCondition]) -> bool {
    conditions
        .iter()
        .all(|c| (record.get(&c.field).map(String::as_str) == Some(c.value.as_str())) == c.equals)
}

/// Per-window counters.
struct Tally<'r> {
    request: &'r Request<'r>,
    events: Vec<u64>,
    trials: Vec<u64>,
    samples: Vec<Reservoir>,
}

impl<'r> Tally<'r> {
    fn new(request: &'r Request<'r>, max: u32) -> Self {
        let n = request.windows.len();
        Self {
            request,
            events: vec![0; n],
            trials: vec![0; n],
            samples: (0..n)
                .map(|_| Reservoir::new(max, &request.kpi.id.value))
                .collect(),
        }
    }

    fn add(
        &mut self,
        at: DateTime<Utc>,
        record: &Record,
        events: &[FileCondition],
        trials: Option<&[FileCondition]>,
        value: Option<&str>,
        line: usize,
    ) -> Result<(), Problem> {
        for (i, w) in self.request.windows.iter().enumerate() {
            if at < w.from || at >= w.to {
                continue;
            }
            if trials.is_some_and(|t| matches(record, t)) {
                self.trials[i] += 1;
            }
            if !matches(record, events) {
                continue;
            }
            self.events[i] += 1;
            if let Some(field) = value {
                let v = super::parse_duration(record.get(field).map(String::as_str))
                    .map_err(|(m, h)| (format!("line {line}: {m}"), h))?;
                self.samples[i].push(v);
            }
        }
        Ok(())
    }

    fn finish(self, unit: KpiUnit) -> Vec<Measure> {
        match unit {
            KpiUnit::Count => self.events.into_iter().map(Measure::Count).collect(),
            KpiUnit::Rate => self
                .events
                .into_iter()
                .zip(self.trials)
                .map(|(events, trials)| Measure::Rate { events, trials })
                .collect(),
            KpiUnit::Duration => self
                .samples
                .into_iter()
                .map(|r| Measure::Durations(r.values))
                .collect(),
        }
    }
}

/// RFC 3339, or `YYYY-MM-DD HH:MM:SS` (optionally with fractions) taken as UTC.
pub(crate) fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f")
        .ok()
        .map(|n| n.and_utc())
}

fn unreadable(file: &Path, e: impl std::fmt::Display) -> Problem {
    (
        format!("cannot read {}: {e}", file.display()),
        "check the source's `path` (relative to the workspace root)".to_owned(),
    )
}

fn read_csv(
    file: &Path,
    visit: &mut dyn FnMut(usize, &Record) -> Result<(), Problem>,
) -> Result<(), Problem> {
    let mut reader = csv::Reader::from_path(file).map_err(|e| unreadable(file, e))?;
    let headers = reader.headers().map_err(|e| unreadable(file, e))?.clone();
    for (i, row) in reader.records().enumerate() {
        let row = row.map_err(|e| unreadable(file, e))?;
        let record: Record = headers
            .iter()
            .zip(row.iter())
            .map(|(h, v)| (h.to_owned(), v.to_owned()))
            .collect();
        visit(i + 2, &record)?;
    }
    Ok(())
}

fn read_jsonl(
    file: &Path,
    visit: &mut dyn FnMut(usize, &Record) -> Result<(), Problem>,
) -> Result<(), Problem> {
    let reader =
        std::io::BufReader::new(std::fs::File::open(file).map_err(|e| unreadable(file, e))?);
    for (i, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| unreadable(file, e))?;
        if line.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value = serde_json::from_str(&line).map_err(|e| {
            (
                format!("line {}: not a JSON object: {e}", i + 1),
                "write one JSON object per line".to_owned(),
            )
        })?;
        let Some(object) = value.as_object() else {
            return Err((
                format!("line {} is not a JSON object", i + 1),
                "write one JSON object per line".to_owned(),
            ));
        };
        let record: Record = object
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                )
            })
            .collect();
        visit(i + 1, &record)?;
    }
    Ok(())
}

//! The row-by-row half of a run: fetched rows and aggregate groups of both sides, classified
//! into keys on one side only, duplicates, value mismatches and rows still in flight.

use crate::db::TextRow;
use crate::report::{AggregateResult, ColumnDiff, Duplicate, Key, Mismatch, Report};
use crate::types::{parse_decimal, DEFAULT_SCALE};
use flowgate_model::{AggregateCheck, Reconciliation, ValueType};
use std::collections::{BTreeMap, BTreeSet};

/// How one compared value is read: the column's name in the asset, its type, its scale and
/// its tolerance.
struct Compared<'a> {
    name: &'a str,
    value_type: ValueType,
    scale: u32,
    tolerance: Option<&'a str>,
}

/// The columns whose values differ between two rows, in `compared` order.
fn differing<'a>(
    compared: impl Iterator<Item = Compared<'a>>,
    left: &TextRow,
    right: &TextRow,
) -> Vec<ColumnDiff> {
    compared
        .enumerate()
        .filter_map(|(i, c)| {
            let (a, b) = (
                left.get(i).cloned().flatten(),
                right.get(i).cloned().flatten(),
            );
            (!values_equal(c.value_type, c.scale, c.tolerance, &a, &b)).then(|| ColumnDiff {
                column: c.name.to_owned(),
                left: a,
                right: b,
            })
        })
        .collect()
}

/// Compare the groups of an aggregate check: groups on one side only, and groups whose
/// measures differ.
pub(crate) fn compare_aggregate(
    check: &AggregateCheck,
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
    let measures = || {
        check.measures.iter().map(|m| Compared {
            name: &m.name,
            value_type: m.value_type,
            scale: m.scale.unwrap_or(DEFAULT_SCALE),
            tolerance: m.tolerance.as_deref(),
        })
    };
    for (key, lm) in &l {
        let Some(rm) = r.get(key) else {
            result.missing_right.push(key.clone());
            continue;
        };
        let columns = differing(measures(), lm, rm);
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

/// Whether two normalised values are equal: the same text, or numbers within `tolerance`
/// at `scale` (NULL equals only NULL).
pub(crate) fn values_equal(
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

/// Rows of one side by key: the key parts split off each row, the rest kept per key.
fn by_key(rows: Vec<TextRow>, key_parts: usize) -> BTreeMap<Key, Vec<TextRow>> {
    let mut map: BTreeMap<Key, Vec<TextRow>> = BTreeMap::new();
    for mut row in rows {
        let rest = row.split_off(key_parts.min(row.len()));
        map.entry(row).or_default().push(rest);
    }
    map
}

/// What one key's rows on both sides amount to, before in-flight keys are set aside.
struct Verdict {
    duplicates: Vec<Duplicate>,
    mismatch: Option<Mismatch>,
    differs: bool,
}

/// Compare the rows of one key: duplicates on either side, a key on one side only, and the
/// columns of its first rows that differ.
fn judge(
    spec: &Reconciliation,
    key: &Key,
    lr: Option<&Vec<TextRow>>,
    rr: Option<&Vec<TextRow>>,
) -> Verdict {
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
    let mut differs = false;
    let mut mismatch = None;
    match (lr.and_then(|v| v.first()), rr.and_then(|v| v.first())) {
        (Some(_), None) | (None, Some(_)) => differs = true,
        (Some(a), Some(b)) => {
            let columns = spec.columns.iter().map(|c| Compared {
                name: &c.name,
                value_type: c.value_type,
                scale: c.scale.unwrap_or(DEFAULT_SCALE),
                tolerance: c.tolerance.as_deref(),
            });
            let columns = differing(columns, a, b);
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
    Verdict {
        duplicates,
        mismatch,
        differs,
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
    let (l, r) = (by_key(left, k), by_key(right, k));
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
        let verdict = judge(spec, key, lr, rr);
        if !verdict.differs {
            continue;
        }
        if in_flight {
            report.in_flight += 1;
            continue;
        }
        report.duplicates.extend(verdict.duplicates);
        match (lr, rr) {
            (Some(_), None) => report.missing_right.push(key.clone()),
            (None, Some(_)) => report.missing_left.push(key.clone()),
            _ => {}
        }
        if let Some(m) = verdict.mismatch {
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

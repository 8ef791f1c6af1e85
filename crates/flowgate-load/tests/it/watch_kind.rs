//! `kind: Watch`: a valid watch loads with its defaults filled in; every mistake a
//! marketing-ops engineer is likely to make is reported at its line and column with what to do.

use flowgate_diagnostics::{render_human, HumanOptions};
use flowgate_load::{load_texts, Loaded};
use flowgate_model::{AssetSpec, Comparison, OnFail, Thresholds};
use std::path::Path;

const BUNDLE: &str = "kind: Bundle\nid: lead-intake\nmembers: []\n";

const WATCH: &str = "kind: Watch
id: li-watch
bundle: lead-intake
sources:
  events: { type: postgres, url: env:EVENTS_DB_URL }
kpis:
  - id: bounce-rate
    source: events
    unit: rate
    bad: up
    query: SELECT 1 AS events, 2 AS trials FROM t WHERE at >= :from AND at < :to
";

fn load(watch: &str) -> Loaded {
    let texts = vec![
        ("b.yaml".to_owned(), BUNDLE.to_owned()),
        ("w.yaml".to_owned(), watch.to_owned()),
    ];
    load_texts(Path::new("/workspace"), &texts)
}

fn render(loaded: &Loaded) -> String {
    render_human(
        &loaded.diagnostics,
        &loaded.sources,
        HumanOptions { color: false },
    )
}

/// Load a broken variant of the watch: it must be reported at `line:col` of `w.yaml`,
/// with `needle` in the message or help, and the watch must be left out of the model.
#[track_caller]
fn rejects(text: &str, line: usize, needle: &str) -> String {
    let out = reported(text, line, needle);
    assert!(
        load(text).model.get_str("li-watch").is_none(),
        "an invalid watch is left out"
    );
    out
}

/// Like [`rejects`], for mistakes (unknown fields) that leave the rest of the asset usable.
#[track_caller]
fn reported(text: &str, line: usize, needle: &str) -> String {
    let loaded = load(text);
    let out = render(&loaded);
    assert!(loaded.has_errors(), "expected an error for:\n{text}");
    assert!(out.contains(needle), "`{needle}` not in:\n{out}");
    assert!(
        out.contains(&format!("w.yaml:{line}:")),
        "not located at line {line}:\n{out}"
    );
    out
}

#[test]
fn a_minimal_watch_gets_the_documented_defaults() {
    let loaded = load(WATCH);
    assert!(loaded.diagnostics.is_empty(), "{}", render(&loaded));
    let asset = loaded.model.get_str("li-watch").unwrap();
    let AssetSpec::Watch(watch) = &asset.spec else {
        panic!("not a watch")
    };
    let kpi = &watch.kpis[0];
    assert_eq!(kpi.compare, Comparison::Weeks(4));
    assert_eq!(kpi.thresholds, Thresholds::DEFAULT);
    assert_eq!(kpi.on_fail, OnFail::Pin);
    assert_eq!(
        asset.references().len(),
        1,
        "the bundle is a resolved reference"
    );
}

#[test]
fn a_dangling_bundle_is_a_located_reference_error() {
    let out = rejects_reference(&WATCH.replace("bundle: lead-intake", "bundle: lead-intak"));
    assert!(out.contains("did you mean `lead-intake`"), "{out}");
}

fn rejects_reference(text: &str) -> String {
    let loaded = load(text);
    let out = render(&loaded);
    assert!(out.contains("FG008") && out.contains("w.yaml:3:9"), "{out}");
    out
}

#[test]
fn a_literal_database_url_is_refused_and_masked() {
    let out = rejects(
        &WATCH.replace("env:EVENTS_DB_URL", "postgres://app:s3cret@db/events"),
        5,
        "env:NAME",
    );
    assert!(!out.contains("s3cret"), "the password is masked:\n{out}");
}

#[test]
fn a_prometheus_url_with_a_password_is_refused() {
    let text = WATCH.replace(
        "{ type: postgres, url: env:EVENTS_DB_URL }",
        "{ type: prometheus, url: \"http://admin:pw123@prom:9090\" }",
    );
    let out = rejects(&text, 5, "environment variable");
    assert!(!out.contains("pw123"), "{out}");
}

#[test]
fn unknown_fields_get_a_did_you_mean() {
    let out = reported(
        &WATCH.replace("    bad: up", "    bad: up\n    treshold: {}"),
        11,
        "treshold",
    );
    assert!(out.contains("thresholds"), "{out}");
    reported(&WATCH.replace("unit: rate", "unit: ratio"), 9, "ratio");
    reported(&WATCH.replace("bad: up", "bad: higher"), 10, "higher");
    reported(
        &WATCH.replace("type: postgres", "type: postgresql"),
        5,
        "postgres",
    );
}

#[test]
fn sql_must_bind_the_window_as_parameters() {
    let out = rejects(
        &WATCH.replace("AND at < :to", "AND at < now()"),
        11,
        "`:to`",
    );
    assert!(out.contains("bind the window"), "{out}");
    rejects(&WATCH.replace(":from", "::from"), 11, "`:from`");
    let holdout = WATCH.replace(
        "    bad: up",
        "    bad: up\n    compare: { holdout: { treatment: a, control: b } }",
    );
    rejects(&holdout, 12, "`:cohort`");
}

#[test]
fn a_kpi_naming_a_missing_source_is_located_with_a_hint() {
    let out = rejects(
        &WATCH.replace("source: events", "source: event"),
        8,
        "no source `event`",
    );
    assert!(out.contains("did you mean `events`"), "{out}");
}

#[test]
fn thresholds_and_comparisons_are_range_checked() {
    let t = |s: &str| WATCH.replace("    bad: up", &format!("    bad: up\n    {s}"));
    rejects(&t("thresholds: { alpha: 0.9 }"), 11, "alpha");
    rejects(
        &t("thresholds: { alpha: 0.05, marginal: 0.01 }"),
        11,
        "marginal",
    );
    rejects(
        &t("thresholds: { min_observations: 0 }"),
        11,
        "minimum data",
    );
    rejects(&t("compare: { weeks: 0 }"), 11, "1 to 12");
    rejects(
        &t("compare: { weeks: 2, holdout: { treatment: a, control: b } }"),
        11,
        "exactly one",
    );
    rejects(&t("max_samples: 5"), 11, "at least 100");
}

#[test]
fn a_watch_needs_a_target_sources_and_kpis() {
    rejects(
        &WATCH.replace("bundle: lead-intake\n", ""),
        2,
        "`bundle` or `environment`",
    );
    let no_kpis = format!("{}kpis: []\n", &WATCH[..WATCH.find("kpis:").unwrap()]);
    rejects(&no_kpis, 6, "at least one KPI");
    let dup = format!("{WATCH}{}", &WATCH[WATCH.find("  - id").unwrap()..]);
    rejects(&dup, 12, "defined twice");
}

#[test]
fn promql_and_file_kpis_need_their_companions() {
    let prom = WATCH
        .replace(
            "{ type: postgres, url: env:EVENTS_DB_URL }",
            "{ type: prometheus, url: \"http://prom:9090\" }",
        )
        .replace(
            "SELECT 1 AS events, 2 AS trials FROM t WHERE at >= :from AND at < :to",
            "sum(increase(bounces_total[5m]))",
        );
    let out = rejects(&prom, 11, "`$window`");
    assert!(
        out.contains("denominator"),
        "a rate needs a denominator: {out}"
    );
    let csv = WATCH.replace(
        "{ type: postgres, url: env:EVENTS_DB_URL }",
        "{ type: csv, path: ../etc/passwd, time_field: at }",
    );
    rejects(&csv, 5, "inside the workspace");
    let csv = WATCH
        .replace(
            "{ type: postgres, url: env:EVENTS_DB_URL }",
            "{ type: csv, path: e.csv }",
        )
        .replace("unit: rate", "unit: duration");
    rejects(&csv, 5, "needs `time_field`");
    let filter = WATCH
        .replace(
            "{ type: postgres, url: env:EVENTS_DB_URL }",
            "{ type: jsonl, path: e.jsonl, time_field: at }",
        )
        .replace("unit: rate", "unit: duration")
        .replace(
            "SELECT 1 AS events, 2 AS trials FROM t WHERE at >= :from AND at < :to",
            "type is routed",
        );
    let out = rejects(&filter, 11, "not a file filter");
    assert!(out.contains("needs `value`"), "{out}");
}

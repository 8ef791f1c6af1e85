//! Shared by the suites: the services (`FLOWGATE_TEST_POSTGRES_URL`, `FLOWGATE_TEST_MYSQL_URL`;
//! defaults: the local services; under CI an unreachable service fails the test, otherwise it
//! is skipped with a notice), the acme lead-intake watch, and loading it through the loader.

use chrono::{DateTime, TimeZone, Utc};
use flowgate_model::{AssetSpec, Watch};
use flowgate_watch::SourceContext;
use std::path::Path;

pub fn postgres_url() -> String {
    std::env::var("FLOWGATE_TEST_POSTGRES_URL")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

pub fn mysql_url() -> String {
    std::env::var("FLOWGATE_TEST_MYSQL_URL")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "mysql://root@127.0.0.1:3306/test".to_owned())
}

pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// Whether the database answers; outside CI an unreachable one skips the test.
pub async fn reachable(name: &str, url: &str, test: &str) -> bool {
    let ok = if url.starts_with("postgres") {
        sqlx::PgPool::connect(url)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    } else {
        sqlx::MySqlPool::connect(url)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    };
    match ok {
        Ok(()) => true,
        Err(e) => {
            assert!(!in_ci(), "{name} unreachable under CI: {e}");
            eprintln!("skipping {test}: {name} unreachable ({e})");
            false
        }
    }
}

/// The release of the scenarios: Monday 2 March 2026, 09:00 UTC.
pub fn release_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).single().unwrap()
}

/// The 24-hour checkpoint.
pub fn checkpoint_at() -> DateTime<Utc> {
    release_at() + chrono::Duration::hours(24)
}

/// The acme lead-intake watch over `table`, its source written as `source` (YAML flow map).
pub fn lead_intake_yaml(source: &str, table: &str) -> String {
    let rate = |event: &str, trials: &str| {
        format!(
            "SELECT COALESCE(SUM(CASE WHEN kind = '{event}' THEN 1 ELSE 0 END), 0) AS events, COALESCE(SUM(CASE WHEN kind = '{trials}' THEN 1 ELSE 0 END), 0) AS trials FROM {table} WHERE at >= :from AND at < :to"
        )
    };
    let count = |event: &str| {
        format!("SELECT COUNT(*) AS events FROM {table} WHERE kind = '{event}' AND at >= :from AND at < :to")
    };
    let duration = |event: &str| {
        format!("SELECT value FROM {table} WHERE kind = '{event}' AND at >= :from AND at < :to")
    };
    format!(
        "kind: Watch
id: lead-intake-watch
name: Lead intake after a release
owner: marketing-ops
bundle: lead-intake
environment: prod
sources:
  events: {source}
compare: {{ weeks: 4 }}
kpis:
  - {{ id: bounce-rate, source: events, unit: rate, per: send, bad: up, on_fail: rollback, query: \"{}\" }}
  - {{ id: spam-complaints, source: events, unit: count, bad: up, query: \"{}\" }}
  - {{ id: sms-carrier-rejections, source: events, unit: rate, per: sms, bad: up, query: \"{}\" }}
  - {{ id: stop-replies, source: events, unit: count, bad: up, query: \"{}\" }}
  - {{ id: routing-latency, source: events, unit: duration, bad: up, query: \"{}\" }}
  - {{ id: lead-to-mql, source: events, unit: duration, bad: up, query: \"{}\" }}
",
        rate("email_bounce", "email_send"),
        count("spam_complaint"),
        rate("sms_rejected", "sms_send"),
        count("sms_stop"),
        duration("lead_routed"),
        duration("mql"),
    )
}

/// Load one watch document through the loader (with the bundle it names).
pub fn load_watch(yaml: &str) -> Watch {
    let texts = vec![
        (
            "bundle.yaml".to_owned(),
            "kind: Bundle\nid: lead-intake\nmembers: []\n".to_owned(),
        ),
        ("watch.yaml".to_owned(), yaml.to_owned()),
    ];
    let loaded = flowgate_load::load_texts(Path::new("/workspace"), &texts);
    assert!(loaded.diagnostics.is_empty(), "{:#?}", loaded.diagnostics);
    let asset = loaded
        .model
        .assets()
        .iter()
        .find(|a| a.id.as_str() != "lead-intake")
        .unwrap();
    match &asset.spec {
        AssetSpec::Watch(w) => w.clone(),
        other => panic!("not a watch: {other:?}"),
    }
}

/// A context resolving `env:EVENTS_DB_URL` to `url`, files under `root`.
pub fn context(root: &Path, url: &str) -> SourceContext {
    let url = url.to_owned();
    SourceContext {
        workspace_root: root.to_owned(),
        secrets: Box::new(move |s| (s.name == "EVENTS_DB_URL").then(|| url.clone())),
    }
}

//! A real Prometheus (Debian's `prometheus` package) scraping a tiny exporter started here:
//! a PromQL count KPI with a holdout cohort is evaluated through the HTTP API. Skipped with a
//! notice when the binary is missing; under CI a missing binary fails the test.

use crate::common::*;
use chrono::Utc;
use flowgate_watch::{evaluate, Verdict};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn binary() -> Option<String> {
    let path =
        std::env::var("FLOWGATE_TEST_PROMETHEUS").unwrap_or_else(|_| "prometheus".to_owned());
    std::process::Command::new(&path)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()
        .filter(|s| s.success())
        .map(|_| path)
}

/// Serve `/metrics`: signups grow 4× faster in the exposed cohort than in the holdout.
async fn exporter() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let started = Instant::now();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let secs = started.elapsed().as_secs_f64();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let body = format!(
                    "# TYPE signups_total counter\nsignups_total{{cohort=\"exposed\"}} {}\nsignups_total{{cohort=\"holdout\"}} {}\n",
                    (secs * 40.0).floor(),
                    (secs * 10.0).floor()
                );
                let reply = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(reply.as_bytes()).await;
            });
        }
    });
    port
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_promql_kpi_is_judged_from_a_real_prometheus() {
    let Some(prometheus) = binary() else {
        assert!(
            !in_ci(),
            "the prometheus binary is missing under CI: apt-get install -y prometheus"
        );
        eprintln!("skipping: no prometheus binary (apt-get install -y prometheus)");
        return;
    };
    let exporter_port = exporter().await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("prometheus.yml");
    std::fs::write(
        &config,
        format!("global: {{ scrape_interval: 1s, evaluation_interval: 1s }}\nscrape_configs:\n  - job_name: acme\n    static_configs: [{{ targets: ['127.0.0.1:{exporter_port}'] }}]\n"),
    )
    .unwrap();
    let port = free_port();
    let mut child = tokio::process::Command::new(&prometheus)
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.path().join("data").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let start = Utc::now();
    // Enough scrapes for increase() over the window.
    tokio::time::sleep(Duration::from_secs(12)).await;
    let now = Utc::now();
    let yaml = format!(
        "kind: Watch\nid: w\nenvironment: prod\nsources:\n  metrics: {{ type: prometheus, url: \"http://127.0.0.1:{port}\" }}\nkpis:\n  - id: signups-per-cohort\n    source: metrics\n    unit: count\n    bad: up\n    query: sum(increase(signups_total{{cohort=\"$cohort\"}}[$window]))\n    compare: {{ holdout: {{ treatment: exposed, control: holdout, control_share: 0.5 }} }}\n  - id: bad-promql\n    source: metrics\n    unit: count\n    bad: up\n    query: sum(increase(signups_total[$window])\n"
    );
    let watch = load_watch(&yaml);
    let ctx = context(dir.path(), "");
    let report = evaluate("w", &watch, start, now, &ctx).await.unwrap();
    child.kill().await.ok();
    let json = serde_json::to_string_pretty(&report).unwrap();
    let kpi = &report.kpis[0];
    assert_eq!(kpi.judgement.verdict, Verdict::Fail, "{json}");
    let current = kpi.current.as_ref().unwrap().events.unwrap();
    let control = kpi.control.as_ref().unwrap().events.unwrap();
    assert!(current > 3 * control && control > 0, "{json}");
    let broken = &report.kpis[1];
    assert_eq!(broken.judgement.verdict, Verdict::Error, "{json}");
    assert!(
        broken.error.as_ref().unwrap().message.contains("refused"),
        "{json}"
    );
}

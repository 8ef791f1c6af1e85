//! The pages read from the workspace the server runs in: the integrations (risk table, map,
//! generated pages) of a copy of the acme example with a hostile name added, and the
//! reconciliation history with its drift flags.

use crate::common::TestServer;
use crate::policy::policy;
use axum::http::{Method, StatusCode};
use flowgate_server::notify::Retry;
use flowgate_store::{NewOperation, OperationKind, Store};
use serde_json::{json, Value};
use std::path::Path;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A server over a copy of the acme example, with one more integration named `<script>…`.
async fn acme_server() -> (TestServer, usize) {
    let dir = tempfile::tempdir().unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/acme");
    copy_dir(&example, dir.path());
    let integrations = dir.path().join("assets/integrations");
    let original = std::fs::read_to_string(integrations.join("bi-nightly-export.yaml")).unwrap();
    let hostile = original
        .replace("id: bi-nightly-export", "id: hostile-export")
        .replace(
            "name: Nightly BI export",
            "name: \"<script>alert(1)</script>\"",
        );
    std::fs::write(integrations.join("hostile-export.yaml"), hostile).unwrap();
    let count = std::fs::read_dir(&integrations).unwrap().count();
    let store = flowgate_store::open_store(dir.path().join("store.db").to_str().unwrap())
        .await
        .unwrap();
    let server = TestServer::with_policy(store, dir, policy(), Vec::new(), Retry::default());
    (server, count)
}

use crate::common::get_ok as get;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_integrations_pages_list_every_integration_with_its_risk_and_page() {
    let (server, count) = acme_server().await;
    let tom = server.token("tom").await;
    let listed = get(&server, &tom, "/integrations?format=json").await.json();
    assert_eq!(listed["flowgate_integrations"], 1);
    let rows = listed["integrations"].as_array().unwrap();
    assert_eq!(rows.len(), count, "one row per integration file");
    assert_eq!(listed["risks"].as_array().unwrap().len(), count);
    assert_eq!(listed["unloaded"], 0);

    let html = get(&server, &tom, "/integrations").await.body;
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(!html.contains("<script>alert"), "a name is never markup");
    assert!(
        html.contains(r#"<img src="/integrations/map.svg""#),
        "{html}"
    );

    let map = get(&server, &tom, "/integrations/map.svg").await;
    assert_eq!(map.headers["content-type"], "image/svg+xml");
    assert!(
        map.body.starts_with("<svg") || map.body.starts_with("<?xml"),
        "{}",
        &map.body[..80]
    );

    for row in rows {
        let id = row["id"].as_str().unwrap();
        let page = get(&server, &tom, &format!("/integrations/{id}"))
            .await
            .body;
        assert!(!page.contains("<script>alert"), "{id}: {page}");
        let markdown = get(
            &server,
            &tom,
            &format!("/integrations/{id}?format=markdown"),
        )
        .await;
        assert!(markdown.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/markdown"));
        assert!(markdown.body.contains(id), "{id}");
    }
    let index = get(&server, &tom, "/integrations/index").await.body;
    assert!(
        index.contains(r#"href="/integrations/order-export-erp""#),
        "{index}"
    );
    let missing = server
        .api(Method::GET, "/integrations/nope", Some(&tom), Value::Null)
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reconciliation_history_flags_a_sustained_rise() {
    let (server, _) = acme_server().await;
    let rates = [0.001, 0.0011, 0.0009, 0.001, 0.001, 0.004, 0.006, 0.008];
    for rate in rates {
        let payload = json!({
            "reconciliation": "orders-magento-erp",
            "mismatch_rate": rate,
            "rows_left": 100000, "rows_right": 100000,
            "counts": { "missing_left": 1, "missing_right": 2, "mismatch": 3, "duplicate": 0, "in_flight": 0 },
        });
        let op = NewOperation::new("finance-bot", OperationKind::ReconcileRun, payload);
        server.store.append_operation(&op).await.unwrap();
    }
    let tom = server.token("tom").await;
    let path = "/reconciliations/orders-magento-erp?format=json";
    let history = get(&server, &tom, path).await.json();
    let runs = history["runs"].as_array().unwrap();
    assert_eq!(runs.len(), rates.len());
    assert_eq!(runs[0]["differences"], 6);
    assert_eq!(runs[0]["drift"]["drift"], false, "the baseline is steady");
    assert_eq!(runs[7]["drift"]["drift"], true, "{}", runs[7]);
    let level = runs[7]["drift"]["level"].as_f64().unwrap();
    assert!(
        level > 0.001 && level < 0.008,
        "the EWMA lags the last rate: {level}"
    );

    let list = get(&server, &tom, "/reconciliations").await.body;
    assert!(list.contains("drift: sustained rise"), "{list}");
    let page = get(&server, &tom, "/reconciliations/orders-magento-erp")
        .await
        .body;
    assert!(
        page.contains("<polyline") && page.contains("<circle"),
        "{page}"
    );
    let unknown = server
        .api(
            Method::GET,
            "/reconciliations/nope",
            Some(&tom),
            Value::Null,
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

//! A workspace whose stage environment deploys to a real Node-RED (started by the test, see
//! crates/flowgate-targets/tests/harness): snapshot, plan and apply put the flows there with
//! the stage guardrail (outbound calls land on the capture endpoint, not on production); an
//! edit made in the runtime makes the next apply exit 3 with the pointer left where it was;
//! rollback deploys the earlier version again.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "../../../flowgate-targets/tests/harness/mod.rs"]
mod harness;

use crate::common::finish;
use harness::{NodeRed, Recorder};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

const MONDAY: &str = "2026-11-23T09:00:00Z";

struct Ws {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Ws {
    fn new(red: &NodeRed, capture: &str, production: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("nr");
        std::fs::create_dir_all(root.join("flows")).unwrap();
        std::fs::create_dir_all(root.join("assets/bundles")).unwrap();
        let toml = format!(
            r#"[workspace]
name = "nr"
assets = ["assets/**/*.yaml"]
node_red = ["flows/*.json"]

[people.tom]
name = "Tom Eder"
email = "tom@example.com"
roles = ["builder"]

[environments.stage]
name_prefix = "STG — "
target = {{ type = "node-red", url = "{url}" }}

[environments.stage.values]
"order-export.g-req.url" = "{production}/stage-erp"

[environments.stage.guardrails]
webhook_redirect = "{capture}/capture"
"#,
            url = red.url
        );
        std::fs::write(root.join("flowgate.toml"), toml).unwrap();
        std::fs::write(
            root.join("assets/bundles/orders.yaml"),
            "kind: Bundle\nid: orders\nname: Orders\ndescription: Order export to the ERP.\nowner: ecommerce\nalert: slack:#orders\nmembers:\n  - order-export\n",
        )
        .unwrap();
        let ws = Self { _dir: dir, root };
        ws.write_flow("to ERP", production);
        ws
    }

    fn write_flow(&self, name: &str, production: &str) {
        let flow = json!([
            { "id": "g-tab", "type": "tab", "label": "Order export", "disabled": false, "info": "", "env": [] },
            { "id": "g-in", "type": "http in", "z": "g-tab", "name": "", "url": "/order-placed", "method": "post", "upload": false, "swaggerDoc": "", "x": 120, "y": 80, "wires": [["g-req"]] },
            { "id": "g-req", "type": "http request", "z": "g-tab", "name": name, "method": "POST", "ret": "txt", "paytoqs": "ignore", "url": format!("{production}/erp"), "tls": "", "persist": false, "proxy": "", "insecureHTTPParser": false, "authType": "", "senderr": false, "headers": [], "x": 320, "y": 80, "wires": [["g-out"]] },
            { "id": "g-out", "type": "http response", "z": "g-tab", "name": "", "statusCode": "", "headers": {}, "x": 520, "y": 80, "wires": [] },
        ]);
        std::fs::write(
            self.root.join("flows/order-export.json"),
            serde_json::to_vec_pretty(&flow).unwrap(),
        )
        .unwrap();
    }

    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let output = Command::new(env!("CARGO_BIN_EXE_flowgate"))
            .arg("-C")
            .arg(&self.root)
            .args(["--color", "never"])
            .args(args)
            .env_remove("FLOWGATE_STORE")
            .env("FLOWGATE_USER", "tom")
            .env("FLOWGATE_NOW", MONDAY)
            .output()
            .unwrap();
        finish(output)
    }

    fn ok(&self, args: &[&str]) -> String {
        let (code, out, err) = self.run(args);
        assert_eq!(code, 0, "{args:?}\n{out}\n{err}");
        out
    }

    fn held(&self) -> Option<String> {
        // `status` exits 1 while the runtime drifts; the pointer is what matters here.
        let (_, out, _) = self.run(&["--format", "json", "status"]);
        let status: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
        status["environments"]
            .as_array()?
            .iter()
            .find(|s| s["env"] == "stage" && s["bundle"] == "orders")
            .and_then(|s| s["version"].as_str())
            .map(str::to_owned)
    }
}

fn trigger(red: &NodeRed, order: &str) {
    let body = format!("{{\"order\":\"{order}\"}}");
    let (status, reply) = harness::request(
        "POST",
        &format!("{}/order-placed", red.url),
        &[("content-type", "application/json")],
        Some(body.as_bytes()),
    )
    .unwrap();
    assert_eq!((status, reply.as_str()), (200, "ok"), "{}", red.log());
}

fn store_init(root: &Path) {
    let (code, out, err) = finish(
        Command::new(env!("CARGO_BIN_EXE_flowgate"))
            .arg("-C")
            .arg(root)
            .args(["store", "init", "--rehearsal"])
            .env_remove("FLOWGATE_STORE")
            .output()
            .unwrap(),
    );
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn apply_conflict_and_rollback_against_a_running_node_red() {
    let Some(red) = NodeRed::start(false) else {
        return;
    };
    let capture = Recorder::start();
    let production = Recorder::start();
    let ws = Ws::new(&red, &capture.url, &production.url);
    store_init(&ws.root);
    ws.ok(&["snapshot", "create", "orders", "--version", "1.0.0"]);
    let out = ws.ok(&["plan", "orders@1.0.0", "--to", "stage"]);
    let plan = out
        .lines()
        .find_map(|l| l.strip_prefix("Plan "))
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("{out}"))
        .to_owned();
    ws.ok(&["apply", &plan]);
    assert_eq!(ws.held().as_deref(), Some("1.0.0"));

    // The flows run there, with the stage guardrail.
    trigger(&red, "100000042");
    assert!(
        capture
            .seen()
            .iter()
            .any(|s| s.starts_with("POST /capture") && s.contains("100000042")),
        "{:?}",
        capture.seen()
    );
    assert!(production.seen().is_empty(), "{:?}", production.seen());
    let flows = red.flows();
    let tab = flows["flows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == "g-tab")
        .unwrap();
    assert_eq!(tab["label"], "STG — Order export");

    // A second version, then an edit in the runtime: the next apply exits 3 and the pointer stays.
    ws.write_flow("to ERP v2", &production.url);
    ws.ok(&["snapshot", "create", "orders", "--version", "1.1.0"]);
    ws.ok(&["promote", "orders@1.1.0", "--to", "stage"]);
    assert_eq!(ws.held().as_deref(), Some("1.1.0"));
    let mut flows = red.flows();
    for n in flows["flows"].as_array_mut().unwrap() {
        if n["id"] == "g-req" {
            n["name"] = json!("quick fix in the editor");
        }
    }
    red.deploy_as_editor(flows["rev"].as_str().unwrap(), &flows["flows"]);
    ws.write_flow("to ERP v3", &production.url);
    ws.ok(&["snapshot", "create", "orders", "--version", "1.2.0"]);
    let (code, out, err) = ws.run(&["promote", "orders@1.2.0", "--to", "stage"]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(err.contains("changed in the Node-RED editor"), "{err}");
    assert_eq!(ws.held().as_deref(), Some("1.1.0"));
    let live = red.flows();
    let req = live["flows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == "g-req")
        .unwrap();
    assert_eq!(req["name"], "quick fix in the editor");

    // pull names the edit; sync undoes it, putting back what stage holds.
    let (code, out, err) = ws.run(&["pull", "stage"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("quick fix in the editor"), "{out}");
    ws.ok(&["sync", "stage"]);
    let (code, out, err) = ws.run(&["pull", "stage"]);
    assert_eq!(code, 0, "{out}{err}");
    // Rollback then deploys 1.0.0 again.
    ws.ok(&["rollback", "stage", "--bundle", "orders"]);
    assert_eq!(ws.held().as_deref(), Some("1.0.0"));
    let live = red.flows();
    let req = live["flows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == "g-req")
        .unwrap();
    assert_eq!(req["name"], "to ERP");
}

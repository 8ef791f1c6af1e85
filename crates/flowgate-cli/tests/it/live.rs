//! What a target runs against what its environment holds: `flowgate pull` shows an edit made
//! on the target as a semantic diff, `flowgate adopt` writes it back into the workspace file
//! and freezes a new version, `flowgate sync` undoes it; `status` shows it as drift.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use crate::common::{finish, flowgate_cmd};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

const CONFIG: &str = r#"[workspace]
name = "live"
assets = ["assets/**/*.yaml"]
node_red = ["flows/*.json"]

[people.ops]
name = "Olga Ops"
email = "ops@example.com"
roles = ["ops"]

[environments.dev]
target = { type = "directory", path = "deploy/dev" }
"#;

const BUNDLE: &str =
    "kind: Bundle\nid: orders\nname: Orders\nowner: ops\nmembers:\n  - order-sync\n";

fn flows(url: &str) -> Value {
    json!([
        { "id": "t1", "type": "tab", "label": "Order sync", "disabled": false, "info": "" },
        { "id": "in1", "type": "http in", "z": "t1", "name": "orders", "url": "/orders",
          "method": "post", "x": 100, "y": 80, "wires": [["req1"]] },
        { "id": "req1", "type": "http request", "z": "t1", "name": "to ERP", "method": "POST",
          "url": url, "ret": "obj", "x": 300, "y": 80, "wires": [["out1"]] },
        { "id": "out1", "type": "http response", "z": "t1", "name": "", "x": 500, "y": 80,
          "wires": [] },
        { "id": "c1", "type": "catch", "z": "t1", "name": "", "scope": null, "x": 100, "y": 160,
          "wires": [["out1"]] }
    ])
}

struct Live {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Live {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("ws");
        std::fs::create_dir_all(root.join("assets")).unwrap();
        std::fs::create_dir_all(root.join("flows")).unwrap();
        std::fs::write(root.join("flowgate.toml"), CONFIG).unwrap();
        std::fs::write(root.join("assets/orders.yaml"), BUNDLE).unwrap();
        let text = serde_json::to_string_pretty(&flows("https://erp.example/orders")).unwrap();
        std::fs::write(root.join("flows/order-sync.json"), text).unwrap();
        Self { _dir: dir, root }
    }

    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let mut command = flowgate_cmd(&self.root, args);
        command
            .env_remove("FLOWGATE_STORE")
            .env_remove("FLOWGATE_NOW")
            .env_remove("FLOWGATE_SERVER")
            .env("FLOWGATE_USER", "ops");
        finish(command.output().unwrap())
    }

    fn ok(&self, args: &[&str]) -> String {
        let (code, out, err) = self.run(args);
        assert_eq!(code, 0, "{args:?}\n{out}{err}");
        out
    }

    fn deployed(&self) -> PathBuf {
        self.root
            .join("deploy/dev/orders/platform/node-red/order-sync.json")
    }

    /// Edits the deployed flow as someone on the target would: a new URL for the request.
    fn edit_on_target(&self, url: &str) {
        let path = self.deployed();
        let mut nodes: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        nodes[2]["url"] = json!(url);
        // A real release file is read-only to others and replaced, never edited in place.
        std::fs::remove_file(&path).unwrap();
        std::fs::write(&path, serde_json::to_vec(&nodes).unwrap()).unwrap();
    }
}

fn json_of(out: &str) -> Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

fn workspace_url(root: &Path) -> String {
    let text = std::fs::read(root.join("flows/order-sync.json")).unwrap();
    let nodes: Value = serde_json::from_slice(&text).unwrap();
    nodes[2]["url"].as_str().unwrap().to_owned()
}

#[test]
fn an_edit_on_the_target_is_pulled_adopted_as_a_version_or_undone() {
    let live = Live::new();
    live.ok(&["snapshot", "create", "orders", "--version", "1.0.0"]);
    live.ok(&["promote", "orders@1.0.0", "--to", "dev"]);

    let out = live.ok(&["--format", "json", "pull", "dev"]);
    let report = json_of(&out);
    assert_eq!(report["version"], 1);
    assert_eq!(report["in_sync"], true, "{out}");

    live.edit_on_target("https://erp-new.example/orders");
    let (code, out, err) = live.run(&["pull", "dev"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("platform/node-red/order-sync.json: changed on the platform"),
        "{out}"
    );
    assert!(
        out.contains(
            "[req1].url: \"https://erp.example/orders\" → \"https://erp-new.example/orders\""
        ),
        "{out}"
    );
    let (_, out, _) = live.run(&["--format", "json", "status"]);
    let drift = json_of(&out)["environments"][0]["drift"].to_string();
    assert!(drift.contains("order-sync.json"), "{out}");

    // Undo: sync puts the held version back.
    live.ok(&["sync", "dev"]);
    let (code, out, err) = live.run(&["pull", "dev"]);
    assert_eq!(code, 0, "{out}{err}");

    // Adopt: the edit lands in the workspace file and becomes 1.1.0 through the usual checks.
    live.edit_on_target("https://erp-new.example/orders");
    let (code, out, err) = live.run(&["adopt", "dev", "--version", "1.0.1"]);
    assert_ne!(
        code, 0,
        "a too-small version is refused like `snapshot create`: {out}{err}"
    );
    assert!(err.contains("1.0.1"), "{err}");
    std::fs::write(
        live.root.join("flows/order-sync.json"),
        serde_json::to_string_pretty(&flows("https://erp.example/orders")).unwrap(),
    )
    .unwrap();
    let out = live.ok(&["adopt", "dev", "--version", "1.1.0"]);
    assert!(out.contains("flows/order-sync.json"), "{out}");
    assert_eq!(workspace_url(&live.root), "https://erp-new.example/orders");
    let out = live.ok(&["--format", "json", "snapshot", "list"]);
    assert!(out.contains("1.1.0"), "{out}");
    // Promoting the adopted version makes the environment hold what its target runs.
    live.ok(&["promote", "orders@1.1.0", "--to", "dev"]);
    let (code, out, err) = live.run(&["pull", "dev"]);
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn adopting_refuses_what_cannot_be_written_back_and_writes_nothing() {
    let live = Live::new();
    live.ok(&["snapshot", "create", "orders", "--version", "1.0.0"]);
    live.ok(&["promote", "orders@1.0.0", "--to", "dev"]);
    let extra = live.deployed().with_file_name("planted.json");
    std::fs::write(&extra, "[]").unwrap();
    live.edit_on_target("https://elsewhere.example/");
    let (code, out, err) = live.run(&["adopt", "dev", "--version", "2.0.0"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("planted.json"), "{err}");
    assert!(err.contains("nothing was written"), "{err}");
    assert_eq!(workspace_url(&live.root), "https://erp.example/orders");
}

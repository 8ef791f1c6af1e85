//! The Node-RED target against a real Node-RED 4 (npm `node-red`, started by the tests on a
//! free port, once without and once with `adminAuth`): deploy, no-op re-deploy, other
//! bundles' flows kept, editor edits and revision races as conflicts, rollback, credentials,
//! faults, and the stage guardrail that sends outbound calls to a capture endpoint.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod harness;

use flowgate_release::{render, DeployTarget, Rendered, TargetFailure};
use flowgate_store::{snapshot_id, Entry, Object, Snapshot, SnapshotOrigin};
use flowgate_targets::NodeRedTarget;
use harness::{NodeRed, Recorder};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

fn rendering(files: &[(&str, &Value)]) -> Rendered {
    Rendered {
        files: files
            .iter()
            .map(|(name, v)| {
                let path = format!("platform/node-red/{name}");
                (path, Arc::from(serde_json::to_vec_pretty(v).unwrap()))
            })
            .collect(),
        documents: BTreeMap::new(),
        problems: Vec::new(),
        unused_values: Vec::new(),
    }
}

fn manifest(snapshot: &str, version: &str) -> Value {
    json!({ "environment": "stage", "bundle": "orders", "version": version, "release_id": null, "snapshot": snapshot })
}

/// A tab with an inject → debug flow; `name` tells versions apart.
fn orders(name: &str) -> Value {
    json!([
        { "id": "t-orders", "type": "tab", "label": "Orders", "disabled": false, "info": "", "env": [] },
        { "id": "o-inject", "type": "inject", "z": "t-orders", "name": name, "props": [{ "p": "payload" }], "repeat": "", "crontab": "", "once": false, "onceDelay": 0.1, "topic": "", "payload": "", "payloadType": "date", "x": 100, "y": 80, "wires": [["o-debug"]] },
        { "id": "o-debug", "type": "debug", "z": "t-orders", "name": "", "active": true, "tosidebar": true, "console": false, "tostatus": false, "complete": "false", "statusVal": "", "statusType": "auto", "x": 300, "y": 80, "wires": [] },
    ])
}

fn target(red: &NodeRed) -> NodeRedTarget {
    NodeRedTarget::new(&red.url, red.token(), false)
}

/// Stages and activates; the error's failure kind.
fn deploy(t: &NodeRedTarget, rendered: &Rendered, snapshot: &str) -> Result<(), TargetFailure> {
    let staged = t
        .stage("orders", rendered, &manifest(snapshot, snapshot))
        .map_err(|e| e.failure)?;
    t.activate(&staged).map_err(|e| e.failure)
}

fn rev(red: &NodeRed) -> String {
    red.flows()["rev"].as_str().unwrap().to_owned()
}

fn node<'f>(flows: &'f Value, id: &str) -> Option<&'f Value> {
    flows["flows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == id)
}

fn lifecycle(auth: bool) {
    let Some(red) = NodeRed::start(auth) else {
        return;
    };
    let t = target(&red);
    assert!(t.shared());
    assert_eq!(t.inspect("orders").unwrap(), None);
    // Another bundle's flow, deployed in the editor, must survive.
    let other = json!([{ "id": "t-other", "type": "tab", "label": "Other", "env": [] }, { "id": "x-debug", "type": "debug", "z": "t-other", "wires": [] }]);
    red.deploy_as_editor(&rev(&red), &other);

    let v1 = rendering(&[("orders.json", &orders("v1"))]);
    deploy(&t, &v1, "s1").unwrap();
    let held = t.inspect("orders").unwrap().unwrap();
    assert_eq!(held.manifest["snapshot"], "s1");
    assert!(held.drift.is_empty(), "{:?}", held.drift);
    assert!(node(&red.flows(), "x-debug").is_some());
    let tab = node(&red.flows(), "t-orders").cloned().unwrap();
    let env: Vec<&str> = tab["env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert!(
        env.contains(&"FLOWGATE_BUNDLE") && env.contains(&"FLOWGATE_SNAPSHOT"),
        "{env:?}"
    );

    // Unchanged: nothing is sent, the revision stays.
    let before = rev(&red);
    let staged = t.stage("orders", &v1, &manifest("s1", "s1")).unwrap();
    assert_eq!(staged.state["unchanged"], true);
    t.activate(&staged).unwrap();
    assert_eq!(rev(&red), before);

    // A new version, then rollback to the first rendering.
    let v2 = rendering(&[("orders.json", &orders("v2"))]);
    deploy(&t, &v2, "s2").unwrap();
    assert_eq!(node(&red.flows(), "o-inject").unwrap()["name"], "v2");
    assert_eq!(
        t.inspect("orders").unwrap().unwrap().manifest["snapshot"],
        "s2"
    );
    deploy(&t, &v1, "s1").unwrap();
    assert_eq!(node(&red.flows(), "o-inject").unwrap()["name"], "v1");
    assert_eq!(
        t.inspect("orders").unwrap().unwrap().manifest["snapshot"],
        "s1"
    );
    assert!(node(&red.flows(), "x-debug").is_some());

    // Pull: the bundle's nodes as the runtime holds them, without the markers.
    let pulled = t.pull("orders").unwrap().unwrap();
    assert_eq!(pulled.manifest["snapshot"], "s1");
    let file: Value =
        serde_json::from_slice(&pulled.files["platform/node-red/orders.json"]).unwrap();
    assert_eq!(file, orders("v1"));
    assert_eq!(pulled.files.len(), 1);
}

#[test]
fn lifecycle_without_admin_auth() {
    lifecycle(false);
}

#[test]
fn lifecycle_with_admin_auth() {
    lifecycle(true);
}

#[test]
fn an_edit_in_the_editor_makes_the_next_stage_a_conflict() {
    let Some(red) = NodeRed::start(false) else {
        return;
    };
    let t = target(&red);
    deploy(&t, &rendering(&[("orders.json", &orders("v1"))]), "s1").unwrap();
    let mut flows = red.flows();
    for n in flows["flows"].as_array_mut().unwrap() {
        if n["id"] == "o-inject" {
            n["name"] = json!("edited in the editor");
        }
    }
    red.deploy_as_editor(flows["rev"].as_str().unwrap(), &flows["flows"]);
    let drift = t.inspect("orders").unwrap().unwrap().drift;
    assert_eq!(
        drift,
        ["modified: tab \"Orders\" (1 node changed in the editor)"]
    );
    let before = rev(&red);
    let error = t
        .stage(
            "orders",
            &rendering(&[("orders.json", &orders("v2"))]),
            &manifest("s2", "2"),
        )
        .unwrap_err();
    assert_eq!(error.failure, TargetFailure::Conflict, "{error}");
    assert!(
        error.message.contains("changed in the Node-RED editor"),
        "{error}"
    );
    assert_eq!(rev(&red), before);
    assert_eq!(
        node(&red.flows(), "o-inject").unwrap()["name"],
        "edited in the editor"
    );
}

#[test]
fn a_rev_changed_between_stage_and_activate_is_a_conflict() {
    let Some(red) = NodeRed::start(false) else {
        return;
    };
    let t = target(&red);
    deploy(&t, &rendering(&[("orders.json", &orders("v1"))]), "s1").unwrap();
    let staged = t
        .stage(
            "orders",
            &rendering(&[("orders.json", &orders("v2"))]),
            &manifest("s2", "2"),
        )
        .unwrap();
    // Someone deploys another flow in the editor meanwhile.
    let mut flows = red.flows();
    flows["flows"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "id": "t-new", "type": "tab", "label": "New" }));
    red.deploy_as_editor(flows["rev"].as_str().unwrap(), &flows["flows"]);
    let error = t.activate(&staged).unwrap_err();
    assert_eq!(error.failure, TargetFailure::Conflict, "{error}");
    assert_eq!(node(&red.flows(), "o-inject").unwrap()["name"], "v1");
    assert!(node(&red.flows(), "t-new").is_some());
    // Re-running converges.
    deploy(&t, &rendering(&[("orders.json", &orders("v2"))]), "s2").unwrap();
    assert_eq!(node(&red.flows(), "o-inject").unwrap()["name"], "v2");
}

#[test]
fn a_deployment_live_before_its_pointer_moved_converges() {
    // The process died after the runtime took the deployment: the runtime holds another
    // flowgate-deployed snapshot than the store says, which is not an editor edit.
    let Some(red) = NodeRed::start(false) else {
        return;
    };
    let t = target(&red);
    deploy(&t, &rendering(&[("orders.json", &orders("v1"))]), "s1").unwrap();
    let v2 = rendering(&[("orders.json", &orders("v2"))]);
    deploy(&t, &v2, "s2").unwrap();
    let staged = t.stage("orders", &v2, &manifest("s2", "s2")).unwrap();
    assert_eq!(staged.state["unchanged"], true);
    let again = t
        .stage(
            "orders",
            &rendering(&[("orders.json", &orders("v1"))]),
            &manifest("s1", "s1"),
        )
        .unwrap();
    t.activate(&again).unwrap();
    assert_eq!(
        t.inspect("orders").unwrap().unwrap().manifest["snapshot"],
        "s1"
    );
}

#[test]
fn credentials_resolve_from_the_environment_and_never_come_back() {
    let Some(red) = NodeRed::start(true) else {
        return;
    };
    let server = Recorder::start();
    std::env::set_var("FLOWGATE_NR_TEST_PASSWORD", "pa55-w0rd-secret");
    let flow = json!([
        { "id": "t-creds", "type": "tab", "label": "Creds" },
        { "id": "c-inject", "type": "inject", "z": "t-creds", "props": [{ "p": "payload" }], "once": true, "onceDelay": 0.1, "payload": "", "payloadType": "date", "repeat": "", "crontab": "", "topic": "", "wires": [["c-req"]] },
        { "id": "c-req", "type": "http request", "z": "t-creds", "method": "POST", "ret": "txt", "paytoqs": "ignore", "url": format!("{}/secured", server.url), "tls": "", "persist": false, "proxy": "", "authType": "basic", "senderr": false, "headers": [], "wires": [[]],
          "credentials": { "user": "env:FLOWGATE_NR_TEST_USER", "password": "env:FLOWGATE_NR_TEST_PASSWORD" } },
    ]);
    std::env::set_var("FLOWGATE_NR_TEST_USER", "flowgate");
    let t = target(&red);
    let rendered = rendering(&[("creds.json", &flow)]);
    let staged = t.stage("orders", &rendered, &manifest("s1", "1")).unwrap();
    assert!(!staged.state.to_string().contains("pa55-w0rd-secret"));
    t.activate(&staged).unwrap();
    let seen = wait_for(&server, 1);
    // Basic base64("flowgate:pa55-w0rd-secret")
    assert!(
        seen[0].contains("Basic Zmxvd2dhdGU6cGE1NS13MHJkLXNlY3JldA=="),
        "{seen:?}"
    );
    assert!(!red.flows().to_string().contains("pa55-w0rd-secret"));
    let pulled = t.pull("orders").unwrap().unwrap();
    for bytes in pulled.files.values() {
        assert!(!String::from_utf8_lossy(bytes).contains("pa55-w0rd-secret"));
    }
    // A literal credential in a flow file is refused, and the message does not repeat it.
    let mut literal = flow.clone();
    literal[2]["credentials"]["password"] = json!("hunter2-literal");
    let error = t
        .stage(
            "orders",
            &rendering(&[("creds.json", &literal)]),
            &manifest("s2", "2"),
        )
        .unwrap_err();
    assert!(
        error.message.contains("secret reference") && !error.message.contains("hunter2"),
        "{error}"
    );
    // A reference whose variable is unset is denied, naming the variable only.
    let mut unset = flow.clone();
    unset[2]["credentials"]["password"] = json!("env:FLOWGATE_NR_TEST_UNSET");
    let staged = t
        .stage(
            "orders",
            &rendering(&[("creds.json", &unset)]),
            &manifest("s3", "3"),
        )
        .unwrap();
    let error = t.activate(&staged).unwrap_err();
    assert_eq!(error.failure, TargetFailure::Denied);
    assert!(error.message.contains("FLOWGATE_NR_TEST_UNSET"), "{error}");
}

/// POSTs an order to an `http in` route, trying again while the runtime
/// answers 404: Node-RED answers a deployment before its new flows have
/// registered their routes.
fn post_when_routed(url: &str) -> (u16, String) {
    let post = || {
        harness::request(
            "POST",
            url,
            &[("content-type", "application/json")],
            Some(br#"{"order":"100000042"}"#),
        )
        .unwrap()
    };
    for _ in 0..50 {
        let answer = post();
        if answer.0 != 404 {
            return answer;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    post()
}

fn wait_for(server: &Recorder, count: usize) -> Vec<String> {
    for _ in 0..100 {
        let seen = server.seen();
        if seen.len() >= count {
            return seen;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    server.seen()
}

#[test]
fn a_wrong_token_is_denied_and_a_stopped_runtime_unreachable() {
    let Some(mut red) = NodeRed::start(true) else {
        return;
    };
    let wrong = NodeRedTarget::new(&red.url, Some("not-a-token".to_owned()), false);
    let error = wrong.inspect("orders").unwrap_err();
    assert_eq!(error.failure, TargetFailure::Denied, "{error}");
    assert!(!error.to_string().contains("not-a-token"));
    let none = NodeRedTarget::new(&red.url, None, false);
    assert_eq!(
        none.inspect("orders").unwrap_err().failure,
        TargetFailure::Denied
    );
    let t = target(&red);
    red.stop();
    let error = deploy(&t, &rendering(&[("orders.json", &orders("v1"))]), "s1").unwrap_err();
    assert_eq!(error, TargetFailure::Unreachable);
}

/// A tab of `count` chained `function` nodes whose names carry `version`.
fn bulk(count: usize, version: usize) -> Rendered {
    let mut nodes = vec![json!({ "id": "b-tab", "type": "tab", "label": "Bulk" })];
    for i in 0..count - 1 {
        nodes.push(json!({ "id": format!("b-{i}"), "type": "function", "z": "b-tab", "name": format!("step {i} v{version}"), "func": "return msg;", "outputs": 1, "x": 100 + i, "y": 100, "wires": [[format!("b-{}", i + 1)]] }));
    }
    rendering(&[("bulk.json", &Value::Array(nodes))])
}

/// The versions the runtime's bulk nodes carry (one when the runtime holds one deployment).
fn bulk_versions(red: &NodeRed) -> std::collections::BTreeSet<String> {
    red.flows()["flows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["z"] == "b-tab")
        .map(|n| {
            n["name"]
                .as_str()
                .unwrap()
                .rsplit(' ')
                .next()
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[test]
fn a_runtime_killed_mid_deploy_holds_one_deployment_and_a_rerun_converges() {
    let Some(mut red) = NodeRed::start(false) else {
        return;
    };
    // Killed before, while and after the runtime takes a 200-node deployment.
    for (round, delay_ms) in [0_u64, 40, 120, 180, 240, 300, 400].into_iter().enumerate() {
        let old = 2 * round;
        let new = old + 1;
        deploy(&target(&red), &bulk(200, old), &format!("s{old}")).unwrap();
        let t = target(&red);
        let deploying = std::thread::spawn(move || deploy(&t, &bulk(200, new), &format!("s{new}")));
        std::thread::sleep(Duration::from_millis(delay_ms));
        red.kill_and_restart();
        let outcome = deploying.join().unwrap();
        eprintln!(
            "round {round} ({delay_ms} ms): {outcome:?}, runtime holds {:?}",
            bulk_versions(&red)
        );
        assert!(
            matches!(outcome, Ok(()) | Err(TargetFailure::Unreachable)),
            "round {round}: {outcome:?}"
        );
        // Whole or not at all: never a mix of the two deployments.
        let held = bulk_versions(&red);
        assert_eq!(held.len(), 1, "round {round}: the runtime holds {held:?}");
        let live = target(&red).inspect("orders").unwrap().unwrap();
        let runs = live.manifest["snapshot"].as_str().unwrap().to_owned();
        assert_eq!(
            held.into_iter().next().unwrap(),
            format!("v{}", &runs[1..]),
            "round {round}: the record names another deployment than the nodes"
        );
        assert!(live.drift.is_empty(), "round {round}: {:?}", live.drift);
        // Applying again converges on the new deployment.
        deploy(&target(&red), &bulk(200, new), &format!("s{new}")).unwrap();
        assert_eq!(
            bulk_versions(&red).into_iter().collect::<Vec<_>>(),
            [format!("v{new}")]
        );
        let live = target(&red).inspect("orders").unwrap().unwrap();
        assert_eq!(live.manifest["snapshot"], format!("s{new}"));
    }
}

/// A snapshot of one Node-RED flow file, rendered for a stage environment with
/// `webhook_redirect` and a per-environment URL for the `http request` node.
fn render_stage(flow: &Value, capture: &str, production: &str) -> Rendered {
    let object = Object::new(serde_json::to_vec(flow).unwrap());
    let entries = vec![Entry {
        kind: "Flow".into(),
        id: "orders".into(),
        object: object.id(),
        path: Some("flows/orders.json".into()),
    }];
    let snapshot = Snapshot {
        id: snapshot_id("orders", "1.0.0", &entries),
        bundle: "orders".into(),
        version: "1.0.0".into(),
        created_at: "2026-11-20T09:00:00Z".parse().unwrap(),
        author: "tom".into(),
        manifest: json!({ "platform_flows": { "orders": "node-red" } }),
        entries,
        origin: SnapshotOrigin::Local,
    };
    let objects = BTreeMap::from([("orders".to_owned(), Arc::from(object.bytes()))]);
    let mut env = flowgate_release::Environment {
        name: "stage".into(),
        description: None,
        name_prefix: Some("STG — ".into()),
        values: BTreeMap::from([(
            "orders.g-req.url".to_owned(),
            json!(format!("{production}/stage-erp")),
        )]),
        guardrails: Default::default(),
        gates: flowgate_release::Gates {
            from: None,
            block_on: flowgate_release::BlockOn::Error,
            soak: None,
            promoters: vec![],
            author_may_approve_alone: false,
            block_on_overdue_actions: false,
            soak_requires_watch: false,
            freeze: vec![],
        },
        raci: Default::default(),
        target: None,
        watch_checkpoints: vec![],
    };
    env.guardrails.webhook_redirect = Some(format!("{capture}/capture"));
    let rendered = render(&snapshot, &objects, &env).unwrap();
    assert!(rendered.problems.is_empty(), "{:?}", rendered.problems);
    assert!(
        rendered.unused_values.is_empty(),
        "{:?}",
        rendered.unused_values
    );
    rendered
}

#[test]
fn the_stage_guardrail_sends_outbound_calls_to_the_capture_endpoint() {
    let Some(red) = NodeRed::start(false) else {
        return;
    };
    let capture = Recorder::start();
    let production = Recorder::start();
    let flow = json!([
        { "id": "g-tab", "type": "tab", "label": "Order export" },
        { "id": "g-in", "type": "http in", "z": "g-tab", "name": "", "url": "/order-placed", "method": "post", "upload": false, "swaggerDoc": "", "wires": [["g-req"]] },
        { "id": "g-req", "type": "http request", "z": "g-tab", "name": "to ERP", "method": "POST", "ret": "txt", "paytoqs": "ignore", "url": format!("{}/erp", production.url), "tls": "", "persist": false, "proxy": "", "authType": "", "senderr": false, "headers": [], "wires": [["g-out"]] },
        { "id": "g-out", "type": "http response", "z": "g-tab", "name": "", "statusCode": "", "headers": {}, "wires": [] },
    ]);
    let rendered = render_stage(&flow, &capture.url, &production.url);
    let t = target(&red);
    let staged = t
        .stage("orders", &rendered, &manifest("s1", "1.0.0"))
        .unwrap();
    t.activate(&staged).unwrap();
    let tab = node(&red.flows(), "g-tab").cloned().unwrap();
    assert_eq!(tab["label"], "STG — Order export");
    let req = node(&red.flows(), "g-req").cloned().unwrap();
    assert!(
        req["info"].as_str().unwrap().contains("/stage-erp"),
        "{req}"
    );
    let (status, body) = post_when_routed(&format!("{}/order-placed", red.url));
    assert_eq!((status, body.as_str()), (200, "ok"), "{}", red.log());
    let seen = wait_for(&capture, 1);
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(
        seen[0].starts_with("POST /capture") && seen[0].contains("100000042"),
        "{seen:?}"
    );
    assert!(production.seen().is_empty(), "{:?}", production.seen());
}

/// Deploy time of a 200-node bundle: `cargo test --release -p flowgate-targets --test
/// node_red -- --ignored --nocapture deploy_time`.
#[test]
#[ignore]
fn deploy_time_of_a_200_node_bundle() {
    let Some(red) = NodeRed::start(false) else {
        return;
    };
    let t = target(&red);
    let bundle = |version: usize| bulk(200, version);
    let mut times = Vec::new();
    for run in 0..9 {
        let rendered = bundle(run);
        let started = std::time::Instant::now();
        deploy(&t, &rendered, &format!("s{run}")).unwrap();
        times.push(started.elapsed());
    }
    let unchanged = bundle(8);
    let mut noop = Vec::new();
    for _ in 0..9 {
        let started = std::time::Instant::now();
        deploy(&t, &unchanged, "s8").unwrap();
        noop.push(started.elapsed());
    }
    times.sort();
    noop.sort();
    eprintln!(
        "200-node bundle: deploy median {:?} (min {:?}, max {:?}); unchanged re-deploy median {:?}",
        times[4], times[0], times[8], noop[4]
    );
}

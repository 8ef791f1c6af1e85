//! The n8n target against a real n8n (see `harness`): create, no-op re-deploys, activation,
//! tags, stable ids, other bundles, conflicts, rollback, credentials by name, pull, a wrong
//! key, a stopped instance and an instance killed in the middle of a deployment.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod harness;

use flowgate_release::{DeployTarget, Rendered, TargetError, TargetFailure};
use flowgate_targets::N8nTarget;
use harness::{enabled, shared, N8n};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A workflow with a schedule trigger and a Set node whose value is `text`.
fn workflow(name: &str, text: &str, active: bool) -> Value {
    json!({
        "name": name,
        "active": active,
        "nodes": [
            { "name": "Every hour", "type": "n8n-nodes-base.scheduleTrigger", "typeVersion": 1.2,
              "position": [0, 0], "parameters": { "rule": { "interval": [{ "field": "hours" }] } } },
            { "name": "Tag lead", "type": "n8n-nodes-base.set", "typeVersion": 3.4,
              "position": [220, 0],
              "parameters": { "assignments": { "assignments": [
                  { "id": "a1", "name": "source", "value": text, "type": "string" } ] },
                  "options": {} } },
        ],
        "connections": { "Every hour": { "main": [[{ "node": "Tag lead", "type": "main", "index": 0 }]] } },
        "settings": { "executionOrder": "v1" },
    })
}

fn rendered(files: &[(&str, Value)]) -> Rendered {
    let files = files
        .iter()
        .map(|(name, doc)| {
            let bytes: Arc<[u8]> = Arc::from(serde_json::to_vec_pretty(doc).unwrap());
            (format!("platform/n8n/{name}"), bytes)
        })
        .collect();
    Rendered {
        files,
        documents: BTreeMap::new(),
        problems: Vec::new(),
        unused_values: Vec::new(),
    }
}

fn manifest(env: &str, bundle: &str, version: &str) -> Value {
    json!({
        "environment": env, "bundle": bundle, "version": version,
        "release_id": format!("LI-{version}"), "snapshot": format!("snap-{bundle}-{version}"),
    })
}

fn deploy(
    target: &dyn DeployTarget,
    bundle: &str,
    files: &Rendered,
    manifest: &Value,
) -> Result<(), TargetError> {
    let staged = target.stage(bundle, files, manifest)?;
    target.activate(&staged)
}

/// The bundle's workflows in n8n, by rendered file (found by marker, as the target does).
fn held(n8n: &N8n, env: &str, bundle: &str) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    let mut cursor = String::new();
    loop {
        let (status, page) = n8n.api("GET", &format!("/workflows?limit=250{cursor}"), None);
        assert_eq!(status, 200, "{page}");
        for wf in page["data"].as_array().unwrap() {
            let marker = &wf["staticData"]["flowgate"];
            if marker["environment"] == env
                && marker["bundle"] == bundle
                && marker["kind"] == "workflow"
            {
                out.insert(marker["file"].as_str().unwrap().to_owned(), wf.clone());
            }
        }
        match page["nextCursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => return out,
        }
    }
}

fn tag_names(wf: &Value) -> Vec<String> {
    let mut names: Vec<String> = wf["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

fn target(n8n: &N8n, env: &str) -> N8nTarget {
    N8nTarget::new(&n8n.url, &n8n.key, env)
}

fn file(wfs: &BTreeMap<String, Value>, name: &str) -> Value {
    wfs[&format!("platform/n8n/{name}")].clone()
}

#[test]
fn deploys_create_workflows_with_tags_activation_and_stable_ids() {
    if !enabled() {
        return;
    }
    let n8n = shared();
    let t = target(n8n, "create");
    let v1 = rendered(&[
        ("lead.json", workflow("Lead intake", "v1", true)),
        ("nurture.json", workflow("Nurture", "v1", false)),
    ]);
    deploy(&t, "leads", &v1, &manifest("create", "leads", "1.0.0")).unwrap();
    let first = held(n8n, "create", "leads");
    assert_eq!(first.len(), 2);
    let lead = file(&first, "lead.json");
    assert_eq!(lead["name"], "Lead intake");
    assert_eq!(lead["active"], true);
    assert_eq!(file(&first, "nurture.json")["active"], false);
    assert_eq!(tag_names(&lead), vec!["env:create", "release:LI-1.0.0"]);

    let live = t.inspect("leads").unwrap().unwrap();
    assert_eq!(live.manifest["snapshot"], "snap-leads-1.0.0");
    assert_eq!(live.manifest["version"], "1.0.0");
    assert!(live.drift.is_empty(), "{:?}", live.drift);

    // The same rendering again: nothing is written.
    deploy(&t, "leads", &v1, &manifest("create", "leads", "1.0.0")).unwrap();
    let again = held(n8n, "create", "leads");
    for (f, wf) in &first {
        assert_eq!(wf["updatedAt"], again[f]["updatedAt"], "{f} was touched");
        assert_eq!(wf["versionId"], again[f]["versionId"], "{f} was touched");
    }

    // A new release: the changed workflow is updated in place, activation follows the
    // bundle, every workflow carries the new release tag and not the old one.
    let v2 = rendered(&[
        ("lead.json", workflow("Lead intake", "v2", false)),
        ("nurture.json", workflow("Nurture", "v1", true)),
    ]);
    deploy(&t, "leads", &v2, &manifest("create", "leads", "1.1.0")).unwrap();
    let second = held(n8n, "create", "leads");
    for (f, wf) in &first {
        assert_eq!(wf["id"], second[f]["id"], "{f} got another id");
        assert_eq!(
            tag_names(&second[f]),
            vec!["env:create", "release:LI-1.1.0"]
        );
    }
    let lead = file(&second, "lead.json");
    assert_eq!(lead["active"], false);
    assert_eq!(
        lead["nodes"][1]["parameters"]["assignments"]["assignments"][0]["value"],
        "v2"
    );
    assert_eq!(file(&second, "nurture.json")["active"], true);
    let nurture_before = file(&first, "nurture.json");
    assert_eq!(
        file(&second, "nurture.json")["versionId"],
        nurture_before["versionId"],
        "an unchanged workflow's content was rewritten"
    );
    assert_eq!(
        t.inspect("leads").unwrap().unwrap().manifest["version"],
        "1.1.0"
    );

    // Rollback: the first release again, same ids.
    deploy(&t, "leads", &v1, &manifest("create", "leads", "1.0.0")).unwrap();
    let back = held(n8n, "create", "leads");
    let lead = file(&back, "lead.json");
    assert_eq!(lead["id"], file(&first, "lead.json")["id"]);
    assert_eq!(lead["active"], true);
    assert_eq!(
        lead["nodes"][1]["parameters"]["assignments"]["assignments"][0]["value"],
        "v1"
    );
    assert_eq!(tag_names(&lead), vec!["env:create", "release:LI-1.0.0"]);
    let live = t.inspect("leads").unwrap().unwrap();
    assert_eq!(live.manifest["snapshot"], "snap-leads-1.0.0");
    assert!(live.drift.is_empty(), "{:?}", live.drift);
}

#[test]
fn other_bundles_survive_and_dropped_workflows_are_removed() {
    if !enabled() {
        return;
    }
    let n8n = shared();
    let t = target(n8n, "many");
    let a = rendered(&[
        ("a1.json", workflow("A one", "x", false)),
        ("a2.json", workflow("A two", "x", false)),
    ]);
    let b = rendered(&[("b1.json", workflow("B one", "x", false))]);
    deploy(&t, "bundle-a", &a, &manifest("many", "bundle-a", "1.0.0")).unwrap();
    deploy(&t, "bundle-b", &b, &manifest("many", "bundle-b", "1.0.0")).unwrap();
    // The same bundle in another environment of the same instance is another set.
    let other_env = target(n8n, "many-other");
    deploy(
        &other_env,
        "bundle-a",
        &a,
        &manifest("many-other", "bundle-a", "1.0.0"),
    )
    .unwrap();

    let a_only_one = rendered(&[("a1.json", workflow("A one", "x", false))]);
    deploy(
        &t,
        "bundle-a",
        &a_only_one,
        &manifest("many", "bundle-a", "1.1.0"),
    )
    .unwrap();
    assert_eq!(held(n8n, "many", "bundle-a").len(), 1);
    assert_eq!(held(n8n, "many", "bundle-b").len(), 1);
    assert_eq!(held(n8n, "many-other", "bundle-a").len(), 2);
    assert!(t.inspect("bundle-b").unwrap().unwrap().drift.is_empty());
    assert!(t.inspect("nothing-here").unwrap().is_none());
}

#[test]
fn an_edit_in_n8n_makes_the_next_stage_a_conflict() {
    if !enabled() {
        return;
    }
    let n8n = shared();
    let t = target(n8n, "edit");
    let v1 = rendered(&[("lead.json", workflow("Lead intake", "v1", false))]);
    deploy(&t, "leads", &v1, &manifest("edit", "leads", "1.0.0")).unwrap();
    let wf = file(&held(n8n, "edit", "leads"), "lead.json");
    let id = wf["id"].as_str().unwrap();

    // An edit through n8n's own API, as its editor would make.
    let mut edited = json!({
        "name": wf["name"], "nodes": wf["nodes"], "connections": wf["connections"],
        "settings": wf["settings"], "staticData": wf["staticData"],
    });
    edited["nodes"][1]["parameters"]["assignments"]["assignments"][0]["value"] = json!("hotfix");
    let (status, body) = n8n.api("PUT", &format!("/workflows/{id}"), Some(&edited));
    assert_eq!(status, 200, "{body}");

    let live = t.inspect("leads").unwrap().unwrap();
    assert_eq!(
        live.drift,
        vec!["modified: workflow \"Lead intake\" (edited in n8n)"]
    );
    let v2 = rendered(&[("lead.json", workflow("Lead intake", "v2", false))]);
    let error = t
        .stage("leads", &v2, &manifest("edit", "leads", "1.1.0"))
        .unwrap_err();
    assert_eq!(error.failure, TargetFailure::Conflict, "{error}");
    assert!(error.to_string().contains("\"Lead intake\""), "{error}");
    // Nothing was written.
    let after = file(&held(n8n, "edit", "leads"), "lead.json");
    assert_eq!(
        after["nodes"][1]["parameters"]["assignments"]["assignments"][0]["value"],
        "hotfix"
    );
}

#[test]
fn an_edit_between_stage_and_activate_is_a_conflict() {
    if !enabled() {
        return;
    }
    let n8n = shared();
    let t = target(n8n, "race");
    let v1 = rendered(&[("lead.json", workflow("Lead intake", "v1", false))]);
    deploy(&t, "leads", &v1, &manifest("race", "leads", "1.0.0")).unwrap();
    let v2 = rendered(&[("lead.json", workflow("Lead intake", "v2", false))]);
    let staged = t
        .stage("leads", &v2, &manifest("race", "leads", "1.1.0"))
        .unwrap();
    let wf = file(&held(n8n, "race", "leads"), "lead.json");
    let id = wf["id"].as_str().unwrap();
    let rename = json!({
        "name": "Lead intake (renamed in n8n)", "nodes": wf["nodes"],
        "connections": wf["connections"], "settings": wf["settings"],
    });
    assert_eq!(
        n8n.api("PUT", &format!("/workflows/{id}"), Some(&rename)).0,
        200
    );
    let error = t.activate(&staged).unwrap_err();
    assert_eq!(error.failure, TargetFailure::Conflict, "{error}");
    assert_eq!(
        t.inspect("leads").unwrap().unwrap().manifest["version"],
        "1.0.0"
    );
}

#[test]
fn credentials_are_resolved_by_name_never_copied() {
    if !enabled() {
        return;
    }
    let n8n = shared();
    let (status, made) = n8n.api(
        "POST",
        "/credentials",
        Some(&json!({ "name": "CRM header", "type": "httpHeaderAuth",
                      "data": { "name": "X-Key", "value": "s3cret" } })),
    );
    assert_eq!(status, 200, "{made}");
    let mut wf = workflow("Push to CRM", "x", false);
    wf["nodes"].as_array_mut().unwrap().push(json!({
        "name": "Call CRM", "type": "n8n-nodes-base.httpRequest", "typeVersion": 4.2,
        "position": [440, 0],
        "parameters": { "url": "https://crm.example/leads", "authentication": "genericCredentialType",
                        "genericAuthType": "httpHeaderAuth" },
        "credentials": { "httpHeaderAuth": { "id": "id-in-another-instance", "name": "CRM header" } },
    }));
    let t = target(n8n, "creds");
    deploy(
        &t,
        "crm",
        &rendered(&[("crm.json", wf.clone())]),
        &manifest("creds", "crm", "1.0.0"),
    )
    .unwrap();
    let stored = file(&held(n8n, "creds", "crm"), "crm.json");
    assert_eq!(
        stored["nodes"][2]["credentials"]["httpHeaderAuth"]["id"],
        made["id"]
    );
    assert!(!stored.to_string().contains("s3cret"));

    wf["nodes"][2]["credentials"] =
        json!({ "httpHeaderAuth": { "id": "1", "name": "No such credential" } });
    let error = deploy(
        &t,
        "crm",
        &rendered(&[("crm.json", wf)]),
        &manifest("creds", "crm", "1.1.0"),
    )
    .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("\"No such credential\" (httpHeaderAuth)"),
        "{error}"
    );
    assert_eq!(
        t.inspect("crm").unwrap().unwrap().manifest["version"],
        "1.0.0"
    );
}

#[test]
fn pull_returns_the_workflows_as_n8n_holds_them() {
    if !enabled() {
        return;
    }
    let n8n = shared();
    let t = target(n8n, "pull");
    let v1 = rendered(&[("lead.json", workflow("Lead intake", "v1", false))]);
    deploy(&t, "leads", &v1, &manifest("pull", "leads", "1.0.0")).unwrap();
    let pulled = t.pull("leads").unwrap().unwrap();
    assert_eq!(pulled.manifest["version"], "1.0.0");
    let doc: Value = serde_json::from_slice(&pulled.files["platform/n8n/lead.json"]).unwrap();
    assert_eq!(doc["name"], "Lead intake");
    assert_eq!(
        doc["nodes"][1]["parameters"]["assignments"]["assignments"][0]["value"],
        "v1"
    );
    assert!(doc.get("staticData").is_none(), "{doc}");
    assert!(
        doc.get("tags").is_none(),
        "the deployment's env:/release: tags are not content: {doc}"
    );
    assert!(t.pull("none").unwrap().is_none());
}

/// `workflow` with `settings` instead of the default ones.
fn with_settings(name: &str, settings: Value) -> Value {
    let mut wf = workflow(name, "v1", false);
    wf["settings"] = settings;
    wf
}

#[test]
fn a_setting_a_new_version_leaves_out_is_unset_on_the_instance() {
    if !enabled() {
        return;
    }
    let n8n = shared();
    let t = target(n8n, "settings");
    let rich = json!({
        "executionOrder": "v1", "timezone": "Europe/Berlin", "errorWorkflow": "abc123",
        "saveManualExecutions": false, "callerPolicy": "any", "executionTimeout": 300,
    });
    let v1 = rendered(&[("lead.json", with_settings("Lead intake", rich.clone()))]);
    deploy(&t, "leads", &v1, &manifest("settings", "leads", "1.0.0")).unwrap();
    let first = file(&held(n8n, "settings", "leads"), "lead.json");
    assert_eq!(first["settings"]["timezone"], "Europe/Berlin", "{first}");

    // n8n merges settings on update: without the reset, every one of these would stay.
    let plain = json!({ "executionOrder": "v1" });
    let v2 = rendered(&[("lead.json", with_settings("Lead intake", plain.clone()))]);
    deploy(&t, "leads", &v2, &manifest("settings", "leads", "1.1.0")).unwrap();
    let second = file(&held(n8n, "settings", "leads"), "lead.json");
    let settings = &second["settings"];
    assert!(settings.get("timezone").is_none(), "{settings}");
    assert_eq!(settings["errorWorkflow"], "", "{settings}");
    assert_eq!(settings["saveManualExecutions"], true, "{settings}");
    assert_eq!(
        settings["callerPolicy"], "workflowsFromSameOwner",
        "{settings}"
    );
    assert!(
        settings.get("executionTimeout").is_none() || settings["executionTimeout"] == -1,
        "{settings}"
    );
    assert!(t.inspect("leads").unwrap().unwrap().drift.is_empty());

    // Pull shows the release's settings, not the values standing for "not set".
    let pulled = t.pull("leads").unwrap().unwrap();
    let doc: Value = serde_json::from_slice(&pulled.files["platform/n8n/lead.json"]).unwrap();
    assert_eq!(doc["settings"], plain, "{doc}");

    // The same release again writes nothing; a rollback brings every setting back.
    deploy(&t, "leads", &v2, &manifest("settings", "leads", "1.1.0")).unwrap();
    let again = file(&held(n8n, "settings", "leads"), "lead.json");
    assert_eq!(
        again["versionId"], second["versionId"],
        "rewritten: {again}"
    );
    deploy(&t, "leads", &v1, &manifest("settings", "leads", "1.0.0")).unwrap();
    let back = file(&held(n8n, "settings", "leads"), "lead.json");
    for (key, value) in rich.as_object().unwrap() {
        assert_eq!(&back["settings"][key], value, "{key}: {back}");
    }
    assert!(t.inspect("leads").unwrap().unwrap().drift.is_empty());
}

#[test]
fn a_wrong_key_is_denied() {
    if !enabled() {
        return;
    }
    let n8n = shared();
    let t = N8nTarget::new(&n8n.url, "not-the-key", "denied");
    let error = t.inspect("leads").unwrap_err();
    assert_eq!(error.failure, TargetFailure::Denied, "{error}");
    assert!(!error.to_string().contains("not-the-key"), "{error}");
}

#[test]
fn a_stopped_or_killed_instance_fails_clearly_and_a_rerun_converges() {
    if !enabled() {
        return;
    }
    let mut n8n = N8n::start();
    let t = target(&n8n, "crash");
    let v1: Vec<(String, Value)> = (0..30)
        .map(|i| {
            (
                format!("w{i:02}.json"),
                workflow(&format!("Flow {i}"), "v1", false),
            )
        })
        .collect();
    let as_refs = |v: &[(String, Value)]| -> Rendered {
        rendered(
            &v.iter()
                .map(|(f, w)| (f.as_str(), w.clone()))
                .collect::<Vec<_>>(),
        )
    };
    deploy(&t, "big", &as_refs(&v1), &manifest("crash", "big", "1.0.0")).unwrap();
    let ids: BTreeMap<String, Value> = held(&n8n, "crash", "big")
        .into_iter()
        .map(|(f, w)| (f, w["id"].clone()))
        .collect();

    // Kill n8n in the middle of the deployment of 1.1.0.
    let v2: Vec<(String, Value)> = (0..30)
        .map(|i| {
            (
                format!("w{i:02}.json"),
                workflow(&format!("Flow {i}"), "v2", i % 2 == 0),
            )
        })
        .collect();
    let staged = t
        .stage("big", &as_refs(&v2), &manifest("crash", "big", "1.1.0"))
        .unwrap();
    let outcome = std::thread::scope(|s| {
        let run = s.spawn(|| t.activate(&staged));
        // Wait until some workflows hold 1.1.0, then kill.
        let started = std::time::Instant::now();
        loop {
            let (_, page) = n8n.api("GET", "/workflows?limit=250", None);
            let done = page["data"]
                .as_array()
                .map(|d| {
                    d.iter()
                        .filter(|w| w["staticData"]["flowgate"]["version"] == "1.1.0")
                        .count()
                })
                .unwrap_or(0);
            if done >= 3 || started.elapsed() > std::time::Duration::from_secs(60) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        n8n.kill();
        run.join().unwrap()
    });
    let error = outcome.unwrap_err();
    assert_eq!(error.failure, TargetFailure::Unreachable, "{error}");

    // Stopped: every call is Unreachable, with the address in the message.
    let error = t.inspect("big").unwrap_err();
    assert_eq!(error.failure, TargetFailure::Unreachable, "{error}");
    assert!(error.to_string().contains(&n8n.url), "{error}");

    // Back up: the record still names 1.0.0, the half-applied workflows show as drift, and
    // deploying 1.1.0 again converges without a conflict.
    n8n.restart();
    let t = target(&n8n, "crash");
    let live = t.inspect("big").unwrap().unwrap();
    assert_eq!(live.manifest["version"], "1.0.0");
    assert!(
        live.drift
            .iter()
            .any(|d| d.contains("holds another deployment")),
        "{:?}",
        live.drift
    );
    deploy(&t, "big", &as_refs(&v2), &manifest("crash", "big", "1.1.0")).unwrap();
    let live = t.inspect("big").unwrap().unwrap();
    assert_eq!(live.manifest["version"], "1.1.0");
    assert!(live.drift.is_empty(), "{:?}", live.drift);
    let after = held(&n8n, "crash", "big");
    assert_eq!(after.len(), 30);
    for (f, wf) in &after {
        assert_eq!(&wf["id"], &ids[f], "{f} got another id");
        let i: usize = f[14..16].parse().unwrap();
        assert_eq!(wf["active"], i % 2 == 0, "{f}");
    }
}

/// Deploy times of a 50-workflow bundle from the corpus (credentials stripped, inactive):
/// first deploy, a no-op re-deploy and a release changing every workflow. Run with
/// `cargo test --release -p flowgate-targets --test n8n deploy_times -- --ignored --nocapture`.
#[test]
#[ignore = "a measurement; run by hand"]
fn deploy_times_of_a_50_workflow_bundle() {
    if !enabled() {
        return;
    }
    let n8n = shared();
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/n8n/zie619/workflows");
    let mut paths: Vec<_> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    let mut docs = Vec::new();
    for path in paths {
        let Ok(mut doc) = serde_json::from_slice::<Value>(&std::fs::read(&path).unwrap()) else {
            continue;
        };
        let Some(nodes) = doc["nodes"].as_array_mut() else {
            continue;
        };
        for node in nodes.iter_mut() {
            if let Some(n) = node.as_object_mut() {
                n.remove("credentials");
            }
        }
        if doc["name"].as_str().is_none_or(str::is_empty) {
            continue;
        }
        doc["active"] = json!(false);
        docs.push((
            path.file_name().unwrap().to_string_lossy().into_owned(),
            doc,
        ));
        if docs.len() == 50 {
            break;
        }
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (mut first, mut noop, mut change) = (Vec::new(), Vec::new(), Vec::new());
    for run in 0..5 {
        let env = format!("bench-{run}");
        let t = target(n8n, &env);
        let files = |tag: &str| {
            let list: Vec<(String, Value)> = docs
                .iter()
                .map(|(f, d)| {
                    let mut d = d.clone();
                    d["settings"] = json!({ "executionOrder": "v1", "callerIds": tag });
                    (f.clone(), d)
                })
                .collect();
            rendered(
                &list
                    .iter()
                    .map(|(f, d)| (f.as_str(), d.clone()))
                    .collect::<Vec<_>>(),
            )
        };
        let (v1, v2) = (files("1"), files("2"));
        let time = |r: &Rendered, v: &str| {
            let started = std::time::Instant::now();
            deploy(&t, "bench", r, &manifest(&env, "bench", v)).unwrap();
            started.elapsed().as_secs_f64() * 1000.0
        };
        first.push(time(&v1, "1.0.0"));
        noop.push(time(&v1, "1.0.0"));
        change.push(time(&v2, "1.1.0"));
    }
    eprintln!(
        "50 workflows, median of 5 (ms): first deploy {:.0}, unchanged re-deploy {:.0}, every workflow changed {:.0}",
        median(first),
        median(noop),
        median(change)
    );
}

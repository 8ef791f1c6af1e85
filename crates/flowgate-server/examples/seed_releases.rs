//! Builds a workspace and a store with many releases, for load tests of `flowgate serve`:
//!
//! ```sh
//! cargo run --release -p flowgate-server --example seed_releases -- DIR 10000
//! flowgate serve -C DIR --listen 127.0.0.1:8080 &
//! wrk -t2 -c100 -d30s --latency -H "Authorization: Bearer $(cat DIR/token)" http://127.0.0.1:8080/
//! ```
//!
//! DIR gets a `flowgate.toml` (people and dev → stage → prod with approvals), a store in
//! `.flowgate/store.db` in which ten bundles have RELEASES versions between them, every one
//! planned, approved and applied through all three environments (four operations per
//! environment), an API token for mara in `DIR/token`, and the id of a plan waiting for
//! approval in `DIR/plan`.
#![allow(clippy::print_stdout, clippy::expect_used, missing_docs)]

use flowgate_diagnostics::SourceText;
use flowgate_release::{Policy, Promotions};
use flowgate_store::{AnyStore, Entry, NewSnapshot, NewToken, Object, SnapshotKey, Store};
use serde_json::json;
use std::path::Path;

const CONFIG: &str = r#"[workspace]
name = "load"

[people.mara]
roles = ["marketing-ops"]
[people.jonas]
roles = ["revops"]
[people.tom]
roles = ["builder"]

[environments.dev]
[environments.stage]
[environments.prod]
[environments.prod.gates]
promoters = ["marketing-ops", "revops"]
[environments.prod.raci]
accountable = ["marketing-ops"]
responsible = ["revops"]
"#;

const BUNDLES: usize = 10;

async fn freeze(store: &AnyStore, bundle: &str, version: &str) -> flowgate_store::Snapshot {
    let template = json!({ "kind": "Template", "id": format!("{bundle}-mail"), "name": "Mail",
        "channel": "email", "subject": format!("Hello from {version}"),
        "body": "<p>Hi {{ contact.first_name | default('there') }}</p>",
        "from": { "name": "Acme", "address": "hello@acme.example" } });
    let object = Object::from_json(&template);
    let created = store
        .create_snapshot(
            &NewSnapshot {
                bundle: bundle.to_owned(),
                version: version.to_owned(),
                created_at: "2026-11-20T09:00:00Z".parse().expect("a date"),
                author: "tom".to_owned(),
                manifest: json!({ "check": { "errors": 0, "warnings": 0 }, "release_id": format!("R-{version}") }),
                entries: vec![Entry { kind: "Template".into(), id: format!("{bundle}-mail"), object: object.id(), path: None }],
            },
            &[object],
        )
        .await
        .expect("snapshot");
    store
        .get_snapshot(SnapshotKey::Id(&created.id))
        .await
        .expect("read")
        .expect("stored")
}

async fn promote(
    promotions: &Promotions<'_, AnyStore>,
    snapshot: &flowgate_store::Snapshot,
    env: &str,
) -> String {
    let report = promotions
        .plan(snapshot, env, Some("mara"))
        .await
        .expect("plan");
    promotions
        .record_plan(&report, "mara")
        .await
        .expect("record");
    if env == "prod" {
        for person in ["mara", "jonas"] {
            promotions
                .approve(&report.plan, person, None, None)
                .await
                .expect("approve");
        }
    }
    promotions.apply(&report.plan, "mara").await.expect("apply");
    report.id
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("usage: seed_releases DIR [RELEASES]");
    let releases: usize = args.next().map_or(10_000, |n| n.parse().expect("a number"));
    let dir = Path::new(&dir);
    std::fs::create_dir_all(dir.join(".flowgate")).expect("create DIR");
    std::fs::write(dir.join("flowgate.toml"), CONFIG).expect("write flowgate.toml");
    let config = flowgate_load::parse_config(CONFIG).expect("config");
    let policy = Policy::from_config(&config, &SourceText::new("flowgate.toml", CONFIG), dir)
        .expect("policy");
    let store = flowgate_store::open_store(dir.join(".flowgate/store.db").to_str().expect("utf-8"))
        .await
        .expect("store");
    let promotions = Promotions::new(&store, &policy, chrono::Utc::now());
    let started = std::time::Instant::now();
    for n in 0..releases {
        let bundle = format!("bundle-{}", n % BUNDLES);
        let version = format!("1.{}.0", n / BUNDLES);
        let snapshot = freeze(&store, &bundle, &version).await;
        for env in ["dev", "stage", "prod"] {
            promote(&promotions, &snapshot, env).await;
        }
        if n % 500 == 499 {
            println!("{} releases in {:.0?}", n + 1, started.elapsed());
        }
    }
    let next = freeze(
        &store,
        "bundle-0",
        &format!("1.{}.0", releases / BUNDLES + 1),
    )
    .await;
    let waiting = promotions
        .plan(&next, "prod", Some("mara"))
        .await
        .expect("plan");
    promotions
        .record_plan(&waiting, "mara")
        .await
        .expect("record");
    let secret = flowgate_server::secret::generate(flowgate_server::TOKEN_PREFIX).expect("random");
    let hash = flowgate_server::secret::hash(&secret);
    store
        .accounts()
        .create_token(&NewToken {
            id: "tok_load",
            hash: &hash,
            person: "mara",
            name: "load test",
            expires_at: None,
        })
        .await
        .expect("token");
    std::fs::write(dir.join("token"), &secret).expect("write token");
    std::fs::write(dir.join("plan"), &waiting.id).expect("write plan");
    store.close().await;
    println!(
        "{releases} releases in {:.1?}; waiting plan {}",
        started.elapsed(),
        waiting.id
    );
}

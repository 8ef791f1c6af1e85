//! A real server on a loopback port over a temporary SQLite store with a small policy, and a
//! plain HTTP client for what the command line and CI do (plans, approvals, applies).

use crate::policy::policy;
use flowgate_server::{router, secret, AppState, ServeOptions};
use flowgate_store::{AnyStore, Entry, NewSnapshot, NewToken, Object, Store};
use serde_json::{json, Value};
use std::net::SocketAddr;

/// The password every person of these tests logs in with.
pub const PASSWORD: &str = "correct horse battery staple";

/// `flowgate serve` on 127.0.0.1 (a free port) over its own store; stopped when dropped.
pub struct Server {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    pub store: AnyStore,
    task: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What a plain HTTP request got back.
pub struct Reply {
    pub status: u16,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

impl Server {
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = flowgate_store::open_store(dir.path().join("store.db").to_str().unwrap())
            .await
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let app = router(AppState::new(ServeOptions {
            store: store.clone(),
            policy: policy(),
            workspace: "acme".to_owned(),
            public_url: url.clone(),
            notify: Vec::new(),
            retry: flowgate_server::notify::Retry::default(),
            drift_check: flowgate_server::DEFAULT_DRIFT_CHECK,
            root: dir.path().to_owned(),
            oidc: None,
        }));
        let task = tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .unwrap();
        });
        Self {
            url,
            store,
            task,
            _dir: dir,
        }
    }

    /// Gives `person` the password [`PASSWORD`] through the store's accounts.
    pub async fn set_password(&self, person: &str) {
        let phc = flowgate_server::password::hash(PASSWORD).unwrap();
        self.store
            .accounts()
            .set_password(person, &phc)
            .await
            .unwrap();
    }

    /// A new API token for `person`, stored directly.
    pub async fn token(&self, person: &str) -> String {
        let secret = secret::generate(flowgate_server::TOKEN_PREFIX).unwrap();
        let hash = secret::hash(&secret);
        let id = format!("tok_{}", &hash[..12]);
        let token = NewToken {
            id: &id,
            hash: &hash,
            person,
            name: "browser tests",
            expires_at: None,
        };
        self.store.accounts().create_token(&token).await.unwrap();
        secret
    }

    /// Freezes `bundle@version` holding one template named `name` whose subject is `subject`.
    pub async fn snapshot(&self, bundle: &str, version: &str, name: &str, subject: &str) {
        let template = json!({ "kind": "Template", "id": "welcome", "name": name,
            "channel": "email", "subject": subject,
            "from": { "name": "Acme", "address": "hello@acme.example" } });
        let object = Object::from_json(&template);
        let snapshot = NewSnapshot {
            bundle: bundle.to_owned(),
            version: version.to_owned(),
            created_at: "2026-11-20T09:00:00Z".parse().unwrap(),
            author: "tom".to_owned(),
            manifest: json!({ "check": { "errors": 0, "warnings": 0 },
                              "release_id": format!("LI-{version}") }),
            entries: vec![Entry {
                kind: "Template".into(),
                id: "welcome".into(),
                object: object.id(),
                path: None,
            }],
        };
        self.store
            .create_snapshot(&snapshot, &[object])
            .await
            .unwrap();
    }

    /// A request over TCP, as any HTTP client sends it; `body` is (content type, text).
    pub async fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<(&str, String)>,
    ) -> Reply {
        let mut request = ureq::http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.url));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let body = body.map(|(kind, text)| (kind.to_owned(), text));
        tokio::task::spawn_blocking(move || {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .max_redirects(0)
                .build()
                .into();
            let sent = match body {
                Some((kind, text)) => {
                    agent.run(request.header("content-type", kind).body(text).unwrap())
                }
                None => agent.run(request.body(()).unwrap()),
            };
            let mut response = sent.unwrap();
            Reply {
                status: response.status().as_u16(),
                body: response.body_mut().read_to_string().unwrap_or_default(),
            }
        })
        .await
        .unwrap()
    }

    /// A JSON request with an API token, as the command line sends it.
    pub async fn api(&self, method: &str, path: &str, token: &str, body: Value) -> Reply {
        let bearer = format!("Bearer {token}");
        let headers = [("accept", "application/json"), ("authorization", &bearer)];
        let body = (!body.is_null()).then(|| ("application/json", body.to_string()));
        self.request(method, path, &headers, body).await
    }

    /// Plans `reference` into `env` as the token's person; the plan id.
    pub async fn plan(&self, token: &str, reference: &str, env: &str) -> String {
        let body = json!({ "snapshot": reference, "env": env });
        let reply = self.api("POST", "/plans", token, body).await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        reply.json()["id"].as_str().unwrap().to_owned()
    }

    /// `action` (`approve`, `apply`, …) on `plan` with a token; must succeed.
    pub async fn act(&self, token: &str, plan: &str, action: &str) {
        let path = format!("/plans/{plan}/{action}");
        let reply = self.api("POST", &path, token, json!({})).await;
        assert_eq!(reply.status, 200, "{action}: {}", reply.body);
    }

    /// A server whose prod holds welcome 1.0.0 (planned, approved by mara and jonas, applied),
    /// and a plan by tom, waiting for approvals, of welcome 1.1.0 with a template named `name`
    /// whose subject is `subject`; the plan's id.
    pub async fn with_plan(name: &str, subject: &str) -> (Self, String) {
        let server = Self::start().await;
        server
            .snapshot("welcome", "1.0.0", "Welcome email", "Hello")
            .await;
        let (mara, jonas) = (server.token("mara").await, server.token("jonas").await);
        let first = server.plan(&mara, "welcome@1.0.0", "prod").await;
        server.act(&mara, &first, "approve").await;
        server.act(&jonas, &first, "approve").await;
        server.act(&mara, &first, "apply").await;
        server.snapshot("welcome", "1.1.0", name, subject).await;
        let tom = server.token("tom").await;
        let plan = server.plan(&tom, "welcome@1.1.0", "prod").await;
        (server, plan)
    }
}

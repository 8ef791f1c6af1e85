//! A server over a temporary SQLite store with a small policy, driven in process.

use crate::policy::policy;
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use flowgate_server::{router, secret, AppState, ServeOptions};
use flowgate_store::{AnyStore, Entry, NewSnapshot, NewToken, Object, Snapshot, Store};
use serde_json::{json, Value};
use tower::ServiceExt;

pub struct TestServer {
    pub app: Router,
    pub state: AppState,
    pub store: AnyStore,
    _dir: tempfile::TempDir,
}

/// What a request returned.
pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The value of cookie `name` this answer sets.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| {
                v.strip_prefix(&format!("{name}="))
                    .map(|rest| rest.split(';').next().unwrap_or_default().to_owned())
            })
    }

    /// The first hidden CSRF field of the page.
    pub fn csrf(&self) -> String {
        let re = regex::Regex::new(r#"name="csrf" value="([0-9a-f]*)""#).unwrap();
        re.captures(&self.body)
            .map(|c| c[1].to_owned())
            .unwrap_or_else(|| panic!("no CSRF field in {}", self.body))
    }
}

impl TestServer {
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("flowgate.toml"), crate::policy::POLICY).unwrap();
        let store = flowgate_store::open_store(dir.path().join("store.db").to_str().unwrap())
            .await
            .unwrap();
        Self::over(store, dir)
    }

    /// A server over `store`.
    pub fn over(store: AnyStore, dir: tempfile::TempDir) -> Self {
        Self::notifying(
            store,
            dir,
            Vec::new(),
            flowgate_server::notify::Retry::default(),
        )
    }

    /// A server over `store` that sends events to `notify`.
    pub fn notifying(
        store: AnyStore,
        dir: tempfile::TempDir,
        notify: Vec<flowgate_server::notify::Target>,
        retry: flowgate_server::notify::Retry,
    ) -> Self {
        Self::with(store, dir, policy(), notify, retry, None)
    }

    /// A server over a new SQLite store whose people may log in through `oidc`.
    pub async fn with_oidc(oidc: flowgate_server::oidc::Settings) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = flowgate_store::open_store(dir.path().join("store.db").to_str().unwrap())
            .await
            .unwrap();
        let retry = flowgate_server::notify::Retry::default();
        Self::with(store, dir, policy(), Vec::new(), retry, Some(oidc))
    }

    /// A server over `store` with `policy`, sending events to `notify`; the workspace root
    /// is `dir`.
    pub fn with_policy(
        store: AnyStore,
        dir: tempfile::TempDir,
        policy: flowgate_release::Policy,
        notify: Vec<flowgate_server::notify::Target>,
        retry: flowgate_server::notify::Retry,
    ) -> Self {
        Self::with(store, dir, policy, notify, retry, None)
    }

    /// A server over `store` with every option; the workspace root is `dir`.
    pub fn with(
        store: AnyStore,
        dir: tempfile::TempDir,
        policy: flowgate_release::Policy,
        notify: Vec<flowgate_server::notify::Target>,
        retry: flowgate_server::notify::Retry,
        oidc: Option<flowgate_server::oidc::Settings>,
    ) -> Self {
        let state = AppState::new(ServeOptions {
            store: store.clone(),
            policy,
            workspace: "acme".to_owned(),
            public_url: "http://127.0.0.1:8080".to_owned(),
            notify,
            retry,
            drift_check: flowgate_server::DEFAULT_DRIFT_CHECK,
            root: dir.path().to_owned(),
            oidc,
        });
        Self {
            app: router(state.clone()),
            state,
            store,
            _dir: dir,
        }
    }

    /// Sends a request; `body` is JSON when it starts with `{`, else a form.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Answer {
        let mut request = Request::builder().method(method).uri(path);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if !body.is_empty() {
            let kind = if body.starts_with('{') {
                "application/json"
            } else {
                "application/x-www-form-urlencoded"
            };
            request = request.header(header::CONTENT_TYPE, kind);
        }
        let response = self
            .app
            .clone()
            .oneshot(request.body(Body::from(body.to_owned())).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), 16 << 20)
            .await
            .unwrap();
        Answer {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// A JSON request with `token` (or none).
    pub async fn api(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Value,
    ) -> Answer {
        let bearer = token.map(|t| format!("Bearer {t}"));
        let mut headers = vec![("accept", "application/json")];
        if let Some(bearer) = &bearer {
            headers.push(("authorization", bearer.as_str()));
        }
        let body = if body.is_null() {
            String::new()
        } else {
            body.to_string()
        };
        self.send(method, path, &headers, &body).await
    }

    /// An API token for `person`, stored directly (no password needed).
    pub async fn token(&self, person: &str) -> String {
        let secret = secret::generate(flowgate_server::TOKEN_PREFIX).unwrap();
        let hash = secret::hash(&secret);
        let id = format!("tok_{}", &hash[..12]);
        self.store
            .accounts()
            .create_token(&NewToken {
                id: &id,
                hash: &hash,
                person,
                name: "test",
                expires_at: None,
            })
            .await
            .unwrap();
        secret
    }

    /// Freezes `bundle@version` holding a template whose subject is `subject`.
    pub async fn snapshot(&self, bundle: &str, version: &str, subject: &str) -> Snapshot {
        self.snapshot_checked(
            bundle,
            version,
            subject,
            json!({ "errors": 0, "warnings": 0 }),
        )
        .await
    }

    /// As [`Self::snapshot`], with `check` as the manifest's record of the check run.
    pub async fn snapshot_checked(
        &self,
        bundle: &str,
        version: &str,
        subject: &str,
        check: Value,
    ) -> Snapshot {
        let template = json!({ "kind": "Template", "id": "welcome", "name": "Welcome email",
            "channel": "email", "subject": subject,
            "from": { "name": "Acme", "address": "hello@acme.example" } });
        let object = Object::from_json(&template);
        let created = self
            .store
            .create_snapshot(
                &NewSnapshot {
                    bundle: bundle.to_owned(),
                    version: version.to_owned(),
                    created_at: "2026-11-20T09:00:00Z".parse().unwrap(),
                    author: "tom".to_owned(),
                    manifest: json!({ "check": check, "release_id": format!("LI-{version}") }),
                    entries: vec![Entry {
                        kind: "Template".into(),
                        id: "welcome".into(),
                        object: object.id(),
                        path: None,
                    }],
                },
                &[object],
            )
            .await
            .unwrap();
        self.store
            .get_snapshot(flowgate_store::SnapshotKey::Id(&created.id))
            .await
            .unwrap()
            .unwrap()
    }

    /// Approves `plan` with each of `tokens`, asserting every answer.
    pub async fn approve(&self, plan: &str, tokens: &[&String]) {
        for token in tokens {
            let path = format!("/plans/{plan}/approve");
            let answer = self.api(Method::POST, &path, Some(token), json!({})).await;
            assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        }
    }

    /// Plans `reference` into `env` as the token's person; the plan id.
    pub async fn plan(&self, token: &str, reference: &str, env: &str) -> String {
        let answer = self
            .api(
                Method::POST,
                "/plans",
                Some(token),
                json!({ "snapshot": reference, "env": env }),
            )
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        answer.json()["id"].as_str().unwrap().to_owned()
    }
}

/// `GET path` with `token` as bearer credential; the answer must be 200.
pub async fn get_ok(server: &TestServer, token: &str, path: &str) -> Answer {
    let bearer = format!("Bearer {token}");
    let answer = server
        .send(Method::GET, path, &[("authorization", &bearer)], "")
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.body);
    answer
}

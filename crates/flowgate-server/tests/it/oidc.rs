//! OpenID Connect login against a real provider: `oidc-provider` (npm) run by Node from
//! `tests/oidc/provider.mjs` on a free port. The test plays the browser with plain HTTP: it
//! follows flowgate's redirect to the provider, logs in through the provider's development
//! interaction, and brings the callback back to flowgate with the cookie flowgate set.
//!
//! Without Node or `tests/oidc/node_modules` (`npm ci` there) the tests are skipped with a
//! notice, except under CI, where they fail.

use crate::common::{Answer, TestServer};
use crate::postgres::{drop_schema, in_ci, two_stores};
use axum::http::{Method, StatusCode};
use flowgate_server::oidc::{Claim, Settings};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SECRET: &str = "a client secret for the tests";
const PUBLIC_URL: &str = "http://127.0.0.1:8080";

/// The provider process, stopped when dropped.
struct Idp {
    child: Child,
    url: String,
}

impl Drop for Idp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn skip_or_fail(why: &str) -> Option<Idp> {
    assert!(
        !in_ci(),
        "{why}; under CI the OpenID Connect tests must run"
    );
    eprintln!("skipping: {why}");
    None
}

/// Starts the provider and waits until its discovery document answers.
fn start_idp() -> Option<Idp> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oidc");
    if !dir.join("node_modules/oidc-provider").is_dir() {
        return skip_or_fail("tests/oidc/node_modules is missing (run `npm ci` there)");
    }
    let port = free_port();
    let log = std::env::temp_dir().join(format!("flowgate-oidc-provider-{port}.log"));
    let spawned = Command::new("node")
        .arg("provider.mjs")
        .arg(port.to_string())
        .arg(format!("{PUBLIC_URL}/login/oidc/callback"))
        .arg(SECRET)
        .current_dir(&dir)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn();
    let child = match spawned {
        Ok(child) => child,
        Err(e) => return skip_or_fail(&format!("node does not start ({e})")),
    };
    let idp = Idp {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let discovery = format!("{}/.well-known/openid-configuration", idp.url);
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(20) {
        if agent()
            .get(&discovery)
            .call()
            .is_ok_and(|r| r.status() == 200)
        {
            return Some(idp);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let said = std::fs::read_to_string(&log).unwrap_or_default();
    panic!("the provider did not answer {discovery} within 20 s; it said:\n{said}");
}

fn settings(idp: &Idp, claim: Claim) -> Settings {
    Settings::new(&idp.url, "flowgate", SECRET, claim)
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into()
}

/// A browser at the provider: keeps its cookies (every path), follows nothing by itself.
struct Browser {
    agent: ureq::Agent,
    cookies: BTreeMap<String, String>,
    base: String,
}

impl Browser {
    fn new(base: &str) -> Self {
        Self {
            agent: agent(),
            cookies: BTreeMap::new(),
            base: base.to_owned(),
        }
    }

    fn absolute(&self, url: &str) -> String {
        if url.starts_with('/') {
            format!("{}{url}", self.base)
        } else {
            url.to_owned()
        }
    }

    fn cookie_header(&self) -> String {
        let pairs: Vec<String> = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        pairs.join("; ")
    }

    /// Sends a request; the status and the `Location` it answers.
    fn go(&mut self, url: &str, form: Option<&str>) -> (u16, String) {
        let url = self.absolute(url);
        let cookie = self.cookie_header();
        let response = match form {
            None => self.agent.get(&url).header("cookie", &cookie).call(),
            Some(body) => self
                .agent
                .post(&url)
                .header("cookie", &cookie)
                .content_type("application/x-www-form-urlencoded")
                .send(body),
        }
        .unwrap();
        for value in response.headers().get_all("set-cookie") {
            let pair = value.to_str().unwrap().split(';').next().unwrap();
            if let Some((name, value)) = pair.split_once('=') {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let location = response
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_owned())
            .unwrap_or_default();
        (response.status().as_u16(), location)
    }
}

/// Logs in at the provider as `login` from `authorize` (the URL flowgate redirected to): the
/// path and query of the callback the provider sends the browser to.
fn provider_login(idp_url: &str, authorize: &str, login: &str) -> String {
    let mut browser = Browser::new(idp_url);
    let (status, interaction) = browser.go(authorize, None);
    assert_eq!(status, 303, "the provider asks who logs in");
    let form = format!("prompt=login&login={login}&password=anything");
    let (status, resume) = browser.go(&interaction, Some(&form));
    assert_eq!(status, 303, "the provider takes the login");
    let (status, callback) = browser.go(&resume, None);
    assert_eq!(status, 303, "the provider sends the browser back");
    callback
        .strip_prefix(PUBLIC_URL)
        .unwrap_or_else(|| panic!("the provider sent the browser to {callback}"))
        .to_owned()
}

/// A login in flight: flowgate's binding cookie, and the URL of the provider.
struct Started {
    cookie: String,
    authorize: String,
}

async fn start(server: &TestServer) -> Started {
    let answer = server
        .send(Method::GET, "/login/oidc?next=/inbox", &[], "")
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let set = answer.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    Started {
        cookie: format!("flowgate_oidc={}", answer.cookie("flowgate_oidc").unwrap()),
        authorize: answer.headers["location"].to_str().unwrap().to_owned(),
    }
}

/// The callback flowgate gets after `login` logs in at the provider.
async fn at_provider(idp: &Idp, started: &Started, login: &str) -> String {
    let (url, authorize, login) = (idp.url.clone(), started.authorize.clone(), login.to_owned());
    tokio::task::spawn_blocking(move || provider_login(&url, &authorize, &login))
        .await
        .unwrap()
}

async fn back(server: &TestServer, callback: &str, cookie: &str) -> Answer {
    server
        .send(Method::GET, callback, &[("cookie", cookie)], "")
        .await
}

async fn me(server: &TestServer, answer: &Answer) -> serde_json::Value {
    let session = answer.cookie("flowgate_session").expect("a session cookie");
    let cookie = format!("flowgate_session={session}");
    let me = server
        .send(
            Method::GET,
            "/api/me",
            &[("cookie", &cookie), ("accept", "application/json")],
            "",
        )
        .await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    me.json()
}

fn refused(answer: &Answer, words: &str) {
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.body);
    assert!(answer.body.contains(words), "`{words}` in {}", answer.body);
    assert!(answer.cookie("flowgate_session").is_none(), "no session");
}

#[tokio::test]
async fn a_declared_person_signs_in_once_and_nobody_else_does() {
    let Some(idp) = start_idp() else { return };
    let server = TestServer::with_oidc(settings(&idp, Claim::Email)).await;
    let page = server.send(Method::GET, "/login", &[], "").await;
    assert!(
        page.body.contains(r#"href="/login/oidc?next=/""#)
            && page.body.contains("Sign in with 127.0.0.1"),
        "{}",
        page.body
    );

    let started = start(&server).await;
    assert!(started.authorize.contains("code_challenge_method=S256"));
    assert!(started.authorize.contains("nonce="));
    let callback = at_provider(&idp, &started, "mara").await;
    let answer = back(&server, &callback, &started.cookie).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.headers["refresh"], "0;url=/inbox");
    let me = me(&server, &answer).await;
    assert_eq!(me["person"], "mara");
    assert_eq!(me["credential"], "browser session");

    let replay = back(&server, &callback, &started.cookie).await;
    refused(&replay, "unknown, used, expired");

    let eve = start(&server).await;
    let callback = at_provider(&idp, &eve, "eve").await;
    refused(
        &back(&server, &callback, &eve.cookie).await,
        "nobody listed under [people] in flowgate.toml has the email address eve@elsewhere.example",
    );
    let jonas = start(&server).await;
    let callback = at_provider(&idp, &jonas, "jonas").await;
    refused(
        &back(&server, &callback, &jonas.cookie).await,
        "has not verified the email address",
    );
}

#[tokio::test]
async fn a_tampered_state_or_another_browser_is_refused_and_the_login_stays_usable() {
    let Some(idp) = start_idp() else { return };
    let server = TestServer::with_oidc(settings(&idp, Claim::PreferredUsername)).await;
    let started = start(&server).await;
    let callback = at_provider(&idp, &started, "jonas").await;
    let state = regex::Regex::new("state=([0-9a-f]{64})")
        .unwrap()
        .captures(&callback)
        .unwrap()[1]
        .to_owned();
    let flipped = format!(
        "{}{}",
        &state[..63],
        if state.ends_with('0') { '1' } else { '0' }
    );
    let tampered = callback.replace(&state, &flipped);
    refused(
        &back(&server, &tampered, &started.cookie).await,
        "unknown, used, expired",
    );
    let other = start(&server).await;
    refused(
        &back(&server, &callback, &other.cookie).await,
        "another browser",
    );
    refused(&back(&server, &callback, "").await, "another browser");

    let answer = back(&server, &callback, &started.cookie).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(me(&server, &answer).await["person"], "jonas");
}

/// Makes the provider rewrite its next ID token with `claims` (signed with its own key, or
/// with one it does not publish).
fn forge(idp_url: &str, claims: serde_json::Value) {
    let answer = agent()
        .post(format!("{idp_url}/test/forge"))
        .send_json(claims)
        .unwrap();
    assert_eq!(answer.status(), 204);
}

#[tokio::test]
async fn id_tokens_that_do_not_verify_are_refused() {
    let Some(idp) = start_idp() else { return };
    let server = TestServer::with_oidc(settings(&idp, Claim::Email)).await;
    let cases = [
        (json!({ "aud": "another-client" }), "audience"),
        (json!({ "nonce": "not the nonce" }), "nonce"),
        (json!({ "iss": "http://127.0.0.1:1" }), "issuer"),
        (json!({ "exp": 1_000_000_000 }), "xpired"),
        (json!({ "sign_with": "other" }), "ignature"),
    ];
    for (claims, words) in cases {
        let started = start(&server).await;
        let callback = at_provider(&idp, &started, "mara").await;
        let url = idp.url.clone();
        tokio::task::spawn_blocking(move || forge(&url, claims))
            .await
            .unwrap();
        let answer = back(&server, &callback, &started.cookie).await;
        refused(&answer, words);
    }
    // The nonce the provider is sent is not the one flowgate derived: the real provider puts
    // it into the ID token, and flowgate refuses it.
    let started = start(&server).await;
    let authorize = regex::Regex::new("nonce=[0-9a-f]+").unwrap();
    let changed = Started {
        authorize: authorize
            .replace(&started.authorize, "nonce=0123")
            .into_owned(),
        cookie: started.cookie.clone(),
    };
    let callback = at_provider(&idp, &changed, "mara").await;
    refused(&back(&server, &callback, &started.cookie).await, "nonce");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_started_on_one_server_finishes_on_another() {
    let schema = format!("oidc_{}", std::process::id());
    let Some((a, b)) = two_stores(&schema).await else {
        return;
    };
    let Some(idp) = start_idp() else { return };
    let retry = flowgate_server::notify::Retry::default();
    let dir = || tempfile::tempdir().unwrap();
    let first = TestServer::with(
        a,
        dir(),
        crate::policy::policy(),
        Vec::new(),
        retry,
        Some(settings(&idp, Claim::Subject)),
    );
    let second = TestServer::with(
        b,
        dir(),
        crate::policy::policy(),
        Vec::new(),
        retry,
        Some(settings(&idp, Claim::Subject)),
    );
    let started = start(&first).await;
    let callback = at_provider(&idp, &started, "priya").await;
    let answer = back(&second, &callback, &started.cookie).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(me(&first, &answer).await["person"], "priya");
    refused(
        &back(&first, &callback, &started.cookie).await,
        "unknown, used",
    );
    drop_schema(&schema).await;
}

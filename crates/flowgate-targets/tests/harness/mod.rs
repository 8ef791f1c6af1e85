//! A real Node-RED for tests: started on a free port with a temporary user directory and a
//! generated settings.js (with or without `adminAuth`), waited for, and killed on drop; and
//! small HTTP servers that record what reaches them.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The admin user's password in runtimes started with `adminAuth`.
pub const PASSWORD: &str = "flowgate-test-password";
/// bcrypt of [`PASSWORD`] (cost 8), made with the bcryptjs that ships with Node-RED.
const PASSWORD_HASH: &str = "$2b$08$AUb8PzrwYCNmACSIphDkYOoaKfR.IDX8o7Rqr8LeMbd9rCDDVlAtm";

/// Where `npm ci` puts Node-RED (crates/flowgate-targets/tests/node-red).
pub fn red_js() -> PathBuf {
    // Relative to the crate being tested: this harness also serves the CLI's tests.
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../flowgate-targets/tests/node-red/node_modules/node-red/red.js")
}

/// Whether Node-RED can run here; under CI (`CI=true`) a missing node or Node-RED fails the
/// test, elsewhere the test is skipped with the reason printed.
pub fn available() -> bool {
    let node = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let why = if !node {
        "node is not installed"
    } else if !red_js().is_file() {
        "Node-RED is not installed: run `npm ci` in crates/flowgate-targets/tests/node-red"
    } else {
        return true;
    };
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("the Node-RED tests need a runtime under CI: {why}");
    }
    eprintln!("skipped: {why}");
    false
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A running Node-RED, killed on drop.
pub struct NodeRed {
    child: Child,
    /// Its base URL.
    pub url: String,
    /// Whether it has `adminAuth`.
    pub auth: bool,
    dir: tempfile::TempDir,
}

impl NodeRed {
    /// Starts Node-RED (with `adminAuth` when `auth`), or `None` when it cannot run here
    /// outside CI.
    pub fn start(auth: bool) -> Option<Self> {
        if !available() {
            return None;
        }
        let dir = tempfile::tempdir().expect("a temporary directory");
        let port = free_port();
        let settings = dir.path().join("settings.js");
        std::fs::write(&settings, settings_js(port, auth)).expect("settings.js");
        let red = Self {
            child: spawn(dir.path()),
            url: format!("http://127.0.0.1:{port}"),
            auth,
            dir,
        };
        red.wait_until_up();
        Some(red)
    }

    /// Kills the runtime with SIGKILL (no shutdown of its own) and starts it again on the
    /// same port and user directory, as a crashed and restarted platform would be.
    pub fn kill_and_restart(&mut self) {
        self.stop();
        self.child = spawn(self.dir.path());
        self.wait_until_up();
    }

    fn wait_until_up(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok((status, _)) = request("GET", &format!("{}/flows", self.url), &[], None) {
                if status == 200 || status == 401 {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!("Node-RED did not answer within 60 s: {}", self.log());
    }

    /// What the runtime logged.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("node-red.log")).unwrap_or_default()
    }

    /// An Admin API token (`POST /auth/token`, password grant), or `None` without `adminAuth`.
    pub fn token(&self) -> Option<String> {
        if !self.auth {
            return None;
        }
        let body = format!(
            "client_id=node-red-admin&grant_type=password&scope=*&username=admin&password={PASSWORD}"
        );
        let (status, reply) = request(
            "POST",
            &format!("{}/auth/token", self.url),
            &[("content-type", "application/x-www-form-urlencoded")],
            Some(body.as_bytes()),
        )
        .expect("the token endpoint answers");
        assert_eq!(status, 200, "{reply}");
        let reply: serde_json::Value = serde_json::from_str(&reply).expect("JSON");
        Some(reply["access_token"].as_str().expect("a token").to_owned())
    }

    /// Headers for the Admin API: v2, and the bearer token when there is one.
    pub fn headers(&self) -> Vec<(String, String)> {
        let mut headers = vec![
            ("Node-RED-API-Version".to_owned(), "v2".to_owned()),
            ("content-type".to_owned(), "application/json".to_owned()),
        ];
        if let Some(token) = self.token() {
            headers.push(("Authorization".to_owned(), format!("Bearer {token}")));
        }
        headers
    }

    /// `GET /flows` as the editor reads it: `{ rev, flows }`.
    pub fn flows(&self) -> serde_json::Value {
        let headers = self.headers();
        let headers: Vec<(&str, &str)> = headers
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let (status, body) =
            request("GET", &format!("{}/flows", self.url), &headers, None).expect("GET /flows");
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).expect("JSON")
    }

    /// `POST /flows` as the editor deploys (full, against the rev read).
    pub fn deploy_as_editor(&self, rev: &str, flows: &serde_json::Value) {
        let mut headers = self.headers();
        headers.push(("Node-RED-Deployment-Type".to_owned(), "full".to_owned()));
        let headers: Vec<(&str, &str)> = headers
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let body = serde_json::json!({ "rev": rev, "flows": flows }).to_string();
        let (status, reply) = request(
            "POST",
            &format!("{}/flows", self.url),
            &headers,
            Some(body.as_bytes()),
        )
        .expect("POST /flows");
        assert_eq!(status, 200, "{reply}");
    }

    /// Stops the runtime now.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Node-RED on the settings.js and user directory in `dir`, its output appended to
/// `node-red.log` there.
fn spawn(dir: &std::path::Path) -> Child {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("node-red.log"))
        .expect("a log file");
    Command::new("node")
        .arg(red_js())
        .arg("--settings")
        .arg(dir.join("settings.js"))
        .arg("--userDir")
        .arg(dir)
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("a log file"))
        .stderr(log)
        .spawn()
        .expect("node starts")
}

impl Drop for NodeRed {
    fn drop(&mut self) {
        self.stop();
    }
}

fn settings_js(port: u16, auth: bool) -> String {
    let admin_auth = if auth {
        format!(
            "adminAuth: {{ type: \"credentials\", users: [{{ username: \"admin\", password: \"{PASSWORD_HASH}\", permissions: \"*\" }}] }},"
        )
    } else {
        String::new()
    };
    format!(
        "module.exports = {{\n  uiHost: \"127.0.0.1\",\n  uiPort: {port},\n  flowFile: \"flows.json\",\n  \
         credentialSecret: \"flowgate-tests\",\n  httpNodeRoot: \"/\",\n  {admin_auth}\n  \
         editorTheme: {{ projects: {{ enabled: false }}, tours: false }},\n  \
         logging: {{ console: {{ level: \"warn\", metrics: false, audit: false }} }}\n}};\n"
    )
}

/// One HTTP request with a short timeout: status and body, or the transport error.
pub fn request(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> Result<(u16, String), String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .into();
    let mut builder = ureq::http::Request::builder().method(method).uri(url);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let request = builder
        .body(body.map(<[u8]>::to_vec).unwrap_or_default())
        .map_err(|e| e.to_string())?;
    let mut response = agent.run(request).map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let text = response
        .body_mut()
        .read_to_string()
        .map_err(|e| e.to_string())?;
    Ok((status, text))
}

/// An HTTP server that answers 200 to everything and records each request line, body and
/// `Authorization` header.
pub struct Recorder {
    /// Its base URL.
    pub url: String,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Recorder {
    /// Starts one on a free port (its thread ends with the test process).
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
        let url = format!("http://{}", listener.local_addr().expect("an address"));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = Arc::clone(&seen);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                if let Some(request) = answer(stream) {
                    record.lock().expect("the record").push(request);
                }
            }
        });
        Self { url, seen }
    }

    /// Every request seen so far: `METHOD PATH` and the body.
    pub fn seen(&self) -> Vec<String> {
        self.seen.lock().expect("the record").clone()
    }
}

fn answer(mut stream: TcpStream) -> Option<String> {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut first = String::new();
    reader.read_line(&mut first).ok()?;
    let mut length = 0usize;
    let mut authorization = String::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        if line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
            if name.eq_ignore_ascii_case("authorization") {
                authorization = format!(" [authorization: {}]", value.trim());
            }
        }
    }
    let mut body = vec![0; length.min(1 << 20)];
    reader.read_exact(&mut body).ok()?;
    let reply = b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok";
    let _ = stream.write_all(reply);
    let line: Vec<&str> = first.split_whitespace().take(2).collect();
    Some(format!(
        "{} {}{authorization}",
        line.join(" "),
        String::from_utf8_lossy(&body)
    ))
}

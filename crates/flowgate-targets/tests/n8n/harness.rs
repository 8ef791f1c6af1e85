//! A real n8n for tests: `node_modules/n8n` of this directory (installed by `.ci/n8n` with
//! `npm ci --ignore-scripts`), started on a free port with a temporary user folder and its own
//! database on the test PostgreSQL (`FLOWGATE_TEST_POSTGRES` or `_URL`, default
//! `postgres://postgres@127.0.0.1:5432/test`), its owner set up and an API key created through
//! its own REST API, and killed on drop. PostgreSQL rather than SQLite: n8n's `sqlite3` module
//! compiles from source when its prebuilt binary cannot be downloaded, which took 20 minutes.
//!
//! The suite runs when `FLOWGATE_TEST_N8N=1` (`.ci/n8n` sets it); else it is skipped with a
//! printed reason, so that `cargo test --workspace` does not start n8n twice. When it is
//! asked to run under CI (`CI=true`), a missing node or n8n fails the test.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// How long n8n may take to start (migrations on a fresh database included).
const START_TIMEOUT: Duration = Duration::from_secs(180);

/// The owner the harness sets up.
const EMAIL: &str = "owner@flowgate.test";
const PASSWORD: &str = "Flowgate-test-1";

/// The directory holding package.json and node_modules.
pub fn n8n_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../flowgate-targets/tests/n8n")
}

/// Whether the suite runs here; prints why not, and panics under CI when n8n is missing.
pub fn enabled() -> bool {
    if std::env::var("FLOWGATE_TEST_N8N").as_deref() != Ok("1") {
        eprintln!("skipped: the n8n suite runs from .ci/n8n (set FLOWGATE_TEST_N8N=1)");
        return false;
    }
    let bin = n8n_dir().join("node_modules/n8n/bin/n8n");
    let node = Command::new("node").arg("--version").output().is_ok();
    let why = match (node, bin.exists()) {
        (false, _) => "node is not on PATH",
        (true, false) => "n8n is not installed: run `npm ci` in crates/flowgate-targets/tests/n8n",
        (true, true) => return true,
    };
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("the n8n suite cannot run under CI: {why}");
    }
    eprintln!("skipped: {why}");
    false
}

/// A running n8n.
pub struct N8n {
    /// Its base URL.
    pub url: String,
    /// An API key of its owner.
    pub key: String,
    port: u16,
    folder: tempfile::TempDir,
    database: Database,
    child: Option<Child>,
}

/// One instance shared by the tests of this binary (each uses its own environment names).
pub fn shared() -> &'static N8n {
    static SHARED: OnceLock<N8n> = OnceLock::new();
    SHARED.get_or_init(N8n::start)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

impl N8n {
    /// Starts a fresh instance, with an owner and an API key.
    pub fn start() -> Self {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let port = free_port();
        let mut n8n = Self {
            url: String::new(),
            key: String::new(),
            port,
            folder,
            database: Database::create(port),
            child: None,
        };
        n8n.url = format!("http://127.0.0.1:{}", n8n.port);
        n8n.launch();
        n8n.key = n8n.set_up();
        n8n
    }

    /// Starts the process (with a watchdog that kills it when this test process is gone)
    /// and waits until it answers.
    fn launch(&mut self) {
        let bin = n8n_dir().join("node_modules/n8n/bin/n8n");
        let log = std::fs::File::create(self.folder.path().join("n8n.log")).expect("log");
        let script = "node \"$0\" start & pid=$!; echo $pid > \"$1\"; \
                      while kill -0 \"$2\" 2>/dev/null && kill -0 $pid 2>/dev/null; do sleep 1; done; \
                      kill -9 $pid 2>/dev/null; wait";
        let child = Command::new("bash")
            .args(["-c", script])
            .arg(&bin)
            .arg(self.pid_file())
            .arg(std::process::id().to_string())
            .envs(self.env())
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("bash starts n8n");
        self.child = Some(child);
        self.wait_ready();
    }

    fn pid_file(&self) -> PathBuf {
        self.folder.path().join("n8n.pid")
    }

    fn env(&self) -> Vec<(&'static str, String)> {
        let folder = self.folder.path().display().to_string();
        [
            ("N8N_USER_FOLDER", folder.as_str()),
            ("N8N_PORT", &self.port.to_string()),
            ("N8N_LISTEN_ADDRESS", "127.0.0.1"),
            ("N8N_HOST", "127.0.0.1"),
            ("DB_TYPE", "postgresdb"),
            ("DB_POSTGRESDB_HOST", &self.database.host),
            ("DB_POSTGRESDB_PORT", &self.database.port),
            ("DB_POSTGRESDB_USER", &self.database.user),
            ("DB_POSTGRESDB_PASSWORD", &self.database.password),
            ("DB_POSTGRESDB_DATABASE", &self.database.name),
            ("DB_POSTGRESDB_POOL_SIZE", "2"),
            ("N8N_DIAGNOSTICS_ENABLED", "false"),
            ("N8N_PERSONALIZATION_ENABLED", "false"),
            ("N8N_VERSION_NOTIFICATIONS_ENABLED", "false"),
            ("N8N_TEMPLATES_ENABLED", "false"),
            ("N8N_RUNNERS_ENABLED", "false"),
            ("N8N_SECURE_COOKIE", "false"),
            ("N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS", "false"),
            ("N8N_PUBLIC_API_SWAGGERUI_DISABLED", "true"),
            ("N8N_LOG_LEVEL", "warn"),
            ("N8N_HIRING_BANNER_ENABLED", "false"),
            ("EXECUTIONS_MODE", "regular"),
        ]
        .into_iter()
        .map(|(k, v)| (k, v.to_owned()))
        .collect()
    }

    fn wait_ready(&self) {
        let started = Instant::now();
        let agent = agent();
        loop {
            // `/healthz/readiness` answers before the REST routes exist (while migrations
            // run), and every route answers 200 "n8n is starting up" (HTML) for a while; the
            // settings route answers JSON once n8n serves its API.
            let ready = agent
                .get(&format!("{}/rest/settings", self.url))
                .call()
                .is_ok_and(|r| {
                    r.status() == 200
                        && r.headers()
                            .get("content-type")
                            .and_then(|v| v.to_str().ok())
                            .is_some_and(|v| v.starts_with("application/json"))
                });
            if ready {
                return;
            }
            assert!(
                started.elapsed() < START_TIMEOUT,
                "n8n did not start in {START_TIMEOUT:?}: {}",
                self.log_tail()
            );
            std::thread::sleep(Duration::from_millis(300));
        }
    }

    /// The end of n8n's log, for failure messages.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(self.folder.path().join("n8n.log")).unwrap_or_default();
        let lines: Vec<&str> = text.lines().rev().take(40).collect();
        lines.into_iter().rev().collect::<Vec<_>>().join("\n")
    }

    /// Sets up the owner through `/rest/owner/setup` and creates an API key with every scope
    /// the owner may grant through `/rest/api-keys`; the key.
    fn set_up(&self) -> String {
        let agent = agent();
        let browser = "flowgate-tests";
        let setup = agent
            .post(&format!("{}/rest/owner/setup", self.url))
            .header("browser-id", browser)
            .send_json(json!({
                "email": EMAIL, "firstName": "Flow", "lastName": "Gate", "password": PASSWORD,
            }))
            .expect("owner setup answers");
        assert_eq!(setup.status(), 200, "owner setup: {}", self.log_tail());
        let cookie = setup
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("n8n-auth="))
            .and_then(|c| c.split(';').next())
            .expect("an n8n-auth cookie")
            .to_owned();
        let call = |method: &str, path: &str, body: Option<Value>| -> Value {
            let request = ureq::http::Request::builder()
                .method(method)
                .uri(format!("{}{path}", self.url))
                .header("browser-id", browser)
                .header("cookie", &cookie)
                .header("content-type", "application/json")
                .body(body.map(|b| b.to_string()).unwrap_or_default())
                .expect("request");
            let mut reply = agent.run(request).expect("n8n answers");
            let status = reply.status();
            let text = reply.body_mut().read_to_string().unwrap_or_default();
            assert_eq!(status, 200, "{method} {path}: {text}");
            serde_json::from_str(&text).expect("JSON")
        };
        let scopes = call("GET", "/rest/api-keys/scopes", None)["data"].clone();
        let key = call(
            "POST",
            "/rest/api-keys",
            Some(json!({ "label": "flowgate tests", "scopes": scopes, "expiresAt": null })),
        );
        key["data"]["rawApiKey"]
            .as_str()
            .expect("rawApiKey")
            .to_owned()
    }

    /// Kills n8n at once (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(self.pid_file()) {
            let _ = Command::new("kill").args(["-9", pid.trim()]).status();
        }
        if let Some(mut child) = self.child.take() {
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port and folder (same database and API key).
    pub fn restart(&mut self) {
        self.kill();
        self.launch();
    }

    /// A public API call with this instance's key: status and JSON body.
    pub fn api(&self, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
        let request = ureq::http::Request::builder()
            .method(method)
            .uri(format!("{}/api/v1{path}", self.url))
            .header("x-n8n-api-key", &self.key)
            .header("content-type", "application/json")
            .body(body.map(Value::to_string).unwrap_or_default())
            .expect("request");
        let mut reply = agent().run(request).expect("n8n answers");
        let status = reply.status().as_u16();
        let text = reply.body_mut().read_to_string().unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

impl Drop for N8n {
    fn drop(&mut self) {
        self.kill();
        self.database.drop_now();
    }
}

/// The PostgreSQL database of one n8n instance: `flowgate_n8n_<pid>_<port>` on the test
/// server, created empty; databases left by test processes that are gone are dropped first.
struct Database {
    admin_url: String,
    host: String,
    port: String,
    user: String,
    password: String,
    name: String,
}

impl Database {
    fn create(n8n_port: u16) -> Self {
        let admin_url = ["FLOWGATE_TEST_POSTGRES", "FLOWGATE_TEST_POSTGRES_URL"]
            .iter()
            .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
            .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".to_owned());
        let uri: ureq::http::Uri = admin_url.parse().expect("FLOWGATE_TEST_POSTGRES is a URL");
        let authority = uri
            .authority()
            .expect("a host in FLOWGATE_TEST_POSTGRES")
            .as_str();
        let (credentials, _) = authority
            .rsplit_once('@')
            .unwrap_or(("postgres", authority));
        let (user, password) = credentials.split_once(':').unwrap_or((credentials, ""));
        let database = Self {
            host: uri.host().unwrap_or("127.0.0.1").to_owned(),
            port: uri.port_u16().unwrap_or(5432).to_string(),
            user: user.to_owned(),
            password: password.to_owned(),
            name: format!("flowgate_n8n_{}_{n8n_port}", std::process::id()),
            admin_url,
        };
        database.drop_stale();
        database.sql(&format!("CREATE DATABASE {}", database.name));
        database
    }

    /// Runs one statement through `psql`; the first column of each row.
    fn sql(&self, statement: &str) -> Vec<String> {
        let out = Command::new("psql")
            .args([
                self.admin_url.as_str(),
                "-v",
                "ON_ERROR_STOP=1",
                "-tAc",
                statement,
            ])
            .output()
            .expect("psql runs (the n8n suite needs PostgreSQL's client and server)");
        assert!(
            out.status.success(),
            "psql {statement}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_owned)
            .collect()
    }

    fn drop_stale(&self) {
        let names = self.sql("SELECT datname FROM pg_database WHERE datname LIKE 'flowgate_n8n_%'");
        for name in names {
            let pid = name.split('_').nth(2).unwrap_or_default();
            let alive = Path::new("/proc").join(pid).exists();
            if !alive || pid.is_empty() {
                self.sql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }

    fn drop_now(&self) {
        let _ = Command::new("psql")
            .arg(&self.admin_url)
            .args([
                "-tAc",
                &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
            ])
            .output();
    }
}

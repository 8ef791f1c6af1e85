//! Headless Chromium driven through chromedriver (WebDriver), one browser per test.
//!
//! Chromium and chromedriver come from the system (Debian: `apt-get install chromium
//! chromium-driver`); `FLOWGATE_CHROMIUM` and `FLOWGATE_CHROMEDRIVER` name other binaries.
//! Without them a test prints a note and passes, except under CI (`CI` set), where it fails:
//! a CI run must never pass by skipping the browser.

use crate::common::{Server, PASSWORD};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::future::Future;
use std::io::Write;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The flags Chromium runs with: no window, no sandbox (CI runs as root), no GPU, and no
/// network of its own (updates, field trials): it only talks to the test's server.
const CHROMIUM_ARGS: [&str; 5] = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--window-size=1280,900",
];

/// How long to wait for chromedriver to listen, and for a page to show what is awaited.
const PATIENCE: Duration = Duration::from_secs(20);

/// The first of `names` on `PATH`, or the file `variable` names.
fn program(variable: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(variable) {
        return Some(PathBuf::from(path)).filter(|p| p.is_file());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// Chromium and chromedriver, or `None` after a note (a panic under CI) when one is missing.
fn programs() -> Option<(PathBuf, PathBuf)> {
    let chromium = program(
        "FLOWGATE_CHROMIUM",
        &["chromium", "chromium-browser", "google-chrome"],
    );
    let driver = program("FLOWGATE_CHROMEDRIVER", &["chromedriver"]);
    if let (Some(chromium), Some(driver)) = (&chromium, &driver) {
        return Some((chromium.clone(), driver.clone()));
    }
    let missing: Vec<&str> = [("chromium", &chromium), ("chromedriver", &driver)]
        .into_iter()
        .filter(|(_, found)| found.is_none())
        .map(|(name, _)| name)
        .collect();
    let missing = missing.join(" and ");
    assert!(
        !under_ci(),
        "{missing} not found: under CI the browser tests must run \
         (apt-get install chromium chromium-driver)"
    );
    // Once per run, and past the test harness's capture, so that a person sees it.
    static NOTE: std::sync::Once = std::sync::Once::new();
    NOTE.call_once(|| {
        let note = format!(
            "note: browser tests skipped: {missing} not found \
             (apt-get install chromium chromium-driver to run them)\n"
        );
        let _ = std::io::stderr().write_all(note.as_bytes());
    });
    None
}

/// chromedriver on a free loopback port; killed when dropped.
struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    async fn start(program: &Path) -> Self {
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .and_then(|l| l.local_addr())
            .unwrap()
            .port();
        let child = Command::new(program)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.display()));
        let driver = Self { child, port };
        let started = Instant::now();
        while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
            assert!(
                started.elapsed() < PATIENCE,
                "chromedriver does not listen on port {port}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        driver
    }

    async fn connect(&self, chromium: &Path) -> Client {
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": chromium, "args": CHROMIUM_ARGS },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        ClientBuilder::new(connector)
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .unwrap_or_else(|e| panic!("chromedriver cannot start Chromium: {e}"))
    }
}

/// Runs `scenario` in a fresh headless Chromium looking at the server at `base`. The browser
/// is closed whether the scenario passes or panics; its panic is the test's.
pub async fn in_browser<F, Fut>(base: &str, scenario: F)
where
    F: FnOnce(Browser) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Some((chromium, program)) = programs() else {
        return;
    };
    let driver = Driver::start(&program).await;
    let client = driver.connect(&chromium).await;
    let browser = Browser {
        client: client.clone(),
        base: base.to_owned(),
    };
    let outcome = tokio::spawn(scenario(browser)).await;
    let _ = client.close().await;
    drop(driver);
    if let Err(error) = outcome {
        std::panic::resume_unwind(error.into_panic());
    }
}

/// Runs `scenario` in a fresh headless Chromium logged in to `server` as `person`, whose
/// password is set through the store. The server runs until the scenario ends.
pub async fn logged_in<F, Fut>(server: Server, person: &'static str, scenario: F)
where
    F: FnOnce(Browser, Arc<Server>) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    server.set_password(person).await;
    let url = server.url.clone();
    let server = Arc::new(server);
    in_browser(&url, move |browser| async move {
        browser.log_in(person).await;
        scenario(browser, Arc::clone(&server)).await;
        drop(server);
    })
    .await;
}

/// A browser tab on the server, with the few moves the scenarios make.
#[derive(Clone)]
pub struct Browser {
    pub client: Client,
    base: String,
}

impl Browser {
    /// Opens `path` of the server.
    pub async fn open(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap();
    }

    /// The path and query of the page shown.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.unwrap();
        match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// Waits until the page shown is `path`.
    pub async fn wait_for_path(&self, path: &str) {
        let started = Instant::now();
        loop {
            let shown = self.path().await;
            if shown == path {
                return;
            }
            assert!(started.elapsed() < PATIENCE, "still on {shown}, not {path}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The element `css` selects, waiting for it to appear.
    pub async fn find(&self, css: &str) -> Element {
        let found = self
            .client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await;
        match found {
            Ok(element) => element,
            Err(e) => panic!("no `{css}` on {}: {e}", self.path().await),
        }
    }

    /// Every element `css` selects now.
    pub async fn all(&self, css: &str) -> Vec<Element> {
        self.client.find_all(Locator::Css(css)).await.unwrap()
    }

    /// The visible text of the element `css` selects.
    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.unwrap()
    }

    /// The text of the element `css` selects once it holds `needle` (after a form posted
    /// back to the same page, say).
    pub async fn wait_for_text(&self, css: &str, needle: &str) -> String {
        let started = Instant::now();
        loop {
            let text = match self.client.find(Locator::Css(css)).await {
                Ok(element) => element.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if text.contains(needle) {
                return text;
            }
            assert!(
                started.elapsed() < PATIENCE,
                "`{css}` does not come to hold {needle:?}: {text}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Clicks the element `css` selects.
    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.unwrap();
    }

    /// Types `text` into the field `css` selects.
    pub async fn fill(&self, css: &str, text: &str) {
        self.find(css).await.send_keys(text).await.unwrap();
    }

    /// Runs `script` in the page (`arguments[0]`… are `args`); what it returns.
    pub async fn script(&self, script: &str, args: Vec<Value>) -> Value {
        self.client.execute(script, args).await.unwrap()
    }

    /// Presses and releases `key`, wherever the focus is.
    pub async fn press(&self, key: Key) {
        let keys = KeyActions::new("keyboard".to_owned())
            .then(KeyAction::Down { value: key.into() })
            .then(KeyAction::Up { value: key.into() });
        self.client.perform_actions(keys).await.unwrap();
    }

    /// The element that has the focus, as its tag and text.
    pub async fn focused(&self) -> (String, String) {
        let element = self.client.active_element().await.unwrap();
        (
            element.tag_name().await.unwrap(),
            element.text().await.unwrap(),
        )
    }

    /// The value of the cookie `name` (HttpOnly ones included).
    pub async fn cookie(&self, name: &str) -> String {
        let cookie = self.client.get_named_cookie(name).await.unwrap();
        cookie.value().to_owned()
    }

    /// Logs `person` in through the login form with [`PASSWORD`].
    pub async fn log_in(&self, person: &str) {
        self.open("/login").await;
        self.fill("#person", person).await;
        self.fill("#password", PASSWORD).await;
        self.click("main form button[type=submit]").await;
        self.wait_for_path("/").await;
        assert_eq!(self.text("header form.logout strong").await, person);
    }

    /// A PNG of the whole page (the window grown to its height for the picture), saved as
    /// `name` under `target/browser-artefacts/` of the workspace; its path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let (width, height) = self.client.get_window_size().await.unwrap();
        let full = self
            .script("return document.documentElement.scrollHeight", vec![])
            .await
            .as_u64()
            .unwrap();
        let grown = u32::try_from(full.clamp(height, 4 * height)).unwrap();
        let width = u32::try_from(width).unwrap();
        self.client.set_window_size(width, grown).await.unwrap();
        let png = self.client.screenshot().await.unwrap();
        let height = u32::try_from(height).unwrap();
        self.client.set_window_size(width, height).await.unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/browser-artefacts");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, png).unwrap();
        path
    }
}

//! `flowgate serve` as a team runs it: two server processes on one PostgreSQL schema, people
//! logged in with `flowgate login`, and the promotion commands going through either server as
//! the person the token belongs to, at the server's clock. `--as` and `FLOWGATE_NOW` are
//! refused in this mode; a builder cannot approve a prod plan; SIGTERM stops a server cleanly.

use crate::common::Workspace;
use std::io::{BufRead as _, BufReader, Write as _};
use std::process::{Child, Command, Stdio};

const PASSWORD: &str = "a long enough passphrase";

fn postgres_url() -> String {
    ["FLOWGATE_TEST_POSTGRES", "FLOWGATE_TEST_POSTGRES_URL"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// A running `flowgate serve` and the address it printed.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(workspace: &Workspace, store: &str) -> Self {
        let mut child = workspace
            .command(&["--store", store, "serve", "--listen", "127.0.0.1:0"])
            .env_remove("FLOWGATE_USER")
            .env_remove("FLOWGATE_SERVER")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_owned();
        Self { child, url }
    }

    /// Sends SIGTERM and waits: the exit status.
    fn stop(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        self.child.wait().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `flowgate` against `server` as whoever logged in under `config`.
fn client(
    workspace: &Workspace,
    config: &std::path::Path,
    server: &Server,
    args: &[&str],
) -> (i32, String, String) {
    let output = workspace
        .command(args)
        .env_remove("FLOWGATE_USER")
        .env("FLOWGATE_SERVER", &server.url)
        .env("FLOWGATE_CONFIG_DIR", config)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn login(workspace: &Workspace, config: &std::path::Path, server: &Server, person: &str) {
    let mut child = workspace
        .command(&["login", "--person", person, "--password-stdin"])
        .env_remove("FLOWGATE_USER")
        .env("FLOWGATE_SERVER", &server.url)
        .env("FLOWGATE_CONFIG_DIR", config)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{PASSWORD}").unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(config.join("credentials.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "credentials are private");
    }
}

async fn set_passwords(store: &str, people: &[&str]) -> bool {
    let opened = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        flowgate_store::open_store(store),
    )
    .await;
    let store = match opened {
        Ok(Ok(store)) => store,
        other => {
            let why = format!("{:?}", other.err().map(|_| "timeout"));
            assert!(
                !in_ci(),
                "PostgreSQL is unreachable ({why}); under CI this test must run"
            );
            eprintln!("skipping: PostgreSQL is unreachable");
            return false;
        }
    };
    let phc = flowgate_server::password::hash(PASSWORD).unwrap();
    for person in people {
        store.accounts().set_password(person, &phc).await.unwrap();
    }
    store.close().await;
    true
}

async fn drop_schema(schema: &str) {
    use sqlx::Connection as _;
    if let Ok(mut conn) = sqlx::PgConnection::connect(&postgres_url()).await {
        let _ = sqlx::raw_sql(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
            .execute(&mut conn)
            .await;
    }
}

fn plan_id(stdout: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("Review and approve at "))
        .and_then(|l| l.rsplit('/').next())
        .unwrap_or_else(|| panic!("no plan link in {stdout}"))
        .trim()
        .to_owned()
}

#[test]
fn two_servers_on_one_postgres_take_people_from_tokens_and_time_from_their_clock() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let schema = format!("fg_cli_serve_{}", std::process::id());
    runtime.block_on(drop_schema(&schema));
    let store = format!("{}?schema={schema}", postgres_url());
    if !runtime.block_on(set_passwords(&store, &["mara", "jonas", "tom"])) {
        return;
    }
    let workspace = Workspace::new();
    let (code, _, err) = workspace.run(&[
        "--store",
        &store,
        "snapshot",
        "create",
        "lead-intake",
        "--version",
        "1.0.0",
    ]);
    assert_eq!(code, 0, "{err}");
    let (a, b) = (
        Server::start(&workspace, &store),
        Server::start(&workspace, &store),
    );
    let configs = tempfile::tempdir().unwrap();
    let config = |person: &str| configs.path().join(person);
    login(&workspace, &config("tom"), &a, "tom");
    login(&workspace, &config("mara"), &b, "mara");
    login(&workspace, &config("jonas"), &a, "jonas");
    // Tokens are kept per server address; behind one load balancer both would be one.
    login(&workspace, &config("tom"), &b, "tom");
    login(&workspace, &config("mara"), &a, "mara");
    login(&workspace, &config("jonas"), &b, "jonas");

    let (code, out, err) = client(
        &workspace,
        &config("tom"),
        &a,
        &["promote", "lead-intake@1.0.0", "--to", "dev"],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Applied plan"), "{out}");

    let (code, _, err) = client(
        &workspace,
        &config("tom"),
        &a,
        &[
            "--format",
            "json",
            "plan",
            "lead-intake@1.0.0",
            "--to",
            "stage",
            "--as",
            "tom",
        ],
    );
    assert_eq!(code, 2, "--as is refused with a server: {err}");
    let mut now = workspace.command(&["plan", "lead-intake@1.0.0", "--to", "stage"]);
    now.env_remove("FLOWGATE_USER")
        .env("FLOWGATE_SERVER", &a.url)
        .env("FLOWGATE_CONFIG_DIR", config("tom"))
        .env("FLOWGATE_NOW", "2030-01-01T00:00:00Z");
    assert_eq!(
        now.output().unwrap().status.code(),
        Some(2),
        "FLOWGATE_NOW is refused with a server"
    );

    let (code, out, err) = client(
        &workspace,
        &config("tom"),
        &b,
        &["plan", "lead-intake@1.0.0", "--to", "stage"],
    );
    assert_eq!(code, 0, "{out}{err}");
    let plan = plan_id(&out);
    let (code, _, err) = client(&workspace, &config("tom"), &a, &["approve", &plan]);
    assert_eq!(code, 1, "a builder cannot approve into stage: {err}");
    assert!(err.contains("not an approver"), "{err}");
    let (code, out, err) = client(
        &workspace,
        &config("mara"),
        &a,
        &["approve", &plan, "--comment", "looks right"],
    );
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = client(&workspace, &config("tom"), &b, &["apply", &plan]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Applied plan"), "{out}");
    let (code, _, err) = client(&workspace, &config("tom"), &a, &["apply", &plan]);
    assert_eq!(code, 0, "applying again changes nothing: {err}");

    let (code, out, _) = workspace.run(&["--store", &store, "--format", "json", "log"]);
    assert_eq!(code, 0);
    let log: serde_json::Value = serde_json::from_str(&out).unwrap();
    let ops = log["operations"].as_array().unwrap();
    let approve = ops.iter().find(|op| op["kind"] == "approve").unwrap();
    assert_eq!(approve["actor"], "mara");
    assert!(approve["payload"]["credential"]
        .as_str()
        .unwrap()
        .starts_with("token tok_"));
    let apply = ops.iter().rev().find(|op| op["kind"] == "apply").unwrap();
    assert_eq!(apply["actor"], "tom");
    let at = chrono::DateTime::parse_from_rfc3339(apply["at"].as_str().unwrap()).unwrap();
    let age = chrono::Utc::now().signed_duration_since(at);
    assert!(
        age.num_seconds().abs() < 120,
        "the server's clock stamped it: {at}"
    );

    let (code, out, err) = client(&workspace, &config("jonas"), &b, &["logout"]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, _, err) = client(
        &workspace,
        &config("jonas"),
        &b,
        &["pin", "prod", "--reason", "x"],
    );
    assert_eq!(code, 2, "after logout there is no token: {err}");

    assert!(a.stop().success(), "SIGTERM stops a server cleanly");
    assert!(b.stop().success());
    runtime.block_on(drop_schema(&schema));
}

#[test]
fn a_bad_notification_target_stops_serve_with_its_place_in_flowgate_toml() {
    let workspace = Workspace::new();
    let config = workspace.root.join("flowgate.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("\n[server]\n[[server.notify]]\nurl = \"env:FLOWGATE_TEST_UNSET_HOOK\"\nevents = [\"plan.aproved\"]\n");
    std::fs::write(&config, text).unwrap();
    let output = workspace
        .command(&["serve", "--listen", "127.0.0.1:0"])
        .env_remove("FLOWGATE_USER")
        .env_remove("FLOWGATE_TEST_UNSET_HOOK")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(
        err.contains("names the variable FLOWGATE_TEST_UNSET_HOOK, which is not set"),
        "{err}"
    );
    assert!(
        err.contains("no event `plan.aproved`") && err.contains("plan.approved"),
        "{err}"
    );
    assert!(err.contains("flowgate.toml:"), "{err}");
}

#[test]
fn a_client_secret_written_into_flowgate_toml_stops_serve_and_is_never_printed() {
    let workspace = Workspace::new();
    let config = workspace.root.join("flowgate.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(
        "\n[server.oidc]\nissuer = \"https://id.acme.example\"\nclient_id = \"flowgate\"\n\
         client_secret = \"literal-oidc-secret-123\"\nclaim = \"nickname\"\n",
    );
    std::fs::write(&config, text).unwrap();
    let output = workspace
        .command(&["serve", "--listen", "127.0.0.1:0"])
        .env_remove("FLOWGATE_USER")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(
        err.contains("`client_secret` must name an environment variable"),
        "{err}"
    );
    assert!(err.contains("no claim `nickname`"), "{err}");
    assert!(err.contains("flowgate.toml:"), "{err}");
    assert!(
        !err.contains("literal-oidc-secret-123"),
        "the secret is masked: {err}"
    );
}

#[test]
fn a_workspace_with_a_server_url_sends_the_promotion_commands_to_it() {
    let workspace = Workspace::new();
    let config = workspace.root.join("flowgate.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("\n[server]\nurl = \"http://127.0.0.1:9\"\n");
    std::fs::write(&config, text).unwrap();
    let credentials = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let output = workspace
            .command(args)
            .env_remove("FLOWGATE_USER")
            .env_remove("FLOWGATE_SERVER")
            .env_remove("FLOWGATE_TOKEN")
            .env("FLOWGATE_CONFIG_DIR", credentials.path())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&output.stderr).into_owned();
        (output.status.code(), err)
    };
    let (code, err) = run(&["plan", "lead-intake@1.0.0", "--to", "stage"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("you are not logged in to http://127.0.0.1:9"),
        "{err}"
    );
    let (_, err) = run(&["--server", "", "plan", "lead-intake@1.0.0", "--to", "stage"]);
    assert!(
        !err.contains("not logged in"),
        "--server \"\" is the local store: {err}"
    );
}

//! `flowgate.toml`: the workspace configuration.

use crate::codes;
use flowgate_diagnostics::{Diagnostic, SourceText, Span};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The configuration file name.
pub const CONFIG_FILE: &str = "flowgate.toml";

/// Default asset globs, relative to the workspace root.
pub const DEFAULT_ASSET_GLOBS: &[&str] = &["**/*.yaml", "**/*.yml", "**/*.json"];

/// Largest asset file read, by default (bytes).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

/// The parsed `flowgate.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `[workspace]`.
    pub workspace: WorkspaceSection,
    /// `[environments.<name>]`, in the order written (promotion order).
    #[serde(default = "default_environments")]
    pub environments: indexmap::IndexMap<String, EnvironmentConfig>,
    /// `[check]`: read by the check engine, which validates it with located errors.
    #[serde(default)]
    pub check: toml::Table,
    /// `[people.<id>]`: who may approve and promote, and in which roles.
    #[serde(default)]
    pub people: indexmap::IndexMap<String, PersonConfig>,
    /// `[integrations]`: read by flowgate-integrations (risk weights and thresholds), which
    /// validates it with located errors.
    #[serde(default)]
    pub integrations: toml::Table,
    /// `[store]`: the versioned store everyone working in the workspace shares.
    #[serde(default)]
    pub store: Option<StoreSection>,
    /// `[server]`: the team's `flowgate serve`, read by flowgate-server (which validates its
    /// notification targets with located errors).
    #[serde(default)]
    pub server: Option<ServerSection>,
    /// `[incidents]`: how incidents are handled.
    #[serde(default)]
    pub incidents: Option<IncidentsSection>,
}

/// `[incidents]`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct IncidentsSection {
    /// How long an incident may stay open without a mitigation before flowgate recommends
    /// rolling back its linked releases first (`30m`, the default).
    #[serde(default)]
    pub timebox: Option<toml::Spanned<String>>,
}

/// `[server]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSection {
    /// The address people reach the server at, for invitation links.
    #[serde(default)]
    pub url: Option<toml::Spanned<String>>,
    /// `[[server.notify]]`: outgoing webhooks.
    #[serde(default)]
    pub notify: Vec<NotifySection>,
    /// How often the server checks deploy targets for drift (`"30s"`, `"5m"`).
    #[serde(default)]
    pub drift_check: Option<toml::Spanned<String>>,
    /// `[server.oidc]`: OpenID Connect login (validated by flowgate-server with located
    /// errors).
    #[serde(default)]
    pub oidc: Option<OidcSection>,
}

/// `[server.oidc]`: logging in through an OpenID Connect provider.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcSection {
    /// The provider's issuer URL; its discovery document is at
    /// `<issuer>/.well-known/openid-configuration`.
    pub issuer: toml::Spanned<String>,
    /// The client id registered with the provider.
    pub client_id: toml::Spanned<String>,
    /// The client secret, as a reference (`env:NAME`), never the secret itself.
    pub client_secret: toml::Spanned<String>,
    /// The provider's name on the login page (`Sign in with <name>`).
    #[serde(default)]
    pub name: Option<toml::Spanned<String>>,
    /// Scopes asked for besides `openid` (default `email` and `profile`).
    #[serde(default)]
    pub scopes: Option<Vec<toml::Spanned<String>>>,
    /// The ID token claim naming the person: `email` (default, matched against
    /// `[people.<id>] email`) or another claim matched against the person's id.
    #[serde(default)]
    pub claim: Option<toml::Spanned<String>>,
}

/// One outgoing webhook (`[[server.notify]]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifySection {
    /// Where to POST (a Slack incoming-webhook URL is a secret: write `env:NAME`).
    pub url: toml::Spanned<String>,
    /// The HMAC-SHA256 key the receiver checks signatures with, as `env:NAME`.
    #[serde(default)]
    pub secret: Option<toml::Spanned<String>>,
    /// The events sent (default: all).
    #[serde(default)]
    pub events: Vec<toml::Spanned<String>>,
}

/// `[store]`: where the versioned store lives. `--store` and `FLOWGATE_STORE` still win.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreSection {
    /// A PostgreSQL URL without a password (`postgres://ci@db.internal/flowgate`), a SQLite
    /// file relative to the workspace root, or `env:NAME` to read either from a variable.
    pub url: toml::Spanned<String>,
}

/// One person (`[people.alice]`).
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PersonConfig {
    /// Full name.
    #[serde(default)]
    pub name: Option<String>,
    /// Email address, for the audit log and notifications.
    #[serde(default)]
    pub email: Option<String>,
    /// Roles held (`marketing-ops`, `revops`, `compliance`, `eng-bi`, `exec`, `builder`, …).
    #[serde(default)]
    pub roles: Vec<toml::Spanned<String>>,
}

/// `[workspace]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkspaceSection {
    /// Workspace name.
    pub name: String,
    /// Globs of asset files, relative to the root.
    #[serde(default = "default_assets")]
    pub assets: Vec<String>,
    /// Globs excluded from `assets`.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Largest asset file read, in bytes.
    #[serde(default = "default_max_file_size")]
    pub max_file_size: u64,
    /// Globs of Salesforce Flow metadata files.
    #[serde(default = "default_salesforce")]
    pub salesforce: Vec<String>,
    /// Globs of n8n workflow exports (JSON).
    #[serde(default)]
    pub n8n: Vec<String>,
    /// Globs of Node-RED flow files (JSON).
    #[serde(default)]
    pub node_red: Vec<String>,
}

fn default_salesforce() -> Vec<String> {
    vec!["**/*.flow-meta.xml".to_owned()]
}

/// One environment. Overlays, gates and deploy targets extend this section.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentConfig {
    /// What the environment is for.
    #[serde(default)]
    pub description: Option<String>,
    /// Prefix of asset names rendered there (`STG — `).
    #[serde(default)]
    pub name_prefix: Option<String>,
    /// Per-environment values, `"<asset-id>.<path>" = value` (`"crm-lead-sync.auth.secret" =
    /// "env:CRM_TOKEN_STAGE"`, `"welcome-email.from.address" = "stage@acme.example"`).
    #[serde(default)]
    pub values: indexmap::IndexMap<toml::Spanned<String>, toml::Value>,
    /// `[environments.<name>.guardrails]`: limits on what rendered assets may do there.
    #[serde(default)]
    pub guardrails: GuardrailsConfig,
    /// `[environments.<name>.gates]`: what must hold before a promotion into it.
    #[serde(default)]
    pub gates: GatesConfig,
    /// `[environments.<name>.raci]`: who approves, is consulted or informed, by role.
    #[serde(default)]
    pub raci: RaciConfig,
    /// `[environments.<name>.target]`: where applied bundles are deployed.
    #[serde(default)]
    pub target: Option<TargetConfig>,
    /// `[environments.<name>.watch]`: when the releases made there are watched.
    #[serde(default)]
    pub watch: Option<WatchConfig>,
}

/// When the releases of an environment are watched.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct WatchConfig {
    /// Times after each release at which its watches are evaluated (`["1h", "4h", "24h",
    /// "72h"]`, the default).
    #[serde(default)]
    pub checkpoints: Option<Vec<toml::Spanned<String>>>,
}

/// Guardrails rendered into an environment's assets.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct GuardrailsConfig {
    /// Safe-mode sending: every recipient is rewritten to the seed list or internal domain.
    #[serde(default)]
    pub safe_mode: Option<SafeModeConfig>,
    /// Every webhook is sent to this URL instead of its own endpoint.
    #[serde(default)]
    pub webhook_redirect: Option<toml::Spanned<String>>,
    /// Enrolments per minute, per workflow.
    #[serde(default)]
    pub throttle_per_minute: Option<u32>,
    /// Sends per day, per workflow.
    #[serde(default)]
    pub daily_cap: Option<u32>,
    /// Only contacts on this list enrol (a list id).
    #[serde(default)]
    pub audience_allow_list: Option<toml::Spanned<String>>,
    /// The routing flag that must be on for a workflow to route anything (a feature flag name).
    #[serde(default)]
    pub routing_flag: Option<String>,
    /// Enrol only contacts whose `utm_campaign` is this value.
    #[serde(default)]
    pub only_campaign: Option<String>,
}

/// Safe-mode sending.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct SafeModeConfig {
    /// Sends go to the members of this list instead (a list id).
    #[serde(default)]
    pub seed_list: Option<toml::Spanned<String>>,
    /// Or only to addresses in these domains; everything else is dropped.
    #[serde(default)]
    pub internal_domains: Vec<String>,
}

/// Promotion gates.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct GatesConfig {
    /// The environment a promotion must come from (`prod` only from `stage`).
    #[serde(default)]
    pub from: Option<toml::Spanned<String>>,
    /// The lowest check severity that blocks: `error` (default), `warning` or `off`.
    #[serde(default)]
    pub block_on: Option<toml::Spanned<String>>,
    /// How long the version must have run in the `from` environment (`24h`).
    #[serde(default)]
    pub soak: Option<toml::Spanned<String>>,
    /// Roles allowed to apply a promotion here (default: anyone listed in `[people]`).
    #[serde(default)]
    pub promoters: Vec<toml::Spanned<String>>,
    /// Whether the author of the snapshot may be its only approver (default false).
    #[serde(default)]
    pub author_may_approve_alone: bool,
    /// Whether an overdue action item of an incident linked to a release of the bundle
    /// blocks its promotion here (default false).
    #[serde(default)]
    pub block_on_overdue_actions: bool,
    /// Whether the soak also needs the `from` environment's watch checkpoints within the
    /// soak time to have passed for the version promoted (default false).
    #[serde(default)]
    pub soak_requires_watch: bool,
    /// Time ranges in which nothing is applied.
    #[serde(default)]
    pub freeze: Vec<FreezeWindowConfig>,
}

/// A freeze window: a one-off range, or a weekly one when `days` is given.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FreezeWindowConfig {
    /// Start: `2026-11-26 00:00` (one-off) or `15:00` (weekly).
    pub start: toml::Spanned<String>,
    /// End: `2026-12-01 08:00` (one-off) or `23:59` (weekly).
    pub end: toml::Spanned<String>,
    /// Days of the week of a weekly window (`["fri", "sat"]`).
    #[serde(default)]
    pub days: Vec<toml::Spanned<String>>,
    /// IANA time zone of `start` and `end` (default UTC).
    #[serde(default)]
    pub time_zone: Option<toml::Spanned<String>>,
    /// Why (shown when the window blocks).
    #[serde(default)]
    pub reason: Option<String>,
}

/// RACI by role.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RaciConfig {
    /// Roles that must approve and answer for the change (one approval each).
    #[serde(default)]
    pub accountable: Vec<toml::Spanned<String>>,
    /// Roles that do the work and must approve (one approval each).
    #[serde(default)]
    pub responsible: Vec<toml::Spanned<String>>,
    /// Roles consulted (listed in plans, not required to approve).
    #[serde(default)]
    pub consulted: Vec<toml::Spanned<String>>,
    /// Roles informed (listed in plans and the log).
    #[serde(default)]
    pub informed: Vec<toml::Spanned<String>>,
}

/// A deploy target: `type` says which, and which other keys it takes (see docs/targets.md).
/// Read as one table, not as a tagged enum, so that every value keeps its place in the file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetConfig {
    /// `directory`, `node-red`, `n8n` or `http`.
    #[serde(rename = "type")]
    pub kind: toml::Spanned<String>,
    /// `directory`: the directory, relative to the workspace root.
    #[serde(default)]
    pub path: Option<toml::Spanned<String>>,
    /// `node-red`, `n8n`, `http`: the platform's or receiver's URL.
    #[serde(default)]
    pub url: Option<toml::Spanned<String>>,
    /// `node-red`: the Admin API bearer token, as a secret reference (`env:NODE_RED_TOKEN`);
    /// absent when the runtime has no `adminAuth`.
    #[serde(default)]
    pub auth: Option<toml::Spanned<String>>,
    /// `node-red`: `"flows"` (the default: only changed flows restart) or `"full"`.
    #[serde(default)]
    pub deployment: Option<toml::Spanned<String>>,
    /// `n8n`: the API key, as a secret reference (`env:N8N_API_KEY`).
    #[serde(default)]
    pub api_key: Option<toml::Spanned<String>>,
    /// `http`: the HMAC-SHA256 key, as a secret reference (`env:DEPLOY_HOOK_SECRET`).
    #[serde(default)]
    pub secret: Option<toml::Spanned<String>>,
}

fn default_assets() -> Vec<String> {
    DEFAULT_ASSET_GLOBS
        .iter()
        .map(|s| (*s).to_owned())
        .collect()
}

fn default_max_file_size() -> u64 {
    DEFAULT_MAX_FILE_SIZE
}

fn default_environments() -> indexmap::IndexMap<String, EnvironmentConfig> {
    [("dev", "DEV — "), ("stage", "STG — "), ("prod", "PRD — ")]
        .into_iter()
        .map(|(name, prefix)| {
            (
                name.to_owned(),
                EnvironmentConfig {
                    name_prefix: Some(prefix.to_owned()),
                    ..EnvironmentConfig::default()
                },
            )
        })
        .collect()
}

/// A workspace root with its configuration.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// The directory holding `flowgate.toml`.
    pub root: PathBuf,
    /// The configuration.
    pub config: Config,
    /// The text of `flowgate.toml`, for sections other crates read with their own types.
    pub config_text: String,
}

impl Workspace {
    /// Find the workspace containing `start` (itself or an ancestor with `flowgate.toml`)
    /// and read its configuration.
    pub fn discover(start: &Path) -> Result<Self, Box<Diagnostic>> {
        let start = if start.as_os_str().is_empty() {
            Path::new(".")
        } else {
            start
        };
        let absolute = std::fs::canonicalize(start).map_err(|e| {
            Box::new(
                Diagnostic::error(
                    codes::NO_WORKSPACE,
                    format!("cannot open workspace directory `{}`: {e}", start.display()),
                )
                .with_help("pass an existing directory with -C, or run `flowgate init` to create a workspace"),
            )
        })?;
        let mut dir = Some(absolute.as_path());
        while let Some(candidate) = dir {
            if candidate.join(CONFIG_FILE).is_file() {
                return Self::open(candidate);
            }
            dir = candidate.parent();
        }
        Err(Box::new(
            Diagnostic::error(
                codes::NO_WORKSPACE,
                format!(
                    "no {CONFIG_FILE} in `{}` or any parent directory",
                    absolute.display()
                ),
            )
            .with_help("run `flowgate init` to create a workspace, or pass its directory with -C"),
        ))
    }

    /// Read the configuration of the workspace rooted at `root`.
    pub fn open(root: &Path) -> Result<Self, Box<Diagnostic>> {
        let path = root.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Box::new(Diagnostic::error(
                codes::CONFIG,
                format!("cannot read {}: {e}", path.display()),
            ))
        })?;
        let config = parse_config(&text)?;
        Ok(Self {
            root: std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf()),
            config,
            config_text: text,
        })
    }
}

/// Parse `flowgate.toml` text, reporting errors with their location in the file.
pub fn parse_config(text: &str) -> Result<Config, Box<Diagnostic>> {
    let config: Config = toml::from_str(text).map_err(|e| {
        let source = SourceText::new(CONFIG_FILE, text);
        let span = e
            .span()
            .map(|r| Span::new(r.start, r.end))
            .unwrap_or_default();
        Box::new(
            Diagnostic::error(
                codes::CONFIG,
                format!("invalid {CONFIG_FILE}: {}", e.message()),
            )
            .at(&source, span)
            .with_help("see docs/configuration.md for the sections and keys flowgate.toml accepts"),
        )
    })?;
    let problems = glob_problems(text);
    if let Some(first) = problems.into_iter().next() {
        return Err(Box::new(first));
    }
    if let Some(problem) = config
        .store
        .as_ref()
        .and_then(|s| store_url_problem(text, s))
    {
        return Err(Box::new(problem));
    }
    Ok(config)
}

/// A password written into `[store] url`: credentials never live in the workspace file.
fn store_url_problem(text: &str, store: &StoreSection) -> Option<Diagnostic> {
    let url = store.url.get_ref();
    let password = url::Url::parse(url).ok()?.password()?.to_owned();
    let span = store.url.span();
    Some(
        Diagnostic::error(codes::CONFIG, "`[store] url` holds a password")
            .at(
                &SourceText::new(CONFIG_FILE, text),
                Span::new(span.start, span.end),
            )
            .with_secret(password)
            .with_help(
                "keep credentials out of flowgate.toml: write `url = \"env:FLOWGATE_STORE_URL\"` \
                 and set that variable, or use PGPASSWORD / ~/.pgpass",
            ),
    )
}

/// The glob lists of `[workspace]` with the place each glob is written.
#[derive(Deserialize, Default)]
struct SpannedGlobs {
    #[serde(default)]
    assets: Vec<toml::Spanned<String>>,
    #[serde(default)]
    exclude: Vec<toml::Spanned<String>>,
    #[serde(default)]
    salesforce: Vec<toml::Spanned<String>>,
    #[serde(default)]
    n8n: Vec<toml::Spanned<String>>,
    #[serde(default)]
    node_red: Vec<toml::Spanned<String>>,
}

#[derive(Deserialize, Default)]
struct GlobsFile {
    #[serde(default)]
    workspace: SpannedGlobs,
}

/// Globs that cannot match as meant, located in `flowgate.toml`: a `\` separator (globs
/// are matched against `/`-separated paths on every system, so a Windows-style glob
/// matches nothing), or a glob that does not parse.
fn glob_problems(text: &str) -> Vec<Diagnostic> {
    let Ok(file) = toml::from_str::<GlobsFile>(text) else {
        return Vec::new();
    };
    let source = SourceText::new(CONFIG_FILE, text);
    let g = &file.workspace;
    let lists = [
        ("assets", &g.assets),
        ("exclude", &g.exclude),
        ("salesforce", &g.salesforce),
        ("n8n", &g.n8n),
        ("node_red", &g.node_red),
    ];
    let mut problems = Vec::new();
    for (what, globs) in lists {
        for glob in globs {
            let span = Span::new(glob.span().start, glob.span().end);
            let written = glob.get_ref();
            let problem = if written.contains('\\') {
                Some((
                    format!("`{written}` in `workspace.{what}` separates directories with `\\`"),
                    format!(
                        "globs use `/` on every system: write `{}`",
                        written.replace('\\', "/")
                    ),
                ))
            } else {
                globset::GlobBuilder::new(written)
                    .literal_separator(true)
                    .build()
                    .err()
                    .map(|e| {
                        (
                            format!("invalid glob in `workspace.{what}`: {e}"),
                            "globs look like `assets/**/*.yaml`".to_owned(),
                        )
                    })
            };
            if let Some((message, help)) = problem {
                problems.push(
                    Diagnostic::error(codes::CONFIG, message)
                        .at(&source, span)
                        .with_help(help),
                );
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn defaults_give_three_environments_in_promotion_order() {
        let config = parse_config("[workspace]\nname = \"acme\"\n").unwrap();
        let names: Vec<_> = config.environments.keys().cloned().collect();
        assert_eq!(names, ["dev", "stage", "prod"]);
        assert_eq!(config.workspace.assets.len(), 3);
    }

    #[test]
    fn environments_keep_the_written_order() {
        let config = parse_config(
            "[workspace]\nname = \"x\"\n[environments.qa]\n[environments.live]\n[environments.alpha]\n",
        )
        .unwrap();
        let names: Vec<_> = config.environments.keys().cloned().collect();
        assert_eq!(names, ["qa", "live", "alpha"]);
    }

    #[test]
    fn windows_separators_in_globs_are_located_errors() {
        let text = "[workspace]\nname = \"x\"\nassets = [\"assets\\\\**\\\\*.yaml\"]\n";
        let err = parse_config(text).unwrap_err();
        assert_eq!(err.code, "FG015");
        let location = err.location.expect("located");
        assert_eq!((location.start.line, location.start.column), (3, 11));
        assert!(
            err.message.contains("separates directories with `\\`"),
            "{}",
            err.message
        );
        assert_eq!(
            err.help.as_deref(),
            Some("globs use `/` on every system: write `assets/**/*.yaml`")
        );
        let err = parse_config("[workspace]\nname = \"x\"\nn8n = [\"a/[b\"]\n").unwrap_err();
        assert!(
            err.message.contains("invalid glob in `workspace.n8n`"),
            "{}",
            err.message
        );
        assert_eq!(err.location.expect("located").start.line, 3);
    }

    #[test]
    fn unknown_keys_are_located() {
        let err = parse_config("[workspace]\nname = \"x\"\nasset = []\n").unwrap_err();
        let location = err.location.expect("located");
        assert_eq!(location.start.line, 3);
        assert!(err.message.contains("unknown field"), "{}", err.message);
    }

    #[test]
    fn oidc_settings_are_read_and_unknown_keys_located() {
        let text = "[workspace]\nname = \"x\"\n[server.oidc]\nissuer = \"https://id.example\"\n\
                    client_id = \"flowgate\"\nclient_secret = \"env:FLOWGATE_OIDC_SECRET\"\n";
        let config = parse_config(text).unwrap();
        let oidc = config.server.unwrap().oidc.unwrap();
        assert_eq!(oidc.issuer.get_ref(), "https://id.example");
        assert!(oidc.claim.is_none() && oidc.scopes.is_none());
        let err = parse_config(&format!("{text}claims = \"email\"\n")).unwrap_err();
        assert_eq!(err.location.expect("located").start.line, 7);
        assert!(err.message.contains("unknown field"), "{}", err.message);
    }
}

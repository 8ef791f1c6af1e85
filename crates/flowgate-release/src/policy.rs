//! The promotion policy of a workspace: its people and roles, and each environment's overlay,
//! guardrails, gates, RACI matrix and deploy target, read from `flowgate.toml` and checked
//! for consistency (every role, environment and time zone named must exist).

use crate::refusal::Refusal;
use crate::secrets;
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use flowgate_diagnostics::{Diagnostic, SourceText, Span};
use flowgate_load::{Config, EnvironmentConfig, Workspace, CONFIG_FILE};
use flowgate_model::Duration;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The diagnostic code of an inconsistent promotion policy (shared with the loader's
/// configuration errors).
pub const POLICY_CODE: &str = "FG015";

/// One person who may approve, promote or roll back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// The id used with `--as` / `FLOWGATE_USER`.
    pub id: String,
    /// Full name.
    pub name: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Roles held.
    pub roles: Vec<String>,
}

impl Person {
    /// Whether a name or an email address (as git knows them) is this person's: the email
    /// matches without regard to case, the name matches `name` or the id, ignoring case and
    /// surrounding spaces.
    pub fn is_known_as(&self, name: Option<&str>, email: Option<&str>) -> bool {
        let same = |a: &str, b: &str| a.trim().to_lowercase() == b.trim().to_lowercase();
        let by_email = matches!((email, &self.email), (Some(a), Some(b)) if !a.trim().is_empty() && same(a, b));
        let by_name = name.filter(|n| !n.trim().is_empty()).is_some_and(|n| {
            same(n, &self.id) || self.name.as_deref().is_some_and(|full| same(n, full))
        });
        by_email || by_name
    }
}

/// The check severity from which findings block a promotion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockOn {
    /// Errors block (the default).
    Error,
    /// Warnings and errors block.
    Warning,
    /// Findings never block.
    Off,
}

impl BlockOn {
    /// The configuration word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Off => "off",
        }
    }
}

/// A time range in which nothing is applied.
#[derive(Debug, Clone, PartialEq)]
pub enum FreezeWindow {
    /// From one instant to another.
    Once {
        /// Start (inclusive).
        start: DateTime<Utc>,
        /// End (exclusive).
        end: DateTime<Utc>,
        /// As written, for messages.
        text: String,
        /// Why.
        reason: Option<String>,
    },
    /// Every week on the given days, between two local times.
    Weekly {
        /// The days.
        days: Vec<Weekday>,
        /// Local start time (inclusive).
        start: NaiveTime,
        /// Local end time (exclusive); before `start` means the window runs past midnight.
        end: NaiveTime,
        /// The time zone of the local times.
        zone: Tz,
        /// As written, for messages.
        text: String,
        /// Why.
        reason: Option<String>,
    },
}

impl FreezeWindow {
    /// Whether `at` falls inside the window.
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        match self {
            Self::Once { start, end, .. } => *start <= at && at < *end,
            Self::Weekly {
                days,
                start,
                end,
                zone,
                ..
            } => {
                let local = at.with_timezone(zone);
                let time = local.time();
                let day = chrono::Datelike::weekday(&local);
                if start <= end {
                    days.contains(&day) && *start <= time && time < *end
                } else {
                    // Past midnight: the evening part on a listed day, the morning part on the
                    // day after one.
                    (days.contains(&day) && time >= *start)
                        || (days.contains(&day.pred()) && time < *end)
                }
            }
        }
    }

    /// How the window reads in a message.
    pub fn describe(&self) -> String {
        let (text, reason) = match self {
            Self::Once { text, reason, .. } | Self::Weekly { text, reason, .. } => (text, reason),
        };
        match reason {
            Some(reason) => format!("{text} ({reason})"),
            None => text.clone(),
        }
    }
}

/// What must hold before a promotion into an environment.
#[derive(Debug, Clone, PartialEq)]
pub struct Gates {
    /// The environment a promotion must come from.
    pub from: Option<String>,
    /// The check severity that blocks.
    pub block_on: BlockOn,
    /// Minimum time in `from` before promotion.
    pub soak: Option<Duration>,
    /// Roles allowed to apply (empty: anyone listed in `[people]`).
    pub promoters: Vec<String>,
    /// Whether the snapshot's author may be its only approver.
    pub author_may_approve_alone: bool,
    /// Whether overdue incident action items of the bundle block promotion.
    pub block_on_overdue_actions: bool,
    /// Whether the soak also needs the `from` environment's watch checkpoints within the
    /// soak time to have passed.
    pub soak_requires_watch: bool,
    /// Freeze windows.
    pub freeze: Vec<FreezeWindow>,
}

/// RACI by role.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Raci {
    /// Must approve and answer for the change.
    pub accountable: Vec<String>,
    /// Do the work and must approve.
    pub responsible: Vec<String>,
    /// Consulted.
    pub consulted: Vec<String>,
    /// Informed.
    pub informed: Vec<String>,
}

impl Raci {
    /// The roles that must each approve (A and R, without repeats, in order).
    pub fn approvers(&self) -> Vec<String> {
        let mut seen = BTreeSet::new();
        self.accountable
            .iter()
            .chain(&self.responsible)
            .filter(|r| seen.insert(r.as_str()))
            .cloned()
            .collect()
    }
}

/// Safe-mode sending.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SafeMode {
    /// Sends go to this list's members instead.
    pub seed_list: Option<String>,
    /// Or only to these domains.
    pub internal_domains: Vec<String>,
}

/// Limits rendered into an environment's assets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Guardrails {
    /// Safe-mode sending.
    pub safe_mode: Option<SafeMode>,
    /// Every webhook goes here instead.
    pub webhook_redirect: Option<String>,
    /// Enrolments per minute per workflow.
    pub throttle_per_minute: Option<u32>,
    /// Sends per day per workflow.
    pub daily_cap: Option<u32>,
    /// Only members of this list enrol.
    pub audience_allow_list: Option<String>,
    /// The feature flag that must be on for routing.
    pub routing_flag: Option<String>,
    /// Only contacts of this `utm_campaign` enrol.
    pub only_campaign: Option<String>,
}

impl Guardrails {
    /// Whether any guardrail is set.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }

    /// One short phrase per guardrail set, for plans and the demo.
    pub fn summary(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(safe) = &self.safe_mode {
            match (&safe.seed_list, safe.internal_domains.as_slice()) {
                (Some(list), _) => out.push(format!("sends go to seed list {list}")),
                (None, []) => out.push("safe-mode sending".to_owned()),
                (None, domains) => out.push(format!("sends only to {}", domains.join(", "))),
            }
        }
        if let Some(url) = &self.webhook_redirect {
            out.push(format!("webhooks redirected to {url}"));
        }
        if let Some(n) = self.throttle_per_minute {
            out.push(format!("{n} enrolments/minute"));
        }
        if let Some(n) = self.daily_cap {
            out.push(format!("{n} sends/day"));
        }
        if let Some(list) = &self.audience_allow_list {
            out.push(format!("only members of {list} enrol"));
        }
        if let Some(flag) = &self.routing_flag {
            out.push(format!("routing behind flag {flag}"));
        }
        if let Some(campaign) = &self.only_campaign {
            out.push(format!("only utm_campaign={campaign}"));
        }
        out
    }
}

/// Where applied bundles go. Credentials are held as secret references (`env:NAME`) and
/// resolved only when the target is opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetSpec {
    /// A directory (absolute, resolved against the workspace root).
    Directory(PathBuf),
    /// A running Node-RED.
    NodeRed {
        /// Its base URL, without a trailing `/`.
        url: String,
        /// The Admin API token's secret reference, when the runtime has `adminAuth`.
        auth: Option<String>,
        /// Deploy with `Node-RED-Deployment-Type: full` (every flow restarts) instead of
        /// `flows` (only changed flows restart).
        full: bool,
    },
    /// A running n8n.
    N8n {
        /// Its base URL, without a trailing `/`.
        url: String,
        /// The API key's secret reference.
        api_key: String,
    },
    /// An HTTP receiver of rendered bundles.
    Http {
        /// Its URL.
        url: String,
        /// The HMAC key's secret reference.
        secret: String,
    },
}

/// One environment.
#[derive(Debug, Clone, PartialEq)]
pub struct Environment {
    /// Its name.
    pub name: String,
    /// What it is for.
    pub description: Option<String>,
    /// Prefix of rendered asset names.
    pub name_prefix: Option<String>,
    /// Per-environment values: asset id and dotted path → value.
    pub values: BTreeMap<String, Value>,
    /// Guardrails.
    pub guardrails: Guardrails,
    /// Gates.
    pub gates: Gates,
    /// RACI.
    pub raci: Raci,
    /// Deploy target.
    pub target: Option<TargetSpec>,
    /// When its releases are watched, earliest first.
    pub watch_checkpoints: Vec<Checkpoint>,
}

/// A time after a release at which its watches are evaluated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// As written (`4h`): names the checkpoint in the log.
    pub label: String,
    /// How long after the release.
    pub after: Duration,
}

/// The checkpoints of an environment without `[environments.<name>.watch] checkpoints`.
pub const DEFAULT_CHECKPOINTS: [&str; 4] = ["1h", "4h", "24h", "72h"];

impl Checkpoint {
    /// The default checkpoints (1h, 4h, 24h, 72h).
    pub fn defaults() -> Vec<Self> {
        DEFAULT_CHECKPOINTS
            .iter()
            .filter_map(|text| {
                Duration::parse(text).ok().map(|after| Self {
                    label: (*text).to_owned(),
                    after,
                })
            })
            .collect()
    }
}

/// People and environments of a workspace.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// By id.
    pub people: BTreeMap<String, Person>,
    /// In promotion order.
    pub environments: Vec<Environment>,
    /// How long an incident may stay open unmitigated before the rollback-first advice.
    pub incident_timebox: Duration,
}

impl Policy {
    /// Reads the policy of a workspace; every inconsistency is reported at its place in
    /// `flowgate.toml`.
    pub fn from_workspace(workspace: &Workspace) -> Result<Self, Vec<Diagnostic>> {
        let source = SourceText::new(CONFIG_FILE, workspace.config_text.as_str());
        Self::from_config(&workspace.config, &source, &workspace.root)
    }

    /// Reads the policy from a parsed configuration and its text.
    pub fn from_config(
        config: &Config,
        source: &SourceText,
        root: &std::path::Path,
    ) -> Result<Self, Vec<Diagnostic>> {
        let mut reader = Reader {
            source,
            problems: Vec::new(),
        };
        let mut people = BTreeMap::new();
        let mut roles = BTreeSet::new();
        for (id, person) in &config.people {
            let held: Vec<String> = person.roles.iter().map(|r| r.get_ref().clone()).collect();
            roles.extend(held.iter().cloned());
            people.insert(
                id.clone(),
                Person {
                    id: id.clone(),
                    name: person.name.clone(),
                    email: person.email.clone(),
                    roles: held,
                },
            );
        }
        let names: Vec<&str> = config.environments.keys().map(String::as_str).collect();
        let environments = config
            .environments
            .iter()
            .map(|(name, env)| reader.environment(name, env, &names, &roles, root))
            .collect();
        let incident_timebox = reader.incident_timebox(config);
        if reader.problems.is_empty() {
            Ok(Self {
                people,
                environments,
                incident_timebox,
            })
        } else {
            Err(reader.problems)
        }
    }

    /// The person a git identity (user.name, user.email) belongs to: an email match wins, then
    /// a name; `None` when it is no one, or when it matches several people.
    pub fn identify(&self, name: Option<&str>, email: Option<&str>) -> Option<&Person> {
        let by_email: Vec<&Person> = self
            .people
            .values()
            .filter(|p| p.is_known_as(None, email))
            .collect();
        if let [one] = by_email[..] {
            return Some(one);
        }
        let by_name: Vec<&Person> = self
            .people
            .values()
            .filter(|p| p.is_known_as(name, None))
            .collect();
        match by_name[..] {
            [one] => Some(one),
            _ => None,
        }
    }

    /// The environment called `name`.
    pub fn environment(&self, name: &str) -> Option<&Environment> {
        self.environments.iter().find(|e| e.name == name)
    }

    /// The environment called `name`, or an error listing the ones there are.
    pub fn require_environment(&self, name: &str) -> Result<&Environment, Refusal> {
        self.environment(name)
            .ok_or_else(|| Refusal::UnknownEnvironment {
                name: name.to_owned(),
                known: self.environments.iter().map(|e| e.name.clone()).collect(),
            })
    }

    /// The environment before `name` in promotion order.
    pub fn previous(&self, name: &str) -> Option<&Environment> {
        let index = self.environments.iter().position(|e| e.name == name)?;
        index.checked_sub(1).map(|i| &self.environments[i])
    }
}

struct Reader<'a> {
    source: &'a SourceText,
    problems: Vec<Diagnostic>,
}

type Spanned = toml::Spanned<String>;

impl Reader<'_> {
    /// A deploy target, its type, URL and secret references checked where they are written;
    /// `None` (with a problem) when it cannot be used.
    fn target(&mut self, config: &flowgate_load::TargetConfig, root: &Path) -> Option<TargetSpec> {
        let kind = config.kind.get_ref().as_str();
        let allowed: &[&str] = match kind {
            "directory" => &["path"],
            "node-red" => &["url", "auth", "deployment"],
            "n8n" => &["url", "api_key"],
            "http" => &["url", "secret"],
            other => {
                self.problem(
                    &config.kind,
                    format!("`type = \"{other}\"` is not a deploy target"),
                    "write \"directory\", \"node-red\", \"n8n\" or \"http\" (docs/targets.md)",
                );
                return None;
            }
        };
        self.foreign_target_keys(config, kind, allowed);
        let mut need = |value: &Option<Spanned>, key: &str| -> Option<Spanned> {
            if value.is_none() {
                self.problem(
                    &config.kind,
                    format!("a `{kind}` target needs `{key}`"),
                    "see docs/targets.md for the keys of each target",
                );
            }
            value.clone()
        };
        let spec = match kind {
            "directory" => TargetSpec::Directory(root.join(need(&config.path, "path")?.get_ref())),
            "node-red" => {
                let url = need(&config.url, "url")?;
                TargetSpec::NodeRed {
                    url: self.target_url(&url),
                    auth: config
                        .auth
                        .as_ref()
                        .map(|a| self.secret_reference(a, "auth")),
                    full: self.deployment_type(config.deployment.as_ref()),
                }
            }
            "n8n" => {
                let (url, key) = (need(&config.url, "url"), need(&config.api_key, "api_key"));
                TargetSpec::N8n {
                    url: self.target_url(&url?),
                    api_key: self.secret_reference(&key?, "api_key"),
                }
            }
            _ => {
                let (url, secret) = (need(&config.url, "url"), need(&config.secret, "secret"));
                TargetSpec::Http {
                    url: self.target_url(&url?),
                    secret: self.secret_reference(&secret?, "secret"),
                }
            }
        };
        Some(spec)
    }

    /// A problem at each key given that a target of `kind` does not take.
    fn foreign_target_keys(
        &mut self,
        config: &flowgate_load::TargetConfig,
        kind: &str,
        allowed: &[&str],
    ) {
        let given = [
            ("path", &config.path),
            ("url", &config.url),
            ("auth", &config.auth),
            ("deployment", &config.deployment),
            ("api_key", &config.api_key),
            ("secret", &config.secret),
        ];
        for (key, value) in given {
            if let (Some(value), false) = (value, allowed.contains(&key)) {
                self.problem(
                    value,
                    format!("a `{kind}` target takes no `{key}`"),
                    &format!("a `{kind}` target takes {}", allowed.join(", ")),
                );
            }
        }
    }

    /// `deployment = "flows" | "full"` of a Node-RED target: whether it is `full`.
    fn deployment_type(&mut self, deployment: Option<&Spanned>) -> bool {
        match deployment.map(|d| d.get_ref().as_str()) {
            None | Some("flows") => false,
            Some("full") => true,
            Some(other) => {
                if let Some(at) = deployment {
                    self.problem(
                        at,
                        format!("`deployment = \"{other}\"` is not a Node-RED deployment type"),
                        "write \"flows\" (only changed flows restart) or \"full\"",
                    );
                }
                false
            }
        }
    }

    /// A target's base URL without its trailing `/`, or a problem where it is written.
    fn target_url(&mut self, url: &Spanned) -> String {
        let text = url.get_ref().trim();
        let scheme_ok = text.starts_with("http://") || text.starts_with("https://");
        let host_ok = text
            .split_once("://")
            .is_some_and(|(_, rest)| !rest.is_empty() && !rest.starts_with('/'));
        if !scheme_ok || !host_ok || text.chars().any(char::is_whitespace) {
            self.problem(
                url,
                format!("`url = \"{}\"` is not an http(s) URL", url.get_ref()),
                "write the platform's base URL, e.g. \"http://127.0.0.1:1880\"",
            );
        }
        text.trim_end_matches('/').to_owned()
    }

    /// A credential of a target, which must be a secret reference, never the secret.
    fn secret_reference(&mut self, value: &Spanned, field: &str) -> String {
        let text = value.get_ref().trim();
        if flowgate_model::SecretRef::parse(text).is_err() {
            self.problem(
                value,
                format!("`{field}` of a deploy target must be a secret reference, not the secret itself"),
                "write `env:NAME` and export NAME where flowgate deploys",
            );
        }
        text.to_owned()
    }

    fn problem(&mut self, at: &Spanned, message: String, help: &str) {
        let span = at.span();
        self.problems.push(
            Diagnostic::error(POLICY_CODE, message)
                .at(self.source, Span::new(span.start, span.end))
                .with_help(help.to_owned()),
        );
    }

    fn roles(&mut self, list: &[Spanned], known: &BTreeSet<String>, what: &str) -> Vec<String> {
        for role in list {
            if !known.contains(role.get_ref()) {
                let held: Vec<&str> = known.iter().map(String::as_str).collect();
                self.problem(
                    role,
                    format!(
                        "{what} names role `{}`, which nobody in [people] holds",
                        role.get_ref()
                    ),
                    &format!(
                        "add the role to a person under [people.<id>] roles, or use one of: {}",
                        if held.is_empty() {
                            "(no roles yet)".to_owned()
                        } else {
                            held.join(", ")
                        }
                    ),
                );
            }
        }
        list.iter().map(|r| r.get_ref().clone()).collect()
    }

    fn environment(
        &mut self,
        name: &str,
        env: &EnvironmentConfig,
        names: &[&str],
        roles: &BTreeSet<String>,
        root: &std::path::Path,
    ) -> Environment {
        let gates = &env.gates;
        let from = gates.from.as_ref().map(|from| {
            if !names.contains(&from.get_ref().as_str()) || from.get_ref() == name {
                self.problem(
                    from,
                    format!(
                        "environment `{name}` must come from `{}`, which is not another environment",
                        from.get_ref()
                    ),
                    &format!("use one of: {}", names.join(", ")),
                );
            }
            from.get_ref().clone()
        });
        let block_on = match gates.block_on.as_ref() {
            None => BlockOn::Error,
            Some(word) => match word.get_ref().as_str() {
                "error" => BlockOn::Error,
                "warning" => BlockOn::Warning,
                "off" => BlockOn::Off,
                other => {
                    self.problem(
                        word,
                        format!("`block_on = \"{other}\"` is not a severity"),
                        "write \"error\", \"warning\" or \"off\"",
                    );
                    BlockOn::Error
                }
            },
        };
        let soak = gates
            .soak
            .as_ref()
            .and_then(|text| match Duration::parse(text.get_ref()) {
                Ok(d) => Some(d),
                Err(_) => {
                    self.problem(
                        text,
                        format!("`soak = \"{}\"` is not a duration", text.get_ref()),
                        "write a duration such as \"30m\", \"24h\" or \"2d\"",
                    );
                    None
                }
            });
        let promoters = self.roles(&gates.promoters, roles, "`promoters`");
        let freeze = gates
            .freeze
            .iter()
            .filter_map(|w| self.freeze_window(w))
            .collect();
        let raci = Raci {
            accountable: self.roles(&env.raci.accountable, roles, "`raci.accountable`"),
            responsible: self.roles(&env.raci.responsible, roles, "`raci.responsible`"),
            consulted: self.roles(&env.raci.consulted, roles, "`raci.consulted`"),
            informed: self.roles(&env.raci.informed, roles, "`raci.informed`"),
        };
        let values = self.values(name, env);
        let g = &env.guardrails;
        let guardrails = Guardrails {
            safe_mode: g.safe_mode.as_ref().map(|s| SafeMode {
                seed_list: s.seed_list.as_ref().map(|l| l.get_ref().clone()),
                internal_domains: s.internal_domains.clone(),
            }),
            webhook_redirect: g.webhook_redirect.as_ref().map(|url| {
                if !url.get_ref().starts_with("https://") && !url.get_ref().starts_with("http://") {
                    self.problem(
                        url,
                        format!("`webhook_redirect = \"{}\"` is not a URL", url.get_ref()),
                        "write the capture endpoint's full URL, e.g. \"https://hooks.stage.example/capture\"",
                    );
                }
                url.get_ref().clone()
            }),
            throttle_per_minute: g.throttle_per_minute,
            daily_cap: g.daily_cap,
            audience_allow_list: g.audience_allow_list.as_ref().map(|l| l.get_ref().clone()),
            routing_flag: g.routing_flag.clone(),
            only_campaign: g.only_campaign.clone(),
        };
        let target = env.target.as_ref().and_then(|t| self.target(t, root));
        let watch_checkpoints = self.checkpoints(name, env);
        Environment {
            name: name.to_owned(),
            description: env.description.clone(),
            name_prefix: env.name_prefix.clone(),
            values,
            guardrails,
            gates: Gates {
                from,
                block_on,
                soak,
                promoters,
                author_may_approve_alone: gates.author_may_approve_alone,
                block_on_overdue_actions: gates.block_on_overdue_actions,
                soak_requires_watch: gates.soak_requires_watch,
                freeze,
            },
            raci,
            target,
            watch_checkpoints,
        }
    }

    /// `[incidents] timebox`: a positive duration, 30 minutes when absent.
    fn incident_timebox(&mut self, config: &Config) -> Duration {
        let default = Duration::from_seconds(60 * 30);
        let Some(text) = config.incidents.as_ref().and_then(|i| i.timebox.as_ref()) else {
            return default;
        };
        match Duration::parse(text.get_ref()) {
            Ok(d) if d.as_seconds() > 0 => d,
            _ => {
                self.problem(
                    text,
                    format!(
                        "`timebox = \"{}\"` is not a positive duration",
                        text.get_ref()
                    ),
                    "write a duration such as \"30m\" or \"1h\"",
                );
                default
            }
        }
    }

    /// The watch checkpoints of an environment: durations after a release, each once,
    /// earliest first (the defaults when none are configured).
    fn checkpoints(&mut self, name: &str, env: &EnvironmentConfig) -> Vec<Checkpoint> {
        let Some(texts) = env.watch.as_ref().and_then(|w| w.checkpoints.as_ref()) else {
            return Checkpoint::defaults();
        };
        let mut out: Vec<Checkpoint> = Vec::new();
        for text in texts {
            match Duration::parse(text.get_ref()) {
                Ok(after) if after.as_seconds() > 0 => {
                    if out.iter().any(|c| c.after == after) {
                        self.problem(
                            text,
                            format!(
                                "checkpoint `{}` of environment `{name}` is listed twice",
                                text.get_ref()
                            ),
                            "list each checkpoint once",
                        );
                    }
                    out.push(Checkpoint {
                        label: text.get_ref().clone(),
                        after,
                    });
                }
                _ => self.problem(
                    text,
                    format!(
                        "checkpoint `{}` of environment `{name}` is not a duration after the release",
                        text.get_ref()
                    ),
                    "write durations such as \"1h\", \"4h\", \"24h\" or \"3d\"",
                ),
            }
        }
        out.sort_by_key(|c| c.after.as_seconds());
        out.dedup_by_key(|c| c.after.as_seconds());
        out
    }

    /// The environment's values: each key names an asset and a field; a value on a
    /// credential field must be a secret reference, and no value may hold a literal
    /// credential (both reported masked, at the key).
    fn values(&mut self, env_name: &str, env: &EnvironmentConfig) -> BTreeMap<String, Value> {
        let mut values = BTreeMap::new();
        let mut texts: Vec<(&Spanned, String, String)> = Vec::new();
        for (key, value) in &env.values {
            if !key.get_ref().contains('.') {
                self.problem(
                    key,
                    format!("value key `{}` names no field", key.get_ref()),
                    "write \"<asset-id>.<field>\", e.g. \"welcome-email.from.address\"",
                );
                continue;
            }
            let json = toml_to_json(value);
            let mut leaves = Vec::new();
            secrets::leaves(key.get_ref(), &json, &mut leaves);
            for (path, leaf) in leaves {
                let text = leaf
                    .as_str()
                    .map_or_else(|| leaf.to_string(), str::to_owned);
                if secrets::is_credential_path(&path) && !secrets::is_secret_reference(leaf) {
                    self.literal_secret(key, env_name, &path, &text, None);
                } else if leaf.is_string() {
                    texts.push((key, path, text));
                }
            }
            values.insert(key.get_ref().clone(), json);
        }
        let candidates: Vec<&str> = texts.iter().map(|(_, _, text)| text.as_str()).collect();
        for (index, what) in secrets::literal_credentials(&candidates) {
            if let Some((key, path, text)) = texts.get(index) {
                self.literal_secret(key, env_name, path, text, Some(&what));
            }
        }
        values
    }

    /// A credential written into `[environments.<env>.values]`, masked in every report.
    fn literal_secret(
        &mut self,
        key: &Spanned,
        env: &str,
        path: &str,
        value: &str,
        what: Option<&str>,
    ) {
        let masked = flowgate_diagnostics::redact_secret(value.trim());
        let message = match what {
            Some(what) => format!("value `{path}` of environment `{env}` holds {what}"),
            None => format!(
                "value `{path}` of environment `{env}` is a credential field holding a literal \
                 (`{masked}`), not a secret reference"
            ),
        };
        let span = key.span();
        self.problems.push(
            Diagnostic::error(POLICY_CODE, message)
                .at(self.source, Span::new(span.start, span.end))
                .with_secret(value.trim())
                .with_help(
                    "keep credentials out of flowgate.toml: put the secret in an environment \
                     variable or the vault and write `env:NAME` or `vault:path#key`; rotate it \
                     at the provider if it was ever committed"
                        .to_owned(),
                ),
        );
    }

    fn freeze_window(&mut self, w: &flowgate_load::FreezeWindowConfig) -> Option<FreezeWindow> {
        let zone: Tz = match &w.time_zone {
            None => Tz::UTC,
            Some(name) => match name.get_ref().parse() {
                Ok(zone) => zone,
                Err(_) => {
                    self.problem(
                        name,
                        format!("`{}` is not an IANA time zone", name.get_ref()),
                        "write a zone such as \"Europe/Berlin\" or \"America/New_York\"",
                    );
                    return None;
                }
            },
        };
        let text = format!(
            "{} – {}{}",
            w.start.get_ref(),
            w.end.get_ref(),
            w.time_zone
                .as_ref()
                .map(|z| format!(" {}", z.get_ref()))
                .unwrap_or_else(|| " UTC".to_owned())
        );
        if w.days.is_empty() {
            let start = self.instant(&w.start, zone)?;
            let end = self.instant(&w.end, zone)?;
            if end <= start {
                self.problem(
                    &w.end,
                    "the freeze window ends before it starts".to_owned(),
                    "put the end after the start",
                );
                return None;
            }
            return Some(FreezeWindow::Once {
                start,
                end,
                text,
                reason: w.reason.clone(),
            });
        }
        let mut days = Vec::new();
        for day in &w.days {
            match day.get_ref().parse::<Weekday>() {
                Ok(d) => days.push(d),
                Err(_) => self.problem(
                    day,
                    format!("`{}` is not a day of the week", day.get_ref()),
                    "write mon, tue, wed, thu, fri, sat or sun",
                ),
            }
        }
        let start = self.time(&w.start)?;
        let end = self.time(&w.end)?;
        let days_text: Vec<String> = w.days.iter().map(|d| d.get_ref().clone()).collect();
        Some(FreezeWindow::Weekly {
            days,
            start,
            end,
            zone,
            text: format!("every {} {text}", days_text.join(", ")),
            reason: w.reason.clone(),
        })
    }

    fn instant(&mut self, text: &Spanned, zone: Tz) -> Option<DateTime<Utc>> {
        let raw = text.get_ref().trim();
        let naive = NaiveDateTime::parse_from_str(raw, "%Y-%m-%d %H:%M")
            .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M"))
            .or_else(|_| {
                NaiveDate::parse_from_str(raw, "%Y-%m-%d").map(|d| d.and_time(NaiveTime::MIN))
            });
        match naive
            .ok()
            .and_then(|n| zone.from_local_datetime(&n).earliest())
        {
            Some(local) => Some(local.with_timezone(&Utc)),
            None => {
                self.problem(
                    text,
                    format!("`{raw}` is not a local date and time"),
                    "write \"YYYY-MM-DD HH:MM\" (local to `time_zone`), or add `days` for a weekly window",
                );
                None
            }
        }
    }

    fn time(&mut self, text: &Spanned) -> Option<NaiveTime> {
        match NaiveTime::parse_from_str(text.get_ref().trim(), "%H:%M") {
            Ok(t) => Some(t),
            Err(_) => {
                self.problem(
                    text,
                    format!("`{}` is not a time of day", text.get_ref()),
                    "a weekly window (with `days`) takes times such as \"15:00\"",
                );
                None
            }
        }
    }
}

/// Converts a TOML value to JSON (dates become their text).
pub(crate) fn toml_to_json(value: &toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::from(s.clone()),
        toml::Value::Integer(i) => Value::from(*i),
        toml::Value::Float(f) => {
            serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number)
        }
        toml::Value::Boolean(b) => Value::from(*b),
        toml::Value::Datetime(d) => Value::from(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.iter().map(toml_to_json).collect()),
        toml::Value::Table(table) => Value::Object(
            table
                .iter()
                .map(|(k, v)| (k.clone(), toml_to_json(v)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn policy(text: &str) -> Result<Policy, Vec<Diagnostic>> {
        let config = flowgate_load::parse_config(text).map_err(|d| vec![*d])?;
        let source = SourceText::new(CONFIG_FILE, text);
        Policy::from_config(&config, &source, std::path::Path::new("/ws"))
    }

    const BASE: &str = "[workspace]\nname = \"x\"\n[people.ann]\nroles = [\"marketing-ops\"]\n";

    #[test]
    fn unknown_roles_environments_and_zones_are_located() {
        let text = format!(
            "{BASE}[environments.stage]\n[environments.prod.gates]\nfrom = \"qa\"\npromoters = [\"revops\"]\n\
             freeze = [{{ start = \"2026-11-26 00:00\", end = \"2026-12-01 00:00\", time_zone = \"Mars/Base\" }}]\n"
        );
        let problems = policy(&text).unwrap_err();
        let messages: Vec<String> = problems.iter().map(|d| d.message.clone()).collect();
        assert_eq!(problems.len(), 3, "{messages:?}");
        assert!(messages[0].contains("`qa`"));
        assert!(messages[1].contains("`revops`"));
        assert!(messages[2].contains("Mars/Base"));
        assert!(problems.iter().all(|d| d.location.is_some()));
    }

    #[test]
    fn one_off_windows_use_their_time_zone() {
        let text = format!(
            "{BASE}[environments.prod.gates]\n\
             freeze = [{{ start = \"2026-11-27 00:00\", end = \"2026-11-28 00:00\", time_zone = \"Europe/Berlin\", reason = \"Black Friday\" }}]\n"
        );
        let policy = policy(&text).unwrap();
        let window = &policy.environment("prod").unwrap().gates.freeze[0];
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        assert!(!window.contains(at("2026-11-26T22:59:00Z")));
        assert!(window.contains(at("2026-11-26T23:00:00Z")));
        assert!(window.contains(at("2026-11-27T22:59:59Z")));
        assert!(!window.contains(at("2026-11-27T23:00:00Z")));
        assert!(window.describe().contains("Black Friday"));
    }

    #[test]
    fn weekly_windows_run_past_midnight() {
        let text = format!(
            "{BASE}[environments.prod.gates]\n\
             freeze = [{{ days = [\"fri\"], start = \"15:00\", end = \"08:00\", time_zone = \"America/New_York\" }}]\n"
        );
        let policy = policy(&text).unwrap();
        let window = &policy.environment("prod").unwrap().gates.freeze[0];
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        // Friday 2026-11-27 14:59 and 15:00 New York (UTC-5).
        assert!(!window.contains(at("2026-11-27T19:59:00Z")));
        assert!(window.contains(at("2026-11-27T20:00:00Z")));
        // Saturday 07:59 and 08:00 New York.
        assert!(window.contains(at("2026-11-28T12:59:00Z")));
        assert!(!window.contains(at("2026-11-28T13:00:00Z")));
    }

    #[test]
    fn approvers_are_accountable_then_responsible_without_repeats() {
        let raci = Raci {
            accountable: vec!["a".into(), "b".into()],
            responsible: vec!["b".into(), "c".into()],
            ..Raci::default()
        };
        assert_eq!(raci.approvers(), ["a", "b", "c"]);
    }
}

//! The `[check]` section of `flowgate.toml`.
//!
//! ```toml
//! [check]
//! select = ["FG1", "FG2"]            # code prefixes or rule names; default: every rule
//! ignore = ["unused-asset"]
//! fail_on = "warning"                # default for --fail-on
//! verified_senders = ["*@acme.example", "ACME"]
//!
//! [check.severity]                   # per rule, by code or name: error, warning, info, off
//! FG308 = "info"
//!
//! [check.environments.prod.severity] # stricter (or looser) per environment
//! marketing-without-frequency-cap = "error"
//!
//! [[check.exceptions]]               # per asset; the reason is mandatory
//! asset = "legacy-import"
//! rules = ["FG201"]
//! reason = "Contacts are pre-filtered by the list vendor"
//! ```

use crate::registry;
use flowgate_diagnostics::{Diagnostic, Severity, SourceText, Span};
use flowgate_load::codes;
use serde::Deserialize;
use std::collections::BTreeMap;

/// A configured severity, or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Report as an error.
    Error,
    /// Report as a warning.
    Warning,
    /// Report as information.
    Info,
    /// Do not run the rule.
    Off,
}

impl Level {
    /// The severity, or `None` for `off`.
    pub fn severity(self) -> Option<Severity> {
        match self {
            Self::Error => Some(Severity::Error),
            Self::Warning => Some(Severity::Warning),
            Self::Info => Some(Severity::Info),
            Self::Off => None,
        }
    }
}

/// The lowest severity that makes `flowgate check` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    /// Errors only.
    #[default]
    Error,
    /// Warnings and errors.
    Warning,
    /// Any finding.
    Info,
    /// Never fail.
    Never,
}

impl FailOn {
    /// Whether a diagnostic of this severity fails the run.
    pub fn fails(self, severity: Severity) -> bool {
        match self {
            Self::Error => severity == Severity::Error,
            Self::Warning => severity >= Severity::Warning,
            Self::Info => true,
            Self::Never => false,
        }
    }
}

/// Per-environment overrides.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentChecks {
    /// Severity per rule (code or name).
    #[serde(default)]
    pub severity: BTreeMap<String, Level>,
}

/// A rule switched off for one asset, with the reason written down.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exception {
    /// The asset id.
    pub asset: String,
    /// Rule codes or names; `"*"` for every rule.
    pub rules: Vec<String>,
    /// Only findings about these elements of a platform flow (Salesforce element API names,
    /// n8n node names, Node-RED node ids); empty or `"*"` for the whole asset.
    #[serde(default)]
    pub elements: Vec<String>,
    /// Why the rule does not apply (mandatory, shown in reports).
    pub reason: String,
}

/// The `[check]` configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CheckConfig {
    /// Only rules whose code starts with, or whose name equals, one of these.
    pub select: Vec<String>,
    /// Rules left out (code prefix or name).
    pub ignore: Vec<String>,
    /// Default for `--fail-on`.
    pub fail_on: FailOn,
    /// Severity per rule.
    pub severity: BTreeMap<String, Level>,
    /// Overrides per environment.
    pub environments: BTreeMap<String, EnvironmentChecks>,
    /// Per-asset exceptions.
    pub exceptions: Vec<Exception>,
    /// Sender identities allowed in templates: addresses, `*@domain` patterns, SMS sender ids.
    pub verified_senders: Vec<String>,
    /// Template variables the sending platform provides (not fields).
    pub template_globals: Vec<String>,
    /// Query parameters every tracked link in a marketing email must carry.
    pub required_utm: Vec<String>,
    /// Hosts that only production may call.
    pub production_hosts: Vec<String>,
    /// The environment that is production.
    pub production_environment: String,
    /// Largest number of segments an SMS may take.
    pub sms_max_segments: u32,
    /// Longest email subject, in characters.
    pub subject_max_length: usize,
    /// Regular expression every asset `name` must match.
    pub name_pattern: Option<String>,
    /// Options of the platform-flow rules.
    pub flows: FlowOptions,
    /// Options of the Salesforce rules.
    pub salesforce: SalesforceOptions,
}

/// `[check.flows]`: options of the platform-flow rules (FG7xx).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FlowOptions {
    /// Most decisions plus loops a flow may have (cyclomatic complexity).
    pub max_complexity: u32,
}

impl Default for FlowOptions {
    fn default() -> Self {
        Self { max_complexity: 25 }
    }
}

/// `[check.salesforce]`: options of the Salesforce rules (FG8xx).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SalesforceOptions {
    /// The API version a flow must have, as an expression (`>=49`, `>58`, `==60`).
    pub api_version: String,
    /// Regular expression every flow's API name (file name) must match in full. The
    /// default, `[A-Za-z0-9]+(_[A-Za-z0-9]+)+`, accepts the names Lightning Flow Scanner's
    /// default (`[A-Za-z0-9]+_[A-Za-z0-9]+`, which it searches for anywhere in the name)
    /// accepts: a domain and a description joined by underscores (`Service_Order_Update`).
    pub flow_name_pattern: String,
}

impl Default for SalesforceOptions {
    fn default() -> Self {
        Self {
            api_version: ">=49".to_owned(),
            flow_name_pattern: "[A-Za-z0-9]+(_[A-Za-z0-9]+)+".to_owned(),
        }
    }
}

impl SalesforceOptions {
    /// The parsed `api_version` requirement.
    pub fn api_version_requirement(&self) -> Result<VersionRequirement, String> {
        self.api_version.parse()
    }
}

/// A version comparison such as `>=49` (the form Lightning Flow Scanner uses).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VersionRequirement {
    /// `<`, `<=`, `>`, `>=`, `==` or `!=`.
    pub operator: &'static str,
    /// The version compared with.
    pub version: f64,
}

impl VersionRequirement {
    /// Whether `version` meets the requirement.
    pub fn allows(&self, version: f64) -> bool {
        match self.operator {
            "<" => version < self.version,
            "<=" => version <= self.version,
            ">" => version > self.version,
            ">=" => version >= self.version,
            "!=" => version != self.version,
            _ => version == self.version,
        }
    }
}

impl std::fmt::Display for VersionRequirement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.operator, self.version)
    }
}

impl std::str::FromStr for VersionRequirement {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let operator = ["<=", ">=", "==", "!=", "<", ">", "="]
            .into_iter()
            .find(|op| text.starts_with(op))
            .unwrap_or("==");
        let number = text
            .strip_prefix(operator)
            .unwrap_or(text)
            .trim()
            .parse::<f64>()
            .map_err(|_| {
                format!(
                    "`{text}` is not a version requirement; write an operator and a number, \
                     such as `>=49`"
                )
            })?;
        Ok(Self {
            operator: if operator == "=" { "==" } else { operator },
            version: number,
        })
    }
}

impl Default for CheckConfig {
    fn default() -> Self {
        Self {
            select: Vec::new(),
            ignore: Vec::new(),
            fail_on: FailOn::Error,
            severity: BTreeMap::new(),
            environments: BTreeMap::new(),
            exceptions: Vec::new(),
            verified_senders: Vec::new(),
            template_globals: ["unsubscribe_url", "preferences_url", "view_in_browser_url"]
                .map(String::from)
                .to_vec(),
            required_utm: ["utm_source", "utm_medium", "utm_campaign"]
                .map(String::from)
                .to_vec(),
            production_hosts: Vec::new(),
            production_environment: "prod".to_owned(),
            sms_max_segments: 1,
            subject_max_length: 60,
            name_pattern: None,
            flows: FlowOptions::default(),
            salesforce: SalesforceOptions::default(),
        }
    }
}

#[derive(Deserialize)]
struct File {
    #[serde(default)]
    check: CheckConfig,
}

/// Read `[check]` from the text of `flowgate.toml`, with located errors. Rule codes and names
/// that do not exist, exceptions without a reason and invalid patterns are errors too.
pub fn parse_check_config(text: &str, path: &str) -> Result<CheckConfig, Vec<Diagnostic>> {
    let source = SourceText::new(path, text);
    let config = match toml::from_str::<File>(text) {
        Ok(file) => file.check,
        Err(e) => {
            let span = e
                .span()
                .map(|r| Span::new(r.start, r.end))
                .unwrap_or_default();
            return Err(vec![Diagnostic::error(
                codes::CONFIG,
                format!("invalid [check] section: {}", e.message()),
            )
            .at(&source, span)
            .with_help("see docs/checks.md for the keys of [check]")]);
        }
    };
    let mut errors = Vec::new();
    let locate = |needle: &str| -> Span {
        // The quoted form first: a bare search could hit a comment or a longer word.
        let quoted = format!("\"{needle}\"");
        text.find(&quoted)
            .map(|at| Span::new(at + 1, at + 1 + needle.len()))
            .or_else(|| text.find(needle).map(|at| Span::new(at, at + needle.len())))
            .unwrap_or_default()
    };
    let known = |name: &str, prefix_ok: bool, errors: &mut Vec<Diagnostic>| {
        let exists = if prefix_ok {
            registry::selects_any(name)
        } else {
            registry::find(name).is_some()
        };
        if !exists && name != "*" {
            errors.push(
                Diagnostic::error(codes::UNKNOWN_RULE, format!("no rule `{name}`"))
                    .at(&source, locate(name))
                    .with_help(registry::unknown_selector_help(name)),
            );
        }
    };
    for name in config.select.iter().chain(&config.ignore) {
        known(name, true, &mut errors);
    }
    for name in config
        .severity
        .keys()
        .chain(config.environments.values().flat_map(|e| e.severity.keys()))
    {
        known(name, false, &mut errors);
    }
    for exception in &config.exceptions {
        for name in &exception.rules {
            known(name, false, &mut errors);
        }
        if exception.reason.trim().is_empty() {
            errors.push(
                Diagnostic::error(
                    codes::CONFIG,
                    format!(
                        "the exception for `{}` has an empty reason",
                        exception.asset
                    ),
                )
                .at(&source, locate(&exception.asset))
                .with_help("write down why the rule does not apply: reviewers read it"),
            );
        }
    }
    if let Some(pattern) = &config.name_pattern {
        if let Err(e) = regex::Regex::new(pattern) {
            errors.push(
                Diagnostic::error(codes::CONFIG, format!("invalid `name_pattern`: {e}"))
                    .at(&source, locate(pattern)),
            );
        }
    }
    if let Err(e) = regex::Regex::new(&config.salesforce.flow_name_pattern) {
        errors.push(
            Diagnostic::error(codes::CONFIG, format!("invalid `flow_name_pattern`: {e}"))
                .at(&source, locate(&config.salesforce.flow_name_pattern)),
        );
    }
    if let Err(e) = config.salesforce.api_version_requirement() {
        errors.push(
            Diagnostic::error(codes::CONFIG, format!("invalid `api_version`: {e}"))
                .at(&source, locate(&config.salesforce.api_version)),
        );
    }
    if errors.is_empty() {
        Ok(config)
    } else {
        Err(errors)
    }
}

/// FG018 for each selector given with a command-line option (`--select`, `--ignore`) that
/// selects no rule: running on would check less than asked, silently.
pub fn unknown_selectors(option: &str, keys: &[String]) -> Vec<Diagnostic> {
    keys.iter()
        .filter(|key| !registry::selects_any(key))
        .map(|key| {
            Diagnostic::error(
                codes::UNKNOWN_RULE,
                format!("`{option} {key}` matches no rule"),
            )
            .with_help(registry::unknown_selector_help(key))
        })
        .collect()
}

impl CheckConfig {
    /// The severity a rule runs with in `environment`, or `None` when it does not run.
    pub fn effective_severity(
        &self,
        meta: &crate::RuleMeta,
        environment: Option<&str>,
    ) -> Option<Severity> {
        let matches = |key: &String| meta.answers_to(key);
        let selected = self.select.is_empty() || self.select.iter().any(|s| meta.selected_by(s));
        let ignored = self.ignore.iter().any(|s| meta.selected_by(s));
        if !selected || ignored {
            return None;
        }
        let mut level = self
            .severity
            .iter()
            .find(|(k, _)| matches(k))
            .map(|(_, l)| *l);
        if let Some(env) = environment.and_then(|e| self.environments.get(e)) {
            if let Some((_, l)) = env.severity.iter().find(|(k, _)| matches(k)) {
                level = Some(*l);
            }
        }
        match level {
            Some(level) => level.severity(),
            None => Some(meta.default_severity),
        }
    }

    /// The exception that switches `meta` off for `asset` (and, when the finding is about
    /// one element of a platform flow, for that `element`), if any.
    pub fn exception_for(
        &self,
        meta: &crate::RuleMeta,
        asset: &str,
        element: Option<&str>,
    ) -> Option<&Exception> {
        self.exceptions.iter().find(|e| {
            e.asset == asset
                && e.rules.iter().any(|r| r == "*" || meta.answers_to(r))
                && (e.elements.is_empty()
                    || e.elements
                        .iter()
                        .any(|name| name == "*" || Some(name.as_str()) == element))
        })
    }
}

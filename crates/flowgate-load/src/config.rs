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
    /// `[integrations]`: read by flowgate-integrations (risk weights and thresholds), which
    /// validates it with located errors.
    #[serde(default)]
    pub integrations: toml::Table,
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
                    description: None,
                    name_prefix: Some(prefix.to_owned()),
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
                    codes::CONFIG,
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
                codes::CONFIG,
                format!(
                    "no {CONFIG_FILE} in `{}` or any parent directory",
                    start.display()
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
    if config.workspace.assets.is_empty() {
        return Err(Box::new(
            Diagnostic::error(codes::CONFIG, "`workspace.assets` lists no glob")
                .with_help("remove the key to use the defaults (**/*.yaml, **/*.yml, **/*.json)"),
        ));
    }
    Ok(config)
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
    fn unknown_keys_are_located() {
        let err = parse_config("[workspace]\nname = \"x\"\nasset = []\n").unwrap_err();
        let location = err.location.expect("located");
        assert_eq!(location.start.line, 3);
        assert!(err.message.contains("unknown field"), "{}", err.message);
    }
}

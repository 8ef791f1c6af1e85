//! `flowgate check`: the release checklist as static rules.

use crate::cli::{CheckArgs, FailOnArg, Format, GlobalArgs};
use crate::error::{CommandError, CommandResult, ErrorKind};
use crate::exit::Exit;
use crate::output;
use flowgate_check::{
    check, parse_check_config, rule_infos, unknown_selectors, CheckConfig, CheckOptions,
    CheckReport, FailOn,
};
use flowgate_diagnostics::{
    render_github, render_json, render_junit, render_sarif, sort_diagnostics, Diagnostic, Severity,
    SourceMap, SourceText, ToolInfo,
};
use flowgate_load::{codes, Loaded, Workspace};
use flowgate_model::{AssetGraph, AssetId, Model};
use flowgate_release::{BlockOn, Policy};
use petgraph::Direction;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What a run checks with: the `[check]` configuration, the fail level, and the gate of the
/// environment checked for.
struct Settings {
    config: CheckConfig,
    fail_on: FailOn,
    gate: Option<(String, BlockOn)>,
}

/// Run the command.
pub fn run(args: &CheckArgs, global: &GlobalArgs) -> CommandResult {
    let (workspace, loaded) = super::load(global)?;
    let settings =
        settings(args, &workspace).map_err(|problems| bad_input(problems, &workspace))?;
    let only = match &args.changed_since {
        Some(rev) => Some(changed_assets(&workspace, &loaded.model, rev).map_err(|message| {
            let problem = Diagnostic::error(codes::BAD_REVISION, message)
                .with_help("--changed-since takes a git revision (a branch, tag or commit) of the repository holding the workspace");
            bad_input(vec![problem], &workspace)
        })?),
        None => None,
    };
    let environments: Vec<String> = workspace.config.environments.keys().cloned().collect();
    let options = CheckOptions {
        environment: args.environment.as_deref(),
        environments: &environments,
        only: only.as_ref(),
    };
    let report = check(&loaded.model, &loaded.sources, &settings.config, &options);
    let mut diagnostics: Vec<Diagnostic> = loaded
        .diagnostics
        .iter()
        .filter(|d| {
            // With --changed-since, loader problems of untouched files are not news either.
            only.is_none() || d.severity == flowgate_diagnostics::Severity::Error
        })
        .cloned()
        .chain(report.diagnostics.iter().cloned())
        .collect();
    sort_diagnostics(&mut diagnostics);
    let gate = settings.gate.as_ref().map(|(env, block_on)| {
        let blocking = gate_blocking(&loaded, &settings.config, &options, &report, *block_on);
        (env.as_str(), *block_on, blocking)
    });
    let failed = loaded.has_errors()
        || diagnostics
            .iter()
            .any(|d| settings.fail_on.fails(d.severity))
        || gate.is_some_and(|(_, _, blocking)| blocking > 0);
    let prefix = display_prefix(&workspace.root);
    let summary = RunSummary {
        only: only.as_ref(),
        report: &report,
        gate,
        assets: loaded.model.assets().len(),
    };
    match global.format {
        Format::Human | Format::Markdown | Format::Csv | Format::Prometheus => {
            let mut text = String::new();
            if !diagnostics.is_empty() {
                let (shown, sources) =
                    from_current_dir(&diagnostics, &loaded.sources, &workspace.root);
                let color = output::use_color(global);
                text.push_str(&output::human_diagnostics(&shown, &sources, color));
            }
            text.push_str(&summary.human());
            output::out(&text);
        }
        Format::Json => {
            let mut document = render_json(&diagnostics);
            summary.extend_json(&mut document);
            output::out(&format!("{document:#}\n"));
        }
        Format::Sarif => {
            let tool = ToolInfo {
                name: "flowgate".into(),
                version: env!("CARGO_PKG_VERSION").into(),
                information_uri: "https://github.com/flowgate/flowgate".into(),
            };
            let sarif = render_sarif(
                &with_prefix(diagnostics, prefix.as_deref()),
                &rule_infos(),
                &tool,
            );
            output::out(&format!("{sarif:#}\n"));
        }
        Format::Github => output::out(&render_github(&with_prefix(diagnostics, prefix.as_deref()))),
        Format::Junit => {
            let checked = checked_files(&loaded.model, only.as_ref(), prefix.as_deref());
            let diagnostics = with_prefix(diagnostics, prefix.as_deref());
            output::out(&render_junit(&diagnostics, &checked, "flowgate check"));
        }
    }
    super::release(loaded);
    Ok(if failed {
        Exit::Findings
    } else {
        Exit::Success
    })
}

/// The configuration of a run, or every problem with it: the promotion policy and `[check]`
/// of `flowgate.toml`, the environment and the rule selectors of the command line.
fn settings(args: &CheckArgs, workspace: &Workspace) -> Result<Settings, Vec<Diagnostic>> {
    let (policy, mut problems) = match Policy::from_workspace(workspace) {
        Ok(policy) => (Some(policy), Vec::new()),
        Err(problems) => (None, problems),
    };
    let config = parse_check_config(&workspace.config_text, flowgate_load::CONFIG_FILE)
        .map_err(|errors| problems.extend(errors))
        .ok();
    if let Err(problem) = flowgate_integrations::parse_risk_config(&workspace.config_text) {
        problems.push(*problem);
    }
    problems.extend(unknown_selectors("--select", &args.select));
    problems.extend(unknown_selectors("--ignore", &args.ignore));
    if let Some(env) = &args.environment {
        problems.extend(super::undeclared_environment(workspace, env));
    }
    let Some(mut config) = config.filter(|_| problems.is_empty()) else {
        return Err(problems);
    };
    config.select.extend(args.select.iter().cloned());
    config.ignore.extend(args.ignore.iter().cloned());
    let fail_on = match args.fail_on {
        Some(FailOnArg::Error) => FailOn::Error,
        Some(FailOnArg::Warning) => FailOn::Warning,
        Some(FailOnArg::Info) => FailOn::Info,
        Some(FailOnArg::Never) => FailOn::Never,
        None => config.fail_on,
    };
    let gate = args.environment.as_ref().and_then(|env| {
        let block_on = policy.as_ref()?.environment(env)?.gates.block_on;
        Some((env.clone(), block_on))
    });
    Ok(Settings {
        config,
        fail_on,
        gate,
    })
}

/// Problems of the promotion policy and the `[integrations]` settings in `flowgate.toml`
/// (gates, roles, freeze windows, values, risk weights), located in the file. `validate` and `check` refuse a workspace that has any,
/// as `plan` and `promote` do.
pub(super) fn policy_problems(workspace: &Workspace) -> Vec<Diagnostic> {
    let mut problems = Policy::from_workspace(workspace).err().unwrap_or_default();
    // `[integrations]` is configuration too: a typo there must not wait for `integrations risk`.
    if let Err(problem) = flowgate_integrations::parse_risk_config(&workspace.config_text) {
        problems.push(*problem);
    }
    problems
}

/// Configuration and usage problems as one error (exit 2), in order, shown with their lines
/// of `flowgate.toml`.
pub(super) fn bad_input(mut problems: Vec<Diagnostic>, workspace: &Workspace) -> CommandError {
    sort_diagnostics(&mut problems);
    CommandError::from_diagnostics(ErrorKind::Config, problems).with_source(SourceText::new(
        flowgate_load::CONFIG_FILE,
        workspace.config_text.as_str(),
    ))
}

/// How many findings would block a promotion into the environment: those at or above its
/// `block_on`, at the severities the promotion's checks gate counts (the defaults, as a
/// snapshot is frozen once for every environment). Loader errors block too.
fn gate_blocking(
    loaded: &Loaded,
    config: &CheckConfig,
    options: &CheckOptions<'_>,
    report: &CheckReport,
    block_on: BlockOn,
) -> usize {
    let overridden = options
        .environment
        .is_some_and(|env| config.environments.contains_key(env));
    let frozen;
    let counted = if overridden {
        let defaults = CheckOptions {
            environment: None,
            ..*options
        };
        frozen = check(&loaded.model, &loaded.sources, config, &defaults);
        &frozen
    } else {
        report
    };
    let blocks = |severity: Severity| match block_on {
        BlockOn::Off => false,
        BlockOn::Error => severity == Severity::Error,
        BlockOn::Warning => severity >= Severity::Warning,
    };
    counted
        .diagnostics
        .iter()
        .filter(|d| blocks(d.severity))
        .count()
}

/// What the summary line and the JSON document say besides the diagnostics.
struct RunSummary<'a> {
    only: Option<&'a BTreeSet<AssetId>>,
    report: &'a CheckReport,
    /// The environment checked for, its `block_on`, and how many findings would block it.
    gate: Option<(&'a str, BlockOn, usize)>,
    assets: usize,
}

impl RunSummary<'_> {
    fn human(&self) -> String {
        let scope = match self.only {
            Some(set) => format!("{} changed or affected assets", set.len()),
            None => format!("{} assets", self.assets),
        };
        let mut text = format!("checked {scope} with {} rules", self.report.rules_run);
        if let Some((env, _, _)) = self.gate {
            text.push_str(&format!(" for `{env}`"));
        }
        if !self.report.suppressed.is_empty() {
            text.push_str(&format!(
                "; {} findings waived by exceptions",
                self.report.suppressed.len()
            ));
        }
        text.push('\n');
        if let Some((env, block_on, blocking)) = self.gate.filter(|(_, _, n)| *n > 0) {
            text.push_str(&format!(
                "{blocking} finding(s) would block a promotion into `{env}`, which blocks on {}\n",
                block_on.as_str()
            ));
        }
        text
    }

    fn extend_json(&self, document: &mut serde_json::Value) {
        document["rules_run"] = serde_json::json!(self.report.rules_run);
        document["environment"] = serde_json::json!(self.gate.map(|(env, _, _)| env));
        document["gate"] = match self.gate {
            Some((_, block_on, blocking)) => serde_json::json!({
                "block_on": block_on.as_str(),
                "blocking": blocking,
                "blocks": blocking > 0,
            }),
            None => serde_json::Value::Null,
        };
        document["waived"] = serde_json::json!(self
            .report
            .suppressed
            .iter()
            .map(|(code, asset, reason)| serde_json::json!({ "code": code, "asset": asset, "reason": reason }))
            .collect::<Vec<_>>());
    }
}

/// Paths as CI tools resolve them: from the current directory, when the workspace is below it.
fn with_prefix(list: Vec<Diagnostic>, prefix: Option<&Path>) -> Vec<Diagnostic> {
    match prefix {
        Some(prefix) => map_paths(list, |path| {
            prefix.join(path).to_string_lossy().into_owned()
        }),
        None => list,
    }
}

/// The diagnostics with every path (of their locations and related places) rewritten.
fn map_paths(mut list: Vec<Diagnostic>, shown: impl Fn(&str) -> String) -> Vec<Diagnostic> {
    for d in &mut list {
        if let Some(l) = &mut d.location {
            l.path = shown(&l.path);
        }
        for r in &mut d.related {
            r.location.path = shown(&r.location.path);
        }
    }
    list
}

/// The files checked (those of the selected assets with `--changed-since`), as reports name
/// them: JUnit lists each file without findings as a passing test.
fn checked_files(
    model: &Model,
    only: Option<&BTreeSet<AssetId>>,
    prefix: Option<&Path>,
) -> Vec<String> {
    let files: BTreeSet<&Path> = model
        .assets()
        .iter()
        .filter(|a| only.is_none_or(|set| set.contains(&a.id.value)))
        .filter_map(|a| model.file(a.origin.file).map(|f| f.path.as_path()))
        .collect();
    files
        .into_iter()
        .map(|path| match prefix {
            Some(prefix) => prefix.join(path),
            None => path.to_path_buf(),
        })
        .map(|path| path.to_string_lossy().into_owned())
        .collect()
}

/// Diagnostics and their sources with paths as seen from the current directory, so that a
/// terminal or an editor can open them: `tags.yaml` or `../tags.yaml` from inside the
/// workspace, `acme/assets/tags.yaml` from above it. Paths stay relative to the root
/// otherwise.
pub(super) fn from_current_dir(
    diagnostics: &[Diagnostic],
    sources: &SourceMap,
    root: &Path,
) -> (Vec<Diagnostic>, SourceMap) {
    let below = display_prefix(root);
    let inside = current_dir_inside(root);
    let shown = |path: &str| -> String {
        let path = Path::new(path);
        let shown = match (&below, &inside) {
            (Some(prefix), _) => prefix.join(path),
            (None, Some(inside)) => relative(path, inside),
            (None, None) => path.to_path_buf(),
        };
        shown.to_string_lossy().into_owned()
    };
    let mut renamed = SourceMap::new();
    for source in sources.iter() {
        renamed.insert(source.renamed(shown(source.path())));
    }
    (map_paths(diagnostics.to_vec(), shown), renamed)
}

/// `path` as reached from `from` (both relative to the same directory).
fn relative(path: &Path, from: &Path) -> PathBuf {
    let path: Vec<_> = path.components().collect();
    let from: Vec<_> = from.components().collect();
    let common = path.iter().zip(&from).take_while(|(a, b)| a == b).count();
    std::iter::repeat_n(std::path::Component::ParentDir, from.len() - common)
        .chain(path[common..].iter().copied())
        .collect()
}

/// The current directory relative to the workspace root, when it is strictly inside it.
fn current_dir_inside(root: &Path) -> Option<PathBuf> {
    let cwd = std::fs::canonicalize(std::env::current_dir().ok()?).ok()?;
    let inside = cwd.strip_prefix(root).ok()?;
    (!inside.as_os_str().is_empty()).then(|| inside.to_path_buf())
}

/// The workspace root relative to the current directory, when it is below it: CI tools
/// resolve file paths from the repository root, not from the workspace.
fn display_prefix(root: &Path) -> Option<PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    let cwd = std::fs::canonicalize(cwd).ok()?;
    let relative = root.strip_prefix(&cwd).ok()?;
    (!relative.as_os_str().is_empty()).then(|| relative.to_path_buf())
}

/// Assets in files changed since `rev` (committed, staged, unstaged or new), plus every asset
/// that uses one of them, directly or through others: a changed template can break the
/// workflow that sends it.
fn changed_assets(
    workspace: &Workspace,
    model: &Model,
    rev: &str,
) -> Result<BTreeSet<AssetId>, String> {
    if rev.starts_with('-') {
        return Err(format!("`{rev}` is not a git revision"));
    }
    let git = |args: &[&str]| -> Result<String, String> {
        let output = Command::new("git")
            .args(args)
            .current_dir(&workspace.root)
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "git {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    };
    let toplevel = PathBuf::from(git(&["rev-parse", "--show-toplevel"])?.trim());
    let toplevel = std::fs::canonicalize(&toplevel).unwrap_or(toplevel);
    let verified = format!("{rev}^{{commit}}");
    git(&["rev-parse", "--verify", "--quiet", &verified])
        .map_err(|_| format!("unknown git revision `{rev}`"))?;
    let mut changed = BTreeSet::new();
    let diff = git(&["diff", "--name-only", "--no-renames", rev, "--", "."])?;
    let untracked = git(&[
        "ls-files",
        "--others",
        "--exclude-standard",
        "--full-name",
        "--",
        ".",
    ])?;
    for line in diff.lines().chain(untracked.lines()) {
        let absolute = toplevel.join(line);
        if let Ok(relative) = absolute.strip_prefix(&workspace.root) {
            changed.insert(relative.to_path_buf());
        }
    }
    let mut selected: BTreeSet<AssetId> = model
        .assets()
        .iter()
        .filter(|a| {
            model
                .file(a.origin.file)
                .is_some_and(|f| changed.contains(&f.path))
        })
        .map(|a| a.id.value.clone())
        .collect();
    // Body files belong to their template.
    for asset in model.assets() {
        if let flowgate_model::AssetSpec::Template(t) = &asset.spec {
            let dir = model
                .file(asset.origin.file)
                .and_then(|f| f.path.parent().map(Path::to_path_buf))
                .unwrap_or_default();
            let bodies = std::iter::once(&t.content)
                .chain(t.locales.values().map(|l| &l.value))
                .filter_map(|c| match &c.body.value {
                    flowgate_model::Body::File(f) => Some(dir.join(&f.path)),
                    flowgate_model::Body::Inline(_) => None,
                });
            if bodies.into_iter().any(|p| changed.contains(&p)) {
                selected.insert(asset.id.value.clone());
            }
        }
    }
    // Everything that uses a selected asset, transitively: walk the asset graph backwards
    // once, so the cost grows with what changed and what depends on it.
    let graph = AssetGraph::build(model);
    let mut queue: Vec<_> = selected.iter().filter_map(|id| graph.node(id)).collect();
    while let Some(node) = queue.pop() {
        for user in graph.graph.neighbors_directed(node, Direction::Incoming) {
            if selected.insert(graph.graph[user].clone()) {
                queue.push(user);
            }
        }
    }
    Ok(selected)
}

//! `flowgate check`: the release checklist as static rules.

use crate::cli::{CheckArgs, FailOnArg, Format, GlobalArgs};
use crate::exit::Exit;
use crate::output;
use flowgate_check::{check, parse_check_config, rule_infos, CheckOptions, FailOn};
use flowgate_diagnostics::{
    render_github, render_json, render_junit, render_sarif, sort_diagnostics, Diagnostic, ToolInfo,
};
use flowgate_load::Workspace;
use flowgate_model::{AssetGraph, AssetId, Model};
use petgraph::Direction;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Run the command.
pub fn run(args: &CheckArgs, global: &GlobalArgs) -> Exit {
    let (workspace, loaded) = match super::load(global) {
        Ok(loaded) => loaded,
        Err(exit) => return exit,
    };
    let mut config = match parse_check_config(&workspace.config_text, flowgate_load::CONFIG_FILE) {
        Ok(config) => config,
        Err(errors) => {
            for error in &errors {
                output::fatal(error, global);
            }
            return Exit::BadInput;
        }
    };
    config.select.extend(args.select.iter().cloned());
    config.ignore.extend(args.ignore.iter().cloned());
    let environments: Vec<String> = workspace.config.environments.keys().cloned().collect();
    if let Some(env) = &args.environment {
        if !environments.contains(env) {
            output::fatal(
                &Diagnostic::error("FG015", format!("no environment `{env}` in flowgate.toml"))
                    .with_help(format!("environments are: {}", environments.join(", "))),
                global,
            );
            return Exit::BadInput;
        }
    }
    let only = match &args.changed_since {
        Some(rev) => match changed_assets(&workspace, &loaded.model, rev) {
            Ok(set) => Some(set),
            Err(message) => {
                output::fatal(
                    &Diagnostic::error("FG015", message)
                        .with_help("--changed-since takes a git revision (a branch, tag or commit) of the repository holding the workspace"),
                    global,
                );
                return Exit::BadInput;
            }
        },
        None => None,
    };
    let report = check(
        &loaded.model,
        &loaded.sources,
        &config,
        &CheckOptions {
            environment: args.environment.as_deref(),
            environments: &environments,
            only: only.as_ref(),
        },
    );
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
    let fail_on = match args.fail_on {
        Some(FailOnArg::Error) => FailOn::Error,
        Some(FailOnArg::Warning) => FailOn::Warning,
        Some(FailOnArg::Info) => FailOn::Info,
        Some(FailOnArg::Never) => FailOn::Never,
        None => config.fail_on,
    };
    let failed = loaded.has_errors() || diagnostics.iter().any(|d| fail_on.fails(d.severity));
    let prefix = display_prefix(&workspace.root);
    let with_prefix = |mut list: Vec<Diagnostic>| {
        if let Some(prefix) = &prefix {
            for d in &mut list {
                if let Some(l) = &mut d.location {
                    l.path = prefix.join(&l.path).to_string_lossy().into_owned();
                }
                for r in &mut d.related {
                    r.location.path = prefix.join(&r.location.path).to_string_lossy().into_owned();
                }
            }
        }
        list
    };
    match global.format {
        Format::Human | Format::Markdown | Format::Csv => {
            let mut text = String::new();
            if !diagnostics.is_empty() {
                text.push_str(&output::human_diagnostics(
                    &diagnostics,
                    &loaded.sources,
                    output::use_color(global),
                ));
            }
            let scope = match &only {
                Some(set) => format!("{} changed or affected assets", set.len()),
                None => format!("{} assets", loaded.model.assets().len()),
            };
            text.push_str(&format!(
                "checked {scope} with {} rules{}{}\n",
                report.rules_run,
                args.environment
                    .as_deref()
                    .map(|e| format!(" for `{e}`"))
                    .unwrap_or_default(),
                if report.suppressed.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; {} findings waived by exceptions",
                        report.suppressed.len()
                    )
                }
            ));
            output::out(&text);
        }
        Format::Json => {
            let mut document = render_json(&diagnostics);
            document["rules_run"] = serde_json::json!(report.rules_run);
            document["environment"] = serde_json::json!(args.environment);
            document["waived"] = serde_json::json!(report
                .suppressed
                .iter()
                .map(|(code, asset, reason)| serde_json::json!({ "code": code, "asset": asset, "reason": reason }))
                .collect::<Vec<_>>());
            output::out(&format!("{document:#}\n"));
        }
        Format::Sarif => {
            let tool = ToolInfo {
                name: "flowgate".into(),
                version: env!("CARGO_PKG_VERSION").into(),
                information_uri: "https://github.com/flowgate/flowgate".into(),
            };
            let sarif = render_sarif(&with_prefix(diagnostics), &rule_infos(), &tool);
            output::out(&format!("{sarif:#}\n"));
        }
        Format::Github => output::out(&render_github(&with_prefix(diagnostics))),
        Format::Junit => {
            let checked = checked_files(&loaded.model, only.as_ref(), prefix.as_deref());
            let report = render_junit(&with_prefix(diagnostics), &checked, "flowgate check");
            output::out(&report);
        }
    }
    super::release(loaded);
    if failed {
        Exit::Findings
    } else {
        Exit::Success
    }
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

//! `flowgate init`: a workspace for what the folder already holds (SFDX projects, n8n
//! exports, Node-RED flows), or the newsletter example when it holds nothing or `--example`
//! asks for it. It validates cleanly, and its gates keep anything from reaching prod
//! unreviewed.

mod detect;
mod starter;

use crate::cli::{Format, GlobalArgs, InitArgs};
use crate::error::{CommandError, CommandResult};
use crate::exit::Exit;
use crate::output;
use serde_json::json;
use std::path::Path;

/// What `flowgate init` writes beside `flowgate.toml`: the store and deploy folders stay out
/// of git.
const GITIGNORE: &str = "# flowgate's local store and deploy folders\n.flowgate/\n";

/// The example files, relative to the workspace root.
/// Each YAML file starts with a `yaml-language-server` comment pointing at the schema that
/// `init` writes beside them, so editors autocomplete and validate.
const FILES: &[(&str, &str)] = &[
    (
        "assets/fields.yaml",
        include_str!("../../../starter/assets/fields.yaml"),
    ),
    (
        "assets/consent.yaml",
        include_str!("../../../starter/assets/consent.yaml"),
    ),
    (
        "assets/lists.yaml",
        include_str!("../../../starter/assets/lists.yaml"),
    ),
    (
        "assets/forms/newsletter-signup.yaml",
        include_str!("../../../starter/assets/forms/newsletter-signup.yaml"),
    ),
    (
        "assets/templates/welcome-email.yaml",
        include_str!("../../../starter/assets/templates/welcome-email.yaml"),
    ),
    (
        "assets/workflows/welcome.yaml",
        include_str!("../../../starter/assets/workflows/welcome.yaml"),
    ),
    (
        "assets/bundles.yaml",
        include_str!("../../../starter/assets/bundles.yaml"),
    ),
];

/// Run the command.
pub fn run(args: &InitArgs, global: &GlobalArgs) -> CommandResult {
    let found = detect::detect(&args.dir);
    let example = args.example || !found.any();
    let created = create(&args.dir, args.name.as_deref(), &found, example)?;
    report(args, global, &found, &created, example);
    Ok(Exit::Success)
}

fn report(
    args: &InitArgs,
    global: &GlobalArgs,
    found: &detect::Found,
    created: &[String],
    example: bool,
) {
    if global.format == Format::Json {
        let value = json!({
            "version": 1,
            "workspace": args.dir.display().to_string(),
            "created": created,
            "found": found,
            "example": example,
        });
        output::out(&format!("{value}\n"));
        return;
    }
    let at = if args.dir == Path::new(".") {
        String::new()
    } else {
        format!(" -C {}", args.dir.display())
    };
    let mut text = format!(
        "created workspace in {} ({} files)\n",
        args.dir.display(),
        created.len()
    );
    for line in found_lines(found) {
        text.push_str(&format!("  found {line}\n"));
    }
    text.push_str(&format!(
        "\nnext:\n  flowgate validate{at}\n  flowgate check{at}\n"
    ));
    output::out(&text);
}

fn found_lines(found: &detect::Found) -> Vec<String> {
    let mut lines = Vec::new();
    if found.salesforce_flows || !found.sfdx_projects.is_empty() {
        lines.push("Salesforce flows (read by default)".to_owned());
    }
    lines.extend(found.n8n.iter().map(|glob| format!("n8n exports: {glob}")));
    lines.extend(
        found
            .node_red
            .iter()
            .map(|glob| format!("Node-RED flows: {glob}")),
    );
    lines
}

fn create(
    dir: &Path,
    name: Option<&str>,
    found: &detect::Found,
    example: bool,
) -> Result<Vec<String>, CommandError> {
    let fail = |message: String| {
        CommandError::usage(
            message,
            "check the directory's permissions, or pick another",
        )
    };
    let examples: &[(&str, &str)] = if example { FILES } else { &[] };
    let taken = std::iter::once(flowgate_load::CONFIG_FILE)
        .chain(examples.iter().map(|(relative, _)| *relative))
        .map(|relative| dir.join(relative))
        .find(|path| path.exists());
    if let Some(path) = taken {
        return Err(CommandError::usage(
            format!("{} already exists", path.display()),
            "flowgate init never overwrites files: pick another directory, or leave out --example",
        ));
    }
    let name = match name {
        Some(name) => name.to_owned(),
        None => std::fs::canonicalize(dir)
            .ok()
            .or_else(|| Some(dir.to_path_buf()))
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "my-stack".to_owned()),
    };
    let toml = starter::config(&name, found, &starter::git_person(dir));
    let schema = flowgate_load::schema::asset_schema_text();
    let mut generated = vec![
        (flowgate_load::CONFIG_FILE, toml.as_str()),
        ("flowgate.schema.json", schema.as_str()),
    ];
    if !dir.join(".gitignore").exists() {
        generated.push((".gitignore", GITIGNORE));
    }
    let mut written = Vec::new();
    for (relative, text) in generated.into_iter().chain(examples.iter().copied()) {
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| fail(format!("cannot create {}: {e}", parent.display())))?;
        }
        std::fs::write(&path, text)
            .map_err(|e| fail(format!("cannot write {}: {e}", path.display())))?;
        written.push(relative.to_owned());
    }
    Ok(written)
}

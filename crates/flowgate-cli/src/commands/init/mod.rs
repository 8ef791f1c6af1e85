//! `flowgate init`: a starter workspace that validates cleanly.

use crate::cli::{GlobalArgs, InitArgs};
use crate::exit::Exit;
use crate::output;
use flowgate_diagnostics::Diagnostic;
use std::path::Path;

/// The starter files, relative to the workspace root.
/// Each YAML file starts with a `yaml-language-server` comment pointing at the schema that
/// `init` writes beside them, so editors autocomplete and validate.
const FILES: &[(&str, &str)] = &[
    (
        "assets/fields.yaml",
        include_str!("../../starter/assets/fields.yaml"),
    ),
    (
        "assets/consent.yaml",
        include_str!("../../starter/assets/consent.yaml"),
    ),
    (
        "assets/lists.yaml",
        include_str!("../../starter/assets/lists.yaml"),
    ),
    (
        "assets/forms/newsletter-signup.yaml",
        include_str!("../../starter/assets/forms/newsletter-signup.yaml"),
    ),
    (
        "assets/templates/welcome-email.yaml",
        include_str!("../../starter/assets/templates/welcome-email.yaml"),
    ),
    (
        "assets/workflows/welcome.yaml",
        include_str!("../../starter/assets/workflows/welcome.yaml"),
    ),
    (
        "assets/bundles.yaml",
        include_str!("../../starter/assets/bundles.yaml"),
    ),
];

/// Run the command.
pub fn run(args: &InitArgs, global: &GlobalArgs) -> Exit {
    match create(&args.dir, args.name.as_deref()) {
        Ok(created) => {
            output::out(&format!(
                "created workspace in {} ({} files)\n\nnext:\n  flowgate validate -C {}\n  flowgate graph -C {}\n",
                args.dir.display(),
                created,
                args.dir.display(),
                args.dir.display()
            ));
            Exit::Success
        }
        Err(diagnostic) => {
            output::fatal(&diagnostic, global);
            Exit::BadInput
        }
    }
}

fn create(dir: &Path, name: Option<&str>) -> Result<usize, Box<Diagnostic>> {
    let fail = |message: String| Box::new(Diagnostic::error("FG015", message));
    let config = dir.join(flowgate_load::CONFIG_FILE);
    if config.exists() {
        return Err(Box::new(
            Diagnostic::error("FG015", format!("{} already exists", config.display()))
                .with_help("flowgate init never overwrites files: pick an empty directory"),
        ));
    }
    for (relative, _) in FILES {
        if dir.join(relative).exists() {
            return Err(Box::new(
                Diagnostic::error(
                    "FG015",
                    format!("{} already exists", dir.join(relative).display()),
                )
                .with_help("flowgate init never overwrites files: pick an empty directory"),
            ));
        }
    }
    let name = match name {
        Some(name) => name.to_owned(),
        None => std::fs::canonicalize(dir)
            .ok()
            .or_else(|| Some(dir.to_path_buf()))
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "my-stack".to_owned()),
    };
    let name = name.replace(['"', '\\'], "");
    let toml = format!(
        "# flowgate workspace: see docs/configuration.md\n[workspace]\nname = \"{name}\"\nassets = [\"assets/**/*.yaml\", \"assets/**/*.yml\", \"assets/**/*.json\"]\n\n# Environments in promotion order.\n[environments.dev]\nname_prefix = \"DEV — \"\n\n[environments.stage]\nname_prefix = \"STG — \"\n\n[environments.prod]\nname_prefix = \"PRD — \"\n"
    );
    let mut written = 0;
    let schema = flowgate_load::schema::asset_schema_text();
    let generated = [
        (flowgate_load::CONFIG_FILE, toml.as_str()),
        ("flowgate.schema.json", schema.as_str()),
    ];
    for (relative, text) in generated.into_iter().chain(FILES.iter().copied()) {
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| fail(format!("cannot create {}: {e}", parent.display())))?;
        }
        std::fs::write(&path, text)
            .map_err(|e| fail(format!("cannot write {}: {e}", path.display())))?;
        written += 1;
    }
    Ok(written)
}

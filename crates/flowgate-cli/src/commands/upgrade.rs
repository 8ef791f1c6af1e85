//! `flowgate upgrade plan SYSTEM --to VERSION`: which integrations an upgrade of a system
//! touches, what changes under each, and in which order to move them.

use crate::cli::{Format, GlobalArgs};
use crate::error::{CommandError, CommandResult, ErrorKind};
use crate::exit::Exit;
use crate::output::{emit, out};
use crate::payload_args::{UpgradeCommand, UpgradePlanArgs};
use flowgate_diagnostics::{Diagnostic, Span};
use flowgate_model::AssetSpec;
use flowgate_upgrade::markdown::markdown;
use flowgate_upgrade::{plan, Contracts, UpgradePlan};
use serde_json::json;

use flowgate_load::codes::UNKNOWN_USE;

/// `flowgate upgrade …`.
pub fn run(command: &UpgradeCommand, global: &GlobalArgs) -> CommandResult {
    match command {
        UpgradeCommand::Plan(args) => upgrade_plan(args, global),
    }
}

fn contracts(
    root: &std::path::Path,
    system: &str,
    version: &str,
) -> Result<Contracts, CommandError> {
    let read = Contracts::read(root, system, version).map_err(|e| {
        CommandError::new(
            ErrorKind::Usage,
            e.to_string(),
            "fix the schema file named, or remove it from contracts/",
        )
    })?;
    let found = read.filter(|c| c.schema.is_some());
    found.ok_or_else(|| {
        CommandError::usage(
            format!("no database schema of {system} {version} in the workspace"),
            format!("put the version's Magento modules (their etc/db_schema.xml) under contracts/{system}/{version}/db_schema/"),
        )
    })
}

fn upgrade_plan(args: &UpgradePlanArgs, global: &GlobalArgs) -> CommandResult {
    let (workspace, loaded) = super::load(global)?;
    if loaded.has_errors() {
        return Err(super::unclean(
            &loaded,
            global,
            "the integrations cannot be read",
        ));
    }
    let current = loaded
        .model
        .assets()
        .iter()
        .find_map(|a| match &a.spec {
            AssetSpec::System(s) if a.id.value.as_str() == args.system => Some(s.version.clone()),
            _ => None,
        })
        .ok_or_else(|| {
            CommandError::usage(
                format!("no System asset `{}`", args.system),
                "`flowgate graph` lists the systems",
            )
        })?
        .ok_or_else(|| {
            CommandError::usage(
                format!("System `{}` has no `version`", args.system),
                "add `version:` (the version it runs now) to the System asset",
            )
        })?;
    let from = contracts(&workspace.root, &args.system, &current)?;
    let to = contracts(&workspace.root, &args.system, &args.to)?;
    let (Some(old), Some(new)) = (&from.schema, &to.schema) else {
        return Err(CommandError::internal("a schema vanished"));
    };
    let planned = plan(
        &loaded.model,
        &args.system,
        (&current, &args.to),
        (old, new),
    );
    let problems = problems(&planned, &loaded);
    if !problems.is_empty() {
        out(&crate::output::human_diagnostics(
            &problems,
            &loaded.sources,
            crate::output::use_color(global),
        ));
    }
    write(&planned, args, global)?;
    let breaking = planned.integrations.iter().any(|i| i.breaking > 0);
    Ok(if breaking || !problems.is_empty() {
        Exit::Findings
    } else {
        Exit::Success
    })
}

/// What integrations name that the current version does not have, as located diagnostics.
fn problems(planned: &UpgradePlan, loaded: &flowgate_load::Loaded) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for impact in &planned.integrations {
        let Some(asset) = loaded
            .model
            .assets()
            .iter()
            .find(|a| a.id.value.as_str() == impact.integration)
        else {
            continue;
        };
        let Some(file) = loaded.model.file(asset.origin.file) else {
            continue;
        };
        let Some(source) = loaded.sources.get(&file.path.to_string_lossy()) else {
            continue;
        };
        for p in &impact.problems {
            found.push(
                Diagnostic::error(UNKNOWN_USE, p.message.clone())
                    .at(source, Span::new(p.span.0, p.span.1))
                    .with_help(p.help.clone()),
            );
        }
    }
    found
}

fn write(
    planned: &UpgradePlan,
    args: &UpgradePlanArgs,
    global: &GlobalArgs,
) -> Result<(), CommandError> {
    let page = markdown(planned);
    match (&args.out, global.format) {
        (_, Format::Json) => emit(global, &page, json!({ "version": 1, "plan": planned })),
        (Some(path), _) => {
            crate::write::write_output(path, page.as_bytes())?;
            out(&format!(
                "Wrote the upgrade plan of {} {} → {} to {}\n",
                planned.system,
                planned.from,
                planned.to,
                path.display()
            ));
        }
        (None, _) => out(&page),
    }
    Ok(())
}

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
use flowgate_upgrade::{plan, Contracts, ContractsError, UpgradePlan, UseKind};
use serde_json::json;

use flowgate_load::codes::{UNKNOWN_CALL, UNKNOWN_USE};

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
    let read = Contracts::read(root, system, version).map_err(|e| match e {
        ContractsError::Schema(e) => CommandError::new(
            ErrorKind::Usage,
            e.to_string(),
            "fix the schema file named, or remove it from contracts/",
        ),
        ContractsError::Api(failure) => super::contract::failure(failure),
    })?;
    let found = read.filter(|c| c.schema.is_some() || !c.apis.is_empty());
    found.ok_or_else(|| {
        CommandError::usage(
            format!("no database schema or API contract of {system} {version} in the workspace"),
            format!("put the version's Magento modules (their etc/db_schema.xml) under contracts/{system}/{version}/db_schema/, its OpenAPI or Swagger file (YAML or JSON) in contracts/{system}/{version}/"),
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
    let planned =
        plan(&loaded.model, &args.system, &from, &to).map_err(super::contract::failure)?;
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
            let code = match p.kind {
                UseKind::Table => UNKNOWN_USE,
                UseKind::Api => UNKNOWN_CALL,
            };
            found.push(
                Diagnostic::error(code, p.message.clone())
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

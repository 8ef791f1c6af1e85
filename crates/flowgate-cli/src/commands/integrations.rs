//! `flowgate integrations`: the integration inventory, risk classes, impact of a change,
//! the data-flow map and generated docs.

use crate::cli::{
    Command, Format, GlobalArgs, IntegrationsCommand, IntegrationsDocsArgs, IntegrationsImpactArgs,
    IntegrationsMapArgs, IntegrationsRiskArgs, MapSyntax,
};
use crate::error::{CommandError, CommandResult};
use crate::exit::Exit;
use crate::output;
use crate::write::write_atomically;
use flowgate_integrations::risk::{assess_all, RiskAssessment};
use flowgate_integrations::{docs, impact, map, parse_risk_config, risks_csv, rows_csv, Inventory};
use flowgate_load::{Loaded, Workspace};

/// Whether `--format csv` makes sense for the command.
pub fn takes_csv(command: &Command) -> bool {
    matches!(
        command,
        Command::Integrations(IntegrationsCommand::List | IntegrationsCommand::Risk(_))
    )
}

/// Run the command.
pub fn run(command: &IntegrationsCommand, global: &GlobalArgs) -> CommandResult {
    let (workspace, loaded) = super::load(global)?;
    if loaded.has_errors() {
        output::err(&output::human_diagnostics(
            &loaded.diagnostics,
            &loaded.sources,
            false,
        ));
        output::err("the inventory below leaves out the assets that failed to load\n");
    }
    let exit = match command {
        IntegrationsCommand::List => list(&loaded, global),
        IntegrationsCommand::Risk(args) => risk(args, &workspace, &loaded, global)?,
        IntegrationsCommand::Impact(args) => impact_of(args, &loaded, global)?,
        IntegrationsCommand::Map(args) => map_of(args, &workspace, &loaded)?,
        IntegrationsCommand::Docs(args) => docs_of(args, &workspace, &loaded, global)?,
    };
    let exit = match (exit, loaded.has_errors()) {
        (Exit::Success, true) => Exit::Findings,
        (exit, _) => exit,
    };
    super::release(loaded);
    Ok(exit)
}

fn risks(
    workspace: &Workspace,
    inventory: &Inventory<'_>,
) -> Result<Vec<RiskAssessment>, CommandError> {
    let config = parse_risk_config(&workspace.config_text).map_err(|d| super::config_error(*d))?;
    Ok(assess_all(inventory, &config))
}

/// Pad every column to its widest cell.
fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| -> String {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                out.push_str(cell);
            } else {
                out.push_str(cell);
                out.push_str(&" ".repeat(widths[i] - cell.chars().count() + 2));
            }
        }
        out.trim_end().to_owned() + "\n"
    };
    let mut out = line(header.to_vec());
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

fn list(loaded: &Loaded, global: &GlobalArgs) -> Exit {
    let inventory = Inventory::new(&loaded.model);
    let rows = inventory.rows();
    match global.format {
        Format::Json => {
            let document = serde_json::json!({ "version": 1, "integrations": rows });
            output::out(&format!("{document:#}\n"));
        }
        Format::Csv => output::out(&rows_csv(&rows)),
        _ => {
            let cells: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    vec![
                        r.id.clone(),
                        format!("{} → {}", r.source, r.target),
                        r.direction.clone(),
                        r.hook.clone(),
                        r.entities.join(", "),
                        r.owner.clone().unwrap_or_else(|| "(none)".to_owned()),
                        r.frequency.clone().unwrap_or_default(),
                        if r.safe_zone {
                            "safe zone".to_owned()
                        } else {
                            String::new()
                        },
                    ]
                })
                .collect();
            let mut text = table(
                &[
                    "INTEGRATION",
                    "FROM → TO",
                    "DIRECTION",
                    "HOOK",
                    "ENTITIES",
                    "OWNER",
                    "RUNS",
                    "",
                ],
                &cells,
            );
            text.push_str(&format!(
                "\n{} integrations, {} systems\n",
                rows.len(),
                inventory.systems.len()
            ));
            output::out(&text);
        }
    }
    Exit::Success
}

fn risk(
    args: &IntegrationsRiskArgs,
    workspace: &Workspace,
    loaded: &Loaded,
    global: &GlobalArgs,
) -> CommandResult {
    let inventory = Inventory::new(&loaded.model);
    let mut risks = risks(workspace, &inventory)?;
    if let Some(id) = &args.id {
        if inventory.flow(id).is_none() {
            return Err(unknown(id, &inventory));
        }
        risks.retain(|r| &r.id == id);
    }
    if let Some(min) = &args.min_class {
        risks.retain(|r| r.class.as_str() == min || r.class > class_named(min));
    }
    // Highest class first, then highest score; ties by id.
    risks.sort_by(|a, b| {
        (b.class, b.score)
            .cmp(&(a.class, a.score))
            .then(a.id.cmp(&b.id))
    });
    match global.format {
        Format::Json => {
            let document = serde_json::json!({ "version": 1, "risks": risks });
            output::out(&format!("{document:#}\n"));
        }
        Format::Csv => output::out(&risks_csv(&risks)),
        _ if args.id.is_some() => {
            let mut text = String::new();
            for r in &risks {
                text.push_str(&format!("{}: {} risk, {}/100\n", r.id, r.class, r.score));
                if let Some(raised) = &r.raised {
                    text.push_str(&format!("{raised}\n"));
                }
                text.push('\n');
                let cells: Vec<Vec<String>> = r
                    .factors
                    .iter()
                    .map(|f| {
                        vec![
                            f.factor.title().to_owned(),
                            f.weight.to_string(),
                            f.score.to_string(),
                            f.reason.clone(),
                        ]
                    })
                    .collect();
                text.push_str(&table(&["FACTOR", "WEIGHT", "SCORE", "WHY"], &cells));
                text.push_str(
                    "\nscore = Σ(weight × factor score) / Σ weight; weights are set in [integrations.risk.weights]\n",
                );
            }
            output::out(&text);
        }
        _ => {
            let cells: Vec<Vec<String>> = risks
                .iter()
                .map(|r| {
                    vec![
                        r.id.clone(),
                        if r.raised.is_some() {
                            format!("{}*", r.class)
                        } else {
                            r.class.to_string()
                        },
                        r.score.to_string(),
                        r.top_factors(3)
                            .iter()
                            .map(|f| format!("{} {}: {}", f.factor.title(), f.score, f.reason))
                            .collect::<Vec<_>>()
                            .join(" | "),
                    ]
                })
                .collect();
            let mut text = table(&["INTEGRATION", "CLASS", "SCORE", "WHAT DRIVES IT"], &cells);
            let count = |c: &str| risks.iter().filter(|r| r.class.as_str() == c).count();
            text.push_str(&format!(
                "\n{} high, {} medium, {} low; `flowgate integrations risk <id>` explains every factor\n",
                count("high"),
                count("medium"),
                count("low")
            ));
            if risks.iter().any(|r| r.raised.is_some()) {
                text.push_str("* in the safe zone: never rated below the floor set by [integrations.risk] safe_zone\n");
            }
            output::out(&text);
        }
    }
    Ok(Exit::Success)
}

fn class_named(name: &str) -> flowgate_integrations::RiskClass {
    match name {
        "high" => flowgate_integrations::RiskClass::High,
        "medium" => flowgate_integrations::RiskClass::Medium,
        _ => flowgate_integrations::RiskClass::Low,
    }
}

fn unknown(id: &str, inventory: &Inventory<'_>) -> CommandError {
    let help = match inventory.suggest(id) {
        Some(close) => format!("did you mean `{close}`?"),
        None => "`flowgate integrations list` shows every integration id".to_owned(),
    };
    CommandError::usage(format!("no integration `{id}`"), help)
}

fn impact_of(args: &IntegrationsImpactArgs, loaded: &Loaded, global: &GlobalArgs) -> CommandResult {
    let inventory = Inventory::new(&loaded.model);
    let Some(effect) = impact(&inventory, &args.id) else {
        return Err(unknown(&args.id, &inventory));
    };
    if global.format == Format::Json {
        let document = serde_json::json!({ "version": 1, "impact": effect });
        output::out(&format!("{document:#}\n"));
    } else {
        output::out(&effect.render_text(&inventory));
    }
    Ok(Exit::Success)
}

fn map_of(args: &IntegrationsMapArgs, workspace: &Workspace, loaded: &Loaded) -> CommandResult {
    let inventory = Inventory::new(&loaded.model);
    let risks = risks(workspace, &inventory)?;
    let text = match args.syntax {
        MapSyntax::Mermaid => map::mermaid(&inventory, &risks),
        MapSyntax::Dot => map::dot(&inventory, &risks),
        MapSyntax::Svg => map::svg(
            &inventory,
            &risks,
            &format!("{}: integration map", workspace.config.workspace.name),
        ),
    };
    output::out(&text);
    Ok(Exit::Success)
}

fn docs_of(
    args: &IntegrationsDocsArgs,
    workspace: &Workspace,
    loaded: &Loaded,
    global: &GlobalArgs,
) -> CommandResult {
    let inventory = Inventory::new(&loaded.model);
    let risks = risks(workspace, &inventory)?;
    let pages = docs::pages(&loaded.model, &inventory, &risks);
    std::fs::create_dir_all(&args.out).map_err(|e| {
        CommandError::usage(
            format!("cannot create `{}`: {e}", args.out.display()),
            "pass a writable directory with --out",
        )
    })?;
    for page in &pages {
        let path = args.out.join(&page.file);
        // A page replaces whatever is at its name, a planted link included, and never
        // writes through it.
        write_atomically(&path, page.text.as_bytes()).map_err(|e| {
            CommandError::usage(
                format!("cannot write `{}`: {e}", path.display()),
                "pass a writable directory with --out",
            )
        })?;
    }
    if global.format == Format::Json {
        let files: Vec<&str> = pages.iter().map(|p| p.file.as_str()).collect();
        let document = serde_json::json!({
            "version": 1,
            "out": args.out.display().to_string(),
            "files": files,
        });
        output::out(&format!("{document:#}\n"));
    } else {
        output::out(&format!(
            "wrote {} pages ({} integrations and index.md) to {}\n",
            pages.len(),
            pages.len() - 1,
            args.out.display()
        ));
    }
    Ok(Exit::Success)
}

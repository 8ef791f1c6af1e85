//! `flowgate validate`: load, resolve, report.

use crate::cli::{Format, GlobalArgs};
use crate::error::CommandResult;
use crate::exit::Exit;
use crate::output;
use flowgate_diagnostics::{render_json, Summary};

/// Run the command.
pub fn run(global: &GlobalArgs) -> CommandResult {
    let (workspace, loaded) = super::load(global)?;
    // The promotion policy is configuration too: a broken gate must fail here, not only
    // when someone plans a promotion.
    let problems = super::check::policy_problems(&workspace);
    if !problems.is_empty() {
        return Err(super::check::bad_input(problems, &workspace));
    }
    match global.format {
        Format::Json => {
            let mut document = render_json(&loaded.diagnostics);
            if let Some(object) = document.as_object_mut() {
                object.insert(
                    "assets".into(),
                    serde_json::json!(loaded.model.assets().len()),
                );
                object.insert(
                    "files".into(),
                    serde_json::json!(loaded.model.files().len()),
                );
            }
            output::out(&format!("{document:#}\n"));
        }
        _ => {
            let summary = Summary::of(&loaded.diagnostics);
            if !loaded.diagnostics.is_empty() {
                let (shown, sources) = super::check::from_current_dir(
                    &loaded.diagnostics,
                    &loaded.sources,
                    &workspace.root,
                );
                let color = output::use_color(global);
                output::out(&output::human_diagnostics(&shown, &sources, color));
            }
            if summary.errors == 0 {
                output::out(&format!(
                    "{} assets in {} files loaded and resolved\n",
                    loaded.model.assets().len(),
                    loaded.model.files().len()
                ));
            }
        }
    }
    let exit = if loaded.has_errors() {
        Exit::Findings
    } else {
        Exit::Success
    };
    super::release(loaded);
    Ok(exit)
}

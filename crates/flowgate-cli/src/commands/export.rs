//! `flowgate export`: imported platform flows written back exactly as they were read.

use crate::cli::{ExportArgs, Format, GlobalArgs};
use crate::error::{CommandError, CommandResult};
use crate::exit::Exit;
use crate::output;
use flowgate_model::{AssetKind, AssetSpec};

/// Run the command.
pub fn run(args: &ExportArgs, global: &GlobalArgs) -> CommandResult {
    let (_, loaded) = super::load(global)?;
    if loaded.has_errors() {
        if global.format == Format::Json {
            let document = flowgate_diagnostics::render_json(&loaded.diagnostics);
            output::out(&format!("{document}\n"));
            return Ok(Exit::Findings);
        }
        return Err(super::unclean(&loaded, global, "nothing was exported"));
    }
    let occupied = args
        .out
        .read_dir()
        .map(|mut entries| entries.next().is_some())
        .unwrap_or(false);
    if occupied {
        return Err(CommandError::usage(
            format!("{} is not empty", args.out.display()),
            "export into a new or empty directory; nothing was written",
        ));
    }
    let mut written = Vec::new();
    for asset in loaded.model.of_kind(AssetKind::Flow) {
        let (AssetSpec::Flow(flow), Some(file)) =
            (&asset.spec, loaded.model.file(asset.origin.file))
        else {
            continue;
        };
        let target = args.out.join(&file.path);
        write_whole(&target, flow.original.as_bytes()).map_err(|e| {
            CommandError::usage(
                format!("cannot write {}: {e}", target.display()),
                "check the permissions of the output directory",
            )
        })?;
        written.push(file.path.clone());
    }
    if global.format == Format::Json {
        let document = serde_json::json!({
            "version": 1,
            "out": args.out.display().to_string(),
            "written": written,
        });
        output::out(&format!("{document}\n"));
    } else if written.is_empty() {
        output::out(&format!(
            "exported 0 flows to {}: the workspace holds no platform flows; list their files under [workspace] `salesforce`, `n8n` or `node_red` in flowgate.toml\n",
            args.out.display()
        ));
    } else {
        output::out(&format!(
            "exported {} flows to {}\n",
            written.len(),
            args.out.display()
        ));
    }
    super::release(loaded);
    Ok(Exit::Success)
}

/// Write a file beside its target, then rename: a reader never sees half a file.
fn write_whole(target: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)?;
    }
    crate::write::write_atomically(target, bytes)
}

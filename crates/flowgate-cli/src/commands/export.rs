//! `flowgate export`: imported platform flows written back exactly as they were read.

use crate::cli::{ExportArgs, Format, GlobalArgs};
use crate::exit::Exit;
use crate::output;
use flowgate_diagnostics::Diagnostic;
use flowgate_model::{AssetKind, AssetSpec};

/// Run the command.
pub fn run(args: &ExportArgs, global: &GlobalArgs) -> Exit {
    let (_, loaded) = match super::load(global) {
        Ok(loaded) => loaded,
        Err(exit) => return exit,
    };
    if loaded.has_errors() {
        if global.format == Format::Json {
            let document = flowgate_diagnostics::render_json(&loaded.diagnostics);
            output::out(&format!("{document}\n"));
        } else {
            output::out(&output::human_diagnostics(
                &loaded.diagnostics,
                &loaded.sources,
                output::use_color(global),
            ));
        }
        output::err("error: fix the problems above before exporting\n");
        return Exit::Findings;
    }
    let occupied = args
        .out
        .read_dir()
        .map(|mut entries| entries.next().is_some())
        .unwrap_or(false);
    if occupied {
        output::fatal(
            &Diagnostic::error("FG015", format!("{} is not empty", args.out.display()))
                .with_help("export into a new or empty directory; nothing was written"),
            global,
        );
        return Exit::BadInput;
    }
    let mut written = Vec::new();
    for asset in loaded.model.of_kind(AssetKind::Flow) {
        let (AssetSpec::Flow(flow), Some(file)) =
            (&asset.spec, loaded.model.file(asset.origin.file))
        else {
            continue;
        };
        let target = args.out.join(&file.path);
        let result = target
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| {
                // Write beside the target, then rename: a reader never sees half a file.
                let partial = target.with_extension("flowgate-partial");
                std::fs::write(&partial, flow.original.as_bytes())?;
                std::fs::rename(&partial, &target)
            });
        if let Err(e) = result {
            output::fatal(
                &Diagnostic::error("FG001", format!("cannot write {}: {e}", target.display())),
                global,
            );
            return Exit::BadInput;
        }
        written.push(file.path.clone());
    }
    if global.format == Format::Json {
        let document = serde_json::json!({
            "version": 1,
            "out": args.out.display().to_string(),
            "written": written,
        });
        output::out(&format!("{document}\n"));
    } else {
        output::out(&format!(
            "exported {} flows to {}\n",
            written.len(),
            args.out.display()
        ));
    }
    super::release(loaded);
    Exit::Success
}

//! Writing to the terminal: colour decisions and diagnostics output.

use crate::cli::{ColorChoice, GlobalArgs};
use flowgate_diagnostics::{
    render_human, summary_line, Diagnostic, HumanOptions, SourceMap, Summary,
};
use std::io::{IsTerminal, Write};

/// Whether to colour output written to stdout.
pub fn use_color(global: &GlobalArgs) -> bool {
    match global.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

/// Write text to stdout, ignoring a closed pipe (`flowgate graph | head`).
pub fn out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

/// Write text to stderr.
pub fn err(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes());
}

/// Render diagnostics for people, followed by a summary line.
pub fn human_diagnostics(diagnostics: &[Diagnostic], sources: &SourceMap, color: bool) -> String {
    let mut text = render_human(diagnostics, sources, HumanOptions { color });
    text.push_str(&summary_line(Summary::of(diagnostics)));
    text.push('\n');
    text
}

/// Report problems that stop a command (no workspace, bad configuration, an unusable
/// argument): as one JSON document on stdout under `--format json`, else on stderr with the
/// source lines they point at.
pub fn fatal_all(
    diagnostics: &[Diagnostic],
    known: &[flowgate_diagnostics::SourceText],
    global: &GlobalArgs,
) {
    if global.format == crate::cli::Format::Json {
        out(&format!(
            "{}\n",
            flowgate_diagnostics::render_json(diagnostics)
        ));
        return;
    }
    let mut sources = SourceMap::new();
    for source in known {
        sources.insert(source.clone());
    }
    for location in diagnostics.iter().filter_map(|d| d.location.as_ref()) {
        if sources.get(&location.path).is_some() {
            continue;
        }
        let path = global.workspace.join(&location.path);
        if let Ok(text) = std::fs::read_to_string(&path) {
            sources.insert(flowgate_diagnostics::SourceText::new(
                location.path.clone(),
                text,
            ));
        }
    }
    err(&render_human(
        diagnostics,
        &sources,
        HumanOptions {
            color: use_color(global) && std::io::stderr().is_terminal(),
        },
    ));
}

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

/// Write text to stdout, ignoring a closed pipe (`flowgate graph | head`). Control
/// characters from asset text, stored data or error messages are shown, never obeyed
/// ([`inert`]).
pub fn out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(inert(text).as_bytes());
    let _ = stdout.flush();
}

/// Write text to stderr, its control characters shown, never obeyed ([`inert`]).
pub fn err(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(inert(text).as_bytes());
}

/// `text` with every control character except line feed and tab shown as its Unicode
/// picture (`␛`, `␍`), so that text from an asset, a store or a database cannot move the
/// cursor, erase lines or retitle the terminal. Colour sequences (`ESC [ … m`) stay: flowgate
/// writes them itself, and they can only colour text.
pub fn inert(text: &str) -> std::borrow::Cow<'_, str> {
    let is_control = |c: char| c.is_control() && c != '\n' && c != '\t';
    if !text.chars().any(is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if let Some(len) = colour_sequence(rest) {
            shown.push_str(&rest[..len]);
            rest = &rest[len..];
            continue;
        }
        match c {
            c if !is_control(c) => shown.push(c),
            '\u{7f}' => shown.push('\u{2421}'),
            c if (c as u32) < 0x20 => {
                shown.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'))
            }
            _ => shown.push('\u{fffd}'),
        }
        rest = &rest[c.len_utf8()..];
    }
    std::borrow::Cow::Owned(shown)
}

/// The length of a colour sequence (`ESC [ digits and ; m`) at the start of `text`.
fn colour_sequence(text: &str) -> Option<usize> {
    let body = text.strip_prefix("\u{1b}[")?;
    let params = body
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b';')
        .count();
    (body.as_bytes().get(params) == Some(&b'm')).then_some(2 + params + 1)
}

/// Prints a human message or a JSON value, by format; an object is versioned
/// ([`versioned`]).
pub fn emit(global: &GlobalArgs, human: &str, json: serde_json::Value) {
    if global.format == crate::cli::Format::Json {
        out(&format!(
            "{}\n",
            serde_json::to_string_pretty(&versioned(json)).unwrap_or_default()
        ));
    } else {
        out(human);
    }
}

/// `value` with `"version": 1` first, unless it is no object or already has a version.
pub fn versioned(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(fields) if !fields.contains_key("version") => {
            let mut with = serde_json::Map::with_capacity(fields.len() + 1);
            with.insert("version".to_owned(), serde_json::Value::from(1));
            with.extend(fields);
            serde_json::Value::Object(with)
        }
        other => other,
    }
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

#[cfg(test)]
mod tests {
    use super::inert;

    #[test]
    fn control_sequences_from_data_are_shown_not_obeyed() {
        let hostile =
            "\u{1b}[2K\u{1b}[1G\u{1b}[32mno problems found\u{1b}[0m\rX\u{1b}]0;title\u{7}\u{9b}";
        let shown = inert(hostile);
        assert_eq!(
            shown,
            "␛[2K␛[1G\u{1b}[32mno problems found\u{1b}[0m␍X␛]0;title␇\u{fffd}"
        );
        assert_eq!(inert("plain\ttext\n"), "plain\ttext\n");
    }
}

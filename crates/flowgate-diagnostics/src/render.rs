//! Renderers: human-readable text with source snippets, and stable JSON.

use crate::{Diagnostic, Masker, Severity, SourceMap, Summary};
use anstyle::{AnsiColor, Effects, Style};
use std::fmt::Write as _;
use unicode_width::UnicodeWidthStr;

/// Options of the human renderer.
#[derive(Debug, Clone, Copy, Default)]
pub struct HumanOptions {
    /// Emit ANSI colours.
    pub color: bool,
}

struct Styles {
    error: Style,
    warning: Style,
    info: Style,
    emphasis: Style,
    gutter: Style,
    help: Style,
}

impl Styles {
    fn new(color: bool) -> Self {
        if !color {
            let plain = Style::new();
            return Self {
                error: plain,
                warning: plain,
                info: plain,
                emphasis: plain,
                gutter: plain,
                help: plain,
            };
        }
        Self {
            error: AnsiColor::Red.on_default().effects(Effects::BOLD),
            warning: AnsiColor::Yellow.on_default().effects(Effects::BOLD),
            info: AnsiColor::Cyan.on_default().effects(Effects::BOLD),
            emphasis: Style::new().effects(Effects::BOLD),
            gutter: AnsiColor::Blue.on_default().effects(Effects::BOLD),
            help: AnsiColor::Green.on_default().effects(Effects::BOLD),
        }
    }

    fn severity(&self, severity: Severity) -> Style {
        match severity {
            Severity::Error => self.error,
            Severity::Warning => self.warning,
            Severity::Info => self.info,
        }
    }
}

fn paint(style: Style, text: &str) -> String {
    format!("{}{}{}", style.render(), text, style.render_reset())
}

/// Render diagnostics the way compilers do: header, location, source snippet with a caret
/// underline, help and related locations.
pub fn render_human(
    diagnostics: &[Diagnostic],
    sources: &SourceMap,
    options: HumanOptions,
) -> String {
    let styles = Styles::new(options.color);
    let masker = Masker::of(diagnostics);
    let mut out = String::new();
    for diagnostic in diagnostics {
        let diagnostic = masker.diagnostic(diagnostic);
        render_one(&mut out, &diagnostic, sources, &styles, &masker);
        out.push('\n');
    }
    out
}

fn render_one(
    out: &mut String,
    d: &Diagnostic,
    sources: &SourceMap,
    styles: &Styles,
    masker: &Masker,
) {
    let sev = styles.severity(d.severity);
    let _ = writeln!(
        out,
        "{}{}",
        paint(sev, &format!("{}[{}]", d.severity, d.code)),
        paint(styles.emphasis, &format!(": {}", d.message))
    );
    let Some(location) = &d.location else {
        if let Some(help) = &d.help {
            let _ = writeln!(out, "  {} {help}", paint(styles.help, "help:"));
        }
        return;
    };
    let line_no = location.start.line.to_string();
    let pad = " ".repeat(line_no.len());
    let _ = writeln!(
        out,
        "{pad}{} {}:{}:{}",
        paint(styles.gutter, "-->"),
        location.path,
        location.start.line,
        location.start.column
    );
    if let Some(raw) = sources
        .get(&location.path)
        .and_then(|s| s.line(location.start.line))
    {
        // Masked at the same width, so the carets below still line up.
        let raw = masker.mask_line(raw);
        let raw = raw.as_ref();
        // Tabs are shown as four spaces; the caret is placed on the expanded text.
        let expand = |text: &str| text.replace('\t', "    ");
        let line = expand(raw);
        let bar = paint(styles.gutter, "|");
        let _ = writeln!(out, "{pad} {bar}");
        let _ = writeln!(
            out,
            "{} {bar} {}",
            paint(styles.gutter, &line_no),
            truncate(&line, 160)
        );
        let start = location.start.column.saturating_sub(1) as usize;
        let before: String = raw.chars().take(start).collect();
        let indent = UnicodeWidthStr::width(expand(&before).as_str()).min(160);
        let width = if location.end.line == location.start.line {
            let underlined: String = raw
                .chars()
                .skip(start)
                .take(location.end.column.saturating_sub(location.start.column) as usize)
                .collect();
            UnicodeWidthStr::width(expand(&underlined).as_str()).clamp(1, 160)
        } else {
            UnicodeWidthStr::width(line.as_str())
                .saturating_sub(indent)
                .clamp(1, 160)
        };
        let carets = "^".repeat(width);
        let label = d
            .label
            .as_deref()
            .map(|l| format!(" {l}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{pad} {bar} {}{}",
            " ".repeat(indent),
            paint(sev, &format!("{carets}{label}"))
        );
    }
    for related in &d.related {
        let _ = writeln!(
            out,
            "{pad} {} {}: {}:{}:{}",
            paint(styles.gutter, "="),
            related.message,
            related.location.path,
            related.location.start.line,
            related.location.start.column
        );
    }
    if let Some(help) = &d.help {
        let _ = writeln!(out, "{pad} {} {help}", paint(styles.help, "= help:"));
    }
}

fn truncate(line: &str, max: usize) -> String {
    if line.chars().count() <= max {
        line.to_owned()
    } else {
        let mut cut: String = line.chars().take(max).collect();
        cut.push('…');
        cut
    }
}

/// One line summarising counts, e.g. `2 errors, 1 warning`.
pub fn summary_line(summary: Summary) -> String {
    fn plural(n: usize, word: &str) -> String {
        if n == 1 {
            format!("{n} {word}")
        } else {
            format!("{n} {word}s")
        }
    }
    format!(
        "{}, {}, {}",
        plural(summary.errors, "error"),
        plural(summary.warnings, "warning"),
        plural(summary.infos, "info")
    )
}

/// The stable JSON document: `{"version": 1, "summary": {...}, "diagnostics": [...]}`.
pub fn render_json(diagnostics: &[Diagnostic]) -> serde_json::Value {
    serde_json::json!({
        "version": 1,
        "summary": Summary::of(diagnostics),
        "diagnostics": crate::masked(diagnostics),
    })
}

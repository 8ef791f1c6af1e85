//! Diagnostics for flowgate: source spans, located findings and their renderers.
//!
//! Diagnostics are data: collected (never fail-fast), sorted with [`sort_diagnostics`] into a
//! stable order, and rendered by format.
#![forbid(unsafe_code)]

mod diagnostic;
mod formats;
mod render;
mod secret;
mod source;
mod span;
pub mod suggest;

pub use diagnostic::{sort_diagnostics, Diagnostic, Location, Related, Severity, Summary};
pub use formats::{render_github, render_junit, render_sarif, RuleInfo, ToolInfo};
pub use render::{render_human, render_json, summary_line, HumanOptions};
pub use secret::{masked, redact_secret, Masker};
pub use source::{SourceMap, SourceText};
pub use span::{LineCol, LineIndex, Span};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_rendering_points_at_the_span() {
        let source = SourceText::new("a.yaml", "kind: Tag\nid: x\ncolour: red\n");
        let mut sources = SourceMap::new();
        sources.insert(source.clone());
        let d = Diagnostic::error("FG003", "unknown field `colour`")
            .at(&source, Span::new(16, 22))
            .with_label("not a field of Tag")
            .with_help("remove it");
        let text = render_human(&[d], &sources, HumanOptions::default());
        assert_eq!(
            text,
            "error[FG003]: unknown field `colour`\n --> a.yaml:3:1\n  |\n3 | colour: red\n  | ^^^^^^ not a field of Tag\n  = help: remove it\n\n"
        );
    }

    #[test]
    fn carets_line_up_after_tabs() {
        let source = SourceText::new("t.yaml", "id:\tt4\n");
        let mut sources = SourceMap::new();
        sources.insert(source.clone());
        let d = Diagnostic::error("FG012", "bad").at(&source, Span::new(4, 6));
        let text = render_human(&[d], &sources, HumanOptions::default());
        assert!(text.contains("1 | id:    t4\n  |        ^^\n"), "{text}");
    }

    #[test]
    fn secrets_are_masked_in_every_snippet_of_their_line() {
        let token = "sk_live_51HxYzAbCdEf0123456789";
        let source = SourceText::new(
            "w.yaml",
            format!("auth: {{ scheme: bearer, secret: \"{token}\" }}\n"),
        );
        let mut sources = SourceMap::new();
        sources.insert(source.clone());
        let flagged = Diagnostic::error("FG012", format!("`{token}` is not a secret reference"))
            .at(&source, Span::new(33, 63))
            .with_secret(token);
        // Another finding on the same line quotes it in its snippet only.
        let other = Diagnostic::warning("FG503", "insecure").at(&source, Span::new(6, 12));
        let text = render_human(&[flagged, other], &sources, HumanOptions::default());
        assert!(!text.contains(token), "{text}");
        assert!(text.contains("`sk_l…` is not a secret reference"), "{text}");
        assert!(
            text.contains("\"sk_l**************************\""),
            "{text}"
        );
        assert!(
            text.contains("  |                                  ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"),
            "{text}"
        );
    }

    #[test]
    fn sorting_is_by_file_then_position() {
        let a = SourceText::new("a.yaml", "x\ny\n");
        let mut list = vec![
            Diagnostic::error("FG002", "second").at(&a, Span::point(2)),
            Diagnostic::error("FG001", "no file"),
            Diagnostic::error("FG001", "first").at(&a, Span::point(0)),
        ];
        sort_diagnostics(&mut list);
        let messages: Vec<_> = list.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages, ["no file", "first", "second"]);
    }
}

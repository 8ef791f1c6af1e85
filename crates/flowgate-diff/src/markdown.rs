//! Making asset text safe in GitHub-flavoured Markdown: a diff pasted into a pull request must
//! show an inserted `<script>` or tracking `<img>` as text, never render or drop it, and its
//! word marks must be valid strikethrough and bold.

use crate::words::WordRun;
use flowgate_model::markdown;

/// Where a line goes: a table cell must also escape `|`, even inside code spans.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    /// A list item or a paragraph.
    Line,
    /// A table cell.
    Cell,
}

/// `text` as literal Markdown ([`markdown::escape`]) with each line break shown as `⏎`, so
/// the text cannot open a tag, a link, emphasis or a new block, and `|` cannot end a cell.
pub(crate) fn literal(text: &str) -> String {
    markdown::escape(&text.replace(['\n', '\r'], "⏎"))
}

/// A description whose values are quoted in backticks (`` `subject` changed ``): each closed
/// code span stays a code span, where Markdown and HTML are shown as written, and everything
/// else is escaped with [`literal`]. An unclosed backtick is escaped too.
pub(crate) fn with_code_spans(text: &str, place: Place) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    let mut out = String::with_capacity(text.len() + 8);
    for (i, part) in parts.iter().enumerate() {
        let closed = i + 1 < parts.len();
        if i % 2 == 1 && closed {
            out.push_str(&code_span(part, place));
        } else {
            if i % 2 == 1 {
                out.push_str("\\`");
            }
            out.push_str(&literal(part));
        }
    }
    out
}

/// `text` as one code span ([`markdown::code_span`]), line breaks shown as `⏎` and, in a
/// table cell, `|` escaped.
fn code_span(text: &str, place: Place) -> String {
    let span = markdown::code_span(&text.replace(['\n', '\r'], "⏎"));
    match place {
        Place::Cell => span.replace('|', "\\|"),
        Place::Line => span,
    }
}

/// A word diff as Markdown: removed words struck through, inserted words bold, every word
/// escaped, and the spaces at the edges of a mark kept outside it (`~~Outdoor ~~` is not
/// strikethrough in GFM; `~~Outdoor~~ ` is).
pub(crate) fn word_marks(runs: &[WordRun], context: usize) -> String {
    let mut out = String::new();
    let last = runs.len().saturating_sub(1);
    for (i, run) in runs.iter().enumerate() {
        match run {
            WordRun::Same(text) => {
                out.push_str(&literal(&crate::words::elide(text, i, last, context)));
            }
            WordRun::Removed(text) => out.push_str(&marked(text, "~~")),
            WordRun::Inserted(text) => out.push_str(&marked(text, "**")),
        }
    }
    out
}

/// `text` between `mark`s with its edge whitespace outside; whitespace alone is shown as `␣`.
fn marked(text: &str, mark: &str) -> String {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return format!("{mark}␣{mark}");
    }
    let start = text.len() - text.trim_start().len();
    let end = start + trimmed.len();
    format!(
        "{}{mark}{}{mark}{}",
        literal(&text[..start]),
        literal(trimmed),
        literal(&text[end..])
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_and_markdown_in_values_are_shown_as_text() {
        let text = literal("<script>alert(1)</script> *bold* [x](javascript:y) a|b");
        assert_eq!(
            text,
            "&lt;script&gt;alert(1)&lt;/script&gt; \\*bold\\* \\[x\\](javascript:y) a\\|b"
        );
        assert!(!literal("<img src=x onerror=y>").contains('<'));
        assert_eq!(literal("one\r\ntwo"), "one⏎⏎two");
    }

    #[test]
    fn closed_code_spans_stay_and_an_unclosed_backtick_is_escaped() {
        assert_eq!(
            with_code_spans("`subject` changed to `<b>`", Place::Line),
            "`subject` changed to `<b>`"
        );
        let open = with_code_spans("`a` and `<img src=x onerror=y>", Place::Line);
        assert!(
            open.ends_with("and \\`&lt;img src=x onerror=y&gt;"),
            "{open}"
        );
        assert_eq!(with_code_spans("`a|b`", Place::Cell), "`a\\|b`");
    }

    #[test]
    fn a_value_with_backticks_keeps_its_own_fence() {
        assert_eq!(code_span("a`b", Place::Line), "``a`b``");
        assert_eq!(code_span("`x", Place::Line), "`` `x ``");
    }

    #[test]
    fn marks_keep_their_edge_spaces_outside() {
        let runs = vec![
            WordRun::Removed("Outdoor ".into()),
            WordRun::Same("team".into()),
            WordRun::Inserted(" <b>new</b>".into()),
            WordRun::Removed(" ".into()),
        ];
        assert_eq!(
            word_marks(&runs, 30),
            "~~Outdoor~~ team **&lt;b&gt;new&lt;/b&gt;**~~␣~~"
        );
    }
}

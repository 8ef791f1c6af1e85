//! Asset text in generated Markdown, shown as written.
//!
//! Names, purposes and every other value come from asset files that other people and tools
//! write, and the pages they end up in are rendered by wikis and static-site generators that
//! keep raw HTML. So every piece of asset text goes through one of these functions: HTML
//! becomes entities (`<script>` is shown, never run), Markdown syntax is backslash-escaped
//! (no link, image, emphasis or heading can come out of a value), line breaks are folded (a
//! value cannot start a new block or table row) and characters nobody can see become U+FFFD.
//! Links are only ever built by flowgate, to pages named after validated ids ([`page_link`]);
//! a `javascript:` URL in asset text stays text.

use flowgate_model::{markdown, validate_id};

/// Asset text for running Markdown: a paragraph, a list item, a heading or link text.
/// Besides [`cell`]'s escaping, a leading `-` or `+` and the `.` or `)` of a leading
/// `1.` / `1)` are escaped, so a value at the start of a line stays a paragraph (not a list
/// item or a rule).
pub fn inline(text: &str) -> String {
    let escaped = cell(text);
    let start = escaped.len() - escaped.trim_start_matches([' ', '\t']).len();
    let rest = &escaped[start..];
    let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let after = &rest[digits..];
    let ends_marker = after
        .get(1..)
        .is_some_and(|a| a.is_empty() || a.starts_with([' ', '\t']));
    let marker = if rest.starts_with(['-', '+']) {
        Some(start)
    } else if (1..=9).contains(&digits) && after.starts_with(['.', ')']) && ends_marker {
        Some(start + digits)
    } else {
        None
    };
    match marker {
        Some(at) => format!("{}\\{}", &escaped[..at], &escaped[at..]),
        None => escaped,
    }
}

/// Asset text for a table cell: line breaks become spaces and invisible control characters
/// U+FFFD, then [`markdown::escape`] makes HTML entities and backslash-escapes the Markdown
/// syntax characters (so `|` is `\|` and cannot end the cell).
pub fn cell(text: &str) -> String {
    markdown::escape(&folded(text).collect::<String>())
}

/// Asset text as a code span in running Markdown (a field name, a metric, a file path): line
/// breaks become spaces and invisible control characters U+FFFD, inside a
/// [`markdown::code_span`] fence, where HTML and Markdown are shown as written.
pub fn code(text: &str) -> String {
    markdown::code_span(&folded(text).collect::<String>())
}

/// Asset text as a code span in a table cell: [`code`], with `|` as `\|` (GFM removes the
/// backslash inside code spans in tables, and the cell does not end there).
pub fn code_cell(text: &str) -> String {
    code(text).replace('|', "\\|")
}

/// A link to the generated page of integration `id`, with `name` as its text. The target is
/// built from the id only, and only when it is a valid id; otherwise the name is plain text.
pub fn page_link(name: &str, id: &str) -> String {
    if validate_id(id).is_ok() {
        format!("[{}]({id}.md)", inline(name))
    } else {
        inline(name)
    }
}

/// The characters of `text` with every line break (`\r\n`, `\n`, `\r`, U+2028, U+2029) as
/// one space and every other character that cannot be shown (controls, U+FFFE, U+FFFF) as
/// U+FFFD; tabs stay.
fn folded(text: &str) -> impl Iterator<Item = char> + '_ {
    let mut chars = text.chars().peekable();
    std::iter::from_fn(move || loop {
        let c = chars.next()?;
        return Some(match c {
            '\r' if chars.peek() == Some(&'\n') => continue,
            '\n' | '\r' | '\u{2028}' | '\u{2029}' => ' ',
            '\t' => '\t',
            c if c.is_control() || matches!(c, '\u{fffe}' | '\u{ffff}') => '\u{fffd}',
            c => c,
        });
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_and_markdown_syntax_are_shown_as_written() {
        assert_eq!(
            cell("<script>alert(1)</script> & <img src=x onerror=y>"),
            "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img src=x onerror=y&gt;"
        );
        assert_eq!(
            inline("[x](javascript:alert(1)) ![i](data:x) *a* _b_ ~c~ `d` #e"),
            "\\[x\\](javascript:alert(1)) \\!\\[i\\](data:x) \\*a\\* \\_b\\_ \\~c\\~ \\`d\\` \\#e"
        );
        assert_eq!(cell("a|b"), "a\\|b");
        assert_eq!(cell("trailing\\"), "trailing\\\\");
        assert_eq!(cell("plain text, 5 min"), "plain text, 5 min");
    }

    #[test]
    fn line_breaks_fold_and_controls_become_visible() {
        assert_eq!(cell("one\r\ntwo\nthree\rfour"), "one two three four");
        assert_eq!(inline("# title\n# injected"), "\\# title \\# injected");
        assert_eq!(
            cell("esc\u{1b}[2K\u{7}\u{85}x\ty"),
            "esc\u{fffd}\\[2K\u{fffd}\u{fffd}x\ty"
        );
    }

    #[test]
    fn a_leading_list_marker_stays_text() {
        assert_eq!(inline("- not a list"), "\\- not a list");
        assert_eq!(inline("  + nor this"), "  \\+ nor this");
        assert_eq!(inline("12. nor this"), "12\\. nor this");
        assert_eq!(inline("3) nor this"), "3\\) nor this");
        assert_eq!(inline("2024 was busy"), "2024 was busy");
        assert_eq!(inline("2.4.3"), "2.4.3");
        assert_eq!(inline("1."), "1\\.");
        assert_eq!(inline("---"), "\\---");
        assert_eq!(inline("a - b"), "a - b");
        assert_eq!(cell("- fine in a cell"), "- fine in a cell");
    }

    #[test]
    fn code_spans_keep_their_own_fence() {
        assert_eq!(code("sales_order.grand_total"), "`sales_order.grand_total`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(code(" x "), "`  x  `");
        assert_eq!(code("<b>\nx"), "`<b> x`");
        assert_eq!(code_cell("a|b"), "`a\\|b`");
    }

    #[test]
    fn links_go_only_to_pages_named_after_valid_ids() {
        assert_eq!(
            page_link("Order [export]", "order-export"),
            "[Order \\[export\\]](order-export.md)"
        );
        assert_eq!(
            page_link("click", "javascript:alert(1)"),
            "click",
            "not a valid id, so no link"
        );
    }
}

//! Asset text in GitHub-flavoured Markdown, shown as written: generated pages and diffs pasted
//! into pull requests are rendered by hosts that keep raw HTML, so an inserted `<script>` or
//! tracking `<img>` must stay text, and a value must not open a link, emphasis or a heading.
//!
//! What a line break becomes is the caller's choice (a page folds it into a space, a diff shows
//! it as `⏎`): these functions expect text with line breaks already replaced.

/// `text` with HTML and Markdown syntax escaped: `<`, `>` and `&` become entities, and
/// `` \ ` * _ ~ [ ] # ! | `` are backslash-escaped, so no tag, link, image, emphasis, heading
/// or code span can come out of it; `|` is `\|`, so it cannot end a table cell either.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '~' | '[' | ']' | '#' | '!' | '|' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// `text` as one code span, where HTML and Markdown are shown as written: its fence is longer
/// than any run of backticks inside, and it is padded with a space where CommonMark would
/// otherwise merge a backtick with the fence, strip the text's own edge spaces, or see no span
/// at all (empty text). In a table cell, `|` still ends the cell: escape it afterwards.
pub fn code_span(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let spaced = text.starts_with(' ') && text.ends_with(' ') && !text.trim().is_empty();
    let pad = if text.is_empty() || text.starts_with('`') || text.ends_with('`') || spaced {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_and_markdown_syntax_are_shown_as_written() {
        assert_eq!(
            escape("<script>alert(1)</script> & <img src=x onerror=y>"),
            "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img src=x onerror=y&gt;"
        );
        assert_eq!(
            escape("[x](javascript:alert(1)) ![i](data:x) *a* _b_ ~c~ `d` #e a|b \\"),
            "\\[x\\](javascript:alert(1)) \\!\\[i\\](data:x) \\*a\\* \\_b\\_ \\~c\\~ \\`d\\` \\#e a\\|b \\\\"
        );
        assert_eq!(escape("plain text, 5 min"), "plain text, 5 min");
    }

    #[test]
    fn code_spans_keep_their_own_fence() {
        let texts = ["sales_order.grand_total", "a`b", "`x", " x ", "", "<b>"];
        let spans: Vec<String> = texts.into_iter().map(code_span).collect();
        assert_eq!(
            spans,
            [
                "`sales_order.grand_total`",
                "``a`b``",
                "`` `x ``",
                "`  x  `",
                "`  `",
                "`<b>`"
            ]
        );
    }
}

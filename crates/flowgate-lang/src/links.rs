//! Links in template text.

use flowgate_diagnostics::Span;

/// Every `http://` or `https://` URL and every `href` attribute value in `source`, in order,
/// with its span relative to the start of `source`.
///
/// Template tags inside a link (`https://shop.example/t/{{ order.id }}`) are kept as written.
/// A URL inside an `href` value is reported once, as the `href` value. Trailing punctuation
/// that ends a sentence (`.`, `,`, `;`, `:`, `!`, `?`, and an unbalanced `)`) is not part of
/// a bare URL.
pub fn template_links(source: &str) -> Vec<(String, Span)> {
    let bytes = source.as_bytes();
    let mut links: Vec<(usize, usize)> = href_values(source);
    let mut i = 0;
    while i < bytes.len() {
        let Some(scheme) = url_scheme_len(bytes, i) else {
            i += 1;
            continue;
        };
        let start = i;
        let end = url_end(bytes, start, scheme);
        i = end.max(start + 1);
        let inside_href = links.iter().any(|&(s, e)| s <= start && start < e);
        if end > start + scheme && !inside_href {
            links.push((start, end));
        }
    }
    links.sort_unstable();
    links.dedup();
    links
        .into_iter()
        .filter_map(|(start, end)| {
            source
                .get(start..end)
                .map(|text| (text.to_owned(), Span::new(start, end)))
        })
        .collect()
}

/// The length of `http://` or `https://` (any case) at `i`, if one starts there.
fn url_scheme_len(bytes: &[u8], i: usize) -> Option<usize> {
    let starts_word = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
    if !starts_word {
        return None;
    }
    ["https://", "http://"].into_iter().find_map(|scheme| {
        let candidate = bytes.get(i..i + scheme.len())?;
        candidate
            .eq_ignore_ascii_case(scheme.as_bytes())
            .then_some(scheme.len())
    })
}

/// Where a bare URL starting at `start` ends.
fn url_end(bytes: &[u8], start: usize, scheme: usize) -> usize {
    let mut j = start + scheme;
    while j < bytes.len() {
        if let Some(after) = template_tag_end(bytes, j) {
            j = after;
            continue;
        }
        let c = bytes[j];
        if c.is_ascii_whitespace() || matches!(c, b'"' | b'\'' | b'<' | b'>' | b'`') {
            break;
        }
        j += 1;
    }
    // Sentence punctuation after a URL is not part of it.
    let mut end = j;
    while end > start + scheme {
        let last = bytes[end - 1];
        let unbalanced_paren = last == b')' && {
            let url = &bytes[start..end];
            url.iter().filter(|&&c| c == b'(').count() < url.iter().filter(|&&c| c == b')').count()
        };
        if matches!(last, b'.' | b',' | b';' | b':' | b'!' | b'?') || unbalanced_paren {
            end -= 1;
        } else {
            break;
        }
    }
    end
}

/// If a `{{ … }}` or `{% … %}` tag starts at `i`, the offset just after it (or the end of the
/// text when it is not closed).
fn template_tag_end(bytes: &[u8], i: usize) -> Option<usize> {
    let close = match bytes.get(i..i + 2)? {
        b"{{" => b"}}",
        b"{%" => b"%}",
        _ => return None,
    };
    let rest = bytes.get(i + 2..)?;
    Some(
        rest.windows(2)
            .position(|w| w == close)
            .map_or(bytes.len(), |p| i + 2 + p + 2),
    )
}

/// The spans of `href` attribute values: `href="…"`, `href='…'` or `href=…`.
fn href_values(source: &str) -> Vec<(usize, usize)> {
    let bytes = source.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 4 <= bytes.len() {
        let is_href = bytes[i..i + 4].eq_ignore_ascii_case(b"href")
            && (i == 0
                || !(bytes[i - 1].is_ascii_alphanumeric() || matches!(bytes[i - 1], b'-' | b'_')));
        if !is_href {
            i += 1;
            continue;
        }
        let mut j = skip_spaces(bytes, i + 4);
        if bytes.get(j) != Some(&b'=') {
            i += 4;
            continue;
        }
        j = skip_spaces(bytes, j + 1);
        let (start, end) = match bytes.get(j) {
            Some(&quote @ (b'"' | b'\'')) => {
                let start = j + 1;
                let mut k = start;
                while k < bytes.len() && bytes[k] != quote {
                    match template_tag_end(bytes, k) {
                        Some(after) => k = after,
                        None => k += 1,
                    }
                }
                (start, k.min(bytes.len()))
            }
            Some(_) => {
                let start = j;
                let mut k = start;
                while k < bytes.len() && !bytes[k].is_ascii_whitespace() && bytes[k] != b'>' {
                    match template_tag_end(bytes, k) {
                        Some(after) => k = after,
                        None => k += 1,
                    }
                }
                (start, k.min(bytes.len()))
            }
            None => (j, j),
        };
        if let Some(value) = source.get(start..end).filter(|v| !v.is_empty()) {
            let trimmed_start = start + (value.len() - value.trim_start().len());
            let trimmed_end = end - (value.len() - value.trim_end().len());
            if trimmed_end > trimmed_start {
                out.push((trimmed_start, trimmed_end));
            }
        }
        i = end.max(i + 4);
    }
    out
}

fn skip_spaces(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn texts(source: &str) -> Vec<String> {
        let links = template_links(source);
        for (text, span) in &links {
            assert_eq!(&source[span.start as usize..span.end as usize], text);
        }
        links.into_iter().map(|(t, _)| t).collect()
    }

    #[test]
    fn finds_bare_urls_without_trailing_punctuation() {
        assert_eq!(
            texts("Visit https://shop.example/sale. Or (http://a.example/x), HTTPS://B.example!"),
            vec![
                "https://shop.example/sale",
                "http://a.example/x",
                "HTTPS://B.example"
            ]
        );
    }

    #[test]
    fn keeps_balanced_parentheses_and_template_tags() {
        assert_eq!(
            texts("see https://en.example/wiki/Foo_(bar) and https://t.example/{{ order.id }}/x?u={{ contact.id | urlencode }} now"),
            vec![
                "https://en.example/wiki/Foo_(bar)",
                "https://t.example/{{ order.id }}/x?u={{ contact.id | urlencode }}"
            ]
        );
    }

    #[test]
    fn finds_href_values_once() {
        let source = r#"<a href="https://x.example/a?b=1">x</a> <a HREF = '{{ unsubscribe_url }}'>u</a> <a href=mailto:hi@example.com>m</a> <a data-href="no">"#;
        let links = template_links(source);
        assert_eq!(
            links.iter().map(|(t, _)| t.as_str()).collect::<Vec<_>>(),
            vec![
                "https://x.example/a?b=1",
                "{{ unsubscribe_url }}",
                "mailto:hi@example.com"
            ]
        );
        assert_eq!(links[0].1, Span::new(9, 32));
    }

    #[test]
    fn href_with_quotes_inside_a_tag() {
        assert_eq!(
            texts(r#"<a href="{{ "https://x.example" ~ path }}">"#),
            vec![r#"{{ "https://x.example" ~ path }}"#]
        );
    }

    #[test]
    fn scheme_alone_and_odd_input_are_not_links() {
        assert!(texts("https:// and http://").is_empty());
        assert!(texts("xhttps://a.example").is_empty());
        assert!(texts("href=").is_empty());
        assert!(texts("href=\"").is_empty());
        assert_eq!(texts("é https://é.example/ü"), vec!["https://é.example/ü"]);
        assert_eq!(
            texts("https://a.example/{{ unclosed"),
            vec!["https://a.example/{{ unclosed"]
        );
    }
}

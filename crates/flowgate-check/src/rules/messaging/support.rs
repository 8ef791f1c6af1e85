//! Helpers shared by the messaging rules: the texts of a template (subject, preheader and
//! body of every locale), the links in them located in the asset file, and text estimates.

use crate::CheckContext;
use flowgate_diagnostics::Span;
use flowgate_model::{Asset, Body, MessageContent, Template, TemplateText};

/// Which part of a message a text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// The email subject.
    Subject,
    /// The email preview text.
    Preheader,
    /// The body.
    Body,
}

impl Part {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Subject => "subject",
            Self::Preheader => "preheader",
            Self::Body => "body",
        }
    }
}

/// The content of one language of a template: the default one or a locale.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Variant<'a> {
    /// `None` for the default content.
    pub(crate) locale: Option<&'a str>,
    pub(crate) content: &'a MessageContent,
    /// The span of the locale's content (`None` for the default content).
    pub(crate) span: Option<Span>,
}

/// The default content, then every locale in name order.
pub(crate) fn variants(template: &Template) -> Vec<Variant<'_>> {
    let mut out = vec![Variant {
        locale: None,
        content: &template.content,
        span: None,
    }];
    out.extend(template.locales.iter().map(|(locale, content)| Variant {
        locale: Some(locale.as_str()),
        content: &content.value,
        span: Some(content.span),
    }));
    out
}

/// One template text: a subject, preheader or body of one variant.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Site<'a> {
    pub(crate) locale: Option<&'a str>,
    pub(crate) part: Part,
    pub(crate) text: &'a TemplateText,
    /// The span of the value in the asset file (the `body_file` value for a body file).
    pub(crate) span: Span,
    /// Whether the text was read from a `body_file` (its positions are not in the asset file).
    pub(crate) from_file: bool,
}

impl Site<'_> {
    /// `the body of template `x`` or `the `de` subject of template `x``.
    pub(crate) fn describe(&self, asset: &Asset) -> String {
        match self.locale {
            Some(locale) => format!(
                "the `{locale}` {} of template `{}`",
                self.part.as_str(),
                asset.id.value
            ),
            None => format!(
                "the {} of template `{}`",
                self.part.as_str(),
                asset.id.value
            ),
        }
    }
}

/// The texts of one variant: subject, preheader, body.
pub(crate) fn variant_sites<'a>(variant: &Variant<'a>) -> Vec<Site<'a>> {
    let content = variant.content;
    let mut out = Vec::with_capacity(3);
    for (part, text) in [
        (Part::Subject, &content.subject),
        (Part::Preheader, &content.preheader),
    ] {
        if let Some(text) = text {
            out.push(Site {
                locale: variant.locale,
                part,
                text: &text.value,
                span: text.span,
                from_file: false,
            });
        }
    }
    out.push(Site {
        locale: variant.locale,
        part: Part::Body,
        text: content.body.value.text(),
        span: content.body.span,
        from_file: matches!(content.body.value, Body::File(_)),
    });
    out
}

/// Every text of a template, default content first.
pub(crate) fn sites(template: &Template) -> Vec<Site<'_>> {
    variants(template).iter().flat_map(variant_sites).collect()
}

/// A link in a template text, located in the asset file.
#[derive(Debug, Clone)]
pub(crate) struct Link {
    /// The link as written (template tags kept).
    pub(crate) text: String,
    /// Where it is in the asset file: the link itself when it can be found inside the
    /// text's value, else the whole value (always the `body_file` value for body files).
    pub(crate) span: Span,
}

/// The links of a text, in order. Spans from [`flowgate_lang::template_links`] are relative to
/// the template text, which YAML may have re-indented or unescaped: each link is searched, in
/// order, inside the value as written in the file.
pub(crate) fn links(ctx: &CheckContext<'_>, asset: &Asset, site: &Site<'_>) -> Vec<Link> {
    let found = flowgate_lang::template_links(&site.text.source);
    if found.is_empty() {
        return Vec::new();
    }
    let written = if site.from_file {
        None
    } else {
        ctx.source(asset).and_then(|s| {
            s.text()
                .get(site.span.start as usize..site.span.end as usize)
        })
    };
    let base = site.span.start as usize;
    let mut cursor = 0;
    found
        .into_iter()
        .map(|(text, _)| {
            let span = written
                .and_then(|w| {
                    let at = cursor + w.get(cursor..)?.find(text.as_str())?;
                    cursor = at + text.len();
                    Some(Span::new(base + at, base + at + text.len()))
                })
                .unwrap_or(site.span);
            Link { text, span }
        })
        .collect()
}

/// Whether a link starts with a template tag (`{{ unsubscribe_url }}`, `{{ base }}/x`): its
/// scheme and host come from a variable and cannot be judged here.
pub(crate) fn starts_with_tag(link: &str) -> bool {
    let link = link.trim_start();
    link.starts_with("{{") || link.starts_with("{%")
}

/// Whether a link's scheme is `http` or `https` (any case).
pub(crate) fn is_web(link: &str) -> bool {
    let lower = link.trim_start().to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// Shorten text for a message: at most `max` characters, with `…` when cut.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// The span of a locale's key (`de:`) just before its content, or the content span.
pub(crate) fn locale_key_span(
    ctx: &CheckContext<'_>,
    asset: &Asset,
    locale: &str,
    content_span: Span,
) -> Span {
    let found = || -> Option<Span> {
        let text = ctx.source(asset)?.text();
        let start = asset.origin.span.start.min(content_span.start) as usize;
        let before = text.get(start..content_span.start as usize)?;
        let key = before.trim_end().strip_suffix(':')?.trim_end();
        let key = key.strip_suffix(['"', '\'']).unwrap_or(key);
        if !key.ends_with(locale) {
            return None;
        }
        let end = start + key.len();
        Some(Span::new(end - locale.len(), end))
    };
    found().unwrap_or(content_span)
}

/// What a template renders to, estimated: `{% … %}` tags and `{# … #}` comments are removed
/// (whitespace control `-` honoured) and every `{{ … }}` is replaced by `value(expression)`.
pub(crate) fn estimate(source: &str, value: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(source.len());
    let mut rest = source;
    let mut trim_next = false;
    while !rest.is_empty() {
        let next = ["{{", "{%", "{#"]
            .iter()
            .filter_map(|open| rest.find(open))
            .min();
        let Some(at) = next else {
            push_text(&mut out, rest, trim_next);
            break;
        };
        push_text(&mut out, &rest[..at], trim_next);
        let tag = &rest[at..];
        let close = match tag.as_bytes().get(1) {
            Some(b'{') => "}}",
            Some(b'%') => "%}",
            _ => "#}",
        };
        let Some(end) = tag.get(2..).and_then(|t| t.find(close)).map(|p| p + 2) else {
            // Unclosed tag: the loader rejects such templates; count the rest as text.
            out.push_str(tag);
            break;
        };
        let inner = &tag[2..end];
        if inner.starts_with('-') {
            let trimmed = out.trim_end().len();
            out.truncate(trimmed);
        }
        trim_next = inner.ends_with('-');
        if close == "}}" {
            out.push_str(&value(inner.trim_matches('-').trim()));
        }
        rest = &tag[end + 2..];
    }
    out
}

fn push_text(out: &mut String, text: &str, trim_start: bool) {
    out.push_str(if trim_start { text.trim_start() } else { text });
}

/// The literal of a `default("…")` (or `d('…')`) filter in an expression, if there is one.
pub(crate) fn default_literal(expression: &str) -> Option<String> {
    let mut rest = expression;
    while let Some(bar) = rest.find('|') {
        rest = rest[bar + 1..].trim_start();
        let name_len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let (name, after) = rest.split_at(name_len);
        if name != "default" && name != "d" {
            continue;
        }
        let after = after.trim_start().strip_prefix('(')?.trim_start();
        let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let body = &after[1..];
        let mut literal = String::new();
        let mut chars = body.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => literal.push(chars.next()?),
                c if c == quote => return Some(literal),
                c => literal.push(c),
            }
        }
        return None;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_strip_tags_and_replace_variables() {
        let text = estimate(
            "Hi {{ contact.first_name | default(\"there\") }}{# note #}! {% if x -%}  yes {%- endif %}.",
            |e| default_literal(e).unwrap_or_else(|| "x".repeat(10)),
        );
        assert_eq!(text, "Hi there! yes.");
        assert_eq!(
            estimate("{{ a }} b", |_| "1234567890".into()),
            "1234567890 b"
        );
        assert_eq!(estimate("a {{ b", |_| String::new()), "a {{ b");
    }

    #[test]
    fn default_literals() {
        assert_eq!(
            default_literal("contact.x | trim | d('it\\'s')"),
            Some("it's".into())
        );
        assert_eq!(default_literal("contact.x | default(other)"), None);
        assert_eq!(default_literal("contact.x | upper"), None);
        assert_eq!(default_literal("contact.x"), None);
    }

    #[test]
    fn link_kinds() {
        assert!(starts_with_tag(" {{ unsubscribe_url }}"));
        assert!(!starts_with_tag("https://x/{{ a }}"));
        assert!(is_web("HTTPS://x"));
        assert!(!is_web("mailto:x@y"));
        assert_eq!(shorten("abcdef", 4), "abc…");
        assert_eq!(shorten("abc", 4), "abc");
    }
}

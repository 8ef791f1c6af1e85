use super::support;
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_model::Channel;

/// Characters a variable without a literal default is assumed to take.
const VARIABLE_LENGTH: usize = 10;

/// The GSM 03.38 basic character set (one septet each).
const GSM_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// The GSM 03.38 extension table (an escape plus a septet: two each).
const GSM_EXTENSION: &str = "\u{c}^{}\\[~]|€";

declare_rule! {
    /// ## What it does
    /// Estimates how many segments each language of an SMS template takes and flags texts
    /// longer than `[check] sms_max_segments` (default 1). Texts in the GSM-7 alphabet fit
    /// 160 characters in one segment and 153 per segment when split (`^ { } [ ] ~ | € \`
    /// count twice); a single character outside it (an emoji, a curly apostrophe `’`, `ł`)
    /// switches the whole message to UCS-2: 70 characters, 67 per segment. A variable
    /// counts as its literal `default(…)`, or as 10 characters; `{% … %}` tags are left out.
    ///
    /// ## Why is this bad?
    /// Every segment is billed: a reminder that is one character too long costs double
    /// for every contact, and some carriers deliver the parts out of order.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Template
    /// id: fitting-reminder-sms
    /// channel: sms
    /// body: >-
    ///   Acme Outdoor: your fitting in {{ contact.fitting_store | default("our store") }} is
    ///   tomorrow at 10:00. Bring the shoes you hike in and your insoles. Questions? Call
    ///   us any time. We’re looking forward to it! Reply STOP to opt out, HELP for help
    /// ```
    ///
    /// ## How to fix
    /// Shorten the text, and replace characters that force UCS-2 (`’` → `'`):
    /// ```yaml
    /// body: >-
    ///   Acme Outdoor: fitting in {{ contact.fitting_store | default("our store") }}
    ///   tomorrow 10:00. Reply STOP to opt out, HELP for help
    /// ```
    /// Or, if longer messages are intended, raise `sms_max_segments` in `[check]`.
    pub struct SmsTooLong {
        code: "FG406",
        name: "sms-too-long",
        category: Messaging,
        severity: Warning,
        summary: "an SMS text takes more segments than allowed",
    }
}

impl Rule for SmsTooLong {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        let allowed = ctx.config.sms_max_segments.max(1) as usize;
        for (asset, template) in ctx.templates() {
            if template.channel != Channel::Sms {
                continue;
            }
            for variant in support::variants(template) {
                let body = &variant.content.body;
                let text = support::estimate(&body.value.text().source, |expression| {
                    support::default_literal(expression)
                        .unwrap_or_else(|| "x".repeat(VARIABLE_LENGTH))
                });
                let size = measure(&text);
                if size.segments <= allowed {
                    continue;
                }
                let what = match variant.locale {
                    Some(locale) => {
                        format!("the `{locale}` text of SMS template `{}`", asset.id.value)
                    }
                    None => format!("SMS template `{}`", asset.id.value),
                };
                let help = match size.ucs2_because {
                    Some(c) => format!(
                        "`{c}` is not in the GSM-7 alphabet and makes the whole message UCS-2 ({} characters instead of {}): replace it, or shorten the text to {} characters",
                        limit(false, allowed),
                        limit(true, allowed),
                        limit(false, allowed)
                    ),
                    None => format!(
                        "shorten the text to {} characters, or raise `sms_max_segments` in `[check]` if longer messages are intended",
                        limit(true, allowed)
                    ),
                };
                sink.report(
                    asset,
                    body.span,
                    format!(
                        "{what} is about {} {} characters long: {} segments (at most {allowed})",
                        size.length,
                        if size.ucs2_because.is_some() {
                            "UCS-2"
                        } else {
                            "GSM-7"
                        },
                        size.segments
                    ),
                )
                .help(help);
            }
        }
    }
}

/// The size of an SMS text.
#[derive(Debug, PartialEq, Eq)]
struct Size {
    /// In septets (GSM-7) or UTF-16 code units (UCS-2).
    length: usize,
    segments: usize,
    /// The first character outside GSM-7, when the text is UCS-2.
    ucs2_because: Option<char>,
}

fn measure(text: &str) -> Size {
    let ucs2_because = text
        .chars()
        .find(|c| !GSM_BASIC.contains(*c) && !GSM_EXTENSION.contains(*c));
    let (length, single, multi) = match ucs2_because {
        Some(_) => (text.encode_utf16().count(), 70, 67),
        None => (
            text.chars()
                .map(|c| if GSM_EXTENSION.contains(c) { 2 } else { 1 })
                .sum(),
            160,
            153,
        ),
    };
    let segments = if length <= single {
        1
    } else {
        length.div_ceil(multi)
    };
    Size {
        length,
        segments,
        ucs2_because,
    }
}

/// The most characters that fit in `segments` segments.
fn limit(gsm: bool, segments: usize) -> usize {
    match (gsm, segments) {
        (true, 1) => 160,
        (true, n) => 153 * n,
        (false, 1) => 70,
        (false, n) => 67 * n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments() {
        let gsm = |n| "a".repeat(n);
        assert_eq!(measure(&gsm(160)).segments, 1);
        assert_eq!(measure(&gsm(161)).segments, 2);
        assert_eq!(measure(&gsm(306)).segments, 2);
        assert_eq!(measure(&gsm(307)).segments, 3);
        assert_eq!(measure(&format!("{}€", gsm(159))).length, 161);
        assert_eq!(measure("Grüße aus München").ucs2_because, None);
        let ucs2 = measure(&format!("{}’", gsm(70)));
        assert_eq!(
            (ucs2.length, ucs2.segments, ucs2.ucs2_because),
            (71, 2, Some('’'))
        );
        assert_eq!(measure("🏔").length, 2);
    }
}

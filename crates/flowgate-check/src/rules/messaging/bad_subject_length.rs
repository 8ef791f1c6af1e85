use super::support;
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_model::Channel;

/// Characters a variable is assumed to take in a subject.
const VARIABLE_LENGTH: usize = 10;

declare_rule! {
    /// ## What it does
    /// Flags an email template (or one of its locales) without a subject, with an empty
    /// subject, or with a subject longer than `[check] subject_max_length` characters
    /// (default 60; each `{{ … }}` counts as 10 characters, `{% … %}` tags as none).
    ///
    /// ## Why is this bad?
    /// A missing subject shows as "(no subject)" and is a strong spam signal. Mobile inboxes
    /// show about 35–60 characters: the end of a long subject — often the offer — is cut.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Template
    /// id: cart-reminder-2-free-shipping
    /// channel: email
    /// subject: "{{ contact.first_name | default('Hi') }}, your cart is waiting and ships free with express delivery for the next 48 hours"
    /// ```
    ///
    /// ## How to fix
    /// Put the point first and keep it short; move the details to `preheader`:
    /// ```yaml
    /// subject: Your cart ships free for 48 hours
    /// preheader: Express shipping on us, applied automatically
    /// ```
    pub struct BadSubjectLength {
        code: "FG407",
        name: "bad-subject-length",
        category: Messaging,
        severity: Warning,
        summary: "an email subject is missing, empty or too long",
    }
}

impl Rule for BadSubjectLength {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        let max = ctx.config.subject_max_length;
        for (asset, template) in ctx.templates() {
            if template.channel != Channel::Email {
                continue;
            }
            for variant in support::variants(template) {
                let (what, missing_at) = match (variant.locale, variant.span) {
                    (Some(locale), Some(span)) => (
                        format!(
                            "the `{locale}` variant of email template `{}`",
                            asset.id.value
                        ),
                        support::locale_key_span(ctx, asset, locale, span),
                    ),
                    _ => (
                        format!("email template `{}`", asset.id.value),
                        asset.id.span,
                    ),
                };
                let Some(subject) = &variant.content.subject else {
                    sink.report(
                        asset,
                        missing_at,
                        format!("{what} has no subject: inboxes show \"(no subject)\" and spam filters penalise it"),
                    )
                    .help("add `subject: …`, e.g. `subject: Your cart ships free for 48 hours`");
                    continue;
                };
                let text =
                    support::estimate(&subject.value.source, |_| "x".repeat(VARIABLE_LENGTH));
                let length = text.trim().chars().count();
                if length == 0 {
                    sink.report(
                        asset,
                        subject.span,
                        format!("{what} has an empty subject: inboxes show \"(no subject)\" and spam filters penalise it"),
                    )
                    .help("write the subject, e.g. `subject: Your cart ships free for 48 hours`");
                } else if length > max {
                    sink.report(
                        asset,
                        subject.span,
                        format!("the subject of {what} is about {length} characters long (at most {max})"),
                    )
                    .help(format!(
                        "shorten it to {max} characters (each `{{{{ … }}}}` counts as {VARIABLE_LENGTH}) and move details to `preheader`; mobile inboxes cut the rest"
                    ));
                }
            }
        }
    }
}

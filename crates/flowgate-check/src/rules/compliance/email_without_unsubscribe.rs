use super::support::{contents, is_marketing};
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_lang::template_links;
use flowgate_model::{Channel, TemplateText};

declare_rule! {
    /// ## What it does
    /// Flags a marketing email template whose body, in any locale, has no unsubscribe link.
    /// A body has one when it contains a link whose address contains `unsubscribe`
    /// (`href="https://acme.example/unsubscribe?c=…"`), or prints a template variable whose
    /// name contains `unsubscribe` or `preference` (`{{ unsubscribe_url }}`, or a preference
    /// centre such as `{{ preferences_url }}`). Each locale lacking it is reported at its
    /// body. Transactional templates are exempt.
    ///
    /// ## Why is this bad?
    /// Every marketing email must let the recipient opt out in one step (CAN-SPAM, GDPR,
    /// and Gmail's and Yahoo's bulk-sender rules). Without a visible link people press
    /// "report spam" instead, which hurts deliverability for every email you send. A
    /// translated body is easily rebuilt without the footer, so each locale is checked.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Template
    /// id: spring-offer
    /// channel: email
    /// subject: 20% off tents this week
    /// body: |
    ///   <p>Hi {{ contact.first_name | default("there") }}, our spring sale is on.</p>
    /// locales:
    ///   de:
    ///     subject: 20 % auf Zelte
    ///     body: <p>Hallo, unser Frühjahrssale läuft.</p>
    /// ```
    ///
    /// ## How to fix
    /// Add the unsubscribe link your sending platform provides to the footer of every locale:
    /// ```html
    /// <p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>
    /// ```
    pub struct EmailWithoutUnsubscribe {
        code: "FG204",
        name: "email-without-unsubscribe",
        category: Compliance,
        severity: Error,
        summary: "a marketing email has no unsubscribe link",
    }
}

impl Rule for EmailWithoutUnsubscribe {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, template) in ctx.templates() {
            if template.channel != Channel::Email || !is_marketing(template) {
                continue;
            }
            for (locale, content) in contents(template) {
                if has_unsubscribe(content.body.text()) {
                    continue;
                }
                let which = match locale {
                    Some(locale) => format!(" (locale `{locale}`)"),
                    None => String::new(),
                };
                sink.report(
                    asset,
                    content.body.span,
                    format!(
                        "marketing email `{}` has no unsubscribe link{which}",
                        asset.id.value
                    ),
                )
                .help("add `<a href=\"{{ unsubscribe_url }}\">Unsubscribe</a>` to the footer (or a link to your preference centre, `{{ preferences_url }}`)");
            }
        }
    }
}

/// Whether the text links to an unsubscribe page or prints an unsubscribe / preference-centre
/// variable.
fn has_unsubscribe(text: &TemplateText) -> bool {
    let variable = text.variables.iter().any(|v| {
        v.path.iter().any(|segment| {
            let segment = segment.to_ascii_lowercase();
            segment.contains("unsubscribe") || segment.contains("preference")
        })
    });
    variable
        || template_links(&text.source)
            .iter()
            .any(|(link, _)| link.to_ascii_lowercase().contains("unsubscribe"))
}

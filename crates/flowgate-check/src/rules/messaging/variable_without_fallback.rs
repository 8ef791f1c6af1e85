use super::support;
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_model::{MessageCategory, DATA_OBJECTS};

/// Objects whose data a message can rely on: an order or cart message is sent because the
/// order or cart exists, and the shop fills its fields.
const GUARANTEED: &[&str] = &["order", "cart"];

declare_rule! {
    /// ## What it does
    /// Flags a data field printed in a marketing template without a fallback: neither a
    /// `default(…)` filter nor an `{% if … %}` around it. Order and cart fields (filled by the
    /// shop for the order or cart the message is about) and transactional templates are not
    /// checked.
    ///
    /// ## Why is this bad?
    /// Marketing lists are full of contacts with gaps: imported leads without a first name,
    /// newsletter signups without a company. They get "Hi ," or "outfitting  for your team".
    ///
    /// ## Example
    /// ```yaml
    /// kind: Template
    /// id: welcome-email
    /// channel: email
    /// category: marketing
    /// body: |
    ///   <p>Hi {{ contact.first_name }},</p>
    /// ```
    ///
    /// ## How to fix
    /// Give every personalisation a fallback:
    /// ```yaml
    /// body: |
    ///   <p>Hi {{ contact.first_name | default("there") }},</p>
    ///   {% if contact.company_name %}<p>News for {{ contact.company_name }}</p>{% endif %}
    /// ```
    pub struct VariableWithoutFallback {
        code: "FG402",
        name: "variable-without-fallback",
        category: Messaging,
        severity: Warning,
        summary: "a marketing template prints a data field without a fallback",
    }
}

impl Rule for VariableWithoutFallback {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, template) in ctx.templates() {
            if template.category != MessageCategory::Marketing {
                continue;
            }
            for site in support::sites(template) {
                for variable in &site.text.variables {
                    let [root, _, ..] = variable.path.as_slice() else {
                        continue;
                    };
                    if variable.has_fallback
                        || !DATA_OBJECTS.contains(&root.as_str())
                        || GUARANTEED.contains(&root.as_str())
                    {
                        continue;
                    }
                    let path = variable.path.join(".");
                    sink.report(
                        asset,
                        variable.span,
                        format!(
                            "{} prints `{path}` without a fallback",
                            site.describe(asset)
                        ),
                    )
                    .help(format!(
                        "write `{{{{ {path} | default(\"…\") }}}}`, or print it inside `{{% if {path} %}}…{{% endif %}}`, so contacts without a value do not see a gap"
                    ));
                }
            }
        }
    }
}

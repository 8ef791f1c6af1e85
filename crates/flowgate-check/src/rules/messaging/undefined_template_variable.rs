use super::support;
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_model::{AssetSpec, DATA_OBJECTS};

declare_rule! {
    /// ## What it does
    /// Flags a template variable that is neither a data path (`contact.first_name`,
    /// `order.increment_id`, …) nor a variable the sending platform provides (the
    /// `[check] template_globals`, by default `unsubscribe_url`, `preferences_url` and
    /// `view_in_browser_url`).
    ///
    /// ## Why is this bad?
    /// Nothing fills a bare `{{ first_name }}`: every recipient reads "Hi ," — or, on
    /// platforms that fail on undefined names, the send fails for everyone.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Template
    /// id: welcome-email
    /// channel: email
    /// subject: Welcome to Acme Outdoor
    /// body: |
    ///   <p>Hi {{ first_name }},</p>
    /// ```
    ///
    /// ## How to fix
    /// Write the data path of the field, with a fallback:
    /// ```yaml
    /// body: |
    ///   <p>Hi {{ contact.first_name | default("there") }},</p>
    /// ```
    /// If the platform really provides the variable, add its name to `template_globals` in
    /// the `[check]` section of `flowgate.toml`.
    pub struct UndefinedTemplateVariable {
        code: "FG401",
        name: "undefined-template-variable",
        category: Messaging,
        severity: Error,
        summary: "a template variable is neither a data field nor a platform global",
    }
}

impl Rule for UndefinedTemplateVariable {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        let globals = &ctx.config.template_globals;
        for (asset, template) in ctx.templates() {
            for site in support::sites(template) {
                for variable in &site.text.variables {
                    let Some(root) = variable.path.first() else {
                        continue;
                    };
                    if DATA_OBJECTS.contains(&root.as_str()) || globals.contains(root) {
                        continue;
                    }
                    let help = match ctx.model.get_str(root).map(|a| &a.spec) {
                        Some(AssetSpec::Field(field)) => format!(
                            "did you mean `{}.{root}`? Data is read through its object, e.g. `{{{{ {}.{root} | default(\"…\") }}}}`",
                            field.object.as_str(),
                            field.object.as_str(),
                        ),
                        _ => {
                            let family = root.split('_').next().unwrap_or(root);
                            match globals
                                .iter()
                                .find(|g| g.split('_').next() == Some(family))
                            {
                                Some(global) => format!(
                                    "did you mean the platform variable `{global}`?"
                                ),
                                None => format!(
                                    "data is read through its object (`contact.…`, `company.…`, `order.…`); if the sending platform provides `{root}`, add it to `template_globals` in `[check]`"
                                ),
                            }
                        }
                    };
                    sink.report(
                        asset,
                        variable.span,
                        format!(
                            "{} uses `{}`, which is neither a data field nor a platform variable",
                            site.describe(asset),
                            variable.path.join(".")
                        ),
                    )
                    .help(help);
                }
            }
        }
    }
}

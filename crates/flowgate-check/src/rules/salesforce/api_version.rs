use super::support::{api_version, flow_display_name};
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};

declare_rule! {
    /// ## What it does
    /// Flags Salesforce flows whose `<apiVersion>` does not meet the version the project
    /// requires (`[check.salesforce] api_version`, default `>=49`), and flows that declare no
    /// API version at all, since nothing then shows which behaviour they were built for.
    ///
    /// ## Why is this bad?
    /// A flow runs with the behaviour of its API version. Old versions miss fixes and newer
    /// element types, and a flow last saved many releases ago behaves differently from what
    /// today's Flow Builder shows and documents (for example how record-triggered flows,
    /// formulas and null values are handled). Keeping every flow on a recent version keeps
    /// the differences small and reviewable.
    ///
    /// ## Example
    /// ```xml
    /// <Flow xmlns="http://soap.sforce.com/2006/04/metadata">
    ///     <apiVersion>45.0</apiVersion>
    ///     <label>Order Update</label>
    /// ```
    ///
    /// ## How to fix
    /// Open the flow in Flow Builder and save it as a new version (it takes the current API
    /// version), or raise `<apiVersion>`, then test it:
    /// ```xml
    ///     <apiVersion>60.0</apiVersion>
    /// ```
    pub struct ApiVersion {
        code: "FG801",
        name: "api-version",
        category: Salesforce,
        severity: Warning,
        summary: "a Salesforce flow's API version is older than required, or missing",
        peer: "APIVersion",
    }
}

impl Rule for ApiVersion {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        // The configuration was validated when it was read.
        let Ok(requirement) = ctx.config.salesforce.api_version_requirement() else {
            return;
        };
        let help = format!(
            "open the flow in Flow Builder and save it as a new version, or set `<apiVersion>` \
             to a version that meets `{requirement}`, and test it (`[check.salesforce] \
             api_version` sets the requirement)"
        );
        for (asset, _, root) in ctx.salesforce_flows() {
            let flow = flow_display_name(ctx, asset);
            let Some(version) = api_version(root) else {
                sink.report(
                    asset,
                    root.name.span,
                    format!(
                        "flow `{flow}` declares no API version, so nothing shows it meets \
                         `{requirement}`"
                    ),
                )
                .help(help.clone());
                continue;
            };
            let written = version.text.value.trim();
            match version.value {
                Some(number) if requirement.allows(number) => {}
                Some(_) => {
                    sink.report(
                        asset,
                        version.text.span,
                        format!(
                            "flow `{flow}` uses API version {written}, which does not meet \
                             `{requirement}`"
                        ),
                    )
                    .help(help.clone());
                }
                None => {
                    sink.report(
                        asset,
                        version.text.span,
                        format!(
                            "flow `{flow}` has an API version `{written}` that is not a number"
                        ),
                    )
                    .help(help.clone());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::rules::salesforce::support::testing::{flow_xml, run};
    use crate::{parse_check_config, CheckConfig};

    fn messages(body: &str, config: &CheckConfig) -> Vec<String> {
        let text = flow_xml(body);
        run(
            &ApiVersion,
            &[("Order_Update.flow-meta.xml", &text)],
            config,
        )
        .into_iter()
        .map(|f| f.message)
        .collect()
    }

    #[test]
    fn the_default_requires_49_and_a_declared_number() {
        let config = CheckConfig::default();
        assert!(messages("<apiVersion>49.0</apiVersion>", &config).is_empty());
        assert_eq!(
            messages("<apiVersion>48.0</apiVersion>", &config),
            ["flow `Order_Update` uses API version 48.0, which does not meet `>=49`"]
        );
        assert_eq!(
            messages("<label>Order Update</label>", &config),
            ["flow `Order_Update` declares no API version, so nothing shows it meets `>=49`"]
        );
        assert_eq!(
            messages("<apiVersion>v60</apiVersion>", &config),
            ["flow `Order_Update` has an API version `v60` that is not a number"]
        );
    }

    #[test]
    fn the_requirement_is_configurable() {
        let config = parse_check_config(
            "[check.salesforce]\napi_version = \"==60\"\n",
            "flowgate.toml",
        )
        .unwrap();
        assert!(messages("<apiVersion>60.0</apiVersion>", &config).is_empty());
        assert_eq!(messages("<apiVersion>61.0</apiVersion>", &config).len(), 1);
    }
}

use super::support::flow_api_name;
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use regex::Regex;

declare_rule! {
    /// ## What it does
    /// Flags Salesforce flows whose API name (the file name before `.flow-meta.xml`) does not
    /// match `[check.salesforce] flow_name_pattern` in full. The default,
    /// `[A-Za-z0-9]+(_[A-Za-z0-9]+)+`, wants words joined by underscores, starting with a
    /// domain: `Service_Order_Fulfillment`.
    ///
    /// Legacy versioned files (`Service_Order_Fulfillment-2.flow-meta.xml`, as metadata
    /// retrieved before API 44 names them) carry the version number after a `-`; it is not
    /// part of the API name and is not checked.
    ///
    /// Unlike Lightning Flow Scanner, which looks for its pattern anywhere in the name, the
    /// pattern describes the whole name. On valid API names (letters, digits and single
    /// underscores) the default accepts exactly the names Lightning Flow Scanner's default
    /// `[A-Za-z0-9]+_[A-Za-z0-9]+` accepts.
    ///
    /// ## Why is this bad?
    /// Setup lists hundreds of flows by API name. A convention that puts the domain first
    /// keeps related flows together, makes them searchable, and tells at a glance which
    /// team's automation fires on a record; names such as `NewFlow2` or `createReservation`
    /// say neither.
    ///
    /// ## Example
    /// ```xml
    /// <!-- force-app/main/default/flows/createReservation.flow-meta.xml -->
    /// <Flow xmlns="http://soap.sforce.com/2006/04/metadata">
    ///     <label>Create Reservation</label>
    /// ```
    ///
    /// ## How to fix
    /// Rename the flow (a new flow with the new API name, then retire the old one; or rename
    /// it before its first deployment): `Reservations_Create_Reservation.flow-meta.xml`.
    pub struct FlowName {
        code: "FG805",
        name: "flow-name",
        category: Salesforce,
        severity: Error,
        summary: "a Salesforce flow's API name does not follow the naming convention",
        peer: "FlowName",
    }
}

impl Rule for FlowName {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        let pattern = &ctx.config.salesforce.flow_name_pattern;
        // The configuration was validated when it was read.
        let Ok(full) = Regex::new(&format!("^(?:{pattern})$")) else {
            return;
        };
        for (asset, _, root) in ctx.salesforce_flows() {
            let Some(name) = flow_api_name(ctx, asset) else {
                continue;
            };
            if full.is_match(&name) {
                continue;
            }
            sink.report(
                asset,
                root.name.span,
                format!(
                    "the API name of flow `{name}` does not match the naming convention \
                     `{pattern}`"
                ),
            )
            .help(format!(
                "rename the flow file and API name to match `{pattern}`, for instance a \
                 domain and what the flow does: `Service_Order_Fulfillment` \
                 (`[check.salesforce] flow_name_pattern` sets the convention)"
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::rules::salesforce::support::testing::{flow_xml, run};
    use crate::{parse_check_config, CheckConfig};

    fn flagged(file: &str, config: &CheckConfig) -> bool {
        let text = flow_xml("<apiVersion>60.0</apiVersion>");
        !run(&FlowName, &[(file, &text)], config).is_empty()
    }

    #[test]
    fn the_pattern_must_match_the_whole_api_name() {
        let config = CheckConfig::default();
        assert!(!flagged(
            "flows/Service_Order_Fulfillment.flow-meta.xml",
            &config
        ));
        assert!(flagged("flows/createReservation.flow-meta.xml", &config));
        assert!(flagged("flows/Order__Update.flow-meta.xml", &config));
        assert!(flagged("flows/Order_Update_.flow-meta.xml", &config));
        // Legacy versioned files: the API name is the part before `-<version>`.
        assert!(!flagged("flows/Order_Update-2.flow-meta.xml", &config));
        assert!(flagged("flows/OrderUpdate-2.flow-meta.xml", &config));
        assert!(flagged("flows/Order_Update-v2.flow-meta.xml", &config));
        let config = parse_check_config(
            "[check.salesforce]\nflow_name_pattern = \"Sales_[A-Za-z]+\"\n",
            "flowgate.toml",
        )
        .unwrap();
        assert!(!flagged("Sales_Intake.flow-meta.xml", &config));
        // Found inside the name, but the name does not match as a whole.
        assert!(flagged("Old_Sales_Intake.flow-meta.xml", &config));
        assert!(flagged("Sales_Intake2.flow-meta.xml", &config));
    }
}

use super::support::{elements, flow_display_name};
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use regex::Regex;
use std::sync::LazyLock;

/// The API name Flow Builder gives a pasted copy: `Copy_1_of_Send_Email`.
static COPY_NAME: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?i)Copy_[0-9]+_of_[A-Za-z0-9]").ok());

declare_rule! {
    /// ## What it does
    /// Flags Salesforce flow elements whose API name still contains the name Flow Builder
    /// gives a pasted copy, `Copy_<n>_of_<original>` (any case).
    ///
    /// ## Why is this bad?
    /// The name says nothing about what the copy does, and it looks like the original: in
    /// the canvas, in fault emails and in debug logs nobody can tell `Send_Email` from
    /// `Copy_1_of_Send_Email`. Usually the copy was changed and the name was forgotten.
    ///
    /// ## Example
    /// ```xml
    /// <screens>
    ///     <name>Copy_1_of_Confirm_Order</name>
    ///     <label>Confirm Cancellation</label>
    /// ```
    ///
    /// ## How to fix
    /// Rename the element to say what it does (Flow Builder updates the references):
    /// ```xml
    ///     <name>Confirm_Cancellation</name>
    /// ```
    pub struct CopyApiName {
        code: "FG803",
        name: "copy-api-name",
        category: Salesforce,
        severity: Warning,
        summary: "a Salesforce flow element keeps the API name of a pasted copy",
        peer: "CopyAPIName",
    }
}

impl Rule for CopyApiName {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        let Some(pattern) = COPY_NAME.as_ref() else {
            return;
        };
        for (asset, flow, root) in ctx.salesforce_flows() {
            for element in elements(flow, root) {
                if element.is_start() || !pattern.is_match(element.name()) {
                    continue;
                }
                let name = element.name();
                let label = element
                    .model
                    .label
                    .as_deref()
                    .map(|label| format!(" (\"{label}\")"))
                    .unwrap_or_default();
                sink.report(
                    asset,
                    element.name_span(),
                    format!(
                        "element `{name}`{label} of flow `{}` keeps the API name Flow Builder \
                         gave the copy",
                        flow_display_name(ctx, asset)
                    ),
                )
                .help(format!(
                    "rename `{name}` to say what it does; Flow Builder updates the connectors \
                     and references"
                ))
                .element(name);
            }
        }
    }
}

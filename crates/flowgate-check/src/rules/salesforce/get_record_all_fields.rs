use super::support::{elements, flow_display_name};
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};

declare_rule! {
    /// ## What it does
    /// Flags Get Records elements (`recordLookups`) that store every field of the records
    /// automatically: `storeOutputAutomatically` is true and no `queriedFields` are chosen.
    ///
    /// ## Why is this bad?
    /// The query reads every field of the object, including the large text fields and the
    /// ones the running user should not need. It is slower, uses more heap and governor
    /// limits as the object grows, and hands the flow (and whatever it passes the records
    /// to) more data than it uses, against the principle of least privilege.
    ///
    /// ## Example
    /// ```xml
    /// <recordLookups>
    ///     <name>Get_Account</name>
    ///     <object>Account</object>
    ///     <getFirstRecordOnly>true</getFirstRecordOnly>
    ///     <storeOutputAutomatically>true</storeOutputAutomatically>
    /// </recordLookups>
    /// ```
    ///
    /// ## How to fix
    /// Choose the fields the flow uses ("Choose fields and let Salesforce do the rest"):
    /// ```xml
    ///     <queriedFields>Id</queriedFields>
    ///     <queriedFields>OwnerId</queriedFields>
    ///     <storeOutputAutomatically>true</storeOutputAutomatically>
    /// ```
    pub struct GetRecordAllFields {
        code: "FG806",
        name: "get-record-all-fields",
        category: Salesforce,
        severity: Warning,
        summary: "a Salesforce Get Records element stores all fields of the records",
        peer: "GetRecordAllFields",
    }
}

impl Rule for GetRecordAllFields {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, flow, root) in ctx.salesforce_flows() {
            for element in elements(flow, root) {
                if element.tag() != "recordLookups"
                    || !element.flag("storeOutputAutomatically")
                    || element.xml.child("queriedFields").is_some()
                {
                    continue;
                }
                let name = element.name();
                let object = element
                    .child_text("object")
                    .map(|object| format!(" of the `{}` records", object.value.trim()))
                    .unwrap_or_default();
                sink.report(
                    asset,
                    element.name_span(),
                    format!(
                        "Get Records `{name}` of flow `{}` stores all fields{object} \
                         automatically",
                        flow_display_name(ctx, asset)
                    ),
                )
                .help(format!(
                    "in `{name}`, choose the fields the flow uses (\"Choose fields and let \
                     Salesforce do the rest\" writes them as `<queriedFields>`)"
                ))
                .element(name);
            }
        }
    }
}

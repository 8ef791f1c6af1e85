use super::support::integrations;
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_model::HookType;

declare_rule! {
    /// ## What it does
    /// Lists integrations worth rebuilding before (or with) the next upgrade, each with its
    /// reason: a deprecated API still called, direct database access, or a re-implementation
    /// of something the platform now does natively.
    ///
    /// ## Why is this bad?
    /// Each is upgrade work waiting to happen: deprecated APIs get removed, table layouts
    /// change, and a custom copy of a native feature drifts from the real one.
    ///
    /// ## Example
    /// ```yaml
    /// hook: direct_database
    /// duplicates_native: Magento REST bulk price API (POST /V1/products/base-prices)
    /// deprecated_apis:
    ///   - api: DHL Business Customer Shipping SOAP API 3.x
    ///     replacement: DHL Parcel DE Shipping REST API v2
    /// ```
    ///
    /// ## How to fix
    /// Plan the rebuild; the finding goes away when the API, hook or duplicate is gone.
    pub struct IntegrationRefactorCandidate {
        code: "FG515",
        name: "integration-refactor-candidate",
        category: Integrations,
        severity: Info,
        summary: "an integration is a refactor candidate (deprecated API, direct database, duplicated native feature)",
    }
}

impl Rule for IntegrationRefactorCandidate {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, integration) in integrations(ctx) {
            let id = &asset.id.value;
            for api in &integration.deprecated_apis {
                let mut message = format!(
                    "refactor candidate `{id}`: calls the deprecated {}",
                    api.api.value
                );
                if let Some(removed) = &api.removed_in {
                    message.push_str(&format!(" (removed in {removed})"));
                }
                sink.report(asset, api.api.span, message)
                    .help(match &api.replacement {
                        Some(r) => format!("move to {r}"),
                        None => "record its `replacement:` and plan the move".to_owned(),
                    });
            }
            if integration.hook.value == HookType::DirectDatabase {
                sink.report(
                    asset,
                    integration.hook.span,
                    format!("refactor candidate `{id}`: accesses the database directly, which breaks when table layouts change"),
                )
                .help("rebuild it on the platform's API");
            }
            if let Some(native) = &integration.duplicates_native {
                sink.report(
                    asset,
                    native.span,
                    format!("refactor candidate `{id}`: re-implements {}", native.value),
                )
                .help(
                    "replace the custom code with the native feature and retire this integration",
                );
            }
        }
    }
}

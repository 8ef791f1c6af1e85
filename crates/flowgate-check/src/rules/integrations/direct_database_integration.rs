use super::support::integrations;
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_model::HookType;

declare_rule! {
    /// ## What it does
    /// Flags an integration that reads or writes the shop's database tables directly
    /// (`hook: direct_database`).
    ///
    /// ## Why is this bad?
    /// Table layouts are not an API: Magento changes them in minor releases, and a direct
    /// write skips validation, plugins, events, indexers and caches. After an upgrade such a
    /// job fails, or worse, keeps writing into columns that no longer mean what it thinks.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Integration
    /// id: legacy-price-db-job
    /// hook: direct_database
    /// ```
    ///
    /// ## How to fix
    /// Move it to the platform's API (REST bulk endpoints, async bulk API or a message
    /// queue), or at least mark it `lifecycle: deprecated` with a plan.
    pub struct DirectDatabaseIntegration {
        code: "FG508",
        name: "direct-database-integration",
        category: Integrations,
        severity: Warning,
        summary: "an integration accesses a system's database directly",
    }
}

impl Rule for DirectDatabaseIntegration {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, integration) in integrations(ctx) {
            if integration.hook.value != HookType::DirectDatabase {
                continue;
            }
            sink.report(
                asset,
                integration.hook.span,
                format!(
                    "integration `{}` reaches into the database tables of `{}` instead of its API",
                    asset.id.value,
                    if integration.direction.value == flowgate_model::Direction::Outbound {
                        integration.source.as_str()
                    } else {
                        integration.target.as_str()
                    }
                ),
            )
            .help("use the platform's API (REST, async bulk, message queue) so that upgrades, validation and indexers keep working");
        }
    }
}

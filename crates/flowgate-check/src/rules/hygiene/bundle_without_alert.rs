use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_model::{AssetKind, AssetSpec};

declare_rule! {
    /// ## What it does
    /// Flags bundles without an `alert`.
    ///
    /// ## Why is this bad?
    /// A bundle's alert is where flowgate announces what goes wrong with its release: a
    /// failed promotion, a rollback, drift between the platform and the approved snapshot.
    /// Without one, those messages reach nobody, and the first to notice a broken release
    /// is a customer.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Bundle
    /// id: lead-intake
    /// members: [contact-form, welcome-series]
    /// ```
    ///
    /// ## How to fix
    /// Route alerts to the channel or address of the team that owns the bundle:
    /// ```yaml
    /// alert: slack:#marketing-ops-alerts
    /// ```
    pub struct BundleWithoutAlert {
        code: "FG605",
        name: "bundle-without-alert",
        category: Hygiene,
        severity: Warning,
        summary: "a bundle has no alert route",
    }
}

impl Rule for BundleWithoutAlert {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for asset in ctx.model.of_kind(AssetKind::Bundle) {
            let AssetSpec::Bundle(bundle) = &asset.spec else {
                continue;
            };
            if bundle
                .alert
                .as_deref()
                .is_some_and(|a| !a.trim().is_empty())
            {
                continue;
            }
            sink.report(
                asset,
                asset.id.span,
                format!("bundle `{}` has no alert", asset.id.value),
            )
            .help("add `alert: slack:#<channel>` or `alert: email:<address>` for the team that owns the release");
        }
    }
}

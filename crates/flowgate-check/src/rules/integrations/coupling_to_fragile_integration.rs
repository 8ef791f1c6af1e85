use super::support::integrations;
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_model::{AssetSpec, Lifecycle};

declare_rule! {
    /// ## What it does
    /// Flags an integration that `depends_on` an integration that is deprecated or has no
    /// owner.
    ///
    /// ## Why is this bad?
    /// A deprecated flow is going away, and an unowned one breaks without anyone to fix it:
    /// whatever depends on it inherits that fate without its owners knowing.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Integration
    /// id: margin-report
    /// depends_on: [legacy-price-db-job]   # lifecycle: deprecated
    /// ```
    ///
    /// ## How to fix
    /// Depend on the replacement, or give the dependency an owner and a plan (and record it
    /// as active).
    pub struct CouplingToFragileIntegration {
        code: "FG514",
        name: "coupling-to-fragile-integration",
        category: Integrations,
        severity: Warning,
        summary: "an integration depends on a deprecated or unowned integration",
    }
}

impl Rule for CouplingToFragileIntegration {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, integration) in integrations(ctx) {
            for dependency in &integration.depends_on {
                let Some(target) = ctx.model.get(&dependency.value) else {
                    continue;
                };
                let AssetSpec::Integration(other) = &target.spec else {
                    continue;
                };
                let mut why = Vec::new();
                if other.lifecycle.value == Lifecycle::Deprecated {
                    why.push("deprecated");
                }
                if target.owner.as_deref().is_none_or(|o| o.trim().is_empty()) {
                    why.push("has no owner");
                }
                if why.is_empty() {
                    continue;
                }
                sink.report(
                    asset,
                    dependency.span,
                    format!(
                        "integration `{}` depends on `{}`, which is {}",
                        asset.id.value,
                        dependency.as_str(),
                        why.join(" and ")
                    ),
                )
                .related(target, target.id.span, format!("`{}` is declared here", dependency.as_str()))
                .help("depend on its replacement, or give it an owner and a plan before relying on it");
            }
        }
    }
}

use super::support::integrations;
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};

declare_rule! {
    /// ## What it does
    /// Flags an event-driven integration (event observer, plugin, message queue, webhook)
    /// whose `trigger.timing` is missing: what the flow assumes about the data at the moment
    /// it runs.
    ///
    /// ## Why is this bad?
    /// Events fire at moments that change between releases: an observer on
    /// `sales_order_save_after` sees an order before its invoice exists, a plugin may run
    /// inside a transaction that is later rolled back. "The order is final when
    /// state = processing" is the kind of sentence that decides whether an upgrade exports
    /// half-paid orders to the ERP.
    ///
    /// ## Example
    /// ```yaml
    /// hook: event_observer
    /// trigger:
    ///   event: sales_order_save_after
    /// ```
    ///
    /// ## How to fix
    /// ```yaml
    /// trigger:
    ///   event: sales_order_save_after
    ///   timing: The order is final when state = processing; pending_payment orders are not exported.
    /// ```
    pub struct UndocumentedTimingAssumption {
        code: "FG510",
        name: "undocumented-timing-assumption",
        category: Integrations,
        severity: Warning,
        summary: "an event-driven integration does not document its timing assumption",
    }
}

impl Rule for UndocumentedTimingAssumption {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, integration) in integrations(ctx) {
            if !integration.hook.value.is_event_driven() {
                continue;
            }
            let span = match &integration.trigger {
                Some(trigger) if trigger.timing.is_some() => continue,
                Some(trigger) => trigger.event.span,
                None => integration.hook.span,
            };
            sink.report(
                asset,
                span,
                format!(
                    "integration `{}` is triggered by an event ({} hook) but does not say what it assumes about the data at that moment",
                    asset.id.value,
                    integration.hook.value
                ),
            )
            .help("add `trigger: { event: …, timing: … }`, e.g. `timing: the order is final when state = processing`");
        }
    }
}

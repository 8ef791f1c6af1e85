use super::support::integrations;
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_model::{HookType, RecordFailure};

declare_rule! {
    /// ## What it does
    /// Flags a message-queue integration without a dead letter.
    ///
    /// ## Why is this bad?
    /// A consumer that cannot process a message either drops it (the record is lost) or
    /// requeues it forever (a poison message blocks the queue, and every message behind it
    /// waits). A dead-letter queue parks the message so the rest flows and it can be
    /// replayed once fixed.
    ///
    /// ## Example
    /// ```yaml
    /// hook: message_queue
    /// errors:
    ///   retries: { max: 5 }
    ///   alert: slack:#logistics-alerts
    /// ```
    ///
    /// ## How to fix
    /// ```yaml
    /// errors:
    ///   dead_letter: rabbitmq:acme.wms.stock.dlq
    ///   on_record_failure: dead_letter
    /// ```
    pub struct QueueConsumerWithoutDeadLetter {
        code: "FG512",
        name: "queue-consumer-without-dead-letter",
        category: Integrations,
        severity: Warning,
        summary: "a message-queue integration has no dead letter",
    }
}

impl Rule for QueueConsumerWithoutDeadLetter {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, integration) in integrations(ctx) {
            if integration.hook.value != HookType::MessageQueue {
                continue;
            }
            let parked = integration.errors.as_ref().is_some_and(|e| {
                e.value.dead_letter.is_some()
                    && e.value
                        .on_record_failure
                        .as_ref()
                        .is_none_or(|r| r.value != RecordFailure::Skip)
            });
            if parked {
                continue;
            }
            let span = integration
                .errors
                .as_ref()
                .map(|e| e.span)
                .unwrap_or(integration.hook.span);
            sink.report(
                asset,
                span,
                format!(
                    "queue consumer `{}` has no dead letter: a message it cannot process is lost or blocks the queue",
                    asset.id.value
                ),
            )
            .help(format!(
                "add `errors: {{ dead_letter: <broker>:{}.dlq, on_record_failure: dead_letter }}`",
                asset.id.value
            ));
        }
    }
}

use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_model::AssetSpec;

declare_rule! {
    /// ## What it does
    /// Flags a webhook without an `alert`: where failures are announced.
    ///
    /// ## Why is this bad?
    /// An expired token fails every call, quietly, until someone in sales asks why no new
    /// leads arrived this week.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Webhook
    /// id: review-invite
    /// endpoint: https://api.reviews.example/v1/invitations
    /// dead_letter: queue:review-invite-dlq
    /// ```
    ///
    /// ## How to fix
    /// Name a channel someone watches:
    /// ```yaml
    /// alert: slack:#ecommerce-alerts
    /// ```
    pub struct WebhookWithoutAlert {
        code: "FG506",
        name: "webhook-without-alert",
        category: Integrations,
        severity: Warning,
        summary: "a webhook announces its failures nowhere",
    }
}

impl Rule for WebhookWithoutAlert {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for asset in ctx.model.assets() {
            let AssetSpec::Webhook(webhook) = &asset.spec else {
                continue;
            };
            if webhook
                .alert
                .as_deref()
                .is_some_and(|a| !a.trim().is_empty())
            {
                continue;
            }
            sink.report(
                asset,
                asset.id.span,
                format!("webhook `{}` has no alert route", asset.id.value),
            )
            .help(
                "add `alert: slack:#ops-alerts` (or `email:ops@…`) so failing calls reach someone",
            );
        }
    }
}

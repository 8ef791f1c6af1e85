use super::support::sends;
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};

declare_rule! {
    /// ## What it does
    /// Flags a workflow with a `send_sms` step but no `settings.quiet_hours`. The finding
    /// points at the first SMS step.
    ///
    /// ## Why is this bad?
    /// Without quiet hours a text goes out the moment a contact reaches the step: a wait that
    /// ends at 02:00, or a trigger fired by a nightly import, wakes people up. Texting at night
    /// is a top source of complaints and opt-outs, and several jurisdictions (US state
    /// telemarketing laws, for example) forbid it outright.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Workflow
    /// id: appointment-reminder
    /// triggers: [{ type: field_changed, field: appointment_status, to: booked }]
    /// settings:
    ///   suppression: [global-suppression]
    /// steps:
    ///   - { id: text-reminder, type: send_sms, template: reminder-sms }
    /// ```
    ///
    /// ## How to fix
    /// Add quiet hours in each contact's own time zone; texts due inside the window wait
    /// until it ends:
    /// ```yaml
    /// settings:
    ///   quiet_hours: { start: "21:00", end: "08:00", time_zone: contact }
    /// ```
    pub struct SmsWithoutQuietHours {
        code: "FG202",
        name: "sms-without-quiet-hours",
        category: Compliance,
        severity: Error,
        summary: "a workflow sends SMS without quiet hours",
    }
}

impl Rule for SmsWithoutQuietHours {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, workflow) in ctx.workflows() {
            if workflow.settings.quiet_hours.is_some() {
                continue;
            }
            let Some(first) = sends(workflow).find(|s| s.sms) else {
                continue;
            };
            sink.report(
                asset,
                first.step.id.span,
                format!(
                    "workflow `{}` sends SMS without quiet hours (first SMS: `{}`)",
                    asset.id.value, first.step.id.value
                ),
            )
            .help("add `quiet_hours: { start: \"21:00\", end: \"08:00\", time_zone: contact }` under `settings`");
        }
    }
}

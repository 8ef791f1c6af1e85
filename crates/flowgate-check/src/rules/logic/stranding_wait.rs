use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_model::StepAction;

declare_rule! {
    /// ## What it does
    /// Flags two kinds of `wait` step that leave contacts stuck:
    ///
    /// * a wait `until_field` without a `timeout`, in a workflow that has neither a goal with
    ///   `exit: true` nor an `exit_when` condition;
    /// * a wait without `next`: the contact waits, and then the path just ends.
    ///
    /// ## Why is this bad?
    /// A wait until a date field only ends when that date arrives. Contacts whose field is
    /// empty, or already in the past when they reach the step, can wait forever: they stay
    /// "active" in the workflow, are never re-enrolled, inflate the audience counts and may
    /// get a stale message months later when someone fills in the field. Nothing takes them
    /// out unless a goal or exit condition does.
    ///
    /// A wait that leads nowhere does nothing useful: whatever was meant to happen after it
    /// (the reminder, the follow-up) was forgotten.
    ///
    /// ## Example
    /// ```yaml
    /// - id: wait-for-reminder
    ///   type: wait
    ///   until_field: fitting_reminder_at
    ///   next: send-reminder
    /// ```
    ///
    /// ## How to fix
    /// Give the wait a `timeout` and handle what comes after it, or add an exit condition to
    /// the workflow:
    /// ```yaml
    /// - id: wait-for-reminder
    ///   type: wait
    ///   until_field: fitting_reminder_at
    ///   timeout: 60d
    ///   next: check-booking
    /// ```
    /// For a wait without `next`, add the step that should follow it, or remove the wait.
    pub struct StrandingWait {
        code: "FG104",
        name: "stranding-wait",
        category: Logic,
        severity: Warning,
        summary: "a wait that can hold contacts forever, or that leads nowhere",
    }
}

impl Rule for StrandingWait {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, workflow) in ctx.workflows() {
            let settings = &workflow.settings;
            let can_exit =
                settings.exit_when.is_some() || settings.goal.as_ref().is_some_and(|g| g.exit);
            for step in &workflow.steps {
                let StepAction::Wait {
                    until_field,
                    timeout,
                    next,
                    ..
                } = &step.action
                else {
                    continue;
                };
                if let (Some(field), None, false) = (until_field, timeout, can_exit) {
                    sink.report(
                        asset,
                        step.id.span,
                        format!(
                            "wait `{}` waits until `{}` without a timeout: contacts whose `{}` is empty or already past wait forever",
                            step.id.value, field.value, field.value
                        ),
                    )
                    .related(asset, field.span, "the date the wait depends on")
                    .help("add `timeout: <duration>` (e.g. `timeout: 30d`) to the wait, or give the workflow an `exit_when` condition or a goal with `exit: true`");
                }
                if next.is_none() {
                    sink.report(
                        asset,
                        step.id.span,
                        format!(
                            "wait `{}` waits and then does nothing: it has no `next` step",
                            step.id.value
                        ),
                    )
                    .help("add `next: <step id>` with what should happen after the wait, or remove the wait");
                }
            }
        }
    }
}

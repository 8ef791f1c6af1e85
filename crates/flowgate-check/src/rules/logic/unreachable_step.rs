use crate::{declare_rule, reachable_steps, CheckContext, Rule, RuleMeta, Sink};

declare_rule! {
    /// ## What it does
    /// Flags workflow steps that no path from the start step leads to: no `next`, branch arm,
    /// `default`, split path or `on_error` points at them (directly or through other steps).
    ///
    /// ## Why is this bad?
    /// Nobody ever gets there. The reminder email you reviewed, the owner assignment you
    /// expected or the CRM sync you rely on simply never happens, and the workflow still
    /// looks complete in review. It usually means a `next:` was changed and the old step left
    /// behind, or a new step was added without linking it.
    ///
    /// ## Example
    /// ```yaml
    /// steps:
    ///   - id: send-welcome
    ///     type: send_email
    ///     template: welcome-email
    ///     next: done
    ///   - id: send-gear-guide        # nothing leads here
    ///     type: send_email
    ///     template: welcome-gear-guide
    ///     next: done
    ///   - id: done
    ///     type: exit
    /// ```
    ///
    /// ## How to fix
    /// Link the step from the step before it, or delete it if it is left over:
    /// ```yaml
    ///   - id: send-welcome
    ///     type: send_email
    ///     template: welcome-email
    ///     next: send-gear-guide
    /// ```
    pub struct UnreachableStep {
        code: "FG102",
        name: "unreachable-step",
        category: Logic,
        severity: Warning,
        summary: "a workflow step that no path from the start reaches",
    }
}

impl Rule for UnreachableStep {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, workflow) in ctx.workflows() {
            let reachable = reachable_steps(workflow);
            let start = workflow.start_step();
            for step in &workflow.steps {
                if reachable.contains(&step.id.value) {
                    continue;
                }
                let from = start.map_or_else(String::new, |s| format!(" `{s}`"));
                sink.report(
                    asset,
                    step.id.span,
                    format!(
                        "step `{}` of workflow `{}` is never reached: no path from the start step{from} leads to it",
                        step.id.value, asset.id.value
                    ),
                )
                .help(format!(
                    "point a `next`, branch arm, `default` or split path at `{}`, or delete the step if it is left over",
                    step.id.value
                ));
            }
        }
    }
}

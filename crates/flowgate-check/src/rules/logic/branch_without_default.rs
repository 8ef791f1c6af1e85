use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_model::StepAction;

declare_rule! {
    /// ## What it does
    /// Flags a `branch` step without a `default` path.
    ///
    /// ## Why is this bad?
    /// Contacts that match none of the conditions silently leave the workflow: a lead
    /// whose country is not in any routing arm is never assigned, and nobody notices
    /// until the pipeline report looks thin.
    ///
    /// ## Example
    /// ```yaml
    /// - id: route
    ///   type: branch
    ///   branches:
    ///     - { condition: contact.country == "DE", next: assign-dach }
    /// ```
    ///
    /// ## How to fix
    /// Add `default: <step id>`, even if it only notifies someone or exits explicitly:
    /// ```yaml
    ///   default: assign-rest-of-world
    /// ```
    pub struct BranchWithoutDefault {
        code: "FG103",
        name: "branch-without-default",
        category: Logic,
        severity: Warning,
        summary: "a branch step has no default path for contacts matching no arm",
    }
}

impl Rule for BranchWithoutDefault {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, workflow) in ctx.workflows() {
            for step in &workflow.steps {
                if let StepAction::Branch { default: None, .. } = &step.action {
                    sink.report(
                        asset,
                        step.id.span,
                        format!("branch `{}` has no default path", step.id.value),
                    )
                    .help("add `default: <step id>` so contacts matching no condition go somewhere on purpose");
                }
            }
        }
    }
}

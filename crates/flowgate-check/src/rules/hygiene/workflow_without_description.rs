use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};

declare_rule! {
    /// ## What it does
    /// Flags workflows without a `description`.
    ///
    /// ## Why is this bad?
    /// The steps say what a workflow does, not why or for whom. Reviewers of a change, the
    /// person on call and whoever inherits the program need the intent in one sentence:
    /// who enters, what it is meant to achieve, when it ends. Without it, "can we switch this
    /// off?" becomes an investigation.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Workflow
    /// id: abandoned-cart
    /// name: Abandoned cart recovery
    /// owner: ecommerce
    /// ```
    ///
    /// ## How to fix
    /// Describe who enters, what it does and when it stops:
    /// ```yaml
    /// description: Two reminders for carts left without checkout; stops as soon as an order is placed.
    /// ```
    pub struct WorkflowWithoutDescription {
        code: "FG604",
        name: "workflow-without-description",
        category: Hygiene,
        severity: Info,
        summary: "a workflow has no description",
    }
}

impl Rule for WorkflowWithoutDescription {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, _) in ctx.workflows() {
            if asset
                .description
                .as_deref()
                .is_some_and(|d| !d.trim().is_empty())
            {
                continue;
            }
            sink.report(
                asset,
                asset.id.span,
                format!("workflow `{}` has no description", asset.id.value),
            )
            .help("add `description:` saying who enters the workflow, what it is for and when contacts leave it");
        }
    }
}

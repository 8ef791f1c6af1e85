use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};

declare_rule! {
    /// ## What it does
    /// Flags workflows without an `owner`.
    ///
    /// ## Why is this bad?
    /// When a workflow misbehaves in production (a loop, a send to the wrong list, a failing
    /// CRM sync) someone has to be paged, and someone has to approve its changes. Without an
    /// owner, alerts go nowhere and reviews are rubber-stamped; after a reorganisation nobody
    /// knows whether the workflow can be switched off.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Workflow
    /// id: welcome-series
    /// name: Welcome series
    /// triggers: [{ type: form_submitted, form: newsletter-signup }]
    /// ```
    ///
    /// ## How to fix
    /// Name the team (or person) responsible:
    /// ```yaml
    /// owner: marketing-ops
    /// ```
    pub struct WorkflowWithoutOwner {
        code: "FG603",
        name: "workflow-without-owner",
        category: Hygiene,
        severity: Warning,
        summary: "a workflow has no owner",
    }
}

impl Rule for WorkflowWithoutOwner {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, _) in ctx.workflows() {
            if asset.owner.as_deref().is_some_and(|o| !o.trim().is_empty()) {
                continue;
            }
            sink.report(
                asset,
                asset.id.span,
                format!("workflow `{}` has no owner", asset.id.value),
            )
            .help("add `owner: <team or person>` naming who is paged when it fails and who approves its changes");
        }
    }
}

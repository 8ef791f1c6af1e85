use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_model::StepAction;

declare_rule! {
    /// ## What it does
    /// Flags `split` steps whose path percentages do not add up to 100.
    ///
    /// ## Why is this bad?
    /// A split sends shares of contacts down different paths, usually for an A/B test. When
    /// the shares add up to less than 100 it is undefined what happens to the rest (platforms
    /// differ: some drop them, some rescale); when they add up to more, the test is not the
    /// test you planned, and the results you read afterwards compare the wrong groups.
    ///
    /// ## Example
    /// ```yaml
    /// - id: offer-test
    ///   type: split
    ///   paths:
    ///     - { name: Team catalog, percent: 50, next: send-offer-catalog }
    ///     - { name: Sizing day, percent: 40, next: send-offer-sizing-day }
    /// ```
    ///
    /// ## How to fix
    /// Make the shares add up to exactly 100, adding a control path if part of the audience
    /// should get nothing:
    /// ```yaml
    ///   paths:
    ///     - { name: Team catalog, percent: 45, next: send-offer-catalog }
    ///     - { name: Sizing day, percent: 45, next: send-offer-sizing-day }
    ///     - { name: Control, percent: 10, next: done }
    /// ```
    pub struct SplitNot100 {
        code: "FG105",
        name: "split-not-100",
        category: Logic,
        severity: Error,
        summary: "split percentages that do not add up to 100",
    }
}

impl Rule for SplitNot100 {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, workflow) in ctx.workflows() {
            for step in &workflow.steps {
                let StepAction::Split { paths } = &step.action else {
                    continue;
                };
                let sum: u32 = paths.iter().map(|p| u32::from(p.percent.value)).sum();
                if sum == 100 {
                    continue;
                }
                let shares = if paths.is_empty() {
                    String::new()
                } else {
                    let parts: Vec<String> = paths
                        .iter()
                        .map(|p| format!("{}%", p.percent.value))
                        .collect();
                    format!(" ({})", parts.join(" + "))
                };
                let outcome = if sum < 100 {
                    format!("{}% of contacts have no path", 100 - sum)
                } else {
                    format!("{}% too many are assigned", sum - 100)
                };
                sink.report(
                    asset,
                    step.id.span,
                    format!(
                        "split `{}` sends {sum}% of contacts down its paths{shares}: {outcome}",
                        step.id.value
                    ),
                )
                .help("change the `percent` values so they add up to exactly 100 (add a control path for contacts who should get nothing)");
            }
        }
    }
}

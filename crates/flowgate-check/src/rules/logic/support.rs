//! Helpers shared by the logic rules: the conditions written in assets, and positions inside
//! them.

use crate::CheckContext;
use flowgate_diagnostics::Span;
use flowgate_model::{Asset, AssetSpec, Expression, Located, StepAction};

/// One condition written in an asset.
pub(crate) struct ConditionSite<'a> {
    /// The asset it is written in.
    pub(crate) asset: &'a Asset,
    /// The condition.
    pub(crate) condition: &'a Located<Expression>,
    /// What it is, for messages: "the enrollment filter of workflow `x`".
    pub(crate) what: String,
}

/// Every condition of the workspace, in model order: enrollment filters, goals, `exit_when`,
/// branch arms, dynamic-list filters and scoring-rule conditions.
pub(crate) fn condition_sites<'a>(ctx: &CheckContext<'a>) -> Vec<ConditionSite<'a>> {
    let mut out = Vec::new();
    for asset in ctx.model.assets() {
        let id = &asset.id.value;
        match &asset.spec {
            AssetSpec::Workflow(workflow) => {
                if let Some(filter) = &workflow.enrollment.filter {
                    out.push(ConditionSite {
                        asset,
                        condition: filter,
                        what: format!("the enrollment filter of workflow `{id}`"),
                    });
                }
                if let Some(goal) = &workflow.settings.goal {
                    out.push(ConditionSite {
                        asset,
                        condition: &goal.condition,
                        what: format!("the goal of workflow `{id}`"),
                    });
                }
                if let Some(exit) = &workflow.settings.exit_when {
                    out.push(ConditionSite {
                        asset,
                        condition: exit,
                        what: format!("the `exit_when` condition of workflow `{id}`"),
                    });
                }
                for step in &workflow.steps {
                    if let StepAction::Branch { branches, .. } = &step.action {
                        for (index, arm) in branches.iter().enumerate() {
                            let arm_name = arm.name.as_deref().map_or_else(
                                || format!("arm {}", index + 1),
                                |n| format!("arm `{n}`"),
                            );
                            out.push(ConditionSite {
                                asset,
                                condition: &arm.condition,
                                what: format!(
                                    "the condition of {arm_name} of branch `{}` in workflow `{id}`",
                                    step.id.value
                                ),
                            });
                        }
                    }
                }
            }
            AssetSpec::List(list) => {
                if let Some(filter) = &list.filter {
                    out.push(ConditionSite {
                        asset,
                        condition: filter,
                        what: format!("the filter of list `{id}`"),
                    });
                }
            }
            AssetSpec::ScoringRule(rule) => out.push(ConditionSite {
                asset,
                condition: &rule.condition,
                what: format!("the condition of scoring rule `{id}`"),
            }),
            _ => {}
        }
    }
    out
}

/// Map a span relative to a condition's text to a span in the asset's file. The condition may
/// be quoted, or a block scalar whose indentation YAML removed: each line of the text is found,
/// in order, inside what was written. Falls back to the whole condition.
pub(crate) fn condition_span(
    ctx: &CheckContext<'_>,
    asset: &Asset,
    condition: &Located<Expression>,
    relative: Span,
) -> Span {
    ctx.source(asset).map_or(condition.span, |source| {
        flowgate_load::value_span(source.text(), condition.span, &condition.source, relative)
    })
}

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
    let outer = condition.span;
    let Some(written) = ctx
        .source(asset)
        .and_then(|s| s.text().get(outer.start as usize..outer.end as usize))
    else {
        return outer;
    };
    let text = &condition.source;
    let map = |offset: u32| -> Option<u32> {
        let offset = offset as usize;
        let mut search_from = 0;
        let mut line_start = 0;
        for line in text.split_inclusive('\n') {
            let content = line.trim_end_matches(['\n', '\r']);
            let found = if content.is_empty() {
                search_from
            } else {
                search_from + written.get(search_from..)?.find(content)?
            };
            if offset <= line_start + content.len() {
                let absolute = outer.start as usize + found + (offset - line_start);
                return u32::try_from(absolute).ok();
            }
            search_from = found + content.len();
            line_start += line.len();
        }
        None
    };
    match (map(relative.start), map(relative.end)) {
        (Some(start), Some(end)) if start <= end => Span { start, end },
        (Some(start), _) => Span { start, end: start },
        _ => outer,
    }
}

use super::support::{condition_sites, condition_span};
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_diagnostics::suggest::did_you_mean;
use flowgate_lang::{condition_logic, CelLiteral, CompareOp, Comparison};
use flowgate_model::{AssetSpec, Field, FieldType};

declare_rule! {
    /// ## What it does
    /// Flags conditions, or parts of them, that can never be true: enrollment filters, goals,
    /// `exit_when`, branch arms, dynamic-list filters and scoring-rule conditions that
    ///
    /// * are the constant `false`, or require it with `&&`;
    /// * join comparisons of the same field with `&&` that no value satisfies together:
    ///   `contact.stage == "lead" && contact.stage == "mql"`, `contact.score > 60 &&
    ///   contact.score < 40`, `contact.country == "DE" && contact.country != "DE"`;
    /// * compare an `enum` field with a value that is not one of its options
    ///   (`contact.lifecycle_stage == "leed"`);
    /// * compare a `bool` field with text or a number (`contact.vip == "true"`), or a
    ///   `number` field with text (`contact.team_size == "50"`).
    ///
    /// ## Why is this bad?
    /// Nothing tells you a condition never matches: the workflow enrolls nobody, the branch
    /// arm is never taken, the goal is never reached, the segment stays empty. A typo in an
    /// option value or quotes around `true` are enough, and the first symptom is a report
    /// weeks later showing zero conversions.
    ///
    /// ## Example
    /// ```yaml
    /// enrollment:
    ///   filter: contact.lifecycle_stage == "leed" && contact.lead_score >= 60
    /// ```
    ///
    /// ## How to fix
    /// Compare with one of the field's options, and with values of the field's type; use
    /// `||` or `in` where one of several values should match:
    /// ```yaml
    /// enrollment:
    ///   filter: contact.lifecycle_stage in ["lead", "mql"] && contact.lead_score >= 60
    /// ```
    pub struct ConditionNeverTrue {
        code: "FG106",
        name: "condition-never-true",
        category: Logic,
        severity: Error,
        summary: "a condition, or part of one, that can never be true",
    }
}

impl Rule for ConditionNeverTrue {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for site in condition_sites(ctx) {
            let logic = condition_logic(&site.condition.source);
            let locate = |span| condition_span(ctx, site.asset, site.condition, span);
            for contradiction in &logic.contradictions {
                let message = if contradiction.whole {
                    format!("{} is never true: {}", site.what, contradiction.message)
                } else {
                    format!(
                        "part of {} is never true: {}",
                        site.what, contradiction.message
                    )
                };
                let finding = sink.report(site.asset, locate(contradiction.span), message);
                if let Some(other) = contradiction.other {
                    finding.related(site.asset, locate(other), "conflicts with this comparison");
                }
                finding.help(if contradiction.other.is_some() {
                    "keep the comparison you mean, or use `||` or `in [...]` if either value should match"
                } else {
                    "remove the constant `false`, or remove the condition if it was switched off on purpose"
                });
            }
            for comparison in &logic.comparisons {
                let Some(problem) = never_matches(ctx, comparison) else {
                    continue;
                };
                sink.report(
                    site.asset,
                    locate(comparison.value_span),
                    format!(
                        "{} compares `{}` with a value it never has: {}",
                        site.what,
                        comparison.path_text(),
                        problem.reason
                    ),
                )
                .help(problem.help);
            }
        }
    }
}

struct Problem {
    reason: String,
    help: String,
}

/// Why a comparison (`==` or `in`) can never match the field it reads, if it cannot.
fn never_matches(ctx: &CheckContext<'_>, comparison: &Comparison) -> Option<Problem> {
    if !matches!(comparison.op, CompareOp::Eq | CompareOp::In) || comparison.path.len() != 1 {
        return None;
    }
    let field_use = comparison.field_use()?;
    let asset = ctx.model.field_for(&field_use)?;
    let AssetSpec::Field(field) = &asset.spec else {
        return None;
    };
    let values: Vec<&CelLiteral> = match &comparison.value {
        CelLiteral::List(items) if comparison.op == CompareOp::In => items.iter().collect(),
        value if comparison.op == CompareOp::Eq => vec![value],
        _ => return None,
    };
    let id = &asset.id.value;
    match field.field_type? {
        FieldType::Enum => unknown_options(field, id.as_str(), &values),
        FieldType::Bool => {
            let wrong = values
                .iter()
                .find(|v| matches!(v, CelLiteral::String(_)) || v.is_number())?;
            Some(Problem {
                reason: format!("`{id}` is a bool field, and {wrong} is {}", kind(wrong)),
                help: "compare with `true` or `false`, without quotes (or write just the field, or `!` before it)".into(),
            })
        }
        FieldType::Number => {
            let wrong = values.iter().find(|v| matches!(v, CelLiteral::String(_)))?;
            Some(Problem {
                reason: format!("`{id}` is a number field, and {wrong} is text"),
                help: "write the number without quotes".into(),
            })
        }
        _ => None,
    }
}

fn kind(value: &CelLiteral) -> &'static str {
    match value {
        CelLiteral::String(_) => "text",
        _ => "a number",
    }
}

fn unknown_options(field: &Field, id: &str, values: &[&CelLiteral]) -> Option<Problem> {
    if field.options.is_empty() {
        return None;
    }
    let options: Vec<&str> = field.options.iter().map(|o| o.value.as_str()).collect();
    let unknown: Vec<&str> = values
        .iter()
        .filter_map(|v| match v {
            CelLiteral::String(s) if !options.contains(&s.as_str()) => Some(s.as_str()),
            _ => None,
        })
        .collect();
    let first = unknown.first()?;
    let listed = unknown
        .iter()
        .map(|u| format!("`{u}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let verb = if unknown.len() == 1 { "is" } else { "are" };
    let help = match did_you_mean(first, options.iter().copied()) {
        Some(suggestion) => format!("did you mean `{suggestion}`?"),
        None => format!(
            "use one of the options of `{id}`: {}",
            options
                .iter()
                .map(|o| format!("`{o}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    Some(Problem {
        reason: format!("{listed} {verb} not an option of the enum field `{id}`"),
        help,
    })
}

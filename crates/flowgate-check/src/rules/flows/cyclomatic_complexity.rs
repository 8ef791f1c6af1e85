use super::support::flow_noun;
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_diagnostics::Span;
use flowgate_model::flow::{ConnectionKind, Dialect, Element, ElementKind, Flow};
use std::collections::HashSet;

declare_rule! {
    /// ## What it does
    /// Computes a flow's cyclomatic complexity, as Lightning Flow Scanner does: 1, plus the
    /// outcomes of every decision (each rule of a Salesforce decision and its default
    /// outcome; the outputs of an n8n IF or Switch or a Node-RED `switch`, at least two),
    /// plus the loops. It flags the flow when the total is above `max_complexity` of
    /// `[check.flows]` (25 unless configured):
    ///
    /// ```toml
    /// [check.flows]
    /// max_complexity = 40
    /// ```
    ///
    /// ## Why is this bad?
    /// Every outcome doubles the paths someone has to think through when changing the flow,
    /// and the paths a test has to cover. Past a few dozen, nobody can say what the flow
    /// does for a given record any more, changes break paths nobody looked at, and the
    /// canvas no longer fits a screen.
    ///
    /// ## Example
    /// A record-triggered flow whose one decision routes a case by 30 products, each outcome
    /// with its own assignment and update: complexity 1 + 31 = 32.
    /// ```xml
    /// <decisions>
    ///     <name>Route_By_Product</name>
    ///     <rules><name>Hiking_Boots</name>…</rules>
    ///     <rules><name>Tents</name>…</rules>
    ///     <!-- 28 more rules -->
    /// </decisions>
    /// ```
    ///
    /// ## How to fix
    /// Move groups of outcomes into subflows (n8n: sub-workflows called with Execute
    /// Workflow; Node-RED: subflows or link calls), replace outcome-per-value decisions with
    /// a lookup (custom metadata, a collection filter), or split a record-triggered flow
    /// into several flows ordered with trigger order.
    pub struct CyclomaticComplexity {
        code: "FG709",
        name: "cyclomatic-complexity",
        category: Flows,
        severity: Info,
        summary: "a flow has more decision outcomes and loops than the configured limit",
        peer: "CyclomaticComplexity",
    }
}

impl Rule for CyclomaticComplexity {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        let limit = ctx.config.flows.max_complexity;
        for (asset, flow) in ctx.flows() {
            let mut outcomes = 0u32;
            let mut loops = 0u32;
            for element in &flow.elements {
                match element.kind {
                    ElementKind::Decision => outcomes += decision_outcomes(flow, element),
                    ElementKind::Loop => loops += 1,
                    _ => {}
                }
            }
            let complexity = 1 + outcomes + loops;
            if complexity <= limit {
                continue;
            }
            let span = match flow.document.xml() {
                Some(root) => root.name.span,
                None => flow.document.json().map_or(asset.id.span, |root| {
                    let start = root.span.start as usize;
                    Span::new(start, start + 1)
                }),
            };
            let help = match flow.dialect {
                Dialect::Salesforce => {
                    "move groups of outcomes into subflows, replace outcome-per-value decisions \
                     with a lookup, or split a record-triggered flow into flows ordered by \
                     trigger order"
                }
                Dialect::N8n => {
                    "move branches into sub-workflows (Execute Workflow), or replace \
                     value-by-value Switch outputs with a lookup"
                }
                Dialect::NodeRed => {
                    "move branches into subflows or link-call groups, or replace value-by-value \
                     switch rules with a lookup"
                }
            };
            sink.report(
                asset,
                span,
                format!(
                    "{} `{}` has a cyclomatic complexity of {complexity} (1 + {outcomes} decision \
                     outcome{} + {loops} loop{}), above the limit of {limit}",
                    flow_noun(flow),
                    asset.id.value,
                    if outcomes == 1 { "" } else { "s" },
                    if loops == 1 { "" } else { "s" },
                ),
            )
            .help(help);
        }
    }
}

/// How many ways out of a decision there are: for Salesforce its rules and the default
/// outcome (as written, connected or not); elsewhere its connected outcomes and output
/// ports, at least two.
fn decision_outcomes(flow: &Flow, element: &Element) -> u32 {
    if flow.dialect == Dialect::Salesforce {
        if let Some(xml) = flow
            .document
            .xml()
            .and_then(|root| root.children.iter().find(|c| c.span == element.span))
        {
            let rules = xml.children_named("rules").count();
            return u32::try_from(rules + 1).unwrap_or(u32::MAX);
        }
    }
    let branches: HashSet<&ConnectionKind> = element
        .connections
        .iter()
        .map(|c| &c.kind)
        .filter(|k| !matches!(k, ConnectionKind::Fault | ConnectionKind::Auxiliary(_)))
        .collect();
    u32::try_from(branches.len().max(2)).unwrap_or(u32::MAX)
}

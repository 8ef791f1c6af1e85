use crate::analysis::reentry::{Entry, Event, Hop, Kind, Loop, Reentry};
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_lang::CelLiteral;
use flowgate_model::{Asset, Duration, Reenrollment, Step, StepAction, Workflow};

declare_rule! {
    /// ## What it does
    /// Flags workflows whose own steps cause an event that starts them again, directly or
    /// through a chain of other workflows:
    ///
    /// * `add_tag` / `remove_tag` start workflows triggered by `tag_added` / `tag_removed`;
    /// * `add_to_list` / `remove_from_list` start `list_joined` / `list_left` workflows;
    /// * `set_field` and `adjust_score` start `field_changed` workflows (a `to:` value that
    ///   differs from the value set does not match), and can make the contact join or leave
    ///   dynamic lists whose filter reads the field;
    /// * `enroll` starts the named workflow directly.
    ///
    /// A loop only counts when every workflow on it lets contacts enter again
    /// (`reenroll: always` or `after <duration>`), and when no enrollment filter or list filter
    /// on the way is made false by a value the loop itself sets (a step that sets
    /// `lifecycle_stage` to `mql` cannot re-enter a workflow that requires `"lead"`).
    ///
    /// ## Why is this bad?
    /// A loop re-runs every step on it for the same contact: duplicate emails and SMS, scores
    /// that climb without limit, owners re-assigned, CRM calls repeated. With
    /// `reenroll: always` it runs as fast as the platform processes events, until someone
    /// notices the send volume; with `after <duration>` it repeats at that interval forever.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Workflow
    /// id: vip-onboarding
    /// triggers: [{ type: tag_added, tag: vip }]
    /// enrollment: { reenroll: always }
    /// steps:
    ///   - id: refresh-vip
    ///     type: remove_tag
    ///     tag: vip
    ///     next: re-add-vip
    ///   - id: re-add-vip          # tag_added vip starts vip-onboarding again
    ///     type: add_tag
    ///     tag: vip
    /// ```
    ///
    /// ## How to fix
    /// Break the loop: let contacts enter one of the workflows only once
    /// (`reenroll: never`), or give it an enrollment filter that the loop's own steps make
    /// false, e.g. require a stage the loop moves contacts out of:
    /// ```yaml
    /// enrollment:
    ///   filter: contact.lifecycle_stage == "lead"
    ///   reenroll: always
    /// ```
    pub struct TriggerLoop {
        code: "FG101",
        name: "trigger-loop",
        category: Logic,
        severity: Error,
        summary: "workflows whose own steps trigger them again, directly or through others",
    }
}

impl Rule for TriggerLoop {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        let analysis = Reentry::analyse(ctx);
        for found in analysis.loops() {
            report_loop(&analysis, &found, sink);
        }
    }
}

/// The most workflows a loop's path lists in full.
const MAX_PATH_SHOWN: usize = 10;

/// A hop's workflow and step.
fn step_of<'a>(analysis: &Reentry<'a>, hop: &Hop) -> Option<(&'a Asset, &'a Workflow, &'a Step)> {
    let (asset, workflow) = analysis.workflow(hop.workflow)?;
    Some((asset, workflow, workflow.steps.get(hop.step)?))
}

/// Report a loop on its first workflow's first step on the loop.
fn report_loop(analysis: &Reentry<'_>, found: &Loop, sink: &mut Sink) {
    let hops = &found.hops[..];
    let Some((first, _, first_step)) = hops.first().and_then(|hop| step_of(analysis, hop)) else {
        return;
    };
    let first_id = &first.id.value;
    let Some(path) = loop_path(analysis, hops, first_id.as_str()) else {
        return;
    };
    // The longest re-enrollment interval on the loop, if any is not immediate.
    let period: Option<Duration> = hops
        .iter()
        .filter_map(
            |hop| match analysis.workflow(hop.workflow)?.1.enrollment.reenroll.value {
                Reenrollment::After(d) => Some(d),
                _ => None,
            },
        )
        .max();
    let more = if found.members > hops.len() {
        format!(
            " ({} more workflows take part in loops with it)",
            found.members - hops.len()
        )
    } else {
        String::new()
    };
    let message = match period {
        None => format!("workflow `{first_id}` re-triggers itself: {path}{more}"),
        Some(d) => format!(
            "workflow `{first_id}` re-triggers itself as often as re-enrollment allows (every {d}): {path}{more}"
        ),
    };
    let finding = sink.report(first, first_step.id.span, message);
    let shown = hops.len().saturating_sub(MAX_PATH_SHOWN).max(1);
    for (i, hop) in hops.iter().enumerate().skip(shown) {
        if let Some((asset, _, step)) = step_of(analysis, hop) {
            let what = format!(
                "step `{}` {}",
                step.id.value,
                effect(analysis, step, hop.event)
            );
            let note = if i + 1 == hops.len() {
                format!("closes the loop: {what}")
            } else {
                what
            };
            finding.related(asset, step.id.span, note);
        }
    }
    finding.help(match period {
        None => "break the loop: set `reenroll: never` on one of these workflows, or give one an enrollment filter that the loop's own steps make false",
        Some(_) => "if repeating at that interval is intended, add an exception with the reason under [[check.exceptions]]; otherwise set `reenroll: never` on one of these workflows, or give one an enrollment filter that the loop's own steps make false",
    });
}

/// The loop as `a (step …) → b (triggered by …; step …) → a`; very long loops show their
/// start and end only. `None` when a hop's step is missing.
fn loop_path(analysis: &Reentry<'_>, hops: &[Hop], first_id: &str) -> Option<String> {
    let mut parts = Vec::with_capacity(hops.len() + 1);
    for (i, hop) in hops.iter().enumerate() {
        let (asset, _, step) = step_of(analysis, hop)?;
        let what = format!(
            "step `{}` {}",
            step.id.value,
            effect(analysis, step, hop.event)
        );
        let entered = i
            .checked_sub(1)
            .and_then(|p| hops.get(p))
            .map(|previous| format!("{}; ", describe_entry(analysis, previous.entry)))
            .unwrap_or_default();
        parts.push(format!("{} ({entered}{what})", asset.id.value));
    }
    // Very long loops: the start and the end of the path are enough to find it.
    if parts.len() > MAX_PATH_SHOWN {
        let hidden = parts.len() - MAX_PATH_SHOWN + 1;
        let tail = parts.split_off(parts.len() - MAX_PATH_SHOWN / 2);
        parts.truncate(MAX_PATH_SHOWN / 2 - 1);
        parts.push(format!("… {hidden} more workflows …"));
        parts.extend(tail);
    }
    parts.push(first_id.to_owned());
    Some(parts.join(" → "))
}

/// How a workflow is entered, in words.
fn describe_entry(analysis: &Reentry<'_>, entry: Entry) -> String {
    match entry {
        Entry::Enrolled => "enrolled".to_owned(),
        Entry::Trigger(kind, asset, to) => {
            let to = to
                .and_then(|t| analysis.value(t))
                .map_or_else(String::new, |v| format!(" to `{}`", plain(v)));
            format!(
                "triggered by {} `{}`{to}",
                kind.trigger_name(),
                analysis.asset_id(asset)
            )
        }
    }
}

/// What a step does, as it matters for the loop.
fn effect(analysis: &Reentry<'_>, step: &Step, event: Event) -> String {
    let base = match &step.action {
        StepAction::AddTag { tag, .. } => format!("adds tag `{}`", tag.value),
        StepAction::RemoveTag { tag, .. } => format!("removes tag `{}`", tag.value),
        StepAction::AddToList { list, .. } => format!("adds to list `{}`", list.value),
        StepAction::RemoveFromList { list, .. } => {
            format!("removes from list `{}`", list.value)
        }
        StepAction::SetField { field, value, .. } => format!(
            "sets `{}` to `{}`",
            field.value,
            plain(&CelLiteral::from_literal(&value.value))
        ),
        StepAction::AdjustScore { field, by, .. } => {
            format!("adjusts `{}` by {by}", field.value)
        }
        StepAction::Enroll { workflow, .. } => format!("enrolls in `{}`", workflow.value),
        other => other.type_name().to_owned(),
    };
    match event {
        Event::Channel {
            kind: Kind::ListJoined,
            asset,
            via: Some(_),
            ..
        } => format!(
            "{base}, which can make the contact join `{}`",
            analysis.asset_id(asset)
        ),
        Event::Channel {
            kind: Kind::ListLeft,
            asset,
            via: Some(_),
            ..
        } => format!(
            "{base}, which can make the contact leave `{}`",
            analysis.asset_id(asset)
        ),
        _ => base,
    }
}

/// A value as written in a YAML file: text without quotes.
fn plain(value: &CelLiteral) -> String {
    match value {
        CelLiteral::String(text) => text.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use crate::{check, CheckConfig, CheckOptions};
    use std::path::Path;

    /// The FG101 messages for a set of YAML documents.
    fn loops(yaml: &str) -> Vec<String> {
        let loaded = flowgate_load::load_texts(
            Path::new("."),
            &[("assets.yaml".to_owned(), yaml.to_owned())],
        );
        assert!(!loaded.has_errors(), "{:#?}", loaded.diagnostics);
        let config = CheckConfig {
            select: vec!["FG101".into()],
            ..CheckConfig::default()
        };
        check(
            &loaded.model,
            &loaded.sources,
            &config,
            &CheckOptions::default(),
        )
        .diagnostics
        .into_iter()
        .map(|d| d.message)
        .collect()
    }

    const TAGS: &str = "kind: Tag\nid: t1\n---\nkind: Tag\nid: t2\n---\nkind: Tag\nid: t3\n---\n";

    fn workflow(id: &str, trigger: &str, reenroll: &str, steps: &str) -> String {
        format!(
            "kind: Workflow\nid: {id}\ntriggers: [{trigger}]\nenrollment: {{ reenroll: {reenroll} }}\nsteps:\n{steps}---\n"
        )
    }

    fn add_tag(id: &str, tag: &str, next: Option<&str>) -> String {
        let next = next.map_or_else(String::new, |n| format!("    next: {n}\n"));
        format!("  - id: {id}\n    type: add_tag\n    tag: {tag}\n{next}")
    }

    #[test]
    fn one_finding_per_group_of_loops_on_the_first_workflow() {
        // a → b → a and b → c → b: one strongly connected group.
        let yaml = [
            TAGS.to_owned(),
            workflow(
                "c",
                "{ type: tag_added, tag: t3 }",
                "always",
                &add_tag("to-b", "t2", None),
            ),
            workflow(
                "a",
                "{ type: tag_added, tag: t1 }",
                "always",
                &add_tag("to-b", "t2", None),
            ),
            workflow(
                "b",
                "{ type: tag_added, tag: t2 }",
                "always",
                &format!(
                    "  - id: drop-t1\n    type: remove_tag\n    tag: t1\n    next: to-a\n{}{}",
                    add_tag("to-a", "t1", Some("to-c")),
                    add_tag("to-c", "t3", None)
                ),
            ),
        ]
        .concat();
        let found = loops(&yaml);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with("workflow `a` re-triggers itself: a (step `to-b` adds tag `t2`) → b (triggered by tag_added `t2`; step `to-a` adds tag `t1`) → a"), "{}", found[0]);
        assert!(
            found[0].contains("(1 more workflows take part"),
            "{}",
            found[0]
        );
    }

    #[test]
    fn a_workflow_entered_once_ends_the_loop() {
        let yaml = [
            TAGS.to_owned(),
            workflow(
                "a",
                "{ type: tag_added, tag: t1 }",
                "never",
                &add_tag("to-b", "t2", None),
            ),
            workflow(
                "b",
                "{ type: tag_added, tag: t2 }",
                "always",
                "  - id: back\n    type: enroll\n    workflow: a\n",
            ),
        ]
        .concat();
        assert!(loops(&yaml).is_empty());
    }

    #[test]
    fn values_set_earlier_in_the_workflow_make_the_filter_false() {
        let yaml = [
            TAGS.to_owned(),
            "kind: Field\nid: stage\ntype: enum\noptions: [lead, customer]\n---\n".to_owned(),
            workflow(
                "a",
                "{ type: tag_added, tag: t1 }",
                "always",
                "  - id: won\n    type: set_field\n    field: stage\n    value: customer\n    next: hand-over\n  - id: hand-over\n    type: enroll\n    workflow: b\n",
            ),
            "kind: Workflow\nid: b\ntriggers: [{ type: contact_created }]\nenrollment:\n  filter: contact.stage == \"lead\"\n  reenroll: always\nsteps:\n  - id: retag\n    type: remove_tag\n    tag: t1\n    next: add\n  - id: add\n    type: add_tag\n    tag: t1\n---\n".to_owned(),
        ]
        .concat();
        assert!(loops(&yaml).is_empty(), "{:?}", loops(&yaml));
        // Without the filter, the loop is real.
        let unfiltered = yaml.replace("  filter: contact.stage == \"lead\"\n", "");
        assert_eq!(loops(&unfiltered).len(), 1);
    }

    #[test]
    fn a_filter_made_false_prunes_only_its_own_workflow() {
        let yaml = [
            TAGS.to_owned(),
            "kind: Field\nid: stage\ntype: enum\noptions: [lead, customer]\n---\n".to_owned(),
            workflow(
                "a",
                "{ type: tag_added, tag: t2 }",
                "always",
                &format!(
                    "  - id: won\n    type: set_field\n    field: stage\n    value: customer\n    next: tag\n{}",
                    add_tag("tag", "t1", None)
                ),
            ),
            "kind: Workflow\nid: b\ntriggers: [{ type: tag_added, tag: t1 }]\nenrollment:\n  filter: contact.stage == \"lead\"\n  reenroll: always\nsteps:\n  - id: back\n    type: add_tag\n    tag: t2\n---\n".to_owned(),
            workflow(
                "c",
                "{ type: tag_added, tag: t1 }",
                "always",
                "  - id: tell\n    type: notify\n    to: [\"slack:#x\"]\n    message: hi\n",
            ),
        ]
        .concat();
        assert!(loops(&yaml).is_empty(), "{:?}", loops(&yaml));
        let unfiltered = yaml.replace("  filter: contact.stage == \"lead\"\n", "");
        let found = loops(&unfiltered);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].contains("a (step `tag` adds tag `t1`) → b (triggered by tag_added `t1`; step `back` adds tag `t2`) → a"),
            "{}",
            found[0]
        );
    }

    #[test]
    fn field_changed_to_the_value_set_loops() {
        let yaml = [
            "kind: Field\nid: status\ntype: string\n---\n".to_owned(),
            workflow(
                "toggle",
                "{ type: field_changed, field: status, to: active }",
                "always",
                "  - id: pause\n    type: set_field\n    field: status\n    value: paused\n    next: resume\n  - id: resume\n    type: set_field\n    field: status\n    value: active\n",
            ),
        ]
        .concat();
        let found = loops(&yaml);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].contains("step `resume` sets `status` to `active`"),
            "{}",
            found[0]
        );
    }

    #[test]
    fn many_workflows_are_fast_enough() {
        let mut yaml = String::new();
        for i in 0..2000 {
            yaml.push_str(&format!("kind: Tag\nid: t{i}\n---\n"));
        }
        for i in 0..2000 {
            let next = (i + 1) % 2000;
            yaml.push_str(&workflow(
                &format!("w{i:05}"),
                &format!("{{ type: tag_added, tag: t{i} }}"),
                "always",
                &add_tag("next", &format!("t{next}"), None),
            ));
        }
        let started = std::time::Instant::now();
        // One loop through all of them.
        let found = loops(&yaml);
        assert_eq!(found.len(), 1);
        assert!(found[0].starts_with(
            "workflow `w00000` re-triggers itself: w00000 (step `next` adds tag `t1`) → w00001"
        ));
        assert!(
            found[0].contains(" → … 1991 more workflows … → w01995 ("),
            "{}",
            found[0]
        );
        assert!(
            found[0].ends_with("step `next` adds tag `t0`) → w00000"),
            "{}",
            found[0]
        );
        // Generous: debug build, loading included.
        assert!(started.elapsed().as_secs() < 20);
    }
}

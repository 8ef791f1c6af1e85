use super::support::{as_send, contents, sent_template, upper_words};
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_model::{Step, StepId, Workflow};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Opt-out keywords accepted as STOP wording (whole words, any case): English, German and
/// Scandinavian, French.
const STOP_WORDS: &[&str] = &["STOP", "STOPP", "ARRET", "ARRÊT"];
/// Help keywords accepted as HELP wording (whole words, any case): English, German, French,
/// Spanish.
const HELP_WORDS: &[&str] = &["HELP", "HILFE", "AIDE", "AYUDA"];

declare_rule! {
    /// ## What it does
    /// For each workflow, finds the first SMS a contact can receive on every path from the
    /// start (a `send_sms` step reached without passing another one) and flags it when its
    /// template, in any locale, lacks STOP or HELP wording. Wording counts when the text
    /// contains the keyword as a whole word in any case: `STOP`, `STOPP`, `ARRET`/`ARRÊT` for
    /// opting out; `HELP`, `HILFE`, `AIDE`, `AYUDA` for help. This applies to transactional
    /// texts too: carriers require it for the first message of every program.
    ///
    /// ## Why is this bad?
    /// US carriers (CTIA guidelines) and most SMS gateways require the first message of a
    /// program to tell people how to opt out and get help. Programs without it get filtered or
    /// suspended, and contacts who cannot find the opt-out complain to their carrier instead.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Template
    /// id: booking-confirmation-sms
    /// channel: sms
    /// category: transactional
    /// body: "Acme: your fitting is booked for {{ contact.fitting_at | default('tomorrow') }}."
    /// ```
    /// sent by the first `send_sms` step of a workflow.
    ///
    /// ## How to fix
    /// End the first text of the program with the keywords, in every locale:
    /// ```yaml
    /// body: "Acme: your fitting is booked. Reply STOP to opt out, HELP for help."
    /// locales:
    ///   de:
    ///     body: "Acme: dein Termin ist gebucht. Antworte STOPP zum Abmelden, HILFE für Hilfe."
    /// ```
    pub struct SmsWithoutStopHelp {
        code: "FG205",
        name: "sms-without-stop-help",
        category: Compliance,
        severity: Error,
        summary: "the first SMS of a workflow has no STOP and HELP wording",
    }
}

impl Rule for SmsWithoutStopHelp {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, workflow) in ctx.workflows() {
            for step in first_sms_steps(workflow) {
                let Some(send) = as_send(step) else {
                    continue;
                };
                let Some((template_asset, template)) = sent_template(ctx, &send) else {
                    continue;
                };
                let mut lacking = Vec::new();
                for (locale, content) in contents(template) {
                    let words: BTreeSet<String> =
                        upper_words(&content.body.text().source).collect();
                    let stop = STOP_WORDS.iter().any(|w| words.contains(*w));
                    let help = HELP_WORDS.iter().any(|w| words.contains(*w));
                    let missing = match (stop, help) {
                        (true, true) => continue,
                        (false, true) => "STOP",
                        (true, false) => "HELP",
                        (false, false) => "STOP and HELP",
                    };
                    let locale = locale
                        .map_or_else(|| "default locale".to_owned(), |l| format!("locale `{l}`"));
                    lacking.push(format!("{missing} ({locale})"));
                }
                if lacking.is_empty() {
                    continue;
                }
                sink.report(
                    asset,
                    step.id.span,
                    format!(
                        "the first SMS of workflow `{}` sends `{}`, whose text lacks {}",
                        asset.id.value,
                        template_asset.id.value,
                        lacking.join("; ")
                    ),
                )
                .help(format!(
                    "end the text of `{}` with \"Reply STOP to opt out, HELP for help.\" (German: \"Antworte STOPP zum Abmelden, HILFE für Hilfe.\")",
                    template_asset.id.value
                ))
                .related(template_asset, template_asset.id.span, "the template is declared here");
            }
        }
    }
}

/// The `send_sms` steps reachable from the start without passing another `send_sms` step,
/// in breadth-first order (edges in the order they are written).
fn first_sms_steps(workflow: &Workflow) -> Vec<&Step> {
    let mut by_id: BTreeMap<&StepId, &Step> = BTreeMap::new();
    for step in &workflow.steps {
        by_id.entry(&step.id.value).or_insert(step);
    }
    let mut firsts = Vec::new();
    let mut seen: BTreeSet<&StepId> = BTreeSet::new();
    let mut queue: VecDeque<&StepId> = workflow.start_step().into_iter().collect();
    while let Some(id) = queue.pop_front() {
        if !seen.insert(id) {
            continue;
        }
        let Some(&step) = by_id.get(id) else {
            continue;
        };
        if as_send(step).is_some_and(|s| s.sms) {
            firsts.push(step);
            continue;
        }
        for (_, next) in step.action.edges() {
            queue.push_back(&next.value);
        }
    }
    firsts
}

//! A synthetic workspace with one large bundle of mixed kinds, for release benchmarks.
//!
//! `bundle_workspace(assets, seed)` writes groups of ten assets, one file each and about 1 KB
//! per file: two contact fields, a tag, a static list, an email template, a webhook, a form, a
//! scoring rule and two workflows. The assets of a group reference each other and the
//! neighbouring groups (a workflow enrolls contacts into the next group's workflow, forms
//! capture fields of the previous group), and every sending workflow honours one consent and
//! one suppression list. The bundle `bench` takes every kind.

use super::Rng;
use std::fmt::Write as _;

/// The bundle a [`bundle_workspace`] declares.
pub const BUNDLE: &str = "bench";

/// `flowgate.toml` of a [`bundle_workspace`]: the synthetic workspace with one person,
/// `bench`, who may freeze releases.
pub const BUNDLE_CONFIG: &str = "[workspace]\nname = \"synthetic\"\nassets = [\"assets/**/*.yaml\"]\n\n[people.bench]\nname = \"Bench Person\"\nemail = \"bench@acme.example\"\nroles = [\"builder\"]\n";

/// Assets per group.
const GROUP: usize = 10;

/// Text that pads descriptions to a realistic length.
const PROSE: &str = "Maintained by marketing operations; reviewed every quarter with compliance and the sales team, who own the wording, the audience and the timing of every message it affects.";

/// Files (path relative to the root, text) of a workspace whose bundle [`BUNDLE`] holds
/// about `assets` assets (rounded up to a multiple of ten, plus the bundle, one consent and
/// its status fields, and one suppression list).
pub fn bundle_workspace(assets: usize, seed: u64) -> Vec<(String, String)> {
    let mut rng = Rng::new(seed);
    let groups = assets.div_ceil(GROUP).max(1);
    let mut files = vec![shared(), bundle()];
    for g in 0..groups {
        files.extend(group(g, groups, &mut rng));
    }
    files
}

/// The path of the file holding the first workflow of group `g`, the one a benchmark edits.
pub fn workflow_path(g: usize) -> String {
    format!("assets/workflows/wf-{g:05}-a.yaml")
}

fn shared() -> (String, String) {
    let text = "kind: List\nid: suppressed\nname: Suppressed\ndescription: Contacts who must never receive messages.\nowner: compliance\ntype: static\n---\nkind: Consent\nid: email-consent\nname: Marketing email\ndescription: Permission to send marketing email.\nowner: compliance\npurpose: Marketing email\nchannel: email\nstatus_field: consent_status\ntimestamp_field: consent_at\nsource_field: consent_source\n---\nkind: Field\nid: email\nname: Email\ndescription: The contact's email address.\nowner: marketing-ops\ntype: email\n---\nkind: Field\nid: consent_status\nname: Consent status\ndescription: Whether the contact granted marketing email.\nowner: compliance\ntype: enum\noptions: [granted, withdrawn]\ndefault: withdrawn\n---\nkind: Field\nid: consent_at\nname: Consent time\ndescription: When the consent status last changed.\nowner: compliance\ntype: datetime\n---\nkind: Field\nid: consent_source\nname: Consent source\ndescription: Where the consent was given.\nowner: compliance\ntype: string\n";
    ("assets/shared.yaml".to_owned(), text.to_owned())
}

fn bundle() -> (String, String) {
    let mut text = format!(
        "kind: Bundle\nid: {BUNDLE}\nname: Benchmark bundle\ndescription: Every asset of the synthetic workspace.\nowner: marketing-ops\nrelease_prefix: BB\nalert: slack:#marketing-ops-alerts\nmembers:\n"
    );
    for kind in [
        "Field",
        "Tag",
        "List",
        "Consent",
        "Template",
        "Webhook",
        "Form",
        "ScoringRule",
        "Workflow",
    ] {
        let _ = writeln!(text, "  - {{ kind: {kind} }}");
    }
    ("assets/bundle.yaml".to_owned(), text)
}

fn group(g: usize, groups: usize, rng: &mut Rng) -> Vec<(String, String)> {
    let next = (g + 1) % groups;
    let previous = (g + groups - 1) % groups;
    vec![
        field(g, "a", "string"),
        field(g, "b", ["number", "bool", "datetime"][rng.below(3) as usize]),
        (
            format!("assets/tags/tag-{g:05}.yaml"),
            format!("kind: Tag\nid: tag-{g}\nname: Tag {g}\ndescription: Interest {g}. {PROSE} {PROSE} {PROSE}\nowner: marketing-ops\nlabels: {{ program: p{} }}\n", g % 20),
        ),
        (
            format!("assets/lists/list-{g:05}.yaml"),
            format!("kind: List\nid: list-{g}\nname: List {g}\ndescription: Contacts who finished workflow {g}. {PROSE} {PROSE} {PROSE}\nowner: marketing-ops\ntype: static\n"),
        ),
        template(g),
        webhook(g),
        form(g, previous),
        (
            format!("assets/scoring/score-{g:05}.yaml"),
            format!("kind: ScoringRule\nid: score-{g}\nname: Score {g}\ndescription: Engagement with interest {g}. {PROSE} {PROSE} {PROSE}\nowner: revops\nscore_field: f-{g}-score\ncondition: contact.f_{g}_a == \"yes\"\npoints: {}\nmax: 40\ndecay: {{ points: 5, every: 30d }}\n", 5 + rng.below(10)),
        ),
        workflow_a(g, next, rng),
        workflow_b(g),
    ]
}

fn field(g: usize, which: &str, kind: &str) -> (String, String) {
    let id = if which == "a" {
        format!("f_{g}_a")
    } else {
        format!("f-{g}-score")
    };
    let kind = if which == "a" { kind } else { "number" };
    (
        format!("assets/fields/{id}.yaml"),
        format!("kind: Field\nid: {id}\nname: Field {g} {which}\ndescription: Synthetic contact field {g} ({which}). {PROSE} {PROSE}\nowner: marketing-ops\ntype: {kind}\n"),
    )
}

fn template(g: usize) -> (String, String) {
    (
        format!("assets/templates/tpl-{g:05}.yaml"),
        format!("kind: Template\nid: tpl-{g}\nname: Template {g}\ndescription: News about interest {g}.\nowner: marketing-ops\nchannel: email\ncategory: marketing\nfrom:\n  name: Acme\n  address: hello@acme.example\nsubject: \"News for you, {{{{ contact.f_{g}_a | default('friend') }}}}\"\npreheader: Read it on any device\nbody: |\n  <p>Hi {{{{ contact.f_{g}_a | default(\"there\") }}}},</p>\n  <p>here is what is new about interest {g}. {PROSE}</p>\n  <p>{PROSE}</p>\n  <p><a href=\"https://acme.example/news/{g}?utm_source=acme&utm_medium=email&utm_campaign=c{g}\">Read more</a></p>\n  <p>Acme GmbH, Bergsteigerweg 7, 80331 München. <a href=\"{{{{ unsubscribe_url }}}}\">Unsubscribe</a></p>\n"),
    )
}

fn webhook(g: usize) -> (String, String) {
    (
        format!("assets/webhooks/hook-{g:05}.yaml"),
        format!("kind: Webhook\nid: hook-{g}\nname: CRM sync {g}\ndescription: Upserts the lead of interest {g} in the CRM. {PROSE} {PROSE}\nowner: revops\nmethod: POST\nendpoints:\n  dev: https://dev.sandbox.crm.example/api/v2/leads/{g}\n  stage: https://stage.sandbox.crm.example/api/v2/leads/{g}\n  prod: https://crm.example/api/v2/leads/{g}\nauth:\n  scheme: bearer\n  secret: env:CRM_TOKEN\ntimeout: 10s\nretries:\n  max: 5\n  backoff: exponential\n  initial: 2s\n  max_delay: 5m\ndead_letter: queue:crm-{g}-dlq\nalert: slack:#marketing-ops-alerts\n"),
    )
}

fn form(g: usize, previous: usize) -> (String, String) {
    (
        format!("assets/forms/form-{g:05}.yaml"),
        format!("kind: Form\nid: form-{g}\nname: Form {g}\ndescription: Sign-up for interest {g}. {PROSE} {PROSE}\nowner: marketing-ops\nfields:\n  - {{ field: email, required: true, label: \"Email\" }}\n  - {{ field: f_{g}_a, required: true, label: \"Interest {g}\" }}\n  - {{ field: f_{previous}_a, label: \"Interest {previous}\" }}\ndedupe_key: email\nconsent:\n  - consent: email-consent\n    text: Yes, send me news about interest {g} by email. I can unsubscribe at any time.\n"),
    )
}

fn workflow_a(g: usize, next: usize, rng: &mut Rng) -> (String, String) {
    let mut text = format!("kind: Workflow\nid: wf-{g}-a\nname: Workflow {g} A\ndescription: Welcome series for interest {g}. {PROSE}\nowner: marketing-ops\ntriggers:\n  - type: tag_added\n    tag: tag-{g}\nenrollment:\n  filter: contact.consent_status == \"granted\"\n  reenroll: after 30d\nsettings:\n  suppression: [suppressed]\n  consent:\n    email: email-consent\n  frequency_cap: {{ max: 3, per: 7d }}\nsteps:\n");
    let _ = write!(
        text,
        "  - id: welcome\n    type: send_email\n    template: tpl-{g}\n    next: wait\n  - id: wait\n    type: wait\n    duration: {}d\n    next: sync\n  - id: sync\n    type: call_webhook\n    webhook: hook-{g}\n    next: score\n    on_error: done\n  - id: score\n    type: adjust_score\n    field: f-{g}-score\n    by: 5\n    next: remember\n  - id: remember\n    type: add_to_list\n    list: list-{g}\n    next: onward\n  - id: onward\n    type: enroll\n    workflow: wf-{next}-b\n    next: done\n  - id: done\n    type: exit\n",
        1 + rng.below(6)
    );
    (workflow_path(g), text)
}

fn workflow_b(g: usize) -> (String, String) {
    (
        format!("assets/workflows/wf-{g:05}-b.yaml"),
        format!("kind: Workflow\nid: wf-{g}-b\nname: Workflow {g} B\ndescription: Follow-up for interest {g}. {PROSE} {PROSE}\nowner: marketing-ops\ntriggers:\n  - type: form_submitted\n    form: form-{g}\nsettings:\n  suppression: [suppressed]\n  consent:\n    email: email-consent\n  frequency_cap: {{ max: 3, per: 7d }}\nsteps:\n  - id: check\n    type: branch\n    branches:\n      - name: engaged\n        condition: contact.consent_status == \"granted\"\n        next: follow-up\n    default: done\n  - id: follow-up\n    type: send_email\n    template: tpl-{g}\n    next: tag\n  - id: tag\n    type: add_tag\n    tag: tag-{g}\n    next: done\n  - id: done\n    type: exit\n"),
    )
}

//! Deterministic synthetic workspaces for benchmarks and property tests.
//!
//! `workspace(n, seed)` writes `n` workflows, each with its own email template and contact
//! field, sharing 100 tags and a suppression list, in the file layout a real team uses
//! (one file per workflow and template, fields grouped 100 per file). `bundle_workspace(n,
//! seed)` writes one bundle of `n` assets of mixed kinds, one file per asset.

mod bundle;

pub use bundle::{bundle_workspace, workflow_path, BUNDLE, BUNDLE_CONFIG};

use std::fmt::Write as _;

/// A small deterministic random generator (xorshift64*), so outputs depend only on the seed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// `flowgate.toml` for a synthetic workspace.
pub const CONFIG: &str = "[workspace]\nname = \"synthetic\"\nassets = [\"assets/**/*.yaml\"]\n";

/// Files (path relative to the root, text) of a workspace with `workflows` workflows.
pub fn workspace(workflows: usize, seed: u64) -> Vec<(String, String)> {
    let mut rng = Rng::new(seed);
    let mut files = Vec::new();
    let mut shared = String::from(
        "kind: List\nid: suppressed\nname: Suppressed\ndescription: Never contact.\ntype: static\n---\nkind: Consent\nid: email-consent\npurpose: Marketing email\nchannel: email\nstatus_field: consent_status\n---\nkind: Field\nid: consent_status\ntype: enum\noptions: [granted, withdrawn]\n",
    );
    for t in 0..100 {
        let _ = write!(shared, "---\nkind: Tag\nid: tag-{t}\nname: Tag {t}\n");
    }
    files.push(("assets/shared.yaml".to_owned(), shared));
    for chunk in 0..workflows.div_ceil(100) {
        let mut text = String::new();
        for i in chunk * 100..((chunk + 1) * 100).min(workflows) {
            let field_type = ["string", "number", "bool", "datetime"][rng.below(4) as usize];
            let _ = write!(
                text,
                "---\nkind: Field\nid: field_{i}\nname: Field {i}\ndescription: Synthetic field {i}.\ntype: {field_type}\nowner: ops\n"
            );
        }
        files.push((format!("assets/fields/fields-{chunk:04}.yaml"), text));
    }
    for i in 0..workflows {
        files.push((
            format!("assets/templates/tpl-{i:05}.yaml"),
            format!(
                "kind: Template\nid: tpl-{i}\nname: Template {i}\nchannel: email\nfrom:\n  name: Acme\n  address: hello@acme.example\nsubject: \"Hello {{{{ contact.field_{i} | default('there') }}}}\"\nbody: |\n  <p>Hi {{{{ contact.field_{i} | default(\"there\") }}}}, news for you.</p>\n  <a href=\"https://acme.example/?utm_source=email&utm_medium=email&utm_campaign=c{i}\">Read</a>\n  <a href=\"{{{{ unsubscribe_url }}}}\">Unsubscribe</a>\n"
            ),
        ));
        files.push((
            format!("assets/workflows/wf-{i:05}.yaml"),
            workflow(i, workflows, &mut rng),
        ));
    }
    files
}

fn workflow(i: usize, total: usize, rng: &mut Rng) -> String {
    let tag = rng.below(100);
    let other = rng.below(total as u64);
    let mut text = format!(
        "kind: Workflow\nid: wf-{i}\nname: Workflow {i}\ndescription: Synthetic workflow {i}.\nowner: ops\ntriggers:\n  - type: tag_added\n    tag: tag-{tag}\nenrollment:\n  filter: has(contact.field_{i}) && contact.consent_status == \"granted\"\n  reenroll: after 30d\nsettings:\n  suppression: [suppressed]\n  consent:\n    email: email-consent\n  frequency_cap: {{ max: 3, per: 7d }}\n  quiet_hours: {{ start: \"21:00\", end: \"08:00\", time_zone: Europe/Berlin }}\nsteps:\n"
    );
    let extra = rng.below(4);
    let _ = write!(
        text,
        "  - id: welcome\n    type: send_email\n    template: tpl-{i}\n    next: wait-1\n  - id: wait-1\n    type: wait\n    duration: {}d\n    next: check\n  - id: check\n    type: branch\n    branches:\n      - name: engaged\n        condition: contact.consent_status == \"granted\" && has(contact.field_{i})\n        next: follow-up\n    default: done\n  - id: follow-up\n    type: send_email\n    template: tpl-{other}\n    next: {}\n",
        1 + rng.below(6),
        if extra > 0 { "step-0" } else { "done" }
    );
    for s in 0..extra {
        let next = if s + 1 < extra {
            format!("step-{}", s + 1)
        } else {
            "done".to_owned()
        };
        let _ = write!(
            text,
            "  - id: step-{s}\n    type: add_tag\n    tag: tag-{}\n    next: {next}\n",
            rng.below(100)
        );
    }
    text.push_str("  - id: done\n    type: exit\n");
    text
}

//! The `flowgate.toml` a new workspace starts with: the platform globs of what the folder
//! holds, and environments whose gates keep anything from reaching prod unreviewed.

use super::detect::Found;
use std::fmt::Write as _;

/// Who the workspace's first person is (from git's `user.name` and `user.email`).
#[derive(Debug, Clone, Default)]
pub struct Person {
    /// The person id (`mara-koehler`).
    pub id: String,
    /// Full name, if git knows it.
    pub name: Option<String>,
    /// Email, if git knows it.
    pub email: Option<String>,
}

/// The person git says is working here, or a placeholder to edit.
pub fn git_person(dir: &std::path::Path) -> Person {
    let read = |key: &str| {
        std::process::Command::new("git")
            .args(["config", "--get", key])
            .current_dir(dir)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    let (name, email) = (read("user.name"), read("user.email"));
    // The email's local part reads best as an id (`mara.koehler` → `mara-koehler`).
    let basis = email.clone().or_else(|| name.clone()).unwrap_or_default();
    let id = slug(basis.split('@').next().unwrap_or_default());
    Person {
        id: if id.is_empty() {
            "owner".to_owned()
        } else {
            id
        },
        name,
        email,
    }
}

/// Lower-case letters, digits and `-`: a person id from a name.
fn slug(text: &str) -> String {
    let mut id = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            id.push(c);
        } else if !id.ends_with('-') && !id.is_empty() {
            id.push('-');
        }
    }
    id.trim_end_matches('-').to_owned()
}

/// A TOML basic string: JSON's string escapes are TOML's.
fn quoted(text: &str) -> String {
    serde_json::Value::from(text).to_string()
}

/// The workspace file.
pub fn config(name: &str, found: &Found, person: &Person) -> String {
    let mut toml = String::from("# flowgate workspace: see docs/configuration.md\n[workspace]\n");
    let _ = writeln!(toml, "name = {}", quoted(name));
    toml.push_str("# flowgate's own asset files; only under assets/, so package.json and the like stay out.\n");
    toml.push_str("assets = [\"assets/**/*.yaml\", \"assets/**/*.yml\", \"assets/**/*.json\"]\n");
    platform_globs(&mut toml, found);
    people(&mut toml, person);
    toml.push_str(ENVIRONMENTS);
    toml
}

fn platform_globs(toml: &mut String, found: &Found) {
    if found.salesforce_flows || !found.sfdx_projects.is_empty() {
        toml.push_str("# Salesforce flows (*.flow-meta.xml) are found by default; sfdx-project.json names the packages.\n");
    }
    let list = |globs: &[String]| {
        let items: Vec<String> = globs.iter().map(|g| quoted(g)).collect();
        format!("[{}]", items.join(", "))
    };
    if !found.n8n.is_empty() {
        let _ = writeln!(
            toml,
            "# n8n workflow exports found here\nn8n = {}",
            list(&found.n8n)
        );
    }
    if !found.node_red.is_empty() {
        let _ = writeln!(
            toml,
            "# Node-RED flow files found here\nnode_red = {}",
            list(&found.node_red)
        );
    }
}

fn people(toml: &mut String, person: &Person) {
    toml.push_str(
        "\n# The people who author, approve and promote. A snapshot's author is the person whose\n\
         # name or email matches git's; `--as PERSON` names who acts. Add your colleagues: prod\n\
         # needs an approval from someone other than the author.\n",
    );
    let _ = writeln!(toml, "[people.{}]", person.id);
    match &person.name {
        Some(name) => {
            let _ = writeln!(toml, "name = {}", quoted(name));
        }
        None => toml.push_str("name = \"Your Name\"  # as in `git config user.name`\n"),
    }
    if let Some(email) = &person.email {
        let _ = writeln!(toml, "email = {}", quoted(email));
    }
    toml.push_str("roles = [\"owner\"]\n");
}

/// Environments in promotion order, each fed only by the one before it, with an approval
/// required for prod and warnings blocking there.
const ENVIRONMENTS: &str = r#"
# Environments in promotion order: a version reaches stage only from dev, and prod only from
# stage, after an approval by someone other than its author.
[environments.dev]
name_prefix = "DEV — "

[environments.stage]
name_prefix = "STG — "

[environments.stage.gates]
from = "dev"
block_on = "error"
promoters = ["owner"]

[environments.prod]
name_prefix = "PRD — "

[environments.prod.gates]
from = "stage"
block_on = "warning"
promoters = ["owner"]

[environments.prod.raci]
accountable = ["owner"]
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn person_ids_are_slugs_of_the_git_name() {
        assert_eq!(slug("Mara Koehler"), "mara-koehler");
        assert_eq!(slug("jonas.berg"), "jonas-berg");
        assert_eq!(slug("  "), "");
    }
}

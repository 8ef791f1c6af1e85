//! docs/cli.md is generated from the CLI's own help texts; this test fails when it is stale.
//! Regenerate with `FLOWGATE_UPDATE_DOCS=1 cargo test -p flowgate-cli --test it reference::`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::Path;
use std::process::Command;

fn help(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_flowgate"))
        .args(args)
        .arg("--help")
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .output()
        .unwrap();
    assert!(output.status.success(), "{args:?}");
    String::from_utf8(output.stdout).unwrap()
}

fn subcommands(top: &str) -> Vec<String> {
    top.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        // Wrapped descriptions continue on deeper-indented lines.
        .filter(|l| l.starts_with("  ") && !l[2..].starts_with(' '))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}

fn generate() -> String {
    let top = help(&[]);
    let mut doc = String::from(
        "# flowgate command-line reference\n\n<!-- Generated from `flowgate --help`; do not edit. Regenerate with\n     FLOWGATE_UPDATE_DOCS=1 cargo test -p flowgate-cli --test it reference:: -->\n\n",
    );
    doc.push_str("```text\n");
    doc.push_str(&top);
    doc.push_str("```\n");
    for name in subcommands(&top) {
        let page = help(&[&name]);
        doc.push_str(&format!("\n## flowgate {name}\n\n```text\n"));
        doc.push_str(&page);
        doc.push_str("```\n");
        for sub in subcommands(&page) {
            doc.push_str(&format!("\n### flowgate {name} {sub}\n\n```text\n"));
            doc.push_str(&help(&[&name, &sub]));
            doc.push_str("```\n");
        }
    }
    doc
}

#[test]
fn cli_reference_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/cli.md");
    let generated = generate();
    if std::env::var_os("FLOWGATE_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/cli.md is stale: run `FLOWGATE_UPDATE_DOCS=1 cargo test -p flowgate-cli --test it reference::` and commit it"
    );
}

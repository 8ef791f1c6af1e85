//! Deploy targets in `flowgate.toml`: every type read with its keys, and every mistake
//! reported at its place.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use flowgate_diagnostics::SourceText;
use flowgate_release::{Policy, TargetSpec};
use std::path::Path;

fn policy(text: &str) -> Result<Policy, Vec<flowgate_diagnostics::Diagnostic>> {
    let config = flowgate_load::parse_config(text).unwrap();
    Policy::from_config(
        &config,
        &SourceText::new("flowgate.toml", text),
        Path::new("/ws"),
    )
}

#[test]
fn every_target_type_is_read_with_its_keys() {
    let text = r#"[workspace]
name = "t"
[environments.dev]
target = { type = "directory", path = "deploy/dev" }
[environments.stage]
target = { type = "node-red", url = "http://127.0.0.1:1880/", auth = "env:NODE_RED_TOKEN", deployment = "full" }
[environments.prod]
target = { type = "n8n", url = "https://n8n.example", api_key = "env:N8N_API_KEY" }
[environments.partner]
target = { type = "http", url = "https://mw.example/deploy", secret = "env:HOOK_SECRET" }
"#;
    let policy = policy(text).unwrap();
    let targets: Vec<TargetSpec> = policy
        .environments
        .iter()
        .map(|e| e.target.clone().unwrap())
        .collect();
    assert_eq!(
        targets,
        vec![
            TargetSpec::Directory(Path::new("/ws/deploy/dev").to_path_buf()),
            TargetSpec::NodeRed {
                url: "http://127.0.0.1:1880".into(),
                auth: Some("env:NODE_RED_TOKEN".into()),
                full: true,
            },
            TargetSpec::N8n {
                url: "https://n8n.example".into(),
                api_key: "env:N8N_API_KEY".into(),
            },
            TargetSpec::Http {
                url: "https://mw.example/deploy".into(),
                secret: "env:HOOK_SECRET".into(),
            },
        ]
    );
}

#[test]
fn target_mistakes_are_reported_where_they_are_written() {
    let cases = [
        (
            r#"{ type = "ftp", path = "x" }"#,
            "\"ftp\"",
            "is not a deploy target",
        ),
        (
            r#"{ type = "n8n", url = "https://n" }"#,
            "\"n8n\"",
            "needs `api_key`",
        ),
        (
            r#"{ type = "node-red", url = "nodered:1880" }"#,
            "\"nodered:1880\"",
            "is not an http(s) URL",
        ),
        (
            r#"{ type = "http", url = "https://h", secret = "hunter2-literal" }"#,
            "\"hunter2-literal\"",
            "must be a secret reference",
        ),
        (
            r#"{ type = "node-red", url = "http://h", deployment = "partial" }"#,
            "\"partial\"",
            "deployment type",
        ),
        (
            r#"{ type = "directory", path = "d", url = "http://h" }"#,
            "\"http://h\"",
            "takes no `url`",
        ),
    ];
    for (target, at, says) in cases {
        let text = format!("[environments.dev]\ntarget = {target}\n[workspace]\nname = \"t\"\n");
        let problems = policy(&text).unwrap_err();
        assert_eq!(problems.len(), 1, "{target}: {problems:#?}");
        let problem = &problems[0];
        assert!(
            problem.message.contains(says),
            "{target}: {}",
            problem.message
        );
        assert!(
            !problem.message.contains("hunter2"),
            "a secret is never repeated"
        );
        let location = problem.location.as_ref().unwrap();
        let column = text.lines().nth(1).unwrap().find(at).unwrap() as u32 + 1;
        assert_eq!(
            (location.start.line, location.start.column),
            (2, column),
            "{target}"
        );
    }
}

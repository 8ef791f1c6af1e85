//! The example's `api_calls` against Magento's admin REST schemas, by generators over every
//! declared operation and field: each resolves in 2.4.6; each misspelt field is FG027 at its
//! place; each operation dropped from the current contract is FG027 at its place, and each
//! dropped from the new one is a breaking change for every integration calling it.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use crate::upgrade::with_contracts;
use std::collections::BTreeSet;

/// One declared Magento call: the file, its line (1-based), the operation and its column,
/// and the fields with their columns (columns 1-based, at the opening quote when quoted).
struct Call {
    file: String,
    line: usize,
    operation: (String, usize),
    fields: Vec<(String, usize)>,
}

/// A scalar in a flow sequence or map, and where it starts: `"a, b"` or `a`.
fn token(text: &str, at: usize) -> (String, usize) {
    let rest = &text[at..];
    if let Some(quoted) = rest.strip_prefix('"') {
        let end = quoted.find('"').unwrap();
        (quoted[..end].to_owned(), end + 2)
    } else {
        let end = rest.find([',', ']', '}']).unwrap();
        (rest[..end].trim().to_owned(), end)
    }
}

/// Every `api_calls` entry of the example's integrations for `system: magento`.
fn declared_calls(root: &std::path::Path) -> Vec<Call> {
    let dir = root.join("assets/integrations");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut calls = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let file = format!(
            "assets/integrations/{}",
            path.file_name().unwrap().to_string_lossy()
        );
        for (n, line) in text.lines().enumerate() {
            let Some(op_at) = line.find("operation: ") else {
                continue;
            };
            if !line.contains("system: magento") {
                continue;
            }
            let op_at = op_at + "operation: ".len();
            let (operation, _) = token(line, op_at);
            let mut fields = Vec::new();
            if let Some(list) = line.find("fields: [") {
                let mut at = list + "fields: [".len();
                loop {
                    let (field, len) = token(line, at);
                    fields.push((field, at + 1));
                    at += len;
                    match line[at..].strip_prefix(", ") {
                        Some(_) => at += 2,
                        None => break,
                    }
                }
            }
            calls.push(Call {
                file: file.clone(),
                line: n + 1,
                operation: (operation, op_at + 1),
                fields,
            });
        }
    }
    assert!(calls.len() >= 15, "the example declares its Magento calls");
    calls
}

/// `/V1/orders/{id}/` → `/V1/orders/{}`.
fn template(path: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in path.chars() {
        match c {
            '{' => {
                inside = true;
                out.push_str("{}");
            }
            '}' => inside = false,
            _ if inside => {}
            _ => out.push(c),
        }
    }
    out.trim_end_matches('/').to_owned()
}

/// `GET /V1/orders/{id}` → (`get`, `/V1/orders/{}`).
fn key(operation: &str) -> (String, String) {
    let (method, path) = operation.split_once(' ').unwrap();
    (method.to_ascii_lowercase(), template(path))
}

/// A Swagger 2 YAML document without the operations of `drop` (method under a path item).
fn drop_operations(text: &str, drop: &BTreeSet<(String, String)>) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut in_paths, mut path, mut skipping) = (false, None::<String>, false);
    let mut dropped = BTreeSet::new();
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        if skipping && (line.trim().is_empty() || indent > 4) {
            continue;
        }
        skipping = false;
        if indent == 0 && !line.trim().is_empty() {
            in_paths = line == "paths:";
        } else if in_paths && indent == 2 {
            let name = line.trim().trim_end_matches(':').trim_matches(['"', '\'']);
            path = Some(template(name));
        } else if in_paths && indent == 4 {
            let method = line.trim().trim_end_matches(':').to_owned();
            let here = (method, path.clone().unwrap_or_default());
            if drop.contains(&here) {
                dropped.insert(here);
                skipping = true;
                continue;
            }
        }
        out.push_str(line);
        out.push('\n');
    }
    assert_eq!(&dropped, drop, "every operation to drop was found");
    out
}

/// `(message, file:line:column)` of every FG027 in a human report.
fn fg027(out: &str) -> BTreeSet<(String, String)> {
    let lines: Vec<&str> = out.lines().collect();
    lines
        .iter()
        .enumerate()
        .filter_map(|(n, l)| {
            let message = l.strip_prefix("error[FG027]: ")?;
            let at = lines[n + 1].trim().strip_prefix("--> ").unwrap();
            Some((message.to_owned(), at.to_owned()))
        })
        .collect()
}

#[test]
fn every_declared_field_resolves_and_each_misspelt_one_is_located() {
    let ws = with_contracts();
    let calls = declared_calls(&ws.root);
    let (_, out, err) = ws.run(&["upgrade", "plan", "magento", "--to", "2.4.8"]);
    assert!(fg027(&out).is_empty(), "{out}{err}");
    let mut expected = BTreeSet::new();
    for call in &calls {
        let path = ws.root.join(&call.file);
        let text = std::fs::read_to_string(&path).unwrap();
        let line = text.lines().nth(call.line - 1).unwrap().to_owned();
        let mut mutated = line.clone();
        // From the last field back, so that earlier columns stay where they are; each
        // field then starts two columns later per misspelt field before it.
        for (n, (field, column)) in call.fields.iter().enumerate().rev() {
            let start = column - 1 + usize::from(line.as_bytes()[column - 1] == b'"');
            mutated.insert_str(start + field.len(), "_x");
            expected.insert((
                format!(
                    "field `{field}_x` is not in {} of magento's API contract",
                    call.operation.0
                ),
                format!("{}:{}:{}", call.file, call.line, column + 2 * n),
            ));
        }
        std::fs::write(&path, text.replacen(&line, &mutated, 1)).unwrap();
    }
    let fields: usize = calls.iter().map(|c| c.fields.len()).sum();
    assert!(fields >= 60, "{fields} fields declared");
    let (code, out, _) = ws.run(&["upgrade", "plan", "magento", "--to", "2.4.8"]);
    assert_eq!(code, 1);
    assert_eq!(fg027(&out), expected, "{out}");
    assert!(
        out.contains("has no such property; the nearest names: increment_id"),
        "{out}"
    );
}

#[test]
fn operations_dropped_from_a_contract_are_reported_for_each_caller() {
    let ws = with_contracts();
    let calls = declared_calls(&ws.root);
    let drop: BTreeSet<(String, String)> = calls.iter().map(|c| key(&c.operation.0)).collect();
    // Dropped from the version upgraded to: a breaking change for every integration calling it.
    let new = ws
        .root
        .join("contracts/magento/2.4.8/admin-schema-2.4.8.yaml");
    let original = std::fs::read_to_string(&new).unwrap();
    std::fs::write(&new, drop_operations(&original, &drop)).unwrap();
    let (code, out, err) = ws.run(&[
        "--format", "json", "upgrade", "plan", "magento", "--to", "2.4.8",
    ]);
    assert_eq!(code, 1, "{err}");
    let plan: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mut removed = BTreeSet::new();
    for i in plan["plan"]["integrations"].as_array().unwrap() {
        for c in i["api_changes"].as_array().unwrap() {
            let check = c["check"].as_str().unwrap();
            if check.starts_with("api-") && check.contains("removed") {
                assert_eq!(c["level"], "breaking");
                assert!(c["old"]["start"]["line"].as_u64().unwrap() > 1);
                let op = key(c["operation"].as_str().unwrap());
                removed.insert((i["integration"].as_str().unwrap().to_owned(), op));
            }
        }
    }
    let callers: BTreeSet<(String, (String, String))> = calls
        .iter()
        .map(|c| {
            let id = c.file.trim_start_matches("assets/integrations/");
            (id.trim_end_matches(".yaml").to_owned(), key(&c.operation.0))
        })
        .collect();
    assert_eq!(removed, callers);
    std::fs::write(&new, original).unwrap();

    // Dropped from the current version: FG027 at each declaration.
    let old = ws
        .root
        .join("contracts/magento/2.4.6/admin-schema-2.4.6.yaml");
    let text = std::fs::read_to_string(&old).unwrap();
    std::fs::write(&old, drop_operations(&text, &drop)).unwrap();
    let (code, out, _) = ws.run(&["upgrade", "plan", "magento", "--to", "2.4.8"]);
    assert_eq!(code, 1);
    let expected: BTreeSet<(String, String)> = calls
        .iter()
        .map(|c| {
            (
                format!(
                    "operation `{}` is not in magento's API contract",
                    c.operation.0
                ),
                format!("{}:{}:{}", c.file, c.line, c.operation.1),
            )
        })
        .collect();
    assert_eq!(fg027(&out), expected, "{out}");
}

#[test]
fn path_parameters_match_whatever_their_names() {
    let ws = with_contracts();
    ws.edit(
        "assets/integrations/marketing-events.yaml",
        "GET /V1/orders/{id}",
        "get /V1/orders/{orderId}/",
    );
    ws.edit(
        "assets/integrations/marketing-events.yaml",
        "GET /V1/shipment/{id}",
        "FETCH /V1/shipment/{id}",
    );
    let (code, out, _) = ws.run(&["upgrade", "plan", "magento", "--to", "2.4.8"]);
    assert_eq!(code, 1);
    let found = fg027(&out);
    assert_eq!(found.len(), 1, "{out}");
    let (message, at) = found.into_iter().next().unwrap();
    assert_eq!(
        message,
        "operation `FETCH /V1/shipment/{id}` is not METHOD /path"
    );
    assert!(
        at.starts_with("assets/integrations/marketing-events.yaml:"),
        "{at}"
    );
}

#[test]
fn a_file_in_a_version_folder_that_is_no_contract_is_refused_located() {
    let ws = with_contracts();
    let dir = ws.root.join("contracts/magento/2.4.8");
    std::fs::write(dir.join("notes.yaml"), "owner: ecommerce\n").unwrap();
    let (code, out, err) = ws.run(&["upgrade", "plan", "magento", "--to", "2.4.8"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("contracts/magento/2.4.8/notes.yaml:1:1"),
        "{err}"
    );
    std::fs::write(dir.join("notes.yaml"), "swagger: '2.0'\npaths: {/a: [\n").unwrap();
    let (code, _, err) = ws.run(&["upgrade", "plan", "magento", "--to", "2.4.8"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("contracts/magento/2.4.8/notes.yaml:"), "{err}");
}

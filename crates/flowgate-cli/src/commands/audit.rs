//! `flowgate log` and `flowgate audit verify`: the operation log and its hash chain.

use super::promote::emit;
use super::store::{fail, with_store};
use crate::cli::{AuditCommand, GlobalArgs, LogArgs};
use crate::exit::Exit;
use flowgate_store::{Operation, OperationFilter, Store};
use serde_json::{json, Value};

/// `flowgate log [ENV]`.
pub fn log(args: &LogArgs, global: &GlobalArgs) -> Exit {
    with_store(global, |store| async move {
        let ops = match store.operations(&OperationFilter::default()).await {
            Ok(ops) => ops,
            Err(e) => {
                fail(global, &e.to_string(), "run `flowgate audit verify`");
                return (store, Exit::BadInput);
            }
        };
        let mut shown: Vec<&Operation> = ops
            .iter()
            .filter(|op| match &args.env {
                None => true,
                Some(env) => op.payload.get("env").and_then(Value::as_str) == Some(env.as_str()),
            })
            .collect();
        if let Some(limit) = args.limit {
            let skip = shown.len().saturating_sub(limit);
            shown.drain(..skip);
        }
        let text: String = shown.iter().map(|op| format!("{}\n", line(op))).collect();
        let text = if text.is_empty() {
            "(no operations)\n".to_owned()
        } else {
            text
        };
        emit(global, &text, json!(shown));
        (store, Exit::Success)
    })
}

/// One operation as a line: sequence, time, actor, kind and what it did.
fn line(op: &Operation) -> String {
    let p = &op.payload;
    let text = |key: &str| p.get(key).and_then(Value::as_str).unwrap_or_default();
    let short = |key: &str| {
        let t = text(key);
        t[..t.len().min(12)].to_owned()
    };
    let what = match op.kind.as_str() {
        "plan" => format!(
            "plan {} for {} {} → {}",
            short("plan"),
            text("bundle"),
            text("version"),
            text("env")
        ),
        "approve" => format!(
            "approved plan {} as {} ({} {} → {}){}",
            short("plan"),
            text("role"),
            text("bundle"),
            text("version"),
            text("env"),
            p.get("comment")
                .and_then(Value::as_str)
                .map(|c| format!(": {c}"))
                .unwrap_or_default()
        ),
        "apply" => format!(
            "applied {} {} to {} (plan {})",
            text("bundle"),
            text("version"),
            text("env"),
            short("plan")
        ),
        "rollback" => format!(
            "rolled {} in {} back from {} to {}: {}",
            text("bundle"),
            text("env"),
            text("from_version"),
            text("version"),
            text("reason")
        ),
        "pin" => format!("pinned {}: {}", text("env"), text("reason")),
        "unpin" => format!("unpinned {}: {}", text("env"), text("reason")),
        _ => match (
            p.get("bundle").and_then(Value::as_str),
            p.get("version").and_then(Value::as_str),
        ) {
            (Some(bundle), Some(version)) => format!("{bundle} {version}"),
            _ => String::new(),
        },
    };
    format!(
        "#{:<5} {}  {:<12} {:<16} {what}",
        op.seq, op.at, op.actor, op.kind
    )
}

/// `flowgate audit verify`.
pub fn run(command: &AuditCommand, global: &GlobalArgs) -> Exit {
    match command {
        AuditCommand::Verify => with_store(global, |store| async move {
            let report = match store.verify_log().await {
                Ok(report) => report,
                Err(e) => {
                    fail(global, &e.to_string(), "the store could not be read");
                    return (store, Exit::BadInput);
                }
            };
            let exit = match &report.broken {
                None => {
                    emit(
                        global,
                        &format!(
                            "audit: {} operation(s), hash chain intact\n",
                            report.records
                        ),
                        json!({ "operations": report.records, "intact": true }),
                    );
                    Exit::Success
                }
                Some(broken) => {
                    emit(
                        global,
                        &format!(
                            "audit: the log is broken at operation #{}: {}\n",
                            broken.seq, broken.reason
                        ),
                        json!({ "operations": report.records, "intact": false, "broken": { "seq": broken.seq, "reason": broken.reason } }),
                    );
                    Exit::Findings
                }
            };
            (store, exit)
        }),
    }
}

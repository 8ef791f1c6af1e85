//! `flowgate adopt`: keep the changes made on an environment's platform (an edit in Node-RED's
//! or n8n's own editor) by writing them into the workspace files the held version was frozen
//! from, then freezing a new version through the same checks as `snapshot create`.

use super::pull::live_report;
use super::store::with_promotions;
use crate::cli::{AdoptArgs, GlobalArgs, SnapshotCreateArgs};
use crate::error::{CommandError, CommandResult};
use crate::output::out;
use flowgate_release::{LiveReport, LiveStatus};
use serde_json::Value;
use std::cell::RefCell;
use std::path::{Path, PathBuf};

/// `flowgate adopt ENV --version V [--bundle B] [--as PERSON]`.
pub fn run(args: &AdoptArgs, global: &GlobalArgs) -> CommandResult {
    let adopted: RefCell<Option<(String, Vec<String>)>> = RefCell::new(None);
    let exit = with_promotions(global, |session| async {
        let result = async {
            let report = live_report(&session, &args.env, args.bundle.as_deref()).await?;
            let bundle = report.bundle.clone();
            if report.in_sync() {
                out(&format!(
                    "Nothing to adopt: the platform of {} runs {bundle} {} as held\n",
                    args.env, report.version
                ));
                return Ok(crate::exit::Exit::Success);
            }
            let files = write_back(&session.workspace.root, &report)?;
            *adopted.borrow_mut() = Some((bundle, files));
            Ok(crate::exit::Exit::Success)
        }
        .await;
        (session, result)
    })?;
    let Some((bundle, files)) = adopted.into_inner() else {
        return Ok(exit);
    };
    out(&format!(
        "Adopted the changes made on {}'s platform into {}\n",
        args.env,
        files.join(", ")
    ));
    super::snapshot::create(
        &SnapshotCreateArgs {
            bundle,
            version: args.version.clone(),
            allow_version: None,
            author: args.actor.person.clone(),
        },
        global,
    )
}

/// Applies each changed platform file's changes to the workspace file it came from; nothing
/// is written unless every file can be.
fn write_back(root: &Path, report: &LiveReport) -> Result<Vec<String>, CommandError> {
    let mut planned: Vec<(PathBuf, String, Vec<u8>)> = Vec::new();
    for file in &report.files {
        let refuse = |why: String| {
            CommandError::usage(
                format!("cannot adopt `{}`: {why}; nothing was written", file.path),
                format!(
                    "undo the platform's changes with `flowgate sync {}`, or make the change in \
                     the workspace and create a snapshot",
                    report.env
                ),
            )
        };
        let source = match (&file.status, &file.source) {
            (LiveStatus::Modified, Some(source)) if !file.changes.is_empty() => source,
            (LiveStatus::Added, _) => return Err(refuse("it exists only on the platform".into())),
            (LiveStatus::Removed, _) => return Err(refuse("it is missing on the platform".into())),
            _ => return Err(refuse("only platform flow files can be adopted".into())),
        };
        let path = root.join(source);
        let text = std::fs::read(&path)
            .map_err(|e| refuse(format!("{} cannot be read ({e})", path.display())))?;
        let mut document: Value = serde_json::from_slice(&text)
            .map_err(|e| refuse(format!("{source}:{}:{}: {e}", e.line(), e.column())))?;
        flowgate_diff::tree::apply(&mut document, &file.changes).map_err(|e| {
            refuse(format!(
                "{source} no longer matches the held version at {e}; it changed in the workspace too"
            ))
        })?;
        let mut bytes = serde_json::to_vec_pretty(&document).unwrap_or_default();
        bytes.push(b'\n');
        planned.push((path, source.clone(), bytes));
    }
    for (path, _, bytes) in &planned {
        crate::write::write_atomically(path, bytes).map_err(|e| {
            CommandError::new(
                crate::error::ErrorKind::Unavailable,
                format!("{} could not be written: {e}", path.display()),
                "check the file's permissions and run `flowgate adopt` again",
            )
        })?;
    }
    Ok(planned.into_iter().map(|(_, source, _)| source).collect())
}
